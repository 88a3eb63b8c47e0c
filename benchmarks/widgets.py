"""How long the simulation dashboard takes from a slider change to the new figure.

Run with ``.venv/bin/python benchmarks/widgets.py``. For every library model, one
dashboard is made; its first slider is set programmatically (``slider.value = x``,
exactly what a browser's drag sends) to a sequence of values, and each change is
timed until the dashboard's Output holds the new PNG (an observer on
``Output.outputs``), and until the whole callback is done (pattern label
included). Target: under 100 ms median for every model. One process.
"""

from __future__ import annotations

import statistics
import sys
import time

TARGET_MS = 100.0
CHANGES = 21


def _values(slider, n: int) -> list[float]:
    low, high = slider.min, slider.max
    values = [low + (high - low) * (0.2 + 0.6 * i / (n - 1)) for i in range(n)]
    return [v for v in values if abs(v - slider.value) > slider.step] or [high]


def measure(name: str) -> tuple[float, float]:
    """Median milliseconds to the new PNG, and to the end of the callback."""
    from csframework.widgets import simulation_dashboard

    board = simulation_dashboard(name)
    slider = next(iter(board.sliders.values()))
    shown: list[float] = []
    board.output.observe(lambda change: shown.append(time.perf_counter()), names="outputs")
    to_png, to_end = [], []
    for value in _values(slider, CHANGES):
        shown.clear()
        before = board.output.outputs
        start = time.perf_counter()
        slider.value = value
        end = time.perf_counter()
        if board.output.outputs is before or not shown:
            continue  # the slider rounded to the same value: nothing to redraw
        to_png.append((shown[0] - start) * 1000)
        to_end.append((end - start) * 1000)
    return statistics.median(to_png), statistics.median(to_end)


def main() -> int:
    from csframework.sd import library

    print(f"{'model':32s} {'to figure':>10s} {'to label':>10s}   (median ms, "
          f"{CHANGES} slider changes)")
    worst = 0.0
    for name in library.names():
        figure_ms, total_ms = measure(name)
        worst = max(worst, figure_ms)
        print(f"{name:32s} {figure_ms:10.1f} {total_ms:10.1f}")
    verdict = "OK" if worst < TARGET_MS else "TOO SLOW"
    print(f"max median to figure: {worst:.1f} ms (target < {TARGET_MS:.0f} ms): {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

"""Stock-and-flow diagrams: how long drawing takes, and how large the SVG is.

Run with ``.venv/bin/python benchmarks/stock_flow.py``.

Definitions
-----------
library
    Every model of ``csf.library``, drawn once (layout and painting, no file).
synthetic model
    `stocks` stocks, each with an inflow from a cloud and an outflow to a
    cloud, and `names` auxiliaries, each using a constant of its own, a random
    stock and (after the first) a random earlier auxiliary; every inflow uses
    a random auxiliary. Seeded, so every run draws the same models.
ratio
    The time of ``to_png`` (lay out, paint and render PNG bytes) divided by
    the time of ``draw`` (lay out and paint): what a file costs on top of a
    figure.
"""

from __future__ import annotations

import random
import time

import csframework as csf


def synthetic(stocks: int, names: int, seed: int = 1) -> csf.StockFlowModel:
    rng = random.Random(seed)
    model = csf.StockFlowModel(f"{stocks} stocks, {names} names")
    for i in range(names):
        model.constant(f"c{i}", 1)
    for i in range(stocks):
        model.stock(f"s{i}", 1, inflows=[f"in{i}"], outflows=[f"out{i}"])
    for i in range(names):
        uses = [f"c{i}", f"s{rng.randrange(stocks)}"] + ([f"a{rng.randrange(i)}"] if i else [])
        model.auxiliary(f"a{i}", " + ".join(uses))
    for i in range(stocks):
        model.flow(f"in{i}", f"a{rng.randrange(names)} * 0.01")
        model.flow(f"out{i}", f"s{i} * 0.1")
    return model


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    print("library models")
    total = 0.0
    for name in csf.library.names():
        model = csf.library.load(name)
        seconds, _ = timed(model.draw)
        total += seconds
        print(f"  {name:32s} {len(model):3d} elements  draw {seconds:6.2f} s")
    print(f"  all {len(csf.library.names())} models: {total:.1f} s")
    print("synthetic models")
    for stocks, names in ((3, 10), (5, 20), (10, 40), (15, 60)):
        model = synthetic(stocks, names)
        draw_s, _ = timed(model.draw)
        png_s, _ = timed(model.to_png)
        svg_s, svg = timed(model.to_svg)
        print(f"  {len(model):4d} elements  draw {draw_s:6.2f} s  png {png_s:6.2f} s "
              f"(ratio {png_s / draw_s:4.2f})  svg {svg_s:6.2f} s ({len(svg) / 1024:.0f} kB)")


if __name__ == "__main__":
    main()

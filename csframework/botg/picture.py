"""The picture of a behaviour-over-time graph, with the conventions of the field.

The variable and its units on the y axis, time and its unit on the x axis, the
title saying what to notice; recorded values as points, sketches dashed with a
hand-drawn wobble, notes as small annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from csframework import style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from csframework.botg.series import SeriesRecord

__all__ = ["paint_graph", "time_label"]

_WOBBLE = (1.2, 60.0, 2.0)   # matplotlib sketch params: scale, length, randomness (seeded by Agg)
_MAX_NOTE_CHARS = 40


def time_label(unit: str) -> str:
    """The x axis label for a time unit.

    Examples
    --------
    >>> time_label("day"), time_label("weeks"), time_label("time")
    ('Time (days)', 'Time (weeks)', 'Time')
    """
    if unit in ("", "time"):
        return "Time"
    return f"Time ({unit if unit.endswith('s') else unit + 's'})"


def paint_graph(ax: Axes, theme: style.Theme, all_series: Sequence[SeriesRecord], *,
                title: str, y_label: str, time_unit: str) -> None:
    """Draw `all_series` into `ax` under `theme`, with the graph's title and axis labels."""
    small = theme.font_size * 0.8
    for i, series in enumerate(all_series):
        colour = style.SERIES[i % len(style.SERIES)]
        label = series.name
        if series.kind == "sketch":
            if series.pattern and series.pattern != series.name:
                label = f"{series.name} (sketch: {series.pattern})"
            elif series.pattern:
                label = f"{series.name} (sketch)"
            (line,) = ax.plot(series.times, series.values, color=colour,
                              linestyle=(0, (6, 3)), alpha=0.9, label=label,
                              gid=f"series:{series.name}")
            line.set_sketch_params(*_WOBBLE)
        else:
            marker = "o" if series.kind == "recorded" or len(series.times) <= 30 else None
            ax.plot(series.times, series.values, color=colour, marker=marker,
                    markersize=theme.line_width * 2.5, label=label,
                    gid=f"series:{series.name}")
        for t, v, note in zip(series.times, series.values, series.notes, strict=True):
            if note is None:
                continue
            text = note if len(note) <= _MAX_NOTE_CHARS else note[:_MAX_NOTE_CHARS - 1] + "…"
            ax.annotate(text, (t, v), xytext=(4, 8), textcoords="offset points",
                        fontsize=small, color=colour, style="italic", ha="left",
                        va="bottom", gid=f"note:{series.name}:{t:g}",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                              "edgecolor": "none", "alpha": 0.85})
    ax.set_ylabel(y_label)
    ax.set_xlabel(time_label(time_unit))
    ax.set_title(title, loc="left", fontsize=theme.title_size)
    if not all_series:
        ax.text(0.5, 0.5, "no values yet: record() what you notice", transform=ax.transAxes,
                ha="center", va="center", color=style.PALETTE["muted"], gid="empty")
    else:
        values = [v for s in all_series for v in s.values]
        low, high = min(values), max(values)
        pad = 0.15 * (high - low) if high > low else max(1.0, abs(high) * 0.1)
        ax.set_ylim(low - pad * 0.6, high + pad * 1.2)  # room above for the notes
        times = [t for s in all_series for t in s.times]
        first, last = min(times), max(times)
        span = last - first if last > first else 1.0
        ax.set_xlim(first - 0.03 * span, last + 0.12 * span)
    if len(all_series) > 1:
        ax.legend(frameon=False, fontsize=theme.font_size * 0.85, loc="best")

"""The picture of Meadows' list: a ladder, least effective at the bottom, realms beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from csframework import _drawing, style
from csframework.leverage.meadows import BADGE, get, points

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["chart"]

#: Room for a point's summary on the chart, in em of the normal font size.
_SUMMARY_WIDTH = 27.5


def chart(highlight: Iterable[int | str] = (), ax: Axes | None = None) -> Figure:
    """Meadows' list as a ladder: least effective at the bottom, most at the top.

    Parameters
    ----------
    highlight : iterable of int or str, optional
        Points to mark with a badge (e.g. those tagged on a diagram).
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new figure (no pyplot).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = chart(highlight=[3, "delays"])
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "badge")
    ['3', '9']
    """
    import matplotlib

    marked = {get(h).number for h in highlight}
    theme = style.current()
    small = 0.75
    # Summaries are wrapped, never cut short: a row grows to hold its lines.
    wrapped = [_drawing.wrap(p.summary, _SUMMARY_WIDTH, small) for p in points()]
    boxes = [max(1.7, len(lines) * _drawing.LINE * small + 0.35) for lines in wrapped]
    bottoms = [0.5 + sum(boxes[:i]) + 0.3 * i for i in range(len(boxes))]
    width, height = 54.0, bottoms[-1] + boxes[-1] + 3.8
    with matplotlib.rc_context(theme.rc()):
        if ax is None:
            figure, ax = _drawing.canvas(width, height)
        else:
            figure = ax.figure
            _drawing.fit_axes(ax, width, height)
        shades = {"parameters": "#EEF3F8", "feedbacks": "#DCE8F2", "design": "#C5D9EA",
                  "intent": "#A9C6E0"}
        for p, lines, box, bottom in zip(points(), wrapped, boxes, bottoms, strict=True):
            middle = bottom + 0.15 + box / 2
            ax.add_patch(matplotlib.patches.FancyBboxPatch(
                (7.5, bottom + 0.15), 46.0, box, boxstyle="round,pad=0,rounding_size=0.4",
                facecolor=shades[p.realm], edgecolor="none"))
            ax.text(8.3, middle, f"{p.number}", ha="left", va="center", fontweight="bold",
                    color=style.PALETTE["text"])
            ax.text(10.3, middle, p.name, ha="left", va="center", color=style.PALETTE["text"])
            ax.text(25.5, middle, "\n".join(lines), ha="left", va="center",
                    fontsize=theme.font_size * small, color=style.PALETTE["link"],
                    linespacing=_drawing.LINE, gid=f"summary:{p.number}")
            if p.number in marked:
                ax.text(6.3, middle, str(p.number), ha="center", va="center",
                        fontweight="bold", color=style.PALETTE["text"], gid="badge",
                        bbox={"boxstyle": "circle,pad=0.25", "facecolor": BADGE,
                              "edgecolor": style.PALETTE["text"], "linewidth": 0.8})
        for realm, (low, high) in {"parameters": (0, 3), "feedbacks": (3, 6),
                                   "design": (6, 9), "intent": (9, 12)}.items():
            top = bottoms[high - 1] + 0.15 + boxes[high - 1]
            ax.plot([4.7, 4.7], [bottoms[low] + 0.2, top - 0.05],
                    color=style.PALETTE["link"], linewidth=1.0)
            ax.text(4.0, (bottoms[low] + top) / 2, realm, rotation=90, ha="center",
                    va="center", fontsize=theme.font_size * 0.8, color=style.PALETTE["link"])
        ax.text(width / 2, height - 1.0, "Places to intervene in a system (after Meadows)",
                ha="center", va="center", fontsize=theme.title_size, gid="title",
                color=style.PALETTE["text"])
        top = bottoms[-1] + boxes[-1]
        ax.annotate("", xy=(2.0, top), xytext=(2.0, 1.0),
                    arrowprops={"arrowstyle": "-|>", "color": style.PALETTE["link"]})
        ax.text(2.0, 0.3, "easier", ha="center", va="center",
                fontsize=theme.font_size * 0.7, color=style.PALETTE["link"])
        ax.text(2.0, top + 0.8, "deeper", ha="center", va="center",
                fontsize=theme.font_size * 0.7, color=style.PALETTE["link"])
    return figure

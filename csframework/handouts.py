"""Printable handouts: one A4 PDF per session, for the retreat week and for people off-screen.

A handout has the session's card (title, month, facets, tools and minute plan) and its key
points on the first page, then one blank template for each of its thinking tools: the
iceberg, the ladder of inference, creative tension, a connection circle, a
behaviour-over-time grid and a causal loop worksheet. Everything comes from
:mod:`csframework.curriculum` (the key points are the same ones the notebook ends with), and
the pages are drawn with matplotlib, so no other dependency is needed.

The files are deterministic: the same session always gives the same bytes (no creation
date; fixed metadata). Each is written atomically.

Examples
--------
>>> import tempfile
>>> from csframework import curriculum, handouts
>>> handouts.templates_for(curriculum.session(6))
('iceberg', 'behaviour-over-time grid')
>>> written = handouts.write_handouts(tempfile.mkdtemp(), sessions=[6])
>>> [p.name for p in written]
['06-the-iceberg.pdf']
>>> written[0].read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from csframework import curriculum
from csframework._atomic import write_atomic
from csframework.errors import CSFrameworkError

__all__ = ["A4", "TEMPLATES", "HandoutError", "handout_bytes", "templates_for",
           "write_handouts"]

#: The page size, in inches (ISO A4, 210 x 297 mm).
A4 = (8.27, 11.69)

#: The blank templates a handout can carry, in the order they are printed.
TEMPLATES = ("iceberg", "ladder of inference", "creative tension", "connection circle",
             "behaviour-over-time grid", "causal loop worksheet")

# session tool -> the templates that practise it
_TOOL_TEMPLATES = {
    "iceberg": ("iceberg",),
    "ladder of inference": ("ladder of inference",),
    "creative tension": ("creative tension",),
    "connection circle": ("connection circle",),
    "behaviour-over-time graph": ("behaviour-over-time grid",),
    "simulation": ("behaviour-over-time grid",),
    "causal loop diagram": ("causal loop worksheet",),
    "archetypes": ("causal loop worksheet",),
    "leverage points": ("causal loop worksheet",),
    "mandala": ("behaviour-over-time grid",),
}

_METADATA = {"Title": None, "Author": "csframework", "Creator": "csframework handouts",
             "Producer": "csframework", "CreationDate": None}
_INK = "#1A1A1A"
_MUTED = "#666666"
_RULE = "#BBBBBB"


class HandoutError(CSFrameworkError, OSError):
    """A handout could not be written (an ``OSError``)."""


def templates_for(session: curriculum.Session) -> tuple[str, ...]:
    """The blank templates of `session`'s thinking tools, in :data:`TEMPLATES` order.

    Examples
    --------
    >>> from csframework import curriculum
    >>> templates_for(curriculum.session(4))
    ('ladder of inference', 'causal loop worksheet')
    """
    wanted = {t for tool in session.tools for t in _TOOL_TEMPLATES.get(tool, ())}
    return tuple(t for t in TEMPLATES if t in wanted)


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks taken out, for print."""
    return re.sub(r"\*\*|\*|`", "", markdown)


# -- drawing helpers --------------------------------------------------------------------------

def _page(title: str, subtitle: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 210)
    ax.set_ylim(0, 297)
    ax.axis("off")
    ax.text(15, 282, title, fontsize=17, fontweight="bold", color=_INK, va="top")
    _wrapped(ax, 15, 273, subtitle, 105, size=9.5, step=4.5, color=_MUTED)
    ax.text(105, 8, "csframework · Compassionate Systems Master Practitioners",
            fontsize=7, color=_MUTED, ha="center")
    return fig, ax


def _lines(ax: Any, x0: float, x1: float, y_top: float, y_bottom: float,
           gap: float = 8.0) -> None:
    y = y_top
    while y >= y_bottom:
        ax.plot([x0, x1], [y, y], color=_RULE, linewidth=0.5)
        y -= gap


def _wrapped(ax: Any, x: float, y: float, text: str, width: int, size: float = 10,
             step: float = 5.0, **style: Any) -> float:
    """Write wrapped text from (x, y) downwards; return the y below it."""
    colour = style.pop("color", _INK)
    for line in textwrap.wrap(text, width) or [""]:
        ax.text(x, y, line, fontsize=size, va="top", color=colour, **style)
        y -= step
    return y


# -- the card page ---------------------------------------------------------------------------

def _card_page(s: curriculum.Session) -> Any:
    from csframework.style import PALETTE

    when = s.month or "any time, before session 1"
    fig, ax = _page(s.title, f"{s.label} · {when} · mandala domain: {s.domain}")
    x = 15.0
    for facet in s.facets:
        width = 4 + 2.1 * len(facet)
        ax.add_patch(_rounded(x, 259, width, 6.5, PALETTE[facet]))
        ax.text(x + width / 2, 262.2, facet, fontsize=9, color="white", ha="center",
                va="center")
        x += width + 3
    y = _wrapped(ax, 15, 251, "Tools: " + ", ".join(s.tools), 95, size=10)
    y -= 3
    span = (f"{s.days} days of {s.day_length} working minutes" if s.days > 1
            else f"{s.length} minutes")
    ax.text(15, y, f"Minute plan ({span})", fontsize=12, fontweight="bold", va="top")
    y -= 7
    rows = [(f"day {item.day}" if s.days > 1 else f"{start // 60}:{start % 60:02d}",
             item.section, f"{item.minutes} min") for item, start, _ in s.schedule()]
    rows += [("take-home", name, "") for name in s.take_home_sections]
    for when_, section, minutes in rows:
        style = {"style": "italic"} if when_ == "take-home" else {}
        ax.text(15, y, when_, fontsize=9, color=_MUTED, va="top")
        ax.text(36, y, textwrap.shorten(section, 82, placeholder="..."), fontsize=9,
                va="top", **style)
        ax.text(195, y, minutes, fontsize=9, ha="right", va="top")
        y -= 5
    y -= 4
    ax.text(15, y, "Key points", fontsize=12, fontweight="bold", va="top")
    y -= 7
    for point in s.key_points:
        ax.text(17, y, "•", fontsize=10, va="top")
        y = _wrapped(ax, 22, y, _plain(point), 92, size=10) - 2
    y -= 2
    ax.text(15, y, "Take-home: " + s.take_home, fontsize=9.5, color=_MUTED, va="top")
    return fig


def _rounded(x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=2.5",
                          facecolor=colour, edgecolor="none")


# -- the templates ---------------------------------------------------------------------------

def _iceberg(s: curriculum.Session) -> Any:
    from matplotlib.patches import Polygon

    from csframework.iceberg import levels
    from csframework.style import PALETTE

    fig, ax = _page("Iceberg", "From what happened to what keeps it happening. "
                    "Mark each note as evidence or hypothesis.")
    ax.add_patch(Polygon([(88, 262), (122, 262), (190, 25), (20, 25)], closed=True,
                         facecolor=PALETTE["water"], edgecolor=PALETTE["structures"],
                         linewidth=1))
    ax.plot([10, 200], [215, 215], color=PALETTE["balancing"], linewidth=1.2,
            linestyle=(0, (6, 3)))
    ax.text(198, 217, "waterline", fontsize=8, color=PALETTE["balancing"], ha="right")
    bands = [(262, 215), (215, 160), (160, 95), (95, 25)]
    for level, (top, bottom) in zip(levels("diagnostic"), bands, strict=True):
        colour = PALETTE.get(level.name, PALETTE["events"])
        ax.text(15, top - 3, f"{level.title} ({level.response})", fontsize=11,
                fontweight="bold", color=colour, va="top")
        _wrapped(ax, 15, top - 9, level.question, 90, size=9, color=_MUTED)
        _lines(ax, 40, 170, top - 20, bottom + 4, gap=9)
    return fig


def _ladder(s: curriculum.Session) -> Any:
    from csframework.ladder import rungs

    fig, ax = _page("Ladder of inference", "Start at the top with what you did, then walk "
                    "down: where did you leave the data behind?")
    for rail in (20, 40):
        ax.plot([rail, rail], [25, 262], color=_INK, linewidth=1.4)
    for rung in rungs():
        y = 30 + rung.step * 33
        ax.plot([20, 40], [y, y], color=_INK, linewidth=1.4)
        ax.text(46, y + 25, rung.title, fontsize=11, fontweight="bold", va="top")
        ax.text(46, y + 20, rung.question, fontsize=8.5, color=_MUTED, va="top")
        _lines(ax, 46, 195, y + 11, y + 2, gap=8)
    return fig


def _tension(s: curriculum.Session) -> Any:
    from csframework.style import PALETTE

    fig, ax = _page("Creative tension", "Hold the vision and an honest picture of today; "
                    "the gap between them is a source of energy.")
    boxes = [("Vision: what I truly want to create, as if it were here", 212, 260,
              PALETTE["balancing"]),
             ("Current reality: where things stand, honestly and kindly", 70, 118,
              PALETTE["reinforcing"])]
    for label, bottom, top, colour in boxes:
        ax.add_patch(_frame(15, bottom, 180, top - bottom, colour))
        ax.text(18, top - 3, label, fontsize=10, fontweight="bold", color=colour, va="top")
        _lines(ax, 18, 192, top - 12, bottom + 4, gap=8)
    ax.annotate("", xy=(105, 208), xytext=(105, 122),
                arrowprops={"arrowstyle": "<->", "color": _MUTED, "linewidth": 1.2})
    ax.text(109, 170, "the gap: creative tension", fontsize=10, color=_MUTED, va="center")
    ax.text(109, 162, "What would move reality up, rather than the vision down?",
            fontsize=8.5, color=_MUTED, va="center")
    ax.text(15, 62, "First actions", fontsize=10, fontweight="bold", va="top")
    _lines(ax, 15, 195, 54, 20, gap=8)
    return fig


def _frame(x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor="none", edgecolor=colour, linewidth=1.2)


def _circle(s: curriculum.Session) -> Any:
    import math

    from matplotlib.patches import Circle

    fig, ax = _page("Connection circle", "Write 5 to 10 things that can rise or fall around "
                    "the circle; draw an arrow where one directly changes another, "
                    "marked + or -.")
    ax.add_patch(Circle((105, 150), 70, facecolor="none", edgecolor=_INK, linewidth=1))
    for k in range(10):
        angle = math.pi / 2 - 2 * math.pi * k / 10
        x, y = 105 + 70 * math.cos(angle), 150 + 70 * math.sin(angle)
        ax.plot([x], [y], marker="o", markersize=4, color=_INK)
        lx, ly = 105 + 84 * math.cos(angle), 150 + 84 * math.sin(angle)
        ax.plot([lx - 14, lx + 14], [ly - 2, ly - 2], color=_RULE, linewidth=0.6)
    ax.text(105, 150, "The story:", fontsize=9, color=_MUTED, ha="center", va="center")
    ax.text(15, 50, "Loops I can find (trace each closed path; count its - links):",
            fontsize=10, va="top")
    _lines(ax, 15, 195, 42, 18, gap=8)
    return fig


def _botg(s: curriculum.Session) -> Any:
    fig, ax = _page("Behaviour over time", "One quantity that can rise or fall, against time. "
                    "Sketch what you expect, then what happened.")
    ax.text(15, 262, "What I am tracking (and its units):", fontsize=10, va="top")
    ax.plot([80, 195], [257, 257], color=_RULE, linewidth=0.6)
    x0, x1, y0, y1 = 28, 195, 110, 245
    for i in range(0, 13):
        x = x0 + (x1 - x0) * i / 12
        ax.plot([x, x], [y0, y1], color="#DDDDDD", linewidth=0.5)
    for j in range(0, 11):
        y = y0 + (y1 - y0) * j / 10
        ax.plot([x0, x1], [y, y], color="#DDDDDD", linewidth=0.5)
    ax.annotate("", xy=(x1 + 4, y0), xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": _INK, "linewidth": 1.2})
    ax.annotate("", xy=(x0, y1 + 4), xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": _INK, "linewidth": 1.2})
    ax.text(x1, y0 - 5, "time", fontsize=9, ha="right", va="top")
    ax.text(x0 - 3, y1, "more", fontsize=8, ha="right", va="top", color=_MUTED)
    ax.text(x0 - 3, y0, "less", fontsize=8, ha="right", va="bottom", color=_MUTED)
    ax.text(15, 96, "The shape I see (growth, decline, goal seeking, S-shape, oscillation, "
            "better before worse ...):", fontsize=9.5, va="top")
    _lines(ax, 15, 195, 86, 66, gap=8)
    ax.text(15, 58, "Which loop or limit could produce this shape?", fontsize=9.5, va="top")
    _lines(ax, 15, 195, 50, 20, gap=8)
    return fig


def _cld(s: curriculum.Session) -> Any:
    fig, ax = _page("Causal loop worksheet", "One link per line: cause, effect, sign "
                    "(+ same direction, - opposite), and whether it takes time.")
    headers = [(15, "cause"), (75, "effect"), (140, "sign + / -"), (168, "delay?")]
    y = 258
    for x, label in headers:
        ax.text(x, y, label, fontsize=10, fontweight="bold", va="top")
    for row in range(12):
        yy = y - 12 - row * 9
        ax.plot([15, 195], [yy, yy], color=_RULE, linewidth=0.5)
        ax.text(68, yy + 1.5, "→", fontsize=10, color=_MUTED)
    ax.text(15, 140, "Draw the diagram here, then name each loop "
            "(even number of - links: reinforcing R; odd: balancing B).", fontsize=9.5,
            va="top")
    ax.add_patch(_frame(15, 62, 180, 72, _RULE))
    ax.text(15, 55, "Loop names and their stories:", fontsize=10, va="top")
    _lines(ax, 15, 195, 47, 20, gap=8)
    return fig


_DRAW: dict[str, Callable[[curriculum.Session], Any]] = {
    "iceberg": _iceberg, "ladder of inference": _ladder, "creative tension": _tension,
    "connection circle": _circle, "behaviour-over-time grid": _botg,
    "causal loop worksheet": _cld,
}


# -- writing -----------------------------------------------------------------------------------

def handout_bytes(session: int | str | curriculum.Session) -> bytes:
    """The PDF of one session's handout, as bytes (the same bytes every time).

    Examples
    --------
    >>> pdf = handout_bytes(7)
    >>> pdf[:5], b"CreationDate" in pdf
    (b'%PDF-', False)
    """
    from matplotlib.backends.backend_pdf import PdfPages

    s = session if isinstance(session, curriculum.Session) else curriculum.session(session)
    buffer = io.BytesIO()
    metadata = dict(_METADATA, Title=f"{s.label}: {s.title}")
    # CreationDate None leaves the date out, so the bytes never depend on the clock
    with PdfPages(buffer, metadata=metadata) as pdf:
        for draw in (_card_page, *(_DRAW[t] for t in templates_for(s))):
            fig = draw(s)
            if draw is not _card_page:
                fig.axes[0].text(195, 291, f"{s.label} · {s.title}", fontsize=8,
                                 color=_MUTED, ha="right", va="top")
            pdf.savefig(fig)
    return buffer.getvalue()


def write_handouts(output: str | os.PathLike[str],
                   sessions: Iterable[int | str] | None = None) -> tuple[Path, ...]:
    """Write one PDF handout per session into the folder `output`.

    Parameters
    ----------
    output : str or path-like
        The folder (created if needed). Files are named after the notebooks,
        e.g. ``07-feedback-loops-and-delays.pdf``, and replaced atomically.
    sessions : iterable of int or str, optional
        The sessions to write; by default all of them, 0 (start here) to 14.

    Returns
    -------
    tuple of pathlib.Path
        The files written, in session order.

    Raises
    ------
    UnknownSessionError
        For a session that is not 0 to 14.
    HandoutError
        If the folder cannot be created or written.
    """
    chosen: Sequence[curriculum.Session]
    if sessions is None:
        chosen = curriculum.sessions(include_start=True)
    else:
        chosen = sorted({curriculum.session(n) for n in sessions}, key=lambda s: s.number)
    folder = Path(output).expanduser()
    if folder.exists() and not folder.is_dir():
        raise HandoutError(f"cannot write handouts into {folder}: it is a file, not a folder; "
                           "give a folder (it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return tuple(write_atomic(folder / f"{s.slug}.pdf", handout_bytes(s)) for s in chosen)
    except OSError as err:
        raise HandoutError(f"cannot write handouts into {folder}: "
                           f"{err.strerror or err}") from None

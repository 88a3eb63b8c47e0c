"""Figure helpers shared by every picture csframework draws, and the JSON envelope check.

Figures first, then a helper for JSON envelopes (text helpers live in `csframework._text`).

The tools lay their pictures out in *em*: one unit is the current theme's font
size, so the same layout is drawn larger, and stays readable, under the
presentation theme. Figures are built directly on an Agg canvas, never through
pyplot, so a notebook neither leaks figures nor shows one twice. matplotlib is
imported inside the functions, so that ``import csframework`` stays fast.

Examples
--------
>>> from csframework import _drawing
>>> fig, ax = _drawing.canvas(20, 10)
>>> [float(v) for v in ax.get_xlim() + ax.get_ylim()]
[0.0, 20.0, 0.0, 10.0]
>>> _drawing.figure_to_png(fig)[:4]
b'\\x89PNG'
>>> _drawing.wrap("a rather long sentence to be wrapped", 8)
['a rather long', 'sentence to be', 'wrapped']
"""

from __future__ import annotations

import io
import json
import textwrap
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._text import tidy
from csframework.errors import FormatError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CHAR_WIDTH", "LINE", "canvas", "figure_to_png", "figure_to_svg",
           "fit_axes", "load_json", "paint", "render", "wrap"]

#: Average width of a character, in em of its own font size (DejaVu Sans, generous).
CHAR_WIDTH = 0.56
#: Height of one line of text, in em of its own font size.
LINE = 1.3


def wrap(text: str, width_em: float, size: float = 1.0) -> list[str]:
    """Break `text` into lines that fit `width_em` at `size` times the theme's font size.

    Words longer than a line are broken; an empty text gives one empty line.
    """
    chars = max(4, int(width_em / (CHAR_WIDTH * size)))
    return textwrap.wrap(tidy(text), chars, break_on_hyphens=False) or [""]


def canvas(width_em: float, height_em: float) -> tuple[Figure, Axes]:
    """A new figure (Agg canvas, no pyplot) whose one axes is measured in em.

    The axes fill the figure and run from 0 to `width_em` across and from 0
    (bottom) to `height_em` up, with equal aspect; their frame is hidden.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    theme = style.current()
    em = theme.font_size / 72.0
    figure = Figure(figsize=(width_em * em, height_em * em), dpi=theme.dpi, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    fit_axes(ax, width_em, height_em)
    return figure, ax


def paint(scene_type: Any, subject: Any, ax: Axes | None = None) -> Figure:
    """Lay `subject` out with `scene_type` under the current theme and paint it.

    A scene takes ``(subject, theme)`` and has ``width``, ``height`` (in em) and
    ``paint(ax)``. Without `ax` a new figure of the scene's size is made.
    Returns the figure.
    """
    import matplotlib

    theme = style.current()
    with matplotlib.rc_context(theme.rc()):
        scene = scene_type(subject, theme)
        if ax is None:
            _, ax = canvas(scene.width, scene.height)
        else:
            fit_axes(ax, scene.width, scene.height)
        scene.paint(ax)
    return ax.figure


def fit_axes(ax: Axes, width_em: float, height_em: float) -> None:
    """Prepare given axes for an em layout of the given size (limits, aspect, no frame)."""
    ax.set_xlim(0.0, width_em)
    ax.set_ylim(0.0, height_em)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()


def figure_to_png(figure: Figure, *, clear: bool = True, **savefig: Any) -> bytes:
    """PNG bytes of `figure`, the same bytes every time (no timestamp, no software tag)."""
    return render(figure, "png", clear=clear, **savefig)


def figure_to_svg(figure: Figure, *, clear: bool = True, **savefig: Any) -> str:
    """SVG text of `figure`, the same text every time (no date, fixed ids, text as paths)."""
    return render(figure, "svg", clear=clear, **savefig).decode("utf-8")


def render(figure: Figure, fmt: str, *, clear: bool = True, **savefig: Any) -> bytes:
    """`figure` as PNG or SVG bytes, identical for an identical figure.

    The one place every csframework picture is turned into a file: the theme's
    rcParams and dpi, a white background, no timestamp or software tag, and for
    SVG a fixed ``svg.hashsalt`` and ``svg.id`` so that clip-path and glyph ids
    do not change between runs (strict nbval compares SVG text). Extra keyword
    arguments go to ``savefig`` (e.g. ``bbox_inches="tight"``, ``dpi``). The
    figure is cleared afterwards unless `clear` is false.

    Examples
    --------
    >>> from csframework import _drawing
    >>> fig, ax = _drawing.canvas(4, 2)
    >>> _ = ax.text(1, 1, "trust")
    >>> a = _drawing.render(fig, "svg", clear=False)
    >>> a == _drawing.render(fig, "svg") and b"<dc:date>" not in a
    True
    """
    import matplotlib

    if fmt not in ("png", "svg"):
        raise ValueError(f"cannot render a figure as {fmt!r}; expected 'png' or 'svg'")
    theme = style.current()
    options: dict[str, Any] = {"dpi": theme.dpi, "facecolor": "white"}
    options["metadata"] = {"Software": None} if fmt == "png" else {"Date": None}
    options.update(savefig)
    buffer = io.BytesIO()
    rc = {**theme.rc(), "svg.hashsalt": "csframework", "svg.id": "csframework",
          "svg.fonttype": "path"}
    try:
        with matplotlib.rc_context(rc):
            figure.savefig(buffer, format=fmt, **options)
    finally:
        if clear:
            figure.clear()
    return buffer.getvalue()


# -- JSON ---------------------------------------------------------------------------------

def load_json(text: str | bytes, *, schema: str, version: int, what: str) -> dict[str, Any]:
    """Parse JSON text and check its schema name and version; FormatError otherwise."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as err:
        raise FormatError(f"{what} is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise FormatError(f"{what} must be a JSON object, not {type(data).__name__}")
    if data.get("schema") != schema:
        raise FormatError(f"not {what}: schema is {data.get('schema')!r}, expected {schema!r}")
    found = data.get("version")
    if not isinstance(found, int) or isinstance(found, bool) or not 1 <= found <= version:
        raise FormatError(f"{what} schema version {found!r} is not supported; this "
                          f"csframework reads versions 1 to {version}")
    return data

"""Figure themes and the one colour palette used everywhere.

Two themes exist: ``"participant"`` (the default, sized for a laptop at 100 %
zoom in JupyterLab) and ``"presentation"`` (large, high contrast, for a
projector). Every csframework figure reads the current theme when it is drawn.

The palette follows Okabe and Ito's colour-blind-safe set: reinforcing loops
are always the warm vermilion, balancing loops always the cool blue. Colours
that are also used for text (facets, loop kinds, signs) are darkened just
enough to keep WCAG AA contrast (4.5:1) on white; see :func:`contrast`.

Examples
--------
>>> from csframework import style
>>> style.current().name
'participant'
>>> with style.theme("presentation"):
...     style.current().font_size > style.get("participant").font_size
True
>>> style.current().name
'participant'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

from csframework.errors import UnknownNameError

__all__ = ["PALETTE", "RUNS", "SERIES", "TEXT_ROLES", "Theme", "contrast", "current", "get",
           "names", "run_style", "theme", "use"]

#: Okabe-Ito colours, named by their role in csframework figures.
PALETTE = MappingProxyType({
    "reinforcing": "#BE5400",   # vermilion, darkened for text: warm
    "balancing": "#0072B2",     # blue: cool
    "positive": "#333333",      # '+' signs stay neutral
    "negative": "#CC3311",
    "delay": "#333333",
    "text": "#1A1A1A",
    "link": "#555555",
    "muted": "#BBBBBB",
    "self": "#B0467F",          # reddish purple, darkened for text
    "others": "#008460",        # bluish green, darkened for text
    "world": "#9C6C00",         # orange, darkened for text
    "events": "#56B4E9",
    "patterns": "#0072B2",
    "structures": "#1F4E79",
    "mental models": "#0B2545",
    "water": "#DCEEF9",
    "highlight": "#F0E442",
})

#: The roles in :data:`PALETTE` whose colour is also used to write text on white.
TEXT_ROLES = ("reinforcing", "balancing", "positive", "negative", "delay", "text", "link",
              "self", "others", "world", "patterns", "structures", "mental models")

#: Colours for an ensemble or for several series, in order.
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: Colours and dash patterns for runs shown together: each colour with its own line style,
#: so that runs stay apart in grey print and for colour-blind readers (Okabe-Ito, no yellow:
#: a yellow line is too faint on white).
RUNS = (("#0072B2", "solid"), ("#D55E00", "dashed"), ("#009E73", "dashdot"),
        ("#CC79A7", "dotted"), ("#E69F00", (0, (8, 2, 2, 2, 2, 2))), ("#56B4E9", (0, (1, 3))),
        ("#000000", (0, (10, 4))))


def run_style(i: int) -> dict[str, object]:
    """Line colour and style of the `i`-th run (from 0) of a graph showing several runs.

    The first seven runs differ in both colour and line style; later runs
    combine the colours with the other line styles, so no two of the first
    49 look alike.

    Examples
    --------
    >>> from csframework import style
    >>> style.run_style(0)
    {'color': '#0072B2', 'linestyle': 'solid'}
    >>> style.run_style(1)
    {'color': '#D55E00', 'linestyle': 'dashed'}
    >>> style.run_style(7)["linestyle"] == style.run_style(0)["linestyle"]
    False
    """
    n = len(RUNS)
    colour = RUNS[i % n][0]
    dash = RUNS[(i + i // n) % n][1]
    return {"color": colour, "linestyle": dash}


def contrast(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio between two colours given as ``#RRGGBB`` (1 to 21).

    Text needs at least 4.5 on its background to meet level AA.

    Examples
    --------
    >>> from csframework import style
    >>> style.contrast("#000000")
    21.0
    >>> style.contrast(style.PALETTE["self"]) >= 4.5
    True
    """
    lighter, darker = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return round((lighter + 0.05) / (darker + 0.05), 2)


def _luminance(colour: str) -> float:
    text = str(colour).lstrip("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"colour {colour!r} is not of the form '#RRGGBB'")

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(text[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class Theme:
    """Sizes for one audience. Colours never change between themes."""

    name: str
    font_size: float
    title_size: float
    line_width: float
    figure_width: float
    figure_height: float
    dpi: int
    node_font_size: float
    sign_font_size: float
    widget_width: str

    def __repr__(self) -> str:
        return f"<Theme {self.name!r}>"

    def rc(self) -> dict[str, object]:
        """Matplotlib rcParams for this theme (used through ``rc_context``)."""
        return {
            "font.size": self.font_size,
            "axes.titlesize": self.title_size,
            "axes.labelsize": self.font_size,
            "xtick.labelsize": self.font_size * 0.9,
            "ytick.labelsize": self.font_size * 0.9,
            "legend.fontsize": self.font_size * 0.9,
            "lines.linewidth": self.line_width,
            "figure.figsize": (self.figure_width, self.figure_height),
            "figure.dpi": self.dpi,
            "savefig.dpi": self.dpi,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": _cycler(),
            "svg.hashsalt": "csframework",
        }


def _cycler():
    from cycler import cycler

    return cycler(color=list(SERIES))


_THEMES = {
    "participant": Theme("participant", font_size=11, title_size=13, line_width=2.0,
                         figure_width=7.5, figure_height=4.5, dpi=100, node_font_size=11,
                         sign_font_size=12, widget_width="600px"),
    "presentation": Theme("presentation", font_size=18, title_size=22, line_width=3.5,
                          figure_width=12, figure_height=7, dpi=100, node_font_size=18,
                          sign_font_size=20, widget_width="1000px"),
}
_current = ["participant"]


def names() -> tuple[str, ...]:
    """The themes that exist."""
    return tuple(_THEMES)


def get(name: str) -> Theme:
    """The theme called `name`."""
    try:
        return _THEMES[name]
    except KeyError:
        raise UnknownNameError(name, _THEMES, kind="theme", where="csframework.style") from None


def current() -> Theme:
    """The theme new figures are drawn with."""
    return _THEMES[_current[0]]


def use(name: str) -> Theme:
    """Switch every later figure and widget to the theme `name`.

    Examples
    --------
    >>> from csframework import style
    >>> style.use("presentation")
    <Theme 'presentation'>
    >>> style.use("participant")
    <Theme 'participant'>
    """
    chosen = get(name)
    _current[0] = chosen.name
    return chosen


@contextlib.contextmanager
def theme(name: str) -> Iterator[Theme]:
    """Use the theme `name` inside a ``with`` block only."""
    before = _current[0]
    try:
        yield use(name)
    finally:
        _current[0] = before

"""Figure themes and the one colour palette used everywhere.

Two themes exist: ``"participant"`` (the default, sized for a laptop at 100 %
zoom in JupyterLab) and ``"presentation"`` (large, high contrast, for a
projector). Every csframework figure reads the current theme when it is drawn.

The palette follows Okabe and Ito's colour-blind-safe set: reinforcing loops
are always the warm vermilion, balancing loops always the cool blue.

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

__all__ = ["PALETTE", "Theme", "current", "get", "names", "theme", "use"]

#: Okabe-Ito colours, named by their role in csframework figures.
PALETTE = MappingProxyType({
    "reinforcing": "#D55E00",   # vermilion: warm
    "balancing": "#0072B2",     # blue: cool
    "positive": "#333333",      # '+' signs stay neutral
    "negative": "#CC3311",
    "delay": "#333333",
    "text": "#1A1A1A",
    "link": "#555555",
    "muted": "#BBBBBB",
    "self": "#CC79A7",          # reddish purple
    "others": "#009E73",        # bluish green
    "world": "#E69F00",         # orange
    "events": "#56B4E9",
    "patterns": "#0072B2",
    "structures": "#1F4E79",
    "mental models": "#0B2545",
    "water": "#DCEEF9",
    "highlight": "#F0E442",
})

#: Colours for an ensemble or for several series, in order.
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


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

"""Drawing causal loop diagrams with matplotlib.

The conventions of the field, done cleanly: variable names as plain text,
curved arrows that stop short of the names they join, the polarity sign
(+ or −) just before each arrow head, a double bar ‖ across the middle of a
delayed link, and inside every loop a small circular arrow turning the way the
loop runs, with its name (R1, B2, ...) and its story name if it has one.
Reinforcing loops are always drawn in the warm colour of
:data:`csframework.style.PALETTE`, balancing loops in the cool one.

Positions stored with a diagram (an archetype's canonical drawing, or what a
participant placed) are kept; the rest are laid out automatically, loop by
loop: stress majorization (our own, on numpy) towards distances that make
each short loop a ring, from a few starting circles, keeping the start whose
curved links cross least, then letting tangled variables swap places with near
neighbours. Graphviz is not used: it would need a system package or a
compiled binding on every participant's machine, and its overlap removal
knows nothing of loops, signs or markers. After the layout an explicit
placement step pushes names off each other and off links, bends each link the
way that crosses fewest others and no name, puts each sign where it is
nearest its own arrow head, and each loop marker where it covers nothing;
when something finds no room the drawing is spread out and placed again, and
a marker that still has no room is left out and counted in the note. Names
and loop stories longer than a few dozen characters are shortened in the
drawing only. Diagrams of more than :data:`OVERVIEW_ABOVE` variables are
drawn as an overview (no loop markers unless asked for, coarser placement,
smaller names), and the note says so. :mod:`csframework.cld.legibility`
measures the result on the rendered figure.

This module is the entry point; the work is done below it, each part importing
only the ones before: :mod:`~csframework.cld.geometry` (text sizes, curves,
routing, free room), :mod:`~csframework.cld.layout` (the placement engine,
:func:`layout`), :mod:`~csframework.cld.scene` (everything placed, in data
units) and :mod:`~csframework.cld.artists` (the matplotlib figure).

Everything is deterministic: the same diagram gives the same positions (and
the same PNG bytes), whatever order its links were added in. matplotlib is
imported only when something is drawn, and never through pyplot, so drawing
in a notebook neither leaks global figures nor shows a figure twice.

Every artist carries a ``gid`` naming what it shows, for tests and for tools
that describe a figure: ``"label:trust"``, ``"link:trust->participation"``,
``"sign:trust->participation"``, ``"delay:trust->participation"``,
``"loop-marker:R1"``, ``"loop-label:R1"``, ``"loop-story:R1"``, ``"title"``,
``"legend:facets"``, ``"loops-note"``.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> from csframework.cld.draw import draw, layout, to_png
>>> cld = CausalLoopDiagram.from_text("trust -> sharing : +\\nsharing -> trust : + delay")
>>> sorted(layout(cld))
['sharing', 'trust']
>>> to_png(cld)[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework.cld.artists import fit_into, new_axes, paint, shrink_to_fit
from csframework.cld.geometry import (
    LINK_BEND,
    MAX_NAME_CHARS,
    MAX_STORY_CHARS,
    MAX_TITLE_CHARS,
    OVERVIEW_ABOVE,
    PAIR_BEND,
    WRAP_WIDTH,
)
from csframework.cld.layout import layout, store_positions
from csframework.cld.scene import MAX_LOOP_MARKERS, Scene, scaled_theme

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld.diagram import CausalLoopDiagram
    from csframework.cld.loops import Loop

__all__ = ["LINK_BEND", "MAX_LOOP_MARKERS", "MAX_NAME_CHARS", "MAX_OVERVIEW_INCHES",
           "MAX_STORY_CHARS", "MAX_TITLE_CHARS", "OVERVIEW_ABOVE", "PAIR_BEND", "WRAP_WIDTH",
           "draw", "layout", "store_positions", "to_png", "to_svg"]

#: An overview's own figure is at most about this wide (inches); its names get smaller.
MAX_OVERVIEW_INCHES = 24.0


def draw(cld: CausalLoopDiagram, ax: Axes | None = None, highlight: str | Loop | None = None,
         layout: Mapping[str, tuple[float, float]] | None = None, seed: int = 0,
         show_loops: bool | int = True, title: str | None = None) -> Figure:
    """Draw a causal loop diagram with matplotlib.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to draw.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (shrunk to fit them if need be). Without them a
        new figure is made (not through pyplot, so nothing is shown twice in a
        notebook), sized so that names are drawn at the theme's font size.
    highlight : str or Loop, optional
        A loop's name (``"R1"``), its story name, or the loop itself: its links
        are drawn thick in the loop's colour and everything else is muted.
    layout : mapping of str to (float, float), optional
        Positions of some or all variables (x to the right, y up, any units),
        e.g. from :func:`layout` adjusted by hand; they win over positions
        stored with the diagram, and the variables given no position are
        placed around them by :func:`layout`.
    seed : int, default 0
        Passed to :func:`layout` when no positions are given.
    show_loops : bool or int, default True
        Whether to mark the loops; a number marks at most that many (shortest
        first). True marks at most 16 (none in an overview of more than
        :data:`OVERVIEW_ABOVE` variables); a note counts the loops left
        unmarked, also those whose marker found no free room.
    title : str, optional
        Shown above the diagram; by default the diagram's own title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when `ax` is given).

    Raises
    ------
    UnknownNameError
        If `highlight` names no loop of the diagram, or `layout` names no variable.
    DiagramError
        If `layout` gives a position that is not two finite numbers.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -", title="Tiny")
    >>> fig = draw(cld, highlight="B1")
    >>> type(fig).__name__
    'Figure'
    >>> sorted(a.get_gid() for a in fig.axes[0].patches if a.get_gid().startswith("link"))
    ['link:a->b', 'link:b->a']
    """
    import matplotlib

    theme = style.current()
    with matplotlib.rc_context(theme.rc()):
        scene = Scene.build(cld, theme, highlight, layout, seed, show_loops, title)
        layout = {name: tuple(point) for name, point in scene.positions.items()}  # placed once
        if ax is None and scene.overview:
            width = scene.natural_width()
            if width > MAX_OVERVIEW_INCHES:  # smaller names, as a zoomed-out map shows them
                smaller = scaled_theme(theme, max(MAX_OVERVIEW_INCHES / width, 0.45))
                scene = Scene.build(cld, smaller, highlight, layout, seed, show_loops, title)
        if ax is None:
            ax = new_axes(scene)
        else:
            shrink = shrink_to_fit(scene, ax)
            if shrink < 0.98:  # the same drawing, smaller, as a picture would shrink
                scene = Scene.build(cld, scaled_theme(theme, shrink), highlight, layout, seed,
                                    show_loops, title)
            fit_into(scene, ax)
        paint(scene, ax)
    return ax.figure


def to_png(cld: CausalLoopDiagram, **draw_kwargs: Any) -> bytes:
    """Render the diagram to PNG bytes with the Agg backend.

    The bytes are the same every time for the same diagram and theme: the PNG
    carries no timestamp or software version.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to render.
    **draw_kwargs
        Passed to :func:`draw` (``highlight``, ``layout``, ``seed``,
        ``show_loops``, ``title``).

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> png = to_png(CausalLoopDiagram.from_text("a -> b : +"))
    >>> png.startswith(b"\\x89PNG") and png == to_png(CausalLoopDiagram.from_text("a -> b : +"))
    True
    """
    from csframework._drawing import figure_to_png

    return figure_to_png(_own_figure(cld, "to_png", draw_kwargs))


def to_svg(cld: CausalLoopDiagram, **draw_kwargs: Any) -> str:
    """Render the diagram to SVG text, the same text every time (see :func:`to_png`).

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> svg = to_svg(CausalLoopDiagram.from_text("a -> b : +"))
    >>> svg.startswith("<?xml") and svg == to_svg(CausalLoopDiagram.from_text("a -> b : +"))
    True
    """
    from csframework._drawing import figure_to_svg

    return figure_to_svg(_own_figure(cld, "to_svg", draw_kwargs))


def _own_figure(cld: CausalLoopDiagram, caller: str, draw_kwargs: dict[str, Any]) -> Figure:
    if draw_kwargs.get("ax") is not None:
        raise TypeError(f"{caller}() draws its own figure; call draw(cld, ax=...) to use axes")
    draw_kwargs.pop("ax", None)
    return draw(cld, **draw_kwargs)

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

import itertools
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework import style
from csframework.errors import DiagramError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld.diagram import CausalLoopDiagram, Link
    from csframework.cld.loops import Loop

__all__ = ["draw", "layout", "to_png", "to_svg"]

#: Variable names longer than this many characters are wrapped onto more lines.
WRAP_WIDTH = 14
#: Diagrams with more variables are drawn as an overview: placed, linked and signed, but
#: with no loop markers unless asked for, and coarser name placement (a note says so).
OVERVIEW_ABOVE = 150
#: An overview's own figure is at most about this wide (inches); its names get smaller.
MAX_OVERVIEW_INCHES = 24.0
#: Names longer than this many characters are shortened in the drawing (with an ellipsis).
MAX_NAME_CHARS = 48
#: Loop story names and titles are shortened beyond these lengths.
MAX_STORY_CHARS = 48
MAX_TITLE_CHARS = 100
#: Arc3 curvature of a link (fraction of its length); a pair a->b, b->a bends more.
LINK_BEND = 0.22
PAIR_BEND = 0.42
#: Loop markers drawn unless ``show_loops`` asks for another number; a note counts the rest.
MAX_LOOP_MARKERS = 16

# Distances in points (1/72 inch), multiplied by the theme's node font size / 11.
_LABEL_PAD = 3.0        # white background around a name
_ARROW_GAP = 4.0        # between a name's background and an arrow's end
_LABEL_SPACING = 6.0    # least gap between two names in the layout
_ARROW_ROOM = 52.0      # least gap between two linked names, room for a readable arrow
_HEAD_LENGTH = 9.0
_HEAD_WIDTH = 3.6
_SIGN_BACK = 5.0        # how far before the arrow tip the sign sits (beyond the head)
_SIGN_OFFSET = 8.0      # how far to the side of the curve
_DELAY_HALF = 6.5       # half the length of one delay bar
_DELAY_SPACING = 2.4    # half the gap between the two delay bars
_MARKER_RADIUS = 14.0
_SPREAD_ATTEMPTS = 4    # times a crowded drawing is spread out and placed again
_SPREAD_FACTOR = 1.25
_LINE_SPACING = 1.1


# -- public ------------------------------------------------------------------------------

def layout(cld: CausalLoopDiagram, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Place every variable so that loops look like loops and no names overlap.

    Positions stored with the diagram are kept; the other variables are placed
    around them. A single loop is drawn as a circle, running clockwise from the
    top. Larger diagrams are laid out loop by loop: every short loop is asked to
    form a ring, variables shared by two loops sit between their rings, and the
    whole is relaxed by stress majorization (distances along the links) from a
    circle along the longest loop; of a few such starts the one with the fewest
    crossing links wins. Then names are pushed apart until no two overlap and
    no link passes through a name. Positions are centred on the origin and
    scaled so that the larger of width and height spans ``[-1, 1]``.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to place.
    seed : int, default 0
        Another seed gives another (equally valid) arrangement.

    Returns
    -------
    dict of str to (float, float)
        Position of every variable, in the order the variables were added. The
        same diagram always gets the same positions, whatever the order in
        which its links were added.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -")
    >>> layout(cld)
    {'a': (-1.0, 0.0), 'b': (1.0, 0.0)}
    """
    return _place(cld, seed, _given_positions(cld))


def store_positions(cld: CausalLoopDiagram, positions: Mapping[str, tuple[float, float]]
                    ) -> None:
    """Keep `positions` with the diagram (:meth:`CausalLoopDiagram.place`), for :func:`draw`."""
    for name, (x, y) in positions.items():
        cld.place(name, x, y)


def _given_positions(cld: CausalLoopDiagram) -> dict[str, tuple[float, float]]:
    """Positions stored with the diagram (possibly for some variables only)."""
    stored = cld.positions
    if not stored:
        return {}
    known = {v.name for v in cld.variables}
    return {name: (float(x), float(y)) for name, (x, y) in stored.items() if name in known}


def _place(cld: CausalLoopDiagram, seed: int,
           fixed: Mapping[str, tuple[float, float]] | None = None
           ) -> dict[str, tuple[float, float]]:
    names = sorted(v.name for v in cld.variables)
    edges = sorted((link.cause, link.effect) for link in cld.links)
    fixed = dict(fixed or {})
    theme = style.current()
    if len(names) <= 1:
        return {name: fixed.get(name, (0.0, 0.0)) for name in names}
    if len(fixed) == len(names):  # the diagram's own drawing: keep it as it is
        points = _normalise({n: np.asarray(fixed[n], dtype=float) for n in names})
        ordered = {v.name: points[names.index(v.name)] for v in cld.variables}
        return {name: (_tidy(x), _tidy(y)) for name, (x, y) in ordered.items()}
    loops = _layout_loops(cld)
    longest = max((tuple(lp.variables) for lp in loops), key=len, default=())
    ring = _ring_order(names, edges, longest)
    if not fixed and (len(names) == 2 or _is_single_loop(ring, edges)):
        points = _normalise(_circle(ring))
    else:
        positions = _loop_layout(names, edges, loops, ring, fixed, seed)
        if not fixed:
            positions = _canonical_orientation(positions, ring[0])
        points = _normalise(positions)
    pinned = np.array([n in fixed for n in names])
    display = {v.name: v.display for v in cld.variables}
    sizes = _label_half_sizes({n: _wrap(_shorten(display[n])) for n in names}, theme)
    ppu = _points_per_unit(len(names), theme, extent=2.0)
    half = np.array([sizes[n] for n in names]) / ppu
    points = _spread(names, edges, points, half, _loop_refs(loops), ppu, theme, pinned=pinned)
    ordered = {v.name: points[names.index(v.name)] for v in cld.variables}
    return {name: (_tidy(x), _tidy(y)) for name, (x, y) in ordered.items()}


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
        scene = _Scene.build(cld, theme, highlight, layout, seed, show_loops, title)
        layout = {name: tuple(point) for name, point in scene.positions.items()}  # placed once
        if ax is None and scene.overview:
            width = scene.natural_width()
            if width > MAX_OVERVIEW_INCHES:  # smaller names, as a zoomed-out map shows them
                scene = _Scene.build(cld, _scaled(theme, max(MAX_OVERVIEW_INCHES / width, 0.45)),
                                     highlight, layout, seed, show_loops, title)
        if ax is None:
            ax = scene.new_axes()
        else:
            shrink = scene.shrink_to_fit(ax)
            if shrink < 0.98:  # the same drawing, smaller, as a picture would shrink
                scene = _Scene.build(cld, _scaled(theme, shrink), highlight, layout, seed,
                                     show_loops, title)
            scene.fit_into(ax)
        scene.paint(ax)
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


# -- layout ------------------------------------------------------------------------------

#: Loops the layout shapes as rings (shortest first) and refers to for bending links.
_LAYOUT_LOOPS = 400
#: Up to this many variables, several starts are laid out and the fewest crossings wins.
_MULTI_START = 40
#: How many of those starts are random (seeded) rather than circles along loops.
_RANDOM_STARTS = 3


def _layout_loops(cld: CausalLoopDiagram) -> list[Loop]:
    """The loops the layout pays attention to: the shortest few hundred."""
    return list(cld.loops()[:_LAYOUT_LOOPS])


def _ring_order(names: Sequence[str], edges: Sequence[tuple[str, str]],
                loop: Sequence[str]) -> list[str]:
    """All names around a circle: the longest loop first, each other name beside a neighbour."""
    neighbours: dict[str, list[str]] = {n: [] for n in names}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    ring = list(loop) if loop else [names[0]]
    placed = set(ring)
    while len(placed) < len(names):
        added = False
        for name in names:
            if name in placed:
                continue
            anchor = next((m for m in sorted(neighbours[name]) if m in placed), None)
            if anchor is not None:
                ring.insert(ring.index(anchor) + 1, name)
                placed.add(name)
                added = True
        if not added:  # another component: start it from its first name
            first = next(n for n in names if n not in placed)
            ring.append(first)
            placed.add(first)
    return ring


def _is_single_loop(ring: Sequence[str], edges: Sequence[tuple[str, str]]) -> bool:
    """Whether every link joins neighbours on the ring (so a circle shows it best)."""
    n = len(ring)
    index = {name: i for i, name in enumerate(ring)}
    return all((index[b] - index[a]) % n in (1, n - 1) for a, b in edges)


def _circle(ring: Sequence[str]) -> dict[str, np.ndarray]:
    """Names on a unit circle, clockwise from the top (left to right for two)."""
    n = len(ring)
    start = math.pi if n == 2 else math.pi / 2
    return {name: np.array([math.cos(start - 2 * math.pi * i / n),
                            math.sin(start - 2 * math.pi * i / n)])
            for i, name in enumerate(ring)}


def _loop_layout(names: Sequence[str], edges: Sequence[tuple[str, str]], loops: Sequence[Loop],
                 ring: Sequence[str], fixed: Mapping[str, tuple[float, float]], seed: int
                 ) -> dict[str, np.ndarray]:
    """Stress majorization towards loop-shaped distances from a few starts (fewest crossings)."""
    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    target, weight = _target_distances(names, edges, loops, index)
    joined = [(a, b) for a, b in edges if a != b]
    pairs = np.array([(index[a], index[b]) for a, b in joined]).reshape(-1, 2)
    plan = _bend_plan(joined, names, _loop_refs(loops))
    pinned = np.zeros(n, dtype=bool)
    anchor = np.zeros((n, 2))
    if fixed:
        given = np.array([fixed[name] for name in names if name in fixed], dtype=float)
        ids = [index[name] for name in names if name in fixed]
        spread = float(np.ptp(given, axis=0).max()) if len(given) > 1 else 0.0
        wanted = float(target[np.ix_(ids, ids)].max()) if len(ids) > 1 else 1.0
        scale = wanted / spread if spread > 1e-12 else 1.0
        anchor[ids] = (given - given.mean(axis=0)) * scale
        pinned[ids] = True
    rng = np.random.default_rng(seed)
    radius = max(len(ring), 3) / (2 * math.pi)
    circle = _circle(ring)
    starts = [np.array([circle[name] for name in names]) * radius]
    if n <= _MULTI_START:
        for loop in _distinct_rings(loops, ring, 3):
            other = _circle(_ring_order(names, edges, loop))
            starts.append(np.array([other[name] for name in names]) * radius)
        starts += [rng.normal(size=(n, 2)) * radius for _ in range(_RANDOM_STARTS)]
    best, best_score = None, math.inf
    for start in starts:
        start = start + rng.normal(scale=0.05, size=start.shape)
        start[pinned] = anchor[pinned]
        points = _stress(start, target, weight, pinned, iterations=60 if n > 150 else 150)
        score = _curved_crossings(points, pairs, plan) if len(starts) > 1 else 0
        score += _stress_value(points, target, weight) * 1e-3
        if score < best_score:
            best, best_score = points, score
    if len(starts) > 1:
        best = _untangle(best, pairs, pinned, plan)
    return {name: best[i] for i, name in enumerate(names)}


#: A tangled variable may swap places with this many of its nearest neighbours.
_SWAP_NEIGHBOURS = 8


def _untangle(points: np.ndarray, pairs: np.ndarray, pinned: np.ndarray,
              plan: tuple[np.ndarray, np.ndarray], passes: int = 2) -> np.ndarray:
    """Swap the places of two variables while that makes fewer links cross.

    Only the links at the two variables are redrawn to judge a swap, so a pass
    over all pairs costs about as much as a few full crossing counts.
    """
    points = points.copy()
    if len(pairs) < 2:
        return points
    pair_flags, members = plan
    incident = [np.nonzero((pairs[:, 0] == k) | (pairs[:, 1] == k))[0]
                for k in range(len(points))]
    curves = _link_curves(points, pairs, plan)
    free = [i for i in range(len(points)) if not pinned[i]]

    def cost(moved: np.ndarray, shapes: np.ndarray) -> int:
        rest = np.setdiff1d(np.arange(len(pairs)), moved)
        between = _pair_crossings(shapes, pairs[moved], curves[rest], pairs[rest]).sum()
        within = np.triu(_pair_crossings(shapes, pairs[moved], shapes, pairs[moved]), 1).sum()
        return int(between + within)

    for _ in range(passes):
        improved = False
        matrix = _pair_crossings(curves, pairs, curves, pairs)
        crossing = matrix.sum(axis=1) > 0
        tangled = [k for k in free if crossing[incident[k]].any()]
        distance = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
        candidates = sorted({(min(i, j), max(i, j)) for i in tangled
                             for j in np.argsort(distance[i])[1:_SWAP_NEIGHBOURS + 1]
                             if not pinned[j]})
        for i, j in candidates:
            moved = np.union1d(incident[i], incident[j])
            before = cost(moved, curves[moved])
            if before == 0:
                continue
            points[[i, j]] = points[[j, i]]
            shapes = _link_curves(points, pairs[moved], (pair_flags[moved], members[moved]))
            if cost(moved, shapes) < before:
                curves[moved] = shapes
                improved = True
            else:
                points[[i, j]] = points[[j, i]]
        if not improved:
            break
    return points


def _link_curves(points: np.ndarray, pairs: np.ndarray,
                 plan: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each link as 9 points along the curve it will be drawn as, (links, 9, 2)."""
    starts, stops = points[pairs[:, 0]], points[pairs[:, 1]]
    d = stops - starts
    bend = _bend_array(plan, points, pairs)[:, None]
    controls = (starts + stops) / 2 + bend * np.column_stack([d[:, 1], -d[:, 0]])
    t = np.linspace(0.1, 0.9, 9)[None, :, None]
    return ((1 - t) ** 2 * starts[:, None] + 2 * t * (1 - t) * controls[:, None]
            + t ** 2 * stops[:, None])


def _pair_crossings(ca: np.ndarray, ea: np.ndarray, cb: np.ndarray, eb: np.ndarray
                    ) -> np.ndarray:
    """How often each link of A crosses each link of B (none for links sharing a variable)."""
    if not len(ca) or not len(cb):
        return np.zeros((len(ca), len(cb)), dtype=int)
    a0, a1 = ca[:, :-1].reshape(-1, 2), ca[:, 1:].reshape(-1, 2)
    b0, b1 = cb[:, :-1].reshape(-1, 2), cb[:, 1:].reshape(-1, 2)
    r, s = a1 - a0, b1 - b0
    qp = b0[None, :, :] - a0[:, None, :]
    denom = r[:, None, 0] * s[None, :, 1] - r[:, None, 1] * s[None, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (qp[..., 0] * s[None, :, 1] - qp[..., 1] * s[None, :, 0]) / denom
        v = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / denom
    hit = (np.abs(denom) > 1e-12) & (u >= 0) & (u < 1) & (v >= 0) & (v < 1)
    per_link = hit.reshape(len(ca), ca.shape[1] - 1, len(cb), cb.shape[1] - 1).sum(axis=(1, 3))
    shared = ((ea[:, None, 0] == eb[None, :, 0]) | (ea[:, None, 0] == eb[None, :, 1])
              | (ea[:, None, 1] == eb[None, :, 0]) | (ea[:, None, 1] == eb[None, :, 1]))
    return np.where(shared, 0, per_link)


def _distinct_rings(loops: Sequence[Loop], ring: Sequence[str], count: int
                    ) -> list[tuple[str, ...]]:
    """Up to `count` of the longest loops unlike `ring` (other starting circles)."""
    seen = {frozenset(ring)}
    out = []
    for loop in sorted(loops, key=lambda lp: (-len(lp.variables), lp.variables)):
        members = frozenset(loop.variables)
        if len(members) >= 3 and members not in seen:
            seen.add(members)
            out.append(tuple(loop.variables))
            if len(out) == count:
                break
    return out


def _target_distances(names: Sequence[str], edges: Sequence[tuple[str, str]],
                      loops: Sequence[Loop], index: Mapping[str, int]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Wanted distances (links have length 1; each short loop a regular ring) and weights."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path

    n = len(names)
    if edges:
        rows = [index[a] for a, _ in edges]
        cols = [index[b] for _, b in edges]
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        target = shortest_path(graph, directed=False, unweighted=True)
    else:
        target = np.full((n, n), np.inf)
        np.fill_diagonal(target, 0.0)
    finite = target[np.isfinite(target)]
    far = (finite.max() if finite.size else 1.0) + 1.0
    target[~np.isfinite(target)] = far
    weight = np.ones((n, n))
    done = np.zeros((n, n), dtype=bool)
    for loop in loops:  # shortest first: a pair takes the shape of its shortest loop
        members = [index[v] for v in loop.variables]
        k = len(members)
        if k < 3 or k > 12:
            continue
        radius = 0.5 / math.sin(math.pi / k)
        for a, b in itertools.combinations(range(k), 2):
            i, j = members[a], members[b]
            if done[i, j]:
                continue
            steps = min(b - a, k - (b - a))
            chord = 2 * radius * math.sin(math.pi * steps / k)
            target[i, j] = target[j, i] = chord
            weight[i, j] = weight[j, i] = 2.0
            done[i, j] = done[j, i] = True
    with np.errstate(divide="ignore"):
        weight = weight / np.maximum(target, 1e-9) ** 2
    np.fill_diagonal(weight, 0.0)
    return target, weight


def _stress(points: np.ndarray, target: np.ndarray, weight: np.ndarray, pinned: np.ndarray,
            iterations: int) -> np.ndarray:
    """Localised stress majorization (SMACOF, Jacobi updates); pinned points stay put."""
    x = points.copy()
    total = weight.sum(axis=1)[:, None]
    total[total == 0] = 1.0
    free = ~pinned
    for _ in range(iterations):
        delta = x[:, None, :] - x[None, :, :]
        distance = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(distance, 1.0)
        pull = weight * target / np.maximum(distance, 1e-9)
        np.fill_diagonal(pull, 0.0)
        update = (weight @ x + (pull[:, :, None] * delta).sum(axis=1)) / total
        step = float(np.abs(update[free] - x[free]).max()) if free.any() else 0.0
        x[free] = update[free]
        if step < 1e-4:
            break
    return x


def _stress_value(points: np.ndarray, target: np.ndarray, weight: np.ndarray) -> float:
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    return float((weight * (distance - target) ** 2).sum() / 2)


def _curved_crossings(points: np.ndarray, pairs: np.ndarray,
                      plan: tuple[np.ndarray, np.ndarray]) -> int:
    """Crossings of the links drawn as they will be: each link as 8 pieces of its curve."""
    if len(pairs) < 2:
        return 0
    curves = _link_curves(points, pairs, plan)
    return int(np.triu(_pair_crossings(curves, pairs, curves, pairs), 1).sum())


def _straight_crossings(points: np.ndarray, pairs: np.ndarray) -> int:
    """How many pairs of links, drawn straight, cross (links sharing a variable never do)."""
    if len(pairs) < 2:
        return 0
    p, r = points[pairs[:, 0]], points[pairs[:, 1]] - points[pairs[:, 0]]
    qp = p[None, :, :] - p[:, None, :]
    denom = r[:, None, 0] * r[None, :, 1] - r[:, None, 1] * r[None, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * r[None, :, 1] - qp[..., 1] * r[None, :, 0]) / denom
        u = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / denom
    shared = ((pairs[:, None, 0] == pairs[None, :, 0]) | (pairs[:, None, 0] == pairs[None, :, 1])
              | (pairs[:, None, 1] == pairs[None, :, 0]) | (pairs[:, None, 1] == pairs[None, :, 1]))
    hit = (np.abs(denom) > 1e-12) & (t > 0) & (t < 1) & (u > 0) & (u < 1) & ~shared
    return int(np.triu(hit, k=1).sum())


def _canonical_orientation(positions: Mapping[str, np.ndarray],
                           first: str) -> dict[str, np.ndarray]:
    """Rotate the widest spread to horizontal; flip so `first` is top left."""
    names = list(positions)
    points = np.array([positions[n] for n in names])
    points = points - points.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(points.T))
    major = vectors[:, -1]
    rotation = np.array([[major[0], major[1]], [-major[1], major[0]]])
    points = points @ rotation.T
    i = names.index(first)
    if points[i, 0] > 1e-9:
        points[:, 0] *= -1
    if points[i, 1] < -1e-9:
        points[:, 1] *= -1
    return dict(zip(names, points, strict=True))


def _normalise(positions: Mapping[str, np.ndarray]) -> np.ndarray:
    """Centre the positions and scale the larger extent to 2 (as an n x 2 array, by name)."""
    names = sorted(positions)
    points = np.array([positions[n] for n in names], dtype=float)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    centre = (low + high) / 2
    return (points - centre) * (2.0 / extent if extent > 0 else 1.0)


def _loop_refs(loops: Iterable[Loop]) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each link in a loop of three or more, the variables of the shortest such loop."""
    refs: dict[tuple[str, str], tuple[str, ...]] = {}
    for loop in loops:
        v = tuple(loop.variables)
        if len(v) < 3:
            continue
        for pair in zip(v, v[1:] + v[:1], strict=True):
            refs.setdefault(pair, v)
    return refs


def _spread(names: Sequence[str], edges: Sequence[tuple[str, str]], points: np.ndarray,
            half: np.ndarray, refs: Mapping[tuple[str, str], tuple[str, ...]], ppu: float,
            theme: style.Theme, rounds: int = 8, pinned: np.ndarray | None = None
            ) -> np.ndarray:
    """Push names apart (and off links) until nothing overlaps, keeping the [-1, 1] box.

    Pinned names (placed by the user) are not pushed; the others move around them.
    """
    unit = theme.node_font_size / 11.0 / ppu
    gap = _LABEL_SPACING * unit
    clearance = (_ARROW_GAP + 2) * unit
    arrow_room = _ARROW_ROOM * unit
    index = {n: i for i, n in enumerate(names)}
    pairs = [(index[a], index[b]) for a, b in edges]
    plan = _bend_plan(edges, names, refs)
    free = np.ones(len(names)) if pinned is None else (~pinned).astype(float)
    if not free.any():
        return points
    # bigger diagrams get fewer, coarser passes: a readable result in bounded time
    inner = 120 if len(names) <= 20 else 60 if len(names) <= 60 else 40 if len(
        names) <= OVERVIEW_ABOVE else 15
    rounds = rounds if len(names) <= 20 else 4 if len(names) <= 60 else 3
    for _ in range(rounds):
        moved = False
        for _ in range(inner):
            step = _label_pushes(points, half, gap)
            step += _arrow_room_pushes(points, half, pairs, arrow_room)
            step += _link_pushes(pairs, points, half, clearance, plan)
            step *= free[:, None]
            if not np.any(step):
                break
            moved = True
            points = points + step
        normalised = _normalise(dict(zip(names, points, strict=True)))
        if not moved:
            return normalised
        points = normalised
    return points


def _label_pushes(points: np.ndarray, half: np.ndarray, gap: float) -> np.ndarray:
    """Moves that separate overlapping name boxes along their shallower overlap."""
    delta = points[:, None, :] - points[None, :, :]
    reach = half[:, None, :] + half[None, :, :] + gap
    overlap = reach - np.abs(delta)
    n = len(points)
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    clash = (overlap > 0).all(axis=2) & upper
    step = np.zeros_like(points)
    i, j = np.nonzero(clash)
    if not len(i):
        return step
    ratio = overlap[i, j] / np.maximum(half[i] + half[j], 1e-9)
    axis = np.argmin(ratio, axis=1)
    d = delta[i, j, axis]
    direction = np.where(d != 0, np.sign(d), 1.0)
    amount = overlap[i, j, axis] * 0.5 + 1e-4
    np.add.at(step, (i, axis), direction * amount)
    np.add.at(step, (j, axis), -direction * amount)
    return step


def _arrow_room_pushes(points: np.ndarray, half: np.ndarray,
                       pairs: Sequence[tuple[int, int]], room: float) -> np.ndarray:
    """Moves that leave at least `room` between linked names, along the line joining them."""
    step = np.zeros_like(points)
    if not pairs:
        return step
    ends = np.array(sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]})).reshape(-1, 2)
    if not len(ends):
        return step
    i, j = ends[:, 0], ends[:, 1]
    d = points[j] - points[i]
    distance = np.linalg.norm(d, axis=1)
    u = np.where(distance[:, None] > 1e-12, d / np.maximum(distance, 1e-12)[:, None],
                 np.array([1.0, 0.0]))
    needed = (np.abs(u) * (half[i] + half[j])).sum(axis=1) + room
    short = distance < needed - 1e-9
    push = u * ((needed - distance) * 0.5 * short)[:, None]
    np.add.at(step, i, -push)
    np.add.at(step, j, push)
    return step


def _link_pushes(pairs: Sequence[tuple[int, int]], points: np.ndarray, half: np.ndarray,
                 clearance: float, plan: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Moves that take names off links passing through them."""
    step = np.zeros_like(points)
    if not pairs:
        return step
    ends = np.array(pairs)
    starts, stops = points[ends[:, 0]], points[ends[:, 1]]
    d = stops - starts
    bend = _bend_array(plan, points, ends)[:, None]
    controls = (starts + stops) / 2 + bend * np.column_stack([d[:, 1], -d[:, 0]])
    t = np.linspace(0.08, 0.92, 24)[None, :, None]
    curves = ((1 - t) ** 2 * starts[:, None] + 2 * t * (1 - t) * controls[:, None]
              + t ** 2 * stops[:, None])                                 # (edges, 24, 2)
    # only (name, link) pairs whose boxes meet can touch
    low, high = curves.min(axis=1), curves.max(axis=1)
    reach = half + clearance
    near = ((points[:, None, :] + reach[:, None, :] > low[None])
            & (points[:, None, :] - reach[:, None, :] < high[None])).all(axis=2)
    near[ends[:, 0], np.arange(len(ends))] = False
    near[ends[:, 1], np.arange(len(ends))] = False
    k, e = np.nonzero(near)
    if not len(k):
        return step
    offsets = curves[e] - points[k][:, None, :]                          # (m, 24, 2)
    inside = (np.abs(offsets) < reach[k][:, None, :]).all(axis=2)          # (m, 24)
    hit = inside.any(axis=1)
    k, e, offsets, inside = k[hit], e[hit], offsets[hit], inside[hit]
    if not len(k):
        return step
    squared = np.where(inside, (offsets ** 2).sum(axis=2), np.inf)
    nearest = offsets[np.arange(len(k)), np.argmin(squared, axis=1)]      # from name to curve
    away = -nearest
    still = ~away.any(axis=1)
    away[still] = np.column_stack([-d[e[still], 1], d[e[still], 0]])
    away = away / np.linalg.norm(away, axis=1)[:, None]
    amount = (reach[k] - np.abs(nearest)).min(axis=1) + 1e-4
    push = away * amount[:, None]
    np.add.at(step, k, push * 0.5)
    np.add.at(step, ends[e, 0], -push * 0.25)
    np.add.at(step, ends[e, 1], -push * 0.25)
    return step


def _tidy(value: float) -> float:
    """Round away floating-point noise so positions print and compare cleanly."""
    return round(float(value), 6) + 0.0


# -- geometry shared by layout and drawing --------------------------------------------------

def _shorten(text: str, limit: int | None = None) -> str:
    """`text` cut to `limit` characters with an ellipsis (the diagram keeps the whole name)."""
    limit = MAX_NAME_CHARS if limit is None else limit
    if len(text) <= limit:
        return text
    return text[:limit - 1].rstrip() + "\u2026"


def _wrap(name: str) -> str:
    # a word longer than two lines' width is cut in pieces; shorter words stay whole
    words = []
    for word in name.split(" "):
        if len(word) > 2 * WRAP_WIDTH:
            words += [word[i:i + WRAP_WIDTH] for i in range(0, len(word), WRAP_WIDTH)]
        else:
            words.append(word)
    return textwrap.fill(" ".join(words), WRAP_WIDTH, break_long_words=False,
                         break_on_hyphens=False)


def _wrap_story(story: str) -> str:
    return textwrap.fill(_shorten(story, MAX_STORY_CHARS), 18, break_long_words=True,
                         break_on_hyphens=False)


def _text_sizes(texts: Mapping[str, str], font_size: float, **text_kw: Any
                ) -> dict[str, tuple[float, float]]:
    """Width and height in points of each text, as the Agg renderer draws it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(dpi=72)
    renderer = FigureCanvasAgg(figure).get_renderer()
    sizes = {}
    for key, text in texts.items():
        artist = figure.text(0, 0, text, fontsize=font_size, ha="center", va="center",
                             multialignment="center", linespacing=_LINE_SPACING, **text_kw)
        box = artist.get_window_extent(renderer)
        sizes[key] = (float(box.width), float(box.height))
        artist.remove()
    return sizes


def _label_half_sizes(texts: Mapping[str, str], theme: style.Theme
                      ) -> dict[str, tuple[float, float]]:
    """Half width and half height in points of each name with its background."""
    pad = _LABEL_PAD * theme.node_font_size / 11.0
    return {key: (w / 2 + pad, h / 2 + pad)
            for key, (w, h) in _text_sizes(texts, theme.node_font_size).items()}


def _layout_inches(n: int, theme: style.Theme) -> float:
    """The size in inches of the [-1, 1] layout box for `n` variables."""
    return float(np.clip(1.55 * math.sqrt(max(n, 1)), 2.4, 18.0)) * theme.node_font_size / 11.0


def _points_per_unit(n: int, theme: style.Theme, extent: float) -> float:
    """Points per data unit when a layout of this `extent` is drawn at its natural size."""
    return 72.0 * _layout_inches(n, theme) / extent if extent > 0 else 100.0


def _control_point(start: np.ndarray, end: np.ndarray, bend: float) -> np.ndarray:
    """Control point of matplotlib's ``arc3`` curve: positive `bend` curves to the right."""
    d = end - start
    return (start + end) / 2 + bend * np.array([d[1], -d[0]])


def _bezier(start: np.ndarray, control: np.ndarray, end: np.ndarray, t: Any) -> np.ndarray:
    t = np.asarray(t, dtype=float)[..., None]
    return (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end


def _bezier_tangent(start: np.ndarray, control: np.ndarray, end: np.ndarray,
                    t: float) -> np.ndarray:
    tangent = 2 * (1 - t) * (control - start) + 2 * t * (end - control)
    norm = np.linalg.norm(tangent)
    return tangent / norm if norm else np.array([1.0, 0.0])


def _bends(edges: Iterable[tuple[str, str]], positions: Mapping[str, np.ndarray],
           refs: Mapping[tuple[str, str], tuple[str, ...]]) -> dict[tuple[str, str], float]:
    """How much each link curves, and to which side.

    The two links of a pair a->b, b->a both bend to their right, so they
    separate. Any other link bends away from the centre of the shortest loop
    it belongs to (or of the whole diagram), so loops look round.
    """
    edges = list(edges)
    if not edges:
        return {}
    present = set(edges)
    centre = np.mean(list(positions.values()), axis=0)
    bends = {}
    for a, b in edges:
        if (b, a) in present:
            bends[(a, b)] = PAIR_BEND
            continue
        loop = refs.get((a, b))
        inner = np.mean([positions[v] for v in loop], axis=0) if loop else centre
        d = positions[b] - positions[a]
        r = inner - positions[a]
        cross = d[0] * r[1] - d[1] * r[0]
        bends[(a, b)] = LINK_BEND if cross >= 0 else -LINK_BEND
    return bends


def _bend_plan(edges: Sequence[tuple[str, str]], names: Sequence[str],
               refs: Mapping[tuple[str, str], tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`_bends` needs as arrays: which links are pairs, whose centre each bends from."""
    index = {n: i for i, n in enumerate(names)}
    present = set(edges)
    pair = np.array([(b, a) in present for a, b in edges], dtype=bool)
    members = np.zeros((len(edges), len(names)))
    for row, edge in enumerate(edges):
        loop = refs.get(edge)
        if loop:
            members[row, [index[v] for v in loop]] = 1.0 / len(loop)
        else:
            members[row, :] = 1.0 / len(names)
    return pair, members


def _bend_array(plan: tuple[np.ndarray, np.ndarray], points: np.ndarray,
                ends: np.ndarray) -> np.ndarray:
    """The same bends as :func:`_bends`, for positions given as an array."""
    pair, members = plan
    inner = members @ points
    d = points[ends[:, 1]] - points[ends[:, 0]]
    r = inner - points[ends[:, 0]]
    cross = d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]
    return np.where(pair, PAIR_BEND, np.where(cross >= 0, LINK_BEND, -LINK_BEND))


#: Two arrow heads reaching a name closer than this (degrees) are told apart by a re-bend.
_ARRIVAL_ANGLE = 24.0


def _choose_bends(edges: Sequence[tuple[str, str]], centres: Mapping[str, np.ndarray],
                  halves: Mapping[str, np.ndarray], preferred: Mapping[tuple[str, str], float]
                  ) -> dict[tuple[str, str], float]:
    """Bend each link the way that crosses fewest others and no name.

    Each link may bend its preferred way (away from its loop's centre), the
    other way, or less; the choice that passes through no name it does not
    join, reaches its effect from a direction no other head uses, and crosses
    fewest other links wins (two passes, in a fixed order).
    """
    bends = dict(preferred)
    present = set(edges)
    names = list(centres)
    index = {n: i for i, n in enumerate(names)}
    box_c = np.array([centres[n] for n in names])
    box_h = np.array([halves[n] for n in names])
    t = np.linspace(0.0, 1.0, 9)[:, None]

    def curve(edge: tuple[str, str], bend: float) -> np.ndarray:
        start, end = centres[edge[0]], centres[edge[1]]
        control = _control_point(start, end, bend)
        return (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end

    def arrival(edge: tuple[str, str], bend: float) -> float:
        start, end = centres[edge[0]], centres[edge[1]]
        v = end - _control_point(start, end, bend)
        return math.degrees(math.atan2(v[1], v[0]))

    curves = {e: curve(e, bends[e]) for e in edges}
    for _ in range(2):
        for edge in edges:
            if (edge[1], edge[0]) in present:
                continue
            others = [e for e in edges if e != edge and not set(e) & set(edge)]
            if others:
                stack = np.stack([curves[e] for e in others])          # (others, 9, 2)
                low, high = stack.min(axis=1), stack.max(axis=1)
            heads = [arrival(e, bends[e]) for e in edges if e[1] == edge[1] and e != edge]
            best, best_cost = bends[edge], math.inf
            for rank, bend in enumerate((preferred[edge], -preferred[edge],
                                         preferred[edge] * 0.35, -preferred[edge] * 0.35,
                                         preferred[edge] * 2.2, -preferred[edge] * 2.2)):
                points = curve(edge, bend)
                inside = (np.abs(points[1:-1, None, :] - box_c[None]) < box_h[None]
                          ).all(axis=2).any(axis=0)
                inside[[index[edge[0]], index[edge[1]]]] = False
                cost = 50.0 * int(inside.sum()) + 0.3 * rank
                if others:
                    near = ((low < points.max(axis=0)) & (high > points.min(axis=0))).all(axis=1)
                    if near.any():
                        segments = stack[near]
                        cost += 4.0 * _segments_crossing(
                            points[:-1], points[1:], segments[:, :-1].reshape(-1, 2),
                            segments[:, 1:].reshape(-1, 2))
                angle = arrival(edge, bend)
                if any(abs((angle - h + 180.0) % 360.0 - 180.0) < _ARRIVAL_ANGLE for h in heads):
                    cost += 6.0
                if cost < best_cost:
                    best, best_cost = bend, cost
            bends[edge] = best
            curves[edge] = curve(edge, best)
    return bends


def _segments_crossing(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> int:
    """How many of the segments a0-a1 cross how many of b0-b1 (proper crossings)."""
    r, s = a1 - a0, b1 - b0
    qp = b0[None, :, :] - a0[:, None, :]
    denom = r[:, None, 0] * s[None, :, 1] - r[:, None, 1] * s[None, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (qp[..., 0] * s[None, :, 1] - qp[..., 1] * s[None, :, 0]) / denom
        v = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / denom
    return int(((np.abs(denom) > 1e-12) & (u > 0) & (u < 1) & (v > 0) & (v < 1)).sum())


def _separate_arrivals(edges: Sequence[tuple[str, str]], centres: Mapping[str, np.ndarray],
                       bends: Mapping[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Re-bend links whose heads would reach a name from almost the same direction.

    Two heads side by side leave no place for a sign that is clearly nearer to
    its own head; a link bent the other way (or less) arrives from elsewhere.
    Links of a pair a->b, b->a keep their bend.
    """
    bends = dict(bends)
    present = set(edges)

    def arrival(edge: tuple[str, str], bend: float) -> float:
        start, end = centres[edge[0]], centres[edge[1]]
        v = end - _control_point(start, end, bend)
        return math.degrees(math.atan2(v[1], v[0]))

    def apart(a: float, b: float) -> float:
        return abs((a - b + 180.0) % 360.0 - 180.0)

    incoming: dict[str, list[tuple[str, str]]] = {}
    for edge in edges:
        incoming.setdefault(edge[1], []).append(edge)
    for name in sorted(incoming):
        group = incoming[name]
        if len(group) < 2:
            continue
        for edge in group:
            if (edge[1], edge[0]) in present:
                continue
            others = [arrival(e, bends[e]) for e in group if e != edge]
            if min(apart(arrival(edge, bends[edge]), o) for o in others) >= _ARRIVAL_ANGLE:
                continue
            choices = [bends[edge], bends[edge] * 0.35, -bends[edge] * 0.35, -bends[edge],
                       bends[edge] * 1.8]
            bends[edge] = max(choices, key=lambda b: (
                min(min(apart(arrival(edge, b), o) for o in others), 3 * _ARRIVAL_ANGLE),
                -choices.index(b)))
    return bends


def _box_distance(points: np.ndarray, centres: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Distance from each point (rows) to each axis-aligned box (columns); 0 inside."""
    outside = np.abs(points[:, None, :] - centres[None, :, :]) - half[None, :, :]
    return np.linalg.norm(np.maximum(outside, 0), axis=2)


def _inside_box(point: np.ndarray, centre: np.ndarray, half: np.ndarray) -> bool:
    return bool((np.abs(point - centre) <= half).all())


def _signed_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


# -- the scene: everything to draw, in data units --------------------------------------------

@dataclass
class _Label:
    name: str
    text: str
    centre: np.ndarray
    half: np.ndarray          # half width, half height of the background, data units
    colour: str


@dataclass
class _Arrow:
    link: Link
    start: np.ndarray         # the whole curve, centre to centre
    control: np.ndarray
    end: np.ndarray
    t0: float                 # the drawn part: from leaving the cause's name ...
    t1: float                 # ... to reaching the effect's name
    colour: str
    width: float
    sign_colour: str

    @property
    def key(self) -> str:
        return f"{self.link.cause}->{self.link.effect}"

    def points(self, t: Any) -> np.ndarray:
        return _bezier(self.start, self.control, self.end, t)

    def visible(self, samples: int = 40) -> np.ndarray:
        return self.points(np.linspace(self.t0, self.t1, samples))

    def visible_control(self) -> np.ndarray:
        """Control point of the drawn part (blossom of the quadratic Bezier)."""
        t0, t1 = self.t0, self.t1
        return ((1 - t0) * (1 - t1) * self.start
                + ((1 - t0) * t1 + t0 * (1 - t1)) * self.control + t0 * t1 * self.end)

    @cached_property
    def _arc(self) -> tuple[np.ndarray, np.ndarray]:
        """Parameters along the drawn part and the curve length up to each."""
        t = np.linspace(self.t0, self.t1, 200)
        length = np.concatenate([[0.0], np.cumsum(np.linalg.norm(
            np.diff(self.points(t), axis=0), axis=1))])
        return t, length

    def t_before_end(self, distance: float) -> float:
        """The parameter `distance` (data units) before the arrow tip, along the curve."""
        t, length = self._arc
        return float(np.interp(length[-1] - distance, length, t))

    def t_middle(self) -> float:
        t, length = self._arc
        return float(np.interp(length[-1] / 2, length, t))

    def bulge_side(self, t: float) -> np.ndarray:
        """Unit normal at `t` pointing to the outside (convex side) of the curve."""
        tangent = _bezier_tangent(self.start, self.control, self.end, t)
        normal = np.array([-tangent[1], tangent[0]])
        towards_control = self.control - (self.start + self.end) / 2
        if np.dot(normal, towards_control) < 0:
            normal = -normal
        return normal


@dataclass
class _Marker:
    loop: Loop
    centre: np.ndarray
    radius: float
    clockwise: bool
    colour: str
    story: str | None
    story_at: np.ndarray | None   # centre of the story name's text
    fits: bool = True             # False: no free room was found inside the loop


class _Scene:
    """Geometry of one drawing: labels, arrows, signs, delay marks and loop markers."""

    def __init__(self, cld: CausalLoopDiagram, theme: style.Theme, positions: dict,
                 loops: Sequence[Loop], marked: Sequence[Loop], highlighted: Loop | None,
                 title: str | None, hidden_loops: int):
        self.cld = cld
        self.theme = theme
        self.positions = positions
        self.loops = loops
        self.marked = marked
        self.highlighted = highlighted
        self.title = _shorten(title, MAX_TITLE_CHARS) if title else title
        self.hidden_loops = hidden_loops
        self.texts = {v.name: _wrap(_shorten(v.display)) for v in cld.variables}
        self.half_points = _label_half_sizes(self.texts, theme)
        self.facets = [f for f in ("self", "others", "world")
                       if any(v.facet == f for v in cld.variables)]
        self.ppu = self._natural_scale()

    # -- building -----------------------------------------------------------------------

    @classmethod
    def build(cls, cld: CausalLoopDiagram, theme: style.Theme, highlight: Any,
              positions: Mapping[str, tuple[float, float]] | None, seed: int,
              show_loops: bool | int, title: str | None) -> _Scene:
        overview = len(cld.variables) > OVERVIEW_ABOVE
        loops = cld.loops() if show_loops is not False or highlight is not None else ()
        highlighted = _find_loop(cld, loops, highlight) if highlight is not None else None
        limit = MAX_LOOP_MARKERS if show_loops is True else max(0, int(show_loops))
        if overview and show_loops is True:
            limit = 0
        marked = list(loops[:limit])
        if highlighted is not None and highlighted not in marked:
            marked.append(highlighted)
        hidden = len(loops) - len(marked) if show_loops is not False else 0
        positions = _checked_positions(cld, positions or {})
        if len(positions) < len(cld.variables):
            positions = {**_given_positions(cld), **positions}
            if len(positions) < len(cld.variables):
                positions = _place(cld, seed, positions)
            positions = _checked_positions(cld, positions)
        scene = cls(cld, theme, positions, loops, marked, highlighted,
                    cld.title if title is None else title, max(hidden, 0))
        scene.overview = overview
        return scene

    def extent(self) -> float:
        points = np.array(list(self.positions.values())) if self.positions else np.zeros((1, 2))
        return float((points.max(axis=0) - points.min(axis=0)).max())

    def _natural_scale(self) -> float:
        """Points per data unit: the layout's planned size, larger if names would crowd."""
        planned = _points_per_unit(len(self.positions), self.theme, self.extent())
        names = list(self.positions)
        if len(names) < 2:
            return planned
        points = np.array([self.positions[n] for n in names])
        half = np.array([self.half_points[n] for n in names])
        index = {n: i for i, n in enumerate(names)}
        linked = {(index[k.cause], index[k.effect]) for k in self.cld.links}
        scale = self.theme.node_font_size / 11.0
        needed = _crowding_scale(points, half, linked, _LABEL_SPACING * scale,
                                 _ARROW_ROOM * scale)
        return float(np.clip(needed, planned, planned * 3))

    def points(self, length: float) -> float:
        """A length given in points (at the participant size), in data units."""
        return length * self.theme.node_font_size / 11.0 / self.ppu

    def geometry(self) -> None:
        """Compute labels, arrows, signs, delay marks and markers, spreading out if crowded.

        When a loop marker finds no free room inside its loop, the whole drawing
        is spread (names keep their size, the distances between them grow) and
        placed again, a few times at most.
        """
        attempts = _SPREAD_ATTEMPTS if len(self.positions) <= _MULTI_START else 1
        for attempt in range(attempts):
            self.crowded = False
            self.labels = self._labels()
            self.arrows = self._arrows()
            if attempts > 1:
                self.crowded = self._links_through_names()
            self.delays = {a.key: self._delay_mark(a) for a in self.arrows if a.link.delay}
            self.signs = self._signs()
            self.markers = self._markers()
            if not self.crowded or attempt == attempts - 1:
                break
            self.ppu *= _SPREAD_FACTOR
        kept = [m for m in self.markers if m.fits or m.loop == self.highlighted]
        self.unmarked = len(self.markers) - len(kept)
        self.markers = kept

    def _labels(self) -> dict[str, _Label]:
        labels = {}
        for v in self.cld.variables:
            colour = style.PALETTE[v.facet] if v.facet else style.PALETTE["text"]
            labels[v.name] = _Label(v.name, self.texts[v.name],
                                    np.asarray(self.positions[v.name], dtype=float),
                                    np.array(self.half_points[v.name]) / self.ppu, colour)
        return labels

    def _arrows(self) -> list[_Arrow]:
        edges = sorted((link.cause, link.effect) for link in self.cld.links)
        centres = {name: label.centre for name, label in self.labels.items()}
        bends = _bends(edges, centres, _loop_refs(_layout_loops(self.cld)))
        if getattr(self, "_chosen_bends", None) is not None:
            bends = self._chosen_bends  # spreading out keeps the choice made at first
        elif len(centres) <= _MULTI_START:
            halves = {name: label.half for name, label in self.labels.items()}
            bends = self._chosen_bends = _choose_bends(edges, centres, halves, bends)
        else:
            bends = _separate_arrivals(edges, centres, bends)
        lit = set()
        if self.highlighted is not None:
            v = self.highlighted.variables
            lit = set(zip(v, v[1:] + v[:1], strict=True))
        width = self.theme.line_width * 0.7
        arrows = []
        for link in self.cld.links:
            key = (link.cause, link.effect)
            start, end = centres[link.cause], centres[link.effect]
            control = _control_point(start, end, bends[key])
            gap = self.points(_ARROW_GAP)
            t0 = _exit_parameter(start, control, end, self.labels[link.cause].half + gap, False)
            t1 = _exit_parameter(start, control, end, self.labels[link.effect].half + gap, True)
            if t1 - t0 < 0.1:
                t0, t1 = min(t0, 0.45), max(t1, 0.55)
            colour, lw = style.PALETTE["link"], width
            sign_colour = style.PALETTE["negative" if link.is_negative else "positive"]
            if self.highlighted is not None:
                if key in lit:
                    colour, lw = style.PALETTE[self.highlighted.kind], width * 2.0
                else:
                    colour = sign_colour = style.PALETTE["muted"]
            arrows.append(_Arrow(link, start, control, end, t0, t1, colour, lw, sign_colour))
        return arrows

    def _signs(self) -> dict[str, np.ndarray]:
        """Where each polarity sign goes: before the head, beside the curve, clear of names.

        A spot is refused when it lies nearer to another link's head than to its
        own, so that every sign reads as belonging to its arrow.
        """
        from scipy.spatial import cKDTree

        centres = np.array([lb.centre for lb in self.labels.values()])
        halves = np.array([lb.half for lb in self.labels.values()])
        sign_half = self.sign_half()
        if not self.arrows:
            return {}
        curves = [a.visible(60) for a in self.arrows]
        curves += [d[~np.isnan(d).any(axis=1)] for d in self.delays.values()]
        owner = np.concatenate([np.full(len(c), i) for i, c in enumerate(curves)])
        curve_tree = cKDTree(np.concatenate(curves))
        reach = self.points(_HEAD_LENGTH)
        heads = [a.points(np.linspace(a.t_before_end(reach), a.t1, 12)) for a in self.arrows]
        head_owner = np.concatenate([np.full(len(h), i) for i, h in enumerate(heads)])
        head_tree = cKDTree(np.concatenate(heads))
        k_curves = min(len(owner), 48)
        k_heads = min(len(head_owner), 36)
        big = len(self.labels) > _MULTI_START
        offsets = (_SIGN_OFFSET,) if big else (_SIGN_OFFSET, _SIGN_OFFSET * 1.5)
        placed = np.empty((len(self.arrows), 2))
        signs = {}
        for number, arrow in enumerate(self.arrows):
            spots, penalty = [], []
            for back in (0.0, 4.0, 9.0, 15.0, 22.0):
                t = arrow.t_before_end(self.points(_HEAD_LENGTH + _SIGN_BACK + back))
                point = arrow.points(t)
                outside = arrow.bulge_side(t)
                for side in (1.0, -1.0):
                    for offset in offsets:
                        spots.append(point + side * outside * self.points(offset))
                        penalty.append(back * 0.02 + (0.5 if side < 0 else 0.0)
                                       + (offset - _SIGN_OFFSET) * 0.05)
            spots = np.array(spots)
            to_labels = _box_distance(spots, centres, halves).min(axis=1) - sign_half
            score = np.minimum(to_labels / sign_half, 1.0) * 4
            distance, which = curve_tree.query(spots, k=k_curves)
            distance, which = np.atleast_2d(distance), np.atleast_2d(which)
            valid = which < len(owner)
            other = valid & (owner[np.minimum(which, len(owner) - 1)] != number)
            to_curves = np.where(other, distance, np.inf).min(axis=1) - sign_half
            score += np.minimum(to_curves / sign_half, 1.0) * 2
            to_signs = np.full(len(spots), np.inf)
            if number:
                to_signs = (np.abs(spots[:, None, :] - placed[None, :number]).max(axis=2)
                            .min(axis=1) - 2 * sign_half)
                score += np.minimum(to_signs / sign_half, 1.0) * 2
                score -= np.where(to_signs < 0, 6.0, 0.0)
            own = np.linalg.norm(spots[:, None, :] - heads[number][None], axis=2).min(axis=1)
            distance, which = head_tree.query(spots, k=k_heads)
            distance, which = np.atleast_2d(distance), np.atleast_2d(which)
            valid = which < len(head_owner)
            foreign = valid & (head_owner[np.minimum(which, len(head_owner) - 1)] != number)
            nearest_other = np.where(foreign, distance, np.inf).min(axis=1)
            astray = nearest_other < own + self.points(2.0)
            score -= np.where(astray, 6.0, 0.0)
            score -= np.array(penalty)
            choice = int(np.argmax(score))
            best = spots[choice]
            self.crowded |= bool(astray[choice] or to_labels[choice] < 0 or to_signs[choice] < 0)
            placed[number] = best
            signs[arrow.key] = best
        return signs

    def sign_half(self) -> float:
        """Half the size of a sign's box (data units)."""
        return self.points(self.theme.sign_font_size / 11.0 * 4.5)

    def _delay_mark(self, arrow: _Arrow) -> np.ndarray:
        """Two short bars across the middle of the arrow, as an (n, 2) array with NaN breaks."""
        t = arrow.t_middle()
        middle = arrow.points(t)
        tangent = _bezier_tangent(arrow.start, arrow.control, arrow.end, t)
        normal = np.array([-tangent[1], tangent[0]])
        half = self.points(_DELAY_HALF) * normal
        step = self.points(_DELAY_SPACING) * tangent
        nan = np.array([np.nan, np.nan])
        return np.array([middle - step - half, middle - step + half, nan,
                         middle + step - half, middle + step + half])

    def _links_through_names(self) -> bool:
        """Whether any drawn link passes through a name it does not join."""
        centres = np.array([lb.centre for lb in self.labels.values()])
        halves = np.array([lb.half for lb in self.labels.values()])
        index = {name: i for i, name in enumerate(self.labels)}
        for arrow in self.arrows:
            inside = (np.abs(arrow.visible(40)[:, None, :] - centres[None]) < halves[None]
                      ).all(axis=2).any(axis=0)
            inside[[index[arrow.link.cause], index[arrow.link.effect]]] = False
            if inside.any():
                return True
        return False

    def _markers(self) -> list[_Marker]:
        markers: list[_Marker] = []
        arrows = {(a.link.cause, a.link.effect): a for a in self.arrows}
        boxes = [np.concatenate([lb.centre, lb.half]) for lb in self.labels.values()]
        sign_half = self.sign_half()
        boxes += [np.array([*spot, sign_half, sign_half]) for spot in self.signs.values()]
        obstacles = [a.visible(24) for a in self.arrows]
        obstacles += [d[~np.isnan(d).any(axis=1)] for d in self.delays.values()]
        points = np.concatenate(obstacles) if obstacles else np.zeros((0, 2))
        radius = self.points(_MARKER_RADIUS)
        stories = self._story_half_sizes()
        from matplotlib.path import Path

        regions = {}
        for loop in self.marked:  # the area each loop encloses, to tell them apart
            v = tuple(loop.variables)
            if len(v) < 3:
                area = np.concatenate([arrows[pair].points(np.linspace(0, 1, 16)[:-1])
                                       for pair in zip(v, v[1:] + v[:1], strict=True)])
            else:
                area = np.array([self.labels[name].centre for name in v])
            regions[loop.name] = Path(np.vstack([area, area[:1]]), closed=True)
        for loop in self.marked:
            v = tuple(loop.variables)
            outline = np.concatenate([arrows[pair].points(np.linspace(0, 1, 16)[:-1])
                                      for pair in zip(v, v[1:] + v[:1], strict=True)])
            nodes = np.array([self.labels[name].centre for name in v])
            others = [r for name, r in regions.items() if name != loop.name]
            circle = [0.0, 0.0, radius * 1.15, radius * 1.15]
            footprints = [np.array([circle])]
            if loop.story:
                w, h = stories[loop.name]
                beneath, above = radius * 1.2 + h, radius * 1.2 + h
                beside = radius * 1.2 + w
                footprints = [np.array([circle, [dx, dy, w, h]])
                              for dx, dy in ((0, -beneath), (0, above), (beside, 0),
                                             (-beside, 0))]
            margin = self.points(3)
            reach = max(float((np.abs(f[:, :2]) + f[:, 2:]).max()) for f in footprints) + margin
            low, high = outline.min(axis=0) - reach, outline.max(axis=0) + reach
            near = np.array(boxes)
            near = near[((near[:, :2] + near[:, 2:] > low) & (near[:, :2] - near[:, 2:] < high))
                        .all(axis=1)]
            around = points[((points > low) & (points < high)).all(axis=1)]
            centre, choice, fits = _marker_spot(nodes, outline, near, around, footprints, margin,
                                                others)
            self.crowded |= not fits
            chosen = footprints[choice]
            boxes.extend(np.concatenate([centre + part[:2], part[2:]]) for part in chosen)
            colour = style.PALETTE[loop.kind]
            if self.highlighted is not None and loop.name != self.highlighted.name:
                colour = style.PALETTE["muted"]
            story_at = centre + chosen[1, :2] if loop.story else None
            markers.append(_Marker(loop, centre, radius, _signed_area(outline) < 0, colour,
                                   loop.story, story_at, fits))
        return markers

    def _story_half_sizes(self) -> dict[str, tuple[float, float]]:
        """Half width and height (data units) of each marked loop's story name."""
        texts = {loop.name: _wrap_story(loop.story) for loop in self.marked if loop.story}
        if not texts:
            return {}
        sizes = _text_sizes(texts, self.theme.node_font_size * 0.85, fontstyle="italic")
        pad = self.points(_LABEL_PAD)
        return {name: (w / 2 / self.ppu + pad, h / 2 / self.ppu + pad)
                for name, (w, h) in sizes.items()}

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower-left and upper-right corners of everything drawn, in data units."""
        parts = [lb.centre - lb.half for lb in self.labels.values()]
        parts += [lb.centre + lb.half for lb in self.labels.values()]
        for arrow in self.arrows:
            parts.extend(arrow.visible(30))
        sign_half = self.points(self.theme.sign_font_size / 11.0 * 5)
        for spot in self.signs.values():
            parts += [spot - sign_half, spot + sign_half]
        for m in self.markers:
            parts += [m.centre - m.radius * 1.2, m.centre + m.radius * 1.2]
        stories = self._story_half_sizes()
        for m in self.markers:
            if m.story_at is not None:
                w, h = stories[m.loop.name]
                parts += [m.story_at - np.array([w, h]), m.story_at + np.array([w, h])]
        points = np.array(parts) if parts else np.zeros((1, 2))
        margin = self.points(8)
        return points.min(axis=0) - margin, points.max(axis=0) + margin

    # -- figure and axes ----------------------------------------------------------------

    def new_axes(self) -> Axes:
        """A figure of its own (Agg canvas, no pyplot) sized so names are at font size."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.geometry()
        low, high = self.bounds()
        width_in, height_in = (high - low) * self.ppu / 72.0
        title_in = self.theme.title_size * 2.4 / 72.0 if self.title else 0.0
        legend_in = self.theme.font_size * 2.6 / 72.0 if self.facets or self.note() else 0.0
        needed = max(3.0, self._title_width() + 0.4)
        if width_in < needed:
            extra = (needed - width_in) * 72.0 / self.ppu / 2
            low, high = low - np.array([extra, 0]), high + np.array([extra, 0])
            width_in = needed
        height_in = max(height_in, 1.2)
        total = height_in + title_in + legend_in
        figure = Figure(figsize=(width_in, total), dpi=self.theme.dpi, facecolor="white")
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.0, legend_in / total, 1.0, height_in / total))
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        self.own_figure = True
        self.bands = (title_in / total, legend_in / total)
        return ax

    def natural_width(self) -> float:
        """Width in inches of the names' extent at the drawing's natural size."""
        labels = self._labels().values()
        low = min(float(lb.centre[0] - lb.half[0]) for lb in labels)
        high = max(float(lb.centre[0] + lb.half[0]) for lb in labels)
        return (high - low) * self.ppu / 72.0

    def shrink_to_fit(self, ax: Axes) -> float:
        """How much smaller than natural size the drawing must be to fit `ax` (at most 1)."""
        self.geometry()
        low, high = self.bounds()
        needed = (high - low) * self.ppu / 72.0
        box = ax.get_position()
        title = self.theme.title_size * 2.0 / 72.0 if self.title else 0.0
        room = np.array([box.width * ax.figure.get_figwidth(),
                         box.height * ax.figure.get_figheight() - title])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(needed > 0, room / needed, 1.0)
        return float(np.clip(ratios.min(), 0.35, 1.0))

    def fit_into(self, ax: Axes) -> None:
        """Draw at this scene's scale into the given axes, showing everything drawn."""
        self.geometry()
        low, high = self.bounds()
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        self.own_figure = False
        self.bands = (0.0, 0.0)

    def _title_width(self) -> float:
        if not self.title:
            return 0.0
        width, _ = _text_sizes({"title": self.title}, self.theme.title_size)["title"]
        return width / 72.0

    # -- painting -----------------------------------------------------------------------

    def paint(self, ax: Axes) -> None:
        for arrow in self.arrows:
            self._paint_arrow(ax, arrow)
        for label in self.labels.values():
            self._paint_label(ax, label)
        for arrow in self.arrows:
            self._paint_sign(ax, arrow)
            if arrow.key in self.delays:
                self._paint_delay(ax, arrow)
        for marker in self.markers:
            self._paint_marker(ax, marker)
        self._paint_title(ax)
        self._paint_legend(ax)

    def _paint_arrow(self, ax: Axes, arrow: _Arrow) -> None:
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        path = Path([arrow.points(arrow.t0), arrow.visible_control(), arrow.points(arrow.t1)],
                    [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        scale = self.theme.node_font_size / 11.0
        head = (f"-|>,head_length={_HEAD_LENGTH * scale:.2f},"
                f"head_width={_HEAD_WIDTH * scale:.2f}")
        patch = FancyArrowPatch(path=path, arrowstyle=head, mutation_scale=1.0,
                                color=arrow.colour, linewidth=arrow.width, shrinkA=0,
                                shrinkB=0, capstyle="round", joinstyle="round", zorder=2,
                                gid=f"link:{arrow.key}")
        ax.add_patch(patch)

    def _paint_label(self, ax: Axes, label: _Label) -> None:
        from matplotlib.patches import FancyBboxPatch

        pad = self.points(_LABEL_PAD)
        background = FancyBboxPatch(tuple(label.centre - label.half + pad),
                                    *(2 * (label.half - pad)),
                                    boxstyle=f"round,pad={pad:.6f},rounding_size={pad * 2:.6f}",
                                    facecolor="white", edgecolor="none", alpha=0.9, zorder=3,
                                    gid=f"label-background:{label.name}")
        ax.add_patch(background)
        ax.text(*label.centre, label.text, color=label.colour,
                fontsize=self.theme.node_font_size, ha="center", va="center",
                multialignment="center", linespacing=_LINE_SPACING, zorder=4,
                gid=f"label:{label.name}")

    def _paint_sign(self, ax: Axes, arrow: _Arrow) -> None:
        sign = "\u2212" if arrow.link.is_negative else "+"
        ax.text(*self.signs[arrow.key], sign, color=arrow.sign_colour,
                fontsize=self.theme.sign_font_size, fontweight="bold", ha="center",
                va="center", zorder=5, gid=f"sign:{arrow.key}")

    def _paint_delay(self, ax: Axes, arrow: _Arrow) -> None:
        bars = self.delays[arrow.key]
        colour = style.PALETTE["delay"] if self.highlighted is None else arrow.colour
        ax.plot(bars[:, 0], bars[:, 1], color=colour, linewidth=arrow.width * 1.1,
                solid_capstyle="butt", zorder=5, gid=f"delay:{arrow.key}")

    def _paint_marker(self, ax: Axes, marker: _Marker) -> None:
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        # an open circle, three quarters and more, with its head at the end
        sweep = np.linspace(0, 1.62 * math.pi, 40)
        start = math.pi / 2 + 0.35 * math.pi
        angles = start - sweep if marker.clockwise else start + sweep
        points = marker.centre + marker.radius * np.column_stack([np.cos(angles),
                                                                  np.sin(angles)])
        scale = self.theme.node_font_size / 11.0
        head = f"-|>,head_length={6.5 * scale:.2f},head_width={3.0 * scale:.2f}"
        ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle=head, mutation_scale=1.0,
                                     color=marker.colour, linewidth=self.theme.line_width * 0.7,
                                     shrinkA=0, shrinkB=0, capstyle="round", zorder=6,
                                     gid=f"loop-marker:{marker.loop.name}"))
        ax.text(*marker.centre, marker.loop.name, color=marker.colour, ha="center",
                va="center", fontsize=self.theme.node_font_size * 0.9, fontweight="bold",
                zorder=6, gid=f"loop-label:{marker.loop.name}")
        if marker.story:
            ax.text(*marker.story_at, _wrap_story(marker.story), color=marker.colour,
                    ha="center", va="center", fontsize=self.theme.node_font_size * 0.85,
                    fontstyle="italic", multialignment="center", linespacing=_LINE_SPACING,
                    zorder=6, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.85},
                    gid=f"loop-story:{marker.loop.name}")

    def _paint_title(self, ax: Axes) -> None:
        if not self.title:
            return
        if self.own_figure:
            band, _ = self.bands
            ax.figure.text(0.5, 1 - band / 2, self.title, ha="center", va="center",
                           fontsize=self.theme.title_size, color=style.PALETTE["text"],
                           gid="title")
        else:
            ax.set_title(self.title, fontsize=self.theme.title_size,
                         color=style.PALETTE["text"]).set_gid("title")

    def note(self) -> str:
        """What the drawing leaves out, in a few words (or "")."""
        parts = []
        if self.overview:
            parts.append(f"overview of {len(self.positions)} variables")
        n = self.hidden_loops + getattr(self, "unmarked", 0)
        if n:
            reason = " (no room)" if getattr(self, "unmarked", 0) and not self.overview else ""
            parts.append(f"{n} {'more ' * (len(self.markers) > 0)}loop{'s' * (n != 1)} "
                         f"not marked{reason}")
        if any(len(v.name) > MAX_NAME_CHARS for v in self.cld.variables):
            parts.append("long names shortened")
        return "; ".join(parts)

    def _paint_legend(self, ax: Axes) -> None:
        from matplotlib.lines import Line2D

        note = self.note()
        if note:
            where = (0.99, self.bands[1] / 2) if self.own_figure else (0.99, 0.01)
            target = ax.figure if self.own_figure else ax
            target.text(*where, note, ha="right", va="center" if self.own_figure else "bottom",
                        fontsize=self.theme.font_size * 0.85, color=style.PALETTE["link"],
                        transform=target.transFigure if self.own_figure else ax.transAxes,
                        gid="loops-note")
        if not self.facets:
            return
        handles = [Line2D([], [], linestyle="none", color=style.PALETTE["link"])]
        handles += [Line2D([], [], linestyle="none", marker="o",
                           markersize=self.theme.font_size * 0.75,
                           color=style.PALETTE[f]) for f in self.facets]
        names = ["facets:", *self.facets]
        options = {"frameon": False, "ncol": len(names), "handletextpad": 0.3,
                   "columnspacing": 1.2, "labelcolor": "linecolor",
                   "fontsize": self.theme.font_size}
        if self.own_figure:
            legend = ax.figure.legend(handles, names, loc="center left",
                                      bbox_to_anchor=(0.0, self.bands[1] / 2), **options)
        else:
            legend = ax.legend(handles, names, loc="upper left", bbox_to_anchor=(0.0, 0.0),
                               **options)  # just below the drawing
        legend.set_gid("legend:facets")


def _crowding_scale(points: np.ndarray, half: np.ndarray, linked: Iterable[tuple[int, int]],
                    gap: float, room: float) -> float:
    """The least points per unit at which no names overlap and linked names have room.

    `half` holds half sizes in points; `gap` and `room` are in points.
    """
    delta = np.abs(points[:, None, :] - points[None, :, :])
    reach = half[:, None, :] + half[None, :, :] + gap
    with np.errstate(divide="ignore", invalid="ignore"):
        per_axis = np.where(delta > 1e-12, reach / delta, np.inf)
    separate = per_axis.min(axis=2)
    np.fill_diagonal(separate, 0.0)
    needed = float(separate.max())
    for i, j in linked:
        d = points[j] - points[i]
        distance = float(np.linalg.norm(d))
        if distance > 1e-12:
            support = float(np.abs(d / distance) @ (half[i] + half[j]))
            needed = max(needed, (support + room) / distance)
    return needed


def _scaled(theme: style.Theme, factor: float) -> style.Theme:
    """The theme with every font size and line width multiplied by `factor`."""
    from dataclasses import replace

    return replace(theme, font_size=theme.font_size * factor,
                   title_size=theme.title_size * factor, line_width=theme.line_width * factor,
                   node_font_size=theme.node_font_size * factor,
                   sign_font_size=theme.sign_font_size * factor)


def _exit_parameter(start: np.ndarray, control: np.ndarray, end: np.ndarray,
                    half: np.ndarray, at_end: bool) -> float:
    """Where the curve crosses the box around its start (or end) node.

    Sampled at 257 points of the half curve: precise to a 500th of the curve.
    """
    centre = end if at_end else start
    t = np.linspace(1.0, 0.5, 257) if at_end else np.linspace(0.0, 0.5, 257)
    inside = (np.abs(_bezier(start, control, end, t) - centre) <= half).all(axis=1)
    if inside[-1]:
        return 0.5
    return float(t[int(np.argmin(inside))])


def _marker_spot(nodes: np.ndarray, outline: np.ndarray, boxes: np.ndarray,
                 obstacles: np.ndarray, footprints: Sequence[np.ndarray], margin: float,
                 others: Sequence[Any] = ()) -> tuple[np.ndarray, int, bool]:
    """A point inside the loop, near its centre, where the marker's footprint fits.

    Parameters
    ----------
    nodes : (k, 2) array
        The loop's variables, in order; their polygon (or, for a loop of two,
        the lens between its two curves, `outline`) holds the marker's centre.
    boxes : (m, 4) array
        Boxes to keep clear of, as centre x, centre y, half width, half height.
    obstacles : (p, 2) array
        Points to keep clear of (samples along the links, signs, delay marks).
    footprints : sequence of (f, 4) arrays
        The marker's boxes relative to its centre (the circle, the story), in
        order of preference: the first that fits near the centre wins.
    margin : float
        The room wanted around the footprint.
    others : sequence of matplotlib.path.Path
        The areas of the other marked loops: a spot that lies in fewer of them
        is preferred, so each marker sits where only its own loop runs.

    Returns
    -------
    centre : (2,) array
    footprint : int
        Which of `footprints` was chosen.
    fits : bool
        Whether it keeps `margin` clear of everything (otherwise the least bad spot).
    """
    from matplotlib.path import Path

    centroid = nodes.mean(axis=0)
    low, high = outline.min(axis=0), outline.max(axis=0)
    grid = np.stack(np.meshgrid(np.linspace(low[0], high[0], 31),
                                np.linspace(low[1], high[1], 31)), axis=-1).reshape(-1, 2)
    grid = np.vstack([centroid[None, :], grid])
    polygons = [outline if len(nodes) < 3 else nodes]
    if len(nodes) >= 3:  # a loop that crosses itself may leave no room: its hull then
        polygons.append(_convex_hull(nodes))
    # a closed Path ignores its last vertex, so repeat the first one there
    regions = [Path(np.vstack([p, p[:1]]), closed=True) for p in polygons]
    best = (-math.inf, centroid, 0)
    for region in regions:
        inside = region.contains_points(grid)
        candidates = grid[inside] if inside.any() else centroid[None, :]
        spread = np.linalg.norm(candidates - centroid, axis=1) / max(margin, 1e-12)
        shared = sum((other.contains_points(candidates) for other in others),
                     np.zeros(len(candidates)))
        for choice, footprint in enumerate(footprints):
            room = _footprint_room(candidates, footprint, boxes, obstacles, 4 * margin)
            score = np.where(room >= margin, 1000.0 - spread - 40.0 * choice - 25.0 * shared,
                             room / margin - spread * 0.001 - 0.05 * choice)
            i = int(np.argmax(score))
            if score[i] > best[0]:
                best = (float(score[i]), candidates[i], choice)
        if best[0] >= 500.0:  # it fits
            break
    return best[1], best[2], best[0] >= 500.0


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    ordered = sorted(map(tuple, points))

    def chain(sequence: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        kept: list[tuple[float, float]] = []
        for p in sequence:
            while len(kept) >= 2:
                (ax, ay), (bx, by) = kept[-2], kept[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                kept.pop()
            kept.append(p)
        return kept[:-1]

    return np.array(chain(ordered) + chain(reversed(ordered)))


def _footprint_room(candidates: np.ndarray, footprint: np.ndarray, boxes: np.ndarray,
                    obstacles: np.ndarray, cap: float = np.inf) -> np.ndarray:
    """For each candidate centre, the distance from its footprint to the nearest obstacle.

    Obstacle points farther than `cap` from the footprint are not looked at.
    """
    room = np.full(len(candidates), np.inf)
    for offset_x, offset_y, half_w, half_h in footprint:
        centres = candidates + np.array([offset_x, offset_y])
        half = np.array([half_w, half_h])
        if len(boxes) > 64:  # only the boxes whose centres are near
            from scipy.spatial import cKDTree

            bound = float(np.linalg.norm(half) + np.linalg.norm(boxes[:, 2:], axis=1).max()
                          + min(cap, 1e9))
            _, which = cKDTree(boxes[:, :2]).query(centres, k=32, distance_upper_bound=bound)
            found = which < len(boxes)
            near = boxes[np.where(found, which, 0)]
            gaps = np.abs(centres[:, None, :] - near[..., :2]) - half - near[..., 2:]
            gap = np.where(found, np.linalg.norm(np.maximum(gaps, 0), axis=2), np.inf)
            room = np.minimum(room, np.minimum(gap.min(axis=1), cap))
        elif len(boxes):
            gaps = (np.abs(centres[:, None, :] - boxes[None, :, :2])
                    - half - boxes[None, :, 2:])
            room = np.minimum(room, np.linalg.norm(np.maximum(gaps, 0), axis=2).min(axis=1))
        if len(obstacles):
            room = np.minimum(room, _points_room(obstacles, centres, half, cap))
    return room


def _points_room(obstacles: np.ndarray, centres: np.ndarray, half: np.ndarray,
                 cap: float) -> np.ndarray:
    """Distance from boxes of half size `half` at `centres` to the nearest obstacle point.

    Only points within `cap` of a box count; farther room is reported as `cap`.
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(obstacles)
    bound = float(np.linalg.norm(half)) + cap
    k = min(len(obstacles), 48)
    distance, which = tree.query(centres, k=k, distance_upper_bound=bound)
    distance, which = distance.reshape(len(centres), -1), which.reshape(len(centres), -1)
    found = which < len(obstacles)
    near = obstacles[np.where(found, which, 0)]                     # (c, k, 2)
    gaps = np.maximum(np.abs(near - centres[:, None, :]) - half, 0)
    room = np.where(found, np.linalg.norm(gaps, axis=2), cap)
    return np.minimum(room.min(axis=1), cap)


def _find_loop(cld: CausalLoopDiagram, loops: Sequence[Loop], wanted: Any) -> Loop:
    """The loop `wanted` names: by name, story name, or a Loop of this diagram."""
    key = getattr(wanted, "name", wanted)
    variables = getattr(wanted, "variables", None)
    for loop in loops:
        if variables is not None and tuple(loop.variables) == tuple(variables):
            return loop
        if variables is None and key in (loop.name, loop.story):
            return loop
    known = [loop.name for loop in loops] + [loop.story for loop in loops if loop.story]
    where = f"diagram {cld.title!r}" if cld.title else "the diagram"
    raise UnknownNameError(str(key), known, kind="loop", where=where)


def _checked_positions(cld: CausalLoopDiagram, positions: Mapping[str, Any]
                       ) -> dict[str, np.ndarray]:
    """The given positions as arrays, in the diagram's order; complain about bad ones."""
    unknown = [name for name in positions if name not in cld]
    if unknown:
        raise UnknownNameError(str(unknown[0]), [v.name for v in cld.variables],
                               kind="variable", where=f"the layout for {cld._where()}")
    out = {}
    for v in cld.variables:
        if v.name not in positions:
            continue
        try:
            point = np.asarray(positions[v.name], dtype=float).reshape(2)
        except (TypeError, ValueError):
            point = np.array([np.nan, np.nan])
        if not np.isfinite(point).all():
            raise DiagramError(f"the layout gives {v.name!r} the position "
                               f"{positions[v.name]!r}; give two finite numbers (x, y)")
        out[v.name] = point
    return out

"""The placement engine: where each variable of a causal loop diagram goes.

Positions stored with a diagram are kept; the rest are laid out loop by
loop: stress majorization (our own, on numpy) towards distances that make
each short loop a ring, from a few starting circles, keeping the start whose
curved links cross least, then letting tangled variables swap places with
near neighbours. Then names are pushed off each other and off links
(:func:`layout` returns the result; :mod:`csframework.cld.draw` re-exports it).

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> layout(CausalLoopDiagram.from_text("a -> b : +\\nb -> c : +\\nc -> a : -"))
{'a': (0.0, 0.866025), 'b': (1.0, -0.866025), 'c': (-1.0, -0.866025)}
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from csframework import style
from csframework.cld.geometry import (
    ARROW_GAP,
    ARROW_ROOM,
    LABEL_SPACING,
    OVERVIEW_ABOVE,
    bend_array,
    bend_plan,
    label_half_sizes,
    points_per_unit,
    shorten,
    wrap_name,
)

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram
    from csframework.cld.loops import Loop

__all__ = ["layout", "store_positions"]

#: Loops the layout shapes as rings (shortest first) and refers to for bending links.
_LAYOUT_LOOPS = 400
#: Up to this many variables, several starts are laid out and the fewest crossings wins.
MULTI_START = 40
#: How many of those starts are random (seeded) rather than circles along loops.
_RANDOM_STARTS = 3


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
    return place_variables(cld, seed, given_positions(cld))


def store_positions(cld: CausalLoopDiagram, positions: Mapping[str, tuple[float, float]]
                    ) -> None:
    """Keep `positions` with the diagram (:meth:`CausalLoopDiagram.place`), for :func:`draw`."""
    for name, (x, y) in positions.items():
        cld.place(name, x, y)


def given_positions(cld: CausalLoopDiagram) -> dict[str, tuple[float, float]]:
    """Positions stored with the diagram (possibly for some variables only)."""
    stored = cld.positions
    if not stored:
        return {}
    known = {v.name for v in cld.variables}
    return {name: (float(x), float(y)) for name, (x, y) in stored.items() if name in known}


def place_variables(cld: CausalLoopDiagram, seed: int,
                    fixed: Mapping[str, tuple[float, float]] | None = None
                    ) -> dict[str, tuple[float, float]]:
    """What :func:`layout` computes, with the positions `fixed` kept (none by default)."""
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
    loops = layout_loops(cld)
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
    sizes = label_half_sizes({n: wrap_name(shorten(display[n])) for n in names}, theme)
    ppu = points_per_unit(len(names), theme, extent=2.0)
    half = np.array([sizes[n] for n in names]) / ppu
    points = _spread(names, edges, points, half, loop_refs(loops), ppu, theme, pinned=pinned)
    ordered = {v.name: points[names.index(v.name)] for v in cld.variables}
    return {name: (_tidy(x), _tidy(y)) for name, (x, y) in ordered.items()}


#: Loops the layout shapes as rings (shortest first) and refers to for bending links.
_LAYOUT_LOOPS = 400
#: Up to this many variables, several starts are laid out and the fewest crossings wins.
MULTI_START = 40
#: How many of those starts are random (seeded) rather than circles along loops.
_RANDOM_STARTS = 3


def layout_loops(cld: CausalLoopDiagram) -> list[Loop]:
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
    plan = bend_plan(joined, names, loop_refs(loops))
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
    if n <= MULTI_START:
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
    bend = bend_array(plan, points, pairs)[:, None]
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


def loop_refs(loops: Iterable[Loop]) -> dict[tuple[str, str], tuple[str, ...]]:
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
    gap = LABEL_SPACING * unit
    clearance = (ARROW_GAP + 2) * unit
    arrow_room = ARROW_ROOM * unit
    index = {n: i for i, n in enumerate(names)}
    pairs = [(index[a], index[b]) for a, b in edges]
    plan = bend_plan(edges, names, refs)
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
    bend = bend_array(plan, points, ends)[:, None]
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

"""Geometry of a causal loop diagram drawing: text sizes, curves, routing and free room.

Everything here is plain numpy on points in data units (or text sizes in
points): how big a name is when drawn, the quadratic curve of a link, which
way each link bends so that it crosses least and passes through no name
(routing), where a curve leaves a name's box, and where a loop marker finds
room. :mod:`csframework.cld.layout` and :mod:`csframework.cld.scene` build on
it; matplotlib is imported only to measure texts.

Examples
--------
>>> import numpy as np
>>> control_point(np.array([0.0, 0.0]), np.array([2.0, 0.0]), 0.5)
array([ 1., -1.])
>>> shorten("a rather long name", 10)
'a rather…'
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from csframework import style

#: Variable names longer than this many characters are wrapped onto more lines.
WRAP_WIDTH = 14
#: Diagrams with more variables are drawn as an overview: placed, linked and signed, but
#: with no loop markers unless asked for, and coarser name placement (a note says so).
OVERVIEW_ABOVE = 150
#: Names longer than this many characters are shortened in the drawing (with an ellipsis).
MAX_NAME_CHARS = 48
#: Loop story names and titles are shortened beyond these lengths.
MAX_STORY_CHARS = 48
MAX_TITLE_CHARS = 100
#: Arc3 curvature of a link (fraction of its length); a pair a->b, b->a bends more.
LINK_BEND = 0.22
PAIR_BEND = 0.42

# Distances in points (1/72 inch), multiplied by the theme's node font size / 11.
LABEL_PAD = 3.0        # white background around a name
ARROW_GAP = 4.0        # between a name's background and an arrow's end
LABEL_SPACING = 6.0    # least gap between two names in the layout
ARROW_ROOM = 52.0      # least gap between two linked names, room for a readable arrow
HEAD_LENGTH = 9.0
HEAD_WIDTH = 3.6
SIGN_BACK = 5.0        # how far before the arrow tip the sign sits (beyond the head)
SIGN_OFFSET = 8.0      # how far to the side of the curve
DELAY_HALF = 6.5       # half the length of one delay bar
DELAY_SPACING = 2.4    # half the gap between the two delay bars
MARKER_RADIUS = 14.0
LINE_SPACING = 1.1


def shorten(text: str, limit: int | None = None) -> str:
    """`text` cut to `limit` characters with an ellipsis (the diagram keeps the whole name)."""
    limit = MAX_NAME_CHARS if limit is None else limit
    if len(text) <= limit:
        return text
    return text[:limit - 1].rstrip() + "\u2026"


def wrap_name(name: str) -> str:
    """A name broken onto lines of about :data:`WRAP_WIDTH` characters.

    Examples
    --------
    >>> print(wrap_name("quality of the teaching"))
    quality of the
    teaching
    """
    # a word longer than two lines' width is cut in pieces; shorter words stay whole
    words = []
    for word in name.split(" "):
        if len(word) > 2 * WRAP_WIDTH:
            words += [word[i:i + WRAP_WIDTH] for i in range(0, len(word), WRAP_WIDTH)]
        else:
            words.append(word)
    return textwrap.fill(" ".join(words), WRAP_WIDTH, break_long_words=False,
                         break_on_hyphens=False)


def wrap_story(story: str) -> str:
    """A loop's story name, shortened and broken onto lines of 18 characters.

    Examples
    --------
    >>> print(wrap_story("the more we trust, the more we share"))
    the more we trust,
    the more we share
    """
    return textwrap.fill(shorten(story, MAX_STORY_CHARS), 18, break_long_words=True,
                         break_on_hyphens=False)


def text_sizes(texts: Mapping[str, str], font_size: float, **text_kw: Any
               ) -> dict[str, tuple[float, float]]:
    """Width and height in points of each text, as the Agg renderer draws it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(dpi=72)
    renderer = FigureCanvasAgg(figure).get_renderer()
    sizes = {}
    for key, text in texts.items():
        artist = figure.text(0, 0, text, fontsize=font_size, ha="center", va="center",
                             multialignment="center", linespacing=LINE_SPACING, **text_kw)
        box = artist.get_window_extent(renderer)
        sizes[key] = (float(box.width), float(box.height))
        artist.remove()
    return sizes


def label_half_sizes(texts: Mapping[str, str], theme: style.Theme
                     ) -> dict[str, tuple[float, float]]:
    """Half width and half height in points of each name with its background."""
    pad = LABEL_PAD * theme.node_font_size / 11.0
    return {key: (w / 2 + pad, h / 2 + pad)
            for key, (w, h) in text_sizes(texts, theme.node_font_size).items()}


def _layout_inches(n: int, theme: style.Theme) -> float:
    """The size in inches of the [-1, 1] layout box for `n` variables."""
    return float(np.clip(1.55 * math.sqrt(max(n, 1)), 2.4, 18.0)) * theme.node_font_size / 11.0


def points_per_unit(n: int, theme: style.Theme, extent: float) -> float:
    """Points per data unit when a layout of this `extent` is drawn at its natural size."""
    return 72.0 * _layout_inches(n, theme) / extent if extent > 0 else 100.0


def control_point(start: np.ndarray, end: np.ndarray, bend: float) -> np.ndarray:
    """Control point of matplotlib's ``arc3`` curve: positive `bend` curves to the right."""
    d = end - start
    return (start + end) / 2 + bend * np.array([d[1], -d[0]])


def bezier(start: np.ndarray, control: np.ndarray, end: np.ndarray, t: Any) -> np.ndarray:
    """Points of the quadratic Bezier curve at parameters `t` (a number or an array).

    Examples
    --------
    >>> bezier(np.array([0.0, 0.0]), np.array([1.0, 1.0]), np.array([2.0, 0.0]), 0.5)
    array([1. , 0.5])
    """
    t = np.asarray(t, dtype=float)[..., None]
    return (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end


def bezier_tangent(start: np.ndarray, control: np.ndarray, end: np.ndarray,
                   t: float) -> np.ndarray:
    """The unit tangent of the quadratic Bezier curve at `t`.

    Examples
    --------
    >>> bezier_tangent(np.array([0.0, 0.0]), np.array([1.0, 1.0]), np.array([2.0, 0.0]), 0.5)
    array([1., 0.])
    """
    tangent = 2 * (1 - t) * (control - start) + 2 * t * (end - control)
    norm = np.linalg.norm(tangent)
    return tangent / norm if norm else np.array([1.0, 0.0])


def preferred_bends(edges: Iterable[tuple[str, str]], positions: Mapping[str, np.ndarray],
                    refs: Mapping[tuple[str, str], tuple[str, ...]]
                    ) -> dict[tuple[str, str], float]:
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


def bend_plan(edges: Sequence[tuple[str, str]], names: Sequence[str],
              refs: Mapping[tuple[str, str], tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`preferred_bends` needs, as arrays: pair flags and loop-centre weights."""
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


def bend_array(plan: tuple[np.ndarray, np.ndarray], points: np.ndarray,
               ends: np.ndarray) -> np.ndarray:
    """The same bends as :func:`preferred_bends`, for positions given as an array."""
    pair, members = plan
    inner = members @ points
    d = points[ends[:, 1]] - points[ends[:, 0]]
    r = inner - points[ends[:, 0]]
    cross = d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]
    return np.where(pair, PAIR_BEND, np.where(cross >= 0, LINK_BEND, -LINK_BEND))


#: Two arrow heads reaching a name closer than this (degrees) are told apart by a re-bend.
_ARRIVAL_ANGLE = 24.0


def choose_bends(edges: Sequence[tuple[str, str]], centres: Mapping[str, np.ndarray],
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
        control = control_point(start, end, bend)
        return (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end

    def arrival(edge: tuple[str, str], bend: float) -> float:
        start, end = centres[edge[0]], centres[edge[1]]
        v = end - control_point(start, end, bend)
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


def separate_arrivals(edges: Sequence[tuple[str, str]], centres: Mapping[str, np.ndarray],
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
        v = end - control_point(start, end, bend)
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


def box_distance(points: np.ndarray, centres: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Distance from each point (rows) to each axis-aligned box (columns); 0 inside."""
    outside = np.abs(points[:, None, :] - centres[None, :, :]) - half[None, :, :]
    return np.linalg.norm(np.maximum(outside, 0), axis=2)



def signed_area(polygon: np.ndarray) -> float:
    """The area of a polygon, positive when its corners run counter-clockwise.

    Examples
    --------
    >>> signed_area(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]))
    0.5
    """
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))



def crowding_scale(points: np.ndarray, half: np.ndarray, linked: Iterable[tuple[int, int]],
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


def exit_parameter(start: np.ndarray, control: np.ndarray, end: np.ndarray,
                   half: np.ndarray, at_end: bool) -> float:
    """Where the curve crosses the box around its start (or end) node.

    Sampled at 257 points of the half curve: precise to a 500th of the curve.
    """
    centre = end if at_end else start
    t = np.linspace(1.0, 0.5, 257) if at_end else np.linspace(0.0, 0.5, 257)
    inside = (np.abs(bezier(start, control, end, t) - centre) <= half).all(axis=1)
    if inside[-1]:
        return 0.5
    return float(t[int(np.argmin(inside))])


def marker_spot(nodes: np.ndarray, outline: np.ndarray, boxes: np.ndarray,
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

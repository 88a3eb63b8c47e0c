"""The scene of one drawing: every name, arrow, sign, delay mark and loop marker, placed.

:class:`Scene` works in data units, before anything is painted: it measures
the names, bends each link (:mod:`csframework.cld.geometry`), puts each sign
where it is nearest its own arrow head and each loop marker where it covers
nothing, and spreads the drawing out when something finds no room.
:mod:`csframework.cld.artists` paints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework import style
from csframework.cld.geometry import (
    ARROW_GAP,
    ARROW_ROOM,
    DELAY_HALF,
    DELAY_SPACING,
    HEAD_LENGTH,
    LABEL_PAD,
    LABEL_SPACING,
    MARKER_RADIUS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    OVERVIEW_ABOVE,
    SIGN_BACK,
    SIGN_OFFSET,
    bezier,
    bezier_tangent,
    box_distance,
    choose_bends,
    control_point,
    crowding_scale,
    exit_parameter,
    label_half_sizes,
    marker_spot,
    points_per_unit,
    preferred_bends,
    separate_arrivals,
    shorten,
    signed_area,
    text_sizes,
    wrap_name,
    wrap_story,
)
from csframework.cld.layout import (
    MULTI_START,
    given_positions,
    layout_loops,
    loop_refs,
    place_variables,
)
from csframework.errors import DiagramError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram
    from csframework.cld.elements import Link
    from csframework.cld.loops import Loop

__all__ = ["Arrow", "Label", "Marker", "Scene", "checked_positions", "find_loop", "scaled_theme"]

#: Loop markers drawn unless ``show_loops`` asks for another number; a note counts the rest.
MAX_LOOP_MARKERS = 16
_SPREAD_ATTEMPTS = 4    # times a crowded drawing is spread out and placed again
_SPREAD_FACTOR = 1.25


@dataclass
class Label:
    """A variable's name as drawn: its text, centre, half size of the background, colour."""

    name: str
    text: str
    centre: np.ndarray
    half: np.ndarray          # half width, half height of the background, data units
    colour: str


@dataclass
class Arrow:
    """A link as drawn: the whole curve, the part between the two names, colours and width."""

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
        return bezier(self.start, self.control, self.end, t)

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
        tangent = bezier_tangent(self.start, self.control, self.end, t)
        normal = np.array([-tangent[1], tangent[0]])
        towards_control = self.control - (self.start + self.end) / 2
        if np.dot(normal, towards_control) < 0:
            normal = -normal
        return normal


@dataclass
class Marker:
    """A loop marker: the circular arrow inside the loop, its name and its story name."""

    loop: Loop
    centre: np.ndarray
    radius: float
    clockwise: bool
    colour: str
    story: str | None
    story_at: np.ndarray | None   # centre of the story name's text
    fits: bool = True             # False: no free room was found inside the loop



class Scene:
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
        self.title = shorten(title, MAX_TITLE_CHARS) if title else title
        self.hidden_loops = hidden_loops
        self.texts = {v.name: wrap_name(shorten(v.display)) for v in cld.variables}
        self.half_points = label_half_sizes(self.texts, theme)
        self.facets = [f for f in ("self", "others", "world")
                       if any(v.facet == f for v in cld.variables)]
        self.ppu = self._natural_scale()

    # -- building -----------------------------------------------------------------------

    @classmethod
    def build(cls, cld: CausalLoopDiagram, theme: style.Theme, highlight: Any,
              positions: Mapping[str, tuple[float, float]] | None, seed: int,
              show_loops: bool | int, title: str | None) -> Scene:
        overview = len(cld.variables) > OVERVIEW_ABOVE
        loops = cld.loops() if show_loops is not False or highlight is not None else ()
        highlighted = find_loop(cld, loops, highlight) if highlight is not None else None
        limit = MAX_LOOP_MARKERS if show_loops is True else max(0, int(show_loops))
        if overview and show_loops is True:
            limit = 0
        marked = list(loops[:limit])
        if highlighted is not None and highlighted not in marked:
            marked.append(highlighted)
        hidden = len(loops) - len(marked) if show_loops is not False else 0
        positions = checked_positions(cld, positions or {})
        if len(positions) < len(cld.variables):
            positions = {**given_positions(cld), **positions}
            if len(positions) < len(cld.variables):
                positions = place_variables(cld, seed, positions)
            positions = checked_positions(cld, positions)
        scene = cls(cld, theme, positions, loops, marked, highlighted,
                    cld.title if title is None else title, max(hidden, 0))
        scene.overview = overview
        return scene

    def extent(self) -> float:
        points = np.array(list(self.positions.values())) if self.positions else np.zeros((1, 2))
        return float((points.max(axis=0) - points.min(axis=0)).max())

    def _natural_scale(self) -> float:
        """Points per data unit: the layout's planned size, larger if names would crowd."""
        planned = points_per_unit(len(self.positions), self.theme, self.extent())
        names = list(self.positions)
        if len(names) < 2:
            return planned
        points = np.array([self.positions[n] for n in names])
        half = np.array([self.half_points[n] for n in names])
        index = {n: i for i, n in enumerate(names)}
        linked = {(index[k.cause], index[k.effect]) for k in self.cld.links}
        scale = self.theme.node_font_size / 11.0
        needed = crowding_scale(points, half, linked, LABEL_SPACING * scale,
                                ARROW_ROOM * scale)
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
        attempts = _SPREAD_ATTEMPTS if len(self.positions) <= MULTI_START else 1
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

    def _labels(self) -> dict[str, Label]:
        labels = {}
        for v in self.cld.variables:
            colour = style.PALETTE[v.facet] if v.facet else style.PALETTE["text"]
            labels[v.name] = Label(v.name, self.texts[v.name],
                                   np.asarray(self.positions[v.name], dtype=float),
                                   np.array(self.half_points[v.name]) / self.ppu, colour)
        return labels

    def _arrows(self) -> list[Arrow]:
        edges = sorted((link.cause, link.effect) for link in self.cld.links)
        centres = {name: label.centre for name, label in self.labels.items()}
        bends = preferred_bends(edges, centres, loop_refs(layout_loops(self.cld)))
        if getattr(self, "_chosen_bends", None) is not None:
            bends = self._chosen_bends  # spreading out keeps the choice made at first
        elif len(centres) <= MULTI_START:
            halves = {name: label.half for name, label in self.labels.items()}
            bends = self._chosen_bends = choose_bends(edges, centres, halves, bends)
        else:
            bends = separate_arrivals(edges, centres, bends)
        lit = set()
        if self.highlighted is not None:
            v = self.highlighted.variables
            lit = set(zip(v, v[1:] + v[:1], strict=True))
        width = self.theme.line_width * 0.7
        arrows = []
        for link in self.cld.links:
            key = (link.cause, link.effect)
            start, end = centres[link.cause], centres[link.effect]
            control = control_point(start, end, bends[key])
            gap = self.points(ARROW_GAP)
            t0 = exit_parameter(start, control, end, self.labels[link.cause].half + gap, False)
            t1 = exit_parameter(start, control, end, self.labels[link.effect].half + gap, True)
            if t1 - t0 < 0.1:
                t0, t1 = min(t0, 0.45), max(t1, 0.55)
            colour, lw = style.PALETTE["link"], width
            sign_colour = style.PALETTE["negative" if link.is_negative else "positive"]
            if self.highlighted is not None:
                if key in lit:
                    colour, lw = style.PALETTE[self.highlighted.kind], width * 2.0
                else:
                    colour = sign_colour = style.PALETTE["muted"]
            arrows.append(Arrow(link, start, control, end, t0, t1, colour, lw, sign_colour))
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
        reach = self.points(HEAD_LENGTH)
        heads = [a.points(np.linspace(a.t_before_end(reach), a.t1, 12)) for a in self.arrows]
        head_owner = np.concatenate([np.full(len(h), i) for i, h in enumerate(heads)])
        head_tree = cKDTree(np.concatenate(heads))
        k_curves = min(len(owner), 48)
        k_heads = min(len(head_owner), 36)
        big = len(self.labels) > MULTI_START
        offsets = (SIGN_OFFSET,) if big else (SIGN_OFFSET, SIGN_OFFSET * 1.5)
        placed = np.empty((len(self.arrows), 2))
        signs = {}
        for number, arrow in enumerate(self.arrows):
            spots, penalty = [], []
            for back in (0.0, 4.0, 9.0, 15.0, 22.0):
                t = arrow.t_before_end(self.points(HEAD_LENGTH + SIGN_BACK + back))
                point = arrow.points(t)
                outside = arrow.bulge_side(t)
                for side in (1.0, -1.0):
                    for offset in offsets:
                        spots.append(point + side * outside * self.points(offset))
                        penalty.append(back * 0.02 + (0.5 if side < 0 else 0.0)
                                       + (offset - SIGN_OFFSET) * 0.05)
            spots = np.array(spots)
            to_labels = box_distance(spots, centres, halves).min(axis=1) - sign_half
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

    def _delay_mark(self, arrow: Arrow) -> np.ndarray:
        """Two short bars across the middle of the arrow, as an (n, 2) array with NaN breaks."""
        t = arrow.t_middle()
        middle = arrow.points(t)
        tangent = bezier_tangent(arrow.start, arrow.control, arrow.end, t)
        normal = np.array([-tangent[1], tangent[0]])
        half = self.points(DELAY_HALF) * normal
        step = self.points(DELAY_SPACING) * tangent
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

    def _markers(self) -> list[Marker]:
        markers: list[Marker] = []
        arrows = {(a.link.cause, a.link.effect): a for a in self.arrows}
        boxes = [np.concatenate([lb.centre, lb.half]) for lb in self.labels.values()]
        sign_half = self.sign_half()
        boxes += [np.array([*spot, sign_half, sign_half]) for spot in self.signs.values()]
        obstacles = [a.visible(24) for a in self.arrows]
        obstacles += [d[~np.isnan(d).any(axis=1)] for d in self.delays.values()]
        points = np.concatenate(obstacles) if obstacles else np.zeros((0, 2))
        radius = self.points(MARKER_RADIUS)
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
            centre, choice, fits = marker_spot(nodes, outline, near, around, footprints, margin,
                                               others)
            self.crowded |= not fits
            chosen = footprints[choice]
            boxes.extend(np.concatenate([centre + part[:2], part[2:]]) for part in chosen)
            colour = style.PALETTE[loop.kind]
            if self.highlighted is not None and loop.name != self.highlighted.name:
                colour = style.PALETTE["muted"]
            story_at = centre + chosen[1, :2] if loop.story else None
            markers.append(Marker(loop, centre, radius, signed_area(outline) < 0, colour,
                                  loop.story, story_at, fits))
        return markers

    def _story_half_sizes(self) -> dict[str, tuple[float, float]]:
        """Half width and height (data units) of each marked loop's story name."""
        texts = {loop.name: wrap_story(loop.story) for loop in self.marked if loop.story}
        if not texts:
            return {}
        sizes = text_sizes(texts, self.theme.node_font_size * 0.85, fontstyle="italic")
        pad = self.points(LABEL_PAD)
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

    def natural_width(self) -> float:
        """Width in inches of the names' extent at the drawing's natural size."""
        labels = self._labels().values()
        low = min(float(lb.centre[0] - lb.half[0]) for lb in labels)
        high = max(float(lb.centre[0] + lb.half[0]) for lb in labels)
        return (high - low) * self.ppu / 72.0

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


def scaled_theme(theme: style.Theme, factor: float) -> style.Theme:
    """The theme with every font size and line width multiplied by `factor`."""
    from dataclasses import replace

    return replace(theme, font_size=theme.font_size * factor,
                   title_size=theme.title_size * factor, line_width=theme.line_width * factor,
                   node_font_size=theme.node_font_size * factor,
                   sign_font_size=theme.sign_font_size * factor)


def find_loop(cld: CausalLoopDiagram, loops: Sequence[Loop], wanted: Any) -> Loop:
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


def checked_positions(cld: CausalLoopDiagram, positions: Mapping[str, Any]
                      ) -> dict[str, np.ndarray]:
    """The given positions as arrays, in the diagram's order; complain about bad ones."""
    unknown = [name for name in positions if name not in cld]
    if unknown:
        raise UnknownNameError(str(unknown[0]), [v.name for v in cld.variables],
                               kind="variable", where=f"the layout for {cld.where}")
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

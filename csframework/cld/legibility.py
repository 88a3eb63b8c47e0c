"""Is a drawn causal loop diagram legible? Measured on the rendered figure.

:func:`check` looks at a matplotlib figure the way a reader does: it renders
it, takes the extent of every text from the renderer, the path of every link
from its arrow patch and the extent of every loop marker, all in display
coordinates (pixels), and reports what a reader would stumble over:

- two texts that overlap (names, polarity signs, loop names, loop stories,
  the title, notes and legends);
- a loop marker (the circular arrow) that covers a text other than its own
  loop name;
- a link that runs through a name that is not one of its two ends;
- a polarity sign that sits nearer to another link's arrow head than to its own;

and it counts the points where two links cross (a number to keep low, not a
fault in itself). It relies only on the ``gid`` every artist of
:func:`csframework.cld.draw.draw` carries, never on the layout's own idea of
where things are.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> from csframework.cld.legibility import check
>>> cld = CausalLoopDiagram.from_text("trust -> sharing : +\\nsharing -> trust : + delay")
>>> report = check(cld.draw())
>>> report.ok, report.crossings
(True, 0)
>>> report
<Legibility: legible, 0 crossings>
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Legibility", "check"]

#: Texts may touch by this many pixels before they count as overlapping.
TOLERANCE = 0.5
#: Spacing in pixels of the points sampled along each link.
_STEP = 1.5
#: How much of a link's end (pixels, along the curve) counts as its arrow head for signs.
_HEAD_REACH = 26.0

_TEXT_KINDS = ("label", "sign", "loop-label", "loop-story", "title", "loops-note",
               "layout-note", "legend")


@dataclass(frozen=True)
class Legibility:
    """What :func:`check` found in one figure.

    Attributes
    ----------
    overlapping_texts : tuple of (str, str)
        Pairs of gids of texts whose extents overlap.
    covered_texts : tuple of (str, str)
        ``(marker gid, text gid)``: a loop marker drawn over a text.
    links_through_names : tuple of (str, str)
        ``(link gid, label gid)``: a link passing through a name it does not join.
    misplaced_signs : tuple of (str, str)
        ``(sign gid, link gid)``: a sign nearer to that other link's head than to its own.
    crossings : int
        Points where two links cross.
    """

    overlapping_texts: tuple[tuple[str, str], ...] = ()
    covered_texts: tuple[tuple[str, str], ...] = ()
    links_through_names: tuple[tuple[str, str], ...] = ()
    misplaced_signs: tuple[tuple[str, str], ...] = ()
    crossings: int = 0
    crossing_pairs: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def problems(self) -> tuple[str, ...]:
        """Every fault, one sentence each (crossings are not faults)."""
        out = [f"texts overlap: {a} and {b}" for a, b in self.overlapping_texts]
        out += [f"{m} covers {t}" for m, t in self.covered_texts]
        out += [f"{k} runs through {n}" for k, n in self.links_through_names]
        out += [f"{s} is nearer to the head of {k}" for s, k in self.misplaced_signs]
        return tuple(out)

    @property
    def ok(self) -> bool:
        """Whether nothing overlaps, covers, runs through or points the wrong way."""
        return not self.problems

    def __repr__(self) -> str:
        state = "legible" if self.ok else f"{len(self.problems)} problems"
        n = self.crossings
        return f"<Legibility: {state}, {n} crossing{'s' * (n != 1)}>"


def check(figure: Figure) -> Legibility:
    """Render `figure` and measure its legibility (see the module's description).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure drawn by :func:`csframework.cld.draw.draw` (its artists carry gids).

    Returns
    -------
    Legibility

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> c : +\\nc -> a : -")
    >>> check(cld.draw()).problems
    ()
    """
    if figure.canvas is None or not hasattr(figure.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = _texts(figure, renderer)
    links = _links(figure)
    markers = _markers(figure)

    overlapping = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(texts.items(), 2)
                   if _overlap(box_a, box_b)]
    covered = []
    for gid, (low, high) in markers.items():
        own = "loop-label:" + gid.split(":", 1)[1]
        for text, box in texts.items():
            if text != own and _overlap(box, (low, high)):
                covered.append((gid, text))
    labels = {g: box for g, box in texts.items() if g.startswith("label:")}
    through = []
    for key, points in links.items():
        ends = {"label:" + name for name in key.split(":", 1)[1].split("->", 1)}
        for gid, (low, high) in labels.items():
            if gid in ends:
                continue
            inside = ((points > low + TOLERANCE) & (points < high - TOLERANCE)).all(axis=1)
            if inside.any():
                through.append((key, gid))
    misplaced = _misplaced_signs(texts, _heads(figure, links))
    pairs, crossings = _crossings(links)
    return Legibility(tuple(overlapping), tuple(covered), tuple(through), tuple(misplaced),
                      crossings, tuple(pairs))


def _texts(figure: Figure, renderer) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Display extents of every visible, non-empty text the drawing named, by gid."""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for artist in figure.findobj(lambda a: isinstance(a, Text | Legend)):
        gid = artist.get_gid() or ""
        if not gid.startswith(_TEXT_KINDS) or not artist.get_visible():
            continue
        if isinstance(artist, Text) and not artist.get_text().strip():
            continue
        box = artist.get_window_extent(renderer)
        found[gid] = (np.array([box.x0, box.y0]), np.array([box.x1, box.y1]))
    return found


def _sample(patch) -> np.ndarray:
    """Points every ~1.5 pixels along a patch's path, in display coordinates."""
    path = patch.get_path()
    transform = patch.get_transform()
    pieces = []
    for curve, code in path.iter_bezier():
        control = transform.transform(curve.control_points)
        length = float(np.linalg.norm(np.diff(control, axis=0), axis=1).sum())
        n = max(2, int(length / _STEP) + 1)
        t = np.linspace(0, 1, n)
        pieces.append(transform.transform(curve(t)) if code else control)
    return np.concatenate(pieces) if pieces else np.zeros((0, 2))


def _stem(patch) -> np.ndarray:
    """The link's own curve (without its head), in display coordinates."""
    path = getattr(patch, "_path_original", None)
    if path is None:
        return _sample(patch)
    from matplotlib.path import Path

    transform = patch.get_transform()
    pieces = []
    for curve, _ in Path(path.vertices, path.codes).iter_bezier():
        control = transform.transform(curve.control_points)
        length = float(np.linalg.norm(np.diff(control, axis=0), axis=1).sum())
        n = max(2, int(length / _STEP) + 1)
        pieces.append(transform.transform(curve(np.linspace(0, 1, n))))
    return np.concatenate(pieces) if pieces else np.zeros((0, 2))


def _links(figure: Figure) -> dict[str, np.ndarray]:
    from matplotlib.patches import FancyArrowPatch

    return {p.get_gid(): _stem(p) for p in figure.findobj(FancyArrowPatch)
            if (p.get_gid() or "").startswith("link:")}


def _heads(figure: Figure, links: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The outline of each link's arrow head, in display coordinates.

    The head is the filled part of the arrow patch; when matplotlib does not
    say which part that is, the last stretch of the link stands in for it.
    """
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    heads = {}
    for patch in figure.findobj(FancyArrowPatch):
        gid = patch.get_gid() or ""
        if not gid.startswith("link:"):
            continue
        try:
            paths, fillable = patch._get_path_in_displaycoord()
            filled = [p.vertices if p.codes is None else p.vertices[p.codes != Path.CLOSEPOLY]
                      for p, f in zip(paths, fillable, strict=True) if f]
        except (AttributeError, TypeError, ValueError):  # pragma: no cover - other matplotlib
            filled = []
        if filled:
            outline = np.concatenate(filled)
            edges = np.linspace(0, 1, 6)[:, None, None]
            ring = np.vstack([outline, outline[:1]])
            heads[gid] = np.concatenate(ring[:-1] + edges * (ring[1:] - ring[:-1]), axis=0)
        elif len(links.get(gid, ())):
            heads[gid] = _head(links[gid])
    return heads


def _markers(figure: Figure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from matplotlib.patches import FancyArrowPatch

    found = {}
    for patch in figure.findobj(FancyArrowPatch):
        gid = patch.get_gid() or ""
        if gid.startswith("loop-marker:"):
            points = _sample(patch)
            found[gid] = (points.min(axis=0), points.max(axis=0))
    return found


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    (a0, a1), (b0, b1) = a, b
    return bool(((a0 < b1 - TOLERANCE) & (b0 < a1 - TOLERANCE)).all())


def _head(points: np.ndarray) -> np.ndarray:
    """The last stretch of a link, up to its tip."""
    steps = np.linalg.norm(np.diff(points[::-1], axis=0), axis=1)
    reach = np.concatenate([[0.0], np.cumsum(steps)])
    return points[::-1][reach <= _HEAD_REACH]


def _misplaced_signs(texts, heads) -> list[tuple[str, str]]:
    out = []
    for gid, (low, high) in texts.items():
        if not gid.startswith("sign:"):
            continue
        own = "link:" + gid.split(":", 1)[1]
        if own not in heads:
            continue
        centre = (low + high) / 2
        distance = {key: float(np.linalg.norm(head - centre, axis=1).min())
                    for key, head in heads.items()}
        nearest = min(distance, key=lambda k: (distance[k], k != own))
        if nearest != own and distance[nearest] < distance[own] - 0.5:
            out.append((gid, nearest))
    return out


def _crossings(links: Mapping) -> tuple[list[tuple[str, str]], int]:
    """Pairs of links that cross, and the number of crossing points."""
    keys = sorted(links)
    boxes = {k: (links[k].min(axis=0), links[k].max(axis=0)) for k in keys if len(links[k])}
    pairs, total = [], 0
    for a, b in itertools.combinations(boxes, 2):
        (a0, a1), (b0, b1) = boxes[a], boxes[b]
        if ((a0 > b1) | (b0 > a1)).any():
            continue
        n = _segment_crossings(links[a][::3], links[b][::3])
        if n:
            pairs.append((a, b))
            total += n
    return pairs, total


def _segment_crossings(p: np.ndarray, q: np.ndarray) -> int:
    """How many times polyline `p` crosses polyline `q` (proper crossings only)."""
    p0, p1 = p[:-1, None, :], p[1:, None, :]
    q0, q1 = q[None, :-1, :], q[None, 1:, :]
    r, s = p1 - p0, q1 - q0
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    qp = q0 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[..., 0] * s[..., 1] - qp[..., 1] * s[..., 0]) / denom
        u = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / denom
    hit = (np.abs(denom) > 1e-12) & (t >= 0) & (t < 1) & (u >= 0) & (u < 1)
    if not hit.any():
        return 0
    # neighbouring segments may report the same crossing twice: count separate places
    along = np.sort(np.nonzero(hit)[0])
    return int(1 + np.count_nonzero(np.diff(along) > 2))

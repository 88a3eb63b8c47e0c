"""Stock-and-flow diagrams: a model drawn the way Vensim and Stella draw it.

Stocks are boxes, flows are double-line pipes with a valve (a bow-tie across the
pipe) and an arrow head where they pour in, clouds stand for whatever lies
outside the model, auxiliaries and constants are their names, and information
links are thin curved arrows from what an equation uses to what it defines.
A link into a stock is dashed: it sets only the stock's initial value (only
flows change a stock).

The layout is deterministic. Stocks joined by flows form a chain and sit in a
row in the direction of the flows; each further chain gets a row of its own.
A stock's first inflow from outside the model comes in from the left, its
first outflow leaves to the right, any others come in from above and leave
below. Auxiliaries, constants and lookups are then placed one at a time, the
one with most neighbours already placed first, at the free spot nearest to what
they feed and what they use; a spot is free when the name's box (with a margin)
touches no box already taken (stocks, valves, clouds, pipes, names).

A model that has a stored position (:meth:`StockFlowModel.place`, or read from
an XMILE file's ``<views>``) for every stock, flow, auxiliary, constant and
lookup is drawn at those positions instead: pipes run straight from the source
(a stock's edge or a cloud) through the valve to the sink. If only some
elements have one, the stored ones are ignored and the whole layout is computed,
since a partial plan could not keep the computed parts clear of the fixed ones.

Every name shows the element's label ("customer demand"), or its name with
spaces for ``_``. Artists carry gids: ``stock:NAME``, ``flow:NAME`` (the valve),
``pipe:NAME``, ``cloud:source:FLOW`` / ``cloud:sink:FLOW``, ``auxiliary:NAME``,
``constant:NAME``, ``lookup:NAME`` (the invisible box of a name),
``label:NAME`` (every name's text), ``link:A->B`` and ``title``.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> from csframework.sd.diagram import draw, layout
>>> m = StockFlowModel("Bathtub")
>>> _ = m.constant("tap", 5)
>>> _ = m.stock("water", 50, inflows=["inflow"], outflows=["outflow"])
>>> _ = m.flow("inflow", "tap")
>>> _ = m.flow("outflow", "water / 10")
>>> places = layout(m)
>>> places["inflow"][0] < places["water"][0] < places["outflow"][0]
True
>>> fig = draw(m)
>>> sorted(a.get_gid() for a in fig.axes[0].patches if a.get_gid().startswith("cloud:"))
['cloud:sink:outflow', 'cloud:source:inflow']
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import CHAR_WIDTH, LINE, figure_to_png, figure_to_svg, paint, wrap

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.sd.model import StockFlowModel

__all__ = ["draw", "layout", "to_png", "to_svg"]

#: Widest line of a name, in em (names wrap onto more lines beyond it).
NAME_WIDTH = 8.5
STOCK_HEIGHT = 3.6
STOCK_MIN_WIDTH = 7.0
PIPE_MIN = 9.0           # length of a horizontal pipe, stock to stock or cloud
PIPE_VERTICAL = 7.5      # length of a pipe coming in from above or leaving below
CLOUD = 1.3              # radius of a cloud
VALVE = 0.75             # half-width of a valve
GAP = 0.6                # room kept around every name
ROW_GAP = 9.0            # between the rows of stock chains (names fill it)
MARGIN = 1.5
SMALL = 0.9              # size of a flow's or a variable's name, in em
CROSSING_COST = 4.0      # em of extra distance worth one name crossed by a link
ARROW_ROOM = 2.2         # least distance between a name and what it is linked to


def layout(model: StockFlowModel) -> dict[str, tuple[float, float]]:
    """Where each element of `model` goes: the centre of its box or valve, in em.

    Deterministic: the same model always gets the same positions. Origin at
    the bottom left of the drawing; y grows upwards. A model with a stored
    position for every element gets those (rounded like the rest).
    """
    plan = _Plan(model)
    return {name: (round(node.x, 3) + 0.0, round(node.y, 3) + 0.0)
            for name, node in plan.nodes.items()}


def draw(model: StockFlowModel, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Draw the stock-and-flow diagram of `model`; returns the figure.

    Parameters
    ----------
    model : StockFlowModel
    ax : matplotlib Axes, optional
        Draw into these (their limits and aspect are set); a new figure when
        omitted (made without pyplot, so nothing is shown twice).
    title : str, optional
        Default: the model's name. ``""`` for none.
    """
    return paint(_Scene, (model, title), ax)


def to_png(model: StockFlowModel, title: str | None = None) -> bytes:
    """The diagram as PNG bytes, the same bytes every time."""
    return figure_to_png(draw(model, title=title))


def to_svg(model: StockFlowModel, title: str | None = None) -> str:
    """The diagram as SVG text, the same text every time."""
    return figure_to_svg(draw(model, title=title))


# -- the plan: where everything goes -------------------------------------------------------

@dataclass
class _Node:
    """One element's place: its centre and the half sizes of its box, in em."""

    name: str
    kind: str
    text: str
    x: float = 0.0
    y: float = 0.0
    half_w: float = 0.0
    half_h: float = 0.0

    def box(self, pad: float = 0.0) -> tuple[float, float, float, float]:
        return (self.x - self.half_w - pad, self.y - self.half_h - pad,
                self.x + self.half_w + pad, self.y + self.half_h + pad)


@dataclass
class _Pipe:
    """A flow's pipe: points from where it starts to where it pours in."""

    flow: str
    points: list[tuple[float, float]]
    source: str | None        # stock name, or None for a cloud
    sink: str | None
    vertical: bool = False
    label_side: str = "below"  # where the flow's name goes: below or right of the valve


def _inside(points: Any, boxes: Any) -> Any:
    """Which of `points` (n x 2) lie in which of `boxes` (m x 4): an n x m array of bools."""
    x, y = points[:, :1], points[:, 1:]
    return (x > boxes[None, :, 0]) & (x < boxes[None, :, 2]) & (y > boxes[None, :, 1]) & (
        y < boxes[None, :, 3])


def _walk(starts: list[str], after: Mapping[str, list[str]]) -> list[str]:
    """Stocks in the order a depth-first walk along the flows meets them."""
    order: list[str] = []
    todo = list(reversed(starts))
    while todo:
        s = todo.pop()
        if s not in order:
            order.append(s)
            todo.extend(reversed(after[s]))
    return order


def _label_of(element: Any) -> str:
    return element.label or element.name.replace("_", " ")


def _text_size(text: str, size: float) -> tuple[float, float]:
    lines = text.split("\n")
    width = max(len(line) for line in lines) * CHAR_WIDTH * size
    return width / 2, len(lines) * LINE * size / 2


class _Plan:
    """Positions of stocks, pipes, valves, clouds and names for one model."""

    def __init__(self, model: StockFlowModel):
        self.model = model
        self.nodes: dict[str, _Node] = {}
        self.pipes: dict[str, _Pipe] = {}
        self.clouds: dict[str, tuple[float, float]] = {}
        self.taken: list[tuple[float, float, float, float]] = []
        self.owners: list[str] = []     # what each taken box belongs to
        self.segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
        stored = model.positions
        if model.names() and all(name in stored for name in model.names()):
            self._place_stored(stored)
        else:
            self._place_stocks_and_flows()
            self._place_names()

    # -- positions given by the model (StockFlowModel.place, XMILE views) ------------------

    def _place_stored(self, stored: Mapping[str, tuple[float, float]]) -> None:
        """Every element where the model says; pipes run straight from source to valve to sink.

        A cloud sits half a pipe's length beyond the valve, on the side away
        from the stock the flow touches (to the left of a source valve, right
        of a sink valve, when the flow touches no stock).
        """
        model = self.model
        for name in model.names():
            element = model[name]
            size = 1.0 if element.kind == "stock" else SMALL
            text = "\n".join(wrap(_label_of(element), NAME_WIDTH, size))
            if element.kind == "stock":
                hw = max(STOCK_MIN_WIDTH, 2 * _text_size(text, 1.0)[0] + 2.0) / 2
                hh = STOCK_HEIGHT / 2
            elif element.kind == "flow":
                hw = hh = VALVE
            else:
                hw, hh = _text_size(text, SMALL)
            x, y = stored[name]
            self.nodes[name] = _Node(name, element.kind, text, float(x), float(y), hw, hh)
        for node in self.nodes.values():
            if node.kind == "stock":
                self._take(node.name, node.box(0.3))
        for f, (a, b) in self._ends().items():
            valve = self.nodes[f]
            v = (valve.x, valve.y)
            start = self._edge(self.nodes[a], v) if a is not None else None
            end = self._edge(self.nodes[b], v) if b is not None else None
            if start is None:
                start = self._cloud(f"source:{f}", v, end, (-1.0, 0.0))
            if end is None:
                end = self._cloud(f"sink:{f}", v, start, (1.0, 0.0))
            points = [start, v, end]
            if min(math.dist(start, v), math.dist(v, end)) < 1e-6:
                points = [start, end]
            self._pipe(f, points, a, b, vertical=abs(end[1] - start[1]) > abs(end[0] - start[0]),
                       move_valve=False)
        for key, (cx, cy) in self.clouds.items():
            self._take(key.split(":", 1)[1], (cx - 1.5 * CLOUD, cy - CLOUD, cx + 1.5 * CLOUD,
                                              cy + CLOUD))
        for node in self.nodes.values():
            if node.kind not in ("stock", "flow"):
                self._take(node.name, node.box(0.2))

    @staticmethod
    def _edge(node: _Node, toward: tuple[float, float]) -> tuple[float, float]:
        """Where the line from the centre of `node` to `toward` leaves its box."""
        dx, dy = toward[0] - node.x, toward[1] - node.y
        if abs(dx) < 1e-12 and abs(dy) < 1e-12:
            return (node.x + node.half_w, node.y)
        t = min(node.half_w / abs(dx) if dx else math.inf,
                node.half_h / abs(dy) if dy else math.inf, 1.0)
        return (node.x + dx * t, node.y + dy * t)

    def _cloud(self, key: str, valve: tuple[float, float], other: tuple[float, float] | None,
               default: tuple[float, float]) -> tuple[float, float]:
        """Put a cloud beyond `valve`, away from `other`; returns where its pipe touches it."""
        ux, uy = default
        if other is not None and math.dist(valve, other) > 1e-9:
            length = math.dist(valve, other)
            ux, uy = (valve[0] - other[0]) / length, (valve[1] - other[1]) / length
        reach = PIPE_MIN / 2
        self.clouds[key] = (valve[0] + ux * (reach + CLOUD), valve[1] + uy * (reach + CLOUD))
        return (valve[0] + ux * reach, valve[1] + uy * reach)

    # -- stocks and flows ------------------------------------------------------------------

    def _ends(self) -> dict[str, tuple[str | None, str | None]]:
        """Each flow's source and sink stock (None: a cloud)."""
        ends: dict[str, list[str | None]] = {f: [None, None] for f in self.model.flows}
        for stock in self.model.stocks.values():
            for f in stock.outflows:
                if f in ends and ends[f][0] is None:
                    ends[f][0] = stock.name
            for f in stock.inflows:
                if f in ends and ends[f][1] is None:
                    ends[f][1] = stock.name
        return {f: (a, b) for f, (a, b) in ends.items()}

    def _chains(self, ends: Mapping[str, tuple[str | None, str | None]]) -> list[list[str]]:
        """Stocks joined by flows, each chain ordered along its flows."""
        stocks = list(self.model.stocks)
        after: dict[str, list[str]] = {s: [] for s in stocks}
        joined: dict[str, set[str]] = {s: set() for s in stocks}
        for a, b in ends.values():
            if a is not None and b is not None and a != b:
                after[a].append(b)
                joined[a].add(b)
                joined[b].add(a)
        chains, seen = [], set()
        for first in stocks:
            if first in seen:
                continue
            group, todo = set(), [first]
            while todo:
                s = todo.pop()
                if s not in group:
                    group.add(s)
                    todo.extend(sorted(joined[s] - group))
            seen |= group
            fed = {b for a in group for b in after[a]}
            roots = [s for s in stocks if s in group and s not in fed] or [first]
            chains.append(_walk([*roots, *(s for s in stocks if s in group)], after))
        return chains

    def _place_stocks_and_flows(self) -> None:
        model = self.model
        ends = self._ends()
        chains = self._chains(ends)
        for name, flow in model.flows.items():
            text = "\n".join(wrap(_label_of(flow), NAME_WIDTH, SMALL))
            self.nodes[name] = _Node(name, "flow", text, half_w=VALVE, half_h=VALVE)
        flow_half = {f: _text_size(self.nodes[f].text, SMALL)[0] for f in model.flows}

        def pipe_length(flow: str) -> float:
            return max(PIPE_MIN, 2 * flow_half[flow] + 2 * GAP + 2.0)

        y = 0.0
        placed_flows: set[str] = set()
        for chain in chains:
            index = {s: i for i, s in enumerate(chain)}
            # the slots of every stock: which flow uses its left and right side
            left: dict[str, str] = {}
            right: dict[str, str] = {}
            for f, (a, b) in ends.items():
                if (a in index and b in index and index[b] == index[a] + 1
                        and a not in right and b not in left):
                    right[a], left[b] = f, f
            for s in chain:
                stock = model.stocks[s]
                for f in stock.inflows:
                    if ends.get(f, (None, None))[0] is None and s not in left:
                        left[s] = f
                for f in stock.outflows:
                    if ends.get(f, (None, None))[1] is None and s not in right:
                        right[s] = f
            x = 0.0
            for i, s in enumerate(chain):
                stock = model.stocks[s]
                text = "\n".join(wrap(_label_of(stock), NAME_WIDTH))
                half_w = max(STOCK_MIN_WIDTH, 2 * _text_size(text, 1.0)[0] + 2.0) / 2
                if s in left and (i == 0 or right.get(chain[i - 1]) != left[s]):
                    x += pipe_length(left[s]) + 2 * CLOUD       # cloud on the left
                elif i > 0:
                    x += pipe_length(left[s]) if s in left else 4.0
                node = _Node(s, "stock", text, x + half_w, y, half_w, STOCK_HEIGHT / 2)
                self.nodes[s] = node
                x += 2 * half_w
                if s in right and ends[right[s]][1] is None:
                    x += pipe_length(right[s]) + 2 * CLOUD
            # horizontal pipes
            for s in chain:
                node = self.nodes[s]
                if s in left and left[s] not in placed_flows:
                    f = left[s]
                    a = ends[f][0]
                    if a is not None and a in index:
                        start = self.nodes[a].x + self.nodes[a].half_w
                        self._pipe(f, [(start, y), (node.x - node.half_w, y)], a, s)
                    else:
                        end = node.x - node.half_w
                        cloud = (end - pipe_length(f) - CLOUD, y)
                        self.clouds[f"source:{f}"] = cloud
                        self._pipe(f, [(cloud[0] + CLOUD, y), (end, y)], None, s)
                    placed_flows.add(f)
                if s in right and right[s] not in placed_flows and ends[right[s]][1] is None:
                    f = right[s]
                    start = node.x + node.half_w
                    cloud = (start + pipe_length(f) + CLOUD, y)
                    self.clouds[f"sink:{f}"] = cloud
                    self._pipe(f, [(start, y), (cloud[0] - CLOUD, y)], s, None)
                    placed_flows.add(f)
            # vertical pipes: further inflows from above, further outflows below
            for s in chain:
                node = self.nodes[s]
                top = [f for f in model.stocks[s].inflows
                       if f in ends and f not in placed_flows and ends[f][0] is None]
                bottom = [f for f in model.stocks[s].outflows
                          if f in ends and f not in placed_flows and ends[f][1] is None]
                for side, flows in ((1, top), (-1, bottom)):
                    for k, f in enumerate(flows):
                        px = node.x + (k - (len(flows) - 1) / 2) * min(3.0, node.half_w)
                        edge = node.y + side * node.half_h
                        far = edge + side * PIPE_VERTICAL
                        cloud = (px, far + side * CLOUD)
                        if side == 1:
                            self.clouds[f"source:{f}"] = cloud
                            self._pipe(f, [(px, far), (px, edge)], None, s, vertical=True)
                        else:
                            self.clouds[f"sink:{f}"] = cloud
                            self._pipe(f, [(px, edge), (px, far)], s, None, vertical=True)
                        placed_flows.add(f)
            # stock-to-stock flows that are not between neighbours: over the top or beneath
            for f, (a, b) in ends.items():
                if f in placed_flows or a not in index or b not in index:
                    continue
                na, nb = self.nodes[a], self.nodes[b]
                side = 1 if index[b] > index[a] else -1
                lift = side * (STOCK_HEIGHT / 2 + 3.0)
                ya, yb = na.y + side * na.half_h, nb.y + side * nb.half_h
                self._pipe(f, [(na.x + 1.0, ya), (na.x + 1.0, y + lift), (nb.x - 1.0, y + lift),
                               (nb.x - 1.0, yb)], a, b)
                placed_flows.add(f)
            below = min((p[1] for pipe in self.pipes.values() for p in pipe.points),
                        default=y - STOCK_HEIGHT / 2)
            below = min(below, y - STOCK_HEIGHT / 2)
            below = min([below, *(cy - CLOUD for cy in (c[1] for c in self.clouds.values()))])
            y = below - ROW_GAP - STOCK_HEIGHT / 2 - self._room_above(chains, chain)
        # flows that belong to no stock: a valve between two clouds, in a row of their own
        x = 0.0
        for f in model.flows:
            if f in placed_flows:
                continue
            length = pipe_length(f)
            self.clouds[f"source:{f}"] = (x + CLOUD, y)
            self.clouds[f"sink:{f}"] = (x + 3 * CLOUD + length, y)
            self._pipe(f, [(x + 2 * CLOUD, y), (x + 2 * CLOUD + length, y)], None, None)
            x += length + 4 * CLOUD + 4.0
        for node in self.nodes.values():
            if node.kind == "stock":
                self._take(node.name, node.box(0.3))
        for key, (cx, cy) in self.clouds.items():
            self._take(key.split(":", 1)[1], (cx - 1.5 * CLOUD, cy - CLOUD, cx + 1.5 * CLOUD,
                                              cy + CLOUD))

    def _take(self, owner: str, box: tuple[float, float, float, float]) -> None:
        self.taken.append(box)
        self.owners.append(owner)

    def _room_above(self, chains: list[list[str]], done: list[str]) -> float:
        """How far the next chain's pipes rise above its stocks (0 if none come from above)."""
        later = chains[chains.index(done) + 1:] if done in chains else []
        if not later:
            return 0.0
        stocks = self.model.stocks
        ends = self._ends()
        for s in later[0]:
            inflows = [f for f in stocks[s].inflows if f in ends]
            cloud_in = [f for f in inflows if ends[f][0] is None]
            if len(cloud_in) > 1 or (cloud_in and len(inflows) > len(cloud_in)):
                return PIPE_VERTICAL + 2 * CLOUD
        return 0.0

    def _pipe(self, flow: str, points: list[tuple[float, float]], source: str | None,
              sink: str | None, vertical: bool = False, move_valve: bool = True) -> None:
        pipe = _Pipe(flow, points, source, sink, vertical,
                     "right" if vertical else "below")
        self.pipes[flow] = pipe
        node = self.nodes[flow]
        if move_valve:
            # the valve sits in the middle of the longest straight stretch
            (x0, y0), (x1, y1) = max(itertools.pairwise(points),
                                     key=lambda seg: math.dist(seg[0], seg[1]))
            node.x, node.y = (x0 + x1) / 2, (y0 + y1) / 2
            if abs(x1 - x0) < abs(y1 - y0):
                pipe.vertical, pipe.label_side = True, "right"
        for (ax_, ay), (bx, by) in itertools.pairwise(points):
            self._take(f"pipe:{flow}", (min(ax_, bx) - 0.4, min(ay, by) - 0.4,
                              max(ax_, bx) + 0.4, max(ay, by) + 0.4))
        self._take(flow, node.box(0.3))
        self._take(f"label:{flow}", self.flow_label_box(flow))

    def flow_label_box(self, flow: str) -> tuple[float, float, float, float]:
        """The box of a flow's name: beneath a horizontal valve, right of a vertical one."""
        node = self.nodes[flow]
        hw, hh = _text_size(node.text, SMALL)
        if self.pipes[flow].label_side == "right":
            x0 = node.x + VALVE + 0.5
            return (x0, node.y - hh, x0 + 2 * hw, node.y + hh)
        y1 = node.y - VALVE - 0.4
        return (node.x - hw, y1 - 2 * hh, node.x + hw, y1)

    # -- auxiliaries, constants and lookups -------------------------------------------------

    def links(self) -> list[tuple[str, str, bool]]:
        """Information links ``(cause, effect, initial)``; `initial` for a stock's initial value."""
        model = self.model
        found = []
        for name in model.names():
            element = model[name]
            if element.kind in ("flow", "auxiliary", "stock"):
                uses = model.equation(name).dependencies
            else:
                continue
            for cause in dict.fromkeys(uses):
                if cause in model and cause != name:
                    found.append((cause, name, element.kind == "stock"))
        return found

    def bend(self, cause: str, effect: str) -> float:
        """The curvature of a link (matplotlib's ``arc3`` rad) that crosses fewest boxes."""
        import numpy as np

        a, b = self.nodes[cause], self.nodes[effect]
        start, end = np.array([a.x, a.y]), np.array([b.x, b.y])
        boxes = np.array([box for box, owner in zip(self.taken, self.owners, strict=True)
                          if owner not in (cause, effect)]).reshape(-1, 4)
        ends = np.array([a.box(0.2), b.box(0.2)])
        t = np.linspace(0.0, 1.0, 41)[:, None]
        best = (math.inf, 0.25)
        for rad in (0.25, -0.25, 0.5, -0.5, 0.0, 0.8, -0.8):
            d = end - start
            control = (start + end) / 2 + rad * np.array([d[1], -d[0]])
            curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end
            outside = ~_inside(curve, ends).any(axis=1)
            hits = _inside(curve[outside], boxes).sum()
            score = hits + abs(rad) * 0.5
            if score < best[0] - 1e-9:
                best = (score, rad)
        return best[1]

    def _place_names(self) -> None:
        model = self.model
        names = [n for n in model.names() if model[n].kind in ("auxiliary", "constant", "lookup")]
        if not names:
            return
        neighbours: dict[str, list[str]] = {n: [] for n in model.names()}
        for cause, effect, _ in self.links():
            neighbours[cause].append(effect)
            neighbours[effect].append(cause)
        for n in names:
            text = "\n".join(wrap(_label_of(model[n]), NAME_WIDTH, SMALL))
            hw, hh = _text_size(text, SMALL)
            self.nodes[n] = _Node(n, model[n].kind, text, half_w=hw, half_h=hh)
        placed = {n for n, node in self.nodes.items() if node.kind in ("stock", "flow")}
        todo = list(names)
        while todo:
            # the name with most placed neighbours next; ties in the model's order
            best = max(todo, key=lambda n: (sum(m in placed for m in neighbours[n]),
                                            -todo.index(n)))
            todo.remove(best)
            self._place_one(self.nodes[best], [self.nodes[m] for m in neighbours[best]
                                               if m in placed])
            placed.add(best)

    def _place_one(self, node: _Node, anchors: list[_Node]) -> None:
        import numpy as np

        boxes = np.array(self.taken) if self.taken else np.zeros((0, 4))
        # keep clear of what it is linked to, so that every arrow has a visible length
        room = np.array([a.box(ARROW_ROOM) for a in anchors]).reshape(-1, 4)
        boxes = np.concatenate([boxes, room])
        if anchors:
            target = np.array([[a.x, a.y] for a in anchors])
        elif not len(boxes):  # the first name of a model of names only
            target = np.zeros((1, 2))
        else:
            lo, hi = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
            target = np.array([[(lo[0] + hi[0]) / 2, lo[1] - 3.0]])
        centre = target.mean(axis=0)
        hw, hh = node.half_w + GAP, node.half_h + GAP
        best = None
        for radius in np.arange(0.0, 80.0, 1.0):
            # candidates on a square ring around the neighbours' centre, 0.5 em apart
            if radius == 0:
                ring = np.array([[0.0, 0.0]])
            else:
                steps = np.arange(-radius, radius + 0.25, 0.5)
                ring = np.concatenate([
                    np.stack([steps, np.full_like(steps, radius)], axis=1),
                    np.stack([steps, np.full_like(steps, -radius)], axis=1),
                    np.stack([np.full_like(steps, radius), steps], axis=1),
                    np.stack([np.full_like(steps, -radius), steps], axis=1)])
            spots = centre + ring
            x, y = spots[:, :1], spots[:, 1:]
            clash = ((x - hw < boxes[None, :, 2]) & (x + hw > boxes[None, :, 0])
                     & (y - hh < boxes[None, :, 3]) & (y + hh > boxes[None, :, 1])).any(axis=1)
            free = spots[~clash]
            if len(free):
                cost = np.linalg.norm(free[:, None, :] - target[None, :, :], axis=2).sum(axis=1)
                # crossings are counted for the nearest few spots only: the rest cannot win
                near = np.argsort(cost, kind="stable")[:24]
                free, cost = free[near], cost[near]
                cost = cost + CROSSING_COST * self._crossings(free, hw, hh, target, anchors)
                order = np.lexsort((free[:, 1], free[:, 0], np.round(cost, 6)))
                choice = free[order[0]]
                if best is None or cost[order[0]] < best[0] - 1e-9:
                    best = (float(cost[order[0]]), choice)
                if radius > 2 and best is not None and radius > best[0] / max(len(target), 1) + 2:
                    break
        assert best is not None
        node.x, node.y = float(best[1][0]), float(best[1][1])
        self._take(node.name, node.box(0.2))
        for anchor in anchors:
            self.segments.append(((node.x, node.y), (anchor.x, anchor.y)))

    def _crossings(self, spots: Any, hw: float, hh: float, target: Any,
                   anchors: list[_Node]) -> Any:
        """For each spot: names its links would cross, plus links its name would sit on."""
        import numpy as np

        mine = {a.name for a in anchors}
        boxes = np.array([box for box, owner in zip(self.taken, self.owners, strict=True)
                          if owner not in mine]).reshape(-1, 4)
        t = np.linspace(0.2, 0.8, 7)[None, None, :, None]
        along = spots[:, None, None, :] * (1 - t) + target[None, :, None, :] * t
        flat = along.reshape(-1, 2)
        hits = _inside(flat, boxes).any(axis=1).reshape(len(spots), -1).sum(axis=1)
        if self.segments:
            ends = np.array(self.segments)                      # k x 2 x 2
            u = np.linspace(0.15, 0.85, 9)[None, :, None]
            points = (ends[:, :1, :] * (1 - u) + ends[:, 1:, :] * u).reshape(-1, 2)
            sx, sy = spots[:, :1], spots[:, 1:]
            covered = ((np.abs(points[None, :, 0] - sx) < hw)
                       & (np.abs(points[None, :, 1] - sy) < hh)).sum(axis=1)
            hits = hits + covered
        return hits


# -- the picture ----------------------------------------------------------------------------

class _Scene:
    """Lays a model out and paints it on em axes (see :func:`csframework._drawing.paint`)."""

    def __init__(self, subject: tuple[StockFlowModel, str | None], theme: style.Theme):
        model, title = subject
        self.model = model
        self.theme = theme
        self.plan = _Plan(model)
        self.title = model.name if title is None else title
        boxes = list(self.plan.taken)
        for node in self.plan.nodes.values():
            boxes.append(node.box(0.3))
        x0 = min(b[0] for b in boxes) if boxes else 0.0
        y0 = min(b[1] for b in boxes) if boxes else 0.0
        x1 = max(b[2] for b in boxes) if boxes else 10.0
        y1 = max(b[3] for b in boxes) if boxes else 4.0
        title_room = 2.6 if self.title else 0.0
        title_width = len(self.title) * CHAR_WIDTH * theme.title_size / theme.font_size
        self.dx, self.dy = MARGIN - x0, MARGIN - y0
        self.width = max(x1 - x0, title_width) + 2 * MARGIN
        self.height = y1 - y0 + 2 * MARGIN + title_room

    def at(self, x: float, y: float) -> tuple[float, float]:
        return x + self.dx, y + self.dy

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import FancyArrowPatch, Rectangle

        plan, size = self.plan, self.theme.font_size
        ink, link = style.PALETTE["text"], style.PALETTE["link"]
        boxes: dict[str, Rectangle] = {}
        for name, node in plan.nodes.items():
            x0, y0, x1, y1 = node.box()
            px, py = self.at(x0, y0)
            if node.kind == "stock":
                box = Rectangle((px, py), x1 - x0, y1 - y0, facecolor="white", edgecolor=ink,
                                linewidth=size * 0.13, zorder=3, gid=f"stock:{name}")
                ax.add_patch(box)
                ax.text(*self.at(node.x, node.y), node.text, ha="center", va="center",
                        fontsize=size, color=ink, zorder=4, gid=f"label:{name}", parse_math=False,
                        linespacing=1.15)
            elif node.kind != "flow":
                box = Rectangle((px, py), x1 - x0, y1 - y0, fill=False, linewidth=0,
                                visible=False, gid=f"{node.kind}:{name}")
                ax.add_patch(box)
                colour = ink if node.kind == "auxiliary" else link
                ax.text(*self.at(node.x, node.y), node.text, ha="center", va="center",
                        fontsize=size * SMALL, color=colour, zorder=4, gid=f"label:{name}",
                        parse_math=False, linespacing=1.15)
            else:
                pad = 0.25
                box = Rectangle((px - pad, py - pad), x1 - x0 + 2 * pad, y1 - y0 + 2 * pad,
                                visible=False, gid=f"valve-box:{name}")
                ax.add_patch(box)
            boxes[name] = box
        for pipe in plan.pipes.values():
            self._paint_pipe(ax, pipe)
        for key, (cx, cy) in plan.clouds.items():
            self._paint_cloud(ax, key, *self.at(cx, cy))
        for cause, effect, initial in plan.links():
            path = self._link_path(cause, effect)
            if path is None:
                continue
            arrow = FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=size * 0.9,
                                    linewidth=size * 0.07, color=link,
                                    linestyle=(0, (4, 3)) if initial else "solid", zorder=2,
                                    gid=f"link:{cause}->{effect}")
            ax.add_patch(arrow)
        if self.title:
            ax.text(MARGIN, self.height - MARGIN * 0.6, self.title, ha="left", va="top",
                    fontsize=self.theme.title_size, color=ink, fontweight="bold", gid="title",
                    parse_math=False)

    def _link_path(self, cause: str, effect: str) -> Any:
        """The curve of a link, from the edge of its cause's box to the edge of its effect's.

        Clipped here rather than by matplotlib (``patchA``/``patchB``), which
        is slow for many links: the arc (``arc3`` with the plan's bend) is
        sampled, cut where it leaves the one box and enters the other, and the
        piece kept is the same quadratic Bezier curve restricted to that span.
        """
        import numpy as np
        from matplotlib.path import Path

        plan = self.plan
        a, b = plan.nodes[cause], plan.nodes[effect]
        p0, p2 = np.array([a.x, a.y]), np.array([b.x, b.y])
        d = p2 - p0
        p1 = (p0 + p2) / 2 + plan.bend(cause, effect) * np.array([d[1], -d[0]])
        t = np.linspace(0.0, 1.0, 201)[:, None]
        curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
        pads = {"stock": 0.35, "flow": 0.4}
        in_a = _inside(curve, np.array([a.box(pads.get(a.kind, 0.3))]))[:, 0]
        in_b = _inside(curve, np.array([b.box(pads.get(b.kind, 0.3))]))[:, 0]
        free = np.flatnonzero(~in_a & ~in_b)
        if len(free) < 2:
            return None
        t0, t1 = float(t[free[0], 0]), float(t[free[-1], 0])
        start = (1 - t0) ** 2 * p0 + 2 * (1 - t0) * t0 * p1 + t0 ** 2 * p2
        end = (1 - t1) ** 2 * p0 + 2 * (1 - t1) * t1 * p1 + t1 ** 2 * p2
        control = ((1 - t0) * (1 - t1) * p0 + ((1 - t0) * t1 + t0 * (1 - t1)) * p1
                   + t0 * t1 * p2)
        points = [self.at(*start), self.at(*control), self.at(*end)]
        return Path(points, [Path.MOVETO, Path.CURVE3, Path.CURVE3])

    def _paint_pipe(self, ax: Axes, pipe: _Pipe) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Polygon

        size = self.theme.font_size
        ink = style.PALETTE["text"]
        points = [self.at(x, y) for x, y in pipe.points]
        # the arrow head pours into the sink: stop the pipe short of it
        (ex, ey), (px, py) = points[-1], points[-2]
        length = math.dist((ex, ey), (px, py)) or 1.0
        ux, uy = (ex - px) / length, (ey - py) / length
        head = 1.1
        shaft = [*points[:-1], (ex - ux * head * 0.9, ey - uy * head * 0.9)]
        xs, ys = zip(*shaft, strict=True)
        ax.add_line(Line2D(xs, ys, color=ink, linewidth=size * 0.55, solid_capstyle="butt",
                           solid_joinstyle="miter", zorder=2.5, gid=f"pipe:{pipe.flow}"))
        ax.add_line(Line2D(xs, ys, color="white", linewidth=size * 0.3, solid_capstyle="butt",
                           solid_joinstyle="miter", zorder=2.6, gid=f"pipe-inside:{pipe.flow}"))
        nx_, ny_ = -uy, ux
        tip = (ex, ey)
        base = (ex - ux * head, ey - uy * head)
        wing = 0.75
        ax.add_patch(Polygon([tip, (base[0] + nx_ * wing, base[1] + ny_ * wing),
                              (base[0] - nx_ * wing, base[1] - ny_ * wing)], closed=True,
                             facecolor="white", edgecolor=ink, linewidth=size * 0.1,
                             zorder=2.7, gid=f"pipe-head:{pipe.flow}"))
        node = self.plan.nodes[pipe.flow]
        vx, vy = self.at(node.x, node.y)
        w = VALVE
        if pipe.vertical:
            corners = [(vx - w, vy + w), (vx - w, vy - w), (vx + w, vy + w), (vx + w, vy - w)]
        else:
            corners = [(vx - w, vy + w), (vx + w, vy + w), (vx - w, vy - w), (vx + w, vy - w)]
        ax.add_patch(Polygon(corners, closed=True, facecolor="white", edgecolor=ink,
                             linewidth=size * 0.1, zorder=3, gid=f"flow:{pipe.flow}"))
        x0, y0, x1, y1 = self.plan.flow_label_box(pipe.flow)
        lx, ly = self.at((x0 + x1) / 2, (y0 + y1) / 2)
        ax.text(lx, ly, node.text, ha="center", va="center", fontsize=size * SMALL, color=ink,
                zorder=4, gid=f"label:{pipe.flow}", linespacing=1.15, parse_math=False)

    def _paint_cloud(self, ax: Axes, key: str, cx: float, cy: float) -> None:
        from matplotlib.patches import Circle

        size = self.theme.font_size
        ink = style.PALETTE["link"]
        puffs = [(-0.75, 0.0, 0.6), (-0.25, 0.45, 0.6), (0.4, 0.4, 0.65), (0.8, -0.05, 0.55),
                 (0.1, -0.35, 0.6), (-0.45, -0.35, 0.5)]
        for i, (px, py, r) in enumerate(puffs):
            ax.add_patch(Circle((cx + px * CLOUD, cy + py * CLOUD), r * CLOUD, facecolor="white",
                                edgecolor=ink, linewidth=size * 0.09, zorder=3,
                                gid=f"cloud:{key}" if i == 0 else f"cloud-puff:{key}"))
        for px, py, r in puffs:
            ax.add_patch(Circle((cx + px * CLOUD, cy + py * CLOUD), r * CLOUD * 0.93,
                                facecolor="white", edgecolor="none", zorder=3.1,
                                gid=f"cloud-fill:{key}"))


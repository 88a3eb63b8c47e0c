"""Where each part of a stock-and-flow diagram goes: the layout of :mod:`csframework.sd.diagram`.

:class:`DiagramPlan` places stocks, pipes, valves, clouds and names, in em with
y pointing up (the conventions and rules are described in
:mod:`csframework.sd.diagram`); :func:`layout` gives the centre of each
element.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("Bathtub")
>>> _ = m.stock("water", 50, outflows=["outflow"])
>>> _ = m.flow("outflow", "water / 10")
>>> sorted(DiagramPlan(m).pipes), layout(m)["water"][0] < layout(m)["outflow"][0]
(['outflow'], True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework._drawing import CHAR_WIDTH, LINE, wrap

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel

__all__ = ["ARROW_ROOM", "CLOUD", "CROSSING_COST", "GAP", "MARGIN", "NAME_WIDTH", "PIPE_MIN",
           "PIPE_VERTICAL", "ROW_GAP", "SMALL", "STOCK_HEIGHT", "STOCK_MIN_WIDTH", "VALVE",
           "DiagramPlan", "Node", "Pipe", "inside", "layout"]

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
    plan = DiagramPlan(model)
    return {name: (round(node.x, 3) + 0.0, round(node.y, 3) + 0.0)
            for name, node in plan.nodes.items()}


@dataclass
class Node:
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
class Pipe:
    """A flow's pipe: points from where it starts to where it pours in."""

    flow: str
    points: list[tuple[float, float]]
    source: str | None        # stock name, or None for a cloud
    sink: str | None
    vertical: bool = False
    label_side: str = "below"  # where the flow's name goes: below or right of the valve


def inside(points: Any, boxes: Any) -> Any:
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


class DiagramPlan:
    """Positions of stocks, pipes, valves, clouds and names for one model."""

    def __init__(self, model: StockFlowModel):
        self.model = model
        self.nodes: dict[str, Node] = {}
        self.pipes: dict[str, Pipe] = {}
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
            self.nodes[name] = Node(name, element.kind, text, float(x), float(y), hw, hh)
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
    def _edge(node: Node, toward: tuple[float, float]) -> tuple[float, float]:
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
            self.nodes[name] = Node(name, "flow", text, half_w=VALVE, half_h=VALVE)
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
                node = Node(s, "stock", text, x + half_w, y, half_w, STOCK_HEIGHT / 2)
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
        pipe = Pipe(flow, points, source, sink, vertical,
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
            outside = ~inside(curve, ends).any(axis=1)
            hits = inside(curve[outside], boxes).sum()
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
            self.nodes[n] = Node(n, model[n].kind, text, half_w=hw, half_h=hh)
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

    def _place_one(self, node: Node, anchors: list[Node]) -> None:
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
                   anchors: list[Node]) -> Any:
        """For each spot: names its links would cross, plus links its name would sit on."""
        import numpy as np

        mine = {a.name for a in anchors}
        boxes = np.array([box for box, owner in zip(self.taken, self.owners, strict=True)
                          if owner not in mine]).reshape(-1, 4)
        t = np.linspace(0.2, 0.8, 7)[None, None, :, None]
        along = spots[:, None, None, :] * (1 - t) + target[None, :, None, :] * t
        flat = along.reshape(-1, 2)
        hits = inside(flat, boxes).any(axis=1).reshape(len(spots), -1).sum(axis=1)
        if self.segments:
            ends = np.array(self.segments)                      # k x 2 x 2
            u = np.linspace(0.15, 0.85, 9)[None, :, None]
            points = (ends[:, :1, :] * (1 - u) + ends[:, 1:, :] * u).reshape(-1, 2)
            sx, sy = spots[:, :1], spots[:, 1:]
            covered = ((np.abs(points[None, :, 0] - sx) < hw)
                       & (np.abs(points[None, :, 1] - sy) < hh)).sum(axis=1)
            hits = hits + covered
        return hits


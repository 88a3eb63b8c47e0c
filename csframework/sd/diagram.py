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

import math
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import CHAR_WIDTH, figure_to_png, figure_to_svg, paint
from csframework.sd.diagram_layout import (
    CLOUD,
    MARGIN,
    SMALL,
    VALVE,
    DiagramPlan,
    Pipe,
    inside,
    layout,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.sd.model import StockFlowModel

__all__ = ["draw", "layout", "to_png", "to_svg"]


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


# -- the picture ----------------------------------------------------------------------------

class _Scene:
    """Lays a model out and paints it on em axes (see :func:`csframework._drawing.paint`)."""

    def __init__(self, subject: tuple[StockFlowModel, str | None], theme: style.Theme):
        model, title = subject
        self.model = model
        self.theme = theme
        self.plan = DiagramPlan(model)
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
        in_a = inside(curve, np.array([a.box(pads.get(a.kind, 0.3))]))[:, 0]
        in_b = inside(curve, np.array([b.box(pads.get(b.kind, 0.3))]))[:, 0]
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

    def _paint_pipe(self, ax: Axes, pipe: Pipe) -> None:
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


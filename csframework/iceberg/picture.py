"""The picture of an iceberg: the ice level by level, the waterline, questions and items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import LINE, wrap
from csframework._text import plural

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from csframework.cld import CausalLoopDiagram
    from csframework.iceberg.core import Iceberg
    from csframework.iceberg.patterns import Behaviour
    from csframework.iceberg.vocabulary import Level

__all__ = ["IcebergScene", "diagram_note"]


def diagram_note(cld: CausalLoopDiagram) -> str:
    """How a diagram on the structures level is written: its title and its loops."""
    found = cld.loops()
    names = ", ".join(loop.name for loop in found[:6]) + (", ..." if len(found) > 6 else "")
    title = cld.title or "causal loop diagram"
    loops = plural(len(found), "loop") + (f": {names}" if found else "")
    return f"[diagram: {title}, {loops}]"


_WARM = {"events": "#FFF1C9", "patterns": "#FBDFA0", "structures": "#F4C77C",
         "mental models": "#E8AC62"}
_WARM_WATER = "#EEF7EE"
_WARM_LINE = "#4E9A62"
_DEEP_TEXT = "#0B2545"
_WARM_TEXT = "#4A2E0C"


class IcebergScene:
    """Layout of an iceberg picture, in em (one unit = the theme's font size)."""

    WIDTH = 60.0
    MARGIN = 1.5
    ICE_LEFT, ICE_RIGHT = 4.0, 21.0
    TEXT_LEFT = 22.0
    SPARK_W, SPARK_H = 14.0, 3.2

    def __init__(self, berg: Iceberg, theme: style.Theme):
        self.berg = berg
        self.theme = theme
        self.aspirational = berg.mode == "aspirational"
        self.title_ratio = theme.title_size / theme.font_size
        self.width = self.WIDTH
        text_width = self.width - self.TEXT_LEFT - self.MARGIN
        self.blocks: dict[str, list[tuple[str, str, Any]]] = {}
        heights = []
        for level in berg.levels:
            block: list[tuple[str, str, Any]] = []
            for line in wrap(level.question, text_width, 1.1):
                block.append(("question", line, None))
            block.append(("gap", "", 0.35))
            items = berg.items(level.name)
            for item in items:
                marker = "?" if item.is_hypothesis else "\u2022"
                for j, line in enumerate(wrap(item.text, text_width - 1.5, 1.0)):
                    block.append(("item", line, (item, marker if j == 0 else "")))
            if level.name == "patterns" and berg.behaviour is not None:
                block.append(("spark", "", berg.behaviour))
            if level.name == "structures" and berg.diagram is not None:
                block.append(("diagram", diagram_note(berg.diagram), None))
            if not items and not any(kind in ("spark", "diagram") for kind, _, _ in block):
                block.append(("empty", "nothing written here yet", None))
            self.blocks[level.name] = block
            heights.append(max(6.5, 1.4 + sum(self._line_height(k, e) for k, _, e in block)))
        self.heights = heights
        self.top_band = 2.2 + LINE * self.title_ratio + LINE * 0.9
        self.bottom_band = 2.6 if any(i.is_hypothesis for i in berg.items()) else 1.2
        self.height = self.top_band + sum(heights) + self.bottom_band
        # y of the boundaries: tops of each level, and the bottom of the last
        tops = [self.height - self.top_band]
        for h in heights:
            tops.append(tops[-1] - h)
        self.bounds = tops
        self.waterline = tops[1]

    def _line_height(self, kind: str, extra: Any) -> float:
        if kind == "gap":
            return float(extra)
        if kind == "spark":
            return self.SPARK_H + 1.9
        return LINE

    # -- colours ----------------------------------------------------------------------

    def colour(self, name: str) -> str:
        return _WARM[name] if self.aspirational else style.PALETTE[name]

    def ink_on(self, name: str) -> str:
        if self.aspirational:
            return _WARM_TEXT
        return _DEEP_TEXT if name == "events" else "white"

    def accent(self, name: str) -> str:
        """Colour of a level's question text (readable on water and sky)."""
        if self.aspirational:
            return {"events": "#8A5A00", "patterns": "#8A5A00", "structures": "#7A4A12",
                    "mental models": "#6B3A10"}[name]
        return {"events": "#1F4E79", "patterns": "#0072B2", "structures": "#1F4E79",
                "mental models": "#0B2545"}[name]

    # -- geometry ---------------------------------------------------------------------

    def half_widths(self) -> list[float]:
        """Half width of the ice at each boundary (top of events ... bottom of mental models)."""
        full = (self.ICE_RIGHT - self.ICE_LEFT) / 2
        return [0.0, full * 0.46, full * 0.70, full * 0.88, full * 0.80]

    def slice_polygon(self, depth: int) -> list[tuple[float, float]]:
        c = (self.ICE_LEFT + self.ICE_RIGHT) / 2
        hw = self.half_widths()
        top, bottom = self.bounds[depth], self.bounds[depth + 1]
        if depth == 0:  # the tip: a slightly lopsided peak
            h = top - bottom
            return [(c - hw[1], bottom), (c - hw[1] * 0.45, bottom + h * 0.62),
                    (c - 0.4, top - 0.3), (c + 0.5, top - 0.6),
                    (c + hw[1] * 0.5, bottom + h * 0.45), (c + hw[1], bottom)]
        if depth == 3:  # the base: widest in the middle, rounded below
            mid = bottom + (top - bottom) * 0.55
            return [(c - hw[3], top), (c - hw[3] * 1.03, mid), (c - hw[4], bottom + 1.0),
                    (c - hw[4] * 0.7, bottom + 0.1), (c + hw[4] * 0.75, bottom + 0.2),
                    (c + hw[4], bottom + 1.2), (c + hw[3] * 1.03, mid), (c + hw[3], top)]
        return [(c - hw[depth], top), (c - hw[depth + 1], bottom),
                (c + hw[depth + 1], bottom), (c + hw[depth], top)]

    # -- painting ---------------------------------------------------------------------

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

        theme, size = self.theme, self.theme.font_size
        water = _WARM_WATER if self.aspirational else style.PALETTE["water"]
        line_colour = _WARM_LINE if self.aspirational else style.PALETTE["patterns"]
        ax.add_patch(Rectangle((0, 0), self.width, self.waterline, facecolor=water,
                               edgecolor="none", zorder=0, gid="water"))
        self._paint_waterline(ax, line_colour)
        # the title
        top = self.height - 1.2
        title = (f"What we want to grow: {self.berg.title}" if self.aspirational
                 else self.berg.title)
        ax.text(self.MARGIN, top, title, fontsize=theme.title_size, fontweight="bold",
                color=style.PALETTE["text"], va="top", ha="left", gid="title")
        subtitle = ("An aspirational iceberg: what we cultivate below grows into what we see"
                    if self.aspirational else
                    "A diagnostic iceberg: looking below what happened for what keeps it going")
        ax.text(self.MARGIN, top - LINE * self.title_ratio - 0.2, subtitle, fontsize=size * 0.9,
                color="#555555", va="top", ha="left", style="italic", gid="subtitle")
        # the ice, level by level
        c = (self.ICE_LEFT + self.ICE_RIGHT) / 2
        for level in self.berg.levels:
            d = level.depth
            ax.add_patch(Polygon(self.slice_polygon(d), closed=True,
                                 facecolor=self.colour(level.name), edgecolor="white",
                                 linewidth=1.5, zorder=2, gid=f"level:{level.name}"))
            top_y, bottom_y = self.bounds[d], self.bounds[d + 1]
            centre = bottom_y + (top_y - bottom_y) * (0.32 if d == 0 else 0.5)
            ink = self.ink_on(level.name)
            title_text = level.title if d != 1 else "Patterns\nand trends"
            lines = title_text.count("\n") + 1
            ax.text(c, centre + 0.15 + (lines - 1) * 0.55, title_text, fontsize=size * 1.08,
                    fontweight="bold", color=ink, ha="center", va="bottom", zorder=4,
                    linespacing=1.1, gid=f"level-label:{level.name}")
            ax.text(c, centre - 0.15 - (lines - 1) * 0.05, level.response,
                    fontsize=size * 0.95, color=ink, style="italic", ha="center", va="top",
                    zorder=4, gid=f"response:{level.name}")
            self._paint_block(ax, level, top_y)
            if d > 0:  # a faint rule between the levels' texts
                ax.plot([self.TEXT_LEFT, self.width - self.MARGIN], [top_y, top_y],
                        color="white", linewidth=1.2, zorder=1, gid=f"rule:{level.name}")
        # the direction of reading
        x = 2.0
        y_low, y_high = self.bounds[-1] + 1.0, self.bounds[0] - 1.5
        if self.aspirational:
            start, end, colour = (x, y_low), (x, y_high), _WARM_LINE
            label = "grows upward from the roots"
        else:
            start, end, colour = (x, y_high), (x, y_low), "#5A7A99"
            label = "look deeper: more leverage"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=size * 1.6,
                                     linewidth=theme.line_width, color=colour, zorder=3,
                                     gid="direction-arrow"))
        ax.text(x - 0.75, (y_low + y_high) / 2, label, rotation=90, fontsize=size * 0.85,
                color=colour, ha="center", va="center", zorder=3, style="italic",
                bbox={"facecolor": water if not self.aspirational else "white",
                      "edgecolor": "none", "pad": 1.5, "alpha": 0.0},
                gid="direction-label")
        if any(i.is_hypothesis for i in self.berg.items()):
            ax.text(self.TEXT_LEFT, 0.9, "\u2022 evidence, seen", fontsize=size * 0.9,
                    color=style.PALETTE["text"], ha="left", va="center", gid="legend:evidence")
            ax.text(self.TEXT_LEFT + 12, 0.9, "? a hypothesis, to check", fontsize=size * 0.9,
                    color="#444444", style="italic", ha="left", va="center",
                    gid="legend:hypothesis")

    def _paint_waterline(self, ax: Axes, colour: str) -> None:
        import numpy as np

        xs = np.linspace(0, self.width, 400)
        ys = self.waterline + 0.18 * np.sin(xs * 2 * np.pi / 3.0)
        ax.plot(xs, ys, color=colour, linewidth=self.theme.line_width * 0.8, zorder=3,
                gid="waterline")
        ax.text(self.width - self.MARGIN, self.waterline + 0.45, "waterline",
                fontsize=self.theme.font_size * 0.8, color=colour, ha="right", va="bottom",
                style="italic", zorder=3, gid="waterline-label")

    def _paint_block(self, ax: Axes, level: Level, top: float) -> None:
        size = self.theme.font_size
        y = top - 0.8
        x = self.TEXT_LEFT
        for kind, text, extra in self.blocks[level.name]:
            if kind == "question":
                ax.text(x, y, text, fontsize=size, color=self.accent(level.name),
                        fontweight="bold", ha="left", va="top", zorder=4,
                        gid=f"question:{level.name}")
            elif kind == "item":
                item, marker = extra
                colour = "#444444" if item.is_hypothesis else style.PALETTE["text"]
                font_style = "italic" if item.is_hypothesis else "normal"
                if marker:
                    ax.text(x + 0.3, y, marker, fontsize=size, color=colour, ha="left",
                            va="top", fontweight="bold", zorder=4,
                            gid=f"marker:{level.name}:{item.text}")
                ax.text(x + 1.5, y, text, fontsize=size, color=colour, style=font_style,
                        ha="left", va="top", zorder=4, gid=f"item:{level.name}:{item.text}")
            elif kind == "empty":
                ax.text(x + 1.5, y, text, fontsize=size * 0.9, color="#777777",
                        style="italic", ha="left", va="top", zorder=4,
                        gid=f"empty:{level.name}")
            elif kind == "diagram":
                ax.text(x + 1.5, y, text, fontsize=size, color=self.accent(level.name),
                        ha="left", va="top", zorder=4, gid="diagram-note")
            elif kind == "spark":
                self._paint_sparkline(ax, extra, x + 1.5, y - 0.3)
            y -= self._line_height(kind, extra)

    def _paint_sparkline(self, ax: Axes, behaviour: Behaviour, x: float, y_top: float) -> None:
        import numpy as np

        w, h = self.SPARK_W, self.SPARK_H
        bottom = y_top - h
        values = np.asarray(behaviour.values, dtype=float)
        times = (np.asarray(behaviour.times, dtype=float) if behaviour.times is not None
                 else np.arange(len(values), dtype=float))
        span_t = float(times.max() - times.min()) or 1.0
        low, high = float(values.min()), float(values.max())
        span_v = (high - low) or 1.0
        if behaviour.pattern is not None:  # sketched shapes use the box's own scale
            low, span_v = 0.0, max(1.0, high)
        xs = x + (times - times.min()) / span_t * w
        ys = bottom + 0.15 * h + (values - low) / span_v * 0.75 * h
        axis = "#6F8FAF" if not self.aspirational else "#9A7A50"
        ax.plot([x, x, x + w], [y_top, bottom, bottom], color=axis, linewidth=1.0, zorder=4,
                gid="sparkline-axes")
        ax.plot(xs, ys, color=style.PALETTE["reinforcing"] if not self.aspirational
                else _WARM_LINE, linewidth=self.theme.line_width, zorder=5,
                solid_capstyle="round", gid="sparkline")
        ax.text(x + w + 0.8, bottom + h / 2, behaviour.describe(),
                fontsize=self.theme.font_size * 0.9, color="#333333", ha="left",
                va="center", style="italic", zorder=4, gid="sparkline-label")

"""The picture of a mandala: the project in the centre, four quadrants of notes around it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from csframework import style
from csframework._drawing import CHAR_WIDTH, LINE, wrap
from csframework.curriculum import DOMAINS
from csframework.mandala.vocabulary import DOMAIN_COLOURS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from csframework.mandala.project import Mandala

__all__ = ["MandalaScene"]


class MandalaScene:
    """Layout of the mandala picture, in em (one unit = the theme's font size).

    Text in a quadrant is wrapped line by line to the chord of the circle at
    that height, so it follows the round edge and keeps clear of the centre.
    """

    RADIUS = 25.0
    INNER = 6.5
    MARGIN = 1.5
    GAP = 0.9          # distance kept from the dividing lines and the circles
    SMALL = 0.9
    MAX_ITEM_LINES = 4  # a long note is cut after this many lines

    #: quadrant of each domain as (x sign, y sign): top left, top right, bottom left, bottom right
    PLACES: ClassVar[Mapping[str, tuple[int, int]]] = MappingProxyType(dict(zip(
        DOMAINS, ((-1, 1), (1, 1), (-1, -1), (1, -1)), strict=True)))

    def __init__(self, mandala: Mandala, theme: style.Theme):
        self.mandala = mandala
        self.theme = theme
        self.title_ratio = theme.title_size / theme.font_size
        self.width = 2 * (self.RADIUS + self.MARGIN)
        heading = f"Mandala for Systems Change: {mandala.project_title}"
        self.title_lines = wrap(heading, self.width - 2 * self.MARGIN, self.title_ratio)
        self.top_band = 1.5 + LINE * self.title_ratio * len(self.title_lines) + 0.5
        self.height = self.top_band + 2 * self.RADIUS + self.MARGIN
        self.cx = self.width / 2
        self.cy = self.MARGIN + self.RADIUS

    # the span of x (as distances from the centre line) free for text at height dy
    def _span(self, dy: float, size: float) -> tuple[float, float]:
        half = abs(dy) + (LINE * size * 0.5)  # the line's farther edge from the centre line
        near = abs(dy) - (LINE * size * 0.5)
        outer = math.sqrt(max(self.RADIUS ** 2 - half ** 2, 0.0)) - self.GAP
        inner_r = self.INNER + self.GAP
        inner = math.sqrt(max(inner_r ** 2 - near ** 2, 0.0)) if near < inner_r else 0.0
        return max(inner, self.GAP), outer

    def _lines(self, text: str, rows: list[float], size: float) -> list[tuple[float, str]]:
        """Greedy wrap of `text` over the given rows (heights from the centre line)."""
        words = text.split()
        placed: list[tuple[float, str]] = []
        for dy in rows:
            if not words:
                break
            near, far = self._span(dy, size)
            chars = int((far - near) / (CHAR_WIDTH * size))
            if chars < 6:
                continue
            line = words.pop(0)
            if len(line) > chars:  # a word longer than the line is broken
                words.insert(0, line[chars - 1:])
                line = line[:chars - 1] + "-"
            while words and len(line) + 1 + len(words[0]) <= chars:
                line += " " + words.pop(0)
            placed.append((dy, line))
        if words:
            return []
        return placed

    def _quadrant(self, name: str) -> list[tuple[str, str, float, dict[str, Any]]]:
        """Text of one quadrant: (gid, text, distance from the centre line, style)."""
        size, small = 1.0, self.SMALL
        rows_step = LINE * small
        top = self.RADIUS - 4.0          # distance of the first line from the centre line
        bottom = self.GAP + LINE * 0.6   # nearest a line may come to the centre line
        ys = []
        dy = top
        while dy >= bottom:
            ys.append(dy)
            dy -= rows_step
        # top quadrants read from the rim towards the centre, bottom ones from the centre out
        sign = self.PLACES[name][1]
        rows = ys if sign > 0 else list(reversed(ys))
        out: list[tuple[str, str, float, dict[str, Any]]] = []
        domain = self.mandala.domain(name)
        colour = DOMAIN_COLOURS[name]
        heading = {"fontsize": size * 1.15, "fontweight": "bold", "color": colour}
        question = {"fontsize": small, "style": "italic", "color": "#555555"}
        item_style = {"fontsize": small, "color": style.PALETTE["text"]}

        def take(text: str, gid: str, kind: dict[str, Any]) -> None:
            nonlocal rows
            placed = self._lines(text, rows, small)
            rows = rows[rows.index(placed[-1][0]) + 1:] if placed else rows
            out.extend((gid if k == 0 else f"{gid}:{k}", line, row, kind)
                       for k, (row, line) in enumerate(placed))

        # the heading and the question always fit: they come first
        take(domain.title, f"heading:{name}", heading)
        take(domain.question, f"question:{name}", question)
        rows = rows[1:]  # a little air below the question
        items = self.mandala.items(name)
        if not items:
            take("(nothing yet)", f"empty:{name}", {**item_style, "color": "#888888",
                                                     "style": "italic"})
            return out
        for shown, item in enumerate(items):
            remaining = len(items) - shown
            # keep one row for the "+ n more" line while items remain after this one
            room = rows[:-1] if remaining > 1 else rows
            text = item.text
            placed = self._lines("\u2022 " + text, room[:self.MAX_ITEM_LINES], small)
            if not placed and room:
                # too long for the rows left (or for MAX_ITEM_LINES): cut it short
                placed = self._cut("\u2022 " + text, room[:self.MAX_ITEM_LINES], small)
            if not placed:
                if rows:
                    out.append((f"more:{name}", f"+ {remaining} more", rows[0],
                                {**item_style, "style": "italic", "color": "#555555"}))
                return out
            used = rows.index(placed[-1][0]) + 1
            rows = rows[used:]
            for k, (row, line) in enumerate(placed):
                gid = f"item:{name}:{item.text}" if k == 0 else f"item-line:{name}:{item.text}:{k}"
                out.append((gid, line, row, item_style))
        return out

    def _cut(self, text: str, rows: list[float], size: float) -> list[tuple[float, str]]:
        """`text` cut with an ellipsis to fit `rows`; empty if even one word cannot fit."""
        words = text.split()
        while len(words) > 2:
            words = words[:-1]
            placed = self._lines(" ".join(words) + " \u2026", rows, size)
            if placed:
                return placed
        return []

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import Circle, Wedge

        theme, size = self.theme, self.theme.font_size
        text_colour = style.PALETTE["text"]
        cx, cy, radius = self.cx, self.cy, self.RADIUS
        ax.text(self.MARGIN, self.height - 1.0, "\n".join(self.title_lines),
                fontsize=theme.title_size, fontweight="bold", color=text_colour, ha="left",
                va="top", gid="title")
        starts = {(1, 1): 0, (-1, 1): 90, (-1, -1): 180, (1, -1): 270}
        for name, place in self.PLACES.items():
            colour = DOMAIN_COLOURS[name]
            ax.add_patch(Wedge((cx, cy), radius, starts[place], starts[place] + 90,
                               facecolor=colour, alpha=0.12, edgecolor="none", zorder=1,
                               gid=f"quadrant:{name}"))
        ax.add_patch(Circle((cx, cy), radius, facecolor="none", edgecolor="#555555",
                            linewidth=theme.line_width, zorder=2, gid="circle"))
        for x0, y0, x1, y1 in ((cx - radius, cy, cx + radius, cy),
                               (cx, cy - radius, cx, cy + radius)):
            ax.plot([x0, x1], [y0, y1], color="#888888", linewidth=theme.line_width * 0.6,
                    zorder=2, gid="divider")
        ax.add_patch(Circle((cx, cy), self.INNER, facecolor="white", edgecolor="#555555",
                            linewidth=theme.line_width, zorder=3, gid="centre"))
        lines = wrap(self.mandala.project_title, 2 * self.INNER * 0.78, 1.05)
        if len(lines) > 4:
            lines = [*lines[:3], lines[3][: max(len(lines[3]) - 1, 1)] + "\u2026"]
        ax.text(cx, cy, "\n".join(lines), fontsize=size * 1.05, fontweight="bold",
                color=text_colour, ha="center", va="center", zorder=4, linespacing=1.15,
                gid="project")
        for name, (xs, ys) in self.PLACES.items():
            for gid, line, dy, kind in self._quadrant(name):
                near, _far = self._span(dy, self.SMALL)
                x = cx - near if xs < 0 else cx + near
                props = dict(kind)
                props["fontsize"] = props["fontsize"] * size
                ax.text(x, cy + ys * dy, line, ha="right" if xs < 0 else "left",
                        va="center", zorder=4, gid=gid, **props)

"""The matplotlib artists of a causal loop diagram: the figure, its axes, and what is painted.

Takes a :class:`~csframework.cld.scene.Scene` (everything placed, in data
units) and turns it into patches and texts, each with a ``gid`` naming what it
shows. matplotlib is imported here, never through pyplot.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from csframework import style
from csframework.cld.geometry import (
    HEAD_LENGTH,
    HEAD_WIDTH,
    LABEL_PAD,
    LINE_SPACING,
    text_sizes,
    wrap_story,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from csframework.cld.scene import Arrow, Label, Marker, Scene

__all__ = ["fit_into", "new_axes", "paint", "shrink_to_fit"]


def new_axes(scene: Scene) -> Axes:
    """A figure of its own (Agg canvas, no pyplot) sized so names are at font size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scene.geometry()
    low, high = scene.bounds()
    width_in, height_in = (high - low) * scene.ppu / 72.0
    title_in = scene.theme.title_size * 2.4 / 72.0 if scene.title else 0.0
    legend_in = scene.theme.font_size * 2.6 / 72.0 if scene.facets or scene.note() else 0.0
    needed = max(3.0, _title_width(scene) + 0.4)
    if width_in < needed:
        extra = (needed - width_in) * 72.0 / scene.ppu / 2
        low, high = low - np.array([extra, 0]), high + np.array([extra, 0])
        width_in = needed
    height_in = max(height_in, 1.2)
    total = height_in + title_in + legend_in
    figure = Figure(figsize=(width_in, total), dpi=scene.theme.dpi, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.0, legend_in / total, 1.0, height_in / total))
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    scene.own_figure = True
    scene.bands = (title_in / total, legend_in / total)
    return ax


def shrink_to_fit(scene: Scene, ax: Axes) -> float:
    """How much smaller than natural size the drawing must be to fit `ax` (at most 1)."""
    scene.geometry()
    low, high = scene.bounds()
    needed = (high - low) * scene.ppu / 72.0
    box = ax.get_position()
    title = scene.theme.title_size * 2.0 / 72.0 if scene.title else 0.0
    room = np.array([box.width * ax.figure.get_figwidth(),
                     box.height * ax.figure.get_figheight() - title])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(needed > 0, room / needed, 1.0)
    return float(np.clip(ratios.min(), 0.35, 1.0))


def fit_into(scene: Scene, ax: Axes) -> None:
    """Draw at this scene's scale into the given axes, showing everything drawn."""
    scene.geometry()
    low, high = scene.bounds()
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    scene.own_figure = False
    scene.bands = (0.0, 0.0)


def _title_width(scene: Scene) -> float:
    if not scene.title:
        return 0.0
    width, _ = text_sizes({"title": scene.title}, scene.theme.title_size)["title"]
    return width / 72.0


def paint(scene: Scene, ax: Axes) -> None:
    """Paint the scene into `ax`: arrows, names, signs, delay marks, loop markers, title, legend."""
    for arrow in scene.arrows:
        _paint_arrow(scene, ax, arrow)
    for label in scene.labels.values():
        _paint_label(scene, ax, label)
    for arrow in scene.arrows:
        _paint_sign(scene, ax, arrow)
        if arrow.key in scene.delays:
            _paint_delay(scene, ax, arrow)
    for marker in scene.markers:
        _paint_marker(scene, ax, marker)
    _paint_title(scene, ax)
    _paint_legend(scene, ax)


def _paint_arrow(scene: Scene, ax: Axes, arrow: Arrow) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    path = Path([arrow.points(arrow.t0), arrow.visible_control(), arrow.points(arrow.t1)],
                [Path.MOVETO, Path.CURVE3, Path.CURVE3])
    scale = scene.theme.node_font_size / 11.0
    head = (f"-|>,head_length={HEAD_LENGTH * scale:.2f},"
            f"head_width={HEAD_WIDTH * scale:.2f}")
    patch = FancyArrowPatch(path=path, arrowstyle=head, mutation_scale=1.0,
                            color=arrow.colour, linewidth=arrow.width, shrinkA=0,
                            shrinkB=0, capstyle="round", joinstyle="round", zorder=2,
                            gid=f"link:{arrow.key}")
    ax.add_patch(patch)


def _paint_label(scene: Scene, ax: Axes, label: Label) -> None:
    from matplotlib.patches import FancyBboxPatch

    pad = scene.points(LABEL_PAD)
    background = FancyBboxPatch(tuple(label.centre - label.half + pad),
                                *(2 * (label.half - pad)),
                                boxstyle=f"round,pad={pad:.6f},rounding_size={pad * 2:.6f}",
                                facecolor="white", edgecolor="none", alpha=0.9, zorder=3,
                                gid=f"label-background:{label.name}")
    ax.add_patch(background)
    ax.text(*label.centre, label.text, color=label.colour,
            fontsize=scene.theme.node_font_size, ha="center", va="center",
            multialignment="center", linespacing=LINE_SPACING, zorder=4,
            gid=f"label:{label.name}")


def _paint_sign(scene: Scene, ax: Axes, arrow: Arrow) -> None:
    sign = "\u2212" if arrow.link.is_negative else "+"
    ax.text(*scene.signs[arrow.key], sign, color=arrow.sign_colour,
            fontsize=scene.theme.sign_font_size, fontweight="bold", ha="center",
            va="center", zorder=5, gid=f"sign:{arrow.key}")


def _paint_delay(scene: Scene, ax: Axes, arrow: Arrow) -> None:
    bars = scene.delays[arrow.key]
    colour = style.PALETTE["delay"] if scene.highlighted is None else arrow.colour
    ax.plot(bars[:, 0], bars[:, 1], color=colour, linewidth=arrow.width * 1.1,
            solid_capstyle="butt", zorder=5, gid=f"delay:{arrow.key}")


def _paint_marker(scene: Scene, ax: Axes, marker: Marker) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    # an open circle, three quarters and more, with its head at the end
    sweep = np.linspace(0, 1.62 * math.pi, 40)
    start = math.pi / 2 + 0.35 * math.pi
    angles = start - sweep if marker.clockwise else start + sweep
    points = marker.centre + marker.radius * np.column_stack([np.cos(angles),
                                                              np.sin(angles)])
    scale = scene.theme.node_font_size / 11.0
    head = f"-|>,head_length={6.5 * scale:.2f},head_width={3.0 * scale:.2f}"
    ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle=head, mutation_scale=1.0,
                                 color=marker.colour, linewidth=scene.theme.line_width * 0.7,
                                 shrinkA=0, shrinkB=0, capstyle="round", zorder=6,
                                 gid=f"loop-marker:{marker.loop.name}"))
    ax.text(*marker.centre, marker.loop.name, color=marker.colour, ha="center",
            va="center", fontsize=scene.theme.node_font_size * 0.9, fontweight="bold",
            zorder=6, gid=f"loop-label:{marker.loop.name}")
    if marker.story:
        ax.text(*marker.story_at, wrap_story(marker.story), color=marker.colour,
                ha="center", va="center", fontsize=scene.theme.node_font_size * 0.85,
                fontstyle="italic", multialignment="center", linespacing=LINE_SPACING,
                zorder=6, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                      "edgecolor": "none", "alpha": 0.85},
                gid=f"loop-story:{marker.loop.name}")


def _paint_title(scene: Scene, ax: Axes) -> None:
    if not scene.title:
        return
    if scene.own_figure:
        band, _ = scene.bands
        ax.figure.text(0.5, 1 - band / 2, scene.title, ha="center", va="center",
                       fontsize=scene.theme.title_size, color=style.PALETTE["text"],
                       gid="title")
    else:
        ax.set_title(scene.title, fontsize=scene.theme.title_size,
                     color=style.PALETTE["text"]).set_gid("title")


def _paint_legend(scene: Scene, ax: Axes) -> None:
    from matplotlib.lines import Line2D

    note = scene.note()
    if note:
        where = (0.99, scene.bands[1] / 2) if scene.own_figure else (0.99, 0.01)
        target = ax.figure if scene.own_figure else ax
        target.text(*where, note, ha="right", va="center" if scene.own_figure else "bottom",
                    fontsize=scene.theme.font_size * 0.85, color=style.PALETTE["link"],
                    transform=target.transFigure if scene.own_figure else ax.transAxes,
                    gid="loops-note")
    if not scene.facets:
        return
    handles = [Line2D([], [], linestyle="none", color=style.PALETTE["link"])]
    handles += [Line2D([], [], linestyle="none", marker="o",
                       markersize=scene.theme.font_size * 0.75,
                       color=style.PALETTE[f]) for f in scene.facets]
    names = ["facets:", *scene.facets]
    options = {"frameon": False, "ncol": len(names), "handletextpad": 0.3,
               "columnspacing": 1.2, "labelcolor": "linecolor",
               "fontsize": scene.theme.font_size}
    if scene.own_figure:
        legend = ax.figure.legend(handles, names, loc="center left",
                                  bbox_to_anchor=(0.0, scene.bands[1] / 2), **options)
    else:
        legend = ax.legend(handles, names, loc="upper left", bbox_to_anchor=(0.0, 0.0),
                           **options)  # just below the drawing
    legend.set_gid("legend:facets")

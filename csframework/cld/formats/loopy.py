"""Loopy: a link that opens the diagram in Nicky Case's Loopy, where its loops can be played.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> to_loopy(CausalLoopDiagram.from_text("a -> b : +")).startswith(LOOPY_URL)
True
"""

from __future__ import annotations

import html
import json
import math
import os
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csframework._atomic import write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["LOOPY_URL", "loopy_data", "to_loopy"]

#: Where :func:`to_loopy` links point (Loopy 1.1, the published version).
LOOPY_URL = "https://ncase.me/loopy/v1.1/"

#: Loopy's colour (hue index 0-5: red, orange, yellow, green, blue, purple) for each facet.
_LOOPY_HUES = {"self": 5, "others": 3, "world": 1, None: 4}


def loopy_data(cld: CausalLoopDiagram) -> list[Any]:
    """The diagram as Loopy 1.1 model data: ``[nodes, edges, labels, last id]``.

    A node is ``[id, x, y, start amount, label, hue]``, an edge ``[from, to,
    arc, strength, rotation]`` with strength ``1`` for ``+`` and ``-1`` for
    ``-``, a label ``[x, y, text]``; texts are URL-encoded twice, as Loopy
    stores them. Coordinates are Loopy pixels (y pointing down), from the
    diagram's positions when every variable has one and from
    :func:`csframework.cld.draw.layout` otherwise.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -")
    >>> cld.place("a", 0, 0), cld.place("b", 1, 0)
    ((0.0, 0.0), (1.0, 0.0))
    >>> nodes, edges, labels, uid = loopy_data(cld)
    >>> nodes
    [[1, -200, 0, 0.5, 'a', 4], [2, 200, 0, 0.5, 'b', 4]]
    >>> edges
    [[1, 2, 40, 1, 0], [2, 1, 40, -1, 0]]
    >>> labels, uid
    ([[0, 20, 'B1']], 2)
    """
    names = [v.name for v in cld.variables]
    if not names:
        return [[], [], [], 0]
    placed = cld.positions
    if all(name in placed for name in names):
        points = {name: placed[name] for name in names}
    else:  # numpy and the layout engine only when needed
        from csframework.cld.layout import layout

        points = dict(layout(cld))
    xs = [points[n][0] for n in names]
    ys = [points[n][1] for n in names]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = max(400.0, 220.0 * math.sqrt(len(names))) / extent

    def pixel(x: float, y: float) -> tuple[int, int]:
        return round((x - cx) * scale) + 0, round(-(y - cy) * scale) + 0

    ids = {name: number for number, name in enumerate(names, start=1)}
    nodes = []
    for v in cld.variables:
        x, y = pixel(*points[v.name])
        nodes.append([ids[v.name], x, y, 0.5, _loopy_text(v.name), _LOOPY_HUES[v.facet]])
    edges = [[ids[link.cause], ids[link.effect], 40, 1 if link.sign == "+" else -1, 0]
             for link in cld.links]
    labels = []
    if cld.title:
        top = min(pixel(*points[n])[1] for n in names)
        labels.append([0, top - 120, _loopy_text(cld.title)])
    for loop in cld.loops():
        x = sum(points[n][0] for n in loop.variables) / len(loop)
        y = sum(points[n][1] for n in loop.variables) / len(loop)
        px, py = pixel(x, y)
        text = loop.name + (f" {loop.story}" if loop.story else "")
        labels.append([px, py + 20, _loopy_text(text)])
    return [nodes, edges, labels, len(names)]


def to_loopy(cld: CausalLoopDiagram, path: str | os.PathLike[str] | None = None) -> str:
    """A link that opens the diagram in Loopy, where its loops can be played.

    Loopy (Nicky Case's "thinking in systems" toy, version 1.1) shows each
    variable as a circle and each link as an arrow whose ``+``/``-`` is the
    polarity. It **cannot show delays** (a delayed link becomes an ordinary
    arrow) **nor name loops**: loop names and story names, and the title, are
    written as free text labels near the loop's variables, which Loopy does
    not connect to the loop. Notes and facets' meanings are not carried (facets
    only colour the circles).

    Parameters
    ----------
    path : path, optional
        Also write a small HTML page there (atomically) that opens the link;
        it can be shared or double-clicked.

    Returns
    -------
    str
        ``https://ncase.me/loopy/v1.1/?data=...``

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> link = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -").to_loopy()
    >>> link.startswith("https://ncase.me/loopy/v1.1/?data=[[[1,")
    True
    """
    data = json.dumps(loopy_data(cld), separators=(",", ":"), ensure_ascii=True)
    # Loopy's own links encode only the quotes and the final bracket; the texts
    # are already encoded twice, so no '&', '#', '+' or space remains.
    link = LOOPY_URL + "?data=" + data.replace('"', "%22")[:-1] + "%5D"
    if path is not None:
        title = html.escape(cld.title or "causal loop diagram")
        href = html.escape(link, quote=True)
        write_atomic(Path(path), (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{title} in Loopy</title>\n"
            f'<meta http-equiv="refresh" content="0; url={href}">\n</head><body>\n'
            f'<p><a href="{href}">Open “{title}” in Loopy</a></p>\n</body></html>\n'))
    return link


def _loopy_text(text: str) -> str:
    once = urllib.parse.quote(text, safe="-_.!~*'()")  # JavaScript's encodeURIComponent
    return urllib.parse.quote(once, safe="-_.!~*'()")

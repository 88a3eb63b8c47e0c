"""The connection circle: the first step from a story to its feedback loops.

A connection circle (a tool of the Waters Center for Systems Thinking and the
Creative Learning Exchange) starts from a story with change over time. Five
to ten of its elements, nouns that can increase or decrease, are written
around a circle. Arrows are drawn across the circle from each cause to what
it directly changes, marked ``+`` when the two move in the same direction and
``-`` when they move in opposite directions. Closed paths of arrows are the
story's feedback loops, and the circle becomes a causal loop diagram.

Examples
--------
>>> from csframework.circles import ConnectionCircle
>>> circle = ConnectionCircle("Our team", ["trust", "sharing", "workload", "stress"])
>>> circle.connect("trust", "sharing", "+")
Link('trust' -> 'sharing', '+')
>>> _ = circle.connect("sharing", "trust", "+")
>>> _ = circle.connect("workload", "stress", "+")
>>> _ = circle.connect("stress", "sharing", "-")
>>> circle
<ConnectionCircle 'Our team': 4 elements, 4 connections>
>>> [(loop.name, loop.kind) for loop in circle.loops()]
[('R1', 'reinforcing')]
>>> circle.is_recommended_size
False
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import paint, wrap
from csframework._text import clean_text, plural, tidy
from csframework.document import Document
from csframework.errors import CSFrameworkError, DiagramError, FormatError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld import CausalLoopDiagram, Link, Loop, LoopList

__all__ = ["MAX_ELEMENTS", "MIN_ELEMENTS", "RECOMMENDED", "ConnectionCircle"]

#: A circle needs at least this many elements to hold a loop.
MIN_ELEMENTS = 2
#: Beyond this many, the chords become unreadable.
MAX_ELEMENTS = 12
#: The size the practice recommends.
RECOMMENDED = range(5, 11)

SCHEMA = "csframework.circle"
SCHEMA_VERSION = 1


def _size_error(count: int, where: str) -> DiagramError:
    return DiagramError(
        f"{where} would have {plural(count, 'element')}; a connection circle holds "
        f"{MIN_ELEMENTS} to {MAX_ELEMENTS} elements (5 to 10 work best)")


class ConnectionCircle(Document):
    """Elements of a story placed around a circle, with the causal links between them.

    Parameters
    ----------
    title : str
        The story, e.g. ``"Energy in my week"``.
    elements : iterable of str, optional
        Nouns that can increase or decrease. Empty, or between 2 and 12 of them.

    Raises
    ------
    DiagramError
        For 1 element or more than 12, for a repeated element, or an empty name.

    Examples
    --------
    >>> ConnectionCircle("Too many", [f"e{i}" for i in range(13)])
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: connection circle 'Too many' would have 13 elements; \
a connection circle holds 2 to 12 elements (5 to 10 work best)
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "connection-circle JSON"
    JSON_ERRORS = (CSFrameworkError, TypeError, KeyError)

    def __init__(self, title: str, elements: Iterable[str] = ()):
        from csframework.cld import CausalLoopDiagram

        self.title = clean_text(title, what="title", where="of a connection circle")
        if isinstance(elements, str):
            elements = [elements]
        elements = list(elements)
        if len(elements) == 1 or len(elements) > MAX_ELEMENTS:
            raise _size_error(len(elements), self._where())
        self._cld = CausalLoopDiagram(self.title)
        for element in elements:
            self.add_element(element)

    # -- building --------------------------------------------------------------------------

    @property
    def elements(self) -> tuple[str, ...]:
        """The elements, clockwise from the top of the circle."""
        return tuple(v.name for v in self._cld.variables)

    @property
    def links(self) -> tuple[Link, ...]:
        """The connections, in the order they were drawn."""
        return self._cld.links

    @property
    def is_recommended_size(self) -> bool:
        """Whether the circle has the recommended 5 to 10 elements."""
        return len(self.elements) in RECOMMENDED

    def add_element(self, name: str) -> str:
        """Add an element to the circle and return its (tidied) name.

        Raises
        ------
        DiagramError
            For an empty name, an element already on the circle, or a 13th element.
        """
        name = clean_text(name, what="element name", where=f"for {self._where()}")
        if name in self._cld:
            raise DiagramError(f"{name!r} is already on {self._where()}; each element "
                               "appears once")
        if len(self.elements) >= MAX_ELEMENTS:
            raise _size_error(len(self.elements) + 1, self._where())
        self._cld.add_variable(name)
        return name

    def connect(self, cause: str, effect: str, polarity: object = "+",
                delay: bool = False) -> Link:
        """Draw an arrow from `cause` to `effect`.

        Parameters
        ----------
        cause, effect : str
            Elements already on the circle.
        polarity : str, default "+"
            ``"+"`` (same direction) or ``"-"`` (opposite direction); also
            ``"s"``/``"o"`` and ``"same"``/``"opposite"``.
        delay : bool, default False
            Whether the effect takes a noticeable time to show.

        Raises
        ------
        UnknownNameError
            For an element that is not on the circle (close names are suggested).
        DiagramError
            For a link from an element to itself, or an unknown polarity.

        Examples
        --------
        >>> circle = ConnectionCircle("Week", ["sleep", "energy", "screen time"])
        >>> circle.connect("screen tme", "sleep", "-")
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown element 'screen tme' in connection \
circle 'Week'; did you mean 'screen time'?
        """
        names = []
        for name in (cause, effect):
            tidied = tidy(name)
            if tidied not in self._cld:
                raise UnknownNameError(str(name), self.elements, kind="element",
                                       where=self._where())
            names.append(tidied)
        return self._cld.link(names[0], names[1], polarity, delay=delay)

    def disconnect(self, cause: str, effect: str) -> Link:
        """Remove the arrow from `cause` to `effect` and return it."""
        return self._cld.remove_link(tidy(cause), tidy(effect))

    def _where(self) -> str:
        return f"connection circle {self.title!r}"

    # -- loops -----------------------------------------------------------------------------

    def to_cld(self) -> CausalLoopDiagram:
        """The circle as a causal loop diagram (an independent copy) with its loops.

        Examples
        --------
        >>> circle = ConnectionCircle("Week", ["sleep", "energy", "screen time"])
        >>> _ = circle.connect("energy", "screen time", "-")
        >>> _ = circle.connect("screen time", "sleep", "-")
        >>> _ = circle.connect("sleep", "energy", "+")
        >>> cld = circle.to_cld()
        >>> cld, cld.loops()[0].kind
        (<CausalLoopDiagram 'Week': 3 variables, 3 links>, 'reinforcing')
        """
        return self._cld.copy()

    def loops(self) -> LoopList:
        """The feedback loops traced around the circle (see ``CausalLoopDiagram.loops``)."""
        return self._cld.loops()

    # -- text and exchange -----------------------------------------------------------------

    def _eq_key(self) -> tuple[Any, ...]:
        return self.title, self._cld

    def __len__(self) -> int:
        return len(self.elements)

    def _repr_summary(self) -> str:
        return (f"{plural(len(self.elements), 'element')}, "
                f"{plural(len(self.links), 'connection')}")

    def to_data(self) -> dict[str, Any]:
        """The circle's title, elements and links (its JSON without the envelope)."""
        return {"title": self.title, "elements": list(self.elements),
                "links": [{"cause": link.cause, "effect": link.effect, "polarity": link.sign,
                           "delay": link.delay} for link in self.links]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ConnectionCircle:
        """A circle from the fields written by :meth:`to_data`."""
        circle = cls(data["title"], data.get("elements", ()))
        for i, link in enumerate(data.get("links", [])):
            if not isinstance(link, dict) or not {"cause", "effect"} <= set(link):
                raise FormatError(f"connection-circle JSON links[{i}] needs 'cause' and "
                                  f"'effect', got {link!r}")
            circle.connect(link["cause"], link["effect"], link.get("polarity", "+"),
                           delay=bool(link.get("delay", False)))
        return circle

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None, highlight: str | Loop | None = None,
             show_loops: bool = False) -> Figure:
        """Draw the classic circle: elements around it, arrows as curved chords inside.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw into these axes; without them a new figure sized for the
            current theme is made.
        highlight : str or Loop, optional
            A loop (``"R1"``, its story name, or the Loop) to pick out: its
            chords are drawn thick in the loop's colour, the others muted.
        show_loops : bool, default False
            List the loops found beside the circle.

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        DiagramError
            If the circle has fewer than 2 elements.
        UnknownNameError
            If `highlight` names no loop of the circle.

        Notes
        -----
        Artists carry ``gid`` names: ``"circle"``, ``"element:<name>"``,
        ``"dot:<name>"``, ``"chord:<cause>-><effect>"``,
        ``"sign:<cause>-><effect>"``, ``"delay:<cause>-><effect>"``,
        ``"loop-list"``, ``"title"``.

        Examples
        --------
        >>> circle = ConnectionCircle("Week", ["sleep", "energy"])
        >>> _ = circle.connect("sleep", "energy", "+")
        >>> fig = circle.draw()
        >>> [p.get_gid() for p in fig.axes[0].patches if p.get_gid().startswith("chord")]
        ['chord:sleep->energy']
        """
        if len(self.elements) < MIN_ELEMENTS:
            raise DiagramError(
                f"{self._where()} has {plural(len(self.elements), 'element')}; add at least "
                f"{MIN_ELEMENTS} (5 to 10 work best) before drawing it")
        loop = None
        if highlight is not None:
            loop = self._cld.loop(highlight) if isinstance(highlight, str) else highlight
        return paint(_CircleScene, (self, loop, show_loops), ax)

    def _can_draw(self) -> bool:
        return len(self.elements) >= MIN_ELEMENTS


class _CircleScene:
    """Layout of a connection circle, in em, with the circle's centre at (cx, cy)."""

    LABEL_GAP = 1.0
    WRAP = 11.0

    def __init__(self, subject: tuple[ConnectionCircle, Loop | None, bool], theme: style.Theme):
        circle, loop, show_loops = subject
        self.circle = circle
        self.theme = theme
        self.loop = loop
        self.title_ratio = theme.title_size / theme.font_size
        names = circle.elements
        n = len(names)
        self.RADIUS = 9.0 + 0.6 * n  # more elements, more room between them
        self.signs: list[Any] = []  # where polarity signs have been placed
        self.angles = {name: math.pi / 2 - 2 * math.pi * i / n for i, name in enumerate(names)}
        self.labels = {name: wrap(name, self.WRAP) for name in names}
        # room for the labels on every side
        side = max(len(line) for lines in self.labels.values() for line in lines) * 0.58 + 1.5
        rows = max(len(lines) for lines in self.labels.values()) * 1.3 + 1.0
        self.loops = circle.loops() if show_loops else ()
        self.list_width = 0.0
        if show_loops:
            longest = max([len(self._loop_text(lp)) for lp in self.loops] + [24])
            self.list_width = min(34.0, longest * 0.56 + 2.0)
        self.cx = side + self.RADIUS + 0.5
        right = 1.5
        for name in names:
            cos = math.cos(self.angles[name])
            width = max(len(line) for line in self.labels[name]) * 0.58
            right = max(right, self.LABEL_GAP + (width if cos > 0.3 else width / 2 - cos))
        self.list_x = self.cx + self.RADIUS + right + 2.5
        self.width = (self.list_x + self.list_width if show_loops
                      else 2 * (side + self.RADIUS + 0.5))
        top_band = 2.0 + 1.3 * self.title_ratio
        self.cy = rows + self.RADIUS + 0.8
        self.height = self.cy + self.RADIUS + rows + top_band

    @staticmethod
    def _loop_text(loop: Loop) -> str:
        return f"{loop.name}: " + " \u2192 ".join(loop.variables + loop.variables[:1])

    def point(self, name: str, radius: float | None = None) -> tuple[float, float]:
        r = self.RADIUS if radius is None else radius
        a = self.angles[name]
        return self.cx + r * math.cos(a), self.cy + r * math.sin(a)

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import Circle

        theme = self.theme
        text = style.PALETTE["text"]
        ax.text(1.5, self.height - 1.2, self.circle.title, fontsize=theme.title_size,
                fontweight="bold", color=text, ha="left", va="top", gid="title")
        ax.add_patch(Circle((self.cx, self.cy), self.RADIUS, facecolor="none",
                            edgecolor="#D0D0D0", linewidth=1.5, zorder=1, gid="circle"))
        highlighted = set()
        if self.loop is not None:
            v = self.loop.variables
            highlighted = set(zip(v, v[1:] + v[:1], strict=True))
        pairs = {(link.cause, link.effect) for link in self.circle.links}
        for link in self.circle.links:
            key = (link.cause, link.effect)
            self._paint_chord(ax, link, (link.effect, link.cause) in pairs,
                              key in highlighted if self.loop is not None else None)
        for name in self.circle.elements:
            x, y = self.point(name)
            ax.add_patch(Circle((x, y), 0.45, facecolor=style.PALETTE["link"],
                                edgecolor="white", linewidth=1.0, zorder=6, gid=f"dot:{name}"))
            a = self.angles[name]
            lx, ly = self.point(name, self.RADIUS + self.LABEL_GAP)
            cos, sin = math.cos(a), math.sin(a)
            ha = "center" if abs(cos) < 0.3 else ("left" if cos > 0 else "right")
            va = "center" if abs(sin) < 0.5 else ("bottom" if sin > 0 else "top")
            ax.text(lx, ly, "\n".join(self.labels[name]), fontsize=theme.node_font_size,
                    color=text, ha=ha, va=va, multialignment=ha if ha != "center" else "center",
                    zorder=7, gid=f"element:{name}")
        if self.loops:
            self._paint_loop_list(ax)

    def _paint_chord(self, ax: Axes, link: Link, paired: bool, on_loop: bool | None) -> None:
        import numpy as np
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        size = self.theme.font_size
        start = np.array(self.point(link.cause))
        end = np.array(self.point(link.effect))
        centre = np.array([self.cx, self.cy])
        mid = (start + end) / 2
        direction = end - start
        length = float(np.linalg.norm(direction))
        normal = np.array([-direction[1], direction[0]]) / length
        inward = centre - mid
        depth = float(np.linalg.norm(inward))
        if depth < 0.2 * self.RADIUS:  # across the middle: bow gently to one side
            control = mid + normal * 0.12 * length
        else:  # a gentle bow towards the centre, never past it
            control = mid + inward / depth * min(0.25 * length, 0.7 * depth)
        if paired:  # a -> b and b -> a: pull the two apart
            control = control + normal * 0.14 * length

        def bezier(t: float) -> np.ndarray:
            return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end

        # trim both ends off the dots: the sub-curve on [t0, t1] is again a quadratic
        t0, t1 = min(0.3, 0.9 / length), max(0.7, 1 - 1.0 / length)
        p0, p2 = bezier(t0), bezier(t1)
        p1 = ((1 - t0) * (1 - t1) * start + ((1 - t0) * t1 + t0 * (1 - t1)) * control
              + t0 * t1 * end)
        if on_loop is None:
            colour, width, alpha, zorder = style.PALETTE["link"], self.theme.line_width * 0.75, \
                1.0, 3
        elif on_loop:
            colour = style.PALETTE["reinforcing" if self.loop.is_reinforcing else "balancing"]
            width, alpha, zorder = self.theme.line_width * 1.4, 1.0, 4
        else:
            colour, width, alpha, zorder = style.PALETTE["muted"], self.theme.line_width * 0.6, \
                1.0, 2
        key = f"{link.cause}->{link.effect}"
        ax.add_patch(FancyArrowPatch(path=Path([p0, p1, p2], [Path.MOVETO, Path.CURVE3,
                                                              Path.CURVE3]),
                                     arrowstyle="-|>", mutation_scale=size * 1.5,
                                     linewidth=width, color=colour, alpha=alpha, zorder=zorder,
                                     gid=f"chord:{key}"))
        # the sign just before the head, on the outer side of the bow
        ts = max(0.5, t1 - 2.2 / length)  # about two em before the head
        for _ in range(6):  # step back along the curve while another sign is in the way
            spot = (1 - ts) ** 2 * start + 2 * (1 - ts) * ts * control + ts ** 2 * end
            tangent = 2 * (1 - ts) * (control - start) + 2 * ts * (end - control)
            side = np.array([-tangent[1], tangent[0]]) / np.linalg.norm(tangent)
            if np.dot(side, spot - control) < 0:
                side = -side
            sign_at = spot + side * 0.9
            if all(np.linalg.norm(sign_at - other) > 1.4 for other in self.signs):
                break
            ts = max(0.35, ts - 1.2 / length)
        self.signs.append(sign_at)
        sign_colour = (style.PALETTE["negative"] if link.is_negative else
                       style.PALETTE["positive"])
        if on_loop is False:
            sign_colour = style.PALETTE["muted"]
        ax.text(sign_at[0], sign_at[1], "\u2212" if link.is_negative else "+",
                fontsize=self.theme.sign_font_size, fontweight="bold", color=sign_colour,
                ha="center", va="center", zorder=zorder + 1, gid=f"sign:{key}")
        if link.delay:
            tm = 0.5
            at = (1 - tm) ** 2 * start + 2 * (1 - tm) * tm * control + tm ** 2 * end
            tan = 2 * (1 - tm) * (control - start) + 2 * tm * (end - control)
            tan = tan / np.linalg.norm(tan)
            across = np.array([-tan[1], tan[0]])
            for shift in (-0.18, 0.18):
                a = at + tan * shift - across * 0.55
                b = at + tan * shift + across * 0.55
                ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, linewidth=1.6,
                        zorder=zorder + 1, solid_capstyle="butt", gid=f"delay:{key}")

    def _paint_loop_list(self, ax: Axes) -> None:
        size = self.theme.font_size
        x = self.list_x
        y = self.cy + self.RADIUS
        ax.text(x, y, "Loops found", fontsize=size, fontweight="bold",
                color=style.PALETTE["text"], ha="left", va="top", gid="loop-list")
        y -= 1.8
        if not self.loops:
            ax.text(x, y, "none yet: look for a closed path", fontsize=size * 0.9,
                    color="#666666", style="italic", ha="left", va="top", gid="loop-none")
        for loop in self.loops[:12]:
            colour = style.PALETTE["reinforcing" if loop.is_reinforcing else "balancing"]
            lines = wrap(self._loop_text(loop), self.list_width - 1.0, 0.9)
            for k, line in enumerate(lines):
                ax.text(x + (0 if k == 0 else 1.5), y, line, fontsize=size * 0.9, color=colour,
                        fontweight="bold" if self.loop is not None and loop.name ==
                        self.loop.name else "normal", ha="left", va="top",
                        gid=f"loop:{loop.name}" if k == 0 else f"loop-line:{loop.name}:{k}")
                y -= 1.3

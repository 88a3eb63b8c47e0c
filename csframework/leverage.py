"""Donella Meadows' places to intervene in a system, and tagging them on a diagram.

Meadows listed twelve kinds of leverage point, numbered from 12 (the least
effective: changing a number) to 1 (the most: the ability to step outside any
one paradigm). The names and the order are hers; the descriptions, examples
and questions here are our own words. Following a common reading of her list,
each point also belongs to a *realm*: ``"parameters"`` (12-10), ``"feedbacks"``
(9-7), ``"design"`` (6-4) and ``"intent"`` (3-1): the deeper the realm, the
harder the change and the further it reaches.

:class:`LeverageMap` tags variables and links of a causal loop diagram with
leverage points, draws the diagram with small numbered badges, and saves as
JSON. :func:`suggest` offers first guesses from the diagram's structure (a
delayed link, a goal, an information link, ...): prompts for a group's
conversation, never answers.

Examples
--------
>>> from csframework import leverage
>>> [p.number for p in leverage.points()][:3]
[12, 11, 10]
>>> leverage.get(3)
<LeveragePoint 3: goals>
>>> leverage.get("length of delays")
<LeveragePoint 9: delays>
>>> leverage.get("paradims")
Traceback (most recent call last):
...
csframework.errors.UnknownNameError: unknown leverage point 'paradims' ... 'paradigms'?
"""

from __future__ import annotations

import html
import json
import numbers
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from csframework import style
from csframework._text import normalise
from csframework.cld.diagram import CausalLoopDiagram, Link
from csframework.errors import DiagramError, FormatError, UnknownNameError, close_matches

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LeverageMap", "LeveragePoint", "LeverageTag", "Suggestion", "Suggestions", "chart",
           "get", "names", "points", "suggest", "table"]

SCHEMA = "csframework.leverage-map"
VERSION = 1
REALMS = ("parameters", "feedbacks", "design", "intent")
#: The badge colour: the palette's highlight, with dark text.
BADGE = style.PALETTE["highlight"]


@dataclass(frozen=True)
class LeveragePoint:
    """One of Meadows' twelve places to intervene in a system.

    Attributes
    ----------
    number : int
        Her number: 12 (least effective) to 1 (most effective).
    name : str
        A short name (``"goals"``, ``"information flows"``).
    realm : str
        ``"parameters"``, ``"feedbacks"``, ``"design"`` or ``"intent"``.
    summary : str
        One sentence: what one changes at this point.
    example : str
        An example from a school or a community.
    question : str
        A question to ask of one's own system.
    aliases : tuple of str
        Other names it is known by (accepted by :func:`get`).
    """

    number: int
    name: str
    realm: str
    summary: str
    example: str
    question: str
    aliases: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<LeveragePoint {self.number}: {self.name}>"

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    def _repr_html_(self) -> str:
        e = html.escape
        return (f"<div style='border-left:4px solid {BADGE};padding:4px 10px'>"
                f"<b>{self.number} · {e(self.name)}</b> "
                f"<span style='color:{style.PALETTE['link']}'>({e(self.realm)})</span><br>"
                f"{e(self.summary)}<br><i>For example:</i> {e(self.example)}<br>"
                f"<i>Ask:</i> {e(self.question)}</div>")


_POINTS = (
    LeveragePoint(
        12, "numbers", "parameters",
        "Adjust a quantity: a budget, a rate, a size, a threshold, a price.",
        "Add two hours of tutoring a week, or lower class size from 30 to 28.",
        "Which number do we argue about most, and would changing it change the pattern?",
        ("parameters", "constants", "numbers and parameters")),
    LeveragePoint(
        11, "buffers", "parameters",
        "Change the size of a stabilising stock relative to its flows.",
        "Keep a reserve of substitute teachers, so that one absence does not cancel a class.",
        "Where would a larger (or smaller) reserve make the system steadier?",
        ("buffer", "buffer sizes", "stabilising stocks", "stabilizing stocks")),
    LeveragePoint(
        10, "stock-and-flow structures", "parameters",
        "Rebuild the physical layout: what is stored, where things flow, who is connected.",
        "Redesign the timetable and the building so that teachers of one year group share "
        "a room.",
        "What in the physical arrangement makes the problem easy and the solution hard?",
        ("stock and flow structure", "stocks and flows", "physical structure",
         "material stocks and flows", "infrastructure")),
    LeveragePoint(
        9, "delays", "feedbacks",
        "Shorten (or respect) the time between an action and its visible effect.",
        "Return marked work within two days instead of two weeks.",
        "Which delay makes us overreact, or give up too soon?",
        ("length of delays", "delay", "time delays", "lengths of delays")),
    LeveragePoint(
        8, "balancing loops", "feedbacks",
        "Strengthen the loops that correct a system relative to what they must correct.",
        "Give every class a weekly check on how each pupil is coping, and time to act on it.",
        "Which correcting loop has grown too weak for the pressure it must hold back?",
        ("balancing loop", "balancing feedback loops", "negative feedback loops",
         "strength of balancing loops")),
    LeveragePoint(
        7, "reinforcing loops", "feedbacks",
        "Slow a runaway loop, or set off a virtuous one.",
        "Stop the best resourced clubs from always winning the most new members.",
        "Which reinforcing loop runs away with us, and what slows it down?",
        ("reinforcing loop", "reinforcing feedback loops", "positive feedback loops",
         "gain of reinforcing loops")),
    LeveragePoint(
        6, "information flows", "design",
        "Change who sees what, and when: add feedback where it was missing.",
        "Show each family the school's energy use, room by room, every week.",
        "Who bears the consequences of a decision but never sees them, or the reverse?",
        ("information", "information flow", "feedback", "who has access to information",
         "structure of information flows")),
    LeveragePoint(
        5, "rules", "design",
        "Change the incentives, constraints and punishments: what is allowed and rewarded.",
        "Count group projects towards grades, so that helping a classmate is rewarded.",
        "Who writes the rules here, and whom do they serve?",
        ("rule", "rules of the system", "incentives", "constraints", "policies")),
    LeveragePoint(
        4, "self-organisation", "design",
        "Let the system add, change or evolve its own structure.",
        "Give pupils and teachers a budget and time to start and run their own projects.",
        "Where could people here experiment, learn and build something new?",
        ("self organization", "self-organization", "power to self organise",
         "evolve structure", "power to add change or evolve structure")),
    LeveragePoint(
        3, "goals", "intent",
        "Change what the whole system is trying to achieve.",
        "Move a school's goal from 'high average grades' to 'every pupil thrives'.",
        "What is this system really trying to do, judged by what it does?",
        ("goal", "purpose", "goals of the system", "purpose of the system")),
    LeveragePoint(
        2, "paradigms", "intent",
        "Change the shared, unspoken beliefs from which goals and rules arise.",
        "Move from 'ability is fixed' to 'everyone can learn' across a whole community.",
        "Which belief is so shared here that nobody says it aloud?",
        ("paradigm", "mindset", "mindsets", "mental models", "mindset or paradigm")),
    LeveragePoint(
        1, "transcending paradigms", "intent",
        "Hold every paradigm lightly, knowing none is the whole truth.",
        "A group that can see its own worldview as one way of seeing among many.",
        "Which of my certainties could I hold as one view among others?",
        ("transcending paradigm", "power to transcend paradigms", "transcendence",
         "transcend paradigms")),
)

_BY_KEY: dict[str, LeveragePoint] = {}
for _p in _POINTS:
    for _name in (_p.name, *_p.aliases):
        _BY_KEY[normalise(_name)] = _p


def points() -> tuple[LeveragePoint, ...]:
    """All twelve leverage points, in Meadows' order: 12 (least effective) first.

    Examples
    --------
    >>> [p.name for p in points()][-3:]
    ['goals', 'paradigms', 'transcending paradigms']
    """
    return _POINTS


def names() -> tuple[str, ...]:
    """The twelve names, in Meadows' order (12 first)."""
    return tuple(p.name for p in _POINTS)


def get(point: int | str | LeveragePoint) -> LeveragePoint:
    """The leverage point with this number, name or alias.

    Parameters
    ----------
    point : int, str or LeveragePoint
        Her number (1 to 12, also as text), the name (``"goals"``) or an alias
        (``"length of delays"``, ``"mindset"``, ``"parameters"``). Case, ``-`` and
        ``_`` do not matter.

    Raises
    ------
    UnknownNameError
        When nothing matches; close names are suggested.

    Examples
    --------
    >>> get("Self_Organization")
    <LeveragePoint 4: self-organisation>
    >>> get("6").name
    'information flows'
    >>> get(13)
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: Meadows numbered her leverage points 1 (most ...), not 13
    """
    if isinstance(point, LeveragePoint):
        return point
    if isinstance(point, numbers.Integral) and not isinstance(point, bool):
        return _by_number(int(point))
    if isinstance(point, str):
        key = normalise(point)
        if key.isdigit():
            return _by_number(int(key))
        if key in _BY_KEY:
            return _BY_KEY[key]
        if key.endswith("s") and key[:-1] in _BY_KEY:
            return _BY_KEY[key[:-1]]
    candidates = [n for p in _POINTS for n in (p.name, *p.aliases)]
    err = UnknownNameError(str(point), names(), kind="leverage point", where="Meadows' list")
    matches = close_matches(str(point), candidates, n=3)
    if matches:
        found = list(dict.fromkeys(_BY_KEY[normalise(m)].name for m in matches))
        hint = (f"did you mean {found[0]!r}?" if len(found) == 1 else
                "did you mean " + " or ".join(repr(f) for f in found) + "?")
        err.message = f"unknown leverage point {str(point)!r} in Meadows' list; {hint}"
        err.args = (err.message,)
    raise err


def _by_number(number: int) -> LeveragePoint:
    if 1 <= number <= 12:
        return _POINTS[12 - number]
    err = UnknownNameError(str(number), [str(n) for n in range(1, 13)],
                           kind="leverage point", where="Meadows' list")
    err.message = ("Meadows numbered her leverage points 1 (most effective) to 12 "
                   f"(least effective), not {number}")
    err.args = (err.message,)
    raise err


def table() -> pd.DataFrame:
    """The twelve points as a table: number, name, realm, what changes, an example.

    Examples
    --------
    >>> table().loc[6, "name"]
    'information flows'
    """
    return pd.DataFrame(
        [{"number": p.number, "name": p.name, "realm": p.realm, "what changes": p.summary,
          "for example": p.example} for p in _POINTS]).set_index("number")


#: Room for a point's summary on the chart, in em of the normal font size.
_SUMMARY_WIDTH = 27.5


def chart(highlight: Iterable[int | str] = (), ax: Axes | None = None) -> Figure:
    """Meadows' list as a ladder: least effective at the bottom, most at the top.

    Parameters
    ----------
    highlight : iterable of int or str, optional
        Points to mark with a badge (e.g. those tagged on a diagram).
    ax : matplotlib Axes, optional
        Draw into these axes; by default a new figure (no pyplot).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = chart(highlight=[3, "delays"])
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "badge")
    ['3', '9']
    """
    import matplotlib

    from csframework import _drawing

    marked = {get(h).number for h in highlight}
    theme = style.current()
    small = 0.75
    # Summaries are wrapped, never cut short: a row grows to hold its lines.
    wrapped = [_drawing.wrap(p.summary, _SUMMARY_WIDTH, small) for p in _POINTS]
    boxes = [max(1.7, len(lines) * _drawing.LINE * small + 0.35) for lines in wrapped]
    bottoms = [0.5 + sum(boxes[:i]) + 0.3 * i for i in range(len(boxes))]
    width, height = 54.0, bottoms[-1] + boxes[-1] + 3.8
    with matplotlib.rc_context(theme.rc()):
        if ax is None:
            figure, ax = _drawing.canvas(width, height)
        else:
            figure = ax.figure
            _drawing.fit_axes(ax, width, height)
        shades = {"parameters": "#EEF3F8", "feedbacks": "#DCE8F2", "design": "#C5D9EA",
                  "intent": "#A9C6E0"}
        for p, lines, box, bottom in zip(_POINTS, wrapped, boxes, bottoms, strict=True):
            middle = bottom + 0.15 + box / 2
            ax.add_patch(matplotlib.patches.FancyBboxPatch(
                (7.5, bottom + 0.15), 46.0, box, boxstyle="round,pad=0,rounding_size=0.4",
                facecolor=shades[p.realm], edgecolor="none"))
            ax.text(8.3, middle, f"{p.number}", ha="left", va="center", fontweight="bold",
                    color=style.PALETTE["text"])
            ax.text(10.3, middle, p.name, ha="left", va="center", color=style.PALETTE["text"])
            ax.text(25.5, middle, "\n".join(lines), ha="left", va="center",
                    fontsize=theme.font_size * small, color=style.PALETTE["link"],
                    linespacing=_drawing.LINE, gid=f"summary:{p.number}")
            if p.number in marked:
                ax.text(6.3, middle, str(p.number), ha="center", va="center",
                        fontweight="bold", color=style.PALETTE["text"], gid="badge",
                        bbox={"boxstyle": "circle,pad=0.25", "facecolor": BADGE,
                              "edgecolor": style.PALETTE["text"], "linewidth": 0.8})
        for realm, (low, high) in {"parameters": (0, 3), "feedbacks": (3, 6),
                                   "design": (6, 9), "intent": (9, 12)}.items():
            top = bottoms[high - 1] + 0.15 + boxes[high - 1]
            ax.plot([4.7, 4.7], [bottoms[low] + 0.2, top - 0.05],
                    color=style.PALETTE["link"], linewidth=1.0)
            ax.text(4.0, (bottoms[low] + top) / 2, realm, rotation=90, ha="center",
                    va="center", fontsize=theme.font_size * 0.8, color=style.PALETTE["link"])
        ax.text(width / 2, height - 1.0, "Places to intervene in a system (after Meadows)",
                ha="center", va="center", fontsize=theme.title_size, gid="title",
                color=style.PALETTE["text"])
        top = bottoms[-1] + boxes[-1]
        ax.annotate("", xy=(2.0, top), xytext=(2.0, 1.0),
                    arrowprops={"arrowstyle": "-|>", "color": style.PALETTE["link"]})
        ax.text(2.0, 0.3, "easier", ha="center", va="center",
                fontsize=theme.font_size * 0.7, color=style.PALETTE["link"])
        ax.text(2.0, top + 0.8, "deeper", ha="center", va="center",
                fontsize=theme.font_size * 0.7, color=style.PALETTE["link"])
    return figure


# -- tags on a diagram -------------------------------------------------------------------

Target = str | tuple[str, str]


@dataclass(frozen=True)
class LeverageTag:
    """A leverage point placed on a variable or a link of a diagram.

    Attributes
    ----------
    target : str or (str, str)
        A variable's name, or a link as (cause, effect).
    point : LeveragePoint
    note : str or None
        What the intervention would be, in the group's words.
    """

    target: Target
    point: LeveragePoint
    note: str | None = None

    @property
    def kind(self) -> str:
        """``"variable"`` or ``"link"``."""
        return "link" if isinstance(self.target, tuple) else "variable"

    @property
    def label(self) -> str:
        """The target as text: ``"trust"`` or ``"trust -> sharing"``."""
        return _target_text(self.target)

    def __repr__(self) -> str:
        note = f": {self.note}" if self.note else ""
        return f"<LeverageTag {self.point.number} ({self.point.name}) on {self.label!r}{note}>"


class LeverageMap:
    """Leverage points tagged on a causal loop diagram.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to tag (kept by reference: later edits to it show in the drawing).

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text('''
    ...     absences -> workload : +
    ...     workload -> absences : + delay
    ...     reported absences -> support : +
    ...     support -> workload : -
    ...     absences -> reported absences : +
    ... ''', title="Staff absence")
    >>> lm = LeverageMap(cld)
    >>> lm.tag("reported absences", "information flows", note="share weekly with all staff")
    <LeverageTag 6 (information flows) on 'reported absences': share weekly with all staff>
    >>> lm.tag("workload -> absences", 9)
    <LeverageTag 9 (delays) on 'workload -> absences'>
    >>> [t.label for t in lm.tags()]
    ['reported absences', 'workload -> absences']
    >>> LeverageMap.from_json(lm.to_json()).tags() == lm.tags()
    True
    """

    def __init__(self, cld: CausalLoopDiagram):
        if not isinstance(cld, CausalLoopDiagram):
            raise DiagramError(f"LeverageMap needs a CausalLoopDiagram, not "
                               f"{type(cld).__name__}")
        self.cld = cld
        self._tags: list[LeverageTag] = []

    def tag(self, target: str | tuple[str, str] | Link, point: int | str | LeveragePoint,
            note: str | None = None) -> LeverageTag:
        """Tag a variable or a link with a leverage point.

        Parameters
        ----------
        target : str, (str, str) or Link
            A variable's name, a link written ``"cause -> effect"``, a (cause, effect)
            pair, or a Link of the diagram. Case and extra spaces are forgiven.
        point : int, str or LeveragePoint
            As for :func:`get`.
        note : str, optional
            The intervention in a few words. Tagging the same target with the same
            point again replaces the note.

        Returns
        -------
        LeverageTag

        Raises
        ------
        UnknownNameError
            For a variable or link not in the diagram, or an unknown leverage point.
        """
        resolved = self._resolve(target)
        chosen = get(point)
        if note is not None and not isinstance(note, str):
            raise DiagramError(f"a tag's note must be text, not {type(note).__name__}")
        text = " ".join(note.split()) if note else None
        new = LeverageTag(resolved, chosen, text or None)
        for i, old in enumerate(self._tags):
            if old.target == resolved and old.point == chosen:
                self._tags[i] = new
                return new
        self._tags.append(new)
        return new

    def untag(self, target: str | tuple[str, str] | Link,
              point: int | str | LeveragePoint | None = None) -> int:
        """Remove the tags on `target` (only those of `point`, if given); returns how many."""
        resolved = self._resolve(target)
        chosen = None if point is None else get(point)
        keep = [t for t in self._tags
                if not (t.target == resolved and (chosen is None or t.point == chosen))]
        removed = len(self._tags) - len(keep)
        self._tags = keep
        return removed

    def tags(self) -> tuple[LeverageTag, ...]:
        """The tags, in the order they were made."""
        return tuple(self._tags)

    def table(self) -> pd.DataFrame:
        """The tags as a table, deepest leverage first."""
        rows = [{"point": t.point.number, "leverage": t.point.name, "realm": t.point.realm,
                 "on": t.label, "note": t.note or ""}
                for t in sorted(self._tags, key=lambda t: t.point.number)]
        return pd.DataFrame(rows, columns=["point", "leverage", "realm", "on", "note"])

    def _resolve(self, target: Any) -> Target:
        variables = [v.name for v in self.cld.variables]
        by_key = {normalise(v): v for v in variables}
        if isinstance(target, Link):
            target = (target.cause, target.effect)
        if isinstance(target, str) and "->" in target and normalise(target) not in by_key:
            parts = target.split("->")
            if len(parts) != 2:
                raise DiagramError(f"write a link as 'cause -> effect', not {target!r}")
            target = (parts[0], parts[1])
        if isinstance(target, tuple) and len(target) == 2:
            cause = by_key.get(normalise(target[0]))
            effect = by_key.get(normalise(target[1]))
            known = [f"{k.cause} -> {k.effect}" for k in self.cld.links]
            if cause is None or effect is None or not any(
                    (k.cause, k.effect) == (cause, effect) for k in self.cld.links):
                raise UnknownNameError(f"{target[0].strip()} -> {target[1].strip()}", known,
                                       kind="link", where=self.cld._where())
            return (cause, effect)
        if isinstance(target, str):
            if target in variables:
                return target
            if normalise(target) in by_key:
                return by_key[normalise(target)]
            raise UnknownNameError(target, variables, kind="variable", where=self.cld._where())
        raise DiagramError(f"tag a variable (its name) or a link ('cause -> effect'), not "
                           f"{type(target).__name__} {target!r}")

    # -- drawing ------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None, seed: int = 0, show_key: bool = True,
             **draw_kwargs: Any) -> Figure:
        """The diagram with a small numbered badge at every tagged variable and link.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into these axes; by default a new figure with a key beneath.
        seed : int, default 0
            Passed to :func:`csframework.cld.draw.layout`.
        show_key : bool, default True
            List the tags under the drawing (own figure only).
        **draw_kwargs
            Passed to the diagram's own draw (``highlight``, ``show_loops``, ``title``).

        Returns
        -------
        matplotlib.figure.Figure
            The same picture every time for the same map.

        Examples
        --------
        >>> from csframework.cld import CausalLoopDiagram
        >>> lm = LeverageMap(CausalLoopDiagram.from_text("a -> b : +\\nb -> a : - delay"))
        >>> _ = lm.tag("a", "goals"); _ = lm.tag("b -> a", "delays")
        >>> fig = lm.draw()
        >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid().startswith("badge"))
        ['3', '9']
        """
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from csframework.cld.draw import layout

        positions = layout(self.cld, seed=seed)
        theme = style.current()
        key = show_key and ax is None
        with matplotlib.rc_context(theme.rc()):
            if ax is None:
                natural = self.cld.draw(layout=positions, **draw_kwargs)
                width, height = natural.get_figwidth(), natural.get_figheight()
                natural.clear()
                width = max(width, 6.0)
                chars = int((width - 0.5) * 72 / (theme.font_size * 0.9 * 0.58))
                lines = self._key_lines(chars) if key else []
                facets = any(v.facet for v in self.cld.variables)
                line_in = theme.font_size * 1.45 / 72.0
                band = (len(lines) + (1.6 if facets else 0) + (0.8 if lines else 0)) * line_in
                title_in = theme.title_size * 2.2 / 72.0 if self.cld.title else 0.0
                height += title_in
                figure = Figure(figsize=(width, height + band), dpi=theme.dpi,
                                facecolor="white")
                FigureCanvasAgg(figure)
                total = height + band
                ax = figure.add_axes((0.0, band / total, 1.0, (height - title_in) / total))
                self.cld.draw(ax=ax, layout=positions, **draw_kwargs)
                start = (band - (1.6 if facets else 0) * line_in - 0.4 * line_in) / total
                for i, line in enumerate(lines):
                    figure.text(0.03, start - i * line_in / total, line, ha="left", va="top",
                                fontsize=theme.font_size * 0.9, color=style.PALETTE["text"],
                                gid="leverage-key")
            else:
                self.cld.draw(ax=ax, layout=positions, **draw_kwargs)
            self._paint_badges(ax, theme)
        return ax.figure

    def _key_lines(self, width: int = 95) -> list[str]:
        if not self._tags:
            return ["No leverage points tagged yet."]
        lines = []
        for t in sorted(self._tags, key=lambda t: (t.point.number, self._tags.index(t))):
            missing = "" if self._exists(t.target) else " (no longer in the diagram)"
            note = f": {t.note}" if t.note else ""
            text = f"{t.point.number} · {t.point.name} · on {t.label}{missing}{note}"
            lines.extend(textwrap.wrap(text, max(width, 30), subsequent_indent="      "))
        return lines

    def _exists(self, target: Target) -> bool:
        if isinstance(target, tuple):
            return any((k.cause, k.effect) == target for k in self.cld.links)
        return target in self.cld

    def _paint_badges(self, ax: Axes, theme: style.Theme) -> None:
        figure = ax.figure
        if not hasattr(figure.canvas, "get_renderer"):  # a bare Figure: give it a canvas
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(figure)
        renderer = figure.canvas.get_renderer()
        to_data = ax.transData.inverted()
        labels = {t.get_gid()[len("label:"):]: t for t in ax.texts
                  if (t.get_gid() or "").startswith("label:")}
        links = {p.get_gid()[len("link:"):]: p for p in ax.patches
                 if (p.get_gid() or "").startswith("link:")}
        size = theme.node_font_size * 0.78
        step = size * 1.9  # points between two badges on one target
        placed: dict[Target, int] = {}
        for t in self._tags:
            if isinstance(t.target, tuple):
                patch = links.get(f"{t.target[0]}->{t.target[1]}")
                if patch is None:
                    continue
                path = getattr(patch, "_path_original", None) or patch.get_path()
                v = path.vertices
                t_ = 0.33  # a third of the way: clear of the delay mark and the sign
                anchor = (1 - t_) ** 2 * v[0] + 2 * t_ * (1 - t_) * v[1] + t_ ** 2 * v[2]
                offset = (0.0, 0.0)
            else:
                text = labels.get(t.target)
                if text is None:
                    continue
                box = text.get_window_extent(renderer)
                anchor = to_data.transform((box.x1, box.y1))
                offset = (size * 0.9, size * 0.35)
            i = placed.get(t.target, 0)
            placed[t.target] = i + 1
            ax.annotate(str(t.point.number), xy=tuple(anchor), xycoords="data",
                        xytext=(offset[0] + i * step, offset[1]), textcoords="offset points",
                        ha="center", va="center", fontsize=size, fontweight="bold",
                        color=style.PALETTE["text"], zorder=8, annotation_clip=False,
                        bbox={"boxstyle": "circle,pad=0.22", "facecolor": BADGE,
                              "edgecolor": style.PALETTE["text"], "linewidth": 0.8},
                        gid=f"badge:{t.label}")

    def to_png(self) -> bytes:
        """The drawing as PNG bytes (the same bytes every time)."""
        from csframework._drawing import figure_to_png

        return figure_to_png(self.draw())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged map)."""
        from csframework._drawing import figure_to_svg

        return figure_to_svg(self.draw())

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        title = f" {self.cld.title!r}" if self.cld.title else ""
        n = len(self._tags)
        return f"<LeverageMap{title}: {n} tag{'s' * (n != 1)}>"

    # -- saving -------------------------------------------------------------------------

    def to_json(self, indent: int | None = 2) -> str:
        """The diagram and its tags as JSON text (read back with :meth:`from_json`)."""
        data = {"schema": SCHEMA, "version": VERSION,
                "diagram": json.loads(self.cld.to_json()),
                "tags": [{"target": list(t.target) if isinstance(t.target, tuple)
                          else t.target, "point": t.point.number, "note": t.note}
                         for t in self._tags]}
        return json.dumps(data, indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> LeverageMap:
        """Read a map written by :meth:`to_json`."""
        from csframework._drawing import load_json

        data = load_json(text, schema=SCHEMA, version=VERSION, what="a leverage map")
        try:
            cld = CausalLoopDiagram.from_json(json.dumps(data["diagram"]))
            result = cls(cld)
            for t in data.get("tags", []):
                target = tuple(t["target"]) if isinstance(t["target"], list) else t["target"]
                result.tag(target, int(t["point"]), t.get("note"))
        except (KeyError, TypeError) as err:
            raise FormatError(f"a leverage map's JSON is incomplete: {err!r}") from None
        return result


def _target_text(target: Target) -> str:
    return f"{target[0]} -> {target[1]}" if isinstance(target, tuple) else target


# -- suggestions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """A first guess at a leverage point, from the diagram's structure: a prompt, not an answer.

    Attributes
    ----------
    target : str or (str, str)
    point : LeveragePoint
    reason : str
        Why the structure suggests it, and a question to discuss.
    """

    target: Target
    point: LeveragePoint
    reason: str

    @property
    def label(self) -> str:
        """The target as text."""
        return _target_text(self.target)

    def __str__(self) -> str:
        return f"{self.point.number} · {self.point.name} · {self.label}: {self.reason}"


class Suggestions(tuple):
    """The suggestions of :func:`suggest`, shown with a reminder that they are prompts."""

    HEADER = ("Prompts for discussion, not answers: where the diagram's structure hints at "
              "leverage.")

    def text(self) -> str:
        """All suggestions as text, one per line, under the reminder."""
        if not self:
            return self.HEADER + "\n(none: the diagram has no loops, delays or goals yet)"
        return "\n".join([self.HEADER, *(f"- {s}" for s in self)])

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        items = "".join(f"<li><b>{s.point.number} · {html.escape(s.point.name)}</b> on "
                        f"<i>{html.escape(s.label)}</i>: {html.escape(s.reason)}</li>"
                        for s in self)
        return (f"<div><i>{html.escape(self.HEADER)}</i><ul>{items or '<li>(none)</li>'}"
                "</ul></div>")


_WORDS = {
    3: r"\b(goals?|targets?|desired|standards?|aims?|aspirations?|visions?|expectations?|"
       r"purpose)\b",
    6: r"\b(perceived|perceptions?|reported|reports?|visible|visibility|awareness|aware|"
       r"information|feedback|data|news|knowledge|measured|signals?|transparency)\b",
    5: r"\b(rules?|polic(y|ies)|quotas?|incentives?|regulations?|laws?|permits?|fees?|"
       r"taxe?s?|fines?)\b",
    2: r"\b(beliefs?|mindsets?|assumptions?|paradigms?|worldviews?|values|culture)\b",
    4: r"\b(innovation|experiments?|experimentation|diversity|autonomy|learning)\b",
    11: r"\b(reserves?|buffers?|savings|inventory|backlog|slack)\b",
}


def suggest(cld: CausalLoopDiagram, limit: int = 12) -> Suggestions:
    """First guesses at leverage points from a diagram's structure, as discussion prompts.

    The rules of thumb: a delayed link suggests *delays* (9); a variable named like a
    goal, target or standard suggests *goals* (3); a name that speaks of
    perception, reports or visibility suggests *information flows* (6), as do the links
    leaving it; rules, quotas and incentives suggest *rules* (5); beliefs and culture
    suggest *paradigms* (2); every reinforcing loop suggests *reinforcing loops* (7) and
    every balancing loop *balancing loops* (8), placed on the loop's first link. These
    are prompts for a group's conversation: the structure of a diagram cannot tell what
    matters in a place, nor what a change would cost.

    Parameters
    ----------
    cld : CausalLoopDiagram
    limit : int, default 12
        The most suggestions to return (deepest leverage first).

    Returns
    -------
    Suggestions
        A tuple of :class:`Suggestion`, deepest leverage first, shown under the reminder
        that they are prompts.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text('''
    ...     attainment goal -> gap : +
    ...     attainment -> gap : -
    ...     gap -> extra support : +
    ...     extra support -> attainment : + delay
    ... ''')
    >>> for s in suggest(cld):
    ...     print(s.point.number, s.label)
    3 attainment goal
    8 attainment -> gap
    9 extra support -> attainment
    """
    if not isinstance(cld, CausalLoopDiagram):
        raise DiagramError(f"suggest() needs a CausalLoopDiagram, not {type(cld).__name__}")
    found: dict[tuple[Target, int], str] = {}

    def add(target: Target, number: int, reason: str) -> None:
        found.setdefault((target, number), reason)

    loops = cld.loops()
    for v in sorted(x.name for x in cld.variables):
        text = normalise(v)
        for number, pattern in _WORDS.items():
            if re.search(pattern, text):
                add(v, number, _REASONS[number].format(name=v))
    for link in sorted(cld.links, key=lambda k: (k.cause, k.effect)):
        if link.delay:
            add((link.cause, link.effect), 9,
                f"'{link.cause}' takes time to change '{link.effect}'. Could the delay be "
                "shortened, or should people be helped to expect it?")
        if re.search(_WORDS[6], normalise(link.cause)):
            add((link.cause, link.effect), 6,
                f"what is known about '{link.cause}' drives '{link.effect}'. Who sees this "
                "information, how soon, and how accurately?")
    for loop in loops:
        path = " → ".join([*loop.variables, loop.variables[0]])
        first = loop.variables[0], loop.variables[1 % len(loop.variables)]
        if loop.kind == "reinforcing":
            add(first, 7, f"loop {loop.name} ({path}) reinforces itself. "
                          "Is it a virtuous circle to nurture or a runaway to slow?")
        else:
            add(first, 8, f"loop {loop.name} ({path}) corrects "
                          "deviations. Is it strong and quick enough for what it must hold?")
    ordered = sorted(found.items(), key=lambda item: (item[0][1], _target_text(item[0][0])))
    return Suggestions(Suggestion(target, get(number), reason)
                       for (target, number), reason in ordered[:max(0, int(limit))])


_REASONS = {
    3: "'{name}' sounds like a goal. What is the system steering towards here, who chose "
       "it, and is it the one we want?",
    6: "'{name}' is about what people know or see. Who gets this information, and who "
       "should?",
    5: "'{name}' sounds like a rule or an incentive. Who sets it, and what does it reward?",
    2: "'{name}' touches beliefs or culture. Which shared assumption keeps this in place?",
    4: "'{name}' is about the capacity to learn and change. How could people here try "
       "new structures of their own?",
    11: "'{name}' is a buffer. Would a larger or smaller reserve steady the system, and at "
        "what cost?",
}

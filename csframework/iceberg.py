"""The iceberg: seeing below the surface of what happens.

An iceberg has four levels. Above the waterline are the **events** we notice;
below it, the **patterns** those events make over time, the **structures**
(rules, resources, routines, physical design) that produce the patterns, and
the **mental models** (assumptions, beliefs, values) that hold the structures
in place. Each level invites a different response: we *react* to events,
*anticipate* patterns, *design* structures and *transform* mental models.

A *diagnostic* iceberg looks beneath something that keeps going wrong. An
*aspirational* iceberg reads the same levels for what we want to grow: the
event we hope to see, the patterns that would make it normal, the structures
that would sustain them and the mental models we would need to cultivate.

Items on a level are tagged as *evidence* (we have seen it) or *hypothesis*
(we suspect it and want to check). The structures level can hold a causal
loop diagram, the patterns level a behaviour over time.

Examples
--------
>>> from csframework.iceberg import Iceberg
>>> berg = Iceberg("Late homework")
>>> berg.add("events", "Six essays came in late on Monday")
IcebergItem(level='events', text='Six essays came in late on Monday', kind='evidence')
>>> _ = berg.add("Trends", "Lateness rises in the weeks before exams")
>>> _ = berg.add("mental model", "Homework is a test of character", kind="hypothesis")
>>> berg
<Iceberg 'Late homework' (diagnostic): 1 event, 1 pattern, 0 structures, 1 mental model>
>>> berg.levels[2].question
'What rules, routines, resources and designs keep producing these patterns?'
>>> Iceberg.from_json(berg.to_json()) == berg
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import LINE, figure_to_png, figure_to_svg, load_json, paint, wrap
from csframework._text import clean_text, plural, resolve
from csframework.errors import CSFrameworkError, DiagramError, FormatError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld import CausalLoopDiagram

__all__ = ["LEVELS", "MODES", "PATTERNS", "Behaviour", "Iceberg", "IcebergItem", "Level"]

#: The four levels, from the surface down.
LEVELS = ("events", "patterns", "structures", "mental models")
#: The two ways of reading an iceberg.
MODES = ("diagnostic", "aspirational")
#: The kinds of item a level holds.
KINDS = ("evidence", "hypothesis")

SCHEMA = "csframework.iceberg"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Level:
    """One level of an iceberg, as read in one mode.

    Attributes
    ----------
    name : str
        ``"events"``, ``"patterns"``, ``"structures"`` or ``"mental models"``.
    title : str
        The name as a heading, e.g. ``"Patterns and trends"``.
    question : str
        The guiding question for this level in this mode.
    response : str
        How we respond at this level: react, anticipate, design, transform.
    depth : int
        0 for events (above the waterline) to 3 for mental models.
    """

    name: str
    title: str
    question: str
    response: str
    depth: int

    @property
    def above_water(self) -> bool:
        """Whether the level shows above the waterline (only events do)."""
        return self.depth == 0


@dataclass(frozen=True)
class IcebergItem:
    """Something written on a level: an observation or a hunch.

    Attributes
    ----------
    level : str
        The level it is written on.
    text : str
    kind : {"evidence", "hypothesis"}
        Evidence has been seen; a hypothesis is a hunch still to be checked.
    """

    level: str
    text: str
    kind: str = "evidence"

    @property
    def is_hypothesis(self) -> bool:
        """True for a hunch still to be checked."""
        return self.kind == "hypothesis"


_TITLES = {"events": "Events", "patterns": "Patterns and trends", "structures": "Structures",
           "mental models": "Mental models"}
_RESPONSES = {"events": "react", "patterns": "anticipate", "structures": "design",
              "mental models": "transform"}

_PROMPTS = {
    "diagnostic": {
        "events": (
            "What happened that caught our attention?",
            "What exactly did people see or hear, before anyone explained it?",
            "What did we do straight away, and what did that fix for now?",
        ),
        "patterns": (
            "What has been happening again and again, over time?",
            "If we drew it as a graph over time, which way would the line go?",
            "When did it start, and what else changed around then?",
            "Where else does the same thing happen?",
        ),
        "structures": (
            "What rules, routines, resources and designs keep producing these patterns?",
            "Which timetables, policies, incentives or spaces make this outcome likely?",
            "Where are the feedback loops, and where are the delays?",
            "Who can change these structures, and who is left out of deciding?",
        ),
        "mental models": (
            "Which beliefs, assumptions and values hold these structures in place?",
            "What would someone need to believe for this arrangement to seem sensible?",
            "Whose beliefs are these, and which of them do we share?",
            "Which belief, if it shifted, would change the most?",
        ),
    },
    "aspirational": {
        "events": (
            "What do we want to see happening?",
            "What would a good day look like, and who would notice it first?",
            "What small sign would tell us it is beginning?",
        ),
        "patterns": (
            "Which patterns would make that ordinary, day after day?",
            "How would the graph over time look if we were succeeding?",
            "What would we expect to see more of in a year, and less of?",
        ),
        "structures": (
            "What structures would sustain those patterns?",
            "Which routines, roles, spaces and resources would make the good outcome easy?",
            "Which reinforcing loop could we start, and which balancing loop might resist?",
        ),
        "mental models": (
            "Which beliefs and values would we need to cultivate?",
            "What would people have to care about for these structures to feel natural?",
            "Which of these beliefs can we practise ourselves, starting now?",
        ),
    },
}

_LEVEL_ALIASES = {
    "event": "events", "what happened": "events", "happenings": "events",
    "pattern": "patterns", "trend": "patterns", "trends": "patterns",
    "patterns and trends": "patterns", "behaviour": "patterns", "behavior": "patterns",
    "structure": "structures", "systemic structure": "structures",
    "systemic structures": "structures", "system structure": "structures",
    "system structures": "structures",
    "mental model": "mental models", "mentalmodels": "mental models", "models": "mental models",
    "beliefs": "mental models", "assumptions": "mental models", "values": "mental models",
}
_KIND_ALIASES = {"fact": "evidence", "observed": "evidence", "observation": "evidence",
                 "hunch": "hypothesis", "guess": "hypothesis", "hypotheses": "hypothesis"}


def levels(mode: str = "diagnostic") -> tuple[Level, ...]:
    """The four levels as read in `mode`, from the surface down.

    Examples
    --------
    >>> [(level.name, level.response) for level in levels()]
    [('events', 'react'), ('patterns', 'anticipate'), ('structures', 'design'), \
('mental models', 'transform')]
    >>> levels("aspirational")[0].question
    'What do we want to see happening?'
    """
    mode = resolve(mode, {}, MODES, kind="mode", where="an iceberg")
    return tuple(Level(name, _TITLES[name], _PROMPTS[mode][name][0], _RESPONSES[name], depth)
                 for depth, name in enumerate(LEVELS))


# -- behaviour over time ---------------------------------------------------------------

def _sketch(pattern: str, n: int = 25) -> tuple[float, ...]:
    def shape(t: float) -> float:
        if pattern == "linear":
            return t
        if pattern == "linear decline":
            return 1 - t
        if pattern == "exponential growth":
            return (math.exp(3.5 * t) - 1) / (math.exp(3.5) - 1)
        if pattern == "exponential decay":
            return math.exp(-3.5 * t)
        if pattern == "goal seeking":
            return 1 - math.exp(-4.5 * t)
        if pattern == "s-shaped growth":
            return 1 / (1 + math.exp(-12 * (t - 0.45)))
        if pattern == "sustained oscillation":
            return 0.5 + 0.45 * math.sin(2 * math.pi * 2.5 * t)
        if pattern == "damped oscillation":
            return 0.5 + 0.45 * math.exp(-3 * t) * math.sin(2 * math.pi * 2.5 * t)
        if pattern == "overshoot and collapse":
            return (t / 0.55) ** 3 * math.exp(3 * (1 - t / 0.55))
        if pattern == "overshoot and settle":
            return 1 - math.exp(-3.5 * t) * math.cos(3 * math.pi * t)
        return 0.5  # equilibrium

    return tuple(round(shape(i / (n - 1)), 4) for i in range(n))


#: The behaviour patterns an iceberg can sketch by name (the names of
#: :mod:`csframework.behaviour`, plus two declines).
PATTERNS = ("equilibrium", "linear", "linear decline", "exponential growth",
            "exponential decay", "goal seeking", "s-shaped growth", "damped oscillation",
            "sustained oscillation", "overshoot and collapse", "overshoot and settle")
_PATTERN_ALIASES = {
    "s shaped growth": "s-shaped growth", "s shaped": "s-shaped growth",
    "logistic growth": "s-shaped growth", "logistic": "s-shaped growth",
    "sigmoid": "s-shaped growth", "exponential": "exponential growth",
    "growth": "exponential growth", "decay": "exponential decay",
    "linear growth": "linear", "decline": "linear decline",
    "goal seeking behaviour": "goal seeking", "goal": "goal seeking",
    "oscillation": "sustained oscillation", "oscillating": "sustained oscillation",
    "oscillations": "sustained oscillation", "steady": "equilibrium",
    "stable": "equilibrium", "flat": "equilibrium",
}


@dataclass(frozen=True)
class Behaviour:
    """A behaviour over time on the patterns level: measured or sketched.

    Attributes
    ----------
    values : tuple of float
        The values in time order.
    times : tuple of float or None
        When each value was taken; None means evenly spaced.
    pattern : str or None
        The name of a sketched pattern (one of :data:`PATTERNS`).
    label : str or None
        What was measured, e.g. ``"late submissions per week"``.

    Examples
    --------
    >>> Behaviour.from_data("Goal-seeking").pattern
    'goal seeking'
    >>> Behaviour.from_data([3, 4, 6, 9], label="late essays").values
    (3.0, 4.0, 6.0, 9.0)
    """

    values: tuple[float, ...]
    times: tuple[float, ...] | None = None
    pattern: str | None = None
    label: str | None = None

    @classmethod
    def from_data(cls, data: Any, label: str | None = None) -> Behaviour:
        """A behaviour from a pandas Series, a list of numbers, or a pattern name.

        Raises
        ------
        UnknownNameError
            For a pattern name that is not one of :data:`PATTERNS`.
        DiagramError
            For fewer than two values, values that are not finite numbers, or
            data of another type.
        """
        where = "the patterns level"
        if isinstance(data, Behaviour):
            return data if label is None else cls(data.values, data.times, data.pattern, label)
        if isinstance(data, str):
            name = resolve(data, _PATTERN_ALIASES, PATTERNS, kind="behaviour pattern",
                           where=where)
            return cls(_sketch(name), None, name, label)
        times = None
        if hasattr(data, "to_numpy") and hasattr(data, "index"):  # a pandas Series
            if getattr(data, "ndim", 1) != 1:
                raise DiagramError(
                    f"a behaviour on {where} is one series; got a table with columns "
                    f"{list(getattr(data, 'columns', []))!r}; pick one column, e.g. res['name']")
            if label is None and data.name is not None:
                label = str(data.name)
            index = list(data.index)
            if all(isinstance(t, int | float) and not isinstance(t, bool) for t in index):
                times = tuple(float(t) for t in index)
            data = data.to_numpy().tolist()
        if isinstance(data, str | bytes) or not isinstance(data, Iterable):
            raise DiagramError(
                f"a behaviour on {where} must be a pandas Series, a list of numbers or a "
                f"pattern name such as 'goal seeking', not {type(data).__name__}")
        values = []
        for value in data:
            if isinstance(value, bool) or not isinstance(value, int | float):
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    raise DiagramError(f"a behaviour on {where} must hold numbers, but it "
                                       f"holds {value!r}") from None
            if not math.isfinite(value):
                raise DiagramError(f"a behaviour on {where} must hold finite numbers, but it "
                                   f"holds {value!r}")
            values.append(float(value))
        if len(values) < 2:
            raise DiagramError(f"a behaviour on {where} needs at least 2 values to show a "
                               f"change over time; got {len(values)}")
        return cls(tuple(values), times, None, label)

    def to_series(self):
        """The behaviour as a pandas Series (indexed by time, or 0, 1, 2 ...)."""
        import pandas as pd

        index = list(self.times) if self.times is not None else range(len(self.values))
        return pd.Series(list(self.values), index=index, name=self.label or self.pattern)

    def describe(self) -> str:
        """A short description for a caption."""
        if self.pattern:
            return f"pattern: {self.pattern}" + (f" ({self.label})" if self.label else "")
        return self.label or f"{len(self.values)} values over time"

    def _to_data(self) -> dict[str, Any]:
        return {"values": list(self.values),
                "times": None if self.times is None else list(self.times),
                "pattern": self.pattern, "label": self.label}

    @classmethod
    def _from_data(cls, data: dict[str, Any]) -> Behaviour:
        times = data.get("times")
        return cls(tuple(float(v) for v in data["values"]),
                   None if times is None else tuple(float(t) for t in times),
                   data.get("pattern"), data.get("label"))


# -- the iceberg -------------------------------------------------------------------------

class Iceberg:
    """An iceberg model of a situation, diagnostic or aspirational.

    Parameters
    ----------
    title : str
        What the iceberg is about, e.g. ``"Late homework"``.
    mode : {"diagnostic", "aspirational"}, default "diagnostic"
        Diagnostic looks beneath a problem; aspirational reads the levels for
        what we want to grow.

    Examples
    --------
    >>> berg = Iceberg("Late homework", mode="aspirational")
    >>> berg.prompts("patterns")[0]
    'Which patterns would make that ordinary, day after day?'
    >>> _ = berg.add("events", "Essays arrive on time and students ask for feedback")
    >>> _ = berg.add_behaviour("goal seeking")
    >>> berg.behaviour.pattern, berg.items("patterns")
    ('goal seeking', ())
    >>> berg.add("roots", "x")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown level 'roots' in iceberg 'Late homework'; \
known levels are 'events', 'mental models', 'patterns', 'structures'
    """

    def __init__(self, title: str, mode: str = "diagnostic"):
        self.title = clean_text(title, what="title", where="of an iceberg")
        self._mode = resolve(mode, {}, MODES, kind="mode", where=f"iceberg {self.title!r}")
        self._items: dict[str, list[IcebergItem]] = {name: [] for name in LEVELS}
        self._diagram: CausalLoopDiagram | None = None
        self._behaviour: Behaviour | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``"diagnostic"`` or ``"aspirational"``."""
        return self._mode

    @property
    def levels(self) -> tuple[Level, ...]:
        """The four levels with this mode's questions, from the surface down."""
        return levels(self._mode)

    def level(self, name: str) -> Level:
        """The level called `name` (aliases such as ``"trends"`` accepted)."""
        return self.levels[LEVELS.index(self._level_name(name))]

    def items(self, level: str | None = None) -> tuple[IcebergItem, ...]:
        """The items of one level, or of all levels from the surface down."""
        if level is not None:
            return tuple(self._items[self._level_name(level)])
        return tuple(item for name in LEVELS for item in self._items[name])

    @property
    def diagram(self) -> CausalLoopDiagram | None:
        """The causal loop diagram on the structures level, if any."""
        return self._diagram

    @property
    def behaviour(self) -> Behaviour | None:
        """The behaviour over time on the patterns level, if any."""
        return self._behaviour

    def prompts(self, level: str) -> tuple[str, ...]:
        """Questions a facilitator can ask at `level`, the guiding question first.

        Examples
        --------
        >>> Iceberg("Staff turnover").prompts("mental model")[-1]
        'Which belief, if it shifted, would change the most?'
        """
        return _PROMPTS[self._mode][self._level_name(level)]

    # -- building --------------------------------------------------------------------------

    def add(self, level: str, text: Any, kind: str = "evidence") -> Any:
        """Write something on a level.

        Parameters
        ----------
        level : str
            ``"events"``, ``"patterns"``, ``"structures"`` or ``"mental models"``,
            in any case, with aliases such as ``"trends"`` or ``"mental model"``.
        text : str, CausalLoopDiagram or behaviour data
            Words for any level; a :class:`~csframework.cld.CausalLoopDiagram`
            on the structures level (see :meth:`attach_diagram`); a pandas
            Series or a list of numbers on the patterns level (see
            :meth:`add_behaviour`).
        kind : {"evidence", "hypothesis"}
            Whether it has been seen, or is a hunch to check.

        Returns
        -------
        IcebergItem, CausalLoopDiagram or Behaviour
            What was added. Adding the same words twice keeps one item (with
            the latest kind).

        Raises
        ------
        UnknownNameError
            For an unknown level or kind.
        DiagramError
            For empty text, or a diagram or behaviour on a level that cannot hold it.
        """
        name = self._level_name(level)
        from csframework.cld import CausalLoopDiagram

        if isinstance(text, CausalLoopDiagram):
            if name != "structures":
                raise DiagramError(f"a causal loop diagram belongs on the structures level of "
                                   f"{self._where()}, not on {name!r}")
            return self.attach_diagram(text)
        if not isinstance(text, str) and name == "patterns":
            return self.add_behaviour(text)
        text = clean_text(text, what="item", where=f"for level {name!r} of {self._where()}")
        kind = resolve(kind, _KIND_ALIASES, KINDS, kind="item kind",
                       where=f"item {text!r} of {self._where()}")
        item = IcebergItem(name, text, kind)
        entries = self._items[name]
        for i, old in enumerate(entries):
            if old.text == text:
                entries[i] = item
                return item
        entries.append(item)
        return item

    def remove(self, level: str, text: str) -> IcebergItem:
        """Remove the item with these words from a level and return it.

        Raises
        ------
        UnknownNameError
            If the level holds no such item (close wordings are suggested).
        """
        name = self._level_name(level)
        cleaned = " ".join(str(text).split())
        entries = self._items[name]
        for i, old in enumerate(entries):
            if old.text == cleaned:
                return entries.pop(i)
        raise UnknownNameError(str(text), [item.text for item in entries], kind="item",
                               where=f"level {name!r} of {self._where()}")

    def attach_diagram(self, cld: CausalLoopDiagram | None) -> CausalLoopDiagram | None:
        """Put a causal loop diagram on the structures level (None removes it)."""
        from csframework.cld import CausalLoopDiagram

        if cld is not None and not isinstance(cld, CausalLoopDiagram):
            raise DiagramError(f"attach_diagram() takes a CausalLoopDiagram, not "
                               f"{type(cld).__name__}; build one with "
                               "CausalLoopDiagram.from_text(...)")
        self._diagram = cld
        return cld

    def add_behaviour(self, data: Any, label: str | None = None) -> Behaviour | None:
        """Put a behaviour over time on the patterns level (None removes it).

        Parameters
        ----------
        data : pandas.Series, sequence of numbers, str or None
            Measured values (a Series, e.g. one column of simulation results),
            a sketch as a list of numbers, or the name of a pattern such as
            ``"goal seeking"`` or ``"s-shaped growth"`` (see :data:`PATTERNS`).
        label : str, optional
            What was measured.

        Examples
        --------
        >>> berg = Iceberg("Energy")
        >>> berg.add_behaviour([5, 4, 4, 3, 2], label="energy on Fridays").describe()
        'energy on Fridays'
        """
        self._behaviour = None if data is None else Behaviour.from_data(data, label)
        return self._behaviour

    def _level_name(self, level: object) -> str:
        return resolve(level, _LEVEL_ALIASES, LEVELS, kind="level", where=self._where())

    def _where(self) -> str:
        return f"iceberg {self.title!r}"

    # -- text and exchange -----------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Iceberg):
            return NotImplemented
        return (self.title == other.title and self._mode == other._mode
                and self._items == other._items and self._behaviour == other._behaviour
                and self._diagram == other._diagram)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        counts = [plural(len(self._items["events"]), "event"),
                  plural(len(self._items["patterns"]), "pattern"),
                  plural(len(self._items["structures"]), "structure"),
                  plural(len(self._items["mental models"]), "mental model")]
        return f"<Iceberg {self.title!r} ({self._mode}): {', '.join(counts)}>"

    def to_dict(self) -> dict[str, Any]:
        """The iceberg as plain data in the versioned schema (see :meth:`to_json`)."""
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "title": self.title,
            "mode": self._mode,
            "items": [{"level": i.level, "text": i.text, "kind": i.kind} for i in self.items()],
            "behaviour": None if self._behaviour is None else self._behaviour._to_data(),
            "diagram": None if self._diagram is None else json.loads(self._diagram.to_json()),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The iceberg as versioned JSON; :meth:`from_json` reads it back exactly."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Iceberg:
        """Read an iceberg written by :meth:`to_json`.

        Raises
        ------
        FormatError
            For text that is not an iceberg's JSON, or a newer schema version.

        Examples
        --------
        >>> Iceberg.from_json('{"schema": "csframework.iceberg", "version": 9}')
        Traceback (most recent call last):
        ...
        csframework.errors.FormatError: iceberg JSON schema version 9 is not supported; \
this csframework reads versions 1 to 1
        """
        from csframework.cld import CausalLoopDiagram

        data = load_json(text, schema=SCHEMA, version=SCHEMA_VERSION, what="iceberg JSON")
        try:
            berg = cls(data["title"], mode=data.get("mode", "diagnostic"))
            for i, item in enumerate(data.get("items", [])):
                if not isinstance(item, dict) or "level" not in item or "text" not in item:
                    raise FormatError(f"iceberg JSON items[{i}] needs 'level' and 'text', "
                                      f"got {item!r}")
                berg.add(item["level"], item["text"], kind=item.get("kind", "evidence"))
            if data.get("behaviour") is not None:
                berg._behaviour = Behaviour._from_data(data["behaviour"])
            if data.get("diagram") is not None:
                berg._diagram = CausalLoopDiagram.from_json(json.dumps(data["diagram"]))
        except FormatError:
            raise
        except (CSFrameworkError, TypeError, KeyError, ValueError) as err:
            raise FormatError(f"invalid iceberg JSON: {err}") from None
        return berg

    def to_markdown(self) -> str:
        """The iceberg as Markdown: one section per level, hypotheses in italics.

        Examples
        --------
        >>> berg = Iceberg("Late homework")
        >>> _ = berg.add("events", "Six essays came in late")
        >>> _ = berg.add("structures", "Three deadlines fall on Mondays", kind="hypothesis")
        >>> print(berg.to_markdown())  # doctest: +ELLIPSIS
        ## Iceberg: Late homework (diagnostic)
        <BLANKLINE>
        ### Events (react)
        *What happened that caught our attention?*
        <BLANKLINE>
        - Six essays came in late
        ...
        ### Structures (design)
        *What rules, routines, resources and designs keep producing these patterns?*
        <BLANKLINE>
        - *Three deadlines fall on Mondays?* (hypothesis)
        ...
        """
        heading = ("## What we want to grow: " if self._mode == "aspirational"
                   else "## Iceberg: ") + f"{self.title} ({self._mode})"
        lines = [heading, ""]
        for level in self.levels:
            lines += [f"### {level.title} ({level.response})", f"*{level.question}*", ""]
            for item in self._items[level.name]:
                if item.is_hypothesis:
                    lines.append(f"- *{item.text.rstrip('?')}?* (hypothesis)")
                else:
                    lines.append(f"- {item.text}")
            if level.name == "patterns" and self._behaviour is not None:
                lines.append(f"- behaviour over time: {self._behaviour.describe()}")
            if level.name == "structures" and self._diagram is not None:
                lines.append(f"- {_diagram_note(self._diagram)}")
            if not self._items[level.name] and not lines[-1].startswith("- "):
                lines.append("- (nothing yet)")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the iceberg: the levels, their questions and items, the waterline.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw into these axes (their limits are set to the drawing's own
            size). Without them a new figure is made, sized for the current
            theme (:func:`csframework.style.current`).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Artists carry ``gid`` names: ``"level:events"`` (the ice of a level),
        ``"level-label:..."``, ``"response:..."``, ``"question:..."``,
        ``"item:<level>:<text>"``, ``"waterline"``, ``"water"``,
        ``"sparkline"``, ``"diagram-note"``, ``"direction-arrow"``, ``"title"``.

        Examples
        --------
        >>> berg = Iceberg("Late homework")
        >>> _ = berg.add("events", "Six essays came in late")
        >>> fig = berg.draw()
        >>> "waterline" in {a.get_gid() for a in fig.axes[0].get_children()}
        True
        """
        return paint(_IcebergScene, self, ax)

    def to_png(self) -> bytes:
        """The drawing as PNG bytes (identical bytes for an unchanged iceberg)."""
        return figure_to_png(self.draw())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged iceberg)."""
        return figure_to_svg(self.draw())

    def _repr_svg_(self) -> str:
        return self.to_svg()


def _diagram_note(cld: CausalLoopDiagram) -> str:
    found = cld.loops()
    names = ", ".join(loop.name for loop in found[:6]) + (", ..." if len(found) > 6 else "")
    title = cld.title or "causal loop diagram"
    loops = plural(len(found), "loop") + (f": {names}" if found else "")
    return f"[diagram: {title}, {loops}]"


# -- the picture ------------------------------------------------------------------------------

_WARM = {"events": "#FFF1C9", "patterns": "#FBDFA0", "structures": "#F4C77C",
         "mental models": "#E8AC62"}
_WARM_WATER = "#EEF7EE"
_WARM_LINE = "#4E9A62"
_DEEP_TEXT = "#0B2545"
_WARM_TEXT = "#4A2E0C"


class _IcebergScene:
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
                block.append(("diagram", _diagram_note(berg.diagram), None))
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

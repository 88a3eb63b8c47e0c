"""The question kinds of the exercises.

=================  ===============================================================
kind               the answer
=================  ===============================================================
ClassifyLoop       "reinforcing" / "balancing" (or "R" / "B") for one loop
BuildCLD           a CausalLoopDiagram (or its text) holding the loops asked for
PredictPattern     a behaviour-over-time pattern name, checked against a simulation
PredictValue       a number read off a simulation
SetParameter       a number (or a dict of parameters) that makes a model behave
PlaceOnIceberg     a mapping item -> iceberg level (or an Iceberg)
PlaceOnLadder      a mapping item -> rung of the ladder of inference (or a ladder)
FindArchetype      the name (or an alias) of the archetype a diagram shows
MultipleChoice     the letter of an option
Reflection         any words of one's own; can be saved to the journal
=================  ===============================================================

Examples
--------
>>> from csframework.exercises.questions import ClassifyLoop
>>> q = ClassifyLoop("Is the loop reinforcing or balancing?",
...                  "stress -> sleep : -\\nsleep -> stress : -", hints=["Count the '-' links."])
>>> q.check("B")
Not yet: R1 (sleep -> stress -> sleep) has 2 '-' links ('sleep -> stress' and \
'stress -> sleep'), an even number, so it is reinforcing, not balancing.
>>> q.check("reinforcing").status
'correct'
>>> q.check()
Not attempted: write your answer ('reinforcing' or 'balancing', or just 'R' or 'B') and run \
the check again. A hint is one call away: .hint()
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from csframework.errors import close_matches
from csframework.exercises._framework import (
    CheckResult,
    Question,
    key,
    listing,
    number,
    plural,
    show,
)

__all__ = [
    "BuildCLD",
    "ClassifyLoop",
    "FindArchetype",
    "LoopRequirement",
    "MultipleChoice",
    "PlaceItems",
    "PlaceOnIceberg",
    "PlaceOnLadder",
    "PredictPattern",
    "PredictValue",
    "Reflection",
    "SetParameter",
]


def _correct(message: str) -> CheckResult:
    return CheckResult("correct", message)


def _not_yet(message: str) -> CheckResult:
    return CheckResult("not yet", message)


def _diagram(value: Any, where: str = "the diagram"):
    """A CausalLoopDiagram from a diagram, its text, or anything with ``to_cld()``."""
    from csframework.cld import CausalLoopDiagram

    if isinstance(value, CausalLoopDiagram):
        return value
    if isinstance(value, str):
        return CausalLoopDiagram.from_text(value, title=where)
    to_cld = getattr(value, "to_cld", None)
    if callable(to_cld):
        cld = to_cld()
        if isinstance(cld, CausalLoopDiagram):
            return cld
    return None


def _loop_label(loop: Any) -> str:
    return f"{loop.name} ({loop.path()})"


def _signs(loop: Any) -> str:
    negatives = [f"{link.cause} -> {link.effect}" for link in loop.links if link.is_negative]
    return f" ({listing(negatives)})" if negatives else ""


# --------------------------------------------------------------------------------------
# Loops
# --------------------------------------------------------------------------------------

_KINDS = {
    "r": "reinforcing", "reinforcing": "reinforcing", "reinforcing loop": "reinforcing",
    "r loop": "reinforcing", "self reinforcing": "reinforcing", "amplifying": "reinforcing",
    "positive feedback": "reinforcing", "positive feedback loop": "reinforcing",
    "b": "balancing", "balancing": "balancing", "balancing loop": "balancing",
    "b loop": "balancing", "self correcting": "balancing", "stabilising": "balancing",
    "stabilizing": "balancing", "negative feedback": "balancing",
    "negative feedback loop": "balancing",
}
_MINUS_LINK = "'-' link"
_SIGN_WORDS = {"positive", "negative", "plus", "minus", "+", "-", "s", "o", "same", "opposite"}


class ClassifyLoop(Question):
    """Say whether one loop of a diagram is reinforcing or balancing.

    Parameters
    ----------
    prompt : str
    diagram : str or CausalLoopDiagram
        The diagram (text notation is fine).
    loop : str or sequence of str, optional
        The loop: its name (``"B1"``), its story name, or its variables in any
        order. Default: the diagram's first loop.
    notes : mapping of str to str, optional
        Extra feedback for a wrong kind (``{"reinforcing": "..."}``).
    **kwargs
        See :class:`~csframework.exercises._framework.Question`.
    """

    expected_form = "'reinforcing' or 'balancing', or just 'R' or 'B'"

    def __init__(self, prompt: str, diagram: Any, loop: str | Sequence[str] | None = None, *,
                 notes: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.diagram = _diagram(diagram)
        self.loop_spec = loop
        self.notes = dict(notes or {})
        self.loop  # noqa: B018 - fail at import time for a question whose loop does not exist

    @cached_property
    def loop(self) -> Any:
        """The loop being asked about."""
        loops = self.diagram.loops()
        if self.loop_spec is None:
            return loops[0]
        if isinstance(self.loop_spec, str):
            return self.diagram.loop(self.loop_spec)
        wanted = {key(v) for v in self.loop_spec}
        for loop in loops:
            if {key(v) for v in loop.variables} == wanted:
                return loop
        raise ValueError(f"no loop through exactly {self.loop_spec!r} in {self.diagram!r}")

    def answer(self) -> str:
        return self.loop.kind

    def _explanation(self) -> str:
        return " ".join(part for part in (self.loop.explain(), self.explanation) if part)

    def _check(self, answer: Any) -> CheckResult:
        if not isinstance(answer, str):
            return _not_yet(f"answer with a word in quotes: {self.expected_form} "
                            f"(I was given {show(answer)}).")
        said = key(answer) if answer.strip() not in ("+", "-") else answer.strip()
        kind = _KINDS.get(said)
        if kind is None:
            if said in _SIGN_WORDS:
                return _not_yet(f"{answer.strip()!r} describes the sign of a single link. A "
                                "whole loop is either 'reinforcing' or 'balancing': count its "
                                "'-' links to decide.")
            return _not_yet(f"I read {show(answer)}, but a loop is either 'reinforcing' (R) or "
                            "'balancing' (B).")
        loop = self.loop
        if kind == loop.kind:
            return _correct(loop.explain())
        n = loop.negative_links
        parity = "an even number" if n % 2 == 0 else "an odd number"
        message = (f"{_loop_label(loop)} has {plural(n, _MINUS_LINK)}"
                   f"{_signs(loop)}, {parity}, so it is {loop.kind}, not {kind}.")
        if loop.has_delay:
            message += (" The delay on the loop slows it down; it does not change whether the "
                        "loop reinforces or balances.")
        if kind in self.notes:
            message += " " + self.notes[kind]
        return _not_yet(message)


@dataclass(frozen=True)
class LoopRequirement:
    """A loop a diagram must contain: its kind, and variables it must pass through.

    Attributes
    ----------
    through : tuple of str
        Variables (by their names in the question) the loop must include.
    kind : {"reinforcing", "balancing"} or None
        None accepts either kind.
    story : str
        What the loop is about, used in feedback (e.g. ``"the trust spiral"``).
    delayed : bool
        Whether the loop must have a link marked ``delay``.
    """

    through: tuple[str, ...]
    kind: str | None = None
    story: str = ""
    delayed: bool = False

    def describe(self) -> str:
        """``"a balancing loop with a delay through 'gap' and 'heating'"``."""
        kind = f"a {self.kind} loop" if self.kind else "a loop"
        delay = " with a delay" if self.delayed else ""
        story = f" ({self.story})" if self.story else ""
        return f"{kind}{delay}{story} through {listing(self.through)}"


class BuildCLD(Question):
    """Draw a causal loop diagram that holds the loops a story needs.

    Parameters
    ----------
    prompt : str
    loops : sequence of LoopRequirement
        The loops the diagram must contain.
    solution : str
        A diagram (text notation) that passes.
    synonyms : mapping of str to sequence of str, optional
        Other names accepted for a variable (``{"trust": ["mutual trust"]}``).
        Names compare without case, punctuation or extra spaces, and a
        participant's name containing all the words of a wanted name also
        matches ("level of trust" for "trust").
    links : sequence of (cause, effect, sign[, why])
        Links whose polarity is checked whenever the participant draws them.
    **kwargs
        See :class:`~csframework.exercises._framework.Question`.
    """

    expected_form = ("a CausalLoopDiagram, or its text with one link per line, like "
                     "'trust -> participation : +'")

    def __init__(self, prompt: str, loops: Sequence[LoopRequirement], solution: str, *,
                 synonyms: Mapping[str, Sequence[str]] | None = None,
                 links: Sequence[tuple[str, ...]] = (), **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.requirements = tuple(loops)
        self.solution_text = solution
        self.synonyms = {name: tuple(alts) for name, alts in (synonyms or {}).items()}
        self.expected_links = tuple(links)
        wanted = [v for req in self.requirements for v in req.through]
        self.variables = tuple(dict.fromkeys(wanted))

    def answer(self) -> Any:
        return _diagram(self.solution_text, "solution")

    def _explanation(self) -> str:
        loops = " ".join(loop.explain() for loop in self.answer().loops())
        return " ".join(part for part in (self.explanation, loops) if part)

    def _match(self, wanted: str, names: Sequence[str]) -> str | None:
        options = [key(n) for n in (wanted, *self.synonyms.get(wanted, ()))]
        keyed = [(name, key(name)) for name in names]
        for name, k in keyed:
            if k in options:
                return name
        for name, k in keyed:
            words = set(k.split())
            if any(set(option.split()) <= words for option in options):
                return name
        return None

    def _check(self, answer: Any) -> CheckResult:
        from csframework.errors import CSFrameworkError

        try:
            cld = _diagram(answer, "your diagram")
        except CSFrameworkError as err:
            return _not_yet(f"the diagram text could not be read: {err}")
        if cld is None:
            return _not_yet(f"give your diagram as {self.expected_form} "
                            f"(I was given {show(answer)}).")
        names = [v.name for v in cld.variables]
        if not cld.links:
            return _not_yet("your diagram has no links yet. Write one link per line: "
                            "'cause -> effect : +' or 'cause -> effect : -'.")
        found = {v: self._match(v, names) for v in self.variables}
        missing = [v for v, match in found.items() if match is None]
        if missing:
            also = [f"'{m}' (or {listing(self.synonyms[m], conjunction='or')})"
                    if self.synonyms.get(m) else f"'{m}'" for m in missing]
            return _not_yet(f"your diagram has no variable for {listing(also, quote=False)} "
                            f"yet. Your variables are {listing(names)}.")
        mapping = {**{v: v for v in self.variables}, **found}
        for link in self.expected_links:
            cause, effect, sign = link[:3]
            why = link[3] if len(link) > 3 else ""
            c = self._match(cause, names) if cause not in found else found[cause]
            e = self._match(effect, names) if effect not in found else found[effect]
            if c is None or e is None:
                continue
            drawn = next((lk for lk in cld.links if lk.cause == c and lk.effect == e), None)
            if drawn is not None and drawn.sign != sign:
                return _not_yet(f"look again at the link '{c}' -> '{e}': you marked it "
                                f"'{drawn.sign}'. " + (why or f"When {c} rises, does {e} rise "
                                                             "(+) or fall (-)?"))
        loops = cld.loops(max_length=12)
        good = []
        for req in self.requirements:
            through = {mapping[v] for v in req.through}
            passing = [loop for loop in loops if through <= set(loop.variables)]
            right = [loop for loop in passing if req.kind in (None, loop.kind)]
            timed = [loop for loop in right if loop.has_delay or not req.delayed]
            if timed:
                good.append(timed[0])
                continue
            if right:
                loop = right[0]
                return _not_yet(
                    f"your loop {_loop_label(loop)} is {loop.kind}, as it should be, but no "
                    f"link in it is marked as slow. The story needs {req.describe()}: add "
                    "'delay' after the sign of the link that takes a while, such as "
                    "'cause -> effect : + delay'.")
            if passing:
                loop = passing[0]
                return _not_yet(
                    f"your loop {_loop_label(loop)} is {loop.kind}: it has "
                    f"{plural(loop.negative_links, _MINUS_LINK)}. The "
                    f"story needs {req.describe()}, so one of its links has the wrong sign: "
                    "ask of each link, when the cause rises, does the effect rise or fall?")
            start = mapping[req.through[0]]
            missing_link = self._missing_link(cld, mapping, set(req.through))
            tip = (f" Perhaps a link is missing, such as '{missing_link[0]}' -> "
                   f"'{missing_link[1]}'." if missing_link else "")
            return _not_yet(f"I can't find a closed loop through {listing(sorted(through))}. "
                            f"Follow the arrows from '{start}': can you get back to it?{tip}")
        summary = " ".join(loop.explain() for loop in dict.fromkeys(good))
        needed = listing([r.describe() for r in self.requirements], quote=False)
        return _correct(f"your diagram holds {needed}. {summary}")

    def _missing_link(self, cld: Any, mapping: Mapping[str, str],
                      through: set[str]) -> tuple[str, str] | None:
        drawn = {(lk.cause, lk.effect) for lk in cld.links}
        for link in self.expected_links:
            cause, effect = link[0], link[1]
            if cause in through and effect in through:
                pair = (mapping.get(cause, cause), mapping.get(effect, effect))
                if pair not in drawn:
                    return pair
        return None


# --------------------------------------------------------------------------------------
# Behaviour over time
# --------------------------------------------------------------------------------------

class _Simulated(Question):
    """A question about a library model's run (or a given series)."""

    def __init__(self, prompt: str, *, model: str | None = None,
                 variant: Mapping[str, Any] | None = None,
                 params: Mapping[str, Any] | None = None, variable: str | None = None,
                 series: Sequence[float] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        if model is None and series is None:
            raise ValueError("give a library model or a series")
        self.model = model
        self.variant = dict(variant or {})
        self.params = dict(params or {})
        self.given_series = None if series is None else tuple(series)
        self.variable = variable

    def load(self) -> Any:
        """A fresh copy of the question's model."""
        from csframework.sd import library

        return library.load(self.model, **self.variant)

    def run(self, params: Mapping[str, Any] | None = None) -> Any:
        """Run the model (with the question's params, then `params`)."""
        return self.load().run(params={**self.params, **(params or {})} or None)

    @property
    def key_variable(self) -> str:
        """The variable the question is about."""
        if self.variable:
            return self.variable
        from csframework.sd import library

        return library.info(self.model).key_variable

    @cached_property
    def series(self) -> Any:
        """The values the question is about."""
        if self.given_series is not None:
            return self.given_series
        return self.run()[self.key_variable]

    def _load_code(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.variant.items())
        params = f"params={self.params!r}" if self.params else ""
        return f'model = csf.library.load("{self.model}"{args})\nresults = model.run({params})'


class PredictPattern(_Simulated):
    """Predict the behaviour-over-time pattern of a model's variable (or of a series).

    The truth is what :func:`csframework.behaviour.classify` says about the
    simulated series; `expected` is what the question's author saw (tests
    check that the two agree).

    Parameters
    ----------
    prompt : str
    expected : str
        The pattern (a name of :func:`csframework.behaviour.names`).
    model, variant, params, variable, series
        The library model to run, its variant keywords, parameter values and
        the variable to classify (default: the model's key variable); or a
        given `series` instead.
    describe : str
        What the series is, in words (``"the coffee's temperature"``).
    notes : mapping of str to str
        Extra feedback for particular wrong patterns.
    """

    expected_form = "the name of a pattern, such as 'goal seeking' or 's-shaped growth'"

    def __init__(self, prompt: str, expected: str, *, describe: str = "",
                 notes: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.expected = expected
        self.describe = describe or "the series"
        self.notes = dict(notes or {})

    @cached_property
    def actual(self) -> str:
        """The pattern the classifier sees in the series."""
        from csframework import behaviour

        try:
            return behaviour.classify(self.series).pattern
        except Exception:  # pragma: no cover - a classifier failure must not reach a check
            return self.expected

    def answer(self) -> str:
        return self.actual

    def _explanation(self) -> str:
        from csframework import behaviour

        found = behaviour.pattern(self.actual)
        # The pattern's description starts with a verb ("Moves quickly at first ..."):
        # it continues the sentence about the series rather than standing alone.
        description = found.description
        return " ".join(part for part in (
            f"{self.describe[:1].upper()}{self.describe[1:]} shows {found.name}: it "
            f"{description[:1].lower()}{description[1:]}", self.explanation) if part)

    def _check(self, answer: Any) -> CheckResult:
        from csframework import behaviour
        from csframework.errors import UnknownNameError

        name = getattr(answer, "pattern", None) or getattr(answer, "name", None) or answer
        if not isinstance(name, str):
            return _not_yet(f"answer with {self.expected_form}, in quotes "
                            f"(I was given {show(answer)}).")
        try:
            said = behaviour.pattern(name)
        except UnknownNameError:
            hint = close_matches(name, behaviour.names(), n=1)
            maybe = f"Did you mean '{hint[0]}'? " if hint else ""
            return _not_yet(f"{show(name)} is not a pattern I know. {maybe}The patterns are "
                            f"{listing(behaviour.names())}.")
        actual = behaviour.pattern(self.actual)
        if said.name == actual.name:
            return _correct(f"{self.describe} shows {actual.name}. {actual.description}")
        note = f" {self.notes[said.name]}" if said.name in self.notes else ""
        return _not_yet(f"{self.describe} shows {actual.name}, not {said.name}. "
                        f"{actual.name[:1].upper()}{actual.name[1:]} typically comes from "
                        f"{actual.structure}.{note}")


class PredictValue(_Simulated):
    """Predict a number a model will reach (at a time, or at the end of the run).

    Parameters
    ----------
    prompt : str
    time : float, optional
        When to read the value (default: the end of the run).
    tolerance : float
        How far off an answer may be and still count.
    units : str
        Shown after numbers in feedback.
    notes : sequence of (value, str)
        Feedback for typical wrong numbers: said when an answer is within the
        tolerance of `value`.
    """

    expected_form = "a number"

    def __init__(self, prompt: str, *, time: float | None = None, tolerance: float = 0.5,
                 units: str = "", notes: Sequence[tuple[float, str]] = (), **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.time = time
        self.tolerance = tolerance
        self.units = units
        self.notes = tuple(notes)

    @cached_property
    def value(self) -> float:
        """The true value."""
        series = self.series
        if self.time is None or self.given_series is not None:
            return float(series[-1] if isinstance(series, tuple) else series.iloc[-1])
        return float(series.loc[self.time])

    def answer(self) -> float:
        return round(self.value, 2)

    def _fmt(self, x: float) -> str:
        return f"{x:g} {self.units}".strip()

    def _explanation(self) -> str:
        when = "at the end" if self.time is None else f"at time {self.time:g}"
        return " ".join(part for part in (
            f"The model gives {self._fmt(round(self.value, 2))} {when}.", self.explanation)
            if part)

    def _check(self, answer: Any) -> CheckResult:
        guess = number(answer)
        if guess is None:
            return _not_yet(f"answer with a number, such as 40 (I was given {show(answer)}).")
        if abs(guess - self.value) <= self.tolerance:
            return _correct(f"the model gives {self._fmt(round(self.value, 2))}. "
                            f"{self.explanation}".strip())
        for value, note in self.notes:
            if abs(guess - value) <= self.tolerance:
                return _not_yet(note)
        direction = "high" if guess > self.value else "low"
        return _not_yet(f"{self._fmt(guess)} is too {direction}. Follow the flows step by step: "
                        "what comes in, what goes out, and for how long?")


def _settings(params: Mapping[str, float]) -> str:
    return ", ".join(f"{name} = {value:g}" for name, value in params.items())


class SetParameter(_Simulated):
    """Choose a parameter value that makes a model behave as asked.

    Parameters
    ----------
    prompt : str
    parameter : str
        The constant a bare number sets.
    condition : callable (Results) -> bool
        Whether a run meets the goal.
    goal : str
        The goal in words (``"the room reaches 18 °C"``).
    describe : callable (Results) -> str
        What happened in a run, in words (``"the room settles at 17.3 °C"``).
    solution : float or dict
        A value that passes.
    allowed : sequence of str, optional
        The constants a dict may set (default: just `parameter`).
    advice : callable (dict, Results) -> str, optional
        Extra feedback for a run that misses the goal.
    """

    expected_form = "a number (or a dict such as {'response_delay': 6})"

    def __init__(self, prompt: str, *, parameter: str, condition: Callable[[Any], bool],
                 goal: str, describe: Callable[[Any], str], solution: float | Mapping[str, float],
                 allowed: Sequence[str] | None = None,
                 advice: Callable[[Mapping[str, float], Any], str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.parameter = parameter
        self.condition = condition
        self.goal = goal
        self.describe = describe
        self.solution_value = solution
        self.allowed = tuple(allowed or (parameter,))
        self.advice = advice
        self.expected_form = (f"a number for {parameter} (or a dict of "
                              f"{listing(self.allowed)} values)")

    def answer(self) -> Any:
        return self.solution_value

    def _explanation(self) -> str:
        params = self._params(self.solution_value)
        assert isinstance(params, dict)
        results = self.run(params)
        return (f"With {_settings(params)}, {self.describe(results)}: {self.goal}. "
                f"{self.explanation}").strip()

    def _params(self, answer: Any) -> dict[str, float] | CheckResult:
        raw = dict(answer) if isinstance(answer, Mapping) else {self.parameter: answer}
        params: dict[str, float] = {}
        for name, value in raw.items():
            if not isinstance(name, str) or name not in self.allowed:
                hint = close_matches(str(name), self.allowed, n=1)
                maybe = f" (did you mean '{hint[0]}'?)" if hint else ""
                return _not_yet(f"this question lets you change {listing(self.allowed)} only; "
                                f"{show(name)} is not one of them{maybe}.")
            x = number(value)
            if x is None:
                return _not_yet(f"{name} needs a number (I was given "
                                f"{show(value)}).")
            params[name] = x
        return params

    def _check(self, answer: Any) -> CheckResult:
        params = self._params(answer)
        if isinstance(params, CheckResult):
            return params
        model = self.load()
        for name, value in params.items():
            constant = model.constants.get(name)
            low = getattr(constant, "min", None)
            high = getattr(constant, "max", None)
            if (low is not None and value < low) or (high is not None and value > high):
                return _not_yet(f"{name} = {value:g} is outside what this model allows "
                                f"({low:g} to {high:g}); try a value in that range.")
        try:
            results = model.run(params={**self.params, **params})
        except Exception as err:
            return _not_yet(f"with {_settings(params)} the model could not run ({err}); try "
                            "another value.")
        what = self.describe(results)
        if self.condition(results):
            return _correct(f"with {_settings(params)}, {what}: {self.goal}.")
        extra = self.advice(params, results) if self.advice else ""
        return _not_yet(f"with {_settings(params)}, {what}. The goal is that {self.goal}."
                        + (f" {extra}" if extra else ""))


# --------------------------------------------------------------------------------------
# Placing items: the iceberg and the ladder
# --------------------------------------------------------------------------------------

class PlaceItems(Question):
    """Sort items into categories (the base of the iceberg and ladder questions).

    Parameters
    ----------
    prompt : str
    items : mapping of str to str
        Each item and the category it belongs to.
    why : mapping of str to str
        For each item, why it belongs there (used when it is misplaced).
    """

    categories: tuple[str, ...] = ()
    aliases: Mapping[str, str] = {}
    category_word = "category"

    def __init__(self, prompt: str, items: Mapping[str, str], *,
                 why: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.items = {item: self._category(level) for item, level in items.items()}
        if None in self.items.values():
            raise ValueError(f"unknown {self.category_word} in {items!r}")
        self.why = dict(why or {})
        self.expected_form = (f"a dict from each item to its {self.category_word}, such as "
                              f"{{'{next(iter(self.items))}': '{self.categories[0]}'}}")

    def _category(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        k = key(value)
        for name in self.categories:
            if k == key(name):
                return name
        return self.aliases.get(k)

    def describe(self, category: str) -> str:
        """``"an event"``, ``"a structure"``, ...: a category as a noun phrase."""
        return category

    def _misplaced(self, item: str, right: str, given: str) -> str:
        return f"'{item}' is {self.describe(right)}, not {self.describe(given)}"

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        return None

    def answer(self) -> dict[str, str]:
        return dict(self.items)

    def _explanation(self) -> str:
        placed = "; ".join(f"'{item}': {self.describe(level)}"
                           for item, level in self.items.items())
        return " ".join(part for part in (placed + ".", self.explanation) if part)

    def _check(self, answer: Any) -> CheckResult:
        placements = self._placements(answer)
        if placements is None:
            return _not_yet(f"answer with {self.expected_form} "
                            f"(I was given {show(answer)}).")
        known = {key(item): item for item in self.items}
        given: dict[str, str] = {}
        unknown_items, unknown_levels = [], []
        for item, level in placements.items():
            found = known.get(key(item))
            if found is None:
                unknown_items.append(item)
                continue
            category = self._category(level)
            if category is None:
                unknown_levels.append((found, level))
                continue
            given[found] = category
        if unknown_levels:
            item, level = unknown_levels[0]
            return _not_yet(f"{show(level)} (for '{item}') is not a {self.category_word}; "
                            f"the {self.category_word}s are {listing(self.categories)}.")
        wrong = [item for item, level in given.items() if self.items[item] != level]
        if wrong:
            sentences = []
            for item in wrong:
                why = self.why.get(item, "")
                sentences.append(self._misplaced(item, self.items[item], given[item])
                                 + (f": {why}" if why else "."))
            head = f"{plural(len(wrong), 'item is', 'items are')} not yet in place. "
            return _not_yet(head + " ".join(s if s.endswith(".") else s + "."
                                            for s in sentences))
        missing = [item for item in self.items if item not in given]
        if missing:
            extra = (f" (I don't have {listing(map(str, unknown_items))} on my list: check the "
                     "spelling.)" if unknown_items else "")
            return _not_yet(f"so far so good, but {listing(missing)} "
                            f"{'is' if len(missing) == 1 else 'are'} not placed yet.{extra}")
        return _correct(f"every item is on its {self.category_word}. {self.explanation}".strip())


def _iceberg_vocabulary() -> tuple[tuple[str, ...], dict[str, str]]:
    try:
        from csframework import iceberg

        levels = tuple(iceberg.LEVELS)
        aliases = {key(a): n for a, n in getattr(iceberg, "_LEVEL_ALIASES", {}).items()}
    except ImportError:  # pragma: no cover - the iceberg module is part of the package
        levels, aliases = ("events", "patterns", "structures", "mental models"), {}
    aliases.update({"event": "events", "pattern": "patterns", "trend": "patterns",
                    "trends": "patterns", "structure": "structures",
                    "mental model": "mental models", "belief": "mental models"})
    return levels, aliases


_ICEBERG_NOUNS = {"events": "an event", "patterns": "a pattern", "structures": "a structure",
                  "mental models": "a mental model"}


class PlaceOnIceberg(PlaceItems):
    """Place each item on its level of the iceberg.

    Answers: a dict item -> level (``"events"``, ``"patterns"``,
    ``"structures"``, ``"mental models"``, also ``"trend"``, ``"belief"``, ...),
    or an :class:`~csframework.iceberg.Iceberg` holding the items.
    """

    categories, aliases = _iceberg_vocabulary()
    category_word = "level"
    def describe(self, category: str) -> str:
        return _ICEBERG_NOUNS.get(category, category)

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        items = getattr(answer, "items", None)
        if callable(items) and hasattr(answer, "levels"):
            return {item.text: item.level for item in items()}
        return None


def _ladder_vocabulary() -> tuple[tuple[str, ...], dict[str, str]]:
    from csframework import ladder

    return tuple(ladder.RUNGS), {key(a): n for a, n in getattr(ladder, "_ALIASES", {}).items()}


class PlaceOnLadder(PlaceItems):
    """Place each item on its rung of the ladder of inference.

    Answers: a dict item -> rung (``"observable data"`` ... ``"actions"``),
    or a :class:`~csframework.ladder.LadderOfInference` holding the items.
    """

    categories, aliases = _ladder_vocabulary()
    category_word = "rung"

    def describe(self, category: str) -> str:
        return f"on the rung '{category}'"

    def _misplaced(self, item: str, right: str, given: str) -> str:
        return f"'{item}' belongs on the rung '{right}', not '{given}'"

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        items = getattr(answer, "items", None)
        if callable(items) and hasattr(answer, "rungs"):
            return {item.text: item.rung for item in items()}
        return None


# --------------------------------------------------------------------------------------
# Archetypes
# --------------------------------------------------------------------------------------

#: Each archetype's loop signature, in a sentence (used in feedback).
SIGNATURES = {
    "balancing process with delay": "is a single balancing loop whose correction arrives late",
    "limits to growth": "pairs a reinforcing growth engine with a balancing loop that "
                        "tightens as a limit comes near",
    "fixes that fail": "pairs a balancing loop (the fix relieves the symptom) with a "
                       "reinforcing loop in which the fix's delayed side effect brings the "
                       "symptom back",
    "shifting the burden": "has two balancing loops that compete to relieve one symptom, a "
                           "quick one and a slow fundamental one, and a side effect of the quick "
                           "fix that weakens the fundamental solution",
    "eroding goals": "has two balancing loops that close the same gap, one by improving "
                     "performance and one by lowering the goal",
    "escalation": "has two balancing loops, one for each party, that together make a "
                  "figure-eight reinforcing loop of action and counter-action",
    "success to the successful": "has two reinforcing loops linked by one allocation: "
                                 "whatever goes to one party is taken from the other",
    "tragedy of the commons": "has a reinforcing loop of gain for each user and a shared "
                              "balancing loop through the total activity on a limited resource",
    "growth and underinvestment": "is limits to growth in which the limit is capacity that "
                                  "could be built, with investment that waits for performance "
                                  "to fall",
    "accidental adversaries": "has an outer reinforcing loop of mutual help and each party's "
                              "own reinforcing loop, with cross links by which self-help "
                              "harms the partner",
}


class FindArchetype(Question):
    """Name the archetype a diagram (and its story) shows.

    Parameters
    ----------
    prompt : str
    diagram : str or CausalLoopDiagram
    expected : str
        The archetype's name (see :func:`csframework.archetypes.names`).
    notes : mapping of str to str
        Extra feedback for particular wrong archetypes.
    """

    expected_form = "the name of an archetype, such as 'fixes that fail'"

    def __init__(self, prompt: str, diagram: Any, expected: str, *,
                 notes: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.diagram = _diagram(diagram)
        self.expected = expected
        self.notes = dict(notes or {})

    def answer(self) -> str:
        return self.expected

    def _loops_summary(self) -> str:
        loops = self.diagram.loops()
        return "; ".join(f"{loop.name} is {loop.kind} ({loop.path()})" for loop in loops)

    def _explanation(self) -> str:
        return (f"This is {self.expected}: it {SIGNATURES.get(self.expected, '')}. "
                f"The diagram's loops: {self._loops_summary()}. {self.explanation}").strip()

    def _check(self, answer: Any) -> CheckResult:
        from csframework import archetypes
        from csframework.errors import UnknownNameError

        name = answer
        inner = getattr(answer, "archetype", None)
        if inner is not None:
            name = inner
        name = getattr(name, "name", name)
        if not isinstance(name, str):
            return _not_yet(f"answer with {self.expected_form}, in quotes "
                            f"(I was given {show(answer)}).")
        try:
            said = archetypes.get(name).name
        except UnknownNameError:
            hint = close_matches(name, archetypes.names(), n=1)
            maybe = f"Did you mean '{hint[0]}'? " if hint else ""
            return _not_yet(f"{show(name)} is not an archetype I know. {maybe}The archetypes "
                            f"are {listing(archetypes.names())}.")
        if said == self.expected:
            return _correct(f"this is {self.expected}: it {SIGNATURES.get(said, '')}. "
                            f"Here: {self._loops_summary()}.")
        note = f" {self.notes[said]}" if said in self.notes else ""
        return _not_yet(f"{said} {SIGNATURES.get(said, '')}. This diagram's loops are: "
                        f"{self._loops_summary()}. Which archetype has that signature?{note}")


# --------------------------------------------------------------------------------------
# Choices and reflections
# --------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class MultipleChoice(Question):
    """Choose one option, by its letter (``"b"``) or its words.

    Parameters
    ----------
    prompt : str
    options : sequence of str
        Shown as a), b), c), ...
    correct : str
        The letter of the right option.
    why : mapping of str to str
        Feedback for each option, by letter (for the right one: why it is right).
    """

    expected_form = "the letter of one option, such as 'b'"

    def __init__(self, prompt: str, options: Sequence[str], correct: str, *,
                 why: Mapping[str, str] | None = None, **kwargs: Any):
        options = tuple(options)
        listing_text = "\n".join(f"  {_LETTERS[i]}) {o}" for i, o in enumerate(options))
        super().__init__(f"{prompt}\n{listing_text}", **kwargs)
        self.title = kwargs.get("title") or prompt.split(".")[0].split("?")[0][:60]
        self.options = options
        self.correct = correct.lower()
        if self.correct not in _LETTERS[:len(options)]:
            raise ValueError(f"correct must be a letter of an option, not {correct!r}")
        self.why = {k.lower(): v for k, v in (why or {}).items()}

    def answer(self) -> str:
        return self.correct

    def _explanation(self) -> str:
        option = self.options[_LETTERS.index(self.correct)].rstrip(".")
        return " ".join(part for part in (f"The answer is {self.correct}), {option}.",
                                          self.why.get(self.correct, ""), self.explanation)
                        if part)

    def _letter(self, answer: str) -> str | None:
        """The option `answer` names: by its letter, its words, or all the words of one option.

        "d", "(d)", "d) community building", "Community building" and "community" all
        name the option "community building"; words shared by two options name neither.
        """
        letters = _LETTERS[:len(self.options)]
        text = answer.strip().lower()
        labelled = re.match(r"^\(?([a-z])\)\s+(.+)$", text)
        if labelled and labelled.group(1) in letters:
            text = labelled.group(2)
        text = text.strip("()[]. ")
        if len(text) == 1 and text in letters:
            return text
        given = key(text)
        for i, option in enumerate(self.options):
            if given == key(option):
                return _LETTERS[i]
        # Short options are names ("community building"): a name said longer or
        # shorter still names them. Longer options must be given in full.
        words = set(given.split())
        names = {i: set(key(o).split()) for i, o in enumerate(self.options)
                 if len(key(o).split()) <= 3}
        if not words or not names:
            return None
        for within in (lambda name: name <= words, lambda name: words <= name):
            named = [i for i, name in names.items() if within(name)]
            if len(named) == 1:
                return _LETTERS[named[0]]
        return None

    def _check(self, answer: Any) -> CheckResult:
        if not isinstance(answer, str):
            return _not_yet(f"answer with the letter of your choice in quotes, such as 'b' "
                            f"(I was given {show(answer)}).")
        letter = self._letter(answer)
        if letter is None:
            return _not_yet(f"{show(answer)} is not one of the options; answer with a letter "
                            f"from 'a' to '{_LETTERS[len(self.options) - 1]}'.")
        why = self.why.get(letter, "")
        if letter == self.correct:
            return _correct(f"{letter}) {self.options[_LETTERS.index(letter)]}. {why}".strip())
        return _not_yet(f"{letter}) is not the one. {why or 'Read the options again.'}")


class Reflection(Question):
    """A question with no single right answer: any words of one's own count.

    Parameters
    ----------
    prompt : str
    prompt_id : str
        The journal's prompt id, e.g. ``"q2.vision"``.
    min_words : int
        The fewest words that count as an answer.
    example : str
        An example answer, shown by ``solution()``.
    domain : str, optional
        The mandala domain the reflection belongs to, when saved.
    """

    expected_form = "your own words, as text in quotes"

    def __init__(self, prompt: str, *, prompt_id: str, example: str, min_words: int = 3,
                 domain: str | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.prompt_id = prompt_id
        self.example = example
        self.min_words = min_words
        self.domain = domain
        self.text: str | None = None

    def answer(self) -> str:
        return self.example

    def _explanation(self) -> str:
        return ("There is no single right answer; here is one participant's, to compare with "
                f"yours: {self.example} {self.explanation}").strip()

    def _check(self, answer: Any) -> CheckResult:
        if not isinstance(answer, str):
            return _not_yet("write your reflection as text between quotes, "
                            f"such as \"I noticed ...\" (I was given {show(answer)}).")
        words = len(answer.split())
        if words < self.min_words:
            return _not_yet(f"could you say a little more? {plural(words, 'word')} is a start; "
                            f"aim for at least {self.min_words}.")
        self.text = answer
        return _correct(f"thank you for putting it into words ({plural(words, 'word')}). "
                        "To keep it in your journal, run .save().")

    def reset(self) -> None:
        """Forget the attempts and the accepted text."""
        super().reset()
        self.text = None

    def save(self, journal: Any = None) -> CheckResult:
        """Save the last accepted answer to the journal (the default journal if none given)."""
        if self.text is None:
            return _not_yet("there is nothing to save yet: check your reflection first.")
        try:
            if journal is None:
                from csframework.journal import Journal

                with Journal() as default:
                    entry = default.write(self.session or 0, self.prompt_id, self.text,
                                          domain=self.domain)
            else:
                entry = journal.write(self.session or 0, self.prompt_id, self.text,
                                      domain=self.domain)
        except Exception as err:
            return _not_yet(f"the journal could not save it ({err}).")
        return _correct(f"saved to your journal as '{self.prompt_id}', version "
                        f"{getattr(entry, 'version', 1)}.")

"""Questions about causal loop diagrams: a loop's kind, a diagram to draw, an archetype to name.

Examples
--------
>>> q = ClassifyLoop("Which kind?", "sales -> stock : -\\nstock -> sales : +",
...                  hints=["Count the '-' links."])
>>> q.answer()
'balancing'
>>> LoopRequirement(("gap", "heating"), "balancing", delayed=True).describe()
"a balancing loop with a delay through 'gap' and 'heating'"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from csframework._text import plural
from csframework.cld import CausalLoopDiagram
from csframework.errors import CSFrameworkError, UnknownNameError, close_matches
from csframework.exercises._framework import CheckResult, Question, key, listing, show
from csframework.exercises.questions.verdicts import correct, not_yet

__all__ = ["SIGNATURES", "BuildCLD", "ClassifyLoop", "FindArchetype", "LoopRequirement"]


def _diagram(value: Any, where: str = "the diagram"):
    """A CausalLoopDiagram from a diagram, its text, or anything with ``to_cld()``."""
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
            return not_yet(f"answer with a word in quotes: {self.expected_form} "
                            f"(I was given {show(answer)}).")
        said = key(answer) if answer.strip() not in ("+", "-") else answer.strip()
        kind = _KINDS.get(said)
        if kind is None:
            if said in _SIGN_WORDS:
                return not_yet(f"{answer.strip()!r} describes the sign of a single link. A "
                                "whole loop is either 'reinforcing' or 'balancing': count its "
                                "'-' links to decide.")
            return not_yet(f"I read {show(answer)}, but a loop is either 'reinforcing' (R) or "
                            "'balancing' (B).")
        loop = self.loop
        if kind == loop.kind:
            return correct(loop.explain())
        n = loop.negative_links
        parity = "an even number" if n % 2 == 0 else "an odd number"
        message = (f"{_loop_label(loop)} has {plural(n, _MINUS_LINK)}"
                   f"{_signs(loop)}, {parity}, so it is {loop.kind}, not {kind}.")
        if loop.has_delay:
            message += (" The delay on the loop slows it down; it does not change whether the "
                        "loop reinforces or balances.")
        if kind in self.notes:
            message += " " + self.notes[kind]
        return not_yet(message)


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
        try:
            cld = _diagram(answer, "your diagram")
        except CSFrameworkError as err:
            return not_yet(f"the diagram text could not be read: {err}")
        if cld is None:
            return not_yet(f"give your diagram as {self.expected_form} "
                            f"(I was given {show(answer)}).")
        names = [v.name for v in cld.variables]
        if not cld.links:
            return not_yet("your diagram has no links yet. Write one link per line: "
                            "'cause -> effect : +' or 'cause -> effect : -'.")
        found = {v: self._match(v, names) for v in self.variables}
        missing = [v for v, match in found.items() if match is None]
        if missing:
            also = [f"'{m}' (or {listing(self.synonyms[m], conjunction='or')})"
                    if self.synonyms.get(m) else f"'{m}'" for m in missing]
            return not_yet(f"your diagram has no variable for {listing(also, quote=False)} "
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
                return not_yet(f"look again at the link '{c}' -> '{e}': you marked it "
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
                return not_yet(
                    f"your loop {_loop_label(loop)} is {loop.kind}, as it should be, but no "
                    f"link in it is marked as slow. The story needs {req.describe()}: add "
                    "'delay' after the sign of the link that takes a while, such as "
                    "'cause -> effect : + delay'.")
            if passing:
                loop = passing[0]
                return not_yet(
                    f"your loop {_loop_label(loop)} is {loop.kind}: it has "
                    f"{plural(loop.negative_links, _MINUS_LINK)}. The "
                    f"story needs {req.describe()}, so one of its links has the wrong sign: "
                    "ask of each link, when the cause rises, does the effect rise or fall?")
            start = mapping[req.through[0]]
            missing_link = self._missing_link(cld, mapping, set(req.through))
            tip = (f" Perhaps a link is missing, such as '{missing_link[0]}' -> "
                   f"'{missing_link[1]}'." if missing_link else "")
            return not_yet(f"I can't find a closed loop through {listing(sorted(through))}. "
                            f"Follow the arrows from '{start}': can you get back to it?{tip}")
        summary = " ".join(loop.explain() for loop in dict.fromkeys(good))
        needed = listing([r.describe() for r in self.requirements], quote=False)
        return correct(f"your diagram holds {needed}. {summary}")

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

        name = answer
        inner = getattr(answer, "archetype", None)
        if inner is not None:
            name = inner
        name = getattr(name, "name", name)
        if not isinstance(name, str):
            return not_yet(f"answer with {self.expected_form}, in quotes "
                            f"(I was given {show(answer)}).")
        try:
            said = archetypes.get(name).name
        except UnknownNameError:
            hint = close_matches(name, archetypes.names(), n=1)
            maybe = f"Did you mean '{hint[0]}'? " if hint else ""
            return not_yet(f"{show(name)} is not an archetype I know. {maybe}The archetypes "
                            f"are {listing(archetypes.names())}.")
        if said == self.expected:
            return correct(f"this is {self.expected}: it {SIGNATURES.get(said, '')}. "
                            f"Here: {self._loops_summary()}.")
        note = f" {self.notes[said]}" if said in self.notes else ""
        return not_yet(f"{said} {SIGNATURES.get(said, '')}. This diagram's loops are: "
                        f"{self._loops_summary()}. Which archetype has that signature?{note}")


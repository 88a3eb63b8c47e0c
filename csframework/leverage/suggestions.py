"""First guesses at leverage from a diagram's structure: prompts for a group, never answers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from csframework._text import normalise
from csframework.cld.diagram import CausalLoopDiagram
from csframework.errors import DiagramError
from csframework.leverage.meadows import LeveragePoint, get
from csframework.leverage.tags import Target, target_text

__all__ = ["Suggestion", "Suggestions", "suggest"]


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
        return target_text(self.target)

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
    ordered = sorted(found.items(), key=lambda item: (item[0][1], target_text(item[0][0])))
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

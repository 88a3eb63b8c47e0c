"""The four levels of an iceberg, their questions in each mode, and what is written on them."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from csframework._text import resolve

__all__ = ["KINDS", "KIND_ALIASES", "LEVELS", "LEVEL_ALIASES", "MODES", "PROMPTS", "IcebergItem",
           "Level", "levels"]

#: The four levels, from the surface down.
LEVELS = ("events", "patterns", "structures", "mental models")
#: The two ways of reading an iceberg.
MODES = ("diagnostic", "aspirational")
#: The kinds of item a level holds.
KINDS = ("evidence", "hypothesis")


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

#: The questions of each level in each mode, the guiding question first.
PROMPTS = MappingProxyType({
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
})

#: Other names for the levels, each mapped to its canonical name.
LEVEL_ALIASES = MappingProxyType({
    "event": "events", "what happened": "events", "happenings": "events",
    "pattern": "patterns", "trend": "patterns", "trends": "patterns",
    "patterns and trends": "patterns", "behaviour": "patterns", "behavior": "patterns",
    "structure": "structures", "systemic structure": "structures",
    "systemic structures": "structures", "system structure": "structures",
    "system structures": "structures",
    "mental model": "mental models", "mentalmodels": "mental models", "models": "mental models",
    "beliefs": "mental models", "assumptions": "mental models", "values": "mental models",
})
#: Other names for the kinds of item.
KIND_ALIASES = MappingProxyType({
    "fact": "evidence", "observed": "evidence", "observation": "evidence",
    "hunch": "hypothesis", "guess": "hypothesis", "hypotheses": "hypothesis"})


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
    return tuple(Level(name, _TITLES[name], PROMPTS[mode][name][0], _RESPONSES[name], depth)
                 for depth, name in enumerate(LEVELS))

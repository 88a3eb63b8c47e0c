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

The kinds live by what they check: :mod:`~.diagrams` (a loop's kind, a diagram
to draw, an archetype to name), :mod:`~.simulations` (a pattern, a value, a
setting of a model), :mod:`~.placing` (iceberg levels, ladder rungs) and
:mod:`~.choices` (an option, a reflection); :mod:`~.verdicts` holds the two
verdicts every check gives.

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

from csframework.exercises.questions.choices import MultipleChoice, Reflection
from csframework.exercises.questions.diagrams import (
    SIGNATURES,
    BuildCLD,
    ClassifyLoop,
    FindArchetype,
    LoopRequirement,
)
from csframework.exercises.questions.placing import PlaceItems, PlaceOnIceberg, PlaceOnLadder
from csframework.exercises.questions.simulations import PredictPattern, PredictValue, SetParameter

__all__ = [
    "SIGNATURES",
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

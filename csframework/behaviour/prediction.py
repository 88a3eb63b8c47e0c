"""Predict, then simulate: a guess of a pattern, a run of the model, and a kind word.

The plain object behind :func:`csframework.widgets.predict_then_simulate`.

Examples
--------
>>> from csframework.sd import library
>>> from csframework.behaviour.prediction import Prediction
>>> guess = Prediction(library.load("teacup"), "teacup_temperature")
>>> guess.choose("exponential decay")
Pattern('goal seeking')
>>> outcome = guess.reveal()
>>> outcome.agrees, outcome.actual
(True, 'goal seeking')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework.behaviour.classifier import Classification, classify
from csframework.behaviour.explaining import explain_phases
from csframework.behaviour.patterns import Pattern, pattern, patterns
from csframework.errors import CSFrameworkError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd import Results, StockFlowModel

__all__ = ["Outcome", "Prediction", "message"]


@dataclass(frozen=True)
class Outcome:
    """What the simulation showed next to what was predicted.

    Attributes
    ----------
    predicted : str
        The pattern chosen.
    actual : str or None
        The pattern the classifier recognised (None if it could not tell).
    agrees : bool
    message : str
        A warm sentence either way.
    classification : Classification or None
    results : Results
    """

    predicted: str
    actual: str | None
    agrees: bool
    message: str
    classification: Any
    results: Any


class Prediction:
    """A participant's prediction of a variable's behaviour, checked against a run.

    Parameters
    ----------
    model : StockFlowModel
    variable : str
        The variable whose behaviour over time is predicted.
    params : mapping, optional
        Passed to ``model.run``.
    better : {"up", "down"}, optional
        Which way is better for `variable` (``"down"`` for a problem symptom); it tells
        "better before worse" from "worse before better" (see
        :func:`csframework.behaviour.classify`).
    goal : str, optional
        The goal `variable` is aimed at (a stock, flow or auxiliary of the model). With
        it the paired patterns are offered too, and the run is classified on the two
        together, so that "drifting goals" can be seen.

    Examples
    --------
    >>> from csframework.sd import library
    >>> quiz = Prediction(library.load("fixes that fail"), "problem_symptom", better="down")
    >>> _ = quiz.choose("goal seeking")
    >>> quiz.reveal().agrees
    False
    >>> _ = quiz.choose("better before worse")
    >>> quiz.reveal().agrees
    True
    >>> drift = Prediction(library.load("eroding goals"), "actual_performance", goal="goal")
    >>> _ = drift.choose("goal and performance drift down together")
    >>> drift.reveal().agrees, drift.outcome.actual
    (True, 'drifting goals')
    """

    def __init__(self, model: StockFlowModel, variable: str, params: dict | None = None,
                 better: str | None = None, goal: str | None = None):
        shown = [n for n in model.names() if n not in model.constants]
        for name, what in ((variable, "variable"), (goal, "goal")):
            if name is not None and (name not in model or name in model.constants):
                raise UnknownNameError(name, shown, kind=what, where=f"model {model.name!r}")
        if better not in (None, "up", "down"):
            raise CSFrameworkError(f"better={better!r} is not a direction: expected 'up' "
                                   "(higher is better), 'down' (lower is better) or None")
        self.model = model
        self.variable = variable
        self.params = dict(params or {})
        self.better = better
        self.goal = goal
        self.choice: Pattern | None = None
        self.outcome: Outcome | None = None

    def choices(self) -> tuple[Pattern, ...]:
        """The patterns to choose from: ``behaviour.patterns()``, the paired too with a goal."""
        return patterns(paired=self.goal is not None)

    def choose(self, name: str) -> Pattern:
        """Record the expected pattern (any name or alias the pattern library knows)."""
        self.choice = pattern(name)
        self.outcome = None
        return self.choice

    def reveal(self) -> Outcome:
        """Run the model and compare; raises CSFrameworkError if nothing was chosen yet."""
        if self.choice is None:
            raise CSFrameworkError("choose the pattern you expect before revealing the "
                                   "simulation")
        results: Results = self.model.run(params=self.params or None)
        try:
            goal = None if self.goal is None else results[self.goal]
            found: Classification | None = classify(results[self.variable], better=self.better,
                                                    goal=goal)
        except (CSFrameworkError, ValueError, ArithmeticError):
            found = None
        actual = None if found is None else found.pattern
        agrees = actual == self.choice.name and not _in_phases(found)
        self.outcome = Outcome(self.choice.name, actual, agrees,
                               message(self.choice.name, actual, self._subject(actual), found),
                               found, results)
        return self.outcome

    def _subject(self, actual: str | None) -> str:
        """What the verdict is about: the variable, and its goal when they are read together."""
        if actual is None or self.goal is None or not pattern(actual).paired:
            return self.variable
        return f"{self.variable} and {self.goal}"


def _in_phases(found: Classification | None) -> bool:
    """Whether the series changes its behaviour part-way, its pattern naming only one phase.

    A bathtub that drains and then holds is classified "linear", the pattern of its
    first phase; the lesson is the whole shape, "linear decline, then equilibrium".
    """
    if found is None or len(found.phases) < 2 or found.pattern not in _WITHOUT_A_TURN:
        return False
    return any(phase.pattern.split()[0] == found.pattern.split()[0] for phase in found.phases)


#: Patterns that never change their behaviour part-way: when one of them comes with
#: phases, it names only the first or last. (An s-shaped growth levels off, an
#: oscillation may follow a calm start: their phases are part of the pattern.)
_WITHOUT_A_TURN = ("linear", "exponential growth")


def message(predicted: str, actual: str | None, variable: str,
            classification: Classification | None = None) -> str:
    """A warm sentence comparing a prediction with what the classifier saw.

    When the series changes its behaviour part-way (see
    :attr:`csframework.behaviour.Classification.phases`), one pattern is only half
    of the story, and the sentence tells the whole shape.

    Examples
    --------
    >>> message("linear", "linear", "water")
    'Well seen: water shows linear, as you expected.'
    >>> message("drifting goals", "drifting goals", "performance and goal")
    'Well seen: performance and goal show drifting goals, as you expected.'
    >>> print(message("linear", "goal seeking", "water"))
    Interesting: you expected linear, and water shows goal seeking. Surprises are where \
learning starts: what in the structure could make it behave this way?
    >>> from csframework import behaviour
    >>> drains_then_holds = behaviour.classify([50 - 5 * t for t in range(6)] + [25] * 5)
    >>> print(message("linear", "linear", "water", drains_then_holds))
    Half of it: water shows linear decline, then equilibrium. It shows linear decline \
from time 0 to 5, then holds at about 25 from time 5 to 10. One pattern is not the \
whole story: what in the structure changes at the turn?
    """
    name = variable.replace("_", " ")
    if _in_phases(classification):
        phases = explain_phases(classification.phases).removeprefix("In phases: it ")
        seen = any(phase.pattern.split()[0] == predicted.split()[0]
                   for phase in classification.phases)
        opening = "Half of it" if seen else f"Interesting: you expected {predicted}, and"
        return (f"{opening}: {name} shows {classification.shape}. It {phases} One pattern is "
                "not the whole story: what in the structure changes at the turn?"
                if seen else
                f"{opening} {name} shows {classification.shape}. It {phases} Surprises are "
                "where learning starts: what in the structure could make it behave this way?")
    if actual is None:
        return (f"The simulation of {name} is hard to put in one pattern; look at the "
                f"graph: does it match your picture of {predicted}?")
    shows = "show" if pattern(actual).paired else "shows"   # a performance and its goal
    if actual == predicted:
        return f"Well seen: {name} {shows} {actual}, as you expected."
    return (f"Interesting: you expected {predicted}, and {name} {shows} {actual}. Surprises "
            "are where learning starts: what in the structure could make it behave this way?")

"""Questions about a simulation: the pattern a model shows, a value it reaches, a setting that
makes it behave.

Each question runs a library model (:mod:`csframework.sd.library`) with its own
parameters, or reads a given series; the truth is always what the run shows.

Examples
--------
>>> q = PredictPattern("Which pattern?", "exponential growth", series=[1, 2, 4, 8, 16, 32],
...                    hints=["Look at the doubling."])
>>> q.answer()
'exponential growth'
>>> PredictValue("How much?", series=[1.0, 2.5, 4.0], hints=["The last one."]).answer()
4.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from csframework.errors import UnknownNameError, close_matches
from csframework.exercises._framework import CheckResult, Question, listing, number, show
from csframework.exercises.questions.verdicts import correct, not_yet

__all__ = ["PredictPattern", "PredictValue", "SetParameter"]


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

        name = getattr(answer, "pattern", None) or getattr(answer, "name", None) or answer
        if not isinstance(name, str):
            return not_yet(f"answer with {self.expected_form}, in quotes "
                            f"(I was given {show(answer)}).")
        try:
            said = behaviour.pattern(name)
        except UnknownNameError:
            hint = close_matches(name, behaviour.names(), n=1)
            maybe = f"Did you mean '{hint[0]}'? " if hint else ""
            return not_yet(f"{show(name)} is not a pattern I know. {maybe}The patterns are "
                            f"{listing(behaviour.names())}.")
        actual = behaviour.pattern(self.actual)
        if said.name == actual.name:
            return correct(f"{self.describe} shows {actual.name}. {actual.description}")
        note = f" {self.notes[said.name]}" if said.name in self.notes else ""
        return not_yet(f"{self.describe} shows {actual.name}, not {said.name}. "
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
            return not_yet(f"answer with a number, such as 40 (I was given {show(answer)}).")
        if abs(guess - self.value) <= self.tolerance:
            return correct(f"the model gives {self._fmt(round(self.value, 2))}. "
                            f"{self.explanation}".strip())
        for value, note in self.notes:
            if abs(guess - value) <= self.tolerance:
                return not_yet(note)
        direction = "high" if guess > self.value else "low"
        return not_yet(f"{self._fmt(guess)} is too {direction}. Follow the flows step by step: "
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
                return not_yet(f"this question lets you change {listing(self.allowed)} only; "
                                f"{show(name)} is not one of them{maybe}.")
            x = number(value)
            if x is None:
                return not_yet(f"{name} needs a number (I was given "
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
                return not_yet(f"{name} = {value:g} is outside what this model allows "
                                f"({low:g} to {high:g}); try a value in that range.")
        try:
            results = model.run(params={**self.params, **params})
        except Exception as err:
            return not_yet(f"with {_settings(params)} the model could not run ({err}); try "
                            "another value.")
        what = self.describe(results)
        if self.condition(results):
            return correct(f"with {_settings(params)}, {what}: {self.goal}.")
        extra = self.advice(params, results) if self.advice else ""
        return not_yet(f"with {_settings(params)}, {what}. The goal is that {self.goal}."
                        + (f" {extra}" if extra else ""))


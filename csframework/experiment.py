"""An experiment with a model: parameters, runs, pins and patterns (the dashboard's logic).

Nothing here imports ipywidgets; :class:`Experiment` holds everything the
dashboard shows, so every behaviour is unit-tested without a browser.

Examples
--------
>>> from csframework.sd import library
>>> from csframework.experiment import Experiment
>>> exp = Experiment(library.load("teacup"))
>>> exp.variable
'teacup_temperature'
>>> bool(exp.set("room_temperature", 20)["teacup_temperature"].iloc[-1] < 70)
True
>>> exp.pin().label
'room temperature = 20'
>>> _ = exp.reset(); exp.params["room_temperature"], len(exp.pins)
(70.0, 0)
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework.errors import CSFrameworkError, ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.behaviour import Classification
    from csframework.sd import Results, StockFlowModel

__all__ = ["MAX_PINS", "Experiment", "PinnedRun", "SliderSpec", "key_variable",
           "library_name", "slider_specs"]

#: The oldest pinned run is dropped beyond this many.
MAX_PINS = 8


@dataclass(frozen=True)
class SliderSpec:
    """The range of one constant on a slider.

    Attributes
    ----------
    name : str
    value, min, max, step : float
        The default value and the slider's bounds (always ``min <= value <= max``).
    label : str
        Its label, or its name with spaces.
    units, doc : str or None
    """

    name: str
    value: float
    min: float
    max: float
    step: float
    label: str
    units: str | None = None
    doc: str | None = None

    @property
    def description(self) -> str:
        """The label with its units, e.g. ``"room temperature (°F)"``."""
        return f"{self.label} ({self.units})" if self.units else self.label


def _nice_step(span: float) -> float:
    """About a hundredth of `span`, rounded to 1, 2 or 5 times a power of ten."""
    if not span > 0 or not math.isfinite(span):
        return 0.1
    raw = span / 100
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover


def slider_specs(model: StockFlowModel) -> tuple[SliderSpec, ...]:
    """One :class:`SliderSpec` per constant, with sensible bounds where none are given.

    A missing minimum is 0 (or twice a negative value), a missing maximum twice
    the value (1 for a value of 0), a missing step about a hundredth of the range.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.constant("rate", 0.3)
    >>> spec = slider_specs(m)[0]
    >>> spec.min, spec.value, spec.max, spec.step
    (0.0, 0.3, 0.6, 0.01)
    """
    specs = []
    for constant in model.constants.values():
        value = float(constant.value)
        low = constant.min if constant.min is not None else (0.0 if value >= 0 else 2 * value)
        high = constant.max if constant.max is not None else (
            2 * value if value > 0 else (1.0 if value == 0 else 0.0))
        low, high = float(min(low, value)), float(max(high, value))
        if high <= low:
            high = low + 1.0
        step = float(constant.step) if constant.step else _nice_step(high - low)
        label = constant.label or constant.name.replace("_", " ")
        specs.append(SliderSpec(constant.name, value, low, high, step, label, constant.units,
                                constant.doc))
    return tuple(specs)


def library_name(model: StockFlowModel) -> str | None:
    """The library name of `model` if it looks like a library model, else None.

    A model is recognised by its name (``"Car dealer inventory (with delays)"``
    is the car dealer whatever its variant) and by having the key variable.
    """
    from csframework.sd import library

    base = re.sub(r"\s*\(.*\)\s*$", "", model.name)
    for candidate in (model.name, base):
        try:
            info = library.info(candidate)
        except UnknownNameError:
            continue
        if info.key_variable in model:
            return info.name
    for name in library.names():
        info = library.info(name)
        if model.name in (info.title, name) and info.key_variable in model:
            return name
    return None


def key_variable(model: StockFlowModel) -> str:
    """The variable to watch: the library's key variable, else the first stock.

    Examples
    --------
    >>> from csframework.sd import library
    >>> key_variable(library.load("population"))
    'population'
    """
    name = library_name(model)
    if name is not None:
        from csframework.sd import library

        return library.info(name).key_variable
    if model.stocks:
        return next(iter(model.stocks))
    shown = [n for n in model.names() if n not in model.constants and n not in model.lookups]
    if not shown:
        raise UnknownNameError("a stock", (), kind="variable",
                               where=f"model {model.name!r}, which has nothing to plot")
    return shown[0]


def _goals(model: StockFlowModel) -> dict[str, str]:
    """The library's key variable and its goal, when the catalogue names one."""
    name = library_name(model)
    if name is None:
        return {}
    from csframework.sd import library

    info = library.info(name)
    if info.goal_variable is None or info.goal_variable not in model:
        return {}
    return {info.key_variable: info.goal_variable}


def _format(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class PinnedRun:
    """A run kept for comparison.

    Attributes
    ----------
    params : tuple of (str, float)
        Every constant's value in the run.
    label : str
        The constants that differ from the defaults, e.g. ``"rate = 0.2"``.
    results : Results
    """

    params: tuple[tuple[str, float], ...]
    label: str
    results: Any


class Experiment:
    """A model, its current parameters, its latest run, and the runs pinned to compare.

    Parameters
    ----------
    model : StockFlowModel
    params : mapping of str to float, optional
        Starting values for some constants (the defaults stay the model's own).
    variable : str, optional
        The variable to watch (default :func:`key_variable`).

    Attributes
    ----------
    model : StockFlowModel
    specs : dict of str to SliderSpec
    defaults : dict of str to float
        The model's values (what :meth:`reset` restores).
    params : dict of str to float
        The current values.
    results : Results
        The latest run.
    pins : tuple of PinnedRun
    goals : dict of str to str
        A variable and the goal it is aimed at, read together by :meth:`classify`
        (from the library catalogue: the eroding-goals model's performance and goal).
    """

    def __init__(self, model: StockFlowModel, params: Mapping[str, float] | None = None,
                 variable: str | None = None):
        self.model = model
        self.specs = {spec.name: spec for spec in slider_specs(model)}
        self.defaults = {name: spec.value for name, spec in self.specs.items()}
        self.params = dict(self.defaults)
        if params is not None and not isinstance(params, Mapping):
            raise ModelError(f"params for model {model.name!r} must map constant names to "
                             f"numbers, not {type(params).__name__} {params!r:.60}")
        for name, value in (params or {}).items():
            self._check_name(name)
            self.params[name] = self._value(name, value)
        self.variables = tuple(n for n in model.names()
                               if n not in model.constants and n not in model.lookups)
        self._variable = key_variable(model)
        self.goals = _goals(model)
        self._pins: list[PinnedRun] = []
        self._classified: dict[tuple, Classification | None] = {}
        self.results: Results = self.run()
        if variable is not None:
            self.variable = variable

    def _value(self, name: str, value: object) -> float:
        """`value` as the number for constant `name`, or a ModelError saying what is wrong."""
        where = f"the value of constant {name!r} in model {self.model.name!r}"
        if isinstance(value, bool | str | bytes) or value is None:
            raise ModelError(f"{where} must be a number, not {type(value).__name__} "
                             f"{value!r:.60}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except OverflowError:
            raise ModelError(f"{where} is beyond the range of floating-point numbers "
                             "(about 1.8e308)") from None
        except (TypeError, ValueError):
            raise ModelError(f"{where} must be a number, not {type(value).__name__} "
                             f"{reprlib.repr(value)}") from None
        if not math.isfinite(number):
            raise ModelError(f"{where} must be a finite number, not {number!r}")
        return number

    def _check_name(self, name: str) -> None:
        if name not in self.specs:
            raise UnknownNameError(name, self.specs, kind="constant",
                                   where=f"model {self.model.name!r}")

    @property
    def variable(self) -> str:
        """The variable drawn and classified."""
        return self._variable

    @variable.setter
    def variable(self, name: str) -> None:
        if name not in self.variables:
            raise UnknownNameError(name, self.variables, kind="variable",
                                   where=f"model {self.model.name!r}")
        self._variable = name

    @property
    def pins(self) -> tuple[PinnedRun, ...]:
        """The pinned runs, oldest first."""
        return tuple(self._pins)

    def run(self) -> Results:
        """Run the model with the current parameters; the result becomes :attr:`results`."""
        self.results = self.model.run(params=self.params)
        return self.results

    def set(self, name: str, value: float) -> Results:
        """Change one constant and re-run; if the run fails, the old value is kept."""
        self._check_name(name)
        old = self.params[name]
        self.params[name] = self._value(name, value)
        try:
            return self.run()
        except Exception:
            self.params[name] = old
            raise

    def label(self, params: Mapping[str, float] | None = None) -> str:
        """The constants that differ from the defaults: ``"a = 1, b = 2"``, or ``"defaults"``."""
        params = self.params if params is None else params
        changed = [f"{self.specs[n].label} = {_format(v)}" for n, v in params.items()
                   if not math.isclose(v, self.defaults[n], rel_tol=1e-12, abs_tol=1e-12)]
        return ", ".join(changed) or "defaults"

    def pin(self) -> PinnedRun:
        """Keep the current run for comparison (at most :data:`MAX_PINS`, oldest dropped)."""
        pinned = PinnedRun(tuple(self.params.items()), self.label(), self.results)
        self._pins.append(pinned)
        del self._pins[:-MAX_PINS]
        return pinned

    def reset(self) -> Results:
        """Restore every default, forget the pinned runs, and re-run."""
        self.params = dict(self.defaults)
        self._pins.clear()
        return self.run()

    def classify(self, variable: str | None = None) -> Classification | None:
        """The behaviour pattern of `variable` in the latest run (None if it cannot be told).

        A variable with a goal (:attr:`goals`) is read together with it.

        Classifications are remembered per parameter set, so going back to a
        setting is instant.
        """
        from csframework import behaviour

        variable = self.variable if variable is None else variable
        key = (variable, tuple(self.params.items()))
        if key not in self._classified:
            try:
                goal = self.goals.get(variable)
                found = behaviour.classify(self.results[variable], goal=None if goal is None
                                           else self.results[goal])
            except (CSFrameworkError, ValueError, ArithmeticError):
                found = None
            if len(self._classified) > 256:
                self._classified.clear()
            self._classified[key] = found
        return self._classified[key]

    def dominance(self) -> Any:
        """Which loop dominates when in the latest run (see ``structure.loop_dominance``)."""
        from csframework.sd.structure import loop_dominance

        return loop_dominance(self.model, self.results)

    def __repr__(self) -> str:
        return (f"<Experiment {self.model.name!r}: {self.variable}, {self.label()}, "
                f"{len(self._pins)} pinned>")

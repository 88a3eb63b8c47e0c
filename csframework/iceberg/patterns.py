"""Behaviour over time on the patterns level of an iceberg: measured or sketched by name."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from csframework._text import resolve
from csframework.errors import DiagramError

__all__ = ["PATTERNS", "Behaviour"]


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

    def to_dict(self) -> dict[str, Any]:
        """The behaviour as plain data, as an iceberg's JSON holds it."""
        return {"values": list(self.values),
                "times": None if self.times is None else list(self.times),
                "pattern": self.pattern, "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Behaviour:
        """A behaviour from the data written by :meth:`to_dict`."""
        times = data.get("times")
        return cls(tuple(float(v) for v in data["values"]),
                   None if times is None else tuple(float(t) for t in times),
                   data.get("pattern"), data.get("label"))

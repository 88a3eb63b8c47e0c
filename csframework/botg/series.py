"""The series of a behaviour-over-time graph, as stored, and the checks on their numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from csframework.errors import SeriesError

__all__ = ["KINDS", "SCHEMA", "SCHEMA_VERSION", "SeriesRecord", "finite_number"]

SCHEMA = "csframework.botg"
SCHEMA_VERSION = 1

#: How a series came to be: noticed one value at a time, given whole, or sketched.
KINDS = ("recorded", "given", "sketch")


@dataclass
class SeriesRecord:
    """One named series of a graph: its kind, times, values, notes and sketched pattern."""

    name: str
    kind: str
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)
    pattern: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The series as plain data, as it is written in the graph's JSON."""
        return {"name": self.name, "kind": self.kind, "pattern": self.pattern,
                "times": list(self.times), "values": list(self.values),
                "notes": list(self.notes)}


def finite_number(value: object, what: str, where: str) -> float:
    """`value` as a finite float; a SeriesError naming it otherwise.

    Examples
    --------
    >>> finite_number(3, "time", "of a record")
    3.0
    >>> finite_number("3", "time", "of a record")
    Traceback (most recent call last):
    ...
    csframework.errors.SeriesError: time of a record must be a number, not '3'
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
        raise SeriesError(f"{what} {where} must be a number, not {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SeriesError(f"{what} {where} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise SeriesError(f"{what} {where} must be a finite number, not {value!r}")
    return number

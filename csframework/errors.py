"""One exception tree for csframework.

Every error names the value that was given, where it came from, and what would
have been valid. Each class also subclasses the matching built-in exception, so
``except ValueError`` and ``except KeyError`` keep working for callers who do not
know about csframework.

Examples
--------
>>> from csframework.errors import UnknownNameError
>>> err = UnknownNameError("teacup_temprature", ["teacup_temperature", "room_temperature"],
...                        kind="variable", where="model 'Teacup'")
>>> print(err)
unknown variable 'teacup_temprature' in model 'Teacup'; did you mean 'teacup_temperature'?
>>> isinstance(err, KeyError)
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CSFrameworkError",
    "CacheError",
    "DiagramError",
    "EquationError",
    "ExerciseError",
    "FormatError",
    "JournalError",
    "ModelError",
    "NotationError",
    "SeriesError",
    "SimulationError",
    "UnknownNameError",
    "close_matches",
]


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to `n` candidates that look like `name`, best first.

    The comparison ignores case, spaces and underscores, because participants
    write ``Room Temperature`` for ``room_temperature``.

    Examples
    --------
    >>> close_matches("trust", ["Trust", "participation", "truth"])
    ['Trust', 'truth']
    """
    def key(s: str) -> str:
        return " ".join(str(s).lower().replace("_", " ").split())

    candidates = list(dict.fromkeys(str(c) for c in candidates))
    by_key: dict[str, list[str]] = {}
    for c in candidates:
        by_key.setdefault(key(c), []).append(c)
    found: list[str] = []
    for k in difflib.get_close_matches(key(name), list(by_key), n=n, cutoff=0.7):
        found.extend(by_key[k])
    return found[:n]


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    matches = close_matches(name, candidates)
    if not matches:
        return ""
    if len(matches) == 1:
        return f"; did you mean {matches[0]!r}?"
    return "; did you mean " + ", ".join(repr(m) for m in matches[:-1]) + f" or {matches[-1]!r}?"


class CSFrameworkError(Exception):
    """Base class of every error csframework raises on purpose."""


class DiagramError(CSFrameworkError, ValueError):
    """A causal loop diagram was given something it cannot hold."""


class NotationError(DiagramError):
    """A line of the diagram text notation could not be read.

    Attributes
    ----------
    line_number : int
        1-based number of the offending line.
    line : str
        The text of that line.
    problem : str
        What is wrong with it, without the line and the expected form.
    """

    def __init__(self, message: str, line_number: int, line: str):
        self.line_number = line_number
        self.line = line
        self.problem = message
        super().__init__(
            f"line {line_number}: {message}: {line.strip()!r}; "
            "expected 'cause -> effect : +' or 'cause -> effect : - delay'"
        )


class UnknownNameError(CSFrameworkError, KeyError):
    """A name was looked up that does not exist; suggests close names."""

    def __init__(self, name: str, candidates: Iterable[str] = (), *, kind: str = "name",
                 where: str = ""):
        self.name = name
        self.candidates = tuple(candidates)
        place = f" in {where}" if where else ""
        hint = _did_you_mean(name, self.candidates)
        if not hint and self.candidates:
            shown = ", ".join(repr(c) for c in sorted(self.candidates)[:8])
            more = ", ..." if len(self.candidates) > 8 else ""
            hint = f"; known {kind}s are {shown}{more}"
        self.message = f"unknown {kind} {name!r}{place}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.message


class EquationError(CSFrameworkError, ValueError):
    """An equation uses something outside the safe equation language."""


class SeriesError(CSFrameworkError, ValueError):
    """A behaviour-over-time series cannot be read (too short, NaN, not numbers)."""


class ModelError(CSFrameworkError, ValueError):
    """A stock-and-flow model is inconsistent (duplicates, cycles, bad settings)."""


class SimulationError(CSFrameworkError, ArithmeticError):
    """A simulation produced NaN or infinity, or could not proceed."""


class FormatError(CSFrameworkError, ValueError):
    """A file or text in an exchange format (JSON, Kumu, XMILE) could not be read."""


class CacheError(CSFrameworkError, OSError):
    """The private folder of PySD translations is missing, shared or not the user's own."""


class JournalError(CSFrameworkError, OSError):
    """The reflection journal could not be read or written."""


class ExerciseError(CSFrameworkError, LookupError):
    """An exercise or question does not exist."""

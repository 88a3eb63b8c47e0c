"""Explaining a classification in words: one sentence per pattern, and the phases.

Examples
--------
>>> from csframework.behaviour.classifier import Phase
>>> from csframework.behaviour.explaining import explain_phases
>>> explain_phases((Phase("linear decline", 0, 5, 25), Phase("equilibrium", 5, 10, 25)))
'In phases: it shows linear decline from time 0 to 5, then holds at about 25 from time 5 to 10.'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from csframework.behaviour.classifier import Phase

__all__ = ["BIG_RANGE", "about", "explain_features", "explain_phases"]


# --------------------------------------------------------------------------- #
# Explaining
# --------------------------------------------------------------------------- #

def about(x: float) -> str:
    """A number rounded for a sentence: 69.8 -> '70', 0.0312 -> '0.031'."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if not 1e-3 <= abs(x) < 1e7:
        return f"{x:.2g}"
    digits = 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, digits)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:.{max(digits, 0)}f}".rstrip("0").rstrip(".")


def _explain_linear(f: Mapping[str, float]) -> str:
    way = "rises" if f["trend"] >= 0 else "falls"
    return (f"it {way} by about the same amount in every period of time, about "
            f"{about(abs(f['trend']))} per unit of time")


def _explain_exponential(f: Mapping[str, float]) -> str:
    way = "grows" if f["end"] >= f["start"] else "falls"
    return f"it {way} ever faster, each step adding more than the one before"


def _explain_goal(f: Mapping[str, float]) -> str:
    goal = f["goal"]
    span = abs(f["end"] - f["start"])
    if not math.isfinite(goal) or abs(goal - f["end"]) > span:
        goal = f["end"]
    return f"it moves quickly at first and then ever more slowly towards about {about(goal)}"


def _explain_s(f: Mapping[str, float]) -> str:
    return (f"it changes slowly at first, then faster, then slows down and levels off near "
            f"about {about(f['level'])}")


def _explain_damped(f: Mapping[str, float]) -> str:
    return (f"it swings above and below about {about(f['level'])}, each swing smaller than "
            f"the last (each peak about {about(f['amplitude_ratio'])} of the one before)")


def _explain_sustained(f: Mapping[str, float]) -> str:
    return (f"it swings up and down again and again, the swings staying about the same size "
            f"(about one cycle every {about(f['period'])} units of time)")


def _explain_collapse(f: Mapping[str, float]) -> str:
    return (f"it rises to a peak of about {about(f['peak'])} around time "
            f"{about(f['peak_time'])} and then falls a long way, to about {about(f['end'])}")


def _explain_settle(f: Mapping[str, float]) -> str:
    return f"it goes past about {about(f['level'])}, then comes back and settles there"


def _explain_equilibrium(f: Mapping[str, float]) -> str:
    if f.get("relative_range", 0.0) > BIG_RANGE:
        # A short, uneven series (a week of ratings) can move a lot and still not stand
        # out from its noise: say so rather than call it steady.
        return (f"it moves over a range of about {f['relative_range']:.0%} of its level, but "
                "in too few points, or too unevenly, for a shape to stand out from the noise; "
                "look at the graph and name what you see")
    return f"it stays at about {about(f['level'])}; its changes are small or only noise"


#: Above this range, relative to its level, a series called "equilibrium" is not steady.
BIG_RANGE = 0.25


def _explain_decline(f: Mapping[str, float]) -> str:
    return (f"it rises to a peak of about {about(f['peak'])} around time "
            f"{about(f['peak_time'])} and then declines to about {about(f['end'])}, "
            "well above where it began")


def _first_move(f: Mapping[str, float]) -> str:
    return "falls" if f["first_leg"] < 0 else "rises"


def _explain_better_first(f: Mapping[str, float]) -> str:
    return (f"it first {_first_move(f)} (the relief), then turns and goes past where it began, "
            f"from about {about(f['start'])} to about {about(f['end'])}")


def _explain_worse_first(f: Mapping[str, float]) -> str:
    return (f"it first {_first_move(f)} (the cost of the change), then turns and goes past "
            f"where it began, from about {about(f['start'])} to about {about(f['end'])}")


def explain_phases(phases: tuple[Phase, ...]) -> str:
    """The phases of a series in one sentence: ``"In phases: it shows ..., then holds ..."``.
    """
    parts = []
    for phase in phases:
        if phase.pattern == "equilibrium":
            parts.append(f"holds at about {about(phase.level)} from time "
                         f"{about(phase.start)} to {about(phase.stop)}")
        else:
            parts.append(f"shows {phase.pattern} from time {about(phase.start)} to "
                         f"{about(phase.stop)}")
    return "In phases: it " + ", then ".join(parts) + "."


def _explain_drift(f: Mapping[str, float]) -> str:
    return (f"the goal gives way, from about {about(f['goal_start'])} to about "
            f"{about(f['goal_end'])}, and performance, instead of rising to meet it, slides "
            f"with it from about {about(f['performance_start'])} to about "
            f"{about(f['performance_end'])}")


_EXPLAINERS: dict[str, Callable[[Mapping[str, float]], str]] = {
    "drifting goals": _explain_drift,
    "growth then decline": _explain_decline,
    "better before worse": _explain_better_first,
    "worse before better": _explain_worse_first,
    "linear": _explain_linear,
    "exponential growth": _explain_exponential,
    "goal seeking": _explain_goal,
    "s-shaped growth": _explain_s,
    "damped oscillation": _explain_damped,
    "sustained oscillation": _explain_sustained,
    "overshoot and collapse": _explain_collapse,
    "overshoot and settle": _explain_settle,
    "equilibrium": _explain_equilibrium,
}


def explain_features(pattern: str, features: Mapping[str, float]) -> str:
    """Why a series with these `features` looks like `pattern`, as a clause for a sentence.

    Examples
    --------
    >>> explain_features("linear", {"trend": -2.0})
    'it falls by about the same amount in every period of time, about 2 per unit of time'
    """
    return _EXPLAINERS[pattern](features)

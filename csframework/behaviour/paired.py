"""A performance read together with its goal: the measurements behind "drifting goals".

Some reference modes need two series. In the eroding-goals archetype the
performance alone may look like a slow decline; what makes it drift to low
performance is that the goal it is aimed at slides down with it, and that the
gap between them closes (or never opens wide) because the goal gives way, not
because performance rises. :func:`measure_pair` measures both series on the
same times, and :func:`drift_score` says, between 0 and 1, how much they look
like that.

Examples
--------
>>> import numpy as np
>>> from csframework.behaviour.paired import drift_score, measure_pair
>>> t = np.linspace(0, 1, 50)
>>> performance = 80 - 40 * t + 8 * (1 - np.exp(-6 * t))
>>> goal = performance + 20 * np.exp(-6 * t)
>>> round(drift_score(measure_pair(performance, goal, t)), 2)
1.0
>>> round(drift_score(measure_pair(80 + 12 * (1 - np.exp(-5 * t)), 100 + 0 * t, t)), 2)
0.0
"""

from __future__ import annotations

import numpy as np

from csframework.behaviour.measuring import soft_above

__all__ = ["PAIR_FEATURES", "drift_score", "measure_pair"]

#: The features :func:`measure_pair` adds (lengths in units of the pair's range, except
#: the levels ``performance_start/end``, ``goal_start/end`` and ``gap_start/end``).
PAIR_FEATURES = ("performance_start", "performance_end", "goal_start", "goal_end",
                 "gap_start", "gap_end", "gap_start_share", "goal_fall", "performance_change",
                 "goal_late_change", "performance_late_change")

_END_SHARE = 0.05        # the start and end levels come from a twentieth of the points


def measure_pair(performance: np.ndarray, goal: np.ndarray,
                 times: np.ndarray) -> dict[str, float]:
    """How a performance and its goal move together (see :data:`PAIR_FEATURES`).

    Parameters
    ----------
    performance, goal : numpy.ndarray
        Finite values on the same `times`, at least five of them (checked by the caller).
    times : numpy.ndarray
        Increasing.

    Returns
    -------
    dict of str to float
        The levels at the start and the end (from a line fitted through the first
        and the last twentieth of the points, so that noise does not decide them),
        the gap (goal minus performance) at both ends and, as a share of the range,
        at the start, how far the goal falls and how far performance changes over
        the whole run, and how far each changes over the second half of the time,
        as fractions of the range both series cover.
    """
    n = len(performance)
    k = max(1, round(_END_SHARE * n))
    level = {"performance": performance, "goal": goal}
    f: dict[str, float] = {}
    for name, values in level.items():
        f[f"{name}_start"] = _end_level(times[:k], values[:k], times[0])
        f[f"{name}_end"] = _end_level(times[-k:], values[-k:], times[-1])
    f["gap_start"] = f["goal_start"] - f["performance_start"]
    f["gap_end"] = f["goal_end"] - f["performance_end"]
    both = np.concatenate([performance, goal])
    span = float(both.max() - both.min())
    if span <= 1e-12 * max(float(np.max(np.abs(both))), 1e-300):
        f.update(gap_start_share=0.0, goal_fall=0.0, performance_change=0.0,
                 goal_late_change=0.0, performance_late_change=0.0)
        return f
    f["gap_start_share"] = f["gap_start"] / span
    f["goal_fall"] = (f["goal_start"] - f["goal_end"]) / span
    f["performance_change"] = (f["performance_end"] - f["performance_start"]) / span
    position = (times - times[0]) / (times[-1] - times[0])
    late = position >= 0.5
    if late.sum() < 3:
        late = np.arange(n) >= n - 3
    for name, values in level.items():
        slope = np.polyfit(position[late], values[late] / span, 1)[0]
        f[f"{name}_late_change"] = float(slope * (position[late][-1] - position[late][0]))
    return f


def _end_level(times: np.ndarray, values: np.ndarray, at: float) -> float:
    """The level at `at`, from a line through a few points near it (so noise does not decide)."""
    if len(values) < 3:
        return float(values[0] if at == times[0] else values[-1])
    _, intercept = np.polyfit(times - at, values, 1)
    return float(intercept)


def drift_score(f: dict[str, float]) -> float:
    """Between 0 and 1: how much a performance and its goal drift down together.

    All four must hold: the goal starts at or above the performance (it is a goal
    the performance falls short of); the goal gives way, by a fifth of the range
    or more; the performance ends lower than it began, so that the gap did not
    close by performance rising; and both are still sliding in the second half.
    """
    falls_short = soft_above(f["gap_start_share"], 0.0, 0.03)
    gives_way = soft_above(f["goal_fall"], 0.2, 0.04)
    slides = soft_above(-f["performance_change"], 0.1, 0.03)
    together = (soft_above(-f["goal_late_change"], 0.08, 0.025)
                * soft_above(-f["performance_late_change"], 0.08, 0.025))
    return float(falls_short * gives_way * slides * together)

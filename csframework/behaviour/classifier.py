"""The classifier: which pattern a series looks like, how sure, and in which phases.

:func:`classify` measures a series (:mod:`~csframework.behaviour.measuring`),
scores every pattern of the library between 0 and 1, and returns a
:class:`Classification` with the best one, the scores, the features, and the
stretches at rest before and after it as :class:`Phase`\\ s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from csframework.behaviour.explaining import BIG_RANGE, explain_features, explain_phases
from csframework.behaviour.measuring import (
    MAX_BINS,
    as_arrays,
    disturbed_part,
    measure,
    soft_above,
    soft_below,
)
from csframework.behaviour.paired import drift_score, measure_pair
from csframework.behaviour.patterns import REVERSALS, Pattern, names, pattern
from csframework.errors import SeriesError

__all__ = ["Classification", "Phase", "classify"]


# Classification
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Phase:
    """One stretch of a series with a pattern of its own (see :attr:`Classification.phases`).

    Attributes
    ----------
    pattern : str
        A pattern name; a linear stretch says its direction ("linear decline").
    start, stop : float
        When the stretch begins and ends, in the series' time.
    level : float
        Where the stretch ends.
    """

    pattern: str
    start: float
    stop: float
    level: float

    def __str__(self) -> str:
        return self.pattern


@dataclass(frozen=True)
class Classification:
    """What :func:`classify` found: a pattern, how sure, and the measurements behind it.

    Attributes
    ----------
    pattern : str
        The canonical name of the best matching pattern.
    confidence : float
        Between 0 and 1.
    scores : mapping of str to float
        A score between 0 and 1 for every pattern of the library (read-only).
    features : mapping of str to float
        The measured features (read-only): ``trend`` (slope of the best line, in
        units per unit of time), ``curvature`` (the logarithm of how many times
        steeper the end is than the start: above 0 speeding up, below 0 slowing
        down), ``turning_points``, ``peak_position`` (0 to 1 along the time
        axis), ``peak_size`` (how far the highest point stands above both
        ends, as a fraction of the range), ``amplitude_ratio`` (of successive
        oscillation peaks; NaN when there are none), ``period``, ``net_change``
        (end minus start, as a fraction of the range), ``final_slope``,
        ``relative_range``, ``noise``, ``start``, ``end``, ``level`` ...

    Examples
    --------
    >>> import numpy as np
    >>> from csframework import behaviour
    >>> c = behaviour.classify(np.sin(np.linspace(0, 30, 300)))
    >>> c  # doctest: +ELLIPSIS
    Classification('sustained oscillation', confidence=0...)
    >>> c.features["turning_points"]
    9
    """

    pattern: str
    confidence: float
    scores: Mapping[str, float] = field(repr=False, compare=False, hash=False)
    features: Mapping[str, float] = field(repr=False, compare=False, hash=False)
    phases: tuple[Phase, ...] = field(default=(), repr=False, compare=False, hash=False)
    better: str | None = field(default=None, repr=False, compare=False, hash=False)

    def __repr__(self) -> str:
        return f"Classification({self.pattern!r}, confidence={self.confidence:.2f})"

    @property
    def shape(self) -> str:
        """The phases in words: ``"linear decline, then equilibrium"``.

        Examples
        --------
        >>> from csframework import behaviour
        >>> bathtub = [100 - 5 * t for t in range(16)] + [25] * 8   # drains, then holds
        >>> behaviour.classify(bathtub).shape
        'linear decline, then equilibrium'
        """
        return ", then ".join(str(p) for p in self.phases) or self.pattern

    def explain(self) -> str:
        """One or two sentences for a participant: the pattern, how sure, and why.

        Examples
        --------
        >>> from csframework import behaviour
        >>> c = behaviour.classify([3, 5, 7, 9, 11, 13])
        >>> print(c.explain())
        This looks like linear (confidence 1.00): it rises by about the same amount
        in every period of time, about 2 per unit of time.
        """
        why = explain_features(self.pattern, self.features)
        text = f"This looks like {self.pattern} (confidence {self.confidence:.2f}): {why}."
        if self.pattern == "equilibrium" and self.features.get("relative_range", 0) > BIG_RANGE:
            text = (f"No clear pattern (the nearest is equilibrium, confidence "
                    f"{self.confidence:.2f}): {why}.")
        if len(self.phases) > 1:
            text += " " + explain_phases(self.phases)
        if self.pattern in REVERSALS and self.better is None:
            other = REVERSALS[1 - REVERSALS.index(self.pattern)]
            text += (f" It is read as a problem symptom, where lower is better; if higher is "
                     f"better here, it is {other} (say so with better='up').")
        return text

    @property
    def info(self) -> Pattern:
        """The :class:`Pattern` found, with its description and typical structure."""
        return pattern(self.pattern)


def classify(series: Any, time: Any = None, *, better: str | None = None,
             goal: Any = None) -> Classification:
    """Say which pattern of behaviour over time a series looks like.

    Parameters
    ----------
    series : pandas.Series, numpy array, list or a Results column
        At least five finite numbers, in time order. A pandas Series uses its
        (numeric or datetime) index as time; otherwise equal time steps are
        assumed unless `time` is given.
    time : sequence of float, optional
        The times of the values, increasing.
    better : {"up", "down"}, optional
        Which direction is better for this quantity ("down" for a problem symptom such as
        stress or absences, "up" for trust or attendance). It decides only between
        "better before worse" and "worse before better", which are the same shape seen
        from either side; without it the series is read as a problem symptom, as the
        archetypes draw it, and :meth:`Classification.explain` says so.

    goal : series, optional
        The goal `series` is aimed at, on the same times (a Results column, a pandas
        Series, an array or a list of the same length). With it, the pair is also
        checked for the paired patterns (:data:`~csframework.behaviour.PAIRED_PATTERNS`):
        "drifting goals" when the goal and the performance slide down together, the
        gap closing because the goal gives way rather than because performance rises.
        Otherwise the pattern is that of `series` alone, as without a goal.

    Returns
    -------
    Classification

    Raises
    ------
    SeriesError
        (a ``ValueError``) for fewer than five values, NaN or infinity, values
        that are not numbers, a table instead of one series, or bad times.

    Examples
    --------
    >>> import numpy as np
    >>> from csframework import behaviour
    >>> t = np.linspace(0, 50, 201)
    >>> behaviour.classify(100 * 1.05 ** t).pattern
    'exponential growth'
    >>> behaviour.classify(1000 / (1 + 99 * np.exp(-0.3 * t))).pattern
    's-shaped growth'
    >>> behaviour.classify([5, 5, 5, 5, 5]).pattern
    'equilibrium'
    >>> performance, goal = [80, 77, 74, 71, 68, 65], [100, 90, 84, 78, 72, 67]
    >>> behaviour.classify(performance, goal=goal).pattern
    'drifting goals'
    >>> behaviour.classify(performance, goal=[100] * 6).pattern   # the goal held
    'linear'
    >>> behaviour.classify([1, 2, float("nan"), 4, 5])
    Traceback (most recent call last):
    ...
    csframework.errors.SeriesError: the series has a missing value (NaN) at position 2;
    fill or drop missing values before classifying
    """
    if better not in (None, "up", "down"):
        raise SeriesError(f"better={better!r} is not a direction: expected 'up' (higher is "
                          "better), 'down' (lower is better) or None")
    values, times = as_arrays(series, time)
    found = _classify_arrays(values, times, better)
    if goal is None:
        return found
    return _with_goal(found, values, times, _goal_array(goal, time, times))


def _goal_array(goal: Any, time: Any, times: np.ndarray) -> np.ndarray:
    count = len(goal) if hasattr(goal, "__len__") else None
    if count is not None and count != len(times):
        raise SeriesError(f"the goal must have one value per point of the series "
                          f"({len(times)}), at the same times; got {count} values")
    try:
        values, goal_times = as_arrays(goal, time)
    except SeriesError as err:
        raise SeriesError(f"the goal: {err}") from None
    if len(values) != len(times) or (time is None and not np.allclose(goal_times, times)):
        raise SeriesError(f"the goal must have one value per point of the series "
                          f"({len(times)}), at the same times; got {len(values)} values"
                          + ("" if len(values) != len(times) else " at other times"))
    return values


def _with_goal(found: Classification, values: np.ndarray, times: np.ndarray,
               goal: np.ndarray) -> Classification:
    """`found`, or "drifting goals" when the performance and its goal slide down together."""
    pair = measure_pair(values, goal, times)
    score = round(drift_score(pair), 4)
    scores = MappingProxyType({**found.scores, "drifting goals": score})
    features = MappingProxyType({**found.features, **pair})
    if score < 0.5:
        return Classification(found.pattern, found.confidence, scores, features, found.phases,
                              found.better)
    phases = (Phase("drifting goals", float(times[0]), float(times[-1]), float(values[-1])),)
    return Classification("drifting goals", score, scores, features, phases, found.better)



# --------------------------------------------------------------------------- #
# Scoring
# --------------------------------------------------------------------------- #

def _model_weights(f: dict[str, float]) -> dict[str, float]:
    """How strongly each monotone model is preferred, from a tempered BIC (weights sum to 1).

    The misfits are in units of the noise; a misfit below the noise counts as
    no misfit at all, and each extra parameter must buy a real improvement.
    """
    m = min(f["points"], MAX_BINS)
    models = {"line": (f["misfit_line"], 2), "exponential": (f["misfit_exponential"], 3),
              "logistic": (f["misfit_logistic"], 4)}
    bic = {name: m * math.log(misfit**2 + 0.5) + k * math.log(m)
           for name, (misfit, k) in models.items()}
    lowest = min(bic.values())
    temperature = max(1.0, m / 40)
    weights = {name: math.exp(-(b - lowest) / (2 * temperature)) for name, b in bic.items()}
    total = sum(weights.values())
    return {name: w / total for name, w in weights.items()}


def _scores(f: dict[str, float], better: str | None = None) -> dict[str, float]:
    if f["flat"]:
        return {name: (1.0 if name == "equilibrium" else 0.0) for name in names()}
    signal = soft_above(f["signal_to_noise"], 7.0, 1.5)
    monotone = 1.0 if f["turning_points"] == 0 else 0.0
    weights = _model_weights(f)
    speeding_up = soft_above(f["curvature"], 0.0, 0.3)
    steepest = max(f["steepest_slope"], 1e-12)
    starts_slowly = soft_below(abs(f["initial_slope"]) / steepest, 0.45, 0.1)
    levels_off = soft_below(abs(f["final_slope"]) / steepest, 0.45, 0.1)
    # A logistic fit without a slow start and a levelling off is not an S: hand it on.
    s_curve = monotone * weights["logistic"]
    s = {
        "linear": monotone * weights["line"] + s_curve * (1 - starts_slowly) * (1 - levels_off),
        "exponential growth": monotone * weights["exponential"] * speeding_up
        + s_curve * starts_slowly * (1 - levels_off),
        "goal seeking": monotone * weights["exponential"] * (1 - speeding_up)
        + s_curve * (1 - starts_slowly) * levels_off,
        "s-shaped growth": s_curve * starts_slowly * levels_off,
    }
    s.update(_oscillation_scores(f))
    reversal = s.pop("reversal")
    falls_first = f["first_leg"] < 0 if math.isfinite(f["first_leg"]) else True
    # Which way is better decides the name; without a direction the patterns are read as
    # for a problem symptom (lower is better), as the archetypes draw them.
    better_first = falls_first == (better != "up")
    s["better before worse"] = reversal if better_first else 0.0
    s["worse before better"] = 0.0 if better_first else reversal
    s = {name: signal * score for name, score in s.items()}
    s["equilibrium"] = 1 - signal
    return {name: float(min(max(s[name], 0.0), 1.0)) for name in names()}


def _oscillation_scores(f: dict[str, float]) -> dict[str, float]:
    turns = f["turning_points"]
    if turns == 0:
        return {"damped oscillation": 0.0, "sustained oscillation": 0.0,
                "overshoot and collapse": 0.0, "overshoot and settle": 0.0,
                "growth then decline": 0.0, "reversal": 0.0}
    ratio = f["half_cycle_ratio"]
    ratio = 0.0 if math.isnan(ratio) else ratio
    travel = abs(f["net_change"])
    overshoot = f["overshoot"]
    # Three turns or more; or two, past the level and back past it, when the first
    # overshoot is too big for "overshoot and settle" (the complement of _settles).
    many = max(soft_above(turns, 2.5, 0.3),
               f["ends_between_turns"] * soft_above(overshoot / max(travel, 1e-9), 0.5, 0.08))
    overall = f["overall_decay"]
    keeps_size = (soft_above(ratio, 0.93, 0.025)
                  * (1.0 if math.isnan(overall) else soft_above(overall, 0.65, 0.05)))
    settled = soft_below(abs(f["final_slope"]), 0.6, 0.15)
    settles = _settles(travel, overshoot, ratio, turns) * settled
    collapse = _collapse(f, settled)
    reversal = _reversal(f)
    decline = _decline(f)
    return {
        "damped oscillation": many * (1 - keeps_size) * (1 - settles) * (1 - reversal),
        "sustained oscillation": many * keeps_size,
        "overshoot and collapse": collapse * (1 - reversal),
        "overshoot and settle": settles * (1 - reversal) * (1 - decline),
        "growth then decline": decline * (1 - collapse) * (1 - reversal),
        "reversal": reversal,
    }


def _decline(f: dict[str, float]) -> float:
    """A peak, then a fall to a level well above the start (not a collapse)."""
    fall = f["fall_from_peak"]
    # A smaller fall back is an overshoot that settles; a larger one a collapse.
    return (soft_above(f["rise_to_peak"], 0.3, 0.06) * soft_above(fall, 0.28, 0.01)
            * soft_below(fall, 0.55, 0.05) * soft_below(f["rebound"], 0.2, 0.05)
            * soft_below(f["turning_points"], 2.5, 0.3))


def _reversal(f: dict[str, float]) -> float:
    """A smaller first move, then a larger one the other way, ending well beyond the start."""
    first, net = f["first_leg"], f["net_change"]
    if not math.isfinite(first) or first * net >= 0:
        return 0.0
    lead, beyond = abs(first), abs(net)
    return (soft_above(lead, 0.1, 0.03) * soft_below(lead, 0.55, 0.05)
            * soft_above(beyond, 0.35, 0.05) * soft_below(f["turning_points"], 2.5, 0.3)
            * soft_above(f["first_turn_position"], 0.03, 0.01))


def _settles(travel: float, overshoot: float, ratio: float, turns: float) -> float:
    return (soft_above(travel, 0.45, 0.06) * soft_above(overshoot, 0.04, 0.02)
            * soft_below(overshoot / max(travel, 1e-9), 0.5, 0.08)
            * soft_below(ratio, 0.5, 0.1) * soft_below(turns, 4.5, 0.4))


def _collapse(f: dict[str, float], settled: float) -> float:
    fall = f["fall_from_peak"]
    fallen = max(soft_above(fall, 0.55, 0.05), soft_above(fall, 0.2, 0.05) * (1 - settled))
    return (soft_above(f["rise_to_peak"], 0.3, 0.06) * fallen
            * soft_below(f["rebound"], 0.25, 0.05) * soft_below(f["turning_points"], 2.5, 0.3))


def _confidence(scores: dict[str, float]) -> tuple[str, float]:
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top <= 0:
        return "equilibrium", 0.0
    return best, top * top / (top + second)


def _classify_arrays(values: np.ndarray, times: np.ndarray,
                     better: str | None = None) -> Classification:
    start, stop = disturbed_part(values)
    features = measure(values[start:stop], times[start:stop])
    transient = features.pop("transient_end")
    if math.isfinite(transient):
        keep = times[start:stop] >= transient
        features = measure(values[start:stop][keep], times[start:stop][keep])
        features.pop("transient_end")
    features["at_rest_until"] = float(times[start]) if start > 0 else math.nan
    features["at_rest_from"] = float(times[stop - 1]) if stop < len(values) else math.nan
    features["transient_until"] = transient
    scores = _scores(features, better)
    best, confidence = _confidence(scores)
    phases = _phases(best, features, float(times[0]), float(times[-1]))
    return Classification(best, round(confidence, 4), MappingProxyType(scores),
                          MappingProxyType(features), phases, better)


_PHASE_SHARE = 0.1       # a stretch at rest is a phase of its own from 10 % of the time


def _phase_name(pattern: str, f: Mapping[str, float]) -> str:
    if pattern == "linear":
        return "linear growth" if f["trend"] >= 0 else "linear decline"
    return pattern


def _phases(best: str, f: Mapping[str, float], first: float, last: float) -> tuple[Phase, ...]:
    """The pattern, with the stretches at rest before and after it as phases of their own."""
    span = last - first
    begin, end = f["at_rest_until"], f["at_rest_from"]
    if f.get("flat") or best == "equilibrium":
        return (Phase("equilibrium", first, last, f["level"]),)
    phases = []
    if math.isfinite(begin) and begin - first >= _PHASE_SHARE * span:
        phases.append(Phase("equilibrium", first, begin, f["start"]))
    else:
        begin = first
    if not (math.isfinite(end) and last - end >= _PHASE_SHARE * span):
        end = last
    phases.append(Phase(_phase_name(best, f), begin, end, f["end"]))
    if end < last:
        phases.append(Phase("equilibrium", end, last, f["end"]))
    return tuple(phases)


"""Measuring a series: reading it in, smoothing it, and the features the classifier scores.

A series is checked (numbers, finite, in time order, at least five points),
put on equal time steps, smoothed by local linear regression, and measured:
turning points, peak, swings, slopes and the misfit of a line, an exponential
and a logistic. :func:`measure` returns every feature by name.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from csframework.errors import SeriesError

__all__ = ["MAX_BINS", "MIN_POINTS", "as_arrays", "disturbed_part", "measure", "soft_above",
           "soft_below"]

MIN_POINTS = 5
MAX_BINS = 400           # long series are averaged down to this many points first
_FIT_FLOOR = 0.004       # misfit below 0.4 % of the range counts as a perfect fit


# --------------------------------------------------------------------------- #
# Input
# --------------------------------------------------------------------------- #

def as_arrays(series: Any, time: Any) -> tuple[np.ndarray, np.ndarray]:
    values = series
    index = None
    if hasattr(values, "columns") and hasattr(values, "iloc"):       # a DataFrame
        if values.shape[1] != 1:
            raise SeriesError(
                f"classify() needs one series; got a table with {values.shape[1]} columns; "
                "pick one column (for an ensemble, one member) first")
        values = values.iloc[:, 0]
    if hasattr(values, "index") and hasattr(values, "to_numpy"):     # a Series
        index = values.index
        values = values.to_numpy()
    array = _numeric_array(values)
    if time is not None:
        times = _time_array(time, len(array), "time")
    elif index is not None:
        times = _index_times(index, len(array))
    else:
        times = np.arange(len(array), dtype=float)
    return array, times


def _numeric_array(values: Any) -> np.ndarray:
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise SeriesError(f"classify() needs a series of numbers; could not read it: {exc}") \
            from None
    if array.ndim != 1:
        raise SeriesError(
            f"classify() needs one series of numbers (1-D); got an array of shape "
            f"{array.shape}; pick one row or column first")
    if array.dtype.kind == "b":
        raise SeriesError("classify() needs a series of numbers; got values of type 'bool'")
    if array.dtype.kind not in "iuf":
        items = np.asarray(values, dtype=object)
        for position, item in enumerate(items):
            if not _is_number(item):
                raise SeriesError(
                    f"classify() needs a series of numbers; got {item!r} (of type "
                    f"{type(item).__name__}) at position {position}")
        array = items.astype(float)
    array = array.astype(float)
    if len(array) < MIN_POINTS:
        raise SeriesError(
            f"classify() needs at least {MIN_POINTS} values to see a pattern; got {len(array)}")
    _check_finite(array, "the series")
    return array


def _is_number(value: Any) -> bool:
    if value is None:
        return True             # becomes NaN, reported as a missing value
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes, bool))


def _check_finite(array: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(~np.isfinite(array))
    if len(bad):
        kind = "a missing value (NaN)" if np.isnan(array[bad[0]]) else "an infinite value"
        raise SeriesError(
            f"{what} has {kind} at position {bad[0]}; fill or drop missing values before "
            "classifying")


def _time_array(time: Any, n: int, what: str) -> np.ndarray:
    try:
        times = np.asarray(time, dtype=float)
    except (TypeError, ValueError):
        raise SeriesError(f"{what} must be numbers; got {time!r:.60}") from None
    if times.ndim != 1 or len(times) != n:
        raise SeriesError(
            f"{what} must have one value per point of the series ({n}); got shape {times.shape}")
    _check_finite(times, what)
    if np.any(np.diff(times) <= 0):
        position = int(np.flatnonzero(np.diff(times) <= 0)[0]) + 1
        raise SeriesError(
            f"{what} must increase from point to point; it does not at position {position}")
    return times


def _index_times(index: Any, n: int) -> np.ndarray:
    kind = getattr(index.dtype, "kind", "O")
    if kind in "iuf":
        return _time_array(np.asarray(index, dtype=float), n, "the series' time index")
    if kind == "M":
        nanoseconds = np.asarray(index.asi8, dtype=float)
        return _time_array((nanoseconds - nanoseconds[0]) / 86_400e9, n,
                           "the series' time index")
    return np.arange(n, dtype=float)


# --------------------------------------------------------------------------- #
# Measuring
# --------------------------------------------------------------------------- #

_FLAT_ZERO = ("initial_slope", "steepest_slope", "noise", "signal_to_noise", "net_change",
              "peak_position", "peak_size",
              "trough_size", "rise_to_peak", "fall_from_peak", "rebound", "final_slope",
              "first_swing", "overshoot", "trend", "curvature", "misfit_line",
              "misfit_exponential", "misfit_logistic", "ends_between_turns")
_FLAT_UNDEFINED = ("amplitude_ratio", "half_cycle_ratio", "overall_decay", "period",
                   "transient_end", "first_leg", "first_turn_position",
                   "inflection_position")


_REST = 1e-9             # a change below this fraction of the range is no change at all


def disturbed_part(values: np.ndarray) -> tuple[int, int]:
    """The slice of the series from its disturbance to its coming to rest.

    A simulated system often sits exactly in equilibrium until something
    disturbs it (a step in demand, a shock, a policy switched on), or comes
    exactly to rest once its flows balance or a stock empties. Those flat
    stretches say nothing about the pattern, and a flat start would read as
    the slow start of an S-curve, a sudden stop as goal seeking. So a stretch
    that stays at its first (or last) value to within a billionth of the range
    is set aside, keeping its last (first) point so that the jump itself
    counts; unless the jump turns back at once: that is a shock from outside
    (a pulse), and the pattern is the response to it. Noisy data never stays
    exactly at rest, and is left whole.
    """
    n = len(values)
    span = float(values.max() - values.min())
    tolerance = _REST * max(span, 1e-300)
    moved = np.flatnonzero(np.abs(values - values[0]) > tolerance)
    if span == 0 or len(moved) == 0:
        return 0, n
    start = max(int(moved[0]) - 1, 0)
    if start > 0 and start + 2 < n and (values[start + 1] - values[start]) * (
            values[start + 2] - values[start + 1]) < 0:
        start += 1          # a shock: a jump off the rest that turns back at once
    if n - start < MIN_POINTS:
        return 0, n
    moved = np.flatnonzero(np.abs(values - values[-1]) > tolerance)
    stop = int(moved[-1]) + 2
    if stop - start < MIN_POINTS:
        stop = n
    return start, stop


def _uniform_bins(values: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put the series on equal time steps, averaging long series down to MAX_BINS points."""
    steps = np.diff(times)
    if steps.max() - steps.min() > 1e-6 * steps.mean():
        grid = np.linspace(times[0], times[-1], len(times))
        values, times = np.interp(grid, times, values), grid
    n = len(values)
    if n <= MAX_BINS:
        return values, times
    bins = (np.arange(n) * MAX_BINS) // n
    counts = np.bincount(bins)
    return np.bincount(bins, values) / counts, np.bincount(bins, times) / counts


def _local_linear_matrix(m: int, bandwidth: float) -> np.ndarray:
    """The smoother matrix of a local linear regression with a Gaussian kernel."""
    offset = np.arange(m)[None, :] - np.arange(m)[:, None]
    weight = np.exp(-0.5 * (offset / bandwidth) ** 2)
    s0 = weight.sum(axis=1, keepdims=True)
    s1 = (weight * offset).sum(axis=1, keepdims=True)
    s2 = (weight * offset**2).sum(axis=1, keepdims=True)
    return weight * (s2 - offset * s1) / (s0 * s2 - s1**2)


def _smooth(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Smooth by local linear regression, bandwidth chosen by generalised cross-validation.

    Returns the smoothed series, the estimated noise (standard deviation) and
    the noise left after smoothing.
    """
    m = len(y)
    best = None
    for bandwidth in (0.7, 1.0, 1.5, 2.2, 3.3, 5.0, 7.5, 11.0, 16.0, 24.0):
        if bandwidth > m / 3 and best is not None:
            break
        matrix = _local_linear_matrix(m, bandwidth)
        fitted = matrix @ y
        trace = float(np.trace(matrix))
        rss = float(np.sum((y - fitted) ** 2))
        gcv = rss / m / max(1 - trace / m, 1e-3) ** 2
        if best is None or gcv < best[0] * (1 - 1e-9):
            best = (gcv, fitted, matrix, rss, trace)
    _, fitted, matrix, rss, trace = best
    noise = math.sqrt(rss / max(m - trace, 1.0))
    leftover = noise * math.sqrt(float(np.mean(np.sum(matrix**2, axis=1))))
    return fitted, noise, leftover


def _turning_points(z: np.ndarray, threshold: float) -> list[int]:
    """Indices of the turning points whose swing is at least `threshold` (a zigzag)."""
    points: list[int] = []
    direction = 0
    candidate = 0
    for i in range(1, len(z)):
        if direction == 0:
            if z[i] - z[0] >= threshold:
                direction, candidate = 1, int(np.argmax(z[: i + 1]))
            elif z[0] - z[i] >= threshold:
                direction, candidate = -1, int(np.argmin(z[: i + 1]))
            continue
        if direction == 1:
            if z[i] > z[candidate]:
                candidate = i
            elif z[candidate] - z[i] >= threshold:
                points.append(candidate)
                direction, candidate = -1, i
        else:
            if z[i] < z[candidate]:
                candidate = i
            elif z[i] - z[candidate] >= threshold:
                points.append(candidate)
                direction, candidate = 1, i
    # A first "turning point" that is only the start moving a little is no turn.
    return [p for p in points if 0 < p < len(z) - 1]


def _misfit_line(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    slope, intercept = np.polyfit(t, y, 1)
    residual = y - (slope * t + intercept)
    return float(np.sqrt(np.mean(residual**2))), float(slope)


def _best_basis_fit(basis: np.ndarray, y: np.ndarray) -> tuple[int, float, float, float]:
    """For each row of `basis`, least squares y ~ a + b*row; the best row, its RMS misfit, a, b."""
    centred = basis - basis.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    sxx = np.sum(centred**2, axis=1)
    sxy = centred @ yc
    valid = sxx > 1e-300
    explained = np.where(valid, sxy**2 / np.where(valid, sxx, 1.0), 0.0)
    best = int(np.argmax(explained))
    rss = max(float(np.sum(yc**2) - explained[best]), 0.0)
    b = float(sxy[best] / sxx[best]) if valid[best] else 0.0
    a = float(y.mean() - b * basis[best].mean())
    return best, math.sqrt(rss / len(y)), a, b


_RATES = np.concatenate([-np.geomspace(60, 0.2, 70), np.geomspace(0.2, 60, 70)])


def _fit_exponential(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Fit y = a + b exp(k t) on t in [0, 1]; returns misfit, k, a, b."""
    best, _, _, _ = _best_basis_fit(_exponential_basis(_RATES, t), y)
    low, high = _RATES[max(best - 1, 0)], _RATES[min(best + 1, len(_RATES) - 1)]
    if low * high > 0:                     # refine between the neighbours on the same side
        rates = np.sign(low) * np.geomspace(abs(low), abs(high), 41)
    else:
        rates = np.array([_RATES[best]])
    finest, misfit, a, b = _best_basis_fit(_exponential_basis(rates, t), y)
    return misfit, float(rates[finest]), a, b


def _exponential_basis(rates: np.ndarray, t: np.ndarray) -> np.ndarray:
    """exp(k t) for each rate k, rescaled to stay finite (growth anchored at the end)."""
    exponent = np.clip(rates[:, None] * (t[None, :] - 1.0), -700, 0)
    return np.exp(np.where(rates[:, None] > 0, exponent, np.clip(rates[:, None] * t, -700, 0)))


_STEEPNESS = np.geomspace(5, 80, 18)
_MIDPOINTS = np.linspace(0.08, 0.92, 43)


def _fit_logistic(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit y = a + b / (1 + exp(-s (t - t0))) with its inflection t0 inside; misfit, t0."""
    s = np.repeat(_STEEPNESS, len(_MIDPOINTS))
    t0 = np.tile(_MIDPOINTS, len(_STEEPNESS))
    basis = 1 / (1 + np.exp(np.clip(-s[:, None] * (t[None, :] - t0[:, None]), -700, 700)))
    best, misfit, _, _ = _best_basis_fit(basis, y)
    return misfit, float(t0[best])


def soft_above(x: float, edge: float, width: float) -> float:
    """Near 0 well below `edge`, 0.5 at `edge`, near 1 well above."""
    return 0.5 * (1 + math.tanh((x - edge) / width))


def soft_below(x: float, edge: float, width: float) -> float:
    return 1 - soft_above(x, edge, width)


_IN_UNITS_OF_THE_SERIES = ("start", "end", "level", "goal", "peak", "trend")


def measure(values: np.ndarray, times: np.ndarray) -> dict[str, float]:
    """All features; the series is divided by its largest size first, so nothing overflows."""
    unit = float(np.max(np.abs(values))) or 1.0
    f = _measure_scaled(values / unit, times)
    for key in _IN_UNITS_OF_THE_SERIES:
        f[key] *= unit
    return f


def _measure_scaled(values: np.ndarray, times: np.ndarray) -> dict[str, float]:
    y, t = _uniform_bins(values, times)
    m = len(y)
    horizon = float(t[-1] - t[0])
    raw_range = float(values.max() - values.min())
    level = float(np.mean(np.abs(values)))
    f: dict[str, float] = {
        "points": len(values),
        "start": float(values[0]),
        "end": float(values[-1]),
        "relative_range": raw_range / level if level > 0 else (0.0 if raw_range == 0 else
                                                                math.inf),
    }
    if raw_range <= 1e-9 * max(level, 1e-300) or raw_range == 0:
        mean = float(np.mean(values))
        f.update(dict.fromkeys(_FLAT_ZERO, 0.0), flat=1.0, turning_points=0, level=mean, goal=mean)
        f.update(dict.fromkeys(_FLAT_UNDEFINED, math.nan), peak=mean, peak_time=float(times[0]))
        return f
    smooth, noise, leftover = _smooth(y)
    low, high = float(smooth.min()), float(smooth.max())
    span = max(high - low, 1e-12 * max(abs(high), 1.0))
    z = (smooth - low) / span
    zy = (y - low) / span
    tn = (t - t[0]) / horizon
    noise_n, leftover_n = noise / span, leftover / span
    f["flat"] = 0.0
    f["noise"] = noise_n
    f["signal_to_noise"] = span / noise if noise > 0 else math.inf
    f["start"], f["end"] = float(smooth[0]), float(smooth[-1])

    threshold = max(0.08, 6 * leftover_n)
    turns = _turning_points(z, threshold)
    f["turning_points"] = len(turns)
    # The first move, signed: a reversal moves one way first and ends beyond its start.
    f["first_leg"] = float(z[turns[0]] - z[0]) if turns else math.nan
    f["first_turn_position"] = float(tn[turns[0]]) if turns else math.nan
    f["transient_end"] = _transient_end(z, tn, t, turns)
    # Two turns with the end between them: it went past, came back past, and settled.
    # ... early enough to be seen settling (not a fall that has only just bottomed out).
    f["ends_between_turns"] = float(
        len(turns) == 2 and min(z[turns]) + 0.02 < z[-1] < max(z[turns]) - 0.02
        and tn[turns[-1]] < 0.8)
    f["net_change"] = float(z[-1] - z[0])
    peak = int(np.argmax(z))
    f["peak_position"] = float(tn[peak])
    f["peak"] = float(smooth[peak])
    f["peak_time"] = float(t[peak])
    f["peak_size"] = float(1 - max(z[0], z[-1]))
    f["trough_size"] = float(min(z[0], z[-1]))
    f["rise_to_peak"] = float(1 - z[0])
    f["fall_from_peak"] = float(1 - z[-1])
    f["rebound"] = float(z[-1] - z[peak:].min())
    tail = max(2, m // 10)
    f["final_slope"] = float(np.polyfit(tn[-tail:], z[-tail:], 1)[0])
    f["initial_slope"] = float(np.polyfit(tn[:tail], z[:tail], 1)[0])
    f["steepest_slope"] = float(np.max(np.abs(np.gradient(z, tn))))
    _measure_swings(f, z, tn, turns, horizon)

    line_misfit, slope = _misfit_line(tn, zy)
    exp_misfit, rate, a, _ = _fit_exponential(tn, zy)
    logistic_misfit, inflection = _fit_logistic(tn, zy)
    scale = math.sqrt(noise_n**2 + _FIT_FLOOR**2)
    f["trend"] = slope * span / horizon
    f["curvature"] = rate
    f["misfit_line"] = line_misfit / scale
    f["misfit_exponential"] = exp_misfit / scale
    f["misfit_logistic"] = logistic_misfit / scale
    f["inflection_position"] = inflection
    f["goal"] = low + a * span if rate < 0 else math.nan
    f["level"] = _final_level(f, smooth, t)
    return f


_TRANSIENT_TIME = 0.15   # turns in the first 15 % of the time ...
_TRANSIENT_SIZE = 0.4    # ... with legs below 40 % of the range are an initial transient
_RELIEF_SIZE = 0.2       # ... unless the first leg is a fifth of the range and later overturned


def _transient_end(z: np.ndarray, tn: np.ndarray, t: np.ndarray, turns: list[int]) -> float:
    """The time a brief initial transient ends, or NaN when there is none.

    A model that does not start in equilibrium (or is disturbed at the start)
    often makes a small, brief move before its own behaviour takes over: a
    quick dip before the symptom climbs, a short rise before the slide. When
    every turning point lies early and every leg up to the last of them is
    small, the series after that last turn carries the pattern.
    """
    if not turns or tn[turns[-1]] > _TRANSIENT_TIME:
        return math.nan
    points = [0, *turns]
    legs = [abs(float(z[j] - z[i])) for i, j in itertools.pairwise(points)]
    if max(legs) > _TRANSIENT_SIZE or len(z) - turns[-1] < max(MIN_POINTS, len(z) // 2):
        return math.nan
    first, net = float(z[turns[0]] - z[0]), float(z[-1] - z[0])
    if len(turns) == 1 and abs(first) >= _RELIEF_SIZE and first * net < 0 and abs(net) >= 0.35:
        return math.nan  # a relief (or a cost) that the later move overturns: a reversal
    return float(t[turns[-1]])


def _measure_swings(f: dict[str, float], z: np.ndarray, tn: np.ndarray, turns: list[int],
                    horizon: float) -> None:
    points = [0, *turns, len(z) - 1]
    legs = [abs(float(z[j] - z[i])) for i, j in itertools.pairwise(points)]
    full = legs[1:-1]                       # swings between two turning points
    f["first_swing"] = legs[0]
    if len(full) >= 2:
        slope = np.polyfit(np.arange(len(full)), np.log(np.maximum(full, 1e-6)), 1)[0]
        half_cycle = float(math.exp(slope))
        overall = float(math.exp(slope * (len(full) - 1)))
    elif len(full) == 1:                    # compare the settling leg with the full swing
        half_cycle = min(legs[-1] / max(full[0], 1e-6), 1.5)
    else:
        half_cycle = math.nan
    if len(full) < 2:
        overall = math.nan
    f["overall_decay"] = overall
    f["amplitude_ratio"] = half_cycle**2 if not math.isnan(half_cycle) else math.nan
    f["half_cycle_ratio"] = half_cycle
    if len(turns) >= 2:
        f["period"] = float(2 * np.mean(np.diff(tn[turns])) * horizon)
    else:
        f["period"] = math.nan
    # Overshoot: how far the series goes beyond where it ends, in the direction it
    # travelled (the peak above the end for a rise, the trough below it for a fall).
    travel = float(z[-1] - z[0])
    f["overshoot"] = float(1 - z[-1]) if travel >= 0 else float(z[-1])


def _final_level(f: dict[str, float], smooth: np.ndarray, t: np.ndarray) -> float:
    """Where the series ends up: the mean over its last cycle, or its last tenth."""
    window = f["period"] if math.isfinite(f["period"]) else 0.1 * (t[-1] - t[0])
    tail = smooth[t >= t[-1] - window]
    return float(np.mean(tail)) if len(tail) else float(smooth[-1])

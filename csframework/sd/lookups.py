"""Lookup tables (graphical functions): checking their points, and interpolating.

:func:`interpolate` reads one number; :func:`lookup_function` gives the numpy
twin that ensembles and structure analysis use, the same arithmetic in the same
order, so single runs and ensembles agree to the bit.

Examples
--------
>>> points = check_points([(0, 0), (1, 10)], "a lookup")
>>> interpolate((0.0, 1.0), (0.0, 10.0), 0.25, False)
2.5
>>> lookup_function(points)(np.array([-1, 0.25, 2])).tolist()
[0.0, 2.5, 10.0]
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

import numpy as np

from csframework.errors import ModelError

__all__ = ["check_points", "interpolate", "lookup_function", "scalar_lookup", "vector_lookup"]


def interpolate(xs: Sequence[float], ys: Sequence[float], x: float, extrapolate: bool) -> float:
    """Piecewise-linear interpolation of one number (see :class:`~csframework.sd.model.Lookup`)."""
    if x != x:  # NaN stays NaN
        return x
    last = len(xs) - 1
    if last == 0:
        return ys[0]
    if x <= xs[0]:
        if not extrapolate or x == xs[0]:
            return ys[0]
        i = 0
    elif x >= xs[last]:
        if not extrapolate or x == xs[last]:
            return ys[last]
        i = last - 1
    else:
        i = bisect.bisect_right(xs, x) - 1
    x0, x1, y0, y1 = xs[i], xs[i + 1], ys[i], ys[i + 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def check_points(points: object, where: str) -> tuple[tuple[float, float], ...]:
    """Validate lookup points: a sequence of (x, y) numbers with increasing x."""
    try:
        pairs = [tuple(p) for p in points]  # type: ignore[union-attr]
    except TypeError:
        raise ModelError(f"{where}: points must be a sequence of (x, y) pairs, not "
                         f"{points!r}") from None
    if not pairs:
        raise ModelError(f"{where}: points must contain at least one (x, y) pair")
    result = []
    for pair in pairs:
        if len(pair) != 2:
            raise ModelError(f"{where}: each point must be an (x, y) pair, not {pair!r}")
        try:
            x, y = float(pair[0]), float(pair[1])
        except (TypeError, ValueError):
            raise ModelError(f"{where}: the point {pair!r} is not a pair of numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ModelError(f"{where}: the point {pair!r} is not finite")
        result.append((x, y))
    for (x0, _), (x1, _) in itertools.pairwise(result):
        if x1 <= x0:
            raise ModelError(f"{where}: x values must increase, but {x1!r} follows {x0!r}")
    return tuple(result)


def scalar_lookup(xs: Sequence[float], ys: Sequence[float], extrapolate: bool):
    """The function of one number that a single run calls for a lookup table.

    Examples
    --------
    >>> scalar_lookup((0.0, 1.0), (0.0, 10.0), True)(2.0)
    20.0
    """
    def lookup(x):
        return interpolate(xs, ys, x, extrapolate)
    return lookup


def vector_lookup(xs: Sequence[float], ys: Sequence[float], extrapolate: bool):
    """The numpy twin of :func:`interpolate`: the same arithmetic in the same
    order, so single runs and ensembles agree to the bit.

    Examples
    --------
    >>> vector_lookup((0.0, 1.0), (0.0, 10.0), False)(np.array([0.5, np.nan])).tolist()
    [5.0, nan]
    """
    x_points, y_points = np.array(xs, dtype=float), np.array(ys, dtype=float)
    last = len(xs) - 1

    def lookup(x):
        x = np.asarray(x, dtype=float)
        if last == 0:
            return np.where(np.isnan(x), x, y_points[0])
        i = np.clip(np.searchsorted(x_points, x, side="right") - 1, 0, last - 1)
        x0, x1, y0, y1 = x_points[i], x_points[i + 1], y_points[i], y_points[i + 1]
        y = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        if extrapolate:
            y = np.where(x == x_points[0], y_points[0], np.where(x == x_points[last],
                                                                  y_points[last], y))
        else:
            y = np.where(x <= x_points[0], y_points[0],
                         np.where(x >= x_points[last], y_points[last], y))
        return np.where(np.isnan(x), x, y)
    return lookup


def lookup_function(points: Sequence[tuple[float, float]], extrapolate: bool = False):
    """The numpy function of a lookup table, as runs and ensembles evaluate it.

    Examples
    --------
    >>> table = lookup_function([(0, 0), (1, 10)])
    >>> table(np.array([-1, 0.25, 2])).tolist()
    [0.0, 2.5, 10.0]
    """
    return vector_lookup(tuple(p[0] for p in points), tuple(p[1] for p in points),
                         extrapolate)

"""What the generated code of a run calls: the equation functions and delay pipelines.

Each function of the equation language has a plain-float form, for single
runs, and a numpy form, for ensembles (every value an array with one entry per
member); :data:`SCALAR_NAMESPACE` and :data:`VECTOR_NAMESPACE` are the names
the generated code sees (see :mod:`csframework.sd.codegen`). Every name starts
with ``_`` and is not of the form ``_<stateful function>_<n>_<variable>``, so
it cannot meet a model name.

Examples
--------
>>> SCALAR_NAMESPACE["_f_modulo"](-7.0, 3.0), VECTOR_NAMESPACE["_f_zidz"](1.0, 0.0)
(2.0, array(0.))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from csframework.errors import SimulationError

__all__ = ["SCALAR_NAMESPACE", "VECTOR_NAMESPACE", "ScalarPipeline", "VectorPipeline",
           "pipeline_length"]


def _f_step(time, height, start):
    return height if time >= start else 0.0


def _pulse_active(time, dt, start, interval):
    x = time - start + 1e-6 * dt
    if x < 0.0:
        return False
    if interval > 0.0:
        x = x % interval
    return x < dt


def _f_pulse(time, dt, volume, start, interval):
    return volume / dt if _pulse_active(time, dt, start, interval) else 0.0


def _f_ramp(time, slope, start, end):
    if time <= start:
        return 0.0
    if end is not None and time > end:
        return slope * (end - start)
    return slope * (time - start)


def _f_modulo(a, b):
    return a - b * math.floor(a / b)


def _f_safediv(a, b, default):
    return a / b if b != 0 else default


_VENSIM_ZERO = 1e-6  # what Vensim (and PySD) count as a zero divisor in XIDZ and ZIDZ


def _f_xidz(a, b, x):
    return x if abs(b) < _VENSIM_ZERO else a / b


def _f_zidz(a, b):
    return 0.0 if abs(b) < _VENSIM_ZERO else a / b


def _f_integer(x):
    return float(math.trunc(x))


SCALAR_NAMESPACE: dict[str, Any] = {
    "_pow": math.pow, "_bool": bool, "_min": min, "_max": max, "_range": range,
    "_round": round,
    "_f_abs": abs, "_f_exp": math.exp, "_f_log": math.log, "_f_log10": math.log10,
    "_f_sqrt": math.sqrt, "_f_sin": math.sin, "_f_cos": math.cos, "_f_tan": math.tan,
    "_f_asin": math.asin, "_f_acos": math.acos, "_f_atan": math.atan,
    "_f_floor": math.floor, "_f_int": math.floor, "_f_modulo": _f_modulo,
    "_f_step": _f_step, "_f_pulse": _f_pulse, "_f_ramp": _f_ramp, "_f_safediv": _f_safediv,
    "_f_xidz": _f_xidz, "_f_zidz": _f_zidz, "_f_integer": _f_integer,
}


def _v_step(time, height, start):
    return np.where(time >= start, height, 0.0)


def _v_pulse(time, dt, volume, start, interval):
    x = np.add(np.subtract(time, start), 1e-6 * dt)
    interval = np.asarray(interval, dtype=float)
    safe = np.where(interval > 0.0, interval, 1.0)
    phase = np.where(interval > 0.0, np.mod(x, safe), x)
    active = np.logical_and(x >= 0.0, phase < dt)
    return np.where(active, np.true_divide(volume, dt), 0.0)


def _v_ramp(time, slope, start, end):
    rising = np.multiply(slope, np.subtract(time, start))
    value = np.where(time <= start, 0.0, rising)
    if end is None:
        return value
    return np.where(np.greater(time, end), np.multiply(slope, np.subtract(end, start)), value)


def _v_modulo(a, b):
    return np.subtract(a, np.multiply(b, np.floor(np.true_divide(a, b))))


def _v_safediv(a, b, default):
    nonzero = np.not_equal(b, 0.0)
    return np.where(nonzero, np.true_divide(a, np.where(nonzero, b, 1.0)), default)


def _v_xidz(a, b, x):
    zero = np.less(np.abs(b), _VENSIM_ZERO)
    return np.where(zero, x, np.true_divide(a, np.where(zero, 1.0, b)))


def _v_zidz(a, b):
    return _v_xidz(a, b, 0.0)


VECTOR_NAMESPACE: dict[str, Any] = {
    "_add": np.add, "_sub": np.subtract, "_mul": np.multiply, "_div": np.true_divide,
    "_pow": np.float_power, "_neg": np.negative, "_not": np.logical_not,
    "_and": np.logical_and, "_or": np.logical_or, "_where": np.where,
    "_lt": np.less, "_le": np.less_equal, "_gt": np.greater, "_ge": np.greater_equal,
    "_eq": np.equal, "_ne": np.not_equal, "_minimum": np.minimum, "_maximum": np.maximum,
    "_range": range, "_round": round,
    "_f_abs": np.abs, "_f_exp": np.exp, "_f_log": np.log, "_f_log10": np.log10,
    "_f_sqrt": np.sqrt, "_f_sin": np.sin, "_f_cos": np.cos, "_f_tan": np.tan,
    "_f_asin": np.arcsin, "_f_acos": np.arccos, "_f_atan": np.arctan,
    "_f_floor": np.floor, "_f_int": np.floor, "_f_modulo": _v_modulo,
    "_f_step": _v_step, "_f_pulse": _v_pulse, "_f_ramp": _v_ramp, "_f_safediv": _v_safediv,
    "_f_xidz": _v_xidz, "_f_zidz": _v_zidz, "_f_integer": np.trunc,
}


class ScalarPipeline:
    """The ring buffer of a delay_fixed: the input of `n` steps ago."""

    __slots__ = ("buffer", "n")

    def __init__(self, delay, initial, dt, steps, owner):
        self.n = pipeline_length(delay, dt, steps, owner)
        self.buffer = [initial] * self.n

    def read(self, k):
        return self.buffer[k % self.n]

    def write(self, k, value):
        self.buffer[k % self.n] = value


class VectorPipeline:
    """A delay_fixed for an ensemble: one ring buffer column per member."""

    __slots__ = ("buffer", "columns", "n", "size")

    def __init__(self, delay, initial, dt, steps, members, owner):
        delays = np.broadcast_to(np.asarray(delay, dtype=float), (members,))
        self.n = np.array([pipeline_length(d, dt, steps, owner) for d in delays])
        self.size = int(self.n.max())
        self.buffer = np.empty((self.size, members))
        self.buffer[:] = initial
        self.columns = np.arange(members)

    def read(self, k):
        return self.buffer[(k - self.n) % self.size, self.columns]

    def write(self, k, value):
        self.buffer[k % self.size] = value


def pipeline_length(delay, dt, steps, owner) -> int:
    """How many steps the pipeline of a delay_fixed holds (a SimulationError if too short)."""
    delay = float(delay)
    if not math.isfinite(delay) or delay < 0.5 * dt:
        raise SimulationError(f"the delay of delay_fixed() in the equation of {owner!r} is "
                              f"{delay:g}; it must be at least dt ({dt:g})")
    # as PySD: at least one step, and half a step rounds up (Python would round 0.5 to 0)
    return min(round(max(delay / dt, 1.0) + 1e-6), steps + 1)



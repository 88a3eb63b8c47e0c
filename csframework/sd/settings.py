"""A model's run settings: the simulated time span, the time step, the integration method.

:class:`RunSettings` is the part of :class:`~csframework.sd.model.StockFlowModel`
that holds them; :func:`check_time` and :func:`check_method` check settings
given for a whole model or for one run.

Examples
--------
>>> check_time("model 'm'", 0, 10, 0.25)
(0.0, 10.0, 0.25)
>>> check_method("RK4", "model 'm'")
'rk4'
"""

from __future__ import annotations

import math
import sys

from csframework.errors import ModelError, UnknownNameError

__all__ = ["METHODS", "RunSettings", "check_method", "check_time", "number"]

#: The integration methods a model may use.
METHODS = ("euler", "rk4")


def number(value: object, what: str) -> float:
    """`value` as a finite float; a ModelError naming `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            import numpy as np

            if isinstance(value, np.number) and not isinstance(value, np.complexfloating):
                return float(value)
        except ImportError:  # pragma: no cover
            pass
        raise ModelError(f"{what} must be a number, not {type(value).__name__} {value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the float range, such as 10**400
        digits = int(int(value).bit_length() * math.log10(2)) + 1
        raise ModelError(f"{what} must be a finite number; the integer given has about "
                         f"{digits} digits, beyond the largest float "
                         f"({sys.float_info.max:.4g})") from None
    if not math.isfinite(result):
        raise ModelError(f"{what} must be a finite number, not {value!r}")
    return result


def check_method(value: object, where: str) -> str:
    """The integration method `value` names (``"euler"`` or ``"rk4"``, any case)."""
    chosen = value.strip().lower() if isinstance(value, str) else value
    if chosen not in METHODS:
        raise UnknownNameError(str(value), METHODS, kind="integration method", where=where)
    return chosen


def check_time(where: str, start: object, stop: object, dt: object) -> tuple[float, float, float]:
    """`start`, `stop` and `dt` as numbers, checked to make a run (messages name `where`)."""
    start = number(start, f"{where}: start")
    stop = number(stop, f"{where}: stop")
    dt = number(dt, f"{where}: dt")
    if dt <= 0:
        raise ModelError(f"{where}: dt must be positive, not {dt:g}")
    if stop <= start:
        raise ModelError(f"{where}: stop ({stop:g}) must be after start ({start:g})")
    if dt > stop - start:
        raise ModelError(f"{where}: dt ({dt:g}) is longer than the whole run "
                         f"({start:g} to {stop:g})")
    return start, stop, dt


class RunSettings:
    """The time span, time step, integration method and save interval of a model.

    A part of :class:`~csframework.sd.model.StockFlowModel`, which sets the
    attributes in its constructor and counts changes with ``_changed()``.
    """

    _name: str
    _start: float
    _stop: float
    _dt: float
    _method: str
    _save_every: float | None

    @property
    def start(self) -> float:
        """Start time of a run."""
        return self._start

    @start.setter
    def start(self, value: float) -> None:
        self.set_time(start=value)

    @property
    def stop(self) -> float:
        """Stop time of a run (included in the results)."""
        return self._stop

    @stop.setter
    def stop(self, value: float) -> None:
        self.set_time(stop=value)

    @property
    def dt(self) -> float:
        """The time step."""
        return self._dt

    @dt.setter
    def dt(self, value: float) -> None:
        self.set_time(dt=value)

    @property
    def method(self) -> str:
        """The integration method :meth:`run` uses by default: ``"euler"`` or ``"rk4"``.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m")
        >>> m.method = "RK4"
        >>> m.method
        'rk4'
        >>> m.method = "rk5"
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown integration method 'rk5' in model 'm'; \
known integration methods are 'euler', 'rk4'
        """
        return self._method

    @method.setter
    def method(self, value: str) -> None:
        self._method = check_method(value, f"model {self._name!r}")

    @property
    def save_every(self) -> float | None:
        """The time between saved rows of a run, or None to save every step.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m", stop=10, dt=0.25, save_every=1)
        >>> _ = m.stock("s", 0, inflows=["f"])
        >>> _ = m.flow("f", 1)
        >>> m.run().time.tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
        >>> m.save_every = -1
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: model 'm': save_every must be a positive number ...
        """
        return getattr(self, "_save_every", None)

    @save_every.setter
    def save_every(self, value: float | None) -> None:
        if value is not None:
            where = f"model {self._name!r}"
            value = number(value, f"{where}: save_every")
            if value <= 0:
                raise ModelError(f"{where}: save_every must be a positive number of time "
                                 f"units, not {value:g}")
        self._save_every = value

    def set_time(self, start: float | None = None, stop: float | None = None,
                 dt: float | None = None) -> None:
        """Change the time span or step; each argument left out stays as it is.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m")
        >>> m.set_time(stop=50, dt=0.5)
        >>> m.start, m.stop, m.dt
        (0.0, 50.0, 0.5)
        >>> m.dt = 0
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: model 'm': dt must be positive, not 0
        """
        self._start, self._stop, self._dt = check_time(
            f"model {self._name!r}", self._start if start is None else start,
            self._stop if stop is None else stop, self._dt if dt is None else dt)
        self._changed()


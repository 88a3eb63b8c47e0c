"""The native simulation engine: vectorised Euler and RK4.

A model is compiled once (and cached on the model until it changes), in a
pipeline of small modules:

1. :mod:`~csframework.sd.plan` expands stateful functions (``smooth``,
   ``delay1``, ``delay_fixed``, ``init``, ...) into hidden stocks and hidden
   auxiliaries (their names start with ``_``, so they never collide with model
   names, and results leave them out by default) and puts auxiliaries, flows
   and initial values in evaluation order (an algebraic loop is reported as
   ``a -> b -> a``);
2. :mod:`~csframework.sd.codegen` generates Python source from the
   *validated* syntax trees, compiled here into one function per integration
   method: a plain-float version for single runs and a numpy version for
   ensembles (:mod:`~csframework.sd.ensemble`), calling the functions of
   :mod:`~csframework.sd.runtime`;
3. :class:`CompiledModel` runs it, checks every value is finite and returns
   :class:`~csframework.sd.results.Results`.

Euler follows Vensim and PySD exactly: at each step the auxiliaries and flows
are computed from the current stocks, recorded, and then every stock moves by
``dt * (inflows - outflows)``.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("Decay", stop=1, dt=0.25)
>>> _ = m.stock("x", 1, outflows=["loss"])
>>> _ = m.flow("loss", "x")
>>> m.run()["x"].round(4).tolist()
[1.0, 0.75, 0.5625, 0.4219, 0.3164]
>>> round(float(m.run(method="rk4")["x"].iloc[-1]), 4)  # exp(-1) = 0.3679
0.3679
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import ModelError, SimulationError, UnknownNameError
from csframework.sd.codegen import algebra_source, simulation_source
from csframework.sd.ensemble import describe_member, lookup_functions, parameters
from csframework.sd.evaluation import evaluate, evaluate_equation, vector_function
from csframework.sd.lookups import lookup_function
from csframework.sd.plan import Plan
from csframework.sd.runtime import (
    SCALAR_NAMESPACE,
    VECTOR_NAMESPACE,
    ScalarPipeline,
    VectorPipeline,
)
from csframework.sd.settings import METHODS, check_time

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel

__all__ = ["MAX_SAVED_VALUES", "METHODS", "SCALAR_NAMESPACE", "VECTOR_NAMESPACE",
           "CompiledModel", "evaluate", "evaluate_equation", "lookup_function", "save_steps",
           "simulate", "vector_function"]

#: The most numbers a run may keep: saved times x (state, computed and returned
#: variables) x ensemble members; 50 million float64 numbers are 400 MB. A run
#: over the limit is refused before anything is allocated (save less often
#: with ``save_every``, or return fewer columns).
MAX_SAVED_VALUES = 50_000_000


def save_steps(save_every: float | None, dt: float, where: str) -> int:
    """How many time steps lie between two saved times (at least 1).

    `save_every` is rounded to a whole number of steps; ``None`` saves every
    step.

    Examples
    --------
    >>> save_steps(None, 0.25, "a run"), save_steps(1, 0.25, "a run")
    (1, 4)
    >>> save_steps(0.1, 0.0078125, "a run")  # 12.8 steps: every 13th is saved
    13
    >>> save_steps(0.1, 0.25, "a run")
    Traceback (most recent call last):
    ...
    csframework.errors.ModelError: a run: save_every (0.1) is shorter than dt (0.25); ...
    """
    if save_every is None:
        return 1
    if isinstance(save_every, bool) or not isinstance(save_every, int | float | np.number):
        raise ModelError(f"{where}: save_every must be a number of time units, not "
                         f"{type(save_every).__name__} {save_every!r}")
    value = float(save_every)
    if not math.isfinite(value) or value <= 0:
        raise ModelError(f"{where}: save_every must be a positive number of time units, "
                         f"not {value!r}")
    every = round(value / dt)
    if every < 1:
        raise ModelError(f"{where}: save_every ({value:g}) is shorter than dt ({dt:g}); "
                         "values are saved at most once per time step")
    return every


class CompiledModel(Plan):
    """A model ready to run: expanded, ordered, and compiled on first use.

    Made by :meth:`StockFlowModel.compile`, which caches it until the model
    changes. :meth:`run` never changes the model.

    Attributes
    ----------
    columns : tuple of str
        The variables returned by default (stocks, flows, auxiliaries).
    hidden : tuple of str
        Names of the hidden state added by stateful functions.
    order : tuple of str
        Auxiliaries and flows (hidden ones included) in evaluation order.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.stock("s", 0, inflows=["f"])
    >>> _ = m.flow("f", "smooth(2 * time, 5)")
    >>> compiled = m.compile()
    >>> compiled.columns, compiled.hidden
    (('s', 'f'), ('_smooth_0_f', '_smooth_0_f_input'))
    """

    def __init__(self, model: StockFlowModel):
        super().__init__(model)
        self._functions: dict[tuple[bool, str, bool] | str, Any] = {}
        self._grids: dict[tuple[float, float, float, int], tuple] = {}
        self._headers: dict[tuple, Any] = {}

    def source(self, method: str = "euler", vector: bool = False, every: int = 1) -> str:
        """The Python source generated for `method`, for inspection and debugging.

        See :func:`csframework.sd.codegen.simulation_source`.
        """
        return simulation_source(self, method, vector, every)

    def algebra_source(self) -> str:
        """The numpy source computing every auxiliary and flow from saved states and times.

        Runs and ensembles use it after the loop (see
        :func:`~csframework.sd.codegen.algebra_source`).
        """
        return algebra_source(self)

    def _function(self, method: str, vector: bool, every: int = 1):
        key = (vector, method, every == 1)
        function = self._functions.get(key)
        if function is None:
            namespace = dict(VECTOR_NAMESPACE if vector else SCALAR_NAMESPACE)
            namespace["_Pipeline"] = VectorPipeline if vector else ScalarPipeline
            function = self._functions[key] = self._compile(
                self.source(method, vector, 1 if every == 1 else 2), "_simulate", namespace)
        return function

    def _algebra(self):
        function = self._functions.get("algebra")
        if function is None:
            function = self._functions["algebra"] = self._compile(
                self.algebra_source(), "_algebra", dict(VECTOR_NAMESPACE))
        return function

    def _compile(self, source: str, name: str, namespace: dict[str, Any]):
        namespace["__builtins__"] = {}
        try:
            code = compile(source, f"<csframework model {self.model_name!r}>", "exec")
        except (RecursionError, MemoryError) as exc:  # pragma: no cover
            raise ModelError(f"model {self.model_name!r} is too large or deeply nested to "
                             f"compile ({type(exc).__name__})") from None
        exec(code, namespace)  # generated from validated syntax trees, see module docs
        return namespace[name]

    # ---------------------------------------------------------------- running
    def run(self, params: Mapping[str, Any] | None = None, stop: float | None = None,
            dt: float | None = None, return_columns: Sequence[str] | None = None,
            method: str = "euler", include_hidden: bool = False,
            save_every: float | None = None):
        """Simulate once or as an ensemble; see :meth:`StockFlowModel.run`."""
        from csframework.sd.results import Results

        if method not in METHODS:
            raise UnknownNameError(method, METHODS, kind="integration method",
                                   where=f"the run of model {self.model_name!r}")
        start, stop, dt = check_time(f"model {self.model_name!r}", self.start,
                                     self.stop if stop is None else stop,
                                     self.dt if dt is None else dt)
        if save_every is None:
            save_every = getattr(self.model, "save_every", None)
        every = save_steps(save_every, dt, f"the run of model {self.model_name!r}")
        consts, lookups, members, member_params = parameters(self, params)
        columns = self._columns(return_columns, include_hidden)
        steps = round((stop - start) / dt)
        self._check_size(steps // every + 1 + (steps % every > 0), steps, dt, every, columns,
                         members)
        steps, saved, times, time_index, time_list = self._time_grid(start, stop, dt, every)
        grid = (start, dt, steps, saved, times, time_list)

        with np.errstate(all="ignore"):
            if members is None:
                block = None
                try:
                    values, _ = self._simulate(method, False, consts, lookups, grid, None, params)
                except (ArithmeticError, ValueError, TypeError):
                    vector_consts = tuple(np.full(1, c) for c in consts)
                    vector_lookups = lookup_functions(self, params, vector=True)
                    values, _ = self._simulate(method, True, vector_consts, vector_lookups, grid,
                                               1, params)
                    self._check_finite(values, times, None, saved)
                    values = {n: v[:, 0] for n, v in values.items()}  # pragma: no cover
                self._check_finite(values, times, None, saved)
            else:
                values, block = self._simulate(method, True, consts, lookups, grid, members,
                                               params)
                self._check_finite(values, times, member_params, saved)

        frame = self._frame(values, columns, time_index, consts, members, block)
        return Results(frame, model_name=self.model_name,
                       units={c: self.units.get(c) for c in columns},
                       labels={c: self.labels.get(c)
                               for c in (*columns, *(k for p in member_params for k in p))},
                       time_unit=self.model.time_unit, parameters=member_params,
                       method=method, dt=dt, save_every=every * dt if every > 1 else None)

    def _simulate(self, method, vector, consts, lookups, grid, members, params):
        """Run the loop; return the saved values by name, and an ensemble's whole array.

        A single run saves its states and computes the rest from them afterwards."""
        start, dt, steps, saved, times, step_times = grid
        rows = len(saved)
        every = 1 if rows == steps + 1 else 2
        function = self._function(method, vector, every)
        saved_steps = saved.tolist() if every > 1 else None
        count = len(self.state_names)
        if vector:
            out = np.empty((rows, len(self.recorded), members))
            function(consts, lookups, step_times, dt, steps, out, members, saved_steps, rows,
                     start, dt > 1e-7)
            values = {name: out[:, i, :] for i, name in enumerate(self.recorded)}
            return values, out
        else:
            # preallocated lists take a float in a few nanoseconds (a numpy array or a
            # memoryview takes ten times longer), then become one numpy row each
            out = tuple([0.0] * rows for _ in range(count))
            function(consts, lookups, step_times, dt, steps, out, None, saved_steps, rows,
                     start, dt > 1e-7)
            packer = _packer(rows)
            states = [np.frombuffer(packer.pack(*column)) for column in out]
            lookups = lookup_functions(self, params, vector=True)
        values = dict(zip(self.state_names, states, strict=True))
        if self.algebraic:
            computed = self._algebra()(consts, lookups, times, dt, states)
            for name, value in zip(self.algebraic, computed, strict=True):
                values[name] = np.broadcast_to(np.asarray(value, dtype=float), (rows,))
        return values, None

    def _check_size(self, rows, steps, dt, every, columns, members) -> None:
        # a single run keeps its states as Python floats until the end (4x the room)
        # and computes the rest afterwards; an ensemble keeps everything as it goes
        if members is None:
            width = 4 * len(self.state_names) + len(self.algebraic) + len(columns)
        else:
            width = (len(self.recorded) + len(columns)) * members
        size = rows * max(width, 1)
        if size <= MAX_SAVED_VALUES:
            return
        fit = max(MAX_SAVED_VALUES // max(width, 1), 2)
        needed = max(math.ceil(steps / (fit - 1)), every + 1)
        who = f" x {members:,} members" if members else ""
        raise SimulationError(
            f"a run of model {self.model_name!r} would keep {rows:,} saved times x "
            f"{width // (members or 1):,} numbers per time{who} = {size:,} numbers "
            f"({size * 8 / 1e9:,.1f} GB), more than the limit of {MAX_SAVED_VALUES:,} numbers "
            f"({MAX_SAVED_VALUES * 8 / 1e9:,.1f} GB); save less: a save interval such as "
            f"save_every={needed * dt:g} keeps {steps // needed + 1:,} times, and fewer "
            "columns (return_columns=[...]) or fewer ensemble members keep less per time")

    def _time_grid(self, start: float, stop: float, dt: float, every: int = 1):
        """(steps, saved step numbers, saved times, their index, the time of every step
        as a list when every step is saved, else None); cached per grid."""
        key = (start, stop, dt, every)
        grid = self._grids.get(key)
        if grid is None:
            import pandas as pd

            steps = round((stop - start) / dt)
            saved = np.arange(0, steps + 1, every)
            if saved[-1] != steps:
                saved = np.append(saved, steps)
            times = saved * dt + start
            if dt > 1e-7:
                times = np.round(times, 10)
            times.flags.writeable = False
            saved.flags.writeable = False
            # pandas indexes are immutable, so frames of later runs share this one
            grid = (steps, saved, times, pd.Index(times, name="time"),
                    times.tolist() if every == 1 else None)
            if len(self._grids) > 16:
                self._grids.clear()
            self._grids[key] = grid
        return grid

    def _header(self, columns: tuple[str, ...], members: int | None):
        key = (columns, members)
        header = self._headers.get(key)
        if header is None:
            import pandas as pd

            if members is None:
                header = pd.Index(list(columns), name="variable")
            else:
                count = len(columns)
                header = pd.MultiIndex(
                    levels=[pd.Index(list(columns)), pd.RangeIndex(members)],
                    codes=[np.repeat(np.arange(count), members),
                           np.tile(np.arange(members), count)],
                    names=["variable", "member"], verify_integrity=False)
            if len(self._headers) > 16:
                self._headers.clear()
            self._headers[key] = header
        return header

    def _columns(self, return_columns, include_hidden) -> tuple[str, ...]:
        if return_columns is None:
            return self.columns + (self.hidden if include_hidden else ())
        if isinstance(return_columns, str):
            return_columns = [return_columns]
        known = set(self.recorded) | set(self.constants)
        columns = []
        for name in return_columns:
            if name not in known:
                raise UnknownNameError(name, self.columns + self.constants, kind="variable",
                                       where=f"the return_columns of model "
                                             f"{self.model_name!r}")
            columns.append(name)
        return tuple(dict.fromkeys(columns))

    def _check_finite(self, values: Mapping[str, np.ndarray], times: np.ndarray,
                      member_params, saved: np.ndarray) -> None:
        candidates = [*self.state_names, *(n for n in self.order if n in values)]
        first: dict[str, int] = {}
        for name in candidates:
            finite = np.isfinite(values[name])
            if not finite.all():
                rows = ~finite if finite.ndim == 1 else ~finite.all(axis=1)
                first[name] = int(np.argmax(rows))
        if not first:
            return
        row = min(first.values())
        name = next(n for n in candidates if first.get(n) == row)
        value_row = np.atleast_1d(values[name][row])
        member = int(np.argmax(~np.isfinite(value_row)))
        value = value_row[member]
        what = "NaN (not a number)" if np.isnan(value) else (
            "infinite" if value > 0 else "minus infinite")
        if name in self.owners:
            subject = f"the hidden state {name!r} of the equation of {self.owners[name]!r}"
        else:
            subject = f"{self.model[name].kind} {name!r}" if name in self.model else repr(name)
        who = ""
        if member_params is not None:
            who = f" for ensemble member {member} ({describe_member(member_params[member])})"
        error = SimulationError(
            f"{subject} became {what} at time {times[row]:g} (step {int(saved[row])}) in model "
            f"{self.model_name!r}{who}; look for a division by zero, the log or square root "
            "of a negative number, or a value growing without limit")
        error.variable, error.time = name, float(times[row])
        raise error

    def _frame(self, values, columns, index, consts, members, block=None):
        import pandas as pd

        constant_index = {n: i for i, n in enumerate(self.constants)}
        rows = len(index)
        # views: a caller renaming one frame's index must not rename the cached one
        index = index.view()
        header = self._header(columns, members).view()
        if members is None:
            data = np.empty((rows, len(columns)))
            for j, c in enumerate(columns):
                data[:, j] = values[c] if c in values else consts[constant_index[c]]
            return pd.DataFrame(data, index=index, columns=header, copy=False)
        if block is not None and columns == self.recorded:
            data = block  # the ensemble's own array: no copy
        else:
            data = np.empty((rows, len(columns), members))
            for j, c in enumerate(columns):
                data[:, j, :] = values[c] if c in values else consts[constant_index[c]]
        return pd.DataFrame(data.reshape(rows, len(columns) * members), index=index,
                            columns=header, copy=False)


@functools.lru_cache(maxsize=8)
def _packer(count: int) -> struct.Struct:
    return struct.Struct(f"={count}d")


def simulate(model: StockFlowModel, params: Mapping[str, Any] | None = None,
             stop: float | None = None, dt: float | None = None,
             return_columns: Sequence[str] | None = None, method: str = "euler",
             include_hidden: bool = False, save_every: float | None = None):
    """Run `model` on the native engine (the same as ``model.run(...)``).

    Non-negative stocks conserve: when a stock would go below zero, what
    drains it (its outflows and the negative part of its inflows) is scaled
    down by one common fraction so that it reaches exactly zero, and the
    stocks those flows fill receive only what actually left (nothing is
    created); the flows are reported with their limited values. PySD instead
    clamps the stock value at zero, which creates material. Non-negative
    flows are ``max(0, equation)``.

    Ensembles: a constant given as a sequence runs one member per value, all
    in one vectorised pass; several sequences must have the same length and are
    zipped (member i takes the i-th value of each), not combined as a product.

    Raises
    ------
    SimulationError
        If any variable becomes NaN or infinite (naming it and the time).

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Drain", stop=3)
    >>> _ = m.stock("water", 10, outflows=["drain"], non_negative=True)
    >>> _ = m.flow("drain", 4)
    >>> simulate(m)["water"].tolist()
    [10.0, 6.0, 2.0, 0.0]
    >>> simulate(m)["drain"].tolist()
    [4.0, 4.0, 2.0, 0.0]
    """
    return model.compile().run(params=params, stop=stop, dt=dt, return_columns=return_columns,
                               method=method, include_hidden=include_hidden,
                               save_every=save_every)



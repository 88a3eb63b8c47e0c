"""Running a model on one engine or the other: the native engine, or PySD.

:func:`run_model` is what :meth:`StockFlowModel.run` does; PySD saves every
step, so :func:`saved_rows` keeps only those a save interval keeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from csframework.errors import ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["ENGINES", "run_model", "saved_rows"]

#: The engines a model runs on.
ENGINES = ("native", "pysd")


def run_model(model: StockFlowModel, params: Mapping[str, Any] | None = None, *,
              stop: float | None = None, dt: float | None = None,
              return_columns: Sequence[str] | None = None, method: str | None = None,
              include_hidden: bool = False, engine: str = "native",
              save_every: float | None = None) -> Results:
    """Simulate `model` (see :meth:`StockFlowModel.run` for the parameters)."""
    method = model.method if method is None else method
    if engine == "native":
        from csframework.sd.engine import simulate

        return simulate(model, params=params, stop=stop, dt=dt,
                        return_columns=return_columns, method=method,
                        include_hidden=include_hidden, save_every=save_every)
    if engine == "pysd":
        if method != "euler":
            raise ModelError(f"the PySD engine integrates with Euler only, not {method!r}; "
                             "use engine='native', or method='euler'")
        from csframework.sd import pysd_backend

        results = pysd_backend.run(model, params=params, stop=stop, dt=dt,
                                   return_columns=return_columns)
        return saved_rows(results, model.save_every if save_every is None else save_every,
                          f"the run of model {model.name!r}")
    raise UnknownNameError(engine, ENGINES, kind="engine",
                           where=f"{type(model).__name__}.run")


def saved_rows(results: Results, save_every: float | None, where: str) -> Results:
    """Only the rows a save interval keeps (for engines that save every step)."""
    if save_every is None or results.dt is None:
        return results
    from csframework.sd.engine import save_steps
    from csframework.sd.results import Results

    every = save_steps(save_every, results.dt, where)
    if every == 1:
        return results
    rows = list(range(0, len(results.frame), every))
    if rows[-1] != len(results.frame) - 1:
        rows.append(len(results.frame) - 1)
    return Results(results.frame.iloc[rows], model_name=results.model_name,
                   units=results.units, labels=results.labels, time_unit=results.time_unit,
                   parameters=results.parameters, method=results.method, dt=results.dt,
                   save_every=every * results.dt)


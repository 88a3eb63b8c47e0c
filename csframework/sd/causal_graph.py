"""A stock-and-flow model as a causal graph, and the values of a run to evaluate it in.

The graph is the *expanded* model (:class:`~csframework.sd.plan.Plan`):
stateful functions are hidden stocks, so ``y = smooth(x, 3)`` is a path
``x -> _smooth_0_y -> y``. Link polarities (:mod:`csframework.sd.polarity`)
and loop dominance (:mod:`csframework.sd.dominance`) read it; equations are
evaluated over whole runs by :class:`Evaluator`, with the engine's own code
generation.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("m")
>>> _ = m.stock("s", 1, inflows=["f"])
>>> _ = m.flow("f", "smooth(s, 3)")
>>> [(e.cause, e.effect, e.role) for e in structure_of(m).edges]
[('_smooth_0_f', 'f', 'equation'), ('f', 's', 'inflow'), ('s', '_smooth_0_f', 'equation')]
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import ModelError, UnknownNameError
from csframework.sd.evaluation import vector_function
from csframework.sd.functions import SPECIAL_NAMES
from csframework.sd.lookups import lookup_function

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["NOISE", "RELATIVE_STEP", "Edge", "Evaluator", "Run", "Structure", "check_model",
           "evaluate_effect", "is_native", "names_read", "run_values", "signs", "structure_of",
           "summarise"]

#: Relative size of the nudge given to a cause when estimating a partial derivative.
RELATIVE_STEP = 1e-6

#: A change in an effect smaller than this fraction of its size is rounding noise.
NOISE = 1e-9


def _array(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float)


class Evaluator:
    """Evaluates validated (and expanded) equation trees over whole columns at once.

    Each tree is compiled once by the engine's code generation
    (:func:`csframework.sd.engine.vector_function`): an equation means here
    exactly what it means in a run. `env` maps names to arrays (one value per
    saved time, or broadcastable); `lookups` maps lookup names to numpy
    functions.
    """

    def __init__(self, lookups: Mapping[str, Callable], time: np.ndarray, dt: float,
                 compiled: dict[int, tuple] | None = None):
        self.lookups, self.time, self.dt = lookups, time, dt
        self.compiled = {} if compiled is None else compiled

    def at(self, time: np.ndarray) -> Evaluator:
        """The same evaluator (and compiled trees) at other times."""
        return Evaluator(self.lookups, time, self.dt, self.compiled)

    def __call__(self, node: ast.AST, env: Mapping[str, np.ndarray]) -> np.ndarray:
        entry = self.compiled.get(id(node))
        if entry is None or entry[0] is not node:
            entry = self.compiled[id(node)] = (node, *vector_function(node, self.lookups))
        _, function, names = entry
        missing = [n for n in names if n not in env]
        if missing:  # pragma: no cover - the structure provides every name
            raise UnknownNameError(missing[0], env, kind="variable", where="the values of a run")
        with np.errstate(all="ignore"):
            return _array(function(self.time, self.dt, *[env[n] for n in names]))


# ------------------------------------------------------------------ the graph
@dataclass(frozen=True)
class Edge:
    """One dependency of the expanded model: `cause` is read by `effect`.

    `role` is "inflow"/"outflow" (flow into a stock), "equation" (the cause
    appears in the effect's equation, or in a hidden stock's rate of change),
    or "pipeline" (the input of a delay_fixed).
    """

    cause: str
    effect: str
    role: str


@dataclass
class Structure:
    """The expanded model as a graph, with everything needed to evaluate it."""

    model: Any
    kinds: dict[str, str]                       # visible name -> stock/flow/auxiliary/constant
    trees: dict[str, ast.AST]                   # algebraic values and hidden rates of change
    non_negative: set[str]
    hidden_stocks: set[str]                     # hidden states and pipelines (they delay)
    edges: list[Edge]
    owners: dict[str, str]                      # hidden name -> the variable it belongs to
    user_stocks: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def names_read(node: ast.AST) -> list[str]:
    """The variable names `node` reads, in order (not called lookups, not time/dt/pi)."""
    found: dict[str, None] = {}

    def walk(current: ast.AST) -> None:
        if isinstance(current, ast.Name):
            if current.id not in SPECIAL_NAMES:
                found.setdefault(current.id, None)
            return
        if isinstance(current, ast.Call):
            for child in [*current.args, *(k.value for k in current.keywords)]:
                walk(child)
            return
        for child in ast.iter_child_nodes(current):
            walk(child)

    walk(node)
    return list(found)


def structure_of(model: StockFlowModel) -> Structure:
    """The expanded model `model` as a causal graph (compiled, so cached on the model)."""
    compiled = model.compile()
    kinds = {name: model[name].kind for name in model.names() if model[name].kind != "lookup"}
    trees: dict[str, ast.AST] = {}
    non_negative: set[str] = set()
    edges: list[Edge] = []
    for name, item in compiled.algebraic.items():
        trees[name] = item.tree
        if item.non_negative:
            non_negative.add(name)
        edges += [Edge(cause, name, "equation") for cause in names_read(item.tree)]
    hidden_stocks: set[str] = set()
    user_stocks = {}
    for state in compiled.states:
        if state.user:
            user_stocks[state.name] = (tuple(state.inflows), tuple(state.outflows))
            edges += [Edge(flow, state.name, "inflow") for flow in state.inflows]
            edges += [Edge(flow, state.name, "outflow") for flow in state.outflows]
            continue
        hidden_stocks.add(state.name)
        if state.derivative is not None:  # init() has none: it never changes during a run
            trees[state.name] = state.derivative
            edges += [Edge(cause, state.name, "equation")
                      for cause in names_read(state.derivative) if cause != state.name]
    for pipe in compiled.pipes:
        hidden_stocks.add(pipe.name)
        edges += [Edge(cause, pipe.name, "pipeline") for cause in names_read(pipe.input)]
    return Structure(model, kinds, trees, non_negative, hidden_stocks, edges,
                      dict(compiled.owners), user_stocks)


# ------------------------------------------------------------------ run values
def is_native(model: object) -> bool:
    """True for a model run by the native engine (a StockFlowModel, duck-typed)."""
    # duck-typed: this module does not import the model module (which imports it)
    return callable(getattr(model, "compile", None)) and hasattr(model, "stocks")


def check_model(model: object, where: str) -> None:
    """Raise a ModelError naming `where` unless `model` runs on the native engine."""
    if not is_native(model):
        raise ModelError(f"{where} needs a StockFlowModel (or a model loaded with "
                         f"load_model), not {type(model).__name__} {model!r}")


@dataclass
class Run:
    """The values of every name of the expanded model at each saved time."""

    results: Any
    time: np.ndarray
    values: dict[str, np.ndarray]
    evaluate: Evaluator


def run_values(structure: Structure, results: Results | None,
               run_kwargs: Mapping[str, Any] | None) -> Run:
    """The values of every name of `structure` along `results` (or a new run).

    Results that lack hidden state or variables are run again with the same
    parameters, time step and stop time; an ensemble is refused.
    """
    model = structure.model
    needed = list(structure.kinds) + list(structure.owners)
    params: dict[str, Any] = {}
    if results is not None:
        if getattr(results, "is_ensemble", False):
            raise ModelError(f"the results of model {model.name!r} are an ensemble of "
                             f"{results.members} members; pass one of them, e.g. "
                             "results.member(0)")
        params = dict(results.parameters[0]) if results.parameters else {}
        have = set(results.variables)
        missing = [n for n in needed if n not in have and structure.kinds.get(n) != "constant"]
        if missing:
            kwargs = {"params": params or None, "dt": results.dt,
                      "stop": float(results.time[-1]), "method": results.method}
            kwargs = {k: v for k, v in kwargs.items() if v is not None}
            results = model.run(include_hidden=True, **kwargs)
    else:
        kwargs = dict(run_kwargs or {})
        kwargs["include_hidden"] = True
        params = dict(kwargs.get("params") or {})
        results = model.run(**kwargs)
        if results.is_ensemble:
            raise ModelError(f"run_kwargs for model {model.name!r} make an ensemble; give "
                             "each constant one value")
    frame = results.frame
    time = results.time.astype(float)
    values = {name: frame[name].to_numpy(dtype=float) for name in frame.columns}
    for name, constant in model.constants.items():
        values.setdefault(name, np.full(len(time), float(params.get(name, constant.value))))
    lookups = {}
    for name, lookup in model.lookups.items():
        points = params.get(name, lookup.points)
        lookups[name] = lookup_function(points, lookup.extrapolate)
    dt = float(results.dt) if results.dt else (float(time[1] - time[0]) if len(time) > 1
                                                 else model.dt)
    return Run(results, time, values, Evaluator(lookups, time, dt))


def evaluate_effect(structure: Structure, run: Run, name: str,
                    env: Mapping[str, np.ndarray]) -> np.ndarray:
    """The value of `name` along the run, its equation evaluated in `env`."""
    value = run.evaluate(structure.trees[name], env)
    if name in structure.non_negative:
        value = np.maximum(value, 0.0)
    return np.broadcast_to(value, run.time.shape).astype(float)


def signs(changes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """-1, 0 or +1 at each time; changes within rounding noise of `scale` count as 0."""
    changes = np.where(np.isfinite(changes), changes, 0.0)
    noise = NOISE * np.where(np.isfinite(scale), np.abs(scale), 0.0) + 1e-300
    return np.where(np.abs(changes) > noise, np.sign(changes), 0.0)


def summarise(signs: np.ndarray) -> tuple[str, bool, float]:
    """(dominant sign, ambiguous, fraction positive) of a series of -1/0/+1."""
    positive, negative = int(np.sum(signs > 0)), int(np.sum(signs < 0))
    acting = positive + negative
    fraction = positive / acting if acting else math.nan
    return ("-" if negative > positive else "+"), bool(positive and negative) or not acting, \
        fraction


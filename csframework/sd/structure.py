"""From a stock-and-flow model to its causal structure, and which loop dominates when.

:func:`to_cld` turns a model into a :class:`~csframework.cld.CausalLoopDiagram`:
one variable per stock, flow and auxiliary (and constant, if asked), one link
per dependency of an equation. Polarities come from the model itself:

- a stock's inflows give ``flow -> stock : +``, its outflows ``flow -> stock : -``;
- every other link takes the sign of the partial derivative of the effect's
  equation with respect to the cause, *along a run*: at each saved time the
  cause's value is nudged up and down (a central difference) and the effect's
  equation is re-evaluated with every other input held at its value in the run.
  Equations are compiled by the engine's own code generation (from their
  validated syntax trees, never from text), so every function means here
  what it means in a run;
- a link whose sign changes during the run (beyond rounding noise), or that
  never has any effect, is *ambiguous*: it gets the sign it has most of the
  time, and its note says "ambiguous". :func:`link_polarities` gives the details.

Stateful functions (``smooth``, ``delay1``, ``delay_fixed`` ...) expand into
hidden stocks when the model is compiled; they are folded away, so
``y = smooth(x, 3)`` gives the delayed link ``x -> y`` (drawn with ‖). Lookups
are folded into the link through them: ``y = effect(x)`` gives ``x -> y``.

:func:`loop_dominance` scores every loop of that diagram over time with the
Loops that Matter method (see its docstring for the formulas).

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> from csframework.sd.structure import to_cld, loop_dominance
>>> model = StockFlowModel("Teacup", stop=30, dt=0.125)
>>> _ = model.constant("room_temperature", 70)
>>> _ = model.constant("characteristic_time", 10)
>>> _ = model.stock("teacup_temperature", initial=180, outflows=["heat_loss"])
>>> _ = model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
>>> cld = to_cld(model)
>>> print(cld.to_text())
heat_loss -> teacup_temperature : -
teacup_temperature -> heat_loss : +
>>> cld.loops()
LoopList([Loop('B1', balancing: heat_loss -> teacup_temperature -> heat_loss)])
>>> loop_dominance(model).periods()
[(0.125, 30.0, 'B1', 'balancing')]
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import EquationError, ModelError, UnknownNameError
from csframework.sd.engine import lookup_function, vector_function

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from csframework.cld import CausalLoopDiagram
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["Dominance", "LinkPolarity", "link_polarities", "loop_dominance", "to_cld"]

#: The loop-dominance methods :func:`loop_dominance` knows.
METHODS = ("ltm",)

#: Relative size of the nudge given to a cause when estimating a partial derivative.
RELATIVE_STEP = 1e-6

#: A change in an effect smaller than this fraction of its size is rounding noise.
NOISE = 1e-9


# ------------------------------------------------------------------ evaluation
def _array(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float)


class _Evaluator:
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

    def at(self, time: np.ndarray) -> _Evaluator:
        """The same evaluator (and compiled trees) at other times."""
        return _Evaluator(self.lookups, time, self.dt, self.compiled)

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
class _Edge:
    """One dependency of the expanded model: `cause` is read by `effect`.

    `role` is "inflow"/"outflow" (flow into a stock), "equation" (the cause
    appears in the effect's equation, or in a hidden stock's rate of change),
    or "pipeline" (the input of a delay_fixed).
    """

    cause: str
    effect: str
    role: str


@dataclass
class _Structure:
    """The expanded model as a graph, with everything needed to evaluate it."""

    model: Any
    kinds: dict[str, str]                       # visible name -> stock/flow/auxiliary/constant
    trees: dict[str, ast.AST]                   # algebraic values and hidden rates of change
    non_negative: set[str]
    hidden_stocks: set[str]                     # hidden states and pipelines (they delay)
    edges: list[_Edge]
    owners: dict[str, str]                      # hidden name -> the variable it belongs to
    user_stocks: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def _names_read(node: ast.AST) -> list[str]:
    """The variable names `node` reads, in order (not called lookups, not time/dt/pi)."""
    from csframework.sd.expressions import SPECIAL_NAMES

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


def _structure(model: StockFlowModel) -> _Structure:
    compiled = model.compile()
    kinds = {name: model[name].kind for name in model.names() if model[name].kind != "lookup"}
    trees: dict[str, ast.AST] = {}
    non_negative: set[str] = set()
    edges: list[_Edge] = []
    for name, item in compiled.algebraic.items():
        trees[name] = item.tree
        if item.non_negative:
            non_negative.add(name)
        edges += [_Edge(cause, name, "equation") for cause in _names_read(item.tree)]
    hidden_stocks: set[str] = set()
    user_stocks = {}
    for state in compiled.states:
        if state.user:
            user_stocks[state.name] = (tuple(state.inflows), tuple(state.outflows))
            edges += [_Edge(flow, state.name, "inflow") for flow in state.inflows]
            edges += [_Edge(flow, state.name, "outflow") for flow in state.outflows]
            continue
        hidden_stocks.add(state.name)
        if state.derivative is not None:  # init() has none: it never changes during a run
            trees[state.name] = state.derivative
            edges += [_Edge(cause, state.name, "equation")
                      for cause in _names_read(state.derivative) if cause != state.name]
    for pipe in compiled.pipes:
        hidden_stocks.add(pipe.name)
        edges += [_Edge(cause, pipe.name, "pipeline") for cause in _names_read(pipe.input)]
    return _Structure(model, kinds, trees, non_negative, hidden_stocks, edges,
                      dict(compiled.owners), user_stocks)


# ------------------------------------------------------------------ run values
def _is_native(model: object) -> bool:
    # duck-typed: this module does not import the model module (which imports it)
    return callable(getattr(model, "compile", None)) and hasattr(model, "stocks")


def _check_model(model: object, where: str) -> None:
    if not _is_native(model):
        raise ModelError(f"{where} needs a StockFlowModel (or a model loaded with "
                         f"load_model), not {type(model).__name__} {model!r}")


@dataclass
class _Run:
    """The values of every name of the expanded model at each saved time."""

    results: Any
    time: np.ndarray
    values: dict[str, np.ndarray]
    evaluate: _Evaluator


def _run(structure: _Structure, results: Results | None, run_kwargs: Mapping[str, Any] | None
         ) -> _Run:
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
    return _Run(results, time, values, _Evaluator(lookups, time, dt))


def _evaluate(structure: _Structure, run: _Run, name: str, env: Mapping[str, np.ndarray]
              ) -> np.ndarray:
    value = run.evaluate(structure.trees[name], env)
    if name in structure.non_negative:
        value = np.maximum(value, 0.0)
    return np.broadcast_to(value, run.time.shape).astype(float)


# ------------------------------------------------------------------ polarity
@dataclass(frozen=True)
class LinkPolarity:
    """The polarity of one link of a model, as read from a run.

    Attributes
    ----------
    cause, effect : str
    sign : {"+", "-"}
        The sign the link has most of the time (``"+"`` if it never acts).
    ambiguous : bool
        True if the sign changes during the run, or the link never acts.
    fraction_positive : float
        The fraction of the times when the link acts at which it is positive
        (NaN if it never acts).
    delay : bool
        The link passes through the hidden stock of a smooth or delay.
    via : tuple of str
        What the link is folded through: ``"smooth()"``, ``"lookup 'effect'"``, ...
    role : {"inflow", "outflow", "equation"}
        How the polarity was found: a flow filling or draining a stock (sign
        fixed), or from the effect's equation.

    Examples
    --------
    >>> LinkPolarity("x", "y", "+", False, 1.0).note is None
    True
    >>> LinkPolarity("x", "y", "-", True, 0.25).note
    'ambiguous: the sign changes during the run (+ 25% of the time)'
    """

    cause: str
    effect: str
    sign: str
    ambiguous: bool
    fraction_positive: float
    delay: bool = False
    via: tuple[str, ...] = ()
    role: str = "equation"

    @property
    def note(self) -> str | None:
        """What a diagram should say about the link, or None if nothing."""
        parts = []
        if self.ambiguous:
            if math.isnan(self.fraction_positive):
                parts.append("ambiguous: no effect during the run")
            else:
                parts.append(f"ambiguous: the sign changes during the run "
                             f"(+ {self.fraction_positive:.0%} of the time)")
        if self.via:
            parts.append("through " + ", ".join(self.via))
        return "; ".join(parts) or None


def _signs(changes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """-1, 0 or +1 at each time; changes within rounding noise of `scale` count as 0."""
    changes = np.where(np.isfinite(changes), changes, 0.0)
    noise = NOISE * np.where(np.isfinite(scale), np.abs(scale), 0.0) + 1e-300
    return np.where(np.abs(changes) > noise, np.sign(changes), 0.0)


def _edge_signs(structure: _Structure, run: _Run, edge: _Edge) -> np.ndarray:
    """The sign of the link `edge` at each saved time (central differences)."""
    if edge.role == "inflow":
        return np.ones_like(run.time)
    if edge.role == "outflow":
        return -np.ones_like(run.time)
    if edge.role == "pipeline":
        return np.ones_like(run.time)
    x = run.values[edge.cause]
    spread = float(np.max(np.abs(x))) if x.size else 0.0
    step = RELATIVE_STEP * np.maximum(np.abs(x), spread if spread > 0 else 1.0)
    up = dict(run.values)
    down = dict(run.values)
    up[edge.cause] = x + step
    down[edge.cause] = x - step
    high = _evaluate(structure, run, edge.effect, up)
    low = _evaluate(structure, run, edge.effect, down)
    return _signs(high - low, np.maximum(np.abs(high), np.abs(low)))


def _lookups_around(tree: ast.AST, name: str, lookups: Iterable[str]) -> tuple[str, ...]:
    known = set(lookups)
    found: dict[str, None] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in known
                and any(isinstance(n, ast.Name) and n.id == name
                        for arg in node.args for n in ast.walk(arg))):
            found.setdefault(f"lookup {node.func.id!r}", None)
    return tuple(found)


@dataclass(frozen=True)
class _Path:
    """A chain of edges from one visible variable to another through hidden ones."""

    edges: tuple[_Edge, ...]

    @property
    def cause(self) -> str:
        return self.edges[0].cause

    @property
    def effect(self) -> str:
        return self.edges[-1].effect


def _paths(structure: _Structure, include_constants: bool) -> dict[tuple[str, str], list[_Path]]:
    """The links of the diagram: visible cause -> visible effect, hidden parts folded away."""
    visible = {n for n, k in structure.kinds.items() if include_constants or k != "constant"}
    outgoing: dict[str, list[_Edge]] = {}
    for edge in structure.edges:
        outgoing.setdefault(edge.cause, []).append(edge)
    links: dict[tuple[str, str], list[_Path]] = {}

    def follow(start: str, chain: tuple[_Edge, ...], seen: frozenset[str]) -> None:
        for edge in outgoing.get(chain[-1].effect if chain else start, ()):
            target = edge.effect
            if target in seen:
                continue
            path = (*chain, edge)
            if target in visible:
                if target != start:
                    links.setdefault((start, target), []).append(_Path(path))
            elif target in structure.owners:
                follow(start, path, seen | {target})

    for name in structure.kinds:
        if name in visible:
            follow(name, (), frozenset({name}))
    return {key: links[key] for key in sorted(links)}


def _describe_via(structure: _Structure, path: _Path) -> tuple[str, ...]:
    via: list[str] = []
    for edge in path.edges[1:]:
        via.append(f"{_stateful_function(edge.cause)}()")
    for edge in path.edges:
        if edge.effect in structure.trees:
            via += _lookups_around(structure.trees[edge.effect], edge.cause,
                                   structure.model.lookups)
    return tuple(dict.fromkeys(via))


def _stateful_function(hidden: str) -> str:
    """The function a hidden name comes from: ``'_delay_fixed_0_y'`` -> ``'delay_fixed'``."""
    from csframework.sd.expressions import STATEFUL_FUNCTIONS

    matches = [f for f in STATEFUL_FUNCTIONS if hidden.startswith(f"_{f}_")]
    return max(matches, key=len) if matches else hidden


def _polarities(structure: _Structure, run: _Run, include_constants: bool
                ) -> tuple[dict[tuple[str, str], list[_Path]], tuple[LinkPolarity, ...]]:
    paths = _paths(structure, include_constants)
    edge_signs: dict[_Edge, np.ndarray] = {}
    found = []
    for (cause, effect), chains in paths.items():
        total = np.zeros_like(run.time)
        for chain in chains:
            product = np.ones_like(run.time)
            for edge in chain.edges:
                if edge not in edge_signs:
                    edge_signs[edge] = _edge_signs(structure, run, edge)
                product = product * edge_signs[edge]
            total = total + product
        sign, ambiguous, fraction = _summarise(np.sign(total))
        role = chains[0].edges[0].role if len(chains[0].edges) == 1 else "equation"
        role = role if role in ("inflow", "outflow") else "equation"
        delay = all(any(e.effect in structure.hidden_stocks for e in c.edges) for c in chains)
        via = tuple(dict.fromkeys(v for c in chains for v in _describe_via(structure, c)))
        found.append(LinkPolarity(cause, effect, sign, ambiguous, fraction, delay, via, role))
    return paths, tuple(found)


def link_polarities(model: StockFlowModel, results: Results | None = None, *,
                    include_constants: bool = False,
                    run_kwargs: Mapping[str, Any] | None = None) -> tuple[LinkPolarity, ...]:
    """Every link of the model's causal structure with its polarity along a run.

    Parameters
    ----------
    model : StockFlowModel
    results : Results, optional
        A run of `model` to read the values from (default: a new run). If it
        lacks hidden state or variables, the model is run again with the same
        parameters, time step and stop time.
    include_constants : bool
        Also give the links from constants.
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given
        (``params``, ``stop``, ``dt``, ``method``).

    Returns
    -------
    tuple of LinkPolarity
        Sorted by cause, then effect.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Wave", stop=10, dt=0.5)
    >>> _ = m.stock("x", 0, inflows=["speed"])
    >>> _ = m.flow("speed", 1)
    >>> _ = m.auxiliary("y", "sin(x)")
    >>> _ = m.auxiliary("z", "10 - x")
    >>> for link in link_polarities(m):
    ...     print(link.cause, link.effect, link.sign, link.ambiguous)
    speed x + False
    x y - True
    x z - False
    """
    _check_model(model, "link_polarities()")
    structure = _structure(model)
    run = _run(structure, results, run_kwargs)
    return _polarities(structure, run, include_constants)[1]


def to_cld(model: Any, results: Results | None = None, *, include_constants: bool = False,
           run_kwargs: Mapping[str, Any] | None = None) -> CausalLoopDiagram:
    """The causal loop diagram of a model, link polarities read from its equations.

    Parameters
    ----------
    model : StockFlowModel or PySDModel
        A model built in Python, read from XMILE, or loaded through PySD
        (see :func:`csframework.sd.loading.load_model`).
    results : Results, optional
        The run polarities are read along (default: a new run).
    include_constants : bool
        Also draw the constants and their links.
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given.

    Returns
    -------
    CausalLoopDiagram
        Titled after the model; each variable's note says what it is
        ("stock", "flow", "auxiliary", "constant"); ambiguous links say so in
        their note (see :func:`link_polarities`).

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Perception", stop=20)
    >>> _ = m.stock("sales", 10, inflows=["growth"])
    >>> _ = m.flow("growth", "0.1 * perceived_sales")
    >>> _ = m.auxiliary("perceived_sales", "smooth(sales, 4)")
    >>> cld = to_cld(m)
    >>> cld.get_link("sales", "perceived_sales")
    Link('sales' -> 'perceived_sales', '+', delay)
    >>> cld.variable("sales").note, cld.title
    ('stock', 'Perception')
    """
    if not _is_native(model) and hasattr(model, "_py"):  # read by PySD: it knows how
        if results is None and run_kwargs:
            results = model.run(**dict(run_kwargs))
        return model.to_cld(results)
    _check_model(model, "to_cld()")
    structure = _structure(model)
    run = _run(structure, results, run_kwargs)
    polarities = _polarities(structure, run, include_constants)[1]
    labels = {name: model[name].label for name in model.names()}
    cld = _diagram(model.name, structure.kinds, polarities, include_constants, labels,
                   model.loop_names)
    archetype = _library_archetype(model)
    if archetype is not None:
        from csframework.archetypes import place_canonically

        place_canonically(cld, archetype)
    return cld


def _library_archetype(model: Any) -> str | None:
    """The archetype a library model illustrates (its diagram then takes the canonical layout).

    Models built by ``csf.library.load`` say so; a copy or a re-read model of
    an archetype is recognised by its name being the archetype's name.
    """
    tagged = getattr(model, "_library_archetype", None)
    if tagged is not None:
        return tagged
    from csframework import archetypes

    name = str(getattr(model, "name", "")).lower()
    return name if name in archetypes.names() else None


def _diagram(title: str, kinds: Mapping[str, str], polarities: Iterable[LinkPolarity],
             include_constants: bool, labels: Mapping[str, str | None] | None = None,
             loop_names: Mapping[tuple[str, ...], tuple[str, str | None]] | None = None,
             ) -> CausalLoopDiagram:
    """The diagram; each variable drawn under its label (or its name with spaces for ``_``)."""
    from csframework.cld import CausalLoopDiagram
    from csframework.cld.loops import canonical_rotation

    labels = labels or {}
    cld = CausalLoopDiagram(title=title)
    for name, kind in kinds.items():
        if include_constants or kind != "constant":
            label = labels.get(name) or name.replace("_", " ")
            cld.add_variable(name, note=kind, label=label if label != name else None)
    for link in polarities:
        cld.link(link.cause, link.effect, link.sign, delay=link.delay, note=link.note)
    if loop_names:
        # Names the model gives its loops hold where the run shows the loop
        # with the kind the name says (a loop can change kind with its setting).
        found = {canonical_rotation(loop.variables): loop for loop in cld.loops()}
        for key, (name, story) in loop_names.items():
            loop = found.get(key)
            if loop is not None and loop.kind[0].upper() == name[0]:
                cld._loop_numbers[key] = name
                if story:
                    cld._story_names[key] = story
        cld._changed()
    return cld


# ------------------------------------------------------------------ PySD models
_PYSD_STATEFUL_DELAYS = ("Smooth", "SmoothN", "Delay", "DelayN", "DelayFixed")
_NUMPY_FUNCTIONS = {"exp": "exp", "log": "log", "log10": "log10", "sqrt": "sqrt", "sin": "sin",
                    "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos",
                    "arctan": "atan", "abs": "abs", "minimum": "min", "maximum": "max",
                    "floor": "floor"}


class _FromPySD(ast.NodeTransformer):
    """Rewrites an expression PySD generated into the equation language, or raises ValueError.

    ``name()`` (a component) becomes the name, ``np.exp(x)`` becomes
    ``exp(x)``, ``if_then_else(c, lambda: a, lambda: b)`` becomes
    ``a if c else b``; anything else is refused, and the result is checked
    again by :func:`csframework.sd.expressions.parse`.
    """

    def __init__(self, components: Iterable[str]):
        self.components = set(components) | {"time"}

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if isinstance(func, ast.Name) and not node.args and not node.keywords and (
                func.id in self.components):
            return ast.Name(id=func.id, ctx=ast.Load())
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == "np" and func.attr in _NUMPY_FUNCTIONS):
            return ast.Call(func=ast.Name(id=_NUMPY_FUNCTIONS[func.attr], ctx=ast.Load()),
                            args=[self.visit(a) for a in node.args], keywords=[])
        if isinstance(func, ast.Name) and func.id == "if_then_else" and len(node.args) == 3:
            body, other = node.args[1], node.args[2]
            if isinstance(body, ast.Lambda) and isinstance(other, ast.Lambda):
                return ast.IfExp(test=self.visit(node.args[0]), body=self.visit(body.body),
                                 orelse=self.visit(other.body))
        raise ValueError(f"no equivalent for {ast.unparse(node)!r}")


def _pysd_equations(py_file: Any, components: Iterable[str]
                    ) -> tuple[dict[str, Any], dict[str, tuple[str, Any]]]:
    """The equations of a PySD translation, read (never run) from its generated source.

    Returns ``{component: Equation or None}`` for plain components and
    ``{stateful object: (its class, Equation of its input or None)}``.
    """
    from pathlib import Path

    from csframework.sd.expressions import parse

    tree = ast.parse(Path(py_file).read_text(encoding="utf-8"))
    rewrite = _FromPySD(components)

    def translate(node: ast.AST) -> Any:
        try:
            text = ast.unparse(rewrite.visit(ast.fix_missing_locations(node)))
            return parse(text)
        except (ValueError, EquationError, SyntaxError, RecursionError):
            return None

    equations: dict[str, Any] = {}
    stateful: dict[str, tuple[str, Any]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and len(node.body) == 1 and isinstance(
                node.body[0], ast.Return) and node.body[0].value is not None:
            equations[node.name] = translate(node.body[0].value)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Name) and node.value.args
              and isinstance(node.value.args[0], ast.Lambda)):
            stateful[node.targets[0].id] = (node.value.func.id,
                                            translate(node.value.args[0].body))
    return equations, stateful


def pysd_cld(model: Any, pysd_model: Any, control_names: Iterable[str],
             results: Results | None = None) -> CausalLoopDiagram:
    """The diagram of a PySD-backed model (see :func:`to_cld`).

    Links come from PySD's dependency information (``model.dependencies``);
    stateful objects other than a stock's own integral (smooths, delays) are
    folded away into delayed links. Polarities are computed as for native
    models, by central differences along the run, from the equations PySD
    generated, rewritten into the equation language (a stock's rate of
    change for flow -> stock links, a smooth's or delay's input for links
    through it). Where an equation has no equivalent (lookups, arrays, other
    PySD functions) the sign is estimated from how cause and effect moved
    together during the run, and the link's note says so.
    """
    doc = pysd_model.doc
    control_names = {str(c).lower() for c in control_names}
    original = model._translation.names   # PySD only ever sees generated names
    real = {str(py): original.get(str(name), str(name))
            for py, name in zip(doc["Py Name"], doc["Real Name"], strict=True)
            if original.get(str(name), str(name)).lower() not in control_names}
    kinds = dict(zip(doc["Py Name"], doc["Type"], strict=True))
    subtypes = dict(zip(doc["Py Name"], doc["Subtype"], strict=True))
    if results is None:
        results = model.run()
    frame = results.frame
    time = results.time.astype(float)
    values = {py: frame[name].to_numpy(dtype=float) for py, name in real.items()
              if name in frame.columns}
    dt = float(results.dt) if results.dt else 1.0
    evaluator = _Evaluator({}, time, dt)
    equations, stateful = _pysd_equations(model._py, real)
    deps = pysd_model.dependencies
    flows = {d for obj, entry in deps.items() if obj.startswith("_integ_")
             for d in (entry.get("step") or {})}
    shown = {py: name for py, name in real.items()
             if kinds.get(py) not in ("Lookup", "Constant", "Data") and isinstance(
                 kinds.get(py), str)}
    notes = {}
    for py in shown:
        if subtypes.get(py) == "Integ":
            notes[py] = "stock"
        elif py in flows:
            notes[py] = "flow"
        else:
            notes[py] = "auxiliary"
    links = []
    for py in shown:
        for cause, through in _pysd_inputs(deps, py, frozenset({py})):
            if cause in shown and cause != py:
                links.append((cause, py, through))
    from csframework.cld import CausalLoopDiagram

    cld = CausalLoopDiagram(title=model.name)
    for py, name in shown.items():
        cld.add_variable(name, note=notes[py])
    for cause, effect, through in sorted(set(links)):
        equation = equations.get(effect)
        delayed = False
        if through is not None:
            kind, equation = stateful.get(through, ("", None))
            delayed = kind in _PYSD_STATEFUL_DELAYS or not through.startswith("_integ_")
        signs = None
        if equation is not None and cause in equation.dependencies and all(
                d in values for d in equation.dependencies):
            signs = _partial_signs(evaluator, equation.tree, values, cause)
        if signs is None:
            polarity = _pysd_link_sign(frame, real[cause], real[effect])
            notes_text = "polarity estimated from how the two moved together in the run"
        else:
            polarity = _summarise(signs)
            notes_text = None
        sign, ambiguous, fraction = polarity
        parts = []
        if ambiguous:
            parts.append("ambiguous: no effect during the run" if math.isnan(fraction) else
                         f"ambiguous: the sign changes during the run (+ {fraction:.0%} of "
                         "the time)")
        if notes_text:
            parts.append(notes_text)
        cld.link(real[cause], real[effect], sign, delay=delayed, note="; ".join(parts) or None)
    return cld


def _pysd_inputs(deps: Mapping[str, Any], name: str, seen: frozenset[str]
                 ) -> list[tuple[str, str | None]]:
    """(input, stateful object it passes through or None) for one PySD component."""
    found: list[tuple[str, str | None]] = []
    for dep in deps.get(name) or {}:
        if dep in seen or dep.startswith("__") or dep in ("time", "time_step"):
            continue
        if dep.startswith("_"):
            step = (deps.get(dep) or {}).get("step") or {}
            found += [(d, dep) for d in step if not d.startswith("_") and d not in seen]
        else:
            found.append((dep, None))
    return found


def _partial_signs(evaluate: _Evaluator, tree: ast.AST, values: Mapping[str, np.ndarray],
                   cause: str) -> np.ndarray:
    x = values[cause]
    spread = float(np.max(np.abs(x))) if x.size else 0.0
    step = RELATIVE_STEP * np.maximum(np.abs(x), spread if spread > 0 else 1.0)
    high = evaluate(tree, {**values, cause: x + step})
    low = evaluate(tree, {**values, cause: x - step})
    high, low = np.broadcast_to(high, x.shape), np.broadcast_to(low, x.shape)
    return _signs(high - low, np.maximum(np.abs(high), np.abs(low)))


def _summarise(signs: np.ndarray) -> tuple[str, bool, float]:
    """(dominant sign, ambiguous, fraction positive) of a series of -1/0/+1."""
    positive, negative = int(np.sum(signs > 0)), int(np.sum(signs < 0))
    acting = positive + negative
    fraction = positive / acting if acting else math.nan
    return ("-" if negative > positive else "+"), bool(positive and negative) or not acting, \
        fraction


def _pysd_link_sign(frame: pd.DataFrame, cause: str, effect: str
                    ) -> tuple[str, bool, float]:
    """Sign of a link estimated from co-movement: sign(Δcause · Δeffect) over the run."""
    if cause not in frame.columns or effect not in frame.columns:
        return "+", True, math.nan
    x, y = frame[cause].to_numpy(dtype=float), frame[effect].to_numpy(dtype=float)
    return _summarise(_signs(np.diff(x), x[1:]) * _signs(np.diff(y), y[1:]))


# ------------------------------------------------------------------ loop dominance
#: At most this many loops are named in a dominance plot's legend (the longest dominant).
_LEGEND_LOOPS = 8


def _loop_words(loop: Any, results: Any) -> str | None:
    """A short description of an unnamed loop of more than two variables, for a legend."""
    if len(loop.variables) <= 2:
        return None
    first = loop.variables[0].replace("_", " ")
    first = first if len(first) <= 28 else first[:27] + "…"
    return f"through {first}, {len(loop.variables)} variables"


def _keep_readable_labels(ax: Any, labels: list[tuple[float, float, float, Any]]) -> None:
    """Hide band labels that do not fit their band or would overlap a wider band's label.

    With many short periods (a model the size of World3), every band cannot carry its
    name; the widest bands keep theirs, measured on the rendered figure.
    """
    figure = ax.figure
    if not hasattr(figure.canvas, "get_renderer"):  # a bare Figure: measure with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    placed: list[Any] = []
    for _, start, end, text in sorted(labels, key=lambda item: -item[0]):
        box = text.get_window_extent(renderer)
        left = ax.transData.transform((start, 0))[0]
        right = ax.transData.transform((end, 0))[0]
        fits = box.width <= (right - left) * 1.6
        if not fits or any(box.overlaps(other) for other in placed):
            text.set_visible(False)
        else:
            placed.append(box)


@dataclass(frozen=True, eq=False)
class Dominance:
    """Which feedback loop drives a model's behaviour at each time (Loops that Matter).

    Made by :func:`loop_dominance`.

    Attributes
    ----------
    model_name : str
    loops : tuple of Loop
        The loops of ``model.to_cld()``, with the same names.
    link_scores : pandas.DataFrame
        One column per link ``"cause -> effect"``, indexed by time.
    loop_scores : pandas.DataFrame
        One column per loop: its relative loop score, signed (positive for
        reinforcing, negative for balancing), in [-1, 1]; the absolute values
        add up to 1 at each time when anything moves.
    dominant : pandas.Series
        The name of the loop with the largest relative score at each time,
        or None where no loop moves.
    results : Results
        The run the scores were computed from.
    note : str or None
        Set when the model has too many loops to score them all: which loops
        were scored (every loop of up to some length), and that relative
        scores are shares among those.

    See also :attr:`dominant_kind`: which *kind* of loop dominates, all loops
    of a kind together (a limit often acts through several balancing loops,
    none of which outweighs the growth loop alone).
    """

    model_name: str
    loops: tuple
    link_scores: Any = field(repr=False)
    loop_scores: Any = field(repr=False)
    dominant: Any = field(repr=False)
    results: Any = field(repr=False)
    note: str | None = None

    def kind(self, loop: str) -> str:
        """``"reinforcing"`` or ``"balancing"`` for the loop named `loop`."""
        for candidate in self.loops:
            if candidate.name == loop:
                return candidate.kind
        raise UnknownNameError(str(loop), [lp.name for lp in self.loops], kind="loop",
                               where=f"the loop dominance of model {self.model_name!r}")

    @property
    def dominant_kind(self) -> Any:
        """Which kind of loop dominates at each time, all loops of a kind together.

        ``"reinforcing"`` where the reinforcing loops' relative scores add up
        to more than the balancing loops' (in absolute value), else
        ``"balancing"``; None where no loop moves. (Positive scores are
        reinforcing and negative ones balancing, so this is the sign of the
        sum of the relative loop scores.)

        Examples
        --------
        >>> from csframework.sd import library
        >>> dominance = loop_dominance(library.load("limits to growth"))
        >>> dominance.periods()          # no single loop outweighs the growth loop ...
        [(0.25, 40.0, 'R1', 'reinforcing')]
        >>> dominance.periods(by="kind")  # ... but the two limiting loops together do
        [(0.25, 16.0, 'reinforcing', 'reinforcing'), (16.0, 40.0, 'balancing', 'balancing')]
        """
        import pandas as pd

        scores = self.loop_scores.to_numpy()
        net = scores.sum(axis=1) if scores.size else np.zeros(len(self.loop_scores.index))
        moving = (np.abs(scores) > 0).any(axis=1) if scores.size else np.zeros(len(net), bool)
        kinds = [None if not m else "reinforcing" if n > 0 else "balancing"
                 for n, m in zip(net, moving, strict=True)]
        return pd.Series(kinds, index=self.loop_scores.index, dtype=object,
                         name="dominant kind")

    def periods(self, by: str = "loop") -> list[tuple[float, float, str, str]]:
        """The spans of time one loop dominates: ``(start, end, loop name, kind)``.

        `end` is the time the next period starts (or the last time). Times
        when nothing moves belong to no period.

        Parameters
        ----------
        by : {"loop", "kind"}
            ``"kind"``: the spans of :attr:`dominant_kind` instead, as
            ``(start, end, kind, kind)``.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> loop_dominance(m).periods()
        [(1.0, 3.0, 'R1', 'reinforcing')]
        >>> loop_dominance(m).periods(by="kind")
        [(1.0, 3.0, 'reinforcing', 'reinforcing')]
        """
        if by not in ("loop", "kind"):
            raise UnknownNameError(str(by), ("loop", "kind"), kind="way of grouping",
                                   where=f"the loop dominance of model {self.model_name!r}")
        series = self.dominant if by == "loop" else self.dominant_kind
        time = [float(t) for t in series.index]
        names = list(series)
        found: list[tuple[float, float, str, str]] = []
        i = 0
        while i < len(names):
            name = names[i]
            j = i
            while j + 1 < len(names) and names[j + 1] == name:
                j += 1
            if name is not None:
                end = time[j + 1] if j + 1 < len(time) else time[j]
                found.append((time[i], end, name, self.kind(name) if by == "loop" else name))
            i = j + 1
        return found

    def plot(self, variable: str, ax: Any = None, by: str = "loop") -> Any:
        """The behaviour over time of `variable`, over a band coloured by the dominant loop.

        Parameters
        ----------
        variable : str
            A variable of the run (a stock, flow or auxiliary).
        ax : matplotlib Axes, optional
            Draw into these axes (default: a new figure, made without pyplot).
        by : {"loop", "kind"}
            Colour the band by the dominant loop (named on it) or by the
            dominant kind (labelled "R loops" or "B loops").

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> ax = loop_dominance(m).plot("money")
        >>> [t.get_text() for t in ax.texts]
        ['R1']
        >>> loop_dominance(m).plot("mony")
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown variable 'mony' ... did you mean 'money'?
        """
        import matplotlib
        from matplotlib.transforms import blended_transform_factory

        from csframework import style

        results = self.results
        if variable not in results.variables or str(variable).startswith("_"):
            shown = [v for v in results.variables if not v.startswith("_")]
            raise UnknownNameError(str(variable), shown, kind="variable",
                                   where=f"the loop dominance of model {self.model_name!r}")
        with matplotlib.rc_context(style.current().rc()):
            if ax is None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                figure = Figure(figsize=(8, 4.5))
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
            times = results.time
            ax.plot(times, results[variable].to_numpy(), color=style.PALETTE["text"],
                    label=results.label(variable))
            band = blended_transform_factory(ax.transData, ax.transAxes)
            periods = self.periods(by)
            colours = self.colours() if by == "loop" else dict(style.PALETTE)
            shown: dict[str, Any] = {}
            labels = []
            for start, end, name, kind in periods:
                colour = colours[name if by == "loop" else kind]
                label = name if by == "loop" else f"{kind[0].upper()} loops"
                patch = ax.axvspan(start, end, ymin=0.0, ymax=0.06, color=colour, alpha=0.85,
                                   lw=0)
                text = ax.text((start + end) / 2, 0.09, label, transform=band, ha="center",
                               va="bottom", color=colour, fontweight="bold")
                labels.append((end - start, start, end, text))
                shown.setdefault(name, patch)
            if by == "loop" and len(shown) > 1:
                stories = {lp.name: lp.story or _loop_words(lp, results) for lp in self.loops}
                longest: dict[str, float] = {}
                for start, end, name, _ in periods:
                    longest[name] = longest.get(name, 0.0) + end - start
                listed = sorted(shown, key=lambda n: -longest[n])[:_LEGEND_LOOPS]
                handles = []
                for name in sorted(listed, key=list(shown).index):
                    story = stories.get(name)
                    shown[name].set_label(f"{name} ({story})" if story else name)
                    handles.append(shown[name])
                others = len(shown) - len(listed)
                title = "Dominant loop" if not others else (
                    f"Dominant loop (the {len(listed)} longest; {others} more dominate briefly)")
                ax.legend(handles=handles, title=title, loc="best", fontsize="small",
                          title_fontsize="small")
            ax.set_ylabel(results.label(variable))
            unit = results.time_unit
            ax.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit})")
            ax.set_xlim(times[0], times[-1])
            what = "loop" if by == "loop" else "kind of loop"
            ax.set_title(f"{self.model_name}: which {what} dominates when")
            _keep_readable_labels(ax, labels)  # measured once the axes have their limits
        return ax

    def colours(self) -> dict[str, str]:
        """A colour for each loop: shades of its kind's colour, so that loops of one kind differ.

        The first loop of a kind (in name order) has the kind's own colour;
        the others are lighter and darker shades of it.

        Examples
        --------
        >>> from csframework.sd import library
        >>> colours = loop_dominance(library.load("balancing process with delay")).colours()
        >>> colours["B1"], colours["B2"] != colours["B1"]
        ('#0072B2', True)
        """
        from csframework import style

        found: dict[str, str] = {}
        for kind in ("reinforcing", "balancing"):
            names = sorted((lp.name for lp in self.loops if lp.kind == kind),
                           key=lambda n: (len(n), n))
            for i, name in enumerate(names):
                found[name] = _shade(style.PALETTE[kind], i)
        return found

    def __repr__(self) -> str:
        spans = ", ".join(f"{name} {start:g}–{end:g}" for start, end, name, _ in self.periods())
        scored = f"{len(self.loops)} loops" + (" (bounded)" if self.note else "")
        return f"<Dominance {self.model_name!r}: {scored}; {spans or 'no motion'}>"


#: How far each further loop of a kind moves from the kind's colour: towards
#: white (positive) or black (negative), alternating so neighbours differ.
_SHADES = (0.0, 0.5, -0.4, 0.72, -0.62, 0.3, -0.2, 0.85)


def _shade(colour: str, index: int) -> str:
    from matplotlib.colors import to_hex, to_rgb

    amount = _SHADES[index % len(_SHADES)]
    target = 1.0 if amount > 0 else 0.0
    rgb = [c + (target - c) * abs(amount) for c in to_rgb(colour)]
    return to_hex(rgb).upper()


def _previous(values: np.ndarray) -> np.ndarray:
    shifted = np.empty_like(values)
    shifted[1:] = values[:-1]
    shifted[:1] = values[:1]
    return shifted


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is within rounding noise of 0."""
    moving = _signs(denominator, scale) != 0
    with np.errstate(all="ignore"):
        return np.where(moving, numerator / np.where(moving, denominator, 1.0), 0.0)


def _edge_scores(structure: _Structure, run: _Run, edge: _Edge,
                 cache: dict[str, np.ndarray]) -> np.ndarray:
    """The LTM link score of one edge of the expanded model at each saved time."""
    values = run.values
    if edge.role in ("inflow", "outflow"):
        inflows, outflows = structure.user_stocks[edge.effect]
        net = sum((values[f] for f in inflows), np.zeros_like(run.time)) - sum(
            (values[f] for f in outflows), np.zeros_like(run.time))
        change = net - _previous(net)
        flow = values[edge.cause]
        sign = 1.0 if edge.role == "inflow" else -1.0
        scale = sum((np.abs(values[f]) for f in inflows + outflows), np.zeros_like(run.time))
        return sign * np.abs(_ratio(flow - _previous(flow), change, scale))
    if edge.role == "pipeline":
        pipe = values[edge.effect]
        return (_signs(pipe - _previous(pipe), pipe) != 0).astype(float)
    effect = edge.effect
    if effect not in cache:
        cache[effect] = _evaluate(structure, run, effect, values)
    now = cache[effect]
    before = _previous(now)
    previous_env = {name: _previous(v) for name, v in values.items()}
    previous_env[edge.cause] = values[edge.cause]
    # every other input, time included, held at its previous value
    held = _Run(run.results, run.time, previous_env, run.evaluate.at(_previous(run.time)))
    partial = _evaluate(structure, held, effect, previous_env) - before
    cause = values[edge.cause]
    cause_change = cause - _previous(cause)
    scale = np.maximum(np.abs(now), np.abs(before))
    magnitude = np.abs(_ratio(partial, now - before, scale))
    direction = np.sign(_ratio(partial, cause_change, np.maximum(np.abs(cause), 1e-300)))
    return magnitude * direction


#: At most this many loops are scored by :func:`loop_dominance` unless told otherwise.
MAX_LOOPS = 2_000


def _loops_to_score(cld: CausalLoopDiagram, max_loops: int) -> tuple[tuple, str | None]:
    """Every loop if there are at most `max_loops`; else every loop up to the longest
    length that keeps within the bound (the search never lists millions of loops)."""
    from csframework.cld.loops import find_loops

    every = find_loops(cld, limit=max_loops)
    if every.complete:
        return tuple(every), None
    best: tuple = ()
    for bound in range(2, len(cld.variables) + 1):
        found = find_loops(cld, max_length=bound, limit=max_loops)
        if not found.complete:
            if not best:  # even the shortest loops are too many: the first ones found
                best, which = tuple(found), f"first {len(found):,} loops found"
            break
        best, which = tuple(found), f"{len(found):,} loops"
    longest = max(len(loop) for loop in best)
    note = (f"model {cld.title!r} has more than {max_loops:,} feedback loops; loop dominance "
            f"scores the {which} of at most {longest} variables (loops are named among "
            "these), and relative scores are shares among them; raise max_loops to score "
            "more")
    return best, note


def loop_dominance(model: StockFlowModel, results: Results | None = None, method: str = "ltm",
                   *, run_kwargs: Mapping[str, Any] | None = None,
                   max_loops: int = MAX_LOOPS) -> Dominance:
    """Which loop dominates the model's behaviour when: the Loops that Matter method.

    Link scores (Schoenberg, Davidsen & Eberlein 2020, eq. 2, with the
    flow-to-stock score of Schoenberg, Hayward & Eberlein 2023, "Improving
    Loops that Matter", *System Dynamics Review* 39(2), eq. 3), computed at
    each saved time t over the step from t - dt to t (Δv = v(t) - v(t - dt)):

    - a link x -> z into a flow or auxiliary ``z = f(x, y, ...)``::

          LS(x -> z) = |Δx z / Δz| · sign(Δx z / Δx)     (0 if Δz = 0 or Δx = 0)

      where Δx z = f(x(t), y(t - dt), ...) - f(x(t - dt), y(t - dt), ...) is
      the change in z due to x alone (every other input, and time, held at
      its previous value);
    - a flow into or out of a stock S with net flow n = Σ inflows - Σ outflows
      (the 2023 correction: the *change* in the flow over the change in the
      net flow, not the flow over the net flow)::

          LS(i -> S) = +|Δi / Δn|,    LS(o -> S) = -|Δo / Δn|    (0 if Δn = 0)

      This equals scoring ``n = Σi - Σo`` with the formula above and the link
      n -> S with 1, so the scores do not depend on how flows are split;
    - the hidden stock of a smooth or delay is scored the same way, its rate of
      change playing the part of the net flow; the output of a delay_fixed
      pipeline scores 1 whenever it moves.

    A link of the diagram that folds hidden parts away scores the product of
    its parts' scores (the sum over its paths if there are several). A loop's
    score is the product of its links' scores; its *relative* score divides
    that by the sum of the absolute scores of all loops at that time. The
    dominant loop at a time is the one with the largest absolute relative
    score. At the start time nothing has changed yet, so no loop dominates.

    Parameters
    ----------
    model : StockFlowModel
    results : Results, optional
        The run to analyse (default: a new run). Runs with RK4 are analysed
        over their saved steps all the same.
    method : {"ltm"}
        Loops that Matter (the only method so far).
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given.
    max_loops : int
        A big model can have millions of loops (World3-03 has 1,863,803).
        Beyond `max_loops`, only the loops of up to the longest length that
        keeps within the bound are scored (short loops first, as a
        participant reads a diagram), and :attr:`Dominance.note` says so.

    Returns
    -------
    Dominance

    Raises
    ------
    UnknownNameError
        For an unknown method.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Logistic", stop=100, dt=0.25)
    >>> _ = m.constant("capacity", 1000)
    >>> _ = m.stock("population", 10, inflows=["growth"])
    >>> _ = m.auxiliary("fractional_growth", "0.1 * (1 - population / capacity)")
    >>> _ = m.flow("growth", "population * fractional_growth")
    >>> [(start, name) for start, end, name, kind in loop_dominance(m).periods()]
    [(0.25, 'R1'), (46.75, 'B1')]
    >>> loop_dominance(m, method="ppm")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown loop dominance method 'ppm' ... are 'ltm'
    """
    import pandas as pd

    if method not in METHODS:
        raise UnknownNameError(str(method), METHODS, kind="loop dominance method",
                               where="loop_dominance()")
    _check_model(model, "loop_dominance()")
    if isinstance(max_loops, bool) or not isinstance(max_loops, int) or max_loops < 1:
        raise ModelError(f"loop_dominance(): max_loops must be a positive whole number, not "
                         f"{max_loops!r}")
    structure = _structure(model)
    run = _run(structure, results, run_kwargs)
    paths, polarities = _polarities(structure, run, include_constants=False)
    cld = _diagram(model.name, structure.kinds, polarities, include_constants=False,
                   loop_names=getattr(model, "loop_names", None))
    loops, note = _loops_to_score(cld, max_loops)
    index = pd.Index(run.time, name="time")
    edge_scores: dict[_Edge, np.ndarray] = {}
    cache: dict[str, np.ndarray] = {}
    link_scores: dict[str, np.ndarray] = {}
    needed = {(link.cause, link.effect) for loop in loops for link in loop.links}
    for (cause, effect), chains in paths.items():
        if (cause, effect) not in needed:
            continue
        total = np.zeros_like(run.time)
        for chain in chains:
            product = np.ones_like(run.time)
            for edge in chain.edges:
                if edge not in edge_scores:
                    edge_scores[edge] = _edge_scores(structure, run, edge, cache)
                product = product * edge_scores[edge]
            total = total + product
        total[0] = 0.0
        link_scores[f"{cause} -> {effect}"] = total
    scores = {}
    for loop in loops:
        product = np.ones_like(run.time)
        for link in loop.links:
            product = product * link_scores[f"{link.cause} -> {link.effect}"]
        scores[loop.name] = product
    raw = pd.DataFrame(scores, index=index, columns=[lp.name for lp in loops], dtype=float)
    total = raw.abs().sum(axis=1)
    relative = raw.div(total.where(total > 0), axis=0).fillna(0.0)
    dominant = pd.Series([None] * len(index), index=index, dtype=object, name="dominant loop")
    if loops:
        strongest = relative.abs().to_numpy().argmax(axis=1)
        moving = (relative.abs().to_numpy() > 0).any(axis=1)
        names = [lp.name for lp in loops]
        dominant[:] = [names[k] if m else None for k, m in zip(strongest, moving, strict=True)]
    return Dominance(model.name, loops,
                     pd.DataFrame(link_scores, index=index, dtype=float)
                     if link_scores else pd.DataFrame(index=index, dtype=float),
                     relative, dominant, run.results, note)

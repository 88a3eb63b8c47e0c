"""The native simulation engine: vectorised Euler and RK4.

A model is compiled once (and cached on the model until it changes):

1. stateful functions (``smooth``, ``delay1``, ``delay_fixed``, ``init``, ...)
   are expanded into hidden stocks and hidden auxiliaries, as Vensim and PySD
   do; their names start with ``_`` (``_smooth_0_perceived_sales``), so they
   never collide with model names, and results leave them out by default;
2. auxiliaries and flows are put in evaluation order (an algebraic loop is
   reported as ``a -> b -> a``), and so are the initial values;
3. Python source is generated from the *validated* syntax trees (it contains
   nothing of the user's text but checked identifiers and numbers) and
   compiled into one function per integration method: a plain-float version
   for single runs and a numpy version for ensembles, where every value is
   an array with one entry per member.

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

import ast
import copy
import functools
import math
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import EquationError, ModelError, SimulationError, UnknownNameError
from csframework.sd.expressions import (
    FUNCTIONS,
    SPECIAL_NAMES,
    STATEFUL_FUNCTIONS,
    Equation,
    bind_arguments,
    check_points,
    interpolate,
    parse,
)

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel

__all__ = ["MAX_SAVED_VALUES", "METHODS", "CompiledModel", "evaluate", "evaluate_equation",
           "lookup_function", "save_steps", "simulate", "vector_function"]

#: The integration methods of the native engine.
METHODS = ("euler", "rk4")

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

# ---------------------------------------------------------------- helpers
# Every name the generated code uses starts with "_" and is not of the form
# "_<stateful function>_<n>_<variable>", so it cannot meet a model name.


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

_SCALAR_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_VECTOR_OPS = {ast.Add: "_add", ast.Sub: "_sub", ast.Mult: "_mul", ast.Div: "_div",
               ast.Pow: "_pow"}
_SCALAR_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
               ast.NotEq: "!="}
_VECTOR_CMP = {ast.Lt: "_lt", ast.LtE: "_le", ast.Gt: "_gt", ast.GtE: "_ge", ast.Eq: "_eq",
               ast.NotEq: "_ne"}
_TIME_FUNCTIONS = {"step": "time", "ramp": "time", "pulse": "time, _dt"}
_DEFAULT_ARGS = {0: "0.0", None: "None"}


def _literal(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        return None if inner is None else -inner
    return None


class _Emitter:
    """Turns a validated syntax tree into Python source (scalar or numpy)."""

    def __init__(self, vector: bool):
        self.vector = vector

    def __call__(self, node: ast.AST) -> str:
        return self.expr(node)

    def expr(self, node: ast.AST) -> str:
        v = self.vector
        if isinstance(node, ast.Constant):
            return repr(float(node.value))
        if isinstance(node, ast.Name):
            if node.id == "time":
                return "time"
            if node.id == "dt":
                return "_dt"
            if node.id == "pi":
                return repr(math.pi)
            if not node.id.isidentifier():  # pragma: no cover - validated earlier
                raise EquationError(f"invalid name {node.id!r}")
            return node.id
        if isinstance(node, ast.BinOp):
            left, right = self.expr(node.left), self.expr(node.right)
            if v:
                return f"{_VECTOR_OPS[type(node.op)]}({left}, {right})"
            if isinstance(node.op, ast.Pow):
                exponent = _literal(node.right)
                if exponent is not None and exponent == int(exponent):
                    return f"({left} ** {right})"
                return f"_pow({left}, {right})"
            return f"({left} {_SCALAR_OPS[type(node.op)]} {right})"
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.USub):
                return f"_neg({operand})" if v else f"(-{operand})"
            return f"_not({operand})" if v else f"(not {operand})"
        if isinstance(node, ast.Compare):
            items = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
            if not v:
                text = items[0]
                for op, item in zip(node.ops, items[1:], strict=True):
                    text += f" {_SCALAR_CMP[type(op)]} {item}"
                return f"({text})"
            parts = [f"{_VECTOR_CMP[type(op)]}({a}, {b})"
                     for op, a, b in zip(node.ops, items, items[1:], strict=False)]
            return self._fold("_and", parts)
        if isinstance(node, ast.BoolOp):
            values = [self.expr(x) for x in node.values]
            if v:
                return self._fold("_and" if isinstance(node.op, ast.And) else "_or", values)
            word = " and " if isinstance(node.op, ast.And) else " or "
            return "(" + word.join(f"_bool({x})" for x in values) + ")"
        if isinstance(node, ast.IfExp):
            test, body, other = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
            return f"_where({test}, {body}, {other})" if v else f"({body} if {test} else {other})"
        if isinstance(node, ast.Call):
            return self.call(node)
        raise EquationError(f"cannot compile {type(node).__name__}")  # pragma: no cover

    @staticmethod
    def _fold(function: str, parts: list[str]) -> str:
        text = parts[0]
        for part in parts[1:]:
            text = f"{function}({text}, {part})"
        return text

    def call(self, node: ast.Call) -> str:
        name = node.func.id  # type: ignore[attr-defined]
        spec = FUNCTIONS.get(name)
        if spec is None:  # a lookup
            return f"_lk_{name}({self.expr(node.args[0])})"
        if spec.stateful:
            raise EquationError(f"{name}() keeps state between time steps and works only "
                                "inside a model; add the equation to a StockFlowModel")
        args = bind_arguments(node, spec)
        if name in ("min", "max"):
            texts = [self.expr(a) for a in args]
            if len(texts) == 1:
                return texts[0]
            if self.vector:
                return self._fold("_minimum" if name == "min" else "_maximum", texts)
            return f"_{name}({', '.join(texts)})"
        texts = []
        for arg, param in zip(args, spec.params, strict=True):
            if arg is None:
                default = spec.defaults[spec.params.index(param) - spec.required]
                texts.append(_DEFAULT_ARGS[default])
            else:
                texts.append(self.expr(arg))
        if name in _TIME_FUNCTIONS:
            texts.insert(0, _TIME_FUNCTIONS[name])
        return f"_f_{name}({', '.join(texts)})"


_TIME_WORD = re.compile(r"\btime\b")


def _uses_time(node: ast.AST) -> bool:
    """True if `node` reads the time (directly or through step, ramp, pulse)."""
    return any((isinstance(n, ast.Name) and n.id == "time")
               or (isinstance(n, ast.Call) and getattr(n.func, "id", None) in _TIME_FUNCTIONS)
               for n in ast.walk(node))


def _names_in(node: ast.AST) -> list[str]:
    """Variable names read by `node` (not called lookups, not time/dt/pi)."""
    found: dict[str, None] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            if current.id not in SPECIAL_NAMES:
                found.setdefault(current.id, None)
            continue
        if isinstance(current, ast.Call):
            stack.extend(reversed(current.args))
            stack.extend(k.value for k in current.keywords)
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(current))))
    return list(found)


# ------------------------------------------------------------- pipelines
class _ScalarPipeline:
    """The ring buffer of a delay_fixed: the input of `n` steps ago."""

    __slots__ = ("buffer", "n")

    def __init__(self, delay, initial, dt, steps, owner):
        self.n = _pipeline_length(delay, dt, steps, owner)
        self.buffer = [initial] * self.n

    def read(self, k):
        return self.buffer[k % self.n]

    def write(self, k, value):
        self.buffer[k % self.n] = value


class _VectorPipeline:
    """A delay_fixed for an ensemble: one ring buffer column per member."""

    __slots__ = ("buffer", "columns", "n", "size")

    def __init__(self, delay, initial, dt, steps, members, owner):
        delays = np.broadcast_to(np.asarray(delay, dtype=float), (members,))
        self.n = np.array([_pipeline_length(d, dt, steps, owner) for d in delays])
        self.size = int(self.n.max())
        self.buffer = np.empty((self.size, members))
        self.buffer[:] = initial
        self.columns = np.arange(members)

    def read(self, k):
        return self.buffer[(k - self.n) % self.size, self.columns]

    def write(self, k, value):
        self.buffer[k % self.size] = value


def _pipeline_length(delay, dt, steps, owner) -> int:
    delay = float(delay)
    if not math.isfinite(delay) or delay < 0.5 * dt:
        raise SimulationError(f"the delay of delay_fixed() in the equation of {owner!r} is "
                              f"{delay:g}; it must be at least dt ({dt:g})")
    # as PySD: at least one step, and half a step rounds up (Python would round 0.5 to 0)
    return min(round(max(delay / dt, 1.0) + 1e-6), steps + 1)


# ------------------------------------------------------------------- plan
@dataclass
class _State:
    name: str
    initial: ast.AST
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    derivative: ast.AST | None = None     # hidden stocks
    non_negative: bool = False
    owner: str | None = None              # hidden stocks: the variable whose equation made it

    @property
    def user(self) -> bool:
        return self.owner is None


@dataclass
class _Pipe:
    name: str
    input: ast.AST
    delay: ast.AST
    initial: ast.AST
    owner: str


@dataclass
class _Algebraic:
    name: str
    tree: ast.AST
    non_negative: bool = False
    owner: str | None = None              # for hidden auxiliaries
    deps: list[str] = field(default_factory=list)
    init_tree: ast.AST | None = None      # active_initial: the value while initialising


def _num(value: float) -> ast.Constant:
    return ast.Constant(float(value))


def _bin(left: ast.AST, op: ast.operator, right: ast.AST) -> ast.BinOp:
    return ast.BinOp(left=left, op=op, right=right)


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


class _Expander(ast.NodeTransformer):
    """Replaces stateful calls in one equation by hidden stocks and auxiliaries."""

    def __init__(self, plan: CompiledModel, owner: str):
        self.plan, self.owner, self.counter = plan, owner, 0

    def operand(self, node: ast.AST, name: str) -> ast.AST:
        if isinstance(node, ast.Name) or _literal(node) is not None:
            return node
        self.plan._add_algebraic(_Algebraic(name, node, owner=self.owner))
        return _load(name)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        function = node.func.id  # type: ignore[attr-defined]
        if function not in STATEFUL_FUNCTIONS:
            return node
        spec = FUNCTIONS[function]
        args = bind_arguments(node, spec)
        base = f"_{function}_{self.counter}_{self.owner}"
        self.counter += 1
        plan, owner = self.plan, self.owner
        if function == "init":
            plan.states.append(_State(base, args[0], owner=owner))
            return _load(base)
        if function == "delay_fixed":
            source = self.operand(args[0], f"{base}_input")
            plan.pipes.append(_Pipe(base, source, args[1], args[2], owner))
            return _load(base)
        if function == "active_initial":
            plan._add_algebraic(_Algebraic(base, args[0], owner=owner, init_tree=args[1]))
            return _load(base)
        if function == "sample_if_true":
            # a hidden stock that takes the sampled value at each step: s + dt * (v - s) / dt
            state = f"{base}_sample"
            plan.states.append(_State(state, args[2], derivative=_bin(
                _bin(_load(base), ast.Sub(), _load(state)), ast.Div(), _load("dt")),
                owner=owner))
            plan._add_algebraic(_Algebraic(base, ast.IfExp(test=args[0], body=args[1],
                                                           orelse=_load(state)), owner=owner))
            return _load(base)
        source = self.operand(args[0], f"{base}_input")
        delay = self.operand(args[1], f"{base}_delay")
        if function in ("trend", "forecast"):
            return self.trend(function, base, source, delay, args[2:])
        order = {"smooth": 1, "smooth3": 3, "delay1": 1, "delay3": 3}.get(function)
        if order is None:  # delay_n, smooth_n: the order is a whole number known now
            order = self.order(args[2], function)
            args = [args[0], args[1], args[3]]
        initial = args[2] if args[2] is not None else source
        stage_delay = delay if order == 1 else _bin(delay, ast.Div(), _num(order))
        if function.startswith("smooth"):
            names = [f"{base}_{i}" for i in range(1, order)] + [base]
            previous = source
            for name in names:
                derivative = _bin(_bin(previous, ast.Sub(), _load(name)), ast.Div(), stage_delay)
                plan.states.append(_State(name, initial, derivative=derivative, owner=owner))
                previous = _load(name)
            return _load(base)
        # delays: material in transit, output = level / stage delay
        outputs = [f"{base}_out{i}" for i in range(1, order)] + [base]
        previous = source
        for i, output in enumerate(outputs, start=1):
            level = f"{base}_level{i}" if order > 1 else f"{base}_level"
            plan.states.append(_State(
                level, _bin(initial, ast.Mult(), stage_delay),
                derivative=_bin(previous, ast.Sub(), _load(output)), owner=owner))
            plan._add_algebraic(_Algebraic(output, _bin(_load(level), ast.Div(), stage_delay),
                                           owner=owner))
            previous = _load(output)
        return _load(base)

    def order(self, node: ast.AST | None, function: str) -> int:
        value = None if node is None else _literal(node)
        if value is None or value != int(value) or not 1 <= value <= 1000:
            text = "nothing" if node is None else repr(ast.unparse(node))
            raise ModelError(f"the order of {function}() in the equation of {self.owner!r} "
                             f"must be a whole number from 1 to 1000 written as a number, "
                             f"not {text}")
        return int(value)

    def trend(self, function: str, base: str, source: ast.AST, average: ast.AST,
              rest: list) -> ast.AST:
        """TREND and FORECAST as PySD computes them: one hidden stock, the average."""
        plan, owner = self.plan, self.owner
        state = f"{base}_average"
        if function == "trend":
            initial_trend = rest[0] if rest[0] is not None else _num(0)
            initial = _bin(source, ast.Div(), _bin(_num(1), ast.Add(), _bin(
                initial_trend, ast.Mult(), average)))
            output = _call("zidz", _bin(source, ast.Sub(), _load(state)),
                           _bin(average, ast.Mult(), _call("abs", _load(state))))
        else:
            horizon = rest[0]
            initial_trend = rest[1] if rest[1] is not None else _num(0)
            initial = _bin(source, ast.Div(), _bin(_num(1), ast.Add(), initial_trend))
            output = _bin(source, ast.Mult(), _bin(_num(1), ast.Add(), _bin(
                _call("zidz", _bin(source, ast.Sub(), _load(state)),
                      _bin(average, ast.Mult(), _load(state))), ast.Mult(), horizon)))
        plan.states.append(_State(state, initial, derivative=_bin(
            _bin(source, ast.Sub(), _load(state)), ast.Div(), average), owner=owner))
        plan._add_algebraic(_Algebraic(base, output, owner=owner))
        return _load(base)


def _call(function: str, *args: ast.AST) -> ast.Call:
    return ast.Call(func=_load(function), args=list(args), keywords=[])


def _toposort(nodes: Iterable[str], deps: Mapping[str, Iterable[str]]) -> list[str]:
    """Order `nodes` so that each comes after its deps; raise _Cycle with the path."""
    done: set[str] = set()
    order: list[str] = []
    for root in nodes:
        if root in done:
            continue
        path, on_path = [root], {root}
        stack = [iter(deps.get(root, ()))]
        while stack:
            for dep in stack[-1]:
                if dep in done:
                    continue
                if dep in on_path:
                    raise _Cycle([*path[path.index(dep):], dep])
                path.append(dep)
                on_path.add(dep)
                stack.append(iter(deps.get(dep, ())))
                break
            else:
                stack.pop()
                node = path.pop()
                on_path.discard(node)
                done.add(node)
                order.append(node)
    return order


class _Cycle(Exception):
    def __init__(self, path: list[str]):
        super().__init__(" -> ".join(path))
        self.path = path


_LIMIT = "limit:"  # prefix of the pseudo-nodes that keep non-negative stocks >= 0
_AGAIN = "limit again:"  # ... and of a stock's limit run again (see CompiledModel._order)
_LAST = "limit last:"  # ... and of a last, cautious pass when two-way flows form a ring


class CompiledModel:
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
        self.model = model
        self.model_name = model.name
        self.start, self.stop, self.dt = model.start, model.stop, model.dt
        self.time_unit = model.time_unit
        self.constants = tuple(model.constants)
        self.constant_values = tuple(c.value for c in model.constants.values())
        self.lookups = dict(model.lookups)
        self.states: list[_State] = []
        self.pipes: list[_Pipe] = []
        self.algebraic: dict[str, _Algebraic] = {}
        self.units = {n: getattr(e, "units", None) for n, e in model._elements.items()}
        self.labels = {n: getattr(e, "label", None) for n, e in model._elements.items()}
        self._functions: dict[tuple[bool, str], Any] = {}
        self._grids: dict[tuple[float, float, float], tuple] = {}
        self._headers: dict[tuple, Any] = {}

        for element in model._elements.values():
            if element.kind == "stock":
                self.states.append(_State(element.name, element.initial_equation.tree.body,
                                          element.inflows, element.outflows,
                                          non_negative=element.non_negative))
        for element in model._elements.values():
            if element.kind in ("flow", "auxiliary"):
                tree = self._expand(element.expression, element.name)
                self._add_algebraic(_Algebraic(element.name, tree,
                                               non_negative=getattr(element, "non_negative",
                                                                    False)))
        user = [n for n, e in model._elements.items() if e.kind in ("stock", "flow", "auxiliary")]
        self.columns = tuple(user)
        self.owners = {s.name: s.owner for s in self.states if s.owner}
        self.owners.update({p.name: p.owner for p in self.pipes})
        self.owners.update({a.name: a.owner for a in self.algebraic.values() if a.owner})
        position = {n: i for i, n in enumerate(model._elements)}
        self.hidden = tuple(sorted(self.owners, key=lambda n: (position[self.owners[n]], n)))
        self.recorded = self.columns + self.hidden
        #: what the loop saves: every other recorded value is computed from these
        self.state_names = tuple(s.name for s in self.states) + tuple(p.name for p in self.pipes)
        self._order()
        self._init_order()

    def _expand(self, equation: Equation, owner: str) -> ast.AST:
        if not equation.is_stateful:
            return equation.tree.body
        tree = copy.deepcopy(equation.tree.body)
        return _Expander(self, owner).visit(tree)

    def _add_algebraic(self, item: _Algebraic) -> None:
        self.algebraic[item.name] = item

    # -------------------------------------------------------------- ordering
    def _order(self) -> None:
        algebraic = self.algebraic
        for item in algebraic.values():
            item.deps = [d for d in _names_in(item.tree) if d in algebraic]
        deps: dict[str, list[str]] = {n: list(a.deps) for n, a in algebraic.items()}
        try:
            plain = _toposort(list(algebraic), deps)
        except _Cycle as cycle:
            raise ModelError(
                f"algebraic loop in model {self.model_name!r}: {cycle}; each of these needs "
                "the others' values in the same time step. Break the loop with a stock or a "
                "delay such as smooth() or delay1()") from None
        # limits of non-negative stocks: `limited` maps a flow to the limits that may scale
        # it as an outflow, `drained` to those that may scale it as a negative inflow
        self.limited: dict[str, tuple[str, ...]] = {}
        drained: dict[str, tuple[str, ...]] = {}
        with_limits = dict(deps)
        flows_of: dict[str, tuple[str, ...]] = {}
        for state in self.states:
            if state.user and state.non_negative and (state.inflows or state.outflows):
                key = _LIMIT + state.name
                flows_of[key] = state.inflows + state.outflows
                with_limits[key] = [f for f in flows_of[key] if f in algebraic]
                for outflow in state.outflows:
                    self.limited[outflow] = (*self.limited.get(outflow, ()), key)
                for inflow in state.inflows:
                    drained[inflow] = (*drained.get(inflow, ()), key)
        # A flow from one non-negative stock into another may run backwards. Then the
        # stock it enters limits it, after the stock it leaves counted it as a refill:
        # that stock's limit runs again once the other's is final ("limit again").
        entering: dict[str, set[str]] = {}
        for flow, leaving in self.limited.items():
            for first in leaving:
                entering.setdefault(first, set()).update(drained.get(flow, ()))
        again = {first: _AGAIN + first[len(_LIMIT):] for first, into in entering.items() if into}
        rerun: dict[str, tuple[str, ...]] = {}      # flow -> the limits run again that scale it
        for first, second in again.items():
            with_limits[second] = [*with_limits[first], first,
                                   *(again.get(k, k) for k in sorted(entering[first]))]
            for flow in flows_of[first]:
                rerun[flow] = (*rerun.get(flow, ()), second)
        if self.limited or drained:
            def extend(graph: dict[str, list[str]], rerun: Mapping[str, tuple[str, ...]]
                       ) -> dict[str, list[str]]:
                extended = {n: list(d) for n, d in graph.items()}
                for node, node_deps in graph.items():
                    for dep in node_deps:
                        keys = self.limited.get(dep, ())
                        if not node.startswith((_LIMIT, _AGAIN)):
                            # a limit scales a flow it drains from; it runs after the limit
                            # of the stock the flow leaves (which sets what it receives)
                            keys += drained.get(dep, ()) + rerun.get(dep, ())
                        for key in keys:
                            if key != node and key not in extended[node]:
                                extended[node].append(key)
                return extended

            once = {n: d for n, d in with_limits.items() if not n.startswith(_AGAIN)}
            # Best first: every limit before the consumers of what it scales, limits run
            # again where two-way flows need it; failing that (a ring), without running
            # again; failing that, consumers of a limited flow that the limit itself needs
            # keep the raw value. Without the runs again, a last cautious pass keeps every
            # stock >= 0 (see _limit).
            for graph in (extend(with_limits, rerun), extend(once, {})):
                try:
                    order = _toposort(list(graph), graph)
                    break
                except _Cycle:
                    continue
            else:
                order = _toposort(list(once), once)    # flows never need limits: acyclic
            if again and not any(n.startswith(_AGAIN) for n in order):
                order += [_LAST + n[len(_LIMIT):] for n in order if n.startswith(_LIMIT)]
            self.order_with_limits = order
        else:
            self.order_with_limits = plain
        self.order = tuple(plain)

    def _init_order(self) -> None:
        deps: dict[str, list[str]] = {}
        for state in self.states:
            deps[state.name] = _names_in(state.initial)
        for pipe in self.pipes:
            deps[pipe.name] = _names_in(pipe.delay) + _names_in(pipe.initial)
        for name, item in self.algebraic.items():
            deps[name] = _names_in(item.tree if item.init_tree is None else item.init_tree)
        deps = {n: [d for d in ds if d in deps] for n, ds in deps.items()}
        roots = [s.name for s in self.states] + [p.name for p in self.pipes]
        try:
            self.initial_order = tuple(_toposort(roots, deps))
        except _Cycle as cycle:
            raise ModelError(
                f"the initial values in model {self.model_name!r} depend on each other in a "
                f"loop: {cycle}; give one of these stocks a number as its initial value"
            ) from None

    # ------------------------------------------------------- code generation
    def _invariant(self) -> frozenset[str]:
        """Auxiliaries that depend on constants only: computed once, before the loop.

        Flows a non-negative stock may scale are never hoisted (the limit changes them
        in place at every step).
        """
        scaled = set(self.limited)
        for state in self.states:
            if state.user and state.non_negative:
                scaled.update(state.inflows)
                scaled.update(state.outflows)
        constants = set(self.constants)
        invariant: set[str] = set()
        for name in self.order:
            item = self.algebraic[name]
            if name in scaled or _uses_time(item.tree):
                continue
            if all(d in constants or d in invariant for d in _names_in(item.tree)):
                invariant.add(name)
        return frozenset(invariant)

    def source(self, method: str = "euler", vector: bool = False, every: int = 1) -> str:
        """The Python source generated for `method` (for inspection and debugging).

        The generated loop keeps only the state (stocks, the hidden stocks of
        smooths and delays, pipeline outputs) at the saved steps, in a
        preallocated array; every auxiliary and flow is a function of the state
        and time, so :meth:`algebra_source` computes them afterwards for all
        saved times at once. `every` > 1 saves every `every`-th step (and the last).
        """
        e = _Emitter(vector)
        states = {s.name: s for s in self.states}
        pipes = {p.name: p for p in self.pipes}
        flat = every == 1
        invariant = self._invariant()

        def at(k: str) -> str:  # the time of step k
            if flat:
                return f"_times[{k}]"
            return (f"(_round((({k}) * _dt + _t0) * 1e10) / 1e10 if _rs else "
                    f"({k}) * _dt + _t0)")

        body: list[str] = []
        if self.constants:
            body.append(f"{', '.join(self.constants)}, = _consts")
        if self.lookups:
            body.append(f"{', '.join('_lk_' + n for n in self.lookups)}, = _lookups")
        body.append(f"time = {at('0')}")
        for name in self.initial_order:
            if name in states:
                body.append(f"{name} = {e(states[name].initial)}")
            elif name in pipes:
                pipe = pipes[name]
                members = "_M, " if vector else ""
                body.append(f"_pipe{name} = _Pipeline({e(pipe.delay)}, {e(pipe.initial)}, _dt, "
                            f"_n, {members}{pipe.owner!r})")
                body.append(f"{name} = _pipe{name}.read(0)")
            else:
                body.extend(self._assign(name, e, initial=True))
        body += [line for name in self.order if name in invariant
                 for line in self._assign(name, e)]
        # a single run saves the state only (the rest is computed afterwards, see
        # algebra_source); an ensemble computes everything as arrays anyway, and
        # saves it all as it goes
        saved = self.recorded if vector else self.state_names
        if not vector and saved:
            body.append(f"{''.join(f'_o{i}, ' for i in range(len(saved)))}= _out")

        def record(j: str) -> list[str]:
            if vector:
                return [f"_out[{j}, {i}] = {name}" for i, name in enumerate(saved)]
            return [f"_o{i}[{j}] = {name}" for i, name in enumerate(saved)]

        reads = [f"{p} = _pipe{p}.read(_k)" for p in pipes]
        algebra = [line for name in self.order_with_limits if name not in invariant
                   for line in self._assign(name, e)]
        step = list(algebra)
        step += [f"_pipe{p.name}.write(_k, {e(p.input)})" for p in self.pipes]
        moving = [s for s in self.states if s.derivative is not None or s.inflows or s.outflows]
        derivatives = [self._derivative(s, e) for s in moving]
        add = (lambda a, b: f"_add({a}, {b})") if vector else (lambda a, b: f"({a} + {b})")
        mul = (lambda a, b: f"_mul({a}, {b})") if vector else (lambda a, b: f"({a} * {b})")
        if method == "euler":
            # a user stock's rate reads flows only, so it moves in place; hidden stocks
            # read other states, so their rates are all taken before any of them moves
            users, hidden = [], []
            for i, (s, d) in enumerate(zip(moving, derivatives, strict=True)):
                if s.user:
                    users.append(f"{s.name} = {self._euler(s, d, e)}")
                else:
                    step.append(f"_d{i} = {d}")
                    hidden.append(f"{s.name} = {add(s.name, mul('_dt', f'_d{i}'))}")
            step += users + hidden
        else:
            step += [f"_k1_{i} = {d}" for i, d in enumerate(derivatives)]
            step += [f"_y{i} = {s.name}" for i, s in enumerate(moving)]
            for stage, (fraction, time) in enumerate(
                    [("0.5 * _dt", f"{at('_k')} + 0.5 * _dt"),
                     ("0.5 * _dt", f"{at('_k')} + 0.5 * _dt"),
                     ("_dt", at("_k + 1"))], start=2):
                step += [f"{s.name} = {add(f'_y{i}', mul(fraction, f'_k{stage - 1}_{i}'))}"
                         for i, s in enumerate(moving)]
                step.append(f"time = {time}")
                step += algebra
                step += [f"_k{stage}_{i} = {d}" for i, d in enumerate(derivatives)]
            for i, s in enumerate(moving):
                total = add(add(f"_k1_{i}", mul("2.0", f"_k2_{i}")),
                            add(mul("2.0", f"_k3_{i}"), f"_k4_{i}"))
                step.append(f"{s.name} = {add(f'_y{i}', mul('_dt / 6.0', total))}")
        uses_time = any(_TIME_WORD.search(line) for line in step)
        clock = [f"time = {at('_k')}"] if uses_time else []
        first = algebra if vector else []      # what is computed before saving
        rest = step[len(first):]

        def saving(j: str) -> list[str]:
            return clock + reads + first + record(j) + rest

        if flat:
            body.append("for _k in _range(_n):")
            body += ["    " + line for line in saving("_k") or ["pass"]]
            last = "_n"
        else:
            body.append("for _j in _range(_R - 1):")
            body.append("    _k = _saved[_j]")
            body += ["    " + line for line in saving("_j")]
            body.append("    for _k in _range(_k + 1, _saved[_j + 1]):")
            body += ["        " + line for line in clock + reads + step or ["pass"]]
            last = "_R - 1"
        body.append("_k = _n")
        body += clock * bool(first) + reads + first + record(last)
        body.append("return _out")
        return ("def _simulate(_consts, _lookups, _times, _dt, _n, _out, _M, _saved, _R, _t0, "
                "_rs):\n" + "".join(f"    {line}\n" for line in body))

    def algebra_source(self) -> str:
        """The numpy source computing every auxiliary and flow from saved states and times.

        Runs and ensembles use it after the loop; it is the same code
        generation, so a saved flow is exactly what the stocks received.
        """
        e = _Emitter(True)
        body: list[str] = []
        if self.constants:
            body.append(f"{', '.join(self.constants)}, = _consts")
        if self.lookups:
            body.append(f"{', '.join('_lk_' + n for n in self.lookups)}, = _lookups")
        if self.state_names:
            body.append(f"{', '.join(self.state_names)}, = _states")
        for name in self.order_with_limits:
            body.extend(self._assign(name, e))
        body.append(f"return ({''.join(n + ', ' for n in self.algebraic)})")
        return ("def _algebra(_consts, _lookups, time, _dt, _states):\n"
                + "".join(f"    {line}\n" for line in body))

    @staticmethod
    def _euler(state: _State, derivative: str, e: _Emitter) -> str:
        if not e.vector and not state.inflows and len(state.outflows) == 1:
            # s + dt * (-f) and s - dt * f are the same number (IEEE negation is exact)
            return f"({state.name} - (_dt * {state.outflows[0]}))"
        if e.vector:
            return f"_add({state.name}, _mul(_dt, {derivative}))"
        return f"({state.name} + (_dt * {derivative}))"

    def _assign(self, name: str, e: _Emitter, initial: bool = False) -> list[str]:
        if name.startswith(_LIMIT):
            return self._limit(name[len(_LIMIT):], e)
        if name.startswith(_AGAIN):
            return self._limit(name[len(_AGAIN):], e)
        if name.startswith(_LAST):
            return self._limit(name[len(_LAST):], e, cautious=True)
        item = self.algebraic[name]
        tree = item.init_tree if initial and item.init_tree is not None else item.tree
        lines = [f"{name} = {e(tree)}"]
        if item.non_negative:
            if e.vector:
                lines = [f"{name} = _maximum({e(tree)}, 0.0)"]
            else:
                lines.append(f"if {name} < 0.0: {name} = 0.0")
        return lines

    def _limit(self, stock: str, e: _Emitter, cautious: bool = False) -> list[str]:
        """Scale what drains `stock` so it stays >= 0: positive outflows and negative
        inflows. What fills it (positive inflows, negative outflows) is left as it is.

        `cautious`: the last pass over the limits, in their order, when two-way flows
        between non-negative stocks form a ring (no order lets each limit see final
        fills). A fill that a limit later in the pass may still cut counts as nothing,
        so no stock can end below zero.
        """
        state = next(s for s in self.states if s.name == stock)
        ins, outs = state.inflows, state.outflows
        uncounted = self._cut_later(stock) if cautious else frozenset()
        if e.vector:
            fills = ([f"_maximum({f}, 0.0)" for f in ins if f not in uncounted]
                     + [f"_maximum(_neg({f}), 0.0)" for f in outs if f not in uncounted])
            drains = ([f"_maximum(_neg({f}), 0.0)" for f in ins]
                      + [f"_maximum({f}, 0.0)" for f in outs])
            cap = functools.reduce(lambda a, b: f"_add({a}, {b})", fills, f"_div({stock}, _dt)")
            total = functools.reduce(lambda a, b: f"_add({a}, {b})", drains)
            return ([f"_tot = {total}", f"_cap = _maximum({cap}, 0.0)",
                     "_fr = _where(_gt(_tot, _cap), _div(_cap, _where(_gt(_tot, 0.0), _tot, 1.0)),"
                     " 1.0)"]
                    + [f"{f} = _where(_lt({f}, 0.0), _add(_mul({f}, _fr), 0.0), {f})"
                       for f in ins]
                    + [f"{f} = _where(_gt({f}, 0.0), _mul({f}, _fr), {f})" for f in outs])
        if not outs and len(ins) == 1:
            inflow = ins[0]
            return [f"if {inflow} < 0.0:", f"    _cap = -{stock} / _dt",
                    f"    if {inflow} < _cap:", f"        {inflow} = _cap if _cap < 0.0 else 0.0"]
        if not ins and len(outs) == 1:
            out = outs[0]
            return [f"_cap = {stock} / _dt", f"if {out} > _cap:",
                    f"    {out} = _cap if _cap > 0.0 else 0.0"]
        fills = ([f"({f} if {f} > 0.0 else 0.0)" for f in ins if f not in uncounted]
                 + [f"(-{f} if {f} < 0.0 else 0.0)" for f in outs if f not in uncounted])
        drains = ([f"(-{f} if {f} < 0.0 else 0.0)" for f in ins]
                  + [f"({f} if {f} > 0.0 else 0.0)" for f in outs])
        lines = [f"_tot = {' + '.join(drains)}", "if _tot > 0.0:",
                 f"    _cap = {' + '.join([f'{stock} / _dt', *fills])}",
                 "    if _tot > _cap:", "        _fr = _cap / _tot if _cap > 0.0 else 0.0"]
        lines += [f"        if {f} < 0.0: {f} = {f} * _fr + 0.0" for f in ins]  # not -0.0
        lines += [f"        if {f} > 0.0: {f} = {f} * _fr" for f in outs]
        return lines

    def _cut_later(self, stock: str) -> frozenset[str]:
        """The flows filling `stock` that a limit after its own in the last pass may cut:
        a flow is cut by the stock it drains (the one it leaves, or enters when negative)."""
        last = [n[len(_LAST):] for n in self.order_with_limits if n.startswith(_LAST)]
        later = set(last[last.index(stock) + 1:])
        state = next(s for s in self.states if s.name == stock)
        return frozenset(f for f in (*state.inflows, *state.outflows)
                         if any(other.name in later and f in (*other.inflows, *other.outflows)
                                for other in self.states))

    def _derivative(self, state: _State, e: _Emitter) -> str:
        if state.derivative is not None:
            return e(state.derivative)
        if e.vector:
            total = None
            for f in state.inflows:
                total = f if total is None else f"_add({total}, {f})"
            for f in state.outflows:
                total = f"_neg({f})" if total is None else f"_sub({total}, {f})"
            return total or "0.0"
        text = " + ".join(state.inflows)
        for f in state.outflows:
            text += f" - {f}" if text else f"-{f}"
        return f"({text})"

    def _function(self, method: str, vector: bool, every: int = 1):
        key = (vector, method, every == 1)
        function = self._functions.get(key)
        if function is None:
            namespace = dict(VECTOR_NAMESPACE if vector else SCALAR_NAMESPACE)
            namespace["_Pipeline"] = _VectorPipeline if vector else _ScalarPipeline
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
        start, stop, dt = self.model._check_time(
            self.start, self.stop if stop is None else stop, self.dt if dt is None else dt)
        if save_every is None:
            save_every = getattr(self.model, "save_every", None)
        every = save_steps(save_every, dt, f"the run of model {self.model_name!r}")
        consts, lookups, members, member_params = self._params(params)
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
                    vector_lookups = self._lookup_functions(params, vector=True)
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
            lookups = self._lookup_functions(params, vector=True)
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

    def _params(self, params):
        consts = list(self.constant_values)
        index = {name: i for i, name in enumerate(self.constants)}
        ensemble: dict[str, np.ndarray] = {}
        given: dict[str, float] = {}
        for name, value in (params or {}).items():
            if name in self.lookups:
                continue
            if name not in index:
                if name in self.model:
                    kind = self.model[name].kind
                    raise ModelError(f"params of model {self.model_name!r} can set constants "
                                     f"and lookups, but {name!r} is {_article(kind)} {kind}")
                raise UnknownNameError(name, tuple(self.constants) + tuple(self.lookups),
                                       kind="constant",
                                       where=f"the params of model {self.model_name!r}")
            if isinstance(value, str | bytes) or value is None:
                raise ModelError(f"params: {name!r} must be a number or a sequence of numbers, "
                                 f"not {value!r}")
            try:
                array = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ModelError(f"params: {name!r} must be a number or a sequence of numbers, "
                                 f"not {value!r}") from None
            if array.ndim > 1 or (array.ndim == 1 and array.size == 0):
                raise ModelError(f"params: {name!r} must be a number or a non-empty flat "
                                 f"sequence of numbers, not {value!r}")
            if not np.isfinite(array).all():
                raise SimulationError(f"params: constant {name!r} of model "
                                      f"{self.model_name!r} is given a value that is not "
                                      f"finite ({value!r}) at time {self.start:g}")
            if array.ndim == 1:
                ensemble[name] = array
            else:
                given[name] = consts[index[name]] = float(array)
        lookups = self._lookup_functions(params, vector=bool(ensemble))
        if not ensemble:
            return tuple(consts), lookups, None, ({**given, **self._lookup_params(params)},)
        sizes = {name: len(a) for name, a in ensemble.items()}
        if len(set(sizes.values())) > 1:
            detail = ", ".join(f"{n} has {s}" for n, s in sizes.items())
            raise ModelError(f"params of model {self.model_name!r}: the ensemble sequences must "
                             f"have the same length (member i takes the i-th value of each), "
                             f"but {detail}")
        members = next(iter(sizes.values()))
        for name, array in ensemble.items():
            consts[index[name]] = array
        member_params = MemberParameters({**given, **self._lookup_params(params)}, ensemble)
        return tuple(consts), lookups, members, member_params

    def _lookup_params(self, params) -> dict[str, Any]:
        return {n: v for n, v in (params or {}).items() if n in self.lookups}

    def _lookup_functions(self, params, vector: bool) -> tuple:
        functions = []
        for name, lookup in self.lookups.items():
            points, extrapolate = lookup.points, lookup.extrapolate
            if params and name in params:
                points = check_points(params[name], f"params: lookup {name!r}")
            xs = tuple(p[0] for p in points)
            ys = tuple(p[1] for p in points)
            functions.append(_vector_lookup(xs, ys, extrapolate) if vector
                             else _scalar_lookup(xs, ys, extrapolate))
        return tuple(functions)

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
            who = f" for ensemble member {member} ({_describe(member_params[member])})"
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


class MemberParameters(Sequence):
    """The parameters of each ensemble member, built as dicts only when read."""

    def __init__(self, fixed: Mapping[str, Any], varied: Mapping[str, np.ndarray]):
        self._fixed = dict(fixed)
        self._varied = {n: a.tolist() for n, a in varied.items()}
        self._length = len(next(iter(varied.values()))) if varied else 1

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._length))]
        if not -self._length <= i < self._length:
            raise IndexError(f"member {i} does not exist; there are {self._length}")
        return {**self._fixed, **{n: values[i] for n, values in self._varied.items()}}

    def __repr__(self) -> str:
        return repr(list(self))


def _describe(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{n} = {v:g}" if isinstance(v, float) else f"{n} = {v!r}"
                     for n, v in params.items())


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@functools.lru_cache(maxsize=8)
def _packer(count: int) -> struct.Struct:
    return struct.Struct(f"={count}d")


def _scalar_lookup(xs, ys, extrapolate):
    def lookup(x):
        return interpolate(xs, ys, x, extrapolate)
    return lookup


def _vector_lookup(xs, ys, extrapolate):
    """The numpy twin of :func:`~csframework.sd.expressions.interpolate`: the same
    arithmetic in the same order, so single runs and ensembles agree to the bit."""
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
    return _vector_lookup(tuple(p[0] for p in points), tuple(p[1] for p in points),
                          extrapolate)


def vector_function(tree: ast.AST, lookups: Mapping[str, Any] | None = None
                    ) -> tuple[Any, tuple[str, ...]]:
    """Compile a validated (stateless) equation tree into a numpy function.

    Returns ``(function, names)``: ``function(time, dt, *values)`` takes one
    array (or number) per name in `names`, in that order, and computes the
    equation elementwise with the same generated code as an ensemble run, so
    an equation means the same thing everywhere (runs, ensembles, link
    polarities, loop dominance). `lookups` maps each lookup the tree calls to
    a numpy function (see :func:`lookup_function`).

    Examples
    --------
    >>> from csframework.sd.expressions import parse
    >>> function, names = vector_function(parse("step(2, 1) + x * min(y, 3)").tree)
    >>> names
    ('x', 'y')
    >>> function(np.array([0.0, 1.0]), 1.0, 2.0, np.array([5.0, 1.0])).tolist()
    [6.0, 4.0]
    """
    if isinstance(tree, ast.Expression):
        tree = tree.body
    names = tuple(_names_in(tree))
    namespace = dict(VECTOR_NAMESPACE)
    for name, function in (lookups or {}).items():
        namespace[f"_lk_{name}"] = function
    namespace["__builtins__"] = {}
    source = (f"def _equation(time, _dt{''.join(', ' + n for n in names)}):\n"
              f"    return {_Emitter(True)(tree)}\n")
    exec(compile(source, "<csframework equation>", "exec"), namespace)  # validated tree
    return namespace["_equation"], names


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


def evaluate(equation: str | Equation, values: Mapping[str, float] | None = None, *,
             lookups: Mapping[str, object] | None = None) -> float:
    """Evaluate a stateless equation once, for checking or teaching.

    The equation means here exactly what it means in a run: it is compiled by
    the engine's code generation.

    Parameters
    ----------
    equation : str or Equation
    values : mapping, optional
        The value of every name used, including ``time`` and ``dt`` if used
        (``dt`` defaults to 1 and ``time`` to 0).
    lookups : mapping, optional
        Lookup name to a sequence of (x, y) points.

    Examples
    --------
    >>> evaluate("max(0, 18 - t) if t < 30 else 0", {"t": 10})
    8.0
    >>> evaluate("modulo(-7, 3) + safediv(1, 0, default=5)")
    7.0
    >>> evaluate("effect(0.5)", lookups={"effect": [(0, 0), (1, 2)]})
    1.0
    """
    lookups = dict(lookups or {})
    if not isinstance(equation, Equation):
        equation = parse(equation, lookups=lookups)
    return evaluate_equation(equation, dict(values or {}), lookups)


def evaluate_equation(equation: Equation, values: dict[str, Any],
                      lookups: Mapping[str, Any]) -> float:
    """Evaluate one parsed, stateless equation (see :func:`evaluate`)."""
    if equation.is_stateful:
        used = next(f for f in equation.functions if f in STATEFUL_FUNCTIONS)
        raise EquationError(f"{used}() keeps state between time steps and works only inside a "
                            "model; add the equation to a StockFlowModel")
    names = [n for n in equation.dependencies if n not in equation.lookups_called]
    for name in names:
        if name not in values:
            raise UnknownNameError(name, values, kind="value",
                                   where=f"the values given for {equation.text!r}")
    tables = []
    for name in equation.lookups_called:
        if name not in lookups:
            raise UnknownNameError(name, lookups, kind="lookup",
                                   where=f"the lookups given for {equation.text!r}")
        tables.append((name, check_points(lookups[name], f"lookup {name!r}")))
    time, dt = float(values.get("time", 0.0)), float(values.get("dt", 1.0))
    arguments = [float(values[n]) for n in names]

    def run(vector: bool) -> float:
        e = _Emitter(vector)
        namespace = dict(VECTOR_NAMESPACE if vector else SCALAR_NAMESPACE)
        namespace["__builtins__"] = {}
        for name, points in tables:
            xs, ys = tuple(p[0] for p in points), tuple(p[1] for p in points)
            namespace[f"_lk_{name}"] = (_vector_lookup if vector else _scalar_lookup)(
                xs, ys, False)
        source = (f"def _evaluate(time, _dt{''.join(', ' + n for n in names)}):\n"
                  f"    return {e(equation.tree.body)}\n")
        exec(compile(source, "<csframework equation>", "exec"), namespace)
        return float(namespace["_evaluate"](time, dt, *arguments))

    try:
        return run(vector=False)
    except (ArithmeticError, ValueError, TypeError):
        with np.errstate(all="ignore"):
            return run(vector=True)

"""Python source generated from a plan: one loop per integration method.

The source is generated from the *validated* syntax trees (it contains nothing
of the user's text but checked identifiers and numbers) in two forms: plain
floats for single runs, and numpy for ensembles, where every value is an array
with one entry per member. :class:`Emitter` writes one expression;
:func:`simulation_source` the whole loop of a run; :func:`algebra_source` the
auxiliaries and flows computed afterwards from the saved states.

Euler follows Vensim and PySD exactly: at each step the auxiliaries and flows
are computed from the current stocks, recorded, and then every stock moves by
``dt * (inflows - outflows)``.

Examples
--------
>>> import ast
>>> Emitter(vector=False)(ast.parse("max(0, x - 1) ** 2", mode="eval").body)
'(_max(0.0, (x - 1.0)) ** 2.0)'
>>> Emitter(vector=True)(ast.parse("x - 1", mode="eval").body)
'_sub(x, 1.0)'
"""

from __future__ import annotations

import ast
import functools
import math
import re

from csframework.errors import EquationError
from csframework.sd.functions import FUNCTIONS, bind_arguments
from csframework.sd.plan import AGAIN, LAST, LIMIT, TIME_FUNCTIONS, Plan, State, literal

__all__ = ["Emitter", "algebra_source", "simulation_source"]

_SCALAR_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_VECTOR_OPS = {ast.Add: "_add", ast.Sub: "_sub", ast.Mult: "_mul", ast.Div: "_div",
               ast.Pow: "_pow"}
_SCALAR_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
               ast.NotEq: "!="}
_VECTOR_CMP = {ast.Lt: "_lt", ast.LtE: "_le", ast.Gt: "_gt", ast.GtE: "_ge", ast.Eq: "_eq",
               ast.NotEq: "_ne"}
_DEFAULT_ARGS = {0: "0.0", None: "None"}


class Emitter:
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
                exponent = literal(node.right)
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
        if name in TIME_FUNCTIONS:
            texts.insert(0, TIME_FUNCTIONS[name])
        return f"_f_{name}({', '.join(texts)})"


_TIME_WORD = re.compile(r"\btime\b")


def simulation_source(plan: Plan, method: str = "euler", vector: bool = False,
                      every: int = 1) -> str:
    """The Python source generated for `method` (for inspection and debugging).

    The generated loop keeps only the state (stocks, the hidden stocks of
    smooths and delays, pipeline outputs) at the saved steps, in a
    preallocated array; every auxiliary and flow is a function of the state
    and time, so :func:`algebra_source` computes them afterwards for all
    saved times at once. `every` > 1 saves every `every`-th step (and the last).
    """
    e = Emitter(vector)
    states = {s.name: s for s in plan.states}
    pipes = {p.name: p for p in plan.pipes}
    flat = every == 1
    invariant = plan.invariant()

    def at(k: str) -> str:  # the time of step k
        if flat:
            return f"_times[{k}]"
        return (f"(_round((({k}) * _dt + _t0) * 1e10) / 1e10 if _rs else "
                f"({k}) * _dt + _t0)")

    body: list[str] = []
    if plan.constants:
        body.append(f"{', '.join(plan.constants)}, = _consts")
    if plan.lookups:
        body.append(f"{', '.join('_lk_' + n for n in plan.lookups)}, = _lookups")
    body.append(f"time = {at('0')}")
    for name in plan.initial_order:
        if name in states:
            body.append(f"{name} = {e(states[name].initial)}")
        elif name in pipes:
            pipe = pipes[name]
            members = "_M, " if vector else ""
            body.append(f"_pipe{name} = _Pipeline({e(pipe.delay)}, {e(pipe.initial)}, _dt, "
                        f"_n, {members}{pipe.owner!r})")
            body.append(f"{name} = _pipe{name}.read(0)")
        else:
            body.extend(_assign(plan, name, e, initial=True))
    body += [line for name in plan.order if name in invariant
             for line in _assign(plan, name, e)]
    # a single run saves the state only (the rest is computed afterwards, see
    # algebra_source); an ensemble computes everything as arrays anyway, and
    # saves it all as it goes
    saved = plan.recorded if vector else plan.state_names
    if not vector and saved:
        body.append(f"{''.join(f'_o{i}, ' for i in range(len(saved)))}= _out")

    def record(j: str) -> list[str]:
        if vector:
            return [f"_out[{j}, {i}] = {name}" for i, name in enumerate(saved)]
        return [f"_o{i}[{j}] = {name}" for i, name in enumerate(saved)]

    reads = [f"{p} = _pipe{p}.read(_k)" for p in pipes]
    algebra = [line for name in plan.order_with_limits if name not in invariant
               for line in _assign(plan, name, e)]
    step = list(algebra)
    step += [f"_pipe{p.name}.write(_k, {e(p.input)})" for p in plan.pipes]
    moving = [s for s in plan.states if s.derivative is not None or s.inflows or s.outflows]
    derivatives = [_derivative(plan, s, e) for s in moving]
    add = (lambda a, b: f"_add({a}, {b})") if vector else (lambda a, b: f"({a} + {b})")
    mul = (lambda a, b: f"_mul({a}, {b})") if vector else (lambda a, b: f"({a} * {b})")
    if method == "euler":
        # a user stock's rate reads flows only, so it moves in place; hidden stocks
        # read other states, so their rates are all taken before any of them moves
        users, hidden = [], []
        for i, (s, d) in enumerate(zip(moving, derivatives, strict=True)):
            if s.user:
                users.append(f"{s.name} = {_euler(s, d, e)}")
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


def algebra_source(plan: Plan) -> str:
    """The numpy source computing every auxiliary and flow from saved states and times.

    Runs and ensembles use it after the loop; it is the same code
    generation, so a saved flow is exactly what the stocks received.
    """
    e = Emitter(True)
    body: list[str] = []
    if plan.constants:
        body.append(f"{', '.join(plan.constants)}, = _consts")
    if plan.lookups:
        body.append(f"{', '.join('_lk_' + n for n in plan.lookups)}, = _lookups")
    if plan.state_names:
        body.append(f"{', '.join(plan.state_names)}, = _states")
    for name in plan.order_with_limits:
        body.extend(_assign(plan, name, e))
    body.append(f"return ({''.join(n + ', ' for n in plan.algebraic)})")
    return ("def _algebra(_consts, _lookups, time, _dt, _states):\n"
            + "".join(f"    {line}\n" for line in body))


def _euler(state: State, derivative: str, e: Emitter) -> str:
    if not e.vector and not state.inflows and len(state.outflows) == 1:
        # s + dt * (-f) and s - dt * f are the same number (IEEE negation is exact)
        return f"({state.name} - (_dt * {state.outflows[0]}))"
    if e.vector:
        return f"_add({state.name}, _mul(_dt, {derivative}))"
    return f"({state.name} + (_dt * {derivative}))"


def _assign(plan: Plan, name: str, e: Emitter, initial: bool = False) -> list[str]:
    if name.startswith(LIMIT):
        return _limit(plan, name[len(LIMIT):], e)
    if name.startswith(AGAIN):
        return _limit(plan, name[len(AGAIN):], e)
    if name.startswith(LAST):
        return _limit(plan, name[len(LAST):], e, cautious=True)
    item = plan.algebraic[name]
    tree = item.init_tree if initial and item.init_tree is not None else item.tree
    lines = [f"{name} = {e(tree)}"]
    if item.non_negative:
        if e.vector:
            lines = [f"{name} = _maximum({e(tree)}, 0.0)"]
        else:
            lines.append(f"if {name} < 0.0: {name} = 0.0")
    return lines


def _limit(plan: Plan, stock: str, e: Emitter, cautious: bool = False) -> list[str]:
    """Scale what drains `stock` so it stays >= 0: positive outflows and negative
    inflows. What fills it (positive inflows, negative outflows) is left as it is.

    `cautious`: the last pass over the limits, in their order, when two-way flows
    between non-negative stocks form a ring (no order lets each limit see final
    fills). A fill that a limit later in the pass may still cut counts as nothing,
    so no stock can end below zero.
    """
    state = next(s for s in plan.states if s.name == stock)
    ins, outs = state.inflows, state.outflows
    uncounted = _cut_later(plan, stock) if cautious else frozenset()
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


def _cut_later(plan: Plan, stock: str) -> frozenset[str]:
    """The flows filling `stock` that a limit after its own in the last pass may cut:
    a flow is cut by the stock it drains (the one it leaves, or enters when negative)."""
    last = [n[len(LAST):] for n in plan.order_with_limits if n.startswith(LAST)]
    later = set(last[last.index(stock) + 1:])
    state = next(s for s in plan.states if s.name == stock)
    return frozenset(f for f in (*state.inflows, *state.outflows)
                     if any(other.name in later and f in (*other.inflows, *other.outflows)
                            for other in plan.states))


def _derivative(plan: Plan, state: State, e: Emitter) -> str:
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


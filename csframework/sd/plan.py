"""A model expanded and ordered: the plan that code generation turns into a run.

1. stateful functions (``smooth``, ``delay1``, ``delay_fixed``, ``init``, ...)
   are expanded into hidden stocks and hidden auxiliaries, as Vensim and PySD
   do; their names start with ``_`` (``_smooth_0_perceived_sales``), so they
   never collide with model names, and results leave them out by default;
2. auxiliaries and flows are put in evaluation order (an algebraic loop is
   reported as ``a -> b -> a``), with the limits of non-negative stocks placed
   among them, and so are the initial values.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("m")
>>> _ = m.stock("s", 0, inflows=["f"])
>>> _ = m.flow("f", "smooth(2 * g, 5)")
>>> _ = m.auxiliary("g", "time")
>>> plan = Plan(m)
>>> plan.order, [state.name for state in plan.states]
(('g', '_smooth_0_f_input', 'f'), ['s', '_smooth_0_f'])
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from csframework.errors import ModelError
from csframework.sd.functions import FUNCTIONS, SPECIAL_NAMES, STATEFUL_FUNCTIONS, bind_arguments

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.expressions import Equation
    from csframework.sd.model import StockFlowModel

__all__ = ["AGAIN", "LAST", "LIMIT", "TIME_FUNCTIONS", "Algebraic", "Pipe", "Plan", "State",
           "literal", "names_in", "uses_time"]

#: The functions that read the time, and what the generated code passes them first.
TIME_FUNCTIONS = {"step": "time", "ramp": "time", "pulse": "time, _dt"}


LIMIT = "limit:"  # prefix of the pseudo-nodes that keep non-negative stocks >= 0
AGAIN = "limit again:"  # ... and of a stock's limit run again (see Plan._order)
LAST = "limit last:"  # ... and of a last, cautious pass when two-way flows form a ring


def literal(node: ast.AST) -> float | None:
    """The number `node` is (``2``, ``-0.5``), or None if it is not a plain number."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal(node.operand)
        return None if inner is None else -inner
    return None


def uses_time(node: ast.AST) -> bool:
    """True if `node` reads the time (directly or through step, ramp, pulse)."""
    return any((isinstance(n, ast.Name) and n.id == "time")
               or (isinstance(n, ast.Call) and getattr(n.func, "id", None) in TIME_FUNCTIONS)
               for n in ast.walk(node))


def names_in(node: ast.AST) -> list[str]:
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


# ------------------------------------------------------------------- plan
@dataclass
class State:
    """A stock of the expanded model: a user's, or hidden (owned by a stateful function)."""

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
class Pipe:
    """The pipeline of a delay_fixed: its input, delay and initial value."""

    name: str
    input: ast.AST
    delay: ast.AST
    initial: ast.AST
    owner: str


@dataclass
class Algebraic:
    """An auxiliary or flow of the expanded model (hidden ones have an owner)."""

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

    def __init__(self, plan: Plan, owner: str):
        self.plan, self.owner, self.counter = plan, owner, 0

    def operand(self, node: ast.AST, name: str) -> ast.AST:
        if isinstance(node, ast.Name) or literal(node) is not None:
            return node
        self.plan._add_algebraic(Algebraic(name, node, owner=self.owner))
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
            plan.states.append(State(base, args[0], owner=owner))
            return _load(base)
        if function == "delay_fixed":
            source = self.operand(args[0], f"{base}_input")
            plan.pipes.append(Pipe(base, source, args[1], args[2], owner))
            return _load(base)
        if function == "active_initial":
            plan._add_algebraic(Algebraic(base, args[0], owner=owner, init_tree=args[1]))
            return _load(base)
        if function == "sample_if_true":
            # a hidden stock that takes the sampled value at each step: s + dt * (v - s) / dt
            state = f"{base}_sample"
            plan.states.append(State(state, args[2], derivative=_bin(
                _bin(_load(base), ast.Sub(), _load(state)), ast.Div(), _load("dt")),
                owner=owner))
            plan._add_algebraic(Algebraic(base, ast.IfExp(test=args[0], body=args[1],
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
                plan.states.append(State(name, initial, derivative=derivative, owner=owner))
                previous = _load(name)
            return _load(base)
        # delays: material in transit, output = level / stage delay
        outputs = [f"{base}_out{i}" for i in range(1, order)] + [base]
        previous = source
        for i, output in enumerate(outputs, start=1):
            level = f"{base}_level{i}" if order > 1 else f"{base}_level"
            plan.states.append(State(
                level, _bin(initial, ast.Mult(), stage_delay),
                derivative=_bin(previous, ast.Sub(), _load(output)), owner=owner))
            plan._add_algebraic(Algebraic(output, _bin(_load(level), ast.Div(), stage_delay),
                                           owner=owner))
            previous = _load(output)
        return _load(base)

    def order(self, node: ast.AST | None, function: str) -> int:
        value = None if node is None else literal(node)
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
        plan.states.append(State(state, initial, derivative=_bin(
            _bin(source, ast.Sub(), _load(state)), ast.Div(), average), owner=owner))
        plan._add_algebraic(Algebraic(base, output, owner=owner))
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


class Plan:
    """A model expanded and ordered (what :class:`~csframework.sd.engine.CompiledModel` runs).

    Attributes
    ----------
    columns : tuple of str
        The variables returned by default (stocks, flows, auxiliaries).
    hidden : tuple of str
        Names of the hidden state added by stateful functions.
    states, pipes : list
        The stocks (hidden ones included) and the pipelines of ``delay_fixed``.
    algebraic : dict
        Auxiliaries and flows (hidden ones included), by name.
    order : tuple of str
        Auxiliaries and flows (hidden ones included) in evaluation order.
    order_with_limits : list of str
        The same with the limits of non-negative stocks among them (names
        starting with :data:`LIMIT`, :data:`AGAIN` or :data:`LAST`).
    initial_order : tuple of str
        States, pipelines and what they need, in the order they start.
    """

    def __init__(self, model: StockFlowModel):
        self.model = model
        self.model_name = model.name
        self.start, self.stop, self.dt = model.start, model.stop, model.dt
        self.time_unit = model.time_unit
        self.constants = tuple(model.constants)
        self.constant_values = tuple(c.value for c in model.constants.values())
        self.lookups = dict(model.lookups)
        self.states: list[State] = []
        self.pipes: list[Pipe] = []
        self.algebraic: dict[str, Algebraic] = {}
        elements = [model[name] for name in model]
        self.units = {e.name: getattr(e, "units", None) for e in elements}
        self.labels = {e.name: getattr(e, "label", None) for e in elements}

        for element in elements:
            if element.kind == "stock":
                self.states.append(State(element.name, element.initial_equation.tree.body,
                                          element.inflows, element.outflows,
                                          non_negative=element.non_negative))
        for element in elements:
            if element.kind in ("flow", "auxiliary"):
                tree = self._expand(element.expression, element.name)
                self._add_algebraic(Algebraic(element.name, tree,
                                               non_negative=getattr(element, "non_negative",
                                                                    False)))
        user = [e.name for e in elements if e.kind in ("stock", "flow", "auxiliary")]
        self.columns = tuple(user)
        self.owners = {s.name: s.owner for s in self.states if s.owner}
        self.owners.update({p.name: p.owner for p in self.pipes})
        self.owners.update({a.name: a.owner for a in self.algebraic.values() if a.owner})
        position = {n: i for i, n in enumerate(model)}
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

    def _add_algebraic(self, item: Algebraic) -> None:
        self.algebraic[item.name] = item

    # -------------------------------------------------------------- ordering
    def _order(self) -> None:
        algebraic = self.algebraic
        for item in algebraic.values():
            item.deps = [d for d in names_in(item.tree) if d in algebraic]
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
                key = LIMIT + state.name
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
        again = {first: AGAIN + first[len(LIMIT):] for first, into in entering.items() if into}
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
                        if not node.startswith((LIMIT, AGAIN)):
                            # a limit scales a flow it drains from; it runs after the limit
                            # of the stock the flow leaves (which sets what it receives)
                            keys += drained.get(dep, ()) + rerun.get(dep, ())
                        for key in keys:
                            if key != node and key not in extended[node]:
                                extended[node].append(key)
                return extended

            once = {n: d for n, d in with_limits.items() if not n.startswith(AGAIN)}
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
            if again and not any(n.startswith(AGAIN) for n in order):
                order += [LAST + n[len(LIMIT):] for n in order if n.startswith(LIMIT)]
            self.order_with_limits = order
        else:
            self.order_with_limits = plain
        self.order = tuple(plain)

    def _init_order(self) -> None:
        deps: dict[str, list[str]] = {}
        for state in self.states:
            deps[state.name] = names_in(state.initial)
        for pipe in self.pipes:
            deps[pipe.name] = names_in(pipe.delay) + names_in(pipe.initial)
        for name, item in self.algebraic.items():
            deps[name] = names_in(item.tree if item.init_tree is None else item.init_tree)
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
    def invariant(self) -> frozenset[str]:
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
            if name in scaled or uses_time(item.tree):
                continue
            if all(d in constants or d in invariant for d in names_in(item.tree)):
                invariant.add(name)
        return frozenset(invariant)


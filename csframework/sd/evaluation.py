"""Equations evaluated outside a run, with the code generation of runs.

:func:`vector_function` compiles one stateless equation tree into a numpy
function (structure analysis reads link polarities and loop dominance with
it); :func:`evaluate` computes one equation once, for checking or teaching. An
equation means the same here as in a run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import numpy as np

from csframework.errors import EquationError, UnknownNameError
from csframework.sd.codegen import Emitter
from csframework.sd.expressions import STATEFUL_FUNCTIONS, Equation, parse
from csframework.sd.lookups import check_points, scalar_lookup, vector_lookup
from csframework.sd.plan import names_in
from csframework.sd.runtime import SCALAR_NAMESPACE, VECTOR_NAMESPACE

__all__ = ["evaluate", "evaluate_equation", "vector_function"]


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
    names = tuple(names_in(tree))
    namespace = dict(VECTOR_NAMESPACE)
    for name, function in (lookups or {}).items():
        namespace[f"_lk_{name}"] = function
    namespace["__builtins__"] = {}
    source = (f"def _equation(time, _dt{''.join(', ' + n for n in names)}):\n"
              f"    return {Emitter(True)(tree)}\n")
    exec(compile(source, "<csframework equation>", "exec"), namespace)  # validated tree
    return namespace["_equation"], names


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
        e = Emitter(vector)
        namespace = dict(VECTOR_NAMESPACE if vector else SCALAR_NAMESPACE)
        namespace["__builtins__"] = {}
        for name, points in tables:
            xs, ys = tuple(p[0] for p in points), tuple(p[1] for p in points)
            namespace[f"_lk_{name}"] = (vector_lookup if vector else scalar_lookup)(
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

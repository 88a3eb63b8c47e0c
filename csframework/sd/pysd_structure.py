"""The causal loop diagram of a model loaded through PySD, read from PySD's translation.

Links come from PySD's dependency information; polarities from the equations
PySD generated, rewritten into the equation language and checked by
:func:`csframework.sd.expressions.parse` (the generated code is read, never
run), or, where an equation has no equivalent, from how cause and effect
moved together during the run.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import EquationError
from csframework.sd.causal_graph import RELATIVE_STEP, Evaluator, signs, summarise
from csframework.sd.expressions import parse

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from csframework.cld import CausalLoopDiagram
    from csframework.sd.results import Results

__all__ = ["pysd_cld"]

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
             results: Results | None = None, *, python_file: str | Path,
             original_names: Mapping[str, str]) -> CausalLoopDiagram:
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

    Parameters
    ----------
    model : PySDModel
        The model (its ``name`` titles the diagram; ``run()`` gives the run
        when `results` is not given).
    pysd_model : pysd model
        What PySD loaded from `python_file` (its ``doc`` and ``dependencies``).
    control_names : iterable of str
        Time settings and other names that are not variables of the diagram.
    results : Results, optional
        The run polarities are read along.
    python_file : str or pathlib.Path
        PySD's translation of the model, read (never run) for its equations.
    original_names : mapping
        The model file's name of each name PySD was given (PySD only ever
        sees generated names).
    """
    doc = pysd_model.doc
    control_names = {str(c).lower() for c in control_names}
    original = original_names
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
    evaluator = Evaluator({}, time, dt)
    equations, stateful = _pysd_equations(python_file, real)
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
            polarity = summarise(signs)
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


def _partial_signs(evaluate: Evaluator, tree: ast.AST, values: Mapping[str, np.ndarray],
                   cause: str) -> np.ndarray:
    x = values[cause]
    spread = float(np.max(np.abs(x))) if x.size else 0.0
    step = RELATIVE_STEP * np.maximum(np.abs(x), spread if spread > 0 else 1.0)
    high = evaluate(tree, {**values, cause: x + step})
    low = evaluate(tree, {**values, cause: x - step})
    high, low = np.broadcast_to(high, x.shape), np.broadcast_to(low, x.shape)
    return signs(high - low, np.maximum(np.abs(high), np.abs(low)))


def _pysd_link_sign(frame: pd.DataFrame, cause: str, effect: str
                    ) -> tuple[str, bool, float]:
    """Sign of a link estimated from co-movement: sign(Δcause · Δeffect) over the run."""
    if cause not in frame.columns or effect not in frame.columns:
        return "+", True, math.nan
    x, y = frame[cause].to_numpy(dtype=float), frame[effect].to_numpy(dtype=float)
    return summarise(signs(np.diff(x), x[1:]) * signs(np.diff(y), y[1:]))


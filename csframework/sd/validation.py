"""Checks of a whole model: flows attached to stocks, names that exist, lookups called.

:meth:`StockFlowModel.validate` runs these (the engine then finds algebraic
loops and initial values that depend on each other).

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("m")
>>> _ = m.stock("s", 1, inflows=["f"])
>>> check_structure(m)
Traceback (most recent call last):
...
csframework.errors.UnknownNameError: unknown flow 'f' in the inflows of stock 's' in model 'm'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from csframework.errors import EquationError, ModelError, UnknownNameError, close_matches
from csframework.sd.elements import Auxiliary, Flow, Stock, article
from csframework.sd.expressions import FUNCTIONS, check_name, equation_error

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.elements import Element
    from csframework.sd.expressions import Equation
    from csframework.sd.model import StockFlowModel

__all__ = ["check_equation", "check_new_name", "check_structure", "flow_names"]


def check_structure(model: StockFlowModel) -> None:
    """Check that flows, inflows and outflows fit together and every equation's names exist."""
    where = f"model {model.name!r}"
    flows = model.flows
    fed_by: dict[str, str] = {}
    drained_by: dict[str, str] = {}
    for stock in model.stocks.values():
        for what, names, owner in (("inflows", stock.inflows, fed_by),
                                   ("outflows", stock.outflows, drained_by)):
            for flow in names:
                if flow not in flows:
                    if flow in model:
                        kind = model[flow].kind
                        raise ModelError(
                            f"the {what} of stock {stock.name!r} in {where} list {flow!r}, "
                            f"which is {article(kind)} {kind}, not a flow")
                    raise UnknownNameError(flow, flows, kind="flow",
                                           where=f"the {what} of stock {stock.name!r} "
                                                 f"in {where}")
                if flow in owner:
                    role = "an inflow" if what == "inflows" else "an outflow"
                    raise ModelError(
                        f"flow {flow!r} in {where} is {role} of two stocks, "
                        f"{owner[flow]!r} and {stock.name!r}; a flow fills one stock and "
                        "drains one stock at most")
                owner[flow] = stock.name
    for flow in flows:
        if flow not in fed_by and flow not in drained_by:
            raise ModelError(f"flow {flow!r} in {where} is attached to no stock; list it "
                             "in a stock's inflows or outflows, or make it an auxiliary")
    for element in (model[name] for name in model):
        if isinstance(element, Stock):
            check_equation(model, element.initial_equation, element, "initial value")
        elif isinstance(element, Flow | Auxiliary):
            check_equation(model, element.expression, element, "equation")


def check_equation(model: StockFlowModel, equation: Equation, element: Element, what: str
                   ) -> None:
    """Check that `equation` (the `what` of `element`) names only what `model` has."""
    where = f"the {what} of {element.kind} {element.name!r} in model {model.name!r}"
    lookups = model.lookups
    for name in equation.lookups_called:
        if name in lookups:
            continue
        node = next(o.node for o in equation.occurrences(name))
        if name in model:
            kind = model[name].kind
            message = (f"{name!r} is {article(kind)} {kind}, not a lookup; only lookups "
                       "and functions can be called")
        else:
            hint = close_matches(name, list(FUNCTIONS) + list(lookups))
            message = f"unknown function {name!r}" + (
                f"; did you mean {hint[0]!r}?" if hint else
                "; functions are " + ", ".join(sorted(FUNCTIONS)))
        raise equation_error(message, equation.text, node.lineno, node.col_offset,
                     element.name, where)
    for name in equation.dependencies:
        if name in equation.lookups_called:
            continue
        if name not in model:
            raise UnknownNameError(name, model.names(), kind="variable", where=where)
        if name in lookups:
            raise EquationError(f"lookup {name!r} is used without an input in {where}; "
                                f"call it like {name}(x)")


def check_new_name(model: StockFlowModel, name: object, kind: str) -> str:
    """`name` if it can name a new element of `model`, else a ModelError.

    `kind` says what is added ("a stock", "an auxiliary", ...).
    """
    problem = check_name(name)
    if problem is not None:
        suggestion = ""
        if isinstance(name, str):
            fixed = re.sub(r"\W+", "_", name.strip().lower()).strip("_")
            if fixed and fixed != name and check_name(fixed) is None:
                suggestion = f"; try {fixed!r}"
        raise ModelError(f"cannot add {kind} to model {model.name!r}: {problem}"
                         f"{suggestion}")
    if name in model:
        existing = model[name].kind  # type: ignore[index]
        raise ModelError(f"cannot add {kind} {name!r} to model {model.name!r}: "
                         f"there is already {article(existing)} {existing} called {name!r}")
    return name  # type: ignore[return-value]


def flow_names(names: Iterable[str], stock: str, what: str) -> tuple[str, ...]:
    """The `what` ("inflows" or "outflows") of `stock` as a tuple of distinct names."""
    if isinstance(names, str):
        names = [names]
    result = tuple(names)
    for flow in result:
        if not isinstance(flow, str):
            raise ModelError(f"the {what} of stock {stock!r} must be flow names, not "
                             f"{flow!r}")
    seen: set[str] = set()
    duplicated = {f for f in result if f in seen or seen.add(f)}
    if duplicated:
        raise ModelError(f"the {what} of stock {stock!r} list {sorted(duplicated)[0]!r} "
                         "twice")
    return result

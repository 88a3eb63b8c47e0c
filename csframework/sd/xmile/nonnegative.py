"""Non-negative stocks kept at zero the way the SDXorg canonical outputs do.

By default the reader gives each XMILE non-negative stock an explicit inflow
``<stock>_floor`` (`floor_equation`) that adds exactly what a time step would
take below zero. The writer finds those flows again (`floor_flows`) and
writes their stocks back as ``<non_negative/>``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from csframework.sd import expressions
from csframework.sd.xmile.names import model_elements

if TYPE_CHECKING:
    from csframework.sd.model import StockFlowModel

__all__ = ["floor_equation", "floor_flows"]


def floor_equation(stock: str, inflows: list[str], outflows: list[str]) -> str:
    """The equation of the inflow that keeps `stock` at zero or above.

    Examples
    --------
    >>> floor_equation("tub", ["tap"], ["drain", "leak"])
    'max(0, -(tub + dt * (tap - (drain + leak)))) / dt'
    """
    net = " + ".join(inflows) or "0"
    if outflows:
        out = outflows[0] if len(outflows) == 1 else f"({' + '.join(outflows)})"
        net = f"{net} - {out}" if inflows else f"-{out}"
    return f"max(0, -({stock} + dt * ({net}))) / dt"


def floor_flows(model: StockFlowModel) -> dict[str, str]:
    """Flow -> stock, for each flow the reader added to keep a stock at zero or above.

    Such a flow is the stock's last inflow, its equation is exactly the one
    `floor_equation` gives for the stock's other flows, and nothing else reads
    it. Writing the stock as ``<non_negative/>`` instead says the same thing in
    a form every XMILE reader (PySD included) understands.
    """
    used: set[str] = set()
    for _, element in model_elements(model):
        expression = getattr(element, "expression", None) or getattr(
            element, "initial_equation", None)
        if expression is not None:
            used.update(expression.dependencies)
    found: dict[str, str] = {}
    for stock in model.stocks.values():
        if stock.non_negative or not stock.inflows:
            continue
        flow = stock.inflows[-1]
        element = model.flows.get(flow)
        if element is None or flow in used or "floor" not in flow:
            continue
        expected = floor_equation(stock.name, list(stock.inflows[:-1]), list(stock.outflows))
        if ast.dump(element.expression.tree) == ast.dump(expressions.parse(expected).tree):
            found[flow] = stock.name
    return found

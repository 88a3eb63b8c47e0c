"""A model's equations as a table, shown as HTML in Jupyter.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("m")
>>> _ = m.constant("rate", 0.1, units="1/year")
>>> Equations(m).rows
(('rate', 'constant', '0.1', '1/year'),)
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from csframework.sd.elements import Auxiliary, Constant, Flow, Stock

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel

__all__ = ["Equations"]


class Equations:
    """A model's equations as a table; shows itself as HTML in Jupyter.

    Made by :meth:`StockFlowModel.equations`. ``rows`` holds one
    ``(name, kind, definition, units)`` tuple per element, in the model's order.
    """

    def __init__(self, model: StockFlowModel):
        self.model_name = model.name
        self._span = (f"{model.start:g} to {model.stop:g} {model.time_unit}, "
                      f"dt {model.dt:g}")
        rows = []
        for element in (model[name] for name in model):
            if isinstance(element, Stock):
                definition = f"initial {element.initial}"
                if element.inflows:
                    definition += "; in: " + ", ".join(element.inflows)
                if element.outflows:
                    definition += "; out: " + ", ".join(element.outflows)
            elif isinstance(element, Flow | Auxiliary):
                definition = element.equation
            elif isinstance(element, Constant):
                definition = f"{element.value:g}"
            else:
                definition = ", ".join(f"({x:g}, {y:g})" for x, y in element.points)
            rows.append((element.name, element.kind, definition, element.units or ""))
        self.rows: tuple[tuple[str, str, str, str], ...] = tuple(rows)

    def __repr__(self) -> str:
        n = len(self.rows)
        return f"<Equations of {self.model_name!r}: {n} element{'s' * (n != 1)}>"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("name", "kind", "definition", "units"))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                       + "</tr>" for row in self.rows)
        return (f"<div><strong>{html.escape(self.model_name)}</strong> "
                f"({html.escape(self._span)})<table><thead><tr>{head}</tr></thead><tbody>"
                + body + "</tbody></table></div>")


"""The ``<views>`` of an XMILE file: where each element of the model is drawn.

XMILE positions are pixels with y pointing down; the diagram's
(`csframework.sd.diagram`) are em with y pointing up. The writer puts every
element at its stored position, else at the stock-and-flow layout's, and
keeps the origin in csframework's own namespace (`VIEWS_NAMESPACE`), so that
reading gives back the exact positions. Positions read from a file are
untrusted: only the first view is read, only for names the model has, and a
coordinate that is not a finite number is skipped with an `XmileWarning`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, SubElement, register_namespace

from csframework.sd.xmile.names import model_elements, name_key, xmile_number
from csframework.sd.xmile.nonnegative import floor_flows
from csframework.sd.xmile.safexml import LINE, XmileWarning
from csframework.sd.xmile.variables import child, children

if TYPE_CHECKING:
    from csframework.sd.model import StockFlowModel
    from csframework.sd.xmile.variables import Var

__all__ = ["STOCK_ROOM", "VIEWS_NAMESPACE", "VIEW_SCALE", "read_views", "write_views"]

#: The namespace of csframework's own attributes in ``<views>`` (the origin of the positions).
VIEWS_NAMESPACE = "urn:csframework:xmile-views"
register_namespace("csf", VIEWS_NAMESPACE)
#: Pixels of an XMILE view per diagram unit (the em of `csframework.sd.diagram`).
VIEW_SCALE = 10.0
#: Room kept between the drawing's edge and the nearest element, in diagram units.
_VIEW_MARGIN = 5.0
#: How far above a stock the reader puts the flow it adds to keep the stock at zero or above.
STOCK_ROOM = 6.0


def _view_positions(model: StockFlowModel, skip: set[str]) -> dict[str, tuple[float, float]]:
    """Every element's position in diagram units: stored, else laid out."""
    from csframework.sd.diagram import layout

    stored = model.positions
    wanted = [ident for ident, el in model_elements(model) if ident not in skip]
    computed = layout(model) if any(ident not in stored for ident in wanted) else {}
    return {ident: stored[ident] if ident in stored else computed[ident] for ident in wanted}


def write_views(parent: Element, model: StockFlowModel, names: Mapping[str, str],
                skip: set[str]) -> None:
    """``<views><view>`` with a ``<stock>``, ``<flow>`` or ``<aux>`` at each element's centre.

    A lookup (a standalone XMILE ``<gf>``, which views cannot show) is kept as
    ``<csf:gf>`` in csframework's namespace, which other XMILE readers skip.

    XMILE positions are pixels with y pointing down; the diagram's are em with
    y pointing up. A pixel is ``VIEW_SCALE * (x + origin_x)`` across and
    ``VIEW_SCALE * (origin_y - y)`` down, the origin chosen so that every
    element is at least `_VIEW_MARGIN` em from the top left edges; the origin
    is kept in csframework's namespace so that `read_views` gives back the
    exact positions.
    """
    places = _view_positions(model, skip)
    if not places:
        return
    origin_x = float(math.ceil(_VIEW_MARGIN - min(x for x, _ in places.values())))
    origin_y = float(math.ceil(max(y for _, y in places.values()) + _VIEW_MARGIN))
    view = SubElement(SubElement(parent, "views"), "view", {
        "type": "stock_flow", f"{{{VIEWS_NAMESPACE}}}origin_x": xmile_number(origin_x),
        f"{{{VIEWS_NAMESPACE}}}origin_y": xmile_number(origin_y)})
    tags = {"stock": "stock", "flow": "flow", "lookup": f"{{{VIEWS_NAMESPACE}}}gf"}
    for ident, (x, y) in places.items():
        kind = model[ident].kind
        SubElement(view, tags.get(kind, "aux"), {
            "name": names[ident], "x": xmile_number(VIEW_SCALE * (x + origin_x)),
            "y": xmile_number(VIEW_SCALE * (origin_y - y))})


def _view_number(el: Element, attribute: str, where: str) -> float | None:
    text = el.get(attribute)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e12:
        warnings.warn(f"{where}: <{el.tag} name={el.get('name')!r}> in <views> (line "
                      f"{el.get(LINE, '?')}) has {attribute}={text!r}, not a finite number "
                      "of pixels; its position is ignored", XmileWarning, stacklevel=5)
        return None
    return value


def read_views(root: Element, model: StockFlowModel, variables: list[Var], where: str) -> None:
    """Put the model's elements where the first ``<view>`` of the file draws them.

    Names the model does not have (connectors, aliases, modules...) are
    ignored, as are entries without a finite x and y (with a warning).
    """
    models = children(root, "model")
    views = child(models[0], "views") if models else None
    view = child(views, "view") if views is not None else None
    if view is None:
        return
    origin_x = _view_number(view, "origin_x", where) or 0.0
    origin_y = _view_number(view, "origin_y", where) or 0.0
    idents = {name_key(var.name): var.ident for var in variables}
    for el in view:
        if el.tag not in ("stock", "flow", "aux", "gf") or el.get("name") is None:
            continue
        ident = idents.get(name_key(el.get("name", "")))
        if ident is None or ident not in model:
            continue
        x, y = _view_number(el, "x", where), _view_number(el, "y", where)
        if x is None or y is None:
            continue
        model.place(ident, x / VIEW_SCALE - origin_x, origin_y - y / VIEW_SCALE)
    # what reading adds (a stock's floor flow, an aux's own lookup) goes next to its owner
    for flow, stock in floor_flows(model).items():
        if stock in model.positions and flow not in model.positions:
            sx, sy = model.positions[stock]
            model.place(flow, sx, sy + STOCK_ROOM)
    for var in variables:
        if var.table and var.table in model and var.ident in model.positions \
                and var.table not in model.positions:
            ax, ay = model.positions[var.ident]
            model.place(var.table, ax, ay - 2.0)

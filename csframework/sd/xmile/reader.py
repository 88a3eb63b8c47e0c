"""The XMILE reader: a file (or its text) into a model of the class it is given.

`read` runs the pipeline: hardened XML (`safexml`), variable records
(`variables`), identifiers and names in scope, each equation parsed and
translated (`parser`, `translator`), then the model built through its public
methods (``lookup``, ``constant``, ``auxiliary``, ``flow``, ``stock``,
``place``). The model class is passed in (`StockFlowModel.from_xmile` passes
itself), so this module never imports the model module; the
`csframework.sd.loading.read_xmile` function passes `StockFlowModel`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from csframework.errors import (
    EquationError,
    FormatError,
    ModelError,
    UnknownNameError,
    close_matches,
)
from csframework.sd.xmile.names import name_key, python_identifier
from csframework.sd.xmile.nonnegative import floor_equation
from csframework.sd.xmile.parser import Node, Num, Unary, parse_equation
from csframework.sd.xmile.safexml import load_source, parse_xml
from csframework.sd.xmile.translator import EXPANDS, Scope, Translator, unparse
from csframework.sd.xmile.variables import (
    SimSpecs,
    Var,
    collect_variables,
    name_variables,
    parse_sim_specs,
)
from csframework.sd.xmile.views import read_views

if TYPE_CHECKING:
    from csframework.sd.model import StockFlowModel

__all__ = ["read", "read_sim_specs"]


def _scope(variables: list[Var], specs: SimSpecs) -> Scope:
    plain: dict[str, str] = {}
    lookups: dict[str, str] = {}
    arrays: dict[str, tuple[str, dict[str, str]]] = {}
    for var in variables:
        if var.element is not None:
            base = var.name[: var.name.rindex("[")]
            arrays.setdefault(name_key(base), (var.element[0], {}))[1][var.element[1]] = var.ident
            continue
        if var.kind == "gf":
            lookups[name_key(var.name)] = var.ident
        else:
            plain[name_key(var.name)] = var.ident
            if var.gf is not None:
                lookups[name_key(var.name)] = var.table
    return Scope(plain, lookups, arrays, specs.start, specs.stop)


def _flow_names(variables: list[Var], scope: Scope, where: str) -> set[str]:
    """Identifiers used as inflow or outflow; an aux used so is read as a flow."""
    idents = {name_key(v.name): v for v in variables}
    used: set[str] = set()
    for var in variables:
        if var.kind != "stock":
            continue
        for flow in var.inflows + var.outflows:
            target = idents.get(name_key(flow))
            if target is None or target.kind == "stock" or target.kind == "gf":
                matches = close_matches(name_key(flow), [v.name for v in variables])
                hint = f"; did you mean {matches[0]!r}?" if matches else ""
                raise FormatError(f"{where}: stock {var.name!r} (line {var.line}) names "
                                  f"{flow!r} as a flow, but there is no such flow{hint}")
            used.add(target.ident)
    return used


def _constant_value(tree: Node) -> float | None:
    if isinstance(tree, Num):
        return float(tree.value)
    if isinstance(tree, Unary) and tree.op in "+-" and isinstance(tree.operand, Num):
        value = float(tree.operand.value)
        return -value if tree.op == "-" else value
    return None


def read(path_or_text: str | Path | bytes, model_class: type[StockFlowModel], *,
         non_negative_stocks: str = "clamp") -> StockFlowModel:
    """Read an XMILE 1.0 model into a `model_class` (a `StockFlowModel`).

    `StockFlowModel.from_xmile` and `csframework.sd.loading.read_xmile` call this.

    Parameters
    ----------
    path_or_text : str, pathlib.Path or bytes
        A path to an ``.xmile`` / ``.stmx`` file, or the XML itself.
    model_class : type
        The class of the model made: `StockFlowModel` or a subclass.
    non_negative_stocks : {"clamp", "limit outflows"}
        How an XMILE non-negative stock stays at zero or above. ``"clamp"``
        (the default) as the SDXorg canonical outputs and PySD do: the stock
        stops at zero and every flow keeps its own value; the model gets an
        explicit inflow ``<stock>_floor`` doing that. ``"limit outflows"``
        marks the stock ``non_negative`` and leaves it to the native engine,
        which scales the outflows down and reports them scaled (what
        `to_xmile` of such a model means, so round trips keep it).

    Returns
    -------
    StockFlowModel
        Each variable is named by `python_identifier` of its XMILE name and
        labelled with the XMILE name. Auxiliaries that are plain numbers are
        constants (parameters). An auxiliary with its own graphical function
        becomes a lookup ``<name>_table`` and an auxiliary applying it.
        One-dimensional arrays are flattened into one variable per element,
        labelled ``name[element]``. The file's integration method (Euler
        or RK4) becomes the model's :attr:`~StockFlowModel.method`, which
        ``run()`` uses unless told otherwise. The positions of the file's
        first ``<view>`` become :attr:`~StockFlowModel.positions` (names the
        model lacks are skipped; a position that is not a finite number is
        skipped with an `XmileWarning`).

    Raises
    ------
    FormatError
        For XML that is not well-formed, has a DTD or entities, is in another
        namespace, has no variables, uses modules, macros or multi-dimensional
        arrays, has an equation that cannot be read, or is beyond one of the
        limits listed in the module's description (the message names it).

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> from csframework.sd.xmile.names import xmile_names
    >>> model = read('''<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    ...   <sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>
    ...   <model><variables>
    ...     <stock name="Water In Tub"><eqn>10</eqn><outflow>Drain</outflow></stock>
    ...     <flow name="Drain"><eqn>Water_in_tub / 5</eqn><non_negative/></flow>
    ...   </variables></model></xmile>''', StockFlowModel)
    >>> sorted(model.stocks), sorted(model.flows)
    (['water_in_tub'], ['drain'])
    >>> xmile_names(model)["water_in_tub"]
    'Water In Tub'
    """
    if non_negative_stocks not in ("clamp", "limit outflows"):
        raise UnknownNameError(non_negative_stocks, ("clamp", "limit outflows"),
                               kind="non_negative_stocks option", where="read_xmile()")
    data, where, stem = load_source(path_or_text)
    root = parse_xml(data, where)
    specs = parse_sim_specs(root, where, stem or "XMILE model")
    variables = collect_variables(root, where)
    name_variables(variables, where)
    scope = _scope(variables, specs)
    flows = _flow_names(variables, scope, where)
    try:
        model = _build(model_class, variables, scope, flows, specs, where,
                       clamp=non_negative_stocks == "clamp")
        read_views(root, model, variables, where)
        return model
    except (EquationError, ModelError) as exc:  # a translated equation beyond a model limit
        raise FormatError(f"{where}: {exc}") from exc


def read_sim_specs(path_or_text: str | Path | bytes) -> SimSpecs:
    """Read only the simulation settings of an XMILE file.

    Examples
    --------
    >>> read_sim_specs('<xmile><sim_specs method="RK4"><start>0</start><stop>8</stop>'
    ...                '<dt reciprocal="true">4</dt></sim_specs><model/></xmile>')
    SimSpecs(name='XMILE model', start=0.0, stop=8.0, dt=0.25, method='rk4', time_unit='time')
    """
    data, where, stem = load_source(path_or_text)
    return parse_sim_specs(parse_xml(data, where), where, stem or "XMILE model")


def _translate(var: Var, scope: Scope, where: str) -> tuple[str, Node]:
    here = f"{where}, {var.kind} {var.name!r} (line {var.line})"
    if var.eqn is None:
        if var.kind == "stock":
            return "0", Num(0)
        raise FormatError(f"{here} has no <eqn>")
    tree = parse_equation(var.eqn, here)
    translator = Translator(scope, here, var.element)
    return unparse(translator.node(tree), here, bool(EXPANDS.search(var.eqn))), tree


def _build(model_class: type[StockFlowModel], variables: list[Var], scope: Scope,
           flows: set[str], specs: SimSpecs, where: str, clamp: bool) -> StockFlowModel:
    model = model_class(specs.name, start=specs.start, stop=specs.stop, dt=specs.dt,
                        time_unit=specs.time_unit, method=specs.method)
    # lookups first, then constants and auxiliaries, flows, stocks
    _add_lookups(model, variables)
    for var in variables:
        if var.kind not in ("gf", "stock", "flow") and var.ident not in flows:
            _add_auxiliary(model, var, scope, where)
    attached = {name_key(n) for v in variables if v.kind == "stock"
                for n in v.inflows + v.outflows}
    equations: dict[str, str] = {}
    for var in variables:
        if var.kind == "flow" or var.ident in flows:
            text, _ = _translate(var, scope, where)
            text = f"{var.table}({text})" if var.gf is not None else text
            if name_key(var.name) not in attached:  # a flow of no stock is an auxiliary
                text = f"max(0, {text})" if var.non_negative else text
                model.auxiliary(var.ident, text, **_meta(var))
                continue
            equations[var.ident] = text
            model.flow(var.ident, text, non_negative=var.non_negative, **_meta(var))
    _add_stocks(model, variables, scope, equations, where, clamp)
    return model


def _meta(var: Var) -> dict[str, str | None]:
    return {"units": var.units, "doc": var.doc, "label": var.name}


def _add_lookups(model: StockFlowModel, variables: list[Var]) -> None:
    for var in variables:
        if var.gf is None:
            continue
        if var.kind == "gf":
            model.lookup(var.ident, var.gf.points, extrapolate=var.gf.extrapolate, **_meta(var))
        else:
            model.lookup(var.table, var.gf.points, extrapolate=var.gf.extrapolate,
                         label=f"{var.name} (graphical function)")


def _add_auxiliary(model: StockFlowModel, var: Var, scope: Scope, where: str) -> None:
    text, tree = _translate(var, scope, where)
    value = _constant_value(tree)
    if var.gf is not None:
        model.auxiliary(var.ident, f"{var.table}({text})", **_meta(var))
    elif value is not None:
        lo, hi = var.limits
        model.constant(var.ident, value, min=lo, max=hi, **_meta(var))
    else:
        model.auxiliary(var.ident, text, **_meta(var))


def _add_stocks(model: StockFlowModel, variables: list[Var], scope: Scope,
                equations: dict[str, str], where: str, clamp: bool) -> None:
    """Add the stocks. A flow may fill or drain only one stock in the model; when an
    XMILE flow drains (or fills) several, each further stock gets its own copy."""
    by_key = {name_key(v.name): v for v in variables}
    used: set[tuple[str, str]] = set()
    for var in variables:
        if var.kind != "stock":
            continue
        text, tree = _translate(var, scope, where)
        value = _constant_value(tree)
        lists: dict[str, list[str]] = {"inflows": [], "outflows": []}
        for direction, names in (("inflows", var.inflows), ("outflows", var.outflows)):
            for name in names:
                flow = by_key[name_key(name)]
                ident = flow.ident
                if (direction, ident) in used:
                    ident = python_identifier(f"{flow.ident} to {var.ident}" if direction ==
                                              "inflows" else f"{flow.ident} from {var.ident}",
                                              model)
                    model.flow(ident, equations[flow.ident], non_negative=flow.non_negative,
                               units=flow.units, label=f"{flow.name} ({var.name})",
                               doc=f"A copy of {flow.name!r}: XMILE lets one flow {direction[:-1]}"
                                   f" several stocks")
                used.add((direction, ident))
                lists[direction].append(ident)
        non_negative = var.non_negative and not clamp
        if var.non_negative and clamp and (lists["inflows"] or lists["outflows"]):
            lists["inflows"].append(_add_floor_flow(model, var, lists))
        model.stock(var.ident, value if value is not None else text, **lists,
                    non_negative=non_negative, **_meta(var))


def _add_floor_flow(model: StockFlowModel, stock: Var, lists: dict[str, list[str]]) -> str:
    """Keep an XMILE non-negative stock at zero or above as the canonical outputs do.

    The SDXorg canonical outputs (and PySD) clamp the stock at zero and report every
    flow at its own value, also when a negative inflow would empty the stock. An inflow
    adds exactly what the step would take below zero (exact with Euler).
    """
    ident = python_identifier(f"{stock.ident} floor", model)
    model.flow(ident, floor_equation(stock.ident, lists["inflows"], lists["outflows"]),
               label=f"{stock.name} (kept non-negative)",
               doc=f"XMILE non-negative stock {stock.name!r}: adds what a time step would take "
                   "below zero, so the stock stops at zero")
    return ident

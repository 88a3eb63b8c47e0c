"""XMILE elements into variable records: what the reader knows of each variable
before it builds the model.

`collect_variables` reads the ``<variables>`` of the file's one ``<model>``:
stocks, flows, auxiliaries and graphical functions, each a `Var` with its
equation text, flows, units, documentation, range and graphical function.
One-dimensional arrays are flattened into one `Var` per element
(``name[element]``). `parse_sim_specs` reads the simulation settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from csframework.errors import FormatError
from csframework.sd.xmile import limits
from csframework.sd.xmile.names import clean_name, name_key, python_identifier, unquote
from csframework.sd.xmile.parser import short
from csframework.sd.xmile.safexml import LINE

__all__ = [
    "Gf",
    "SimSpecs",
    "Var",
    "check_layout",
    "child",
    "children",
    "collect_variables",
    "name_variables",
    "parse_sim_specs",
]

@dataclass
class Gf:
    """A graphical function: its (x, y) points and whether it extrapolates."""

    points: tuple[tuple[float, float], ...]
    extrapolate: bool


@dataclass
class Var:
    """One variable as read from the file (an array element is one `Var`)."""

    kind: str                       # stock | flow | aux | gf
    name: str                       # XMILE name; array elements as name[element]
    line: str
    eqn: str | None = None
    inflows: list[str] = field(default_factory=list)
    outflows: list[str] = field(default_factory=list)
    non_negative: bool = False
    units: str | None = None
    doc: str | None = None
    gf: Gf | None = None
    limits: tuple[float | None, float | None] = (None, None)
    element: tuple[str, str] | None = None   # (dim key, element key)
    ident: str = ""
    table: str = ""                 # identifier of the lookup of an aux's own gf


def children(el: Element, tag: str) -> list[Element]:
    """The child elements of `el` with the tag `tag`."""
    return [c for c in el if c.tag == tag]


def child(el: Element, tag: str) -> Element | None:
    """The first child element of `el` with the tag `tag`, or None."""
    found = children(el, tag)
    return found[0] if found else None


def _text(el: Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None


def _float(text: str | None, what: str, where: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise FormatError(f"{where}: {what} must be a number, got {text!r}") from None


def _truthy(el: Element | None, default: bool) -> bool:
    """``<non_negative/>`` and ``<non_negative>true</non_negative>`` are True."""
    if el is None:
        return default
    text = (el.text or "").strip().lower()
    return text != "false"


@dataclass(frozen=True)
class SimSpecs:
    """An XMILE file's simulation settings (see `read_sim_specs`)."""

    name: str
    start: float
    stop: float
    dt: float
    method: str
    time_unit: str


def parse_sim_specs(root: Element, where: str, default_name: str) -> SimSpecs:
    """The ``<sim_specs>`` (and the ``<header>``'s name) of a parsed XMILE document."""
    header = child(root, "header")
    name = _text(child(header, "name")) if header is not None else None
    specs = child(root, "sim_specs")
    if specs is None:
        raise FormatError(f"{where} has no <sim_specs>; XMILE needs start, stop and dt there")
    start = _float(_text(child(specs, "start")) or "0", "<start>", where)
    stop_text = _text(child(specs, "stop"))
    if stop_text is None:
        raise FormatError(f"{where}: <sim_specs> has no <stop>")
    stop = _float(stop_text, "<stop>", where)
    dt_el = child(specs, "dt")
    dt = _float(_text(dt_el) or "1", "<dt>", where)
    if dt_el is not None and (dt_el.get("reciprocal") or "").strip().lower() == "true":
        if dt == 0:
            raise FormatError(f"{where}: a reciprocal <dt> of 0 is not a time step")
        dt = 1.0 / dt
    method = (specs.get("method") or "euler").strip().lower()
    if method not in ("euler", "rk4"):
        raise FormatError(f"{where}: integration method {specs.get('method')!r} is not "
                          "supported; use 'Euler' or 'RK4'")
    time_unit = (specs.get("time_units") or "").strip() or "time"
    return SimSpecs(name or default_name, start, stop, dt, method, time_unit)


def _behaviour(root: Element) -> tuple[bool, bool]:
    """Model-wide non-negative defaults (stocks, flows) from ``<behavior>``."""
    behavior = child(root, "behavior")
    if behavior is None:
        return False, False
    both = _truthy(child(behavior, "non_negative"), False)
    stock_el, flow_el = child(behavior, "stock"), child(behavior, "flow")
    stocks = _truthy(child(stock_el, "non_negative"), both) if stock_el is not None else both
    flows = _truthy(child(flow_el, "non_negative"), both) if flow_el is not None else both
    return stocks, flows


def _dimensions(root: Element, where: str) -> dict[str, list[str]]:
    dims: dict[str, list[str]] = {}
    holder = child(root, "dimensions")
    for dim in children(holder, "dim") if holder is not None else []:
        name = clean_name(dim.get("name", ""))
        here = f"{where}: dimension {name!r} (line {dim.get(LINE, '?')})"
        elems = [clean_name(e.get("name", "")).strip() for e in children(dim, "elem")]
        if not elems and dim.get("size") is not None:
            elems = [str(i) for i in range(1, _dimension_size(dim.get("size", ""), here) + 1)]
        if len(elems) > limits.MAX_DIMENSION_SIZE:
            raise FormatError(f"{here} has {len(elems):,} elements, more than "
                              f"{limits.MAX_DIMENSION_SIZE:,} (the limit MAX_DIMENSION_SIZE)")
        if not elems:
            raise FormatError(f"{here} has no elements; give it <elem name=\"...\"/> "
                              "children or a size of at least 1")
        dims[name_key(name)] = elems
    return dims


def _dimension_size(text: str, where: str) -> int:
    """``size="3"`` -> 3; anything but a whole number from 1 to the limit is refused."""
    value = text.strip()
    if not value.isdigit() or len(value) > len(str(limits.MAX_DIMENSION_SIZE)) + 1:
        if value.isdigit():
            raise FormatError(f"{where}: size {short(value, 20)!r} is more than "
                              f"{limits.MAX_DIMENSION_SIZE:,} (the limit MAX_DIMENSION_SIZE)")
        raise FormatError(f"{where}: size must be a whole number from 1 to "
                          f"{limits.MAX_DIMENSION_SIZE:,}, got {short(value, 20)!r}")
    size = int(value)
    if not 1 <= size <= limits.MAX_DIMENSION_SIZE:
        raise FormatError(f"{where}: size {size:,} is outside 1 to {limits.MAX_DIMENSION_SIZE:,} "
                          "(the limit MAX_DIMENSION_SIZE)")
    return size


def _points(el: Element, tag: str, where: str) -> list[float] | None:
    node = child(el, tag)
    if node is None:
        return None
    sep = node.get("sep") or ","
    text = node.text or ""
    if text.count(sep) >= limits.MAX_GRAPH_POINTS:
        raise FormatError(f"{where}: <{tag}> of the graphical function has more than "
                          f"{limits.MAX_GRAPH_POINTS:,} points (the limit MAX_GRAPH_POINTS)")
    return [float(p) for p in text.replace("\n", " ").split(sep) if p.strip()]


def _graphical(el: Element, where: str) -> Gf:
    kind = (el.get("type") or "continuous").strip().lower()
    if kind == "discrete" or (el.get("discrete") or "").strip().lower() == "true":
        raise FormatError(f"{where}: discrete graphical functions are not supported; "
                          "use type 'continuous' or 'extrapolate'")
    if kind not in ("continuous", "extrapolate"):
        raise FormatError(f"{where}: graphical function type {kind!r} is not supported; "
                          "use 'continuous' or 'extrapolate'")
    try:
        ys = _points(el, "ypts", where)
        xs = _points(el, "xpts", where)
    except ValueError as exc:
        raise FormatError(f"{where}: graphical function points must be numbers ({exc})") from None
    if not ys:
        raise FormatError(f"{where}: graphical function has no <ypts>")
    if xs is None:
        scale = child(el, "xscale")
        if scale is None:
            raise FormatError(f"{where}: graphical function needs <xpts> or <xscale>")
        lo = _float(scale.get("min"), "xscale min", where)
        hi = _float(scale.get("max"), "xscale max", where)
        n = len(ys)
        xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)] if n > 1 else [lo]
    if len(xs) != len(ys):
        raise FormatError(f"{where}: graphical function has {len(xs)} x points but "
                          f"{len(ys)} y points")
    pairs = sorted(zip(xs, ys, strict=True))
    return Gf(tuple(pairs), kind == "extrapolate")


def _read_variable(el: Element, where: str, defaults: tuple[bool, bool],
                   dims: Mapping[str, list[str]]) -> list[Var]:
    kind = el.tag
    name = clean_name(el.get("name") or "").strip()
    line = el.get(LINE, "?")
    if not name:
        raise FormatError(f"{where}, line {line}: <{kind}> has no name")
    here = f"{where}, {kind} {name!r} (line {line})"
    default_nn = defaults[0] if kind == "stock" else defaults[1] if kind == "flow" else False
    base = Var(
        kind=kind, name=name, line=line,
        inflows=[unquote(t) for t in (_text(c) for c in children(el, "inflow")) if t],
        outflows=[unquote(t) for t in (_text(c) for c in children(el, "outflow")) if t],
        non_negative=_truthy(child(el, "non_negative"), default_nn),
        units=_text(child(el, "units")), doc=_text(child(el, "doc")),
    )
    rng = child(el, "range")
    if rng is not None:
        base.limits = tuple(  # type: ignore[assignment]
            None if rng.get(k) is None else _float(rng.get(k), f"range {k}", here)
            for k in ("min", "max"))
    gf_el = el if kind == "gf" else child(el, "gf")
    if gf_el is not None:
        base.gf = _graphical(gf_el, here)
    eqns = [_text(e) or "" for e in children(el, "eqn")]
    for eqn in eqns:  # one equation, or a comma-separated value per array element
        if len(eqn) > limits.MAX_EQN_TEXT:
            raise FormatError(f"{here}: <eqn> has {len(eqn):,} characters, more than "
                              f"{limits.MAX_EQN_TEXT:,} (ten times the limit MAX_EQUATION_LENGTH)")
    dim_holder = child(el, "dimensions")
    if dim_holder is None or not children(dim_holder, "dim"):
        if len(eqns) > 1:
            raise FormatError(f"{here}: has {len(eqns)} equations but no dimensions")
        base.eqn = eqns[0] if eqns else None
        return [base]
    return _expand_array(base, el, dim_holder, eqns, here, dims)


def _expand_array(base: Var, el: Element, dim_holder: Element, eqns: list[str], here: str,
                  dims: Mapping[str, list[str]]) -> list[Var]:
    """Flatten a one-dimensional array into one scalar variable per element."""
    dim_names = [d.get("name", "") for d in children(dim_holder, "dim")]
    if len(dim_names) > 1:
        raise FormatError(f"{here}: arrays with more than one dimension ({', '.join(dim_names)}) "
                          "are not supported")
    dim = name_key(dim_names[0])
    if dim not in dims:
        raise FormatError(f"{here}: unknown dimension {dim_names[0]!r}; defined dimensions are "
                          f"{', '.join(sorted(dims)) or 'none'}")
    if base.gf is not None or base.kind == "gf":
        raise FormatError(f"{here}: arrayed graphical functions are not supported")
    elements = dims[dim]
    per_element = {name_key(e.get("subscript", "")): _text(child(e, "eqn")) or ""
                   for e in children(el, "element")}
    if not per_element and len(eqns) == len(elements) and len(elements) > 1:
        per_element = {name_key(e): q for e, q in zip(elements, eqns, strict=True)}
    elif not per_element and len(eqns) == 1:
        parts = _split_top_level(eqns[0])
        if len(parts) == len(elements) and len(parts) > 1:
            per_element = {name_key(e): q for e, q in zip(elements, parts, strict=True)}
    out = []
    for elem in elements:
        var = Var(**{**base.__dict__, "name": f"{base.name}[{elem}]",
                      "element": (dim, name_key(elem))})
        var.inflows = [f"{n}[{elem}]" for n in base.inflows]
        var.outflows = [f"{n}[{elem}]" for n in base.outflows]
        if per_element:
            if name_key(elem) not in per_element:
                raise FormatError(f"{here}: no equation for element {elem!r}")
            var.eqn = per_element[name_key(elem)]
        else:
            if len(eqns) != 1:
                raise FormatError(f"{here}: expected one equation for all elements or one per "
                                  f"element ({len(elements)}), got {len(eqns)}")
            var.eqn = eqns[0]
        out.append(var)
    return out


def _split_top_level(text: str) -> list[str]:
    """Split ``1, 2, 3`` at commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def check_layout(root: Element, where: str) -> None:
    """Refuse a document whose every <model> holds no variables (never read it as empty).

    The layout of the XMILE drafts before 1.0 (variables directly in <model>)
    gets its own message: such a file read by the 1.0 rules looks empty.
    """
    models = children(root, "model")
    for model in models:
        holder = child(model, "variables")
        if holder is not None and any(el.tag in ("stock", "flow", "aux", "gf", "module")
                                      for el in holder):
            return
    loose = [el for model in models for el in model if el.tag in ("stock", "flow", "aux", "gf")]
    if loose:
        raise FormatError(
            f"{where} is in the layout of XMILE drafts before 1.0 (Stella 10 and older): "
            f"its {len(loose)} variables sit directly in <model> (line "
            f"{loose[0].get(LINE, '?')}) instead of in <model><variables>; open it in a "
            "current version of Stella (or Vensim) and save it again as XMILE 1.0")
    raise FormatError(f"{where} defines no variables: no <model> has a <stock>, <flow>, <aux> "
                      "or <gf> inside <variables>, so there is nothing to simulate")


def collect_variables(root: Element, where: str) -> list[Var]:
    """Every variable of the document's one ``<model>``, arrays flattened.

    Raises `FormatError` for macros, modules, several models, an unknown kind
    of variable or more than `MAX_VARIABLES` of them.
    """
    for tag in ("macro",):
        if child(root, tag) is not None:
            raise FormatError(f"{where} defines XMILE macros, which are not supported "
                              "(read it with csframework.load_model, which uses PySD)")
    models = children(root, "model")
    if not models:
        raise FormatError(f"{where} has no <model>")
    if len(models) > 1:
        raise FormatError(f"{where} has {len(models)} <model> elements (XMILE modules); "
                          "modules are not supported (try csframework.load_model)")
    check_layout(root, where)
    holder = child(models[0], "variables")
    assert holder is not None  # checked by check_layout
    defaults = _behaviour(root)
    dims = _dimensions(root, where)
    out: list[Var] = []
    for el in holder:
        if el.tag in ("stock", "flow", "aux", "gf"):
            out.extend(_read_variable(el, where, defaults, dims))
            if len(out) > limits.MAX_VARIABLES:
                raise FormatError(f"{where} has more than {limits.MAX_VARIABLES:,} variables "
                                  f"(counting each element of an array; line "
                                  f"{el.get(LINE, '?')}); that is the limit MAX_VARIABLES")
        elif el.tag == "module":
            raise FormatError(f"{where}: module {el.get('name')!r}: XMILE modules are not "
                              "supported (try csframework.load_model)")
        elif el.tag not in ("group",):
            raise FormatError(f"{where}: <{el.tag}> (line {el.get(LINE, '?')}) is not a "
                              "supported variable; expected stock, flow, aux or gf")
    return out


def name_variables(variables: list[Var], where: str) -> None:
    """Give each variable a unique identifier; refuse duplicate XMILE names."""
    seen: dict[str, Var] = {}
    taken: set[str] = set()
    for var in variables:
        key = name_key(var.name)
        if key in seen:
            raise FormatError(f"{where}: the name {var.name!r} (line {var.line}) is already used "
                              f"on line {seen[key].line}; XMILE names ignore case, spaces and "
                              "underscores")
        seen[key] = var
        var.ident = python_identifier(var.name, taken)
        taken.add(var.ident)
    for var in variables:
        if var.gf is not None and var.kind != "gf":
            var.table = python_identifier(var.ident + "_table", taken)
            taken.add(var.table)

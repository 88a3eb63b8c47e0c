"""The builder: PySD's abstract model of a Vensim file into a native `StockFlowModel`.

`ModelBuilder` declares one scalar variable per Vensim element (and per
element of a subscripted one), decides which variables are the flows of each
stock, then adds every element to the model through its public methods, its
equations translated by `csframework.sd.vensim.equations`.
"""

from __future__ import annotations

import ast
import itertools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csframework.errors import FormatError
from csframework.sd.model import StockFlowModel
from csframework.sd.vensim.elements import (
    CONTROLS,
    Variable,
    element_kind,
    vensim_key,
    vensim_label,
)
from csframework.sd.vensim.equations import EquationTranslator
from csframework.sd.vensim.parsing import abstract_model
from csframework.sd.xmile.names import python_identifier

if TYPE_CHECKING:
    from pysd.translators.structures.abstract_model import AbstractModel

__all__ = ["ModelBuilder", "read_vensim"]


class ModelBuilder(EquationTranslator):
    """Builds one StockFlowModel from PySD's abstract model of a Vensim file."""

    def __init__(self, abstract: AbstractModel, path: Path, name: str):
        self.path, self.where = path, f"Vensim file {path.name!r}"
        sections = abstract.sections
        self.main = sections[0]
        self.macros = {vensim_key(s.name): s.name for s in sections[1:]}
        self.macro_sections = {vensim_key(s.name): s for s in sections[1:]}
        self.instances: dict[str, int] = {}
        self.scope: dict[str, Any] | None = None   # inside a macro: its arguments and names
        self.ranges = self.subscript_ranges(self.main.subscripts)
        # range -> the ranges it maps onto, element by element (Vensim's "-> other range")
        self.mappings: dict[str, set[str]] = {}
        for item in self.main.subscripts:
            for target in getattr(item, "mapping", None) or ():
                if isinstance(target, str):
                    self.mappings.setdefault(vensim_key(item.name), set()).add(vensim_key(target))
                    self.mappings.setdefault(vensim_key(target), set()).add(vensim_key(item.name))
        self.elements: dict[str, Any] = {}
        self.arrays: dict[str, list[str]] = {}   # subscripted element key -> its subscripts
        self.controls: dict[str, Any] = {}
        self.current: Any = None      # the variable being converted (for messages)
        self.binding: dict[str, str] = {}
        self.bang: dict[str, str] = {}
        for element in self.main.elements:
            key = vensim_key(element.name)
            if key in CONTROLS:
                self.controls[key] = element
            elif key not in self.elements and key not in self.arrays:
                self.add_variables(key, element)
        taken: set[str] = set()
        self.ident: dict[str, str] = {}
        for key, variable in self.elements.items():
            self.ident[key] = python_identifier(variable.ident_name, taken)
            taken.add(self.ident[key])
        self.taken = taken
        self.extra_lookups: list[tuple[str, str, Any]] = []
        self.model_name = name
        self.current_key: str | None = None

    # ------------------------------------------------------------ subscripts
    def subscript_ranges(self, ranges: Any) -> dict[str, list[str]]:
        found: dict[str, Any] = {vensim_key(r.name): r.subscripts for r in ranges}
        resolved: dict[str, list[str]] = {}
        for key, subscripts in found.items():
            seen = {key}
            while isinstance(subscripts, str) and vensim_key(subscripts) in found and \
                    vensim_key(subscripts) not in seen:
                seen.add(vensim_key(subscripts))
                subscripts = found[vensim_key(subscripts)]
            if isinstance(subscripts, list | tuple) and all(isinstance(x, str)
                                                            for x in subscripts):
                resolved[key] = list(subscripts)
        return resolved

    def add_variables(self, key: str, element: Any) -> None:
        components = element.components
        if all(not c.subscripts[0] for c in components):
            if len(components) != 1:
                raise self.unsupported("several definitions of one variable", element)
            self.elements[key] = Variable(element, components[0].ast)
            return
        for component in components:
            dims, excepted = component.subscripts
            if len(dims) > 3:
                raise self.unsupported("subscripts in more than three dimensions", element)
            options, ranged = [], []
            for dim in dims:
                if vensim_key(dim) in self.ranges:
                    options.append(self.ranges[vensim_key(dim)])
                    ranged.append(True)
                else:
                    options.append([self.element_name(dim, element)])
                    ranged.append(False)
            tree = component.ast
            shape = tuple(len(o) for o, r in zip(options, ranged, strict=True) if r)
            table = None
            if hasattr(tree, "shape") and getattr(tree, "ndim", 0) >= 1:
                import numpy as np

                table = np.asarray(tree)
                if table.shape != shape:
                    squeezed = tuple(n for n in shape if n != 1)
                    if table.size != int(np.prod(shape)) or \
                            tuple(n for n in table.shape if n != 1) != squeezed:
                        raise self.unsupported(f"an array of shape {table.shape} for "
                                               f"subscripts of shape {shape}", element)
                    table = table.reshape(shape)
            left_out = self.excepted(excepted, len(dims), element)
            for combo in itertools.product(*[range(len(o)) for o in options]):
                names = [o[i] for o, i in zip(options, combo, strict=True)]
                if tuple(names) in left_out:
                    continue
                binding: dict[str, str] = {}
                for dim, name, is_range in zip(dims, names, ranged, strict=True):
                    if is_range:
                        binding[vensim_key(dim)] = name
                for name, is_range in zip(names, ranged, strict=True):
                    if not is_range:
                        for r, members in self.ranges.items():
                            if name in members:
                                binding.setdefault(r, name)
                value = tree
                if table is not None:
                    value = table[tuple(i for i, r in zip(combo, ranged, strict=True) if r)]
                    value = value.item() if hasattr(value, "item") else value
                self.add_one(key, element, names, value, binding)

    def excepted(self, groups: list, size: int, element: Any) -> set[tuple[str, ...]]:
        """The element combinations a definition's :EXCEPT: leaves out."""
        left_out: set[tuple[str, ...]] = set()
        for group in groups:
            if len(group) != size:
                raise self.unsupported("an :EXCEPT: with another number of subscripts",
                                       element)
            options = [self.ranges[vensim_key(s)] if vensim_key(s) in self.ranges else
                       [self.element_name(s, element)] for s in group]
            left_out.update(itertools.product(*options))
        return left_out

    def add_one(self, key: str, element: Any, names: list[str], tree: Any,
                binding: dict[str, str]) -> None:
        flat = f"{key}[{','.join(vensim_key(n) for n in names)}]"
        if flat in self.elements:
            raise self.unsupported(f"two definitions of {vensim_label(element.name)}"
                                   f"[{','.join(names)}]", element)
        variable = Variable(element, tree, ",".join(names), binding)
        variable.ident_name = f"{vensim_label(element.name)} {' '.join(names)}"
        self.elements[flat] = variable
        self.arrays.setdefault(key, []).append(",".join(names))

    def flows_of(self, tree: Any) -> list[tuple[str, int]] | None:
        """The (variable key, +1/-1) terms of a stock's rate, if it is a sum of variables."""
        from pysd.translators.structures import abstract_expressions as ae

        def term(node: Any, sign: int) -> list[tuple[str, int]] | None:
            if isinstance(node, ae.ReferenceStructure):
                key = self.flat(node.reference, node.subscripts)
                element = self.elements.get(key)
                if element is None or len(element.components) != 1 or \
                        element_kind(element) != "auxiliary":
                    return None
                return [(key, sign)]
            if isinstance(node, ae.ArithmeticStructure):
                if node.operators == ["negative"]:
                    return term(node.arguments[0], -sign)
                if all(op in "+-" for op in node.operators):
                    found = term(node.arguments[0], sign)
                    for op, arg in zip(node.operators, node.arguments[1:], strict=True):
                        more = term(arg, sign if op == "+" else -sign)
                        if found is None or more is None:
                            return None
                        found += more
                    return found
            return None

        found = term(tree, 1)
        if found is None or len({k for k, _ in found}) != len(found):
            return None
        return found

    def build(self) -> StockFlowModel:
        controls = {}
        for key, attribute in CONTROLS.items():
            element = self.controls.get(key)
            if element is not None:
                self.current = element
                controls[attribute] = self.number(element.components[0].ast, key.upper())
        missing = [k.upper().replace("_", " ") for k in ("initial_time", "final_time",
                                                         "time_step") if
                   CONTROLS[k] not in controls]
        if missing:
            raise FormatError(f"{self.where} does not define {', '.join(missing)}")
        unit = None
        for key in ("time_step", "initial_time", "final_time"):
            element = self.controls.get(key)
            if element is not None and str(element.units or "").strip():
                unit = str(element.units).strip()
                break
        self.dt, self.start = controls["dt"], controls["start"]
        model = StockFlowModel(self.model_name, start=controls["start"], stop=controls["stop"],
                               dt=controls["dt"], time_unit=unit or "time")

        # stocks first decide which variables become their flows
        inflow_of: dict[str, str] = {}
        outflow_of: dict[str, str] = {}
        stock_flows: dict[str, tuple[list[str], list[str]] | None] = {}
        for key, element in self.elements.items():
            self.at(element)
            self.current_key = key
            self.check_element(element)
            if element_kind(element) != "stock":
                continue
            terms = self.flows_of(element.components[0].ast.flow)
            usable = terms is not None and all(
                (inflow_of if sign > 0 else outflow_of).get(k) is None for k, sign in terms)
            if not usable:
                stock_flows[key] = None
                continue
            for k, sign in terms:
                (inflow_of if sign > 0 else outflow_of)[k] = key
            stock_flows[key] = ([self.ident[k] for k, s in terms if s > 0],
                                [self.ident[k] for k, s in terms if s < 0])
        flows = set(inflow_of) | set(outflow_of)

        self.pending = list(self.elements)
        while self.pending:
            key = self.pending.pop(0)
            element = self.elements[key]
            self.at(element)
            self.current_key = key
            self.check_element(element)
            ident, label = self.ident[key], element.name
            units = str(element.units).strip() or None if element.units else None
            doc = str(element.documentation).strip() or None if element.documentation else None
            component = element.components[0]
            kind = element_kind(element)
            common = {"units": units, "doc": doc, "label": label}
            if kind == "constant":
                value = float(component.ast)
                if not math.isfinite(value):
                    raise self.unsupported("the missing value :NA:" if math.isnan(value)
                                           else "an infinite number")
                low, high = (element.limits or (None, None))[:2]
                low = None if low is None or not math.isfinite(low) or low > value else low
                high = None if high is None or not math.isfinite(high) or high < value else high
                model.constant(ident, value, min=low, max=high, **common)
            elif kind == "lookup":
                model.lookup(ident, self.points(component.ast, label), **common)
            elif kind == "stock":
                integ = component.ast
                initial = ast.unparse(self.expr(integ.initial))
                planned = stock_flows.get(key)
                if planned is None:
                    net = python_identifier(f"{ident} net flow", self.taken)
                    self.taken.add(net)
                    rate = ast.unparse(self.expr(integ.flow))
                    model.flow(net, rate, units=None, doc=f"The rate of change of {label}.",
                               label=f"{label} net flow")
                    planned = ([net], [])
                model.stock(ident, initial, inflows=planned[0], outflows=planned[1], **common)
            else:
                text = ast.unparse(self.expr(component.ast))
                if key in flows:
                    model.flow(ident, text, **common)
                else:
                    model.auxiliary(ident, text, **common)
            for lookup_ident, lookup_label, table in self.extra_lookups:
                model.lookup(lookup_ident, self.points(table, lookup_label),
                             doc=f"The table of {label} (WITH LOOKUP).", label=lookup_label)
            self.extra_lookups.clear()
        model.validate()
        return model

    def check_element(self, element: Any) -> None:
        kind = element_kind(element)
        if kind == "data":
            raise self.unsupported("a data variable (values read from outside the model)",
                                   element)

    def points(self, table: Any, label: str) -> list[tuple[float, float]]:
        xs, ys = [float(x) for x in table.x], [float(y) for y in table.y]
        if getattr(table, "type", "interpolate") not in ("interpolate", None):
            raise self.unsupported(f"the lookup interpolation {table.type!r}")
        for x0, x1 in itertools.pairwise(xs):
            if x1 <= x0:
                raise self.unsupported(f"a lookup whose x values repeat ({x0:g} twice)")
        return list(zip(xs, ys, strict=True))


def read_vensim(path: str | Path, name: str | None = None) -> StockFlowModel:
    """Read a Vensim ``.mdl`` file into a native :class:`StockFlowModel`.

    Parameters
    ----------
    path : str or pathlib.Path
        The Vensim text model.
    name : str, optional
        The model's name (default: the file name without ``.mdl``).

    Returns
    -------
    StockFlowModel
        Equations in the equation language, each element labelled with its
        Vensim name, with its units and its comment as documentation.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    FormatError
        If PySD's parser cannot read the file, or it lacks INITIAL TIME,
        FINAL TIME or TIME STEP.
    UnsupportedVensimError
        If a variable uses a construct the native engine does not support
        (the message names the variable and the construct).
    ModelError, EquationError
        If the model built is not valid (e.g. an algebraic loop).

    Examples
    --------
    >>> from csframework.sd.library import world3_path
    >>> world3 = read_vensim(world3_path())
    >>> world3.name, len(world3.stocks), world3.time_unit
    ('wrld3-03', 15, 'year')
    >>> world3.stocks["population_0_to_14"].label
    'Population 0 To 14'
    """
    path = Path(path)
    abstract = abstract_model(path)
    return ModelBuilder(abstract, path, name or path.stem).build()


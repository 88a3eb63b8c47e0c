"""Model files to PySD's Python, with nothing of the file's text reaching the code.

PySD's builder writes Python from its abstract model and copies text into it:
documentation and comments into docstrings, units and names into strings,
subscript names and macro names between quotes, unknown function names into
calls. A ``\"\"\"`` or a quote in any of them escapes and runs. So a model file
takes this path:

1. PySD's own translator parses the file (`pysd.translators.vensim` or
   `pysd.translators.xmile`) into its abstract model; XMILE is first checked by
   the hardened reader (no DTD, no entities).
2. `scrub` rebuilds that abstract model from data only: every variable, macro,
   parameter and subscript gets a generated name (``v_3``, ``macro_0``,
   ``s_2``); documentation, comments, units and views are dropped (the
   originals stay on the Python side, in `Translation`); numbers must be
   numbers, operators must be ones PySD's builder knows, functions must be
   PySD's own, macros or the model's lookups; anything else (reading other
   files, data variables, unknown constructs) is refused with a `FormatError`.
   Calls of a plain lookup table are written inline (``np.interp``), PySD's
   fast path.
3. `check_data` walks the scrubbed model once more and refuses any string that
   is not an identifier or a known operator.
4. PySD's builder writes the Python; `check_code` parses the result with `ast`
   and refuses it unless every string in it is made of letters, digits, ``_``
   ``.`` and spaces (the module docstring excepted, which must be PySD's header) and it
   names none of Python's code-running built-ins.

Examples
--------
>>> check_data(["v_1", "+", 2.5, ("s_0!",)])
>>> check_data(["a b"])
Traceback (most recent call last):
...
csframework.errors.FormatError: refusing to build PySD code from the text 'a b'
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from csframework.errors import FormatError

__all__ = ["Translation", "build", "check_code", "check_data", "key", "scrub"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*!?")
_CODE_STRING = re.compile(r"[A-Za-z0-9_.,! ]*")
_OPERATORS = frozenset({"^", "*", "/", "+", "-", "=", "<>", ">=", ">", "<=", "<", ":NOT:",
                        ":AND:", ":OR:", "negative"})
_INTERPOLATIONS = frozenset({"interpolate", "extrapolate", "hold_backward", "look_forward"})
_IMPORTS = frozenset({"numpy", "xarray", "scipy", "pathlib", "pysd"})
#: The only other text PySD's builder writes (the docstring of its clock).
_PYSD_TEXTS = frozenset({"Current time of the model."})
_CONTROLS = frozenset({"initial_time", "final_time", "time_step", "saveper"})
_FORBIDDEN_NAMES = frozenset({"exec", "eval", "compile", "__import__", "open", "getattr",
                              "setattr", "delattr", "globals", "locals", "vars", "breakpoint",
                              "input", "__builtins__", "os", "sys", "subprocess", "importlib",
                              "system", "popen", "load_modules", "load_model_data"})


@dataclasses.dataclass(frozen=True)
class Translation:
    """What the Python side keeps of a model file: the originals of the generated names.

    Attributes
    ----------
    names : dict
        Generated name (``v_3``) -> the variable's name in the file.
    units : dict
        The variable's name in the file -> its units (or None).
    subscripts : dict
        Generated subscript name (``s_2``) -> its name in the file.
    """

    names: dict[str, str]
    units: dict[str, str | None]
    subscripts: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Translation:
        return cls(dict(data["names"]), dict(data["units"]), dict(data["subscripts"]))

    def original_column(self, column: str) -> str:
        """``v_3[s_1,s_2]`` -> ``Stock A[north,young]``."""
        name, _, rest = column.partition("[")
        original = self.names.get(name, name)
        if not rest:
            return original
        elements = rest.rstrip("]").split(",")
        return f"{original}[{','.join(self.subscripts.get(e.strip(), e) for e in elements)}]"


def key(name: str) -> str:
    """How PySD's builder looks names up: lower case, spaces as underscores."""
    return name.lower().replace(" ", "_")


def check_data(value: Any, where: str = "the model") -> None:
    """Refuse any string in `value` (walked through containers and PySD's dataclasses)
    that is not an identifier (optionally ending in ``!``) or an operator of PySD's."""
    if isinstance(value, str):
        if value and not (_IDENTIFIER.fullmatch(value) or value in _OPERATORS):
            raise FormatError(f"refusing to build PySD code from the text {value!r}")
    elif isinstance(value, bool | int | float | np.integer | np.floating) or value is None:
        return
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise FormatError(f"refusing to build PySD code from an array of {value.dtype} "
                              f"in {where}")
    elif isinstance(value, Path):
        check_data(value.stem, where)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_data(item, where)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_data(k, where)
            check_data(v, where)
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            check_data(getattr(value, field.name), where)
    else:
        raise FormatError(f"refusing to build PySD code from a {type(value).__name__} "
                          f"in {where}")


class _Scrubber:
    """Rebuilds PySD's abstract model from generated names and numbers (see the module)."""

    def __init__(self, where: str):
        from pysd.builders.python.python_functions import functionspace
        from pysd.translators.structures import abstract_expressions as ae

        self.ae = ae
        self.where = where
        self.functions = set(functionspace) | {"a_function_of"}
        self.macros: dict[str, str] = {}
        self.subs: dict[str, str] = {}
        self.sub_names: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.units: dict[str, str | None] = {}
        self.count = 0
        self.generic = (ae.GameStructure, ae.AllocateAvailableStructure,
                        ae.AllocateByPriorityStructure, ae.InitialStructure, ae.IntegStructure,
                        ae.DelayStructure, ae.DelayNStructure, ae.DelayFixedStructure,
                        ae.SmoothStructure, ae.SmoothNStructure, ae.TrendStructure,
                        ae.ForecastStructure, ae.SampleIfTrueStructure,
                        ae.InlineLookupsStructure)
        self.external = (ae.DataStructure, ae.GetLookupsStructure, ae.GetDataStructure,
                         ae.GetConstantsStructure)

    def refuse(self, what: str) -> FormatError:
        return FormatError(f"{self.where}: {what}")

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    # ---------------------------------------------------------------- model
    def model(self, abstract: Any, folder: Path, stem: str) -> Any:
        from pysd.translators.structures.abstract_model import AbstractModel

        sections = list(abstract.sections)
        if not sections or sections[0].type != "main":
            raise self.refuse("PySD found no main model in the file")
        for number, section in enumerate(sections[1:]):
            if section.type != "macro":
                raise self.refuse(f"a section of kind {section.type!r} is not supported")
            self.macros[key(section.name)] = f"macro_{number}"
        for section in sections:
            for subscript_range in section.subscripts:
                self.define_range(subscript_range)
        paths = [folder / f"{stem}.py", *(folder / f"{stem}_{self.macros[key(s.name)]}.py"
                                          for s in sections[1:])]
        built = tuple(self.section(s, p, main=i == 0)
                      for i, (s, p) in enumerate(zip(sections, paths, strict=True)))
        return AbstractModel(original_path=folder / f"{stem}.source", sections=built)

    def define_range(self, subscript_range: Any) -> None:
        for name in [subscript_range.name, *(subscript_range.subscripts
                                             if isinstance(subscript_range.subscripts, list)
                                             else [])]:
            if not isinstance(name, str):
                raise self.refuse(f"the subscript {name!r} is not a name")
            if key(name) not in self.subs:
                safe = self.fresh("s")
                self.subs[key(name)] = safe
                self.sub_names[safe] = name

    def sub(self, name: Any) -> str:
        if not isinstance(name, str):
            raise self.refuse(f"the subscript {name!r} is not a name")
        base, bang = (name[:-1], "!") if name.endswith("!") else (name, "")
        safe = self.subs.get(key(base.strip()))
        if safe is None:
            raise self.refuse(f"the subscript {base!r} is not defined")
        return safe + bang

    def subscript_range(self, subscript_range: Any) -> Any:
        subscripts = subscript_range.subscripts
        if isinstance(subscripts, dict):
            raise self.refuse(f"the subscript range {subscript_range.name!r} reads its elements "
                              "from another file, which is not allowed")
        subscripts = ([self.sub(s) for s in subscripts] if isinstance(subscripts, list)
                      else self.sub(subscripts))
        mapping = []
        for item in subscript_range.mapping:
            if isinstance(item, str):
                mapping.append(self.sub(item))
            elif isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str):
                mapping.append(type(item)([self.sub(item[0]), [self.sub(s) for s in item[1]]]))
            else:
                raise self.refuse(f"the subscript mapping {item!r} is not supported")
        return dataclasses.replace(subscript_range, name=self.sub(subscript_range.name),
                                   subscripts=subscripts, mapping=mapping)

    # -------------------------------------------------------------- section
    def section(self, section: Any, path: Path, main: bool) -> Any:
        local: dict[str, str] = {}
        macro_name = None if main else self.macros[key(section.name)]
        params = []
        for param in section.params:
            local[key(param)] = self.fresh("v")
            params.append(local[key(param)])
        returns = []
        for element in section.elements:
            k = key(element.name)
            if k == "time":
                raise self.refuse("a variable may not be called 'Time' (it is the clock)")
            if k in local:
                continue
            if k in _CONTROLS:
                local[k] = k
            elif macro_name is not None and k == key(section.name):
                local[k] = macro_name
            else:
                local[k] = self.fresh("v")
            if main:
                self.names[local[k]] = element.name
                self.units[element.name] = element.units or None
        for name in section.returns:
            if key(name) not in local:
                raise self.refuse(f"the macro output {name!r} is not defined in the macro")
            returns.append(local[key(name)])
        tables = {}
        for element in section.elements:
            table = self.inline_table(element)
            if table is not None:
                tables[local[key(element.name)]] = table
        elements = tuple(self.element(e, local, tables) for e in section.elements)
        return dataclasses.replace(
            section, name="__main__" if main else macro_name, path=path, params=params,
            returns=returns, subscripts=tuple(self.subscript_range(s) for s in section.subscripts),
            elements=elements, constraints=(), test_inputs=(), split=False, views_dict=None)

    def inline_table(self, element: Any) -> Any:
        """The table of a plain lookup element (one unsubscripted, interpolated table)."""
        ae = self.ae
        if len(element.components) != 1:
            return None
        component = element.components[0]
        table = component.ast
        if (component.subscripts != ([], []) or type(table) is not ae.LookupsStructure
                or table.type != "interpolate" or len(table.x) < 2):
            return None
        x = np.asarray(table.x, dtype=float)
        return table if bool(np.all(np.diff(x) > 0)) else None

    def element(self, element: Any, local: dict[str, str], tables: dict[str, Any]) -> Any:
        from pysd.translators.structures import abstract_model as am

        where = f"variable {element.name!r}"
        components = []
        for component in element.components:
            if isinstance(component, am.AbstractData):
                raise self.refuse(f"the data {where} needs values from another file, which "
                                  "is not allowed")
            if type(component) not in (am.AbstractComponent, am.AbstractLookup,
                                       am.AbstractUnchangeableConstant):
                raise self.refuse(f"{where} is a {type(component).__name__}, not supported")
            for text in (component.type, component.subtype):
                if not (isinstance(text, str) and text.replace(" ", "").isalpha()):
                    raise self.refuse(f"{where} has the unexpected kind {text!r}")
            changes: dict[str, Any] = {
                "subscripts": ([self.sub(s) for s in component.subscripts[0]],
                               [[self.sub(s) for s in group] for group in component.subscripts[1]]),
                # plain tables are inlined where the equation has no subscripts: PySD's
                # inline form does not take a subscripted argument
                "ast": self.node(component.ast, local,
                                 tables if component.subscripts == ([], []) else {}, where)}
            if isinstance(component, am.AbstractLookup) and not (
                    isinstance(component.arguments, str)
                    and _IDENTIFIER.fullmatch(component.arguments)):
                raise self.refuse(f"{where} has the lookup argument {component.arguments!r}")
            components.append(dataclasses.replace(component, **changes))
        limits = tuple(None if v is None else self.number(v, where) for v in element.limits)
        return dataclasses.replace(element, name=local[key(element.name)], components=components,
                                   units="", limits=limits, documentation="")

    def number(self, value: Any, where: str) -> float | int:
        if isinstance(value, bool | int | float | np.integer | np.floating):
            return value
        raise self.refuse(f"{where} has {value!r} where a number belongs")

    # ---------------------------------------------------------- expressions
    def node(self, node: Any, local: Mapping[str, str], tables: Mapping[str, Any],
             where: str) -> Any:
        ae = self.ae
        kind = type(node)
        if node is None or isinstance(node, bool | int | float | np.integer | np.floating):
            return node
        if isinstance(node, np.ndarray):
            if node.dtype.kind not in "biuf":
                raise self.refuse(f"{where} holds an array of {node.dtype}, not numbers")
            return node
        if isinstance(node, list | tuple):
            return type(node)(self.node(n, local, tables, where) for n in node)
        if kind is ae.ReferenceStructure:
            return ae.ReferenceStructure(self.reference(node.reference, local, where),
                                         self.node(node.subscripts, local, tables, where))
        if kind is ae.SubscriptsReferenceStructure:
            return ae.SubscriptsReferenceStructure(type(node.subscripts)(
                self.sub(s) for s in node.subscripts))
        if kind in (ae.ArithmeticStructure, ae.LogicStructure):
            for operator in node.operators:
                if operator not in _OPERATORS:
                    raise self.refuse(f"{where} uses the operator {operator!r}")
            return kind(list(node.operators), self.node(list(node.arguments), local, tables,
                                                        where))
        if kind is ae.CallStructure:
            return self.call(node, local, tables, where)
        if kind is ae.LookupsStructure:
            if node.type not in _INTERPOLATIONS:
                raise self.refuse(f"{where} has a table of kind {node.type!r}")
            for values in (node.x, node.y, node.x_limits, node.y_limits):
                for v in values:
                    if v is not None:
                        self.number(v, where)
            return node
        if kind in self.external:
            raise self.refuse(f"{where} reads values from another file ({kind.__name__}), "
                              "which is not allowed")
        if kind in self.generic:
            return dataclasses.replace(node, **{
                f.name: self.node(getattr(node, f.name), local, tables, where)
                for f in dataclasses.fields(node)})
        raise self.refuse(f"{where} uses {kind.__name__}, which is not supported")

    def reference(self, name: Any, local: Mapping[str, str], where: str) -> str:
        if not isinstance(name, str):
            raise self.refuse(f"{where} refers to {name!r}")
        k = key(name)
        if k in local:
            return local[k]
        if k == "time" or k in _CONTROLS:
            return k
        if k in self.subs:
            return self.subs[k]
        raise self.refuse(f"{where} refers to {name!r}, which is not defined")

    def call(self, node: Any, local: Mapping[str, str], tables: Mapping[str, Any],
             where: str) -> Any:
        ae = self.ae
        name = node.function.reference if type(node.function) is ae.ReferenceStructure else None
        if not isinstance(name, str):
            raise self.refuse(f"{where} calls {node.function!r}")
        arguments = tuple(self.node(a, local, tables, where) for a in node.arguments)
        k = key(name)
        if k in self.macros:
            function = self.macros[k]
        elif k in local:
            function = local[k]
            if function in tables and len(arguments) == 1 and node.function.subscripts is None:
                return ae.InlineLookupsStructure(arguments[0], tables[function])
        elif name in self.functions or k in self.functions:   # PySD has "Xpulse" for XMILE
            function = name if name in self.functions else k
        else:
            raise self.refuse(f"{where} calls {name!r}, which is neither a function PySD "
                              "knows nor a macro or lookup of the model")
        subscripts = self.node(node.function.subscripts, local, tables, where)
        return ae.CallStructure(ae.ReferenceStructure(function, subscripts), arguments)


def scrub(abstract: Any, folder: Path, stem: str, where: str) -> tuple[Any, Translation]:
    """PySD's abstract model rebuilt from generated names (see the module); files go to `folder`.

    Returns the scrubbed abstract model (already checked by `check_data`) and
    the `Translation` that maps the generated names back.
    """
    scrubber = _Scrubber(where)
    clean = scrubber.model(abstract, folder, stem)
    for section in clean.sections:
        check_data(dataclasses.replace(section, path=Path(section.path.name)), where)
    return clean, Translation(scrubber.names, scrubber.units, scrubber.sub_names)


def check_code(path: Path, where: str) -> None:
    """Refuse generated Python that holds text other than names, or names code-running built-ins."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    if docstring is not None and docstring != (f"\nPython model '{path.name}'\n"
                                               "Translated using PySD\n"):
        raise FormatError(f"{where}: the code PySD generated has an unexpected header")
    body = tree.body[1:] if docstring is not None else tree.body
    for node in (n for top in body for n in ast.walk(top)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            if isinstance(node.value, bytes) or not (_CODE_STRING.fullmatch(node.value)
                                                     or node.value.strip() in _PYSD_TEXTS):
                raise FormatError(f"{where}: the code PySD generated holds the text "
                                  f"{node.value!r}; refusing to run it")
        elif (isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES) or (
                isinstance(node, ast.Attribute) and node.attr in _FORBIDDEN_NAMES):
            name = node.id if isinstance(node, ast.Name) else node.attr
            raise FormatError(f"{where}: the code PySD generated uses {name!r}; refusing to "
                              "run it")
        elif (isinstance(node, ast.Import) and any(
                alias.name not in _IMPORTS for alias in node.names)) or (isinstance(
                node, ast.ImportFrom) and not (node.module in _IMPORTS
                                               or (node.module or "").startswith("pysd."))):
            raise FormatError(f"{where}: the code PySD generated imports something other than "
                              "PySD, NumPy, xarray or SciPy; refusing to run it")
        elif isinstance(node, ast.JoinedStr):
            raise FormatError(f"{where}: the code PySD generated formats text; refusing to run it")


def build(source: Path, suffix: str, folder: Path, stem: str, where: str
          ) -> tuple[list[Path], Translation]:
    """Translate the model file `source` into checked Python files in `folder`.

    Returns the files written (the main model first, then one per macro) and
    the `Translation`.

    Raises
    ------
    FormatError
        When PySD cannot parse the file, or it needs something refused above.
    """
    import warnings

    from pysd.builders.python.python_model_builder import ModelBuilder

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if suffix == ".mdl":
                from pysd.translators.vensim.vensim_file import VensimFile

                from csframework.sd._pysd_guard import guard

                guard()  # PySD's Vensim parser would eval() text from the file

                parsed = VensimFile(source)
            else:
                from pysd.translators.xmile.xmile_file import XmileFile

                parsed = XmileFile(source)
            parsed.parse()
            abstract = parsed.get_abstract_model()
    except Exception as exc:  # PySD's parsers raise many kinds; name the model and the cause
        raise FormatError(f"PySD could not read {where}: {type(exc).__name__}: {exc}") from exc
    clean, translation = scrub(abstract, folder, stem, where)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ModelBuilder(clean).build_model()
    except Exception as exc:
        raise FormatError(f"PySD could not translate {where}: {type(exc).__name__}: "
                          f"{exc}") from exc
    files = [Path(section.path) for section in clean.sections]
    for file in files:
        check_code(file, where)
    return files, translation

"""Vensim elements as the builder sees them: names, kinds and scalar variables.

`vensim_key` is the form under which Vensim names are equal, `vensim_label` the
name as shown; a `Variable` is one scalar variable of the native model (a
Vensim element, or one element of a subscripted one); `element_kind` says
what it becomes (stock, flow or auxiliary, constant, lookup).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CONTROLS", "Component", "Variable", "element_kind", "vensim_key", "vensim_label"]

#: Vensim's time settings and the model attribute each one sets.
CONTROLS = {"initial_time": "start", "final_time": "stop", "time_step": "dt",
            "saveper": "saveper"}


def vensim_key(name: str) -> str:
    """The form under which Vensim names (and PySD's references to them) are equal."""
    text = str(name).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return re.sub(r"[\s_]+", "_", text.strip().lower())


def vensim_label(name: str) -> str:
    """A Vensim name as shown: without quotes, its runs of spaces one space."""
    text = str(name).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return " ".join(text.split())


class Component:
    """One scalar definition: a whole element, or one element of a subscripted one."""

    __slots__ = ("ast", "data", "subscripts")

    def __init__(self, tree: Any, data: bool = False):
        self.ast, self.data, self.subscripts = tree, data, ([], [])


class Variable:
    """A scalar variable of the native model: a Vensim element, or one of its subscripts.

    ``x[north]`` becomes the variable ``x north`` (label ``x[north]``).
    """

    def __init__(self, element: Any, tree: Any, subscript: str | None = None,
                 binding: dict[str, str] | None = None):
        base = vensim_label(element.name)
        self.name = base if subscript is None else f"{base}[{subscript}]"
        self.ident_name = base if subscript is None else f"{base} {subscript}"
        self.components = [Component(tree, type(element.components[0]).__name__ ==
                                      "AbstractData")]
        self.units, self.limits = element.units, element.limits
        self.documentation = element.documentation
        self.binding = binding or {}     # range key -> the element this variable is at
        self.scope: dict[str, Any] | None = None   # a macro copy: its arguments and names


def element_kind(element: Any) -> str:
    """What a Vensim element becomes: ``stock``, ``lookup``, ``constant``, ``data`` or
    ``auxiliary`` (an auxiliary may become a flow of a stock)."""
    from pysd.translators.structures import abstract_expressions as ae

    component = element.components[0]
    if getattr(component, "data", False):
        return "data"
    tree = component.ast
    if isinstance(tree, ae.LookupsStructure):
        return "lookup"
    if isinstance(tree, ae.IntegStructure):
        return "stock"
    if isinstance(tree, bool):
        return "auxiliary"
    if isinstance(tree, int | float) or (type(tree).__module__ == "numpy"
                                         and getattr(tree, "shape", None) == ()):
        return "constant"
    return "auxiliary"

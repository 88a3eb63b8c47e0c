"""Mermaid flowchart source for a causal loop diagram (GitHub and JupyterLab Markdown).

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> print(to_mermaid(CausalLoopDiagram.from_text("a -> b : -")))
flowchart LR
    n0["a"]
    n1["b"]
    n0 -->|"−"| n1
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["to_mermaid"]


def to_mermaid(cld: CausalLoopDiagram) -> str:
    """Mermaid flowchart source (renders in GitHub and JupyterLab Markdown).

    Texts are escaped with Mermaid's entity codes wherever Mermaid would read
    a character as syntax or Markdown: quotes, brackets, pipes, ``#``, ``;``,
    ``<``, ``>``, ``&``, backticks, ``*`` and ``_``. The ``+`` sign is written
    ``#43;``: Mermaid reads a label that starts with ``+ `` (or is just ``+``)
    as a Markdown list and shows "Unsupported markdown: list" on the edge
    instead of the sign. The minus is the typographic ``−``, which Markdown
    leaves alone.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text('"# of pupils [Y7]" -> noise : +')
    >>> print(cld.to_mermaid())
    flowchart LR
        n0["#35; of pupils #91;Y7#93;"]
        n1["noise"]
        n0 -->|"#43;"| n1
    """
    ids = {v.name: f"n{i}" for i, v in enumerate(cld.variables)}
    lines = ["flowchart LR"]
    for v in cld.variables:
        lines.append(f"    {ids[v.name]}[\"{_mermaid_text(v.display)}\"]")
    for link in cld.links:
        label = ("#43;" if link.sign == "+" else "−") + (" ‖" if link.delay else "")
        lines.append(f"    {ids[link.cause]} -->|\"{label}\"| {ids[link.effect]}")
    return "\n".join(lines)


#: Characters Mermaid reads as syntax (quotes, brackets, pipes, entity codes,
#: statement ends, HTML) or Markdown inside a label, as Mermaid entity codes.
_MERMAID_ESCAPES = str.maketrans({ch: f"#{ord(ch)};" for ch in '#"[](){}|;<>&`*_\\'} | {
    '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"})
_MARKDOWN_START = re.compile(r"^(?:[-+]|[0-9]+[.)])(?=\s|$)")


def _mermaid_text(text: str) -> str:
    escaped = str(text).translate(_MERMAID_ESCAPES)
    # "- x", "+ x" or "1. x" at the start would be read as a Markdown list
    return _MARKDOWN_START.sub(lambda m: "".join(f"#{ord(c)};" for c in m.group()), escaped)

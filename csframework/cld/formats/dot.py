"""Graphviz DOT source for a causal loop diagram.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> print(to_dot(CausalLoopDiagram.from_text("a -> b : - delay")).splitlines()[-2])
    "a" -> "b" [headlabel="−", labeldistance=1.6, label="‖"];
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csframework.style import PALETTE

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["to_dot"]


def to_dot(cld: CausalLoopDiagram) -> str:
    """Graphviz DOT source: ``+``/``−`` labels at the arrow head, ‖ on delays.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> print(CausalLoopDiagram.from_text("a -> b : +", title="T").to_dot())
    digraph "T" {
        graph [label="T", labelloc=t];
        node [shape=plaintext, fontname="Helvetica"];
        edge [fontname="Helvetica"];
        "a";
        "b";
        "a" -> "b" [headlabel="+", labeldistance=1.6];
    }
    """
    lines = [f"digraph {_dot_quote(cld.title or 'CLD')} {{"]
    if cld.title:
        lines.append(f"    graph [label={_dot_quote(cld.title)}, labelloc=t];")
    lines.append('    node [shape=plaintext, fontname="Helvetica"];')
    lines.append('    edge [fontname="Helvetica"];')
    for v in cld.variables:
        attrs = [f"label={_dot_quote(v.label)}"] if v.label else []
        if v.facet:
            attrs.append(f"fontcolor={_dot_quote(PALETTE[v.facet])}")
        lines.append(f"    {_dot_quote(v.name)}{' [' + ', '.join(attrs) + ']' if attrs else ''};")
    for link in cld.links:
        sign = "+" if link.sign == "+" else "−"
        attrs = [f"headlabel={_dot_quote(sign)}", "labeldistance=1.6"]
        if link.delay:
            attrs.append('label="‖"')
        if link.note:
            attrs.append(f"tooltip={_dot_quote(link.note)}")
        lines.append(f"    {_dot_quote(link.cause)} -> {_dot_quote(link.effect)} "
                     f"[{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines)


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

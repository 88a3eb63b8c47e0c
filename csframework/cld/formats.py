"""Exchange formats for causal loop diagrams: JSON, Kumu, Graphviz DOT, Mermaid.

The csframework JSON format carries a schema version and round-trips exactly:
variables and links keep their order, facets, notes, delays and the story
names given to loops. Kumu blueprints (``{"elements": [...], "connections":
[...]}``) import into Kumu, with the polarity as the connection type.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text("effort -> results : + delay\\nresults -> effort : -")
>>> CausalLoopDiagram.from_json(cld.to_json()) == cld
True
>>> print(cld.to_mermaid())
flowchart LR
    n0["effort"]
    n1["results"]
    n0 -->|"+ ‖"| n1
    n1 -->|"−"| n0
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from csframework.errors import CSFrameworkError, FormatError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["SCHEMA", "SCHEMA_VERSION", "from_json", "from_kumu", "to_dot", "to_json", "to_kumu",
           "to_mermaid"]

SCHEMA = "csframework.cld"
SCHEMA_VERSION = 1


def to_dict(cld: CausalLoopDiagram) -> dict[str, Any]:
    """The diagram as plain data, in the versioned csframework schema."""
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "title": cld.title,
        "variables": [_without_none({"name": v.name, "facet": v.facet, "note": v.note,
                                      "label": v.label})
                      for v in cld.variables],
        "links": [_without_none({"cause": link.cause, "effect": link.effect,
                                 "polarity": link.sign, "delay": link.delay,
                                 "note": link.note})
                  for link in cld.links],
        "loop_stories": [{"variables": list(key), "story": story}
                         for key, story in cld.story_names.items()],
    }


def to_json(cld: CausalLoopDiagram, indent: int | None = 2) -> str:
    """Versioned csframework JSON (see :func:`from_json`)."""
    return json.dumps(to_dict(cld), indent=indent, ensure_ascii=False)


def from_json(text: str | bytes) -> CausalLoopDiagram:
    """Read csframework JSON, or a Kumu blueprint (recognised by its keys).

    Raises
    ------
    FormatError
        For text that is not JSON, a newer schema version, or a missing field;
        the message says which.
    """
    data = _load(text, "diagram JSON")
    if "elements" in data or "connections" in data:
        return _from_kumu_data(data)
    return from_dict(data)


def from_dict(data: dict[str, Any]) -> CausalLoopDiagram:
    """Build a diagram from :func:`to_dict` data."""
    from csframework.cld.diagram import CausalLoopDiagram

    if data.get("schema") != SCHEMA:
        raise FormatError(f"not a csframework diagram: schema is {data.get('schema')!r}, "
                          f"expected {SCHEMA!r} (or a Kumu blueprint with 'elements')")
    version = data.get("version")
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
        raise FormatError(f"diagram schema version {version!r} is not supported; this "
                          f"csframework reads versions 1 to {SCHEMA_VERSION}")
    cld = CausalLoopDiagram(data.get("title"))
    try:
        for i, v in enumerate(data.get("variables", [])):
            _require(v, ("name",), f"variables[{i}]")
            label = v.get("label")
            if label is not None and not isinstance(label, str):
                raise FormatError(f"variables[{i}].label must be text, not {label!r}")
            cld.add_variable(v["name"], facet=v.get("facet"), note=v.get("note"), label=label)
        for i, link in enumerate(data.get("links", [])):
            _require(link, ("cause", "effect", "polarity"), f"links[{i}]")
            cld.link(link["cause"], link["effect"], link["polarity"],
                     delay=bool(link.get("delay", False)), note=link.get("note"))
        stories = {tuple(s["variables"]): s["story"] for s in data.get("loop_stories", [])}
    except (CSFrameworkError, TypeError, KeyError) as err:
        if isinstance(err, FormatError):
            raise
        raise FormatError(f"invalid diagram JSON: {err}") from None
    if stories:
        from csframework.cld.loops import canonical_rotation

        cld._story_names = {canonical_rotation(k): str(v) for k, v in stories.items() if k}
    return cld


def to_kumu(cld: CausalLoopDiagram, indent: int | None = 2) -> str:
    """A Kumu blueprint: elements and connections with ``+``/``-`` types and delays.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : - delay")
    >>> data = json.loads(cld.to_kumu())
    >>> data["connections"][0]  # doctest: +NORMALIZE_WHITESPACE
    {'from': 'a', 'to': 'b', 'type': '-', 'direction': 'directed',
     'delay': 'yes', 'tags': ['delay']}
    """
    elements = []
    for v in cld.variables:
        element: dict[str, Any] = {"label": v.name, "type": "variable"}
        if v.facet:
            element["facet"] = v.facet
            element["tags"] = [v.facet]
        if v.note:
            element["description"] = v.note
        elements.append(element)
    connections = []
    for link in cld.links:
        connection: dict[str, Any] = {"from": link.cause, "to": link.effect, "type": link.sign,
                                      "direction": "directed"}
        if link.delay:
            connection["delay"] = "yes"
            connection["tags"] = ["delay"]
        if link.note:
            connection["description"] = link.note
        connections.append(connection)
    blueprint: dict[str, Any] = {"elements": elements, "connections": connections}
    if cld.title:
        blueprint["label"] = cld.title
    return json.dumps(blueprint, indent=indent, ensure_ascii=False)


def from_kumu(text: str | bytes) -> CausalLoopDiagram:
    """Read a Kumu blueprint (as written by :func:`to_kumu` or exported from Kumu)."""
    return _from_kumu_data(_load(text, "Kumu JSON"))


def _from_kumu_data(data: dict[str, Any]) -> CausalLoopDiagram:
    from csframework.cld.diagram import CausalLoopDiagram

    cld = CausalLoopDiagram(data.get("label") or data.get("title"))
    ids: dict[str, str] = {}
    try:
        for i, element in enumerate(data.get("elements", [])):
            _require(element, ("label",), f"elements[{i}]")
            name = element["label"]
            ids[str(element.get("_id", element.get("id", name)))] = name
            facet = element.get("facet")
            if facet is None:
                facet = next((t for t in element.get("tags", []) if t in ("self", "others",
                                                                          "world")), None)
            cld.add_variable(name, facet=facet, note=element.get("description"))
        for i, conn in enumerate(data.get("connections", [])):
            _require(conn, ("from", "to"), f"connections[{i}]")
            polarity = conn.get("type", conn.get("connection type", "+"))
            delay = (str(conn.get("delay", "")).lower() in ("yes", "true", "1")
                     or "delay" in conn.get("tags", []))
            cld.link(ids.get(str(conn["from"]), conn["from"]), ids.get(str(conn["to"]), conn["to"]),
                     polarity, delay=delay, note=conn.get("description"))
    except FormatError:
        raise
    except (CSFrameworkError, TypeError) as err:
        raise FormatError(f"invalid Kumu JSON: {err}") from None
    return cld


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
    from csframework.style import PALETTE

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


def to_mermaid(cld: CausalLoopDiagram) -> str:
    """Mermaid flowchart source (renders in GitHub and JupyterLab Markdown)."""
    ids = {v.name: f"n{i}" for i, v in enumerate(cld.variables)}
    lines = ["flowchart LR"]
    for v in cld.variables:
        lines.append(f"    {ids[v.name]}[\"{_mermaid_text(v.display)}\"]")
    for link in cld.links:
        label = ("+" if link.sign == "+" else "−") + (" ‖" if link.delay else "")
        lines.append(f"    {ids[link.cause]} -->|\"{label}\"| {ids[link.effect]}")
    return "\n".join(lines)


def _load(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as err:
        raise FormatError(f"{what} could not be parsed: {err}") from None
    if not isinstance(data, dict):
        raise FormatError(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


def _require(item: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(item, dict):
        raise FormatError(f"{where} must be an object, got {item!r}")
    missing = [k for k in keys if k not in item]
    if missing:
        raise FormatError(f"{where} is missing {', '.join(repr(k) for k in missing)}: {item!r}")


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v is not False}


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid_text(text: str) -> str:
    return str(text).replace('"', "#quot;")

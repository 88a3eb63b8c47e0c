"""Kumu blueprints: written for import into Kumu, and read back from Kumu's own export.

The polarity travels as the connection type, a delay as a tag, the loops
with their story names, and positions as ``x``/``y`` in Kumu pixels
(:data:`KUMU_SCALE` per unit, y pointing down).

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text("a -> b : +")
>>> from_kumu(to_kumu(cld), CausalLoopDiagram) == cld
True
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from csframework.cld.elements import Polarity
from csframework.cld.formats.reading import (
    described,
    list_field,
    load_object,
    located,
    number_field,
    optional_text_field,
    require_keys,
    short,
    text_field,
)
from csframework.cld.loops import canonical_rotation
from csframework.errors import FormatError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["KUMU_SCALE", "from_kumu", "read_kumu_data", "to_kumu"]

#: Kumu pixels per unit of :attr:`CausalLoopDiagram.positions`. A power of two,
#: so that positions survive an export and import exactly; Kumu's y axis points down.
KUMU_SCALE = 512

_AUTOMATIC_LOOP_NAME = re.compile(r"[RB][0-9]+")


def to_kumu(cld: CausalLoopDiagram, indent: int | None = 2) -> str:
    """A Kumu blueprint: elements, connections and loops, with positions when placed.

    Each connection has the polarity as its ``type`` (``"+"`` or ``"-"``), the
    tag ``delay`` and ``"delay": "yes"`` when delayed, and an ``id`` that the
    loops refer to. Each loop of :meth:`CausalLoopDiagram.loops` becomes a Kumu
    loop labelled with its story name (or "R1", "B2" when it has none), with
    its kind and path in the description. Variables placed with
    :meth:`CausalLoopDiagram.place` get ``x``/``y`` in Kumu pixels
    (:data:`KUMU_SCALE` per unit, y pointing down).

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : - delay\\nb -> a : +")
    >>> _ = cld.name_loop("B1", "the brake")
    >>> cld.place("a", 0, 0.5)
    (0.0, 0.5)
    >>> data = json.loads(cld.to_kumu())
    >>> data["connections"][0]  # doctest: +NORMALIZE_WHITESPACE
    {'id': 'c1', 'from': 'a', 'to': 'b', 'type': '-', 'direction': 'directed',
     'delay': 'yes', 'tags': ['delay']}
    >>> data["elements"][0]
    {'label': 'a', 'type': 'variable', 'x': 0.0, 'y': -256.0}
    >>> data["loops"][0]  # doctest: +NORMALIZE_WHITESPACE
    {'id': 'loop-B1', 'label': 'the brake', 'connections': ['c1', 'c2'],
     'loop type': 'balancing', 'description': 'B1, balancing: a -> b -> a'}
    """
    elements = []
    positions = cld.positions
    for v in cld.variables:
        element: dict[str, Any] = {"label": v.name, "type": "variable"}
        if v.facet:
            element["facet"] = v.facet
            element["tags"] = [v.facet]
        if v.note:
            element["description"] = v.note
        if v.name in positions:
            x, y = positions[v.name]
            element["x"], element["y"] = x * KUMU_SCALE, -y * KUMU_SCALE + 0.0
        elements.append(element)
    connections = []
    ids: dict[tuple[str, str], str] = {}
    for number, link in enumerate(cld.links, start=1):
        ids[link.cause, link.effect] = f"c{number}"
        connection: dict[str, Any] = {"id": f"c{number}", "from": link.cause, "to": link.effect,
                                      "type": link.sign, "direction": "directed"}
        if link.delay:
            connection["delay"] = "yes"
            connection["tags"] = ["delay"]
        if link.note:
            connection["description"] = link.note
        connections.append(connection)
    loops = []
    for loop in cld.loops():
        loops.append({
            "id": f"loop-{loop.name}",
            "label": loop.story or loop.name,
            "connections": [ids[link.cause, link.effect] for link in loop.links],
            "loop type": loop.kind,
            "description": f"{loop.name}, {loop.kind}: {loop.path()}",
        })
    blueprint: dict[str, Any] = {"elements": elements, "connections": connections}
    if loops:
        blueprint["loops"] = loops
    if cld.title:
        blueprint["label"] = cld.title
    return json.dumps(blueprint, indent=indent, ensure_ascii=False)


def from_kumu(text: str | bytes, cls: type[CausalLoopDiagram]) -> CausalLoopDiagram:
    """Read a Kumu blueprint (written by :func:`to_kumu`, or Kumu's own project export) as a `cls`.

    `cls` is the diagram class to build,
    :class:`~csframework.cld.diagram.CausalLoopDiagram`.

    What is read, and where from:

    - **elements**: the label from ``label`` or ``attributes.label``; ids from
      ``_id`` or ``id`` (connections may refer to elements by id or label);
      the note from ``description``; a facet from ``facet`` or a tag
      ``self``/``others``/``world``; a position from ``x``/``y`` or, in a
      project export, from the first map's element positions.
    - **connections**: ``from``/``to``; the polarity from ``type``, ``connection
      type`` (also inside ``attributes``) or a tag ``+``/``-``; a delay from
      ``delayed``/``delay`` (``true``/``false`` or the field values
      ``"yes"``/``"no"``) or a tag ``delay``.
    - **loops**: the label (a story name unless it is "R1", "B2", ...) and the
      ``connections`` it groups, which must form one feedback loop.

    Raises
    ------
    FormatError
        Naming the element, connection or loop and what is wrong with it: a
        connection without a polarity, an undirected or reversed connection,
        two elements with one label, a delay that is not yes or no, a loop
        that is not a feedback loop of the diagram.
    """
    return read_kumu_data(load_object(text, "Kumu JSON"), cls)


_FACET_TAGS = ("self", "others", "world")
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": False}


def read_kumu_data(data: dict[str, Any], cls: type[CausalLoopDiagram]) -> CausalLoopDiagram:
    """A diagram of class `cls` from parsed Kumu JSON (see :func:`from_kumu`)."""
    what = "Kumu JSON"
    title = next((data[k] for k in ("label", "title", "name") if isinstance(data.get(k), str)
                  and data[k].strip()), None)
    with located(what, "label"):
        cld = cls(title)
    ids: dict[str, str] = {}
    labelled: dict[str, int] = {}
    positions: dict[str, tuple[Any, Any]] = {}
    for i, element in enumerate(list_field(data, "elements", what)):
        where = f"elements[{i}]"
        if not isinstance(element, dict):
            raise FormatError(f"invalid {what}: {where} must be an object, got "
                              f"{described(element)}")
        attributes = _attributes(element, where)
        label = _field(element, attributes, "label")
        if label is None:
            raise FormatError(f"invalid {what}: {where} has no label: {short(element)}")
        with located(what, where):
            name = cld.add_variable(text_field(label, "label")).name
            if name in labelled:
                raise FormatError(f"elements[{labelled[name]}] and {where} are both labelled "
                                  f"{name!r}; a causal loop diagram has one variable per name "
                                  "(rename one of them in Kumu)")
            labelled[name] = i
            for key in ("_id", "id"):
                if element.get(key) is not None:
                    ids[text_field(element[key], key)] = name
            facet = _field(element, attributes, "facet")
            if facet is None:
                facet = next((t for t in _tags(element, attributes) if t in _FACET_TAGS), None)
            cld.add_variable(name, facet=optional_text_field(facet, "facet"),
                             note=optional_text_field(_field(element, attributes, "description"),
                                                 "description"))
            x, y = _field(element, attributes, "x"), _field(element, attributes, "y")
            if x is not None or y is not None:
                positions[name] = (x, y)
    positions = _map_positions(data, ids, what) | positions
    links: dict[str, tuple[str, str]] = {}
    for i, conn in enumerate(list_field(data, "connections", what)):
        require_keys(conn, ("from", "to"), f"connections[{i}]")
        attributes = _attributes(conn, f"connections[{i}]")
        ends = []
        for key in ("from", "to"):
            ref = conn[key]
            if not isinstance(ref, str):
                raise FormatError(f'invalid {what}: connections[{i}] "{key}" must be an element '
                                  f"id or label, got {described(ref)}")
            ends.append(ids.get(ref, ref))
        cause, effect = ends
        where = f"connections[{i}] ({cause!r} -> {effect!r})"
        with located(what, where):
            direction = _field(conn, attributes, "direction")
            if direction not in (None, "directed"):
                raise FormatError(f"the connection is {described(direction)}; a causal link "
                                  "runs one way (make it directed in Kumu)")
            if conn.get("reversed") not in (None, False):
                raise FormatError("the connection is marked reversed; flip it in Kumu so that "
                                  "it points from cause to effect")
            link = cld.link(cause, effect, _kumu_polarity(conn, attributes),
                            delay=_kumu_delay(conn, attributes),
                            note=optional_text_field(_field(conn, attributes, "description"),
                                                "description"))
            for key in ("_id", "id"):
                if conn.get(key) is not None:
                    links[text_field(conn[key], key)] = (link.cause, link.effect)
    for i, loop in enumerate(list_field(data, "loops", what)):
        _read_kumu_loop(cld, loop, i, links, what)
    for name, (x, y) in positions.items():
        with located(what, f"the position of {name!r}"):
            if x is None or y is None:
                raise FormatError("a position needs both x and y")
            cld.place(name, number_field(x, "x") / KUMU_SCALE,
                      -number_field(y, "y") / KUMU_SCALE + 0.0)
    return cld


def _attributes(item: dict[str, Any], where: str) -> dict[str, Any]:
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        raise FormatError(f"invalid Kumu JSON: {where} \"attributes\" must be an object, got "
                          f"{described(attributes)}")
    return attributes


def _field(item: dict[str, Any], attributes: dict[str, Any], key: str) -> Any:
    """A field from the item itself or, as Kumu's project export has it, its attributes."""
    value = item.get(key)
    return attributes.get(key) if value is None else value


def _tags(item: dict[str, Any], attributes: dict[str, Any]) -> list[str]:
    tags = _field(item, attributes, "tags")
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split("|")  # Kumu's spreadsheet convention
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise FormatError(f'"tags" must be a list of text, got {described(tags)}')
    return [t.strip().lower() for t in tags]


def _kumu_polarity(conn: dict[str, Any], attributes: dict[str, Any]) -> str:
    for key in ("type", "connection type", "polarity"):
        value = _field(conn, attributes, key)
        if value is not None:
            if not isinstance(value, str):
                raise FormatError(f'"{key}" must be "+" or "-", got {described(value)}')
            return value
    signs = [t for t in _tags(conn, attributes) if t in ("+", "-", "\u2212", "positive",
                                                          "negative", "same", "opposite")]
    if len({Polarity.parse(t) for t in signs}) == 1:
        return signs[0]
    if signs:
        raise FormatError(f"the tags give both polarities: {signs}")
    raise FormatError('the connection has no polarity; give it the connection type "+" or "-" '
                      "in Kumu (or a tag + or -)")


def _kumu_delay(conn: dict[str, Any], attributes: dict[str, Any]) -> bool:
    delay = False
    for key in ("delayed", "delay"):
        value = _field(conn, attributes, key)
        if value is None:
            continue
        if isinstance(value, str) and value.strip().lower() in _YES:
            value = _YES[value.strip().lower()]
        if not isinstance(value, bool):
            raise FormatError(f'"{key}" must be true or false (or "yes"/"no"), got '
                              f"{described(value)}")
        delay = delay or value
    return delay or any(t in ("delay", "delayed") for t in _tags(conn, attributes))


def _map_positions(data: dict[str, Any], ids: dict[str, str], what: str
                   ) -> dict[str, tuple[Any, Any]]:
    """Element positions from the first map of a Kumu project export, by name."""
    maps = data.get("maps")
    if maps is None:
        return {}
    if not isinstance(maps, list):
        raise FormatError(f'invalid {what}: "maps" must be a list, got {described(maps)}')
    for i, kumu_map in enumerate(maps):
        entries = kumu_map.get("elements") if isinstance(kumu_map, dict) else None
        if not isinstance(entries, list):
            continue
        found: dict[str, tuple[Any, Any]] = {}
        for j, entry in enumerate(entries):
            where = f"maps[{i}].elements[{j}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("position"), dict):
                continue
            name = ids.get(entry.get("element")) if isinstance(entry.get("element"), str) else None
            if name is None:
                raise FormatError(f"invalid {what}: {where} places an element that is not in "
                                  f"the elements: {short(entry.get('element'))}")
            found[name] = (entry["position"].get("x"), entry["position"].get("y"))
        if found:
            return found
    return {}


def _read_kumu_loop(cld: CausalLoopDiagram, loop: Any, i: int,
                    links: dict[str, tuple[str, str]], what: str) -> None:
    where = f"loops[{i}]"
    if not isinstance(loop, dict):
        raise FormatError(f"invalid {what}: {where} must be an object, got {described(loop)}")
    attributes = _attributes(loop, where)
    label = _field(loop, attributes, "label")
    with located(what, where + (f" {label!r}" if isinstance(label, str) else "")):
        members = _field(loop, attributes, "connections")
        if not isinstance(members, list) or not members:
            raise FormatError('a loop needs "connections": the ids of the connections it groups')
        pairs = []
        for ref in members:
            if not isinstance(ref, str) or ref not in links:
                known = (", ".join(repr(k) for k in list(links)[:8])
                         or "none (give the connections an id)")
                raise FormatError(f"the loop groups the connection {short(ref)}, which is not "
                                  f"among the connections; known ids: {known}")
            pairs.append(links[ref])
        cycle = _as_cycle(pairs)
        if cycle is None:
            raise FormatError("its connections do not form one feedback loop (each variable "
                              "must lead to the next and back to the first); a causal loop "
                              "diagram names only feedback loops")
        story = loop.get("story", label)
        if story is None or (story == label and _AUTOMATIC_LOOP_NAME.fullmatch(str(label))):
            return
        key = canonical_rotation(cycle)
        found = next((lp for lp in cld.loops() if canonical_rotation(lp.variables) == key), None)
        if found is None:  # only when the diagram has more loops than loops() enumerates
            raise FormatError("its connections are not among the diagram's loops found")
        cld.name_loop(found, text_field(story, "story"))


def _as_cycle(pairs: list[tuple[str, str]]) -> tuple[str, ...] | None:
    """The variables of `pairs` in running order if they form one simple cycle."""
    following = dict(pairs)
    if len(following) != len(pairs) or len(set(following.values())) != len(pairs):
        return None
    start = pairs[0][0]
    cycle = [start]
    while len(cycle) <= len(pairs):
        nxt = following.get(cycle[-1])
        if nxt is None:
            return None
        if nxt == start:
            return tuple(cycle) if len(cycle) == len(pairs) else None
        cycle.append(nxt)
    return None

"""Exchange formats for causal loop diagrams: JSON, Kumu, Loopy, Graphviz DOT, Mermaid.

The csframework JSON format carries a schema version and round-trips exactly:
variables and links keep their order, facets, notes, delays, positions and
the story names given to loops. Kumu blueprints (``{"elements": [...],
"connections": [...], "loops": [...]}``) import into Kumu, with the polarity
as the connection type, delays as a tag, loops with their story names and
positions as ``x``/``y``; Kumu's own project export reads back with
:func:`from_kumu`. :func:`to_loopy` gives a link that opens the diagram in
Nicky Case's Loopy, where it can be played.

Every reader treats its input as untrusted: it must be a JSON object nested at
most :data:`MAX_DEPTH` levels deep, every field has the type the format says
(``"delay": "false"`` is refused, never read as true), and a mistake is a
:class:`~csframework.errors.FormatError` that says where it is.

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
    n0 -->|"#43; ‖"| n1
    n1 -->|"−"| n0
"""

from __future__ import annotations

import json
import math
import os
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csframework.errors import CSFrameworkError, FormatError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["KUMU_SCALE", "LOOPY_URL", "MAX_DEPTH", "SCHEMA", "SCHEMA_VERSION", "from_json",
           "from_kumu", "loopy_data", "to_dot", "to_json", "to_kumu", "to_loopy", "to_mermaid"]

SCHEMA = "csframework.cld"
SCHEMA_VERSION = 1

#: Deepest nesting of arrays and objects a diagram file may have. The formats
#: need five levels; anything deeper is refused before it is parsed.
MAX_DEPTH = 32

#: Kumu pixels per unit of :attr:`CausalLoopDiagram.positions`. A power of two,
#: so that positions survive an export and import exactly; Kumu's y axis points down.
KUMU_SCALE = 512

#: Where :func:`to_loopy` links point (Loopy 1.1, the published version).
LOOPY_URL = "https://ncase.me/loopy/v1.1/"

_AUTOMATIC_LOOP_NAME = re.compile(r"[RB][0-9]+")


# -- csframework JSON ---------------------------------------------------------------------


def to_dict(cld: CausalLoopDiagram) -> dict[str, Any]:
    """The diagram as plain data, in the versioned csframework schema.

    The ``"positions"`` key (name -> ``[x, y]``) is written only when the
    diagram has positions.
    """
    data: dict[str, Any] = {
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
    if cld.loop_numbers:
        data["loop_names"] = [{"variables": list(key), "name": name}
                              for key, name in cld.loop_numbers.items()]
    if cld.positions:
        data["positions"] = {name: list(xy) for name, xy in cld.positions.items()}
    return data


def to_json(cld: CausalLoopDiagram, indent: int | None = 2) -> str:
    """Versioned csframework JSON (see :func:`from_json`)."""
    return json.dumps(to_dict(cld), indent=indent, ensure_ascii=False)


def from_json(text: str | bytes) -> CausalLoopDiagram:
    """Read csframework JSON, or a Kumu blueprint (recognised by its keys).

    Raises
    ------
    FormatError
        For text that is not JSON, JSON nested deeper than :data:`MAX_DEPTH`,
        a newer schema version, a missing field or a field of the wrong type
        (a ``"delay"`` must be ``true`` or ``false``); the message says which
        and where.

    Examples
    --------
    >>> from_json('{"schema": "csframework.cld", "version": 1, "links": '
    ...           '[{"cause": "a", "effect": "b", "polarity": "+", "delay": "false"}]}')
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: invalid diagram JSON at links[0] ('a' -> 'b'): "delay" \
must be true or false (a JSON boolean), got the text 'false'
    """
    data = _load(text, "diagram JSON")
    if "elements" in data or "connections" in data:
        return _from_kumu_data(data)
    return from_dict(data)


def from_dict(data: dict[str, Any]) -> CausalLoopDiagram:
    """Build a diagram from :func:`to_dict` data (checked field by field)."""
    from csframework.cld.diagram import CausalLoopDiagram, _clean_text, normalise_name

    if not isinstance(data, dict):
        raise FormatError(f"diagram data must be a JSON object, got {type(data).__name__}")
    if data.get("schema") != SCHEMA:
        raise FormatError(f"not a csframework diagram: schema is {_short(data.get('schema'))}, "
                          f"expected {SCHEMA!r} (or a Kumu blueprint with 'elements')")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= \
            SCHEMA_VERSION:
        raise FormatError(f"diagram schema version {_short(version)} is not supported; this "
                          f"csframework reads versions 1 to {SCHEMA_VERSION}")
    what = "diagram JSON"
    with _at(what, "title"):
        cld = CausalLoopDiagram(_optional_text(data.get("title"), "title"))
    for i, v in enumerate(_list(data, "variables", what)):
        _require(v, ("name",), f"variables[{i}]")
        with _at(what, f"variables[{i}]"):
            label = v.get("label")
            if label is not None and not isinstance(label, str):
                raise FormatError(f"variables[{i}].label must be text, not {_described(label)}")
            cld.add_variable(_text(v["name"], "name"),
                             facet=_optional_text(v.get("facet"), "facet"),
                             note=_optional_text(v.get("note"), "note"), label=label)
    for i, link in enumerate(_list(data, "links", what)):
        where = f"links[{i}]"
        _require(link, ("cause", "effect", "polarity"), where)
        if isinstance(link["cause"], str) and isinstance(link["effect"], str):
            where += f" ({link['cause']!r} -> {link['effect']!r})"
        with _at(what, where):
            delay = link.get("delay", False)
            if not isinstance(delay, bool):
                raise FormatError(f'"delay" must be true or false (a JSON boolean), got '
                                  f"{_described(delay)}")
            polarity = link["polarity"]
            if not isinstance(polarity, str):
                raise FormatError(f'"polarity" must be "+" or "-", got {_described(polarity)}')
            cld.link(_text(link["cause"], "cause"), _text(link["effect"], "effect"), polarity,
                     delay=delay, note=_optional_text(link.get("note"), "note"))
    stories: dict[tuple[str, ...], str] = {}
    for i, item in enumerate(_list(data, "loop_stories", what)):
        with _at(what, f"loop_stories[{i}]"):
            _require(item, ("variables", "story"), f"loop_stories[{i}]")
            names = item["variables"]
            if not isinstance(names, list) or len(names) < 2:
                raise FormatError(f'"variables" must be a list of two or more names, got '
                                  f"{_described(names)}")
            key = tuple(normalise_name(_name(n, "variables")) for n in names)
            story = _clean_text(_text(item["story"], "story"), what="the story name",
                                where=f"of the loop {' -> '.join(key)}", one_line=True)
            if story:
                stories[key] = story
    if stories:
        from csframework.cld.loops import canonical_rotation

        cld._story_names = {canonical_rotation(k): v for k, v in stories.items()}
    numbers = {}
    for i, item in enumerate(_list(data, "loop_names", what)):
        with _at(what, f"loop_names[{i}]"):
            _require(item, ("variables", "name"), f"loop_names[{i}]")
            names = item["variables"]
            if not isinstance(names, list) or len(names) < 2:
                raise FormatError(f'"variables" must be a list of two or more names, got '
                                  f"{_described(names)}")
            key = tuple(normalise_name(_name(n, "variables")) for n in names)
            name = _text(item["name"], "name")
            if not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
                raise FormatError(f"a loop's name is R or B and a number, like B1; got "
                                  f"{_described(name)}")
            numbers[key] = name
    if numbers:
        from csframework.cld.loops import canonical_rotation

        cld._loop_numbers = {canonical_rotation(k): v for k, v in numbers.items()}
    positions = data.get("positions", {})
    if not isinstance(positions, dict):
        raise FormatError(f'invalid diagram JSON: "positions" must be an object of name: [x, y], '
                          f"got {_described(positions)}")
    for name, xy in positions.items():
        with _at(what, f"positions[{name!r}]"):
            if not isinstance(xy, list) or len(xy) != 2:
                raise FormatError(f"a position must be [x, y], got {_described(xy)}")
            cld.place(name, xy[0], xy[1])
    return cld


# -- Kumu ---------------------------------------------------------------------------------


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


def from_kumu(text: str | bytes) -> CausalLoopDiagram:
    """Read a Kumu blueprint: one written by :func:`to_kumu` or Kumu's own project export.

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
    return _from_kumu_data(_load(text, "Kumu JSON"))


_FACET_TAGS = ("self", "others", "world")
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": False}


def _from_kumu_data(data: dict[str, Any]) -> CausalLoopDiagram:
    from csframework.cld.diagram import CausalLoopDiagram

    what = "Kumu JSON"
    title = next((data[k] for k in ("label", "title", "name") if isinstance(data.get(k), str)
                  and data[k].strip()), None)
    with _at(what, "label"):
        cld = CausalLoopDiagram(title)
    ids: dict[str, str] = {}
    labelled: dict[str, int] = {}
    positions: dict[str, tuple[Any, Any]] = {}
    for i, element in enumerate(_list(data, "elements", what)):
        where = f"elements[{i}]"
        if not isinstance(element, dict):
            raise FormatError(f"invalid {what}: {where} must be an object, got "
                              f"{_described(element)}")
        attributes = _attributes(element, where)
        label = _field(element, attributes, "label")
        if label is None:
            raise FormatError(f"invalid {what}: {where} has no label: {_short(element)}")
        with _at(what, where):
            name = cld.add_variable(_text(label, "label")).name
            if name in labelled:
                raise FormatError(f"elements[{labelled[name]}] and {where} are both labelled "
                                  f"{name!r}; a causal loop diagram has one variable per name "
                                  "(rename one of them in Kumu)")
            labelled[name] = i
            for key in ("_id", "id"):
                if element.get(key) is not None:
                    ids[_text(element[key], key)] = name
            facet = _field(element, attributes, "facet")
            if facet is None:
                facet = next((t for t in _tags(element, attributes) if t in _FACET_TAGS), None)
            cld.add_variable(name, facet=_optional_text(facet, "facet"),
                             note=_optional_text(_field(element, attributes, "description"),
                                                 "description"))
            x, y = _field(element, attributes, "x"), _field(element, attributes, "y")
            if x is not None or y is not None:
                positions[name] = (x, y)
    positions = _map_positions(data, ids, what) | positions
    links: dict[str, tuple[str, str]] = {}
    for i, conn in enumerate(_list(data, "connections", what)):
        _require(conn, ("from", "to"), f"connections[{i}]")
        attributes = _attributes(conn, f"connections[{i}]")
        ends = []
        for key in ("from", "to"):
            ref = conn[key]
            if not isinstance(ref, str):
                raise FormatError(f'invalid {what}: connections[{i}] "{key}" must be an element '
                                  f"id or label, got {_described(ref)}")
            ends.append(ids.get(ref, ref))
        cause, effect = ends
        where = f"connections[{i}] ({cause!r} -> {effect!r})"
        with _at(what, where):
            direction = _field(conn, attributes, "direction")
            if direction not in (None, "directed"):
                raise FormatError(f"the connection is {_described(direction)}; a causal link "
                                  "runs one way (make it directed in Kumu)")
            if conn.get("reversed") not in (None, False):
                raise FormatError("the connection is marked reversed; flip it in Kumu so that "
                                  "it points from cause to effect")
            link = cld.link(cause, effect, _kumu_polarity(conn, attributes),
                            delay=_kumu_delay(conn, attributes),
                            note=_optional_text(_field(conn, attributes, "description"),
                                                "description"))
            for key in ("_id", "id"):
                if conn.get(key) is not None:
                    links[_text(conn[key], key)] = (link.cause, link.effect)
    for i, loop in enumerate(_list(data, "loops", what)):
        _read_kumu_loop(cld, loop, i, links, what)
    for name, (x, y) in positions.items():
        with _at(what, f"the position of {name!r}"):
            if x is None or y is None:
                raise FormatError("a position needs both x and y")
            cld.place(name, _number(x, "x") / KUMU_SCALE, -_number(y, "y") / KUMU_SCALE + 0.0)
    return cld


def _attributes(item: dict[str, Any], where: str) -> dict[str, Any]:
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        raise FormatError(f"invalid Kumu JSON: {where} \"attributes\" must be an object, got "
                          f"{_described(attributes)}")
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
        raise FormatError(f'"tags" must be a list of text, got {_described(tags)}')
    return [t.strip().lower() for t in tags]


def _kumu_polarity(conn: dict[str, Any], attributes: dict[str, Any]) -> str:
    from csframework.cld.diagram import Polarity

    for key in ("type", "connection type", "polarity"):
        value = _field(conn, attributes, key)
        if value is not None:
            if not isinstance(value, str):
                raise FormatError(f'"{key}" must be "+" or "-", got {_described(value)}')
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
                              f"{_described(value)}")
        delay = delay or value
    return delay or any(t in ("delay", "delayed") for t in _tags(conn, attributes))


def _map_positions(data: dict[str, Any], ids: dict[str, str], what: str
                   ) -> dict[str, tuple[Any, Any]]:
    """Element positions from the first map of a Kumu project export, by name."""
    maps = data.get("maps")
    if maps is None:
        return {}
    if not isinstance(maps, list):
        raise FormatError(f'invalid {what}: "maps" must be a list, got {_described(maps)}')
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
                                  f"the elements: {_short(entry.get('element'))}")
            found[name] = (entry["position"].get("x"), entry["position"].get("y"))
        if found:
            return found
    return {}


def _read_kumu_loop(cld: CausalLoopDiagram, loop: Any, i: int,
                    links: dict[str, tuple[str, str]], what: str) -> None:
    from csframework.cld.loops import canonical_rotation

    where = f"loops[{i}]"
    if not isinstance(loop, dict):
        raise FormatError(f"invalid {what}: {where} must be an object, got {_described(loop)}")
    attributes = _attributes(loop, where)
    label = _field(loop, attributes, "label")
    with _at(what, where + (f" {label!r}" if isinstance(label, str) else "")):
        members = _field(loop, attributes, "connections")
        if not isinstance(members, list) or not members:
            raise FormatError('a loop needs "connections": the ids of the connections it groups')
        pairs = []
        for ref in members:
            if not isinstance(ref, str) or ref not in links:
                known = (", ".join(repr(k) for k in list(links)[:8])
                         or "none (give the connections an id)")
                raise FormatError(f"the loop groups the connection {_short(ref)}, which is not "
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
        cld.name_loop(found, _text(story, "story"))


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


# -- Loopy --------------------------------------------------------------------------------

#: Loopy's colour (hue index 0-5: red, orange, yellow, green, blue, purple) for each facet.
_LOOPY_HUES = {"self": 5, "others": 3, "world": 1, None: 4}


def loopy_data(cld: CausalLoopDiagram) -> list[Any]:
    """The diagram as Loopy 1.1 model data: ``[nodes, edges, labels, last id]``.

    A node is ``[id, x, y, start amount, label, hue]``, an edge ``[from, to,
    arc, strength, rotation]`` with strength ``1`` for ``+`` and ``-1`` for
    ``-``, a label ``[x, y, text]``; texts are URL-encoded twice, as Loopy
    stores them. Coordinates are Loopy pixels (y pointing down), from the
    diagram's positions when every variable has one and from
    :func:`csframework.cld.draw.layout` otherwise.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -")
    >>> cld.place("a", 0, 0), cld.place("b", 1, 0)
    ((0.0, 0.0), (1.0, 0.0))
    >>> nodes, edges, labels, uid = loopy_data(cld)
    >>> nodes
    [[1, -200, 0, 0.5, 'a', 4], [2, 200, 0, 0.5, 'b', 4]]
    >>> edges
    [[1, 2, 40, 1, 0], [2, 1, 40, -1, 0]]
    >>> labels, uid
    ([[0, 20, 'B1']], 2)
    """
    names = [v.name for v in cld.variables]
    if not names:
        return [[], [], [], 0]
    placed = cld.positions
    if all(name in placed for name in names):
        points = {name: placed[name] for name in names}
    else:
        from csframework.cld.draw import layout

        points = dict(layout(cld))
    xs = [points[n][0] for n in names]
    ys = [points[n][1] for n in names]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = max(400.0, 220.0 * math.sqrt(len(names))) / extent

    def pixel(x: float, y: float) -> tuple[int, int]:
        return round((x - cx) * scale) + 0, round(-(y - cy) * scale) + 0

    ids = {name: number for number, name in enumerate(names, start=1)}
    nodes = []
    for v in cld.variables:
        x, y = pixel(*points[v.name])
        nodes.append([ids[v.name], x, y, 0.5, _loopy_text(v.name), _LOOPY_HUES[v.facet]])
    edges = [[ids[link.cause], ids[link.effect], 40, 1 if link.sign == "+" else -1, 0]
             for link in cld.links]
    labels = []
    if cld.title:
        top = min(pixel(*points[n])[1] for n in names)
        labels.append([0, top - 120, _loopy_text(cld.title)])
    for loop in cld.loops():
        x = sum(points[n][0] for n in loop.variables) / len(loop)
        y = sum(points[n][1] for n in loop.variables) / len(loop)
        px, py = pixel(x, y)
        text = loop.name + (f" {loop.story}" if loop.story else "")
        labels.append([px, py + 20, _loopy_text(text)])
    return [nodes, edges, labels, len(names)]


def to_loopy(cld: CausalLoopDiagram, path: str | os.PathLike[str] | None = None) -> str:
    """A link that opens the diagram in Loopy, where its loops can be played.

    Loopy (Nicky Case's "thinking in systems" toy, version 1.1) shows each
    variable as a circle and each link as an arrow whose ``+``/``-`` is the
    polarity. It **cannot show delays** (a delayed link becomes an ordinary
    arrow) **nor name loops**: loop names and story names, and the title, are
    written as free text labels near the loop's variables, which Loopy does
    not connect to the loop. Notes and facets' meanings are not carried (facets
    only colour the circles).

    Parameters
    ----------
    path : path, optional
        Also write a small HTML page there (atomically) that opens the link;
        it can be shared or double-clicked.

    Returns
    -------
    str
        ``https://ncase.me/loopy/v1.1/?data=...``

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> link = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -").to_loopy()
    >>> link.startswith("https://ncase.me/loopy/v1.1/?data=[[[1,")
    True
    """
    data = json.dumps(loopy_data(cld), separators=(",", ":"), ensure_ascii=True)
    # Loopy's own links encode only the quotes and the final bracket; the texts
    # are already encoded twice, so no '&', '#', '+' or space remains.
    link = LOOPY_URL + "?data=" + data.replace('"', "%22")[:-1] + "%5D"
    if path is not None:
        import html

        from csframework._atomic import write_atomic

        title = html.escape(cld.title or "causal loop diagram")
        href = html.escape(link, quote=True)
        write_atomic(Path(path), (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{title} in Loopy</title>\n"
            f'<meta http-equiv="refresh" content="0; url={href}">\n</head><body>\n'
            f'<p><a href="{href}">Open “{title}” in Loopy</a></p>\n</body></html>\n'))
    return link


def _loopy_text(text: str) -> str:
    once = urllib.parse.quote(text, safe="-_.!~*'()")  # JavaScript's encodeURIComponent
    return urllib.parse.quote(once, safe="-_.!~*'()")


# -- Graphviz DOT and Mermaid ---------------------------------------------------------------


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


# -- reading helpers --------------------------------------------------------------------------


def _load(text: str | bytes, what: str) -> dict[str, Any]:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise FormatError(f"{what} is not UTF-8 text: {err}") from None
    if not isinstance(text, str):
        raise FormatError(f"{what} must be text (a str or bytes), got {type(text).__name__}")
    _check_depth(text, what)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except RecursionError:  # unbalanced brackets that _check_depth left to the parser
        raise FormatError(f"{what} is nested more than {MAX_DEPTH} levels deep; a diagram "
                          "needs five, so this is not a diagram file") from None
    except ValueError as err:
        raise FormatError(f"{what} could not be parsed: {err}") from None
    if not isinstance(data, dict):
        raise FormatError(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_CHUNK = 1 << 20


def _check_depth(text: str, what: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH, in time linear in its size.

    Brackets inside strings do not count. The depth is a running sum over the
    remaining brackets, taken a chunk at a time so memory stays bounded.
    """
    import numpy as np

    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii")
    depth = 0
    for start in range(0, len(brackets), _CHUNK):
        chunk = np.frombuffer(brackets, dtype=np.uint8, count=min(_CHUNK, len(brackets) - start),
                              offset=start)
        steps = np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1)
        running = np.cumsum(steps, dtype=np.int64) + depth
        if running.max() > MAX_DEPTH:
            raise FormatError(f"{what} is nested more than {MAX_DEPTH} levels deep; a diagram "
                              "needs five, so this is not a diagram file")
        depth = int(running[-1])


@contextmanager
def _at(what: str, where: str) -> Iterator[None]:
    """Turn an error while reading one item into a FormatError that says which item."""
    try:
        yield
    except (CSFrameworkError, TypeError) as err:
        message = err.message if hasattr(err, "message") else str(err)
        raise FormatError(f"invalid {what} at {where}: {message}") from None


def _require(item: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(item, dict):
        raise FormatError(f"{where} must be an object, got {_described(item)}")
    missing = [k for k in keys if k not in item]
    if missing:
        raise FormatError(f"{where} is missing {', '.join(repr(k) for k in missing)}: "
                          f"{_short(item)}")


def _list(data: dict[str, Any], key: str, what: str) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(f'invalid {what}: "{key}" must be a list, got {_described(value)}')
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise FormatError(f'"{field}" must be text, got {_described(value)}')
    return value


_name = _text


def _optional_text(value: Any, field: str) -> str | None:
    return None if value is None else _text(value, field)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormatError(f'"{field}" must be a number, got {_described(value)}')
    return float(value)


def _described(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, (int, float)):
        return f"the number {_short(value)}"
    return f"{'an' if type(value).__name__[0] in 'aeiou' else 'a'} {type(value).__name__} " \
           f"{_short(value)}"


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v is not False}


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Characters Mermaid reads as syntax (quotes, brackets, pipes, entity codes,
#: statement ends, HTML) or Markdown inside a label, as Mermaid entity codes.
_MERMAID_ESCAPES = str.maketrans({ch: f"#{ord(ch)};" for ch in '#"[](){}|;<>&`*_\\'} | {
    '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"})
_MARKDOWN_START = re.compile(r"^(?:[-+]|[0-9]+[.)])(?=\s|$)")


def _mermaid_text(text: str) -> str:
    escaped = str(text).translate(_MERMAID_ESCAPES)
    # "- x", "+ x" or "1. x" at the start would be read as a Markdown list
    return _MARKDOWN_START.sub(lambda m: "".join(f"#{ord(c)};" for c in m.group()), escaped)

"""The csframework JSON format: versioned, and read back exactly.

Variables and links keep their order, facets, notes, labels and delays;
the story names and fixed names given to loops and the positions travel too.
The readers take the class to build (``cls``), which
:meth:`CausalLoopDiagram.from_json <csframework.cld.diagram.CausalLoopDiagram.from_json>`
passes in.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text("a -> b : - delay")
>>> to_dict(cld)["links"]
[{'cause': 'a', 'effect': 'b', 'polarity': '-', 'delay': True}]
>>> from_json(to_json(cld), CausalLoopDiagram) == cld
True
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from csframework.cld.elements import clean_text, normalise_name
from csframework.cld.formats.kumu import read_kumu_data
from csframework.cld.formats.reading import (
    described,
    list_field,
    load_object,
    located,
    optional_text_field,
    require_keys,
    short,
    text_field,
)
from csframework.errors import FormatError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["SCHEMA", "SCHEMA_VERSION", "from_dict", "from_json", "to_dict", "to_json"]

SCHEMA = "csframework.cld"
SCHEMA_VERSION = 1


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


def from_json(text: str | bytes, cls: type[CausalLoopDiagram]) -> CausalLoopDiagram:
    """Read csframework JSON, or a Kumu blueprint (recognised by its keys), as a `cls`.

    Parameters
    ----------
    text : str or bytes
        The file's text (bytes are read as UTF-8).
    cls : type
        The diagram class to build, :class:`~csframework.cld.diagram.CausalLoopDiagram`.

    Raises
    ------
    FormatError
        For text that is not JSON, JSON nested deeper than :data:`MAX_DEPTH`,
        a newer schema version, a missing field or a field of the wrong type
        (a ``"delay"`` must be ``true`` or ``false``); the message says which
        and where.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> from_json('{"schema": "csframework.cld", "version": 1, "links": '
    ...           '[{"cause": "a", "effect": "b", "polarity": "+", "delay": "false"}]}',
    ...           CausalLoopDiagram)
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: invalid diagram JSON at links[0] ('a' -> 'b'): "delay" \
must be true or false (a JSON boolean), got the text 'false'
    """
    data = load_object(text, "diagram JSON")
    if "elements" in data or "connections" in data:
        return read_kumu_data(data, cls)
    return from_dict(data, cls)


def from_dict(data: dict[str, Any], cls: type[CausalLoopDiagram]) -> CausalLoopDiagram:
    """Build a `cls` diagram from :func:`to_dict` data (checked field by field)."""
    if not isinstance(data, dict):
        raise FormatError(f"diagram data must be a JSON object, got {type(data).__name__}")
    if data.get("schema") != SCHEMA:
        raise FormatError(f"not a csframework diagram: schema is {short(data.get('schema'))}, "
                          f"expected {SCHEMA!r} (or a Kumu blueprint with 'elements')")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= \
            SCHEMA_VERSION:
        raise FormatError(f"diagram schema version {short(version)} is not supported; this "
                          f"csframework reads versions 1 to {SCHEMA_VERSION}")
    what = "diagram JSON"
    with located(what, "title"):
        cld = cls(optional_text_field(data.get("title"), "title"))
    for i, v in enumerate(list_field(data, "variables", what)):
        require_keys(v, ("name",), f"variables[{i}]")
        with located(what, f"variables[{i}]"):
            label = v.get("label")
            if label is not None and not isinstance(label, str):
                raise FormatError(f"variables[{i}].label must be text, not {described(label)}")
            cld.add_variable(text_field(v["name"], "name"),
                             facet=optional_text_field(v.get("facet"), "facet"),
                             note=optional_text_field(v.get("note"), "note"), label=label)
    for i, link in enumerate(list_field(data, "links", what)):
        where = f"links[{i}]"
        require_keys(link, ("cause", "effect", "polarity"), where)
        if isinstance(link["cause"], str) and isinstance(link["effect"], str):
            where += f" ({link['cause']!r} -> {link['effect']!r})"
        with located(what, where):
            delay = link.get("delay", False)
            if not isinstance(delay, bool):
                raise FormatError(f'"delay" must be true or false (a JSON boolean), got '
                                  f"{described(delay)}")
            polarity = link["polarity"]
            if not isinstance(polarity, str):
                raise FormatError(f'"polarity" must be "+" or "-", got {described(polarity)}')
            cld.link(text_field(link["cause"], "cause"), text_field(link["effect"], "effect"),
                     polarity, delay=delay, note=optional_text_field(link.get("note"), "note"))
    stories: dict[tuple[str, ...], str] = {}
    for i, item in enumerate(list_field(data, "loop_stories", what)):
        with located(what, f"loop_stories[{i}]"):
            require_keys(item, ("variables", "story"), f"loop_stories[{i}]")
            names = item["variables"]
            if not isinstance(names, list) or len(names) < 2:
                raise FormatError(f'"variables" must be a list of two or more names, got '
                                  f"{described(names)}")
            key = tuple(normalise_name(text_field(n, "variables")) for n in names)
            story = clean_text(text_field(item["story"], "story"), what="the story name",
                               where=f"of the loop {' -> '.join(key)}", one_line=True)
            if story:
                stories[key] = story
    if stories:
        cld.set_loop_names(stories=stories)
    numbers = {}
    for i, item in enumerate(list_field(data, "loop_names", what)):
        with located(what, f"loop_names[{i}]"):
            require_keys(item, ("variables", "name"), f"loop_names[{i}]")
            names = item["variables"]
            if not isinstance(names, list) or len(names) < 2:
                raise FormatError(f'"variables" must be a list of two or more names, got '
                                  f"{described(names)}")
            key = tuple(normalise_name(text_field(n, "variables")) for n in names)
            name = text_field(item["name"], "name")
            if not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
                raise FormatError(f"a loop's name is R or B and a number, like B1; got "
                                  f"{described(name)}")
            numbers[key] = name
    if numbers:
        cld.set_loop_names(numbers=numbers)
    positions = data.get("positions", {})
    if not isinstance(positions, dict):
        raise FormatError(f'invalid diagram JSON: "positions" must be an object of name: [x, y], '
                          f"got {described(positions)}")
    for name, xy in positions.items():
        with located(what, f"positions[{name!r}]"):
            if not isinstance(xy, list) or len(xy) != 2:
                raise FormatError(f"a position must be [x, y], got {described(xy)}")
            cld.place(name, xy[0], xy[1])
    return cld


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v is not False}

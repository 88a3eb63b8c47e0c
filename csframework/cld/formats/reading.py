"""Reading untrusted JSON diagram files: bounded parsing and field checks.

Every reader in :mod:`csframework.cld.formats` loads its text with
:func:`load_object` (UTF-8, a JSON object, nested at most :data:`MAX_DEPTH`
levels, checked in linear time before parsing) and takes each field through
the ``*_field`` checks, inside :func:`located` so that a mistake becomes a
:class:`~csframework.errors.FormatError` saying where it is.

Examples
--------
>>> load_object('{"links": []}', "diagram JSON")
{'links': []}
>>> text_field(3, "name")
Traceback (most recent call last):
...
csframework.errors.FormatError: "name" must be text, got the number 3
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csframework.errors import CSFrameworkError, FormatError

__all__ = ["MAX_DEPTH", "check_depth", "described", "list_field", "load_object", "located",
           "number_field", "optional_text_field", "require_keys", "short", "text_field"]

#: Deepest nesting of arrays and objects a diagram file may have. The formats
#: need five levels; anything deeper is refused before it is parsed.
MAX_DEPTH = 32


def load_object(text: str | bytes, what: str) -> dict[str, Any]:
    """The JSON object in `text` (str or UTF-8 bytes), refused when deeper than :data:`MAX_DEPTH`.

    `what` names the input in messages ("diagram JSON", "Kumu JSON").

    Examples
    --------
    >>> load_object(b'{"a": 1}', "diagram JSON")
    {'a': 1}
    >>> load_object("[1]", "diagram JSON")
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: diagram JSON must be a JSON object, got list
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise FormatError(f"{what} is not UTF-8 text: {err}") from None
    if not isinstance(text, str):
        raise FormatError(f"{what} must be text (a str or bytes), got {type(text).__name__}")
    check_depth(text, what)
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


def check_depth(text: str, what: str) -> None:
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
def located(what: str, where: str) -> Iterator[None]:
    """Turn an error while reading one item into a FormatError that says which item."""
    try:
        yield
    except (CSFrameworkError, TypeError) as err:
        message = err.message if hasattr(err, "message") else str(err)
        raise FormatError(f"invalid {what} at {where}: {message}") from None


def require_keys(item: Any, keys: tuple[str, ...], where: str) -> None:
    """Refuse `item` unless it is an object holding every one of `keys`.

    Examples
    --------
    >>> require_keys({"from": "a"}, ("from", "to"), "connections[0]")
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: connections[0] is missing 'to': {'from': 'a'}
    """
    if not isinstance(item, dict):
        raise FormatError(f"{where} must be an object, got {described(item)}")
    missing = [k for k in keys if k not in item]
    if missing:
        raise FormatError(f"{where} is missing {', '.join(repr(k) for k in missing)}: "
                          f"{short(item)}")


def list_field(data: dict[str, Any], key: str, what: str) -> list[Any]:
    """The list under `key` of `data` (missing or null: empty).

    Examples
    --------
    >>> list_field({"links": None}, "links", "diagram JSON")
    []
    """
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(f'invalid {what}: "{key}" must be a list, got {described(value)}')
    return value


def text_field(value: Any, field: str) -> str:
    """`value` if it is text, else a FormatError naming `field`.

    Examples
    --------
    >>> text_field("trust", "name")
    'trust'
    """
    if not isinstance(value, str):
        raise FormatError(f'"{field}" must be text, got {described(value)}')
    return value



def optional_text_field(value: Any, field: str) -> str | None:
    """Like :func:`text_field`, with None allowed.

    Examples
    --------
    >>> optional_text_field(None, "note") is None
    True
    """
    return None if value is None else text_field(value, field)


def number_field(value: Any, field: str) -> float:
    """`value` as a float if it is a JSON number (not a boolean), else a FormatError.

    Examples
    --------
    >>> number_field(3, "x")
    3.0
    >>> number_field(True, "x")
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: "x" must be a number, got true
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormatError(f'"{field}" must be a number, got {described(value)}')
    return float(value)


def described(value: Any) -> str:
    """`value` as a message names it, in JSON's words.

    Examples
    --------
    >>> described(None), described("no"), described([1])
    ('null', "the text 'no'", 'a list [1]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the text {short(value)}"
    if isinstance(value, (int, float)):
        return f"the number {short(value)}"
    return f"{'an' if type(value).__name__[0] in 'aeiou' else 'a'} {type(value).__name__} " \
           f"{short(value)}"


def short(value: Any, limit: int = 80) -> str:
    """The repr of `value`, cut to `limit` characters.

    Examples
    --------
    >>> short("x" * 100, limit=10)
    "'xxxxxx..."
    """
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _without_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v is not False}

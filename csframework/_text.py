"""Text helpers shared across the package: names, aliases, plurals, tidy text.

One place for the small rules every module needs: how a name a participant
types is compared (case, ``_`` and ``-`` do not matter), how an alias becomes
its canonical name, how a count is written.

Examples
--------
>>> from csframework import _text
>>> _text.normalise("  Mental_Models ")
'mental models'
>>> _text.resolve("Trends", {"trends": "patterns"}, ("events", "patterns"),
...               kind="level", where="x")
'patterns'
>>> _text.plural(1, "loop"), _text.plural(3, "story", "stories")
('1 loop', '3 stories')
>>> _text.clean_text("  a   quiet  room ", what="note", where="here")
'a quiet room'
>>> _text.tidy("  a   quiet\\t room ")
'a quiet room'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from csframework.errors import DiagramError, UnknownNameError

__all__ = ["clean_text", "normalise", "plural", "resolve", "tidy"]


def normalise(name: object) -> str:
    """Lower case, ``_`` and ``-`` as spaces, runs of spaces collapsed."""
    text = str(name).lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split())


def resolve(name: object, aliases: Mapping[str, str], valid: Iterable[str], *, kind: str,
            where: str) -> str:
    """The canonical name that `name` stands for, or an UnknownNameError listing `valid`."""
    valid = tuple(valid)
    key = normalise(name)
    if key in valid:
        return key
    if key in aliases:
        return aliases[key]
    raise UnknownNameError(str(name), valid, kind=kind, where=where)


def tidy(text: object) -> str:
    """`text` as a string with runs of whitespace collapsed to one space, ends trimmed.

    The lenient form of :func:`clean_text`, for looking up what a participant
    typed (the lookup itself reports a miss).
    """
    return " ".join(str(text).split())


def clean_text(text: object, *, what: str, where: str) -> str:
    """`text` with its whitespace tidied; a DiagramError if it is not text or is empty."""
    if not isinstance(text, str):
        raise DiagramError(f"{what} {where} must be text, not {type(text).__name__} {text!r}")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DiagramError(f"empty {what} {where}; write a few words")
    return cleaned


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 event"``, ``"2 events"``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"

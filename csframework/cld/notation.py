"""The text notation of causal loop diagrams: one link per line.

``cause -> effect : polarity [delay]``; a line holding only a name adds a
variable; ``#`` starts a comment; names holding ``#``, ``:``, ``->`` or ``"``
are written in double quotes (see :func:`csframework.cld.elements.quote_name`).
:meth:`CausalLoopDiagram.from_text <csframework.cld.diagram.CausalLoopDiagram.from_text>`
reads a whole text with :func:`parse_line`.

Examples
--------
>>> parse_line('"# of pupils" -> noise : + delay', 1)
('# of pupils', 'noise', '+', True)
>>> parse_line("  # only a comment", 2) is None
True
"""

from __future__ import annotations

import re

from csframework.cld.elements import INVISIBLE, POLARITY_WORDS, REFUSED, describe_character
from csframework.errors import NotationError

__all__ = ["parse_line"]

_ARROW = re.compile(r"\s*(?:->|→|=>)\s*")
_DELAY_WORDS = {"delay", "delayed", "||", "//", "‖"}
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(#)|([^"#]+)|(")', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')
_SLOT = re.compile("\x00(\\d+)\x00")


def parse_line(raw: str, number: int) -> str | tuple[str, str, str, bool] | None:
    """One line: None (blank or comment), a name alone, or (cause, effect, polarity, delay)."""
    text = raw.translate(INVISIBLE)
    bad = REFUSED.search(text)
    if bad is not None:
        raise NotationError(f"the line contains {describe_character(bad.group())}", number, raw)
    plain, names, comment = _split_quotes(text, number, raw)
    line = plain.strip()
    if not line:
        return None
    try:
        parsed = _parse_parts(line, names, number, raw)
    except NotationError as err:
        if comment is None:
            raise
        raise NotationError(
            f"{err.problem} ('#' starts a comment; write a name that contains '#' in double "
            "quotes)", number, raw) from None
    if isinstance(parsed, str) and comment is not None and _ARROW.search(comment):
        raise NotationError(
            f"'#' starts a comment, so this line reads as the variable {parsed!r} alone; "
            "write a name that contains '#' in double quotes, e.g. \"# of pupils\" -> noise : +",
            number, raw)
    return parsed


def _split_quotes(text: str, number: int, raw: str) -> tuple[str, list[str], str | None]:
    """Replace quoted names by slots; cut the comment. Returns (line, names, comment)."""
    out: list[str] = []
    names: list[str] = []
    for match in _TOKEN.finditer(text):
        quoted, hash_mark, plain, stray = match.groups()
        if hash_mark is not None:
            return "".join(out), names, text[match.end():]
        if stray is not None:
            raise NotationError("a name opened with '\"' is not closed", number, raw)
        if plain is not None:
            out.append(plain)
        else:
            out.append(f"\x00{len(names)}\x00")
            names.append(_UNESCAPE.sub(r"\1", quoted))
    return "".join(out), names, None


def _name_part(part: str, names: list[str], which: str, number: int, raw: str) -> str:
    part = part.strip()
    slot = _SLOT.fullmatch(part)
    if slot is not None:
        return names[int(slot.group(1))]
    if _SLOT.search(part):
        raise NotationError(f"a quoted {which} name must be the whole name, with nothing "
                            "outside its quotes", number, raw)
    return part


def _parse_parts(line: str, names: list[str], number: int, raw: str
                 ) -> str | tuple[str, str, str, bool]:
    parts = _ARROW.split(line)
    if len(parts) == 1:
        if ":" in line:
            raise NotationError("no arrow '->' between cause and effect", number, raw)
        return _name_part(line, names, "variable", number, raw)
    if len(parts) != 2:
        raise NotationError("one link per line, with a single '->'", number, raw)
    cause, rest = parts
    if ":" not in rest:
        raise NotationError("missing ': polarity' after the effect", number, raw)
    effect, spec = rest.rsplit(":", 1)
    cause = _name_part(cause, names, "cause", number, raw)
    effect = _name_part(effect, names, "effect", number, raw)
    if not cause or not effect:
        which = "cause" if not cause else "effect"
        raise NotationError(f"empty {which} name", number, raw)
    if _SLOT.search(spec):
        raise NotationError("only names may be quoted, not the polarity", number, raw)
    words = spec.split()
    if not words:
        raise NotationError("missing polarity after ':'", number, raw)
    polarity, *extra = words
    if polarity.lower() not in POLARITY_WORDS:
        # "+delay" or "-||" written without a space
        for mark in sorted(_DELAY_WORDS, key=len, reverse=True):
            head = polarity[: -len(mark)]
            if polarity.lower().endswith(mark) and head.lower() in POLARITY_WORDS:
                polarity, extra = head, [mark, *extra]
                break
        else:
            raise NotationError(f"unknown polarity {polarity!r}", number, raw)
    delay = False
    for word in extra:
        if word.lower() in _DELAY_WORDS:
            delay = True
        else:
            raise NotationError(f"unexpected {word!r} after the polarity (only 'delay' may follow)",
                                number, raw)
    return cause, effect, polarity, delay

"""The tokenizer of XMILE equations: text into numbers, names, operators and keywords.

Quoted names lose their quotes and escapes; a dotted name (a reference into an
XMILE module) is refused, since modules are not supported.

Examples
--------
>>> [(t.kind, t.text) for t in tokenize('IF "Heat Loss" > 2 THEN x ELSE 0', "eqn")][:4]
[('kw', 'if'), ('name', 'Heat Loss'), ('op', '>'), ('num', '2')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from csframework.errors import FormatError
from csframework.sd.xmile.names import unescape

__all__ = ["KEYWORDS", "Token", "tokenize"]

_TOKEN_RE = re.compile(r"""
    (?P<space>\s+|\{[^}]*\})
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<qname>"(?:[^"\\]|\\.)*")
  | (?P<name>[^\W\d][\w$]*(?:\s*\.\s*[^\W\d][\w$]*)*)
  | (?P<op><=|>=|<>|[-+*/^<>=(),\[\]])
""", re.VERBOSE)

#: Words that are operators or parts of IF-THEN-ELSE, in lower case.
KEYWORDS = {"if", "then", "else", "and", "or", "not", "mod"}


@dataclass(frozen=True)
class Token:
    """One token of an equation, at character `pos` (from 0)."""

    kind: str  # num | name | op | kw | end
    text: str
    pos: int


def tokenize(text: str, where: str) -> list[Token]:
    """The tokens of an XMILE equation, ending with one of kind ``end``.

    Raises `FormatError` (naming `where`) for a character no token starts with
    and for a name that refers into a module.
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise FormatError(f"{where}: cannot read {text[pos:pos + 12]!r} at character "
                              f"{pos + 1} of the equation {text.strip()!r}")
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "qname":
            tokens.append(Token("name", re.sub(r"\\(.)", unescape, value[1:-1]), pos))
        elif kind == "name" and value.lower() in KEYWORDS:
            tokens.append(Token("kw", value.lower(), pos))
        elif kind == "name" and "." in value:
            raise FormatError(f"{where}: {value!r} refers into a module; XMILE modules are "
                              "not supported (read the file with csframework.load_model)")
        elif kind != "space":
            tokens.append(Token(kind, value, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens

"""The repair pass: end tags put back where an XMILE file left an element open.

Some real files (one in the SDXorg suite) leave an element unclosed; lxml's
recovering parser, and so PySD, reads such an element as closed where its
parent closes. `close_unclosed` makes the same repair on the bytes, which are
then parsed again by the hardened parser (`csframework.sd.xmile.safexml`).
"""

from __future__ import annotations

import re

from csframework.errors import FormatError
from csframework.sd.xmile import limits

__all__ = ["close_unclosed"]

_TAG_RE = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!].*?>"
    rb"|<(/?)([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>",
    re.DOTALL,
)


def close_unclosed(data: bytes, where: str = "XMILE text") -> tuple[bytes, list[str]]:
    """Insert the end tags of elements left open before their parent's end tag.

    Returns the repaired bytes and one note per repair (none: `data` unchanged,
    also when a closing tag matches no open element, which is not this fault).
    One pass over the tags (lines are counted as it goes), so the work is
    linear in the size of `data`; more than `MAX_REPAIRS` repairs are refused.

    Examples
    --------
    >>> close_unclosed(b"<a><b><c/></a>")
    (b'<a><b><c/></b></a>', ['<b> opened on line 1 is never closed; read as closed at line 1'])
    """
    stack: list[tuple[bytes, int]] = []
    open_count: dict[bytes, int] = {}
    pieces: list[bytes] = []
    notes: list[str] = []
    copied = 0                      # data[:copied] is in pieces
    line, counted = 1, 0            # line number at byte `counted`
    for m in _TAG_RE.finditer(data):
        if m.group(2) is None or m.group(3):
            continue
        tag, closing = m.group(2), m.group(1) == b"/"
        line += data.count(b"\n", counted, m.start())
        counted = m.start()
        if not closing:
            stack.append((tag, line))
            open_count[tag] = open_count.get(tag, 0) + 1
            continue
        if stack and stack[-1][0] == tag:
            stack.pop()
            open_count[tag] -= 1
            continue
        if not open_count.get(tag):
            return data, []
        closers = []
        while stack[-1][0] != tag:
            open_tag, open_line = stack.pop()
            open_count[open_tag] -= 1
            closers.append(b"</" + open_tag + b">")
            notes.append(f"<{open_tag.decode(errors='replace')}> opened on line {open_line} "
                         f"is never closed; read as closed at line {line}")
            if len(notes) > limits.MAX_REPAIRS:
                raise FormatError(f"{where} is not well-formed XML: more than "
                                  f"{limits.MAX_REPAIRS} elements are never closed (the limit "
                                  "MAX_REPAIRS); the file is damaged")
        pieces += [data[copied:m.start()], *closers]
        copied = m.start()
        stack.pop()
        open_count[tag] -= 1
    pieces.append(data[copied:])
    return b"".join(pieces), notes

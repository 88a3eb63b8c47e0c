"""Read the rows of a damaged SQLite file page by page, without SQLite.

SQLite reaches a row through the interior pages of its table's b-tree; when
one of them is damaged, every row below it is out of reach, although the rows
themselves sit intact on their leaf pages. This module reads the file the other
way round: every page (with the newest committed version of each page from the
``-wal`` file laid over it), every cell of every table-leaf page, the overflow
pages of long rows, and decodes each record. It follows the published file
format (https://www.sqlite.org/fileformat2.html) and trusts nothing in the file:
offsets are bounds-checked, overflow chains are followed at most once per page,
and a cell that cannot be decoded is counted, not fatal.

Only :func:`csframework.journal.Journal.salvage` uses it.

Examples
--------
>>> import sqlite3, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.sqlite3"
>>> conn = sqlite3.connect(path)
>>> _ = conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT, n REAL)")
>>> _ = conn.executemany("INSERT INTO t (word, n) VALUES (?, ?)", [("a" * 9000, 1.5), ("b", 2)])
>>> conn.commit(); conn.close()
>>> found = read_file(path)
>>> [(rowid, len(values[1]), values[2]) for rowid, values in found.table_rows if len(values) == 3]
[(1, 9000, 1.5), (2, 1, 2)]
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Pages", "decode_record", "read_file"]

_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_TABLE_LEAF, _INDEX_LEAF = 0x0D, 0x0A
MAX_ROW_BYTES = 64 * 1024 * 1024  # far above a journal entry's 5 MB; bounds a forged size


@dataclass
class Pages:
    """What a page-by-page read found."""

    table_rows: list[tuple[int, list[object]]] = field(default_factory=list)
    index_rows: list[list[object]] = field(default_factory=list)
    bad_cells: int = 0


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = 0
    for k in range(8):
        byte = buf[i + k]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + k + 1
    return (value << 8) | buf[i + 8], i + 9


def _u16(buf: bytes, i: int) -> int:
    return int.from_bytes(buf[i:i + 2], "big")


def _u32(buf: bytes, i: int) -> int:
    return int.from_bytes(buf[i:i + 4], "big")


def _page_size(header: bytes) -> int:
    if header[:16] != _MAGIC:
        return 4096  # the header itself is damaged: assume SQLite's default
    size = _u16(header, 16)
    size = 65536 if size == 1 else size
    return size if 512 <= size <= 65536 and size & (size - 1) == 0 else 4096


def _wal_pages(wal: Path, page_size: int) -> dict[int, bytes]:
    """The newest committed version of each page found in a -wal file."""
    try:
        data = wal.read_bytes()
    except OSError:
        return {}
    if len(data) < 32 or _u32(data, 0) not in _WAL_MAGIC or _u32(data, 8) != page_size:
        return {}
    salts = data[16:24]
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    frame = 24 + page_size
    for start in range(32, len(data) - frame + 1, frame):
        if data[start + 8:start + 16] != salts:
            break  # frames of an older generation of the WAL, or the end of valid ones
        number = _u32(data, start)
        pending[number] = data[start + 24:start + frame]
        if _u32(data, start + 4):  # a commit frame: the transaction is complete
            committed.update(pending)
            pending.clear()
    return committed


def _local_size(total: int, usable: int, table: bool) -> int:
    most = usable - 35 if table else (usable - 12) * 64 // 255 - 23
    if total <= most:
        return total
    least = (usable - 12) * 32 // 255 - 23
    local = least + (total - least) % (usable - 4)
    return local if local <= most else least


def _payload(page: bytes, i: int, total: int, usable: int, table: bool,
             pages: dict[int, bytes]) -> bytes:
    if total > MAX_ROW_BYTES:
        raise ValueError("cell larger than any journal row")
    local = _local_size(total, usable, table)
    if i + local > len(page):
        raise ValueError("cell runs past its page")
    parts = [page[i:i + local]]
    remaining = total - local
    following = _u32(page, i + local) if remaining else 0
    seen: set[int] = set()
    while remaining > 0:
        if following in seen or following not in pages:
            raise ValueError("broken overflow chain")
        seen.add(following)
        overflow = pages[following]
        chunk = overflow[4:usable][:remaining]
        parts.append(chunk)
        remaining -= len(chunk)
        following = _u32(overflow, 0)
    return b"".join(parts)


_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8}


def decode_record(payload: bytes) -> list[object]:
    """The values of one record (ints, floats, str, bytes, None); ValueError if malformed."""
    header_size, i = _varint(payload, 0)
    if not 0 < header_size <= len(payload):
        raise ValueError("bad record header")
    types = []
    while i < header_size:
        serial, i = _varint(payload, i)
        types.append(serial)
    pos, values = header_size, []
    for serial in types:
        value: object
        if serial in (0, 8, 9):
            value, n = (None, 0, 1)[(0, 8, 9).index(serial)], 0
        elif serial in _SIZES:
            n = _SIZES[serial]
            raw = payload[pos:pos + n]
            value = (struct.unpack(">d", raw)[0] if serial == 7 and len(raw) == 8
                     else int.from_bytes(raw, "big", signed=True))
        elif serial >= 12:
            n = (serial - 12) // 2
            raw = payload[pos:pos + n]
            value = raw if serial % 2 == 0 else raw.decode("utf-8")
        else:
            raise ValueError(f"reserved serial type {serial}")
        if pos + n > len(payload):
            raise ValueError("record runs past its payload")
        values.append(value)
        pos += n
    return values


def _cells(page: bytes, number: int) -> Iterator[tuple[int, int]]:
    """(page type, offset of each cell) of a leaf page; nothing for other pages."""
    at = 100 if number == 1 else 0
    kind = page[at]
    if kind not in (_TABLE_LEAF, _INDEX_LEAF):
        return
    count = _u16(page, at + 3)
    for k in range(min(count, (len(page) - at - 8) // 2)):
        yield kind, _u16(page, at + 8 + 2 * k)


def read_file(path: Path) -> Pages:
    """Every decodable row of every table-leaf and index-leaf page of the database at `path`."""
    data = Path(path).read_bytes()
    size = _page_size(data[:100])
    usable = size - (data[20] if data[:16] == _MAGIC else 0)
    pages = {n + 1: data[n * size:(n + 1) * size] for n in range(len(data) // size)}
    pages.update(_wal_pages(Path(f"{path}-wal"), size))
    found = Pages()
    for number in sorted(pages):
        page = pages[number]
        for kind, offset in _cells(page, number):
            try:
                total, i = _varint(page, offset)
                if kind == _TABLE_LEAF:
                    rowid, i = _varint(page, i)
                    found.table_rows.append(
                        (rowid, decode_record(_payload(page, i, total, usable, True, pages))))
                else:
                    found.index_rows.append(
                        decode_record(_payload(page, i, total, usable, False, pages)))
            except (IndexError, ValueError, struct.error):
                found.bad_cells += 1
    return found

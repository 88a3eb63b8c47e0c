"""Salvage: copy every entry that can still be read from a damaged journal into a fresh one.

Rows are read through SQLite as far as it can, then page by page
(:mod:`csframework._salvage`) where a damaged page hides them; each row is
checked (:func:`entries.row_problem`) before it is copied.

Examples
--------
>>> from pathlib import Path
>>> Salvage(Path("old.sqlite3"), Path("new.sqlite3"), 3, ())
<Salvage: 3 entry versions copied, 0 could not be read>
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from csframework import _salvage
from csframework._text import plural
from csframework.errors import JournalError
from csframework.journal.database import (
    check_header,
    connect,
    default_path,
    expand_path,
    refuse_special,
    timestamped,
    transaction,
    trio,
)
from csframework.journal.entries import COLUMNS, row_problem

__all__ = ["Salvage", "readable_rows", "salvage_file"]


class _Closable(Protocol):
    def close(self) -> None: ...


@dataclass(frozen=True)
class Salvage:
    """The report of :meth:`Journal.salvage`.

    Attributes
    ----------
    source : pathlib.Path
        The damaged journal (read, never changed).
    journal : pathlib.Path
        The fresh journal holding every entry version that could be read.
    copied : int
        How many entry versions were copied.
    lost : tuple of str
        One line per entry version that could not be read, and why.
    """

    source: Path
    journal: Path
    copied: int
    lost: tuple[str, ...]

    def text(self) -> str:
        """The report, for a person."""
        total = self.copied + len(self.lost)
        lines = [f"Salvaged {self.copied} of {total} entry versions from {self.source} into "
                 f"{self.journal}."]
        if self.lost:
            lines.append(f"Could not read {len(self.lost)}:")
            lines += [f"  {line}" for line in self.lost]
        else:
            lines.append("Every entry version could be read.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<Salvage: {plural(self.copied, 'entry version')} copied, {len(self.lost)} "
                "could not be read>")


def readable_rows(source: Path) -> tuple[dict[int, tuple[Any, ...]], dict[int, str],
                                          dict[int, tuple[Any, ...]], int]:
    """Rows of `source` that are whole entries, problems by id, index keys by id, top id."""
    rows: dict[int, tuple[Any, ...]] = {}
    problems: dict[int, str] = {}

    def consider(row: tuple[Any, ...]) -> None:
        if row[0] in rows:
            return
        problem = row_problem(row)
        if problem:
            problems.setdefault(row[0], problem)
        else:
            rows[row[0]] = row
            problems.pop(row[0], None)

    with contextlib.suppress(sqlite3.Error):  # SQLite first, as far as it can read
        conn = connect(source, read_only=True)
        try:
            for row in conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY id"):
                consider(tuple(row))
        finally:
            conn.close()
    try:
        pages = _salvage.read_file(source)
    except OSError as err:
        raise JournalError(f"cannot read {source} to salvage it: {err.strerror or err}") from None
    highest = 0
    for row_id, values in pages.table_rows:
        if len(values) == 8 and values[0] is None:
            consider((row_id, *values[1:]))
        elif len(values) == 2 and values[0] == "entries" and isinstance(values[1], int):
            highest = max(highest, values[1])  # sqlite_sequence: the last id ever given
    known = {v[3]: tuple(v[:3]) for v in pages.index_rows
             if len(v) == 4 and isinstance(v[3], int) and isinstance(v[1], str)}
    return rows, problems, known, highest


def salvage_file(path: str | os.PathLike[str] | None, into: str | os.PathLike[str] | None,
                 open_journal: Callable[[Path], _Closable]) -> Salvage:
    """Copy the readable entries of the journal at `path` into a fresh one at `into`.

    `open_journal` creates the fresh journal (``Journal``); see :meth:`Journal.salvage`.
    """
    source = (expand_path(path, "the journal path") if path is not None
              else default_path()).absolute()
    if source.is_dir() or not source.exists():
        raise JournalError(f"there is no journal file at {source} to salvage")
    refuse_special(source, "the journal path", "salvage a journal file")
    if into is None:
        target = timestamped(source.parent, f"{source.stem}-salvaged")
    else:
        target = expand_path(into, "the salvage target").absolute()
    if any(p.exists() or p.is_symlink() for p in trio(target)):
        raise JournalError(f"cannot salvage into {target}: it already exists; the salvage "
                           "writes a fresh journal, so give a new file name")
    rows, problems, known, highest = readable_rows(source)
    if not rows and not problems and not known:
        check_header(source, "the journal file")  # refuses a file that is not SQLite
    lost = []
    open_journal(target).close()  # a fresh, empty journal: schema, WAL, permissions
    conn = connect(target)
    try:
        conn.execute("PRAGMA synchronous = FULL")
        with transaction(conn):
            for row_id in sorted(rows):
                try:
                    conn.execute(f"INSERT INTO entries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, "
                                 "?, ?)", rows[row_id])
                except sqlite3.IntegrityError:
                    problems[row_id] = ("another row already holds its session, prompt and "
                                        "version")
    except sqlite3.Error as err:
        raise JournalError(f"could not write to the journal {target}: {err}") from None
    finally:
        conn.close()
    copied = len(rows) - sum(1 for r in rows if r in problems)
    for row_id in range(1, max([highest, *rows, *problems, 0]) + 1):
        if row_id in rows and row_id not in problems:
            continue
        where = known.get(row_id)
        name = (f"session {where[0]}, {where[1]!r}, version {where[2]} (entry #{row_id})"
                if where else f"entry #{row_id}")
        lost.append(f"{name}: {problems.get(row_id, 'its page is damaged or gone')}")
    return Salvage(source, target, copied, tuple(lost))

"""The Journal: a participant's reflections in SQLite, append-only and crash-safe.

:class:`Journal` opens (or creates) the file, writes entries and reads them back;
its exports, backups, restore and salvage come from
:class:`~csframework.journal.copies.JournalCopies`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from csframework._atomic import fsync_dir
from csframework._text import plural
from csframework.errors import JournalError
from csframework.journal.backup import restore_file
from csframework.journal.copies import JournalCopies
from csframework.journal.database import (
    APPLICATION_ID,
    FILE_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    check_header,
    connect,
    default_path,
    expand_path,
    identify,
    make_private,
    make_private_folder,
    now,
    quick_check,
    refuse_special,
    set_wal,
    transaction,
)
from csframework.journal.entries import (
    COLUMNS,
    Entry,
    check_size,
    checked_domain,
    checked_prompt,
    checked_text,
    entry_from_row,
    make_attachments,
    session_number,
)

__all__ = ["Journal", "restore_backup"]


class Journal(JournalCopies):
    """A participant's reflection journal (SQLite, WAL mode, owner-only permissions).

    Parameters
    ----------
    path : str or path-like, optional
        The database file. Default: ``$CSF_HOME/journal.sqlite3`` when ``CSF_HOME``
        is set, else ``journal.sqlite3`` in ``platformdirs.user_data_dir("csframework")``.
        Created (mode 0600, in a 0700 folder when the folder is new) if missing.

    Raises
    ------
    JournalError
        If the file is not SQLite, is SQLite but not a journal, comes from a newer
        csframework, or its folder is not writable. The file is never modified.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "j.sqlite3"
    >>> journal = Journal(path)
    >>> entry = journal.write("session07", "loops", "The delay made it worse.",
    ...                       attachments={"counts": {"R": 1, "B": 2}}, domain="research")
    >>> entry
    Entry(session=7, prompt_id='loops', version=1, text='The delay made it worse.')
    >>> journal.latest(7, "loops").attachment("counts").value
    {'R': 1, 'B': 2}
    >>> oct(path.stat().st_mode & 0o777)
    '0o600'
    >>> journal.close()
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        chosen = expand_path(path, "the journal path") if path is not None else default_path()
        self._path = chosen.absolute()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._damage: str | None = None
        self._conn = self._open()

    @classmethod
    @contextlib.contextmanager
    def scratch(cls) -> Iterator[Journal]:
        """A throw-away journal in a new temporary folder, deleted when the block ends.

        For demonstrations in the notebooks: what is written to it never reaches
        your own journal, the mandala or the certification portfolio.

        Examples
        --------
        >>> with Journal.scratch() as demo:
        ...     _ = demo.write(13, "example", "Small visible successes keep colleagues trying")
        ...     len(demo), demo.path != default_path()
        (1, True)
        >>> demo.path.exists()
        False
        """
        import tempfile

        with tempfile.TemporaryDirectory(prefix="csf-scratch-journal-") as folder:
            journal = cls(Path(folder) / "journal.sqlite3")
            try:
                yield journal
            finally:
                journal.close()

    # -- opening --------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        path = self._path
        if path.is_dir():
            raise JournalError(f"the journal path {path} is a folder; give a file name such "
                               f"as {path / FILE_NAME}")
        refuse_special(path, "the journal path", "a journal is a regular file, such as "
                        f"{default_path()}")
        if path.exists():
            check_header(path, "the journal file")
        else:
            self._create_file(path)
        self._check_writable(path)
        try:
            conn = connect(path)
        except sqlite3.Error as err:
            raise JournalError(f"cannot open the journal {path}: {err}") from None
        try:
            version = identify(conn, path, "the journal file")
            if version < SCHEMA_VERSION:
                Journal._migrate(conn, path)
            set_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._damage = quick_check(conn)
            if self._damage:
                conn.execute("PRAGMA query_only = ON")
        except sqlite3.DatabaseError as err:
            conn.close()
            raise JournalError(f"the journal {path} cannot be read ({err}); it may be "
                               "damaged. The file was left untouched; Journal.salvage() (or "
                               "'csframework journal salvage') copies what can still be read "
                               "into a fresh journal, and Journal.restore() brings back a "
                               "backup") from None
        except BaseException:
            conn.close()
            raise
        make_private(path)
        if self._damage:
            warnings.warn(self._damaged_message("is open read-only"), RuntimeWarning,
                          stacklevel=3)
        return conn

    def _damaged_message(self, consequence: str) -> str:
        return (f"the journal {self._path} is damaged (SQLite's check found: {self._damage}); "
                f"it {consequence}. Journal.salvage({str(self._path)!r}) or 'csframework "
                "journal salvage' copies every entry that can still be read into a fresh "
                "journal and lists what could not be read")

    @staticmethod
    def _create_file(path: Path) -> None:
        make_private_folder(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process created it a moment ago
        except OSError as err:
            raise JournalError(f"cannot create the journal {path}: {err.strerror or err} "
                               f"(is the folder {path.parent} writable?)") from None
        os.close(fd)
        fsync_dir(path.parent)

    @staticmethod
    def _check_writable(path: Path) -> None:
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise JournalError(f"the journal's folder {path.parent} is read-only; the journal "
                               f"needs to write {path.name} and its -wal and -shm files there. "
                               "Make the folder writable, or copy the journal somewhere "
                               "writable and open it there")
        if not os.access(path, os.R_OK | os.W_OK):
            raise JournalError(f"the journal file {path} is not readable and writable by you")

    @staticmethod
    def _migrate(conn: sqlite3.Connection, path: Path) -> None:
        """Create or upgrade the schema and mark the file, all in one write transaction.

        Other processes opening the same new file wait for this transaction
        (``BEGIN IMMEDIATE`` with the busy timeout) and then see a whole journal.
        """
        with transaction(conn):
            version = identify(conn, path, "the journal file")  # again, under the lock
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")

    # -- plumbing -------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def damage(self) -> str | None:
        """What SQLite's integrity check found when the journal was opened, or None.

        A damaged journal is open read-only: writes and backups are refused, and
        :meth:`salvage` copies what can still be read into a fresh journal.
        """
        return self._damage

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"the journal {self._path} is closed; open it again with "
                               "Journal(...)")
        return self._conn

    @contextlib.contextmanager
    def _using(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._db()
            try:
                yield conn
            except sqlite3.Error as err:
                malformed = isinstance(err, sqlite3.DatabaseError) and "malformed" in str(err)
                if self._damage or malformed:
                    self._damage = self._damage or str(err)
                    raise JournalError(self._damaged_message(f"could not {action} it "
                                                             f"({err})")) from None
                raise JournalError(f"could not {action} the journal {self._path}: "
                                   f"{err}") from None

    def close(self) -> None:
        """Close the database (idempotent). Confirmed writes are already on disk."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------

    def write(self, session: int | str, prompt_id: str, text: str,
              attachments: Mapping[str, Any] | None = None, *,
              domain: str | None = None) -> Entry:
        """Save an answer as a new version; return it once it is safely on disk.

        Parameters
        ----------
        session : int or str
            0 to 14, or a key such as ``"session07"`` / ``"start-here"``.
        prompt_id : str
            A short slug naming the prompt (``"check-out"``, ``"q1.vision"``).
        text : str
            What the participant wrote; must contain a visible character.
        attachments : dict, optional
            name -> a str, JSON-able data, or an object with ``to_json()``
            (a :class:`~csframework.CausalLoopDiagram`, an Iceberg, ...).
        domain : str, optional
            The mandala domain: ``"practice"``, ``"research"``,
            ``"capacity building"`` or ``"community"``.

        Returns
        -------
        Entry
            The committed entry (version 1 for a new prompt, n + 1 after n).

        Raises
        ------
        UnknownSessionError
            For a session outside 0-14 (lists the valid ones).
        JournalInputError
            For empty text, a bad prompt id or domain, a non-JSON-able attachment,
            or an entry over :data:`MAX_ENTRY_BYTES` (5 MB). Nothing is written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with Journal(pathlib.Path(tempfile.mkdtemp()) / "j.sqlite3") as journal:
        ...     journal.write(2, "vision", "   ")
        Traceback (most recent call last):
        ...
        csframework.journal.JournalInputError: the text in Journal.write(2, 'vision') is empty ...
        """
        number = session_number(session, "Journal.write")
        prompt = checked_prompt(prompt_id, f"Journal.write({number}, ...)")
        where = f"Journal.write({number}, {prompt!r})"
        text = checked_text(text, where)
        domain_name = checked_domain(domain, where)
        items = make_attachments(attachments, where)
        check_size(text, items, where)
        if self._damage:
            raise JournalError(self._damaged_message("is open read-only, so nothing was "
                                                     "written"))
        stored = json.dumps([a.to_dict() for a in items], ensure_ascii=False)
        with self._using("write to") as conn, transaction(conn):
            version = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM entries "
                "WHERE session = ? AND prompt_id = ?", (number, prompt)).fetchone()[0]
            time = now()
            cursor = conn.execute(
                "INSERT INTO entries (session, prompt_id, version, text, time, domain, "
                "attachments) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, prompt, version, text, time, domain_name, stored))
            row_id = cursor.lastrowid
        return Entry(row_id, number, prompt, version, text, time, domain_name, items)

    # -- reading --------------------------------------------------------------------------

    def entries(self, session: int | str | None = None,
                prompt_id: str | None = None) -> tuple[Entry, ...]:
        """The latest version of each prompt, by session, then by when first written.

        Parameters
        ----------
        session : int or str, optional
            Only this session.
        prompt_id : str, optional
            Only this prompt.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with Journal(pathlib.Path(tempfile.mkdtemp()) / "j.sqlite3") as journal:
        ...     for s, p, t in [(3, "log", "tired"), (1, "arrive", "curious"),
        ...                     (3, "log", "rested")]:
        ...         _ = journal.write(s, p, t)
        ...     [(e.session, e.text, e.version) for e in journal.entries()]
        [(1, 'curious', 1), (3, 'rested', 2)]
        """
        where, params = [], []
        if session is not None:
            where.append("session = ?")
            params.append(session_number(session, "Journal.entries"))
        if prompt_id is not None:
            where.append("prompt_id = ?")
            params.append(checked_prompt(prompt_id, "Journal.entries"))
        condition = ("WHERE " + " AND ".join(where)) if where else ""
        sql = (f"SELECT {', '.join('e.' + c for c in COLUMNS.split(', '))} FROM entries e "
               "JOIN (SELECT session, prompt_id, MAX(version) AS last, MIN(time) AS first_time, "
               f"MIN(id) AS first_id FROM entries {condition} GROUP BY session, prompt_id) g "
               "ON e.session = g.session AND e.prompt_id = g.prompt_id AND e.version = g.last "
               "ORDER BY e.session, g.first_time, g.first_id")
        with self._using("read") as conn:
            rows = conn.execute(sql, params).fetchall()
        return tuple(entry_from_row(r, self._path) for r in rows)

    def history(self, session: int | str, prompt_id: str) -> tuple[Entry, ...]:
        """Every version written for one prompt, oldest first (empty if never written)."""
        number = session_number(session, "Journal.history")
        prompt = checked_prompt(prompt_id, "Journal.history")
        with self._using("read") as conn:
            rows = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE session = ? AND "
                                "prompt_id = ? ORDER BY version", (number, prompt)).fetchall()
        return tuple(entry_from_row(r, self._path) for r in rows)

    def latest(self, session: int | str, prompt_id: str) -> Entry | None:
        """The last saved version for a prompt, or None if nothing was written yet."""
        number = session_number(session, "Journal.latest")
        prompt = checked_prompt(prompt_id, "Journal.latest")
        with self._using("read") as conn:
            row = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE session = ? AND "
                               "prompt_id = ? ORDER BY version DESC LIMIT 1",
                               (number, prompt)).fetchone()
        return entry_from_row(row, self._path) if row else None

    def counts(self) -> tuple[int, int, int]:
        """(prompts answered, sessions written in, entry versions stored).

        Examples
        --------
        >>> with Journal.scratch() as demo:
        ...     _ = demo.write(1, "a", "one"), demo.write(1, "a", "two"), demo.write(2, "b", "x")
        ...     demo.counts()
        (2, 2, 3)
        """
        with self._using("read") as conn:
            return conn.execute(
                "SELECT COUNT(DISTINCT session || '/' || prompt_id), COUNT(DISTINCT session), "
                "COUNT(*) FROM entries").fetchone()

    def __len__(self) -> int:
        """The number of prompts answered (as in :meth:`entries`)."""
        return self.counts()[0]

    def __repr__(self) -> str:
        if self._conn is None:
            return "<Journal: closed>"
        if self._damage:
            return "<Journal: damaged, read-only>"
        prompts, sessions, _ = self.counts()
        return (f"<Journal: {plural(prompts, 'entry', 'entries')} in "
                f"{plural(sessions, 'session')}>")

    def describe(self) -> str:
        """Several lines about the journal, including where it is stored."""
        prompts, sessions, versions = self.counts()
        size = sum(p.stat().st_size for p in (self._path, Path(f"{self._path}-wal"))
                   if p.exists())
        return "\n".join([
            f"Journal at {self._path}",
            f"  {plural(prompts, 'entry', 'entries')} ({plural(versions, 'version')}) in "
            f"{plural(sessions, 'session')}",
            f"  schema version {SCHEMA_VERSION}, {size / 1024:.0f} KiB on disk",
        ])


def restore_backup(backup: str | os.PathLike[str], path: str | os.PathLike[str] | None = None,
                   *, overwrite: bool = False) -> tuple[Journal, Path | None]:
    """:meth:`Journal.restore`, also returning where the old journal was set aside (or None).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Journal(folder / "j.sqlite3") as journal:
    ...     copy = journal.backup(folder / "copy.sqlite3")
    >>> restored, aside = restore_backup(copy, folder / "new.sqlite3")
    >>> aside is None, len(restored)
    (True, 0)
    >>> restored.close()
    """
    return restore_file(backup, path, overwrite, Journal)

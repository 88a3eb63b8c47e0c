"""The reflection journal: a private, versioned, crash-safe store of a participant's writing.

Each answer a participant writes in a notebook (a reflection, a check-out, a
diagram of their local system) is saved as an :class:`Entry` in a SQLite
database that only its owner can read. Writing to the same session and prompt
again adds a new *version*: nothing is ever overwritten or deleted, and
:meth:`Journal.history` shows every version. The journal exports a portfolio to
Markdown or to a single self-contained HTML file, grouped by session and by the
four domains of the Mandala for Systems Change.

Where the journal lives
    ``Journal()`` opens ``journal.sqlite3`` in the user's data folder
    (``platformdirs.user_data_dir("csframework")``), or in ``$CSF_HOME`` when that
    environment variable is set; ``Journal(path)`` opens `path`.

Sessions
    An ``int`` from 0 to 14 (0 is the start-here notebook), or the matching key
    ``"start-here"``, ``"session01"`` ... ``"session14"`` (also ``"7"`` or
    ``"07"``). Entries always store the number.

Durability
    WAL mode with ``synchronous=FULL``: :meth:`Journal.write` returns only after
    its transaction has committed and reached the disk, so a confirmed entry
    survives a killed kernel or a power cut. Concurrent writers (two notebooks,
    two kernels) wait for each other (``busy_timeout``) instead of failing.
    Exports and backups are written atomically (:mod:`csframework._atomic`).

Safety
    A journal is opened only if it is a regular file (never a device or a pipe)
    and passes SQLite's integrity check; a damaged one opens read-only, with a
    warning, and :meth:`Journal.salvage` copies what can still be read into a
    fresh journal. Exports never replace the journal, its ``-wal``/``-shm``
    files, its backups or any other SQLite database, and write through symbolic
    links. :meth:`Journal.restore` moves the old journal aside with its
    ``-wal``/``-shm`` files and checks the result against the backup. Rows that
    were edited outside csframework into a shape the journal never stores are
    refused with the entry's id, not passed on.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Journal(folder / "journal.sqlite3") as journal:
...     _ = journal.write(1, "intention", "To listen before I answer.", domain="practice")
...     _ = journal.write(1, "intention", "To listen, and to notice when I don't.")
...     journal
<Journal: 1 entry in 1 session>
>>> with Journal(folder / "journal.sqlite3") as journal:
...     [entry.version for entry in journal.history(1, "intention")]
[1, 2]
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import operator
import os
import re
import sqlite3
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from csframework._atomic import atomic_path, fsync_dir, remove_stale_temps, write_atomic
from csframework.errors import JournalError, UnknownNameError, close_matches

__all__ = [
    "DOMAINS",
    "MAX_ENTRY_BYTES",
    "SCHEMA_VERSION",
    "SESSIONS",
    "Attachment",
    "Entry",
    "Journal",
    "JournalInputError",
    "Salvage",
    "UnknownSessionError",
    "backup_folder",
    "default_path",
    "session_key",
]

SCHEMA_VERSION = 1
APPLICATION_ID = 0x43534A4E  # "CSJN": marks a SQLite file as a csframework journal
FILE_NAME = "journal.sqlite3"
MAX_ENTRY_BYTES = 5 * 1024 * 1024
BUSY_TIMEOUT_S = 60.0
EXPORT_MODE = 0o600  # portfolios hold private reflections too: the owner decides to share
SESSIONS = tuple(range(15))
DOMAINS = ("practice", "research", "capacity building", "community")
DOMAIN_QUESTIONS = {
    "practice": "What are we seeking to accomplish?",
    "research": "What are we seeking to learn that can benefit others?",
    "capacity building": "How do we need to learn and grow, individually and collectively?",
    "community": 'Who is the "we", and what is the quality of our relationships?',
}
_PROMPT_RE = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CLD_SCHEMA = "csframework.cld"


class JournalInputError(JournalError, ValueError):
    """A value given to the journal cannot be stored (text, prompt id, attachment, domain).

    Also a ``ValueError``, so ``except ValueError`` catches it.
    """


class UnknownSessionError(JournalError, UnknownNameError):
    """A session that is not one of 0-14 or their keys; the message lists the valid ones."""

    def __init__(self, value: object, where: str):
        super().__init__(str(value), [session_key(n) for n in SESSIONS], kind="session",
                         where=where)
        hint = _session_hint(value)
        maybe = f" (did you mean {hint!r}?)" if hint else ""
        self.message = (f"unknown session {value!r} in {where}{maybe}; valid sessions are the "
                        "numbers 0 (start here) to 14, or the keys 'start-here', 'session01', "
                        "..., 'session14'")
        self.args = (self.message,)


# -- sessions, prompts, domains -------------------------------------------------------------

def session_key(number: int) -> str:
    """The key of a session number: ``"start-here"`` for 0, ``"session07"`` for 7.

    Examples
    --------
    >>> session_key(0), session_key(7)
    ('start-here', 'session07')
    """
    return "start-here" if number == 0 else f"session{number:02d}"


def _session_hint(value: object) -> str | None:
    """A likely key for a misspelt session ('sesion3' -> 'session03')."""
    if not isinstance(value, str):
        return None
    digits = re.findall(r"\d+", value)
    if len(digits) == 1 and int(digits[0]) in SESSIONS:
        return session_key(int(digits[0]))
    found = close_matches(value, [session_key(n) for n in SESSIONS], n=1)
    return found[0] if found else None


def _session_number(value: object, where: str) -> int:
    """Validate a session given as a number or a key; return its number."""
    if isinstance(value, str):
        text = value.strip().lower().replace("_", "-").replace(" ", "")
        if text in ("start-here", "starthere", "start"):
            return 0
        text = text.removeprefix("session")
        if text.isdigit() and int(text) in SESSIONS:
            return int(text)
        raise UnknownSessionError(value, where)
    if isinstance(value, bool):
        raise UnknownSessionError(value, where)
    try:
        number = operator.index(value)
    except TypeError:
        raise UnknownSessionError(value, where) from None
    if number not in SESSIONS:
        raise UnknownSessionError(value, where)
    return number


def _prompt_id(value: object, where: str) -> str:
    if isinstance(value, str) and _PROMPT_RE.fullmatch(value):
        return value
    slug = "-".join(re.findall(r"[a-z0-9]+", str(value).lower()))[:64]
    hint = f"; did you mean {slug!r}?" if slug and isinstance(value, str) else ""
    raise JournalInputError(
        f"bad prompt id {value!r} in {where}: a prompt id is a short slug of 1 to 64 lowercase "
        f"letters, digits, '-', '_' or '.', starting and ending with a letter or digit{hint}")


def _domain(value: object, where: str) -> str | None:
    if value is None:
        return None
    key = " ".join(str(value).lower().replace("-", " ").replace("_", " ").split())
    key = {"community building": "community"}.get(key, key)
    if isinstance(value, str) and key in DOMAINS:
        return key
    hint = close_matches(str(value), DOMAINS, n=1)
    maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise JournalInputError(
        f"unknown mandala domain {value!r} in {where}{maybe}; the domains are "
        + ", ".join(repr(d) for d in DOMAINS) + ", or None")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise JournalInputError(f"the text in {where} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise JournalInputError(f"the text in {where} is empty ({value!r}); write something "
                                "first (an entry needs at least one visible character)")
    return value


# -- attachments --------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    """Something saved with an entry: a diagram, an iceberg, a note.

    Attributes
    ----------
    name : str
        The name it was given in ``write(..., attachments={name: ...})``.
    kind : str
        The JSON ``"schema"`` when the content has one (``"csframework.cld"`` for a
        diagram), else the class name of an object saved through its
        ``to_json()``, else ``"json"`` for plain data or ``"text"`` for a str.
    content : str
        Exactly what was stored: JSON text, or the str as given.
    is_json : bool
        Whether `content` is JSON written by the journal (``value`` parses it).

    Examples
    --------
    >>> a = Attachment("counts", "json", '{"a": 1}', True)
    >>> a.value
    {'a': 1}
    >>> a
    Attachment('counts', kind='json')
    """

    name: str
    kind: str
    content: str
    is_json: bool

    @property
    def value(self) -> Any:
        """The data: parsed JSON when `is_json`, otherwise the str itself."""
        return json.loads(self.content) if self.is_json else self.content

    def json_data(self) -> Any | None:
        """The content parsed as JSON if it is JSON (also a str holding JSON), else None."""
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, kind={self.kind!r})"

    def _to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "content": self.content,
                "json": self.is_json}


def _schema_of(content: str) -> str | None:
    try:
        data = json.loads(content)
    except ValueError:
        return None
    schema = data.get("schema") if isinstance(data, dict) else None
    return schema if isinstance(schema, str) and schema else None


def _dumps(value: Any, name: str, where: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=False)
    except (TypeError, ValueError) as err:
        raise JournalInputError(
            f"attachment {name!r} in {where} is not JSON-able ({err}); give a str, plain data "
            "(dict, list, str, int, float, bool, None; no NaN or infinity) or an object with "
            "a to_json() method") from None


def _attachment(name: object, value: object, where: str) -> Attachment:
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise JournalInputError(f"bad attachment name {name!r} in {where}: names are "
                                "non-empty str of at most 100 characters")
    if isinstance(value, str):
        return Attachment(name, _schema_of(value) or "text", value, False)
    if callable(getattr(value, "to_json", None)):
        produced = value.to_json()
        content = produced if isinstance(produced, str) else _dumps(produced, name, where)
        try:
            json.loads(content)
        except ValueError:
            raise JournalInputError(f"attachment {name!r} in {where}: "
                                    f"{type(value).__name__}.to_json() did not return JSON"
                                    ) from None
        return Attachment(name, _schema_of(content) or type(value).__name__, content, True)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise JournalInputError(f"attachment {name!r} in {where} is {type(value).__name__}; "
                                "the journal stores text and JSON, not raw bytes")
    content = _dumps(value, name, where)
    return Attachment(name, _schema_of(content) or "json", content, True)


def _attachments(value: object, where: str) -> tuple[Attachment, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise JournalInputError(f"attachments in {where} must be a dict of name -> value, "
                                f"not {type(value).__name__}")
    return tuple(_attachment(name, item, where) for name, item in value.items())


def _check_size(text: str, attachments: tuple[Attachment, ...], where: str) -> None:
    try:
        sizes = [len(text.encode("utf-8"))]
        sizes += [len(a.content.encode("utf-8")) + len(a.name) for a in attachments]
    except UnicodeEncodeError as err:
        raise JournalInputError(f"the entry in {where} holds characters that cannot be "
                                f"stored as UTF-8 ({err.reason})") from None
    total = sum(sizes)
    if total > MAX_ENTRY_BYTES:
        biggest = max(attachments, key=lambda a: len(a.content), default=None)
        detail = f"; the largest attachment is {biggest.name!r}" if biggest else ""
        raise JournalInputError(
            f"the entry in {where} is {total / 1e6:.1f} MB (text and attachments); the limit "
            f"is {MAX_ENTRY_BYTES // (1024 * 1024)} MB per entry{detail}")


# -- entries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One saved version of an answer to a prompt. Immutable.

    Attributes
    ----------
    id : int
        Its row number in the journal (increases with every write).
    session : int
        0 (start here) to 14.
    prompt_id : str
        The prompt's slug, e.g. ``"check-out"``.
    version : int
        1 for the first answer to this prompt, 2 for the first edit, ...
    text : str
        What the participant wrote, exactly.
    time : str
        When it was saved: UTC, ISO 8601 with the timezone
        (``2024-06-24T09:30:00.000000+00:00``).
    domain : str or None
        One of :data:`DOMAINS`, or None.
    attachments : tuple of Attachment
        In the order given.

    Examples
    --------
    >>> Entry(3, 7, "check-out", 2, "Delays fooled me twice.", "2024-12-01T10:00:00+00:00")
    Entry(session=7, prompt_id='check-out', version=2, text='Delays fooled me twice.')
    """

    id: int
    session: int
    prompt_id: str
    version: int
    text: str
    time: str
    domain: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def timestamp(self) -> datetime:
        """`time` as an aware :class:`datetime.datetime`."""
        return datetime.fromisoformat(self.time)

    def attachment(self, name: str) -> Attachment:
        """The attachment called `name`; UnknownNameError (a KeyError) if none."""
        for item in self.attachments:
            if item.name == name:
                return item
        raise UnknownNameError(name, [a.name for a in self.attachments], kind="attachment",
                               where=f"entry {self.session}/{self.prompt_id} v{self.version}")

    def __repr__(self) -> str:
        text = " ".join(self.text.split())
        text = text if len(text) <= 40 else text[:39] + "…"
        return (f"Entry(session={self.session}, prompt_id={self.prompt_id!r}, "
                f"version={self.version}, text={text!r})")


_COLUMNS = "id, session, prompt_id, version, text, time, domain, attachments"


def _row_problem(row: tuple[Any, ...]) -> str | None:
    """Why a stored row is not a journal entry (a hand-edited or damaged file); None if it is."""
    row_id, session, prompt, version, text, time, domain, stored = row

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    checks = [
        (whole(row_id), "its id is not a whole number"),
        (whole(session) and session in SESSIONS, f"its session {session!r} is not 0 to 14"),
        (isinstance(prompt, str) and _PROMPT_RE.fullmatch(prompt) is not None,
         f"its prompt id {prompt!r} is not a prompt slug"),
        (whole(version) and version >= 1, f"its version {version!r} is not 1 or more"),
        (isinstance(text, str), f"its text is {type(text).__name__}, not text"),
        (domain is None or domain in DOMAINS, f"its domain {domain!r} is not a mandala domain"),
    ]
    for ok, problem in checks:
        if not ok:
            return problem
    try:
        when = datetime.fromisoformat(time)
        if when.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        return f"its time {time!r} is not an ISO 8601 time with a timezone"
    if not _stored_attachments_ok(stored):
        return "its attachments are not in the journal's format"
    return None


def _stored_attachments_ok(stored: object) -> bool:
    try:
        items = json.loads(stored)  # type: ignore[arg-type]
        if not isinstance(items, list):
            return False
        for item in items:
            if not (isinstance(item, dict) and isinstance(item.get("json"), bool) and all(
                    isinstance(item.get(k), str) for k in ("name", "kind", "content"))):
                return False
            if item["json"]:
                json.loads(item["content"])
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _entry(row: tuple[Any, ...], where: Path) -> Entry:
    problem = _row_problem(row)
    if problem:
        raise JournalError(
            f"entry #{row[0]} of the journal {where} cannot be read: {problem}. The journal "
            "was probably changed outside csframework; Journal.salvage() (or 'csframework "
            "journal salvage') copies every entry that can be read into a fresh journal and "
            "lists the others")
    attachments = tuple(Attachment(a["name"], a["kind"], a["content"], a["json"])
                        for a in json.loads(row[7]))
    return Entry(*row[:7], attachments=attachments)


# -- schema -------------------------------------------------------------------------------

def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    """Schema 1: one append-only table of entry versions (triggers forbid UPDATE/DELETE)."""
    statements = [
        """CREATE TABLE entries (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            session     INTEGER NOT NULL CHECK (session BETWEEN 0 AND 14),
            prompt_id   TEXT    NOT NULL CHECK (length(prompt_id) BETWEEN 1 AND 64),
            version     INTEGER NOT NULL CHECK (version >= 1),
            text        TEXT    NOT NULL,
            time        TEXT    NOT NULL,
            domain      TEXT,
            attachments TEXT    NOT NULL DEFAULT '[]',
            UNIQUE (session, prompt_id, version))""",
        """CREATE TRIGGER entries_are_never_changed BEFORE UPDATE ON entries
            BEGIN SELECT RAISE(ABORT, 'journal entries are never changed'); END""",
        """CREATE TRIGGER entries_are_never_deleted BEFORE DELETE ON entries
            BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END""",
    ]
    for statement in statements:
        conn.execute(statement)


# Migration k upgrades a journal from schema version k to k + 1, inside one transaction.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_0_to_1}


def default_path() -> Path:
    """Where ``Journal()`` keeps the journal: ``$CSF_HOME`` or the user data folder.

    Examples
    --------
    >>> import os
    >>> default_path() == Path(os.environ["CSF_HOME"]) / "journal.sqlite3"  # set by the tests
    True
    """
    home = os.environ.get("CSF_HOME")
    if home:
        return _expand(home, "CSF_HOME") / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir("csframework", appauthor=False)) / FILE_NAME


def _expand(path: str | os.PathLike[str], what: str) -> Path:
    """`path` with ``~`` / ``~user`` expanded; a JournalError when that user is unknown."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # pathlib's "Could not determine home directory"
        head = str(path).replace("\\", "/").split("/", 1)[0]
        raise JournalError(f"cannot use {what} {os.fspath(path)!r}: {head!r} names no user on "
                           "this machine (or your home folder is unknown); give the full "
                           "path instead") from None
    except TypeError:
        raise JournalError(f"{what} must be a path (str or pathlib.Path), not "
                           f"{type(path).__name__}") from None


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _refuse_special(path: Path, what: str, advice: str) -> None:
    """Refuse an existing `path` (links followed) that is not a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise JournalError(f"cannot use {what} {path}: {err.strerror or err}") from None
    if not stat.S_ISREG(mode):
        raise JournalError(f"refusing {what} {path}: it is {_kind_of(mode)}, not a regular "
                           f"file; {advice}")


def _make_private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) readable by its owner only."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        try:
            parent.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError as err:
            raise JournalError(f"cannot create the journal's folder {parent}: "
                               f"{err.strerror or err}") from None
        os.chmod(parent, 0o700)
        fsync_dir(parent.parent)


def _check_header(path: Path, what: str) -> None:
    """Refuse, before SQLite touches it, a non-empty file that is not SQLite."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as err:
        raise JournalError(f"cannot read {what} {path}: {err.strerror or err}") from None
    if head and head != _SQLITE_MAGIC:
        raise JournalError(f"{what} {path} is not a journal: it is not a SQLite database "
                           "(wrong file header); the file was left untouched")


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _identify(conn: sqlite3.Connection, path: Path, what: str) -> int:
    """The schema version of a journal database; 0 for a blank database; else raise.

    The three facts are read in one read transaction, so a journal being created
    by another process at this moment is seen either blank or complete.
    """
    in_transaction = conn.in_transaction
    if not in_transaction:
        conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = _tables(conn)
    finally:
        if not in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("COMMIT")
    if app_id == 0 and version == 0 and not tables:
        return 0
    if app_id != APPLICATION_ID or "entries" not in tables:
        shown = ", ".join(tables) or "none"
        raise JournalError(f"{what} {path} is a SQLite database but not a csframework journal "
                           f"(tables: {shown}); the file was left untouched")
    if version > SCHEMA_VERSION:
        raise JournalError(f"{what} {path} was written by a newer csframework (journal schema "
                           f"{version}; this version reads up to {SCHEMA_VERSION}); upgrade "
                           "csframework to open it")
    return version


def _quick_check(conn: sqlite3.Connection) -> str | None:
    """None when SQLite's quick check passes; else what it found (shortened)."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as err:
        return str(err)
    if found == ["ok"]:
        return None
    lines = [line.strip() for text in found for line in str(text).splitlines()]
    lines = [line for line in lines if line and not line.startswith("***")]
    shown = "; ".join(lines[:2]) + ("; ..." if len(lines) > 2 else "")
    return shown[:200] or "not ok"


def _set_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL mode, waiting while other processes hold the file (a new journal)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or \
                    time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"WAL mode is not available here (got {mode!r})")


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    uri = path.absolute().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (take the write lock now, waiting if needed) ... COMMIT."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _private(path: Path) -> None:
    """Make the journal and its -wal/-shm files readable by their owner only."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# -- the journal --------------------------------------------------------------------------

class Journal:
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
        chosen = _expand(path, "the journal path") if path is not None else default_path()
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
        _refuse_special(path, "the journal path", "a journal is a regular file, such as "
                        f"{default_path()}")
        if path.exists():
            _check_header(path, "the journal file")
        else:
            self._create_file(path)
        self._check_writable(path)
        try:
            conn = _connect(path)
        except sqlite3.Error as err:
            raise JournalError(f"cannot open the journal {path}: {err}") from None
        try:
            version = _identify(conn, path, "the journal file")
            if version < SCHEMA_VERSION:
                Journal._migrate(conn, path)
            _set_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._damage = _quick_check(conn)
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
        _private(path)
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
        _make_private_folder(path.parent)
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
        with _transaction(conn):
            version = _identify(conn, path, "the journal file")  # again, under the lock
            while version < SCHEMA_VERSION:
                _MIGRATIONS[version](conn)
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
        number = _session_number(session, "Journal.write")
        prompt = _prompt_id(prompt_id, f"Journal.write({number}, ...)")
        where = f"Journal.write({number}, {prompt!r})"
        text = _text(text, where)
        domain_name = _domain(domain, where)
        items = _attachments(attachments, where)
        _check_size(text, items, where)
        if self._damage:
            raise JournalError(self._damaged_message("is open read-only, so nothing was "
                                                     "written"))
        stored = json.dumps([a._to_dict() for a in items], ensure_ascii=False)
        with self._using("write to") as conn, _transaction(conn):
            version = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM entries "
                "WHERE session = ? AND prompt_id = ?", (number, prompt)).fetchone()[0]
            time = _now()
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
            params.append(_session_number(session, "Journal.entries"))
        if prompt_id is not None:
            where.append("prompt_id = ?")
            params.append(_prompt_id(prompt_id, "Journal.entries"))
        condition = ("WHERE " + " AND ".join(where)) if where else ""
        sql = (f"SELECT {', '.join('e.' + c for c in _COLUMNS.split(', '))} FROM entries e "
               "JOIN (SELECT session, prompt_id, MAX(version) AS last, MIN(time) AS first_time, "
               f"MIN(id) AS first_id FROM entries {condition} GROUP BY session, prompt_id) g "
               "ON e.session = g.session AND e.prompt_id = g.prompt_id AND e.version = g.last "
               "ORDER BY e.session, g.first_time, g.first_id")
        with self._using("read") as conn:
            rows = conn.execute(sql, params).fetchall()
        return tuple(_entry(r, self._path) for r in rows)

    def history(self, session: int | str, prompt_id: str) -> tuple[Entry, ...]:
        """Every version written for one prompt, oldest first (empty if never written)."""
        number = _session_number(session, "Journal.history")
        prompt = _prompt_id(prompt_id, "Journal.history")
        with self._using("read") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM entries WHERE session = ? AND "
                                "prompt_id = ? ORDER BY version", (number, prompt)).fetchall()
        return tuple(_entry(r, self._path) for r in rows)

    def latest(self, session: int | str, prompt_id: str) -> Entry | None:
        """The last saved version for a prompt, or None if nothing was written yet."""
        number = _session_number(session, "Journal.latest")
        prompt = _prompt_id(prompt_id, "Journal.latest")
        with self._using("read") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM entries WHERE session = ? AND "
                               "prompt_id = ? ORDER BY version DESC LIMIT 1",
                               (number, prompt)).fetchone()
        return _entry(row, self._path) if row else None

    def _counts(self) -> tuple[int, int, int]:
        with self._using("read") as conn:
            return conn.execute(
                "SELECT COUNT(DISTINCT session || '/' || prompt_id), COUNT(DISTINCT session), "
                "COUNT(*) FROM entries").fetchone()

    def __len__(self) -> int:
        """The number of prompts answered (as in :meth:`entries`)."""
        return self._counts()[0]

    def __repr__(self) -> str:
        if self._conn is None:
            return "<Journal: closed>"
        if self._damage:
            return "<Journal: damaged, read-only>"
        prompts, sessions, _ = self._counts()
        return (f"<Journal: {prompts} entr{'y' if prompts == 1 else 'ies'} in "
                f"{sessions} session{'' if sessions == 1 else 's'}>")

    def describe(self) -> str:
        """Several lines about the journal, including where it is stored."""
        prompts, sessions, versions = self._counts()
        size = sum(p.stat().st_size for p in (self._path, Path(f"{self._path}-wal"))
                   if p.exists())
        return "\n".join([
            f"Journal at {self._path}",
            f"  {prompts} entr{'y' if prompts == 1 else 'ies'} ({versions} "
            f"version{'' if versions == 1 else 's'}) in {sessions} "
            f"session{'' if sessions == 1 else 's'}",
            f"  schema version {SCHEMA_VERSION}, {size / 1024:.0f} KiB on disk",
        ])

    # -- export ---------------------------------------------------------------------------

    def export_markdown(self, path: str | os.PathLike[str] | TextIO) -> Path | None:
        """Write the portfolio as Markdown; diagrams as PNG files in ``<name>_files/``.

        Images are files rather than data: URIs because most Markdown viewers do
        not show data: URIs. They are named by a hash of their content and written
        before the ``.md`` file, which is then replaced atomically; so an
        interrupted export leaves the previous ``.md`` with all of its images.
        Images no longer referenced are removed afterwards. Files are created
        readable by their owner only (0600).

        Participant text cannot inject anything: HTML is escaped (``<`` becomes
        ``&lt;``) and square brackets are escaped, so no link or image (a
        ``javascript:`` link, a remote image that reports when it is viewed) can
        be formed from what a participant or a shared file wrote.

        Parameters
        ----------
        path : str, path-like or text stream
            The ``.md`` file. A symbolic link is written through (it stays a
            link). Refused: the journal itself, its ``-wal``/``-shm`` files, its
            backups, any SQLite database, and anything that is not a regular file
            (a folder, a device). A text stream (``sys.stdout``) gets the
            Markdown with diagrams in text notation (no image files).

        Returns
        -------
        pathlib.Path or None
            The Markdown file (None for a stream).
        """
        if _is_stream(path):
            path.write(_markdown(self.entries(), None))
            return None
        target = self._export_target(path)
        return self._export(target, lambda: _write_markdown(self.entries(), target))

    def export_html(self, path: str | os.PathLike[str] | TextIO) -> Path | None:
        """Write the portfolio as one self-contained HTML file (inline CSS, data: images).

        No scripts, no external links or resources; everything written by a
        participant (texts, names, captions, diagram titles) is escaped.

        Parameters
        ----------
        path : str, path-like or text stream
            The file; the same rules as for :meth:`export_markdown`.

        Returns
        -------
        pathlib.Path or None
            The HTML file (None for a stream).
        """
        if _is_stream(path):
            path.write(_render_html(self.entries()))
            return None
        target = self._export_target(path)
        return self._export(target, lambda: write_atomic(target, _render_html(self.entries()),
                                                        mode=EXPORT_MODE))

    def _export_target(self, path: str | os.PathLike[str]) -> Path:
        """The file an export really writes (links followed); refuse what must not be replaced."""
        given = _expand(path, "the export path")
        target = Path(os.path.realpath(given))
        shown = f"{given}" + (f" (a link to {target})" if given.is_symlink() else "")
        if target.is_dir():
            raise JournalError(f"cannot export to {shown}: it is a folder; give a file name "
                               f"such as {given / 'portfolio.html'}")
        _refuse_special(target, "the export target", "export to a regular file, or to '-' "
                        "(standard output) on the command line")
        if _is_journal_file(target, self._path):
            raise JournalError(f"refusing to export to {shown}: it is the journal itself, one of "
                               "its -wal/-shm files or one of its backups, and the export would "
                               "replace it; choose another file, such as portfolio.html")
        if _database_header(target):
            raise JournalError(f"refusing to export to {shown}: it is a SQLite database (a "
                               "journal or a backup?) and the export would replace it; choose "
                               "another file")
        if not target.parent.is_dir():
            raise JournalError(f"cannot export to {shown}: the folder {target.parent} "
                               "does not exist")
        return target

    def _export(self, target: Path, run: Callable[[], Path]) -> Path:
        remove_stale_temps(target)
        try:
            return run()
        except OSError as err:
            if isinstance(err, JournalError):
                raise
            raise JournalError(f"cannot export the journal to {target}: "
                               f"{err.strerror or err}") from None

    # -- backup and restore ---------------------------------------------------------------

    def backup(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Copy the whole journal (every version) to a single file, atomically.

        Uses SQLite's online backup, so it is safe while other kernels write.
        The journal is checked (``PRAGMA quick_check``) before it is copied (a
        damaged journal is refused: :meth:`salvage` it instead) and the copy is
        checked before it replaces `path`. Temporary files that killed backups of
        the same target left behind are removed first (those of a backup still
        running elsewhere are kept).

        Parameters
        ----------
        path : str or path-like, optional
            The backup file, or a folder to put a timestamped one in. Default: a
            timestamped file in the ``backups`` folder beside the journal (see
            :func:`backup_folder`). A symbolic link is written through.

        Returns
        -------
        pathlib.Path
            The backup file.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with Journal(folder / "j.sqlite3") as journal:
        ...     _ = journal.write(0, "hello", "Hello")
        ...     copy = journal.backup(folder / "backup.sqlite3")
        ...     dated = journal.backup()
        >>> Journal.restore(copy, folder / "restored.sqlite3").latest(0, "hello").text
        'Hello'
        >>> dated.parent == folder / "backups", dated.name.startswith("j-")
        (True, True)
        """
        if self._damage:
            raise JournalError(self._damaged_message("cannot be backed up (the copy would "
                                                     "carry the damage)"))
        target = self._backup_target(path)
        with self._using("back up") as conn:
            damage = _quick_check(conn)
            if damage:
                self._damage = damage
                raise JournalError(self._damaged_message("cannot be backed up (the copy "
                                                         "would carry the damage)"))
            remove_stale_temps(target)
            try:
                _copy_database(conn, target)
            except OSError as err:
                if isinstance(err, JournalError):
                    raise
                raise JournalError(f"cannot back up the journal to {target}: "
                                   f"{err.strerror or err}") from None
        return target

    def _backup_target(self, path: str | os.PathLike[str] | None) -> Path:
        if path is None:
            folder = backup_folder(self._path)
            _make_private_folder(folder)
            return _timestamped(folder, self._path.stem)
        given = _expand(path, "the backup path")
        if given.is_dir():
            return _timestamped(given, self._path.stem)
        target = Path(os.path.realpath(given))
        _refuse_special(target, "the backup target", "back up to a regular file or a folder")
        own = _trio(Path(os.path.realpath(self._path)))
        if any(target == p or _same_file(target, p) for p in own):
            raise JournalError(f"cannot back up the journal onto itself or its -wal/-shm "
                               f"files ({given}); choose another file")
        if target.exists() and target.stat().st_size and not _database_header(target):
            raise JournalError(f"refusing to back up onto {given}: it holds a file that is not "
                               "a journal backup, and the backup would replace it; choose "
                               "another file")
        if not target.parent.is_dir():
            raise JournalError(f"cannot back up to {given}: the folder {target.parent} "
                               "does not exist")
        return target

    @classmethod
    def restore(cls, backup: str | os.PathLike[str], path: str | os.PathLike[str] | None = None,
                *, overwrite: bool = False) -> Journal:
        """Bring back a backup as the journal at `path` (default: the usual place).

        Every version, time and attachment comes back exactly as it was: the
        restored journal is compared with the backup (number of entries and a
        checksum of every row) before it is returned.

        Parameters
        ----------
        backup : str or path-like
            A file written by :meth:`backup` (or any csframework journal file).
        path : str or path-like, optional
            Where to restore; default as for ``Journal()``.
        overwrite : bool
            Replace an existing journal that has entries. The old journal is never
            lost: its file and its ``-wal``/``-shm`` files are first moved, together
            and untouched, to ``<path>.bak`` (``<path>.bak-2``, ... if that exists).
            Leftover ``-wal``/``-shm`` files without a journal are set aside the
            same way, so they can never be replayed onto the restored journal.

        Returns
        -------
        Journal
            The restored journal, open.

        Raises
        ------
        JournalError
            If `backup` is not a journal, `path` holds a journal with entries (or
            any other non-empty file) and `overwrite` is false, the journal is open
            elsewhere, or the result does not equal the backup (then the old
            journal is put back). Nothing is lost.
        """
        return _restore(backup, path, overwrite)[0]

    @classmethod
    def salvage(cls, path: str | os.PathLike[str] | None = None,
                into: str | os.PathLike[str] | None = None) -> Salvage:
        """Copy every entry that can still be read from a damaged journal into a fresh one.

        The damaged file is only read, never changed. Rows are read through
        SQLite where it still can, and page by page (:mod:`csframework._salvage`)
        where a damaged page hides them from SQLite; each entry keeps its id,
        version, time and attachments. Entries that cannot be read (their page is
        damaged, or a hand edit left them in a shape the journal does not store)
        are listed in the report, by session, prompt and version where the
        journal's index still knows them.

        Parameters
        ----------
        path : str or path-like, optional
            The damaged journal (default: as for ``Journal()``).
        into : str or path-like, optional
            The fresh journal to create; it must not exist. Default:
            ``<name>-salvaged-<UTC time>.sqlite3`` beside `path`.

        Returns
        -------
        Salvage
            What was copied and what could not be read. To use the salvaged
            journal in place of the damaged one, :meth:`restore` it (the damaged
            file is set aside, not deleted).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with Journal(folder / "j.sqlite3") as journal:
        ...     _ = journal.write(3, "check-out", "Slower today.")
        >>> report = Journal.salvage(folder / "j.sqlite3", folder / "saved.sqlite3")
        >>> report
        <Salvage: 1 entry version copied, 0 could not be read>
        >>> Journal(report.journal).latest(3, "check-out").text
        'Slower today.'
        """
        source = (_expand(path, "the journal path") if path is not None
                  else default_path()).absolute()
        if source.is_dir() or not source.exists():
            raise JournalError(f"there is no journal file at {source} to salvage")
        _refuse_special(source, "the journal path", "salvage a journal file")
        if into is None:
            target = _timestamped(source.parent, f"{source.stem}-salvaged")
        else:
            target = _expand(into, "the salvage target").absolute()
        if any(p.exists() or p.is_symlink() for p in _trio(target)):
            raise JournalError(f"cannot salvage into {target}: it already exists; the salvage "
                               "writes a fresh journal, so give a new file name")
        rows, problems, known, highest = _readable_rows(source)
        if not rows and not problems and not known:
            _check_header(source, "the journal file")  # refuses a file that is not SQLite
        lost = []
        with cls(target) as fresh, fresh._using("write to") as conn, _transaction(conn):
            for row_id in sorted(rows):
                try:
                    conn.execute(f"INSERT INTO entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, "
                                 "?, ?)", rows[row_id])
                except sqlite3.IntegrityError:
                    problems[row_id] = "another row already holds its session, prompt and version"
            copied = len(rows) - sum(1 for r in rows if r in problems)
        for row_id in range(1, max([highest, *rows, *problems, 0]) + 1):
            if row_id in rows and row_id not in problems:
                continue
            where = known.get(row_id)
            name = (f"session {where[0]}, {where[1]!r}, version {where[2]} (entry #{row_id})"
                    if where else f"entry #{row_id}")
            lost.append(f"{name}: {problems.get(row_id, 'its page is damaged or gone')}")
        return Salvage(source, target, copied, tuple(lost))


def backup_folder(journal: str | os.PathLike[str] | None = None) -> Path:
    """Where :meth:`Journal.backup` puts dated backups: ``backups/`` beside the journal.

    Examples
    --------
    >>> import os
    >>> backup_folder() == Path(os.environ["CSF_HOME"]) / "backups"   # set by the tests
    True
    """
    path = _expand(journal, "the journal path") if journal is not None else default_path()
    return path.absolute().parent / "backups"


def _timestamped(folder: Path, stem: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    candidate = folder / f"{stem}-{stamp}.sqlite3"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{stamp}-{n}.sqlite3"
        n += 1
    return candidate


def _fingerprint(conn: sqlite3.Connection) -> tuple[int, str]:
    """The number of entry versions and a SHA-256 of every row, in id order."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY id"):
        digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass") + b"\n")
        count += 1
    return count, digest.hexdigest()


def _restore(backup: str | os.PathLike[str], path: str | os.PathLike[str] | None,
             overwrite: bool) -> tuple[Journal, Path | None]:
    """Journal.restore, also returning where the old journal was set aside (or None)."""
    source = _expand(backup, "the backup path")
    target = (_expand(path, "the journal path") if path is not None else default_path())
    target = target.absolute()
    if not source.is_file():
        raise JournalError(f"the backup {source} does not exist or is not a file")
    if target.is_dir():
        raise JournalError(f"cannot restore to {target}: it is a folder; give a file name such "
                           f"as {target / FILE_NAME}")
    _refuse_special(target, "the journal path", "restore to a regular file")
    if any(_same_file(source, p) for p in _trio(target)):
        raise JournalError(f"the backup {source} is the journal itself; restore it to "
                           "another path")
    src = _open_backup(source)
    try:
        expected = _fingerprint(src)
        _make_private_folder(target.parent)
        aside = _set_aside(target, overwrite)
        try:
            try:
                _copy_database(src, target)
            except OSError as err:
                if isinstance(err, JournalError):
                    raise
                raise JournalError(f"cannot restore {source} to {target}: "
                                   f"{err.strerror or err}") from None
            journal = Journal(target)
            try:
                with journal._using("check") as conn:
                    found = _fingerprint(conn)
            except BaseException:
                journal.close()
                raise
            if found != expected:
                journal.close()
                raise JournalError(
                    f"restoring {source} to {target} did not give the backup back ({found[0]} "
                    f"entries instead of {expected[0]}, or different contents)")
        except BaseException:
            _put_back(target, aside)
            raise
    finally:
        src.close()
    return journal, aside


def _trio(target: Path) -> tuple[Path, Path, Path]:
    return target, Path(f"{target}-wal"), Path(f"{target}-shm")


def _put_back(target: Path, aside: Path | None) -> None:
    """After a failed restore: keep the failed result apart, move the old journal back."""
    failed = Path(f"{target}.restore-failed")
    for path, moved in zip(_trio(target), _trio(failed), strict=True):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, moved)
    if aside is not None:
        for path, original in zip(_trio(aside), _trio(target), strict=True):
            with contextlib.suppress(FileNotFoundError):
                os.replace(path, original)
    fsync_dir(target.parent)


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
        plural = "" if self.copied == 1 else "s"
        return (f"<Salvage: {self.copied} entry version{plural} copied, {len(self.lost)} "
                "could not be read>")


def _readable_rows(source: Path) -> tuple[dict[int, tuple[Any, ...]], dict[int, str],
                                          dict[int, tuple[Any, ...]], int]:
    """Rows of `source` that are whole entries, problems by id, index keys by id, top id."""
    from csframework import _salvage

    rows: dict[int, tuple[Any, ...]] = {}
    problems: dict[int, str] = {}

    def consider(row: tuple[Any, ...]) -> None:
        if row[0] in rows:
            return
        problem = _row_problem(row)
        if problem:
            problems.setdefault(row[0], problem)
        else:
            rows[row[0]] = row
            problems.pop(row[0], None)

    with contextlib.suppress(sqlite3.Error):  # SQLite first, as far as it can read
        conn = _connect(source, read_only=True)
        try:
            for row in conn.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY id"):
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


# -- backup helpers -------------------------------------------------------------------------

_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _is_stream(value: object) -> bool:
    return callable(getattr(value, "write", None)) and not isinstance(value, (str, os.PathLike))


def _database_header(path: Path) -> bool:
    """Whether `path` starts like a SQLite database or a SQLite WAL file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError:
        return False
    return head == _SQLITE_MAGIC or head[:4] in _WAL_MAGIC


def _is_journal_file(target: Path, journal: Path) -> bool:
    """Whether `target` is the journal, its -wal/-shm, a .bak set aside, or in its backups."""
    real = Path(os.path.realpath(journal))
    if target.parent == real.parent and (target.name == real.name or any(
            target.name.startswith(real.name + end) for end in ("-wal", "-shm", ".bak"))):
        return True
    if target.parent == backup_folder(real):
        return True
    owned = [real, Path(f"{real}-wal"), Path(f"{real}-shm"), journal]
    return any(target == p or _same_file(target, p) for p in owned)

def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _copy_database(src: sqlite3.Connection, target: Path) -> None:
    """Online-backup `src` into a temp file next to `target`, check it, rename it over."""
    with atomic_path(target, mode=0o600) as tmp:
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
        if check != "ok":
            raise JournalError(f"the copy for {target} failed its check ({check}); "
                               f"{target} was left as it was")


def _open_backup(source: Path) -> sqlite3.Connection:
    _check_header(source, "the backup file")
    try:
        conn = _connect(source, read_only=True)
        try:
            version = _identify(conn, source, "the backup file")
            if version == 0:
                raise JournalError(f"the backup file {source} is an empty SQLite database, "
                                   "not a csframework journal")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        except BaseException:
            conn.close()
            raise
    except sqlite3.DatabaseError as err:
        raise JournalError(f"the backup file {source} cannot be read ({err})") from None
    if check != "ok":
        conn.close()
        raise JournalError(f"the backup file {source} is damaged ({check})")
    return conn


def _set_aside(target: Path, overwrite: bool) -> Path | None:
    """Before restoring to `target`: refuse, or move it and its -wal/-shm aside together.

    Moving (not copying) keeps every byte, also of a damaged journal or a file
    that is not one, and leaves no old WAL that SQLite could replay onto the
    restored file. A journal still open elsewhere (another kernel, or a Journal
    object in this one) is refused: moving it under an open connection would
    send that connection's next writes into the set-aside copy.
    """
    present = [p for p in _trio(target) if p.exists() or p.is_symlink()]
    if not present:
        return None
    if target.exists():
        entries = _entry_count(target)
        if entries != 0 and not overwrite:
            what = f"a journal with {entries} entries" if entries else "a file"
            raise JournalError(f"refusing to restore over {target}: it holds {what}; pass "
                               "overwrite=True to replace it (it is first moved to a .bak "
                               "file beside it, with its -wal and -shm files)")
        if entries is not None:
            conn = _connect(target)
            try:
                _lock_alone(conn, target)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as err:
                raise JournalError(f"cannot set aside the journal {target}: {err}") from None
            finally:
                conn.close()
    aside = _bak_path(target)
    for path, moved in zip(_trio(target), _trio(aside), strict=True):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, moved)
    fsync_dir(target.parent)
    return aside


def _lock_alone(conn: sqlite3.Connection, target: Path) -> None:
    """Take an exclusive lock on the journal, which fails while anyone else has it open."""
    conn.execute("PRAGMA busy_timeout = 2000")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT COUNT(*) FROM entries").fetchone()
        conn.execute("COMMIT")  # the lock stays: locking_mode is EXCLUSIVE
    except sqlite3.OperationalError as err:
        if "locked" not in str(err) and "busy" not in str(err):
            raise
        raise JournalError(f"the journal {target} is open elsewhere (another notebook or "
                           "kernel, or a Journal object not yet closed); close it and try "
                           "again; nothing was changed") from None


def _entry_count(target: Path) -> int | None:
    """Versions stored in the journal at `target`; None if it is not a readable journal."""
    try:
        _check_header(target, "the journal file")
        conn = _connect(target)
        try:
            if _identify(conn, target, "the journal file") == 0:
                return 0
            return conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        finally:
            conn.close()
    except (JournalError, sqlite3.Error):
        return None


def _bak_path(target: Path) -> Path:
    candidate = Path(f"{target}.bak")
    n = 2
    while any(p.exists() or p.is_symlink() for p in _trio(candidate)):
        candidate = Path(f"{target}.bak-{n}")
        n += 1
    return candidate


# -- portfolio export ---------------------------------------------------------------------

_PORTFOLIO_TITLE = "Reflection portfolio"
_UNPLACED = "not yet placed in a domain"


@dataclass(frozen=True)
class _Shown:
    """How one attachment appears in a portfolio: an optional PNG, then a text block."""

    name: str
    kind: str
    png: bytes | None
    text: str
    caption: str
    language: str = ""


def _session_title(number: int) -> str:
    """'Start here' / 'Session 7', with the theme when csframework.curriculum knows it."""
    base = "Start here" if number == 0 else f"Session {number}"
    try:
        from csframework import curriculum  # optional: written separately

        info = curriculum.session(number)
        theme = getattr(info, "theme", None) or getattr(info, "title", None)
    except Exception:  # the curriculum is a nicety; the portfolio must not fail without it
        theme = None
    return f"{base}: {theme}" if isinstance(theme, str) and theme else base


def _anchor(entry: Entry) -> str:
    return f"s{entry.session:02d}-{entry.prompt_id}"


def _show_diagram(attachment: Attachment, draw: bool) -> _Shown | None:
    from csframework.cld import CausalLoopDiagram

    try:
        cld = CausalLoopDiagram.from_json(attachment.content)
        notation = cld.to_text()
    except Exception:  # unreadable diagram JSON: shown as JSON text instead
        return None
    try:
        png = cld.to_png() if draw else None
    except Exception:  # drawing unavailable: the text notation still shows the diagram
        png = None
    title = f" {cld.title!r}" if cld.title else ""
    caption = (f"causal loop diagram{title}" if png else
               f"causal loop diagram{title} (in text notation; the drawing was unavailable)"
               if draw else f"causal loop diagram{title} (in text notation)")
    return _Shown(attachment.name, attachment.kind, png, notation, caption)


def _show(attachment: Attachment, draw: bool = True) -> _Shown:
    data = attachment.json_data() if attachment.kind == _CLD_SCHEMA else None
    if isinstance(data, dict):
        shown = _show_diagram(attachment, draw)
        if shown is not None:
            return shown
    if attachment.is_json:
        text = json.dumps(json.loads(attachment.content), indent=2, ensure_ascii=False)
    else:
        text = attachment.content
    language = "json" if attachment.json_data() is not None else ""
    return _Shown(attachment.name, attachment.kind, None, text, attachment.kind, language)


def _by_domain(entries: tuple[Entry, ...]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = {d: [] for d in (*DOMAINS, _UNPLACED)}
    for entry in entries:
        groups[entry.domain or _UNPLACED].append(entry)
    return groups


def _first_line(text: str, limit: int = 80) -> str:
    line = " ".join(text.strip().splitlines()[0].split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _meta_line(entry: Entry) -> str:
    when = entry.timestamp.strftime("%Y-%m-%d %H:%M UTC")
    domain = entry.domain or _UNPLACED
    edited = f"version {entry.version}" if entry.version > 1 else "first version"
    return f"{when} · {edited} · {domain}"


def _summary(entries: tuple[Entry, ...]) -> str:
    if not entries:
        return "No entries yet."
    sessions = len({e.session for e in entries})
    last = max(e.time for e in entries)[:10]
    return (f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} from {sessions} "
            f"session{'' if sessions == 1 else 's'}; last written {last}.")


# Markdown ---------------------------------------------------------------------------------

_MD_LINK_CHARS = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]"})


def _md_inline(text: str) -> str:
    """Text from a participant or a file, made inert for Markdown.

    HTML is escaped (no tags, no autolinks like ``<javascript:...>``, no entity
    tricks) and so are backslashes and square brackets, so no link, image or
    link definition can be formed: a ``[click](javascript:...)`` or a remote
    ``![](https://...)`` shows as the text it is.

    Examples
    --------
    >>> _md_inline("[click](javascript:alert(1)) <b>bold</b>")
    '\\\\[click\\\\](javascript:alert(1)) &lt;b&gt;bold&lt;/b&gt;'
    """
    return html.escape(text, quote=False).translate(_MD_LINK_CHARS)


def _md_text(text: str) -> str:
    """Participant text for Markdown: made inert (see _md_inline), line breaks kept."""
    escaped = _md_inline(text.strip("\n"))
    return "\n".join(line.rstrip() + ("  " if line.strip() else "")
                     for line in escaped.splitlines()).rstrip()


def _md_code(text: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _md_attachment(shown: _Shown, image: str | None) -> list[str]:
    caption = _md_inline(shown.caption)
    out = [f"**{_md_inline(shown.name)}** ({caption})", ""]
    if image:
        out += [f"![{caption}]({image})", ""]
    out += [_md_code(shown.text, shown.language), ""]
    return out


def _md_domains(entries: tuple[Entry, ...]) -> list[str]:
    out = ["## The Mandala for Systems Change", ""]
    for domain, group in _by_domain(entries).items():
        if domain == _UNPLACED and not group:
            continue
        out += [f"### {domain.capitalize()}", ""]
        if domain in DOMAIN_QUESTIONS:
            out += [f"*{DOMAIN_QUESTIONS[domain]}*", ""]
        out += [f"- {_session_title(e.session)}, `{e.prompt_id}`: "
                f"{_md_inline(_first_line(e.text))}" for e in group]
        out += [""] if group else ["*Nothing here yet.*", ""]
    return out


def _markdown(entries: tuple[Entry, ...], image_link: Callable[[bytes], str] | None) -> str:
    """The portfolio as Markdown; diagrams as images via `image_link`, or as text if None."""
    out = [f"# {_PORTFOLIO_TITLE}", "", _summary(entries), ""]
    if entries:
        out += _md_domains(entries)
        out += ["## Sessions", ""]
    session = None
    for entry in entries:
        if entry.session != session:
            session = entry.session
            out += [f"### {_session_title(session)}", ""]
        out += [f"#### {entry.prompt_id}", "", f"*{_meta_line(entry)}*", "",
                _md_text(entry.text), ""]
        for attachment in entry.attachments:
            shown = _show(attachment, draw=image_link is not None)
            out += _md_attachment(shown, image_link(shown.png) if image_link and shown.png
                                  else None)
    return "\n".join(out).rstrip() + "\n"


_IMAGE_NAME = re.compile(r"diagram-[0-9a-f]{16}\.png")


def _write_markdown(entries: tuple[Entry, ...], target: Path) -> Path:
    """Images first (content-addressed, atomic), then the .md, then unused images go."""
    from urllib.parse import quote

    folder = target.with_name(f"{target.stem}_files")
    used: set[str] = set()

    def image_link(png: bytes) -> str:
        name = f"diagram-{hashlib.sha256(png).hexdigest()[:16]}.png"
        if not (folder / name).exists():
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            write_atomic(folder / name, png, mode=EXPORT_MODE)
        used.add(name)
        return f"{quote(folder.name)}/{name}"

    write_atomic(target, _markdown(entries, image_link), mode=EXPORT_MODE)
    if folder.is_dir():
        for stale in folder.iterdir():
            if _IMAGE_NAME.fullmatch(stale.name) and stale.name not in used:
                stale.unlink()
    return target


# HTML -------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
       color: #1d1d1f; background: #fff; margin: 0; }
main { max-width: 50rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin-bottom: .25rem; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: .25rem; margin-top: 2.5rem; }
.mandala { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.domain { border: 1px solid #d0d7de; border-radius: .5rem; padding: .75rem 1rem; }
.domain h3 { margin: 0; } .question { font-style: italic; color: #57606a; margin: .25rem 0; }
.entry { border-left: 4px solid #0072b2; padding: .25rem 1rem; margin: 1.5rem 0; }
.meta { color: #57606a; font-size: .9rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; border-radius: .375rem; }
@media print { .entry { break-inside: avoid; } }
""".strip()


def _html_attachment(shown: _Shown) -> str:
    name = _escape(shown.name)
    caption = _escape(shown.caption)
    image = (f'<img src="{_png_data_uri(shown.png)}" alt="{caption}">' if shown.png else "")
    return (f"<figure>{image}<figcaption><strong>{name}</strong> ({caption})</figcaption>"
            f"<pre>{_escape(shown.text)}</pre></figure>")


def _html_entry(entry: Entry) -> str:
    parts = [f'<article class="entry" id="{_escape(_anchor(entry))}">',
             f"<h4>{_escape(entry.prompt_id)}</h4>",
             f'<p class="meta">{_escape(_meta_line(entry))}</p>',
             f'<div class="text">{_escape(entry.text.strip(chr(10)))}</div>']
    parts += [_html_attachment(_show(a)) for a in entry.attachments]
    return "\n".join([*parts, "</article>"])


def _html_domains(entries: tuple[Entry, ...]) -> str:
    cards = []
    for domain, group in _by_domain(entries).items():
        if domain == _UNPLACED and not group:
            continue
        question = DOMAIN_QUESTIONS.get(domain)
        items = "".join(f'<li><a href="#{_escape(_anchor(e))}">'
                        f"{_escape(_session_title(e.session))}, "
                        f"{_escape(e.prompt_id)}</a>: {_escape(_first_line(e.text))}</li>"
                        for e in group) or "<li><em>Nothing here yet.</em></li>"
        ask = f'<p class="question">{_escape(question)}</p>' if question else ""
        cards.append(f'<section class="domain"><h3>{_escape(domain.capitalize())}</h3>{ask}'
                     f"<ul>{items}</ul></section>")
    return ('<h2>The Mandala for Systems Change</h2>\n<div class="mandala">'
            + "\n".join(cards) + "</div>")


def _render_html(entries: tuple[Entry, ...]) -> str:
    body = [f"<h1>{_PORTFOLIO_TITLE}</h1>", f"<p>{_escape(_summary(entries))}</p>"]
    if entries:
        body += [_html_domains(entries), "<h2>Sessions</h2>"]
    session = None
    for entry in entries:
        if entry.session != session:
            if session is not None:
                body.append("</section>")
            session = entry.session
            body.append(f"<section><h3>{_escape(_session_title(session))}</h3>")
        body.append(_html_entry(entry))
    if session is not None:
        body.append("</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_PORTFOLIO_TITLE}</title>\n<style>\n{_CSS}\n</style>\n</head>\n"
            "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)

"""The journal's files: where they live, how SQLite opens them, and what is refused.

Everything here works on paths and SQLite connections, not on :class:`Journal`
objects: the file checks (a regular file, a SQLite header, a journal's
application id and schema), the connection settings (WAL, busy timeout), the
schema migrations, and copying a database atomically.

Examples
--------
>>> import os
>>> default_path() == Path(os.environ["CSF_HOME"]) / FILE_NAME   # set by the tests
True
>>> trio(Path("j.sqlite3"))[1].name
'j.sqlite3-wal'
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from csframework._atomic import atomic_path, fsync_dir
from csframework.errors import JournalError

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_S",
    "FILE_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SQLITE_MAGIC",
    "backup_folder",
    "check_header",
    "connect",
    "copy_database",
    "database_header",
    "default_path",
    "expand_path",
    "identify",
    "make_private",
    "make_private_folder",
    "now",
    "open_backup",
    "quick_check",
    "refuse_special",
    "same_file",
    "set_wal",
    "timestamped",
    "transaction",
    "trio",
]

SCHEMA_VERSION = 1
APPLICATION_ID = 0x43534A4E  # "CSJN": marks a SQLite file as a csframework journal
FILE_NAME = "journal.sqlite3"
BUSY_TIMEOUT_S = 60.0
SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")

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
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_0_to_1}


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
        return expand_path(home, "CSF_HOME") / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir("csframework", appauthor=False)) / FILE_NAME


def expand_path(path: str | os.PathLike[str], what: str) -> Path:
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


def refuse_special(path: Path, what: str, advice: str) -> None:
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


def make_private_folder(folder: Path) -> None:
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


def check_header(path: Path, what: str) -> None:
    """Refuse, before SQLite touches it, a non-empty file that is not SQLite."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as err:
        raise JournalError(f"cannot read {what} {path}: {err.strerror or err}") from None
    if head and head != SQLITE_MAGIC:
        raise JournalError(f"{what} {path} is not a journal: it is not a SQLite database "
                           "(wrong file header); the file was left untouched")


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def identify(conn: sqlite3.Connection, path: Path, what: str) -> int:
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


def quick_check(conn: sqlite3.Connection) -> str | None:
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


def set_wal(conn: sqlite3.Connection) -> None:
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


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    uri = path.absolute().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (take the write lock now, waiting if needed) ... COMMIT."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def make_private(path: Path) -> None:
    """Make the journal and its -wal/-shm files readable by their owner only."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def backup_folder(journal: str | os.PathLike[str] | None = None) -> Path:
    """Where :meth:`Journal.backup` puts dated backups: ``backups/`` beside the journal.

    Examples
    --------
    >>> import os
    >>> backup_folder() == Path(os.environ["CSF_HOME"]) / "backups"   # set by the tests
    True
    """
    path = expand_path(journal, "the journal path") if journal is not None else default_path()
    return path.absolute().parent / "backups"



def timestamped(folder: Path, stem: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    candidate = folder / f"{stem}-{stamp}.sqlite3"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{stamp}-{n}.sqlite3"
        n += 1
    return candidate



def trio(target: Path) -> tuple[Path, Path, Path]:
    return target, Path(f"{target}-wal"), Path(f"{target}-shm")



def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False



def database_header(path: Path) -> bool:
    """Whether `path` starts like a SQLite database or a SQLite WAL file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return False
    return head == SQLITE_MAGIC or head[:4] in _WAL_MAGIC



def copy_database(src: sqlite3.Connection, target: Path) -> None:
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



def open_backup(source: Path) -> sqlite3.Connection:
    check_header(source, "the backup file")
    try:
        conn = connect(source, read_only=True)
        try:
            version = identify(conn, source, "the backup file")
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

"""Backups of the journal, and bringing one back without losing the journal it replaces.

A backup is one self-contained SQLite file (:func:`database.copy_database`). A
restore sets the old journal aside with its ``-wal``/``-shm`` files, copies the
backup in, and compares every row with the backup before it reports success.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> backup_target(folder / "j.sqlite3", folder / "copy.sqlite3").name
'copy.sqlite3'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from csframework._atomic import fsync_dir
from csframework.errors import JournalError
from csframework.journal.database import (
    FILE_NAME,
    backup_folder,
    check_header,
    connect,
    copy_database,
    database_header,
    default_path,
    expand_path,
    identify,
    make_private_folder,
    open_backup,
    refuse_special,
    same_file,
    timestamped,
    trio,
)
from csframework.journal.entries import COLUMNS

__all__ = ["backup_target", "fingerprint", "restore_file"]


class _Closable(Protocol):
    def close(self) -> None: ...


J = TypeVar("J", bound=_Closable)


def backup_target(journal: Path, path: str | os.PathLike[str] | None) -> Path:
    """The file a backup of `journal` writes (links followed); refuse what must not be replaced."""
    if path is None:
        folder = backup_folder(journal)
        make_private_folder(folder)
        return timestamped(folder, journal.stem)
    given = expand_path(path, "the backup path")
    if given.is_dir():
        return timestamped(given, journal.stem)
    target = Path(os.path.realpath(given))
    refuse_special(target, "the backup target", "back up to a regular file or a folder")
    own = trio(Path(os.path.realpath(journal)))
    if any(target == p or same_file(target, p) for p in own):
        raise JournalError(f"cannot back up the journal onto itself or its -wal/-shm "
                           f"files ({given}); choose another file")
    if target.exists() and target.stat().st_size and not database_header(target):
        raise JournalError(f"refusing to back up onto {given}: it holds a file that is not "
                           "a journal backup, and the backup would replace it; choose "
                           "another file")
    if not target.parent.is_dir():
        raise JournalError(f"cannot back up to {given}: the folder {target.parent} "
                           "does not exist")
    return target



def fingerprint(conn: sqlite3.Connection) -> tuple[int, str]:
    """The number of entry versions and a SHA-256 of every row, in id order."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY id"):
        digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass") + b"\n")
        count += 1
    return count, digest.hexdigest()



def _fingerprint_of(path: Path) -> tuple[int, str]:
    conn = connect(path, read_only=True)
    try:
        return fingerprint(conn)
    finally:
        conn.close()



def restore_file(backup: str | os.PathLike[str], path: str | os.PathLike[str] | None,
                 overwrite: bool, open_journal: Callable[[Path], J]) -> tuple[J, Path | None]:
    """Restore `backup` to `path`; the journal opened there and where the old one was set aside.

    `open_journal` opens the restored file (``Journal``); its contents are then
    compared with the backup's, and on any failure the old journal is put back.
    """
    source = expand_path(backup, "the backup path")
    target = (expand_path(path, "the journal path") if path is not None else default_path())
    target = target.absolute()
    if not source.is_file():
        raise JournalError(f"the backup {source} does not exist or is not a file")
    if target.is_dir():
        raise JournalError(f"cannot restore to {target}: it is a folder; give a file name such "
                           f"as {target / FILE_NAME}")
    refuse_special(target, "the journal path", "restore to a regular file")
    if any(same_file(source, p) for p in trio(target)):
        raise JournalError(f"the backup {source} is the journal itself; restore it to "
                           "another path")
    src = open_backup(source)
    try:
        expected = fingerprint(src)
        make_private_folder(target.parent)
        aside = _set_aside(target, overwrite)
        try:
            try:
                copy_database(src, target)
            except OSError as err:
                if isinstance(err, JournalError):
                    raise
                raise JournalError(f"cannot restore {source} to {target}: "
                                   f"{err.strerror or err}") from None
            journal = open_journal(target)
            try:
                found = _fingerprint_of(target)
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



def _put_back(target: Path, aside: Path | None) -> None:
    """After a failed restore: keep the failed result apart, move the old journal back."""
    failed = Path(f"{target}.restore-failed")
    for path, moved in zip(trio(target), trio(failed), strict=True):
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, moved)
    if aside is not None:
        for path, original in zip(trio(aside), trio(target), strict=True):
            with contextlib.suppress(FileNotFoundError):
                os.replace(path, original)
    fsync_dir(target.parent)



def _set_aside(target: Path, overwrite: bool) -> Path | None:
    """Before restoring to `target`: refuse, or move it and its -wal/-shm aside together.

    Moving (not copying) keeps every byte, also of a damaged journal or a file
    that is not one, and leaves no old WAL that SQLite could replay onto the
    restored file. A journal still open elsewhere (another kernel, or a Journal
    object in this one) is refused: moving it under an open connection would
    send that connection's next writes into the set-aside copy.
    """
    present = [p for p in trio(target) if p.exists() or p.is_symlink()]
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
            conn = connect(target)
            try:
                _lock_alone(conn, target)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as err:
                raise JournalError(f"cannot set aside the journal {target}: {err}") from None
            finally:
                conn.close()
    aside = _bak_path(target)
    for path, moved in zip(trio(target), trio(aside), strict=True):
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
        check_header(target, "the journal file")
        conn = connect(target)
        try:
            if identify(conn, target, "the journal file") == 0:
                return 0
            return conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        finally:
            conn.close()
    except (JournalError, sqlite3.Error):
        return None



def _bak_path(target: Path) -> Path:
    candidate = Path(f"{target}.bak")
    n = 2
    while any(p.exists() or p.is_symlink() for p in trio(candidate)):
        candidate = Path(f"{target}.bak-{n}")
        n += 1
    return candidate

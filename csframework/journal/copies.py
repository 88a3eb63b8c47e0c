"""The Journal's copies of itself: portfolio exports, backups, restore and salvage.

:class:`JournalCopies` holds the methods of :class:`~csframework.journal.Journal`
that write a journal's content somewhere else; the work is done by
:mod:`~csframework.journal.portfolio`, :mod:`~csframework.journal.backup` and
:mod:`~csframework.journal.salvage`, which know nothing of the Journal class.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from csframework._atomic import remove_stale_temps, write_atomic
from csframework.errors import JournalError
from csframework.journal.backup import backup_target, restore_file
from csframework.journal.database import copy_database, quick_check
from csframework.journal.entries import Entry
from csframework.journal.portfolio import (
    EXPORT_MODE,
    export_target,
    is_stream,
    markdown,
    render_html,
    write_markdown,
)
from csframework.journal.salvage import Salvage, salvage_file

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["JournalCopies"]


class JournalCopies:
    """Exports, backup, restore and salvage: the part of Journal that writes other files.

    A mixin: it needs the journal's ``entries()``, its path and its connection.
    """

    _path: Path
    _damage: str | None

    if TYPE_CHECKING:  # given by Journal
        def entries(self, session: int | str | None = None,
                    prompt_id: str | None = None) -> tuple[Entry, ...]: ...

        def _damaged_message(self, consequence: str) -> str: ...

        def _using(self, action: str) -> contextlib.AbstractContextManager[
            sqlite3.Connection]: ...

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
        if is_stream(path):
            path.write(markdown(self.entries(), None))
            return None
        target = export_target(path, self._path)
        return self._export(target, lambda: write_markdown(self.entries(), target))

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
        if is_stream(path):
            path.write(render_html(self.entries()))
            return None
        target = export_target(path, self._path)
        return self._export(target, lambda: write_atomic(target, render_html(self.entries()),
                                                        mode=EXPORT_MODE))

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
        >>> from csframework.journal import Journal
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
        target = backup_target(self._path, path)
        with self._using("back up") as conn:
            damage = quick_check(conn)
            if damage:
                self._damage = damage
                raise JournalError(self._damaged_message("cannot be backed up (the copy "
                                                         "would carry the damage)"))
            remove_stale_temps(target)
            try:
                copy_database(conn, target)
            except OSError as err:
                if isinstance(err, JournalError):
                    raise
                raise JournalError(f"cannot back up the journal to {target}: "
                                   f"{err.strerror or err}") from None
        return target

    @classmethod
    def restore(cls, backup: str | os.PathLike[str], path: str | os.PathLike[str] | None = None,
                *, overwrite: bool = False) -> Self:
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
        return restore_file(backup, path, overwrite, cls)[0]

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
        >>> from csframework.journal import Journal
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with Journal(folder / "j.sqlite3") as journal:
        ...     _ = journal.write(3, "check-out", "Slower today.")
        >>> report = Journal.salvage(folder / "j.sqlite3", folder / "saved.sqlite3")
        >>> report
        <Salvage: 1 entry version copied, 0 could not be read>
        >>> Journal(report.journal).latest(3, "check-out").text
        'Slower today.'
        """
        return salvage_file(path, into, cls)

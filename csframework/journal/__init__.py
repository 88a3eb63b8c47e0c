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

The package
    :mod:`~.entries` (what is stored, and the checks on it), :mod:`~.database`
    (files, SQLite settings, schema), :mod:`~.store` (the :class:`Journal`),
    :mod:`~.copies` (its exports, backup, restore, salvage), :mod:`~.portfolio`
    (Markdown and HTML), :mod:`~.backup` and :mod:`~.salvage`.

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

# Also here for csframework itself (not in __all__): expand_path, restore_backup, the constants.
from csframework.errors import JournalError as JournalError
from csframework.journal.database import (
    APPLICATION_ID as APPLICATION_ID,
)
from csframework.journal.database import (
    BUSY_TIMEOUT_S as BUSY_TIMEOUT_S,
)
from csframework.journal.database import (
    FILE_NAME as FILE_NAME,
)
from csframework.journal.database import (
    SCHEMA_VERSION,
    backup_folder,
    default_path,
)
from csframework.journal.database import (
    expand_path as expand_path,
)
from csframework.journal.entries import (
    DOMAIN_QUESTIONS as DOMAIN_QUESTIONS,
)
from csframework.journal.entries import (
    DOMAINS,
    MAX_ENTRY_BYTES,
    SESSIONS,
    Attachment,
    Entry,
    JournalInputError,
    UnknownSessionError,
    session_key,
)
from csframework.journal.portfolio import EXPORT_MODE as EXPORT_MODE
from csframework.journal.portfolio import session_title as session_title
from csframework.journal.salvage import Salvage
from csframework.journal.store import Journal
from csframework.journal.store import restore_backup as restore_backup

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


# Shown as csframework.journal.X in reprs and tracebacks, wherever they are defined.
for _public in (Attachment, Entry, Journal, JournalInputError, Salvage, UnknownSessionError):
    _public.__module__ = __name__
del _public

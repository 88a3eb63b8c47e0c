"""Atomic file writes: a crash leaves the old version or the new one, never a torn file.

Every file csframework writes (journal exports, backups, diagram and model
exports) goes through :func:`write_atomic` or :func:`atomic_path`. The new
content is written to a temporary file in the *same folder* as the target (so
that the final rename never crosses a file system), flushed and ``fsync``-ed,
then moved over the target with :func:`os.replace` (atomic on POSIX and on
Windows), and finally the folder itself is ``fsync``-ed so that the rename is
durable too.

A process killed half-way leaves at most a stray ``.<name>.<pid>.<random>.tmp``
file next to the target; the target itself is untouched, and
:func:`remove_stale_temps` clears such leftovers on the next write.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> target = write_atomic(folder / "notes.md", "# Notes\\n")
>>> target.read_text()
'# Notes\\n'
>>> _ = write_atomic(target, b"# Notes, version 2\\n")
>>> target.read_text()
'# Notes, version 2\\n'
>>> sorted(p.name for p in folder.iterdir())   # no temporary files left behind
['notes.md']
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "fsync_dir", "remove_stale_temps", "write_atomic"]

STALE_AFTER_S = 3600.0  # a temporary untouched this long is stale whoever wrote it


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename or creation inside `folder` durable (no-op where unsupported).

    Examples
    --------
    >>> import tempfile
    >>> fsync_dir(tempfile.gettempdir())
    """
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened on Windows
        return
    fd = os.open(os.fspath(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _current_umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # pragma: no cover - non-Linux fallback
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def _final_mode(target: Path, mode: int | None) -> int:
    """`mode` if given; else keep the existing file's mode; else a new file's usual mode."""
    if mode is not None:
        return mode
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on success it atomically becomes `path`.

    Use this when a library insists on writing to a file name itself (SQLite's
    backup, ``savefig``). The temporary file exists (empty, mode 0600) when the
    block starts. If the block raises, the temporary file is removed and `path`
    is left as it was.

    Parameters
    ----------
    path : str or path-like
        The final file. Its folder must exist.
    mode : int, optional
        Permission bits of the final file. By default an existing file keeps its
        mode and a new file gets ``0o666`` minus the umask.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "data.txt", mode=0o600) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (folder / "data.txt").read_text(), oct((folder / "data.txt").stat().st_mode & 0o777)
    ('hello', '0o600')
    """
    target = Path(path)
    folder = target.parent
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.{os.getpid()}.",
                                suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, _final_mode(target, mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(folder)


def _process_gone(pid: int) -> bool:
    """Whether no process `pid` runs on this machine (False when it cannot be told)."""
    if sys.platform == "win32" or pid <= 0:  # pragma: no cover - os.kill(pid, 0) kills there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to someone else
        return False
    return False


def remove_stale_temps(path: str | os.PathLike[str], *,
                       max_age: float = STALE_AFTER_S) -> list[Path]:
    """Remove temporary files that interrupted writes of `path` left behind.

    A temporary file of `path` (``.<name>.<pid>.<random>.tmp`` beside it) is
    stale when the process that wrote it is gone, or when nobody has touched it
    for `max_age` seconds (this also covers temporaries without a process id,
    and process ids reused since). A live writer's temporary file is kept.

    Returns
    -------
    list of pathlib.Path
        The files removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> left = folder / ".backup.sqlite3.999999999.x1y2z3.tmp"   # no such process
    >>> _ = left.write_bytes(b"half a backup")
    >>> [p.name for p in remove_stale_temps(folder / "backup.sqlite3")]
    ['.backup.sqlite3.999999999.x1y2z3.tmp']
    """
    target = Path(path)
    prefix = f".{target.name}."
    removed = []
    now = time.time()
    try:
        candidates = [p for p in target.parent.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return removed
    for candidate in candidates:
        middle = candidate.name[len(prefix):-len(".tmp")]
        pid_text = middle.split(".", 1)[0] if "." in middle else ""
        try:
            info = candidate.lstat()
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        gone = pid_text.isdigit() and _process_gone(int(pid_text))
        if gone or now - info.st_mtime > max_age:
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *,
                 mode: int | None = None) -> Path:
    """Write `data` to `path` atomically and durably; return the path.

    Parameters
    ----------
    path : str or path-like
        The file to (re)place. Its folder must exist.
    data : bytes or str
        The whole new content; ``str`` is encoded as UTF-8.
    mode : int, optional
        Permission bits of the final file (see :func:`atomic_path`).

    Returns
    -------
    pathlib.Path
        `path`, as a ``Path``.

    Raises
    ------
    TypeError
        If `data` is neither ``bytes`` nor ``str``.
    OSError
        If the folder is missing or not writable; the old file is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "figure.json"
    >>> write_atomic(target, '{"a": 1}').read_text()
    '{"a": 1}'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic() writes bytes or str, not {type(data).__name__}")
    with atomic_path(path, mode=mode) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
    return Path(path)

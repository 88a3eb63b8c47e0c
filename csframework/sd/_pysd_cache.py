"""The private folder of PySD translations, and the keyed hashes that vouch for its files.

PySD turns a model into Python that is imported to run it, so whoever can
write into the folder of translations can run code as the participant. The
folder is therefore private: made with mode 0700, and before every use checked
to be a real folder (not a link) owned by the current user that nobody else can
write; otherwise `cache_dir` refuses it with a `CacheError` naming the folder
and the reason. A folder this user owns that only they can write but that
others can read (an earlier version made it with the default mode) is closed
to 0700 on the spot.

Each translation is published with a manifest (the files and their SHA-256)
and an HMAC-SHA-256 of the manifest, keyed by a random secret kept in the
folder (mode 0600). `verified` checks the MAC and every file before a
translation is imported; a file nobody signed with the key is never imported.

When the folder cannot be made at all (``CSF_HOME`` names a file, a read-only
home), translations go to a fresh private temporary folder of this process
(``tempfile.mkdtemp``: mode 0700, an unpredictable name, removed at exit),
never to a folder shared with other users, and a `CacheWarning` says so.

Examples
--------
>>> folder = cache_dir()
>>> oct(folder.stat().st_mode & 0o777) if os.name == "posix" else "0o700"
'0o700'
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from csframework.errors import CacheError

__all__ = ["CacheWarning", "cache_dir", "publish", "verified"]

_KEY_NAME = "key"
_KEY_SIZE = 32
_fallback: Path | None = None


class CacheWarning(UserWarning):
    """The translation cache had to move to a private temporary folder."""


def _posix() -> bool:
    return hasattr(os, "getuid")


def _base() -> Path:
    home = os.environ.get("CSF_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("csframework", appauthor=False))


def check_private(folder: Path) -> Path:
    """Refuse `folder` unless it is a folder of this user's that nobody else can write.

    A folder this user owns that others can only read is closed to 0700.

    Raises
    ------
    CacheError
        Naming the folder and why it cannot hold translations.
    """
    try:
        info = os.lstat(folder)
    except OSError as exc:
        raise CacheError(f"the PySD cache folder {str(folder)!r} cannot be used: {exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise CacheError(f"the PySD cache folder {str(folder)!r} is a symbolic link; "
                         "remove it so that a private folder can be made in its place")
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"the PySD cache folder {str(folder)!r} is not a folder")
    if not _posix():  # pragma: no cover - Windows: per-user profile folders, no POSIX modes
        return folder
    if info.st_uid != os.getuid():
        raise CacheError(f"the PySD cache folder {str(folder)!r} belongs to user id "
                         f"{info.st_uid}, not to you (user id {os.getuid()}); translations "
                         "are imported as code, so only a folder of your own is used; set "
                         "CSF_HOME to a folder of yours")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise CacheError(f"the PySD cache folder {str(folder)!r} can be written by other users "
                         f"(mode {mode:o}); translations are imported as code, so the folder "
                         "must be private: remove it (it is made again with mode 700) or run "
                         f"'chmod 700 {folder}' if you trust its content")
    if mode & 0o077:
        os.chmod(folder, 0o700)   # readable by others but writable only by us: close it
    return folder


def _private_temporary(reason: str, wanted: Path) -> Path:
    global _fallback
    if _fallback is None or not _fallback.is_dir():
        _fallback = Path(tempfile.mkdtemp(prefix="csframework-pysd-"))
        atexit.register(shutil.rmtree, _fallback, True)
        warnings.warn(f"the PySD cache folder {str(wanted)!r} cannot be made ({reason}); "
                      f"translations are kept for this session only, in the private folder "
                      f"{str(_fallback)!r}", CacheWarning, stacklevel=3)
    return check_private(_fallback)


def cache_dir() -> Path:
    """The private folder holding PySD translations (made if missing, checked every time).

    ``$CSF_HOME/cache/pysd`` when the ``CSF_HOME`` environment variable is set,
    else ``pysd`` in the user cache folder of csframework.

    Raises
    ------
    CacheError
        When the folder exists but is not a private folder of this user's.
    """
    folder = _base() / "pysd"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        if os.path.lexists(folder):
            return check_private(folder)
        return _private_temporary(f"{type(exc).__name__}: {exc.strerror or exc}", folder)
    return check_private(folder)


def _key(folder: Path) -> bytes:
    """The folder's secret key, made on first use (mode 0600, published atomically)."""
    path = folder / _KEY_NAME
    if not os.path.lexists(path):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")   # mode 0600
        try:
            os.write(fd, secrets.token_bytes(_KEY_SIZE))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)        # fails if another process published a key first
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_size != _KEY_SIZE:
        raise CacheError(f"the key of the PySD cache {str(path)!r} is not a {_KEY_SIZE}-byte "
                         "file; remove it and a new key is made")
    if _posix() and (info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077):
        raise CacheError(f"the key of the PySD cache {str(path)!r} is not private to you "
                         f"(owner {info.st_uid}, mode {stat.S_IMODE(info.st_mode):o}); "
                         "remove it and a new key is made")
    return path.read_bytes()


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publish(folder: Path, stem: str, files: Mapping[str, Path], info: Mapping[str, Any]
            ) -> None:
    """Move a translation's `files` into `folder` and sign them.

    `files` maps the published name to the file made in a private temporary
    folder; `info` (plain JSON data) is stored in the signed manifest.
    """
    check_private(folder)
    key = _key(folder)
    manifest = {"files": {name: _sha256(path) for name, path in files.items()},
                "info": dict(info)}
    data = json.dumps(manifest, sort_keys=True).encode("utf-8")
    for name, path in files.items():
        os.chmod(path, 0o600)
        os.replace(path, folder / name)
    staged = folder / f".{stem}.json.tmp"
    staged.write_bytes(data)
    os.replace(staged, folder / f"{stem}.json")
    staged = folder / f".{stem}.mac.tmp"
    staged.write_text(_mac(key, data), encoding="ascii")
    os.replace(staged, folder / f"{stem}.mac")


def verified(folder: Path, stem: str) -> dict[str, Any] | None:
    """The manifest's info when every file of translation `stem` is signed and intact, else None."""
    check_private(folder)
    manifest_path, mac_path = folder / f"{stem}.json", folder / f"{stem}.mac"
    try:
        data = manifest_path.read_bytes()
        mac = mac_path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(mac, _mac(_key(folder), data)):
        return None
    try:
        manifest = json.loads(data)
        for name, digest in manifest["files"].items():
            path = folder / name
            if path.is_symlink() or not path.is_file() or not hmac.compare_digest(
                    _sha256(path), digest):
                return None
        return manifest["info"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None

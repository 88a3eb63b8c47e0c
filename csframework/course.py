"""The participant's own copy of the course, kept up to date without losing an edit.

A participant works in a folder of their own (:func:`working_folder`), never in the
installed course. :func:`copy_course` fills it the first time and later adds only files
that are new in the course. :func:`update_course` brings the copy up to date:

* a notebook the participant has not changed is replaced by the course's newer version;
* a notebook the participant has changed is kept exactly as it is, and the course's newer
  version is written beside it (``07-feedback.course-0.2.0.ipynb`` sorts next to
  ``07-feedback.ipynb``), so nothing is ever overwritten;
* files new in the course are added.

What counts as a change is what a person wrote: for a notebook, its cells' types and
sources (running a notebook changes its outputs, not its sources); for any other file, its
bytes. The folder remembers what it was given in a small hidden file
(``.csframework-course.json``), so that each decision is made against the version the
participant started from.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp()) / "course"
>>> first = copy_course(folder)
>>> "exercises/07-feedback-loops-and-delays.ipynb" in first.copied
True
>>> update_course(folder).changed
False
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from csframework._atomic import atomic_path, write_atomic
from csframework._text import plural
from csframework._version import VERSION as __version__
from csframework.errors import CSFrameworkError
from csframework.site import CourseError, course_files, find_course

__all__ = ["MANIFEST", "CopyReport", "UpdateReport", "copy_course", "fingerprint",
           "pending_updates", "update_course", "working_folder"]

#: The hidden file in a working folder that remembers what the course gave it.
MANIFEST = ".csframework-course.json"
_FORMAT = 1


def working_folder(folder: str | os.PathLike[str] | None = None) -> Path:
    """The participant's copy of the course.

    `folder` if given, else ``$CSF_HOME/course`` when ``CSF_HOME`` is set, else
    ``~/csframework-course``.

    Examples
    --------
    >>> import os
    >>> working_folder() == Path(os.environ["CSF_HOME"]) / "course"   # set by the tests
    True
    >>> working_folder("/srv/me/course")
    PosixPath('/srv/me/course')
    """
    if folder is not None:
        return Path(folder).expanduser().absolute()
    home = os.environ.get("CSF_HOME")
    if home:
        return Path(home).expanduser().absolute() / "course"
    return Path.home() / "csframework-course"


# -- what a person wrote ----------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(path: str | os.PathLike[str]) -> str:
    """A digest of what a person wrote in a file: cell types and sources for a notebook.

    Outputs, execution counts and metadata of a notebook are left out, so running a
    notebook does not count as changing it. Any other file (and a notebook that is not
    valid JSON) is digested as bytes.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> nb = Path(tempfile.mkdtemp()) / "a.ipynb"
    >>> cell = {"cell_type": "code", "source": "1 + 1", "outputs": [], "metadata": {}}
    >>> _ = nb.write_text(json.dumps({"cells": [cell]}))
    >>> before = fingerprint(nb)
    >>> cell["outputs"] = [{"output_type": "stream", "text": "2"}]
    >>> _ = nb.write_text(json.dumps({"cells": [cell]}))
    >>> fingerprint(nb) == before
    True
    """
    data = Path(path).read_bytes()
    if Path(path).suffix != ".ipynb":
        return _sha(data)
    try:
        cells = json.loads(data)["cells"]
        written = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
                    else c["source"]] for c in cells]
    except (ValueError, KeyError, TypeError):
        return _sha(data)
    return _sha(json.dumps(written, ensure_ascii=False).encode())


# -- the manifest -----------------------------------------------------------------------------

def _read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("format") != _FORMAT or not isinstance(files, dict):
            raise ValueError
        return {str(k): {"course": str(v["course"]), "written": str(v["written"])}
                for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError):
        # A damaged memory only makes the next update more careful: every file whose
        # record is lost counts as the participant's own (see _plan).
        return {}


def _write_manifest(folder: Path, files: dict[str, dict[str, str]]) -> None:
    data = {"format": _FORMAT, "version": __version__,
            "files": {k: files[k] for k in sorted(files)}}
    write_atomic(folder / MANIFEST, json.dumps(data, indent=1) + "\n")


# -- copying ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CopyReport:
    """What :func:`copy_course` did.

    Attributes
    ----------
    folder : pathlib.Path
    copied : tuple of str
        Files new to the folder, copied now (relative, sorted).
    kept : tuple of str
        Files already there, left exactly as they were.
    updates : tuple of str
        Files for which the course has a newer version (see :func:`update_course`).
    """

    folder: Path
    copied: tuple[str, ...]
    kept: tuple[str, ...]
    updates: tuple[str, ...] = ()

    def text(self) -> str:
        """What happened, for a person."""
        if self.copied:
            n = len(self.copied)
            lines = [f"Copied {plural(n, 'new file')} of the course into {self.folder}:"]
            lines += [f"  {name}" for name in self.copied]
            if self.kept:
                lines.append(f"Kept {plural(len(self.kept), 'file')} already there "
                             "as they were.")
        else:
            lines = [f"No new notebooks: the {len(self.kept)} files in {self.folder} are kept "
                     "as you left them."]
        if self.updates:
            n = len(self.updates)
            lines.append(f"The course has a newer version of {plural(n, 'file')} "
                         f"({', '.join(self.updates[:3])}{', ...' if n > 3 else ''}): run "
                         f"'csframework course update --folder \"{self.folder}\"' to take it "
                         "(your edits are kept).")
        return "\n".join(lines)


def _target(folder: str | os.PathLike[str] | None, root: Path) -> Path:
    target = working_folder(folder)
    if target.resolve() == root.resolve():
        raise CourseError(f"the working folder {target} is the course itself; choose another "
                          "folder with --folder")
    if target.exists() and not target.is_dir():
        raise CourseError(f"cannot copy the course into {target}: it is a file, not a folder; "
                          "choose a folder with --folder")
    return target


def _plain_error(err: OSError, target: Path) -> CourseError:
    return CourseError(f"cannot write the course into {target}: {err.strerror or err} "
                       f"({err.filename or target}); choose a folder you can write with "
                       "--folder")


def _install(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(destination) as tmp:
        shutil.copyfile(source, tmp)


def copy_course(folder: str | os.PathLike[str] | None = None,
                source: str | os.PathLike[str] | None = None) -> CopyReport:
    """Copy the course files that are not yet in `folder`; never overwrite one that is.

    Parameters
    ----------
    folder : str or path-like, optional
        The working folder (see :func:`working_folder`); created if missing.
    source : str or path-like, optional
        The course (see :func:`csframework.site.find_course`).

    Returns
    -------
    CopyReport
        What was copied, what was kept, and which files have a newer version waiting
        for :func:`update_course`.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "course"
    >>> first = copy_course(target)
    >>> "notebooks/00-start-here.ipynb" in first.copied
    True
    >>> copy_course(target).copied
    ()
    """
    root = find_course(source)
    target = _target(folder, root)
    manifest = _read_manifest(target)
    copied, kept = [], []
    try:
        for rel in course_files(root):
            name = rel.as_posix()
            destination = target / rel
            if destination.exists() or destination.is_symlink():
                kept.append(name)
                if name not in manifest and destination.is_file() and \
                        fingerprint(destination) == fingerprint(root / rel):
                    manifest[name] = _record(root / rel)
                continue
            _install(root / rel, destination)
            manifest[name] = _record(root / rel)
            copied.append(name)
        _write_manifest(target, manifest)
    except OSError as err:
        if isinstance(err, CSFrameworkError):
            raise
        raise _plain_error(err, target) from None
    updates = tuple(step.name for step in _plan(root, target, manifest)
                    if step.action in ("refresh", "beside"))
    return CopyReport(target, tuple(copied), tuple(kept), updates)


def _record(course_file: Path) -> dict[str, str]:
    return {"course": _sha(course_file.read_bytes()), "written": fingerprint(course_file)}


# -- updating ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Step:
    name: str
    action: str  # "add", "refresh", "beside", "same"


def _plan(root: Path, target: Path, manifest: dict[str, dict[str, str]]) -> Iterator[_Step]:
    for rel in course_files(root):
        name, here, there = rel.as_posix(), target / rel, root / rel
        record = manifest.get(name)
        if not (here.exists() or here.is_symlink()):
            yield _Step(name, "add")
            continue
        if record is not None and record["course"] == _sha(there.read_bytes()):
            yield _Step(name, "same")
            continue
        if here.is_file() and not here.is_symlink() and fingerprint(here) == fingerprint(there):
            yield _Step(name, "refresh" if here.read_bytes() != there.read_bytes() else "same")
            continue
        untouched = (record is not None and here.is_file() and not here.is_symlink()
                     and fingerprint(here) == record["written"])
        yield _Step(name, "refresh" if untouched else "beside")


def pending_updates(folder: str | os.PathLike[str] | None = None,
                    source: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """The files of `folder` for which the course has a newer version.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "course"
    >>> _ = copy_course(target)
    >>> pending_updates(target)
    ()
    """
    root = find_course(source)
    target = _target(folder, root)
    return tuple(step.name for step in _plan(root, target, _read_manifest(target))
                 if step.action in ("refresh", "beside"))


def _beside(path: Path) -> Path:
    """Where the course's new version of an edited file goes: next to it when sorted."""
    stem, suffix = path.name[: -len(path.suffix)] if path.suffix else path.name, path.suffix
    candidate = path.with_name(f"{stem}.course-{__version__}{suffix}")
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{stem}.course-{__version__}-{number}{suffix}")
        number += 1
    return candidate


@dataclass(frozen=True)
class UpdateReport:
    """What :func:`update_course` did.

    Attributes
    ----------
    folder : pathlib.Path
    added : tuple of str
        Files new in the course, copied in.
    refreshed : tuple of str
        Files the participant had not changed, replaced by the course's new version.
    beside : tuple of (str, str)
        Files the participant had changed (kept as they are), each with the file the
        course's new version was written to.
    unchanged : int
        Files already up to date.
    """

    folder: Path
    added: tuple[str, ...]
    refreshed: tuple[str, ...]
    beside: tuple[tuple[str, str], ...]
    unchanged: int

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.added or self.refreshed or self.beside)

    def text(self) -> str:
        """What happened and where, for a person."""
        if not self.changed:
            return (f"Your course in {self.folder} is up to date "
                    f"({plural(self.unchanged, 'file')}).")
        lines = [f"Updated your course in {self.folder}:"]
        if self.refreshed:
            lines.append(f"  {plural(len(self.refreshed), 'file')} you had not "
                         "changed now have the course's new version:")
            lines += [f"    {name}" for name in self.refreshed]
        if self.beside:
            lines.append(f"  {plural(len(self.beside), 'file')} you had changed "
                         "are kept as you left them; the course's new version is beside each:")
            lines += [f"    {name}  ->  {new}" for name, new in self.beside]
        if self.added:
            lines.append(f"  {plural(len(self.added), 'new file')}:")
            lines += [f"    {name}" for name in self.added]
        lines.append("Nothing you wrote was overwritten.")
        return "\n".join(lines)


def update_course(folder: str | os.PathLike[str] | None = None,
                  source: str | os.PathLike[str] | None = None) -> UpdateReport:
    """Bring the working copy up to date with the installed course; never lose an edit.

    Parameters
    ----------
    folder : str or path-like, optional
        The working folder (see :func:`working_folder`); created if missing.
    source : str or path-like, optional
        The course (see :func:`csframework.site.find_course`).

    Returns
    -------
    UpdateReport

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "course"
    >>> update_course(target).added[:1]
    ('exercises/01-arriving-and-three-systems.ipynb',)
    """
    root = find_course(source)
    target = _target(folder, root)
    manifest = _read_manifest(target)
    added: list[str] = []
    refreshed: list[str] = []
    beside: list[tuple[str, str]] = []
    unchanged = 0
    try:
        for step in list(_plan(root, target, manifest)):
            there, here = root / step.name, target / step.name
            if step.action == "same":
                unchanged += 1
                if step.name not in manifest:
                    manifest[step.name] = _record(there)
                continue
            if step.action == "beside":
                new = _beside(here)
                _install(there, new)
                beside.append((step.name, new.relative_to(target).as_posix()))
                # The participant's base stays what it was: their file is still theirs.
                base = manifest.get(step.name, {}).get("written", "")
                manifest[step.name] = {"course": _sha(there.read_bytes()), "written": base}
                continue
            _install(there, here)
            manifest[step.name] = _record(there)
            (added if step.action == "add" else refreshed).append(step.name)
        _write_manifest(target, manifest)
    except OSError as err:
        if isinstance(err, CSFrameworkError):
            raise
        raise _plain_error(err, target) from None
    return UpdateReport(target, tuple(added), tuple(refreshed), tuple(beside), unchanged)

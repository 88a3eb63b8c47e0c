"""The ``csframework`` command: open the course, build its site, export the journal, check.

Usage::

    csframework lab                  # JupyterLab on your own copy of the course
    csframework course build         # a static HTML site of every notebook (_site/)
    csframework course copy          # copy new course notebooks into your folder only
    csframework course update        # take the course's new versions; your edits are kept
    csframework course handouts      # a printable A4 PDF per session (handouts/)
    csframework journal export       # your portfolio as HTML or Markdown
    csframework journal where        # where your journal is, how big, its backups
    csframework journal backup       # a dated copy in backups/ beside the journal
    csframework journal restore B    # bring back a backup (your journal is set aside)
    csframework journal salvage      # copy what can be read from a damaged journal
    csframework progress             # sessions, exercises and journal prompts done
    csframework doctor               # is everything in place? what to fix if not
    csframework --version

Also ``python -m csframework ...``. Exit codes: 0 success, 1 failure (or a
problem found by ``doctor``), 2 a usage error.

Your copy of the course
    ``lab`` copies the course notebooks into a working folder the first time
    (``--folder``; default ``$CSF_HOME/course`` when ``CSF_HOME`` is set, else
    ``~/csframework-course``). Later runs copy only notebooks that are new in the
    course, never overwrite a file that is already there, and say when the course
    has newer versions; ``course update`` takes them, refreshing the notebooks you
    have not changed and writing the new version beside those you have
    (:mod:`csframework.course`).

Examples
--------
>>> main(["--version"])
csframework 0.1.0
0
>>> main(["journal", "export", "--format", "pdf"])   # a usage error (told on stderr)
2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from csframework._text import plural
from csframework._version import VERSION as __version__
from csframework.cli import parser as _parser
from csframework.cli.commands import PROG, run_lab, say
from csframework.course import (
    CopyReport,
    copy_course,
    pending_updates,
    update_course,
    working_folder,
)
from csframework.errors import CSFrameworkError

__all__ = ["Check", "CopyReport", "build_parser", "copy_course", "main", "pending_updates",
           "pins_file", "run_checks", "update_course", "working_folder"]


# -- doctor ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One finding of ``csframework doctor``: ok or a problem, and what to do about it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _check_python() -> Check:
    version = ".".join(str(v) for v in sys.version_info[:3])
    ok = sys.version_info >= (3, 10)
    return Check("python", ok, f"{version} at {sys.executable} (3.10 or newer is needed)",
                 "install Python 3.10 or newer and create the environment again")


def _check_packages() -> list[Check]:
    from importlib import metadata

    from packaging.requirements import Requirement

    try:
        requirements = metadata.requires("csframework") or []
    except metadata.PackageNotFoundError:
        return [Check("csframework", False, "the package is not installed in this environment",
                      "pip install -e . (in the repository), or pip install csframework")]
    checks = [Check("csframework", True, f"{__version__}")]
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an optional extra (test, browser)
        spec = str(req.specifier) or "any version"
        install = f"pip install '{req.name}{req.specifier}'"
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            checks.append(Check(req.name, False, f"not installed (needs {spec})", install))
            continue
        ok = req.specifier.contains(version, prereleases=True)
        detail = f"{version} (needs {spec})"
        checks.append(Check(req.name, ok, detail if ok else f"{detail}: too old or too new",
                            install))
    return checks


def _check_kernel() -> Check:
    fix = f"{sys.executable} -m ipykernel install --user --name python3"
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec("python3")
    except ImportError:
        return Check("kernel", False, "jupyter_client is not installed", "pip install jupyterlab")
    except NoSuchKernel:
        return Check("kernel", False, "no 'python3' Jupyter kernel is installed", fix)
    program = spec.argv[0] if spec.argv else ""
    major, minor = sys.version_info[:2]
    if program in {"python", f"python{major}", f"python{major}.{minor}"}:
        return Check("kernel", True, f"'python3' ({spec.display_name}) runs this Python")
    try:
        result = subprocess.run([program, "-c", "import csframework"], capture_output=True,
                                timeout=120, check=False)
        ok = result.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if ok:
        return Check("kernel", True, f"'python3' ({spec.display_name}) runs {program}")
    return Check("kernel", False, f"the 'python3' kernel runs {program}, which cannot import "
                 "csframework", fix)


def _labextension(name: str) -> Path | None:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        if (Path(folder) / name / "package.json").is_file():
            return Path(folder)
    return None


def _check_extension(label: str, name: str, package: str) -> Check:
    try:
        found = _labextension(name)
    except ImportError:
        found = None
    if found:
        return Check(label, True, f"JupyterLab extension {name} in {found}")
    return Check(label, False, f"the JupyterLab extension {name} is not installed",
                 f"pip install {package}, then restart JupyterLab")


def _writable_folder(folder: Path) -> str | None:
    """Why `folder` cannot hold files (None if it can, or could be created)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            if not candidate.is_dir():
                return f"{candidate} is a file, not a folder"
            if not os.access(candidate, os.W_OK | os.X_OK):
                return f"the folder {candidate} is not writable"
            return None
    return f"no part of {folder} exists"


def _check_journal() -> Check:
    from csframework.journal import default_path

    home = os.environ.get("CSF_HOME")
    where = f" (CSF_HOME={home})" if home else ""
    fix = ("point CSF_HOME at a folder you can write, or unset it to use your user data folder"
           if home else "make the folder writable, or set CSF_HOME to a folder you can write")
    path = default_path()
    if path.is_dir():
        return Check("journal", False, f"{path} is a folder, not a journal file{where}", fix)
    why = _writable_folder(path.parent)
    if why:
        return Check("journal", False, f"cannot keep the journal at {path}: {why}{where}", fix)
    if path.exists():
        with open(path, "rb") as handle:
            head = handle.read(16)
        if head and head != b"SQLite format 3\x00":
            return Check("journal", False, f"{path} is not a journal (not a SQLite file)",
                         "move that file away; csframework starts a new journal there")
        if not os.access(path, os.R_OK | os.W_OK):
            return Check("journal", False, f"{path} is not readable and writable by you",
                         f"chmod u+rw {path}")
        return Check("journal", True, f"{path}{where}")
    return Check("journal", True, f"{path} (created on the first entry){where}")


#: A journal with entries should have a backup younger than this (days).
BACKUP_AGE_DAYS = 31


def _check_backup() -> Check:
    import time

    from csframework.journal import backup_folder, default_path

    path = default_path()
    if not path.is_file():
        return Check("journal backup", True, "nothing to back up yet")
    folder = backup_folder()
    backups = [p for p in folder.glob("*.sqlite3") if p.is_file()] if folder.is_dir() else []
    fix = ("csframework journal backup (it keeps a dated copy in "
           f"{folder}; copy that folder to a USB stick or cloud drive too)")
    if not backups:
        return Check("journal backup", False, f"your journal at {path} has never been backed "
                     "up", fix)
    newest = max(backups, key=lambda p: p.stat().st_mtime)
    days = (time.time() - newest.stat().st_mtime) / 86400
    if days > BACKUP_AGE_DAYS:
        return Check("journal backup", False, f"the newest backup ({newest.name}) is "
                     f"{days:.0f} days old", fix)
    return Check("journal backup", True, f"{newest} ({days:.0f} days old)")


def _check_course(source: str | None) -> list[Check]:
    from csframework.site import CourseError, course_files, find_course

    try:
        root = find_course(source)
    except CourseError as err:
        return [Check("notebooks", False, str(err),
                      "run from the course folder, or set CSF_COURSE to it")]
    files = course_files(root)
    counts = {f: sum(p.parts[0] == f and p.suffix == ".ipynb" for p in files)
              for f in ("notebooks", "exercises")}
    checks = [Check("notebooks", True, f"{counts['notebooks']} notebooks and "
                    f"{counts['exercises']} exercise notebooks in {root}")]
    folder = working_folder()
    why = _writable_folder(folder)
    state = "exists" if folder.is_dir() else "is created by 'csframework lab'"
    checks.append(Check("course folder", why is None,
                        f"{folder} {state}" if why is None else f"cannot use {folder}: {why}",
                        "give 'csframework lab' a folder you can write with --folder"))
    if why is None and folder.is_dir():
        waiting = pending_updates(folder, root)
        n = len(waiting)
        checks.append(Check("course updates", not waiting,
                            "your copy has the course's latest version" if not waiting else
                            f"the course has a newer version of {plural(n, 'file')}"
                            f" in {folder}", "csframework course update (your edits are kept)"))
    return checks


def pins_file() -> Path | None:
    """The cohort's pinned versions: shipped in the package, or the repository's own."""
    here = Path(__file__).resolve().parents[1]  # the csframework package
    for candidate in (here / "_course" / "constraints.txt",
                      here.parent / "requirements" / "constraints.txt"):
        if candidate.is_file():
            return candidate
    return None


def _check_pins() -> Check:
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    path = pins_file()
    if path is None:
        return Check("pinned versions", False, "no constraints file found in the package",
                     "reinstall csframework from a release or the repository")
    differ, checked = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            continue  # an extra this environment does not use
        checked += 1
        if not req.specifier.contains(version, prereleases=True):
            differ.append(f"{req.name} {version} (pinned {req.specifier})")
    if differ:
        shown = ", ".join(differ[:4]) + (f" and {len(differ) - 4} more" if len(differ) > 4
                                          else "")
        return Check("pinned versions", False, f"{len(differ)} of {checked} packages differ "
                     f"from the cohort's pins: {shown}",
                     f"pip install -c {path} -e . in the repository (make lab does it), or "
                     f"pip install -c {path} csframework")
    return Check("pinned versions", True, f"{checked} packages as pinned in {path}")


def run_checks(source: str | None = None) -> list[Check]:
    """Every check of ``csframework doctor``, in order."""
    return [_check_python(), *_check_packages(), _check_pins(), _check_kernel(),
            _check_extension("widgets", "@jupyter-widgets/jupyterlab-manager",
                             "jupyterlab_widgets (it comes with ipywidgets>=8)"),
            _check_extension("slides", "jupyterlab-rise", "jupyterlab-rise"),
            _check_journal(), _check_backup(), *_check_course(source)]


# -- the command ----------------------------------------------------------------------------

def _cmd_doctor(args: argparse.Namespace, extra: Sequence[str]) -> int:
    checks = run_checks(args.source)
    say("csframework doctor: checking this environment")
    width = max(len(c.name) for c in checks)
    for check in checks:
        say(f"  {'ok' if check.ok else 'problem':<8} {check.name:<{width}}  {check.detail}")
        if not check.ok:
            say(f"  {'':<8} {'':<{width}}  fix: {check.fix}")
    problems = sum(not c.ok for c in checks)
    if problems:
        say(f"{plural(problems, 'problem')} found ({len(checks)} checks); "
             "see the 'fix:' lines above.")
        return 1
    say(f"All {len(checks)} checks passed.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``csframework`` command."""
    return _parser.build_parser(_cmd_doctor)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code (0 success, 1 failure, 2 usage error)."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args_in:
        at = args_in.index("--")
        args_in, extra = args_in[:at], args_in[at + 1:]
    parser = build_parser()
    try:
        args = parser.parse_args(args_in)
    except SystemExit as stop:
        return int(stop.code or 0) if not isinstance(stop.code, str) else 2
    if extra and args.run is not run_lab:
        print(f"{PROG}: error: arguments after '--' are only for 'lab': {' '.join(extra)}",
              file=sys.stderr)
        return 2
    try:
        return args.run(args, extra)
    except (CSFrameworkError, OSError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

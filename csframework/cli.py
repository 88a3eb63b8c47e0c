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

from csframework._version import VERSION as __version__
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

PROG = "csframework"


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
                            f"the course has a newer version of {n} file{'' if n == 1 else 's'}"
                            f" in {folder}", "csframework course update (your edits are kept)"))
    return checks


def pins_file() -> Path | None:
    """The cohort's pinned versions: shipped in the package, or the repository's own."""
    here = Path(__file__).resolve().parent
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


# -- commands -------------------------------------------------------------------------------

def _say(text: str) -> None:
    print(text, flush=True)


def _cmd_lab(args: argparse.Namespace, extra: Sequence[str]) -> int:
    report = copy_course(args.folder, args.source)
    _say(report.text())
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={report.folder}"]
    if args.no_browser:
        command.append("--no-browser")
    if args.port is not None:
        command.append(f"--ServerApp.port={args.port}")
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")  # containers and CI run as root; Jupyter asks for it
    command += list(extra)
    _say(f"Starting JupyterLab in {report.folder} (stop it with Ctrl-C) ...")
    process = subprocess.Popen(command)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Jupyter has the same signal and shuts down by itself
            continue


def _cmd_course_copy(args: argparse.Namespace, extra: Sequence[str]) -> int:
    _say(copy_course(args.folder, args.source).text())
    return 0


def _cmd_course_update(args: argparse.Namespace, extra: Sequence[str]) -> int:
    _say(update_course(args.folder, args.source).text())
    return 0


def _cmd_course_build(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.site import CourseError, build_site

    output = args.folder or args.output
    if args.folder and args.output not in ("_site", args.folder):
        raise CourseError(f"two site folders given: {args.folder!r} and --output "
                          f"{args.output!r}; give one")
    site = build_site(output, source=args.source, execute=args.execute,
                      timeout=args.timeout)
    _say(f"Built the course site: {len(site.pages)} notebook pages, {len(site.files)} files "
         f"in {site.root}")
    _say(f"Open {site.index} in a browser; it needs no network and no Jupyter.")
    return 0


def _cmd_course_handouts(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.handouts import write_handouts

    written = write_handouts(args.output, args.session)
    _say(f"Wrote {len(written)} handout{'' if len(written) == 1 else 's'} (A4 PDF) in "
         f"{Path(args.output).expanduser()}")
    return 0


_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def _journal_file(path: str | None) -> Path:
    from csframework.journal import JournalError, default_path, expand_path

    chosen = expand_path(path, "the journal path") if path else default_path()
    if not chosen.is_file():
        raise JournalError(f"there is no journal at {chosen}: nothing to read yet (write in a "
                           "notebook first, or give the file with --journal)")
    return chosen


def _open_journal(path: Path):  # -> Journal
    """Open a journal; a warning (a damaged journal) is told on stderr, not as a traceback."""
    import warnings

    from csframework.journal import Journal

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        journal = Journal(path)
    for warning in caught:
        print(f"{PROG}: warning: {warning.message}", file=sys.stderr, flush=True)
    return journal


def _cmd_journal_export(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import expand_path

    fmt = args.format
    to_stdout = args.output == "-"
    if args.output is None:
        output = Path("portfolio.md" if fmt == "markdown" else "portfolio.html")
    elif to_stdout:
        output = None
    else:
        output = expand_path(args.output, "the --output path")
    fmt = fmt or (_FORMATS.get(output.suffix.lower(), "html") if output else "html")
    with _open_journal(_journal_file(args.journal)) as journal:
        count = len(journal)
        target = sys.stdout if output is None else output
        written = (journal.export_markdown(target) if fmt == "markdown" else
                   journal.export_html(target))
        source = journal.path
    if written is None:
        sys.stdout.flush()
        print(f"Exported {count} journal entr{'y' if count == 1 else 'ies'} from {source} as "
              f"{fmt} to standard output", file=sys.stderr)
        return 0
    _say(f"Exported {count} journal entr{'y' if count == 1 else 'ies'} from {source} as "
         f"{fmt} to {written}")
    return 0


def _size(*paths: Path) -> str:
    total = sum(p.stat().st_size for p in paths if p.is_file())
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if total < 1024 or unit == "GiB":
            return f"{total:.0f} {unit}" if unit == "bytes" else f"{total:.1f} {unit}"
        total /= 1024
    return ""  # pragma: no cover


def _cmd_journal_where(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import backup_folder, default_path, expand_path

    path = (expand_path(args.journal, "the journal path") if args.journal else default_path())
    path = path.absolute()
    home = os.environ.get("CSF_HOME")
    _say(f"Your journal: {path}" + (f" (CSF_HOME={home})" if home and not args.journal else ""))
    if not path.is_file():
        _say("  No journal there yet: it is created when you first write in a notebook.")
        return 0
    _say(f"  {_size(path, Path(f'{path}-wal'))} on disk")
    with _open_journal(path) as journal:
        if journal.damage:
            _say(f"  DAMAGED: {journal.damage}; it is open read-only. Run "
                 f"'{PROG} journal salvage' to copy what can be read into a fresh journal.")
        else:
            _say("  " + journal.describe().splitlines()[1].strip())
    folder = backup_folder(path)
    copies = sorted(folder.glob(f"{path.stem}-*.sqlite3")) if folder.is_dir() else []
    if copies:
        latest = max(copies, key=lambda p: p.stat().st_mtime)
        _say(f"  {len(copies)} backup{'' if len(copies) == 1 else 's'} in {folder}; the "
             f"latest is {latest.name}")
    else:
        _say(f"  No backups yet: '{PROG} journal backup' writes one to {folder}")
    return 0


def _cmd_journal_backup(args: argparse.Namespace, extra: Sequence[str]) -> int:
    with _open_journal(_journal_file(args.journal)) as journal:
        _, _, versions = journal.counts()
        written = journal.backup(args.path)
        source = journal.path
    _say(f"Backed up {versions} entry version{'' if versions == 1 else 's'} of {source} to "
         f"{written} ({_size(written)}).")
    _say(f"To bring it back: {PROG} journal restore {written}")
    return 0


def _cmd_journal_restore(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import expand_path, restore_backup

    target = expand_path(args.journal, "the journal path") if args.journal else None
    journal, aside = restore_backup(args.backup, target, overwrite=True)
    with journal:
        _, _, versions = journal.counts()
        path = journal.path
    _say(f"Restored {versions} entry version{'' if versions == 1 else 's'} from {args.backup} "
         f"into {path}; checked: the same entries and checksum as the backup.")
    if aside is not None:
        _say(f"Your previous journal was set aside, unchanged, as {aside} (with its -wal/-shm "
             f"files, if it had any). To go back to it: {PROG} journal restore {aside}")
    return 0


def _cmd_journal_salvage(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import Journal, default_path, expand_path

    source = expand_path(args.journal, "the journal path") if args.journal else default_path()
    report = Journal.salvage(source, args.output)
    _say(report.text())
    _say(f"The journal itself was only read. To use the salvaged one as your journal: {PROG} "
         f"journal restore {report.journal}" + (f" --journal {source}" if args.journal else "")
         + " (the one there now is then set aside, not deleted).")
    return 0


def _cmd_progress(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import default_path, expand_path
    from csframework.progress import progress

    path = expand_path(args.journal, "the journal path") if args.journal else default_path()
    if args.journal and not path.is_file():
        _journal_file(args.journal)  # raises, naming the file
    result = progress(path, live=False, course=args.course)
    if args.format == "csv":
        sys.stdout.write(result.to_frame().to_csv())
    else:
        _say(result.text())
        if not path.is_file():
            _say(f"(No journal yet at {path}: nothing has been written.)")
    return 0


def _cmd_doctor(args: argparse.Namespace, extra: Sequence[str]) -> int:
    checks = run_checks(args.source)
    _say("csframework doctor: checking this environment")
    width = max(len(c.name) for c in checks)
    for check in checks:
        _say(f"  {'ok' if check.ok else 'problem':<8} {check.name:<{width}}  {check.detail}")
        if not check.ok:
            _say(f"  {'':<8} {'':<{width}}  fix: {check.fix}")
    problems = sum(not c.ok for c in checks)
    if problems:
        _say(f"{problems} problem{'' if problems == 1 else 's'} found ({len(checks)} checks); "
             "see the 'fix:' lines above.")
        return 1
    _say(f"All {len(checks)} checks passed.")
    return 0


# -- the parser -----------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, with an error message that points at ``--help``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a whole number "
                                         "from 1 to 65535") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: expected 1 to 65535")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid timeout {text!r}: expected a whole number "
                                         "of seconds above 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``csframework`` command."""
    parser = _Parser(prog=PROG, description="The csframework course: open it in JupyterLab, "
                     "build its static site, export your journal, see your progress, check "
                     "the environment.",
                     epilog="Run 'csframework COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                     parser_class=_Parser)

    lab = commands.add_parser(
        "lab", help="open the course in JupyterLab (your own copy of it)",
        description="Copy the course notebooks into your working folder (only the new ones; "
                    "your files are never overwritten) and open JupyterLab there. Arguments "
                    "after '--' go to 'jupyter lab'.")
    _folder_options(lab)
    lab.add_argument("--port", type=_port, help="the port JupyterLab listens on")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(run=_cmd_lab)

    course = commands.add_parser("course", help="build the course site, or copy the course",
                                 description="Work with the course notebooks as files.")
    course_commands = course.add_subparsers(dest="course_command", metavar="ACTION",
                                            required=True, parser_class=_Parser)
    build = course_commands.add_parser(
        "build", help="build a static HTML site of every notebook",
        description="Build a static HTML site of every course notebook, with an index by "
                    "session, facet and tool, for reading without running anything. The saved "
                    "outputs are used as they are unless --execute is given.")
    build.add_argument("folder", metavar="DIR", nargs="?",
                       help="the site folder (default: _site; the same as --output)")
    build.add_argument("--output", metavar="DIR", default="_site",
                       help="the site folder (default: _site)")
    build.add_argument("--source", metavar="DIR", help="the course folder (default: found "
                       "automatically, or $CSF_COURSE)")
    build.add_argument("--execute", action="store_true",
                       help="re-run every notebook before converting it")
    build.add_argument("--timeout", type=_positive, default=300, metavar="SECONDS",
                       help="with --execute: how long a cell may run (default: 300)")
    build.set_defaults(run=_cmd_course_build)
    handouts = course_commands.add_parser(
        "handouts", help="write a printable PDF handout per session",
        description="Write one A4 PDF per session: its card (title, month, facets, tools, "
                    "minute plan), its key points, and blank templates of its thinking tools, "
                    "for the retreat week and for people off-screen.")
    handouts.add_argument("--output", metavar="DIR", default="handouts",
                          help="the folder to write into (default: handouts)")
    handouts.add_argument("--session", metavar="N", action="append",
                          help="only this session (0-14); repeat for more (default: all)")
    handouts.set_defaults(run=_cmd_course_handouts)
    copy = course_commands.add_parser(
        "copy", help="copy new course notebooks into your folder (no JupyterLab)",
        description="Copy the course notebooks that are not yet in your working folder; "
                    "files already there are never overwritten. For a JupyterHub start hook.")
    _folder_options(copy)
    copy.set_defaults(run=_cmd_course_copy)
    update = course_commands.add_parser(
        "update", help="take the course's new versions; your edits are kept",
        description="Bring your working folder up to date with the installed course: "
                    "notebooks you have not changed get the new version, notebooks you have "
                    "changed are kept as they are and the new version is written beside "
                    "each (NAME.course-VERSION.ipynb), new files are added. Nothing you "
                    "wrote is overwritten.")
    _folder_options(update)
    update.set_defaults(run=_cmd_course_update)

    journal = commands.add_parser("journal", help="your reflection journal: where it is, "
                                  "backup, restore, salvage, export",
                                  description="Work with your reflection journal.")
    journal_commands = journal.add_subparsers(dest="journal_command", metavar="ACTION",
                                              required=True, parser_class=_Parser)
    journal_help = ("the journal file (default: your own, $CSF_HOME/journal.sqlite3 or the "
                    "user data folder)")
    export = journal_commands.add_parser(
        "export", help="export the journal as a portfolio (HTML or Markdown)",
        description="Export your journal as a portfolio: one self-contained HTML file, or "
                    "Markdown with the diagrams as PNG files beside it.")
    export.add_argument("--format", choices=("html", "markdown"),
                        help="default: from the --output suffix, else html")
    export.add_argument("--output", metavar="PATH",
                        help="the file to write (default: portfolio.html or portfolio.md); "
                             "'-' writes to standard output (Markdown then shows diagrams "
                             "as text)")
    export.add_argument("--journal", metavar="PATH", help=journal_help)
    export.set_defaults(run=_cmd_journal_export)
    where = journal_commands.add_parser(
        "where", help="where your journal is, its size and its backups",
        description="Show where your journal is kept, its size and entries, and its backups.")
    where.add_argument("--journal", metavar="PATH", help=journal_help)
    where.set_defaults(run=_cmd_journal_where)
    backup = journal_commands.add_parser(
        "backup", help="copy the whole journal to a backup file",
        description="Copy the whole journal (every version of every entry) to one file, "
                    "checked and written atomically. Default: a dated file in the 'backups' "
                    "folder beside the journal.")
    backup.add_argument("path", metavar="PATH", nargs="?",
                        help="the backup file, or a folder for a dated one (default: "
                             "backups/journal-<UTC time>.sqlite3 beside the journal)")
    backup.add_argument("--journal", metavar="PATH", help=journal_help)
    backup.set_defaults(run=_cmd_journal_backup)
    restore = journal_commands.add_parser(
        "restore", help="bring back a backup as your journal (yours is set aside first)",
        description="Bring back a backup as your journal. Your current journal is never "
                    "lost: it is first moved, unchanged, to journal.sqlite3.bak (or .bak-2, "
                    "...) with its -wal/-shm files, and the result is checked against the "
                    "backup. Close the notebooks that use the journal first.")
    restore.add_argument("backup", metavar="BACKUP", help="the backup file to bring back")
    restore.add_argument("--journal", metavar="PATH", help=journal_help)
    restore.set_defaults(run=_cmd_journal_restore)
    salvage = journal_commands.add_parser(
        "salvage", help="copy what can be read from a damaged journal into a fresh one",
        description="Copy every entry that can still be read from a damaged journal into a "
                    "fresh journal beside it, and list what could not be read. The damaged "
                    "journal is only read.")
    salvage.add_argument("--journal", metavar="PATH", help=journal_help)
    salvage.add_argument("--output", metavar="PATH", help="the fresh journal (default: "
                         "journal-salvaged-<UTC time>.sqlite3 beside the damaged one)")
    salvage.set_defaults(run=_cmd_journal_salvage)

    prog = commands.add_parser(
        "progress", help="your progress through the year",
        description="Which sessions, exercises and journal prompts are done, from your "
                    "journal (exercise results count once saved with "
                    "csframework.progress.record_exercises() or ex.progress(journal=...)).")
    prog.add_argument("--journal", metavar="PATH", help="the journal file (default: your own)")
    prog.add_argument("--course", metavar="DIR", help="the course folder, for the journal "
                      "prompts each session asks (default: found automatically)")
    prog.add_argument("--format", choices=("text", "csv"), default="text",
                      help="a table for people (default) or CSV")
    prog.set_defaults(run=_cmd_progress)

    doctor = commands.add_parser(
        "doctor", help="check the environment and say what to fix",
        description="Check Python, the packages, the Jupyter kernel, the widgets and slides "
                    "extensions, the journal folder and the course notebooks. Exit code 0 when "
                    "all is well, 1 when something needs fixing.")
    doctor.add_argument("--source", metavar="DIR", help="the course folder to check")
    doctor.set_defaults(run=_cmd_doctor)
    return parser


def _folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", metavar="DIR", help="your working folder (default: "
                        "$CSF_HOME/course, else ~/csframework-course)")
    parser.add_argument("--source", metavar="DIR", help="the course to copy from (default: "
                        "found automatically, or $CSF_COURSE)")


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
    if extra and args.run is not _cmd_lab:
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

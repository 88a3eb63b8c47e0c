"""What each ``csframework`` subcommand does: lab, course, journal and progress.

Each ``run_*`` function takes the parsed arguments (and the arguments after
``--``) and returns the exit code; :mod:`csframework.cli.parser` wires them to
the command line. The doctor's checks are in :mod:`csframework.cli`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from csframework._text import plural
from csframework.course import copy_course, update_course

__all__ = ["PROG", "run_course_build", "run_course_copy", "run_course_handouts",
           "run_course_update", "run_journal_backup", "run_journal_export", "run_journal_restore",
           "run_journal_salvage", "run_journal_where", "run_lab", "run_progress", "say"]

PROG = "csframework"


def say(text: str) -> None:
    """Print a line for the person at the terminal, at once."""
    print(text, flush=True)


def run_lab(args: argparse.Namespace, extra: Sequence[str]) -> int:
    report = copy_course(args.folder, args.source)
    say(report.text())
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={report.folder}"]
    if args.no_browser:
        command.append("--no-browser")
    if args.port is not None:
        command.append(f"--ServerApp.port={args.port}")
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")  # containers and CI run as root; Jupyter asks for it
    command += list(extra)
    say(f"Starting JupyterLab in {report.folder} (stop it with Ctrl-C) ...")
    process = subprocess.Popen(command)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Jupyter has the same signal and shuts down by itself
            continue


def run_course_copy(args: argparse.Namespace, extra: Sequence[str]) -> int:
    say(copy_course(args.folder, args.source).text())
    return 0


def run_course_update(args: argparse.Namespace, extra: Sequence[str]) -> int:
    say(update_course(args.folder, args.source).text())
    return 0


def run_course_build(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.site import CourseError, build_site

    output = args.folder or args.output
    if args.folder and args.output not in ("_site", args.folder):
        raise CourseError(f"two site folders given: {args.folder!r} and --output "
                          f"{args.output!r}; give one")
    site = build_site(output, source=args.source, execute=args.execute,
                      timeout=args.timeout)
    say(f"Built the course site: {len(site.pages)} notebook pages, {len(site.files)} files "
         f"in {site.root}")
    say(f"Open {site.index} in a browser; it needs no network and no Jupyter.")
    return 0


def run_course_handouts(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.handouts import write_handouts

    written = write_handouts(args.output, args.session)
    say(f"Wrote {plural(len(written), 'handout')} (A4 PDF) in "
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


def run_journal_export(args: argparse.Namespace, extra: Sequence[str]) -> int:
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
        print(f"Exported {plural(count, 'journal entry', 'journal entries')} from {source} as "
              f"{fmt} to standard output", file=sys.stderr)
        return 0
    say(f"Exported {plural(count, 'journal entry', 'journal entries')} from {source} as "
         f"{fmt} to {written}")
    return 0


def _size(*paths: Path) -> str:
    total = sum(p.stat().st_size for p in paths if p.is_file())
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if total < 1024 or unit == "GiB":
            return f"{total:.0f} {unit}" if unit == "bytes" else f"{total:.1f} {unit}"
        total /= 1024
    return ""  # pragma: no cover


def run_journal_where(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import backup_folder, default_path, expand_path

    path = (expand_path(args.journal, "the journal path") if args.journal else default_path())
    path = path.absolute()
    home = os.environ.get("CSF_HOME")
    say(f"Your journal: {path}" + (f" (CSF_HOME={home})" if home and not args.journal else ""))
    if not path.is_file():
        say("  No journal there yet: it is created when you first write in a notebook.")
        return 0
    say(f"  {_size(path, Path(f'{path}-wal'))} on disk")
    with _open_journal(path) as journal:
        if journal.damage:
            say(f"  DAMAGED: {journal.damage}; it is open read-only. Run "
                 f"'{PROG} journal salvage' to copy what can be read into a fresh journal.")
        else:
            say("  " + journal.describe().splitlines()[1].strip())
    folder = backup_folder(path)
    copies = sorted(folder.glob(f"{path.stem}-*.sqlite3")) if folder.is_dir() else []
    if copies:
        latest = max(copies, key=lambda p: p.stat().st_mtime)
        say(f"  {plural(len(copies), 'backup')} in {folder}; the "
             f"latest is {latest.name}")
    else:
        say(f"  No backups yet: '{PROG} journal backup' writes one to {folder}")
    return 0


def run_journal_backup(args: argparse.Namespace, extra: Sequence[str]) -> int:
    with _open_journal(_journal_file(args.journal)) as journal:
        _, _, versions = journal.counts()
        written = journal.backup(args.path)
        source = journal.path
    say(f"Backed up {plural(versions, 'entry version')} of {source} to "
         f"{written} ({_size(written)}).")
    say(f"To bring it back: {PROG} journal restore {written}")
    return 0


def run_journal_restore(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import expand_path, restore_backup

    target = expand_path(args.journal, "the journal path") if args.journal else None
    journal, aside = restore_backup(args.backup, target, overwrite=True)
    with journal:
        _, _, versions = journal.counts()
        path = journal.path
    say(f"Restored {plural(versions, 'entry version')} from {args.backup} "
         f"into {path}; checked: the same entries and checksum as the backup.")
    if aside is not None:
        say(f"Your previous journal was set aside, unchanged, as {aside} (with its -wal/-shm "
             f"files, if it had any). To go back to it: {PROG} journal restore {aside}")
    return 0


def run_journal_salvage(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import Journal, default_path, expand_path

    source = expand_path(args.journal, "the journal path") if args.journal else default_path()
    report = Journal.salvage(source, args.output)
    say(report.text())
    say(f"The journal itself was only read. To use the salvaged one as your journal: {PROG} "
         f"journal restore {report.journal}" + (f" --journal {source}" if args.journal else "")
         + " (the one there now is then set aside, not deleted).")
    return 0


def run_progress(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from csframework.journal import default_path, expand_path
    from csframework.progress import progress

    path = expand_path(args.journal, "the journal path") if args.journal else default_path()
    if args.journal and not path.is_file():
        _journal_file(args.journal)  # raises, naming the file
    result = progress(path, live=False, course=args.course)
    if args.format == "csv":
        sys.stdout.write(result.to_frame().to_csv())
    else:
        say(result.text())
        if not path.is_file():
            say(f"(No journal yet at {path}: nothing has been written.)")
    return 0

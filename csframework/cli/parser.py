"""The command line of ``csframework``: its subcommands, options and help texts.

Examples
--------
>>> parser = build_parser(lambda args, extra: 0)
>>> parser.parse_args(["journal", "backup", "copy.sqlite3"]).path
'copy.sqlite3'
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from csframework._version import VERSION
from csframework.cli.commands import (
    PROG,
    run_course_build,
    run_course_copy,
    run_course_handouts,
    run_course_update,
    run_journal_backup,
    run_journal_export,
    run_journal_restore,
    run_journal_salvage,
    run_journal_where,
    run_lab,
    run_progress,
)

__all__ = ["build_parser"]


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


Command = Callable[[argparse.Namespace, Sequence[str]], int]


def build_parser(doctor: Command) -> argparse.ArgumentParser:
    """The argument parser of the ``csframework`` command; `doctor` runs ``csframework doctor``."""
    parser = _Parser(prog=PROG, description="The csframework course: open it in JupyterLab, "
                     "build its static site, export your journal, see your progress, check "
                     "the environment.",
                     epilog="Run 'csframework COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"{PROG} {VERSION}")
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
    lab.set_defaults(run=run_lab)

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
    build.set_defaults(run=run_course_build)
    handouts = course_commands.add_parser(
        "handouts", help="write a printable PDF handout per session",
        description="Write one A4 PDF per session: its card (title, month, facets, tools, "
                    "minute plan), its key points, and blank templates of its thinking tools, "
                    "for the retreat week and for people off-screen.")
    handouts.add_argument("--output", metavar="DIR", default="handouts",
                          help="the folder to write into (default: handouts)")
    handouts.add_argument("--session", metavar="N", action="append",
                          help="only this session (0-14); repeat for more (default: all)")
    handouts.set_defaults(run=run_course_handouts)
    copy = course_commands.add_parser(
        "copy", help="copy new course notebooks into your folder (no JupyterLab)",
        description="Copy the course notebooks that are not yet in your working folder; "
                    "files already there are never overwritten. For a JupyterHub start hook.")
    _folder_options(copy)
    copy.set_defaults(run=run_course_copy)
    update = course_commands.add_parser(
        "update", help="take the course's new versions; your edits are kept",
        description="Bring your working folder up to date with the installed course: "
                    "notebooks you have not changed get the new version, notebooks you have "
                    "changed are kept as they are and the new version is written beside "
                    "each (NAME.course-VERSION.ipynb), new files are added. Nothing you "
                    "wrote is overwritten.")
    _folder_options(update)
    update.set_defaults(run=run_course_update)

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
    export.set_defaults(run=run_journal_export)
    where = journal_commands.add_parser(
        "where", help="where your journal is, its size and its backups",
        description="Show where your journal is kept, its size and entries, and its backups.")
    where.add_argument("--journal", metavar="PATH", help=journal_help)
    where.set_defaults(run=run_journal_where)
    backup = journal_commands.add_parser(
        "backup", help="copy the whole journal to a backup file",
        description="Copy the whole journal (every version of every entry) to one file, "
                    "checked and written atomically. Default: a dated file in the 'backups' "
                    "folder beside the journal.")
    backup.add_argument("path", metavar="PATH", nargs="?",
                        help="the backup file, or a folder for a dated one (default: "
                             "backups/journal-<UTC time>.sqlite3 beside the journal)")
    backup.add_argument("--journal", metavar="PATH", help=journal_help)
    backup.set_defaults(run=run_journal_backup)
    restore = journal_commands.add_parser(
        "restore", help="bring back a backup as your journal (yours is set aside first)",
        description="Bring back a backup as your journal. Your current journal is never "
                    "lost: it is first moved, unchanged, to journal.sqlite3.bak (or .bak-2, "
                    "...) with its -wal/-shm files, and the result is checked against the "
                    "backup. Close the notebooks that use the journal first.")
    restore.add_argument("backup", metavar="BACKUP", help="the backup file to bring back")
    restore.add_argument("--journal", metavar="PATH", help=journal_help)
    restore.set_defaults(run=run_journal_restore)
    salvage = journal_commands.add_parser(
        "salvage", help="copy what can be read from a damaged journal into a fresh one",
        description="Copy every entry that can still be read from a damaged journal into a "
                    "fresh journal beside it, and list what could not be read. The damaged "
                    "journal is only read.")
    salvage.add_argument("--journal", metavar="PATH", help=journal_help)
    salvage.add_argument("--output", metavar="PATH", help="the fresh journal (default: "
                         "journal-salvaged-<UTC time>.sqlite3 beside the damaged one)")
    salvage.set_defaults(run=run_journal_salvage)

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
    prog.set_defaults(run=run_progress)

    doctor_parser = commands.add_parser(
        "doctor", help="check the environment and say what to fix",
        description="Check Python, the packages, the Jupyter kernel, the widgets and slides "
                    "extensions, the journal folder and the course notebooks. Exit code 0 when "
                    "all is well, 1 when something needs fixing.")
    doctor_parser.add_argument("--source", metavar="DIR", help="the course folder to check")
    doctor_parser.set_defaults(run=doctor)
    return parser


def _folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", metavar="DIR", help="your working folder (default: "
                        "$CSF_HOME/course, else ~/csframework-course)")
    parser.add_argument("--source", metavar="DIR", help="the course to copy from (default: "
                        "found automatically, or $CSF_COURSE)")

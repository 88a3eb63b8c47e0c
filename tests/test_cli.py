"""The `csframework` command, run as a subprocess the way a participant runs it."""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import requests

import csframework
from csframework import curriculum
from csframework.journal import Journal
from csframework.site import course_files, find_course

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "csframework"


def run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csframework", *args], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


# -- the command itself ---------------------------------------------------------------------

def test_version_from_both_entry_points():
    assert SCRIPT.is_file(), "the console script is missing: pip install -e '.[test]'"
    for command in ([str(SCRIPT)], [sys.executable, "-m", "csframework"]):
        done = subprocess.run([*command, "--version"], capture_output=True, text=True,
                              timeout=60)
        assert (done.returncode, done.stdout) == (0, f"csframework {csframework.__version__}\n")


HELP = [[], ["lab"], ["course"], ["course", "build"], ["course", "copy"], ["journal"],
        ["journal", "export"], ["journal", "where"], ["journal", "backup"],
        ["journal", "restore"], ["journal", "salvage"], ["progress"], ["doctor"]]


@pytest.mark.parametrize("words", HELP, ids=lambda w: " ".join(w) or "csframework")
def test_help_everywhere(words):
    done = run(*words, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {' '.join(['csframework', *words])}")


@pytest.mark.parametrize(("words", "message"), [
    ([], "required: COMMAND"),
    (["teleport"], "invalid choice: 'teleport'"),
    (["course"], "required: ACTION"),
    (["lab", "--port", "0"], "invalid port 0: expected 1 to 65535"),
    (["lab", "--port", "http"], "invalid port 'http'"),
    (["journal", "export", "--format", "pdf"], "invalid choice: 'pdf'"),
    (["course", "build", "--timeout", "-3"], "invalid timeout '-3'"),
    (["progress", "--", "--debug"], "only for 'lab'"),
])
def test_usage_errors_exit_2(words, message):
    done = run(*words)
    assert done.returncode == 2
    assert message in done.stderr


def test_failures_exit_1_with_the_reason(tmp_path):
    done = run("course", "build", "--source", str(tmp_path), "--output", str(tmp_path / "s"))
    assert done.returncode == 1
    assert done.stderr.startswith("csframework: error: no course in ")
    assert "Traceback" not in done.stderr


# -- lab --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path, port: int, token: str, tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    return subprocess.Popen(
        [str(SCRIPT), "lab", "--folder", str(folder), "--no-browser", "--port", str(port), "--",
         f"--IdentityProvider.token={token}", "--ServerApp.ip=127.0.0.1",
         "--ServerApp.port_retries=0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.stdout.read() if proc.stdout else ""


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """The process's output up to the line holding `marker`."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return "".join(lines)
    pytest.fail(f"no {marker!r} in the output of csframework lab:\n{''.join(lines)[-3000:]}")


def test_lab_copies_the_course_once_and_serves_it(tmp_path):
    folder = tmp_path / "my course"
    expected = {p.as_posix() for p in course_files(find_course())}
    port, token = free_port(), secrets.token_hex(16)
    proc = start_lab(folder, port, token, tmp_path)
    try:
        printed = read_until(proc, "Starting JupyterLab")
        assert f"Copied {len(expected)} new files of the course into {folder}:" in printed
        copied = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith(".")}
        assert copied == expected
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start:\n{stop(proc)[-3000:]}")
            time.sleep(0.3)
        listing = requests.get(f"{base}/api/contents/notebooks", params={"token": token},
                               timeout=30).json()
        served = {item["name"] for item in listing["content"]}
        assert "00-start-here.ipynb" in served
        assert served == {Path(e).name for e in expected if e.startswith("notebooks/")}
    finally:
        stop(proc)

    # The participant edits a notebook; the next run copies nothing and keeps the edit.
    mine = folder / "notebooks" / "00-start-here.ipynb"
    mine.write_text('{"cells": [], "note": "my own work"}')
    proc = start_lab(folder, free_port(), token, tmp_path)
    try:
        printed = read_until(proc, "Starting JupyterLab")
    finally:
        stop(proc)
    assert "No new notebooks" in printed and "Copied" not in printed
    assert mine.read_text() == '{"cells": [], "note": "my own work"}'


def test_course_copy_adds_only_new_files(tmp_path):
    course = tmp_path / "course"
    for rel in ("notebooks/00-start-here.ipynb", "exercises/01-arriving.ipynb"):
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(), course / rel)
    folder = tmp_path / "mine"
    first = run("course", "copy", "--source", str(course), "--folder", str(folder))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[1:] == ["  exercises/01-arriving.ipynb",
                                             "  notebooks/00-start-here.ipynb"]
    (folder / "notebooks/00-start-here.ipynb").write_text("edited")
    nbformat.write(nbformat.v4.new_notebook(), course / "notebooks/02-new.ipynb")
    again = run("course", "copy", "--source", str(course), "--folder", str(folder))
    assert again.stdout.splitlines() == [
        f"Copied 1 new file of the course into {folder}:", "  notebooks/02-new.ipynb",
        "Kept 2 files already there as they were."]
    assert (folder / "notebooks/00-start-here.ipynb").read_text() == "edited"


def test_course_copy_default_folder_is_in_csf_home(tmp_path, _fresh_csf_home):
    done = run("course", "copy")
    assert done.returncode == 0, done.stderr
    assert f"into {_fresh_csf_home / 'course'}:" in done.stdout
    assert (_fresh_csf_home / "course" / "notebooks" / "00-start-here.ipynb").is_file()


def test_course_copy_into_a_file_fails_clearly(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    done = run("course", "copy", "--folder", str(target))
    assert done.returncode == 1
    assert f"cannot copy the course into {target}: it is a file" in done.stderr


# -- course build -------------------------------------------------------------------------

class Page(HTMLParser):
    """What a page refers to."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[str] = []       # <a href>
        self.resources: list[str] = []   # script src, link href, img src, ...
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for key in ("src", "data"):
            if attrs.get(key):
                self.resources.append(attrs[key])
        if tag == "link" and attrs.get("href"):
            self.resources.append(attrs["href"])


def test_course_build_makes_a_readable_site(tmp_path):
    out = tmp_path / "site"
    done = run("course", "build", "--output", str(out), timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"in {out}" in done.stdout

    course = find_course()
    notebooks = [p for p in course_files(course) if p.suffix == ".ipynb"]
    for nb in notebooks:
        assert (out / nb.with_suffix(".html")).is_file(), f"no page for {nb}"

    index = (out / "index.html").read_text()
    for s in curriculum.sessions(include_start=True):
        assert f'id="session-{s.number}"' in index
        assert s.title.replace("'", "&#x27;") in index or s.title in index
    for facet in curriculum.FACETS:
        assert (out / "facets" / f"{facet}.html").is_file()
    used = {t for s in curriculum.sessions(include_start=True) for t in s.tools}
    for tool in used:
        assert (out / "tools" / (re.sub(r"[^a-z0-9]+", "-", tool).strip("-") + ".html")).is_file()

    pages = sorted(out.rglob("*.html"))
    for page in pages:
        parsed = Page(page.read_text())
        for ref in parsed.resources:   # everything a page loads is inside it
            assert ref.startswith("data:"), f"{page.relative_to(out)} loads {ref}"
        for href in parsed.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue               # a link out of the site, followed only if clicked
            if not parts.path:
                continue               # a link within the page
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(out)} links to missing {href}"
        text = page.read_text()
        assert "<script src" not in text and "@import url(http" not in text


# -- journal export -------------------------------------------------------------------------

def test_journal_export_html_and_markdown(tmp_path, _fresh_csf_home):
    with Journal() as journal:
        journal.write(3, "check-out", "I noticed my breath <before> I answered.",
                      domain="practice")
    html_file = tmp_path / "portfolio.html"
    done = run("journal", "export", "--format", "html", "--output", str(html_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Exported 1 journal entry from ")
    text = html_file.read_text()
    assert "I noticed my breath &lt;before&gt; I answered." in text
    assert text.startswith("<!DOCTYPE html>")

    md_file = tmp_path / "portfolio.md"    # the format follows the suffix
    done = run("journal", "export", "--output", str(md_file))
    assert done.returncode == 0, done.stderr
    assert "as markdown to" in done.stdout
    assert md_file.read_text().startswith("# Reflection portfolio")


def test_journal_export_without_a_journal(tmp_path, _fresh_csf_home):
    done = run("journal", "export", "--output", str(tmp_path / "p.html"))
    assert done.returncode == 1
    assert f"there is no journal at {_fresh_csf_home / 'journal.sqlite3'}" in done.stderr
    assert not (tmp_path / "p.html").exists()


def test_journal_export_into_a_missing_folder(tmp_path, _fresh_csf_home):
    with Journal() as journal:
        journal.write(1, "check-in", "Here.")
    done = run("journal", "export", "--output", str(tmp_path / "nowhere" / "p.html"))
    assert done.returncode == 1
    assert "does not exist" in done.stderr


def test_journal_export_to_standard_output(_fresh_csf_home, tmp_path):
    with Journal() as journal:
        journal.write(2, "vision", "A room where <everyone> speaks.")
    here = tmp_path / "here"
    here.mkdir()
    done = run("journal", "export", "--output", "-", cwd=here)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!DOCTYPE html>") and done.stdout.endswith("</html>\n")
    assert "A room where &lt;everyone&gt; speaks." in done.stdout
    assert "to standard output" in done.stderr and list(here.iterdir()) == []
    done = run("journal", "export", "--format", "markdown", "--output", "-")
    assert done.stdout.startswith("# Reflection portfolio") and "Exported" not in done.stdout


def test_journal_export_never_replaces_the_journal(_fresh_csf_home):
    path = _fresh_csf_home / "journal.sqlite3"
    with Journal() as journal:
        journal.write(1, "check-in", "Keep me.")
    for target in (path, Path(f"{path}-wal")):
        done = run("journal", "export", "--output", str(target))
        assert done.returncode == 1 and "refusing to export" in done.stderr
        assert "Traceback" not in done.stderr
    with Journal() as journal:
        assert journal.latest(1, "check-in").text == "Keep me."


# -- journal where, backup, restore, salvage ------------------------------------------------

def test_journal_backup_and_restore_round_trip(_fresh_csf_home, tmp_path):
    path = _fresh_csf_home / "journal.sqlite3"
    done = run("journal", "where")
    assert done.returncode == 0 and f"Your journal: {path}" in done.stdout
    assert "No journal there yet" in done.stdout
    with Journal() as journal:
        journal.write(1, "check-in", "Before the backup.", attachments={"n": {"a": 1}})
        journal.write(1, "check-in", "Before the backup, edited.")
    done = run("journal", "backup")
    assert done.returncode == 0, done.stderr
    (copy,) = (_fresh_csf_home / "backups").iterdir()
    assert re.fullmatch(r"journal-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sqlite3", copy.name)
    assert done.stdout.startswith(f"Backed up 2 entry versions of {path} to {copy}")
    named = run("journal", "backup", str(tmp_path / "usb.sqlite3"))
    assert named.returncode == 0 and (tmp_path / "usb.sqlite3").is_file()

    where = run("journal", "where").stdout
    assert "1 entry (2 versions) in 1 session" in where and "2 backups" not in where
    assert f"1 backup in {_fresh_csf_home / 'backups'}" in where

    with Journal() as journal:
        journal.write(5, "after", "Written after the backup.")
        before = journal.history(1, "check-in")
    done = run("journal", "restore", str(copy))
    assert done.returncode == 0, done.stderr
    assert "checked: the same entries and checksum as the backup" in done.stdout
    aside = Path(f"{path}.bak")
    assert f"set aside, unchanged, as {aside}" in done.stdout
    with Journal() as journal:
        assert journal.latest(5, "after") is None
        assert journal.history(1, "check-in") == before
    with Journal(aside) as old:                       # nothing was lost
        assert old.latest(5, "after").text == "Written after the backup."

    moved = tmp_path / "new-laptop" / "journal.sqlite3"   # a journal moved to another place
    done = run("journal", "restore", str(tmp_path / "usb.sqlite3"), "--journal", str(moved))
    assert done.returncode == 0, done.stderr
    with Journal(moved) as journal:
        assert journal.history(1, "check-in") == before


def test_journal_restore_refuses_what_is_not_a_backup(_fresh_csf_home, tmp_path):
    with Journal() as journal:
        journal.write(1, "check-in", "Mine.")
    notes = tmp_path / "notes.txt"
    notes.write_text("a shopping list")
    for backup in (notes, tmp_path / "missing.sqlite3"):
        done = run("journal", "restore", str(backup))
        assert done.returncode == 1 and done.stderr.startswith("csframework: error: ")
        assert "Traceback" not in done.stderr
    with Journal() as journal:
        assert journal.latest(1, "check-in").text == "Mine."
    assert not Path(f"{_fresh_csf_home / 'journal.sqlite3'}.bak").exists()


def test_journal_salvage_from_the_command_line(_fresh_csf_home):
    path = _fresh_csf_home / "journal.sqlite3"
    with Journal() as journal:
        for i in range(40):
            journal.write(1 + i % 14, f"p{i}", f"entry {i} " + "x" * 300)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * 4096 + 8:root * 4096] = b"\xa5" * 4088   # an interior page is damaged
    path.write_bytes(bytes(data))

    done = run("journal", "export", "--output", str(_fresh_csf_home / "p.html"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "csframework: warning: the journal" in done.stderr and "salvage" in done.stderr
    where = run("journal", "where")
    assert where.returncode == 0 and "DAMAGED" in where.stdout
    backup = run("journal", "backup")
    assert backup.returncode == 1 and "cannot be backed up" in backup.stderr

    done = run("journal", "salvage")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Salvaged 40 of 40 entry versions")
    (saved,) = _fresh_csf_home.glob("journal-salvaged-*.sqlite3")
    done = run("journal", "restore", str(saved))
    assert done.returncode == 0, done.stderr
    with Journal() as journal:
        assert journal.damage is None and len(journal) == 40
    assert Path(f"{path}.bak").read_bytes() == bytes(data)   # the damaged file, set aside


@pytest.mark.parametrize("edit", [
    "INSERT INTO entries (session, prompt_id, version, text, time, attachments) VALUES "
    "(2, 'x', 1, 'text', '2026-01-01T00:00:00+00:00', 'garbage')",
    "INSERT INTO entries (session, prompt_id, version, text, time, attachments) VALUES "
    "(2, 'x', 1, X'00ff', '2026-01-01T00:00:00+00:00', '[]')",
    "INSERT INTO entries (session, prompt_id, version, text, time, attachments) VALUES "
    "(2, 'x', 1, 'text', 'last tuesday', '[]')",
    "DROP TABLE entries; CREATE TABLE entries (id INTEGER PRIMARY KEY, words TEXT)",
    "PRAGMA application_id = 0",
])
def test_hand_edited_journals_give_a_message_not_a_traceback(_fresh_csf_home, edit):
    with Journal() as journal:
        journal.write(1, "check-in", "Fine.")
    conn = sqlite3.connect(_fresh_csf_home / "journal.sqlite3")
    conn.executescript(edit)
    conn.close()
    for words in (["journal", "export", "--output", str(_fresh_csf_home / "p.html")],
                  ["journal", "where"], ["journal", "backup"], ["progress"]):
        done = run(*words)
        assert "Traceback" not in done.stderr, (words, done.stderr)
        assert done.returncode in (0, 1)
        if done.returncode:
            assert done.stderr.startswith("csframework: error: "), (words, done.stderr)


def test_unknown_home_folders_give_a_message(_fresh_csf_home):
    for words in (["journal", "export", "--output", "~nouser-csf/p.html"],
                  ["journal", "export", "--journal", "~nouser-csf/j.sqlite3"],
                  ["journal", "where", "--journal", "~nouser-csf/j.sqlite3"],
                  ["journal", "backup", "~nouser-csf/b.sqlite3"],
                  ["journal", "restore", "~nouser-csf/b.sqlite3"],
                  ["journal", "salvage", "--journal", "~nouser-csf/j.sqlite3"],
                  ["progress", "--journal", "~nouser-csf/j.sqlite3"]):
        if words[1] in ("export", "backup"):
            with Journal() as journal:
                journal.write(1, "check-in", "Here.")
        done = run(*words)
        assert done.returncode == 1, (words, done.stdout)
        assert "'~nouser-csf' names no user" in done.stderr, (words, done.stderr)
        assert "Traceback" not in done.stderr


# -- progress -----------------------------------------------------------------------------

def test_progress_command(_fresh_csf_home):
    from csframework.exercises import session01

    with Journal() as journal:
        journal.write(1, "check-in", "Curious.")
        session01.q1.check(session01.q1.answer())
        session01.progress(journal=journal)
        session01.reset()
    done = run("progress")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("Progress through the year: 0 of 15 sessions done, 1 in progress, "
                        "14 not started")
    row = next(line for line in lines if line.split()[0] == "1")
    assert row.split()[-4] == "1/4" and row.endswith("in progress")

    table = list(csv.DictReader(io.StringIO(run("progress", "--format", "csv").stdout)))
    assert len(table) == 15
    assert (table[1]["exercises_solved"], table[1]["status"]) == ("1", "in progress")


def test_progress_without_a_journal(_fresh_csf_home):
    done = run("progress")
    assert done.returncode == 0
    assert "15 not started" in done.stdout and "No journal yet" in done.stdout
    missing = run("progress", "--journal", str(_fresh_csf_home / "other.sqlite3"))
    assert missing.returncode == 1 and "there is no journal at" in missing.stderr


# -- doctor -------------------------------------------------------------------------------

def test_doctor_all_ok():
    done = run("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = {line.split()[1]: line.split()[0] for line in done.stdout.splitlines()[1:-1]
              if line.startswith("  ") and line.split()[0] in {"ok", "problem"}}
    for name in ("python", "csframework", "jupyterlab", "ipywidgets", "matplotlib", "pysd",
                 "jupyterlab-rise", "kernel", "widgets", "slides", "journal", "notebooks"):
        assert checks.get(name) == "ok", (name, done.stdout)
    assert done.stdout.rstrip().endswith("checks passed.")


def test_doctor_finds_an_unusable_journal_folder(tmp_path):
    not_a_folder = tmp_path / "home-is-a-file"
    not_a_folder.write_text("oops")
    done = run("doctor", env=dict(os.environ, CSF_HOME=str(not_a_folder)))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    problem = next(i for i, line in enumerate(lines) if line.split()[:2] == ["problem",
                                                                           "journal"])
    assert f"{not_a_folder} is a file, not a folder" in lines[problem]
    assert lines[problem + 1].strip().startswith("fix: point CSF_HOME at a folder")
    assert "problem" in lines[-1] and "fix:" in lines[-1]

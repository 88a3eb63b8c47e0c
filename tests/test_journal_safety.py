"""The journal under attack: each test reproduces a way a journal was lost or hurt (issue 12)."""

from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from csframework.errors import JournalError
from csframework.journal import Journal


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite3"


def rows(p: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{p.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM entries ORDER BY id").fetchall()
    finally:
        conn.close()


# -- 8. many kernels creating one new journal at the same moment ---------------------------

def _open_new_journals(folder: str, worker: int, rounds: int, barrier, failures) -> None:
    for n in range(rounds):
        barrier.wait(timeout=60)
        try:
            with Journal(Path(folder) / f"j{n}.sqlite3") as journal:
                journal.write(0, "hello", f"worker {worker}")
        except Exception as err:  # recorded, then the test shows them all
            failures.put(f"round {n}, worker {worker}: {type(err).__name__}: {err}")


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method (POSIX)")
def test_four_processes_creating_fresh_journals_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    workers, rounds = 4, 50
    barrier = context.Barrier(workers)
    failures = context.Queue()
    procs = [context.Process(target=_open_new_journals,
                             args=(str(tmp_path), w, rounds, barrier, failures))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
    for n in range(rounds):
        with Journal(tmp_path / f"j{n}.sqlite3") as journal:
            assert sorted(e.text for e in journal.history(0, "hello")) == [
                f"worker {w}" for w in range(workers)]


# -- 3. an export never replaces the journal, its WAL files or its backups ------------------

@pytest.fixture
def filled(path):
    with Journal(path) as journal:
        journal.write(1, "check-in", "Here, and a little tired.")
        journal.write(7, "loops", "The delay fooled me.", domain="research")
        yield journal


@pytest.mark.parametrize("export", ["export_html", "export_markdown"])
@pytest.mark.parametrize("name", ["journal.sqlite3", "journal.sqlite3-wal",
                                  "journal.sqlite3-shm", "journal.sqlite3.bak",
                                  "backups/journal-2026-01-01T00-00-00Z.sqlite3",
                                  "elsewhere.sqlite3"])
def test_export_onto_the_journal_or_a_backup_is_refused(filled, path, tmp_path, export, name):
    assert filled.backup().parent == tmp_path / "backups"      # a dated backup
    filled.backup(tmp_path / "backups" / "journal-2026-01-01T00-00-00Z.sqlite3")
    filled.backup(tmp_path / "journal.sqlite3.bak")            # as a restore sets one aside
    filled.backup(tmp_path / "elsewhere.sqlite3")              # a backup anywhere else
    target = tmp_path / name
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(JournalError, match="refusing to export"):
        getattr(filled, export)(target)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert {p: after.get(p) for p in before} == before
    assert filled.write(2, "still", "the journal still works").version == 1
    assert rows(path)[-1][2] == "still"


def test_export_onto_a_hard_link_to_the_journal_is_refused(filled, path, tmp_path):
    link = tmp_path / "portfolio.html"
    os.link(path, link)
    with pytest.raises(JournalError, match="refusing to export"):
        filled.export_html(link)
    assert len(rows(path)) == 2


# -- 4. restore over a journal whose old WAL is still there ----------------------------------

KILLED_WRITER = """
    import sys, time
    from csframework.journal import Journal
    journal = Journal(sys.argv[1])
    for i in range(5):
        journal.write(2, f"old{i}", "written before the restore")
    print("written", flush=True)
    time.sleep(600)
"""


def _killed_writer(path: Path) -> None:
    """A kernel writes and is killed: its entries sit in the -wal, not yet in the file."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(path)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    proc.kill()
    proc.communicate(timeout=30)
    assert Path(f"{path}-wal").stat().st_size > 0


@pytest.fixture
def backup_file(tmp_path):
    with Journal(tmp_path / "source.sqlite3") as journal:
        journal.write(1, "from-the-backup", "what the backup holds")
        return journal.backup(tmp_path / "backup.sqlite3")


def test_restore_never_replays_an_old_wal(path, backup_file):
    _killed_writer(path)
    path.unlink()                        # the journal file went, its -wal stayed behind
    with Journal.restore(backup_file, path) as restored:
        assert [e.prompt_id for e in restored.entries()] == ["from-the-backup"]
    aside = Path(f"{path}.bak-wal")
    assert aside.stat().st_size > 0      # the old WAL is kept, set aside, not replayed
    with Journal(path) as again:         # and it stays so when opened again
        assert [e.prompt_id for e in again.entries()] == ["from-the-backup"]


def test_restore_sets_aside_a_damaged_journal_with_its_wal(path, backup_file):
    _killed_writer(path)
    wal = Path(f"{path}-wal").read_bytes()
    path.write_bytes(b"\0" * 4096)       # the main file is unreadable, its -wal is not
    with pytest.raises(JournalError, match="holds a file"):
        Journal.restore(backup_file, path)
    with Journal.restore(backup_file, path, overwrite=True) as restored:
        assert [e.prompt_id for e in restored.entries()] == ["from-the-backup"]
    assert Path(f"{path}.bak").read_bytes() == b"\0" * 4096
    assert Path(f"{path}.bak-wal").read_bytes() == wal


def test_restore_over_a_journal_with_entries_in_its_wal(path, backup_file):
    _killed_writer(path)
    with Journal.restore(backup_file, path, overwrite=True) as restored:
        assert [e.prompt_id for e in restored.entries()] == ["from-the-backup"]
    with Journal(Path(f"{path}.bak")) as old:  # everything that was written is kept
        assert [e.prompt_id for e in old.entries()] == [f"old{i}" for i in range(5)]


def test_restore_proves_the_result_equals_the_backup(path, backup_file, monkeypatch):
    import csframework.journal.backup as module

    with Journal(path) as journal:
        journal.write(3, "mine", "keep me")
    real = module.fingerprint
    calls = []

    def tampered(conn):
        calls.append(1)
        count, digest = real(conn)
        return (count, digest) if len(calls) == 1 else (count, "0" * 64)

    monkeypatch.setattr(module, "fingerprint", tampered)
    with pytest.raises(JournalError, match="did not give the backup back"):
        Journal.restore(backup_file, path, overwrite=True)
    monkeypatch.undo()
    with Journal(path) as journal:        # the old journal is back in place
        assert [e.prompt_id for e in journal.entries()] == ["mine"]
    assert Path(f"{path}.restore-failed").is_file()


# -- 5. special targets: links, devices, standard output ------------------------------------

def test_export_through_a_symlink_keeps_the_link(filled, tmp_path):
    real = tmp_path / "shared" / "portfolio.html"
    real.parent.mkdir()
    real.write_text("old portfolio")
    link = tmp_path / "portfolio.html"
    link.symlink_to(real)
    assert filled.export_html(link) == real
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "The delay fooled me." in real.read_text()


def test_export_through_a_symlink_to_the_journal_is_refused(filled, path, tmp_path):
    link = tmp_path / "portfolio.md"
    link.symlink_to(path)
    with pytest.raises(JournalError, match=r"a link to .*journal\.sqlite3.*itself"):
        filled.export_markdown(link)
    assert link.is_symlink() and len(rows(path)) == 2


def _device(folder: Path) -> Path:
    """A character device like /dev/null, made inside `folder`.

    Never the real /dev/null: on code without the fix, the test would replace it
    with a regular file for everyone on the machine.
    """
    device = folder / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    return device


def test_devices_and_pipes_are_refused(filled, tmp_path):
    device = _device(tmp_path)
    for export in (filled.export_html, filled.export_markdown, filled.backup):
        with pytest.raises(JournalError, match="it is a character device"):
            export(device)
        assert device.is_char_device()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for export in (filled.export_html, filled.backup):
        with pytest.raises(JournalError, match="it is a named pipe"):
            export(fifo)
        assert fifo.is_fifo()


def test_a_journal_at_a_device_is_refused(tmp_path, backup_file):
    device = _device(tmp_path)
    with pytest.raises(JournalError, match="null: it is a character device"):
        Journal(device)
    with pytest.raises(JournalError, match="it is a character device"):
        Journal.restore(backup_file, device, overwrite=True)
    assert device.is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "csf-home", "null",
                                                          "source.sqlite3"]


def test_export_to_a_stream(filled):
    import io

    for export, start in ((filled.export_html, "<!DOCTYPE html>"),
                          (filled.export_markdown, "# Reflection portfolio")):
        out = io.StringIO()
        assert export(out) is None
        assert out.getvalue().startswith(start) and "The delay fooled me." in out.getvalue()


# -- 7. killed backups leave no temporary files behind for ever -----------------------------

PAUSED_BACKUP = """
    import os, sys, time
    from csframework.journal import Journal

    real_replace = os.replace
    def stall(src, dst):
        print("copied, not yet renamed", flush=True)
        time.sleep(600)

    os.replace = stall
    Journal(sys.argv[1]).backup(sys.argv[2])
"""


def _stalled_backup(path: Path, target: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(PAUSED_BACKUP), str(path),
                             str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "copied, not yet renamed"
    return proc


def test_next_backup_removes_temporaries_of_killed_backups(filled, path, tmp_path):
    target = tmp_path / "backup.sqlite3"
    for _ in range(3):
        proc = _stalled_backup(path, target)
        proc.kill()
        proc.communicate(timeout=30)
    old_style = tmp_path / ".backup.sqlite3.k2j3h4g5.tmp"    # no process id in its name
    old_style.write_bytes(b"x" * 1000)
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))

    def temps() -> list[Path]:
        return sorted(tmp_path.glob(".backup.sqlite3.*.tmp"))

    killed = [p for p in temps() if p != old_style]
    assert len(killed) == 1                          # each backup removed the one before
    assert killed[0].stat().st_size > 0
    live = _stalled_backup(path, target)                     # a backup still running
    try:
        mine = [p for p in temps() if f".{live.pid}." in p.name]
        assert filled.backup(target) == target
        assert temps() == mine                               # only the live one is left
    finally:
        live.kill()
        live.communicate(timeout=30)
    assert filled.backup(target) == target
    assert temps() == []
    with Journal.restore(target, tmp_path / "r.sqlite3") as restored:
        assert len(restored) == 2


# -- 6. a damaged journal: read-only, said so, salvaged --------------------------------------

PAGE = 4096


def _damaged(path: Path, *, leaf: bool = False) -> list[tuple]:
    """A journal of 61 versions with one page overwritten; returns its rows from before."""
    with Journal(path) as journal:
        for i in range(60):
            journal.write(1 + i % 14, f"p{i}", f"text {i} " + "x" * 300,
                          attachments={"n": {"i": i}} if i % 3 == 0 else None,
                          domain="practice" if i % 2 else None)
        journal.write(2, "long", "y" * 20_000)          # spills onto overflow pages
    before = rows(path)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    page = root
    if leaf:   # the leaf holding entry 30
        page = next(n for n in range(1, path.stat().st_size // PAGE + 1)
                    if b"text 30 xxx" in path.read_bytes()[(n - 1) * PAGE:n * PAGE])
    conn.close()
    data = bytearray(path.read_bytes())
    start = (page - 1) * PAGE
    assert data[start] == (0x0D if leaf else 0x05)       # a table leaf / interior page
    data[start + 8:start + PAGE] = b"\xa5" * (PAGE - 8)   # its cells are gone
    path.write_bytes(bytes(data))
    return before


def test_a_damaged_journal_opens_read_only_and_says_so(path, tmp_path):
    _damaged(path)
    with pytest.warns(RuntimeWarning, match=r"is damaged .*read-only.*salvage"):
        journal = Journal(path)
    with journal:
        assert journal.damage and repr(journal) == "<Journal: damaged, read-only>"
        before = path.read_bytes()
        with pytest.raises(JournalError, match="open read-only, so nothing was written"):
            journal.write(1, "new", "lost?")
        with pytest.raises(JournalError, match="cannot be backed up"):
            journal.backup(tmp_path / "b.sqlite3")
        with pytest.raises(JournalError, match=r"damaged.*salvage"):
            journal.export_html(tmp_path / "p.html")
        with pytest.raises(JournalError, match=r"damaged.*salvage"):
            journal.entries()
    assert path.read_bytes() == before
    assert not (tmp_path / "b.sqlite3").exists() and not (tmp_path / "p.html").exists()


def test_salvage_recovers_every_entry_under_a_damaged_interior_page(path, tmp_path):
    before = _damaged(path)
    damaged = path.read_bytes()
    report = Journal.salvage(path, tmp_path / "saved.sqlite3")
    assert (report.copied, report.lost) == (61, ())
    assert rows(report.journal) == before                 # ids, versions, times, attachments
    assert path.read_bytes() == damaged                   # the damaged file is only read
    with Journal(report.journal) as saved:
        assert saved.damage is None and saved.latest(2, "long").text == "y" * 20_000


def test_salvage_lists_what_a_damaged_leaf_page_took(path, tmp_path):
    before = _damaged(path, leaf=True)
    report = Journal.salvage(path)
    assert report.journal.name.startswith("journal-salvaged-")
    saved = rows(report.journal)
    assert 0 < len(saved) < 61 and set(saved) < set(before)
    lost_ids = sorted({r[0] for r in before} - {r[0] for r in saved})
    assert 30 + 1 in lost_ids and len(report.lost) == len(lost_ids)
    assert any(line.startswith(f"session {1 + 30 % 14}, 'p30', version 1 (entry #31)")
               for line in report.lost)
    assert report.text().startswith(f"Salvaged {len(saved)} of 61 entry versions")


def test_salvage_into_an_existing_file_is_refused(path, tmp_path):
    Journal(path).close()
    taken = tmp_path / "taken.sqlite3"
    taken.write_text("mine")
    with pytest.raises(JournalError, match="already exists"):
        Journal.salvage(path, taken)
    assert taken.read_text() == "mine"
    (tmp_path / "notes.txt").write_text("not a journal")
    with pytest.raises(JournalError, match="not a SQLite database"):
        Journal.salvage(tmp_path / "notes.txt", tmp_path / "s.sqlite3")


# -- 15. exports cannot carry links, remote images or markup ---------------------------------

HOSTILE = "\n".join([
    "[click me](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](VBScript:msgbox(1))",
    "[spaced]( javascript:alert(4) )",
    "[ref][r]",
    "[r]: javascript:alert(2)",
    "![tracker](https://tracker.example/pixel.png?who=me)",
    "![also](//tracker.example/p.png)",
    "<javascript:alert(3)>",
    "<img src=x onerror=alert(5)>",
    "&lt;script&gt; and &#106;avascript:alert(6)",
    "<script>alert(7)</script>",
])


@pytest.fixture
def hostile(path):
    from csframework.cld import CausalLoopDiagram

    cld = CausalLoopDiagram.from_text(
        "trust -> participation : +\nparticipation -> trust : +",
        title="<script>alert(8)</script>](javascript:alert(9))")
    with Journal(path) as journal:
        journal.write(4, "links", HOSTILE, domain="research",
                      attachments={"[x](javascript:alert(10))": cld,
                                   "<b onmouseover=alert(11)>": "![t](https://t.example/a.png)"})
        yield journal


def _rendered_markdown(text: str) -> str:
    import mistune

    return mistune.create_markdown(escape=False, plugins=["url", "table", "strikethrough"])(text)


def test_markdown_export_forms_no_links_images_or_markup(hostile, tmp_path):
    text = hostile.export_markdown(tmp_path / "p.md").read_text()
    page = _rendered_markdown(text)
    assert "<script" not in page and "<b " not in page and "onerror" not in page.replace(
        "onerror=alert(5)", "")
    links = re.findall(r'<a [^>]*href="([^"]*)"', page)
    assert all(h.startswith("https://tracker.example/") for h in links)  # autolinked text only
    images = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert images and all(re.fullmatch(r"p_files/diagram-[0-9a-f]{16}\.png", s) for s in images)
    tags = set(re.findall(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)", page))
    assert tags <= {"p", "h1", "h2", "h3", "h4", "em", "strong", "br", "ul", "li", "pre", "code",
                    "img", "a"}
    for shown in ("[click me](javascript:alert(1))", "![tracker](", "[r]: javascript:alert(2)"):
        assert shown in page                     # the words are all still there, as text


def test_html_export_escapes_everything(hostile, tmp_path):
    page = hostile.export_html(tmp_path / "p.html").read_text()
    assert "<script" not in page.lower() and "<b " not in page and "<img src=x" not in page
    assert set(re.findall(r'href="([^"]*)"', page)) == {"#s04-links"}
    assert all(s.startswith("data:image/png;base64,") for s in re.findall(r'src="([^"]*)"',
                                                                           page))
    assert "&lt;script&gt;alert(8)&lt;/script&gt;" in page          # the diagram title
    assert "&lt;b onmouseover=alert(11)&gt;" in page                 # an attachment name


def test_markdown_to_a_stream_has_no_image_files(hostile, tmp_path):
    import io

    out = io.StringIO()
    hostile.export_markdown(out)
    assert "diagram-" not in out.getvalue() and "(in text notation)" in out.getvalue()
    assert "trust -> participation : +" in out.getvalue()
    assert list(tmp_path.glob("*_files")) == []


# -- 13. hand-edited journals give a clear error, never a traceback --------------------------

def _hand_edit(path: Path, sql: str, *params) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


INSERT = ("INSERT INTO entries (session, prompt_id, version, text, time, domain, attachments) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
GOOD_TIME = "2026-01-05T10:00:00.000000+00:00"


@pytest.mark.parametrize(("row", "problem"), [
    ((3, "bad", 1, "fine", GOOD_TIME, None, "not json"), "attachments are not in"),
    ((3, "bad", 1, "fine", GOOD_TIME, None, '[{"name": 1}]'), "attachments are not in"),
    ((3, "bad", 1, b"\x00\xff", GOOD_TIME, None, "[]"), "its text is bytes"),
    ((3, "bad", 1, "fine", "yesterday", None, "[]"), "its time 'yesterday'"),
    ((3, "bad", 1, "fine", "2026-01-05T10:00:00", None, "[]"), "with a timezone"),
    ((3, "bad", 1, "fine", GOOD_TIME, "dreams", "[]"), "domain 'dreams'"),
    ((3, "x\"><script>", 1, "fine", GOOD_TIME, None, "[]"), "not a prompt slug"),
])
def test_hand_edited_rows_give_a_clear_error(path, tmp_path, row, problem):
    with Journal(path) as journal:
        journal.write(1, "kept", "a good entry")
    _hand_edit(path, INSERT, *row)
    with Journal(path) as journal:
        for read in (journal.entries, lambda: journal.history(3, "bad")
                     if row[1] == "bad" else journal.entries(3),
                     lambda: journal.export_html(tmp_path / "p.html")):
            with pytest.raises(JournalError, match=rf"entry #2 .*{re.escape(problem)}.*salvage"):
                read()
    report = Journal.salvage(path, tmp_path / "saved.sqlite3")
    assert report.copied == 1 and len(report.lost) == 1 and problem in report.lost[0]


def test_salvage_reads_entries_that_are_only_in_the_wal(path, tmp_path):
    _killed_writer(path)                     # five entries, committed to the -wal only
    data = bytearray(path.read_bytes())
    data[:100] = b"\xa5" * 100               # and the file's header is gone
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="not a SQLite database"):
        Journal(path)
    report = Journal.salvage(path, tmp_path / "saved.sqlite3")
    assert (report.copied, report.lost) == (5, ())
    with Journal(report.journal) as saved:
        assert [e.prompt_id for e in saved.entries()] == [f"old{i}" for i in range(5)]

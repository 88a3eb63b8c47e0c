"""The reflection journal: storage, validation, versions, export, backup and restore."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import stat
from datetime import timezone
from pathlib import Path

import pytest

import csframework.journal as journal_module
import csframework.journal.database as journal_database
from csframework.cld import CausalLoopDiagram
from csframework.errors import JournalError, UnknownNameError
from csframework.journal import (
    MAX_ENTRY_BYTES,
    SCHEMA_VERSION,
    Attachment,
    Entry,
    Journal,
    JournalInputError,
    UnknownSessionError,
)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def journal(path):
    with Journal(path) as j:
        yield j


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def all_rows(p: Path) -> list[tuple]:
    conn = sqlite3.connect(p)
    try:
        return conn.execute("SELECT * FROM entries ORDER BY id").fetchall()
    finally:
        conn.close()


def diagram() -> CausalLoopDiagram:
    return CausalLoopDiagram.from_text("trust -> participation : +\n"
                                       "participation -> trust : +", title="Trust")


# -- where it lives, how it is stored ----------------------------------------------------

def test_default_path_is_under_csf_home(_fresh_csf_home):
    with Journal() as j:
        assert j.path == _fresh_csf_home / "journal.sqlite3"
        assert j.path.is_file()
    assert Path(os.environ["CSF_HOME"]) == _fresh_csf_home


def test_explicit_path_wins_over_csf_home(tmp_path, _fresh_csf_home):
    with Journal(tmp_path / "mine.sqlite3") as j:
        _ = j.write(1, "a", "x")
    assert (tmp_path / "mine.sqlite3").exists()
    assert not (_fresh_csf_home / "journal.sqlite3").exists()


def test_files_and_new_folders_are_private(tmp_path, monkeypatch):
    os.umask(0o022)
    target = tmp_path / "new" / "deeper" / "journal.sqlite3"
    with Journal(target) as j:
        _ = j.write(1, "a", "x")
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{target}{suffix}")) == 0o600, suffix
        assert mode(target.parent) == 0o700
        assert mode(target.parent.parent) == 0o700


def test_wal_mode_busy_timeout_and_schema_version(journal, path):
    conn = journal._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == journal_module.APPLICATION_ID


def test_every_schema_version_has_a_migration():
    assert set(journal_database.MIGRATIONS) == set(range(SCHEMA_VERSION))


def test_a_blank_file_becomes_a_journal(path):
    path.touch()
    with Journal(path) as j:
        assert j.write(0, "hello", "hi").version == 1


# -- writing and reading -----------------------------------------------------------------

def test_write_returns_the_committed_entry(journal):
    entry = journal.write(7, "loops", "The delay made it worse.", domain="research")
    assert isinstance(entry, Entry)
    assert (entry.session, entry.prompt_id, entry.version) == (7, "loops", 1)
    assert entry.domain == "research"
    assert entry.timestamp.tzinfo is not None
    assert entry.timestamp.utcoffset() == timezone.utc.utcoffset(None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", entry.time)
    assert journal.latest(7, "loops") == entry


def test_editing_makes_versions_and_history_is_oldest_first(journal):
    for text in ("first", "second", "third"):
        _ = journal.write(2, "vision", text)
    history = journal.history(2, "vision")
    assert [e.text for e in history] == ["first", "second", "third"]
    assert [e.version for e in history] == [1, 2, 3]
    assert journal.latest(2, "vision").text == "third"
    assert journal.entries() == (history[-1],)


def test_entries_are_latest_versions_by_session_then_first_written(journal):
    _ = journal.write(5, "b", "b1")
    _ = journal.write(3, "z", "z1")
    _ = journal.write(5, "a", "a1")
    _ = journal.write(5, "b", "b2")
    _ = journal.write(3, "y", "y1")
    assert [(e.session, e.prompt_id, e.text) for e in journal.entries()] == [
        (3, "z", "z1"), (3, "y", "y1"), (5, "b", "b2"), (5, "a", "a1")]
    assert [e.text for e in journal.entries(session=5)] == ["b2", "a1"]
    assert [e.text for e in journal.entries(prompt_id="y")] == ["y1"]
    assert journal.entries(session="session05", prompt_id="a")[0].text == "a1"


def test_latest_and_history_of_an_unwritten_prompt(journal):
    assert journal.latest(4, "ladder") is None
    assert journal.history(4, "ladder") == ()


def test_entries_are_frozen_and_rows_can_never_change(journal, path):
    entry = journal.write(1, "a", "original")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.text = "changed"  # type: ignore[misc]
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        conn.execute("UPDATE entries SET text = 'changed'")
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        conn.execute("DELETE FROM entries")
    conn.close()
    assert journal.latest(1, "a").text == "original"


@pytest.mark.parametrize("given, number", [(0, 0), (14, 14), ("start-here", 0), ("session07", 7),
                                           ("7", 7), ("07", 7), ("Session 7", 7)])
def test_session_numbers_and_keys(journal, given, number):
    assert journal.write(given, "p", "x").session == number


@pytest.mark.parametrize("bad", [15, -1, True, 3.0, "session15", "eight", None])
def test_unknown_session_lists_the_valid_ones(journal, bad):
    with pytest.raises(UnknownSessionError) as info:
        journal.write(bad, "p", "x")
    message = str(info.value)
    assert repr(bad) in message
    assert "0 (start here) to 14" in message and "'session14'" in message
    assert isinstance(info.value, JournalError) and isinstance(info.value, KeyError)
    assert len(journal) == 0


def test_unknown_session_suggests_a_key(journal):
    with pytest.raises(UnknownSessionError, match="did you mean 'session03'"):
        journal.entries(session="sesion3")


@pytest.mark.parametrize("bad", ["", "Check In", "check in", "-x", "x-", "a" * 65, 7, None,
                                 "caf\u00e9"])
def test_bad_prompt_ids(journal, bad):
    with pytest.raises(JournalInputError, match="bad prompt id") as info:
        journal.write(1, bad, "x")
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_prompt_id_suggests_a_slug(journal):
    with pytest.raises(JournalInputError, match="did you mean 'check-in'"):
        journal.write(1, "Check In", "x")


@pytest.mark.parametrize("bad", ["", "   ", "\n\t ", None, 42])
def test_empty_or_non_text_is_refused(journal, bad):
    with pytest.raises(JournalInputError, match="text"):
        journal.write(1, "a", bad)
    assert len(journal) == 0


def test_domains_are_validated_and_canonical(journal):
    assert journal.write(1, "a", "x", domain="Capacity-Building").domain == "capacity building"
    assert journal.write(1, "b", "x", domain="community building").domain == "community"
    assert journal.write(1, "c", "x").domain is None
    with pytest.raises(JournalInputError, match="did you mean 'research'") as info:
        journal.write(1, "d", "x", domain="reserch")
    assert "'practice', 'research', 'capacity building', 'community'" in str(info.value)


# -- attachments ------------------------------------------------------------------------

class Thing:
    def to_json(self):
        return json.dumps({"levels": ["events", "patterns"]})


def test_attachments_of_every_accepted_kind(journal):
    cld = diagram()
    entry = journal.write(7, "map", "my map", attachments={
        "diagram": cld, "diagram-text": cld.to_json(), "data": {"a": [1, 2.5, None]},
        "note": "just words", "thing": Thing()})
    stored = journal.latest(7, "map")
    assert stored == entry
    kinds = {a.name: a.kind for a in stored.attachments}
    assert kinds == {"diagram": "csframework.cld", "diagram-text": "csframework.cld",
                     "data": "json", "note": "text", "thing": "Thing"}
    assert [a.name for a in stored.attachments] == ["diagram", "diagram-text", "data", "note",
                                                   "thing"]
    assert CausalLoopDiagram.from_json(stored.attachment("diagram").content) == cld
    assert stored.attachment("data").value == {"a": [1, 2.5, None]}
    assert stored.attachment("note").value == "just words"
    assert stored.attachment("thing").value == {"levels": ["events", "patterns"]}
    with pytest.raises(UnknownNameError, match="did you mean 'note'"):
        stored.attachment("notes")


@pytest.mark.parametrize("value, expected", [({1, 2}, "not JSON-able"),
                                             (float("nan"), "not JSON-able"),
                                             (object(), "not JSON-able"),
                                             (b"\x89PNG", "not raw bytes")])
def test_attachments_that_cannot_be_stored(journal, value, expected):
    with pytest.raises(JournalInputError, match=expected) as info:
        journal.write(1, "a", "x", attachments={"fig": value})
    assert "'fig'" in str(info.value)
    assert len(journal) == 0


def test_attachments_must_be_a_dict_with_names(journal):
    with pytest.raises(JournalInputError, match="dict of name"):
        journal.write(1, "a", "x", attachments=["x"])
    with pytest.raises(JournalInputError, match="bad attachment name"):
        journal.write(1, "a", "x", attachments={"": "x"})


def test_oversized_entry_is_refused_with_the_limit(journal):
    big = "x" * (MAX_ENTRY_BYTES + 1)
    with pytest.raises(JournalInputError, match=r"limit is 5 MB per entry.*'big'"):
        journal.write(1, "a", "small", attachments={"big": big})
    with pytest.raises(JournalInputError, match="limit is 5 MB"):
        journal.write(1, "a", big)
    assert len(journal) == 0


# -- bad files at the path ----------------------------------------------------------------

def _refused(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(JournalError, match=match) as info:
        Journal(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_file_that_is_not_sqlite_is_left_untouched(path):
    path.write_bytes(b"my thesis draft\n" * 100)
    _refused(path, "not a SQLite database")


def test_a_foreign_sqlite_database_is_left_untouched(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    _refused(path, r"not a csframework journal \(tables: recipes\)")


def test_a_damaged_journal_is_left_untouched(path):
    with Journal(path) as j:
        for i in range(50):
            _ = j.write(1, f"p{i}", "x" * 1000)
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))
    _refused(path, "cannot be read")


def test_a_journal_from_a_newer_csframework(path):
    Journal(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    _refused(path, "newer csframework")


def test_a_folder_at_the_path(tmp_path):
    with pytest.raises(JournalError, match="is a folder"):
        Journal(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions and a non-root user")
def test_read_only_folder_real(tmp_path):  # pragma: no cover - CI runs as non-root
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(JournalError, match=r"not writable|read-only"):
            Journal(folder / "journal.sqlite3")
    finally:
        folder.chmod(0o700)


def test_read_only_folder_is_reported(path, monkeypatch):
    Journal(path).close()
    real_access = os.access
    monkeypatch.setattr(os, "access",
                        lambda p, m: False if Path(p) == path.parent else real_access(p, m))
    with pytest.raises(JournalError, match=r"folder .* is read-only.*-wal and -shm"):
        Journal(path)


# -- repr, close ------------------------------------------------------------------------

def test_reprs_are_short_and_stable(journal):
    assert repr(journal) == "<Journal: 0 entries in 0 sessions>"
    _ = journal.write(1, "a", "x")
    assert repr(journal) == "<Journal: 1 entry in 1 session>"
    _ = journal.write(1, "a", "edited")
    _ = journal.write(3, "b", "y " * 40)
    assert repr(journal) == "<Journal: 2 entries in 2 sessions>"
    assert repr(journal.latest(3, "b")) == (
        "Entry(session=3, prompt_id='b', version=1, text='y y y y y y y y y y y y y y y y y y "
        "y y…')")
    assert str(journal.path) in journal.describe()
    assert "3 versions" in journal.describe()
    assert repr(Attachment("a", "json", "1", True)) == "Attachment('a', kind='json')"


def test_close_and_context_manager(path):
    with Journal(path) as j:
        _ = j.write(1, "a", "x")
    assert repr(j) == "<Journal: closed>"
    j.close()  # idempotent
    with pytest.raises(JournalError, match="closed"):
        j.write(1, "a", "y")


# -- export -----------------------------------------------------------------------------

@pytest.fixture
def filled(journal):
    _ = journal.write(0, "hello", "Hello, journal.", domain="practice")
    _ = journal.write(7, "loops", "My <script>alert('x')</script> & loop\nsecond line",
                      attachments={"diagram": diagram(), "counts": {"R": 1},
                                   "note": "a <b>note</b>"}, domain="research")
    _ = journal.write(7, "loops", "My <script>alert('x')</script> & loop, edited",
                      attachments={"diagram": diagram(), "counts": {"R": 1}}, domain="research")
    _ = journal.write(12, "vision", "We, together.", domain="community")
    return journal


def test_markdown_export(filled, tmp_path):
    target = filled.export_markdown(tmp_path / "portfolio.md")
    text = target.read_text()
    assert text.startswith("# Reflection portfolio\n")
    for heading in ("### Practice", "### Research", "### Capacity building", "### Community",
                    "## Sessions", "### Start here", "### Session 7", "### Session 12"):
        assert heading in text
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp; loop" in text
    assert "edited" in text and "second line" not in text  # latest version only
    images = re.findall(r"!\[[^\]]*\]\((portfolio_files/diagram-[0-9a-f]{16}\.png)\)", text)
    assert len(images) == 1
    png = (tmp_path / images[0]).read_bytes()
    assert png.startswith(b"\x89PNG")
    assert '"R": 1' in text
    assert mode(target) == 0o600


def test_markdown_export_removes_images_no_longer_used(filled, tmp_path):
    target = filled.export_markdown(tmp_path / "p.md")
    first = set((tmp_path / "p_files").iterdir())
    other = CausalLoopDiagram.from_text("a -> b : -\nb -> a : +")
    _ = filled.write(7, "loops", "changed the map", attachments={"diagram": other})
    _ = filled.export_markdown(target)
    second = set((tmp_path / "p_files").iterdir())
    assert len(second) == 1 and first != second


def test_diagram_falls_back_to_text_notation(filled, tmp_path, monkeypatch):
    def broken(self, **kwargs):
        raise RuntimeError("drawing is not finished")

    monkeypatch.setattr(CausalLoopDiagram, "to_png", broken)
    text = filled.export_markdown(tmp_path / "p.md").read_text()
    assert "trust -> participation : +" in text and "drawing was unavailable" in text
    assert "![" not in text
    page = filled.export_html(tmp_path / "p.html").read_text()
    assert "trust -&gt; participation : +" in page and "<img" not in page


def test_html_export_is_self_contained_and_escaped(filled, tmp_path):
    target = filled.export_html(tmp_path / "portfolio.html")
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; loop" in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', page))
    for anchor in re.findall(r'href="#([^"]*)"', page):
        assert f'id="{anchor}"' in page
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "http://" not in page and "https://" not in page
    for domain in ("Practice", "Research", "Capacity building", "Community"):
        assert f"<h3>{domain}</h3>" in page
    assert mode(target) == 0o600


def test_export_of_an_empty_journal(journal, tmp_path):
    assert "No entries yet." in journal.export_html(tmp_path / "p.html").read_text()
    assert "No entries yet." in journal.export_markdown(tmp_path / "p.md").read_text()


def test_export_into_a_missing_folder(journal, tmp_path):
    with pytest.raises(JournalError, match="does not exist"):
        journal.export_html(tmp_path / "nowhere" / "p.html")


# -- backup and restore -----------------------------------------------------------------

def test_backup_and_restore_are_exact(filled, path, tmp_path):
    copy = filled.backup(tmp_path / "backup.sqlite3")
    assert mode(copy) == 0o600
    assert not Path(f"{copy}-wal").exists()
    restored_path = tmp_path / "restored" / "journal.sqlite3"
    with Journal.restore(copy, restored_path) as restored:
        assert restored.entries() == filled.entries()
        assert restored.history(7, "loops") == filled.history(7, "loops")
    assert all_rows(restored_path) == all_rows(path)
    assert len(all_rows(path)) == 4


def test_restore_to_the_default_place(filled, tmp_path, _fresh_csf_home):
    copy = filled.backup(tmp_path / "b.sqlite3")
    with Journal.restore(copy) as restored:
        assert restored.path == _fresh_csf_home / "journal.sqlite3"
        assert len(restored) == 3


def test_restore_refuses_a_journal_with_entries(filled, path, tmp_path):
    copy = filled.backup(tmp_path / "b.sqlite3")
    other = tmp_path / "other.sqlite3"
    with Journal(other) as j:
        _ = j.write(1, "mine", "do not lose me")
    before = all_rows(other)
    with pytest.raises(JournalError, match="overwrite=True"):
        Journal.restore(copy, other)
    assert all_rows(other) == before
    with Journal.restore(copy, other, overwrite=True) as restored:
        assert restored.latest(1, "mine") is None
        assert len(restored) == 3
    assert all_rows(Path(f"{other}.bak")) == before
    with Journal.restore(copy, other, overwrite=True):
        pass
    assert Path(f"{other}.bak-2").exists()


def test_restore_over_an_empty_journal_needs_no_overwrite(filled, tmp_path):
    copy = filled.backup(tmp_path / "b.sqlite3")
    Journal(tmp_path / "empty.sqlite3").close()
    with Journal.restore(copy, tmp_path / "empty.sqlite3") as restored:
        assert len(restored) == 3


def test_restore_refuses_a_file_that_is_not_a_journal(tmp_path, path):
    with Journal(path) as j:
        _ = j.write(1, "mine", "keep")
    before = path.read_bytes()
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not a database at all")
    with pytest.raises(JournalError, match=f"{re.escape(str(bogus))}.*not a SQLite"):
        Journal.restore(bogus, path, overwrite=True)
    assert path.read_bytes() == before
    with pytest.raises(JournalError, match="does not exist"):
        Journal.restore(tmp_path / "missing.sqlite3", path)


def test_restore_over_a_foreign_file_keeps_its_bytes(filled, tmp_path):
    copy = filled.backup(tmp_path / "b.sqlite3")
    foreign = tmp_path / "foreign.sqlite3"
    foreign.write_bytes(b"precious notes")
    with pytest.raises(JournalError, match="holds a file"):
        Journal.restore(copy, foreign)
    assert foreign.read_bytes() == b"precious notes"
    Journal.restore(copy, foreign, overwrite=True).close()
    assert Path(f"{foreign}.bak").read_bytes() == b"precious notes"


def test_backup_onto_the_journal_itself_is_refused(filled, path):
    with pytest.raises(JournalError, match="onto itself"):
        filled.backup(path)


def test_restore_refuses_a_journal_that_is_open_elsewhere(filled, tmp_path):
    copy = filled.backup(tmp_path / "b.sqlite3")
    other = tmp_path / "other.sqlite3"
    with Journal(other) as still_open:
        _ = still_open.write(1, "mine", "keep")
        before = all_rows(other)
        with pytest.raises(JournalError, match="open elsewhere"):
            Journal.restore(copy, other, overwrite=True)
        assert all_rows(other) == before
        assert still_open.latest(1, "mine").text == "keep"
    with Journal.restore(copy, other, overwrite=True) as restored:
        assert len(restored) == 3


# -- sessions are parsed by csframework.curriculum -------------------------------------------

def test_session_errors_are_curriculums_too(journal):
    from csframework import curriculum

    with pytest.raises(curriculum.UnknownSessionError) as caught:
        journal.write("sesion3", "x", "text")
    assert isinstance(caught.value, JournalError)
    assert "did you mean 'session03'?" in str(caught.value)
    assert "in Journal.write" in str(caught.value)


def test_session_keys_the_journal_takes(journal):
    import numpy as np

    for given, number in [("start", 0), ("Start_Here", 0), ("session 07", 7), ("07", 7),
                          (np.int64(12), 12), ("Session 3", 3)]:
        assert journal.write(given, "k", "text").session == number, given


def test_a_session_in_other_digits_is_an_unknown_session(journal):
    # '²'.isdigit() is true but int('²') fails: this was a ValueError from int()
    for bad in ("session²", "٣", True, 2.0, 15, -1):
        with pytest.raises(UnknownSessionError, match="unknown session"):
            journal.write(bad, "k", "text")

"""The participant's own copy of the course: updates never lose an edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csframework import cli
from csframework.course import MANIFEST, copy_course, fingerprint, pending_updates, update_course
from csframework.site import CourseError


def notebook(*sources: str, outputs: str = "") -> str:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "source": s,
              "outputs": ([{"output_type": "stream", "name": "stdout", "text": outputs}]
                          if outputs else [])} for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "notebooks" / "01-one.ipynb").write_text(notebook("print(1)"))
    (root / "notebooks" / "02-two.ipynb").write_text(notebook("print(2)"))
    (root / "exercises" / "01-one.ipynb").write_text(notebook("answer = None"))
    (root / "notebooks" / "README.md").write_text("# The course map\n")
    return root


def new_version(course: Path) -> None:
    (course / "notebooks" / "01-one.ipynb").write_text(notebook("print('one, improved')"))
    (course / "notebooks" / "02-two.ipynb").write_text(notebook("print('two, improved')"))
    (course / "notebooks" / "03-three.ipynb").write_text(notebook("print(3)"))
    (course / "notebooks" / "README.md").write_text("# The course map, version 2\n")


def test_update_refreshes_untouched_and_keeps_edited(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    edited = mine / "notebooks" / "02-two.ipynb"
    edited.write_text(notebook("print(2)", "# my reflection: trust grows slowly"))
    mine_before = edited.read_bytes()
    new_version(course)

    assert set(pending_updates(mine, course)) == {"notebooks/01-one.ipynb",
                                                  "notebooks/02-two.ipynb",
                                                  "notebooks/README.md"}
    report = update_course(mine, course)

    assert (mine / "notebooks" / "01-one.ipynb").read_bytes() == \
        (course / "notebooks" / "01-one.ipynb").read_bytes()
    assert edited.read_bytes() == mine_before, "the participant's edit was overwritten"
    (name, beside), = report.beside
    assert name == "notebooks/02-two.ipynb"
    assert (mine / beside).read_bytes() == (course / "notebooks" / "02-two.ipynb").read_bytes()
    listing = sorted(p.name for p in (mine / "notebooks").iterdir())
    assert abs(listing.index(Path(beside).name) - listing.index("02-two.ipynb")) == 1
    assert report.added == ("notebooks/03-three.ipynb",)
    assert set(report.refreshed) == {"notebooks/01-one.ipynb", "notebooks/README.md"}
    text = report.text()
    assert "02-two.ipynb" in text and beside in text and "Nothing you wrote" in text

    again = update_course(mine, course)
    assert not again.changed, "a second update offered the same version again"
    assert pending_updates(mine, course) == ()


def test_running_a_notebook_is_not_editing_it(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    ran = mine / "notebooks" / "01-one.ipynb"
    ran.write_text(notebook("print(1)", outputs="1\n"))
    new_version(course)
    report = update_course(mine, course)
    assert "notebooks/01-one.ipynb" in report.refreshed
    assert fingerprint(ran) == fingerprint(course / "notebooks" / "01-one.ipynb")


def test_without_a_memory_every_different_file_counts_as_the_participants(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    (mine / MANIFEST).unlink()
    new_version(course)
    report = update_course(mine, course)
    assert report.refreshed == ()
    assert {name for name, _ in report.beside} == {"notebooks/01-one.ipynb",
                                                   "notebooks/02-two.ipynb",
                                                   "notebooks/README.md"}
    assert (mine / "notebooks" / "01-one.ipynb").read_text() == notebook("print(1)")


def test_a_damaged_memory_is_treated_as_no_memory(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    (mine / MANIFEST).write_text("{not json")
    new_version(course)
    report = update_course(mine, course)
    assert report.refreshed == ()
    assert (mine / "notebooks" / "01-one.ipynb").read_text() == notebook("print(1)")


def test_a_second_new_version_beside_does_not_replace_the_first(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    (mine / "notebooks" / "02-two.ipynb").write_text(notebook("mine"))
    new_version(course)
    first = dict(update_course(mine, course).beside)["notebooks/02-two.ipynb"]
    (course / "notebooks" / "02-two.ipynb").write_text(notebook("print('two, third')"))
    second = dict(update_course(mine, course).beside)["notebooks/02-two.ipynb"]
    assert first != second
    assert (mine / first).read_text() == notebook("print('two, improved')")
    assert (mine / second).read_text() == notebook("print('two, third')")


def test_copy_says_when_an_update_is_waiting(course, tmp_path):
    mine = tmp_path / "mine"
    copy_course(mine, course)
    new_version(course)
    report = copy_course(mine, course)
    assert report.copied == ("notebooks/03-three.ipynb",)
    assert "csframework course update" in report.text()
    assert "notebooks/01-one.ipynb" in report.updates


def test_update_refuses_the_course_itself_and_a_file(course, tmp_path):
    with pytest.raises(CourseError, match="is the course itself"):
        update_course(course, course)
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(CourseError, match="it is a file"):
        update_course(target, course)


def test_cli_update(course, tmp_path, capsys):
    mine = tmp_path / "mine"
    assert cli.main(["course", "copy", "--folder", str(mine), "--source", str(course)]) == 0
    (mine / "notebooks" / "02-two.ipynb").write_text(notebook("mine"))
    new_version(course)
    capsys.readouterr()
    assert cli.main(["course", "update", "--folder", str(mine), "--source", str(course)]) == 0
    out = capsys.readouterr().out
    assert "02-two.course-" in out and "not changed" in out
    assert (mine / "notebooks" / "02-two.ipynb").read_text() == notebook("mine")


def test_doctor_reports_waiting_updates(course, tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    mine = cli.working_folder()
    copy_course(mine, course)
    checks = {c.name: c for c in cli.run_checks(str(course))}
    assert checks["course updates"].ok
    new_version(course)
    checks = {c.name: c for c in cli.run_checks(str(course))}
    assert not checks["course updates"].ok
    assert "course update" in checks["course updates"].fix


def test_doctor_notices_a_version_off_the_pins(tmp_path, monkeypatch):
    pins = tmp_path / "constraints.txt"
    pins.write_text("numpy==0.0.1\nnot-installed-anywhere==1.0\n")
    monkeypatch.setattr(cli, "pins_file", lambda: pins)
    check = cli._check_pins()
    assert not check.ok and "numpy" in check.detail and "pinned ==0.0.1" in check.detail
    pins.write_text("")
    assert cli._check_pins().ok


def test_course_build_takes_the_folder_as_an_argument(tmp_path, capsys):
    out = tmp_path / "site"
    assert cli.main(["course", "build", str(out)]) == 0
    assert (out / "index.html").is_file()
    assert cli.main(["course", "build", str(out), "--output", str(tmp_path / "other")]) == 1
    assert "two site folders" in capsys.readouterr().err


def test_doctor_asks_for_a_recent_journal_backup(tmp_path, monkeypatch):
    import os
    import time

    from csframework.journal import Journal, backup_folder

    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    assert cli._check_backup().ok  # no journal yet: nothing to back up
    with Journal() as journal:
        journal.write(1, "arrival", "What I bring to this year.")
    check = cli._check_backup()
    assert not check.ok and "never been backed up" in check.detail
    assert "csframework journal backup" in check.fix
    assert cli.main(["journal", "backup"]) == 0
    assert cli._check_backup().ok
    old = time.time() - (cli.BACKUP_AGE_DAYS + 5) * 86400
    for backup in backup_folder().glob("*.sqlite3"):
        os.utime(backup, (old, old))
    check = cli._check_backup()
    assert not check.ok and "days old" in check.detail

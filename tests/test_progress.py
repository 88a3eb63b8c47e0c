"""Progress through the year (csframework.progress)."""

from __future__ import annotations

import nbformat
import pytest

from csframework import curriculum
from csframework.exercises import session01, session07
from csframework.journal import Journal
from csframework.progress import (
    EXERCISES_PROMPT,
    Progress,
    SessionProgress,
    expected_prompts,
    progress,
    record_exercises,
)


@pytest.fixture(autouse=True)
def _clean_exercises():
    """Exercise state lives in the modules: start and end every test with none."""
    session01.reset()
    session07.reset()
    yield
    session01.reset()
    session07.reset()


@pytest.fixture
def journal(_fresh_csf_home):
    with Journal(_fresh_csf_home / "journal.sqlite3") as j:
        yield j


@pytest.fixture
def course(tmp_path):
    """A course whose session 1 notebook asks two prompts and session 7 one."""
    def notebook(rel, *sources):
        path = tmp_path / "course" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        cells = [nbformat.v4.new_code_cell(s) for s in sources]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)

    notebook(curriculum.session(1).notebook,
             'csf.widgets.journal_prompt(1, "check-in", "How are you arriving?")',
             'journal_prompt(session=1, prompt_id="check-out", question="What now?")')
    notebook(curriculum.session(7).exercise, 'journal_prompt(SESSION, "loops", "Which?")')
    notebook("notebooks/00-start-here.ipynb", "print('hello')")
    return tmp_path / "course"


def test_expected_prompts_come_from_the_notebooks(course):
    assert expected_prompts(course) == {1: ("check-in", "check-out"), 7: ("loops",)}


def test_expected_prompts_of_the_real_course_use_real_sessions():
    found = expected_prompts()
    assert set(found) <= set(range(15))
    assert all(prompts for prompts in found.values())


def test_nothing_written_nothing_started(course, _fresh_csf_home):
    p = progress(course=course)
    assert p.journal == str(_fresh_csf_home / "journal.sqlite3")
    assert [s.number for s in p.sessions] == list(range(15))
    assert p.count("not started") == 15
    assert not (_fresh_csf_home / "journal.sqlite3").exists()   # reading creates nothing


def test_journal_prompts_count(course, journal):
    journal.write(1, "check-in", "Curious.")
    journal.write(1, "something-else", "An extra note.")
    s1 = progress(journal, course=course).session(1)
    assert (s1.journal_done, s1.journal_expected, s1.written) == (
        1, 2, ("check-in", "something-else"))
    assert s1.status == "in progress"


def test_live_checks_count_only_when_asked(course, journal):
    session07.q1.check(session07.q1.answer())
    assert progress(journal, course=course).session(7).exercises_solved == 1
    assert progress(journal, course=course, live=False).session(7).exercises_solved == 0


def test_saved_results_are_united_over_versions(course, journal):
    session01.q1.check(session01.q1.answer())
    session01.progress(journal=journal)          # q1 solved
    session01.reset()
    session01.q2.check("not the answer")
    session01.progress(journal=journal)          # q1 "not started" here, q2 attempted
    session01.reset()
    s1 = progress(journal, course=course, live=False).session(1)
    states = {q.name: q.status for q in s1.questions}
    assert states == {"q1": "solved", "q2": "attempted", "q3": "not started",
                      "q4": "not started"}
    assert EXERCISES_PROMPT not in s1.written


def test_a_saved_reflection_counts_as_solved(course, journal):
    reflection = session01.q4
    journal.write(1, reflection.prompt_id, "My tutor group, and the teachers who share it.")
    s1 = progress(journal, course=course, live=False).session(1)
    assert {q.name for q in s1.questions if q.solved} == {"q4"}


def test_a_session_is_done_when_everything_is(course, journal):
    for q in session01.questions:
        q.check(q.answer())
    journal.write(1, "check-in", "Here.")
    assert progress(journal, course=course).session(1).status == "in progress"
    journal.write(1, "check-out", "Taking a loop home.")
    p = progress(journal, course=course)
    assert p.session(1).status == "done" and p.session(1).fraction == 1.0
    assert p.count("done") == 1
    assert p.headline() == ("Progress through the year: 1 of 15 sessions done, "
                            "0 in progress, 14 not started")


def test_session_zero_is_done_once_written(course, journal):
    journal.write(0, "my-first-diagram", "Trust and participation.")
    assert progress(journal, course=course).session(0).status == "done"


def test_record_exercises_saves_only_attempted_sessions(course, journal):
    session07.q1.check(session07.q1.answer())
    assert record_exercises(journal) == (7,)
    session07.reset()
    assert progress(journal, course=course, live=False).session(7).exercises_solved == 1
    assert record_exercises(journal) == ()


def test_record_exercises_defaults_to_the_own_journal(course, _fresh_csf_home):
    session07.q2.check("surely wrong")
    assert record_exercises() == (7,)
    session07.reset()
    p = progress(course=course)
    assert p.session(7).exercises_attempted == 1


def test_views_are_stable(course, journal):
    journal.write(1, "check-in", "Curious <b>and</b> awake.")
    p = progress(journal, course=course, live=False)
    text = repr(p)
    assert text == repr(progress(journal, course=course, live=False))
    lines = text.splitlines()
    assert lines[0] == ("Progress through the year: 0 of 15 sessions done, 1 in progress, "
                        "14 not started")
    assert lines[3].split()[-4:] == ["0/4", "1/2", "in", "progress"]
    assert len(lines) == 17
    html = p._repr_html_()
    assert html.count("<tr>") == 16 and "in progress" in html
    frame = p.to_frame()
    assert list(frame.index) == list(range(15))
    assert frame.loc[1, "journal_done"] == 1 and frame.loc[1, "status"] == "in progress"


def test_plot_draws_a_bar_per_session(course, journal):
    import matplotlib.pyplot as plt

    journal.write(1, "check-in", "Here.")
    ax = progress(journal, course=course).plot()
    try:
        assert len(ax.get_yticklabels()) == 15
        assert ax.get_title().startswith("Progress through the year: 0 of 15")
    finally:
        plt.close(ax.figure)


def test_unknown_session_and_status_are_named():
    p = Progress((SessionProgress(0, "Start", ""),))
    with pytest.raises(KeyError, match="unknown session 5"):
        p.session(5)
    with pytest.raises(ValueError, match=r"'finished'.*valid statuses"):
        p.count("finished")


# -- results as a JSON attachment; older text entries still read ---------------------------

def test_saved_results_are_a_json_attachment(journal):
    from csframework.exercises._framework import EXERCISES_SCHEMA

    session01.q1.check(session01.q1.answer())
    session01.progress(journal=journal)
    entry = journal.latest(1, EXERCISES_PROMPT)
    data = entry.attachment("results").value
    assert data["schema"] == EXERCISES_SCHEMA and data["session"] == 1
    assert [(q["name"], q["solved"], q["attempted"]) for q in data["questions"]][:2] == [
        ("q1", True, True), ("q2", False, False)]
    assert entry.text.startswith("Session 1: 1 of 4 solved")   # still readable as text


def test_progress_reads_the_attachment_not_the_text(course, journal):
    from csframework.exercises._framework import EXERCISES_SCHEMA

    results = {"schema": EXERCISES_SCHEMA, "version": 1, "session": 1, "questions": [
        {"name": "q2", "kind": "x", "title": "y", "attempted": True, "solved": True}]}
    journal.write(1, EXERCISES_PROMPT, "Session 1: (a text that lists no question lines)",
                  attachments={"results": results})
    states = {q.name: q.status for q in progress(journal, course=course, live=False)
              .session(1).questions}
    assert states["q2"] == "solved" and states["q1"] == "not started"


def test_text_entries_of_earlier_versions_still_count(course, journal):
    """A participant's year of progress, saved as text before the attachment existed."""
    journal.write(1, EXERCISES_PROMPT,
                  "Session 1: 1 of 4 solved, 2 attempted\n"
                  "  q1 solved      ClassifyLoop: The loop through workload, stress\n"
                  "  q2 attempted   PredictPattern: What happens next\n"
                  "  q3 not started MultipleChoice: Pick\n", domain="capacity building")
    states = {q.name: q.status for q in progress(journal, course=course, live=False)
              .session(1).questions}
    assert states == {"q1": "solved", "q2": "attempted", "q3": "not started",
                      "q4": "not started"}


def test_a_malformed_attachment_falls_back_to_nothing_not_an_error(course, journal):
    journal.write(1, EXERCISES_PROMPT, "hand written",
                  attachments={"results": {"schema": "csframework.exercises-progress",
                                           "questions": [{"name": 3}, "q1", None]}})
    s1 = progress(journal, course=course, live=False).session(1)
    assert s1.exercises_attempted == 0


# -- journal prompts read from the code, not from its text ----------------------------------

def test_prompt_calls_are_parsed_not_searched():
    from csframework.progress import prompt_calls

    source = ('# journal_prompt(7, "in-a-comment", "...")\n'
              'text = "journal_prompt(7, \'in-a-string\', \'...\')"\n'
              '%matplotlib inline\n'
              'csf.widgets.journal_prompt("session07", prompt_id="real", question="?")\n')
    assert list(prompt_calls(source)) == [("session07", "real")]
    assert list(prompt_calls("journal_prompt(7, 'x'")) == []         # not Python: none


def test_expected_prompts_take_the_session_from_the_call(tmp_path):
    nb = tmp_path / curriculum.session(7).notebook
    nb.parent.mkdir(parents=True)
    cells = [nbformat.v4.new_code_cell('journal_prompt("session 3", "looking-back", "?")'),
             nbformat.v4.new_code_cell('journal_prompt(99, "nowhere", "?")')]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), nb)
    assert expected_prompts(tmp_path) == {3: ("looking-back",)}


def test_exercises_do_not_import_progress():
    import subprocess
    import sys

    code = ("import sys, csframework.exercises as e; e.load(1); "
            "print('csframework.progress' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"

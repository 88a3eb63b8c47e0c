"""csframework.exercises: every question checks its own solution, names typical mistakes,
never raises at a participant, and shows itself with stable text."""

import importlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csframework import behaviour, curriculum, exercises
from csframework.cld import CausalLoopDiagram
from csframework.errors import ExerciseError
from csframework.exercises import questions as kinds
from csframework.exercises._framework import (
    NOT_ATTEMPTED,
    CheckResult,
    Hint,
    SessionExercises,
    Solution,
)

MODULES = [exercises.load(n) for n in exercises.SESSIONS]
QUESTIONS = [q for module in MODULES for q in module.questions]


def qid(q):
    return f"s{q.session:02d}{q.name}"


@pytest.fixture(autouse=True)
def fresh_state():
    for module in MODULES:
        module.reset()
    yield
    for module in MODULES:
        module.reset()


# -- the set of exercises ------------------------------------------------------------------

def test_every_session_has_a_module_with_two_to_five_questions():
    assert [m.__name__ for m in MODULES] == [curriculum.session(n).exercises_module
                                             for n in range(1, 15)]
    for module in MODULES:
        assert 2 <= len(module.questions) <= 5, module.__name__
        names = [q.name for q in module.questions]
        assert names == [f"q{i}" for i in range(1, len(names) + 1)]
        for q in module.questions:
            assert getattr(module, q.name) is q


def test_import_in_the_learntools_manner():
    ex = importlib.import_module("csframework.exercises.session07")
    assert ex.q1.check("balancing").status == "correct"
    assert exercises.load("07") is ex and exercises.load("session07") is ex


@pytest.mark.parametrize("bad", [0, 15, "x", True, None, "session99", "start here", "\u00b2",
                                 "\u0667", 7.0, 10**100])
def test_load_unknown_session(bad):
    # '\u00b2' and '\u0667' are digits to str.isdigit() that int() refuses: once a ValueError
    with pytest.raises(ExerciseError, match="sessions 1 to 14"):
        exercises.load(bad)


@pytest.mark.parametrize("given", [7, "7", " 07 ", "session07", "Session 7",
                                   curriculum.session(7)])
def test_load_reads_the_session_as_the_curriculum_does(given):
    assert exercises.load(given) is exercises.load(7)
    assert curriculum.session_number(given) == 7


def test_each_session_uses_kinds_fitting_its_tools():
    kinds_by_session = {m.__name__[-2:]: {q.kind for q in m.questions} for m in MODULES}
    assert "PlaceOnIceberg" in kinds_by_session["06"]
    assert "PlaceOnLadder" in kinds_by_session["04"]
    assert "BuildCLD" in kinds_by_session["05"]
    assert "FindArchetype" in kinds_by_session["09"]
    assert {"SetParameter", "FindArchetype"} <= kinds_by_session["11"]
    all_kinds = set().union(*kinds_by_session.values())
    assert {"ClassifyLoop", "BuildCLD", "PredictPattern", "SetParameter", "PlaceOnIceberg",
            "FindArchetype", "MultipleChoice", "Reflection", "PredictValue"} <= all_kinds


# -- generic properties of every question ----------------------------------------------------

@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_solution_passes_its_own_check(q):
    solution = q.solution()
    assert isinstance(solution, Solution)
    assert solution.explanation
    result = q.check(solution.answer)
    assert result.status == "correct", result
    assert q.attempted and q.solved


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_typical_mistakes_get_their_specific_feedback(q):
    assert len(q.typical_mistakes) >= 2
    for answer, expected in q.typical_mistakes:
        result = q.check(answer)
        assert result.status == "not yet", (answer, result)
        assert expected in result.message, (answer, result.message)
    assert not q.solved


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
@pytest.mark.parametrize("blank", [NOT_ATTEMPTED, None, Ellipsis, "", "   ", "____", {}])
def test_blank_answers_are_not_attempted(q, blank):
    result = q.check() if blank is NOT_ATTEMPTED else q.check(blank)
    assert result.status == "not attempted"
    assert repr(result).startswith("Not attempted: ")
    assert not q.attempted


class Weird:
    def __repr__(self):
        raise RuntimeError("no repr for you")

    def __eq__(self, other):
        raise RuntimeError("no comparing")

    __hash__ = object.__hash__


GARBAGE = [42, -1.5, math.nan, math.inf, [1, 2], ("R",), {"x": object()}, object(), Weird(),
           b"bytes", 3 + 4j, CausalLoopDiagram(), True, "completely unrelated words"]


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_garbage_is_not_yet_and_never_raises(q):
    for answer in GARBAGE:
        result = q.check(answer)
        if isinstance(q, kinds.Reflection) and isinstance(answer, str):
            continue
        assert result.status == "not yet", (answer, result)
        assert result.message


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.binary(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10) | st.integers(), children, max_size=4),
    max_leaves=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(QUESTIONS) - 1), answer=anything)
def test_random_answers_never_raise(index, answer):
    q = QUESTIONS[index]
    result = q.check(answer)
    assert isinstance(result, CheckResult)
    assert result.status in ("correct", "not yet", "not attempted")
    assert isinstance(repr(result), str) and isinstance(result._repr_html_(), str)


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_hints_are_graded(q):
    first = q.hint()
    assert isinstance(first, Hint)
    assert first == q.hint(1) and first.number == 1 and not first.note
    assert repr(first).startswith(f"Hint 1 of {len(q.hints)}: ")
    texts = [q.hint(k).text for k in range(1, len(q.hints) + 1)]
    assert texts == list(q.hints) and len(set(texts)) == len(texts)
    beyond = q.hint(len(q.hints) + 3)
    assert beyond.text == q.hints[-1] and "last one" in beyond.note
    for odd in (0, -2, "two", 1.5, None):
        assert q.hint(odd).number == 1


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_reprs_are_stable(q):
    solution = q.solution()
    assert repr(solution) == repr(q.solution())
    assert repr(solution).startswith("Solution: ")
    assert solution._repr_html_() == q.solution()._repr_html_()
    assert repr(q) == f"<{q.kind} {q.name} of session {q.session}: {q.title}>"
    assert q.prompt and q.name in q._repr_html_()
    wrong, _ = q.typical_mistakes[0]
    assert repr(q.check(wrong)) == repr(q.check(wrong))


def test_prediction_questions_agree_with_the_classifier():
    predictions = [q for q in QUESTIONS if isinstance(q, kinds.PredictPattern)]
    assert len(predictions) >= 5
    for q in predictions:
        assert behaviour.classify(q.series).pattern == q.expected, qid(q)


# -- results, hints, solutions, progress -----------------------------------------------------

def test_check_result_text_and_html():
    ok = CheckResult("correct", "well seen.")
    assert repr(ok) == "Correct: well seen." and bool(ok)
    assert "#1E8E3E" in ok._repr_html_()
    assert "#E69F00" in CheckResult("not yet", "x")._repr_html_()
    assert "#9AA0A6" in CheckResult("not attempted", "x")._repr_html_()
    assert "&lt;b&gt;" in CheckResult("not yet", "<b>")._repr_html_()
    with pytest.raises(ValueError):
        CheckResult("maybe", "x")


def test_progress_reports_attempts_and_solutions():
    ex = exercises.load(7)
    ex.q1.check("reinforcing")
    ex.q2.check("sustained oscillation")
    progress = ex.progress()
    assert (progress.solved, progress.attempted) == (1, 2)
    assert repr(progress).splitlines()[0] == "Session 7: 1 of 4 solved, 2 attempted"
    assert "q1 attempted" in repr(progress) and "q2 solved" in repr(progress)
    assert "✓" in progress._repr_html_()
    ex.q1.check("balancing")
    ex.q1.check("reinforcing")
    assert ex.q1.solved  # solving once counts, whatever comes after
    ex.reset()
    assert ex.progress().attempted == 0


def test_the_notebooks_progress_cell_reaches_csframework_progress():
    """What the last cell of every exercise notebook runs (see test_curriculum): a
    solved question saved to the participant's own journal ($CSF_HOME in tests),
    seen by `csframework progress` in a later process, once however often it is run."""
    import csframework as csf
    from csframework.progress import EXERCISES_PROMPT, progress

    ex = exercises.load(7)
    try:
        ex.q2.check(ex.q2.solution().answer)
        for _ in range(3):
            with csf.Journal() as journal:
                ex.progress(journal=journal)
        later = progress(live=False).session(7)
        assert (later.exercises_solved, later.exercises_attempted) == (1, 1)
        with csf.Journal() as journal:
            assert len(journal.history(7, EXERCISES_PROMPT)) == 1
            ex.q3.check("a wrong answer")
            ex.progress(journal=journal)
            assert len(journal.history(7, EXERCISES_PROMPT)) == 2
    finally:
        ex.reset()


def test_progress_and_reflections_can_be_saved_to_a_journal(tmp_path):
    from csframework.journal import Journal

    ex = exercises.load(13)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        assert ex.q3.save(journal).status == "not yet"  # nothing checked yet
        text = ("We moved the listening circles to Saturdays after seeing who could not come, "
                "and twice as many families came.")
        assert ex.q3.check(text).status == "correct"
        saved = ex.q3.save(journal)
        assert saved.status == "correct" and "version 1" in saved.message
        ex.progress(journal=journal)
        entry = journal.latest(13, "q3.successive-approximation")
        assert entry.text == text
        assert journal.latest(13, "exercises-progress").text.startswith("Session 13")


def test_session_exercises_number_their_questions():
    a = kinds.MultipleChoice("Which?", ["x", "y"], "b", hints=["h"])
    b = kinds.Reflection("Why?", prompt_id="why", example="Because of this and that.",
                         hints=["h"])
    ex = SessionExercises(3, [a, b])
    assert (a.name, b.name, a.session) == ("q1", "q2", 3)
    assert ex.by_name() == {"q1": a, "q2": b}


# -- explicit tests for each kind ------------------------------------------------------------

def test_classify_loop():
    q = kinds.ClassifyLoop("?", "a -> b : -\nb -> c : -\nc -> a : -", hints=["h"])
    assert q.answer() == "balancing"
    assert q.check("b").correct and q.check(" Balancing loop ").correct
    assert q.check("negative feedback").correct
    msg = q.check("R").message
    assert "B1 (" in msg and "3 '-' links" in msg and "an odd number" in msg
    assert "sign of a single link" in q.check("-").message
    assert "a word in quotes" in q.check(2).message


def test_classify_loop_by_name_and_delay_note():
    cld = "x -> y : + delay\ny -> x : -\ny -> z : +\nz -> y : +"
    q = kinds.ClassifyLoop("?", cld, "R1", hints=["h"])
    assert q.loop.variables == ("y", "z")
    q2 = kinds.ClassifyLoop("?", cld, ("x", "y"), hints=["h"])
    assert "does not change whether" in q2.check("reinforcing").message


def test_build_cld_accepts_objects_text_and_synonyms():
    q = importlib.import_module("csframework.exercises.session05").q1
    mine = CausalLoopDiagram.from_text("""
        Mutual Trust -> speaking up : +
        speaking up -> Mutual Trust : +
        speaking up -> tiredness : +
        tiredness -> speaking up : -
    """)
    assert q.check(mine).correct
    assert q.check(mine.to_text()).correct
    longer = """
        level of trust -> participation : +
        participation -> level of trust : +
        participation -> meeting length : +
        meeting length -> meeting fatigue : +
        meeting fatigue -> participation : -
    """
    assert q.check(longer).correct


def test_build_cld_names_a_wrong_polarity_and_the_loop_kind():
    q = kinds.BuildCLD("?", [kinds.LoopRequirement(("a", "b"), "balancing")],
                       "a -> b : +\nb -> a : -", hints=["h"])
    result = q.check("a -> b : +\nb -> a : +")
    assert result.status == "not yet"
    assert "is reinforcing" in result.message and "a balancing loop" in result.message
    assert "closed loop" in q.check("a -> b : +\nb -> c : +").message
    assert "no links yet" in q.check(CausalLoopDiagram()).message


def test_predict_pattern_accepts_aliases_and_objects():
    q = kinds.PredictPattern("?", "exponential growth", series=[1, 2, 4, 8, 16, 32, 64, 128],
                             hints=["h"])
    assert q.check("exponential").correct
    assert q.check(behaviour.pattern("runaway growth")).correct
    assert q.check(behaviour.classify([1, 2, 4, 8, 16, 32, 64, 128])).correct
    assert "Did you mean 'linear'" in q.check("linaer").message


def test_predict_value():
    q = importlib.import_module("csframework.exercises.session01").q3
    assert q.check(25).correct and q.check("25.2").correct
    assert "too low" in q.check(10).message
    assert "too high" in q.check(40).message


def test_set_parameter_accepts_numbers_and_dicts():
    q = importlib.import_module("csframework.exercises.session07").q3
    assert q.check(6).correct
    assert q.check({"response_delay": 6}).correct
    assert q.check({"response_delay": 6.0, "perception_delay": 5}).correct
    assert "did you mean 'response_delay'" in q.check({"respons_delay": 6}).message
    assert "needs a number" in q.check({"response_delay": "six"}).message
    assert "needs a number" in q.check(True).message


def test_place_on_iceberg_accepts_an_iceberg_and_aliases():
    from csframework.iceberg import Iceberg

    ex = importlib.import_module("csframework.exercises.session06")
    berg = Iceberg("Lateness")
    for item, level in ex.LATENESS.items():
        berg.add(level, item)
    assert ex.q1.check(berg).correct
    by_alias = {item: {"events": "event", "patterns": "trend", "structures": "structure",
                       "mental models": "belief"}[level] for item, level in ex.LATENESS.items()}
    assert ex.q1.check(by_alias).correct
    shouted = {item.upper(): level for item, level in ex.LATENESS.items()}
    assert ex.q1.check(shouted).correct


def test_place_on_iceberg_takes_every_name_the_iceberg_knows():
    from csframework.iceberg import Iceberg

    ex = importlib.import_module("csframework.exercises.session06")
    berg = Iceberg("names")
    for alias in ("systemic structures", "Patterns and trends", "behaviour", "beliefs",
                  "what happened", "values"):
        wanted = berg.level(alias).name
        given = {item: (alias if level == wanted else level)
                 for item, level in ex.LATENESS.items()}
        assert ex.q1.check(given).correct, alias
    wrong = {item: "the weather" for item in ex.LATENESS}
    assert "is not a level" in ex.q1.check(wrong).message


def test_place_on_ladder_takes_every_name_the_ladder_knows():
    from csframework.ladder import LadderOfInference

    ex = importlib.import_module("csframework.exercises.session04")
    ladder = LadderOfInference()
    for alias in ("interpretation", "raw data", "take action", "draw conclusions", "assume"):
        wanted = ladder.rung(alias).name
        given = {item: (alias if rung == wanted else rung)
                 for item, rung in ex.LATE_MORNING.items()}
        assert ex.q1.check(given).correct, alias
    assert "is not a rung" in ex.q1.check({item: "the roof" for item in
                                           ex.LATE_MORNING}).message


def test_question_kinds_keep_their_import_path():
    from csframework.exercises import questions
    from csframework.exercises.questions import choices, diagrams, placing, simulations

    assert questions.ClassifyLoop is diagrams.ClassifyLoop
    assert questions.SetParameter is simulations.SetParameter
    assert questions.PlaceOnLadder is placing.PlaceOnLadder
    assert questions.Reflection is choices.Reflection
    assert set(questions.__all__) == {
        "SIGNATURES", "BuildCLD", "ClassifyLoop", "FindArchetype", "LoopRequirement",
        "MultipleChoice", "PlaceItems", "PlaceOnIceberg", "PlaceOnLadder", "PredictPattern",
        "PredictValue", "Reflection", "SetParameter"}
    assert not hasattr(simulations.PredictValue, "_load_code")


def test_place_on_ladder_accepts_a_ladder():
    from csframework.ladder import LadderOfInference

    ex = importlib.import_module("csframework.exercises.session04")
    ladder = LadderOfInference("Late morning")
    for item, rung in ex.LATE_MORNING.items():
        ladder.add(rung, item)
    assert ex.q1.check(ladder).correct


def test_find_archetype_accepts_aliases_and_objects():
    from csframework import archetypes

    q = importlib.import_module("csframework.exercises.session09").q1
    assert q.check("Policy Resistance").correct
    assert q.check(archetypes.get("fixes that fail")).correct
    [match] = archetypes.find(q.diagram)
    assert q.check(match).correct


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__[-9:])
def test_archetype_questions_are_found_by_the_finder(module):
    from csframework import archetypes

    for q in module.questions:
        if isinstance(q, kinds.FindArchetype):
            assert q.expected in archetypes.find(q.diagram).names, qid(q)


def test_multiple_choice():
    q = kinds.MultipleChoice("Pick.", ["alpha", "beta"], "b", why={"a": "Not alpha."},
                             hints=["h"])
    assert "a) alpha" in q.prompt and "b) beta" in q.prompt
    assert q.check("B").correct and q.check("(b)").correct and q.check("Beta").correct
    assert q.check("a").message == "a) is not the one. Not alpha."
    with pytest.raises(ValueError):
        kinds.MultipleChoice("Pick.", ["alpha"], "c", hints=["h"])


def test_reflection_accepts_any_words():
    q = kinds.Reflection("?", prompt_id="p", example="An example of a reflection.", min_words=2,
                         hints=["h"])
    assert q.check("Anything at all").correct
    assert q.text == "Anything at all"
    assert "say a little more" in q.check("one").message


# -- two wrong answers for every question, written out by hand ------------------------

def _swapped(q):
    """The solution with two items' places swapped (for the placing questions)."""
    answer = dict(q.solution().answer)
    names = list(answer)
    first, last = names[0], names[-1]
    answer[first], answer[last] = answer[last], answer[first]
    return answer


def _all_on(level):
    return lambda q: dict.fromkeys(q.solution().answer, level)


STUDY_WITHOUT_DELAY = ("gap to the grade I want -> hours of study : +\n"
                       "hours of study -> grades : +\n"
                       "grades -> gap to the grade I want : -")

WRONG = {
    "s01q1": ["reinforcing", "R1"],
    "s01q2": ["balancing", "B1"],
    "s01q3": [50, 30],
    "s01q4": ["fine", 7],
    "s02q1": ["linear", "s-shaped growth"],
    "s02q2": [1, 0.8],
    "s02q3": ["x", ["vision"]],
    "s03q1": ["overshoot and settle", "linear"],
    "s03q2": [18, 22],
    "s03q3": ["b", "whether the week went well"],
    "s04q1": [_swapped, _all_on("conclusions")],
    "s04q2": ["balancing", "negative"],
    "s04q3": ["a", "'Let's take a vote and move on.'"],
    "s05q1": ["trust -> participation : +\nparticipation -> trust : + delay",
              "trust -> participation : +\nparticipation -> trust : + delay\n"
              "participation -> meeting fatigue : +\nmeeting fatigue -> participation : +"],
    "s05q2": ["move", "c"],
    "s05q3": ["empathic", "a"],
    "s06q1": [_swapped, _all_on("events")],
    "s06q2": ["events: react", "d"],
    "s06q3": ["linear", "s-shaped growth"],
    "s07q1": ["reinforcing", "R"],
    "s07q2": ["damped oscillation", "goal seeking"],
    "s07q3": [2, 3],
    "s07q4": [STUDY_WITHOUT_DELAY,
              "gap -> study : +\nstudy -> grades : + delay\ngrades -> gap : +"],
    "s08q1": [148, 150],
    "s08q2": ["linear", "overshoot and collapse"],
    "s08q3": [10, 30],
    "s08q4": ["a", "stay where it is"],
    "s09q1": ["shifting the burden", "eroding goals"],
    "s09q2": ["fixes that fail", "limits to growth"],
    "s09q3": ["balancing", "B"],
    "s09q4": [1.25, 2],
    "s10q1": ["exponential growth", "overshoot and collapse"],
    "s10q2": ["exponential growth", "s-shaped growth"],
    "s10q3": ["growth and underinvestment", "success to the successful"],
    "s11q1": [1, 1.5],
    "s11q2": ["tragedy of the commons", "accidental adversaries"],
    "s11q3": ["goal seeking", "sustained oscillation"],
    "s11q4": ["a", "let the families with the most cattle decide"],
    "s12q1": ["a", "b"],
    "s12q2": ["a parameter", "d"],
    "s12q3": ["s-shaped growth", "goal seeking"],
    "s13q1": ["linear", "exponential growth"],
    "s13q2": ["capacity building", "b"],
    "s13q3": ["idk", 1.5],
    "s14q1": ["yes", 0],
    "s14q2": ["escalation", "fixes that fail"],
    "s14q3": ["more", ["a", "b"]],
}


def test_every_question_has_two_wrong_answers_written_out():
    assert set(WRONG) == {qid(q) for q in QUESTIONS}
    assert all(len(answers) == 2 for answers in WRONG.values())


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_two_wrong_answers_are_refused(q):
    for wrong in WRONG[qid(q)]:
        answer = wrong(q) if callable(wrong) else wrong
        result = q.check(answer)
        assert result.status == "not yet", (answer, result)
        assert result.message
    assert not q.solved


def test_07_q4_refuses_a_loop_without_the_delay_it_asks_for():
    from csframework.exercises import session07

    result = session07.q4.check(STUDY_WITHOUT_DELAY)
    assert result.status == "not yet"
    assert "marked as slow" in result.message and "delay" in result.message
    assert session07.q4.check(STUDY_WITHOUT_DELAY.replace("grades : +", "grades : + delay")
                              ).status == "correct"


@pytest.mark.parametrize("answer", ["d", "D", "(d)", "d)", "community building",
                                    "Community Building", "community", "d) community building",
                                    "building community"])
def test_13_q2_takes_the_domain_by_letter_or_by_name(answer):
    from csframework.exercises import session13

    assert session13.q2.check(answer).status == "correct", answer


def test_words_shared_by_two_options_name_neither():
    from csframework.exercises import session13

    result = session13.q2.check("building")
    assert result.status == "not yet" and "not one of the options" in result.message


@pytest.mark.parametrize("q", QUESTIONS, ids=qid)
def test_solution_texts_are_whole_sentences(q):
    text = q.solution().explanation
    assert ".;" not in text and ". ;" not in text
    # a pattern's description continues the sentence about the series
    for verb in ("Moves", "Grows", "Starts", "Swings", "Rises", "Stays", "Improves", "Gets"):
        assert f". {verb} " not in text, (verb, text)
    assert not text.startswith(tuple(f"{letter}) " for letter in "abcdefgh")), text


def test_04_q1_accepts_the_ladder_as_the_notebook_writes_it():
    # 04: the exercise spelled the thoughts otherwise than the session notebook, so a
    # participant who copied them from the notebook was told to check the spelling.
    import json
    import re
    from pathlib import Path

    from csframework.exercises import session04

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    notebook = notebooks / "04-mental-models-and-the-ladder.ipynb"
    source = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                     if c["cell_type"] == "code")
    copied = {text: rung for rung, text in re.findall(r'monday\.add\("([^"]+)", "([^"]+)"\)',
                                                      source)}
    assert len(copied) == 7
    assert session04.q1.check(copied).status == "correct"
    with_contractions = {t.replace("do not", "don't").replace("does not", "doesn't"): r
                         for t, r in copied.items()}
    assert with_contractions != copied
    assert session04.q1.check(with_contractions).status == "correct"


def test_exercise_notebooks_list_the_options_once():
    # 11 c11 and 12 c2/c5 showed each option twice: as "  a) ..." lines and as a list.
    import json
    import re
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "exercises").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            labels = re.findall(r"^(?:- \*\*)?\s*\(?([a-h])\)", text, flags=re.M)
            assert len(labels) == len(set(labels)), (path.name, i, labels)

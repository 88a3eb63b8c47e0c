"""The plain objects behind the widgets: no browser, no widgets needed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from csframework.behaviour.prediction import Prediction, message
from csframework.cld import CausalLoopDiagram
from csframework.cld.editing import DiagramEditor, export_file_name
from csframework.cld.narration import Story, narrate_link
from csframework.errors import CSFrameworkError, DiagramError, UnknownNameError
from csframework.experiment import (
    MAX_PINS,
    Experiment,
    key_variable,
    library_name,
    slider_specs,
)
from csframework.sd import StockFlowModel, library


def test_import_csframework_does_not_import_ipywidgets():
    code = "import csframework, sys; assert 'ipywidgets' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- simulation -----------------------------------------------------------------------

def test_slider_specs_use_bounds_and_fill_in_missing_ones():
    m = StockFlowModel("m")
    m.constant("given", 5, min=1, max=10, step=0.5, units="people", label="Staff")
    m.constant("bare", 0)
    m.constant("negative", -3)
    given, bare, negative = slider_specs(m)
    assert (given.min, given.max, given.step, given.description) == (1, 10, 0.5,
                                                                     "Staff (people)")
    assert (bare.min, bare.max) == (0.0, 1.0) and bare.step > 0
    assert negative.min <= -3 <= negative.max and negative.max > negative.min


def test_every_library_model_gets_valid_sliders_and_its_key_variable():
    for name in library.names():
        model = library.load(name)
        assert library_name(model) == name
        assert key_variable(model) == library.info(name).key_variable
        for spec in slider_specs(model):
            assert spec.min <= spec.value <= spec.max and spec.step > 0


def test_key_variable_of_a_hand_made_model_is_its_first_stock():
    m = StockFlowModel("Mine")
    m.stock("b", 1)
    m.stock("a", 1)
    assert key_variable(m) == "b"


def test_experiment_pins_reset_and_labels():
    exp = Experiment(library.load("teacup"), params={"characteristic_time": 5})
    assert exp.label() == "characteristic time = 5"
    exp.set("room_temperature", 20)
    assert exp.pin().label == "room temperature = 20, characteristic time = 5"
    for _ in range(MAX_PINS + 2):
        exp.pin()
    assert len(exp.pins) == MAX_PINS
    exp.reset()
    assert exp.params == exp.defaults and exp.pins == () and exp.label() == "defaults"


def test_experiment_rejects_unknown_names_helpfully():
    exp = Experiment(library.load("teacup"))
    with pytest.raises(UnknownNameError, match="room_temperature"):
        exp.set("room_temprature", 3)
    with pytest.raises(UnknownNameError):
        exp.variable = "nothing"


def test_experiment_classifies_and_remembers():
    exp = Experiment(library.load("population"))
    first = exp.classify()
    assert first.pattern == "exponential growth"
    assert exp.classify() is first


# -- prediction -----------------------------------------------------------------------

def test_prediction_needs_a_choice_and_compares_kindly():
    guess = Prediction(library.load("teacup"), "teacup_temperature")
    with pytest.raises(CSFrameworkError, match="choose"):
        guess.reveal()
    guess.choose("exponential growth")
    outcome = guess.reveal()
    assert not outcome.agrees and outcome.actual == "goal seeking"
    assert outcome.message.startswith("Interesting")
    assert message("linear", None, "x").startswith("The simulation of x")


def test_prediction_rejects_a_constant():
    with pytest.raises(UnknownNameError):
        Prediction(library.load("teacup"), "room_temperature")


# -- narration --------------------------------------------------------------------------

LOOPS = """
    trust -> participation : +
    participation -> trust : +
    participation -> workload : +
    workload -> participation : - delay
"""


def test_story_narrates_links_and_announces_loops_with_full_names():
    cld = CausalLoopDiagram.from_text(LOOPS, title="Team")
    story = Story(cld)
    assert [s.narration.split(".")[0] for s in story.steps] == [
        "When trust rises, participation rises too",
        "When participation rises, trust rises too",
        "When participation rises, workload rises too",
        "When workload rises, participation falls, after a while",
    ]
    assert [[lp.name for lp in s.closes] for s in story.steps] == [[], ["R1"], [], ["B1"]]
    assert "This closes B1, a balancing loop: participation → workload → participation" in (
        story.steps[3].narration)
    assert story.narration(0).startswith("Let's build the story of Team")
    with pytest.raises(IndexError):
        story.narration(5)


def test_story_subset_and_figure_keep_positions():
    cld = CausalLoopDiagram.from_text(LOOPS)
    story = Story(cld)
    assert story.subset(2).links == cld.links[:2]
    figure = story.figure(1)
    visible = {a.get_gid() for a in figure.axes[0].patches if a.get_visible() and a.get_gid()}
    assert "link:trust->participation" in visible
    assert "link:participation->trust" not in visible
    full = story.figure(4)
    for step in (1, 4):
        labels = {t.get_gid(): t.get_position() for t in story.figure(step).axes[0].texts
                  if (t.get_gid() or "").startswith("label:")}
        assert labels == {t.get_gid(): t.get_position() for t in full.axes[0].texts
                          if (t.get_gid() or "").startswith("label:")}


def test_narrate_link_polarity_and_delay():
    cld = CausalLoopDiagram.from_text("a -> b : - delay")
    assert narrate_link(cld.links[0]) == "When a rises, b falls, after a while."


# -- editing ----------------------------------------------------------------------------

def test_editor_edits_in_place_and_undoes():
    cld = CausalLoopDiagram.from_text("a -> b : +")
    editor = DiagramEditor(cld)
    editor.add_link("b", "a", "−", delay=True)
    editor.name_loop("B1", "check")
    assert cld.loop("check").name == "B1"
    editor.remove_variable("a")
    assert len(cld) == 1
    editor.undo()
    assert cld.loop("check").has_delay
    editor.undo()
    editor.undo()
    assert cld.links == CausalLoopDiagram.from_text("a -> b : +").links
    assert not editor.can_undo
    with pytest.raises(DiagramError, match="nothing to undo"):
        editor.undo()


def test_editor_failed_edit_leaves_no_undo_step():
    editor = DiagramEditor()
    with pytest.raises(DiagramError):
        editor.add_link("x", "x")
    assert not editor.can_undo and len(editor.cld) == 0


def test_editor_exports_atomically_with_a_safe_name(tmp_path):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    editor = DiagramEditor(CausalLoopDiagram.from_text("a -> b : +\nb -> a : +"))
    path = editor.export("json", "../sneaky/loops", tmp_path)
    assert path == (tmp_path / "loops.json").absolute()
    assert json.loads(path.read_text())["links"][0]["cause"] == "a"
    assert editor.export("kumu", "k", tmp_path).name == "k.kumu.json"
    assert editor.export("png", "p", tmp_path).read_bytes().startswith(b"\x89PNG")
    page = editor.export("loopy", "play", tmp_path)
    assert page.name == "play.loopy.html"
    assert editor.export_text("loopy") in page.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.kumu.json", "loops.json",
                                                          "p.png", "play.loopy.html"]
    with pytest.raises(DiagramError):
        export_file_name("", "json")
    with pytest.raises(UnknownNameError):
        editor.export("svg", "x", tmp_path)


def test_editor_refuses_a_lone_surrogate_and_undo_still_works():
    # a browser can send half of a character (a lone surrogate); before, the edit went in
    # and the diagram could no longer be saved
    editor = DiagramEditor(CausalLoopDiagram.from_text("a -> b : +"))
    editor.add_link("b", "a", "-")
    for attempt in (lambda: editor.add_link("a\ud83d", "b"),
                    lambda: editor.add_variable("\udc80"),
                    lambda: editor.name_loop("B1", "brake \ud800")):
        with pytest.raises(DiagramError, match="lone surrogate"):
            attempt()
    assert [v.name for v in editor.cld.variables] == ["a", "b"]
    json.loads(editor.cld.to_json()).get("links")  # still saveable
    editor.undo()
    assert editor.cld == CausalLoopDiagram.from_text("a -> b : +")
    assert not editor.can_undo


def test_editor_names_that_look_the_same_are_the_same_variable():
    editor = DiagramEditor()
    editor.add_link("trust", "sharing", "+")
    editor.add_link("\ufefftrust\u200b", "care", "+")
    editor.add_variable("shar\u00ading")
    assert editor.names == ("trust", "sharing", "care")
    editor.remove_link("trust\u200b", "care")
    editor.remove_variable("care\u2060")
    assert editor.names == ("trust", "sharing")


def test_editor_undo_keeps_positions():
    cld = CausalLoopDiagram.from_text("a -> b : +")
    cld.place("a", 1, 2)
    cld.place("b", 3, 4)
    editor = DiagramEditor(cld)
    editor.remove_variable("b")
    assert dict(cld.positions) == {"a": (1.0, 2.0)}
    editor.undo()
    assert dict(cld.positions) == {"a": (1.0, 2.0), "b": (3.0, 4.0)}


def test_the_bathtub_that_drains_then_holds_is_not_simply_linear():
    # 01 c17: "linear" was marked right for the bathtub; the lesson is "falls, then holds at 25".
    quiz = Prediction(library.load("bathtub"), "water")
    quiz.choose("linear")
    outcome = quiz.reveal()
    assert outcome.actual == "linear" and not outcome.agrees
    assert outcome.message.startswith("Half of it: water shows linear decline, then equilibrium")
    assert "holds at about 25" in outcome.message
    quiz.choose("goal seeking")
    other = quiz.reveal()
    assert not other.agrees and "linear decline, then equilibrium" in other.message
    # a series whose pattern already holds its phases keeps its verdict
    fix = Prediction(library.load("accidental adversaries"), "success_of_b", better="up")
    fix.choose("better before worse")
    assert fix.reveal().agrees


def test_prediction_with_a_goal_offers_and_judges_the_paired_patterns():
    model = library.load("eroding goals")
    alone = Prediction(model, "actual_performance")
    assert "drifting goals" not in [p.name for p in alone.choices()]
    alone.choose("linear")
    assert alone.reveal().actual != "drifting goals"     # one series cannot show it
    paired = Prediction(model, "actual_performance", goal="goal")
    assert [p.name for p in paired.choices()][-1] == "drifting goals"
    paired.choose("goal and performance drift down together")
    outcome = paired.reveal()
    assert outcome.agrees and outcome.message == (
        "Well seen: actual performance and goal show drifting goals, as you expected.")
    with pytest.raises(UnknownNameError, match=r"unknown goal 'gaol'.*did you mean 'goal'"):
        Prediction(model, "actual_performance", goal="gaol")
    with pytest.raises(UnknownNameError, match="unknown goal 'drain'"):
        Prediction(model, "actual_performance", goal="drain")     # a constant is no goal

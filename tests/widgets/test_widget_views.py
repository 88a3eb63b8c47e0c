"""Every widget callback, driven without a browser: set values, click, read outputs."""

from __future__ import annotations

import base64

from csframework import archetypes, style
from csframework.cld import CausalLoopDiagram
from csframework.journal import Journal
from csframework.sd import library
from csframework.widgets import (
    cld_editor,
    connection_circle_builder,
    iceberg_builder,
    journal_prompt,
    ladder_builder,
    predict_then_simulate,
    simulation_dashboard,
    story,
    tension_chart,
)
from csframework.widgets._output import png_of


def _png(output) -> bytes:
    png = png_of(output)
    assert png is not None and png.startswith(b"\x89PNG")
    return png


def _texts(output) -> list[str]:
    return [o["data"].get("text/plain", "") for o in output.outputs]


# -- dashboard --------------------------------------------------------------------------

def test_dashboard_reruns_and_redraws_on_every_slider_change():
    board = simulation_dashboard(library.load("teacup"))
    first = _png(board.output)
    assert "csf-slider-room_temperature" in board.sliders["room_temperature"]._dom_classes
    board.sliders["room_temperature"].value = 20
    assert board.results.parameters[0]["room_temperature"] == 20
    assert _png(board.output) != first
    assert len(board.output.outputs) == 1
    assert "goal seeking" in board.pattern_label.value


def test_dashboard_pins_and_resets():
    board = simulation_dashboard("teacup")
    board.sliders["room_temperature"].value = 20
    board.pin_button.click()
    board.sliders["room_temperature"].value = 40
    gids = [line.get_gid() for line in board.figure.axes[0].lines]
    assert gids == ["current", "pin:0"]
    legend = [t.get_text() for t in board.figure.axes[0].get_legend().get_texts()]
    assert legend == ["now: room temperature = 40", "room temperature = 20"]
    board.reset_button.click()
    assert board.sliders["room_temperature"].value == 70
    assert board.experiment.pins == () and board.figure.axes[0].get_legend() is None
    assert board.results.parameters[0]["room_temperature"] == 70


def test_dashboard_variable_dropdown_changes_graph_and_pattern():
    board = simulation_dashboard("population")
    before = _png(board.output)
    other = next(v for v in board.variable_dropdown.options if v != "population")
    board.variable_dropdown.value = other
    assert board.experiment.variable == other
    assert _png(board.output) != before
    assert other.replace("_", " ") in board.pattern_label.value


def test_dashboard_dominance_band():
    board = simulation_dashboard("limits to growth", show_dominance=True)
    names = [p.get_gid() for p in board.figure.axes[0].patches]
    assert names and all(n.startswith("dominance:") for n in names)


def test_dashboard_model_error_shown_inline_not_raised():
    from csframework.sd import StockFlowModel

    m = StockFlowModel("Divide", stop=3)
    m.constant("d", 1, min=0, max=2, step=1)
    m.stock("s", 1, inflows=["f"])
    m.flow("f", "s / d")
    board = simulation_dashboard(m)
    before = _png(board.output)
    board.sliders["d"].value = 0
    assert "infinite" in board.message.value and "#CC3311" in board.message.value
    assert _png(board.output) == before          # the last good run stays on screen
    board.sliders["d"].value = 2
    assert board.message.value == "" and _png(board.output) != before


def test_presentation_theme_makes_bigger_widgets_and_figures():
    small = simulation_dashboard("teacup")
    with style.theme("presentation"):
        big = simulation_dashboard("teacup")
    assert "csf-theme-presentation" in big._dom_classes
    assert big.figure.get_figwidth() > small.figure.get_figwidth()
    assert big.sliders["room_temperature"].layout.width == "1000px"
    assert "font-size: 24px" in big.children[0].value


# -- predict then simulate ----------------------------------------------------------------

def test_predict_then_simulate_reveals_after_a_choice():
    quiz = predict_then_simulate(library.load("teacup"), "teacup_temperature")
    assert quiz.reveal_button.disabled and quiz.output.outputs == ()
    quiz.choices.value = "linear"
    assert "linear" in quiz.description.value and not quiz.reveal_button.disabled
    quiz.reveal_button.click()
    _png(quiz.output)
    assert "Interesting" in quiz.verdict.value
    quiz.choices.value = "goal seeking"
    assert quiz.output.outputs == ()          # a new guess hides the old answer
    quiz.reveal_button.click()
    assert "Well seen" in quiz.verdict.value


# -- editor --------------------------------------------------------------------------------

def test_editor_adds_links_shows_loops_archetypes_and_undoes():
    editor = cld_editor()
    assert editor.output.outputs == ()
    for cause, effect, sign in [("enrolment", "reputation", "+"),
                                ("reputation", "enrolment", "+"),
                                ("enrolment", "class size", "+"),
                                ("class size", "reputation", "-")]:
        editor.cause.value, editor.effect.value, editor.polarity.value = cause, effect, sign
        editor.add_button.click()
    assert editor.error.value == ""
    _png(editor.output)
    assert "class size" in editor.cause.options
    rows = [row.children[0].value for row in editor.loop_list.children]
    assert [r.split(":")[0] for r in rows] == ["R1 reinforcing", "B1 balancing"]
    found = archetypes.find(editor.cld).names
    for name in found:
        assert name in editor.archetypes_html.value
    if not found:
        assert "none found yet" in editor.archetypes_html.value
    story_box = editor.loop_list.children[0].children[1]
    story_box.value = "word of mouth"
    assert editor.cld.loop("word of mouth").name == "R1"
    editor.undo_button.click()
    assert editor.cld.loop("R1").story is None
    editor.undo_button.click()
    assert len(editor.cld.links) == 3


def test_editor_lists_the_archetypes_found():
    model = archetypes.get("fixes that fail")
    editor = cld_editor(model.cld)
    found = archetypes.find(model.cld)
    assert found.names  # the archetype's own drawing is found
    assert "fixes that fail" in editor.archetypes_html.value


def test_editor_shows_errors_inline():
    editor = cld_editor(CausalLoopDiagram.from_text("a -> b : +"))
    editor.cause.value = editor.effect.value = "a"
    editor.add_button.click()
    assert "itself" in editor.error.value and "#CC3311" in editor.error.value
    editor.cause.value, editor.effect.value, editor.polarity.value = "a", "b", "-"
    editor.add_button.click()
    assert "already exists" in editor.error.value
    editor.variable.value = "c"
    editor.add_variable_button.click()
    assert editor.error.value == "" and "c" in editor.cld
    editor.remove_variable_button.click()
    assert "c" not in editor.cld
    editor.cause.value, editor.effect.value = "b", "a"
    editor.remove_button.click()
    assert "unknown link" in editor.error.value


def test_editor_exports_text_and_files(tmp_path):
    editor = cld_editor(CausalLoopDiagram.from_text("a -> b : +"), folder=tmp_path)
    editor.export_show_button.click()
    assert '"schema"' in editor.export_text.value
    editor.export_format.value = "kumu"
    editor.export_show_button.click()
    assert '"elements"' in editor.export_text.value
    editor.export_format.value = "loopy"
    editor.export_show_button.click()
    assert editor.export_text.value.startswith("https://ncase.me/loopy/v1.1/?data=")
    editor.export_format.value = "png"
    editor.export_show_button.click()
    assert "picture" in editor.export_status.value
    editor.export_name.value = "mine"
    editor.export_save_button.click()
    assert (tmp_path / "mine.png").exists() and "mine.png" in editor.export_status.value
    editor.export_name.value = " "
    editor.export_save_button.click()
    assert "Could not save" in editor.export_status.value


# -- builders ------------------------------------------------------------------------------

def test_iceberg_builder_fills_and_redraws():
    builder = iceberg_builder("Late homework", mode="aspirational")
    empty = _png(builder.output)
    builder.level.value = "mental models"
    assert builder.prompts.value.count("<li>") >= 1
    builder.text.value = "Deadlines teach responsibility"
    builder.kind.value = "hypothesis"
    builder.add_button.click()
    item = builder.iceberg.items("mental models")[0]
    assert item.kind == "hypothesis" and builder.text.value == ""
    assert _png(builder.output) != empty
    builder.add_button.click()                 # empty text: an error, shown inline
    assert "#CC3311" in builder.error.value


def test_ladder_builder_fills_and_redraws():
    builder = ladder_builder("Staff meeting")
    builder.rung.value = "conclusions"
    assert builder.question.value
    builder.text.value = "Sam is not interested"
    builder.add_button.click()
    assert builder.ladder.items("conclusions")[0].text == "Sam is not interested"
    builder.text.value = "Sam is not interested"
    builder.remove_button.click()
    assert builder.ladder.items() == ()


def test_tension_chart_creates_updates_and_simulates():
    builder = tension_chart()
    assert builder.tension is None and builder.output.outputs == ()
    builder.update_button.click()
    assert "#CC3311" in builder.error.value and builder.tension is None
    builder.vision.value = "Every student feels known"
    builder.current_reality.value = "Half say no adult knows them"
    builder.vision_level.value, builder.current_level.value = "100", "50"
    builder.update_button.click()
    assert builder.tension.gap == 50
    _png(builder.output)
    builder.action.value = "Advisory groups"
    builder.add_action_button.click()
    assert builder.tension.actions == ("Advisory groups",)
    builder.simulate_button.click()
    _png(builder.simulation)
    builder.vision_level.value = "lots"
    builder.update_button.click()
    assert "must be a number" in builder.error.value


def test_connection_circle_builder_connects_and_finds_loops():
    builder = connection_circle_builder("Week", ["sleep", "energy"])
    builder.element.value = "screen time"
    builder.add_element_button.click()
    assert builder.cause.options == ("sleep", "energy", "screen time")
    for cause, effect, sign in [("sleep", "energy", "+"), ("energy", "screen time", "-"),
                                ("screen time", "sleep", "-")]:
        builder.cause.value, builder.effect.value, builder.polarity.value = cause, effect, sign
        builder.connect_button.click()
    assert "R1" in builder.loops.value
    _png(builder.output)
    assert builder.circle.to_cld().loops()[0].kind == "reinforcing"
    builder.cause.value = builder.effect.value = "sleep"
    builder.connect_button.click()
    assert "#CC3311" in builder.error.value


# -- story --------------------------------------------------------------------------------

def test_story_player_steps_forward_and_back():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +\nc -> a : -", title="T")
    player = story(cld)
    assert player.back_button.disabled and player.position == 0
    pictures = []
    for _ in range(3):
        player.next_button.click()
        pictures.append(_png(player.output))
    assert player.next_button.disabled and len(set(pictures)) == 3
    assert "This closes B1" in player.narration.value
    player.back_button.click()
    assert player.position == 2 and _png(player.output) == pictures[1]
    player.go(99)
    assert player.position == 3


# -- journal prompt ---------------------------------------------------------------------------

def test_journal_prompt_saves_and_shows_the_latest(tmp_path):
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.write(2, "vision", "First try")
        prompt = journal_prompt(2, "vision", "What is your vision?", journal=journal)
        assert prompt.text.value == "First try" and "version 1" in prompt.status.value
        prompt.text.value = "Second try"
        prompt.save_button.click()
        assert journal.latest(2, "vision").text == "Second try"
        assert "version 2" in prompt.status.value
        prompt.text.value = "   "
        prompt.save_button.click()
        assert "Not saved" in prompt.status.value and "#CC3311" in prompt.status.value


def test_journal_prompt_uses_the_default_journal():
    prompt = journal_prompt(1, "check-in", "How are you arriving?")
    assert prompt.status.value == "Not saved yet."
    prompt.text.value = "Curious"
    prompt.save_button.click()
    assert prompt.journal.latest(1, "check-in").text == "Curious"
    prompt.journal.close()


def test_journal_prompt_reports_an_unopenable_journal(tmp_path):
    from csframework.widgets.journal_prompt import JournalPrompt

    class Broken:
        def latest(self, *args):
            from csframework.errors import JournalError
            raise JournalError("disk gone")

    prompt = JournalPrompt(1, "x", "Q?", journal=Broken())
    assert prompt.save_button.disabled and "disk gone" in prompt.status.value


def test_outputs_are_display_data_pngs():
    board = simulation_dashboard("bathtub")
    [entry] = board.output.outputs
    assert entry["output_type"] == "display_data"
    assert base64.b64decode(entry["data"]["image/png"]).startswith(b"\x89PNG")
    assert _texts(board.output)[0].startswith("<Figure")


def test_editor_shows_a_lone_surrogate_as_an_error_and_undo_still_works():
    editor = cld_editor(CausalLoopDiagram.from_text("a -> b : +"))
    editor.cause.value, editor.effect.value = "b", "a"
    editor.add_button.click()
    editor.cause.value, editor.effect.value = "b\ud800", "c"
    editor.add_button.click()
    assert "lone surrogate" in editor.error.value
    assert [v.name for v in editor.cld.variables] == ["a", "b"]
    editor.undo_button.click()
    assert editor.error.value == "" and len(editor.cld.links) == 1
    assert editor.undo_button.disabled


# -- eroding goals: a performance judged with its goal (issue 14) ----------------------------

def test_predicting_eroding_goals_needs_the_goal_and_performance_drifting_down_together():
    for model in ("eroding goals", library.load("eroding goals")):   # by name, or as notebook 02
        quiz = predict_then_simulate(model, "actual_performance")
        assert quiz.prediction.goal == "goal"
        assert quiz.choices.options[-1] == "drifting goals"
        for wrong in ("linear", "goal seeking"):
            quiz.choices.value = wrong
            quiz.reveal_button.click()
            assert not quiz.prediction.outcome.agrees, wrong
            assert "show drifting goals" in quiz.verdict.value
        quiz.choices.value = "drifting goals"
        quiz.reveal_button.click()
        assert quiz.prediction.outcome.agrees and "Well seen" in quiz.verdict.value
        assert "<Figure: drifting goals vs drifting goals>" in _texts(quiz.output)


def test_with_the_goal_held_firm_goal_seeking_is_right():
    quiz = predict_then_simulate(library.load("eroding goals", firm_goal=True),
                                 "actual_performance")
    quiz.choices.value = "goal seeking"
    quiz.reveal_button.click()
    assert quiz.prediction.outcome.agrees
    assert quiz.prediction.outcome.classification.scores["drifting goals"] < 0.01


def test_other_variables_and_models_get_no_paired_patterns():
    quiz = predict_then_simulate("eroding goals", "goal")
    assert quiz.prediction.goal is None and "drifting goals" not in quiz.choices.options
    quiz = predict_then_simulate("teacup", "teacup_temperature")
    assert "drifting goals" not in quiz.choices.options


def test_the_dashboard_reads_the_eroding_goal_with_its_goal():
    dash = simulation_dashboard(library.load("eroding goals"))
    assert dash.experiment.goals == {"actual_performance": "goal"}
    assert dash.experiment.classify().pattern == "drifting goals"
    assert "drifting goals" in dash.pattern_label.value


def test_one_attempt_serves_every_widget_that_edits():
    from csframework.widgets import CLDEditor, IcebergBuilder, LadderBuilder
    from csframework.widgets._output import Root

    for kind in (CLDEditor, IcebergBuilder, LadderBuilder):
        assert kind.attempt is Root.attempt
    editor = cld_editor()
    assert editor.attempt(editor.editor.add_link, "a", "a") is False
    assert "to itself" in editor.error.value
    assert editor.attempt(editor.editor.add_link, "a", "b") is True and editor.error.value == ""

"""Iceberg: levels, items, behaviour and diagram, JSON, Markdown and the drawing."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework import style
from csframework.cld import CausalLoopDiagram
from csframework.errors import DiagramError, FormatError, UnknownNameError
from csframework.iceberg import LEVELS, PATTERNS, Behaviour, Iceberg, IcebergItem


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


@pytest.fixture
def berg():
    b = Iceberg("Late homework")
    b.add("events", "Six essays came in late on Monday")
    b.add("events", "Two students had no quiet place to work")
    b.add("patterns", "Lateness rises before exams")
    b.add("mental models", "Homework tests character", kind="hypothesis")
    return b


# -- levels and modes ------------------------------------------------------------------------

def test_levels_in_order_with_questions_and_responses():
    b = Iceberg("x")
    assert [lv.name for lv in b.levels] == list(LEVELS)
    assert [lv.response for lv in b.levels] == ["react", "anticipate", "design", "transform"]
    assert all(lv.question.endswith("?") for lv in b.levels)
    assert b.levels[0].above_water and not b.levels[1].above_water
    assert isinstance(b.levels, tuple)


def test_aspirational_mode_has_its_own_questions():
    diag, asp = Iceberg("x").levels, Iceberg("x", mode="aspirational").levels
    assert all(d.question != a.question for d, a in zip(diag, asp, strict=True))
    assert "want" in asp[0].question
    assert "cultivate" in asp[3].question


def test_levels_are_read_only():
    b = Iceberg("x")
    with pytest.raises(AttributeError):
        b.levels = ()
    with pytest.raises(AttributeError):
        b.mode = "aspirational"


def test_unknown_mode_names_the_modes():
    with pytest.raises(UnknownNameError, match=r"did you mean 'diagnostic'"):
        Iceberg("x", mode="diagnostc")
    with pytest.raises(UnknownNameError, match=r"known modes are 'aspirational', 'diagnostic'"):
        Iceberg("x", mode="hopeful")


def test_empty_title_is_an_error():
    with pytest.raises(DiagramError, match=r"empty title"):
        Iceberg("   ")


@pytest.mark.parametrize("alias, level", [
    ("Events", "events"), ("event", "events"), ("trends", "patterns"), ("Pattern", "patterns"),
    ("structure", "structures"), ("Systemic structures", "structures"),
    ("mental model", "mental models"), ("MENTAL_MODELS", "mental models"),
    ("mental-models", "mental models"),
])
def test_level_aliases(alias, level):
    b = Iceberg("x")
    item = b.add(alias, "something")
    assert item.level == level
    assert b.items(level) == (item,)


def test_unknown_level_lists_levels_or_suggests():
    b = Iceberg("Late homework")
    with pytest.raises(UnknownNameError) as info:
        b.add("roots", "x")
    message = str(info.value)
    assert "unknown level 'roots'" in message and "iceberg 'Late homework'" in message
    assert "'events', 'mental models', 'patterns', 'structures'" in message
    with pytest.raises(UnknownNameError, match=r"did you mean 'patterns'"):
        b.add("paterns", "x")
    with pytest.raises(KeyError):  # also a KeyError
        b.items("surface")


# -- items ------------------------------------------------------------------------------------

def test_items_in_level_order_with_kinds(berg):
    assert berg.items("events")[0] == IcebergItem("events", "Six essays came in late on Monday")
    assert [i.level for i in berg.items()] == ["events", "events", "patterns", "mental models"]
    assert berg.items("mental models")[0].is_hypothesis
    assert isinstance(berg.items(), tuple)


def test_same_words_twice_keep_one_item_with_latest_kind(berg):
    berg.add("events", "Six essays  came in late on Monday", kind="hypothesis")
    assert len(berg.items("events")) == 2
    assert berg.items("events")[0].kind == "hypothesis"


def test_unknown_kind_is_an_error():
    with pytest.raises(UnknownNameError,
                       match=r"unknown item kind 'rumour'.*'evidence', 'hypothesis'"):
        Iceberg("x").add("events", "y", kind="rumour")


def test_empty_or_non_text_item_is_an_error():
    b = Iceberg("x")
    with pytest.raises(DiagramError, match=r"empty item for level 'events'"):
        b.add("events", "  ")
    with pytest.raises(DiagramError, match=r"must be text"):
        b.add("events", 42)


def test_remove_item_and_unknown_item(berg):
    removed = berg.remove("events", "Six essays came in late on Monday")
    assert removed.text == "Six essays came in late on Monday"
    assert len(berg.items("events")) == 1
    with pytest.raises(UnknownNameError, match=r"did you mean 'Two students had no quiet place"):
        berg.remove("events", "Two students had no quiet place to wrk")


def test_repr_counts_items(berg):
    assert repr(berg) == ("<Iceberg 'Late homework' (diagnostic): 2 events, 1 pattern, "
                          "0 structures, 1 mental model>")


def test_prompts_start_with_the_guiding_question():
    b = Iceberg("x")
    for level in b.levels:
        prompts = b.prompts(level.name)
        assert prompts[0] == level.question and len(prompts) >= 3
    asp = Iceberg("x", mode="aspirational")
    assert asp.prompts("trends")[0] == asp.level("patterns").question
    with pytest.raises(UnknownNameError):
        b.prompts("sky")


# -- diagram and behaviour ------------------------------------------------------------------

def test_attach_diagram_on_structures():
    b = Iceberg("x")
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +", title="spiral")
    assert b.add("structures", cld) is cld
    assert b.diagram is cld
    b.attach_diagram(None)
    assert b.diagram is None


def test_diagram_on_another_level_is_an_error():
    cld = CausalLoopDiagram.from_text("a -> b : +")
    with pytest.raises(DiagramError, match=r"structures level.*not on 'events'"):
        Iceberg("x").add("events", cld)
    with pytest.raises(DiagramError, match=r"takes a CausalLoopDiagram"):
        Iceberg("x").attach_diagram("a -> b : +")


def test_behaviour_from_series_keeps_times_and_name():
    series = pd.Series([1.0, 2.5, 4.0], index=[0.0, 0.5, 1.0], name="late essays")
    b = Iceberg("x")
    behaviour = b.add("patterns", series)
    assert behaviour == Behaviour((1.0, 2.5, 4.0), (0.0, 0.5, 1.0), None, "late essays")
    assert b.items("patterns") == ()
    assert b.behaviour.to_series().tolist() == [1.0, 2.5, 4.0]


def test_behaviour_from_results_column():
    from csframework.sd import StockFlowModel

    m = StockFlowModel("Teacup", stop=4)
    m.stock("t", 100, outflows=["loss"])
    m.flow("loss", "t / 2")
    res = m.run()
    behaviour = Iceberg("x").add_behaviour(res["t"])
    assert behaviour.values[:2] == (100.0, 50.0) and behaviour.times[-1] == 4.0
    assert behaviour.label == "t"


def test_behaviour_from_list_and_pattern_name():
    b = Iceberg("x")
    assert b.add("patterns", [1, 2, 3]).values == (1.0, 2.0, 3.0)
    sketched = b.add_behaviour("Goal-seeking", label="confidence")
    assert sketched.pattern == "goal seeking" and len(sketched.values) > 10
    assert sketched.values[0] < sketched.values[-1]
    for name in PATTERNS:
        assert Behaviour.from_data(name).pattern == name


@pytest.mark.parametrize("data, message", [
    ([1], "at least 2 values"),
    ([1, float("nan")], "finite numbers"),
    ([1, "two"], "must hold numbers"),
    (42, "pandas Series, a list of numbers or a pattern name"),
    (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "pick one column"),
])
def test_bad_behaviour_is_an_error(data, message):
    with pytest.raises(DiagramError, match=message):
        Iceberg("x").add_behaviour(data)


def test_unknown_pattern_suggests_a_close_one():
    with pytest.raises(UnknownNameError, match=r"unknown behaviour pattern 'goal seking'"
                                               r".*did you mean 'goal seeking'"):
        Iceberg("x").add_behaviour("goal seking")


# -- JSON and Markdown ---------------------------------------------------------------------

def test_json_round_trip_with_diagram_and_behaviour(berg):
    cld = CausalLoopDiagram.from_text("workload -> lateness : +\nlateness -> workload : + delay",
                                      title="catch-up")
    cld.name_loop("R1", "catch-up spiral")
    berg.attach_diagram(cld)
    berg.add_behaviour(pd.Series([3.0, 4.5, 9.0], index=[1, 2, 3], name="late"))
    text = berg.to_json()
    data = json.loads(text)
    assert data["schema"] == "csframework.iceberg" and data["version"] == 1
    assert data["behaviour"]["values"] == [3.0, 4.5, 9.0]
    back = Iceberg.from_json(text)
    assert back == berg
    assert back.diagram.loop("catch-up spiral").name == "R1"
    assert back.to_json() == text


levels_st = st.sampled_from(LEVELS)
text_st = st.text(min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
items_st = st.lists(st.tuples(levels_st, text_st, st.sampled_from(["evidence", "hypothesis"])),
                    max_size=12)
values_st = st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=2,
                     max_size=20)


@settings(max_examples=60, deadline=None)
@given(title=text_st, mode=st.sampled_from(["diagnostic", "aspirational"]), items=items_st,
       values=st.none() | values_st)
def test_json_round_trip_property(title, mode, items, values):
    b = Iceberg(title, mode=mode)
    for level, text, kind in items:
        b.add(level, text, kind=kind)
    if values is not None:
        b.add_behaviour(values)
    back = Iceberg.from_json(b.to_json())
    assert back == b and back.items() == b.items() and back.behaviour == b.behaviour


@pytest.mark.parametrize("text, message", [
    ("not json", "iceberg JSON is not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"schema": "csframework.ladder", "version": 1}', "expected 'csframework.iceberg'"),
    ('{"schema": "csframework.iceberg", "version": 2, "title": "x"}', "version 2 is not supported"),
    ('{"schema": "csframework.iceberg", "version": 1}', "invalid iceberg JSON"),
    ('{"schema": "csframework.iceberg", "version": 1, "title": "x", "items": [{"level": "sky",'
     ' "text": "y"}]}', "unknown level 'sky'"),
    ('{"schema": "csframework.iceberg", "version": 1, "title": "x", "items": [{"text": "y"}]}',
     r"items\[0\] needs 'level' and 'text'"),
])
def test_bad_json_is_a_format_error(text, message):
    with pytest.raises(FormatError, match=message):
        Iceberg.from_json(text)


def test_markdown_has_levels_questions_and_hypotheses(berg):
    berg.attach_diagram(CausalLoopDiagram.from_text("a -> b : +\nb -> a : -", title="loop"))
    md = berg.to_markdown()
    assert md.startswith("## Iceberg: Late homework (diagnostic)")
    for level in berg.levels:
        assert f"### {level.title} ({level.response})" in md and level.question in md
    assert "- *Homework tests character?* (hypothesis)" in md
    assert "[diagram: loop, 1 loop: B1]" in md
    assert Iceberg("x", mode="aspirational").to_markdown().startswith("## What we want to grow")


# -- drawing ------------------------------------------------------------------------------------

def test_drawing_has_levels_questions_items_and_waterline(berg):
    fig = berg.draw()
    found = gids(fig)
    for level in LEVELS:
        assert {f"level:{level}", f"question:{level}", f"response:{level}",
                f"level-label:{level}"} <= found
    assert "item:events:Six essays came in late on Monday" in found
    assert artist(fig, "question:events").get_text() == berg.levels[0].question
    assert artist(fig, "response:structures").get_text() == "design"
    assert {"waterline", "water", "title", "direction-arrow"} <= found


def test_waterline_lies_between_events_and_patterns(berg):
    fig = berg.draw()
    water_y = float(np.mean(artist(fig, "waterline").get_ydata()))
    events = artist(fig, "level:events").get_xy()[:, 1]
    patterns = artist(fig, "level:patterns").get_xy()[:, 1]
    assert events.min() == pytest.approx(water_y, abs=0.01)
    assert patterns.max() == pytest.approx(water_y, abs=0.01)
    assert artist(fig, "question:events").get_position()[1] > water_y
    assert artist(fig, "question:patterns").get_position()[1] < water_y
    levels_top_down = [artist(fig, f"level:{lv}").get_xy()[:, 1].mean() for lv in LEVELS]
    assert levels_top_down == sorted(levels_top_down, reverse=True)


def test_hypotheses_are_italic_with_a_question_mark(berg):
    fig = berg.draw()
    hyp = artist(fig, "item:mental models:Homework tests character")
    ev = artist(fig, "item:events:Six essays came in late on Monday")
    assert hyp.get_style() == "italic" and ev.get_style() == "normal"
    assert artist(fig, "marker:mental models:Homework tests character").get_text() == "?"
    assert artist(fig, "marker:events:Six essays came in late on Monday").get_text() == "\u2022"
    assert {"legend:evidence", "legend:hypothesis"} <= gids(fig)


def test_sparkline_and_diagram_note(berg):
    assert "sparkline" not in gids(berg.draw())
    berg.add_behaviour([1, 2, 4, 8])
    berg.attach_diagram(CausalLoopDiagram.from_text("a -> b : +\nb -> a : +", title="Spiral"))
    fig = berg.draw()
    line = artist(fig, "sparkline")
    assert len(line.get_xdata()) == 4
    assert artist(fig, "diagram-note").get_text() == "[diagram: Spiral, 1 loop: R1]"


def test_aspirational_drawing_reads_as_growth():
    asp = Iceberg("Late homework", mode="aspirational")
    diag = Iceberg("Late homework")
    fa, fd = asp.draw(), diag.draw()
    assert artist(fa, "title").get_text() == "What we want to grow: Late homework"
    arrow_a = artist(fa, "direction-arrow")
    start, end = arrow_a._posA_posB
    assert end[1] > start[1]  # points upward
    start, end = artist(fd, "direction-arrow")._posA_posB
    assert end[1] < start[1]
    assert artist(fa, "level:events").get_facecolor() != artist(fd, "level:events").get_facecolor()


def test_draw_into_given_axes(berg):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert berg.draw(ax=ax) is fig
    assert any(a.get_gid() == "waterline" for a in ax.get_children())


def test_png_is_deterministic_and_presentation_is_larger(berg):
    png = berg.to_png()
    assert png.startswith(b"\x89PNG") and png == berg.to_png() == berg._repr_png_()
    small = berg.draw().get_size_inches()
    with style.theme("presentation"):
        big = berg.draw().get_size_inches()
    assert big[0] > small[0] and big[1] > small[1]


def test_import_stays_light():
    code = ("import sys, csframework, csframework.iceberg, csframework.ladder, "
            "csframework.tension, csframework.circles; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

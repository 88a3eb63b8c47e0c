"""BehaviourOverTimeGraph: recording, series, sketches, classifying, drawing, JSON, errors."""

import json

import numpy as np
import pandas as pd
import pytest

import csframework as csf
from csframework import style
from csframework.botg import KINDS, SCHEMA, SCHEMA_VERSION, BehaviourOverTimeGraph
from csframework.errors import DiagramError, FormatError, SeriesError, UnknownNameError


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


@pytest.fixture
def log():
    g = BehaviourOverTimeGraph("My energy dips mid-week", "energy", units="1-10")
    for day, value in enumerate([7, 6, 4, 3, 5, 7, 8], start=1):
        g.record(day, value, note="poor sleep" if day == 3 else None)
    return g


def test_public_name():
    assert csf.BehaviourOverTimeGraph is BehaviourOverTimeGraph
    assert "BehaviourOverTimeGraph" in dir(csf)


def test_properties(log):
    assert (log.title, log.variable, log.units, log.time_unit) == (
        "My energy dips mid-week", "energy", "1-10", "day")
    assert log.names == ("energy",)
    assert log.kind() == "recorded"
    assert len(log) == 1


def test_text_is_tidied_and_checked():
    g = BehaviourOverTimeGraph("  Trust   grows ", " trust ", time_unit=" week ")
    assert (g.title, g.variable, g.units, g.time_unit) == ("Trust grows", "trust", None, "week")
    with pytest.raises(DiagramError, match="title"):
        BehaviourOverTimeGraph("", "x")
    with pytest.raises(DiagramError, match="variable"):
        BehaviourOverTimeGraph("t", 3)
    with pytest.raises(DiagramError, match="units"):
        BehaviourOverTimeGraph("t", "x", units="  ")
    with pytest.raises(DiagramError, match="time unit"):
        BehaviourOverTimeGraph("t", "x", time_unit="")


def test_record_builds_a_noticing_log(log):
    s = log.series()
    assert s.name == "energy" and s.index.name == "time"
    assert s.index.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert s.tolist() == [7.0, 6.0, 4.0, 3.0, 5.0, 7.0, 8.0]
    assert s.dtype == float
    assert log.notes() == ((3.0, "poor sleep"),)


def test_record_chains_and_accepts_numpy_numbers():
    g = BehaviourOverTimeGraph("t", "x")
    assert g.record(np.int64(1), np.float64(2.5)).record(1.5, 3) is g
    assert g.series().tolist() == [2.5, 3.0]


@pytest.mark.parametrize("value", ["tired", None, True, float("nan"), float("inf"), [1]])
def test_record_rejects_non_numbers(value):
    g = BehaviourOverTimeGraph("t", "x")
    with pytest.raises(SeriesError, match=r"must be a (finite )?number"):
        g.record(1, value)
    with pytest.raises(SeriesError, match="time"):
        g.record(value, 1)
    assert g.names == ()


def test_record_refuses_time_going_backwards(log):
    with pytest.raises(SeriesError, match=r"time 2 in series 'energy'.*not after the last "
                                          r"time, 7; record values in time order"):
        log.record(2, 5)
    with pytest.raises(SeriesError, match="not after"):
        log.record(7, 5)
    assert len(log.series()) == 7
    with pytest.raises(DiagramError, match="note"):
        log.record(8, 5, note="   ")


def test_record_does_not_add_to_a_given_series_of_the_same_name():
    g = BehaviourOverTimeGraph("t", "x").add_series("x", [1, 2])
    with pytest.raises(SeriesError, match="record"):
        g.record(5, 1)


def test_add_series_default_and_given_times():
    g = BehaviourOverTimeGraph("Progress", "progress", units="% done", time_unit="month")
    g.add_series("intended", [0, 20, 40]).add_series("actual", [0, 5], times=[0, 1.5])
    assert g.names == ("intended", "actual")
    assert g.series("intended").index.tolist() == [0.0, 1.0, 2.0]
    assert g.series("actual").to_dict() == {0.0: 0.0, 1.5: 5.0}
    assert g.series().name == "intended"  # no recorded log: the first series
    assert g.kind("actual") == "given"


def test_add_series_from_pandas_keeps_its_index():
    data = pd.Series([1.0, 4.0, 9.0], index=[2.0, 4.0, 6.0])
    g = BehaviourOverTimeGraph("t", "x").add_series("squares", data)
    assert g.series("squares").index.tolist() == [2.0, 4.0, 6.0]


def test_add_series_errors():
    g = BehaviourOverTimeGraph("t", "x").add_series("a", [1, 2])
    with pytest.raises(SeriesError, match="already has a series called 'a'"):
        g.add_series("a", [3])
    with pytest.raises(SeriesError, match="no values"):
        g.add_series("b", [])
    with pytest.raises(SeriesError, match="not text"):
        g.add_series("b", "123")
    with pytest.raises(SeriesError, match="sequence of numbers"):
        g.add_series("b", 5)
    with pytest.raises(SeriesError, match=r"position 1.*must be a number"):
        g.add_series("b", [1, "two"])
    with pytest.raises(SeriesError, match="2 values but 3 times"):
        g.add_series("b", [1, 2], times=[0, 1, 2])
    with pytest.raises(SeriesError, match="times must increase"):
        g.add_series("b", [1, 2, 3], times=[0, 2, 2])
    with pytest.raises(SeriesError, match="times of"):
        g.add_series("b", [1, 2], times="ab")
    with pytest.raises(DiagramError, match="series name"):
        g.add_series("", [1])
    assert g.names == ("a",)


def test_unknown_series_suggests_a_name():
    g = BehaviourOverTimeGraph("Project", "progress").add_series("actual", [1, 2])
    with pytest.raises(UnknownNameError, match=r"unknown series 'actaul' in graph 'Project'; "
                                               r"did you mean 'actual'\?"):
        g.series("actaul")
    with pytest.raises(KeyError):
        g.classify("nothing like it")
    with pytest.raises(UnknownNameError):
        g.remove_series("zzz")


def test_empty_graph_has_no_series():
    g = BehaviourOverTimeGraph("t", "x")
    with pytest.raises(SeriesError, match="no series yet"):
        g.series()


def test_remove_series():
    g = BehaviourOverTimeGraph("t", "x").add_series("a", [1]).add_series("b", [2])
    assert g.remove_series("a") == "a"
    assert g.names == ("b",)


def test_sketch_uses_the_pattern_library():
    g = BehaviourOverTimeGraph("Stress settles", "stress", time_unit="week")
    g.sketch("exponential decay", end=12, low=2, high=9)
    s = g.series("goal seeking")
    expected = csf.behaviour.pattern("goal seeking").sample(41, stop=1.0).to_numpy()
    scaled = 2 + (expected - expected.min()) * 7 / (expected.max() - expected.min())
    assert np.allclose(s.to_numpy(), scaled)
    assert s.index[0] == 0.0 and s.index[-1] == 12.0 and len(s) == 41
    assert g.kind("goal seeking") == "sketch"
    assert g.classify().pattern == "goal seeking"


@pytest.mark.parametrize("name", csf.behaviour.names())
def test_every_sketch_classifies_as_its_pattern(name):
    g = BehaviourOverTimeGraph("t", "x").sketch(name, end=100, n=101)
    assert g.classify().pattern == name


def test_sketch_defaults_follow_the_data(log):
    log.sketch("linear", name="hoped", start=1)
    s = log.series("hoped")
    assert s.index[-1] == 7.0  # the last recorded day
    assert (s.min(), s.max()) == (3.0, 8.0)  # the range of the recorded values
    empty = BehaviourOverTimeGraph("t", "x").sketch("linear", n=3)
    assert empty.series().to_dict() == {0.0: 20.0, 5.0: 50.0, 10.0: 80.0}
    flat = BehaviourOverTimeGraph("t", "x").sketch("equilibrium", low=2, high=4, n=5)
    assert flat.series().tolist() == [3.0] * 5


def test_sketch_errors(log):
    with pytest.raises(UnknownNameError, match="did you mean 'goal seeking'"):
        log.sketch("goal seaking")
    with pytest.raises(SeriesError, match="after its start"):
        log.sketch("linear", start=5, end=5)
    with pytest.raises(SeriesError, match="at least 2 points"):
        log.sketch("linear", n=1)
    with pytest.raises(SeriesError, match="below low"):
        log.sketch("linear", low=5, high=1)
    with pytest.raises(SeriesError, match="already has a series"):
        log.sketch("linear", name="energy")
    with pytest.raises(SeriesError, match="must be a number"):
        log.sketch("linear", end="soon")
    assert log.names == ("energy",)


def test_classify_delegates_and_names_short_series(log):
    result = log.classify()
    assert result == csf.behaviour.classify(log.series())
    g = BehaviourOverTimeGraph("Short", "x").record(1, 2).record(2, 3)
    with pytest.raises(SeriesError, match="cannot classify series 'x' of graph 'Short'"):
        g.classify()


def test_repr_is_short_and_stable(log):
    assert repr(log) == "<BehaviourOverTimeGraph 'My energy dips mid-week': energy, 1 series, " \
                        "7 points>"
    long = BehaviourOverTimeGraph("A very long title that goes on and on about my week", "x")
    assert repr(long) == ("<BehaviourOverTimeGraph 'A very long title that goes on and on a…': "
                          "x, 0 series, 0 points>")


def test_json_round_trip_is_exact(log):
    log.add_series("hoped", [1 / 3, 2 / 3, 0.1 + 0.2], times=[0.1, 0.7, 1e-3 + 5])
    log.sketch("s-shaped growth", name="guess", start=0.5, end=9.25)
    text = log.to_json()
    back = BehaviourOverTimeGraph.from_json(text)
    assert back == log
    assert back.to_json() == text
    assert back.series("hoped").tolist() == [1 / 3, 2 / 3, 0.1 + 0.2]
    assert back.kind("guess") == "sketch" and back.kind() == "recorded"
    assert back.notes() == ((3.0, "poor sleep"),)
    data = json.loads(text)
    assert (data["schema"], data["version"]) == (SCHEMA, SCHEMA_VERSION)
    assert [s["kind"] for s in data["series"]] == ["recorded", "given", "sketch"]
    assert set(KINDS) == {"recorded", "given", "sketch"}
    assert BehaviourOverTimeGraph.from_json(text.encode()) == log


def test_equality():
    a = BehaviourOverTimeGraph("t", "x").record(1, 2)
    b = BehaviourOverTimeGraph("t", "x").record(1, 2)
    assert a == b
    b.record(2, 3)
    assert a != b
    assert a != "t"


@pytest.mark.parametrize("text, message", [
    ("not json", "not valid JSON"),
    ('{"schema": "csframework.tension", "version": 1}', "expected 'csframework.botg'"),
    ('{"schema": "csframework.botg", "version": 99}', "version 99 is not supported"),
    ('{"schema": "csframework.botg", "version": 1}', "missing 'title'"),
    ('{"schema": "csframework.botg", "version": 1, "title": "t", "variable": "x", '
     '"series": [{"name": "a", "kind": "guess", "times": [], "values": []}]}', "kind 'guess'"),
    ('{"schema": "csframework.botg", "version": 1, "title": "t", "variable": "x", '
     '"series": [{"name": "a", "kind": "given", "times": [0], "values": [1, 2]}]}',
     "1 times, 2 values"),
    ('{"schema": "csframework.botg", "version": 1, "title": "t", "variable": "x", '
     '"series": [{"name": "a", "kind": "given", "times": [1, 0], "values": [1, 2]}]}',
     "times must increase"),
    ('{"schema": "csframework.botg", "version": 1, "title": "t", "variable": "x", '
     '"series": [{"name": "a", "kind": "given", "times": [0], "values": ["x"]}]}',
     "must be a number"),
])
def test_from_json_errors(text, message):
    with pytest.raises(FormatError, match=message):
        BehaviourOverTimeGraph.from_json(text)


def test_draw_follows_the_conventions(log):
    log.sketch("goal seeking", name="expected", start=1)
    fig = log.draw()
    ax = fig.axes[0]
    assert ax.get_ylabel() == "energy (1-10)"
    assert ax.get_xlabel() == "Time (days)"
    assert ax.get_title(loc="left") == "My energy dips mid-week"
    assert {"series:energy", "series:expected", "note:energy:3"} <= gids(fig)
    lines = {line.get_gid(): line for line in ax.lines}
    assert lines["series:expected"].get_sketch_params() is not None
    assert lines["series:energy"].get_sketch_params() is None
    assert lines["series:energy"].get_marker() == "o"
    assert ax.get_legend() is not None
    assert type(fig.canvas).__name__ == "FigureCanvasAgg"


def test_draw_labels_without_units_and_time_words():
    g = BehaviourOverTimeGraph("t", "trust", time_unit="weeks").record(0, 1)
    ax = g.draw().axes[0]
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("trust", "Time (weeks)")
    assert ax.get_legend() is None
    assert BehaviourOverTimeGraph("t", "x", time_unit="time").draw().axes[0].get_xlabel() == "Time"


def test_draw_empty_graph_invites_recording():
    fig = BehaviourOverTimeGraph("t", "x").draw()
    assert "empty" in gids(fig)


def test_draw_on_given_axes(log):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert log.draw(ax=ax) is fig
    assert ax.get_ylabel() == "energy (1-10)"


def test_png_is_deterministic_and_follows_the_theme(log):
    log.sketch("damped oscillation", name="guess")
    first = log._repr_png_()
    assert first[:4] == b"\x89PNG"
    assert log.to_png() == first
    with style.theme("presentation"):
        big = log.to_png()
    assert big != first and len(big) > len(first)


def test_long_notes_are_shortened_in_the_picture():
    g = BehaviourOverTimeGraph("t", "x").record(1, 1, note="a" * 60)
    texts = [a.get_text() for a in g.draw().axes[0].texts]
    assert texts == ["a" * 39 + "…"]
    assert g.notes() == ((1.0, "a" * 60),)

"""CreativeTension: the chart, the gap, the eroding-goals simulation and the drawing."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework import style
from csframework.errors import DiagramError, FormatError, UnknownNameError
from csframework.sd import Results
from csframework.tension import SCENARIOS, CreativeTension, TensionRuns, eroding_goals_model


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


@pytest.fixture
def chart():
    return CreativeTension("Every student feels known by an adult",
                           "Half say no adult knows them well",
                           ["Advisory groups of eight"], vision_level=100, current_level=50)


def test_vision_reality_actions(chart):
    assert chart.vision == "Every student feels known by an adult"
    assert chart.actions == ("Advisory groups of eight",)
    assert chart.add_action("Greet at the door") == "Greet at the door"
    chart.add_action("Greet  at the door")
    assert chart.actions == ("Advisory groups of eight", "Greet at the door")
    assert chart.remove_action("Advisory groups of eight") == "Advisory groups of eight"
    with pytest.raises(UnknownNameError, match=r"unknown action 'Greet at the dor'.*did you mean"):
        chart.remove_action("Greet at the dor")


def test_gap_only_with_both_numbers(chart):
    assert chart.gap == 50.0
    assert CreativeTension("v", "r", vision_level=10).gap is None
    chart.current_level = 80
    assert chart.gap == 20.0


@pytest.mark.parametrize("kwargs, message", [
    ({"vision": " "}, "empty vision"),
    ({"current_reality": ""}, "empty current reality"),
    ({"vision_level": "high"}, "vision_level must be a finite number"),
    ({"current_level": float("inf")}, "current_level must be a finite number"),
    ({"actions": ["ok", ""]}, "empty action"),
])
def test_bad_values(kwargs, message):
    args = {"vision": "v", "current_reality": "r"} | kwargs
    with pytest.raises(DiagramError, match=message):
        CreativeTension(**args)


def test_repr(chart):
    assert repr(chart) == "<CreativeTension 'Every student feels known by…': 1 action, gap 50>"
    assert repr(CreativeTension("Calm", "Rushed")) == "<CreativeTension 'Calm': 0 actions>"


# -- simulation -----------------------------------------------------------------------------

def test_model_has_the_eroding_goals_structure():
    model = eroding_goals_model()
    assert set(model.stocks) == {"vision", "reality"}
    cld = model.to_cld()
    kinds = sorted(loop.kind for loop in cld.loops())
    assert kinds == ["balancing", "balancing"]


def test_simulate_contrasts_holding_and_eroding(chart):
    runs = chart.simulate()
    assert isinstance(runs, TensionRuns) and isinstance(runs.results, Results)
    assert runs.scenarios == SCENARIOS and runs.results.members == 2
    held, eroded = runs.run("vision held"), runs.run("vision eroding")
    # held: the vision stays, reality rises to it and the gap closes
    assert held["vision"].iloc[-1] == pytest.approx(100)
    assert held["reality"].iloc[-1] == pytest.approx(100, abs=0.5)
    assert held["gap"].iloc[-1] == pytest.approx(0, abs=0.5)
    # eroding: the vision drifts down towards reality, and reality ends lower
    assert eroded["vision"].iloc[-1] < 80
    assert eroded["reality"].iloc[-1] < held["reality"].iloc[-1] - 15
    assert eroded["vision"].is_monotonic_decreasing
    assert runs.final("reality", "vision held") > runs.final("reality", "vision eroding")
    assert list(runs.frame.columns)[:2] == ["vision (vision held)", "reality (vision held)"]
    assert repr(runs).startswith("<TensionRuns vision held: reality ends at 100")


def test_simulate_one_scenario_and_parameters():
    ct = CreativeTension("v", "r")
    held = ct.simulate(hold_vision=True)
    assert held.scenarios == ("vision held",) and not held.results.is_ensemble
    assert held.run("vision held")["reality"].iloc[0] == 40.0  # default start
    eroding = ct.simulate(hold_vision=False, stop=10, erosion_time=2)
    assert eroding.results.time[-1] == 10
    slow = ct.simulate(hold_vision=False, erosion_time=50)
    assert slow.final("reality", "vision eroding") > eroding.final("reality", "vision eroding")
    with pytest.raises(UnknownNameError, match=r"unknown scenario 'vision held'.*'vision eroding'"):
        eroding.run("vision held")
    with pytest.raises(UnknownNameError, match=r"unknown variable 'energy'"):
        eroding.final("energy", "vision eroding")


def test_simulate_rejects_non_bool():
    with pytest.raises(DiagramError, match=r"hold_vision must be True, False or None.*'yes'"):
        CreativeTension("v", "r").simulate(hold_vision="yes")


def test_runs_plot(chart):
    runs = chart.simulate()
    fig = runs.plot()
    ax = fig.axes[0]
    assert {line.get_gid() for line in ax.lines} == {
        "vision:vision held", "reality:vision held", "vision:vision eroding",
        "reality:vision eroding"}
    assert "Holding the vision" in ax.get_title(loc="left")
    assert ax.get_xlabel() == "Time (weeks)"
    assert runs.to_png() == runs.to_png()


# -- JSON, Markdown, drawing ----------------------------------------------------------------

def test_json_round_trip(chart):
    text = chart.to_json()
    assert json.loads(text)["schema"] == "csframework.tension"
    assert CreativeTension.from_json(text) == chart


text_st = st.text(min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
level_st = st.none() | st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(vision=text_st, reality=text_st, actions=st.lists(text_st, max_size=5),
       v=level_st, c=level_st)
def test_json_round_trip_property(vision, reality, actions, v, c):
    ct = CreativeTension(vision, reality, actions, vision_level=v, current_level=c)
    back = CreativeTension.from_json(ct.to_json())
    assert back == ct and back.actions == ct.actions


def test_bad_json():
    with pytest.raises(FormatError, match=r"invalid creative-tension JSON"):
        CreativeTension.from_json('{"schema": "csframework.tension", "version": 1}')
    with pytest.raises(FormatError, match=r"expected 'csframework.tension'"):
        CreativeTension.from_json('{"schema": "x", "version": 1}')


def test_markdown_table(chart):
    md = chart.to_markdown()
    assert "| Vision | Current reality | Actions |" in md
    assert "| Every student feels known by an adult | Half say no adult" in md
    assert "Gap: 100 - 50 = 50" in md


def test_drawing_structure(chart):
    fig = chart.draw()
    found = gids(fig)
    assert {"vision", "reality", "band", "peg:vision", "peg:reality", "pull-up", "erosion",
            "actions-heading", "action:Advisory groups of eight", "gap", "title"} <= found
    assert artist(fig, "vision-text").get_text().startswith("Every student")
    # vision above reality; the pull points up, the erosion down
    vision_y = artist(fig, "vision").get_y()
    reality_y = artist(fig, "reality").get_y()
    assert vision_y > reality_y
    start, end = artist(fig, "pull-up")._posA_posB
    assert end[1] > start[1]
    start, end = artist(fig, "erosion")._posA_posB
    assert end[1] < start[1]
    assert "eroding goals" in artist(fig, "erosion-detail").get_text()
    assert "gap" not in gids(CreativeTension("v", "r").draw())


def test_png_deterministic_and_theme(chart):
    assert chart.to_png() == chart.to_png() == chart._repr_png_()
    small = chart.draw().get_size_inches()
    with style.theme("presentation"):
        assert chart.draw().get_size_inches()[0] > small[0]

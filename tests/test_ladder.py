"""LadderOfInference: rungs, items, prompts, the reflexive loop, JSON and the drawing."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework import style
from csframework.cld import CausalLoopDiagram
from csframework.errors import DiagramError, FormatError, UnknownNameError
from csframework.ladder import RUNGS, LadderItem, LadderOfInference


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


@pytest.fixture
def ladder():
    lad = LadderOfInference("Staff meeting")
    lad.add("observable data", "Sam looked at the clock twice while I spoke")
    lad.add("selected data", "Sam looked at the clock")
    lad.add("added meaning", "Sam is bored")
    lad.add("conclusions", "Sam is not interested in my proposal")
    lad.add("beliefs", "Sam does not value my work")
    lad.add("actions", "I stopped sharing ideas with Sam")
    return lad


def test_seven_rungs_bottom_to_top():
    lad = LadderOfInference()
    assert [r.name for r in lad.rungs] == ["observable data", "selected data", "added meaning",
                                           "assumptions", "conclusions", "beliefs", "actions"]
    assert [r.step for r in lad.rungs] == list(range(7))
    assert all(r.question.endswith("?") for r in lad.rungs)
    assert lad.rung("meaning").title == "Added meaning"


@pytest.mark.parametrize("alias, rung", [
    ("data", "observable data"), ("Observations", "observable data"),
    ("selected", "selected data"), ("meaning", "added meaning"),
    ("interpretation", "added meaning"), ("assumption", "assumptions"),
    ("conclusion", "conclusions"), ("Belief", "beliefs"), ("action", "actions"),
    ("ADDED_MEANING", "added meaning"),
])
def test_rung_aliases(alias, rung):
    lad = LadderOfInference()
    assert lad.add(alias, "x") == LadderItem(rung, "x")


def test_unknown_rung_suggests_or_lists():
    lad = LadderOfInference("Email")
    with pytest.raises(UnknownNameError,
                       match=r"unknown rung 'belefs' in ladder 'Email'; did you mean 'beliefs'"):
        lad.add("belefs", "x")
    with pytest.raises(UnknownNameError, match=r"known rungs are 'actions', 'added meaning'"):
        lad.items("feelings")


def test_items_and_duplicates_and_remove(ladder):
    assert [i.rung for i in ladder.items()][:2] == ["observable data", "selected data"]
    ladder.add("beliefs", "Sam   does not value my work")
    assert len(ladder.items("beliefs")) == 1
    assert ladder.remove("beliefs", "Sam does not value my work").rung == "beliefs"
    with pytest.raises(UnknownNameError, match=r"unknown item 'nothing' in rung 'beliefs'"):
        ladder.remove("beliefs", "nothing")
    with pytest.raises(DiagramError, match=r"empty item for rung 'actions'"):
        ladder.add("actions", " ")


def test_repr(ladder):
    assert repr(ladder) == "<LadderOfInference 'Staff meeting': 6 items on 6 of 7 rungs>"
    assert repr(LadderOfInference()) == "<LadderOfInference: 0 items on 0 of 7 rungs>"


def test_walk_down_goes_from_actions_to_data_and_quotes_items(ladder):
    steps = LadderOfInference().walk_down()
    assert len(steps) == 7
    assert "what did I leave out" in steps[5]
    assert "meaning" in steps[4].lower()
    assert steps[0].startswith("What did I do")
    mine = ladder.walk_down()
    assert mine[0].startswith('You wrote: "I stopped sharing ideas with Sam".')
    assert mine[3] == steps[3]  # nothing written on assumptions


def test_inquiry_and_advocacy_prompts():
    inquiry = LadderOfInference.inquiry_prompts()
    advocacy = LadderOfInference().advocacy_prompts()
    assert len(inquiry) >= 4 and all(q.endswith("?") for q in inquiry)
    assert len(advocacy) >= 4 and inquiry != advocacy


def test_reflexive_loop_is_one_reinforcing_loop(ladder):
    cld = ladder.reflexive_loop()
    assert isinstance(cld, CausalLoopDiagram)
    loops = cld.loops()
    assert [(lp.name, lp.kind) for lp in loops] == [("R1", "reinforcing")]
    loop = loops[0]
    assert loop.story == "reflexive loop"
    assert set(loop.variables) == {"selected data", "added meaning", "assumptions",
                                   "conclusions", "beliefs"}
    assert cld.get_link("beliefs", "selected data").sign == "+"
    assert [v.name for v in cld.variables] == list(RUNGS)
    assert cld.variable("beliefs").note == "Sam does not value my work"
    assert cld.title == "Reflexive loop: Staff meeting"


def test_json_round_trip(ladder):
    text = ladder.to_json()
    assert json.loads(text)["schema"] == "csframework.ladder"
    assert LadderOfInference.from_json(text) == ladder


text_st = st.text(min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=50, deadline=None)
@given(title=st.none() | text_st, items=st.lists(st.tuples(st.sampled_from(RUNGS), text_st),
                                                  max_size=10))
def test_json_round_trip_property(title, items):
    lad = LadderOfInference(title)
    for rung, text in items:
        lad.add(rung, text)
    back = LadderOfInference.from_json(lad.to_json())
    assert back == lad and back.items() == lad.items()


@pytest.mark.parametrize("text, message", [
    ("{", "ladder JSON is not valid JSON"),
    ('{"schema": "csframework.ladder", "version": 3}', "version 3 is not supported"),
    ('{"schema": "csframework.ladder", "version": 1, "items": [{"rung": "roof", "text": "x"}]}',
     "unknown rung 'roof'"),
    ('{"schema": "csframework.ladder", "version": 1, "items": [{"rung": "beliefs"}]}',
     r"items\[0\] needs 'rung' and 'text'"),
])
def test_bad_json(text, message):
    with pytest.raises(FormatError, match=message):
        LadderOfInference.from_json(text)


def test_markdown_from_top_down(ladder):
    md = ladder.to_markdown()
    assert md.startswith("## Ladder of inference: Staff meeting")
    assert md.index("### Actions") < md.index("### Beliefs") < md.index("### Observable data")
    assert "- Sam is bored" in md and "- (nothing yet)" in md


def test_drawing_structure(ladder):
    fig = ladder.draw()
    found = gids(fig)
    for rung in RUNGS:
        assert {f"rung:{rung}", f"rung-label:{rung}", f"question:{rung}"} <= found
    assert {"rail:left", "rail:right", "reflexive-loop", "reflexive-label",
            "reflexive-marker", "title"} <= found
    assert "item:beliefs:Sam does not value my work" in found
    assert artist(fig, "rung-label:added meaning").get_text() == "Added meaning"
    assert artist(fig, "reflexive-marker").get_text() == "R"
    heights = [artist(fig, f"rung:{r}").get_ydata()[0] for r in RUNGS]
    assert heights == sorted(heights)  # bottom to top


def test_reflexive_arrow_runs_from_beliefs_down_to_selected_data(ladder):
    fig = ladder.draw()
    start, end = artist(fig, "reflexive-loop")._posA_posB
    beliefs_y = artist(fig, "rung:beliefs").get_ydata()[0]
    selected_y = artist(fig, "rung:selected data").get_ydata()[0]
    assert start[1] == pytest.approx(beliefs_y) and end[1] == pytest.approx(selected_y)
    rail_x = artist(fig, "rail:left").get_xdata()[0]
    assert start[0] < rail_x  # swings out to the left of the ladder


def test_png_deterministic_and_theme(ladder):
    assert ladder.to_png() == ladder.to_png() == ladder._repr_png_()
    small = ladder.draw().get_size_inches()
    with style.theme("presentation"):
        assert ladder.draw().get_size_inches()[0] > small[0]

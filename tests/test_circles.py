"""ConnectionCircle: elements, connections, loops, JSON and the drawing."""

import itertools
import json
import math
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework import style
from csframework.circles import ConnectionCircle
from csframework.cld import CausalLoopDiagram
from csframework.errors import DiagramError, FormatError, UnknownNameError


def gids(fig):
    return {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


@pytest.fixture
def circle():
    c = ConnectionCircle("Energy", ["sleep", "energy", "exercise", "workload", "stress"])
    c.connect("sleep", "energy", "+")
    c.connect("energy", "exercise", "+")
    c.connect("exercise", "sleep", "+")
    c.connect("workload", "stress", "+")
    c.connect("stress", "sleep", "-", delay=True)
    c.connect("energy", "workload", "+")
    return c


def test_elements_and_sizes():
    c = ConnectionCircle("x", ["a", "b"])
    assert c.elements == ("a", "b") and not c.is_recommended_size
    for name in "cde":
        c.add_element(name)
    assert c.is_recommended_size and len(c) == 5
    assert ConnectionCircle("empty").elements == ()


@pytest.mark.parametrize("count", [1, 13, 20])
def test_size_outside_2_to_12_is_an_error(count):
    with pytest.raises(DiagramError, match=f"would have {count} element.*holds 2 to 12 elements"):
        ConnectionCircle("x", [f"e{i}" for i in range(count)])


def test_thirteenth_element_is_an_error():
    c = ConnectionCircle("x", [f"e{i}" for i in range(12)])
    assert not c.is_recommended_size
    with pytest.raises(DiagramError,
                       match=r"would have 13 elements; a connection circle holds 2 to 12"):
        c.add_element("one more")


def test_duplicate_and_empty_elements():
    with pytest.raises(DiagramError, match=r"'a' is already on connection circle 'x'"):
        ConnectionCircle("x", ["a", "b", " a "])
    with pytest.raises(DiagramError, match=r"empty element name"):
        ConnectionCircle("x", ["a", ""])


def test_connect_and_unknown_element(circle):
    link = circle.connect("stress", "workload", "o")
    assert link.sign == "-" and not link.delay
    with pytest.raises(UnknownNameError, match=r"unknown element 'stres' in connection "
                                               r"circle 'Energy'; did you mean 'stress'"):
        circle.connect("stres", "sleep")
    with pytest.raises(UnknownNameError, match=r"known elements are"):
        circle.connect("sleep", "money")
    with pytest.raises(DiagramError, match=r"to itself"):
        circle.connect("sleep", "sleep", "+")
    with pytest.raises(DiagramError, match=r"unknown polarity"):
        circle.connect("sleep", "stress", "maybe")


def test_disconnect(circle):
    assert circle.disconnect("energy", "workload").sign == "+"
    with pytest.raises(UnknownNameError, match=r"unknown link"):
        circle.disconnect("energy", "workload")


def test_loops_and_to_cld(circle):
    loops = circle.loops()
    assert [(lp.name, lp.kind) for lp in loops] == [("R1", "reinforcing"), ("B1", "balancing")]
    cld = circle.to_cld()
    assert isinstance(cld, CausalLoopDiagram) and cld.title == "Energy"
    assert [v.name for v in cld.variables] == list(circle.elements)
    assert cld.loops() == loops
    cld.link("sleep", "stress", "-")  # an independent copy
    assert len(circle.links) == 6


def test_repr(circle):
    assert repr(circle) == "<ConnectionCircle 'Energy': 5 elements, 6 connections>"


def test_json_round_trip(circle):
    text = circle.to_json()
    data = json.loads(text)
    assert data["schema"] == "csframework.circle" and data["links"][4]["delay"] is True
    back = ConnectionCircle.from_json(text)
    assert back == circle and back.to_json() == text


# names as stored: no control, surrogate or invisible format characters (refused or
# removed by the diagram), composed accents (NFC), single spaces
names_st = st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf")), min_size=1,
                            max_size=12)
                    .map(lambda s: " ".join(unicodedata.normalize("NFC", s).split()))
                    .filter(bool), min_size=2, max_size=12, unique=True)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_json_round_trip_property(data):
    names = data.draw(names_st)
    circle = ConnectionCircle("story", names)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names),
                                         st.sampled_from("+-"), st.booleans()),
                               max_size=15, unique_by=lambda t: (t[0], t[1])))
    for cause, effect, sign, delay in pairs:
        if cause != effect:
            circle.connect(cause, effect, sign, delay=delay)
    back = ConnectionCircle.from_json(circle.to_json())
    assert back == circle and back.loops() == circle.loops()


@pytest.mark.parametrize("text, message", [
    ("nope", "not valid JSON"),
    ('{"schema": "csframework.circle", "version": 1, "title": "x", "elements": ["a"]}',
     "holds 2 to 12"),
    ('{"schema": "csframework.circle", "version": 1, "title": "x", "elements": ["a", "b"], '
     '"links": [{"cause": "a", "effect": "c"}]}', "unknown element 'c'"),
    ('{"schema": "csframework.circle", "version": 1, "title": "x", "elements": ["a", "b"], '
     '"links": [{"cause": "a"}]}', r"links\[0\] needs 'cause' and 'effect'"),
])
def test_bad_json(text, message):
    with pytest.raises(FormatError, match=message):
        ConnectionCircle.from_json(text)


# -- drawing --------------------------------------------------------------------------------

def test_drawing_structure(circle):
    fig = circle.draw()
    found = gids(fig)
    assert {f"element:{n}" for n in circle.elements} <= found
    assert {f"chord:{lk.cause}->{lk.effect}" for lk in circle.links} <= found
    assert {f"sign:{lk.cause}->{lk.effect}" for lk in circle.links} <= found
    assert "delay:stress->sleep" in found and "delay:sleep->energy" not in found
    assert artist(fig, "sign:stress->sleep").get_text() == "\u2212"
    assert artist(fig, "sign:sleep->energy").get_text() == "+"
    assert "loop-list" not in found


def test_elements_evenly_around_the_circle(circle):
    fig = circle.draw()
    ring = artist(fig, "circle")
    cx, cy = ring.center
    angles = []
    for name in circle.elements:
        x, y = artist(fig, f"dot:{name}").center
        assert math.hypot(x - cx, y - cy) == pytest.approx(ring.radius)
        angles.append(math.atan2(y - cy, x - cx))
    assert angles[0] == pytest.approx(math.pi / 2)  # first element at the top
    steps = [(a - b) % (2 * math.pi) for a, b in itertools.pairwise(angles)]
    assert steps == pytest.approx([2 * math.pi / 5] * 4)  # clockwise, evenly spaced


def test_chords_stay_inside_the_circle(circle):
    fig = circle.draw()
    ring = artist(fig, "circle")
    cx, cy = ring.center
    for link in circle.links:
        path = artist(fig, f"chord:{link.cause}->{link.effect}")._path_original
        assert len(path.vertices) == 3
        for x, y in path.vertices:
            assert math.hypot(x - cx, y - cy) < ring.radius


def test_highlight_and_loop_list(circle):
    fig = circle.draw(highlight="B1", show_loops=True)
    found = gids(fig)
    assert {"loop-list", "loop:R1", "loop:B1"} <= found
    on = artist(fig, "chord:energy->workload")
    off = artist(fig, "chord:energy->exercise")
    assert on.get_linewidth() > off.get_linewidth()
    with pytest.raises(UnknownNameError, match=r"unknown loop 'R9'"):
        circle.draw(highlight="R9")


def test_too_few_elements_to_draw():
    with pytest.raises(DiagramError, match=r"has 0 elements; add at least 2"):
        ConnectionCircle("x").draw()
    assert ConnectionCircle("x")._repr_png_() is None


def test_png_deterministic_and_theme(circle):
    assert circle.to_png() == circle.to_png() == circle._repr_png_()
    small = circle.draw().get_size_inches()
    with style.theme("presentation"):
        assert circle.draw().get_size_inches()[0] > small[0]

"""Hostile and odd input to causal loop diagrams: clear csframework errors, same-looking names."""

import json

import pytest

import csframework as csf
from csframework.cld import CausalLoopDiagram
from csframework.errors import CSFrameworkError, DiagramError, FormatError, NotationError

# -- same-looking text is the same variable (#12 item 14) ---------------------------------


@pytest.mark.parametrize("spelling", [
    "\ufefftrust", "trust\u200b", "tr\u200dust", "trust\u2060", "\u00a0trust  ", "tru\u00adst",
])
def test_invisible_characters_do_not_make_a_new_variable(spelling):
    cld = CausalLoopDiagram.from_text(f"trust -> sharing : +\n{spelling} -> care : +")
    assert [v.name for v in cld.variables] == ["trust", "sharing", "care"]
    cld.link(spelling, "sharing", "+")  # the same link again: nothing new
    assert len(cld.links) == 2
    assert cld.variable(spelling).name == "trust" and spelling in cld


def test_composed_and_decomposed_accents_are_one_variable():
    decomposed, composed = "cafe\u0301 culture", "caf\u00e9 culture"
    cld = CausalLoopDiagram()
    cld.add_variable(decomposed)
    cld.link(composed, "talk", "+")
    assert [v.name for v in cld.variables] == [composed, "talk"]
    data = json.dumps({"schema": "csframework.cld", "version": 1,
                       "variables": [{"name": decomposed}, {"name": composed}]})
    assert [v.name for v in CausalLoopDiagram.from_json(data).variables] == [composed]


def test_a_bom_at_the_start_of_pasted_text_is_ignored():
    cld = CausalLoopDiagram.from_text("\ufeffa -> b : +\nb -> a : -")
    assert [v.name for v in cld.variables] == ["a", "b"]


@pytest.mark.parametrize("name, shown", [
    ("a\ud800b", "lone surrogate"),
    ("a\x07b", r"control character U\+0007"),
    ("abc\u202e", r"U\+202E \(RIGHT-TO-LEFT OVERRIDE\)"),
])
def test_broken_or_deceptive_characters_are_refused_with_a_message(name, shown):
    cld = CausalLoopDiagram()
    with pytest.raises(DiagramError, match=shown):
        cld.add_variable(name)
    with pytest.raises(DiagramError, match=shown):
        cld.link(name, "b")
    with pytest.raises(NotationError, match=f"line 2: .*{shown}"):
        CausalLoopDiagram.from_text(f"x -> y : +\n{name} -> y : +")
    assert len(cld) == 0


def test_surrogates_are_refused_in_notes_stories_and_titles():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    with pytest.raises(DiagramError, match="story name of loop R1 contains a lone surrogate"):
        cld.name_loop("R1", "spiral \udc80")
    with pytest.raises(DiagramError, match="note"):
        cld.add_variable("a", note="\ud83d")
    with pytest.raises(DiagramError, match="title"):
        CausalLoopDiagram("T\udfff")
    assert cld.to_json()  # still saveable


# -- '#' in names: quoted names ------------------------------------------------------------


def test_a_hash_inside_a_name_needs_quotes_and_round_trips():
    cld = CausalLoopDiagram.from_text('"# of pupils" -> "noise: level" : + delay  # a comment')
    assert [v.name for v in cld.variables] == ["# of pupils", "noise: level"]
    assert cld.links[0].delay
    text = cld.to_text()
    assert text == '"# of pupils" -> "noise: level" : + delay'
    assert CausalLoopDiagram.from_text(text) == cld


def test_names_with_quotes_backslashes_and_arrows_round_trip_through_text():
    cld = CausalLoopDiagram()
    for name in ['say "yes"', "back\\slash", "a -> b", "x → y", "plain"]:
        cld.link(name, "effect", "-")
    cld.add_variable("lonely # one")
    again = CausalLoopDiagram.from_text(cld.to_text())
    assert set(again.variables) == set(cld.variables) and again.links == cld.links


def test_an_unquoted_hash_in_a_name_is_not_silently_cut():
    # before: the line silently became the variable "number of students" with no link
    with pytest.raises(NotationError, match="'#' starts a comment, so this line reads as the "
                                            "variable 'number of students' alone"):
        CausalLoopDiagram.from_text("number of students #1 -> noise : +")
    with pytest.raises(NotationError, match=r"missing ': polarity'.*'#' starts a comment"):
        CausalLoopDiagram.from_text("noise -> number #1 : +")
    # a whole commented-out link stays a comment
    assert len(CausalLoopDiagram.from_text("# a -> b : +\nc -> d : -").links) == 1


@pytest.mark.parametrize("line, problem", [
    ('"open -> b : +', "not closed"),
    ('x "a" -> b : +', "must be the whole name"),
    ('a -> b : "+"', "only names may be quoted"),
])
def test_quote_mistakes_name_the_line(line, problem):
    with pytest.raises(NotationError, match=problem):
        CausalLoopDiagram.from_text(line)


# -- from_text(None) and other non-strings ---------------------------------------------------


@pytest.mark.parametrize("value, hint", [
    (None, "got NoneType None"), (42, "got int 42"), (b"a -> b : +", "decode bytes first"),
    (["a -> b : +"], "got list"),
])
def test_from_text_refuses_what_is_not_text(value, hint):
    with pytest.raises(DiagramError, match=hint):
        CausalLoopDiagram.from_text(value)


# -- delay must be a real yes/no ---------------------------------------------------------------


@pytest.mark.parametrize("delay", ["false", "False", "no", "0", "", 1, 0, None, 2.0])
def test_link_delay_must_be_a_boolean(delay):
    cld = CausalLoopDiagram()
    with pytest.raises(DiagramError, match=r"delay on the link 'a' -> 'b' must be True or False"):
        cld.link("a", "b", "+", delay=delay)
    assert len(cld.links) == 0


def test_numpy_booleans_are_booleans():
    np = pytest.importorskip("numpy")
    cld = CausalLoopDiagram()
    assert cld.link("a", "b", "+", delay=np.bool_(True)).delay is True


# -- positions ---------------------------------------------------------------------------------


def test_place_stores_floats_and_positions_is_read_only():
    cld = CausalLoopDiagram.from_text("trust -> sharing : +")
    assert cld.positions == {}
    assert cld.place("trust", 1, -2.5) == (1.0, -2.5)
    assert isinstance(cld.positions["trust"][0], float)
    with pytest.raises(TypeError):
        cld.positions["sharing"] = (0.0, 0.0)  # type: ignore[index]
    cld.place("trust\u200b", 3, 4)  # the same variable
    assert dict(cld.positions) == {"trust": (3.0, 4.0)}
    cld.unplace("trust")
    assert cld.positions == {}


@pytest.mark.parametrize("x, y, problem", [
    ("1", 0, "x for the position of 'trust' must be a number, got '1'"),
    (0, float("nan"), "y .* must be a finite number"),
    (float("inf"), 0, "x .* must be a finite number"),
    (True, 0, "x .* must be a number, got True"),
    (None, 0, "must be a number, got None"),
])
def test_place_refuses_what_is_not_a_coordinate(x, y, problem):
    cld = CausalLoopDiagram.from_text("trust -> sharing : +")
    with pytest.raises(DiagramError, match=problem):
        cld.place("trust", x, y)
    assert cld.positions == {}


def test_place_an_unknown_name_suggests_the_close_one():
    cld = CausalLoopDiagram.from_text("trust -> sharing : +")
    with pytest.raises(KeyError, match="did you mean 'trust'"):
        cld.place("trsut", 0, 0)


def test_positions_are_copied_compared_and_dropped_with_their_variable():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +")
    cld.place("a", 0, 0)
    cld.place("b", 1, 0)
    copy = cld.copy()
    assert copy == cld and copy.positions == cld.positions
    copy.place("a", 5, 5)
    assert cld.positions["a"] == (0.0, 0.0) and copy != cld
    cld.remove_variable("b")
    assert dict(cld.positions) == {"a": (0.0, 0.0)}


# -- curriculum.session with odd ids (#12 item 13) ---------------------------------------------


_ODD_SESSIONS = ["²", "¹⁰", "٣", "7.0", "1e1", "\ud800", "x" * 5000, 10**400, 10**5000, -1, 15,
                 None, 7.0, True, [7]]


@pytest.mark.parametrize("value", _ODD_SESSIONS, ids=[str(i) for i in range(len(_ODD_SESSIONS))])
def test_odd_session_ids_give_a_clear_unknown_session_error(value):
    with pytest.raises(csf.curriculum.UnknownSessionError) as info:
        csf.curriculum.session(value)
    message = str(info.value)
    assert "valid sessions are the numbers 0 (start here) and 1 to 14" in message
    assert len(message) < 300
    assert isinstance(info.value, CSFrameworkError) and isinstance(info.value, KeyError)


@pytest.mark.parametrize("value, number", [("07", 7), (" 7 ", 7), ("session 12", 12), (0, 0),
                                           ("start here", 0)])
def test_ordinary_session_ids_still_work(value, number):
    assert csf.curriculum.session(value).number == number


def test_format_error_is_imported():  # keeps the import list honest for later sections
    assert issubclass(FormatError, CSFrameworkError)

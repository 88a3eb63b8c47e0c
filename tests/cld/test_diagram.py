"""CausalLoopDiagram: building, reading and the text notation."""

import pytest

from csframework.cld import CausalLoopDiagram, Link, Polarity, Variable
from csframework.errors import DiagramError, NotationError, UnknownNameError


def test_link_adds_missing_variables_in_order():
    cld = CausalLoopDiagram("Class")
    cld.link("trust", "participation", "+")
    cld.link("participation", "learning", "+")
    assert [v.name for v in cld.variables] == ["trust", "participation", "learning"]
    assert cld.links == (
        Link("trust", "participation", Polarity.POSITIVE),
        Link("participation", "learning", Polarity.POSITIVE),
    )


def test_add_variable_keeps_facet_and_note_and_updates():
    cld = CausalLoopDiagram()
    cld.add_variable("energy", facet="self", note="how I feel")
    cld.link("energy", "patience", "+")
    assert cld.variable("energy") == Variable("energy", "self", "how I feel")
    cld.add_variable("energy", note="after lunch")
    assert cld.variable("energy") == Variable("energy", "self", "after lunch")


def test_names_are_whitespace_normalised():
    cld = CausalLoopDiagram()
    cld.link("  staff   morale ", "retention", "+")
    assert cld.variables[0].name == "staff morale"


@pytest.mark.parametrize("word, expected", [
    ("+", "+"), ("-", "-"), ("\u2212", "-"), ("s", "+"), ("o", "-"), ("same", "+"),
    ("opposite", "-"), ("SAME", "+"), (Polarity.NEGATIVE, "-"),
])
def test_polarity_spellings(word, expected):
    cld = CausalLoopDiagram()
    assert cld.link("a", "b", word).sign == expected


def test_unknown_polarity_names_value_and_link():
    expected = r"unknown polarity 'up' on the link 'a' -> 'b'.*'\+' or '-'"
    with pytest.raises(DiagramError, match=expected):
        CausalLoopDiagram().link("a", "b", "up")


def test_empty_name_is_refused():
    with pytest.raises(DiagramError, match="empty variable name"):
        CausalLoopDiagram().link("  ", "b", "+")
    with pytest.raises(DiagramError, match="empty variable name"):
        CausalLoopDiagram().add_variable("")


def test_self_link_suggests_intermediate_variable():
    with pytest.raises(DiagramError, match=r"to itself.*'change in stress'"):
        CausalLoopDiagram().link("stress", "stress", "+")


def test_conflicting_polarity_is_refused_but_same_link_is_idempotent():
    cld = CausalLoopDiagram()
    first = cld.link("a", "b", "+")
    assert cld.link("a", "b", "same") is first
    assert len(cld.links) == 1
    with pytest.raises(DiagramError, match=r"with polarity '\+'.*cannot also be '-'"):
        cld.link("a", "b", "-")
    with pytest.raises(DiagramError, match="already exists with no delay"):
        cld.link("a", "b", "+", delay=True)


def test_unknown_facet_suggests():
    with pytest.raises(UnknownNameError, match=r"unknown facet 'slef'.*did you mean 'self'"):
        CausalLoopDiagram().add_variable("x", facet="slef")


def test_unknown_variable_lookup_suggests_close_name():
    cld = CausalLoopDiagram.from_text("trust -> participation : +")
    with pytest.raises(UnknownNameError, match=r"unknown variable 'Trust'.*did you mean 'trust'"):
        cld.variable("Trust")
    with pytest.raises(KeyError):
        cld.variable("nothing like it")


def test_remove_link_and_variable():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : -\nc -> a : +")
    cld.remove_link("b", "c")
    assert [link.to_text() for link in cld.links] == ["a -> b : +", "c -> a : +"]
    cld.remove_variable("a")
    assert [v.name for v in cld.variables] == ["b", "c"]
    assert cld.links == ()
    with pytest.raises(UnknownNameError, match="unknown link 'b -> c'"):
        cld.remove_link("b", "c")


def test_causes_and_effects():
    cld = CausalLoopDiagram.from_text("a -> b : +\nc -> b : -\nb -> d : +")
    assert cld.causes_of("b") == ("a", "c")
    assert cld.effects_of("b") == ("d",)


def test_repr_is_short_and_stable():
    cld = CausalLoopDiagram.from_text("a -> b : +", title="T")
    assert repr(cld) == "<CausalLoopDiagram 'T': 2 variables, 1 link>"
    assert repr(CausalLoopDiagram()) == "<CausalLoopDiagram: 0 variables, 0 links>"


def test_copy_is_independent_and_equal():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    other = cld.copy()
    assert other == cld
    other.link("b", "c", "-")
    assert other != cld


def test_to_networkx_carries_polarity_and_delay():
    graph = CausalLoopDiagram.from_text("a -> b : - delay").to_networkx()
    assert graph.edges["a", "b"] == {"polarity": "-", "delay": True, "note": None}


# -- text notation ------------------------------------------------------------

def test_text_notation_full_grammar():
    cld = CausalLoopDiagram.from_text("""
        # comments and blank lines are ignored

        workload -> stress : +        # trailing comment
        stress -> sleep : o
        sleep -> energy : same
        energy -> workload : \u2212 delay
        energy -> patience : +delay
        solitary
    """)
    assert [link.to_text() for link in cld.links] == [
        "workload -> stress : +",
        "stress -> sleep : -",
        "sleep -> energy : +",
        "energy -> workload : - delay",
        "energy -> patience : + delay",
    ]
    assert "solitary" in cld
    again = CausalLoopDiagram.from_text(cld.to_text())
    assert again.links == cld.links
    assert set(again.variables) == set(cld.variables)


@pytest.mark.parametrize("line, problem", [
    ("a -> b", "missing ': polarity'"),
    ("a -> b :", "missing polarity"),
    ("a -> b : ?", "unknown polarity '\\?'"),
    ("a -> b : + soon", "unexpected 'soon'"),
    ("a -> b -> c : +", "single '->'"),
    ("-> b : +", "empty cause"),
    ("a : +", "no arrow"),
    ("a -> a : +", "to itself"),
])
def test_bad_line_names_line_number_text_and_form(line, problem):
    text = "x -> y : +\n\n" + line
    with pytest.raises(NotationError, match=problem) as info:
        CausalLoopDiagram.from_text(text)
    err = info.value
    assert err.line_number == 3
    assert err.line == line
    assert "line 3" in str(err)
    assert repr(line) in str(err)
    assert "expected 'cause -> effect : +'" in str(err)


def test_conflicting_lines_in_text():
    with pytest.raises(NotationError, match="line 2: the link 'a' -> 'b' already exists"):
        CausalLoopDiagram.from_text("a -> b : +\na -> b : -")

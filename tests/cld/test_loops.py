"""Loop enumeration, classification and stable naming."""

import itertools
import random

import networkx as nx
import pytest

from csframework import style
from csframework.cld import CausalLoopDiagram
from csframework.errors import DiagramError, UnknownNameError

SHIFTING_THE_BURDEN = """
    problem symptom -> symptomatic solution : +
    symptomatic solution -> problem symptom : -
    problem symptom -> fundamental solution : +
    fundamental solution -> problem symptom : - delay
    symptomatic solution -> side effect : +
    side effect -> fundamental solution : -
"""


def random_diagram(n, degree, seed):
    rng = random.Random(seed)
    cld = CausalLoopDiagram()
    names = [f"v{i:04d}" for i in range(n)]
    for name in names:
        cld.add_variable(name)
    for a in names:
        for b in rng.sample(names, degree):
            if a != b:
                cld.link(a, b, rng.choice("+-"), delay=rng.random() < 0.2)
    return cld


def test_shifting_the_burden_loops():
    cld = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN)
    loops = cld.loops()
    assert loops.complete and loops.stopped_early is None
    assert [(loop.name, loop.kind, len(loop)) for loop in loops] == [
        ("B1", "balancing", 2), ("B2", "balancing", 2), ("R1", "reinforcing", 4)]
    b1, b2, r1 = loops
    assert b1.variables == ("fundamental solution", "problem symptom")
    assert b1.has_delay and not b2.has_delay
    assert r1.variables == ("fundamental solution", "problem symptom", "symptomatic solution",
                            "side effect")
    assert r1.negative_links == 2
    assert [link.sign for link in r1.links] == ["-", "+", "+", "-"]
    assert r1.path() == ("fundamental solution -> problem symptom -> symptomatic solution "
                         "-> side effect -> fundamental solution")


def test_loop_links_follow_the_loop():
    cld = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN)
    for loop in cld.loops():
        v = loop.variables
        pairs = list(zip(v, v[1:] + v[:1], strict=True))
        assert [(link.cause, link.effect) for link in loop.links] == pairs


def test_kind_is_parity_of_negative_links():
    cld = CausalLoopDiagram.from_text("a -> b : -\nb -> c : -\nc -> a : -")
    (loop,) = cld.loops()
    assert loop.kind == "balancing" and loop.negative_links == 3
    assert "odd number" in loop.explain()


def test_no_loops():
    loops = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +").loops()
    assert loops == () and loops.complete
    assert loops.summary() == "0 loops: 0 reinforcing, 0 balancing"


def test_loops_match_networkx_on_random_diagrams():
    for seed in range(5):
        cld = random_diagram(12, 2, seed)
        ours = {loop.variables for loop in cld.loops()}
        theirs = {tuple(c) for c in nx.simple_cycles(cld.to_networkx())}
        assert len(ours) == len(theirs)
        assert {frozenset(c) for c in ours} == {frozenset(c) for c in theirs}
        bounded = {loop.variables for loop in cld.loops(max_length=4)}
        assert bounded == {c for c in ours if len(c) <= 4}


def test_shortest_first_then_by_name():
    cld = random_diagram(10, 3, 7)
    keys = [(len(loop), loop.variables) for loop in cld.loops()]
    assert keys == sorted(keys)


def test_names_do_not_depend_on_insertion_order():
    cld = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN)
    links = list(cld.links)
    for seed in range(5):
        random.Random(seed).shuffle(links)
        other = CausalLoopDiagram()
        for link in links:
            other.link(link.cause, link.effect, link.polarity, delay=link.delay)
        assert [(lp.name, lp.variables) for lp in other.loops()] == \
               [(lp.name, lp.variables) for lp in cld.loops()]


def test_limit_stops_early_and_says_so():
    cld = random_diagram(30, 3, 1)
    loops = cld.loops(limit=50)
    assert len(loops) == 50
    assert not loops.complete
    assert loops.stopped_early == "reached the limit of 50 loops"
    assert "stopped early" in loops.summary()
    assert "stopped early" in repr(loops)


def test_max_length_bounds_and_is_complete():
    cld = random_diagram(30, 3, 1)
    loops = cld.loops(max_length=3)
    assert loops.complete
    assert all(len(loop) <= 3 for loop in loops)


@pytest.mark.parametrize("kwargs, message", [
    ({"max_length": 1}, "max_length must be a whole number of at least 2, got 1"),
    ({"max_length": "3"}, "max_length must be"),
    ({"limit": 0}, "limit must be a positive whole number, got 0"),
])
def test_bad_bounds(kwargs, message):
    with pytest.raises(DiagramError, match=message):
        CausalLoopDiagram.from_text("a -> b : +\nb -> a : +").loops(**kwargs)


def test_responsive_on_a_thousand_variables():
    cld = random_diagram(1000, 2, 3)
    loops = cld.loops(limit=2000)
    assert len(loops) == 2000 and not loops.complete
    assert all(len(set(loop.variables)) == len(loop) for loop in loops)
    found = {loop.variables for loop in loops}
    # every loop found is a real cycle of the graph, in canonical rotation
    graph = cld.to_networkx()
    for cycle in itertools.islice(found, 200):
        assert cycle[0] == min(cycle)
        assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))


def test_story_names():
    cld = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN)
    loop = cld.name_loop("R1", "  the   addiction ")
    assert loop.story == "the addiction"
    assert cld.loop("the addiction").name == "R1"
    cld.link("side effect", "cost", "+")  # an unrelated edit keeps the story
    assert cld.loop("R1").story == "the addiction"
    assert "'the addiction'" in repr(cld.loop("R1"))
    cld.name_loop("the addiction", None)
    assert cld.loop("R1").story is None


def test_unknown_loop_suggests():
    cld = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN)
    known = "unknown loop 'R3' in the diagram; known loops are 'B1', 'B2', 'R1'"
    with pytest.raises(UnknownNameError, match=known):
        cld.loop("R3")


def test_loop_list_views_and_html():
    loops = CausalLoopDiagram.from_text(SHIFTING_THE_BURDEN).loops()
    assert [lp.name for lp in loops.reinforcing] == ["R1"]
    assert [lp.name for lp in loops.balancing] == ["B1", "B2"]
    html = loops._repr_html_()
    assert html.count("<tr>") == 4
    assert style.PALETTE["reinforcing"] in html and style.PALETTE["balancing"] in html


def test_loops_are_cached_until_the_diagram_changes():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    assert cld.loops() is cld.loops()
    cld.link("b", "c", "+")
    cld.link("c", "a", "-")
    assert len(cld.loops()) == 2


# -- fixed loop names (number_loop) ------------------------------------------------

def _two_balancing():
    from csframework.cld import CausalLoopDiagram

    return CausalLoopDiagram.from_text("a -> b : +\nb -> a : -\nc -> d : +\nd -> c : -\n"
                                       "e -> f : +\nf -> e : +")


def test_number_loop_renumbers_the_others_around_it():
    cld = _two_balancing()
    cld.number_loop("B1", "B3")
    assert [(lp.name, lp.variables) for lp in cld.loops()] == [
        ("B3", ("a", "b")), ("B1", ("c", "d")), ("R1", ("e", "f"))]
    cld.number_loop("B3", None)
    assert [lp.name for lp in cld.loops()] == ["B1", "B2", "R1"]


def test_number_loop_refuses_a_wrong_letter_a_bad_name_and_a_duplicate():
    import pytest

    from csframework.errors import DiagramError

    cld = _two_balancing()
    with pytest.raises(DiagramError, match="balancing, so its name starts with B"):
        cld.number_loop("B1", "R7")
    with pytest.raises(DiagramError, match="R or B and a number"):
        cld.number_loop("B1", "loop one")
    cld.number_loop("B1", "B5")                  # c -> d is now B1
    with pytest.raises(DiagramError, match="B5 already names the loop a -> b"):
        cld.number_loop("B1", "B5")


def test_fixed_loop_names_survive_copy_and_json_and_a_change_of_kind_drops_them():
    from csframework.cld import CausalLoopDiagram

    cld = _two_balancing()
    cld.number_loop("B2", "B1")
    again = CausalLoopDiagram.from_json(cld.to_json())
    assert again == cld and again.loop("B1").variables == ("c", "d")
    assert cld.copy().loop("B1").variables == ("c", "d")
    cld.remove_link("d", "c")
    cld.link("d", "c", "+")            # now reinforcing: the B name no longer fits
    assert [lp.name for lp in cld.loops()] == ["B1", "R1", "R2"]

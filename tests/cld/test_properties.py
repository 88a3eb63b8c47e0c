"""Properties that hold for every diagram (hypothesis)."""

import random

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework.cld import CausalLoopDiagram

names = st.sampled_from(["trust", "energy", "stress", "sleep", "noise", "care", "time", "focus"])
links = st.lists(st.tuples(names, names, st.sampled_from("+-"), st.booleans()), max_size=20)


def build(spec, title=None):
    cld = CausalLoopDiagram(title)
    for cause, effect, sign, delay in spec:
        if cause != effect and (cause, effect) not in {(lk.cause, lk.effect) for lk in cld.links}:
            cld.link(cause, effect, sign, delay=delay)
    return cld


@given(links)
@settings(max_examples=150, deadline=None)
def test_kind_is_parity_of_negative_links(spec):
    cld = build(spec)
    for loop in cld.loops():
        negatives = sum(link.sign == "-" for link in loop.links)
        assert loop.negative_links == negatives
        assert loop.kind == ("reinforcing" if negatives % 2 == 0 else "balancing")
        assert loop.has_delay == any(link.delay for link in loop.links)


# titles a person can type: control characters, lone surrogates and invisible format
# characters are refused or removed on purpose (tests/cld/test_hardening.py)
titles = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf")), max_size=20)


@given(links, st.one_of(st.none(), titles))
@settings(max_examples=150, deadline=None)
def test_json_round_trip_is_identity(spec, title):
    cld = build(spec, title)
    again = CausalLoopDiagram.from_json(cld.to_json())
    assert again == cld
    assert again.to_json() == cld.to_json()


@given(links, st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_loop_names_do_not_depend_on_insertion_order(spec, rnd: random.Random):
    cld = build(spec)
    shuffled = list(cld.links)
    rnd.shuffle(shuffled)
    other = CausalLoopDiagram()
    for link in shuffled:
        other.link(link.cause, link.effect, link.polarity, delay=link.delay)
    assert [(lp.name, lp.variables) for lp in other.loops()] == \
           [(lp.name, lp.variables) for lp in cld.loops()]


@given(links)
@settings(max_examples=150, deadline=None)
def test_loops_are_exactly_the_simple_cycles(spec):
    cld = build(spec)
    ours = sorted(frozenset(lp.variables) for lp in cld.loops())
    count = sum(1 for _ in nx.simple_cycles(cld.to_networkx()))
    assert len(ours) == count

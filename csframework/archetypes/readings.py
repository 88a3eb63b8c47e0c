"""Which matches to report: the outermost ones, and one reading per set of loops.

After the search, :func:`outermost` drops a match lying inside a bigger one
of another archetype, and :func:`with_alternatives` keeps one match per set of
participant loops, the best reading, with the other archetypes (or forms) that
read the same loops as its ``alternatives``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from csframework._archetype_data import DEFINITIONS
from csframework.archetypes.matches import Match
from csframework.archetypes.patterns import compile_pattern

__all__ = ["match_rank", "outermost", "with_alternatives"]

# The reference's order of the archetypes: the better reading on a tie of confidence.
_ORDER = {definition["name"]: n for n, definition in enumerate(DEFINITIONS)}


def _loop_key(match: Match) -> frozenset[tuple[str, ...]]:
    """The participant loops that realise the archetype's essential loops."""
    essential = len(compile_pattern(match.archetype, match.form).loops)
    return frozenset(loop.variables for loop in match.loops[:essential])


def _reading_rank(match: Match) -> tuple[float, int, int]:
    forms = [f.name for f in match.archetype.forms]
    return (-match.confidence, _ORDER.get(match.archetype.name, len(_ORDER)),
            forms.index(match.form) + 1 if match.form else 0)


def with_alternatives(matches: Sequence[Match]) -> list[Match]:
    """One match per set of essential loops: the best reading, the others as its alternatives.

    Two archetypes with the same loop structure (escalation drawn with one
    relative position, and eroding goals) can be read on the same loops.
    """
    keys = [_loop_key(m) for m in matches]
    groups: dict[frozenset[tuple[str, ...]], list[Match]] = {}
    for m, key in zip(matches, keys, strict=True):
        groups.setdefault(key, []).append(m)
    kept = []
    for m, key in zip(matches, keys, strict=True):
        group = groups[key]
        if len(group) == 1:
            kept.append(m)
            continue
        ranked = sorted(group, key=_reading_rank)
        if ranked[0] is m:
            kept.append(dataclasses.replace(m, alternatives=tuple(ranked[1:])))
    return kept


def match_rank(match: Match) -> tuple[float, int, tuple[tuple[str, str], ...]]:
    """How :func:`~csframework.archetypes.find` orders the matches of one archetype: the most
    confident first, then the fewest links, then by the variables playing the roles."""
    return -match.confidence, len(match.links), match.role_pairs


def outermost(matches: Sequence[Match]) -> list[Match]:
    """Drop matches whose links all lie inside a bigger match of another archetype."""
    # Sets of matches as bits of Python ints: the matches holding a link, those of an
    # archetype, those with more links than some number.
    link_sets = [frozenset(m.links) for m in matches]
    holding: dict[tuple[str, str], int] = {}
    of_archetype: dict[str, int] = {}
    by_size: dict[int, int] = {}
    for n, (m, links) in enumerate(zip(matches, link_sets, strict=True)):
        bit = 1 << n
        for link in links:
            holding[link] = holding.get(link, 0) | bit
        of_archetype[m.archetype.name] = of_archetype.get(m.archetype.name, 0) | bit
        by_size[len(links)] = by_size.get(len(links), 0) | bit
    bigger, larger_sizes = {}, 0
    for size in sorted(by_size, reverse=True):
        bigger[size] = larger_sizes
        larger_sizes |= by_size[size]
    kept = []
    for m, links in zip(matches, link_sets, strict=True):
        around = bigger[len(links)] & ~of_archetype[m.archetype.name]
        for link in links:
            if not around:
                break
            around &= holding[link]
        if not around:
            kept.append(m)
    return kept


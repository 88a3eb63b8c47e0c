"""An archetype's structure prepared for the search: its signed role graph and search plan.

:func:`compile_pattern` reads an archetype's diagram (or one of its forms) into
the essential links and loops that :func:`~csframework.archetypes.find` looks
for, the optional ones it fills in afterwards, and the order in which the
search places the loops; :func:`plan_steps` turns that order into the steps
of the depth-first search (:mod:`csframework.archetypes.loop_search`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.catalogue import Archetype

__all__ = ["Edge", "Pattern", "Step", "compile_pattern", "compositions", "plan_steps",
           "ring_pairs"]


@dataclass(frozen=True)
class Edge:
    """One link of an archetype: its two roles, polarity (1 or -1) and whether a delay is
    typical on it."""

    cause: str
    effect: str
    sign: int
    typical_delay: bool


@dataclass(frozen=True)
class Pattern:
    """An archetype's structure, prepared for matching."""

    roles_in_order: tuple[str, ...]                 # essential roles
    edges: tuple[Edge, ...]                        # essential links
    optional_edges: tuple[Edge, ...]
    loops: tuple[tuple[tuple[str, ...], str, str], ...]  # (roles, kind, story) of essential loops
    optional_loops: tuple[tuple[tuple[str, ...], str, str], ...]
    delay_required: bool
    plan: tuple[tuple[tuple[str, ...], tuple[int, ...], str], ...]  # loops in search order
    # For each essential link, the essential links on the same stretch of loops
    # (lying on exactly the same archetype loops), itself included: a typical
    # delay counts as drawn anywhere along its stretch.
    stretches: tuple[tuple[int, ...], ...]


@cache
def compile_pattern(archetype: Archetype, form: str = "") -> Pattern:
    """The structure of `archetype` (or of its form called `form`), prepared for matching.

    Examples
    --------
    >>> from csframework import archetypes
    >>> from csframework.archetypes.patterns import compile_pattern
    >>> pattern = compile_pattern(archetypes.get("limits to growth"))
    >>> pattern.roles_in_order, [e.cause for e in pattern.optional_edges]
    (('efforts', 'performance', 'slowing action'), ['constraint'])
    """
    cld = archetype.form_cld(form)
    optional = set(archetype.optional) if not form else set()
    all_edges = [Edge(x.cause, x.effect, -1 if x.is_negative else 1, x.delay) for x in cld.links]
    edges = tuple(e for e in all_edges if (e.cause, e.effect) not in optional)
    optional_edges = tuple(e for e in all_edges if (e.cause, e.effect) in optional)
    essential = {r for e in edges for r in (e.cause, e.effect)}
    order = tuple(v.name for v in cld.variables if v.name in essential)
    essential_pairs = {(e.cause, e.effect) for e in edges}
    loops, optional_loops = [], []
    for loop in cld.loops():
        pairs = set(zip(loop.variables, loop.variables[1:] + loop.variables[:1], strict=True))
        target = loops if pairs <= essential_pairs else optional_loops
        target.append((loop.variables, loop.kind, loop.story or loop.name))
    sign = {(e.cause, e.effect): e.sign for e in edges}
    plan = tuple((roles, tuple(sign[pair] for pair in ring_pairs(roles)), kind)
                 for roles, kind, _ in _search_order(loops))
    on_loops = [frozenset(i for i, (roles, _, _) in enumerate(loops)
                          if (e.cause, e.effect) in set(ring_pairs(roles))) for e in edges]
    stretches = tuple(tuple(x for x, other in enumerate(on_loops) if other == mine)
                      for mine in on_loops)
    return Pattern(order, edges, optional_edges, tuple(loops), tuple(optional_loops),
                    archetype.delay_required, plan, stretches)


def _search_order(loops: Sequence[tuple[tuple[str, ...], str, str]]
                  ) -> list[tuple[tuple[str, ...], str, str]]:
    """The longest loop first, then always the loop sharing most roles with those placed.

    Every archetype's essential loops are connected through shared roles, so
    each loop after the first is searched only among the participant's loops
    through an already placed variable.
    """
    rest = list(loops)
    order = [max(rest, key=lambda loop: len(loop[0]))]
    rest.remove(order[0])
    while rest:
        placed = {r for loop in order for r in loop[0]}
        following = max(rest, key=lambda loop: (len(placed.intersection(loop[0])), len(loop[0])))
        if not placed.intersection(following[0]):
            raise ValueError("an archetype's essential loops must share roles")
        order.append(following)
        rest.remove(following)
    return order


def ring_pairs(roles: Sequence[str]) -> list[tuple[str, str]]:
    """The links ``(cause, effect)`` of the loop through `roles`, in order, the last closing it.

    >>> ring_pairs(("a", "b", "c"))
    [('a', 'b'), ('b', 'c'), ('c', 'a')]
    """
    return list(zip(roles, (*roles[1:], roles[0]), strict=True))


@dataclass(frozen=True)
class Step:
    """One archetype loop of the search plan, with what the loops placed before it fix.

    Positions `j` index the loop's roles; link `j` runs from role `j` to role `j + 1`.
    """

    roles: tuple[str, ...]
    signs: tuple[int, ...]                # polarity of each link
    kind: str
    edges: tuple[tuple[str, str], ...]    # (cause role, effect role) of each link
    known: tuple[str, ...]                # roles placed by earlier steps, in the loop's order
    anchor: int                           # where alignments start: the first role placed before
    placed: tuple[int, ...]               # the other roles placed before
    new_roles: tuple[int, ...]            # roles this step places, in walking order
    new_edges: tuple[int, ...]            # links it lays, in walking order
    shared_edges: tuple[int, ...]         # links laid before: the chain must be the same
    # The last step's share of the rank (LoopSearch._last_rank): its links in the
    # pattern's order as (j, typical delay, links of its stretch), its roles by name.
    rank_edges: tuple[tuple[int, bool, tuple[int, ...]], ...]
    rank_roles: tuple[int, ...]


@cache
def plan_steps(archetype: Archetype, form: str = "") -> tuple[Step, ...]:
    """The archetype's (or its form's) search plan as steps (see :class:`Step`)."""
    pattern = compile_pattern(archetype, form)
    index = {(e.cause, e.effect): n for n, e in enumerate(pattern.edges)}
    placed_roles: set[str] = set()
    laid: set[tuple[str, str]] = set()
    steps = []
    for roles, signs, kind in pattern.plan:
        k = len(roles)
        edges = tuple(ring_pairs(roles))
        anchor = next((j for j, r in enumerate(roles) if r in placed_roles), 0)
        walk = [(anchor + t) % k for t in range(k)]
        new_edges = tuple(j for j in walk if edges[j] not in laid)
        at = {edges[j]: j for j in new_edges}
        rank_edges = []
        for j in sorted(new_edges, key=lambda j: index[edges[j]]):
            n = index[edges[j]]
            stretch = [pattern.edges[x] for x in pattern.stretches[n]]
            rank_edges.append((j, pattern.edges[n].typical_delay,
                               tuple(at[e.cause, e.effect] for e in stretch
                                     if (e.cause, e.effect) in at)))
        new_roles = tuple(j for j in walk if roles[j] not in placed_roles)
        steps.append(Step(
            roles, signs, kind, edges, tuple(r for r in roles if r in placed_roles), anchor,
            placed=tuple(j for j in range(k) if roles[j] in placed_roles and j != anchor),
            new_roles=new_roles, new_edges=new_edges,
            shared_edges=tuple(j for j in range(k) if edges[j] in laid),
            rank_edges=tuple(rank_edges),
            rank_roles=tuple(sorted(new_roles, key=lambda j: roles[j]))))
        placed_roles.update(roles)
        laid.update(edges)
    # A link first laid by the last step shares its stretch only with links it
    # lays too (the stretch lies on the last loop and on no earlier one): the
    # last step's share of the rank is then complete (see LoopSearch._last_rank).
    last = steps[-1]
    if any(len(stretch) != len(pattern.stretches[index[last.edges[j]]])
           for j, _, stretch in last.rank_edges):
        raise ValueError(f"the last loop of {archetype.name!r} shares a stretch with "
                         "earlier loops")
    return tuple(steps)


@cache
def compositions(total: int, parts: int, most: int
                  ) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """The ways to write `total` as `parts` whole numbers from 1 to `most`, in lexicographic order.

    Each comes with its running sums (where the walk along a loop is before each part).

    >>> from csframework.archetypes.patterns import compositions
    >>> compositions(4, 2, 3)
    (((1, 3), (0, 1)), ((2, 2), (0, 2)), ((3, 1), (0, 3)))
    """
    return tuple((gaps, tuple(itertools.accumulate(gaps[:-1], initial=0)))
                 for gaps in _parts(total, parts, most))


def _parts(total: int, parts: int, most: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        if 1 <= total <= most:
            yield (total,)
        return
    for first in range(1, min(most, total) + 1):
        for rest in _parts(total - first, parts - 1, most):
            yield (first, *rest)


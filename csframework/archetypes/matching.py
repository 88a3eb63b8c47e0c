"""From the search to the matches: one archetype at a time in one diagram.

The :class:`Matcher` holds what every search in one diagram shares (the
participant's loops, rings and signed paths), runs a
:class:`~csframework.archetypes.loop_search.LoopSearch` for the archetype and
each of its forms, and builds each :class:`~csframework.archetypes.matches.Match`:
its confidence, what is missing, the optional roles and links filled in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from csframework.archetypes.graph import Crossings, Path, Ring, SignedGraph
from csframework.archetypes.loop_search import LoopSearch
from csframework.archetypes.matches import Match
from csframework.archetypes.patterns import Edge, Pattern, ring_pairs

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.catalogue import Archetype
    from csframework.cld import CausalLoopDiagram, Loop, LoopList

__all__ = ["LOOP_LIMIT", "Matcher"]

#: Loops of the participant's diagram searched at most.
LOOP_LIMIT = 10_000

_INTERMEDIATE_FACTOR = 0.9   # confidence kept per extra in-between variable
_DELAY_FACTOR = 0.9          # ... per typical delay that is not marked
_OPTIONAL_FACTOR = 0.95      # ... per optional link not drawn
_INVERTED_FACTOR = 0.95      # ... per role played by a variable named the other way round


class Matcher:
    """Finds one archetype at a time in one diagram, and builds the matches."""

    def __init__(self, cld: CausalLoopDiagram, graph: SignedGraph, max_loop_length: int,
                 allow_inverted: bool):
        self.cld = cld
        self.graph = graph
        self.max_loop_length = max_loop_length
        self.allow_inverted = allow_inverted
        self.stopped: list[str] = []     # the forms ("": the template) that reached the limit
        self._rings: dict[int, Ring] = {}
        self._loops: dict[tuple[str, ...], Loop] = {}     # by cycle, as the matches walk it
        self._candidates: dict[tuple, list[tuple[tuple[int, int, str], str]]] = {}
        # participant loops as bits of another (see LoopSearch._loop_masks), by what they play
        self.loop_masks: dict[tuple[str, int, bool, int], Crossings] = {}

    @cached_property
    def participant_loops(self) -> LoopList:
        return self.cld.loops(max_length=self.max_loop_length, limit=LOOP_LIMIT)

    @cached_property
    def loop_index(self) -> dict[tuple[str, ...], Loop]:
        from csframework.cld.loops import canonical_rotation

        return {canonical_rotation(loop.variables): loop for loop in self.participant_loops}

    @cached_property
    def links(self) -> dict[tuple[str, str], Any]:
        return {(x.cause, x.effect): x for x in self.cld.links}

    @cached_property
    def loops_through(self) -> dict[str, set[int]]:
        """For each variable, the positions in `participant_loops` of the loops through it."""
        through: dict[str, set[int]] = {}
        for i, loop in enumerate(self.participant_loops):
            for v in loop.variables:
                through.setdefault(v, set()).add(i)
        return through

    def ring(self, index: int) -> Ring:
        found = self._rings.get(index)
        if found is None:
            found = self._rings[index] = Ring(self.participant_loops[index], self.graph, index,
                                               self.loops_through)
        return found

    def matches(self, archetype: Archetype, limit: int) -> list[Match]:
        """The archetype's matches, one per set of participant loops that realise it.

        The same loops read with the roles shifted along them, or the two parties
        swapped, are the same archetype, not another: the best reading is kept.
        Each of the archetype's :attr:`~Archetype.forms` is searched too, with
        `limit` matches for each, on other sets of loops than those found before.
        """
        found = []
        self.stopped = []
        seen: frozenset[frozenset[int]] = frozenset()
        for form in ("", *(f.name for f in archetype.forms)):
            # a form read on loops that the template (or an earlier form) took adds nothing
            search = LoopSearch(self, archetype, limit, form, exclude=seen)
            search.run()
            seen = seen.union(search.best)
            if search.stopped:
                self.stopped.append(form)
            pattern = search.pattern
            found.extend(self._build(archetype, pattern, roles, turns, paths, form)
                         for _, (roles, turns, paths) in search.best.values())
        return found

    # -- the Match -------------------------------------------------------------

    def _build(self, archetype: Archetype, pattern: Pattern, roles: dict[str, str],
               turned: dict[str, int], paths: dict[tuple[str, str], Path],
               form: str = "") -> Match:
        missing: list[str] = []
        turns = dict(turned)
        confidence = _INVERTED_FACTOR ** sum(turn < 0 for turn in turns.values())
        for n, edge in enumerate(pattern.edges):
            path = paths[edge.cause, edge.effect]
            if len(path) > 2:
                confidence *= _INTERMEDIATE_FACTOR ** (len(path) - 2)
                missing.append(_in_between(edge, path))
            if edge.typical_delay and not self._delay_nearby(pattern, n, paths):
                confidence *= _DELAY_FACTOR
                missing.append(f"the delay on {edge.cause} -> {edge.effect} "
                               f"({' -> '.join(path)}) is not marked")
        optional_missing = self._fill_optional(pattern, roles, paths, turns)
        confidence *= _OPTIONAL_FACTOR ** len(optional_missing)
        missing.extend(optional_missing)
        # optional roles played turned round (a capacity for a constraint)
        confidence *= _INVERTED_FACTOR ** sum(turns[r] < 0 for r in turns.keys() - turned.keys())
        inverted = tuple(r for r in archetype.roles if turns.get(r, 1) < 0)
        loops, loop_roles = [], []
        pairs = {*((e.cause, e.effect) for e in pattern.edges),
                 *((e.cause, e.effect) for e in pattern.optional_edges
                   if (e.cause, e.effect) in paths)}
        for loop_roles_, kind, story in (*pattern.loops, *pattern.optional_loops):
            if not pairs.issuperset(ring_pairs(loop_roles_)):
                continue
            loops.append(self._loop(_cycle(loop_roles_, paths), kind))
            loop_roles.append(story)
        order = list(archetype.roles)
        role_pairs = tuple(sorted(roles.items(), key=lambda rv: order.index(rv[0])))
        return Match(archetype, role_pairs,
                     tuple((a, b, p) for (a, b), p in paths.items()), tuple(loops),
                     tuple(loop_roles), tuple(missing), round(confidence, 2), inverted,
                     form=form, diagram=self.cld)

    def _delay_nearby(self, pattern: Pattern, n: int,
                      paths: Mapping[tuple[str, str], Path]) -> bool:
        """A typical delay (of essential link `n`) counts as drawn anywhere along the same
        stretch of loops."""
        edges = pattern.edges
        return any(self.graph.path_delayed(paths[edges[x].cause, edges[x].effect])
                   for x in pattern.stretches[n])

    def _fill_optional(self, pattern: Pattern, roles: dict[str, str],
                       paths: dict[tuple[str, str], Path], turns: dict[str, int]) -> list[str]:
        """Place optional roles and links where the diagram has them; say what is missing.

        A link's chain has the link's polarity, flipped for each of its two roles
        played turned round (`turns`, -1; an optional role placed turned round is
        added to it).
        """
        used = set(roles.values()) | {v for p in paths.values() for v in p}
        missing = []
        for edge in pattern.optional_edges:
            for role in (edge.cause, edge.effect):
                if role not in roles:
                    self._place_optional_role(pattern, role, roles, used, turns)
            if edge.cause not in roles or edge.effect not in roles:
                missing.append(_missing_optional(edge, roles))
                continue
            sign = edge.sign * turns.get(edge.cause, 1) * turns.get(edge.effect, 1)
            path = self._free_path(roles[edge.cause], roles[edge.effect], sign, used)
            if path is None:
                missing.append(_missing_optional(edge, roles))
                continue
            paths[edge.cause, edge.effect] = path
            used.update(path)
        return missing

    def _place_optional_role(self, pattern: Pattern, role: str, roles: dict[str, str],
                             used: set[str], turns: dict[str, int]) -> None:
        """Give an optional role the free variable tied best to the placed roles.

        Best: the most optional links realised by free chains of the right sign,
        then a variable playing it upright (when roles may be turned round, one
        named the other way round, as a capacity for a constraint, comes next),
        then the fewest variables on the chains, then the name.
        """
        ties = tuple(e for e in pattern.optional_edges
                     if (e.cause == role and e.effect in roles)
                     or (e.effect == role and e.cause in roles))
        best: tuple[int, int, int, str] | None = None
        turn_of_best = 1
        for hope, candidate, turn in self._optional_candidates(role, ties, roles, turns):
            if best is not None and best <= hope:
                break       # no later candidate can do better
            if candidate in used:
                continue
            score = 0
            length = 0
            for other in ties:
                a = candidate if other.cause == role else roles[other.cause]
                b = candidate if other.effect == role else roles[other.effect]
                end = other.effect if other.cause == role else other.cause
                # a simple chain from a to b has neither in between
                path = self._free_path(a, b, other.sign * turn * turns.get(end, 1), used)
                if path is not None:
                    score += 1
                    length += len(path)
            key = (-score, turn < 0, length, candidate)
            if score and (best is None or key < best):
                best, turn_of_best = key, turn
        if best is not None:
            roles[role] = best[3]
            used.add(best[3])
            if turn_of_best < 0:
                turns[role] = turn_of_best

    def _optional_candidates(self, role: str, ties: tuple[Edge, ...], roles: dict[str, str],
                             turns: dict[str, int]
                             ) -> list[tuple[tuple[int, bool, int, str], str, int]]:
        """The variables that may play an optional role, each upright or (when allowed)
        turned round, best first by what they could score with no variable taken (a bound
        on what they score: see _place_optional_role)."""
        other_ends = tuple(e.cause if e.effect == role else e.effect for e in ties)
        ends = tuple(roles[end] for end in other_ends)
        end_turns = tuple(turns.get(end, 1) for end in other_ends)
        key = (role, ties, ends, end_turns)
        found = self._candidates.get(key)
        if found is None:
            scores: dict[tuple[str, int], list[int]] = {}
            turns_allowed = (1, -1) if self.allow_inverted else (1,)
            for edge, end, end_turn in zip(ties, ends, end_turns, strict=True):
                forward = edge.effect == role
                for candidate, signs in self.graph.reach(end, forward).items():
                    wanted = {sign: turn for turn in turns_allowed
                              if (sign := edge.sign * turn * end_turn) in signs}
                    if not wanted:
                        continue
                    cause, effect = (end, candidate) if forward else (candidate, end)
                    for path, sign in self.graph.paths(cause, effect):   # shortest first
                        turn = wanted.pop(sign, None)
                        if turn is not None:
                            score = scores.setdefault((candidate, turn), [0, 0])
                            score[0] -= 1
                            score[1] += len(path)
                        if not wanted:
                            break
            found = self._candidates[key] = sorted(
                ((score, turn < 0, length, candidate), candidate, turn)
                for (candidate, turn), (score, length) in scores.items())
        return found

    def _free_path(self, cause: str, effect: str, sign: int, used: set[str]) -> Path | None:
        for path, s in self.graph.paths(cause, effect):
            if s == sign and not used.intersection(path[1:-1]):
                return path
        return None

    def _loop(self, cycle: tuple[str, ...], kind: str) -> Loop:
        found = self._loops.get(cycle)
        if found is None:
            found = self._loops[cycle] = self._new_loop(cycle, kind)
        return found

    def _new_loop(self, cycle: tuple[str, ...], kind: str) -> Loop:
        from csframework.cld import Loop
        from csframework.cld.loops import canonical_rotation

        key = canonical_rotation(cycle)
        found = self.loop_index.get(key)
        if found is not None:
            return found
        links = self.links
        ring = list(zip(key, key[1:] + key[:1], strict=True))
        negatives = sum(links[pair].is_negative for pair in ring)
        return Loop(f"{kind[0].upper()}?", kind, key, links, None, negatives,
                    any(links[pair].delay for pair in ring))


def _cycle(roles: Sequence[str], paths: Mapping[tuple[str, str], Path]) -> tuple[str, ...]:
    """The participant's loop that realises an archetype loop, as a tuple of variables."""
    cycle: list[str] = []
    for cause, effect in zip(roles, (*roles[1:], roles[0]), strict=True):
        cycle.extend(paths[cause, effect][:-1])
    return tuple(cycle)


def _in_between(edge: Edge, path: Path) -> str:
    return (f"the {edge.effect if len(path) > 2 else ''} link {edge.cause} -> {edge.effect} "
            f"runs through in-between steps: {' -> '.join(path)}")


def _missing_optional(edge: Edge, roles: Mapping[str, str]) -> str:
    sign = "+" if edge.sign > 0 else "-"
    if edge.cause not in roles:
        return (f"no {edge.cause} is drawn pushing the {edge.effect} "
                f"({edge.cause} -> {edge.effect})")
    if edge.effect not in roles:
        return f"no {edge.effect} is drawn ({edge.cause} -> {edge.effect} : {sign})"
    return (f"the link {edge.cause} -> {edge.effect} ({sign}) is not drawn, from "
            f"{roles[edge.cause]!r} to {roles[edge.effect]!r}")

"""The participant's diagram as the search sees it: a signed graph, and its loops as rings.

:class:`SignedGraph` holds a diagram's links with their signs and delays and
walks its signed paths; :class:`Ring` prepares one of its loops for laying an
archetype loop along it, each way of doing so an :class:`Alignment`.
:class:`Context` and :class:`Crossings` are what the search keeps about them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.patterns import Step
    from csframework.cld import CausalLoopDiagram, Loop

__all__ = ["Alignment", "Context", "Crossings", "Path", "Ring", "SignedGraph"]


#: A chain of participant variables, cause first.
Path = tuple[str, ...]


class SignedGraph:
    """Successors and predecessors with signs, and memoised signed paths of bounded length."""

    def __init__(self, cld: CausalLoopDiagram, max_path: int):
        self.max_path = max_path
        self.sign: dict[tuple[str, str], int] = {}
        self.delay: dict[tuple[str, str], bool] = {}
        self.succ: dict[str, list[str]] = {v.name: [] for v in cld.variables}
        self.pred: dict[str, list[str]] = {v.name: [] for v in cld.variables}
        for link in sorted(cld.links, key=lambda x: (x.cause, x.effect)):
            self.sign[link.cause, link.effect] = -1 if link.is_negative else 1
            self.delay[link.cause, link.effect] = link.delay
            self.succ[link.cause].append(link.effect)
            self.pred[link.effect].append(link.cause)
        self._reach: dict[tuple[str, bool], dict[str, set[int]]] = {}
        self._paths: dict[str, dict[str, list[tuple[Path, int]]]] = {}
        self._delayed: dict[Path, bool] = {}

    def reach(self, start: str, forward: bool) -> dict[str, set[int]]:
        """Variables reached from `start` (or reaching it) by simple paths, with their signs."""
        key = (start, forward)
        if key not in self._reach:
            found: dict[str, set[int]] = {}
            for path, sign in self._walks(start, forward):
                found.setdefault(path[-1], set()).add(sign)
            self._reach[key] = found
        return self._reach[key]

    def paths(self, cause: str, effect: str) -> list[tuple[Path, int]]:
        """Simple paths from `cause` to `effect` of at most `max_path` links, shortest first."""
        if cause not in self._paths:
            # one walk from `cause` serves every effect
            found: dict[str, list[tuple[Path, int]]] = {}
            for p, s in self._walks(cause, True):
                found.setdefault(p[-1], []).append((p, s))
            for chains in found.values():
                chains.sort(key=lambda item: (len(item[0]), item[0]))
            self._paths[cause] = found
        return self._paths[cause].get(effect, [])

    def _walks(self, start: str, forward: bool) -> Iterator[tuple[Path, int]]:
        nexts = self.succ if forward else self.pred
        stack: list[tuple[Path, int]] = [((start,), 1)]
        while stack:
            path, sign = stack.pop()
            for w in nexts[path[-1]]:
                if w in path:
                    continue
                pair = (path[-1], w) if forward else (w, path[-1])
                new = ((*path, w), sign * self.sign[pair])
                yield new
                if len(new[0]) <= self.max_path:
                    stack.append(new)

    def path_delayed(self, path: Path) -> bool:
        found = self._delayed.get(path)
        if found is None:
            found = self._delayed[path] = any(self.delay[pair] for pair in pairwise(path))
        return found


class Alignment(NamedTuple):
    """One way to lay the roles of an archetype loop along a participant loop."""

    vertices: tuple[str, ...]   # the variable of each role of the step
    turns: tuple[int, ...]      # each role's turn, relative to the step's anchor role
    paths: tuple[Path, ...]     # the chain of each link roles[j] -> roles[j + 1]
    fresh: frozenset[str]       # variables it takes: new roles, in-between ones of new links


@dataclass
class Context:
    """What earlier steps fix for a step, and what follows from it.

    `fixed` is the variable and turn of the anchor role and of the other roles
    placed before, `chains` the chains of the links laid before (both empty for
    the first step, which may start anywhere).

    Every alignment on one participant loop takes the same variables: the
    loop's own, less the roles and chains fixed before (a participant loop is
    a simple cycle, and each of its variables is a role or in between on a
    chain). So whether any fits is one set test, made before laying them out.
    """

    fixed: tuple[tuple[str, int], ...]
    chains: tuple[Path, ...]
    pool: tuple[int, ...]                 # the participant loops that may play the step
    mine: frozenset[str]                  # the variables of `fixed` and `chains`
    fresh: dict[int, frozenset[str]] = field(default_factory=dict)     # by participant loop
    options: dict[int, list[Alignment]] = field(default_factory=dict)  # by participant loop

    @property
    def turn(self) -> int:
        return self.fixed[0][1] if self.fixed else 1


class Crossings:
    """Other participant loops as the positions of one loop they run through (bits),
    and which sets of its positions some of them run through (asked once each)."""

    __slots__ = ("known", "masks")

    def __init__(self, masks: list[int]):
        """`masks`: the positions of the loop each other loop runs through, as bits."""
        self.masks = masks
        self.known: dict[int, bool] = {}

    def through(self, at: int) -> bool:
        found = self.known[at] = any(at & mask == at for mask in self.masks)
        return found


class Ring:
    """A participant loop, prepared for laying archetype loops along it."""

    __slots__ = ("crossing", "cycle", "parity", "position", "twice", "whole")

    def __init__(self, loop: Loop, graph: SignedGraph, index: int,
                 loops_through: Mapping[str, set[int]]):
        self.cycle = loop.variables
        self.twice = self.cycle + self.cycle     # chains may run past the end
        self.position = {v: p for p, v in enumerate(self.cycle)}
        self.whole = frozenset(self.cycle)
        # parity[q] * parity[p]: the sign of the chain from twice[p] to twice[q]
        parity = [1]
        for pair in pairwise(self.twice):
            parity.append(parity[-1] * graph.sign[pair])
        self.parity = parity
        # The other participant loops through this one: the positions they pass (bits).
        crossing: dict[int, int] = {}
        for p, v in enumerate(self.cycle):
            for other in loops_through[v]:
                crossing[other] = crossing.get(other, 0) | 1 << p
        del crossing[index]
        self.crossing = crossing

    def align(self, step: Step, start: int, gaps: tuple[int, ...],
              fresh: frozenset[str]) -> Alignment:
        """Lay `step` from position `start`, its links taking `gaps` links of the loop in turn
        (and the variables `fresh`, the same for every alignment in a context)."""
        k = len(step.roles)
        vertices, turns, paths = [""] * k, [1] * k, [()] * k
        twice, parity, signs = self.twice, self.parity, step.signs
        p, j, turn = start, step.anchor, 1
        for gap in gaps:
            q = p + gap
            vertices[j] = twice[p]
            turns[j] = turn
            paths[j] = twice[p:q + 1]
            turn *= parity[p] * parity[q] * signs[j]
            p = q
            j += 1
            if j == k:
                j = 0
        return Alignment(tuple(vertices), tuple(turns), tuple(paths), fresh)


"""The depth-first search that lays an archetype's loops on the participant's loops.

:class:`LoopSearch` places one archetype (or one of its forms) in one diagram:
each archetype loop on a participant loop of the same kind, its roles laid
along it with chains of in-between variables, cutting branches early. The
:class:`~csframework.archetypes.matching.Matcher` runs it and builds the
matches from what it keeps (``LoopSearch.best``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from csframework.archetypes.graph import Alignment, Context, Crossings, Path, Ring
from csframework.archetypes.patterns import Step, compile_pattern, compositions, plan_steps

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.catalogue import Archetype
    from csframework.archetypes.matching import Matcher

__all__ = ["LoopSearch", "Reading"]


_UNSEEN: Any = object()     # a handing on not searched below yet (see LoopSearch._place_first)


class Reading(NamedTuple):
    """A full match found below the first step: what the later steps placed."""

    key: frozenset[int]          # its participant loops, the first step's included
    part: tuple                  # the later steps' share of the rank (see LoopSearch._part)
    roles: tuple[tuple[str, str], ...]
    turns: tuple[tuple[str, int], ...]
    paths: tuple[tuple[tuple[str, str], Path], ...]


class LoopSearch:
    """The depth-first search for one archetype: one participant loop per archetype loop.

    The partial match lives in a few dicts and a set, extended and undone in
    place (no copies). The alignments of a step along a participant loop are
    computed once for what earlier steps fix (:meth:`_context`), and only
    when they fit: they all take the same variables, so that is one set test
    made first (:meth:`_fresh`). Branches are cut early: a step's participant loops
    come from an index by variable; an alignment is dropped when a later
    archetype loop would have no participant loop left through the roles it
    places, or a later link between two of its roles no signed path of the
    right sign (:meth:`_bridged`); and a later loop whose roles are all
    placed must still fit. The search below the first step is shared by the
    alignments that hand the same things on (:meth:`_place_first`), and of
    the readings of the last loop only the best is ranked (:meth:`_finish`).
    The order of the search, and so which matches a `limit` keeps, is that
    of trying every alignment in turn.
    """

    def __init__(self, matcher: Matcher, archetype: Archetype, limit: int, form: str = "",
                 exclude: frozenset[frozenset[int]] = frozenset()):
        """Search `archetype` (or its form called `form`) in `matcher`'s diagram, keeping at
        most `limit` matches; sets of participant loops in `exclude` are not matches."""
        self.matcher = matcher
        self.exclude = exclude
        self.name = archetype.name
        self.pattern = compile_pattern(archetype, form)
        self.steps = plan_steps(archetype, form)
        self.last = len(self.steps) - 1
        self.limit = limit
        self.roles: dict[str, str] = {}
        self.turns: dict[str, int] = {}
        self.paths: dict[tuple[str, str], Path] = {}
        self.taken: set[str] = set()       # variables playing roles or in between on chains
        self.used: list[int] = []          # participant loops placed, by position
        self.best: dict[frozenset[int], tuple[tuple, tuple[dict, dict, dict]]] = {}
        self.stopped = False
        self._pools: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        self._contexts: list[dict[tuple, Context]] = [{} for _ in self.steps]
        # What the first step hands on to later ones, and the two shares of the rank.
        first, later = self.steps[0], self.steps[1:]
        self._handed_roles = tuple(r for r in first.roles if any(r in s.roles for s in later))
        self._handed_edges = tuple(e for e in first.edges if any(e in s.edges for s in later))
        self._pairs = tuple((e.cause, e.effect) for e in self.pattern.edges)
        self._first_slots = tuple(x for x, pair in enumerate(self._pairs) if pair in first.edges)
        self._later_slots = tuple(x for x, pair in enumerate(self._pairs)
                                  if pair not in first.edges)
        # Of those, the links with a typical delay: (the link, the links of its stretch).
        self._typical = {
            slots: tuple((self._pairs[x], tuple(self._pairs[y] for y in self.pattern.stretches[x]))
                         for x in slots if self.pattern.edges[x].typical_delay)
            for slots in (self._first_slots, self._later_slots)}
        self._readings: list[Reading] | None = None    # a list while collecting
        self._ahead = [self._look_ahead(i) for i in range(len(self.steps))]
        # For each step, the later steps with some of their roles among its own:
        # (j, walking positions in this step of those roles).
        self._outlook = [
            [(j, tuple((step.roles.index(r) - step.anchor) % len(step.roles)
                       for r in later.roles if r in step.roles))
             for j, later in enumerate(self.steps) if j > i and set(step.roles) & set(later.roles)]
            for i, step in enumerate(self.steps)]
        self._masks: dict[tuple[int, int], Crossings] = {}
        self._outlooks: dict[tuple[int, int], list[Crossings]] = {}
        self._shape_cache: dict[tuple, tuple] = {}
        # For each step, the links laid later between two of its roles, by walking
        # positions: (cause's, effect's, polarity times the polarities walked
        # between the anchor and each of them). See _bridged.
        laid: set[tuple[str, str]] = set()
        self._bridges: list[list[tuple[int, int, int]]] = []
        for step in self.steps:
            laid.update(step.edges)
            k = len(step.roles)
            walked = [1]
            for t in range(k - 1):
                walked.append(walked[-1] * step.signs[(step.anchor + t) % k])
            at = {r: (step.roles.index(r) - step.anchor) % k for r in step.roles}
            self._bridges.append([(at[e.cause], at[e.effect],
                                   e.sign * walked[at[e.cause]] * walked[at[e.effect]])
                                  for e in self.pattern.edges
                                  if e.cause in at and e.effect in at
                                  and (e.cause, e.effect) not in laid])

    def _look_ahead(self, i: int) -> list[tuple[int, tuple[str, ...], bool]]:
        """After step i: each later step with roles placed, those roles, and whether it is
        closed (its roles all placed and the links it shares all laid)."""
        placed = {r for step in self.steps[:i + 1] for r in step.roles}
        laid = {pair for step in self.steps[:i + 1] for pair in step.edges}
        ahead = []
        for j in range(i + 1, len(self.steps)):
            step = self.steps[j]
            known = tuple(r for r in step.roles if r in placed)
            closed = (len(known) == len(step.roles)
                      and all(step.edges[x] in laid for x in step.shared_edges))
            if known:
                ahead.append((j, known, closed))
        return ahead

    def run(self) -> None:
        if len(self.steps) == 1:
            self._place(0)
        else:
            self._place_first()

    # -- the steps ---------------------------------------------------------------

    def _place_first(self) -> bool:
        """Place the first step and the ones after it, sharing the search below it.

        The first participant loop is taken whole, so the search below an
        alignment of the first step (and whether :meth:`_viable` cuts it)
        depends only on the loop and on the variables, turns and chains the
        later steps take over from it.
        Alignments that agree on those share one search: its readings are
        collected once, then replayed in order for each of them, exactly as
        searching again would find them.
        """
        step = self.steps[0]
        context = self._context(0)
        # what an alignment hands on, read off it (the first step's turn is 1)
        role_at = [step.roles.index(r) for r in self._handed_roles]
        edge_at = [step.edges.index(pair) for pair in self._handed_edges]
        for index in context.pool:
            # what a handing on leads to: None when _viable cuts it, else the readings
            below: dict[tuple, list[Reading] | None] = {}
            for align in self._aligned(0, index, context):
                vertices, turns, paths = align.vertices, align.turns, align.paths
                handed = (tuple([(vertices[j], turns[j]) for j in role_at]),
                          tuple([paths[j] for j in edge_at]))
                readings = below.get(handed, _UNSEEN)
                if readings is _UNSEEN:
                    self._push(step, align, 1, index)     # nothing is taken yet: it fits
                    readings = below[handed] = self._collect() if self._viable(0) else None
                elif not readings:
                    continue        # nothing below: replaying it changes nothing
                else:
                    self._push(step, align, 1, index)
                stop = readings is not None and self._replay(readings)
                self._pop(step, align, index)
                if stop:
                    return True
        return False

    def _collect(self) -> list[Reading]:
        """The readings of the search below the first step, in the order it finds them."""
        self._readings = []
        self._place(1)
        readings, self._readings = self._readings, None
        return readings

    def _replay(self, readings: list[Reading]) -> bool:
        """Rank `readings` with the first step placed as it is now; True when stopped."""
        first = None
        best = self.best
        for reading in readings:
            key = reading.key
            old = best.get(key)
            if old is None and len(best) >= self.limit:
                self.stopped = True
                return True
            if first is None:
                first = self._part(self._first_slots, self.steps[0].roles)
            part = reading.part
            if old is not None:
                # the rank's two sums alone may show it no better (see _combine)
                kept, count = old[0], first[0] + part[0]
                if count > kept[0] or (count == kept[0] and first[1] + part[1] > kept[1]):
                    continue
            rank = self._combine(first, part)
            if old is None or rank < old[0]:
                roles, turns, paths = dict(self.roles), dict(self.turns), dict(self.paths)
                roles.update(reading.roles)
                turns.update(reading.turns)
                paths.update(reading.paths)
                best[key] = (rank, (roles, turns, paths))
        return False

    def _place(self, i: int) -> bool:
        """Place step `i` and the ones after it; True when the limit stopped the search."""
        step = self.steps[i]
        context = self._context(i)
        turn = context.turn
        for index in context.pool:
            if index in self.used:
                continue
            if not self._fresh(index, context).isdisjoint(self.taken):
                continue
            aligns = self._aligned(i, index, context)
            if i == self.last:
                if aligns and self._finish(step, index, aligns[0], turn):
                    return True
                continue
            for align in aligns:
                self._push(step, align, turn, index)
                stop = self._viable(i) and self._place(i + 1)
                self._pop(step, align, index)
                if stop:
                    return True
        return False

    def _finish(self, step: Step, index: int, align: Alignment, turn: int) -> bool:
        """Complete the match with participant loop `index` for the last archetype loop.

        All readings of the last loop make the same match (the same set of
        loops), so only the best of them is ranked: `align` is the one with the
        best part of the rank they decide (see :meth:`_last_rank`), the first
        of them in walking order on a tie; they all fit when one does.
        """
        key = frozenset((*self.used, index))
        if key in self.exclude:
            return False
        if self._readings is not None:      # below the first step: collect
            self._push(step, align, turn, index)
            self._readings.append(self._reading(key))
            self._pop(step, align, index)
            return False
        if key not in self.best and len(self.best) >= self.limit:
            self.stopped = True
            return True
        self._push(step, align, turn, index)
        rank = self._rank()
        if key not in self.best or rank < self.best[key][0]:
            self.best[key] = (rank, (dict(self.roles), dict(self.turns), dict(self.paths)))
        self._pop(step, align, index)
        return False

    def _pool(self, i: int, vertices: tuple[str, ...]) -> tuple[int, ...]:
        """Participant loops that may play step `i`: right kind and length, through `vertices`."""
        key = (i, vertices)
        if key not in self._pools:
            step, m = self.steps[i], self.matcher
            if vertices:
                candidates = set.intersection(*(m.loops_through.get(v, set()) for v in vertices))
            else:
                candidates = range(len(m.participant_loops))
            low = len(step.roles)
            high = min(m.max_loop_length, low * m.graph.max_path)
            self._pools[key] = tuple(
                index for index in sorted(candidates)
                if (loop := m.participant_loops[index]).kind == step.kind
                and low <= len(loop) <= high
                # a loop without a delay cannot play a loop that requires one
                and (loop.has_delay or not self.pattern.delay_required))
        return self._pools[key]

    def _viable(self, i: int) -> bool:
        """Whether each later step may still be placed, after step `i` was."""
        for j, known, closed in self._ahead[i]:
            pool = self._pool(j, tuple(map(self.roles.__getitem__, known)))
            if closed:
                context = self._context(j)
                if not any(index not in self.used and self._fits(j, index, context)
                           for index in context.pool):
                    return False
            elif all(index in self.used for index in pool):
                return False
        return True

    def _fits(self, i: int, index: int, context: Context) -> bool:
        """Whether some alignment of step `i` on participant loop `index` fits."""
        return (self._fresh(index, context).isdisjoint(self.taken)
                and bool(self._aligned(i, index, context)))

    # -- alignments ------------------------------------------------------------------

    def _context(self, i: int) -> Context:
        """What earlier steps fix for step `i` (computed once for each way they fix it)."""
        step = self.steps[i]
        if step.known:
            roles, turns = self.roles, self.turns
            fixed = tuple((roles[step.roles[j]], turns[step.roles[j]])
                          for j in (step.anchor, *step.placed))
            chains = tuple(self.paths[step.edges[j]] for j in step.shared_edges)
        else:
            fixed, chains = (), ()
        context = self._contexts[i].get((fixed, chains))
        if context is None:
            pool = self._pool(i, tuple(v for v, _ in fixed))
            mine = frozenset(v for v, _ in fixed).union(*chains)
            context = self._contexts[i][fixed, chains] = Context(fixed, chains, pool, mine)
        return context

    def _fresh(self, index: int, context: Context) -> frozenset[str]:
        """The variables any alignment in the context on participant loop `index` takes."""
        found = context.fresh.get(index)
        if found is None:
            found = context.fresh[index] = self.matcher.ring(index).whole - context.mine
        return found

    def _aligned(self, i: int, index: int, context: Context) -> list[Alignment]:
        """The alignments of step `i` on participant loop `index` that agree with the
        context: they then fit the partial match unless they take a variable taken
        (all take the same ones, see :class:`Context`).

        In the order a walk along the loop from the anchor meets them; for the
        last step only the best by rank (the first of the best). Each link
        takes 1 to max_path links of the loop, and the links use the whole
        loop. (Along one participant loop, a simple cycle, the roles and chains
        never collide.)
        """
        found = context.options.get(index)
        if found is None:
            aligns = self._lay_out(i, index, context)
            if i == self.last and len(aligns) > 1:
                # all fit or none (see Context): only the best is ever taken
                aligns = [min(aligns, key=lambda align: self._last_rank(self.steps[i], align,
                                                                       context.turn))]
            found = context.options[index] = aligns
        return found

    def _lay_out(self, i: int, index: int, context: Context) -> list[Alignment]:
        step, ring = self.steps[i], self.matcher.ring(index)
        fixed, chains = context.fixed, context.chains
        m, k = len(ring.cycle), len(step.roles)
        if fixed:
            start, turn = ring.position[fixed[0][0]], fixed[0][1]
            starts: Iterable[int] = (start,)
            # how far along the walk from the anchor each role placed before sits
            need = tuple(((j - step.anchor) % k, (ring.position[v] - start) % m)
                         for j, (v, _) in zip(step.placed, fixed[1:], strict=True))
        else:
            starts, turn, need = range(m), 1, ()
        # Would a later step find no participant loop but this one through the
        # roles placed here? Then _viable would cut the branch: skip it now.
        # (Positions on the loop as bits: answers are kept by the set of them.)
        outlook = self._outlooks.get((i, index))
        if outlook is None:
            outlook = self._outlooks[i, index] = [self._loop_masks(j, index)
                                                  for j, _ in self._outlook[i]]
        bridges = self._bridges[i]
        shapes = self._shapes(i, m, need)
        # what the alignment must then agree with (turns are 1 or -1)
        turns_fixed = [(j, turn * t) for j, (_, t) in zip(step.placed, fixed[1:], strict=True)]
        shared = list(zip(step.shared_edges, chains, strict=True))
        upright = () if self.matcher.allow_inverted else step.new_roles
        align_at, bridged = ring.align, self._bridged
        fresh = self._fresh(index, context)
        every = (1 << m) - 1
        found: list[Alignment] = []
        for start in starts:
            for gaps, reach, held in shapes:
                # Whether each later step has another participant loop through the roles
                # it shares: their positions turned round the loop by `start`.
                hopeful = True
                for crossings, rel in zip(outlook, held, strict=True):
                    at = ((rel << start) | (rel >> (m - start))) & every
                    hopeful = crossings.known.get(at)
                    if hopeful is None:
                        hopeful = crossings.through(at)
                    if not hopeful:
                        break
                if not hopeful:
                    continue
                if bridges and not bridged(bridges, ring, start, reach):
                    continue
                align = align_at(step, start, gaps, fresh)
                if turns_fixed and any(align.turns[j] != t for j, t in turns_fixed):
                    continue
                if shared and any(align.paths[j] != chain for j, chain in shared):
                    continue
                if upright and any(turn * align.turns[j] < 0 for j in upright):
                    continue
                found.append(align)
        return found

    def _shapes(self, i: int, m: int, need: tuple[tuple[int, int], ...]
                ) -> tuple[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]], ...]:
        """The compositions step `i` may take on a participant loop of `m` variables
        (with the roles placed before `need` says where: (walking position, offset)),
        each with the positions it gives each later step of _outlook, from the start (bits)."""
        key = (i, m, need)
        found = self._shape_cache.get(key)
        if found is None:
            found = self._shape_cache[key] = tuple(
                (gaps, reach, tuple(sum(1 << reach[t] for t in walked)
                                    for _, walked in self._outlook[i]))
                for gaps, reach in compositions(m, len(self.steps[i].roles),
                                                 self.matcher.graph.max_path)
                if all(reach[t] == offset for t, offset in need))
        return found

    def _loop_masks(self, j: int, index: int) -> Crossings:
        """The participant loops other than `index` that may play step `j`, each as the
        positions of participant loop `index` that it runs through (bits)."""
        key = (j, index)
        if key not in self._masks:
            # the same for every archetype that asks it of loops alike (see _pool)
            step = self.steps[j]
            shared = (step.kind, len(step.roles), self.pattern.delay_required, index)
            found = self.matcher.loop_masks.get(shared)
            if found is None:
                eligible = set(self._pool(j, ()))
                masks = {mask for other, mask in self.matcher.ring(index).crossing.items()
                         if other in eligible}
                # a loop through a subset of another's positions adds nothing: the
                # biggest first, keep those in none kept
                kept: list[int] = []
                for mask in sorted(masks, key=int.bit_count, reverse=True):
                    if not any(mask & o == mask for o in kept):
                        kept.append(mask)
                found = self.matcher.loop_masks[shared] = Crossings(kept)
            self._masks[key] = found
        return self._masks[key]

    def _bridged(self, bridges: list[tuple[int, int, int]], ring: Ring, start: int,
                 reach: tuple[int, ...]) -> bool:
        """Whether each link that a later step lays between two roles placed here has a
        chain of the right sign (a signed path of at most max_path links) in the diagram."""
        reach_from = self.matcher.graph.reach
        twice, parity = ring.twice, ring.parity
        for cause, effect, sign in bridges:
            c, e = start + reach[cause], start + reach[effect]
            # The chain's sign turns the cause's turn into the effect's. A role's
            # turn, relative to the anchor's, is the sign of the loop walked to it
            # (parity[start] * parity[c]) times the archetype's polarities walked.
            need = sign * parity[c] * parity[e]
            if need not in reach_from(twice[c], True).get(twice[e], ()):
                return False
        return True

    # -- the partial match ----------------------------------------------------------

    def _push(self, step: Step, align: Alignment, turn: int, index: int) -> None:
        for j in step.new_roles:
            self.roles[step.roles[j]] = align.vertices[j]
            self.turns[step.roles[j]] = turn * align.turns[j]
        for j in step.new_edges:
            self.paths[step.edges[j]] = align.paths[j]
        self.taken |= align.fresh
        self.used.append(index)

    def _pop(self, step: Step, align: Alignment, index: int) -> None:
        for j in step.new_roles:
            del self.roles[step.roles[j]], self.turns[step.roles[j]]
        for j in step.new_edges:
            del self.paths[step.edges[j]]
        self.taken -= align.fresh
        self.used.pop()

    # -- ranking readings ----------------------------------------------------------

    def _rank(self) -> tuple:
        """How good a full reading is, before the optional links are looked for."""
        delayed = self.matcher.graph.path_delayed
        edges, stretches = self.pattern.edges, self.pattern.stretches
        inverted = sum(turn < 0 for turn in self.turns.values())
        chains = [self.paths[e.cause, e.effect] for e in edges]
        undelayed = sum(e.typical_delay and not any(delayed(chains[x]) for x in stretch)
                        for e, stretch in zip(edges, stretches, strict=True))
        # Ties: in-between variables go on later links, so a role is played by
        # the variable nearest to the role before it ('the fix's first consequence').
        lengths = tuple(len(chain) for chain in chains)
        elsewhere = sum(e.typical_delay and not delayed(chain)
                        for e, chain in zip(edges, chains, strict=True))
        return inverted + undelayed, elsewhere, lengths, sorted(self.roles.items())

    def _reading(self, key: frozenset[int]) -> Reading:
        """The full match now placed, less the first step (placed first, so listed first)."""
        first = self.steps[0]
        roles = tuple(itertools.islice(self.roles.items(), len(first.roles), None))
        turns = tuple(itertools.islice(self.turns.items(), len(first.roles), None))
        paths = tuple(itertools.islice(self.paths.items(), len(first.edges), None))
        part = self._part(self._later_slots, tuple(role for role, _ in roles))
        return Reading(key, part, roles, turns, paths)

    def _part(self, slots: tuple[int, ...], roles: Sequence[str]) -> tuple:
        """The share of :meth:`_rank` of some roles and of the links in `slots` (pattern
        positions) that they lay out; the first step's links share no stretch with later ones."""
        delayed, paths, pairs = self.matcher.graph.path_delayed, self.paths, self._pairs
        undelayed = elsewhere = 0
        for pair, stretch in self._typical[slots]:
            if not delayed(paths[pair]):
                elsewhere += 1
                undelayed += not any(delayed(paths[other]) for other in stretch)
        inverted = sum(self.turns[r] < 0 for r in roles)
        lengths = tuple([len(paths[pairs[x]]) for x in slots])
        return inverted + undelayed, elsewhere, lengths, [(r, self.roles[r]) for r in roles]

    def _combine(self, first: tuple, later: tuple) -> tuple:
        """:meth:`_rank` from the first step's share and the later steps' share."""
        lengths = [0] * len(self._pairs)
        for x, n in zip(self._first_slots, first[2], strict=True):
            lengths[x] = n
        for x, n in zip(self._later_slots, later[2], strict=True):
            lengths[x] = n
        return first[0] + later[0], first[1] + later[1], tuple(lengths), sorted(first[3] + later[3])

    def _last_rank(self, step: Step, align: Alignment, turn: int) -> tuple:
        """The last step's share of :meth:`_rank`, which orders its readings alike.

        The roles and links placed before are the same for every reading of the
        last loop, and a link it lays shares its stretch of loops only with
        other links it lays, so the sums, the lengths and the roles of the full
        rank differ exactly where these do.
        """
        delayed = self.matcher.graph.path_delayed
        inverted = sum(turn * align.turns[j] < 0 for j in step.new_roles)
        undelayed = sum(typical and not any(delayed(align.paths[x]) for x in stretch)
                        for _, typical, stretch in step.rank_edges)
        elsewhere = sum(typical and not delayed(align.paths[j])
                        for j, typical, _ in step.rank_edges)
        lengths = tuple(len(align.paths[j]) for j, _, _ in step.rank_edges)
        return (inverted + undelayed, elsewhere, lengths,
                tuple(align.vertices[j] for j in step.rank_roles))


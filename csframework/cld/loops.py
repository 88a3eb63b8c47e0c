"""Feedback loops: bounded enumeration, classification and stable names.

A loop is *reinforcing* when it has an even number of ``-`` links (a change
comes back around amplified in the same direction) and *balancing* when the
number is odd (the change comes back opposing itself).

Loops are named R1, R2, ... and B1, B2, ... in a canonical order (shorter
loops first, then by their variables' names), so a diagram gets the same
names whatever order its links were drawn in.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text('''
...     stress -> sleep : -
...     sleep -> energy : +
...     energy -> stress : -
... ''')
>>> loop = cld.loops()[0]
>>> loop
Loop('R1', reinforcing: energy -> stress -> sleep -> energy)
>>> loop.negative_links
2
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING

from csframework.errors import DiagramError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram
    from csframework.cld.elements import Link

__all__ = ["Loop", "LoopList", "canonical_rotation", "find_loops"]

#: Loops found before enumeration stops when no limit is given.
DEFAULT_LIMIT = 10_000

REINFORCING = "reinforcing"
BALANCING = "balancing"


@dataclass(frozen=True)
class Loop:
    """A feedback loop of a causal loop diagram.

    Attributes
    ----------
    name : str
        ``"R1"``, ``"B2"``, ...: stable for a given diagram.
    kind : {"reinforcing", "balancing"}
    variables : tuple of str
        The variables in the order the loop runs; the last links back to the first.
    story : str or None
        A story name the participant gave the loop.
    negative_links : int
        How many ``-`` links the loop has; its parity decides the kind.
    has_delay : bool
        Whether any link of the loop is delayed.
    """

    name: str
    kind: str
    variables: tuple[str, ...]
    _link_map: Mapping[tuple[str, str], Link] = field(repr=False, compare=False)
    story: str | None = None
    negative_links: int = 0
    has_delay: bool = False

    def __getattr__(self, name: str):
        # Loops found by a search carry their variables as numbers until read:
        # naming millions of loops up front would cost more than finding them.
        if name == "variables":
            state = self.__dict__
            if "_cycle" in state:
                variables = itemgetter(*state.pop("_cycle"))(state.pop("_names"))
                state["variables"] = variables
                return variables
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getstate__(self) -> dict:
        _ = self.variables  # named before pickling or copying
        return self.__dict__

    @property
    def links(self) -> tuple[Link, ...]:
        """The links of the loop, in the order it runs."""
        v = self.variables
        return tuple(self._link_map[pair] for pair in zip(v, v[1:] + v[:1], strict=True))

    @property
    def is_reinforcing(self) -> bool:
        return self.kind == REINFORCING

    def __len__(self) -> int:
        return len(self.variables)

    def path(self, arrow: str = " -> ") -> str:
        """The loop written as a closed path, e.g. ``a -> b -> a``."""
        return arrow.join((*self.variables, self.variables[0]))

    def explain(self) -> str:
        """One sentence saying what kind of loop this is and why.

        Examples
        --------
        >>> from csframework.cld import CausalLoopDiagram
        >>> cld = CausalLoopDiagram.from_text("a -> b : -\\nb -> a : +")
        >>> print(cld.loops()[0].explain())  # doctest: +NORMALIZE_WHITESPACE
        B1 is balancing: it has 1 '-' link (an odd number),
        so a change in a comes back opposing itself.
        """
        n = self.negative_links
        parity = "an even number" if n % 2 == 0 else "an odd number"
        plural = "link" if n == 1 else "links"
        effect = ("comes back amplified in the same direction" if self.is_reinforcing
                  else "comes back opposing itself")
        title = f"{self.name} ({self.story})" if self.story else self.name
        return (f"{title} is {self.kind}: it has {n} '-' {plural} ({parity}), so a change in "
                f"{self.variables[0]} {effect}.")

    def __repr__(self) -> str:
        story = f" {self.story!r}" if self.story else ""
        delay = ", delayed" if self.has_delay else ""
        return f"Loop({self.name!r}{story}, {self.kind}{delay}: {self.path()})"


class LoopList(tuple):
    """The loops of a diagram, shortest first, with how the search ended.

    Attributes
    ----------
    complete : bool
        True when every loop (within `max_length`) was found.
    stopped_early : str or None
        Why the search stopped before finding every loop.
    """

    complete: bool
    stopped_early: str | None

    def __new__(cls, loops: Iterable[Loop] = (), stopped_early: str | None = None):
        self = super().__new__(cls, loops)
        self.stopped_early = stopped_early
        self.complete = stopped_early is None
        return self

    @property
    def reinforcing(self) -> tuple[Loop, ...]:
        return tuple(loop for loop in self if loop.is_reinforcing)

    @property
    def balancing(self) -> tuple[Loop, ...]:
        return tuple(loop for loop in self if not loop.is_reinforcing)

    def summary(self) -> str:
        """A short line counting the loops, e.g. ``2 loops: 1 reinforcing, 1 balancing``."""
        n = len(self)
        text = (f"{n} loop{'s' * (n != 1)}: {len(self.reinforcing)} reinforcing, "
                f"{len(self.balancing)} balancing")
        return text if self.complete else f"{text} (stopped early: {self.stopped_early})"

    def __repr__(self) -> str:
        if not self:
            return "LoopList([])" if self.complete else f"LoopList([], {self.stopped_early!r})"
        body = ",\n ".join(repr(loop) for loop in self[:20])
        more = f",\n ... {len(self) - 20} more" if len(self) > 20 else ""
        tail = "" if self.complete else f",\n stopped early: {self.stopped_early}"
        return f"LoopList([{body}{more}]{tail})"

    def _repr_html_(self) -> str:
        from html import escape

        from csframework.style import PALETTE

        rows = []
        for loop in self[:200]:
            colour = PALETTE[loop.kind]
            rows.append(
                f"<tr><td style='color:{colour};font-weight:bold'>{escape(loop.name)}</td>"
                f"<td>{escape(loop.story or '')}</td><td>{loop.kind}</td>"
                f"<td>{'yes' if loop.has_delay else ''}</td>"
                f"<td>{escape(loop.path(' → '))}</td></tr>"
            )
        head = ("<tr><th>loop</th><th>story</th><th>kind</th><th>delay</th>"
                "<th>path</th></tr>")
        return (f"<p>{escape(self.summary())}</p><table>{head}{''.join(rows)}</table>")


def canonical_rotation(variables: Sequence[str]) -> tuple[str, ...]:
    """Rotate a loop so that it starts at its alphabetically first variable.

    Examples
    --------
    >>> canonical_rotation(["c", "a", "b"])
    ('a', 'b', 'c')
    """
    start = min(range(len(variables)), key=variables.__getitem__)
    return tuple(variables[start:]) + tuple(variables[:start])


def find_loops(cld: CausalLoopDiagram, max_length: int | None = None,
               limit: int | None = None) -> LoopList:
    """Find the feedback loops of `cld` (see :meth:`CausalLoopDiagram.loops`).

    The search is Johnson's algorithm (Gupta and Suzumura's when the length is
    bounded), as in :func:`networkx.simple_cycles`, extended to carry each
    path's count of ``-`` and delayed links, so that classifying a loop costs
    nothing extra. Each strongly connected component is searched from its
    alphabetically first variable, so loops come out already in canonical
    rotation.
    """
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length < 2):
        raise DiagramError(f"max_length must be a whole number of at least 2, got {max_length!r}")
    if limit is None:
        limit = DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise DiagramError(f"limit must be a positive whole number, got {limit!r}")

    link_map = {(link.cause, link.effect): link for link in cld.links}
    names = sorted(v.name for v in cld.variables)
    index = {name: i for i, name in enumerate(names)}
    successors: list[list[tuple[int, int]]] = [[] for _ in names]
    for (cause, effect), link in sorted(link_map.items()):
        successors[index[cause]].append(
            (index[effect], link.is_negative + (link.delay << _DELAY_SHIFT)))

    found: list[tuple[list[int], int]] = []
    # Millions of small acyclic objects would wake the cycle collector thousands of
    # times for nothing; it stays off while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _cycles_with_signs(successors, max_length, found, limit + 1)
        stopped = None
        if len(found) > limit:
            found.pop()
            stopped = f"reached the limit of {limit} loops"
        # The search meets loops in (first variable, rest) name order already (see
        # _cycles_with_signs), so a stable sort by length gives the canonical order
        # without comparing long tuples of names.
        found.sort(key=_loop_length)
        return LoopList(_build_loops(found, names, link_map, cld.story_names,
                                     cld.loop_numbers), stopped)
    finally:
        if collecting:
            gc.enable()


def _build_loops(found: list[tuple[list[int], int]], names: list[str],
                 link_map: Mapping[tuple[str, str], Link], stories: Mapping | None,
                 fixed: Mapping[tuple[str, ...], str] | None = None) -> list[Loop]:
    """Loop objects for the cycles found, numbered R1, B1, ... in their order.

    A frozen dataclass sets its fields one by one through ``object.__setattr__``;
    with millions of loops that is most of the work, so each loop gets its
    ``__dict__`` whole, without the fields left at their defaults, and its
    variables' names are looked up when first read (see ``Loop.__getattr__``).

    A fixed name (:meth:`CausalLoopDiagram.number_loop`) holds while its letter fits the
    loop's kind; the other loops are numbered around the fixed names.
    """
    new, set_fields = object.__new__, object.__setattr__
    names = tuple(names)
    chosen: dict[int, str] = {}
    if fixed:
        for index, (cycle, code) in enumerate(found):
            name = fixed.get(tuple(names[i] for i in cycle))
            if name and name[0] == ("B" if code & _NEGATIVE_MASK & 1 else "R"):
                chosen[index] = name
    taken = set(chosen.values())
    counts = [0, 0]
    loops = []
    append = loops.append
    for index, (cycle, code) in enumerate(found):
        negatives = code & _NEGATIVE_MASK
        odd = negatives & 1
        name = chosen.get(index) if chosen else None
        if name is None:
            counts[odd] += 1
            name = f"{'B' if odd else 'R'}{counts[odd]}"
            while taken and name in taken:
                counts[odd] += 1
                name = f"{'B' if odd else 'R'}{counts[odd]}"
        loop = new(Loop)
        fields = {"name": name,
                  "kind": BALANCING if odd else REINFORCING, "_cycle": cycle,
                  "_names": names, "_link_map": link_map, "negative_links": negatives}
        if code > _NEGATIVE_MASK:
            fields["has_delay"] = True
        set_fields(loop, "__dict__", fields)
        append(loop)
    if stories:
        for loop in loops:
            story = stories.get(loop.variables)
            if story is not None:
                set_fields(loop, "story", story)
    return loops


# A link's code counts it as '-' in the low bits and as delayed in the high
# bits, so one running sum along a path carries both counts.
_DELAY_SHIFT = 32
_NEGATIVE_MASK = (1 << _DELAY_SHIFT) - 1

Successors = list[list[tuple[int, int]]]


def _loop_length(found: tuple[list[int], int]) -> int:
    return len(found[0])


def _cycles_with_signs(successors: Successors, max_length: int | None,
                       found: list[tuple[list[int], int]], limit: int) -> None:
    """Append ``(cycle, code)`` to `found` until it holds `limit` cycles; the code
    sums the links' codes around the cycle. Variables are numbers in name order.

    Cycles come out in name order: components are searched in the order of
    their smallest variable (a heap), each from that variable, and the
    depth-first search tries successors in order. The start closes a path
    before any longer path through it is tried, because it is the smallest
    variable left in its component. Appending to a list (not yielding) saves a
    generator round trip per cycle, which counts with millions of them.
    """
    import heapq

    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(successors)))
    graph.add_edges_from((a, b) for a, out in enumerate(successors) for b, _ in out)
    components = [(min(c), c) for c in nx.strongly_connected_components(graph) if len(c) >= 2]
    heapq.heapify(components)
    while components and len(found) < limit:
        start, component = heapq.heappop(components)
        neighbours: Successors = [[]] * len(successors)  # read-only outside the component
        for v in component:
            neighbours[v] = [(w, code) for w, code in successors[v] if w in component]
        if max_length is None:
            _johnson(neighbours, start, found, limit)
        else:
            _bounded(neighbours, start, max_length, found, limit)
        graph.remove_node(start)
        rest = graph.subgraph(component - {start})
        for more in nx.strongly_connected_components(rest):
            if len(more) >= 2:
                heapq.heappush(components, (min(more), more))


def _johnson(neighbours: Successors, start: int, found: list, limit: int) -> None:
    # Johnson (1975), the iterative form used by networkx. Each level of the
    # path keeps one number: the running sum of link codes shifted left by one,
    # with networkx's "closed" flag in the lowest bit (one stack, not two).
    # Variables are numbers, so "blocked" and "blocked by" are plain lists.
    path = [start]
    levels = [0]
    blocked = [False] * len(neighbours)
    blocked[start] = True
    blocked_by: list[set[int] | None] = [None] * len(neighbours)
    stack = [iter(neighbours[start])]
    append = found.append
    while stack:
        for w, code in stack[-1]:
            if w == start:
                append((path[:], (levels[-1] >> 1) + code))
                if len(found) >= limit:
                    return
                levels[-1] |= 1
            elif not blocked[w]:
                levels.append(((levels[-1] >> 1) + code) << 1)
                path.append(w)
                stack.append(iter(neighbours[w]))
                blocked[w] = True
                break
        else:
            stack.pop()
            v = path.pop()
            if levels.pop() & 1:
                if levels:
                    levels[-1] |= 1
                unblock = [v]
                while unblock:
                    u = unblock.pop()
                    if blocked[u]:
                        blocked[u] = False
                        waiting = blocked_by[u]
                        if waiting:
                            unblock.extend(waiting)
                            blocked_by[u] = None
            else:
                for w, _ in neighbours[v]:
                    waiting = blocked_by[w]
                    if waiting is None:
                        blocked_by[w] = {v}
                    else:
                        waiting.add(v)


def _bounded(neighbours: Successors, start: int, length_bound: int, found: list,
             limit: int) -> None:
    # Gupta and Suzumura (2021), as in networkx, with the same running sum.
    path = [start]
    sums = [0]
    lock = {start: 0}
    blocked_by: dict[int, set[int]] = defaultdict(set)
    stack = [iter(neighbours[start])]
    blen = [length_bound]
    append = found.append
    while stack:
        for w, code in stack[-1]:
            if w == start:
                append((path[:], sums[-1] + code))
                if len(found) >= limit:
                    return
                blen[-1] = 1
            elif len(path) < lock.get(w, length_bound):
                sums.append(sums[-1] + code)
                path.append(w)
                blen.append(length_bound)
                lock[w] = len(path)
                stack.append(iter(neighbours[w]))
                break
        else:
            stack.pop()
            v = path.pop()
            sums.pop()
            bl = blen.pop()
            if blen:
                blen[-1] = min(blen[-1], bl)
            if bl < length_bound:
                relax = [(bl, v)]
                while relax:
                    bl, u = relax.pop()
                    if lock.get(u, length_bound) < length_bound - bl + 1:
                        lock[u] = length_bound - bl + 1
                        relax.extend((bl + 1, w) for w in blocked_by[u].difference(path))
            else:
                for w, _ in neighbours[v]:
                    blocked_by[w].add(v)

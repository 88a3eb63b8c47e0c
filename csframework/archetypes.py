"""The systems archetypes: structure, behaviour and story, and finding them in a diagram.

Ten recurring structures of feedback (Senge, Kim, Braun; Meadows' "system
traps"), each an :class:`Archetype` with its causal loop diagram, its library
model, the behaviour over time it tends to produce, a story set in schools and
communities, where leverage lies, and questions for discussion.

:func:`find` recognises the archetypes in *any* causal loop diagram, whatever
its variables are called, from the pattern of links, polarities and loops.

Examples
--------
>>> from csframework import archetypes
>>> len(archetypes.names())
10
>>> fix = archetypes.get("Policy Resistance")
>>> fix
<Archetype 'fixes that fail'>
>>> [(loop.name, loop.story) for loop in fix.cld.loops()]
[('B1', 'quick relief'), ('R1', 'the fix bites back')]
>>> from csframework.cld import CausalLoopDiagram
>>> mine = CausalLoopDiagram.from_text('''
...     late arrivals -> detentions : +
...     detentions -> late arrivals : -
...     detentions -> sense of belonging : -
...     sense of belonging -> late arrivals : -
... ''')
>>> [match] = archetypes.find(mine)
>>> match.archetype.name
'fixes that fail'
>>> for role, variable in match.roles.items():
...     print(f"{role}: {variable}")
problem symptom: late arrivals
fix: detentions
unintended consequence: sense of belonging
>>> match.inverted        # less belonging is more of the unintended consequence
('unintended consequence',)
>>> match.missing
('the delay on fix -> unintended consequence (detentions -> sense of belonging) is not marked',)
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from html import escape
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from csframework import _collector
from csframework._archetype_data import DEFINITIONS, TELLING_APART, Form
from csframework.errors import DiagramError, ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld import CausalLoopDiagram, Loop, LoopList
    from csframework.sd.model import StockFlowModel

__all__ = ["Archetype", "Form", "Match", "MatchList", "find", "get", "names", "place_canonically"]

#: How many links of a participant's diagram may stand in for one archetype link.
MAX_PATH_LENGTH = 3

#: Matches reported per archetype before :func:`find` stops (``MatchList.complete``).
DEFAULT_LIMIT = 1000

#: Loops of the participant's diagram searched at most.
LOOP_LIMIT = 10_000

_WHERE = "csf.archetypes"
_INTERMEDIATE_FACTOR = 0.9   # confidence kept per extra in-between variable
_DELAY_FACTOR = 0.9          # ... per typical delay that is not marked
_OPTIONAL_FACTOR = 0.95      # ... per optional link not drawn
_INVERTED_FACTOR = 0.95      # ... per role played by a variable named the other way round


# --------------------------------------------------------------------------- #
# Archetype
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Archetype:
    """One systems archetype: its structure, behaviour, story and leverage.

    Attributes
    ----------
    name : str
        Lower-case name, e.g. ``"fixes that fail"``.
    aliases : tuple of str
        Other names, including Meadows' names for the related system traps.
    structure : str
        The archetype's diagram in the text notation, with role names.
    loop_stories : tuple
        ``((roles of a loop, story name), ...)``.
    behaviour : str
        The behaviour-over-time pattern (a name of :mod:`csframework.behaviour`)
        that the archetype's library model shows in its key variable.
    behaviour_over_time : str
        The behaviour in words.
    story : str
        The archetype told as a story from schools, teams and communities.
    leverage : str
        Where leverage lies.
    questions : tuple of str
        Questions for discussion.
    optional : tuple of (str, str)
        Links of the classic drawing that are not essential to the structure.
    delay_required : bool
        Whether :func:`find` needs a marked delay to recognise it; other
        delays in :attr:`cld` are typical, and only reported when missing.
    loop_names : tuple of (str, str)
        ``((story name, loop name), ...)`` where the references number a loop
        otherwise than the automatic order would (Senge's B1 for the
        symptomatic loop of shifting the burden). The card, :attr:`cld` and the
        library model all use these names.
    layout : tuple of (str, float, float)
        Where each role is drawn, as the standard references draw the
        archetype; :attr:`cld` carries these positions (see :attr:`positions`).
    forms : tuple of Form
        Other ways the references draw it, with two roles drawn as one
        variable; :func:`find` looks for these too (see :meth:`form_cld`).

    Examples
    --------
    >>> from csframework import archetypes
    >>> limits = archetypes.get("limits to growth")
    >>> limits.roles
    ('efforts', 'performance', 'slowing action', 'constraint')
    >>> limits.essential_roles
    ('efforts', 'performance', 'slowing action')
    >>> limits.behaviour
    's-shaped growth'
    """

    name: str
    aliases: tuple[str, ...]
    structure: str
    loop_stories: tuple[tuple[tuple[str, ...], str], ...]
    behaviour: str
    behaviour_over_time: str
    story: str
    leverage: str
    questions: tuple[str, ...]
    optional: tuple[tuple[str, str], ...] = ()
    delay_required: bool = False
    loop_names: tuple[tuple[str, str], ...] = ()
    layout: tuple[tuple[str, float, float], ...] = ()

    @property
    def positions(self) -> dict[str, tuple[float, float]]:
        """The canonical drawing's position of every role (x to the right, y up).

        Examples
        --------
        >>> from csframework import archetypes
        >>> archetypes.get("limits to growth").positions["performance"]
        (0.0, 0.0)
        """
        return {name: (x, y) for name, x, y in self.layout}
    forms: tuple[Form, ...] = ()

    @property
    def cld(self) -> CausalLoopDiagram:
        """A fresh copy of the archetype's diagram, with role names, story names, the loop
        names of the references and their layout."""
        cld = _diagram(self.structure, self.loop_stories, self.name.capitalize())
        numbers = dict(self.loop_names)
        for loop in cld.loops():
            if loop.story in numbers:
                cld.number_loop(loop, numbers[loop.story])
        if self.layout:
            from csframework.cld.draw import store_positions

            store_positions(cld, self.positions)
        return cld

    def form(self, name: str) -> Form:
        """The form of the archetype called `name` (see :attr:`forms`).

        Raises
        ------
        UnknownNameError
            When the archetype has no such form.

        Examples
        --------
        >>> from csframework import archetypes
        >>> form = archetypes.get("escalation").form("one relative position")
        >>> form.merged
        (("B's result relative to A", "A's result relative to B"),)
        """
        for form in self.forms:
            if form.name == name:
                return form
        raise UnknownNameError(str(name), [f.name for f in self.forms],
                               kind=f"form of {self.name!r}", where=_WHERE)

    def form_cld(self, name: str = "") -> CausalLoopDiagram:
        """A fresh copy of the diagram of one of :attr:`forms` (``""``: the template, :attr:`cld`).

        Examples
        --------
        >>> from csframework import archetypes
        >>> cld = archetypes.get("escalation").form_cld("one relative position")
        >>> [(loop.name, loop.story) for loop in cld.loops()]
        [('B1', 'A catches up'), ('B2', 'B catches up')]
        """
        if not name:
            return self.cld
        form = self.form(name)
        return _diagram(form.structure, form.loop_stories,
                        f"{self.name.capitalize()} ({form.name})")

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role, in the order the structure names them."""
        return _role_names(self.structure)

    @property
    def essential_roles(self) -> tuple[str, ...]:
        """The roles that :func:`find` needs to see before it reports the archetype."""
        return _pattern(self.name).roles_in_order

    def model(self, **variant: Any) -> StockFlowModel:
        """The archetype's model from :mod:`csframework.sd.library`, ready to run.

        Raises
        ------
        ModelError
            When the library has no model of this archetype.

        Examples
        --------
        >>> from csframework import archetypes
        >>> archetypes.get("escalation").model()  # doctest: +ELLIPSIS
        <StockFlowModel 'Escalation': ...>
        """
        from csframework.sd import library

        if self.name not in library.names():
            raise ModelError(
                f"the model library (csf.library) has no model of the archetype {self.name!r}; "
                f"it has: {', '.join(library.names())}"
            )
        return library.load(self.name, **variant)

    def find_in(self, cld: CausalLoopDiagram, **kwargs: Any) -> MatchList:
        """Where this archetype appears in `cld` (see :func:`find`)."""
        return find(cld, archetypes=[self], **kwargs)

    def to_png(self) -> bytes:
        """The archetype's diagram as PNG bytes."""
        return self.cld.to_png()

    def to_svg(self) -> str:
        """The archetype's diagram as SVG text (the same text every time)."""
        return self.cld.to_svg()

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _repr_html_(self) -> str:
        import base64

        aliases = ", ".join(escape(a) for a in self.aliases)
        questions = "".join(f"<li>{escape(q)}</li>" for q in self.questions)
        loops = "; ".join(f"<strong>{escape(loop.name)}</strong> {escape(loop.story or '')} "
                          f"({escape(loop.kind)})" for loop in self.cld.loops() if loop.story)
        picture = base64.b64encode(self.cld.to_png()).decode("ascii")
        return (
            "<div style='border:1px solid #bbb;border-radius:6px;padding:0.8em;max-width:48em'>"
            f"<h3 style='margin-top:0'>{escape(self.name.capitalize())}</h3>"
            f"<p><em>Also called: {aliases}</em></p>"
            f"<img src='data:image/png;base64,{picture}' style='max-width:100%' "
            f"alt='{escape(self.name.capitalize(), quote=True)}: the causal loop diagram'>"
            f"<p>{escape(self.story)}</p>"
            f"<p><strong>Behaviour over time:</strong> {escape(self.behaviour_over_time)} "
            f"({escape(self.behaviour)})</p>"
            f"<p><strong>Loops:</strong> {loops}</p>"
            f"<p><strong>Where leverage lies:</strong> {escape(self.leverage)}</p>"
            f"<p><strong>Questions</strong></p><ul>{questions}</ul></div>"
        )

    def __repr__(self) -> str:
        return f"<Archetype {self.name!r}>"


def _diagram(structure: str, loop_stories: tuple[tuple[tuple[str, ...], str], ...],
             title: str) -> CausalLoopDiagram:
    from csframework.cld import CausalLoopDiagram
    from csframework.cld.loops import canonical_rotation

    cld = CausalLoopDiagram.from_text(structure, title=title)
    stories = {canonical_rotation(roles): story for roles, story in loop_stories}
    for loop in cld.loops():
        story = stories.get(loop.variables)
        if story:
            cld.name_loop(loop, story)
    return cld


_ARCHETYPES: tuple[Archetype, ...] = tuple(
    Archetype(**{f.name: getattr(d, f.name) for f in dataclasses.fields(d)}) for d in DEFINITIONS
)


@cache
def _role_names(structure: str) -> tuple[str, ...]:
    from csframework.cld import CausalLoopDiagram

    return tuple(v.name for v in CausalLoopDiagram.from_text(structure).variables)


def _key(name: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", str(name).strip().lower()).split())


_BY_KEY: dict[str, Archetype] = {
    _key(alias): a for a in _ARCHETYPES for alias in (a.name, *a.aliases)
}


def names() -> tuple[str, ...]:
    """The names of the ten archetypes, in the reference's order.

    Examples
    --------
    >>> from csframework import archetypes
    >>> archetypes.names()[:3]
    ('balancing process with delay', 'limits to growth', 'fixes that fail')
    """
    return tuple(a.name for a in _ARCHETYPES)


def get(name: str | Archetype) -> Archetype:
    """The archetype called `name`, or one of its aliases (case and spacing do not matter).

    Raises
    ------
    UnknownNameError
        For an unknown name, suggesting close ones.

    Examples
    --------
    >>> from csframework import archetypes
    >>> archetypes.get("Drift to low performance")
    <Archetype 'eroding goals'>
    >>> archetypes.get("fixes that fial")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown archetype 'fixes that fial'...'fixes that fail'...
    """
    if isinstance(name, Archetype):
        return name
    try:
        return _BY_KEY[_key(name)]
    except KeyError:
        raise UnknownNameError(str(name), [*names(), *(a for x in _ARCHETYPES for a in x.aliases)],
                               kind="archetype", where=_WHERE) from None


# --------------------------------------------------------------------------- #
# Patterns: the signed role graph that find() looks for
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class _Edge:
    cause: str
    effect: str
    sign: int
    typical_delay: bool


@dataclass(frozen=True)
class _Pattern:
    """An archetype's structure, prepared for matching."""

    roles_in_order: tuple[str, ...]                 # essential roles
    edges: tuple[_Edge, ...]                        # essential links
    optional_edges: tuple[_Edge, ...]
    loops: tuple[tuple[tuple[str, ...], str, str], ...]  # (roles, kind, story) of essential loops
    optional_loops: tuple[tuple[tuple[str, ...], str, str], ...]
    delay_required: bool
    plan: tuple[tuple[tuple[str, ...], tuple[int, ...], str], ...]  # loops in search order
    # For each essential link, the essential links on the same stretch of loops
    # (lying on exactly the same archetype loops), itself included: a typical
    # delay counts as drawn anywhere along its stretch.
    stretches: tuple[tuple[int, ...], ...]


@cache
def _pattern(name: str, form: str = "") -> _Pattern:
    archetype = get(name)
    cld = archetype.form_cld(form)
    optional = set(archetype.optional) if not form else set()
    all_edges = [_Edge(x.cause, x.effect, -1 if x.is_negative else 1, x.delay) for x in cld.links]
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
    plan = tuple((roles, tuple(sign[pair] for pair in _ring_pairs(roles)), kind)
                 for roles, kind, _ in _search_order(loops))
    on_loops = [frozenset(i for i, (roles, _, _) in enumerate(loops)
                          if (e.cause, e.effect) in _ring(roles)) for e in edges]
    stretches = tuple(tuple(x for x, other in enumerate(on_loops) if other == mine)
                      for mine in on_loops)
    return _Pattern(order, edges, optional_edges, tuple(loops), tuple(optional_loops),
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


def _ring_pairs(roles: Sequence[str]) -> list[tuple[str, str]]:
    return list(zip(roles, (*roles[1:], roles[0]), strict=True))


@dataclass(frozen=True)
class _Step:
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
    # The last step's share of the rank (_Matcher._last_rank): its links in the
    # pattern's order as (j, typical delay, links of its stretch), its roles by name.
    rank_edges: tuple[tuple[int, bool, tuple[int, ...]], ...]
    rank_roles: tuple[int, ...]


@cache
def _steps(name: str, form: str = "") -> tuple[_Step, ...]:
    """The archetype's (or its form's) search plan as steps (see :class:`_Step`)."""
    pattern = _pattern(name, form)
    index = {(e.cause, e.effect): n for n, e in enumerate(pattern.edges)}
    placed_roles: set[str] = set()
    laid: set[tuple[str, str]] = set()
    steps = []
    for roles, signs, kind in pattern.plan:
        k = len(roles)
        edges = tuple(_ring_pairs(roles))
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
        steps.append(_Step(
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
    # last step's share of the rank is then complete (see _Matcher._last_rank).
    last = steps[-1]
    if any(len(stretch) != len(pattern.stretches[index[last.edges[j]]])
           for j, _, stretch in last.rank_edges):
        raise ValueError(f"the last loop of {name!r} shares a stretch with earlier loops")
    return tuple(steps)


@cache
def _compositions(total: int, parts: int, most: int
                  ) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """The ways to write `total` as `parts` whole numbers from 1 to `most`, in lexicographic order.

    Each comes with its running sums (where the walk along a loop is before each part).

    >>> _compositions(4, 2, 3)
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


# --------------------------------------------------------------------------- #
# The participant's diagram as a signed graph
# --------------------------------------------------------------------------- #

Path = tuple[str, ...]


class _SignedGraph:
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

    def in_loops(self) -> list[str]:
        return sorted(v for v in self.succ if self.succ[v] and self.pred[v])

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

    def path_sign(self, path: Path) -> int:
        sign = 1
        for pair in pairwise(path):
            sign *= self.sign[pair]
        return sign

    def path_delayed(self, path: Path) -> bool:
        found = self._delayed.get(path)
        if found is None:
            found = self._delayed[path] = any(self.delay[pair] for pair in pairwise(path))
        return found


# --------------------------------------------------------------------------- #
# Matches
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Match:
    """Where an archetype appears in a participant's diagram.

    Attributes
    ----------
    archetype : Archetype
    role_pairs : tuple of (str, str)
        ``(role, participant variable)`` for every role found, essential ones first.
    paths : tuple of (str, str, tuple of str)
        For each archetype link ``(cause role, effect role)``, the participant's
        chain of variables that realises it (two names for a direct link).
    loops : tuple of Loop
        The participant's loops that realise the archetype's loops.
    loop_roles : tuple of str
        For each of `loops`, the archetype loop it plays (its story name).
    missing : tuple of str
        What the classic drawing has that this diagram does not (yet).
    confidence : float
        1.0 for the archetype drawn exactly; less for each in-between
        variable, unmarked typical delay, missing optional link and
        inverted role.
    inverted : tuple of str
        Roles played by a variable named the other way round ('sense of
        belonging' for an unintended consequence that is a *loss* of
        belonging): every sign of its links is flipped, its loops unchanged.
    form : str
        ``""`` for the archetype's template, else the name of the
        :class:`Form` found (two roles of the template drawn as one variable).
    alternatives : tuple of Match
        Other readings of the very same loops: another archetype (or form)
        with the same loop structure, best first. :meth:`explain` says what
        tells them apart.
    """

    archetype: Archetype
    role_pairs: tuple[tuple[str, str], ...]
    paths: tuple[tuple[str, str, Path], ...]
    loops: tuple[Loop, ...]
    loop_roles: tuple[str, ...]
    missing: tuple[str, ...]
    confidence: float
    inverted: tuple[str, ...] = ()
    form: str = ""
    alternatives: tuple[Match, ...] = field(default=(), compare=False)
    _diagram: Any = field(default=None, repr=False, compare=False)

    @property
    def roles(self) -> Mapping[str, str]:
        """Role -> participant variable (read-only)."""
        return MappingProxyType(dict(self.role_pairs))

    @property
    def variables(self) -> tuple[str, ...]:
        """Every participant variable the match uses, roles and in-between ones."""
        seen = dict.fromkeys(v for _, v in self.role_pairs)
        for _, _, path in self.paths:
            seen.update(dict.fromkeys(path))
        return tuple(seen)

    @cached_property
    def links(self) -> tuple[tuple[str, str], ...]:
        """Every participant link ``(cause, effect)`` the match uses."""
        pairs: dict[tuple[str, str], None] = {}
        for _, _, path in self.paths:
            pairs.update(dict.fromkeys(pairwise(path)))
        return tuple(pairs)

    @property
    def highlight(self) -> Loop | None:
        """The participant loop to pass to ``cld.draw(highlight=...)``: the archetype's first."""
        return self.loops[0] if self.loops else None

    def draw(self, loop: int | str = 0, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the participant's diagram with one of the match's loops highlighted.

        Parameters
        ----------
        loop : int or str
            Which of :attr:`loops` (by position, the participant's loop name,
            or the archetype's story name for it).
        """
        if self._diagram is None:
            raise DiagramError("this match does not remember its diagram; use cld.draw("
                               "highlight=match.loops[0]) instead")
        return self._diagram.draw(ax=ax, highlight=self._pick_loop(loop), **kwargs)

    def _pick_loop(self, loop: int | str) -> Loop:
        if isinstance(loop, int):
            return self.loops[loop]
        for found, role in zip(self.loops, self.loop_roles, strict=True):
            if loop in (found.name, role):
                return found
        raise UnknownNameError(str(loop), [x.name for x in self.loops] + list(self.loop_roles),
                               kind="loop", where=f"the match of {self.archetype.name!r}")

    def explain(self) -> str:
        """A few sentences for a participant: which variable plays which role, and why.

        Examples
        --------
        >>> from csframework import archetypes
        >>> [match] = archetypes.get("limits to growth").find_in(
        ...     archetypes.get("limits to growth").cld)
        >>> print(match.explain())  # doctest: +NORMALIZE_WHITESPACE
        Your diagram has the structure of limits to growth (confidence 1.00).
        - 'efforts' plays efforts.
        - 'performance' plays performance.
        - 'slowing action' plays slowing action.
        - 'constraint' plays constraint.
        In the archetype's story, your R1 is 'growing engine' and your B1 is 'the limit bites'.
        """
        lines = [f"Your diagram has the structure of {self.archetype.name} "
                 f"(confidence {self.confidence:.2f})."]
        merged: dict[str, list[str]] = {}
        if self.form:
            form = self.archetype.form(self.form)
            lines.append(f"It is the form with {form.name}, as {form.source} draws it.")
            for role, by in form.merged:
                merged.setdefault(by, []).append(role)
        for role, variable in self.role_pairs:
            also = "".join(f" and, turned round, {other}" for other in merged.get(role, ()))
            if role in self.inverted:
                lines.append(f"- {variable!r} plays {role}{also}, turned round: less "
                             f"{variable} is more {role}.")
            else:
                lines.append(f"- {variable!r} plays {role}{also}.")
        if self.loops:
            lines.append(f"In the archetype's story, {self._story()}.")
        lines += [f"Not (yet) in your drawing: {m}." for m in self.missing]
        for other in self.alternatives:
            cast = ", ".join(f"{variable!r} as {role}" for role, variable in other.role_pairs)
            lines.append(f"The same loops can also be read as {other._title()} (confidence "
                         f"{other.confidence:.2f}), with {cast}; there, {other._story()}.")
            lines.append(f"What tells them apart: {self.telling_apart(other)}")
        return "\n".join(lines)

    def telling_apart(self, other: Match) -> str:
        """What tells this reading of the loops from `other` (one of :attr:`alternatives`).

        Examples
        --------
        >>> from csframework import archetypes
        >>> [match] = archetypes.find(archetypes.get("eroding goals").cld)
        >>> [other] = match.alternatives
        >>> other.archetype.name, other.form
        ('escalation', 'one relative position')
        >>> print(match.telling_apart(other))  # doctest: +ELLIPSIS
        both are two balancing loops through one shared variable. Read it as escalation ...
        """
        text = TELLING_APART.get(frozenset({self.archetype.name, other.archetype.name}))
        if text is None or self.archetype is other.archetype:
            return ("the two readings have the same loops; the names in your diagram and the "
                    "story behind it tell which one fits.")
        return text

    def _title(self) -> str:
        return self.archetype.name + (f" (the form with {self.form})" if self.form else "")

    def _story(self) -> str:
        parts = [f"your {loop.name} is {role!r}"
                 for loop, role in zip(self.loops, self.loop_roles, strict=True)]
        return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{escape(r)}</td><td>{escape(v)}</td></tr>"
                       for r, v in self.role_pairs)
        missing = "".join(f"<li>{escape(m)}</li>" for m in self.missing)
        others = "".join(f"<li>{escape(o._title())} (confidence {o.confidence:.2f}): "
                         f"{escape(self.telling_apart(o))}</li>" for o in self.alternatives)
        form = f" ({escape(self.form)})" if self.form else ""
        return (f"<p><strong>{escape(self.archetype.name.capitalize())}</strong>{form} "
                f"(confidence {self.confidence:.2f})</p>"
                f"<table><tr><th>role</th><th>your variable</th></tr>{rows}</table>"
                + (f"<p>Not yet drawn:</p><ul>{missing}</ul>" if missing else "")
                + (f"<p>The same loops can also be read as:</p><ul>{others}</ul>"
                   if others else ""))

    def __repr__(self) -> str:
        loops = ", ".join(loop.name for loop in self.loops)
        form = f" ({self.form})" if self.form else ""
        more = f", or {len(self.alternatives)} other reading(s)" if self.alternatives else ""
        return (f"<Match {self.archetype.name!r}{form} in {loops or 'no loops'}: "
                f"confidence {self.confidence:.2f}{more}>")


class MatchList(tuple):
    """The matches :func:`find` reported, with how the search ended.

    Attributes
    ----------
    complete : bool
        True when every match was found.
    stopped_early : str or None
        Why the search stopped before the end.
    """

    complete: bool
    stopped_early: str | None

    def __new__(cls, matches: Iterable[Match] = (), stopped_early: str | None = None):
        self = super().__new__(cls, matches)
        self.stopped_early = stopped_early
        self.complete = stopped_early is None
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The archetypes found, each once, in the reference's order."""
        return tuple(dict.fromkeys(m.archetype.name for m in self))

    def __repr__(self) -> str:
        body = ",\n ".join(repr(m) for m in self[:20])
        more = f",\n ... {len(self) - 20} more" if len(self) > 20 else ""
        tail = "" if self.complete else f",\n stopped early: {self.stopped_early}"
        return f"MatchList([{body}{more}]{tail})"

    def _repr_html_(self) -> str:
        if not self:
            return "<p>No archetype found.</p>"
        return "".join(m._repr_html_() for m in self)


# --------------------------------------------------------------------------- #
# find()
# --------------------------------------------------------------------------- #

def find(cld: CausalLoopDiagram, archetypes: Iterable[str | Archetype] | None = None,
         max_loop_length: int = 8, *, max_path_length: int = MAX_PATH_LENGTH,
         allow_inverted: bool = True, nested: bool = False,
         limit: int = DEFAULT_LIMIT) -> MatchList:
    """Find the systems archetypes in a causal loop diagram, whatever its variables are called.

    An archetype is found when its essential structure sits inside the
    diagram: each of its roles is played by a different variable, and each of
    its essential links is realised by a chain of at most `max_path_length`
    links whose polarities multiply to the link's polarity (participants
    often add in-between variables). The chains are simple and share no
    variables apart from the roles, so every archetype loop is a real loop of
    the diagram, of at most `max_loop_length` variables. Delays are reported
    when missing but only required where the archetype is defined by one
    (the balancing process with delay).

    The search places the archetype's loops one at a time on the diagram's
    loops of the same kind (longest archetype loop first, then always one
    sharing roles with those placed), laying each archetype loop's roles
    along the participant loop with every split of it into chains of 1 to
    `max_path_length` links. Branches are cut early: a later archetype loop
    must still have a participant loop through the roles it shares, and a
    later link between two placed roles a signed path of the right sign.
    Of the readings of one set of participant loops the best is kept.

    The references print some archetypes in more than one form: escalation
    also with a single 'relative position' variable between its two
    balancing loops (:attr:`Archetype.forms`); those forms are searched too,
    and ``Match.form`` names the one found. Extra steps inside a loop are
    in-between variables on a chain (up to `max_path_length` links).
    Two archetypes can have the very same loops: escalation drawn with one
    relative position has the two balancing loops through one variable of
    eroding goals. Such readings of one set of loops are reported as one
    match, the best reading (by confidence, then the reference's order),
    with the others in ``Match.alternatives``; ``Match.explain()`` says
    what tells them apart.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The participant's diagram.
    archetypes : iterable of str or Archetype, optional
        Which archetypes to look for (default: all ten).
    max_loop_length : int
        Longest loop of the diagram that may realise an archetype loop.
    max_path_length : int
        Most links that may stand in for one archetype link.
    allow_inverted : bool
        Let a role be played by a variable named the other way round: the
        sign of a single link depends on naming ('sense of belonging' instead
        of 'loss of belonging' flips every link it has), while the loops'
        kinds do not. Such roles are listed in ``Match.inverted`` and lower
        the confidence a little. False demands every link's own polarity.
    nested : bool
        Also report archetypes whose links all lie inside a bigger archetype
        found (shifting the burden holds a fixes-that-fail; eroding goals a
        balancing process with delay). Off by default.
    limit : int
        Most matches reported per archetype (and per form of it), readings
        given as ``alternatives`` included; ``complete`` is False when hit.

    Returns
    -------
    MatchList
        A tuple of :class:`Match`, in the reference's order of archetypes,
        then by confidence. Matches that differ only by a symmetry of the
        archetype (escalation's two parties swapped) are reported once, and
        other archetypes' readings of the same loops as ``alternatives``.

    Examples
    --------
    >>> from csframework import archetypes
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text('''
    ...     enrolment -> reputation : +
    ...     reputation -> enrolment : +
    ...     enrolment -> class size : +
    ...     class size -> enrolment : -
    ... ''')
    >>> found = archetypes.find(cld)
    >>> found
    MatchList([<Match 'limits to growth' in R1, B1: confidence 0.95>])
    >>> dict(found[0].roles)
    {'efforts': 'reputation', 'performance': 'enrolment', 'slowing action': 'class size'}
    >>> found[0].missing
    ('no constraint is drawn pushing the slowing action (constraint -> slowing action)',)

    Escalation as *The Fifth Discipline* draws it, which has the loops of
    eroding goals too:

    >>> race = CausalLoopDiagram.from_text('''
    ...     our security relative to theirs -> our arms building : -
    ...     our arms building -> our arms : +
    ...     our arms -> our security relative to theirs : +
    ...     our security relative to theirs -> their arms building : +
    ...     their arms building -> their arms : +
    ...     their arms -> our security relative to theirs : -
    ... ''')
    >>> [match] = archetypes.find(race)
    >>> match
    <Match 'escalation' (one relative position) in B1, B2: confidence 1.00, or 1 other reading(s)>
    >>> match.roles["A's result relative to B"]
    'our security relative to theirs'
    >>> [(other.archetype.name, other.confidence) for other in match.alternatives]
    [('eroding goals', 0.85)]
    """
    _check_whole(max_loop_length, "max_loop_length", 2)
    _check_whole(max_path_length, "max_path_length", 1)
    _check_whole(limit, "limit", 1)
    chosen = list(_ARCHETYPES) if archetypes is None else [get(a) for a in archetypes]
    graph = _SignedGraph(cld, max_path_length)
    matcher = _Matcher(cld, graph, max_loop_length, bool(allow_inverted))
    found: list[Match] = []
    stopped = []
    with _collector.paused():
        for archetype in chosen:
            matches = matcher.matches(archetype, limit)
            stopped += [f"reached the limit of {limit} matches of {archetype.name!r}"
                        + (f" in the form with {form}" if form else "")
                        for form in matcher.stopped]
            found.extend(sorted(matches, key=_rank))
        if not nested:
            found = _outermost(found)
        found = _with_alternatives(found)
    return MatchList(found, "; ".join(stopped) or None)


def place_canonically(cld: CausalLoopDiagram, archetype: str | Archetype) -> Match | None:
    """Place the variables playing `archetype`'s roles where its canonical drawing puts them.

    The best :func:`find` match of the archetype is taken and each of its role
    variables is placed (:meth:`CausalLoopDiagram.place`) at the role's
    position in :attr:`Archetype.positions`; the layout places the other
    variables around them. Nothing is placed when the archetype is not found
    or has no canonical layout.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to place variables of (changed in place).
    archetype : str or Archetype
        The archetype the diagram is expected to show.

    Returns
    -------
    Match or None
        The match whose roles were placed, or None.

    Examples
    --------
    >>> from csframework import archetypes, library
    >>> cld = library.load("limits to growth").to_cld()
    >>> match = archetypes.place_canonically(cld, "limits to growth")
    >>> cld.positions["performance"] == archetypes.get("limits to growth").positions["performance"]
    True
    """
    found = get(archetype)
    if not found.layout:
        return None
    matches = find(cld, archetypes=[found])
    if not matches:
        return None
    best = matches[0]
    positions = found.positions
    for role, variable in best.role_pairs:
        if role in positions:
            cld.place(variable, *positions[role])
    return best


def _loop_key(match: Match) -> frozenset[tuple[str, ...]]:
    """The participant loops that realise the archetype's essential loops."""
    essential = len(_pattern(match.archetype.name, match.form).loops)
    return frozenset(loop.variables for loop in match.loops[:essential])


def _reading_rank(match: Match) -> tuple[float, int, int]:
    forms = [f.name for f in match.archetype.forms]
    return (-match.confidence, _ARCHETYPES.index(match.archetype),
            forms.index(match.form) + 1 if match.form else 0)


def _with_alternatives(matches: Sequence[Match]) -> list[Match]:
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


def _rank(match: Match) -> tuple[float, int, tuple[tuple[str, str], ...]]:
    return -match.confidence, len(match.links), match.role_pairs


def _better(new: Match, old: Match) -> bool:
    return _rank(new) < _rank(old)


def _outermost(matches: Sequence[Match]) -> list[Match]:
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


def _check_whole(value: object, what: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise DiagramError(f"{what} must be a whole number of at least {least}, got {value!r}")


class _Alignment(NamedTuple):
    """One way to lay the roles of an archetype loop along a participant loop."""

    vertices: tuple[str, ...]   # the variable of each role of the step
    turns: tuple[int, ...]      # each role's turn, relative to the step's anchor role
    paths: tuple[Path, ...]     # the chain of each link roles[j] -> roles[j + 1]
    fresh: frozenset[str]       # variables it takes: new roles, in-between ones of new links


@dataclass
class _Context:
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
    options: dict[int, list[_Alignment]] = field(default_factory=dict)  # by participant loop

    @property
    def turn(self) -> int:
        return self.fixed[0][1] if self.fixed else 1


class _Crossings:
    """Other participant loops as the positions of one loop they run through (bits),
    and which sets of its positions some of them run through (asked once each)."""

    __slots__ = ("known", "masks")

    def __init__(self, masks: list[int]):
        self.masks = masks
        self.known: dict[int, bool] = {}

    def through(self, at: int) -> bool:
        found = self.known[at] = any(at & mask == at for mask in self.masks)
        return found


class _Ring:
    """A participant loop, prepared for laying archetype loops along it."""

    __slots__ = ("crossing", "cycle", "parity", "position", "twice", "whole")

    def __init__(self, loop: Loop, graph: _SignedGraph, index: int,
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

    def align(self, step: _Step, start: int, gaps: tuple[int, ...],
              fresh: frozenset[str]) -> _Alignment:
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
        return _Alignment(tuple(vertices), tuple(turns), tuple(paths), fresh)


_UNSEEN: Any = object()     # a handing on not searched below yet (see _Search._place_first)


class _Reading(NamedTuple):
    """A full match found below the first step: what the later steps placed."""

    key: frozenset[int]          # its participant loops, the first step's included
    part: tuple                  # the later steps' share of the rank (see _Search._part)
    roles: tuple[tuple[str, str], ...]
    turns: tuple[tuple[str, int], ...]
    paths: tuple[tuple[tuple[str, str], Path], ...]


class _Search:
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

    def __init__(self, matcher: _Matcher, archetype: Archetype, limit: int, form: str = ""):
        self.matcher = matcher
        self.name = archetype.name
        self.pattern = _pattern(archetype.name, form)
        self.steps = _steps(archetype.name, form)
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
        self._contexts: list[dict[tuple, _Context]] = [{} for _ in self.steps]
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
        self._readings: list[_Reading] | None = None    # a list while collecting
        self._ahead = [self._look_ahead(i) for i in range(len(self.steps))]
        # For each step, the later steps with some of their roles among its own:
        # (j, walking positions in this step of those roles).
        self._outlook = [
            [(j, tuple((step.roles.index(r) - step.anchor) % len(step.roles)
                       for r in later.roles if r in step.roles))
             for j, later in enumerate(self.steps) if j > i and set(step.roles) & set(later.roles)]
            for i, step in enumerate(self.steps)]
        self._masks: dict[tuple[int, int], _Crossings] = {}
        self._outlooks: dict[tuple[int, int], list[_Crossings]] = {}
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
            below: dict[tuple, list[_Reading] | None] = {}
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

    def _collect(self) -> list[_Reading]:
        """The readings of the search below the first step, in the order it finds them."""
        self._readings = []
        self._place(1)
        readings, self._readings = self._readings, None
        return readings

    def _replay(self, readings: list[_Reading]) -> bool:
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

    def _finish(self, step: _Step, index: int, align: _Alignment, turn: int) -> bool:
        """Complete the match with participant loop `index` for the last archetype loop.

        All readings of the last loop make the same match (the same set of
        loops), so only the best of them is ranked: `align` is the one with the
        best part of the rank they decide (see :meth:`_last_rank`), the first
        of them in walking order on a tie; they all fit when one does.
        """
        key = frozenset((*self.used, index))
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

    def _fits(self, i: int, index: int, context: _Context) -> bool:
        """Whether some alignment of step `i` on participant loop `index` fits."""
        return (self._fresh(index, context).isdisjoint(self.taken)
                and bool(self._aligned(i, index, context)))

    # -- alignments ------------------------------------------------------------------

    def _context(self, i: int) -> _Context:
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
            context = self._contexts[i][fixed, chains] = _Context(fixed, chains, pool, mine)
        return context

    def _fresh(self, index: int, context: _Context) -> frozenset[str]:
        """The variables any alignment in the context on participant loop `index` takes."""
        found = context.fresh.get(index)
        if found is None:
            found = context.fresh[index] = self.matcher.ring(index).whole - context.mine
        return found

    def _aligned(self, i: int, index: int, context: _Context) -> list[_Alignment]:
        """The alignments of step `i` on participant loop `index` that agree with the
        context: they then fit the partial match unless they take a variable taken
        (all take the same ones, see :class:`_Context`).

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
                # all fit or none (see _Context): only the best is ever taken
                aligns = [min(aligns, key=lambda align: self._last_rank(self.steps[i], align,
                                                                       context.turn))]
            found = context.options[index] = aligns
        return found

    def _lay_out(self, i: int, index: int, context: _Context) -> list[_Alignment]:
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
        found: list[_Alignment] = []
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
                for gaps, reach in _compositions(m, len(self.steps[i].roles),
                                                 self.matcher.graph.max_path)
                if all(reach[t] == offset for t, offset in need))
        return found

    def _loop_masks(self, j: int, index: int) -> _Crossings:
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
                found = self.matcher.loop_masks[shared] = _Crossings(kept)
            self._masks[key] = found
        return self._masks[key]

    def _bridged(self, bridges: list[tuple[int, int, int]], ring: _Ring, start: int,
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

    def _push(self, step: _Step, align: _Alignment, turn: int, index: int) -> None:
        for j in step.new_roles:
            self.roles[step.roles[j]] = align.vertices[j]
            self.turns[step.roles[j]] = turn * align.turns[j]
        for j in step.new_edges:
            self.paths[step.edges[j]] = align.paths[j]
        self.taken |= align.fresh
        self.used.append(index)

    def _pop(self, step: _Step, align: _Alignment, index: int) -> None:
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

    def _reading(self, key: frozenset[int]) -> _Reading:
        """The full match now placed, less the first step (placed first, so listed first)."""
        first = self.steps[0]
        roles = tuple(itertools.islice(self.roles.items(), len(first.roles), None))
        turns = tuple(itertools.islice(self.turns.items(), len(first.roles), None))
        paths = tuple(itertools.islice(self.paths.items(), len(first.edges), None))
        part = self._part(self._later_slots, tuple(role for role, _ in roles))
        return _Reading(key, part, roles, turns, paths)

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

    def _last_rank(self, step: _Step, align: _Alignment, turn: int) -> tuple:
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


class _Matcher:
    """Finds one archetype at a time in one diagram, and builds the matches."""

    def __init__(self, cld: CausalLoopDiagram, graph: _SignedGraph, max_loop_length: int,
                 allow_inverted: bool):
        self.cld = cld
        self.graph = graph
        self.max_loop_length = max_loop_length
        self.allow_inverted = allow_inverted
        self.stopped: list[str] = []     # the forms ("": the template) that reached the limit
        self._rings: dict[int, _Ring] = {}
        self._loops: dict[tuple[str, ...], Loop] = {}     # by cycle, as the matches walk it
        self._candidates: dict[tuple, list[tuple[tuple[int, int, str], str]]] = {}
        # participant loops as bits of another (see _Search._loop_masks), by what they play
        self.loop_masks: dict[tuple[str, int, bool, int], _Crossings] = {}

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

    def ring(self, index: int) -> _Ring:
        found = self._rings.get(index)
        if found is None:
            found = self._rings[index] = _Ring(self.participant_loops[index], self.graph, index,
                                               self.loops_through)
        return found

    def matches(self, archetype: Archetype, limit: int) -> list[Match]:
        """The archetype's matches, one per set of participant loops that realise it.

        The same loops read with the roles shifted along them, or the two parties
        swapped, are the same archetype, not another: the best reading is kept.
        Each of the archetype's :attr:`~Archetype.forms` is searched too, with
        `limit` matches for each.
        """
        found = []
        self.stopped = []
        for form in ("", *(f.name for f in archetype.forms)):
            search = _Search(self, archetype, limit, form)
            search.run()
            if search.stopped:
                self.stopped.append(form)
            pattern = search.pattern
            found.extend(self._build(archetype, pattern, roles, turns, paths, form)
                         for _, (roles, turns, paths) in search.best.values())
        return found

    # -- the Match -------------------------------------------------------------

    def _build(self, archetype: Archetype, pattern: _Pattern, roles: dict[str, str],
               turned: dict[str, int], paths: dict[tuple[str, str], Path],
               form: str = "") -> Match:
        missing: list[str] = []
        inverted = tuple(r for r in archetype.roles if turned.get(r, 1) < 0)
        confidence = _INVERTED_FACTOR ** len(inverted)
        for n, edge in enumerate(pattern.edges):
            path = paths[edge.cause, edge.effect]
            if len(path) > 2:
                confidence *= _INTERMEDIATE_FACTOR ** (len(path) - 2)
                missing.append(_in_between(edge, path))
            if edge.typical_delay and not self._delay_nearby(pattern, n, paths):
                confidence *= _DELAY_FACTOR
                missing.append(f"the delay on {edge.cause} -> {edge.effect} "
                               f"({' -> '.join(path)}) is not marked")
        optional_missing = self._fill_optional(pattern, roles, paths)
        confidence *= _OPTIONAL_FACTOR ** len(optional_missing)
        missing.extend(optional_missing)
        loops, loop_roles = [], []
        pairs = {*((e.cause, e.effect) for e in pattern.edges),
                 *((e.cause, e.effect) for e in pattern.optional_edges
                   if (e.cause, e.effect) in paths)}
        for loop_roles_, kind, story in (*pattern.loops, *pattern.optional_loops):
            if not pairs.issuperset(_ring_pairs(loop_roles_)):
                continue
            loops.append(self._loop(_cycle(loop_roles_, paths), kind))
            loop_roles.append(story)
        order = list(archetype.roles)
        role_pairs = tuple(sorted(roles.items(), key=lambda rv: order.index(rv[0])))
        return Match(archetype, role_pairs,
                     tuple((a, b, p) for (a, b), p in paths.items()), tuple(loops),
                     tuple(loop_roles), tuple(missing), round(confidence, 2), inverted,
                     form=form, _diagram=self.cld)

    def _delay_nearby(self, pattern: _Pattern, n: int,
                      paths: Mapping[tuple[str, str], Path]) -> bool:
        """A typical delay (of essential link `n`) counts as drawn anywhere along the same
        stretch of loops."""
        edges = pattern.edges
        return any(self.graph.path_delayed(paths[edges[x].cause, edges[x].effect])
                   for x in pattern.stretches[n])

    def _fill_optional(self, pattern: _Pattern, roles: dict[str, str],
                       paths: dict[tuple[str, str], Path]) -> list[str]:
        """Place optional roles and links where the diagram has them; say what is missing."""
        used = set(roles.values()) | {v for p in paths.values() for v in p}
        missing = []
        for edge in pattern.optional_edges:
            for role in (edge.cause, edge.effect):
                if role not in roles:
                    self._place_optional_role(pattern, role, roles, used)
            if edge.cause not in roles or edge.effect not in roles:
                missing.append(_missing_optional(edge, roles))
                continue
            path = self._free_path(roles[edge.cause], roles[edge.effect], edge.sign, used)
            if path is None:
                missing.append(_missing_optional(edge, roles))
                continue
            paths[edge.cause, edge.effect] = path
            used.update(path)
        return missing

    def _place_optional_role(self, pattern: _Pattern, role: str, roles: dict[str, str],
                             used: set[str]) -> None:
        """Give an optional role the free variable tied best to the placed roles.

        Best: the most optional links realised by free chains of the right sign,
        then the fewest variables on them, then the name.
        """
        ties = tuple(e for e in pattern.optional_edges
                     if (e.cause == role and e.effect in roles)
                     or (e.effect == role and e.cause in roles))
        best: tuple[int, int, str] | None = None
        for hope, candidate in self._optional_candidates(role, ties, roles):
            if best is not None and best <= hope:
                break       # no later candidate can do better
            if candidate in used:
                continue
            score = 0
            length = 0
            for other in ties:
                a = candidate if other.cause == role else roles[other.cause]
                b = candidate if other.effect == role else roles[other.effect]
                # a simple chain from a to b has neither in between
                path = self._free_path(a, b, other.sign, used)
                if path is not None:
                    score += 1
                    length += len(path)
            key = (-score, length, candidate)
            if score and (best is None or key < best):
                best = key
        if best is not None:
            roles[role] = best[2]
            used.add(best[2])

    def _optional_candidates(self, role: str, ties: tuple[_Edge, ...], roles: dict[str, str]
                             ) -> list[tuple[tuple[int, int, str], str]]:
        """The variables that may play an optional role, best first by what they could
        score with no variable taken (a bound on what they score: see _place_optional_role)."""
        ends = tuple(roles[e.cause] if e.effect == role else roles[e.effect] for e in ties)
        key = (role, ties, ends)
        found = self._candidates.get(key)
        if found is None:
            scores: dict[str, list[int]] = {}
            for edge, end in zip(ties, ends, strict=True):
                forward = edge.effect == role
                for candidate in self.graph.reach(end, forward):
                    cause, effect = (end, candidate) if forward else (candidate, end)
                    length = next((len(path) for path, sign in self.graph.paths(cause, effect)
                                   if sign == edge.sign), None)
                    if length is not None:
                        score = scores.setdefault(candidate, [0, 0])
                        score[0] -= 1
                        score[1] += length
            found = self._candidates[key] = sorted(
                ((score, length, candidate), candidate)
                for candidate, (score, length) in scores.items())
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


def _ring(roles: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(roles, (*roles[1:], roles[0]), strict=True))


def _cycle(roles: Sequence[str], paths: Mapping[tuple[str, str], Path]) -> tuple[str, ...]:
    """The participant's loop that realises an archetype loop, as a tuple of variables."""
    cycle: list[str] = []
    for cause, effect in zip(roles, (*roles[1:], roles[0]), strict=True):
        cycle.extend(paths[cause, effect][:-1])
    return tuple(cycle)


def _in_between(edge: _Edge, path: Path) -> str:
    return (f"the {edge.effect if len(path) > 2 else ''} link {edge.cause} -> {edge.effect} "
            f"runs through in-between steps: {' -> '.join(path)}")


def _missing_optional(edge: _Edge, roles: Mapping[str, str]) -> str:
    sign = "+" if edge.sign > 0 else "-"
    if edge.cause not in roles:
        return (f"no {edge.cause} is drawn pushing the {edge.effect} "
                f"({edge.cause} -> {edge.effect})")
    if edge.effect not in roles:
        return f"no {edge.effect} is drawn ({edge.cause} -> {edge.effect} : {sign})"
    return (f"the link {edge.cause} -> {edge.effect} ({sign}) is not drawn, from "
            f"{roles[edge.cause]!r} to {roles[edge.effect]!r}")

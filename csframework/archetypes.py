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
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from html import escape
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from csframework._archetype_data import DEFINITIONS
from csframework.errors import DiagramError, ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld import CausalLoopDiagram, Loop, LoopList
    from csframework.sd.model import StockFlowModel

__all__ = ["Archetype", "Match", "MatchList", "find", "get", "names"]

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

    @property
    def cld(self) -> CausalLoopDiagram:
        """A fresh copy of the archetype's diagram, with role names and story names."""
        from csframework.cld import CausalLoopDiagram
        from csframework.cld.loops import canonical_rotation

        cld = CausalLoopDiagram.from_text(self.structure, title=self.name.capitalize())
        stories = {canonical_rotation(roles): story for roles, story in self.loop_stories}
        for loop in cld.loops():
            story = stories.get(loop.variables)
            if story:
                cld.name_loop(loop, story)
        return cld

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

    def _repr_png_(self) -> bytes:
        return self.cld.to_png()

    def _repr_html_(self) -> str:
        aliases = ", ".join(escape(a) for a in self.aliases)
        questions = "".join(f"<li>{escape(q)}</li>" for q in self.questions)
        loops = "; ".join(f"{escape(story)} ({'+'.join(map(escape, roles[:1]))}…)"
                          for roles, story in self.loop_stories)
        return (
            "<div style='border:1px solid #bbb;border-radius:6px;padding:0.8em;max-width:48em'>"
            f"<h3 style='margin-top:0'>{escape(self.name.capitalize())}</h3>"
            f"<p><em>Also called: {aliases}</em></p>"
            f"<p>{escape(self.story)}</p>"
            f"<p><strong>Behaviour over time:</strong> {escape(self.behaviour_over_time)} "
            f"({escape(self.behaviour)})</p>"
            f"<p><strong>Loops:</strong> {loops}</p>"
            f"<p><strong>Where leverage lies:</strong> {escape(self.leverage)}</p>"
            f"<p><strong>Questions</strong></p><ul>{questions}</ul></div>"
        )

    def __repr__(self) -> str:
        return f"<Archetype {self.name!r}>"


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


@cache
def _pattern(name: str) -> _Pattern:
    archetype = get(name)
    cld = archetype.cld
    optional = set(archetype.optional)
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
    return _Pattern(order, edges, optional_edges, tuple(loops), tuple(optional_loops),
                    archetype.delay_required, plan)


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
        self._paths: dict[tuple[str, str], list[tuple[Path, int]]] = {}

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
        key = (cause, effect)
        if key not in self._paths:
            found = [(p, s) for p, s in self._walks(cause, True) if p[-1] == effect]
            found.sort(key=lambda item: (len(item[0]), item[0]))
            self._paths[key] = found
        return self._paths[key]

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
        return any(self.delay[pair] for pair in pairwise(path))


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
    """

    archetype: Archetype
    role_pairs: tuple[tuple[str, str], ...]
    paths: tuple[tuple[str, str, Path], ...]
    loops: tuple[Loop, ...]
    loop_roles: tuple[str, ...]
    missing: tuple[str, ...]
    confidence: float
    inverted: tuple[str, ...] = ()
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

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """Every participant link ``(cause, effect)`` the match uses."""
        pairs = dict.fromkeys(pair for _, _, path in self.paths
                              for pair in pairwise(path))
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
        Your loop R1 is its growing engine; B1 is its the limit bites.
        """
        lines = [f"Your diagram has the structure of {self.archetype.name} "
                 f"(confidence {self.confidence:.2f})."]
        for role, variable in self.role_pairs:
            if role in self.inverted:
                lines.append(f"- {variable!r} plays {role}, turned round: less {variable} "
                             f"is more {role}.")
            else:
                lines.append(f"- {variable!r} plays {role}.")
        if self.loops:
            parts = [f"{loop.name} is its {role}"
                     for loop, role in zip(self.loops, self.loop_roles, strict=True)]
            lines.append(f"Your loop {'; '.join(parts)}.")
        lines += [f"Not (yet) in your drawing: {m}." for m in self.missing]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{escape(r)}</td><td>{escape(v)}</td></tr>"
                       for r, v in self.role_pairs)
        missing = "".join(f"<li>{escape(m)}</li>" for m in self.missing)
        return (f"<p><strong>{escape(self.archetype.name.capitalize())}</strong> "
                f"(confidence {self.confidence:.2f})</p>"
                f"<table><tr><th>role</th><th>your variable</th></tr>{rows}</table>"
                + (f"<p>Not yet drawn:</p><ul>{missing}</ul>" if missing else ""))

    def __repr__(self) -> str:
        loops = ", ".join(loop.name for loop in self.loops)
        return (f"<Match {self.archetype.name!r} in {loops or 'no loops'}: "
                f"confidence {self.confidence:.2f}>")


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

    The search has two phases. First, roles are given variables one at a
    time, most connected role first, keeping only variables that every link
    to an already placed role could reach by a chain of the right sign
    (forward checking over memoised signed reach sets). Then, for each full
    assignment, disjoint chains are chosen for the links, shortest first,
    and the archetype's loops checked for length and required delays.

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
        Most matches reported per archetype; ``complete`` is False when hit.

    Returns
    -------
    MatchList
        A tuple of :class:`Match`, in the reference's order of archetypes,
        then by confidence. Matches that differ only by a symmetry of the
        archetype (escalation's two parties swapped) are reported once.

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
    """
    _check_whole(max_loop_length, "max_loop_length", 2)
    _check_whole(max_path_length, "max_path_length", 1)
    _check_whole(limit, "limit", 1)
    chosen = list(_ARCHETYPES) if archetypes is None else [get(a) for a in archetypes]
    graph = _SignedGraph(cld, max_path_length)
    matcher = _Matcher(cld, graph, max_loop_length, bool(allow_inverted))
    found: list[Match] = []
    stopped = []
    for archetype in chosen:
        matcher.stopped = False
        matches = matcher.matches(archetype, limit)
        if matcher.stopped:
            stopped.append(f"reached the limit of {limit} matches of {archetype.name!r}")
        found.extend(sorted(matches, key=_rank))
    if not nested:
        found = _outermost(found)
    return MatchList(found, "; ".join(stopped) or None)


def _rank(match: Match) -> tuple[float, int, tuple[tuple[str, str], ...]]:
    return -match.confidence, len(match.links), match.role_pairs


def _better(new: Match, old: Match) -> bool:
    return _rank(new) < _rank(old)


def _outermost(matches: Sequence[Match]) -> list[Match]:
    """Drop matches whose links all lie inside a bigger match of another archetype."""
    link_sets = [frozenset(m.links) for m in matches]
    return [m for m, links in zip(matches, link_sets, strict=True)
            if not any(links < other and n.archetype != m.archetype
                       for n, other in zip(matches, link_sets, strict=True))]


def _check_whole(value: object, what: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise DiagramError(f"{what} must be a whole number of at least {least}, got {value!r}")


class _State:
    """A partial match: roles placed, their turns, the chains laid, the loops used."""

    __slots__ = ("inner", "loops", "paths", "roles", "turns", "vertices")

    def __init__(self) -> None:
        self.roles: dict[str, str] = {}
        self.turns: dict[str, int] = {}
        self.paths: dict[tuple[str, str], Path] = {}
        self.inner: set[str] = set()          # in-between variables of the chains
        self.vertices: set[str] = set()       # variables playing roles
        self.loops: tuple[Loop, ...] = ()

    def copy(self) -> _State:
        new = _State()
        new.roles, new.turns, new.paths = dict(self.roles), dict(self.turns), dict(self.paths)
        new.inner, new.vertices, new.loops = set(self.inner), set(self.vertices), self.loops
        return new

    def place(self, role: str, vertex: str, turn: int) -> None:
        self.roles[role] = vertex
        self.turns[role] = turn
        self.vertices.add(vertex)

    def lay(self, cause: str, effect: str, path: Path, sign: int, graph: _SignedGraph,
            allow_inverted: bool) -> _State | None:
        """This state with `path` realising the archetype link, or None if it cannot."""
        existing = self.paths.get((cause, effect))
        if existing is not None:
            return self if existing == path else None
        end, inner = path[-1], path[1:-1]
        taken = self.vertices | self.inner
        if taken.intersection(inner):
            return None
        if effect in self.roles:
            if self.roles[effect] != end:
                return None
        elif end in taken:
            return None
        turn = graph.path_sign(path) * sign * self.turns[cause]
        if effect in self.turns:
            if self.turns[effect] != turn:
                return None
        elif turn < 0 and not allow_inverted:
            return None
        new = self.copy()
        if effect not in new.roles:
            new.place(effect, end, turn)
        new.paths[cause, effect] = path
        new.inner.update(inner)
        return new


class _Matcher:
    """Finds one archetype at a time in one diagram (phase 1: roles; phase 2: paths)."""

    def __init__(self, cld: CausalLoopDiagram, graph: _SignedGraph, max_loop_length: int,
                 allow_inverted: bool):
        self.cld = cld
        self.graph = graph
        self.max_loop_length = max_loop_length
        self.allow_inverted = allow_inverted
        self.stopped = False

    @cached_property
    def participant_loops(self) -> LoopList:
        return self.cld.loops(max_length=self.max_loop_length, limit=LOOP_LIMIT)

    @cached_property
    def loop_index(self) -> dict[tuple[str, ...], Loop]:
        from csframework.cld.loops import canonical_rotation

        return {canonical_rotation(loop.variables): loop for loop in self.participant_loops}

    @cached_property
    def loops_through(self) -> dict[str, list[int]]:
        """For each variable, the positions in `participant_loops` of the loops through it."""
        through: dict[str, list[int]] = {}
        for i, loop in enumerate(self.participant_loops):
            for v in loop.variables:
                through.setdefault(v, []).append(i)
        return through

    def matches(self, archetype: Archetype, limit: int) -> list[Match]:
        """The archetype's matches, one per set of participant loops that realise it."""
        pattern = _pattern(archetype.name)
        best: dict[frozenset[tuple[str, ...]], tuple[tuple, _State]] = {}
        for state in self._placements(pattern, 0, _State()):
            if pattern.delay_required and not all(loop.has_delay for loop in state.loops):
                continue
            # One instance per set of participant loops: the same loops read with
            # the roles shifted along them, or the two parties swapped, are the
            # same archetype, not another. The best reading of them is kept.
            key = frozenset(loop.variables for loop in state.loops)
            if key not in best and len(best) >= limit:
                self.stopped = True
                break
            rank = self._quick_rank(pattern, state)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, state)
        return [self._build(archetype, pattern, dict(state.roles), dict(state.turns),
                            dict(state.paths)) for _, state in best.values()]

    def _quick_rank(self, pattern: _Pattern, state: _State) -> tuple:
        """How good a reading is, before the optional links are looked for."""
        inverted = sum(turn < 0 for turn in state.turns.values())
        undelayed = sum(edge.typical_delay and not self._delay_nearby(pattern, edge, state.paths)
                        for edge in pattern.edges)
        # Ties: in-between variables go on later links, so a role is played by
        # the variable nearest to the role before it ('the fix's first consequence').
        lengths = tuple(len(state.paths[e.cause, e.effect]) for e in pattern.edges)
        elsewhere = sum(e.typical_delay
                        and not self.graph.path_delayed(state.paths[e.cause, e.effect])
                        for e in pattern.edges)
        return inverted + undelayed, elsewhere, lengths, sorted(state.roles.items())

    # -- the search: one participant loop for each archetype loop -------------

    def _placements(self, pattern: _Pattern, i: int, state: _State) -> Iterator[_State]:
        """Place the archetype's loops one by one on participant loops (depth first)."""
        if i == len(pattern.plan):
            yield state
            return
        roles, signs, kind = pattern.plan[i]
        placed = [r for r in roles if r in state.roles]
        low, high = len(roles), min(self.max_loop_length, len(roles) * self.graph.max_path)
        if placed:
            pools = [set(self.loops_through.get(state.roles[r], ())) for r in placed]
            candidates = sorted(set.intersection(*pools))
        else:
            candidates = range(len(self.participant_loops))
        for index in candidates:
            loop = self.participant_loops[index]
            if loop.kind != kind or not low <= len(loop) <= high or loop in state.loops:
                continue
            for aligned in self._alignments(roles, signs, loop, state):
                aligned.loops = (*state.loops, loop)
                yield from self._placements(pattern, i + 1, aligned)

    def _alignments(self, roles: Sequence[str], signs: Sequence[int], loop: Loop,
                    state: _State) -> Iterator[_State]:
        """Ways to lay the roles of one archetype loop along a participant loop."""
        cycle = loop.variables
        m = len(cycle)
        anchor = next((j for j, r in enumerate(roles) if r in state.roles), None)
        if anchor is None:
            starts = [(0, p) for p in range(m)]
        elif state.roles[roles[anchor]] in cycle:
            starts = [(anchor, cycle.index(state.roles[roles[anchor]]))]
        else:
            return
        for j0, p0 in starts:
            trial = state.copy()
            if roles[j0] not in trial.roles:
                if cycle[p0] in trial.inner:
                    continue
                trial.place(roles[j0], cycle[p0], 1)
            yield from self._walk(roles, signs, cycle, trial, j0, p0, 0, 0)

    def _walk(self, roles: Sequence[str], signs: Sequence[int], cycle: tuple[str, ...],
              state: _State, j: int, p: int, travelled: int, done: int) -> Iterator[_State]:
        """Extend the alignment from role `j` at position `p`, `done` links laid so far."""
        m, k = len(cycle), len(roles)
        if done == k:
            yield state
            return
        cause, effect = roles[j], roles[(j + 1) % k]
        for gap in range(1, self.graph.max_path + 1):
            last = done == k - 1
            if last and travelled + gap != m:
                continue
            if not last and travelled + gap >= m:
                break
            q = (p + gap) % m
            path = tuple(cycle[(p + t) % m] for t in range(gap + 1))
            step = state.lay(cause, effect, path, signs[j], self.graph, self.allow_inverted)
            if step is not None:
                yield from self._walk(roles, signs, cycle, step, (j + 1) % k, q,
                                      travelled + gap, done + 1)

    # -- the Match -------------------------------------------------------------

    def _build(self, archetype: Archetype, pattern: _Pattern, roles: dict[str, str],
               turned: dict[str, int], paths: dict[tuple[str, str], Path]) -> Match:
        missing: list[str] = []
        inverted = tuple(r for r in archetype.roles if turned.get(r, 1) < 0)
        confidence = _INVERTED_FACTOR ** len(inverted)
        for edge in pattern.edges:
            path = paths[edge.cause, edge.effect]
            if len(path) > 2:
                confidence *= _INTERMEDIATE_FACTOR ** (len(path) - 2)
                missing.append(_in_between(edge, path))
            if edge.typical_delay and not self._delay_nearby(pattern, edge, paths):
                confidence *= _DELAY_FACTOR
                missing.append(f"the delay on {edge.cause} -> {edge.effect} "
                               f"({' -> '.join(path)}) is not marked")
        optional_missing = self._fill_optional(pattern, roles, paths)
        confidence *= _OPTIONAL_FACTOR ** len(optional_missing)
        missing.extend(optional_missing)
        loops, loop_roles = [], []
        realised = {*pattern.edges, *(e for e in pattern.optional_edges
                                      if (e.cause, e.effect) in paths)}
        pairs = {(e.cause, e.effect) for e in realised}
        for loop_roles_, kind, story in (*pattern.loops, *pattern.optional_loops):
            ring = set(zip(loop_roles_, loop_roles_[1:] + loop_roles_[:1], strict=True))
            if not ring <= pairs:
                continue
            loops.append(self._loop(_cycle(loop_roles_, paths), kind))
            loop_roles.append(story)
        order = list(archetype.roles)
        role_pairs = tuple(sorted(roles.items(), key=lambda rv: order.index(rv[0])))
        return Match(archetype, role_pairs,
                     tuple((a, b, p) for (a, b), p in paths.items()), tuple(loops),
                     tuple(loop_roles), tuple(missing), round(confidence, 2), inverted, self.cld)

    def _delay_nearby(self, pattern: _Pattern, edge: _Edge,
                      paths: Mapping[tuple[str, str], Path]) -> bool:
        """A typical delay counts as drawn anywhere along the same stretch of loops."""
        def loops_of(e: _Edge) -> frozenset[int]:
            return frozenset(i for i, (roles, _, _) in enumerate(pattern.loops)
                             if (e.cause, e.effect) in _ring(roles))

        stretch = loops_of(edge)
        return any(self.graph.path_delayed(paths[e.cause, e.effect])
                   for e in pattern.edges if loops_of(e) == stretch)

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
        ties = [e for e in pattern.optional_edges
                if (e.cause == role and e.effect in roles)
                or (e.effect == role and e.cause in roles)]
        best: tuple[int, int, str] | None = None
        for edge in ties:
            forward = edge.effect == role
            anchor = roles[edge.cause] if forward else roles[edge.effect]
            for candidate, signs in self.graph.reach(anchor, forward).items():
                if candidate in used or edge.sign not in signs:
                    continue
                score = 0
                length = 0
                for other in ties:
                    a = candidate if other.cause == role else roles[other.cause]
                    b = candidate if other.effect == role else roles[other.effect]
                    path = self._free_path(a, b, other.sign, used - {a, b})
                    if path is not None:
                        score += 1
                        length += len(path)
                key = (-score, length, candidate)
                if score and (best is None or key < best):
                    best = key
        if best is not None:
            roles[role] = best[2]
            used.add(best[2])

    def _free_path(self, cause: str, effect: str, sign: int, used: set[str]) -> Path | None:
        for path, s in self.graph.paths(cause, effect):
            if s == sign and not used.intersection(path[1:-1]):
                return path
        return None

    def _loop(self, cycle: tuple[str, ...], kind: str) -> Loop:
        from csframework.cld import Loop
        from csframework.cld.loops import canonical_rotation

        key = canonical_rotation(cycle)
        found = self.loop_index.get(key)
        if found is not None:
            return found
        links = {(x.cause, x.effect): x for x in self.cld.links}
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

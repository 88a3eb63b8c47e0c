"""Causal loop diagrams: variables, links and the text notation.

A causal loop diagram (CLD) is a set of variables joined by links. Each link
says that a change in its *cause* produces a change in its *effect* in the same
direction (``+``) or in the opposite direction (``-``), possibly after a delay.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text('''
...     trust -> participation : +
...     participation -> trust : +
... ''', title="Classroom")
>>> cld
<CausalLoopDiagram 'Classroom': 2 variables, 2 links>
>>> cld.link("participation", "workload", "+")
Link('participation' -> 'workload', '+')
>>> [v.name for v in cld.variables]
['trust', 'participation', 'workload']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from csframework.cld.conversions import Conversions
from csframework.cld.elements import (
    FACETS,
    Link,
    Polarity,
    Variable,
    clean_delay,
    clean_facet,
    clean_name,
    clean_text,
    coordinate,
    lookup_key,
    quote_name,
)
from csframework.cld.elements import normalise_name as normalise_name  # its old home
from csframework.cld.loops import Loop, LoopList, canonical_rotation, find_loops
from csframework.cld.notation import parse_line
from csframework.errors import DiagramError, NotationError, UnknownNameError

__all__ = ["FACETS", "CausalLoopDiagram", "Link", "Polarity", "Variable"]

class CausalLoopDiagram(Conversions):
    """A causal loop diagram: variables joined by links with polarities.

    Parameters
    ----------
    title : str, optional
        A title shown above the drawing.

    Examples
    --------
    >>> cld = CausalLoopDiagram("Energy")
    >>> cld.add_variable("energy", facet="self")
    Variable('energy', facet='self')
    >>> cld.link("energy", "effort", "+")
    Link('energy' -> 'effort', '+')
    >>> cld.link("effort", "energy", "-", delay=True)
    Link('effort' -> 'energy', '-', delay)
    >>> cld.loops()[0].name, cld.loops()[0].kind
    ('B1', 'balancing')
    """

    def __init__(self, title: str | None = None):
        self.title = clean_text(title, what="the title", where="of a diagram")
        self._variables: dict[str, Variable] = {}
        self._links: dict[tuple[str, str], Link] = {}
        self._story_names: dict[tuple[str, ...], str] = {}
        self._loop_numbers: dict[tuple[str, ...], str] = {}
        self._positions: dict[str, tuple[float, float]] = {}
        self._loops_cache: dict[tuple[Any, Any], LoopList] = {}

    # -- building -------------------------------------------------------------

    def add_variable(self, name: str, facet: str | None = None, note: str | None = None,
                     label: str | None = None) -> Variable:
        """Add a variable, or update the facet, note and label of an existing one.

        `label`, if given, is drawn instead of the name (the name stays the
        variable's identity in links, loops and files).

        Raises
        ------
        DiagramError
            If the name is empty.
        UnknownNameError
            If the facet is not one of ``"self"``, ``"others"``, ``"world"``.
        """
        name = clean_name(name, where="given to add_variable()")
        facet = clean_facet(facet, where=f"variable {name!r}")
        note = clean_text(note, what="the note", where=f"of variable {name!r}")
        label = clean_text(label, what="the label", where=f"of variable {name!r}",
                           one_line=True)
        old = self._variables.get(name)
        if old is not None:
            variable = replace(old, facet=facet or old.facet,
                               note=note if note is not None else old.note,
                               label=label if label is not None else old.label)
        else:
            variable = Variable(name, facet, note, label)
        self._variables[name] = variable
        self._changed()
        return variable

    def link(self, cause: str, effect: str, polarity: object = "+", delay: bool = False,
             note: str | None = None) -> Link:
        """Add a link from `cause` to `effect`, adding missing variables as drawing does.

        Adding the very same link again changes nothing.

        Raises
        ------
        DiagramError
            For an empty name, an unknown polarity, a link from a variable to
            itself, or a link that already exists with another polarity or delay.
        """
        cause = clean_name(cause, where="as the cause of a link")
        effect = clean_name(effect, where=f"as the effect of a link from {cause!r}")
        where = f"on the link {cause!r} -> {effect!r}"
        polarity = Polarity.parse(polarity, where=where)
        delay = clean_delay(delay, where=where)
        note = clean_text(note, what="the note", where=where)
        if cause == effect:
            raise DiagramError(
                f"a link from {cause!r} to itself cannot be drawn; name what changes in between, "
                f"e.g. {cause!r} -> 'change in {cause}' -> {cause!r}"
            )
        new = Link(cause, effect, polarity, delay, note)
        old = self._links.get((cause, effect))
        if old is not None:
            if old.polarity is not new.polarity:
                raise DiagramError(
                    f"the link {cause!r} -> {effect!r} already exists with polarity "
                    f"{old.sign!r}; it cannot also be {new.sign!r}. Remove it first with "
                    f"remove_link({cause!r}, {effect!r}) to change it"
                )
            if old.delay != new.delay:
                had = "a delay" if old.delay else "no delay"
                raise DiagramError(
                    f"the link {cause!r} -> {effect!r} already exists with {had}; remove it "
                    f"first with remove_link({cause!r}, {effect!r}) to change it"
                )
            if note is None or note == old.note:
                return old
        for name in (cause, effect):
            if name not in self._variables:
                self._variables[name] = Variable(name)
        self._links[(cause, effect)] = new
        self._changed()
        return new

    def remove_link(self, cause: str, effect: str) -> Link:
        """Remove the link from `cause` to `effect` and return it."""
        cause, effect = lookup_key(cause), lookup_key(effect)
        try:
            link = self._links.pop((cause, effect))
        except KeyError:
            known = [f"{a} -> {b}" for a, b in self._links]
            raise UnknownNameError(f"{cause} -> {effect}", known, kind="link",
                                   where=self.where) from None
        self._changed()
        return link

    def remove_variable(self, name: str) -> Variable:
        """Remove a variable together with every link (and the position) it has."""
        variable = self.variable(name)
        name = variable.name
        for key in [k for k in self._links if name in k]:
            del self._links[key]
        del self._variables[name]
        self._positions.pop(name, None)
        self._changed()
        return variable

    def name_loop(self, loop: str | Loop, story: str | None) -> Loop:
        """Give a loop a story name (``None`` removes it); returns the renamed loop.

        The story name belongs to the loop's variables, so it survives later
        edits that keep the loop.

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text("trust -> sharing : +\\nsharing -> trust : +")
        >>> cld.name_loop("R1", "trust spiral").story
        'trust spiral'
        >>> cld.loop("trust spiral").name
        'R1'
        """
        found = self.loop(loop) if isinstance(loop, str) else loop
        key = canonical_rotation(found.variables)
        story = clean_text(story, what="the story name", where=f"of loop {found.name}",
                           one_line=True)
        if not story:
            self._story_names.pop(key, None)
        else:
            self._story_names[key] = story
        self._changed()
        return self.loop(found.name)

    def number_loop(self, loop: str | Loop, name: str | None) -> Loop:
        """Give a loop a fixed name such as ``"B1"`` (``None`` goes back to the automatic one).

        Loops are numbered automatically, shortest first; a book or a model may
        number them otherwise (Senge calls the symptomatic loop of shifting the
        burden B1). A fixed name belongs to the loop's variables, like a story
        name; the other loops of its kind are numbered around it. The name
        keeps its letter: a fixed name is ignored while the loop is of the
        other kind.

        Raises
        ------
        DiagramError
            If `name` is not R or B and a number, is of the other kind than the
            loop, or is already another loop's fixed name.

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text('''
        ...     a -> b : +
        ...     b -> a : -
        ...     c -> d : +
        ...     d -> c : -
        ... ''')
        >>> [loop.name for loop in cld.loops()]
        ['B1', 'B2']
        >>> cld.number_loop("B2", "B1").variables
        ('c', 'd')
        >>> [(loop.name, loop.variables) for loop in cld.loops()]
        [('B2', ('a', 'b')), ('B1', ('c', 'd'))]
        """
        found = self.loop(loop) if isinstance(loop, str) else loop
        key = canonical_rotation(found.variables)
        if name is None:
            self._loop_numbers.pop(key, None)
        else:
            letter = found.kind[0].upper()
            if not isinstance(name, str) or not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
                raise DiagramError(f"a loop's name {self.where} is R or B and a number, "
                                   f"like {letter}1; got {name!r}")
            if name[0] != letter:
                raise DiagramError(f"loop {found.path()} is {found.kind}, so its name "
                                   f"starts with {letter}, not {name!r}")
            for other, taken in self._loop_numbers.items():
                if taken == name and other != key:
                    raise DiagramError(f"{name} already names the loop {' -> '.join(other)} "
                                       f"{self.where}")
            self._loop_numbers[key] = name
        self._changed()
        return next(lp for lp in self.loops() if canonical_rotation(lp.variables) == key)

    @property
    def loop_numbers(self) -> dict[tuple[str, ...], str]:
        """Fixed loop names (see :meth:`number_loop`), keyed by the loop's variables (a copy)."""
        return dict(self._loop_numbers)

    def set_loop_names(self, stories: Mapping[tuple[str, ...], str] | None = None,
                       numbers: Mapping[tuple[str, ...], str] | None = None) -> None:
        """Keep story names and fixed loop names as a file or a model gives them.

        Unlike :meth:`name_loop` and :meth:`number_loop` this does not look
        for the loops: a file may name a loop the diagram only gets later. Keys
        are a loop's variables in running order (any rotation); the texts are
        stored as given, so check them first (readers in
        :mod:`csframework.cld.formats` do).

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : +")
        >>> cld.set_loop_names(stories={("b", "a"): "the spiral"}, numbers={("a", "b"): "R2"})
        >>> cld.loops()[0].name, cld.loops()[0].story
        ('R2', 'the spiral')
        """
        for key, story in (stories or {}).items():
            self._story_names[canonical_rotation(key)] = story
        for key, name in (numbers or {}).items():
            self._loop_numbers[canonical_rotation(key)] = name
        self._changed()

    def place(self, name: str, x: float, y: float) -> tuple[float, float]:
        """Put the variable `name` at (`x`, `y`) when the diagram is drawn or exported.

        Positions are part of the diagram: they travel with :meth:`to_json`,
        :meth:`copy` and Kumu exports. Coordinates are plain numbers with y
        pointing up; only their relative placement matters.

        Returns
        -------
        tuple of float
            The position stored.

        Raises
        ------
        UnknownNameError
            If there is no variable `name` (suggesting close names).
        DiagramError
            If `x` or `y` is not a finite number.

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text("trust -> sharing : +")
        >>> cld.place("trust", 0.2, 0.8)
        (0.2, 0.8)
        >>> cld.positions["trust"]
        (0.2, 0.8)
        """
        variable = self.variable(name)
        where = f"for the position of {variable.name!r}"
        position = (coordinate(x, axis="x", where=where), coordinate(y, axis="y", where=where))
        self._positions[variable.name] = position
        return position

    def unplace(self, name: str) -> None:
        """Forget the position of `name` (the layout places it again)."""
        variable = self.variable(name)
        self._positions.pop(variable.name, None)

    @property
    def positions(self) -> Mapping[str, tuple[float, float]]:
        """The positions given with :meth:`place`, by name (a read-only view)."""
        return MappingProxyType(self._positions)

    def _changed(self) -> None:
        self._loops_cache.clear()

    # -- reading --------------------------------------------------------------

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The variables, in the order they were added."""
        return tuple(self._variables.values())

    @property
    def links(self) -> tuple[Link, ...]:
        """The links, in the order they were added."""
        return tuple(self._links.values())

    @property
    def story_names(self) -> dict[tuple[str, ...], str]:
        """Story names given to loops, keyed by the loop's variables (a copy)."""
        return dict(self._story_names)

    def variable(self, name: str) -> Variable:
        """The variable called `name`; suggests close names when there is none."""
        try:
            return self._variables[lookup_key(name)]
        except (KeyError, TypeError):
            raise UnknownNameError(str(name), self._variables, kind="variable",
                                   where=self.where) from None

    def get_link(self, cause: str, effect: str) -> Link:
        """The link from `cause` to `effect`."""
        cause, effect = lookup_key(cause), lookup_key(effect)
        try:
            return self._links[(cause, effect)]
        except KeyError:
            known = [f"{a} -> {b}" for a, b in self._links]
            raise UnknownNameError(f"{cause} -> {effect}", known, kind="link",
                                   where=self.where) from None

    def causes_of(self, name: str) -> tuple[str, ...]:
        """Variables with a link into `name`."""
        name = self.variable(name).name
        return tuple(a for a, b in self._links if b == name)

    def effects_of(self, name: str) -> tuple[str, ...]:
        """Variables that `name` links to."""
        name = self.variable(name).name
        return tuple(b for a, b in self._links if a == name)

    def __contains__(self, name: object) -> bool:
        try:
            return lookup_key(name) in self._variables
        except TypeError:  # unhashable
            return False

    def __len__(self) -> int:
        return len(self._variables)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CausalLoopDiagram):
            return NotImplemented
        return (self.title == other.title and self.variables == other.variables
                and self.links == other.links and self._story_names == other._story_names
                and self._loop_numbers == other._loop_numbers
                and self._positions == other._positions)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def copy(self, title: str | None = None) -> CausalLoopDiagram:
        """An independent copy, optionally under another title."""
        new = CausalLoopDiagram(self.title if title is None else title)
        new._variables = dict(self._variables)
        new._links = dict(self._links)
        new._story_names = dict(self._story_names)
        new._loop_numbers = dict(self._loop_numbers)
        new._positions = dict(self._positions)
        return new

    def to_networkx(self):
        """A :class:`networkx.DiGraph` with ``polarity`` and ``delay`` on each edge."""
        import networkx as nx

        graph = nx.DiGraph(title=self.title)
        for v in self._variables.values():
            graph.add_node(v.name, facet=v.facet, note=v.note)
        for link in self._links.values():
            graph.add_edge(link.cause, link.effect, polarity=link.sign, delay=link.delay,
                           note=link.note)
        return graph

    # -- loops ----------------------------------------------------------------

    def loops(self, max_length: int | None = None, limit: int | None = None) -> LoopList:
        """Every feedback loop, shortest first, named R1, R2 ... and B1, B2 ...

        Parameters
        ----------
        max_length : int, optional
            Ignore loops with more variables than this.
        limit : int, optional
            Stop after finding this many loops. The result's ``complete`` is
            then False and its ``stopped_early`` says why.

        Returns
        -------
        LoopList
            A tuple of :class:`Loop`. Names depend only on the diagram, not on
            the order its links were added in.

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text('''
        ...     births -> population : +
        ...     population -> births : +
        ...     population -> deaths : +
        ...     deaths -> population : -
        ... ''')
        >>> [(loop.name, loop.kind) for loop in cld.loops()]
        [('R1', 'reinforcing'), ('B1', 'balancing')]
        """
        key = (max_length, limit)
        if key not in self._loops_cache:
            self._loops_cache[key] = find_loops(self, max_length=max_length, limit=limit)
        return self._loops_cache[key]

    def loop(self, name: str) -> Loop:
        """The loop called `name` ("R1", "B2") or by its story name."""
        found = self.loops()
        for loop in found:
            if name in (loop.name, loop.story):
                return loop
        known = [loop.name for loop in found] + [loop.story for loop in found if loop.story]
        raise UnknownNameError(str(name), known, kind="loop", where=self.where)

    # -- text notation --------------------------------------------------------

    @classmethod
    def from_text(cls, text: str, title: str | None = None) -> CausalLoopDiagram:
        """Read a diagram written one link per line.

        Each line is ``cause -> effect : polarity`` optionally followed by
        ``delay``. A polarity is ``+`` or ``-`` (also ``s``/``o``,
        ``same``/``opposite`` and the Unicode minus). A line holding only a
        name adds a variable without links. Blank lines are ignored.

        ``#`` starts a comment that runs to the end of the line. A name that
        contains ``#``, ``:``, ``->`` or ``"`` is written in double quotes,
        with ``\\"`` for a quote and ``\\\\`` for a backslash inside them:
        ``"# of pupils" -> noise : +``. :meth:`to_text` quotes such names itself.

        Names are stored as they look: a byte order mark and zero-width
        characters are removed, runs of spaces become one space, and accents
        are composed (Unicode NFC), so ``café`` typed two ways is one variable.

        Raises
        ------
        DiagramError
            If `text` is not a string.
        NotationError
            Naming the line number, its text and the expected form.

        Examples
        --------
        >>> cld = CausalLoopDiagram.from_text('''
        ...     # a thermostat
        ...     gap -> heating : same
        ...     heating -> temperature : s delay
        ...     temperature -> gap : opposite
        ... ''')
        >>> cld.loops()[0].kind, cld.loops()[0].has_delay
        ('balancing', True)
        >>> [v.name for v in CausalLoopDiagram.from_text('"# of pupils" -> noise : +').variables]
        ['# of pupils', 'noise']
        >>> CausalLoopDiagram.from_text("a -> b : maybe")
        Traceback (most recent call last):
        ...
        csframework.errors.NotationError: line 1: unknown polarity 'maybe': 'a -> b : maybe'; \
expected 'cause -> effect : +' or 'cause -> effect : - delay'
        """
        if not isinstance(text, str):
            hint = " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(
                text, (bytes, bytearray)) else ""
            raise DiagramError(f"from_text() reads the diagram as text (a str), got "
                               f"{type(text).__name__} {_short(text)}{hint}")
        cld = cls(title)
        for number, raw in enumerate(text.splitlines(), start=1):
            parsed = parse_line(raw, number)
            if parsed is None:
                continue
            try:
                if isinstance(parsed, str):
                    cld.add_variable(parsed)
                    continue
                cause, effect, polarity, delay = parsed
                cld.link(cause, effect, polarity, delay=delay)
            except DiagramError as err:
                raise NotationError(str(err), number, raw) from None
        return cld

    def to_text(self) -> str:
        """The diagram in the text notation (read back by :meth:`from_text`).

        Names that need it are written in double quotes.

        Examples
        --------
        >>> print(CausalLoopDiagram.from_text("a -> b : o delay").to_text())
        a -> b : - delay
        >>> cld = CausalLoopDiagram()
        >>> _ = cld.link("# of pupils", "noise", "+")
        >>> print(cld.to_text())
        "# of pupils" -> noise : +
        """
        linked = {name for link in self._links.values() for name in (link.cause, link.effect)}
        lines = [quote_name(name) for name in self._variables if name not in linked]
        lines += [link.to_text() for link in self._links.values()]
        return "\n".join(lines)

    @property
    def where(self) -> str:
        """How messages name this diagram: ``"diagram 'Title'"``, or ``"the diagram"``."""
        return f"diagram {self.title!r}" if self.title else "the diagram"

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        nv, nl = len(self._variables), len(self._links)
        return (f"<CausalLoopDiagram{title}: {nv} variable{'s' * (nv != 1)}, "
                f"{nl} link{'s' * (nl != 1)}>")


def _short(value: object, limit: int = 60) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


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

import enum
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from csframework.errors import DiagramError, NotationError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.loops import Loop, LoopList

__all__ = ["FACETS", "CausalLoopDiagram", "Link", "Polarity", "Variable"]

#: The three facets of systems awareness a variable can belong to.
FACETS = ("self", "others", "world")


class Polarity(enum.Enum):
    """The direction in which an effect follows its cause."""

    POSITIVE = "+"
    NEGATIVE = "-"

    @property
    def sign(self) -> str:
        """``"+"`` or ``"-"``."""
        return self.value

    @property
    def word(self) -> str:
        """``"same"`` or ``"opposite"``, as said aloud."""
        return "same" if self is Polarity.POSITIVE else "opposite"

    @classmethod
    def parse(cls, value: object, *, where: str = "") -> Polarity:
        """Read a polarity written any of the accepted ways.

        Accepted: ``+``, ``-``, the Unicode minus ``−``, ``s``/``o``,
        ``same``/``opposite``, ``positive``/``negative``, ``1``/``-1`` and a
        :class:`Polarity` itself.

        Examples
        --------
        >>> Polarity.parse("o")
        <Polarity.NEGATIVE: '-'>
        >>> Polarity.parse("same").sign
        '+'
        """
        if isinstance(value, Polarity):
            return value
        key = str(value).strip().lower()
        try:
            return _POLARITY_WORDS[key]
        except KeyError:
            place = f" {where}" if where else ""
            raise DiagramError(
                f"unknown polarity {value!r}{place}; expected '+' or '-' "
                "(also accepted: 's'/'o', 'same'/'opposite')"
            ) from None


_POLARITY_WORDS = {
    "+": Polarity.POSITIVE, "s": Polarity.POSITIVE, "same": Polarity.POSITIVE,
    "positive": Polarity.POSITIVE, "1": Polarity.POSITIVE, "+1": Polarity.POSITIVE,
    "-": Polarity.NEGATIVE, "\u2212": Polarity.NEGATIVE, "\u2013": Polarity.NEGATIVE,
    "o": Polarity.NEGATIVE, "opposite": Polarity.NEGATIVE, "negative": Polarity.NEGATIVE,
    "-1": Polarity.NEGATIVE,
}


@dataclass(frozen=True)
class Variable:
    """A variable of a diagram: something that can rise or fall.

    Parameters
    ----------
    name : str
        What the variable is called, e.g. ``"trust"``.
    facet : {"self", "others", "world"} or None
        Which facet of systems awareness it belongs to.
    note : str or None
        A participant's note about it.
    label : str or None
        What the drawing shows instead of the name, e.g. ``"customer demand"``
        for a model's ``customer_demand`` (see ``StockFlowModel.to_cld``).
    """

    name: str
    facet: str | None = None
    note: str | None = None
    label: str | None = None

    @property
    def display(self) -> str:
        """What a reader sees: the label if there is one, else the name."""
        return self.label or self.name

    def __repr__(self) -> str:
        facet = f", facet={self.facet!r}" if self.facet else ""
        return f"Variable({self.name!r}{facet})"


@dataclass(frozen=True)
class Link:
    """A causal link from `cause` to `effect` with a polarity and an optional delay."""

    cause: str
    effect: str
    polarity: Polarity
    delay: bool = False
    note: str | None = None

    @property
    def is_negative(self) -> bool:
        """Whether the effect moves opposite to the cause."""
        return self.polarity is Polarity.NEGATIVE

    @property
    def sign(self) -> str:
        """The polarity as ``"+"`` or ``"-"``."""
        return self.polarity.sign

    def to_text(self) -> str:
        """This link in the text notation.

        Examples
        --------
        >>> Link("effort", "results", Polarity.POSITIVE, delay=True).to_text()
        'effort -> results : + delay'
        """
        return (f"{quote_name(self.cause)} -> {quote_name(self.effect)} : {self.sign}"
                + (" delay" if self.delay else ""))

    def __repr__(self) -> str:
        delay = ", delay" if self.delay else ""
        return f"Link({self.cause!r} -> {self.effect!r}, {self.sign!r}{delay})"


_ARROW = re.compile(r"\s*(?:->|→|=>)\s*")
_DELAY_WORDS = {"delay", "delayed", "||", "//", "‖"}


#: Invisible characters removed from names: byte order mark, zero-width space,
#: non-joiner and joiner, word joiner, soft hyphen, left/right marks, Mongolian
#: vowel separator. Text that looks the same is the same name.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u180e"))

#: Characters refused in any text of a diagram: lone surrogates (half of a
#: character, which cannot be saved as UTF-8), control characters other than
#: tab and line breaks, and the bidirectional overrides that make text read
#: differently from how it is stored.
_REFUSED = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f"
                      "\u202a-\u202e\u2066-\u2069]")


def _describe(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    if "\ud800" <= ch <= "\udfff":
        return f"a lone surrogate ({code}, half of a character that was cut in two)"
    return f"the invisible control character {code} ({unicodedata.name(ch, 'control')})"


def _check_text(text: str, *, what: str, where: str) -> str:
    """`text` without invisible characters, in NFC; refuses surrogates and controls."""
    text = text.translate(_INVISIBLE)
    bad = _REFUSED.search(text)
    if bad is not None:
        raise DiagramError(
            f"{what} {where} contains {_describe(bad.group())} at position {bad.start()}; "
            "retype it with ordinary characters"
        )
    return unicodedata.normalize("NFC", text)


def normalise_name(name: str) -> str:
    """The form a name is stored in: invisible characters removed, NFC, single spaces.

    Used for lookups, so that ``"trust\u200b"`` finds ``"trust"``. It never raises;
    names are *checked* when they are added.

    Examples
    --------
    >>> normalise_name("\ufeffcafe\u0301  culture\u200b")
    'café culture'
    """
    return " ".join(unicodedata.normalize("NFC", name.translate(_INVISIBLE)).split())


def _clean_name(name: object, *, where: str) -> str:
    if not isinstance(name, str):
        raise DiagramError(f"a variable name must be text, got {name!r} {where}")
    cleaned = " ".join(_check_text(name, what="the variable name", where=where).split())
    if not cleaned:
        raise DiagramError(f"empty variable name {where}; give every variable a name")
    return cleaned


def _clean_text(value: object, *, what: str, where: str, one_line: bool = False) -> str | None:
    """A note, story or title: None stays None; text is checked and normalised."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise DiagramError(f"{what} {where} must be text, got {type(value).__name__} {value!r}")
    text = _check_text(value, what=what, where=where)
    return " ".join(text.split()) if one_line else text


def _lookup(name: object) -> object:
    return normalise_name(name) if isinstance(name, str) else name


def _clean_delay(delay: object, *, where: str) -> bool:
    if isinstance(delay, bool):
        return delay
    if getattr(delay, "shape", None) == () and str(getattr(delay, "dtype", "")) == "bool":
        return bool(delay)  # a numpy bool
    raise DiagramError(
        f"delay {where} must be True or False, got {delay!r}"
        + (" (text is not read as a yes or no)" if isinstance(delay, str) else "")
    )


def coordinate(value: object, *, axis: str, where: str) -> float:
    """`value` as a finite float, or a DiagramError naming `axis` and `where`.

    Examples
    --------
    >>> coordinate(2, axis="x", where="for 'trust'")
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DiagramError(f"{axis} {where} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise DiagramError(f"{axis} {where} must be a finite number, got {value!r}")
    return number


def _clean_facet(facet: object, *, where: str) -> str | None:
    if facet is None or facet == "":
        return None
    key = str(facet).strip().lower()
    if key not in FACETS:
        raise UnknownNameError(str(facet), FACETS, kind="facet", where=where)
    return key


class CausalLoopDiagram:
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
        self.title = _clean_text(title, what="the title", where="of a diagram")
        self._variables: dict[str, Variable] = {}
        self._links: dict[tuple[str, str], Link] = {}
        self._story_names: dict[tuple[str, ...], str] = {}
        self._loop_numbers: dict[tuple[str, ...], str] = {}
        self._positions: dict[str, tuple[float, float]] = {}
        self._loops_cache: dict[tuple[Any, Any], LoopList] = {}
        self._revision = 0

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
        name = _clean_name(name, where="given to add_variable()")
        facet = _clean_facet(facet, where=f"variable {name!r}")
        note = _clean_text(note, what="the note", where=f"of variable {name!r}")
        label = _clean_text(label, what="the label", where=f"of variable {name!r}",
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
        cause = _clean_name(cause, where="as the cause of a link")
        effect = _clean_name(effect, where=f"as the effect of a link from {cause!r}")
        where = f"on the link {cause!r} -> {effect!r}"
        polarity = Polarity.parse(polarity, where=where)
        delay = _clean_delay(delay, where=where)
        note = _clean_text(note, what="the note", where=where)
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
        cause, effect = _lookup(cause), _lookup(effect)
        try:
            link = self._links.pop((cause, effect))
        except KeyError:
            known = [f"{a} -> {b}" for a, b in self._links]
            raise UnknownNameError(f"{cause} -> {effect}", known, kind="link",
                                   where=self._where()) from None
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
        from csframework.cld.loops import canonical_rotation

        found = self.loop(loop) if isinstance(loop, str) else loop
        key = canonical_rotation(found.variables)
        story = _clean_text(story, what="the story name", where=f"of loop {found.name}",
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
        from csframework.cld.loops import canonical_rotation

        found = self.loop(loop) if isinstance(loop, str) else loop
        key = canonical_rotation(found.variables)
        if name is None:
            self._loop_numbers.pop(key, None)
        else:
            letter = found.kind[0].upper()
            if not isinstance(name, str) or not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
                raise DiagramError(f"a loop's name {self._where()} is R or B and a number, "
                                   f"like {letter}1; got {name!r}")
            if name[0] != letter:
                raise DiagramError(f"loop {found.path()} is {found.kind}, so its name "
                                   f"starts with {letter}, not {name!r}")
            for other, taken in self._loop_numbers.items():
                if taken == name and other != key:
                    raise DiagramError(f"{name} already names the loop {' -> '.join(other)} "
                                       f"{self._where()}")
            self._loop_numbers[key] = name
        self._changed()
        return next(lp for lp in self.loops() if canonical_rotation(lp.variables) == key)

    @property
    def loop_numbers(self) -> dict[tuple[str, ...], str]:
        """Fixed loop names (see :meth:`number_loop`), keyed by the loop's variables (a copy)."""
        return dict(self._loop_numbers)

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
        self._revision += 1
        return position

    def unplace(self, name: str) -> None:
        """Forget the position of `name` (the layout places it again)."""
        variable = self.variable(name)
        if self._positions.pop(variable.name, None) is not None:
            self._revision += 1

    @property
    def positions(self) -> Mapping[str, tuple[float, float]]:
        """The positions given with :meth:`place`, by name (a read-only view)."""
        return MappingProxyType(self._positions)

    def _changed(self) -> None:
        self._revision += 1
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
            return self._variables[_lookup(name)]
        except (KeyError, TypeError):
            raise UnknownNameError(str(name), self._variables, kind="variable",
                                   where=self._where()) from None

    def get_link(self, cause: str, effect: str) -> Link:
        """The link from `cause` to `effect`."""
        cause, effect = _lookup(cause), _lookup(effect)
        try:
            return self._links[(cause, effect)]
        except KeyError:
            known = [f"{a} -> {b}" for a, b in self._links]
            raise UnknownNameError(f"{cause} -> {effect}", known, kind="link",
                                   where=self._where()) from None

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
            return _lookup(name) in self._variables
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
        from csframework.cld.loops import find_loops

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
        raise UnknownNameError(str(name), known, kind="loop", where=self._where())

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
            parsed = _parse_line(raw, number)
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

    # -- formats and display (see formats.py and draw.py) -----------------------

    def to_json(self, indent: int | None = 2) -> str:
        """The diagram as versioned JSON; :meth:`from_json` reads it back exactly."""
        from csframework.cld.formats import to_json

        return to_json(self, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> CausalLoopDiagram:
        """Read a diagram written by :meth:`to_json` (or Kumu JSON)."""
        from csframework.cld.formats import from_json

        return from_json(text)

    def to_kumu(self, indent: int | None = 2) -> str:
        """Kumu blueprint JSON (elements, connections, loops, positions) for import into Kumu."""
        from csframework.cld.formats import to_kumu

        return to_kumu(self, indent=indent)

    @classmethod
    def from_kumu(cls, text: str) -> CausalLoopDiagram:
        """Read a Kumu blueprint or Kumu's own project export (see :func:`~.formats.from_kumu`)."""
        from csframework.cld.formats import from_kumu

        return from_kumu(text)

    def to_loopy(self, path: str | None = None) -> str:
        """A link that opens the diagram in Loopy (and, given `path`, an HTML page with it).

        See :func:`csframework.cld.formats.to_loopy` for what Loopy cannot show
        (delays, loop names).
        """
        from csframework.cld.formats import to_loopy

        return to_loopy(self, path)

    def to_dot(self) -> str:
        """Graphviz DOT source."""
        from csframework.cld.formats import to_dot

        return to_dot(self)

    def to_mermaid(self) -> str:
        """Mermaid flowchart source."""
        from csframework.cld.formats import to_mermaid

        return to_mermaid(self)

    def draw(self, ax=None, highlight=None, **kwargs):
        """Draw the diagram with matplotlib; returns the figure.

        See :func:`csframework.cld.draw.draw` for the options.
        """
        from csframework.cld.draw import draw

        return draw(self, ax=ax, highlight=highlight, **kwargs)

    def to_png(self, **kwargs) -> bytes:
        """The drawing as PNG bytes."""
        from csframework.cld.draw import to_png

        return to_png(self, **kwargs)

    def to_svg(self, **kwargs) -> str:
        """The drawing as SVG text (the same text for the same diagram and theme)."""
        from csframework.cld.draw import to_svg

        return to_svg(self, **kwargs)

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _where(self) -> str:
        return f"diagram {self.title!r}" if self.title else "the diagram"

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        nv, nl = len(self._variables), len(self._links)
        return (f"<CausalLoopDiagram{title}: {nv} variable{'s' * (nv != 1)}, "
                f"{nl} link{'s' * (nl != 1)}>")


_NEEDS_QUOTES = re.compile(r'[#:"\\]|->|→|=>')
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(#)|([^"#]+)|(")', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')
_SLOT = re.compile("\x00(\\d+)\x00")


def quote_name(name: str) -> str:
    """`name` as written in the text notation: in double quotes when it needs them.

    Examples
    --------
    >>> quote_name("trust"), quote_name('# of "pupils"')
    ('trust', '"# of \\\\"pupils\\\\""')
    """
    if not _NEEDS_QUOTES.search(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _short(value: object, limit: int = 60) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_line(raw: str, number: int) -> str | tuple[str, str, str, bool] | None:
    """One line: None (blank or comment), a name alone, or (cause, effect, polarity, delay)."""
    text = raw.translate(_INVISIBLE)
    bad = _REFUSED.search(text)
    if bad is not None:
        raise NotationError(f"the line contains {_describe(bad.group())}", number, raw)
    plain, names, comment = _split_quotes(text, number, raw)
    line = plain.strip()
    if not line:
        return None
    try:
        parsed = _parse_parts(line, names, number, raw)
    except NotationError as err:
        if comment is None:
            raise
        raise NotationError(
            f"{err.problem} ('#' starts a comment; write a name that contains '#' in double "
            "quotes)", number, raw) from None
    if isinstance(parsed, str) and comment is not None and _ARROW.search(comment):
        raise NotationError(
            f"'#' starts a comment, so this line reads as the variable {parsed!r} alone; "
            "write a name that contains '#' in double quotes, e.g. \"# of pupils\" -> noise : +",
            number, raw)
    return parsed


def _split_quotes(text: str, number: int, raw: str) -> tuple[str, list[str], str | None]:
    """Replace quoted names by slots; cut the comment. Returns (line, names, comment)."""
    out: list[str] = []
    names: list[str] = []
    for match in _TOKEN.finditer(text):
        quoted, hash_mark, plain, stray = match.groups()
        if hash_mark is not None:
            return "".join(out), names, text[match.end():]
        if stray is not None:
            raise NotationError("a name opened with '\"' is not closed", number, raw)
        if plain is not None:
            out.append(plain)
        else:
            out.append(f"\x00{len(names)}\x00")
            names.append(_UNESCAPE.sub(r"\1", quoted))
    return "".join(out), names, None


def _name_part(part: str, names: list[str], which: str, number: int, raw: str) -> str:
    part = part.strip()
    slot = _SLOT.fullmatch(part)
    if slot is not None:
        return names[int(slot.group(1))]
    if _SLOT.search(part):
        raise NotationError(f"a quoted {which} name must be the whole name, with nothing "
                            "outside its quotes", number, raw)
    return part


def _parse_parts(line: str, names: list[str], number: int, raw: str
                 ) -> str | tuple[str, str, str, bool]:
    parts = _ARROW.split(line)
    if len(parts) == 1:
        if ":" in line:
            raise NotationError("no arrow '->' between cause and effect", number, raw)
        return _name_part(line, names, "variable", number, raw)
    if len(parts) != 2:
        raise NotationError("one link per line, with a single '->'", number, raw)
    cause, rest = parts
    if ":" not in rest:
        raise NotationError("missing ': polarity' after the effect", number, raw)
    effect, spec = rest.rsplit(":", 1)
    cause = _name_part(cause, names, "cause", number, raw)
    effect = _name_part(effect, names, "effect", number, raw)
    if not cause or not effect:
        which = "cause" if not cause else "effect"
        raise NotationError(f"empty {which} name", number, raw)
    if _SLOT.search(spec):
        raise NotationError("only names may be quoted, not the polarity", number, raw)
    words = spec.split()
    if not words:
        raise NotationError("missing polarity after ':'", number, raw)
    polarity, *extra = words
    if polarity.lower() not in _POLARITY_WORDS:
        # "+delay" or "-||" written without a space
        for mark in sorted(_DELAY_WORDS, key=len, reverse=True):
            head = polarity[: -len(mark)]
            if polarity.lower().endswith(mark) and head.lower() in _POLARITY_WORDS:
                polarity, extra = head, [mark, *extra]
                break
        else:
            raise NotationError(f"unknown polarity {polarity!r}", number, raw)
    delay = False
    for word in extra:
        if word.lower() in _DELAY_WORDS:
            delay = True
        else:
            raise NotationError(f"unexpected {word!r} after the polarity (only 'delay' may follow)",
                                number, raw)
    return cause, effect, polarity, delay

"""The archetype cards: the :class:`Archetype` class and the catalogue of the ten.

Each card is built from the data in :mod:`csframework._archetype_data`: its
structure, loops, behaviour, story, leverage and questions, its canonical
layout and the other forms the references draw. :func:`get` finds a card by
name or alias.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from csframework._archetype_data import DEFINITIONS, Form
from csframework._text import normalise
from csframework.archetypes.patterns import compile_pattern
from csframework.archetypes.search import search
from csframework.errors import ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.matches import MatchList
    from csframework.cld import CausalLoopDiagram
    from csframework.sd.model import StockFlowModel

__all__ = ["ARCHETYPES", "Archetype", "get", "names"]

_WHERE = "csf.archetypes"


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
        return compile_pattern(self).roles_in_order

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
        return search(cld, [self], **kwargs)

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
        aliases = ", ".join(escape(a) for a in self.aliases)
        questions = "".join(f"<li>{escape(q)}</li>" for q in self.questions)
        loops = "; ".join(f"<strong>{escape(loop.name)}</strong> {escape(loop.story or '')} "
                          f"({escape(loop.kind)})" for loop in self.cld.loops() if loop.story)
        picture = base64.b64encode(self.cld.to_png()).decode("ascii")
        forms = "".join(f"<li>with {escape(form.name)}, as {escape(form.source)} draws it</li>"
                        for form in self.forms)
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
            + (f"<p><strong>The archetype finder also recognises it drawn</strong></p>"
               f"<ul>{forms}</ul>" if forms else "") +
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


#: The ten archetypes, in the reference's order.
ARCHETYPES: tuple[Archetype, ...] = tuple(Archetype(**definition) for definition in DEFINITIONS)


@cache
def _role_names(structure: str) -> tuple[str, ...]:
    from csframework.cld import CausalLoopDiagram

    return tuple(v.name for v in CausalLoopDiagram.from_text(structure).variables)


_BY_KEY: dict[str, Archetype] = {
    normalise(alias): a for a in ARCHETYPES for alias in (a.name, *a.aliases)
}


def names() -> tuple[str, ...]:
    """The names of the ten archetypes, in the reference's order.

    Examples
    --------
    >>> from csframework import archetypes
    >>> archetypes.names()[:3]
    ('balancing process with delay', 'limits to growth', 'fixes that fail')
    """
    return tuple(a.name for a in ARCHETYPES)


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
        return _BY_KEY[normalise(name)]
    except KeyError:
        raise UnknownNameError(str(name), [*names(), *(a for x in ARCHETYPES for a in x.aliases)],
                               kind="archetype", where=_WHERE) from None

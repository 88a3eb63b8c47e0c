"""What :func:`~csframework.archetypes.find` reports: a :class:`Match` and a :class:`MatchList`.

A match says which participant variable plays which role of the archetype,
through which chains and loops, what the classic drawing has that the
diagram lacks, and how it can be read otherwise; it explains itself to a
participant in a few sentences and draws itself highlighted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from csframework._archetype_data import TELLING_APART
from csframework.archetypes.graph import Path
from csframework.errors import DiagramError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.catalogue import Archetype
    from csframework.cld import CausalLoopDiagram, Loop

__all__ = ["Match", "MatchList"]


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
    diagram : CausalLoopDiagram or None
        The participant's diagram the match was found in (:meth:`draw` draws it).
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
    diagram: CausalLoopDiagram | None = field(default=None, repr=False, compare=False)

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
        if self.diagram is None:
            raise DiagramError("this match does not remember its diagram; use cld.draw("
                               "highlight=match.loops[0]) instead")
        return self.diagram.draw(ax=ax, highlight=self._pick_loop(loop), **kwargs)

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
                lines.append(f"- {variable!r} plays {role}{also}, turned round: the lower "
                             f"{variable!r}, the more {role}.")
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


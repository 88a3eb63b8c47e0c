"""Finding the systems archetypes in a participant's causal loop diagram: :func:`find`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from csframework.archetypes.catalogue import ARCHETYPES, Archetype, get
from csframework.archetypes.search import (
    DEFAULT_LIMIT,
    MAX_PATH_LENGTH,
    check_arguments,
    search,
)

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.matches import MatchList
    from csframework.cld import CausalLoopDiagram

__all__ = ["find"]


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
    check_arguments(max_loop_length, max_path_length, limit)
    chosen = list(ARCHETYPES) if archetypes is None else [get(a) for a in archetypes]
    return search(cld, chosen, max_loop_length, max_path_length=max_path_length,
                  allow_inverted=allow_inverted, nested=nested, limit=limit)

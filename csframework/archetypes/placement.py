"""Drawing a diagram in an archetype's canonical layout: :func:`place_canonically`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csframework.archetypes.catalogue import Archetype, get
from csframework.archetypes.finding import find

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.matches import Match
    from csframework.cld import CausalLoopDiagram

__all__ = ["place_canonically"]


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


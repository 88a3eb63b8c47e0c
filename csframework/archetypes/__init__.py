"""The systems archetypes: structure, behaviour and story, and finding them in a diagram.

Ten recurring structures of feedback (Senge, Kim, Braun; Meadows' "system
traps"), each an :class:`Archetype` with its causal loop diagram, its library
model, the behaviour over time it tends to produce, a story set in schools and
communities, where leverage lies, and questions for discussion.

:func:`find` recognises the archetypes in *any* causal loop diagram, whatever
its variables are called, from the pattern of links, polarities and loops.

The package, from the bottom up: :mod:`~csframework.archetypes.patterns` (an
archetype's structure prepared for the search), :mod:`~csframework.archetypes.graph`
(the participant's diagram as a signed graph and its loops as rings),
:mod:`~csframework.archetypes.loop_search` (the depth-first search),
:mod:`~csframework.archetypes.matches` (:class:`Match`, :class:`MatchList`),
:mod:`~csframework.archetypes.matching` (from the search to the matches),
:mod:`~csframework.archetypes.readings` (which matches to report),
:mod:`~csframework.archetypes.search` (the engine), :mod:`~csframework.archetypes.catalogue`
(the cards: :class:`Archetype`, :func:`get`, :func:`names`),
:mod:`~csframework.archetypes.finding` (:func:`find`) and
:mod:`~csframework.archetypes.placement` (:func:`place_canonically`).

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

from csframework._archetype_data import Form
from csframework.archetypes.catalogue import Archetype, get, names
from csframework.archetypes.finding import find
from csframework.archetypes.matches import Match, MatchList
from csframework.archetypes.matching import LOOP_LIMIT as LOOP_LIMIT
from csframework.archetypes.placement import place_canonically
from csframework.archetypes.search import DEFAULT_LIMIT as DEFAULT_LIMIT
from csframework.archetypes.search import MAX_PATH_LENGTH as MAX_PATH_LENGTH

__all__ = ["Archetype", "Form", "Match", "MatchList", "find", "get", "names", "place_canonically"]

"""Donella Meadows' places to intervene in a system, and tagging them on a diagram.

Meadows listed twelve kinds of leverage point, numbered from 12 (the least
effective: changing a number) to 1 (the most: the ability to step outside any
one paradigm). The names and the order are hers; the descriptions, examples
and questions here are our own words. Following a common reading of her list,
each point also belongs to a *realm*: ``"parameters"`` (12-10), ``"feedbacks"``
(9-7), ``"design"`` (6-4) and ``"intent"`` (3-1): the deeper the realm, the
harder the change and the further it reaches.

:class:`LeverageMap` tags variables and links of a causal loop diagram with
leverage points, draws the diagram with small numbered badges, and saves as
JSON. :func:`suggest` offers first guesses from the diagram's structure (a
delayed link, a goal, an information link, ...): prompts for a group's
conversation, never answers.

Examples
--------
>>> from csframework import leverage
>>> [p.number for p in leverage.points()][:3]
[12, 11, 10]
>>> leverage.get(3)
<LeveragePoint 3: goals>
>>> leverage.get("length of delays")
<LeveragePoint 9: delays>
>>> leverage.get("paradims")
Traceback (most recent call last):
...
csframework.errors.UnknownNameError: unknown leverage point 'paradims' ... 'paradigms'?
"""

from csframework.leverage.meadows import BADGE, LeveragePoint, get, names, points, table
from csframework.leverage.picture import chart
from csframework.leverage.suggestions import Suggestion, Suggestions, suggest
from csframework.leverage.tags import SCHEMA, VERSION, LeverageMap, LeverageTag, Target

__all__ = ["BADGE", "SCHEMA", "VERSION", "LeverageMap", "LeveragePoint", "LeverageTag",
           "Suggestion", "Suggestions", "Target", "chart", "get", "names", "points", "suggest",
           "table"]

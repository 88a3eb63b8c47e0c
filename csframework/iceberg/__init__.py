"""The iceberg: seeing below the surface of what happens.

An iceberg has four levels. Above the waterline are the **events** we notice;
below it, the **patterns** those events make over time, the **structures**
(rules, resources, routines, physical design) that produce the patterns, and
the **mental models** (assumptions, beliefs, values) that hold the structures
in place. Each level invites a different response: we *react* to events,
*anticipate* patterns, *design* structures and *transform* mental models.

A *diagnostic* iceberg looks beneath something that keeps going wrong. An
*aspirational* iceberg reads the same levels for what we want to grow: the
event we hope to see, the patterns that would make it normal, the structures
that would sustain them and the mental models we would need to cultivate.

Items on a level are tagged as *evidence* (we have seen it) or *hypothesis*
(we suspect it and want to check). The structures level can hold a causal
loop diagram, the patterns level a behaviour over time.

Examples
--------
>>> from csframework.iceberg import Iceberg
>>> berg = Iceberg("Late homework")
>>> berg.add("events", "Six essays came in late on Monday")
IcebergItem(level='events', text='Six essays came in late on Monday', kind='evidence')
>>> _ = berg.add("Trends", "Lateness rises in the weeks before exams")
>>> _ = berg.add("mental model", "Homework is a test of character", kind="hypothesis")
>>> berg
<Iceberg 'Late homework' (diagnostic): 1 event, 1 pattern, 0 structures, 1 mental model>
>>> berg.levels[2].question
'What rules, routines, resources and designs keep producing these patterns?'
>>> Iceberg.from_json(berg.to_json()) == berg
True
"""

from csframework.iceberg.core import SCHEMA, SCHEMA_VERSION, Iceberg
from csframework.iceberg.patterns import PATTERNS, Behaviour
from csframework.iceberg.vocabulary import (
    KINDS,
    LEVEL_ALIASES,
    LEVELS,
    MODES,
    IcebergItem,
    Level,
    levels,
)

__all__ = ["KINDS", "LEVELS", "LEVEL_ALIASES", "MODES", "PATTERNS", "SCHEMA", "SCHEMA_VERSION",
           "Behaviour", "Iceberg", "IcebergItem", "Level", "levels"]

"""Creative tension: holding a vision and current reality together.

The practice (from Robert Fritz's work, taken into personal mastery by Peter
Senge) asks for two clear pictures at once: the **vision**, what we truly want
to create, and **current reality**, an honest account of where we stand. The
gap between them is like a rubber band stretched between two hands. The band
wants to relax; it can do so in two ways. Either reality rises towards the
vision, through our **actions**, or the vision sinks towards reality, because
the discomfort of the gap (emotional tension) tempts us to want less. The
second way is the *eroding goals* archetype, applied to oneself.

:meth:`CreativeTension.simulate` runs that archetype as a small
stock-and-flow model, once with the vision held and once with the vision free
to erode, so the difference can be seen rather than argued.

Examples
--------
>>> from csframework.tension import CreativeTension
>>> ct = CreativeTension("Every student feels known by at least one adult",
...                      "About half say no adult knows them well",
...                      vision_level=100, current_level=50)
>>> ct.add_action("Start advisory groups of eight")
'Start advisory groups of eight'
>>> ct.gap
50.0
>>> ct
<CreativeTension 'Every student feels known by…': 1 action, gap 50>
>>> runs = ct.simulate()
>>> round(runs.final("reality", "vision held")), round(runs.final("reality", "vision eroding"))
(100, 71)
"""

from csframework.tension.chart import SCHEMA, SCHEMA_VERSION, CreativeTension
from csframework.tension.runs import SCENARIOS, TensionRuns, eroding_goals_model

__all__ = ["SCENARIOS", "SCHEMA", "SCHEMA_VERSION", "CreativeTension", "TensionRuns",
           "eroding_goals_model"]

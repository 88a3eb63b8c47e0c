"""A participant's behaviour-over-time graph: a noticing log, series and sketches.

A behaviour-over-time graph (BOTG) shows how one thing we care about changes
over time: our energy through a week, the trust in a team over a term, the
progress of a project against what we intended. Drawing one moves attention
from single events to patterns, which is where structure starts to show.

:class:`BehaviourOverTimeGraph` holds one such graph. Values arrive three ways:

- :meth:`~BehaviourOverTimeGraph.record`, one noticed value at a time, with an
  optional note (a noticing log: "energy 4, poor sleep");
- :meth:`~BehaviourOverTimeGraph.add_series`, a whole named series at once
  (``"intended"`` and ``"actual"`` for a project);
- :meth:`~BehaviourOverTimeGraph.sketch`, an idealised shape from the pattern
  library of :mod:`csframework.behaviour`, drawn to look hand-drawn: a guess
  or a hope, to set beside what actually happened.

:meth:`~BehaviourOverTimeGraph.classify` says which pattern a series looks
like, and the graph draws itself with the field's conventions: the variable and
its units on the y axis, time and its unit on the x axis, the title saying what
to notice, notes as small annotations.

Examples
--------
>>> from csframework.botg import BehaviourOverTimeGraph
>>> g = BehaviourOverTimeGraph("My energy dips mid-week", "energy", units="1-10")
>>> for day, value in enumerate([7, 6, 4, 3, 5, 7, 8], start=1):
...     _ = g.record(day, value)
>>> _ = g.record(8, 6, note="long meeting")
>>> g
<BehaviourOverTimeGraph 'My energy dips mid-week': energy, 1 series, 8 points>
>>> g.series().tolist()
[7.0, 6.0, 4.0, 3.0, 5.0, 7.0, 8.0, 6.0]
>>> g.notes()
((8.0, 'long meeting'),)
>>> BehaviourOverTimeGraph.from_json(g.to_json()) == g
True
"""

from csframework.botg.graph import BehaviourOverTimeGraph
from csframework.botg.series import KINDS, SCHEMA, SCHEMA_VERSION

__all__ = ["KINDS", "SCHEMA", "SCHEMA_VERSION", "BehaviourOverTimeGraph"]

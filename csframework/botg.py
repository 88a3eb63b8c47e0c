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

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import figure_to_png, figure_to_svg, load_json
from csframework._text import clean_text, plural
from csframework.errors import CSFrameworkError, FormatError, SeriesError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.behaviour import Classification

__all__ = ["KINDS", "SCHEMA", "SCHEMA_VERSION", "BehaviourOverTimeGraph"]

SCHEMA = "csframework.botg"
SCHEMA_VERSION = 1

#: How a series came to be: noticed one value at a time, given whole, or sketched.
KINDS = ("recorded", "given", "sketch")

_WOBBLE = (1.2, 60.0, 2.0)   # matplotlib sketch params: scale, length, randomness (seeded by Agg)
_MAX_NOTE_CHARS = 40


@dataclass
class _Series:
    name: str
    kind: str
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)
    pattern: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "pattern": self.pattern,
                "times": list(self.times), "values": list(self.values),
                "notes": list(self.notes)}


def _number(value: object, what: str, where: str) -> float:
    """`value` as a finite float; a SeriesError naming it otherwise."""
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
        raise SeriesError(f"{what} {where} must be a number, not {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SeriesError(f"{what} {where} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise SeriesError(f"{what} {where} must be a finite number, not {value!r}")
    return number


def _time_label(unit: str) -> str:
    if unit in ("", "time"):
        return "Time"
    return f"Time ({unit if unit.endswith('s') else unit + 's'})"


class BehaviourOverTimeGraph:
    """One variable over time: recorded values, named series and sketched patterns.

    Parameters
    ----------
    title : str
        What the reader should notice ("My energy dips mid-week"); shown above
        the graph.
    variable : str
        What is measured ("energy", "project progress"). Values recorded with
        :meth:`record` go to a series of this name.
    units : str, optional
        Units of the variable ("1-10", "students", "% done"); shown on the y axis.
    time_unit : str, default "day"
        The unit of time ("day", "week", "month"); shown on the x axis.

    Raises
    ------
    DiagramError
        (a ``ValueError``) for a title, variable, units or time unit that is
        not text or is empty.

    Examples
    --------
    >>> from csframework.botg import BehaviourOverTimeGraph
    >>> project = BehaviourOverTimeGraph("Progress lags, then catches up", "progress",
    ...                                  units="% done", time_unit="month")
    >>> project.add_series("intended", [0, 20, 40, 60, 80, 100])
    <BehaviourOverTimeGraph 'Progress lags, then catches up': progress, 1 series, 6 points>
    >>> _ = project.add_series("actual", [0, 5, 15, 35, 70, 95])
    >>> project.names
    ('intended', 'actual')
    >>> project.classify("intended").pattern
    'linear'
    """

    def __init__(self, title: str, variable: str, units: str | None = None,
                 time_unit: str = "day"):
        self._title = clean_text(title, what="title", where="of a behaviour-over-time graph")
        self._variable = clean_text(variable, what="variable",
                                    where="of a behaviour-over-time graph")
        self._units = None if units is None else clean_text(
            units, what="units", where="of a behaviour-over-time graph")
        self._time_unit = clean_text(time_unit, what="time unit",
                                     where="of a behaviour-over-time graph")
        self._series: dict[str, _Series] = {}

    # -- properties ----------------------------------------------------------------------

    @property
    def title(self) -> str:
        """What the reader should notice."""
        return self._title

    @property
    def variable(self) -> str:
        """The variable shown on the y axis; also the name of the recorded series."""
        return self._variable

    @property
    def units(self) -> str | None:
        """The variable's units, or None."""
        return self._units

    @property
    def time_unit(self) -> str:
        """The unit of time."""
        return self._time_unit

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the series, in the order they were added."""
        return tuple(self._series)

    def _where(self) -> str:
        return f"graph {self._title!r}"

    def _get(self, name: str | None) -> _Series:
        if not self._series:
            raise SeriesError(f"{self._where()} has no series yet; record() a value, "
                              "add_series() or sketch() a pattern first")
        if name is None:
            if self._variable in self._series:
                return self._series[self._variable]
            return next(iter(self._series.values()))
        key = " ".join(str(name).split())
        if key in self._series:
            return self._series[key]
        raise UnknownNameError(str(name), self._series, kind="series", where=self._where())

    def _new_name(self, name: object) -> str:
        cleaned = clean_text(name, what="series name", where=f"in {self._where()}")
        if cleaned in self._series:
            raise SeriesError(f"{self._where()} already has a series called {cleaned!r}; "
                              "choose another name or remove_series() it first")
        return cleaned

    # -- adding values -------------------------------------------------------------------

    def record(self, time: float, value: float, note: str | None = None) -> BehaviourOverTimeGraph:
        """Log one noticed value at a time, with an optional short note.

        Values go to the series named after the variable (made on first use),
        in time order.

        Parameters
        ----------
        time : float
            When (in :attr:`time_unit`); later than the last recorded time.
        value : float
            The value noticed.
        note : str, optional
            A few words about the moment ("poor sleep"); drawn beside the point.

        Returns
        -------
        BehaviourOverTimeGraph
            The graph itself, so that calls can be chained.

        Raises
        ------
        SeriesError
            (a ``ValueError``) for a time or value that is not a finite number,
            or a time that is not later than the last one recorded.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("Calmer after walks", "calm", units="1-10")
        >>> g.record(1, 4).record(2, 7, note="walked at lunch").series().tolist()
        [4.0, 7.0]
        >>> g.record(1, 5)
        Traceback (most recent call last):
        ...
        csframework.errors.SeriesError: time 1 in series 'calm' of graph 'Calmer after walks' is
        not after the last time, 2; record values in time order
        >>> g.record(3, "tired")
        Traceback (most recent call last):
        ...
        csframework.errors.SeriesError: value at time 3 of graph 'Calmer after walks' must be a
        number, not 'tired'
        """
        where = self._where()
        when = _number(time, "time", f"of a record in {where}")
        amount = _number(value, "value", f"at time {when:g} of {where}")
        text = None if note is None else clean_text(note, what="note", where=f"at time {when:g}")
        series = self._series.get(self._variable)
        if series is not None and series.kind != "recorded":
            raise SeriesError(f"the series {self._variable!r} in {where} was not recorded "
                              "value by value; record() adds only to the recorded log")
        if series is not None and series.times and when <= series.times[-1]:
            raise SeriesError(f"time {when:g} in series {self._variable!r} of {where} is not "
                              f"after the last time, {series.times[-1]:g}; record values in "
                              "time order")
        if series is None:
            series = self._series[self._variable] = _Series(self._variable, "recorded")
        series.times.append(when)
        series.values.append(amount)
        series.notes.append(text)
        return self

    def add_series(self, name: str, values: Iterable[float],
                   times: Iterable[float] | None = None) -> BehaviourOverTimeGraph:
        """Add a whole named series, for example ``"intended"`` or ``"actual"``.

        Parameters
        ----------
        name : str
            A name not used yet in this graph.
        values : sequence of float
            At least one value. A pandas Series without `times` uses its index
            as times.
        times : sequence of float, optional
            The times of the values, increasing; 0, 1, 2, ... when omitted.

        Returns
        -------
        BehaviourOverTimeGraph
            The graph itself.

        Raises
        ------
        SeriesError
            For values or times that are not finite numbers, times that do not
            increase, different lengths, no values, or a name already used.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("Trust grew slowly", "trust", time_unit="week")
        >>> g.add_series("trust", [2, 3, 5], times=[0, 4, 8]).series("trust").index.tolist()
        [0.0, 4.0, 8.0]
        >>> g.add_series("hoped", [1, 2], times=[3, 2])
        Traceback (most recent call last):
        ...
        csframework.errors.SeriesError: time 2 in series 'hoped' of graph 'Trust grew slowly' is
        not after the time before it, 3; times must increase
        """
        label = self._new_name(name)
        where = f"series {label!r} of {self._where()}"
        if isinstance(values, str | bytes):
            raise SeriesError(f"the values of {where} must be numbers, not text {values!r}")
        if times is None and hasattr(values, "index") and hasattr(values, "to_numpy"):
            times = list(values.index)  # a pandas Series keeps its own times
        try:
            given = list(values)
        except TypeError:
            raise SeriesError(f"the values of {where} must be a sequence of numbers, "
                              f"not {values!r}") from None
        numbers = [_number(v, "value", f"at position {i} of {where}")
                   for i, v in enumerate(given)]
        if not numbers:
            raise SeriesError(f"{where} has no values; give at least one")
        if times is None:
            stamps = [float(i) for i in range(len(numbers))]
        else:
            if isinstance(times, str | bytes):
                raise SeriesError(f"the times of {where} must be numbers, not text {times!r}")
            stamps = [_number(t, "time", f"at position {i} of {where}")
                      for i, t in enumerate(times)]
            if len(stamps) != len(numbers):
                raise SeriesError(f"{where} has {plural(len(numbers), 'value')} but "
                                  f"{plural(len(stamps), 'time')}; give one time per value")
        for before, after in itertools.pairwise(stamps):
            if after <= before:
                raise SeriesError(f"time {after:g} in {where} is not after the time before "
                                  f"it, {before:g}; times must increase")
        self._series[label] = _Series(label, "given", stamps, numbers, [None] * len(numbers))
        return self

    def sketch(self, pattern_name: str, name: str | None = None, start: float = 0.0,
               end: float | None = None, *, low: float | None = None,
               high: float | None = None, n: int = 41) -> BehaviourOverTimeGraph:
        """Sketch an idealised pattern from the library, to set beside real values.

        The shape is :meth:`csframework.behaviour.Pattern.sample`, stretched in
        time from `start` to `end` and in value between `low` and `high`; it is
        drawn dashed with a slight hand-drawn wobble, so it reads as a guess.

        Parameters
        ----------
        pattern_name : str
            A pattern or alias from :func:`csframework.behaviour.names`
            ("goal seeking", "s-shaped growth", "oscillation", ...).
        name : str, optional
            The series name; the pattern's name when omitted.
        start, end : float, optional
            The time span; `end` defaults to the last time already in the
            graph (or ``start + 10`` in an empty graph).
        low, high : float, optional
            The value range the shape is stretched to; by default the range of
            the values already in the graph, or the pattern's own scale.
        n : int, default 41
            Number of points.

        Returns
        -------
        BehaviourOverTimeGraph
            The graph itself.

        Raises
        ------
        UnknownNameError
            (a ``KeyError``) for a pattern that is not in the library, with
            close names.
        SeriesError
            For an `end` not after `start`, bad numbers, fewer than 2 points or
            a name already used.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("Stress settles after the first weeks", "stress",
        ...                            units="1-10", time_unit="week")
        >>> s = g.sketch("goal seeking", end=12, low=2, high=9).series()
        >>> round(float(s.iloc[0]), 1), round(float(s.iloc[-1]), 1), float(s.index[-1])
        (9.0, 2.0, 12.0)
        >>> g.classify().pattern
        'goal seeking'
        >>> g.sketch("goal seaking")
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown pattern 'goal seaking' in the pattern library;
        did you mean 'goal seeking'?
        """
        from csframework import behaviour

        shape = behaviour.pattern(pattern_name)
        label = self._new_name(shape.name if name is None else name)
        where = f"sketch {label!r} in {self._where()}"
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            raise SeriesError(f"a {where} needs at least 2 points; got n={n!r}")
        first = _number(start, "start", f"of the {where}")
        if end is None:
            known = [t for s in self._series.values() for t in s.times]
            last = max(known) if known else first + 10.0
            end = last if last > first else first + 10.0
        final = _number(end, "end", f"of the {where}")
        if final <= first:
            raise SeriesError(f"the end of the {where}, {final:g}, must be after its start, "
                              f"{first:g}")
        sample = shape.sample(n, stop=1.0).to_numpy()
        existing = [v for s in self._series.values() for v in s.values]
        bottom = (_number(low, "low", f"of the {where}") if low is not None
                  else min(existing) if existing else float(sample.min()))
        top = (_number(high, "high", f"of the {where}") if high is not None
               else max(existing) if existing else float(sample.max()))
        if top < bottom:
            raise SeriesError(f"high ({top:g}) is below low ({bottom:g}) in the {where}")
        smallest, largest = float(sample.min()), float(sample.max())
        if largest > smallest:
            values = [bottom + (float(v) - smallest) * (top - bottom) / (largest - smallest)
                      for v in sample]
        else:
            values = [(bottom + top) / 2.0] * n
        times = [first + (final - first) * i / (n - 1) for i in range(n)]
        self._series[label] = _Series(label, "sketch", times, values, [None] * n, shape.name)
        return self

    def remove_series(self, name: str) -> str:
        """Remove a series by name and return the name.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("t", "x").add_series("a", [1, 2])
        >>> g.remove_series("a"), g.names
        ('a', ())
        """
        found = self._get(name)
        del self._series[found.name]
        return found.name

    # -- reading -------------------------------------------------------------------------

    def series(self, name: str | None = None) -> pd.Series:
        """One series as a pandas Series indexed by time.

        Parameters
        ----------
        name : str, optional
            Which series; by default the recorded log (named after the
            variable), or else the first series added.

        Returns
        -------
        pandas.Series
            Float values named after the series, index named ``"time"``.

        Raises
        ------
        UnknownNameError
            (a ``KeyError``) for a name not in the graph, with close names.
        SeriesError
            When the graph has no series yet.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("t", "x").add_series("actual", [1, 2])
        >>> g.series("actual").to_dict()
        {0.0: 1.0, 1.0: 2.0}
        >>> g.series("actaul")
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown series 'actaul' in graph 't'; did you mean
        'actual'?
        """
        import pandas as pd

        found = self._get(name)
        index = pd.Index(found.times, name="time", dtype=float)
        return pd.Series(found.values, index=index, name=found.name, dtype=float)

    def notes(self, name: str | None = None) -> tuple[tuple[float, str], ...]:
        """The notes of a series, as ``(time, note)`` pairs in time order."""
        found = self._get(name)
        return tuple((t, n) for t, n in zip(found.times, found.notes, strict=True)
                     if n is not None)

    def kind(self, name: str | None = None) -> str:
        """How a series came to be: ``"recorded"``, ``"given"`` or ``"sketch"``."""
        return self._get(name).kind

    def classify(self, name: str | None = None) -> Classification:
        """Which pattern of behaviour over time a series looks like.

        Uses :func:`csframework.behaviour.classify`, which needs at least five
        values.

        Raises
        ------
        SeriesError
            For a series with fewer than five values (the message names the series).

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("Steady", "x").add_series("x", [5, 5, 5, 5, 5])
        >>> g.classify()
        Classification('equilibrium', confidence=1.00)
        >>> BehaviourOverTimeGraph("Short", "x").record(1, 2).classify()
        Traceback (most recent call last):
        ...
        csframework.errors.SeriesError: cannot classify series 'x' of graph 'Short': ...
        """
        from csframework import behaviour

        data = self.series(name)
        try:
            return behaviour.classify(data)
        except SeriesError as err:
            raise SeriesError(f"cannot classify series {data.name!r} of {self._where()}: "
                              f"{err}") from None

    # -- equality and exchange -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BehaviourOverTimeGraph):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __len__(self) -> int:
        return len(self._series)

    def __repr__(self) -> str:
        title = self._title if len(self._title) <= 40 else self._title[:39].rstrip() + "…"
        points = sum(len(s.times) for s in self._series.values())
        return (f"<BehaviourOverTimeGraph {title!r}: {self._variable}, "
                f"{plural(len(self._series), 'series', 'series')}, {plural(points, 'point')}>")

    def to_dict(self) -> dict[str, Any]:
        """The graph as plain data in the versioned schema."""
        return {"schema": SCHEMA, "version": SCHEMA_VERSION, "title": self._title,
                "variable": self._variable, "units": self._units,
                "time_unit": self._time_unit,
                "series": [s.to_dict() for s in self._series.values()]}

    def to_json(self, indent: int | None = 2) -> str:
        """The graph as versioned JSON; :meth:`from_json` reads it back exactly.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("t", "x", units="u").record(0.1, 1 / 3, note="hm")
        >>> BehaviourOverTimeGraph.from_json(g.to_json()).series().tolist() == [1 / 3]
        True
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> BehaviourOverTimeGraph:
        """Read a graph written by :meth:`to_json`.

        Raises
        ------
        FormatError
            (a ``ValueError``) for text that is not a behaviour-over-time
            graph's JSON, or whose series are inconsistent.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> BehaviourOverTimeGraph.from_json('{"schema": "csframework.tension", "version": 1}')
        Traceback (most recent call last):
        ...
        csframework.errors.FormatError: not behaviour-over-time graph JSON: schema is
        'csframework.tension', expected 'csframework.botg'
        """
        data = load_json(text, schema=SCHEMA, version=SCHEMA_VERSION,
                         what="behaviour-over-time graph JSON")
        try:
            graph = cls(data["title"], data["variable"], data.get("units"),
                        data.get("time_unit", "day"))
            for item in data.get("series", []):
                graph._load_series(item)
        except (CSFrameworkError, TypeError, KeyError, AttributeError) as err:
            if isinstance(err, FormatError):
                raise
            detail = f"missing {err}" if type(err) is KeyError else str(err)
            raise FormatError(f"invalid behaviour-over-time graph JSON: {detail}") from None
        return graph

    def _load_series(self, item: Mapping[str, Any]) -> None:
        kind = item["kind"]
        if kind not in KINDS:
            raise FormatError(f"invalid behaviour-over-time graph JSON: series kind {kind!r} "
                              f"is not one of {', '.join(KINDS)}")
        label = item["name"]
        times, values = list(item["times"]), list(item["values"])
        notes = list(item.get("notes") or [None] * len(values))
        if not len(times) == len(values) == len(notes):
            raise FormatError(f"invalid behaviour-over-time graph JSON: series {label!r} has "
                              f"{len(times)} times, {len(values)} values and {len(notes)} notes")
        self.add_series(label, values, times)
        loaded = self._series[label]
        loaded.kind = kind
        loaded.pattern = item.get("pattern")
        loaded.notes = [None if n is None else clean_text(n, what="note", where=f"in {label!r}")
                        for n in notes]

    # -- drawing -------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the graph with the conventions of behaviour-over-time graphs.

        The variable and its units label the y axis, time and its unit the x
        axis, and the title says what to notice. Recorded values are drawn as
        points joined by a line, given series as lines, sketches as dashed
        lines with a hand-drawn wobble; notes are small annotations beside
        their points. The same graph always gives the same picture.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure (no pyplot) when omitted.

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Lines carry the ``gid`` ``"series:<name>"`` and notes ``"note:<name>:<time>"``.

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("Energy dips mid-week", "energy", units="1-10")
        >>> fig = g.record(1, 7).record(2, 3, note="late night").draw()
        >>> ax = fig.axes[0]
        >>> ax.get_ylabel(), ax.get_xlabel(), ax.get_title(loc="left")
        ('energy (1-10)', 'Time (days)', 'Energy dips mid-week')
        """
        import matplotlib

        theme = style.current()
        with matplotlib.rc_context(theme.rc()):
            if ax is None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                figure = Figure(figsize=(theme.figure_width, theme.figure_height),
                                dpi=theme.dpi, facecolor="white", layout="constrained")
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
            self._paint(ax, theme)
        return ax.figure

    def _paint(self, ax: Axes, theme: style.Theme) -> None:
        small = theme.font_size * 0.8
        for i, series in enumerate(self._series.values()):
            colour = style.SERIES[i % len(style.SERIES)]
            label = series.name
            if series.kind == "sketch":
                if series.pattern and series.pattern != series.name:
                    label = f"{series.name} (sketch: {series.pattern})"
                elif series.pattern:
                    label = f"{series.name} (sketch)"
                (line,) = ax.plot(series.times, series.values, color=colour,
                                  linestyle=(0, (6, 3)), alpha=0.9, label=label,
                                  gid=f"series:{series.name}")
                line.set_sketch_params(*_WOBBLE)
            else:
                marker = "o" if series.kind == "recorded" or len(series.times) <= 30 else None
                ax.plot(series.times, series.values, color=colour, marker=marker,
                        markersize=theme.line_width * 2.5, label=label,
                        gid=f"series:{series.name}")
            for t, v, note in zip(series.times, series.values, series.notes, strict=True):
                if note is None:
                    continue
                text = note if len(note) <= _MAX_NOTE_CHARS else note[:_MAX_NOTE_CHARS - 1] + "…"
                ax.annotate(text, (t, v), xytext=(4, 8), textcoords="offset points",
                            fontsize=small, color=colour, style="italic", ha="left",
                            va="bottom", gid=f"note:{series.name}:{t:g}",
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                  "edgecolor": "none", "alpha": 0.85})
        y_label = self._variable if self._units is None else f"{self._variable} ({self._units})"
        ax.set_ylabel(y_label)
        ax.set_xlabel(_time_label(self._time_unit))
        ax.set_title(self._title, loc="left", fontsize=theme.title_size)
        if not self._series:
            ax.text(0.5, 0.5, "no values yet: record() what you notice", transform=ax.transAxes,
                    ha="center", va="center", color=style.PALETTE["muted"], gid="empty")
        else:
            values = [v for s in self._series.values() for v in s.values]
            low, high = min(values), max(values)
            pad = 0.15 * (high - low) if high > low else max(1.0, abs(high) * 0.1)
            ax.set_ylim(low - pad * 0.6, high + pad * 1.2)  # room above for the notes
            times = [t for s in self._series.values() for t in s.times]
            first, last = min(times), max(times)
            span = last - first if last > first else 1.0
            ax.set_xlim(first - 0.03 * span, last + 0.12 * span)
        if len(self._series) > 1:
            ax.legend(frameon=False, fontsize=theme.font_size * 0.85, loc="best")

    def to_png(self) -> bytes:
        """The drawing as PNG bytes (the same bytes for an unchanged graph)."""
        return figure_to_png(self.draw())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged graph)."""
        return figure_to_svg(self.draw())

    def _repr_svg_(self) -> str:
        return self.to_svg()

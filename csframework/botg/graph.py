"""The behaviour-over-time graph itself: adding, reading, saving and drawing its series."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._text import clean_text, plural, tidy
from csframework.botg.picture import paint_graph
from csframework.botg.series import KINDS, SCHEMA, SCHEMA_VERSION, SeriesRecord, finite_number
from csframework.document import Document
from csframework.errors import CSFrameworkError, FormatError, SeriesError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.behaviour import Classification

__all__ = ["BehaviourOverTimeGraph"]


class BehaviourOverTimeGraph(Document):
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
    >>> BehaviourOverTimeGraph.from_json('{"schema": "csframework.tension", "version": 1}')
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: not behaviour-over-time graph JSON: schema is
    'csframework.tension', expected 'csframework.botg'
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "behaviour-over-time graph JSON"
    JSON_ERRORS = (CSFrameworkError, TypeError, KeyError, AttributeError)

    def __init__(self, title: str, variable: str, units: str | None = None,
                 time_unit: str = "day"):
        self._title = clean_text(title, what="title", where="of a behaviour-over-time graph")
        self._variable = clean_text(variable, what="variable",
                                    where="of a behaviour-over-time graph")
        self._units = None if units is None else clean_text(
            units, what="units", where="of a behaviour-over-time graph")
        self._time_unit = clean_text(time_unit, what="time unit",
                                     where="of a behaviour-over-time graph")
        self._series: dict[str, SeriesRecord] = {}

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

    def _get(self, name: str | None) -> SeriesRecord:
        if not self._series:
            raise SeriesError(f"{self._where()} has no series yet; record() a value, "
                              "add_series() or sketch() a pattern first")
        if name is None:
            if self._variable in self._series:
                return self._series[self._variable]
            return next(iter(self._series.values()))
        key = tidy(name)
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
        when = finite_number(time, "time", f"of a record in {where}")
        amount = finite_number(value, "value", f"at time {when:g} of {where}")
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
            series = self._series[self._variable] = SeriesRecord(self._variable, "recorded")
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
        numbers = [finite_number(v, "value", f"at position {i} of {where}")
                   for i, v in enumerate(given)]
        if not numbers:
            raise SeriesError(f"{where} has no values; give at least one")
        if times is None:
            stamps = [float(i) for i in range(len(numbers))]
        else:
            if isinstance(times, str | bytes):
                raise SeriesError(f"the times of {where} must be numbers, not text {times!r}")
            stamps = [finite_number(t, "time", f"at position {i} of {where}")
                      for i, t in enumerate(times)]
            if len(stamps) != len(numbers):
                raise SeriesError(f"{where} has {plural(len(numbers), 'value')} but "
                                  f"{plural(len(stamps), 'time')}; give one time per value")
        for before, after in itertools.pairwise(stamps):
            if after <= before:
                raise SeriesError(f"time {after:g} in {where} is not after the time before "
                                  f"it, {before:g}; times must increase")
        self._series[label] = SeriesRecord(label, "given", stamps, numbers, [None] * len(numbers))
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
        first = finite_number(start, "start", f"of the {where}")
        if end is None:
            known = [t for s in self._series.values() for t in s.times]
            last = max(known) if known else first + 10.0
            end = last if last > first else first + 10.0
        final = finite_number(end, "end", f"of the {where}")
        if final <= first:
            raise SeriesError(f"the end of the {where}, {final:g}, must be after its start, "
                              f"{first:g}")
        sample = shape.sample(n, stop=1.0).to_numpy()
        existing = [v for s in self._series.values() for v in s.values]
        bottom = (finite_number(low, "low", f"of the {where}") if low is not None
                  else min(existing) if existing else float(sample.min()))
        top = (finite_number(high, "high", f"of the {where}") if high is not None
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
        self._series[label] = SeriesRecord(label, "sketch", times, values, [None] * n, shape.name)
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

    def __len__(self) -> int:
        return len(self._series)

    def _repr_head(self) -> str:
        title = self._title if len(self._title) <= 40 else self._title[:39].rstrip() + "…"
        return f" {title!r}"

    def _repr_summary(self) -> str:
        points = sum(len(s.times) for s in self._series.values())
        return (f"{self._variable}, {plural(len(self._series), 'series', 'series')}, "
                f"{plural(points, 'point')}")

    def to_data(self) -> dict[str, Any]:
        """The graph's labels and series (its JSON without the envelope).

        Examples
        --------
        >>> from csframework.botg import BehaviourOverTimeGraph
        >>> g = BehaviourOverTimeGraph("t", "x", units="u").record(0.1, 1 / 3, note="hm")
        >>> BehaviourOverTimeGraph.from_json(g.to_json()).series().tolist() == [1 / 3]
        True
        """
        return {"title": self._title, "variable": self._variable, "units": self._units,
                "time_unit": self._time_unit,
                "series": [s.to_dict() for s in self._series.values()]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> BehaviourOverTimeGraph:
        """A graph from the fields written by :meth:`to_data`."""
        graph = cls(data["title"], data["variable"], data.get("units"),
                    data.get("time_unit", "day"))
        for item in data.get("series", []):
            graph._load_series(item)
        return graph

    @classmethod
    def _json_error(cls, err: BaseException) -> str:
        detail = f"missing {err}" if type(err) is KeyError else str(err)
        return f"invalid behaviour-over-time graph JSON: {detail}"

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
            y_label = (self._variable if self._units is None
                       else f"{self._variable} ({self._units})")
            paint_graph(ax, theme, list(self._series.values()), title=self._title,
                        y_label=y_label, time_unit=self._time_unit)
        return ax.figure

"""Behaviour-over-time patterns: the pattern library and a classifier.

A behaviour-over-time graph shows one quantity against time. A handful of
shapes turn up again and again, and each shape points to the structure that
tends to produce it: a dominant reinforcing loop, a dominant balancing loop, a
shift from one to the other, a balancing loop with a delay. This module holds
that pattern library (:data:`PATTERNS`) and :func:`classify`, which measures a
series and says which pattern it looks like, how sure it is, and why.

The classifier is deliberately simple to follow. It smooths the series, counts
its turning points, measures where its peak is and how much its swings shrink,
and fits a few candidate curves (a line, an exponential, a logistic) by least
squares. Every measurement is kept in :attr:`Classification.features`.

Examples
--------
>>> import numpy as np
>>> from csframework import behaviour
>>> behaviour.names()[:3]
('linear', 'exponential growth', 'goal seeking')
>>> t = np.linspace(0, 30, 241)
>>> teacup = 70 + 110 * np.exp(-t / 10)
>>> result = behaviour.classify(teacup, time=t)
>>> result.pattern
'goal seeking'
>>> print(result.explain())
This looks like goal seeking (confidence 1.00): it moves quickly at first
and then ever more slowly towards about 70.
>>> behaviour.pattern("logistic").name
's-shaped growth'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from csframework.errors import SeriesError, UnknownNameError

__all__ = [
    "PATTERNS",
    "REVERSALS",
    "Classification",
    "Pattern",
    "Phase",
    "classify",
    "gallery",
    "names",
    "pattern",
    "patterns",
]


_MIN_POINTS = 5
_MAX_BINS = 400          # long series are averaged down to this many points first
_FIT_FLOOR = 0.004       # misfit below 0.4 % of the range counts as a perfect fit


# --------------------------------------------------------------------------- #
# The idealised shapes (time runs from 0 to 1; callers scale it)
# --------------------------------------------------------------------------- #

def _linear_shape(t: np.ndarray) -> np.ndarray:
    return 20 + 60 * t


def _exponential_shape(t: np.ndarray) -> np.ndarray:
    return 5 * np.exp(3 * t)


def _goal_seeking_shape(t: np.ndarray) -> np.ndarray:
    return 70 + 110 * np.exp(-5 * t)


def _s_shaped_shape(t: np.ndarray) -> np.ndarray:
    return 1000 / (1 + 99 * np.exp(-10 * t))


def _damped_shape(t: np.ndarray) -> np.ndarray:
    return 200 - 40 * np.exp(-3 * t) * np.sin(2 * np.pi * 4 * t)


def _sustained_shape(t: np.ndarray) -> np.ndarray:
    return 50 + 20 * np.sin(2 * np.pi * 4 * t)


def _collapse_shape(t: np.ndarray) -> np.ndarray:
    x = t / 0.4
    return 5 + 100 * x**3 * np.exp(3 * (1 - x))


def _settle_shape(t: np.ndarray) -> np.ndarray:
    zeta, omega = 0.35, 2 * np.pi * 2.2
    decay = zeta * omega
    damped = omega * math.sqrt(1 - zeta**2)
    ring = np.cos(damped * t) + decay / damped * np.sin(damped * t)
    return 20 + 60 * (1 - np.exp(-decay * t) * ring)


def _equilibrium_shape(t: np.ndarray) -> np.ndarray:
    return np.full_like(t, 50.0)


def _growth_then_decline_shape(t: np.ndarray) -> np.ndarray:
    rise = 1 / (1 + np.exp(-14 * (t - 0.25)))
    fall = 1 / (1 + np.exp(-12 * (t - 0.6)))
    return 20 + 60 * rise - 25 * fall


def _relief_then_relapse(t: np.ndarray) -> np.ndarray:
    """Down a little, then up past the start: 0 at t=0, -1 near t=0.25, +2.2 at the end."""
    relief = np.sin(np.pi * np.clip(t / 0.5, 0, 1)) ** 2
    relapse = 1 / (1 + np.exp(-10 * (t - 0.55)))
    return -relief + 2.3 * (relapse - relapse[0])


def _better_before_worse_shape(t: np.ndarray) -> np.ndarray:
    # Drawn for a problem symptom (lower is better): relief, then a worse relapse.
    return 50 + 10 * _relief_then_relapse(t)


def _worse_before_better_shape(t: np.ndarray) -> np.ndarray:
    # Drawn for a problem symptom: it first gets worse, then improves beyond where it began.
    return 50 - 10 * _relief_then_relapse(t)


# --------------------------------------------------------------------------- #
# Pattern
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Pattern:
    """One shape of behaviour over time, and the structure that tends to produce it.

    Attributes
    ----------
    name : str
        The canonical name, lower case (``"goal seeking"``).
    description : str
        What it looks like and what typically produces it.
    structure : str
        The typical structure behind it, in a few words.
    example : str
        An example from a classroom, a school or a community.
    aliases : tuple of str
        Other names :func:`pattern` accepts.

    Examples
    --------
    >>> from csframework import behaviour
    >>> p = behaviour.pattern("goal seeking")
    >>> p
    Pattern('goal seeking')
    >>> p.structure
    'a dominant balancing loop'
    >>> p.sample(5).round(1).tolist()
    [180.0, 101.5, 79.0, 72.6, 70.7]
    """

    name: str
    description: str
    structure: str
    example: str
    aliases: tuple[str, ...] = ()
    shape: Callable[[np.ndarray], np.ndarray] = field(default=_linear_shape, repr=False,
                                                      compare=False)

    def __repr__(self) -> str:
        return f"Pattern({self.name!r})"

    def sample(self, n: int = 101, stop: float = 100.0) -> Any:
        """A clean, idealised instance of the pattern, for drawing.

        Parameters
        ----------
        n : int, default 101
            Number of points (at least 2).
        stop : float, default 100
            The last time; time runs from 0 to `stop`.

        Returns
        -------
        pandas.Series
            Indexed by time (index name ``"time"``), named after the pattern.

        Examples
        --------
        >>> from csframework import behaviour
        >>> s = behaviour.pattern("linear").sample(3)
        >>> s.index.tolist(), s.tolist()
        ([0.0, 50.0, 100.0], [20.0, 50.0, 80.0])
        """
        import pandas as pd

        if int(n) < 2:
            raise SeriesError(f"a sample needs at least 2 points; got n={n!r}")
        fraction = np.linspace(0.0, 1.0, int(n))
        index = pd.Index(fraction * float(stop), name="time")
        return pd.Series(self.shape(fraction), index=index, name=self.name)

    def draw(self, ax: Any = None) -> Any:
        """Draw the idealised pattern as a small picture.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new small figure when omitted.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> from csframework import behaviour
        >>> ax = behaviour.pattern("s-shaped growth").draw()
        >>> ax.get_title()
        's-shaped growth'
        """
        from matplotlib import rc_context

        from csframework import style

        with rc_context(style.current().rc()):
            if ax is None:
                from matplotlib.figure import Figure

                theme = style.current()
                fig = Figure(figsize=(theme.figure_width / 2.5, theme.figure_height / 2.5))
                ax = fig.add_subplot()
            _draw_sample(ax, self)
        return ax

    def to_png(self) -> bytes:
        """The small picture of the pattern as PNG bytes (the same bytes every time)."""
        from csframework._drawing import figure_to_png

        return figure_to_png(self.draw().figure, bbox_inches="tight")

    def to_svg(self) -> str:
        """The small picture of the pattern as SVG text (the same text every time)."""
        from csframework._drawing import figure_to_svg

        return figure_to_svg(self.draw().figure, bbox_inches="tight")

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_svg_(self) -> str:
        return self.to_svg()


def _draw_sample(ax: Any, p: Pattern) -> None:
    from csframework import style

    sample = p.sample()
    ax.plot(sample.index, sample.to_numpy(), color=style.SERIES[0])
    low, high = float(sample.min()), float(sample.max())
    pad = 0.12 * (high - low) if high > low else 1.0
    ax.set_ylim(low - pad, high + pad)
    ax.set_title(p.name)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("time")


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "linear",
        "Rises or falls by the same amount in every period, a straight line. It usually means "
        "something flows in or out at a steady rate that nothing feeds back on.",
        "a constant flow, no dominant feedback",
        "A class library gains the same five books every month from a fixed budget.",
        ("linear growth", "linear decline", "straight line", "steady growth", "steady decline"),
        _linear_shape,
    ),
    Pattern(
        "exponential growth",
        "Grows ever faster, because each step adds more than the one before. A dominant "
        "reinforcing loop is at work: the more there is, the faster it grows.",
        "a dominant reinforcing loop",
        "A rumour in a school: every student who has heard it tells others, who tell others.",
        ("exponential", "runaway growth", "reinforcing growth", "vicious cycle",
         "virtuous cycle", "accelerating growth"),
        _exponential_shape,
    ),
    Pattern(
        "goal seeking",
        "Moves quickly at first and then ever more slowly towards a level, as if it were aiming "
        "for it. A dominant balancing loop closes the gap to a goal, by a fraction of the gap "
        "each time.",
        "a dominant balancing loop",
        "A new teacher's stress falls fast after the first weeks, then more slowly towards "
        "the level of a settled routine.",
        ("exponential decay", "exponential decline", "decay", "goal-seeking",
         "balancing", "asymptotic growth", "approach to a goal"),
        _goal_seeking_shape,
    ),
    Pattern(
        "s-shaped growth",
        "Starts slowly, speeds up, then slows down and levels off. A reinforcing loop drives "
        "the early growth until a balancing loop, pressing against a limit, takes over.",
        "a shift from reinforcing to balancing dominance (growth against a limit)",
        "A new reading programme spreads from a few classrooms to almost all of them, then "
        "levels off as nearly every class has it.",
        ("logistic", "logistic growth", "s-shaped", "s curve", "s-curve", "sigmoid",
         "limits to growth"),
        _s_shaped_shape,
    ),
    Pattern(
        "damped oscillation",
        "Swings above and below a level, each swing smaller than the last, until it settles. "
        "A balancing loop with a delay keeps correcting too late, but less and less.",
        "a balancing loop with a delay",
        "The school canteen orders food by looking at last week's leftovers: too much, then "
        "too little, then closer and closer to what is eaten.",
        ("oscillation", "damped", "damped oscillations", "dampened oscillation",
         "oscillate and settle"),
        _damped_shape,
    ),
    Pattern(
        "sustained oscillation",
        "Swings up and down around a level again and again, the swings staying about the "
        "same size. A balancing loop with a long delay keeps overcorrecting and never settles.",
        "a balancing loop with a delay that keeps overcorrecting",
        "Attendance at a weekly community meeting rises when it feels lively and falls when "
        "it feels crowded, month after month.",
        ("sustained", "cycle", "cycles", "sustained oscillations", "undamped oscillation",
         "limit cycle"),
        _sustained_shape,
    ),
    Pattern(
        "overshoot and collapse",
        "Grows, passes what the system can sustain, and then falls a long way. Growth erodes "
        "the very limit it depends on, so the limit gives way.",
        "growth against an erodable limit",
        "A volunteer programme grows fast, burns out its few organisers, and shrinks to "
        "almost nothing.",
        ("collapse", "boom and bust", "rise and fall", "overshoot-collapse"),
        _collapse_shape,
    ),
    Pattern(
        "overshoot and settle",
        "Moves towards a level, goes past it, and then comes back and settles there, perhaps "
        "after a smaller swing or two. A balancing loop with a short delay reaches its goal a "
        "little late.",
        "a balancing loop with a short delay",
        "Class sizes jump past the target after a new enrolment policy, then settle back to it "
        "the following term.",
        ("overshoot", "overshoot and oscillate", "overshoot-settle", "overshoot and recover"),
        _settle_shape,
    ),
    Pattern(
        "equilibrium",
        "Stays at about the same level. Either nothing is changing, or the flows in and out "
        "balance each other exactly.",
        "balanced flows (a balancing loop at its goal)",
        "The number of students in a school stays steady because as many join as leave each "
        "year.",
        ("steady state", "stable", "constant", "flat", "no change", "dynamic equilibrium",
         "balance"),
        _equilibrium_shape,
    ),
    Pattern(
        "growth then decline",
        "Rises to a peak and then declines to a lower level, without collapsing back to where "
        "it began. Growth meets a limit that pushes back harder over time, or a reinforcing "
        "loop gives way to a balancing loop that overcorrects.",
        "growth that triggers a delayed balancing loop (a limit that tightens)",
        "Enrolment in an after-school club climbs with its reputation, then falls back as "
        "the groups grow too large, and holds at a lower level.",
        ("rise and decline", "peak and decline", "growth and decline", "boom then decline",
         "rise then fall"),
        _growth_then_decline_shape,
    ),
    Pattern(
        "better before worse",
        "Improves at first and then worsens, ending worse than it began. A quick fix relieves "
        "the symptom while its side effect, arriving later, makes the problem grow.",
        "a quick fix (balancing loop) whose delayed side effect (reinforcing loop) takes over",
        "Extra homework lifts test scores for a term, then motivation sags and scores fall "
        "below where they started.",
        ("relief then relapse", "better-before-worse", "fix that fails", "short term gain long "
         "term pain"),
        _better_before_worse_shape,
    ),
    Pattern(
        "worse before better",
        "Gets worse at first and then improves, ending better than it began. A fundamental "
        "solution takes time and costs something at the start before its benefit shows.",
        "a fundamental solution acting through a delay",
        "A school gives up a popular shortcut to train its teachers: results dip for a year, "
        "then rise above where they were.",
        ("worse-before-better", "j curve", "j-curve", "dip then recover",
         "short term pain long term gain"),
        _worse_before_better_shape,
    ),
)

#: The patterns whose name depends on which direction is better (see :func:`classify`).
REVERSALS = ("better before worse", "worse before better")


def _key(name: str) -> str:
    return " ".join(str(name).lower().replace("-", " ").replace("_", " ").split())


_BY_NAME: dict[str, Pattern] = {}
for _p in PATTERNS:
    for _alias in (_p.name, *_p.aliases):
        _BY_NAME.setdefault(_key(_alias), _p)
del _p, _alias


def names() -> tuple[str, ...]:
    """The canonical pattern names, in library order.

    Examples
    --------
    >>> from csframework import behaviour
    >>> len(behaviour.names())
    12
    """
    return tuple(p.name for p in PATTERNS)


def patterns() -> tuple[Pattern, ...]:
    """All patterns of the library, in order (the same as :data:`PATTERNS`).

    Examples
    --------
    >>> from csframework import behaviour
    >>> behaviour.patterns()[-1]
    Pattern('worse before better')
    """
    return PATTERNS


def pattern(name: str) -> Pattern:
    """The pattern called `name` (or one of its aliases).

    Case, hyphens and underscores do not matter. ``"oscillation"`` on its own
    means a damped oscillation, the form a balancing loop with a delay usually
    takes.

    Raises
    ------
    UnknownNameError
        For a name that is neither a pattern nor an alias, suggesting close names.

    Examples
    --------
    >>> from csframework import behaviour
    >>> behaviour.pattern("Exponential decay")
    Pattern('goal seeking')
    >>> behaviour.pattern("oscillation")
    Pattern('damped oscillation')
    >>> behaviour.pattern("goal seaking")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown pattern 'goal seaking' in the pattern library;
    did you mean 'goal seeking'?
    """
    if isinstance(name, Pattern):
        return name
    found = _BY_NAME.get(_key(name))
    if found is None:
        known = {_key(a): a for p in reversed(PATTERNS) for a in (*p.aliases, p.name)}
        raise UnknownNameError(str(name), known.values(), kind="pattern",
                               where="the pattern library")
    return found


def gallery() -> Any:
    """One figure with a small picture of every pattern.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from csframework import behaviour
    >>> fig = behaviour.gallery()
    >>> len(fig.axes)
    12
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from csframework import style

    theme = style.current()
    columns = 3
    rows = math.ceil(len(PATTERNS) / columns)
    with rc_context(theme.rc()):
        fig = Figure(figsize=(theme.figure_width * 1.2, theme.figure_width * 0.4 * rows),
                     layout="constrained")
        for i, p in enumerate(PATTERNS):
            _draw_sample(fig.add_subplot(rows, columns, i + 1), p)
        fig.suptitle("Behaviour over time: the pattern library")
    return fig


# --------------------------------------------------------------------------- #
# Classification
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Phase:
    """One stretch of a series with a pattern of its own (see :attr:`Classification.phases`).

    Attributes
    ----------
    pattern : str
        A pattern name; a linear stretch says its direction ("linear decline").
    start, stop : float
        When the stretch begins and ends, in the series' time.
    level : float
        Where the stretch ends.
    """

    pattern: str
    start: float
    stop: float
    level: float

    def __str__(self) -> str:
        return self.pattern


@dataclass(frozen=True)
class Classification:
    """What :func:`classify` found: a pattern, how sure, and the measurements behind it.

    Attributes
    ----------
    pattern : str
        The canonical name of the best matching pattern.
    confidence : float
        Between 0 and 1.
    scores : mapping of str to float
        A score between 0 and 1 for every pattern of the library (read-only).
    features : mapping of str to float
        The measured features (read-only): ``trend`` (slope of the best line, in
        units per unit of time), ``curvature`` (the logarithm of how many times
        steeper the end is than the start: above 0 speeding up, below 0 slowing
        down), ``turning_points``, ``peak_position`` (0 to 1 along the time
        axis), ``peak_size`` (how far the highest point stands above both
        ends, as a fraction of the range), ``amplitude_ratio`` (of successive
        oscillation peaks; NaN when there are none), ``period``, ``net_change``
        (end minus start, as a fraction of the range), ``final_slope``,
        ``relative_range``, ``noise``, ``start``, ``end``, ``level`` ...

    Examples
    --------
    >>> import numpy as np
    >>> from csframework import behaviour
    >>> c = behaviour.classify(np.sin(np.linspace(0, 30, 300)))
    >>> c  # doctest: +ELLIPSIS
    Classification('sustained oscillation', confidence=0...)
    >>> c.features["turning_points"]
    9
    """

    pattern: str
    confidence: float
    scores: Mapping[str, float] = field(repr=False, compare=False, hash=False)
    features: Mapping[str, float] = field(repr=False, compare=False, hash=False)
    phases: tuple[Phase, ...] = field(default=(), repr=False, compare=False, hash=False)
    better: str | None = field(default=None, repr=False, compare=False, hash=False)

    def __repr__(self) -> str:
        return f"Classification({self.pattern!r}, confidence={self.confidence:.2f})"

    @property
    def shape(self) -> str:
        """The phases in words: ``"linear decline, then equilibrium"``.

        Examples
        --------
        >>> from csframework import behaviour
        >>> bathtub = [100 - 5 * t for t in range(16)] + [25] * 8   # drains, then holds
        >>> behaviour.classify(bathtub).shape
        'linear decline, then equilibrium'
        """
        return ", then ".join(str(p) for p in self.phases) or self.pattern

    def explain(self) -> str:
        """One or two sentences for a participant: the pattern, how sure, and why.

        Examples
        --------
        >>> from csframework import behaviour
        >>> c = behaviour.classify([3, 5, 7, 9, 11, 13])
        >>> print(c.explain())
        This looks like linear (confidence 1.00): it rises by about the same amount
        in every period of time, about 2 per unit of time.
        """
        why = _EXPLAINERS[self.pattern](self.features)
        text = f"This looks like {self.pattern} (confidence {self.confidence:.2f}): {why}."
        if self.pattern == "equilibrium" and self.features.get("relative_range", 0) > _BIG_RANGE:
            text = (f"No clear pattern (the nearest is equilibrium, confidence "
                    f"{self.confidence:.2f}): {why}.")
        if len(self.phases) > 1:
            text += " " + _explain_phases(self.phases)
        if self.pattern in REVERSALS and self.better is None:
            other = REVERSALS[1 - REVERSALS.index(self.pattern)]
            text += (f" It is read as a problem symptom, where lower is better; if higher is "
                     f"better here, it is {other} (say so with better='up').")
        return text

    @property
    def info(self) -> Pattern:
        """The :class:`Pattern` found, with its description and typical structure."""
        return pattern(self.pattern)


def classify(series: Any, time: Any = None, *, better: str | None = None) -> Classification:
    """Say which pattern of behaviour over time a series looks like.

    Parameters
    ----------
    series : pandas.Series, numpy array, list or a Results column
        At least five finite numbers, in time order. A pandas Series uses its
        (numeric or datetime) index as time; otherwise equal time steps are
        assumed unless `time` is given.
    time : sequence of float, optional
        The times of the values, increasing.
    better : {"up", "down"}, optional
        Which direction is better for this quantity ("down" for a problem symptom such as
        stress or absences, "up" for trust or attendance). It decides only between
        "better before worse" and "worse before better", which are the same shape seen
        from either side; without it the series is read as a problem symptom, as the
        archetypes draw it, and :meth:`Classification.explain` says so.

    Returns
    -------
    Classification

    Raises
    ------
    SeriesError
        (a ``ValueError``) for fewer than five values, NaN or infinity, values
        that are not numbers, a table instead of one series, or bad times.

    Examples
    --------
    >>> import numpy as np
    >>> from csframework import behaviour
    >>> t = np.linspace(0, 50, 201)
    >>> behaviour.classify(100 * 1.05 ** t).pattern
    'exponential growth'
    >>> behaviour.classify(1000 / (1 + 99 * np.exp(-0.3 * t))).pattern
    's-shaped growth'
    >>> behaviour.classify([5, 5, 5, 5, 5]).pattern
    'equilibrium'
    >>> behaviour.classify([1, 2, float("nan"), 4, 5])
    Traceback (most recent call last):
    ...
    csframework.errors.SeriesError: the series has a missing value (NaN) at position 2;
    fill or drop missing values before classifying
    """
    if better not in (None, "up", "down"):
        raise SeriesError(f"better={better!r} is not a direction: expected 'up' (higher is "
                          "better), 'down' (lower is better) or None")
    values, times = _as_arrays(series, time)
    return _classify_arrays(values, times, better)


# --------------------------------------------------------------------------- #
# Input
# --------------------------------------------------------------------------- #

def _as_arrays(series: Any, time: Any) -> tuple[np.ndarray, np.ndarray]:
    values = series
    index = None
    if hasattr(values, "columns") and hasattr(values, "iloc"):       # a DataFrame
        if values.shape[1] != 1:
            raise SeriesError(
                f"classify() needs one series; got a table with {values.shape[1]} columns; "
                "pick one column (for an ensemble, one member) first")
        values = values.iloc[:, 0]
    if hasattr(values, "index") and hasattr(values, "to_numpy"):     # a Series
        index = values.index
        values = values.to_numpy()
    array = _numeric_array(values)
    if time is not None:
        times = _time_array(time, len(array), "time")
    elif index is not None:
        times = _index_times(index, len(array))
    else:
        times = np.arange(len(array), dtype=float)
    return array, times


def _numeric_array(values: Any) -> np.ndarray:
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise SeriesError(f"classify() needs a series of numbers; could not read it: {exc}") \
            from None
    if array.ndim != 1:
        raise SeriesError(
            f"classify() needs one series of numbers (1-D); got an array of shape "
            f"{array.shape}; pick one row or column first")
    if array.dtype.kind == "b":
        raise SeriesError("classify() needs a series of numbers; got values of type 'bool'")
    if array.dtype.kind not in "iuf":
        items = np.asarray(values, dtype=object)
        for position, item in enumerate(items):
            if not _is_number(item):
                raise SeriesError(
                    f"classify() needs a series of numbers; got {item!r} (of type "
                    f"{type(item).__name__}) at position {position}")
        array = items.astype(float)
    array = array.astype(float)
    if len(array) < _MIN_POINTS:
        raise SeriesError(
            f"classify() needs at least {_MIN_POINTS} values to see a pattern; got {len(array)}")
    _check_finite(array, "the series")
    return array


def _is_number(value: Any) -> bool:
    if value is None:
        return True             # becomes NaN, reported as a missing value
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes, bool))


def _check_finite(array: np.ndarray, what: str) -> None:
    bad = np.flatnonzero(~np.isfinite(array))
    if len(bad):
        kind = "a missing value (NaN)" if np.isnan(array[bad[0]]) else "an infinite value"
        raise SeriesError(
            f"{what} has {kind} at position {bad[0]}; fill or drop missing values before "
            "classifying")


def _time_array(time: Any, n: int, what: str) -> np.ndarray:
    try:
        times = np.asarray(time, dtype=float)
    except (TypeError, ValueError):
        raise SeriesError(f"{what} must be numbers; got {time!r:.60}") from None
    if times.ndim != 1 or len(times) != n:
        raise SeriesError(
            f"{what} must have one value per point of the series ({n}); got shape {times.shape}")
    _check_finite(times, what)
    if np.any(np.diff(times) <= 0):
        position = int(np.flatnonzero(np.diff(times) <= 0)[0]) + 1
        raise SeriesError(
            f"{what} must increase from point to point; it does not at position {position}")
    return times


def _index_times(index: Any, n: int) -> np.ndarray:
    kind = getattr(index.dtype, "kind", "O")
    if kind in "iuf":
        return _time_array(np.asarray(index, dtype=float), n, "the series' time index")
    if kind == "M":
        nanoseconds = np.asarray(index.asi8, dtype=float)
        return _time_array((nanoseconds - nanoseconds[0]) / 86_400e9, n,
                           "the series' time index")
    return np.arange(n, dtype=float)


# --------------------------------------------------------------------------- #
# Measuring
# --------------------------------------------------------------------------- #

_FLAT_ZERO = ("initial_slope", "steepest_slope", "noise", "signal_to_noise", "net_change",
              "peak_position", "peak_size",
              "trough_size", "rise_to_peak", "fall_from_peak", "rebound", "final_slope",
              "first_swing", "overshoot", "trend", "curvature", "misfit_line",
              "misfit_exponential", "misfit_logistic", "ends_between_turns")
_FLAT_UNDEFINED = ("amplitude_ratio", "half_cycle_ratio", "overall_decay", "period",
                   "transient_end", "first_leg", "first_turn_position",
                   "inflection_position")


_REST = 1e-9             # a change below this fraction of the range is no change at all


def _disturbed_part(values: np.ndarray) -> tuple[int, int]:
    """The slice of the series from its disturbance to its coming to rest.

    A simulated system often sits exactly in equilibrium until something
    disturbs it (a step in demand, a shock, a policy switched on), or comes
    exactly to rest once its flows balance or a stock empties. Those flat
    stretches say nothing about the pattern, and a flat start would read as
    the slow start of an S-curve, a sudden stop as goal seeking. So a stretch
    that stays at its first (or last) value to within a billionth of the range
    is set aside, keeping its last (first) point so that the jump itself
    counts; unless the jump turns back at once: that is a shock from outside
    (a pulse), and the pattern is the response to it. Noisy data never stays
    exactly at rest, and is left whole.
    """
    n = len(values)
    span = float(values.max() - values.min())
    tolerance = _REST * max(span, 1e-300)
    moved = np.flatnonzero(np.abs(values - values[0]) > tolerance)
    if span == 0 or len(moved) == 0:
        return 0, n
    start = max(int(moved[0]) - 1, 0)
    if start > 0 and start + 2 < n and (values[start + 1] - values[start]) * (
            values[start + 2] - values[start + 1]) < 0:
        start += 1          # a shock: a jump off the rest that turns back at once
    if n - start < _MIN_POINTS:
        return 0, n
    moved = np.flatnonzero(np.abs(values - values[-1]) > tolerance)
    stop = int(moved[-1]) + 2
    if stop - start < _MIN_POINTS:
        stop = n
    return start, stop


def _uniform_bins(values: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put the series on equal time steps, averaging long series down to _MAX_BINS points."""
    steps = np.diff(times)
    if steps.max() - steps.min() > 1e-6 * steps.mean():
        grid = np.linspace(times[0], times[-1], len(times))
        values, times = np.interp(grid, times, values), grid
    n = len(values)
    if n <= _MAX_BINS:
        return values, times
    bins = (np.arange(n) * _MAX_BINS) // n
    counts = np.bincount(bins)
    return np.bincount(bins, values) / counts, np.bincount(bins, times) / counts


def _local_linear_matrix(m: int, bandwidth: float) -> np.ndarray:
    """The smoother matrix of a local linear regression with a Gaussian kernel."""
    offset = np.arange(m)[None, :] - np.arange(m)[:, None]
    weight = np.exp(-0.5 * (offset / bandwidth) ** 2)
    s0 = weight.sum(axis=1, keepdims=True)
    s1 = (weight * offset).sum(axis=1, keepdims=True)
    s2 = (weight * offset**2).sum(axis=1, keepdims=True)
    return weight * (s2 - offset * s1) / (s0 * s2 - s1**2)


def _smooth(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Smooth by local linear regression, bandwidth chosen by generalised cross-validation.

    Returns the smoothed series, the estimated noise (standard deviation) and
    the noise left after smoothing.
    """
    m = len(y)
    best = None
    for bandwidth in (0.7, 1.0, 1.5, 2.2, 3.3, 5.0, 7.5, 11.0, 16.0, 24.0):
        if bandwidth > m / 3 and best is not None:
            break
        matrix = _local_linear_matrix(m, bandwidth)
        fitted = matrix @ y
        trace = float(np.trace(matrix))
        rss = float(np.sum((y - fitted) ** 2))
        gcv = rss / m / max(1 - trace / m, 1e-3) ** 2
        if best is None or gcv < best[0] * (1 - 1e-9):
            best = (gcv, fitted, matrix, rss, trace)
    _, fitted, matrix, rss, trace = best
    noise = math.sqrt(rss / max(m - trace, 1.0))
    leftover = noise * math.sqrt(float(np.mean(np.sum(matrix**2, axis=1))))
    return fitted, noise, leftover


def _turning_points(z: np.ndarray, threshold: float) -> list[int]:
    """Indices of the turning points whose swing is at least `threshold` (a zigzag)."""
    points: list[int] = []
    direction = 0
    candidate = 0
    for i in range(1, len(z)):
        if direction == 0:
            if z[i] - z[0] >= threshold:
                direction, candidate = 1, int(np.argmax(z[: i + 1]))
            elif z[0] - z[i] >= threshold:
                direction, candidate = -1, int(np.argmin(z[: i + 1]))
            continue
        if direction == 1:
            if z[i] > z[candidate]:
                candidate = i
            elif z[candidate] - z[i] >= threshold:
                points.append(candidate)
                direction, candidate = -1, i
        else:
            if z[i] < z[candidate]:
                candidate = i
            elif z[i] - z[candidate] >= threshold:
                points.append(candidate)
                direction, candidate = 1, i
    # A first "turning point" that is only the start moving a little is no turn.
    return [p for p in points if 0 < p < len(z) - 1]


def _misfit_line(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    slope, intercept = np.polyfit(t, y, 1)
    residual = y - (slope * t + intercept)
    return float(np.sqrt(np.mean(residual**2))), float(slope)


def _best_basis_fit(basis: np.ndarray, y: np.ndarray) -> tuple[int, float, float, float]:
    """For each row of `basis`, least squares y ~ a + b*row; the best row, its RMS misfit, a, b."""
    centred = basis - basis.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    sxx = np.sum(centred**2, axis=1)
    sxy = centred @ yc
    valid = sxx > 1e-300
    explained = np.where(valid, sxy**2 / np.where(valid, sxx, 1.0), 0.0)
    best = int(np.argmax(explained))
    rss = max(float(np.sum(yc**2) - explained[best]), 0.0)
    b = float(sxy[best] / sxx[best]) if valid[best] else 0.0
    a = float(y.mean() - b * basis[best].mean())
    return best, math.sqrt(rss / len(y)), a, b


_RATES = np.concatenate([-np.geomspace(60, 0.2, 70), np.geomspace(0.2, 60, 70)])


def _fit_exponential(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Fit y = a + b exp(k t) on t in [0, 1]; returns misfit, k, a, b."""
    best, _, _, _ = _best_basis_fit(_exponential_basis(_RATES, t), y)
    low, high = _RATES[max(best - 1, 0)], _RATES[min(best + 1, len(_RATES) - 1)]
    if low * high > 0:                     # refine between the neighbours on the same side
        rates = np.sign(low) * np.geomspace(abs(low), abs(high), 41)
    else:
        rates = np.array([_RATES[best]])
    finest, misfit, a, b = _best_basis_fit(_exponential_basis(rates, t), y)
    return misfit, float(rates[finest]), a, b


def _exponential_basis(rates: np.ndarray, t: np.ndarray) -> np.ndarray:
    """exp(k t) for each rate k, rescaled to stay finite (growth anchored at the end)."""
    exponent = np.clip(rates[:, None] * (t[None, :] - 1.0), -700, 0)
    return np.exp(np.where(rates[:, None] > 0, exponent, np.clip(rates[:, None] * t, -700, 0)))


_STEEPNESS = np.geomspace(5, 80, 18)
_MIDPOINTS = np.linspace(0.08, 0.92, 43)


def _fit_logistic(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit y = a + b / (1 + exp(-s (t - t0))) with its inflection t0 inside; misfit, t0."""
    s = np.repeat(_STEEPNESS, len(_MIDPOINTS))
    t0 = np.tile(_MIDPOINTS, len(_STEEPNESS))
    basis = 1 / (1 + np.exp(np.clip(-s[:, None] * (t[None, :] - t0[:, None]), -700, 700)))
    best, misfit, _, _ = _best_basis_fit(basis, y)
    return misfit, float(t0[best])


def _soft_above(x: float, edge: float, width: float) -> float:
    """Near 0 well below `edge`, 0.5 at `edge`, near 1 well above."""
    return 0.5 * (1 + math.tanh((x - edge) / width))


def _soft_below(x: float, edge: float, width: float) -> float:
    return 1 - _soft_above(x, edge, width)


_IN_UNITS_OF_THE_SERIES = ("start", "end", "level", "goal", "peak", "trend")


def _measure(values: np.ndarray, times: np.ndarray) -> dict[str, float]:
    """All features; the series is divided by its largest size first, so nothing overflows."""
    unit = float(np.max(np.abs(values))) or 1.0
    f = _measure_scaled(values / unit, times)
    for key in _IN_UNITS_OF_THE_SERIES:
        f[key] *= unit
    return f


def _measure_scaled(values: np.ndarray, times: np.ndarray) -> dict[str, float]:
    y, t = _uniform_bins(values, times)
    m = len(y)
    horizon = float(t[-1] - t[0])
    raw_range = float(values.max() - values.min())
    level = float(np.mean(np.abs(values)))
    f: dict[str, float] = {
        "points": len(values),
        "start": float(values[0]),
        "end": float(values[-1]),
        "relative_range": raw_range / level if level > 0 else (0.0 if raw_range == 0 else
                                                                math.inf),
    }
    if raw_range <= 1e-9 * max(level, 1e-300) or raw_range == 0:
        mean = float(np.mean(values))
        f.update(dict.fromkeys(_FLAT_ZERO, 0.0), flat=1.0, turning_points=0, level=mean, goal=mean)
        f.update(dict.fromkeys(_FLAT_UNDEFINED, math.nan), peak=mean, peak_time=float(times[0]))
        return f
    smooth, noise, leftover = _smooth(y)
    low, high = float(smooth.min()), float(smooth.max())
    span = max(high - low, 1e-12 * max(abs(high), 1.0))
    z = (smooth - low) / span
    zy = (y - low) / span
    tn = (t - t[0]) / horizon
    noise_n, leftover_n = noise / span, leftover / span
    f["flat"] = 0.0
    f["noise"] = noise_n
    f["signal_to_noise"] = span / noise if noise > 0 else math.inf
    f["start"], f["end"] = float(smooth[0]), float(smooth[-1])

    threshold = max(0.08, 6 * leftover_n)
    turns = _turning_points(z, threshold)
    f["turning_points"] = len(turns)
    # The first move, signed: a reversal moves one way first and ends beyond its start.
    f["first_leg"] = float(z[turns[0]] - z[0]) if turns else math.nan
    f["first_turn_position"] = float(tn[turns[0]]) if turns else math.nan
    f["transient_end"] = _transient_end(z, tn, t, turns)
    # Two turns with the end between them: it went past, came back past, and settled.
    # ... early enough to be seen settling (not a fall that has only just bottomed out).
    f["ends_between_turns"] = float(
        len(turns) == 2 and min(z[turns]) + 0.02 < z[-1] < max(z[turns]) - 0.02
        and tn[turns[-1]] < 0.8)
    f["net_change"] = float(z[-1] - z[0])
    peak = int(np.argmax(z))
    f["peak_position"] = float(tn[peak])
    f["peak"] = float(smooth[peak])
    f["peak_time"] = float(t[peak])
    f["peak_size"] = float(1 - max(z[0], z[-1]))
    f["trough_size"] = float(min(z[0], z[-1]))
    f["rise_to_peak"] = float(1 - z[0])
    f["fall_from_peak"] = float(1 - z[-1])
    f["rebound"] = float(z[-1] - z[peak:].min())
    tail = max(2, m // 10)
    f["final_slope"] = float(np.polyfit(tn[-tail:], z[-tail:], 1)[0])
    f["initial_slope"] = float(np.polyfit(tn[:tail], z[:tail], 1)[0])
    f["steepest_slope"] = float(np.max(np.abs(np.gradient(z, tn))))
    _measure_swings(f, z, tn, turns, horizon)

    line_misfit, slope = _misfit_line(tn, zy)
    exp_misfit, rate, a, _ = _fit_exponential(tn, zy)
    logistic_misfit, inflection = _fit_logistic(tn, zy)
    scale = math.sqrt(noise_n**2 + _FIT_FLOOR**2)
    f["trend"] = slope * span / horizon
    f["curvature"] = rate
    f["misfit_line"] = line_misfit / scale
    f["misfit_exponential"] = exp_misfit / scale
    f["misfit_logistic"] = logistic_misfit / scale
    f["inflection_position"] = inflection
    f["goal"] = low + a * span if rate < 0 else math.nan
    f["level"] = _final_level(f, smooth, t)
    return f


_TRANSIENT_TIME = 0.15   # turns in the first 15 % of the time ...
_TRANSIENT_SIZE = 0.4    # ... with legs below 40 % of the range are an initial transient
_RELIEF_SIZE = 0.2       # ... unless the first leg is a fifth of the range and later overturned


def _transient_end(z: np.ndarray, tn: np.ndarray, t: np.ndarray, turns: list[int]) -> float:
    """The time a brief initial transient ends, or NaN when there is none.

    A model that does not start in equilibrium (or is disturbed at the start)
    often makes a small, brief move before its own behaviour takes over: a
    quick dip before the symptom climbs, a short rise before the slide. When
    every turning point lies early and every leg up to the last of them is
    small, the series after that last turn carries the pattern.
    """
    if not turns or tn[turns[-1]] > _TRANSIENT_TIME:
        return math.nan
    points = [0, *turns]
    legs = [abs(float(z[j] - z[i])) for i, j in itertools.pairwise(points)]
    if max(legs) > _TRANSIENT_SIZE or len(z) - turns[-1] < max(_MIN_POINTS, len(z) // 2):
        return math.nan
    first, net = float(z[turns[0]] - z[0]), float(z[-1] - z[0])
    if len(turns) == 1 and abs(first) >= _RELIEF_SIZE and first * net < 0 and abs(net) >= 0.35:
        return math.nan  # a relief (or a cost) that the later move overturns: a reversal
    return float(t[turns[-1]])


def _measure_swings(f: dict[str, float], z: np.ndarray, tn: np.ndarray, turns: list[int],
                    horizon: float) -> None:
    points = [0, *turns, len(z) - 1]
    legs = [abs(float(z[j] - z[i])) for i, j in itertools.pairwise(points)]
    full = legs[1:-1]                       # swings between two turning points
    f["first_swing"] = legs[0]
    if len(full) >= 2:
        slope = np.polyfit(np.arange(len(full)), np.log(np.maximum(full, 1e-6)), 1)[0]
        half_cycle = float(math.exp(slope))
        overall = float(math.exp(slope * (len(full) - 1)))
    elif len(full) == 1:                    # compare the settling leg with the full swing
        half_cycle = min(legs[-1] / max(full[0], 1e-6), 1.5)
    else:
        half_cycle = math.nan
    if len(full) < 2:
        overall = math.nan
    f["overall_decay"] = overall
    f["amplitude_ratio"] = half_cycle**2 if not math.isnan(half_cycle) else math.nan
    f["half_cycle_ratio"] = half_cycle
    if len(turns) >= 2:
        f["period"] = float(2 * np.mean(np.diff(tn[turns])) * horizon)
    else:
        f["period"] = math.nan
    # Overshoot: how far the series goes beyond where it ends, in the direction it
    # travelled (the peak above the end for a rise, the trough below it for a fall).
    travel = float(z[-1] - z[0])
    f["overshoot"] = float(1 - z[-1]) if travel >= 0 else float(z[-1])


def _final_level(f: dict[str, float], smooth: np.ndarray, t: np.ndarray) -> float:
    """Where the series ends up: the mean over its last cycle, or its last tenth."""
    window = f["period"] if math.isfinite(f["period"]) else 0.1 * (t[-1] - t[0])
    tail = smooth[t >= t[-1] - window]
    return float(np.mean(tail)) if len(tail) else float(smooth[-1])


# --------------------------------------------------------------------------- #
# Scoring
# --------------------------------------------------------------------------- #

def _model_weights(f: dict[str, float]) -> dict[str, float]:
    """How strongly each monotone model is preferred, from a tempered BIC (weights sum to 1).

    The misfits are in units of the noise; a misfit below the noise counts as
    no misfit at all, and each extra parameter must buy a real improvement.
    """
    m = min(f["points"], _MAX_BINS)
    models = {"line": (f["misfit_line"], 2), "exponential": (f["misfit_exponential"], 3),
              "logistic": (f["misfit_logistic"], 4)}
    bic = {name: m * math.log(misfit**2 + 0.5) + k * math.log(m)
           for name, (misfit, k) in models.items()}
    lowest = min(bic.values())
    temperature = max(1.0, m / 40)
    weights = {name: math.exp(-(b - lowest) / (2 * temperature)) for name, b in bic.items()}
    total = sum(weights.values())
    return {name: w / total for name, w in weights.items()}


def _scores(f: dict[str, float], better: str | None = None) -> dict[str, float]:
    if f["flat"]:
        return {name: (1.0 if name == "equilibrium" else 0.0) for name in names()}
    signal = _soft_above(f["signal_to_noise"], 7.0, 1.5)
    monotone = 1.0 if f["turning_points"] == 0 else 0.0
    weights = _model_weights(f)
    speeding_up = _soft_above(f["curvature"], 0.0, 0.3)
    steepest = max(f["steepest_slope"], 1e-12)
    starts_slowly = _soft_below(abs(f["initial_slope"]) / steepest, 0.45, 0.1)
    levels_off = _soft_below(abs(f["final_slope"]) / steepest, 0.45, 0.1)
    # A logistic fit without a slow start and a levelling off is not an S: hand it on.
    s_curve = monotone * weights["logistic"]
    s = {
        "linear": monotone * weights["line"] + s_curve * (1 - starts_slowly) * (1 - levels_off),
        "exponential growth": monotone * weights["exponential"] * speeding_up
        + s_curve * starts_slowly * (1 - levels_off),
        "goal seeking": monotone * weights["exponential"] * (1 - speeding_up)
        + s_curve * (1 - starts_slowly) * levels_off,
        "s-shaped growth": s_curve * starts_slowly * levels_off,
    }
    s.update(_oscillation_scores(f))
    reversal = s.pop("reversal")
    falls_first = f["first_leg"] < 0 if math.isfinite(f["first_leg"]) else True
    # Which way is better decides the name; without a direction the patterns are read as
    # for a problem symptom (lower is better), as the archetypes draw them.
    better_first = falls_first == (better != "up")
    s["better before worse"] = reversal if better_first else 0.0
    s["worse before better"] = 0.0 if better_first else reversal
    s = {name: signal * score for name, score in s.items()}
    s["equilibrium"] = 1 - signal
    return {name: float(min(max(s[name], 0.0), 1.0)) for name in names()}


def _oscillation_scores(f: dict[str, float]) -> dict[str, float]:
    turns = f["turning_points"]
    if turns == 0:
        return {"damped oscillation": 0.0, "sustained oscillation": 0.0,
                "overshoot and collapse": 0.0, "overshoot and settle": 0.0,
                "growth then decline": 0.0, "reversal": 0.0}
    ratio = f["half_cycle_ratio"]
    ratio = 0.0 if math.isnan(ratio) else ratio
    travel = abs(f["net_change"])
    overshoot = f["overshoot"]
    # Three turns or more; or two, past the level and back past it, when the first
    # overshoot is too big for "overshoot and settle" (the complement of _settles).
    many = max(_soft_above(turns, 2.5, 0.3),
               f["ends_between_turns"] * _soft_above(overshoot / max(travel, 1e-9), 0.5, 0.08))
    overall = f["overall_decay"]
    keeps_size = (_soft_above(ratio, 0.93, 0.025)
                  * (1.0 if math.isnan(overall) else _soft_above(overall, 0.65, 0.05)))
    settled = _soft_below(abs(f["final_slope"]), 0.6, 0.15)
    settles = _settles(travel, overshoot, ratio, turns) * settled
    collapse = _collapse(f, settled)
    reversal = _reversal(f)
    decline = _decline(f)
    return {
        "damped oscillation": many * (1 - keeps_size) * (1 - settles) * (1 - reversal),
        "sustained oscillation": many * keeps_size,
        "overshoot and collapse": collapse * (1 - reversal),
        "overshoot and settle": settles * (1 - reversal) * (1 - decline),
        "growth then decline": decline * (1 - collapse) * (1 - reversal),
        "reversal": reversal,
    }


def _decline(f: dict[str, float]) -> float:
    """A peak, then a fall to a level well above the start (not a collapse)."""
    fall = f["fall_from_peak"]
    # A smaller fall back is an overshoot that settles; a larger one a collapse.
    return (_soft_above(f["rise_to_peak"], 0.3, 0.06) * _soft_above(fall, 0.28, 0.01)
            * _soft_below(fall, 0.55, 0.05) * _soft_below(f["rebound"], 0.2, 0.05)
            * _soft_below(f["turning_points"], 2.5, 0.3))


def _reversal(f: dict[str, float]) -> float:
    """A smaller first move, then a larger one the other way, ending well beyond the start."""
    first, net = f["first_leg"], f["net_change"]
    if not math.isfinite(first) or first * net >= 0:
        return 0.0
    lead, beyond = abs(first), abs(net)
    return (_soft_above(lead, 0.1, 0.03) * _soft_below(lead, 0.55, 0.05)
            * _soft_above(beyond, 0.35, 0.05) * _soft_below(f["turning_points"], 2.5, 0.3)
            * _soft_above(f["first_turn_position"], 0.03, 0.01))


def _settles(travel: float, overshoot: float, ratio: float, turns: float) -> float:
    return (_soft_above(travel, 0.45, 0.06) * _soft_above(overshoot, 0.04, 0.02)
            * _soft_below(overshoot / max(travel, 1e-9), 0.5, 0.08)
            * _soft_below(ratio, 0.5, 0.1) * _soft_below(turns, 4.5, 0.4))


def _collapse(f: dict[str, float], settled: float) -> float:
    fall = f["fall_from_peak"]
    fallen = max(_soft_above(fall, 0.55, 0.05), _soft_above(fall, 0.2, 0.05) * (1 - settled))
    return (_soft_above(f["rise_to_peak"], 0.3, 0.06) * fallen
            * _soft_below(f["rebound"], 0.25, 0.05) * _soft_below(f["turning_points"], 2.5, 0.3))


def _confidence(scores: dict[str, float]) -> tuple[str, float]:
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top <= 0:
        return "equilibrium", 0.0
    return best, top * top / (top + second)


def _classify_arrays(values: np.ndarray, times: np.ndarray,
                     better: str | None = None) -> Classification:
    start, stop = _disturbed_part(values)
    features = _measure(values[start:stop], times[start:stop])
    transient = features.pop("transient_end")
    if math.isfinite(transient):
        keep = times[start:stop] >= transient
        features = _measure(values[start:stop][keep], times[start:stop][keep])
        features.pop("transient_end")
    features["at_rest_until"] = float(times[start]) if start > 0 else math.nan
    features["at_rest_from"] = float(times[stop - 1]) if stop < len(values) else math.nan
    features["transient_until"] = transient
    scores = _scores(features, better)
    best, confidence = _confidence(scores)
    phases = _phases(best, features, float(times[0]), float(times[-1]))
    return Classification(best, round(confidence, 4), MappingProxyType(scores),
                          MappingProxyType(features), phases, better)


_PHASE_SHARE = 0.1       # a stretch at rest is a phase of its own from 10 % of the time


def _phase_name(pattern: str, f: Mapping[str, float]) -> str:
    if pattern == "linear":
        return "linear growth" if f["trend"] >= 0 else "linear decline"
    return pattern


def _phases(best: str, f: Mapping[str, float], first: float, last: float) -> tuple[Phase, ...]:
    """The pattern, with the stretches at rest before and after it as phases of their own."""
    span = last - first
    begin, end = f["at_rest_until"], f["at_rest_from"]
    if f.get("flat") or best == "equilibrium":
        return (Phase("equilibrium", first, last, f["level"]),)
    phases = []
    if math.isfinite(begin) and begin - first >= _PHASE_SHARE * span:
        phases.append(Phase("equilibrium", first, begin, f["start"]))
    else:
        begin = first
    if not (math.isfinite(end) and last - end >= _PHASE_SHARE * span):
        end = last
    phases.append(Phase(_phase_name(best, f), begin, end, f["end"]))
    if end < last:
        phases.append(Phase("equilibrium", end, last, f["end"]))
    return tuple(phases)


# --------------------------------------------------------------------------- #
# Explaining
# --------------------------------------------------------------------------- #

def _about(x: float) -> str:
    """A number rounded for a sentence: 69.8 -> '70', 0.0312 -> '0.031'."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if not 1e-3 <= abs(x) < 1e7:
        return f"{x:.2g}"
    digits = 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, digits)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:.{max(digits, 0)}f}".rstrip("0").rstrip(".")


def _explain_linear(f: Mapping[str, float]) -> str:
    way = "rises" if f["trend"] >= 0 else "falls"
    return (f"it {way} by about the same amount in every period of time, about "
            f"{_about(abs(f['trend']))} per unit of time")


def _explain_exponential(f: Mapping[str, float]) -> str:
    way = "grows" if f["end"] >= f["start"] else "falls"
    return f"it {way} ever faster, each step adding more than the one before"


def _explain_goal(f: Mapping[str, float]) -> str:
    goal = f["goal"]
    span = abs(f["end"] - f["start"])
    if not math.isfinite(goal) or abs(goal - f["end"]) > span:
        goal = f["end"]
    return f"it moves quickly at first and then ever more slowly towards about {_about(goal)}"


def _explain_s(f: Mapping[str, float]) -> str:
    return (f"it changes slowly at first, then faster, then slows down and levels off near "
            f"about {_about(f['level'])}")


def _explain_damped(f: Mapping[str, float]) -> str:
    return (f"it swings above and below about {_about(f['level'])}, each swing smaller than "
            f"the last (each peak about {_about(f['amplitude_ratio'])} of the one before)")


def _explain_sustained(f: Mapping[str, float]) -> str:
    return (f"it swings up and down again and again, the swings staying about the same size "
            f"(about one cycle every {_about(f['period'])} units of time)")


def _explain_collapse(f: Mapping[str, float]) -> str:
    return (f"it rises to a peak of about {_about(f['peak'])} around time "
            f"{_about(f['peak_time'])} and then falls a long way, to about {_about(f['end'])}")


def _explain_settle(f: Mapping[str, float]) -> str:
    return f"it goes past about {_about(f['level'])}, then comes back and settles there"


def _explain_equilibrium(f: Mapping[str, float]) -> str:
    if f.get("relative_range", 0.0) > _BIG_RANGE:
        # A short, uneven series (a week of ratings) can move a lot and still not stand
        # out from its noise: say so rather than call it steady.
        return (f"it moves over a range of about {f['relative_range']:.0%} of its level, but "
                "in too few points, or too unevenly, for a shape to stand out from the noise; "
                "look at the graph and name what you see")
    return f"it stays at about {_about(f['level'])}; its changes are small or only noise"


#: Above this range, relative to its level, a series called "equilibrium" is not steady.
_BIG_RANGE = 0.25


def _explain_decline(f: Mapping[str, float]) -> str:
    return (f"it rises to a peak of about {_about(f['peak'])} around time "
            f"{_about(f['peak_time'])} and then declines to about {_about(f['end'])}, "
            "well above where it began")


def _first_move(f: Mapping[str, float]) -> str:
    return "falls" if f["first_leg"] < 0 else "rises"


def _explain_better_first(f: Mapping[str, float]) -> str:
    return (f"it first {_first_move(f)} (the relief), then turns and goes past where it began, "
            f"from about {_about(f['start'])} to about {_about(f['end'])}")


def _explain_worse_first(f: Mapping[str, float]) -> str:
    return (f"it first {_first_move(f)} (the cost of the change), then turns and goes past "
            f"where it began, from about {_about(f['start'])} to about {_about(f['end'])}")


def _explain_phases(phases: tuple[Phase, ...]) -> str:
    parts = []
    for phase in phases:
        if phase.pattern == "equilibrium":
            parts.append(f"holds at about {_about(phase.level)} from time "
                         f"{_about(phase.start)} to {_about(phase.stop)}")
        else:
            parts.append(f"shows {phase.pattern} from time {_about(phase.start)} to "
                         f"{_about(phase.stop)}")
    return "In phases: it " + ", then ".join(parts) + "."


_EXPLAINERS: dict[str, Callable[[Mapping[str, float]], str]] = {
    "growth then decline": _explain_decline,
    "better before worse": _explain_better_first,
    "worse before better": _explain_worse_first,
    "linear": _explain_linear,
    "exponential growth": _explain_exponential,
    "goal seeking": _explain_goal,
    "s-shaped growth": _explain_s,
    "damped oscillation": _explain_damped,
    "sustained oscillation": _explain_sustained,
    "overshoot and collapse": _explain_collapse,
    "overshoot and settle": _explain_settle,
    "equilibrium": _explain_equilibrium,
}

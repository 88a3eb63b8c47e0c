"""The pattern library: the shapes of behaviour over time, and their names.

Each :class:`Pattern` is one shape a behaviour-over-time graph keeps showing,
with the structure that tends to produce it, an example, the other names
people use for it, and an idealised sample for drawing. :func:`pattern` finds
one by any of its names.

Examples
--------
>>> from csframework.behaviour.patterns import pattern
>>> pattern("Exponential decay")
Pattern('goal seeking')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from csframework._text import normalise
from csframework.errors import SeriesError, UnknownNameError

__all__ = ["PAIRED_PATTERNS", "PATTERNS", "REVERSALS", "Pattern", "draw_sample", "names",
           "pattern", "patterns"]



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


def _drifting_performance_shape(t: np.ndarray) -> np.ndarray:
    return 80 - 40 * t + 8 * (1 - np.exp(-6 * t))


def _drifting_goal_shape(t: np.ndarray) -> np.ndarray:
    # the gap (20 at first) closes as exp(-6 t), by the goal coming down to performance
    return _drifting_performance_shape(t) + 20 * np.exp(-6 * t)


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
    paired : bool
        True for a pattern of two series together, a performance and the goal it
        is aimed at (:data:`PAIRED_PATTERNS`); :func:`classify` recognises it when
        given the goal (``goal=``). :meth:`sample` is then the performance and
        :meth:`goal_sample` the goal.

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
    goal_shape: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False,
                                                                  compare=False)

    @property
    def paired(self) -> bool:
        """Whether the pattern is read on a performance together with its goal."""
        return self.goal_shape is not None

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

    def goal_sample(self, n: int = 101, stop: float = 100.0) -> Any:
        """The goal of a paired pattern, on the same times as :meth:`sample`.

        Examples
        --------
        >>> from csframework import behaviour
        >>> drift = behaviour.pattern("drifting goals")
        >>> drift.goal_sample(3).round(1).tolist(), drift.sample(3).round(1).tolist()
        ([100.0, 68.6, 48.0], [80.0, 67.6, 48.0])
        """
        import pandas as pd

        if self.goal_shape is None:
            raise SeriesError(f"the pattern {self.name!r} is one series with no goal; only "
                              f"the paired patterns ({', '.join(p.name for p in PAIRED_PATTERNS)})"
                              " have one")
        performance = self.sample(n, stop)
        fraction = np.linspace(0.0, 1.0, len(performance))
        return pd.Series(self.goal_shape(fraction), index=performance.index, name="goal")

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
            draw_sample(ax, self)
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


def draw_sample(ax: Any, p: Pattern) -> None:
    """Draw the idealised sample of `p` on `ax`, titled with its name, without ticks."""
    from csframework import style

    sample = p.sample()
    ax.plot(sample.index, sample.to_numpy(), color=style.SERIES[0])
    low, high = float(sample.min()), float(sample.max())
    if p.paired:
        goal = p.goal_sample()
        ax.plot(goal.index, goal.to_numpy(), color=style.SERIES[1], linestyle="--")
        ax.text(goal.index[0], goal.iloc[0], " goal", va="bottom", fontsize="small",
                color=style.SERIES[1])
        ax.text(sample.index[0], sample.iloc[0], " performance", va="top", fontsize="small",
                color=style.SERIES[0])
        low, high = min(low, float(goal.min())), max(high, float(goal.max()))
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

#: Patterns of a performance read together with the goal it is aimed at. They are not
#: among :data:`PATTERNS` (one series cannot show them): :func:`classify` checks them
#: when it is given the goal too.
PAIRED_PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "drifting goals",
        "A goal and the performance aimed at it slide down together. The gap between them "
        "closes, or never opens wide, because the goal gives way, not because performance "
        "rises to meet it: each lowering of the bar looks reasonable, and the standard "
        "drifts down with the results.",
        "two balancing loops closing one gap: corrective action (slow) and lowering the goal "
        "(quick), with the goal giving way",
        "A school's target for replying to families slips from a day to three days to a "
        "week, as replies slow down and the target follows them.",
        ("drift to low performance", "eroding goals", "eroding goal", "drifting goal",
         "eroding standards", "lowering the bar",
         "goal and performance drift down together", "goal and performance slide down "
         "together"),
        _drifting_performance_shape,
        _drifting_goal_shape,
    ),
)


_BY_NAME: dict[str, Pattern] = {}
for _p in (*PATTERNS, *PAIRED_PATTERNS):
    for _alias in (_p.name, *_p.aliases):
        _BY_NAME.setdefault(normalise(_alias), _p)
del _p, _alias


def names(paired: bool = False) -> tuple[str, ...]:
    """The canonical pattern names, in library order.

    Parameters
    ----------
    paired : bool, default False
        Also name the :data:`PAIRED_PATTERNS` (read on a performance and its goal).

    Examples
    --------
    >>> from csframework import behaviour
    >>> len(behaviour.names())
    12
    >>> behaviour.names(paired=True)[-1]
    'drifting goals'
    """
    return tuple(p.name for p in patterns(paired))


def patterns(paired: bool = False) -> tuple[Pattern, ...]:
    """All patterns of the library, in order (the same as :data:`PATTERNS`).

    Parameters
    ----------
    paired : bool, default False
        Add the :data:`PAIRED_PATTERNS` after them.

    Examples
    --------
    >>> from csframework import behaviour
    >>> behaviour.patterns()[-1]
    Pattern('worse before better')
    >>> behaviour.patterns(paired=True)[-1]
    Pattern('drifting goals')
    """
    return (*PATTERNS, *PAIRED_PATTERNS) if paired else PATTERNS


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
    found = _BY_NAME.get(normalise(name))
    if found is None:
        known = {normalise(a): a for p in reversed(PATTERNS) for a in (*p.aliases, p.name)}
        for a in (a for p in PAIRED_PATTERNS for a in (*p.aliases, p.name)):
            known.setdefault(normalise(a), a)
        raise UnknownNameError(str(name), known.values(), kind="pattern",
                               where="the pattern library")
    return found


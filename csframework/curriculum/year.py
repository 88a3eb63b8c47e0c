"""The fourteen convenings as :class:`Session` records, and how to look one up.

:func:`session_number` is the one place session identity is parsed (``7``,
``"07"``, ``"session 7"``, ``"start here"``); anything else is an
:class:`UnknownSessionError`. :func:`session` and :func:`sessions` return the
records, :func:`coverage` tallies the habits and tools they practise.

Examples
--------
>>> session(7)
Session(7, 'Feedback loops and delays')
>>> session_number("start here"), session("07").slug
(0, '07-feedback-loops-and-delays')
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from csframework.curriculum.cards import SessionCard
from csframework.curriculum.notes import (
    FURTHER_READING,
    GLOSSARY,
    KEY_POINTS,
    PREREQUISITES,
    READINGS,
    TERMS,
    glossary_anchor,
)
from csframework.curriculum.plans import (
    BREAK,
    CONVENING_MINUTES,
    PLANS,
    RETREAT_DAY_MINUTES,
    RETREAT_DAYS,
    START_HERE_MINUTES,
    PlanItem,
    clock,
)
from csframework.curriculum.vocabulary import (
    DETECTABLE_TOOLS,
    DOMAINS,
    FACETS,
    HABITS,
    TOOLS,
    Coverage,
)
from csframework.errors import UnknownNameError

__all__ = ["Session", "UnknownSessionError", "coverage", "session", "session_number", "sessions"]

_WHERE = "csf.curriculum.session()"


class UnknownSessionError(UnknownNameError):
    """A session that is not 0-14; the message lists the valid ones (a ``KeyError``)."""

    def __init__(self, value: object):
        shown = _shown(value)
        super().__init__(shown, [str(n) for n in range(15)], kind="session", where=_WHERE)
        self.message = (f"unknown session {shown} in {_WHERE}; valid sessions are the numbers "
                        "0 (start here) and 1 to 14, as an int (7) or text ('07')")
        self.args = (self.message,)


def _shown(value: object, limit: int = 40) -> str:
    """A short printable form of whatever was given (huge ints and long text are cut)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"<an int of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Session:
    """One convening of the programme year (or 0, the start-here notebook).

    Attributes
    ----------
    number : int
        0 to 14.
    title : str
        The theme of the session.
    when : str
        The date or month as the plan gives it, e.g. ``"24 June 2024"``.
    month : str
        The month, e.g. ``"December 2024"`` (empty for session 0).
    start : datetime.date or None
        The first day: the exact date when known, else the first of the month.
    facets : tuple of str
        The facets of systems awareness in play, among :data:`FACETS`.
    facet_path : str
        How the session moves between facets, e.g. ``"self → others"``.
    domain : str
        The mandala domain it feeds most, a key of :data:`DOMAINS`.
    habits : tuple of str
        Habits of a Systems Thinker practised, among :data:`HABITS`.
    tools : tuple of str
        Thinking tools used, among :data:`TOOLS`.
    models : tuple of str
        Library models run (names of :func:`csframework.sd.library.names`).
    practices : tuple of str
        The practices of the session in the plan's words.
    take_home : str
        The step the participant takes afterwards.
    slug : str
        ``"NN-name"``: the notebooks' file name without ``.ipynb``.
    length : int
        Minutes the session takes: :data:`CONVENING_MINUTES` for a monthly
        convening, :data:`RETREAT_DAYS` x :data:`RETREAT_DAY_MINUTES` for the retreat,
        :data:`START_HERE_MINUTES` for session 0.
    days : int
        1, or :data:`RETREAT_DAYS` for the retreat week.
    plan : tuple of PlanItem
        The minute plan, section by section in the notebook's order; its timed
        minutes add up to :attr:`length` (per day for the retreat).
    prerequisites : tuple of int
        The sessions whose notebooks this one builds on.
    key_points : tuple of str
        Three to five points (Markdown) the notebook ends with.
    terms : tuple of str
        Glossary terms (headings of :data:`GLOSSARY`) the notebook leans on.
    readings : tuple of str
        Keys of :data:`FURTHER_READING` for going further.
    """

    number: int
    title: str
    when: str
    month: str
    start: datetime.date | None
    facets: tuple[str, ...]
    facet_path: str
    domain: str
    habits: tuple[str, ...]
    tools: tuple[str, ...]
    models: tuple[str, ...]
    practices: tuple[str, ...]
    take_home: str
    slug: str
    length: int = 0
    days: int = 1
    plan: tuple[PlanItem, ...] = ()
    prerequisites: tuple[int, ...] = ()
    key_points: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``"start-here"`` for 0, else ``"session07"`` (the journal's session keys)."""
        return "start-here" if self.number == 0 else f"session{self.number:02d}"

    @property
    def theme(self) -> str:
        """The same as :attr:`title`."""
        return self.title

    @property
    def notebook(self) -> str:
        """The curriculum notebook, relative to the repository root."""
        return f"notebooks/{self.slug}.ipynb"

    @property
    def exercise(self) -> str | None:
        """The exercise notebook, relative to the repository root (None for session 0)."""
        return None if self.number == 0 else f"exercises/{self.slug}.ipynb"

    @property
    def exercises_module(self) -> str | None:
        """The module with this session's questions, e.g. ``"csframework.exercises.session07"``."""
        return None if self.number == 0 else f"csframework.exercises.{self.key}"

    @property
    def habit_numbers(self) -> tuple[int, ...]:
        """The habits as their numbers, 1 to 14.

        Examples
        --------
        >>> session(7).habit_numbers
        (4, 13, 8)
        """
        return tuple(HABITS.index(h) + 1 for h in self.habits)

    @property
    def detectable_tools(self) -> tuple[str, ...]:
        """The tools of this session that its notebook's code should visibly use."""
        return tuple(t for t in self.tools if t in DETECTABLE_TOOLS)

    @property
    def label(self) -> str:
        """``"Session 7"``, or ``"Start here"`` for session 0."""
        return "Start here" if self.number == 0 else f"Session {self.number}"

    @property
    def day_length(self) -> int:
        """Minutes of one day of the session (all of it, unless it is the retreat)."""
        return self.length // self.days

    @property
    def timed(self) -> tuple[PlanItem, ...]:
        """The plan's entries that happen in the session (the break included)."""
        return tuple(item for item in self.plan if not item.take_home)

    @property
    def take_home_sections(self) -> tuple[str, ...]:
        """Sections of the notebook left for participants to work through afterwards.

        Examples
        --------
        >>> session(12).take_home_sections
        ('Scenarios for a finite resource',)
        >>> session(7).take_home_sections
        ()
        """
        return tuple(item.section for item in self.plan if item.take_home)

    def minutes(self, day: int | None = None) -> int:
        """The minutes the plan gives, in all or on one retreat `day`.

        Examples
        --------
        >>> session(7).minutes(), session(14).minutes(day=3)
        (180, 330)
        """
        return sum(item.minutes for item in self.timed
                   if day is None or (item.day or 1) == day)

    def schedule(self) -> tuple[tuple[PlanItem, int, int], ...]:
        """Each timed entry with its start and end minute (counted from the start of its day).

        Examples
        --------
        >>> [(i.section, start, end) for i, start, end in session(0).schedule()][:2]
        [('Open the toolkit', 0, 2), ('A classroom, in a few lines', 2, 9)]
        """
        out, clock, day = [], 0, None
        for item in self.timed:
            if item.day != day:
                clock, day = 0, item.day
            out.append((item, clock, clock + item.minutes))
            clock += item.minutes
        return tuple(out)

    def plan_table(self) -> str:
        """The minute plan as a Markdown table (the facilitator guide prints exactly this).

        Examples
        --------
        >>> print(session(12).plan_table().splitlines()[0])
        | When | Section | Minutes |
        >>> print(session(12).plan_table().splitlines()[-1])
        | take-home | Scenarios for a finite resource | — |
        """
        rows = ["| When | Section | Minutes |", "|---|---|---|"]
        for item, start, end in self.schedule():
            when = f"day {item.day}" if self.days > 1 else clock(start, end)
            rows.append(f"| {when} | {item.section} | {item.minutes} |")
        rows += [f"| take-home | {name} | — |" for name in self.take_home_sections]
        return "\n".join(rows)

    def _time_sentence(self) -> str:
        if self.number == 0:
            return (f"about {self.length} minutes, alone or in a short onboarding call "
                    "before session 1.")
        if self.days > 1:
            return (f"{self.days} days of {self.day_length} working minutes each (09:00-16:30, "
                    "less a break and lunch); the plan on the card gives each day's sections.")
        pause = sum(i.minutes for i in self.timed if i.section == BREAK)
        return (f"{self.length} minutes together: {self.length - pause} in the sections below "
                f"and a {pause}-minute break, as planned on the card.")

    def opening_markdown(self) -> str:
        """The notebook's opening cell: what comes before it, and the time it takes.

        Examples
        --------
        >>> print(session(0).opening_markdown().splitlines()[0])
        ### Before you begin
        """
        if self.prerequisites:
            before = "; ".join(
                f"[{_SESSIONS[n].label} · {_SESSIONS[n].title}]({_SESSIONS[n].slug}.ipynb)"
                for n in self.prerequisites)
        else:
            before = "nothing; this is the first notebook of the course"
        lines = ["### Before you begin", "",
                 f"**Comes after:** {before}.", "",
                 f"**Time to learn:** {self._time_sentence()}"]
        left = ", ".join(f"*{name}*" for name in self.take_home_sections)
        if left and self.number == 0:
            lines += ["", f"**Not timed:** {left}, for facilitators to read beforehand."]
        elif left:
            lines += ["", f"**Left for afterwards:** {left}, to work through on your own."]
        if self.exercise:
            lines += ["", f"**Then practise:** [the exercises](../{self.exercise})."]
        return "\n".join(lines)

    def closing_markdown(self) -> str:
        """The notebook's closing cell: its key points, glossary terms and reading.

        Examples
        --------
        >>> print(session(7).closing_markdown().splitlines()[0])
        ## Key points
        """
        glossary = Path(GLOSSARY).name
        reading = Path(FURTHER_READING).name
        points = [f"- {point}" for point in self.key_points]
        terms = ", ".join(f"[{t}]({glossary}#{glossary_anchor(t)})" for t in self.terms)
        books = "; ".join(self.readings)
        return "\n".join([
            "## Key points", "", *points, "",
            f"**Words used here**, defined in the [glossary]({glossary}): {terms}.", "",
            f"**Further reading** (full citations in [further reading]({reading})): {books}."])

    def card(self) -> SessionCard:
        """The header card a notebook shows at its top.

        Examples
        --------
        >>> card = session(2).card()
        >>> str(card).splitlines()[0]
        'Session 2 · July 2024 · Personal mastery: vision and current reality'
        >>> card._repr_html_() == session(2).card()._repr_html_()
        True
        """
        return SessionCard(self)

    def __repr__(self) -> str:
        return f"Session({self.number}, {self.title!r})"


def _s(number: int, title: str, when: str, start: datetime.date | None, facet_path: str,
       domain: str, habits: tuple[int, ...], tools: tuple[str, ...], models: tuple[str, ...],
       practices: tuple[str, ...], take_home: str, slug: str) -> Session:
    path = facet_path.replace("all", "self, others, world")
    facets = tuple(f for f in FACETS if re.search(rf"\b{f}\b", path))
    month = start.strftime("%B %Y") if start else ""
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or domain not in DOMAINS or not facets:
        raise ValueError(f"session {number}: bad tools {unknown}, domain {domain!r} or facets")
    return Session(number, title, when, month, start, facets, facet_path, domain,
                   tuple(HABITS[h - 1] for h in habits), tools, models, practices, take_home,
                   f"{number:02d}-{slug}" if number else "00-start-here")


# -- the year ----------------------------------------------------------------------------------

_D = datetime.date
_BASE = (
    _s(0, "A first causal loop diagram", "", None, "self → others",
       "capacity building", (4, 5), ("causal loop diagram",), (),
       ("a first causal loop diagram", "naming a loop", "saving and sharing a diagram"),
       "draw a first diagram of a familiar place", "start-here"),
    _s(1, "Arriving: the framework and the three systems", "24 June 2024", _D(2024, 6, 24),
       "self → all", "community", (1, 5, 4, 12),
       ("check-in", "connection circle", "causal loop diagram", "stock and flow", "mandala"),
       ("bathtub",),
       ("check-in", "intention", "three capabilities", "the mandala", '"beyond blame"'),
       "first personal systems map; choose the local context of the year's project",
       "arriving-and-three-systems"),
    _s(2, "Personal mastery: vision and current reality", "July 2024", _D(2024, 7, 1),
       "self", "capacity building", (9, 2, 3),
       ("creative tension", "behaviour-over-time graph", "simulation"),
       ("eroding goals", "coffee cooling"),
       ("creative tension", "creative vs emotional tension"),
       "write a personal vision and current reality; notice goal erosion",
       "personal-mastery-vision-and-reality"),
    _s(3, "The mind-heart-body system: noticing and sensing", "August 2024", _D(2024, 8, 1),
       "self", "capacity building", (2, 12, 6),
       ("noticing", "behaviour-over-time graph", "stock and flow", "simulation"),
       ("thermostat",),
       ("mindfulness / noticing", "emotion vocabulary", "empathy vs compassion"),
       "a week's noticing log as a BOTG", "noticing-mind-heart-body"),
    _s(4, "Mental models and the ladder of inference", "September 2024", _D(2024, 9, 1),
       "self → others", "research", (7, 9, 8, 4),
       ("ladder of inference", "reflective conversation", "causal loop diagram"), (),
       ("ladder of inference", "left-hand column", "advocacy and inquiry"),
       "walk down the ladder on a real interaction", "mental-models-and-the-ladder"),
    _s(5, "Reflective conversation, generative social fields", "October 2024", _D(2024, 10, 1),
       "others", "community", (6, 5, 4),
       ("check-in", "four levels of listening", "four player model", "reflective conversation",
        "connection circle", "causal loop diagram"), (),
       ("deep check-in", "four levels of listening", "Four Player Model",
        "perspective taking"),
       "observe a meeting with the four-player lens", "reflective-conversation"),
    _s(6, "Seeing below the surface: the iceberg", "November 2024", _D(2024, 11, 1),
       "others → world", "research", (1, 3, 9, 2),
       ("iceberg", "behaviour-over-time graph"), (),
       ("diagnostic and aspirational iceberg",),
       "an iceberg of a recurring issue in the project context", "the-iceberg"),
    _s(7, "Feedback loops and delays", "December 2024", _D(2024, 12, 1),
       "others / world", "research", (4, 13, 8),
       ("causal loop diagram", "behaviour-over-time graph", "simulation"),
       ("balancing process with delay", "car dealer inventory"),
       ("causal links", "CLDs", "loop polarity", "delays"),
       "predict, then simulate; why faster response made it worse",
       "feedback-loops-and-delays"),
    _s(8, "Stocks and flows: from classrooms to climate", "January 2025", _D(2025, 1, 1),
       "world", "research", (12, 13, 5, 1),
       ("stock and flow", "behaviour-over-time graph", "simulation"),
       ("bathtub", "bank account", "population", "capital"),
       ("stock-flow thinking", "accumulations", "climate bathtub"),
       "stock-flow map of a classroom or organisational culture", "stocks-and-flows"),
    _s(9, "Archetypes I: quick fixes", "February 2025", _D(2025, 2, 1),
       "all", "practice", (11, 3, 10),
       ("archetypes", "causal loop diagram", "simulation"),
       ("fixes that fail", "shifting the burden"),
       ("fixes that fail", "shifting the burden"),
       "a fix that fails in one's own life and organisation", "archetypes-quick-fixes"),
    _s(10, "Archetypes II: growth, limits and standards", "March 2025", _D(2025, 3, 1),
       "others / world", "practice", (3, 10, 2),
       ("archetypes", "behaviour-over-time graph", "simulation"),
       ("limits to growth", "growth and underinvestment", "eroding goals"),
       ("limits to growth", "growth and underinvestment", "eroding goals"),
       "map the project's growth engine and its limits", "archetypes-growth-and-limits"),
    _s(11, "Archetypes III: relationships, competition, commons", "April 2025", _D(2025, 4, 1),
       "others → world", "community", (5, 6, 11, 1),
       ("archetypes", "causal loop diagram", "simulation"),
       ("fishery", "tragedy of the commons", "escalation", "success to the successful",
        "accidental adversaries"),
       ("escalation", "success to the successful", "accidental adversaries",
        "tragedy of the commons"),
       "redesign a commons' rules (who sees what information?)",
       "archetypes-commons-and-competition"),
    _s(12, "Leverage, shared vision, shared responsibility", "May 2025", _D(2025, 5, 1),
       "world / others", "practice", (10, 1, 6),
       ("leverage points", "shared vision", "causal loop diagram", "simulation"),
       ("oil",),
       ("leverage points", "collective visioning", "stakeholder engagement"),
       "stakeholder map; shared-vision draft; one leverage action",
       "leverage-and-shared-vision"),
    _s(13, "Leaders at all levels: integrating the mandala", "June 2025", _D(2025, 6, 1),
       "all", "practice", (14, 2, 5),
       ("mandala", "behaviour-over-time graph", "reflective conversation"), (),
       ("the mandala", "successive approximation", "peer coaching"),
       "complete the e-portfolio; peer review", "leaders-at-all-levels"),
    _s(14, "Retreat: integration and certification", "July 2025 (retreat week, ends 18 July)",
       _D(2025, 7, 14), "self → others → world", "community", (1, 6, 14, 11),
       ("check-in", "noticing", "creative tension", "four levels of listening", "simulation",
        "archetypes", "shared vision", "mandala"),
       ("fishery",),
       ("day 1 self", "day 2 others", "day 3 world (simulation games)",
        "day 4 project presentations", "day 5 commitments"),
       "final portfolio; personal and shared commitments", "retreat-integration"),
)


def _length(number: int) -> int:
    if number == 0:
        return START_HERE_MINUTES
    return RETREAT_DAYS * RETREAT_DAY_MINUTES if number == 14 else CONVENING_MINUTES


_SESSIONS = tuple(
    dataclasses.replace(
        s, length=_length(s.number), days=RETREAT_DAYS if s.number == 14 else 1,
        plan=PLANS[s.number], prerequisites=PREREQUISITES[s.number],
        key_points=KEY_POINTS[s.number], terms=TERMS[s.number], readings=READINGS[s.number])
    for s in _BASE)


def session_number(value: object) -> int:
    """The number of the session `value` names: a number, ``"session 3"``, ``"start here"``.

    The one place session identity is parsed; an UnknownSessionError otherwise.

    Examples
    --------
    >>> session_number("Session 3"), session_number(0), session_number("start-here")
    (3, 0, 0)
    """
    if isinstance(value, Session):
        return value.number
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip().lower()
        text = {"start-here": "0", "start here": "0"}.get(text, text)
        text = re.sub(r"^session\s*", "", text)
        # ASCII digits only: str.isdigit() also accepts '²' and other digits int() refuses
        if not re.fullmatch(r"[0-9]{1,3}", text):
            raise UnknownSessionError(value)
        number = int(text)
    else:
        raise UnknownSessionError(value)
    if not 0 <= number <= 14:
        raise UnknownSessionError(value)
    return number


def session(n: int | str) -> Session:
    """The session numbered `n`: an int from 0 to 14, or text such as ``"07"``.

    Raises
    ------
    UnknownSessionError
        (a ``KeyError``) for anything else, listing the valid numbers.

    Examples
    --------
    >>> session(0).notebook
    'notebooks/00-start-here.ipynb'
    >>> session("session12").models
    ('oil',)
    >>> session(15)
    Traceback (most recent call last):
    ...
    csframework.curriculum.UnknownSessionError: unknown session 15 in csf.curriculum.session(); \
valid sessions are the numbers 0 (start here) and 1 to 14, as an int (7) or text ('07')
    """
    return _SESSIONS[session_number(n)]


def sessions(include_start: bool = False) -> tuple[Session, ...]:
    """The convenings in order: 1 to 14, or 0 to 14 with `include_start`.

    Examples
    --------
    >>> [s.number for s in sessions()][:3]
    [1, 2, 3]
    >>> sessions(include_start=True)[0].title
    'A first causal loop diagram'
    """
    return _SESSIONS if include_start else _SESSIONS[1:]


def coverage(include_start: bool = False) -> Coverage:
    """Map every habit and every tool to the sessions that practise it.

    Examples
    --------
    >>> c = coverage()
    >>> c
    <Coverage: 14 of 14 habits, 17 of 17 tools>
    >>> c.habits["recognizes the impact of time delays"]
    (7, 8)
    >>> c.tools["iceberg"]
    (6,)
    """
    chosen = sessions(include_start)
    habits = {h: tuple(s.number for s in chosen if h in s.habits) for h in HABITS}
    tools = {t: tuple(s.number for s in chosen if t in s.tools) for t in TOOLS}
    return Coverage(MappingProxyType(habits), MappingProxyType(tools))

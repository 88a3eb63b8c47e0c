"""The programme year as data: fourteen convenings, what each practises, and where it lives.

The Compassionate Systems Master Practitioners year (Class of 2024-2025) meets
once a month from 24 June 2024 and closes with a retreat week that ends on
18 July 2025. Each convening is a :class:`Session`: its date or month, its
theme, the facets of systems awareness it works on (self, others, world), the
domain of the Mandala for Systems Change it feeds, the Habits of a Systems
Thinker it practises (:data:`HABITS`), the thinking tools it uses
(:data:`TOOLS`), the library models it runs, and the two notebooks that carry
it. Session 0 is the "start here" notebook.

Every session opens with a check-in and closes with a check-out and a journal
reflection; :attr:`Session.tools` lists ``"check-in"`` only where the check-in
itself is a subject of the session.

The notebooks (curriculum notebook in ``notebooks/``, exercise notebook in
``exercises/``, both named ``NN-slug.ipynb``):

== ========================================== =====================================
 #  slug                                       theme
== ========================================== =====================================
 0  00-start-here                              Start here: a first causal loop diagram
 1  01-arriving-and-three-systems              Arriving: the framework and the three systems
 2  02-personal-mastery-vision-and-reality     Personal mastery: vision and current reality
 3  03-noticing-mind-heart-body                The mind-heart-body system
 4  04-mental-models-and-the-ladder            Mental models and the ladder of inference
 5  05-reflective-conversation                 Reflective conversation, generative social fields
 6  06-the-iceberg                             Seeing below the surface: the iceberg
 7  07-feedback-loops-and-delays               Feedback loops and delays
 8  08-stocks-and-flows                        Stocks and flows: from classrooms to climate
 9  09-archetypes-quick-fixes                  Archetypes I: quick fixes
10  10-archetypes-growth-and-limits            Archetypes II: growth, limits and standards
11  11-archetypes-commons-and-competition      Archetypes III: relationships, competition, commons
12  12-leverage-and-shared-vision              Leverage, shared vision, shared responsibility
13  13-leaders-at-all-levels                   Leaders at all levels: integrating the mandala
14  14-retreat-integration                     Retreat: integration and certification
== ========================================== =====================================

Session 0 has no exercise notebook.

Examples
--------
>>> from csframework import curriculum
>>> s = curriculum.session(7)
>>> s
Session(7, 'Feedback loops and delays')
>>> s.month, s.facets, s.notebook
('December 2024', ('others', 'world'), 'notebooks/07-feedback-loops-and-delays.ipynb')
>>> curriculum.session("07") is s
True
>>> len(curriculum.sessions()), len(curriculum.sessions(include_start=True))
(14, 15)
>>> print(s.card())  # doctest: +ELLIPSIS
Session 7 · December 2024 · Feedback loops and delays
Facets: others, world
Mandala domain: research
Habits: identifies the circular nature of complex cause and effect; ...
Tools: causal loop diagram, behaviour-over-time graph, simulation
Plan (180 minutes):
  0:00-0:05  Intentions for today (5 min)
...
  2:55-3:00  Exercises and next session (5 min)
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import MappingProxyType

from csframework.errors import FormatError, UnknownNameError

__all__ = [
    "BREAK",
    "CONVENING_MINUTES",
    "DETECTABLE_TOOLS",
    "DOMAINS",
    "FACETS",
    "FURTHER_READING",
    "GLOSSARY",
    "HABITS",
    "RETREAT_DAYS",
    "RETREAT_DAY_MINUTES",
    "START_HERE_MINUTES",
    "TOOLS",
    "Coverage",
    "PlanItem",
    "Session",
    "SessionCard",
    "UnknownSessionError",
    "coverage",
    "habit",
    "session",
    "session_number",
    "sessions",
    "tools_used_in",
]

#: The three facets of systems awareness.
FACETS = ("self", "others", "world")

#: The four domains of the Mandala for Systems Change, each with its question.
DOMAINS = MappingProxyType({
    "practice": "What are we seeking to accomplish?",
    "research": "What are we seeking to learn that can benefit others?",
    "capacity building": "How do we need to learn and grow, individually and collectively?",
    "community": 'Who is the "we", and what is the quality of our relationships?',
})

#: The Habits of a Systems Thinker (Waters Center for Systems Thinking), in their order;
#: habit n is ``HABITS[n - 1]``.
HABITS = (
    "seeks to understand the big picture",
    "observes how elements change over time, generating patterns and trends",
    "recognizes that a system's structure generates its behaviour",
    "identifies the circular nature of complex cause and effect",
    "makes meaningful connections within and between systems",
    "changes perspectives to increase understanding",
    "surfaces and tests assumptions",
    "considers an issue fully and resists a quick conclusion",
    "considers how mental models affect current reality and the future",
    "uses understanding of structure to identify leverage actions",
    "considers short-term, long-term and unintended consequences",
    "pays attention to accumulations and their rates of change",
    "recognizes the impact of time delays",
    "checks results and changes actions if needed (successive approximation)",
)

#: The thinking tools and practices of the year, by their canonical names.
TOOLS = (
    "check-in",
    "noticing",
    "creative tension",
    "ladder of inference",
    "reflective conversation",
    "four levels of listening",
    "four player model",
    "connection circle",
    "causal loop diagram",
    "behaviour-over-time graph",
    "iceberg",
    "stock and flow",
    "simulation",
    "archetypes",
    "leverage points",
    "shared vision",
    "mandala",
)

# tool -> patterns in a notebook's code that show the tool in use
_TOOL_SIGNS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "connection circle": (r"\bConnectionCircle\b", r"\bcircles\."),
    "causal loop diagram": (r"\bCausalLoopDiagram\b", r"\.loops\(", r"\.to_cld\(",
                            r"\bcld_editor\b"),
    "behaviour-over-time graph": (r"\bbehaviour\.", r"\bclassify\(", r"\.add_behaviour\(",
                                  r"\bbotg\b", r"\bBehaviourOverTimeGraph\b", r"\.plot\("),
    "iceberg": (r"\bIceberg\b", r"\biceberg\."),
    "ladder of inference": (r"\bLadderOfInference\b", r"\bladder\."),
    "creative tension": (r"\bCreativeTension\b", r"\btension\."),
    "stock and flow": (r"\bStockFlowModel\b", r"\blibrary\.load\(", r"\bload_model\(",
                       r"\.stock\(", r"\bfrom_xmile\("),
    "simulation": (r"\.run\(", r"\bsimulation_dashboard\b", r"\bslider", r"\.simulate\("),
    "archetypes": (r"\barchetypes\.",),
    "leverage points": (r"\bleverage",),
    "mandala": (r"\bexport_html\(", r"\bexport_markdown\(", r"\bdomain\s*="),
})

#: The tools a notebook's code can be seen to use (see :func:`tools_used_in`).
DETECTABLE_TOOLS = tuple(t for t in TOOLS if t in _TOOL_SIGNS)

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
            when = f"day {item.day}" if self.days > 1 else _clock(start, end)
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
        terms = ", ".join(f"[{t}]({glossary}#{_anchor(t)})" for t in self.terms)
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


def _chip(text: str, colour: str) -> str:
    return (f'<span style="display:inline-block;padding:1px 9px;margin:0 4px 2px 0;'
            f'border-radius:10px;background:{colour};color:#fff;font-size:0.9em">'
            f"{escape(text)}</span>")


@dataclass(frozen=True)
class SessionCard:
    """A session's header card: text for nbval, HTML for JupyterLab."""

    session: Session

    def text(self) -> str:
        """The card as plain text (also its ``repr``)."""
        s = self.session
        head = " · ".join(part for part in (s.label, s.month, s.title) if part)
        lines = [head, f"Facets: {', '.join(s.facets)}", f"Mandala domain: {s.domain}"]
        if s.habits:
            lines.append("Habits: " + "; ".join(s.habits))
        if s.tools:
            lines.append("Tools: " + ", ".join(s.tools))
        if s.plan:
            span = f"{s.days} days of {s.day_length} minutes" if s.days > 1 else \
                f"{s.length} minutes"
            lines.append(f"Plan ({span}):")
            for item, start, end in s.schedule():
                when = f"day {item.day}" if s.days > 1 else _clock(start, end)
                lines.append(f"  {when}  {item.section} ({item.minutes} min)")
            lines += [f"  take-home  {name}" for name in s.take_home_sections]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = text

    def _repr_html_(self) -> str:
        from csframework.style import PALETTE

        s = self.session
        chips = "".join(_chip(f, PALETTE[f]) for f in s.facets)
        habits = "".join(f"<li>{escape(h[0].upper() + h[1:])}</li>" for h in s.habits)
        tools = ", ".join(escape(t) for t in s.tools)
        when = f" · {escape(s.when)}" if s.when else ""
        domain_q = escape(DOMAINS[s.domain])
        return (
            '<div class="csf-session-card" style="border:1px solid #ddd;border-left:6px solid '
            f'{PALETTE["balancing"]};border-radius:6px;padding:10px 14px;margin:4px 0 12px 0;'
            f'font-family:sans-serif;color:{PALETTE["text"]}">'
            f'<div style="font-size:0.85em;color:#666">{escape(s.label)}{when}</div>'
            f'<div style="font-size:1.35em;font-weight:600;margin:2px 0 6px 0">'
            f"{escape(s.title)}</div>"
            f"<div>{chips}</div>"
            f'<div style="margin-top:6px"><b>Mandala domain:</b> {escape(s.domain)} '
            f'<span style="color:#666">({domain_q})</span></div>'
            + (f'<div style="margin-top:4px"><b>Habits of a systems thinker:</b>'
               f'<ul style="margin:2px 0 0 0">{habits}</ul></div>' if habits else "")
            + (f'<div style="margin-top:4px"><b>Tools:</b> {tools}</div>' if tools else "")
            + _plan_html(s)
            + "</div>"
        )


def _clock(start: int, end: int) -> str:
    return f"{start // 60}:{start % 60:02d}-{end // 60}:{end % 60:02d}"


def _anchor(term: str) -> str:
    """The link anchor of a glossary heading (lower case, spaces as hyphens)."""
    return re.sub(r"[^a-z0-9 -]", "", term.lower()).replace(" ", "-")


def _plan_html(s: Session) -> str:
    if not s.plan:
        return ""
    rows = []
    for item, start, end in s.schedule():
        when = f"day {item.day}" if s.days > 1 else _clock(start, end)
        rows.append(f'<tr><td style="padding:0 10px 0 0;color:#666">{when}</td>'
                    f'<td style="padding:0 10px 0 0">{escape(item.section)}</td>'
                    f'<td style="text-align:right">{item.minutes}</td></tr>')
    rows += [f'<tr><td style="padding:0 10px 0 0;color:#666">take-home</td>'
             f'<td style="padding:0 10px 0 0"><i>{escape(name)}</i></td><td></td></tr>'
             for name in s.take_home_sections]
    span = f"{s.days} days of {s.day_length} minutes" if s.days > 1 else f"{s.length} minutes"
    return (f'<details style="margin-top:4px"><summary><b>Plan</b> ({span})</summary>'
            f'<table style="font-size:0.9em;margin-top:2px">{"".join(rows)}</table></details>')


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


# -- the minute plan of each convening ----------------------------------------------------------

#: Minutes of a monthly convening (a three-hour virtual meeting).
CONVENING_MINUTES = 180

#: Minutes of the start-here notebook, alone or in a short onboarding call.
START_HERE_MINUTES = 20

#: Days of the retreat week (session 14).
RETREAT_DAYS = 5

#: Working minutes of a retreat day: 09:00-16:30 less a 30-minute break and a 90-minute lunch.
RETREAT_DAY_MINUTES = 330

#: The name of the plan entry for a pause that is not a section of the notebook.
BREAK = "Break"

#: Headings the course adds to every notebook that are not sections of the plan.
SUMMARY_HEADINGS = ("Key points",)


@dataclass(frozen=True)
class PlanItem:
    """One section of a session's minute plan.

    Attributes
    ----------
    section : str
        The notebook's heading for it (``##`` or ``###``, without its number), or
        :data:`BREAK`.
    minutes : int
        Time in the convening; 0 for a take-home section.
    take_home : bool
        True when the section is left for participants to work through afterwards.
    day : int or None
        For the retreat week: the day (1 to 5) of a timed section.
    """

    section: str
    minutes: int
    take_home: bool = False
    day: int | None = None

    def __repr__(self) -> str:
        extra = " take-home" if self.take_home else f" {self.minutes} min"
        day = f" day {self.day}" if self.day else ""
        return f"<PlanItem {self.section!r}{extra}{day}>"


def _plan(*items: tuple) -> tuple[PlanItem, ...]:
    out = []
    for item in items:
        if item[1] == "home":
            out.append(PlanItem(item[0], 0, True))
        else:
            out.append(PlanItem(item[0], item[1], False, item[2] if len(item) > 2 else None))
    return tuple(out)


_H = "home"
_PLANS: Mapping[int, tuple[PlanItem, ...]] = MappingProxyType({
    0: _plan(("Open the toolkit", 2), ("A classroom, in a few lines", 7),
             ("Give a loop its story", 2), ("Try it in your own setting", 6),
             ("Keep and share your diagram", 2),
             ("For facilitators: the presentation theme", _H), ("Reflection", 1)),
    1: _plan(("Intentions for today", 5), ("Check-in", 15),
             ("Three systems, one awareness", 15), ("A connection circle of my work and life", 15),
             ("My energy is a stock: the bathtub", 15), ("Beyond blame, and the mandala", 15),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("Practice: a connection circle of your own work and life", 40),
             ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    2: _plan(("Intentions for today", 5), ("Check-in", 15), ("Creative tension", 15),
             ("Creative and emotional tension", 25), ("Goal seeking: the cooling coffee", 15),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("Practice: your own creative tension", 45), ("Reflection and check-out", 25),
             ("Exercises and next session", 5)),
    3: _plan(("Intentions for today", 5), ("Check-in: a body scan", 15),
             ("Noticing, and a vocabulary for it", 20),
             ("The thermostat: a balancing loop that keeps us steady", 20),
             ("Empathy and compassion", 15), ("For facilitators: live demonstration", 25),
             (BREAK, 10), ("Practice: your own noticing log", 40),
             ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    4: _plan(("Intentions for today", 5), ("Check-in", 15), ("The ladder of inference", 15),
             ("Walking down the ladder", 10), ("The reflexive loop", 10),
             ("The left-hand column", 15), ("Advocacy and inquiry", 15),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("Practice: your own ladder", 35), ("Reflection and check-out", 25),
             ("Exercises and next session", 5)),
    5: _plan(("Intentions for today", 5), ("Check-in: a deep check-in", 20),
             ("Four levels of listening", 20), ("The Four Player Model", 20),
             ("Perspective taking: a team as a connection circle", 15),
             ("Trust and participation: from circle to causal loop diagram", 10),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("Practice: your own team", 30), ("Reflection and check-out", 25),
             ("Exercises and next session", 5)),
    6: _plan(("Intentions for today", 5), ("Check-in", 15), ("The four levels", 15),
             ("The pattern level: a behaviour over time", 15),
             ("The structures level: a causal loop diagram", 15), ("Four ways to respond", 10),
             ("The aspirational iceberg", 10), ("For facilitators: live demonstration", 20),
             (BREAK, 10), ("Practice: an iceberg of your own", 40),
             ("Reflection and check-out", 20), ("Exercises and next session", 5)),
    7: _plan(("Intentions for today", 5), ("Check-in", 15),
             ("Causal links and their polarity", 10),
             ("Loop polarity: reinforcing or balancing?", 10),
             ("What a delay does to a balancing loop", 15), ("The car dealer", 20),
             ("Which loop is in charge? Loop dominance over time", 10),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("Practice: a delayed correction of your own", 35),
             ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    8: _plan(("Intentions for today", 5), ("Check-in", 15),
             ("Stocks, flows and the bathtub", 25),
             ("When the stock feeds its own inflow: a bank account", 15),
             ("Two flows pulling against each other: population", _H),
             ("Building up and wearing out: capital", _H),
             ("For facilitators: live demonstration", 35), (BREAK, 10),
             ("Practice: a stock-flow map of a classroom culture", 45),
             ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    9: _plan(("Intentions for today", 5), ("Check-in", 15), ("Fixes that fail", 20),
             ("Which loop is in charge?", _H), ("Shifting the burden", 20),
             ("For facilitators: live demonstration", 20), (BREAK, 10),
             ("The archetype finder", 25), ("Practice: a fix that fails in your own setting", 35),
             ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    10: _plan(("Intentions for today", 5), ("Check-in", 15), ("Limits to growth", 20),
              ("Growth and underinvestment", 20),
              ("Eroding goals, and creative tension revisited", 15),
              ("For facilitators: live demonstration", 20), (BREAK, 10),
              ("Practice: your project's growth engine and its limits", 45),
              ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    11: _plan(("Intentions for today", 5), ("Check-in", 15),
              ("Escalation: each side answers the other", 15),
              ("Success to the successful", 10), ("Accidental adversaries", 10),
              ("The tragedy of the commons", 15), ("A fishery in three regimes", _H),
              ("For facilitators: live demonstration", 35), (BREAK, 10),
              ("Practice: redesign the rules of a commons", 35),
              ("Reflection and check-out", 25), ("Exercises and next session", 5)),
    12: _plan(("Intentions for today", 5), ("Check-in", 15),
              ("Places to intervene in a system", 15),
              ("Tagging leverage on a causal loop diagram", 15),
              ("Scenarios for a finite resource", _H),
              ("The same question for the whole world: World3", 15),
              ("Who holds a piece of the system? A stakeholder map", 15),
              ("A shared vision", 20), ("For facilitators: live demonstration", 15), (BREAK, 10),
              ("Practice: one leverage action in your own system", 30),
              ("Reflection and check-out", 20), ("Exercises and next session", 5)),
    13: _plan(("Intentions for today", 5), ("Check-in", 15),
              ("The mandala: one project, four questions", 15),
              ("Successive approximation: try, look, adjust", 10),
              ("The project over time: intended and actual", 15), ("Peer coaching", 30),
              ("For facilitators: live demonstration", 15), (BREAK, 10),
              ("Practice: your own mandala and your project's graph", 30),
              ("Your e-portfolio", 10), ("Reflection and check-out", 25)),
    14: _plan(("Intentions for the week", 5, 1), ("Check-in", 20, 1),
              ("The week at a glance", 5, 1), ("Day 1 · Self: who have I become?", 300, 1),
              ("Day 2 · Others: listening that lets something new be said", 330, 2),
              ("Day 3 · World: simulation games", 240, 3),
              ("The fishery: the same story with boats and money", _H),
              ("For facilitators: live demonstration in workshop mode", 90, 3),
              ("Day 4 · Project presentations", 330, 4), ("Day 5 · Commitments", 270, 5),
              ("Reflection and closing circle", 60, 5), ("After the retreat", _H)),
})


# -- what each session leaves behind, and what it builds on ------------------------------------

#: The course's glossary and reading list, relative to the repository root.
GLOSSARY = "notebooks/glossary.md"
FURTHER_READING = "notebooks/further-reading.md"

# session -> sessions whose notebooks it builds on
_PREREQUISITES: Mapping[int, tuple[int, ...]] = MappingProxyType({
    0: (), 1: (0,), 2: (1,), 3: (1, 2), 4: (1, 3), 5: (1, 4), 6: (3, 4), 7: (0, 2),
    8: (1, 3, 7), 9: (7, 8), 10: (2, 8, 9), 11: (9, 10), 12: (7, 8, 9), 13: (1, 3, 12),
    14: (13,),
})

# session -> glossary terms (headings of notebooks/glossary.md) its notebook leans on
_TERMS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: ("causal loop diagram", "polarity", "feedback loop", "reinforcing loop", "balancing loop",
        "delay"),
    1: ("systems awareness", "connection circle", "feedback loop", "stock", "flow",
        "mandala for systems change"),
    2: ("creative tension", "emotional tension", "eroding goals", "goal seeking",
        "balancing loop", "behaviour over time"),
    3: ("behaviour over time", "reference mode", "balancing loop", "stock", "flow",
        "equilibrium"),
    4: ("mental model", "ladder of inference", "reinforcing loop", "advocacy and inquiry"),
    5: ("four levels of listening", "four player model", "connection circle",
        "reinforcing loop", "delay"),
    6: ("iceberg", "behaviour over time", "reference mode", "mental model", "archetype"),
    7: ("polarity", "delay", "reinforcing loop", "balancing loop", "oscillation",
        "loop dominance"),
    8: ("stock", "flow", "equilibrium", "reinforcing loop", "balancing loop",
        "s-shaped growth"),
    9: ("archetype", "fixes that fail", "shifting the burden", "better before worse",
        "loop dominance", "delay"),
    10: ("limits to growth", "growth and underinvestment", "eroding goals", "s-shaped growth",
         "loop dominance"),
    11: ("escalation", "success to the successful", "accidental adversaries",
         "tragedy of the commons", "overshoot and collapse"),
    12: ("leverage point", "shared vision", "mental model", "archetype"),
    13: ("mandala for systems change", "successive approximation", "behaviour over time",
         "reference mode"),
    14: ("systems awareness", "creative tension", "tragedy of the commons", "shared vision",
         "successive approximation"),
})

# session -> keys of notebooks/further-reading.md (each entry starts "**key.**")
_READINGS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: ("Meadows 2008", "Senge 1990"),
    1: ("Boell and Senge 2016", "Senge 1990", "Senge, Hamilton and Kania 2015"),
    2: ("Senge 1990", "Senge et al. 1994"),
    3: ("Boell and Senge 2016", "Meadows 2008"),
    4: ("Senge et al. 1994", "Senge 1990"),
    5: ("Scharmer 2009", "Kantor 2012", "Waters Center"),
    6: ("Waters Center", "Senge et al. 1994", "Kim and Anderson 1998"),
    7: ("Meadows 2008", "Sterman 2000"),
    8: ("Meadows 2008", "Sterman 2000"),
    9: ("Senge 1990", "Kim and Anderson 1998", "Kim, Systems Archetypes at a Glance"),
    10: ("Senge 1990", "Kim and Anderson 1998", "Meadows 2008"),
    11: ("Kim and Anderson 1998", "Ostrom 1990", "Meadows 2008"),
    12: ("Meadows 1999", "Senge, Hamilton and Kania 2015", "Senge 1990"),
    13: ("Senge et al. 1994", "Boell and Senge 2016", "Waters Center"),
    14: ("Senge, Hamilton and Kania 2015", "Boell and Senge 2016", "Sterman 2000"),
})

# session -> three to five key points, shown at the end of its notebook and in its handout
_KEY_POINTS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: (
        "A causal loop diagram writes each sentence of the form *when this rises, that moves* "
        "as a link with a sign: `+` when the effect moves with the cause, `-` when it moves "
        "against it.",
        "Count the `-` links around a loop: an even number makes it reinforcing, so a change "
        "comes back larger; an odd number makes it balancing, so a change comes back opposed.",
        "A story name such as *the trust spiral* turns a loop into something a group can "
        "notice while it is happening, and talk about together.",
        "A first diagram is a question, not a verdict: it grows richer each time someone who "
        "sees the place differently adds a link.",
    ),
    1: (
        "Self, others and world are one system seen at three scales: care given in one "
        "travels through the other two and comes back.",
        "Aspiration, reflection and systems awareness hold each other up like the legs of a "
        "stool; take one away and the practice tips over.",
        "A connection circle turns a story into structure: name what rises and falls, draw "
        "the direct influences, and the closed paths are the feedback loops.",
        "Energy behaves like water in a bathtub: it changes only through its flows, and while "
        "inflow equals outflow it holds still, however busy the flows are.",
        "Looking beyond blame asks which structure keeps producing a pattern; it keeps "
        "responsibility and lets go of the search for a culprit.",
    ),
    2: (
        "Creative tension is the pull of the gap between a vision we truly hold and an honest "
        "picture of current reality; it is released either by raising reality or by lowering "
        "the vision.",
        "Emotional tension is the discomfort the gap brings. Easing it by lowering the vision "
        "is quick and quiet, and repeated it becomes the eroding-goals archetype.",
        "Held firm, a goal keeps effort pulling performance up; allowed to drift, goal and "
        "performance slide down together without anyone deciding it.",
        "Goal seeking, fast while the gap is large and slower as it closes, is the signature "
        "of a balancing loop, as in a cup of coffee cooling towards the room.",
    ),
    3: (
        "Noticing is a skill that grows with practice, and a precise word for a state "
        "(*tired*, *anxious*, *curious*) opens a better response than a vague one.",
        "A behaviour-over-time graph turns a week of noticing into a shape; the difference "
        "between the shape we expected and the one we lived is where learning starts.",
        "A balancing loop that acts in proportion to the gap, against a steady leak, settles "
        "short of its goal: where it settles changes with the flows, not with trying harder.",
        "Stress is a stock: it climbs while demands outrun recovery and drains only as fast "
        "as recovery allows, so reliable recovery is a lever in its own right.",
        "Empathic distress runs as a reinforcing loop that pulls us away from people; "
        "compassion adds concern and action, and closes a balancing loop that steadies us.",
    ),
    4: (
        "We climb the ladder of inference in seconds: from what a camera would record, "
        "through the details we select, the meaning and assumptions we add, to conclusions, "
        "beliefs and action.",
        "Walking back down, rung by rung, shows where we left the data behind; we cannot stop "
        "climbing, but we can learn to climb in the open.",
        "The reflexive loop is reinforcing: our beliefs choose the data we notice next, so an "
        "untested belief tends to confirm itself.",
        "The left-hand column shows what we thought but did not say; balancing advocacy "
        "(showing our reasoning) with inquiry (asking for the other's) makes reasoning "
        "discussable.",
    ),
    5: (
        "Listening has levels (downloading, factual, empathic, generative), and each one "
        "opens a little more room for something new to be said.",
        "Everything said in a conversation does one of four jobs: move, follow, oppose or "
        "bystand. A group that is missing one of them tends to get stuck.",
        "A well-timed bystand, naming what the conversation is doing, can turn a loop of "
        "defensiveness into a loop of awareness.",
        "Taking another person's perspective completes the map: their arrows reveal loops we "
        "cannot see from our own seat.",
        "Trust and participation grow together in a reinforcing loop with a delay, so a new "
        "team's field needs patience and protected time.",
    ),
    6: (
        "The iceberg reads an issue on four levels: events, patterns over time, the "
        "structures that produce them, and the mental models that keep those structures in "
        "place.",
        "Each level invites its own response (react, anticipate, design, transform), and the "
        "deeper the level, the longer the change lasts.",
        "Drawing the pattern as a behaviour over time, then asking which structure could "
        "produce that shape, links what we see to why it keeps happening.",
        "Each level down moves us further from blame: an arrangement that makes a problem "
        "likely is something a team can redesign together.",
        "Read upwards, the aspirational iceberg maps what we want to grow: the beliefs, "
        "structures and patterns that would make a hoped-for event ordinary.",
    ),
    7: (
        "A link's sign says whether the effect moves with the cause (`+`) or against it "
        "(`-`); a delay marks a link whose effect takes time to show.",
        "Around a loop, an even number of `-` links makes it reinforcing and an odd number "
        "makes it balancing.",
        "A delay inside a balancing loop makes it overshoot and swing, because each "
        "correction acts on an out-of-date picture.",
        "In the car dealer's inventory, responding faster makes the swings larger and "
        "responding more slowly calms them: with delays, patience is a policy.",
        "Several loops share the steering of one system, and which of them dominates can "
        "change as time goes on.",
    ),
    8: (
        "A stock is what has accumulated and can be counted at an instant; a flow is the rate "
        "that fills or drains it. A stock changes only through its flows.",
        "When inflow equals outflow the stock holds still while a great deal moves through "
        "it; to raise it, inflow must exceed outflow for a while.",
        "When a flow depends on its own stock a loop hides inside the flow: interest on "
        "savings reinforces, wear on capital balances.",
        "Holding emissions steady does not hold the carbon dioxide in the air steady: the "
        "stock keeps rising for as long as inflow exceeds removal.",
        "The trust in a class is a stock too: it builds week by week through small acts and "
        "moves towards the level where building and eroding balance.",
    ),
    9: (
        "Archetypes are recurring stories grown from a few shapes of feedback; knowing them "
        "helps us recognise a pattern early, including in our own habits.",
        "Fixes that fail: the fix eases the symptom through a balancing loop while a delayed "
        "side effect feeds the problem, so things get better before they get worse.",
        "Shifting the burden: a quick symptomatic solution relieves the pressure that would "
        "have built a fundamental one, and the system's own capability fades.",
        "The leverage lies in seeing the side effect sooner, and in strengthening the "
        "fundamental solution while easing off the quick one gently.",
        "The archetype finder looks past our words to the pattern of links, signs and loops; "
        "when it finds nothing, that is a prompt for conversation, not a failure.",
    ),
    10: (
        "Limits to growth: a reinforcing engine drives growth until a balancing loop from a "
        "tightening limit takes over, and the curve bends into an S.",
        "Once the limit dominates, pushing harder on the engine helps less and less; the "
        "leverage has moved to the limit.",
        "Growth and underinvestment: when a slipping standard stops calling for investment, "
        "a limit that could have been raised becomes a ceiling.",
        "Eroding goals is creative tension released the easy way: the gap closes because the "
        "goal comes down, in steps too small for anyone to decide.",
        "A goal may rightly change after honest reflection; the trap is the drift that no one "
        "chose.",
    ),
    11: (
        "Escalation: each side acts to restore its position against the other, and two "
        "balancing loops join into one reinforcing spiral.",
        "Success to the successful: when a shared resource goes a little more to whoever is "
        "ahead, the allocation rule, not merit, decides who thrives.",
        "Accidental adversaries: partners who fix things for themselves under pressure can "
        "quietly harm each other; the leverage is in seeing that cost and renewing the "
        "shared goal.",
        "Tragedy of the commons: each user's gain is immediate and private while the cost of "
        "depletion is shared and delayed, so sensible choices can exhaust what all depend on.",
        "Commons last when their users can see the shared stock and agree their own rules: "
        "information and agreement close the missing balancing loops.",
    ),
    12: (
        "Meadows' twelve places to intervene run from numbers and sizes, where we argue most, "
        "to information, rules, goals and paradigms, where structure itself changes.",
        "Tagging leverage on a causal loop diagram turns *what should we do?* into *which "
        "link, loop, delay or rule would we change, and how deep is that?*",
        "Deep leverage is slow and often resisted; shallow leverage is quick and sometimes "
        "all we have. The skill is knowing which kind of change we are making.",
        "A stakeholder map asks who holds a piece of the system; a shared vision grows from "
        "listening to them, and shared responsibility grows from both.",
    ),
    13: (
        "The mandala holds one project with four questions: what we seek to accomplish, what "
        "we seek to learn, how we need to grow, and who the *we* is.",
        "Successive approximation is a balancing loop of learning: act on the best current "
        "understanding, look at what happened, adjust, and give results time to show.",
        "Intended and actual behaviour over time on one graph turns a gap into information "
        "about structure rather than a verdict on people.",
        "A peer coach asks rather than advises, so that the presenter sees their own project "
        "more clearly.",
        "The e-portfolio grows from what was written all year: journal entries tagged with a "
        "domain become the record of the work.",
    ),
    14: (
        "The retreat retraces the year through self, others and world, because awareness of "
        "each makes the next one possible.",
        "Playing a system from the inside shows that well-meaning people follow the "
        "structure they are in: its information, its rules and its delays.",
        "A project shown with its mandala and its graph of intended and actual, then heard "
        "back by a reviewer partner, becomes learning others can use.",
        "A personal commitment can be kept alone; a shared one names the people who hold it, "
        "their vision, first actions, and when they will look at the results together.",
        "Successive approximation does not end with the programme: commitments are tried, "
        "looked at again and adjusted.",
    ),
})


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
        plan=_PLANS[s.number], prerequisites=_PREREQUISITES[s.number],
        key_points=_KEY_POINTS[s.number], terms=_TERMS[s.number], readings=_READINGS[s.number])
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


def habit(n: int) -> str:
    """The title of habit number `n` (1 to 14).

    Examples
    --------
    >>> habit(13)
    'recognizes the impact of time delays'
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(HABITS):
        raise UnknownNameError(str(n), [str(i) for i in range(1, 15)], kind="habit number",
                               where="csf.curriculum.habit()")
    return HABITS[n - 1]


@dataclass(frozen=True)
class Coverage:
    """Which sessions practise each habit and use each tool.

    Attributes
    ----------
    habits : mapping of str to tuple of int
        Every habit of :data:`HABITS` (in order) to the sessions that practise it.
    tools : mapping of str to tuple of int
        Every tool of :data:`TOOLS` (in order) to the sessions that use it.
    """

    habits: Mapping[str, tuple[int, ...]]
    tools: Mapping[str, tuple[int, ...]]

    @property
    def unpractised_habits(self) -> tuple[str, ...]:
        """Habits no session practises."""
        return tuple(h for h, where in self.habits.items() if not where)

    @property
    def unused_tools(self) -> tuple[str, ...]:
        """Tools no session uses."""
        return tuple(t for t, where in self.tools.items() if not where)

    def __repr__(self) -> str:
        return (f"<Coverage: {len(self.habits) - len(self.unpractised_habits)} of "
                f"{len(self.habits)} habits, {len(self.tools) - len(self.unused_tools)} of "
                f"{len(self.tools)} tools>")

    def _repr_html_(self) -> str:
        def rows(mapping: Mapping[str, tuple[int, ...]]) -> str:
            return "".join(
                f"<tr><td>{escape(name)}</td><td>{', '.join(map(str, where)) or '—'}</td></tr>"
                for name, where in mapping.items())

        return ("<table><tr><th>Habit of a systems thinker</th><th>sessions</th></tr>"
                f"{rows(self.habits)}</table>"
                "<table><tr><th>Tool</th><th>sessions</th></tr>"
                f"{rows(self.tools)}</table>")


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


def _code_cells(path: Path) -> list[str]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FormatError(f"cannot read the notebook {str(path)!r}: {err}; expected a Jupyter "
                          ".ipynb file (JSON with a 'cells' list)") from None
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def tools_used_in(notebook_path: str | Path) -> tuple[str, ...]:
    """The tools whose csframework helpers a notebook's code cells use.

    Only code counts (markdown may talk about a tool without using it), and
    whole-line comments are ignored. Tools come back in :data:`TOOLS` order,
    among :data:`DETECTABLE_TOOLS`.

    Raises
    ------
    FormatError
        When the file is missing or is not a notebook.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> nb = {"cells": [{"cell_type": "code", "source": [
    ...     "berg = csf.Iceberg('Late homework')\\n",
    ...     "model = csf.library.load('thermostat')\\n", "res = model.run()"]}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.ipynb"
    >>> _ = path.write_text(json.dumps(nb))
    >>> tools_used_in(path)
    ('iceberg', 'stock and flow', 'simulation')
    """
    code = "\n".join(
        line for source in _code_cells(Path(notebook_path)) for line in source.splitlines()
        if not line.lstrip().startswith("#"))
    return tuple(tool for tool in DETECTABLE_TOOLS
                 if any(re.search(sign, code) for sign in _TOOL_SIGNS[tool]))

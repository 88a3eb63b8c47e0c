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
"""

from __future__ import annotations

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
    "DETECTABLE_TOOLS",
    "DOMAINS",
    "FACETS",
    "HABITS",
    "TOOLS",
    "Coverage",
    "Session",
    "SessionCard",
    "UnknownSessionError",
    "coverage",
    "habit",
    "session",
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
            + "</div>"
        )


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


_D = datetime.date
_SESSIONS = (
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


def _number(value: object) -> int:
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
    return _SESSIONS[_number(n)]


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

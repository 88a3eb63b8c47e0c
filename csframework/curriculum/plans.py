"""The minute plan of each convening: what happens when, and for how long.

Each session's plan is a tuple of :class:`PlanItem` in the notebook's order
(:data:`PLANS`); the timed minutes add up to the session's length: a monthly
convening is :data:`CONVENING_MINUTES`, the retreat :data:`RETREAT_DAYS` days of
:data:`RETREAT_DAY_MINUTES`, the start-here notebook :data:`START_HERE_MINUTES`.

Examples
--------
>>> PLANS[7][0]
<PlanItem 'Intentions for today' 5 min>
>>> clock(55, 70)
'0:55-1:10'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BREAK",
    "CONVENING_MINUTES",
    "PLANS",
    "RETREAT_DAYS",
    "RETREAT_DAY_MINUTES",
    "START_HERE_MINUTES",
    "SUMMARY_HEADINGS",
    "PlanItem",
    "clock",
]

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
#: Each session's minute plan, by session number (0 to 14).
PLANS: Mapping[int, tuple[PlanItem, ...]] = MappingProxyType({
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


def clock(start: int, end: int) -> str:
    """Two minute counts as a span of hours and minutes, ``"0:05-0:20"``.

    Examples
    --------
    >>> clock(0, 5), clock(170, 180)
    ('0:00-0:05', '2:50-3:00')
    """
    return f"{start // 60}:{start % 60:02d}-{end // 60}:{end % 60:02d}"

"""Meadows' twelve leverage points: the list in her order, looked up by number, name or alias.

The names and the order are hers; the summaries, examples and questions are
our own words.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass

import pandas as pd

from csframework import style
from csframework._text import normalise
from csframework.errors import UnknownNameError, close_matches

__all__ = ["BADGE", "LeveragePoint", "get", "names", "points", "table"]

#: The badge colour: the palette's highlight, with dark text.
BADGE = style.PALETTE["highlight"]


@dataclass(frozen=True)
class LeveragePoint:
    """One of Meadows' twelve places to intervene in a system.

    Attributes
    ----------
    number : int
        Her number: 12 (least effective) to 1 (most effective).
    name : str
        A short name (``"goals"``, ``"information flows"``).
    realm : str
        ``"parameters"``, ``"feedbacks"``, ``"design"`` or ``"intent"``.
    summary : str
        One sentence: what one changes at this point.
    example : str
        An example from a school or a community.
    question : str
        A question to ask of one's own system.
    aliases : tuple of str
        Other names it is known by (accepted by :func:`get`).
    """

    number: int
    name: str
    realm: str
    summary: str
    example: str
    question: str
    aliases: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<LeveragePoint {self.number}: {self.name}>"

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"

    def _repr_html_(self) -> str:
        e = html.escape
        return (f"<div style='border-left:4px solid {BADGE};padding:4px 10px'>"
                f"<b>{self.number} · {e(self.name)}</b> "
                f"<span style='color:{style.PALETTE['link']}'>({e(self.realm)})</span><br>"
                f"{e(self.summary)}<br><i>For example:</i> {e(self.example)}<br>"
                f"<i>Ask:</i> {e(self.question)}</div>")


_POINTS = (
    LeveragePoint(
        12, "numbers", "parameters",
        "Adjust a quantity: a budget, a rate, a size, a threshold, a price.",
        "Add two hours of tutoring a week, or lower class size from 30 to 28.",
        "Which number do we argue about most, and would changing it change the pattern?",
        ("parameters", "constants", "numbers and parameters")),
    LeveragePoint(
        11, "buffers", "parameters",
        "Change the size of a stabilising stock relative to its flows.",
        "Keep a reserve of substitute teachers, so that one absence does not cancel a class.",
        "Where would a larger (or smaller) reserve make the system steadier?",
        ("buffer", "buffer sizes", "stabilising stocks", "stabilizing stocks")),
    LeveragePoint(
        10, "stock-and-flow structures", "parameters",
        "Rebuild the physical layout: what is stored, where things flow, who is connected.",
        "Redesign the timetable and the building so that teachers of one year group share "
        "a room.",
        "What in the physical arrangement makes the problem easy and the solution hard?",
        ("stock and flow structure", "stocks and flows", "physical structure",
         "material stocks and flows", "infrastructure")),
    LeveragePoint(
        9, "delays", "feedbacks",
        "Shorten (or respect) the time between an action and its visible effect.",
        "Return marked work within two days instead of two weeks.",
        "Which delay makes us overreact, or give up too soon?",
        ("length of delays", "delay", "time delays", "lengths of delays")),
    LeveragePoint(
        8, "balancing loops", "feedbacks",
        "Strengthen the loops that correct a system relative to what they must correct.",
        "Give every class a weekly check on how each pupil is coping, and time to act on it.",
        "Which correcting loop has grown too weak for the pressure it must hold back?",
        ("balancing loop", "balancing feedback loops", "negative feedback loops",
         "strength of balancing loops")),
    LeveragePoint(
        7, "reinforcing loops", "feedbacks",
        "Slow a runaway loop, or set off a virtuous one.",
        "Stop the best resourced clubs from always winning the most new members.",
        "Which reinforcing loop runs away with us, and what slows it down?",
        ("reinforcing loop", "reinforcing feedback loops", "positive feedback loops",
         "gain of reinforcing loops")),
    LeveragePoint(
        6, "information flows", "design",
        "Change who sees what, and when: add feedback where it was missing.",
        "Show each family the school's energy use, room by room, every week.",
        "Who bears the consequences of a decision but never sees them, or the reverse?",
        ("information", "information flow", "feedback", "who has access to information",
         "structure of information flows")),
    LeveragePoint(
        5, "rules", "design",
        "Change the incentives, constraints and punishments: what is allowed and rewarded.",
        "Count group projects towards grades, so that helping a classmate is rewarded.",
        "Who writes the rules here, and whom do they serve?",
        ("rule", "rules of the system", "incentives", "constraints", "policies")),
    LeveragePoint(
        4, "self-organisation", "design",
        "Let the system add, change or evolve its own structure.",
        "Give pupils and teachers a budget and time to start and run their own projects.",
        "Where could people here experiment, learn and build something new?",
        ("self organization", "self-organization", "power to self organise",
         "evolve structure", "power to add change or evolve structure")),
    LeveragePoint(
        3, "goals", "intent",
        "Change what the whole system is trying to achieve.",
        "Move a school's goal from 'high average grades' to 'every pupil thrives'.",
        "What is this system really trying to do, judged by what it does?",
        ("goal", "purpose", "goals of the system", "purpose of the system")),
    LeveragePoint(
        2, "paradigms", "intent",
        "Change the shared, unspoken beliefs from which goals and rules arise.",
        "Move from 'ability is fixed' to 'everyone can learn' across a whole community.",
        "Which belief is so shared here that nobody says it aloud?",
        ("paradigm", "mindset", "mindsets", "mental models", "mindset or paradigm")),
    LeveragePoint(
        1, "transcending paradigms", "intent",
        "Hold every paradigm lightly, knowing none is the whole truth.",
        "A group that can see its own worldview as one way of seeing among many.",
        "Which of my certainties could I hold as one view among others?",
        ("transcending paradigm", "power to transcend paradigms", "transcendence",
         "transcend paradigms")),
)

_BY_KEY: dict[str, LeveragePoint] = {}
for _p in _POINTS:
    for _name in (_p.name, *_p.aliases):
        _BY_KEY[normalise(_name)] = _p


def points() -> tuple[LeveragePoint, ...]:
    """All twelve leverage points, in Meadows' order: 12 (least effective) first.

    Examples
    --------
    >>> [p.name for p in points()][-3:]
    ['goals', 'paradigms', 'transcending paradigms']
    """
    return _POINTS


def names() -> tuple[str, ...]:
    """The twelve names, in Meadows' order (12 first)."""
    return tuple(p.name for p in _POINTS)


def get(point: int | str | LeveragePoint) -> LeveragePoint:
    """The leverage point with this number, name or alias.

    Parameters
    ----------
    point : int, str or LeveragePoint
        Her number (1 to 12, also as text), the name (``"goals"``) or an alias
        (``"length of delays"``, ``"mindset"``, ``"parameters"``). Case, ``-`` and
        ``_`` do not matter.

    Raises
    ------
    UnknownNameError
        When nothing matches; close names are suggested.

    Examples
    --------
    >>> get("Self_Organization")
    <LeveragePoint 4: self-organisation>
    >>> get("6").name
    'information flows'
    >>> get(13)
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: Meadows numbered her leverage points 1 (most ...), not 13
    """
    if isinstance(point, LeveragePoint):
        return point
    if isinstance(point, numbers.Integral) and not isinstance(point, bool):
        return _by_number(int(point))
    if isinstance(point, str):
        key = normalise(point)
        if key.isdigit():
            return _by_number(int(key))
        if key in _BY_KEY:
            return _BY_KEY[key]
        if key.endswith("s") and key[:-1] in _BY_KEY:
            return _BY_KEY[key[:-1]]
    candidates = [n for p in _POINTS for n in (p.name, *p.aliases)]
    err = UnknownNameError(str(point), names(), kind="leverage point", where="Meadows' list")
    matches = close_matches(str(point), candidates, n=3)
    if matches:
        found = list(dict.fromkeys(_BY_KEY[normalise(m)].name for m in matches))
        hint = (f"did you mean {found[0]!r}?" if len(found) == 1 else
                "did you mean " + " or ".join(repr(f) for f in found) + "?")
        err.message = f"unknown leverage point {str(point)!r} in Meadows' list; {hint}"
        err.args = (err.message,)
    raise err


def _by_number(number: int) -> LeveragePoint:
    if 1 <= number <= 12:
        return _POINTS[12 - number]
    err = UnknownNameError(str(number), [str(n) for n in range(1, 13)],
                           kind="leverage point", where="Meadows' list")
    err.message = ("Meadows numbered her leverage points 1 (most effective) to 12 "
                   f"(least effective), not {number}")
    err.args = (err.message,)
    raise err


def table() -> pd.DataFrame:
    """The twelve points as a table: number, name, realm, what changes, an example.

    Examples
    --------
    >>> table().loc[6, "name"]
    'information flows'
    """
    return pd.DataFrame(
        [{"number": p.number, "name": p.name, "realm": p.realm, "what changes": p.summary,
          "for example": p.example} for p in _POINTS]).set_index("number")

"""Session 6 · Seeing below the surface: the iceberg.

Placing what we know about lateness on the four levels of the iceberg,
matching each level to its way of responding, and reading the pattern level.

Examples
--------
>>> from csframework.exercises import session06 as ex
>>> ex.q1.check({"school timetable starts at 8:00": "events"}).status
'not yet'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import MultipleChoice, PlaceOnIceberg, PredictPattern

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

LATENESS = {
    "six students arrived late on Monday": "events",
    "lateness rises every winter term": "patterns",
    "school timetable starts at 8:00": "structures",
    "the first bus arrives two minutes before the bell": "structures",
    "punctuality shows respect": "mental models",
    "late students simply don't care": "mental models",
}

q1 = PlaceOnIceberg(
    "A school keeps noticing lateness. Place each item on its level of the iceberg "
    "(events, patterns, structures, mental models). Answer with a dict {item: level}, or "
    "with an Iceberg holding the items; they are in ex.LATENESS.",
    LATENESS, title="An iceberg of lateness",
    why={
        "six students arrived late on Monday": "it happened once, at a particular time: the "
            "tip we see above the water.",
        "lateness rises every winter term": "it describes what happens again and again over "
            "time.",
        "school timetable starts at 8:00": "a timetable is a rule, something designed, that "
            "produces the pattern whatever the students intend.",
        "the first bus arrives two minutes before the bell": "a physical arrangement of "
            "resources shapes the pattern every day.",
        "punctuality shows respect": "a value people hold, which keeps the rules and the "
            "responses to lateness in place.",
        "late students simply don't care": "an assumption about people, held without "
            "checking, which shapes how everyone responds.",
    },
    hints=[
        "Only one item is a single happening. Which one describes change over time?",
        "Structures are things someone designed or could redesign: rules, timetables, "
        "buses, spaces.",
        "Mental models are beliefs and assumptions: listen for 'should', 'shows' or "
        "'simply'.",
    ],
    explanation="Events sit above the waterline; beneath them lie the pattern, the timetable "
                "and bus that produce it, and the beliefs that keep those in place.",
    code="ex.q1.check(ex.LATENESS)",
    typical_mistakes=[
        ({**LATENESS, "school timetable starts at 8:00": "events"},
         "'school timetable starts at 8:00' is a structure, not an event"),
        ({**LATENESS, "late students simply don't care": "structures"},
         "is a mental model, not a structure"),
        ({"six students arrived late on Monday": "events"}, "not placed yet"),
        ({"six students arrived late on Monday": "the tip"}, "is not a level"),
        (["events"], "a dict from each item to its level"),
    ],
)

q2 = MultipleChoice(
    "Each level of the iceberg invites its own response. The school moves the start of the "
    "first lesson to ten minutes after the bus arrives. At which level is it responding?",
    ["events: react", "patterns: anticipate", "structures: design",
     "mental models: transform"],
    "c", title="Responding at the right level",
    why={
        "a": "Reacting would be dealing with Monday's late students, one by one.",
        "b": "Anticipating would be preparing for the winter rise, for example with "
             "reminders in November.",
        "c": "Changing the timetable redesigns a structure, so the pattern changes without "
             "anyone having to try harder.",
        "d": "Transforming would be working on the beliefs about lateness and respect.",
    },
    hints=["Is the timetable an event, a pattern, a structure or a belief?"],
    typical_mistakes=[("a", "Reacting"), ("d", "Transforming"), ("b", "Anticipating")],
)

LATE_PER_WEEK = (3, 3, 4, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 24, 29, 35)

q3 = PredictPattern(
    "The pattern level of the iceberg: here are the numbers of late arrivals in each week "
    f"of a term, {LATE_PER_WEEK}. Which pattern of behaviour over time is this "
    "(csf.behaviour.names() lists them)?",
    "exponential growth", series=LATE_PER_WEEK, describe="the weekly count of late arrivals",
    title="Reading the pattern",
    notes={
        "linear": "The weekly increase is not steady: it is about a fifth of the count each "
                  "week, so it grows as the count grows.",
        "s-shaped growth": "There is no sign yet of levelling off: every step is bigger than "
                           "the one before.",
    },
    hints=["Look at the differences between successive weeks. Are they steady, growing or "
           "shrinking?",
           "Growth in proportion to what is already there points to a reinforcing loop."],
    explanation="When lateness becomes normal, it becomes easier to be late: a reinforcing "
                "loop worth looking for at the structures level.",
    code="csf.behaviour.classify(ex.LATE_PER_WEEK).pattern",
    typical_mistakes=[("linear", "not steady"), ("s-shaped growth", "no sign yet"),
                      ("rising", "not a pattern I know")],
)

_exercises = SessionExercises(6, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

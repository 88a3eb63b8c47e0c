"""Session 13 · Leaders at all levels: integrating the mandala.

Reading the project's own behaviour-over-time graph, the four domains of the
Mandala for Systems Change, and a reflection on successive approximation.

Examples
--------
>>> from csframework.exercises import session13 as ex
>>> ex.q2.check("d").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import MultipleChoice, PredictPattern, Reflection

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

#: Families taking part in a project's listening circles, month by month.
FAMILIES_TAKING_PART = (2, 3, 4, 6, 9, 13, 18, 24, 29, 33, 35, 36, 37, 37)

q1 = PredictPattern(
    "A project's behaviour-over-time graph of 'intended vs actual': the plan foresaw a "
    "steady rise in families taking part in listening circles. The actual numbers, month by "
    f"month, were {FAMILIES_TAKING_PART}. Which pattern does the actual line show?",
    "s-shaped growth", series=FAMILIES_TAKING_PART,
    describe="the number of families taking part", title="Intended vs actual",
    notes={
        "linear": "The plan was linear; the actual line is slow at first, fast in the "
                  "middle, and levels off.",
        "exponential growth": "The middle months look like that, but the last months level "
                              "off near 37.",
        "goal seeking": "It does level off, but it started slowly and sped up first.",
    },
    hints=["Look at the month-to-month increases: how do they change over the year?",
           "Slow, then fast, then slow again near a ceiling."],
    explanation="Word of mouth drove the middle months; something (the number of families "
                "who can come, or the facilitators' time) set a limit. Which is it in your "
                "project?",
    code="csf.behaviour.classify(ex.FAMILIES_TAKING_PART).pattern",
    typical_mistakes=[("linear", "The plan was linear"),
                      ("exponential growth", "level off near 37"),
                      ("goal seeking", "started slowly")],
)

q2 = MultipleChoice(
    "The Mandala for Systems Change frames a project in four domains, each with its "
    "question. Which domain asks: 'Who is the \"we\", and what is the quality of our "
    "relationships?'",
    ["practice", "research", "capacity building", "community building"],
    "d", title="The mandala's domains",
    why={
        "a": "Practice asks what we are seeking to accomplish.",
        "b": "Research asks what we are seeking to learn that can benefit others.",
        "c": "Capacity building asks how we need to learn and grow, individually and "
             "together.",
        "d": "Community building looks at who belongs to the work and how they relate.",
    },
    hints=["Which domain is about people and relationships, rather than results, learning or "
           "growth?"],
    typical_mistakes=[("a", "accomplish"), ("b", "benefit others"), ("c", "learn and grow")],
)

q3 = Reflection(
    "Successive approximation: name one thing your project tried this year, what the "
    "results showed, and what you changed because of them.",
    prompt_id="q3.successive-approximation", domain="research", min_words=15,
    title="What I changed",
    example="We ran the listening circles after school. Attendance showed that working "
            "parents could not come, so we moved two circles to Saturday mornings, and "
            "the number of families doubled.",
    hints=["Tried, saw, changed: one sentence each is enough.",
           "The change can be small; what matters is that it came from looking at the "
           "results."],
    typical_mistakes=[("We tried things.", "say a little more"),
                      ({"tried": "circles"}, "text between quotes")],
)

_exercises = SessionExercises(13, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

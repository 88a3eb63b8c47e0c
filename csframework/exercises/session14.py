"""Session 14 · Retreat: integration and certification.

The retreat's days move from self to others to world. These exercises ask for
a personal and a shared commitment, and revisit one archetype of partnership.

Examples
--------
>>> from csframework.exercises import session14 as ex
>>> ex.q2.check("accidental adversaries").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import FindArchetype, Reflection

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

q1 = Reflection(
    "Day 1, self: looking back over the year, which habit of a systems thinker has become "
    "most your own, and where did you notice it at work in you recently?",
    prompt_id="q1.my-habit", domain="capacity building", min_words=12,
    title="A habit that became mine",
    example="I surface and test assumptions more often. Last week I caught myself deciding "
            "that a quiet colleague disagreed with me, and I asked her instead.",
    hints=["csf.curriculum.HABITS lists the fourteen habits.",
           "Describe one moment, as concretely as you can."],
    typical_mistakes=[("listening", "say a little more"), (14, "text between quotes")],
)

PARTNERS = """
school's success -> school's help to the youth centre : +
school's help to the youth centre -> youth centre's success : +
youth centre's success -> centre's help to the school : +
centre's help to the school -> school's success : +
school's success -> school's own programmes : +
school's own programmes -> school's success : +
youth centre's success -> centre's own programmes : +
centre's own programmes -> youth centre's success : +
school's own programmes -> youth centre's success : -
centre's own programmes -> school's success : -
"""

q2 = FindArchetype(
    "Day 2, others: a school and a youth centre began the year as partners, each helping "
    "the other succeed. Under pressure, each started its own programmes, which, without "
    "anyone intending it, drew young people and volunteers away from the other:\n"
    + PARTNERS + "Which archetype is this?",
    PARTNERS, "accidental adversaries", title="Partners drifting apart",
    notes={"escalation": "In escalation each side acts against the other on purpose. Here "
                         "the harm is a side effect of each side helping itself."},
    hints=["Find the big outer loop first: what did the partnership look like?",
           "Then the cross links: each partner's self-help harms the other, unintended."],
    explanation="The way back is usually to make the unintended harm visible to both "
                "partners, and to renew the shared goal that began the partnership.",
    code='ex.q2.check("accidental adversaries")',
    typical_mistakes=[("escalation", "on purpose"),
                      ("success to the successful", "one allocation"),
                      ("acidental adversaries", "Did you mean")],
)

q3 = Reflection(
    "Day 5, commitments: write one personal commitment and one commitment you share with "
    "others in your context, for the year after the programme.",
    prompt_id="q3.commitments", domain="community", min_words=15,
    title="My commitments",
    example="Personally: to begin every staff meeting I lead with a short check-in. Shared: "
            "with the two colleagues in my project team, to keep drawing and revising our "
            "iceberg each term, with students in the room.",
    hints=["One sentence for each commitment.",
           "A shared commitment names the people who share it."],
    typical_mistakes=[("to keep going", "say a little more"),
                      (["my", "commitments"], "text between quotes")],
)

_exercises = SessionExercises(14, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

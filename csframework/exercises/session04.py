"""Session 4 · Mental models and the ladder of inference.

Placing a teacher's thoughts on the rungs of the ladder, the reflexive loop by
which beliefs select their own evidence, and inquiry as a way down the ladder.

Examples
--------
>>> from csframework.exercises import session04 as ex
>>> ex.q2.check("reinforcing").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import ClassifyLoop, MultipleChoice, PlaceOnLadder

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

LATE_MORNING = {
    "Two students came in six minutes after the bell": "observable data",
    "Jordan was one of them": "selected data",
    "Jordan is late again": "added meaning",
    "Students who arrive late do not care about the lesson": "assumptions",
    "Jordan does not take my class seriously": "conclusions",
    "This group cannot be trusted with any freedom": "beliefs",
    "I start tomorrow with a quiz to catch the latecomers": "actions",
}

q1 = PlaceOnLadder(
    "A teacher's morning, climbed in a few seconds. Place each thought on its rung of the "
    "ladder of inference (observable data, selected data, added meaning, assumptions, "
    "conclusions, beliefs, actions). Answer with a dict {thought: rung}; the thoughts are in "
    "ex.LATE_MORNING.",
    LATE_MORNING, title="A teacher's ladder",
    why={
        "Two students came in six minutes after the bell": "a recording would show exactly "
            "this, with nothing added.",
        "Jordan was one of them": "it is still data, but only the part the teacher picked "
            "out; the other student has dropped from view.",
        "Jordan is late again": "'again' adds meaning from the teacher's history with Jordan.",
        "Students who arrive late do not care about the lesson": "it is taken for granted, "
            "about late students in general, and never checked.",
        "Jordan does not take my class seriously": "it is a judgement drawn about this "
            "student from the rungs below.",
        "This group cannot be trusted with any freedom": "it is a general view of the world "
            "that will colour what the teacher notices next time.",
        "I start tomorrow with a quiz to catch the latecomers": "it is what the "
            "teacher does, the top of the ladder.",
    },
    hints=[
        "Start at the bottom: which sentence could a video camera have recorded?",
        "'Selected data' is still observable, just narrower. 'Added meaning' brings in "
        "history or interpretation (listen for words like 'again').",
        "Assumptions are general and unchecked; conclusions are about this person; beliefs "
        "are about the world (or a whole group), and actions are what we do.",
    ],
    explanation="Climbing is quick and usually unnoticed; writing each rung down lets us walk "
                "back to the data and ask what else it could mean.",
    code="ex.q1.check(ex.LATE_MORNING)",
    typical_mistakes=[
        ({**LATE_MORNING, "Jordan is late again": "observable data"},
         "'again' adds meaning"),
        ({**LATE_MORNING, "Jordan does not take my class seriously": "beliefs",
          "This group cannot be trusted with any freedom": "conclusions"},
         "2 items are not yet in place"),
        ({"Jordan was one of them": "selected data"}, "not placed yet"),
        ({"Jordan was one of them": "the middle"}, "is not a rung"),
        ("conclusions", "a dict from each item to its rung"),
    ],
)

REFLEXIVE = """
belief that Jordan cares -> attention to Jordan's lapses : -
attention to Jordan's lapses -> lapses noticed : +
lapses noticed -> belief that Jordan cares : -
"""

q2 = ClassifyLoop(
    "The reflexive loop of the ladder, in the teacher's own terms:\n" + REFLEXIVE
    + "Is this loop reinforcing or balancing?",
    REFLEXIVE, title="The reflexive loop",
    hints=[
        "Count the '-' links on the loop.",
        "Two '-' links: an even number. Follow a fall in the belief once round the loop: "
        "does it come back as a further fall, or as a recovery?",
    ],
    explanation="The less the teacher believes Jordan cares, the more lapses they look for, "
                "the more they find, and the less they believe: a belief that gathers its own "
                "evidence.",
    code='ex.q2.check("reinforcing")',
    notes={"balancing": "Two '-' links cancel each other out, like two reversals of direction."},
    typical_mistakes=[("balancing", "2 '-' links"), ("B", "cancel each other out"),
                      ("+", "sign of a single link")],
)

q3 = MultipleChoice(
    "In a staff meeting a colleague says: 'That new homework policy will never work with "
    "these students.' Which reply is inquiry, an invitation to walk down the ladder together?",
    ["'I think you're being far too negative.'",
     "'What have you seen that makes you expect that?'",
     "'It worked very well at my last school.'",
     "'Let's take a vote and move on.'"],
    "b", title="Inquiry",
    why={
        "a": "That answers a conclusion with another conclusion; neither ladder comes down.",
        "b": "It asks for the data beneath the conclusion, with curiosity rather than "
             "challenge.",
        "c": "That is advocacy, putting your own experience forward. Useful, but it does not "
             "yet ask about theirs.",
        "d": "That ends the conversation before either view has been explored.",
    },
    hints=["Inquiry asks about the other person's reasoning.",
           "Which reply asks for the observable data behind the colleague's conclusion?"],
    typical_mistakes=[("a", "another conclusion"), ("c", "advocacy"), ("d", "ends the "
                      "conversation"), (2, "letter of your choice")],
)

_exercises = SessionExercises(4, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

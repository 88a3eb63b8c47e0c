"""Session 12 · Leverage, shared vision, shared responsibility.

Meadows' leverage points, tagging an intervention with its place on her list,
and the rise and fall of a non-renewable resource.

Examples
--------
>>> from csframework.exercises import session12 as ex
>>> ex.q1.check("c").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import MultipleChoice, PredictPattern

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

q1 = MultipleChoice(
    "Donella Meadows listed places to intervene in a system, from least to most effective. "
    "A school wants fewer students to leave before finishing. Which intervention is highest "
    "on her list?",
    ["raise the budget for catch-up lessons by 10 %",
     "shorten the delay before a struggling student is noticed",
     "change the school's goal from 'high average grades' to 'every student finishes'",
     "add a buffer of spare places in the catch-up groups"],
    "c", title="Where to intervene",
    why={
        "a": "That changes a number, the least effective kind of leverage (12 on her list), "
             "however welcome.",
        "b": "Delays matter (9 on her list), but a goal sits much higher.",
        "c": "The goal of a system (3 on her list) shapes everything below it: what is "
             "measured, rewarded and noticed.",
        "d": "Buffers (11 on her list) steady a system but rarely change what it does.",
    },
    hints=["Her list runs from numbers and buffers, through delays and loops, to rules, "
           "goals and paradigms.",
           "Which option changes what the whole system is trying to do?"],
    typical_mistakes=[("a", "changes a number"), ("b", "a goal sits much higher"),
                      ("d", "Buffers"), ("3", "not one of the options")],
)

q2 = MultipleChoice(
    "Tagging leverage on a causal loop diagram: a school starts showing every teacher, each "
    "week, how many of their students were absent, which until now only the office saw. "
    "Which of Meadows' leverage points is that?",
    ["a parameter", "a balancing loop", "an information flow", "a paradigm"],
    "c", title="Tagging a leverage point",
    why={
        "a": "No number was changed: the same data now reaches new people.",
        "b": "It may strengthen a balancing loop, by letting teachers respond, but what was "
             "changed is who gets the information.",
        "c": "Changing who sees what (6 on her list) often works because it closes a loop "
             "that was missing its feedback.",
        "d": "A paradigm is a shared deep belief; this is a change in who sees what.",
    },
    hints=["What exactly changed: a number, a loop, who knows what, or a belief?"],
    typical_mistakes=[("a", "No number was changed"), ("b", "who gets the information"),
                      ("d", "shared deep belief")],
)

q3 = PredictPattern(
    "An oil company invests its profits in more drilling capital, aiming to grow 10 % a "
    "year, while the oil field is finite and each barrel gets harder to extract as it "
    "empties. Predict the pattern of the extraction rate over 100 years.",
    "overshoot and collapse", model="oil", describe="the extraction rate",
    title="A finite resource",
    notes={
        "s-shaped growth": "Extraction cannot level off and stay there: the oil it draws on "
                           "runs down, so it must fall again.",
        "exponential growth": "It grows like that at first, while oil is plentiful; then the "
                              "falling yield eats the profits.",
    },
    hints=["Can the extraction rate stay high once most of the oil is gone?",
           "Growth drains the stock it depends on: what does the rate do after the peak?"],
    explanation="A reinforcing loop of investment drives extraction up, until the emptying "
                "field makes each barrel dearer and the capital is no longer replaced. Even "
                "a much larger field only delays the peak by some years.",
    code='results = csf.library.load("oil").run()\n'
         'csf.behaviour.classify(results["extraction"]).pattern',
    typical_mistakes=[("s-shaped growth", "cannot level off"),
                      ("exponential growth", "falling yield eats the profits"),
                      ("peak", "not a pattern I know")],
)

_exercises = SessionExercises(12, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

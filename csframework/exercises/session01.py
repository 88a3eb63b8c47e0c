"""Session 1 · Arriving: the framework and the three systems.

A connection circle of "my work and life" and its loops, and the bathtub:
energy (or water) as a stock that changes only through its flows.

Examples
--------
>>> from csframework.exercises import session01 as ex
>>> ex.q1.check("balancing").status
'correct'
>>> ex.q3.check(50)
Not yet: 50 litres is where the bath started. For the first five minutes only the drain \
runs, so the level falls before the tap is opened.
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import ClassifyLoop, PredictValue, Reflection

__all__ = ["progress", "q1", "q2", "q3", "q4", "questions", "reset"]

MY_WEEK = """
workload -> stress : +
stress -> sleep : -
sleep -> energy : +
energy -> workload : +
stress -> time with friends : -
time with friends -> stress : -
"""

q1 = ClassifyLoop(
    "Here is a connection circle of one participant's week, written as links:\n"
    + MY_WEEK
    + "Follow the loop workload -> stress -> sleep -> energy -> workload. "
    "Is it reinforcing or balancing?",
    MY_WEEK, ("workload", "stress", "sleep", "energy"),
    title="The loop through workload, stress, sleep and energy",
    hints=[
        "Go round the loop once and read each sign: which links are marked '-'?",
        "Only one link on this loop is '-': stress -> sleep. An odd number of '-' links "
        "means the change comes back opposing itself.",
    ],
    explanation="Taking on more work brings stress, stress costs sleep, and less sleep leaves "
                "less energy to take on more: the loop limits itself.",
    code='ex.q1.check("balancing")',
    notes={"reinforcing": "Ask: if workload rises, what does the loop eventually do to "
                          "workload? It pushes it back down."},
    typical_mistakes=[("reinforcing", "1 '-' link"), ("R", "so it is balancing"),
                      ("negative", "sign of a single link"), (7, "a word in quotes")],
)

q2 = ClassifyLoop(
    "In the same circle, stress and time with friends form a loop of their own "
    "(stress -> time with friends -> stress). Reinforcing or balancing?",
    MY_WEEK, ("stress", "time with friends"),
    title="The loop of stress and time with friends",
    hints=[
        "There are two links on this loop. What are their signs?",
        "Both links are '-'. Two reversals make a loop that amplifies: more stress, less "
        "time with friends, more stress again.",
    ],
    explanation="Stress crowds out time with friends, and less time with friends lets "
                "stress grow: a vicious circle, which can also run as a virtuous one.",
    code='ex.q2.check("reinforcing")',
    typical_mistakes=[("balancing", "2 '-' links"), ("B", "an even number"),
                      ("vicious", "either 'reinforcing' (R) or 'balancing'")],
)

q3 = PredictValue(
    "A bath holds 50 litres. Its drain lets out 5 litres a minute the whole time; the tap is "
    "off for the first five minutes and then runs at 5 litres a minute. How much water is in "
    "the bath after 10 minutes? (Simulate it afterwards: csf.library.load('bathtub').)",
    model="bathtub", time=10, tolerance=0.5, units="litres",
    title="The bathtub after ten minutes",
    notes=[
        (50, "50 litres is where the bath started. For the first five minutes only the drain "
             "runs, so the level falls before the tap is opened."),
        (0, "the bath does not empty: once the tap opens, inflow equals outflow and the level "
            "stops changing."),
        (75, "the tap adds 5 litres a minute, but the drain takes 5 litres a minute at the "
             "same time: the net flow after minute 5 is zero."),
    ],
    hints=[
        "Split the ten minutes in two: before the tap opens, and after.",
        "Before minute 5 the level falls by 5 litres each minute. After it, what goes in "
        "equals what goes out.",
        "50 - 5 x 5 = 25, and then the level holds: a dynamic equilibrium.",
    ],
    explanation="A stock changes only through its flows: it fell while only the drain ran and "
                "held steady once the inflow matched the outflow.",
    code='results = csf.library.load("bathtub").run()\nresults["water"].loc[10]',
    typical_mistakes=[(50, "where the bath started"), (0, "does not empty"),
                      (75, "net flow"), ("lots", "answer with a number"), (40, "too high")],
)

q4 = Reflection(
    "Choose the local context for your year's project: a classroom, a team, a school, a "
    "community. In two or three sentences: what is it, and which of the three facets (self, "
    "others, world) do you expect to matter most there?",
    prompt_id="q4.local-context", domain="practice", min_words=8,
    title="My project's local context",
    example="My Year 9 tutor group and the teachers who share it. I expect 'others' to matter "
            "most: the way we speak to each other sets the tone for everything else.",
    hints=["There is no wrong answer. Start with a place and a few people you care about.",
           "Then add one sentence about why this context, and which facet it calls on."],
    typical_mistakes=[("tutor group", "say a little more"), (42, "text between quotes")],
)

_exercises = SessionExercises(1, [q1, q2, q3, q4])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

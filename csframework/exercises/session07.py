"""Session 7 · Feedback loops and delays.

A balancing loop with a delay, the car dealer whose quick response makes the
swings of inventory worse, and a diagram of a delayed correction.

Examples
--------
>>> from csframework.exercises import session07 as ex
>>> ex.q1.check("B").status
'correct'
>>> ex.q3.check(2).status
'not yet'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import (
    BuildCLD,
    ClassifyLoop,
    LoopRequirement,
    PredictPattern,
    SetParameter,
)

__all__ = ["progress", "q1", "q2", "q3", "q4", "questions", "reset"]

ORDERING = """
gap in inventory -> orders : +
orders -> deliveries : + delay
deliveries -> inventory : +
inventory -> gap in inventory : -
"""

q1 = ClassifyLoop(
    "A shop orders stock to close the gap between the inventory it wants and the inventory "
    "it has; orders arrive as deliveries some days later:\n" + ORDERING
    + "Is this loop reinforcing or balancing?",
    ORDERING, title="A loop with a delay",
    hints=["Count the '-' links on the loop; the delay mark does not count as a sign.",
           "One '-' link, from inventory to the gap. An odd number of '-' links makes the "
           "loop work against any change."],
    explanation="The delay does not change the loop's kind, but it changes its behaviour: "
                "corrections arrive late, which invites overshoot.",
    code='ex.q1.check("balancing")',
    typical_mistakes=[("reinforcing", "1 '-' link"), ("R", "does not change whether"),
                      ("oscillating", "either 'reinforcing' (R) or 'balancing'")],
)

q2 = PredictPattern(
    "A car dealer keeps about ten days of sales on the lot. Sales jump from 20 to 22 cars a "
    "day on day 26. The dealer averages sales over 5 days before trusting a change, closes "
    "inventory gaps over 3 days, and the factory delivers 5 days after an order. Predict the "
    "pattern of the inventory over 100 days.",
    "sustained oscillation", model="car dealer inventory", describe="the inventory",
    title="The car dealer's inventory",
    notes={
        "goal seeking": "It would be, without the delays: with them, each correction arrives "
                        "after the need for it has changed.",
        "damped oscillation": "Close: it does swing, but with these delays the swings do not "
                              "die away within the hundred days.",
    },
    hints=["Which loop is at work here, and where are its delays?",
           "A balancing loop with delays tends to overshoot its goal. Do the swings die away?"],
    explanation="Three delays in one balancing loop: the dealer keeps correcting for a "
                "situation that has already changed.",
    code='results = csf.library.load("car dealer inventory").run()\n'
         'csf.behaviour.classify(results["inventory"]).pattern',
    typical_mistakes=[("goal seeking", "without the delays"),
                      ("damped oscillation", "swings do not die away"),
                      ("oscilation", "Did you mean")],
)


def _swing(results) -> tuple[float, float]:
    inventory = results["inventory"]
    return float(inventory.min()), float(inventory.max())


def _describe(results) -> str:
    low, high = _swing(results)
    return f"the inventory swings between {low:.0f} and {high:.0f} cars"


def _advice(params, results) -> str:
    if params.get("response_delay", 3) < 3:
        return ("A quicker response makes the dealer correct harder before earlier orders "
                "have arrived, so the swings grow.")
    if "perception_delay" in params and params["perception_delay"] < 5:
        return "Seeing sales sooner helps little: the orders still arrive five days later."
    return "Try being patient in a different place."


q3 = SetParameter(
    "Now change how the dealer responds. Choose the response delay (days over which the "
    "dealer closes an inventory gap; it was 3) so that the inventory always stays between "
    "180 and 240 cars. You may also pass a dict with perception_delay and response_delay.",
    model="car dealer inventory", parameter="response_delay",
    allowed=("response_delay", "perception_delay"),
    condition=lambda results: _swing(results)[0] >= 180 and _swing(results)[1] <= 240,
    goal="the inventory stays between 180 and 240 cars", describe=_describe, solution=6,
    advice=_advice, title="Calming the car dealer",
    hints=[
        "Try a faster response (a smaller delay) and a slower one, and compare the swings.",
        "It feels backwards: responding more slowly, while orders are in the pipeline, "
        "damps the swings.",
        "Try a response delay of 5 or 6 days.",
    ],
    explanation="Patience in a balancing loop with a delay calms it. This dealer never counts "
                "the cars she has already ordered; a slower response asks for only part of "
                "the gap each day, so fewer extra orders pile up before the first ones "
                "arrive, and she overshoots less.",
    code='ex.q3.check(6)\n'
         'csf.library.load("car dealer inventory").run(params={"response_delay": 6})',
    typical_mistakes=[(2, "A quicker response"), (1, "swings between 110 and 678"),
                      ({"perception_delay": 2}, "Seeing sales sooner"),
                      ({"delivery_delay": 2}, "lets you change 'response_delay' and "
                                              "'perception_delay' only"),
                      (-4, "outside what this model allows")],
)

STUDY = """
gap to the grade I want -> hours of study : +
hours of study -> grades : + delay
grades -> gap to the grade I want : -
"""

q4 = BuildCLD(
    "Draw a balancing loop with a delay from your own life: a gap to a goal drives an action, "
    "and the action closes the gap only after a while. For example: the gap between the grade "
    "a student wants and their grades drives hours of study, which raise grades weeks later. "
    "Use the variables 'gap', 'study' and 'grades', and mark the delay.",
    [LoopRequirement(("gap", "study", "grades"), "balancing", "closing the gap",
                     delayed=True)],
    STUDY,
    synonyms={"study": ("revision", "practice", "homework"), "grades": ("marks", "results")},
    links=[("gap", "study", "+", "When the gap grows, does the student study more or less?"),
           ("study", "grades", "+"),
           ("grades", "gap", "-", "When grades rise, does the gap to the wanted grade grow "
                                  "or shrink?")],
    title="A delayed correction of my own",
    hints=["Three links make the loop: gap -> study, study -> grades, grades -> gap.",
           "Exactly one of them is '-': better grades shrink the gap.",
           "Mark the slow link with 'delay': 'hours of study -> grades : + delay'."],
    explanation="The delay is why students (and car dealers) over-correct: the effort shows "
                "up in the results only later.",
    code=f'mine = csf.CausalLoopDiagram.from_text("""{STUDY}""")\nex.q4.check(mine)',
    typical_mistakes=[
        (STUDY.replace("grades -> gap to the grade I want : -",
                       "grades -> gap to the grade I want : +"),
         "shrink"),
        ("gap -> study : +\nstudy -> gap : -", "no variable for 'grades'"),
        ("gap -> study : +\nstudy -> grades : +", "closed loop"),
        (STUDY.replace(" delay", ""), "no link in it is marked as slow"),
    ],
)

_exercises = SessionExercises(7, [q1, q2, q3, q4])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

"""Session 2 · Personal mastery: vision and current reality.

Goal seeking in a cooling cup of coffee, and the eroding-goals archetype that
tempts us to close the gap of creative tension by wanting less.

Examples
--------
>>> from csframework.exercises import session02 as ex
>>> ex.q1.check("goal seeking").status
'correct'
>>> ex.q2.check(1).status
'not yet'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import PredictPattern, Reflection, SetParameter

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

q1 = PredictPattern(
    "A cup of coffee poured at 100 °C stands in a room at 18 °C. Each minute it loses a "
    "tenth of the difference between its temperature and the room's. Before you simulate, "
    "predict the shape of its temperature over the next eight minutes: which pattern of "
    "behaviour over time will it show?",
    "goal seeking", model="coffee cooling", describe="the coffee's temperature",
    title="The cooling coffee",
    notes={
        "linear": "It does not fall by the same amount each minute: the cooling is fastest "
                  "while the coffee is hottest, and slows as the gap to the room closes.",
        "exponential growth": "Nothing here feeds on itself: the loop works to close a gap, "
                              "which is what balancing loops do.",
    },
    hints=[
        "What is the coffee's temperature heading towards?",
        "The bigger the gap to room temperature, the faster it cools. What happens to the "
        "speed of cooling as the gap shrinks?",
        "Fast at first, then ever slower towards a level: which pattern is that?",
    ],
    explanation="A single balancing loop closes the gap between the coffee and the room by a "
                "fixed fraction each minute.",
    code='results = csf.library.load("coffee cooling").run()\n'
         'csf.behaviour.classify(results["coffee_temperature"]).pattern',
    typical_mistakes=[("linear", "same amount each minute"),
                      ("exponential growth", "Nothing here feeds on itself"),
                      ("goal seaking", "Did you mean 'goal seeking'?"),
                      (3.5, "the name of a pattern")],
)


def _performance(results) -> float:
    return float(results["actual_performance"].iloc[-1])


def _describe_drift(results) -> str:
    goal = float(results["goal"].iloc[-1])
    return (f"performance ends at {_performance(results):.0f} and the goal at {goal:.0f} "
            "(the goal started at 100, performance at 80)")


def _advice(params, results) -> str:
    if params.get("goal_flexibility", 0) > 0:
        return ("Any flexibility lets the goal slide towards performance, and the pull to "
                "improve weakens as the gap closes from above.")
    return ""


q2 = SetParameter(
    "The eroding-goals model holds a goal (starting at 100) and actual performance (starting "
    "at 80). A steady drain pulls performance down; effort in proportion to the gap pushes it "
    "up. goal_flexibility says how far the goal gives way to the gap: 0 holds it firm, 1 lets "
    "it slide freely. Choose goal_flexibility so that performance ends at 85 or above.",
    model="eroding goals", parameter="goal_flexibility",
    condition=lambda results: _performance(results) >= 85,
    goal="performance ends at 85 or above", describe=_describe_drift, solution=0,
    advice=_advice, title="Holding the vision",
    hints=[
        "Try a few values between 0 and 1 and watch both the goal and performance.",
        "When the goal can move, the gap can close from above as well as from below.",
        "A vision that is held (no flexibility) keeps the creative tension that pulls "
        "performance up.",
    ],
    explanation="Holding the goal keeps the gap, and with it the pull towards the vision; "
                "letting it drift relieves the discomfort and lets performance slide too.",
    code='ex.q2.check(0)\n'
         'csf.library.load("eroding goals").run(params={"goal_flexibility": 0})',
    typical_mistakes=[(1, "performance ends at 44"), (0.5, "slide towards performance"),
                      (5, "outside what this model allows"),
                      ({"drain": 0}, "lets you change 'goal_flexibility' only"),
                      ("firm", "needs a number")],
)

q3 = Reflection(
    "Creative tension holds two pictures at once. Write one sentence of vision (what you "
    "truly want to create in your context) and one sentence of current reality (where "
    "things honestly stand today).",
    prompt_id="q3.vision-and-reality", domain="capacity building", min_words=10,
    title="Vision and current reality",
    example="Vision: every student in my class feels safe enough to ask a question out loud. "
            "Current reality: about a third of them speak in whole-class discussion, always "
            "the same ones.",
    hints=["Begin the vision with what you want to create, not with what you want to avoid.",
           "For current reality, describe what a visitor would see, without judging it."],
    typical_mistakes=[("more trust", "say a little more"), (["vision"], "text between quotes")],
)

_exercises = SessionExercises(2, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

"""Session 10 · Archetypes II: growth, limits and standards.

Limits to growth and its S-shaped curve, growth that stalls when standards
erode, and a school whose popularity runs into its own class sizes.

Examples
--------
>>> from csframework.exercises import session10 as ex
>>> ex.q1.check("logistic").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import FindArchetype, PredictPattern

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

q1 = PredictPattern(
    "A new reading programme spreads from teacher to teacher: each enthusiast recruits "
    "others, at 30 % a year, but the closer it gets to reaching all 1000 teachers, the harder "
    "new ones are to find. Predict the pattern of the number of teachers using it.",
    "s-shaped growth", model="limits to growth", describe="the programme's reach",
    title="A programme that spreads",
    notes={
        "exponential growth": "Early on it does look exponential. But the limit makes "
                              "recruits ever harder to find, and growth levels off.",
        "goal seeking": "It does level off, but it starts slowly and speeds up first: a "
                        "reinforcing loop leads before the balancing one takes over.",
    },
    hints=["What does the growth look like while the programme is small, and when it is "
           "nearly everywhere?",
           "A reinforcing loop leads at first; a balancing loop takes over near the limit."],
    explanation="The shift in loop dominance, from the growth engine to the limit, is what "
                "draws the S.",
    code='results = csf.library.load("limits to growth").run()\n'
         'csf.behaviour.classify(results["performance"]).pattern',
    typical_mistakes=[("exponential growth", "Early on it does look exponential"),
                      ("goal seeking", "starts slowly and speeds up"),
                      ("S", "not a pattern I know")],
)

q2 = PredictPattern(
    "A growing service needs capacity. It invests only when performance falls short of its "
    "standard, and capacity takes time to build; meanwhile, when performance disappoints, "
    "the standard itself is lowered. Predict the pattern of demand.",
    "growth then decline", model="growth and underinvestment", describe="demand",
    title="Growth and underinvestment",
    notes={
        "exponential growth": "That is what happens with a firm standard. Here the standard "
                              "erodes, investment dries up, and growth turns into decline.",
        "goal seeking": "Close for the first years, since growth slows; but demand does not "
                        "hold at its peak: worn capacity is not replaced, and demand falls "
                        "back.",
        "overshoot and collapse": "Demand does fall after its peak, but not a long way: it "
                                  "declines to a level well above where it began.",
    },
    hints=["What happens to investment when the standard drifts down to meet performance?",
           "With less investment, worn capacity is not replaced: what does that do to "
           "performance, and then to demand?"],
    explanation="Lowering the standard removes the pressure to invest, so the limit that "
                "could have been raised becomes a ceiling, and then a ceiling that sinks.",
    code='results = csf.library.load("growth and underinvestment").run()\n'
         'csf.behaviour.classify(results["demand"]).pattern',
    typical_mistakes=[("exponential growth", "firm standard"),
                      ("goal seeking", "does not hold at its peak"),
                      ("collapse", "not a long way")],
)

POPULAR = """
reputation -> enrolment : +
enrolment -> reputation : +
enrolment -> class size : +
class size -> enrolment : -
classrooms available -> class size : -
"""

q3 = FindArchetype(
    "A small school's good name brings more families, and more families spread its good "
    "name. But more students mean larger classes, and large classes put families off:\n"
    + POPULAR + "Which archetype is this?",
    POPULAR, "limits to growth", title="A popular school",
    notes={"success to the successful": "There is only one party here, growing against its "
                                        "own limit, not two competing for resources."},
    hints=["Find the growth engine first, then the loop that slows it.",
           "A reinforcing loop (reputation and enrolment) and a balancing loop through class "
           "size, which tightens as the school grows."],
    explanation="Pushing harder on reputation will not help for long; the leverage is in "
                "the constraint, here the classrooms available.",
    code='ex.q3.check("limits to growth")',
    typical_mistakes=[("success to the successful", "only one party"),
                      ("fixes that fail", "delayed side effect"),
                      ("growth", "not an archetype I know")],
)

_exercises = SessionExercises(10, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

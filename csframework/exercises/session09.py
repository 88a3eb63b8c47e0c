"""Session 9 · Archetypes I: quick fixes.

Fixes that fail and shifting the burden: recognising them in a school's
diagrams, and finding when a fix's side effect makes things worse in the end.

Examples
--------
>>> from csframework.exercises import session09 as ex
>>> ex.q1.check("fixes that fail").status
'correct'
>>> ex.q2.check("addiction").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import ClassifyLoop, FindArchetype, SetParameter

__all__ = ["progress", "q1", "q2", "q3", "q4", "questions", "reset"]

EXCLUSIONS = """
disruptive behaviour -> exclusions : +
exclusions -> disruptive behaviour : -
exclusions -> missed learning : + delay
missed learning -> disruptive behaviour : +
"""

q1 = FindArchetype(
    "A school answers disruptive behaviour with short exclusions. The classroom is calmer at "
    "once; but excluded students miss lessons, fall behind, and a few weeks later are more "
    "disruptive than before:\n" + EXCLUSIONS + "Which archetype is this?",
    EXCLUSIONS, "fixes that fail", title="Exclusions",
    notes={"shifting the burden": "Look for a second, fundamental solution competing with the "
                                  "quick one: there is none here, only the fix and its own "
                                  "side effect."},
    hints=["Name the loops first: which one relieves the problem, and which one brings it "
           "back?",
           "One balancing loop (the fix works, for now) and one reinforcing loop through a "
           "delayed side effect of the same fix."],
    explanation="The delay hides the side effect, so the fix looks like a success and is "
                "used more, which feeds the problem it was meant to solve.",
    code='ex.q1.check("fixes that fail")\ncsf.archetypes.find(csf.CausalLoopDiagram.from_text('
         'ex.EXCLUSIONS))',
    typical_mistakes=[("shifting the burden", "there is none here"),
                      ("limits to growth", "reinforcing growth engine"),
                      ("fixes that fial", "Did you mean 'fixes that fail'?"),
                      (3, "the name of an archetype")],
)

TUTORING = """
exam pressure -> hired tutoring : +
hired tutoring -> exam pressure : -
exam pressure -> teacher development : +
teacher development -> exam pressure : - delay
hired tutoring -> budget left for training : -
budget left for training -> teacher development : +
"""

q2 = FindArchetype(
    "Under pressure about exam results, a school hires an outside tutoring company, and "
    "results recover quickly. Developing its own teachers would also lift results, but only "
    "after a year or two, and the tutoring eats the budget for training:\n" + TUTORING
    + "Which archetype is this?",
    TUTORING, "shifting the burden", title="Outside tutoring",
    notes={"fixes that fail": "Here the side effect does not feed the problem directly: it "
                              "weakens a second, slower solution. Which archetype has two "
                              "solutions competing?"},
    hints=["How many ways of relieving the exam pressure does the diagram show?",
           "A quick symptomatic solution and a slow fundamental one, and the quick one "
           "undermines the slow one."],
    explanation="Each round of tutoring relieves the symptom and leaves the school a little "
                "less able to solve the problem itself: the burden shifts to the intervenor.",
    code='ex.q2.check("shifting the burden")',
    typical_mistakes=[("fixes that fail", "two solutions competing"),
                      ("eroding goals", "lowering the goal"),
                      ("the burden", "not an archetype I know")],
)

q3 = ClassifyLoop(
    "In the exclusions diagram, follow the loop exclusions -> missed learning -> disruptive "
    "behaviour -> exclusions. Is it reinforcing or balancing?",
    EXCLUSIONS, ("exclusions", "missed learning", "disruptive behaviour"),
    title="The loop that bites back",
    hints=["Read the three signs on that loop.", "No '-' links at all: zero is an even "
                                                 "number."],
    explanation="This is the loop that makes the fix fail: more exclusions, more missed "
                "learning, more disruption, more exclusions.",
    code='ex.q3.check("reinforcing")',
    typical_mistakes=[("balancing", "0 '-' links"), ("B", "an even number")],
)


def _final_symptom(results) -> float:
    return float(results["problem_symptom"].iloc[-1])


q4 = SetParameter(
    "The fixes-that-fail model starts with a problem at 100. From time 5 a fix takes a fifth "
    "of the problem away each period, but it builds up an unintended consequence that feeds "
    "the problem back, with strength consequence_strength (1.25 now). Choose "
    "consequence_strength so that after 100 periods the problem is below where it started.",
    model="fixes that fail", parameter="consequence_strength",
    condition=lambda results: _final_symptom(results) < 100,
    goal="the problem ends below 100",
    describe=lambda results: f"the problem ends at {_final_symptom(results):.0f}",
    solution=0.8, title="When does the fix fail?",
    advice=lambda params, results: (
        "Each unit of fix now comes back as at least a unit of new problem, so in the long run "
        "the fix adds more than it removes." if params["consequence_strength"] >= 1 else ""),
    hints=["Try values between 0 and 2 and watch where the problem ends.",
           "Compare what the fix removes with what comes back through the side effect.",
           "The fix fails in the long run whenever the side effect returns more than one unit "
           "of problem per unit of fix: try something below 1."],
    explanation="Whether a fix fails depends on the strength of its side effect: below one "
                "unit back per unit removed, the relief outweighs the harm.",
    code='ex.q4.check(0.8)',
    typical_mistakes=[(1.25, "ends at 164"), (1.5, "the fix adds more than it removes"),
                      (5, "outside what this model allows")],
)

_exercises = SessionExercises(9, [q1, q2, q3, q4])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

"""Session 11 · Archetypes III: relationships, competition, commons.

The tragedy of the commons and the price of effort, escalation between two
schools, and a fishery pushed past what it can bear.

Examples
--------
>>> from csframework.exercises import session11 as ex
>>> ex.q1.check(3).status
'correct'
>>> ex.q2.check("arms race").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import (
    FindArchetype,
    MultipleChoice,
    PredictPattern,
    SetParameter,
)

__all__ = ["progress", "q1", "q2", "q3", "q4", "questions", "reset"]


def _lowest(results) -> float:
    return float(results["resource"].min())


def _describe_commons(results) -> str:
    return (f"the resource falls as low as {_lowest(results):.0f} and ends at "
            f"{float(results['resource'].iloc[-1]):.0f}")


q1 = SetParameter(
    "Two users share a resource that regrows (up to 1000). Each user puts in more effort "
    "while effort pays, and less when it doesn't. With effort cheap (cost_of_effort = 1), "
    "the resource crashes. Choose cost_of_effort so that the resource never falls below 150.",
    model="tragedy of the commons", parameter="cost_of_effort",
    condition=lambda results: _lowest(results) >= 150,
    goal="the resource never falls below 150", describe=_describe_commons, solution=3,
    title="The price of effort",
    advice=lambda params, results: (
        "Effort keeps growing while it pays; the cheaper it is, the lower the resource must "
        "fall before it stops paying. Make effort dearer."),
    hints=["Try 1, 2, 3 and 4, and watch the lowest point of the resource.",
           "Users stop adding effort when the gain per unit of effort no longer covers its "
           "cost. A higher cost stops them while the resource is still large.",
           "The resource settles near cost / (price x catchability) = 100 x cost. "
           "Try 3."],
    explanation="No user chooses the collapse; it follows from each one's sensible response "
                "to what they see. Changing what effort costs (a rule, a fee, a quota) "
                "changes where the commons settles.",
    code='ex.q1.check(3)\n'
         'csf.library.load("tragedy of the commons").run(params={"cost_of_effort": 3})',
    typical_mistakes=[(1, "falls as low as 0 and ends at 0"), (2, "Make effort dearer"),
                      (0, "outside what this model allows"),
                      ({"price": 0.5}, "lets you change 'cost_of_effort' only")],
)

ADVERTISING = """
Hilltop's standing against Riverside -> threat felt at Hilltop : -
threat felt at Hilltop -> Hilltop's advertising : +
Hilltop's advertising -> Hilltop's standing against Riverside : +
Riverside's standing against Hilltop -> threat felt at Riverside : -
threat felt at Riverside -> Riverside's advertising : +
Riverside's advertising -> Riverside's standing against Hilltop : +
Hilltop's advertising -> Riverside's standing against Hilltop : -
Riverside's advertising -> Hilltop's standing against Riverside : -
"""

q2 = FindArchetype(
    "Two neighbouring schools, Hilltop and Riverside, compete for the same families. "
    "Whenever one feels the other pulling ahead, it spends more on advertising, which puts "
    "the other behind:\n" + ADVERTISING + "Which archetype is this?",
    ADVERTISING, "escalation", title="Two schools advertising",
    notes={"success to the successful": "That archetype has one allocation that favours the "
                                        "winner. Here each side reacts to the other's "
                                        "action, and both keep spending more."},
    hints=["Each school has a balancing loop: it acts to restore its standing.",
           "Put the two balancing loops together and follow the figure eight: action, "
           "threat, counter-action, threat, ..."],
    explanation="Each side's balancing loop is reasonable on its own; together they make a "
                "reinforcing spiral. The leverage is in talking, or in one side stepping back.",
    code='ex.q2.check("escalation")',
    typical_mistakes=[("success to the successful", "each side reacts"),
                      ("tragedy of the commons", "limited resource"),
                      ("competition", "not an archetype I know")],
)

q3 = PredictPattern(
    "A fishing fleet invests its profits in more boats. Fish regrow fastest at half the "
    "sea's capacity; boats catch more the more fish there are. With efficient boats "
    "(yield_efficiency = 1.2), predict the pattern of the harvest over 200 years.",
    "overshoot and collapse", model="fishery", variant={"yield_efficiency": 1.2},
    describe="the harvest with efficient boats",
    title="The efficient fleet",
    notes={
        "s-shaped growth": "That is what happens with less efficient boats. Efficient boats "
                           "can keep catching after the fish have become scarce.",
        "sustained oscillation": "That is the middle case (efficiency 1.0). At 1.2 the fleet "
                                 "fishes the stock down before it can recover.",
    },
    hints=["What limits the harvest in the end, and can the fleet's growth damage it?",
           "Growth against a limit it erodes: the fish stock itself."],
    explanation="The better the technology, the longer the fleet can keep catching while the "
                "stock falls, so the collapse is deeper.",
    code='results = csf.library.load("fishery", yield_efficiency=1.2).run()\n'
         'csf.behaviour.classify(results["harvest"]).pattern',
    typical_mistakes=[("s-shaped growth", "less efficient boats"),
                      ("sustained oscillation", "the middle case"),
                      ("exponential growth", "not exponential growth")],
)

q4 = MultipleChoice(
    "A village's common pasture is being overgrazed. Which response acts on the structure "
    "of the commons rather than on its symptoms?",
    ["ask each family to try harder to graze less",
     "plant new grass every spring",
     "make every family's grazing visible to all, and agree limits together",
     "let the families with the most cattle decide"],
    "c", title="Redesigning a commons",
    why={
        "a": "Appeals help for a while, but each family still sees only its own gain from "
             "grazing, not the shared loss.",
        "b": "Replanting treats the symptom; the incentive to overgraze stays as it was.",
        "c": "Feedback on everyone's use, and rules made by the users, close the loop that "
             "the commons was missing.",
        "d": "That adds success to the successful to the tragedy: the biggest users gain "
             "more say.",
    },
    hints=["Which option changes what users see, and the rules they share?"],
    typical_mistakes=[("a", "each family still sees only its own gain"),
                      ("b", "treats the symptom"), ("d", "success to the successful")],
)

_exercises = SessionExercises(11, [q1, q2, q3, q4])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

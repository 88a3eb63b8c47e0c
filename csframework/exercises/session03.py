"""Session 3 · The mind-heart-body system: noticing and sensing.

A thermostat that never quite reaches its setting (two balancing loops pulling
against each other), and what makes a good variable for a personal
behaviour-over-time graph.

Examples
--------
>>> from csframework.exercises import session03 as ex
>>> ex.q1.check("goal seeking").status
'correct'
>>> ex.q2.check(18).status
'not yet'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import MultipleChoice, PredictPattern, SetParameter

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

q1 = PredictPattern(
    "A room starts at 10 °C on a cold day. A furnace heats it in proportion to how far it is "
    "below the thermostat's setting of 18 °C (up to its capacity), while heat leaks out to "
    "the 10 °C outside. Predict the pattern of the room's temperature over eight hours.",
    "goal seeking", model="thermostat", describe="the room's temperature",
    title="The thermostat's room",
    notes={
        "s-shaped growth": "It does not start slowly: the furnace works hardest at the very "
                           "beginning, when the room is coldest.",
        "exponential growth": "The warmer the room, the less the furnace adds: the loop "
                              "works to close a gap rather than to feed on itself.",
        "linear": "The furnace's output shrinks as the room warms, so the rise slows down.",
    },
    hints=[
        "What is the furnace trying to do, and how hard does it work when the gap is small?",
        "A loop that closes a gap, fast at first and slower later: which pattern is that?",
    ],
    explanation="The furnace loop closes the gap to the setting while the leak loop pulls "
                "towards the outside temperature; the room rises quickly, then ever more "
                "slowly.",
    code='results = csf.library.load("thermostat").run()\n'
         'csf.behaviour.classify(results["room_temperature"]).pattern',
    typical_mistakes=[("s-shaped growth", "does not start slowly"),
                      ("exponential", "less the furnace adds"),
                      ("sustained oscillation", "not sustained oscillation"),
                      ({"pattern": 1}, "the name of a pattern")],
)


def _final(results) -> float:
    return float(results["room_temperature"].iloc[-1])


def _advice(params, results) -> str:
    if _final(results) < 17.9:
        return ("While heat leaks out, the room settles where the furnace's heating equals "
                "the loss, a little below the setting: aim higher.")
    return "That aims too high: the room now ends above the band. Try a smaller setting."


q2 = SetParameter(
    "With the thermostat set to 18 °C, the room settles below 18: the leak to the outside "
    "keeps pulling it down. Choose thermostat_setting so that after eight hours the room is "
    "between 17.9 °C and 18.5 °C.",
    model="thermostat", parameter="thermostat_setting",
    condition=lambda results: 17.9 <= _final(results) <= 18.5,
    goal="the room ends between 17.9 °C and 18.5 °C",
    describe=lambda results: f"the room ends at {_final(results):.2f} °C",
    solution=19, advice=_advice, title="Setting the thermostat",
    hints=[
        "Try 18 first, and see where the room ends up.",
        "The room settles where the furnace's heat equals the heat lost. To end at 18, the "
        "setting must be a little above 18.",
        "Each degree of setting raises the settled temperature by about 1/1.1 of a degree. "
        "Try 19.",
    ],
    explanation="Two balancing loops compete: the furnace pulls towards the setting, the leak "
                "towards the outside. The room settles between them, so the setting must aim "
                "a little beyond what we want.",
    code='ex.q2.check(19)\n'
         'csf.library.load("thermostat").run(params={"thermostat_setting": 19})',
    typical_mistakes=[(18, "ends at 17.27"), (25, "aims too high"),
                      ({"outside_temperature": 18}, "lets you change 'thermostat_setting'"),
                      ("warm", "needs a number")],
)

q3 = MultipleChoice(
    "For a week you want to keep a noticing log and plot it as a behaviour-over-time graph. "
    "Which of these makes a good variable to plot?",
    ["my energy, rated from 1 to 10 each evening",
     "the argument I had on Tuesday",
     "whether the week went well",
     "the people I spoke to"],
    "a", title="A variable for a noticing log",
    why={
        "a": "It is a quantity that can rise and fall, measured the same way at regular "
             "times: exactly what a behaviour-over-time graph needs.",
        "b": "That is an event: it happened once. A graph over time needs something that "
             "can be higher or lower every day.",
        "c": "That is a verdict at the end, one value for the whole week. Which quantity, "
             "noted each day, would show how the week went?",
        "d": "That is a list of people, not an amount that rises and falls. How could it "
             "become one (for example, how connected I felt)?",
    },
    hints=["A behaviour-over-time graph has one quantity on the vertical axis.",
           "Which option can be higher or lower each day, and be noted the same way each "
           "time?"],
    typical_mistakes=[("b", "That is an event"), ("c", "a verdict"), ("d", "list of people"),
                      ("e", "not one of the options"), (1, "letter of your choice")],
)

_exercises = SessionExercises(3, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

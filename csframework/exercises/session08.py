"""Session 8 · Stocks and flows: from classrooms to climate.

Interest on interest, a population in decline, capital that holds steady only
when investment matches depreciation, and the climate bathtub.

Examples
--------
>>> from csframework.exercises import session08 as ex
>>> ex.q1.check(160).status
'correct'
>>> ex.q4.check("c").status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import (
    MultipleChoice,
    PredictPattern,
    PredictValue,
    SetParameter,
)

__all__ = ["progress", "q1", "q2", "q3", "q4", "questions", "reset"]

q1 = PredictValue(
    "A class puts 100 into a savings account that pays 4 % interest a year, added to the "
    "money once a year. Nothing else goes in or out. How much is in the account after 12 "
    "years (to the nearest whole number)?",
    model="bank account", variant={"interest_rate": 0.04}, tolerance=1.0,
    title="Interest on interest",
    notes=[(148, "148 would be simple interest, 4 each year. Here the interest is added to "
                 "the stock, so each year's interest is paid on a larger amount."),
           (104, "104 is the balance after one year. The interest keeps flowing in, year "
                 "after year.")],
    hints=["The interest each year is 4 % of the money in the account at that time.",
           "After one year: 104. After two: 104 x 1.04 = 108.16. Keep going, or simulate.",
           "100 x 1.04 to the power 12."],
    explanation="The inflow depends on the stock itself: a reinforcing loop, which is why the "
                "money grows faster each year.",
    code='csf.library.load("bank account", interest_rate=0.04).run()["money"].iloc[-1]',
    typical_mistakes=[(148, "simple interest"), (104, "after one year"),
                      (300, "too high"), ("160 euros", "answer with a number")],
)

q2 = PredictPattern(
    "A population of 6.6 billion has a fertility of 2.1 % a year and a mortality of 3 % a "
    "year, both constant. Predict the pattern of the population over 100 years.",
    "goal seeking", model="population", variant={"variant": "decline"},
    describe="the declining population",
    title="A population in decline",
    notes={
        "linear": "Deaths are a fraction of the population, so as it shrinks, fewer die "
                  "each year: the decline slows.",
        "overshoot and collapse": "There is no rise first: with more deaths than births the "
                                  "population falls from the very start, ever more slowly.",
    },
    hints=["Births and deaths are both fractions of the population. Which is bigger?",
           "The net outflow is 0.9 % of a shrinking stock: the amount lost each year "
           "shrinks too."],
    explanation="This is exponential decay, a decline towards zero that slows as the stock "
                "shrinks; the pattern library files it under goal seeking (the goal is zero).",
    code='results = csf.library.load("population", variant="decline").run()\n'
         'csf.behaviour.classify(results["population"]).pattern',
    typical_mistakes=[("linear", "the decline slows"), ("collapse", "There is no rise first"),
                      ("exponential growth", "not exponential growth")],
)


def _final_capital(results) -> float:
    return float(results["capital"].iloc[-1])


q3 = SetParameter(
    "A factory's capital produces output (a third of the capital each year), a fifth of "
    "which is invested in new capital; capital wears out over its lifetime. Starting from "
    "100, choose the capital lifetime (in years) so that the capital is still between 95 "
    "and 105 after 50 years.",
    model="capital", parameter="capital_lifetime",
    condition=lambda results: 95 <= _final_capital(results) <= 105,
    goal="capital stays between 95 and 105",
    describe=lambda results: f"capital ends at {_final_capital(results):.1f}",
    solution=15, title="Capital in balance",
    advice=lambda params, results: (
        "Capital wears out faster than it is replaced: choose a longer lifetime."
        if _final_capital(results) < 95 else
        "Now investment outruns depreciation: choose a shorter lifetime."),
    hints=["Capital holds steady when the inflow (investment) equals the outflow "
           "(depreciation).",
           "Investment is 1/3 x 1/5 = 1/15 of the capital each year. Depreciation is "
           "capital / lifetime."],
    explanation="Investment of one fifteenth of the capital a year exactly replaces what "
                "wears out when machines last 15 years: a dynamic equilibrium.",
    code='ex.q3.check(15)',
    typical_mistakes=[(10, "faster than it is replaced"), (20, "outruns depreciation"),
                      ("fifteen", "needs a number")],
)

q4 = MultipleChoice(
    "The climate bathtub: carbon dioxide in the atmosphere is a stock. Today, emissions flow "
    "in at about twice the rate at which oceans and forests remove it. If the world held "
    "emissions constant at today's level, what would the stock of CO2 do?",
    ["fall, because emissions stopped growing",
     "stay where it is",
     "keep rising, because the inflow is still larger than the outflow",
     "rise for a while and then fall on its own"],
    "c", title="The climate bathtub",
    why={
        "a": "A stock falls only when its outflow is larger than its inflow. Holding the "
             "inflow constant does not make it smaller than the outflow.",
        "b": "A stock stays level only when inflow equals outflow. Here the inflow is still "
             "about twice as large.",
        "c": "The level of the bath rises as long as the tap runs faster than the drain, "
             "however steady the tap.",
        "d": "Nothing in the question makes the outflow grow past the inflow, so the stock "
             "has no reason to turn down.",
    },
    hints=["Picture a bath whose tap runs twice as fast as its drain.",
           "What must be true of the flows for a stock to stop rising?"],
    typical_mistakes=[("a", "outflow is larger than its inflow"),
                      ("b", "inflow equals outflow"), ("d", "no reason to turn down")],
)

_exercises = SessionExercises(8, [q1, q2, q3, q4])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

"""Stocks that grow or shrink in proportion to themselves: population and capital."""

from __future__ import annotations

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.model import StockFlowModel

__all__ = ["capital", "population"]

_POPULATION_VARIANTS = ("growth", "decline", "falling fertility")


@register(
    "population", title="World population", behaviour="exponential growth",
    key_variable="population",
    variants=(Variant("variant", "growth", "choice", _POPULATION_VARIANTS,
                      doc="'growth': fertility 2.1 %, mortality 0.9 % a year; 'decline': "
                          "mortality 3 %; 'falling fertility': fertility falls to 0.9 % "
                          "between years 20 and 80."),),
    summary="With more births than deaths the population doubles about every 58 years.",
    scenarios=(
        Scenario("growth", (("variant", "growth"),), "exponential growth",
                 "6.6 billion become about 21.8 billion in 100 years"),
        Scenario("decline", (("variant", "decline"),), "goal seeking",
                 "deaths outnumber births: about 2.67 billion after 100 years"),
        Scenario("falling fertility", (("variant", "falling fertility"),), "goal seeking",
                 "growth slows as fertility falls to meet mortality, and the population levels "
                 "off near 12 billion: the S is faint, since growth at 1.2 % a year hardly "
                 "speeds up before fertility starts to fall"),
    ),
)
def population(variant: str = "growth") -> StockFlowModel:
    """The world's 6.6 billion people, with births and deaths in proportion to their number.

    Each year 2.1 % of the population is added by births and 0.9 % removed by
    deaths. Births make a reinforcing loop (more people, more births), deaths a
    balancing one (more people, more deaths). While births dominate, growth
    feeds on itself: the population doubles roughly every 58 years and passes
    21 billion within a century. If mortality rose to 3 %, the balancing loop
    would dominate and the population would shrink towards zero. If fertility
    gradually fell to match mortality, growth would slow and the curve would
    bend over (a faint S: the early growth barely speeds up) and level off
    where births and deaths balance.

    Parameters
    ----------
    variant : {"growth", "decline", "falling fertility"}
    """
    titles = {"growth": "Population", "decline": "Population (high mortality)",
              "falling fertility": "Population (falling fertility)"}
    model = StockFlowModel(titles[variant], start=0, stop=100, dt=1, time_unit="year")
    model.constant("initial_population", 6.6, min=0.1, max=20, step=0.1, units="billion people",
                   label="population at the start")
    model.constant("fertility", 0.021, min=0, max=0.06, step=0.001, units="1/year",
                   label="fertility", doc="Births each year per person.")
    model.constant("mortality", 0.030 if variant == "decline" else 0.009, min=0, max=0.06,
                   step=0.001, units="1/year", label="mortality",
                   doc="Deaths each year per person.")
    births = "population * fertility"
    if variant == "falling fertility":
        model.constant("final_fertility", 0.009, min=0, max=0.06, step=0.001, units="1/year",
                       label="fertility after the decline")
        model.constant("decline_start", 20, min=0, max=100, step=5, units="year",
                       label="fertility starts falling in year")
        model.constant("decline_end", 80, min=1, max=150, step=5, units="year",
                       label="fertility stops falling in year")
        model.auxiliary("current_fertility",
                        "fertility - ramp((fertility - final_fertility) / "
                        "max(decline_end - decline_start, 1), decline_start, decline_end)",
                        units="1/year", label="current fertility",
                        doc="Falls in a straight line from fertility to final fertility.")
        births = "population * current_fertility"
    model.stock("population", "initial_population", inflows=["births"], outflows=["deaths"],
                non_negative=True, units="billion people", label="population")
    model.flow("births", births, units="billion people/year", label="births",
               doc="The reinforcing loop: more people, more births.")
    model.flow("deaths", "population * mortality", units="billion people/year", label="deaths",
               doc="The balancing loop: more people, more deaths.")
    return model


_LIFETIME = Variant("capital_lifetime", 20.0, "number", (10.0, 15.0, 20.0), 1, 50,
                    "The average lifetime of capital, in years.")


@register(
    "capital", title="Industrial capital", behaviour="exponential growth",
    key_variable="capital", variants=(_LIFETIME,),
    summary="Reinvested output builds capital while depreciation wears it down; which one "
            "wins depends on how long capital lasts.",
    scenarios=(
        Scenario("lifetime 10 years", (("capital_lifetime", 10.0),), "goal seeking",
                 "depreciation wins: capital decays to about 18 in 50 years"),
        Scenario("lifetime 15 years", (("capital_lifetime", 15.0),), "equilibrium",
                 "investment and depreciation balance: capital stays at 100"),
        Scenario("lifetime 20 years", (("capital_lifetime", 20.0),), "exponential growth",
                 "investment wins: capital grows to about 228 in 50 years"),
    ),
)
def capital(capital_lifetime: float = 20.0) -> StockFlowModel:
    """A stock of factories and machines that produces output, a fifth of which is reinvested.

    Capital of 100 produces a third of its value in output each year. A fifth
    of that output goes into new capital (a reinforcing loop), while old
    capital wears out and is scrapped after its lifetime on average (a
    balancing loop). With a 15-year lifetime the two loops are exactly
    matched and capital holds steady. Let machines last 20 years and
    reinvestment outruns wear: capital more than doubles in 50 years. Let them
    last only 10 and it drains away to less than a fifth of what it was.

    Parameters
    ----------
    capital_lifetime : float
        Years (the references try 10, 15 and 20).
    """
    model = StockFlowModel("Capital", start=0, stop=50, dt=1, time_unit="year")
    model.constant("capital_output_ratio", 3, min=1, max=10, step=0.5, units="year",
                   label="capital-output ratio", doc="Capital needed per unit of yearly output.")
    model.constant("fraction_reinvested", 0.2, min=0, max=1, step=0.05, units="dimensionless",
                   label="fraction of output reinvested")
    model.constant("capital_lifetime", capital_lifetime, min=1, max=50, step=1, units="year",
                   label="capital lifetime", doc="How long capital lasts on average.")
    model.stock("capital", 100, inflows=["investment"], outflows=["depreciation"],
                non_negative=True, units="$", label="capital")
    model.auxiliary("output", "capital / capital_output_ratio", units="$/year", label="output")
    model.flow("investment", "output * fraction_reinvested", units="$/year", label="investment",
               doc="The reinforcing loop: more capital, more output, more investment.")
    model.flow("depreciation", "capital / capital_lifetime", units="$/year",
               label="depreciation", doc="The balancing loop: more capital, more wearing out.")
    return model

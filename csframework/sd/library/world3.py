"""World3-03, the model of *Limits to Growth: The 30-Year Update* (2004), with its scenarios.

The model is the Vensim file shipped in ``library/data`` (see its README for
the authors, copyright and licence), read by the native Vensim reader. The
scenarios are those of the book's chapters 4 to 7, as settings of the model's
own switches (all policies start in 2002):

===================================  =============================================================
scenario                             what changes (World3-03 names)
===================================  =============================================================
standard run (1)                     nothing
doubled resources (2)                ``initial nonrenewable resources`` 2e12 (twice 1e12), and from
                                     2002 the cheaper extraction table ``fraction of capital
                                     allocated to obtaining resources 2`` (``fraction of
                                     industrial capital allocated to obtaining resources switch
                                     time`` 2002)
pollution technology (3)             2 + ``POLICY YEAR`` 2002 and pollution control technology
                                     improving 4 %/year while pollution is above the desired index
land yield technology (4)            3 + land yield technology improving 4 %/year while food is
                                     short of the desired food ratio
erosion control (5)                  4 + ``land life policy implementation time`` 2002
resource technology (6)              5 + resource-saving technology improving 4 %/year while
                                     resource use is above the desired rate
stable population (7)                2 + ``zero population growth time`` 2002 (desired family
                                     size 2) and ``fertility control effectiveness time`` 2002
stable population and industry (8)   7 + ``industrial output per capita desired`` 350 and
                                     ``industrial equilibrium time`` 2002, capital lasting longer
                                     after ``POLICY YEAR`` 2002 (``average life of industrial
                                     capital 2`` 18, ``... of service capital 2`` 25, ``... of
                                     agricultural inputs 2`` 2.5)
stabilized world (9)                 8 + the technologies of 6 and erosion control
===================================  =============================================================

In World3-03 the three technologies are tables of the improvement rate
against a gap: ``persistent pollution technology change mult table`` is
((-1, 0), (0, 0)) in the standard run and ((-1, -0.04), (0, 0)) when pollution
technology advances. A straight two-point table is a rate times the clipped
gap, so the library model writes each as a constant a participant can move
(``pollution_technology_rate``, ``resource_technology_rate``,
``land_yield_technology_rate``; 0 in the standard run, 0.04 in the scenarios)
times the gap the table reads. With the rates at 0 it is the published model.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.model import Constant, StockFlowModel

__all__ = ["KEY_VARIABLES", "LEVERS", "SCENARIOS", "scenario_settings", "world3", "world3_path"]

#: The variables a participant reads first.
KEY_VARIABLES = ("population", "industrial_output", "food", "persistent_pollution",
                 "nonrenewable_resources", "life_expectancy", "human_welfare_index",
                 "human_ecological_footprint")

#: The few levers that matter, for sliders: constant -> (min, max, step).
LEVERS: dict[str, tuple[float, float, float]] = {
    "initial_nonrenewable_resources": (2.5e11, 4e12, 2.5e11),
    "desired_completed_family_size_normal": (1.5, 6.0, 0.1),
    "industrial_output_per_capita_desired": (100.0, 1000.0, 10.0),
    "pollution_technology_rate": (0.0, 0.1, 0.01),
    "resource_technology_rate": (0.0, 0.1, 0.01),
    "land_yield_technology_rate": (0.0, 0.1, 0.01),
    "policy_year": (1980.0, 2100.0, 1.0),
}

_MORE_RESOURCES = {
    "initial_nonrenewable_resources": 2e12,
    "fraction_of_industrial_capital_allocated_to_obtaining_resources_switch_time": 2002,
}
_POLLUTION = {**_MORE_RESOURCES, "policy_year": 2002, "pollution_technology_rate": 0.04}
_YIELD = {**_POLLUTION, "land_yield_technology_rate": 0.04}
_EROSION = {**_YIELD, "land_life_policy_implementation_time": 2002}
_RESOURCE = {**_EROSION, "resource_technology_rate": 0.04}
_POPULATION = {**_MORE_RESOURCES, "zero_population_growth_time": 2002,
               "fertility_control_effectiveness_time": 2002}
_INDUSTRY = {**_POPULATION, "policy_year": 2002, "industrial_output_per_capita_desired": 350,
             "industrial_equilibrium_time": 2002, "average_life_of_industrial_capital_2": 18,
             "average_life_of_service_capital_2": 25,
             "average_life_of_agricultural_inputs_2": 2.5}
_STABILIZED = {**_INDUSTRY, **_RESOURCE}

#: The scenarios of *Limits to Growth: The 30-Year Update*, as constant settings.
SCENARIOS: dict[str, dict[str, float]] = {
    "standard run": {},
    "doubled resources": _MORE_RESOURCES,
    "pollution technology": _POLLUTION,
    "land yield technology": _YIELD,
    "erosion control": _EROSION,
    "resource technology": _RESOURCE,
    "stable population": _POPULATION,
    "stable population and industry": _INDUSTRY,
    "stabilized world": _STABILIZED,
}

# (the multiplier whose table becomes rate * clipped gap, the new constant, its gap, low, high)
_TECHNOLOGIES = (
    ("persistent_pollution_technology_change_multiplier", "pollution_technology_rate",
     "1 - persistent_pollution_index / desired_persistent_pollution_index", -1, 0,
     "How fast pollution control technology improves (a fraction a year) while pollution "
     "is above the desired index, from POLICY YEAR on; 0.04 in the book's scenarios."),
    ("resource_technology_change_rate_multiplier", "resource_technology_rate",
     "1 - resource_usage_rate / desired_resource_use_rate", -1, 0,
     "How fast resource-saving technology improves (a fraction a year) while resource use "
     "is above the desired rate, from POLICY YEAR on; 0.04 in the book's scenarios."),
    ("land_yield_technology_change_rate_multiplier", "land_yield_technology_rate",
     "desired_food_ratio - food_ratio", 0, 1,
     "How fast land yield technology improves (a fraction a year) while food is short of "
     "the desired food ratio, from POLICY YEAR on; 0.04 in the book's scenarios."),
)


def world3_path() -> Path:
    """The path of the World3-03 Vensim file shipped with csframework.

    Examples
    --------
    >>> world3_path().name
    'wrld3-03.mdl'
    """
    return Path(__file__).resolve().parent / "data" / "wrld3-03.mdl"


@functools.lru_cache(maxsize=1)
def _published() -> StockFlowModel:
    from csframework.sd.vensim import read_vensim

    return read_vensim(world3_path(), name="World3-03")


def _with_levers(base: StockFlowModel, name: str) -> StockFlowModel:
    """The published model with the technology tables written as rate * clipped gap."""
    model = StockFlowModel(name, base.start, base.stop, base.dt, base.time_unit, base.method)
    replaced = {multiplier: (rate, gap, low, high, doc)
                for multiplier, rate, gap, low, high, doc in _TECHNOLOGIES}
    for name in base.names():
        element = base[name]
        if name in replaced:
            rate, gap, low, high, doc = replaced[name]
            model.constant(rate, 0.0, min=0.0, max=0.1, step=0.01, units="1/year", doc=doc,
                           label=rate.replace("_", " "))
            model.auxiliary(name, f"{rate} * min(max({gap}, {low}), {high})",
                            units=element.units, doc=element.doc, label=element.label)
            continue
        model.adopt(element)
    return model


def _set(model: StockFlowModel, settings: dict[str, float]) -> None:
    for name, value in settings.items():
        element = model.constants[name]
        low, high = element.min, element.max
        if low is not None and value < low:
            low = None
        if high is not None and value > high:
            high = None
        model.replace(dataclasses.replace(element, value=float(value), min=low, max=high))


def _ranges(model: StockFlowModel) -> None:
    for name, (low, high, step) in LEVERS.items():
        element: Constant = model.constants[name]
        model.replace(dataclasses.replace(element, min=min(low, element.value),
                                          max=max(high, element.value), step=step))


_SCENARIO = Variant(
    "scenario", "standard run", "choice", tuple(SCENARIOS),
    doc="A scenario of Limits to Growth: The 30-Year Update (2004); see the module "
        "csframework.sd.library.world3 for the settings of each.")


@register(
    "world3", title="World3-03: the limits to growth", behaviour="overshoot and collapse",
    key_variable="population", variants=(_SCENARIO,),
    summary="Population and industry grow until the cost of ever scarcer resources, "
            "pollution and lost land overwhelm them; in the stabilized world they level off "
            "instead.",
    scenarios=(
        Scenario("standard run", (("scenario", "standard run"),), "overshoot and collapse",
                 "industrial output peaks before 2020 as resources get costly; population "
                 "peaks about 2030"),
        Scenario("doubled resources", (("scenario", "doubled resources"),),
                 "overshoot and collapse",
                 "more resources postpone the peak by about twenty years; pollution then "
                 "brings the collapse"),
        Scenario("stabilized world", (("scenario", "stabilized world"),),
                 "s-shaped growth",
                 "population levels off near 8 billion and human welfare stays high to 2100"),
    ),
    aliases=("world3-03", "wrld3-03", "world model", "limits to growth world"),
    levers=tuple(LEVERS),
)
def world3(scenario: str = "standard run") -> StockFlowModel:
    """World3, the model of The Limits to Growth, in its 2004 version.

    Five sectors - population, industrial and service capital, agriculture,
    nonrenewable resources and persistent pollution - feed each other through
    about 300 variables, from 1900 to 2100. In the standard run, growth
    consumes resources ever faster; as they get harder to extract, capital
    goes to extraction instead of growth, industrial output peaks and falls,
    and population follows. More resources postpone the collapse and bring
    it through pollution instead; technology postpones it further. Only a
    world that also chooses enough - two children a family and a moderate
    material standard of living - settles into a stable state. (Meadows,
    Randers and Meadows, 2004; model file CC BY 3.0, see the data README.)

    Parameters
    ----------
    scenario : str
        One of the book's scenarios (see ``SCENARIOS``): "standard run",
        "doubled resources", ..., "stabilized world".
    """
    model = _with_levers(_published(), f"World3-03 ({scenario})")
    _set(model, SCENARIOS[scenario])
    _ranges(model)
    return model


def scenario_settings(scenario: str) -> dict[str, Any]:
    """The constant settings of one scenario (a copy).

    Examples
    --------
    >>> scenario_settings("doubled resources")["initial_nonrenewable_resources"]
    2000000000000.0
    """
    return dict(SCENARIOS[scenario])

"""Archetype models built around a correcting (balancing) loop that goes wrong.

Balancing process with delay, limits to growth, fixes that fail, shifting the
burden and eroding goals: the minimal simulations of the archetypes reference,
integrated by Euler with a quarter time step.
"""

from __future__ import annotations

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.library._catalogue import name_loops as _name_loops
from csframework.sd.model import StockFlowModel

__all__ = [
    "balancing_process_with_delay",
    "eroding_goals",
    "fixes_that_fail",
    "limits_to_growth",
    "shifting_the_burden",
]

_DT = 0.25


@register(
    "balancing process with delay", title="Balancing process with delay",
    behaviour="damped oscillation", key_variable="state",
    archetype="balancing process with delay",
    summary="Acting on an out-of-date picture, the correction overshoots the goal (to about "
            "175 for a goal of 100) and the state swings around the goal before settling.",
    aliases=("balancing with delay", "balancing loop with delay"),
)
def balancing_process_with_delay() -> StockFlowModel:
    """Someone steers a state towards a goal of 100, but sees the state only after a delay.

    The corrective action is proportional to the gap between the goal and the
    state as it is perceived, and the perception catches up with reality only
    gradually, over four time units. While the perceived state still lags far
    behind, the action keeps pushing, long after the real state has passed the
    goal: it overshoots to about 175. Then the correction reverses, and
    overshoots the other way. The swings shrink and the state settles at the
    goal. Patience, or a shorter delay, would have saved most of the swinging.
    """
    model = StockFlowModel("Balancing process with delay", start=0, stop=60, dt=_DT,
                           time_unit="time")
    model.constant("goal", 100, min=0, max=200, step=10, units="units", label="goal")
    model.constant("adjustment_time", 2, min=0.5, max=20, step=0.5, units="time",
                   label="adjustment time", doc="How quickly the perceived gap is acted on.")
    model.constant("perception_delay", 4, min=0.5, max=20, step=0.5, units="time",
                   label="perception delay", doc="How long it takes to see the state as it is.")
    model.stock("state", 0, inflows=["corrective_action"], units="units", label="state")
    model.stock("perceived_state", 0, inflows=["updating_perception"], units="units",
                label="perceived state", doc="The state as it is believed to be.")
    model.auxiliary("perceived_gap", "goal - perceived_state", units="units",
                    label="perceived gap")
    model.flow("corrective_action", "perceived_gap / adjustment_time", units="units/time",
               label="corrective action")
    model.flow("updating_perception", "(state - perceived_state) / perception_delay",
               units="units/time", label="updating perception",
               doc="The perception catches up with the state, slowly: the delay.")
    _name_loops(model, (
        ("B1", ("corrective_action", "state", "updating_perception", "perceived_state",
                "perceived_gap"),
         "correcting towards the goal"),
        ("B2", ("perceived_state", "updating_perception"), "updating the perception"),
    ))
    # Its causal loop diagram (to_cld) in the archetype's canonical shape, placed by hand.
    model.place("perceived_gap", 0.0, 1.2)
    model.place("corrective_action", 1.8, 0.0)
    model.place("state", 0.0, -1.2)
    model.place("updating_perception", -2.2, -0.7)
    model.place("perceived_state", -1.4, 0.6)
    return model


@register(
    "limits to growth", title="Limits to growth", behaviour="s-shaped growth",
    key_variable="performance", archetype="limits to growth",
    summary="Growth feeds on itself at first, then a limit slows it: an S-curve that levels "
            "off near the limit (about 945 of 1000 at time 25).",
)
def limits_to_growth() -> StockFlowModel:
    """Efforts bring results, and results encourage more effort, until a limit pushes back.

    Performance starts at 10 and grows 30 % a time unit through a reinforcing
    loop. But every gain brings the system closer to a limit of 1000, and a
    slowing action grows with it: the closer to the limit, the more of the
    growth is cancelled. The curve rises slowly, then steeply, then bends over
    and levels off near the limit. Pushing harder on the growth loop does not
    help for long; the leverage is in the limit.
    """
    model = StockFlowModel("Limits to growth", start=0, stop=40, dt=_DT, time_unit="time")
    model.constant("growth_rate", 0.3, min=0, max=1, step=0.05, units="1/time",
                   label="growth rate", doc="The strength of the reinforcing loop.")
    model.constant("limit", 1000, min=100, max=5000, step=100, units="units",
                   label="limit", doc="The constraint the balancing loop enforces.")
    model.constant("initial_performance", 10, min=1, max=500, step=1, units="units",
                   label="performance at first")
    model.stock("performance", "initial_performance", inflows=["growth"],
                outflows=["slowing_action"], non_negative=True, units="units",
                label="performance")
    model.flow("growth", "growth_rate * performance", units="units/time", label="growth",
               doc="R1: more performance, more effort, more performance.")
    model.auxiliary("closeness_to_limit", "performance / limit", units="dimensionless",
                    label="closeness to the limit")
    model.flow("slowing_action", "growth_rate * performance * closeness_to_limit",
               units="units/time", label="slowing action",
               doc="B2: the nearer the limit, the more of the growth is cancelled.")
    _name_loops(model, (
        ("R1", ("growth", "performance"),
         "growing engine"),
        ("B1", ("performance", "slowing_action"),
         "the limit bites"),
    ))
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("growth", -2.0, 0.0)
    model.place("performance", 0.0, 0.0)
    model.place("slowing_action", 2.0, 0.0)
    model.place("closeness_to_limit", 2.0, -1.4)
    return model


@register(
    "fixes that fail", title="Fixes that fail", behaviour="better before worse",
    key_variable="problem_symptom", archetype="fixes that fail", better="down",
    summary="Brief relief, then the symptom returns worse: it drops to about 63, passes 100 "
            "again near time 35 and heads for 200.",
)
def fixes_that_fail() -> StockFlowModel:
    """A problem symptom of 100 gets a quick fix from time 5 on.

    The fix works at once: it takes away a fifth of the symptom every time
    unit, and by time 10 the symptom is down to about 63. But the fix has a
    side effect that builds up slowly, over about eight time units, and the
    side effect feeds the problem. Because each unit of fixing eventually
    creates more than a unit of new problem, the symptom climbs back, passes
    its old level near time 35 and keeps rising towards twice what it was.
    The relief was real, and so was the price, only later.
    """
    model = StockFlowModel("Fixes that fail", start=0, stop=100, dt=_DT, time_unit="time")
    model.constant("background_pressure", 10, min=0, max=50, step=1, units="units/time",
                   label="pressure creating the problem")
    model.constant("resolution_time", 10, min=1, max=50, step=1, units="time",
                   label="time for the problem to resolve itself")
    model.constant("fix_strength", 0.2, min=0, max=1, step=0.05, units="1/time",
                   label="strength of the fix", doc="Fraction of the symptom fixed per time unit.")
    model.constant("fix_start", 5, min=0, max=50, step=1, units="time", label="fix starts at")
    model.constant("consequence_strength", 1.25, min=0, max=3, step=0.05, units="dimensionless",
                   label="how much the side effect feeds the problem")
    model.constant("consequence_per_fix", 1, min=0, max=3, step=0.1, units="dimensionless",
                   label="side effect per unit of fixing")
    model.constant("consequence_delay", 8, min=1, max=30, step=1, units="time",
                   label="delay of the side effect")
    model.stock("problem_symptom", 100, inflows=["problem_arising", "side_effect_on_problem"],
                outflows=["natural_resolution", "fix"], non_negative=True, units="units",
                label="problem symptom")
    model.stock("unintended_consequence", 0, inflows=["consequence_building"],
                outflows=["consequence_fading"], non_negative=True, units="units",
                label="unintended consequence")
    model.flow("problem_arising", "background_pressure", units="units/time",
               label="problem arising")
    model.flow("side_effect_on_problem", "consequence_strength * unintended_consequence",
               units="units/time", label="side effect on the problem",
               doc="R1: the fix's consequence makes the problem worse.")
    model.flow("natural_resolution", "problem_symptom / resolution_time", units="units/time",
               label="natural resolution")
    model.flow("fix", "step(fix_strength, fix_start) * problem_symptom", units="units/time",
               label="fix", doc="B1: the bigger the symptom, the more fixing.")
    model.flow("consequence_building", "consequence_per_fix * fix / consequence_delay",
               units="units/time", label="consequence building up")
    model.flow("consequence_fading", "unintended_consequence / consequence_delay",
               units="units/time", label="consequence fading")
    _name_loops(model, (
        ("B1", ("fix", "problem_symptom"),
         "quick relief"),
        ("R1", ("consequence_building", "unintended_consequence", "side_effect_on_problem",
                "problem_symptom", "fix"),
         "the fix bites back"),
    ))
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("problem_symptom", -1.3, 0.7)
    model.place("fix", 1.3, 0.7)
    model.place("consequence_building", 0.0, -1.1)
    return model


@register(
    "shifting the burden", title="Shifting the burden", behaviour="better before worse",
    key_variable="problem_symptom", archetype="shifting the burden", better="down",
    variants=(Variant("withdraw_fix", False, "switch", (False, True),
                      doc="Withdraw the symptomatic fix at time 60."),),
    summary="The symptomatic fix brings the symptom down from 100 to about 15, while the "
            "community comes to depend on it and its own capability fades away (to about 11 "
            "by time 60, nothing later); the fix "
            "cannot grow with the problem, so the symptom creeps back, passes 100 near time "
            "105 and keeps rising. Withdraw the fix at 60, and after a spike (to about 196) "
            "capability is rebuilt.",
    scenarios=(Scenario("fix kept on", (("withdraw_fix", False),), "better before worse",
                        "relief, then the symptom returns worse and worse as capability "
                        "fades and dependence is complete"),
               Scenario("fix withdrawn", (("withdraw_fix", True),), "damped oscillation",
                        "the symptom shoots up to about 196, then learning resumes and it "
                        "settles near 100")),
    aliases=("shifting the burden to the intervenor",),
)
def shifting_the_burden(withdraw_fix: bool = False) -> StockFlowModel:
    """A problem can be eased by a quick symptomatic fix or by building real capability.

    Until time 10 the community handles its problem symptom with its own
    fundamental capability. Then a quick fix arrives and takes away 30 % of the
    symptom each time unit, up to 8 units. The symptom drops, so there is
    little reason to build capability; and the more the fix is used, the more
    the community depends on it, which blocks learning altogether. Capability
    fades away. The fix cannot grow with the problem, so the symptom creeps
    back, passes where it began and keeps rising: better before worse. If the
    fix is withdrawn at time 60, the symptom shoots up far above where it
    started, dependence fades, learning resumes, and capability is slowly
    rebuilt.

    Parameters
    ----------
    withdraw_fix : bool
        Stop the symptomatic fix at time 60 (otherwise it stays in use).
    """
    model = StockFlowModel("Shifting the burden (fix withdrawn)" if withdraw_fix
                           else "Shifting the burden", start=0, stop=250, dt=_DT,
                           time_unit="time")
    model.constant("problem_pressure", 10, min=0, max=50, step=1, units="units/time",
                   label="pressure creating the problem")
    model.constant("fix_fraction", 0.3, min=0, max=1, step=0.05, units="1/time",
                   label="strength of the symptomatic fix")
    model.constant("fix_capacity", 8, min=0, max=50, step=1, units="units/time",
                   label="most the fix can take away per time unit")
    model.constant("fix_start", 10, min=0, max=150, step=5, units="time", label="fix starts at")
    model.constant("fix_end", 60, min=0, max=150, step=5, units="time",
                   label="fix stops at (if withdrawn)")
    model.constant("fix_withdrawn", 1 if withdraw_fix else 0, min=0, max=1, step=1,
                   units="dimensionless", label="fix withdrawn (1) or kept on (0)")
    model.constant("capability_effect", 0.1, min=0, max=1, step=0.01, units="1/time",
                   label="problem solved per unit of capability")
    model.constant("learning_rate", 0.05, min=0, max=0.5, step=0.01, units="1/time",
                   label="capability built per unit of symptom")
    model.constant("capability_lifetime", 20, min=1, max=100, step=1, units="time",
                   label="capability lifetime", doc="Unused capability fades over this time.")
    model.constant("dependency_per_fix", 0.2, min=0, max=0.5, step=0.01, units="time/units",
                   label="dependency per unit of fixing")
    model.constant("dependency_time", 10, min=1, max=50, step=1, units="time",
                   label="time for dependency to form")
    model.stock("problem_symptom", 100, inflows=["problem_arising"],
                outflows=["symptomatic_solution", "fundamental_solution"], non_negative=True,
                units="units", label="problem symptom")
    model.stock("fundamental_capability", 100, inflows=["capability_building"],
                outflows=["capability_fading"], non_negative=True, units="units",
                label="fundamental capability")
    model.stock("dependency", 0, inflows=["dependency_change"], units="dimensionless",
                label="dependency on the fix", doc="0: none; 1: complete.")
    model.flow("problem_arising", "problem_pressure", units="units/time",
               label="problem arising")
    model.auxiliary("fix_in_use", "step(1, fix_start) - fix_withdrawn * step(1, fix_end)",
                    units="dimensionless", label="fix in use (1) or not (0)")
    model.flow("symptomatic_solution",
               "min(fix_fraction * problem_symptom, fix_capacity) * fix_in_use",
               units="units/time", label="symptomatic solution", doc="B1: the quick fix.")
    model.flow("fundamental_solution",
               "min(capability_effect * fundamental_capability, problem_symptom)",
               units="units/time", label="fundamental solution",
               doc="B2: capability solves the problem, but capability takes time to build.")
    model.flow("capability_building", "learning_rate * problem_symptom * (1 - dependency)",
               units="units/time", label="capability building",
               doc="A visible problem motivates learning, unless the fix is relied on.")
    model.flow("capability_fading", "fundamental_capability / capability_lifetime",
               units="units/time", label="capability fading")
    model.flow("dependency_change",
               "(min(1, dependency_per_fix * symptomatic_solution) - dependency) "
               "/ dependency_time",
               units="1/time", label="dependency change",
               doc="R1: the side effect: using the fix builds dependence on it.")
    _name_loops(model, (
        ("B1", ("problem_symptom", "symptomatic_solution"),
         "the quick way"),
        ("B2", ("fundamental_solution", "problem_symptom"),
         "the slow way"),
        ("R1", ("capability_building", "fundamental_capability", "fundamental_solution",
                "problem_symptom", "symptomatic_solution", "dependency_change", "dependency"),
         "growing dependence"),
    ))
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("problem_symptom", -1.5, 0.0)
    model.place("symptomatic_solution", 0.0, 1.4)
    model.place("capability_building", 0.0, -1.4)
    model.place("dependency_change", 1.7, 0.0)
    return model


@register(
    "eroding goals", title="Eroding goals", behaviour="drifting goals",
    key_variable="actual_performance", goal_variable="goal", archetype="eroding goals",
    variants=(Variant("firm_goal", False, "switch", (False, True),
                      doc="Hold the goal fixed instead of letting it drift down to "
                          "performance."),),
    summary="Instead of closing the gap by improving, the goal is lowered: goal and performance "
            "slide down together (about 66 and 62 at time 60); with a firm goal, performance "
            "holds near 92.",
    scenarios=(Scenario("eroding goal", (("firm_goal", False),), "drifting goals",
                        "goal and performance slide down together"),
               Scenario("firm goal", (("firm_goal", True),), "goal seeking",
                        "performance rises and holds near 92")),
    aliases=("drift to low performance", "drifting goals"),
)
def eroding_goals(firm_goal: bool = False) -> StockFlowModel:
    """A school aims for a performance of 100 and stands at 80, with a steady drain on it.

    There are two ways to close a gap between a goal and reality: improve
    reality, which takes effort and time, or lower the goal, which is quick.
    Here both happen. Corrective action lifts performance over about eight time
    units, while a steady drain (turnover, wear, distraction) pulls it down;
    and every time unit the goal gives way a little to the pressure of the
    gap. As the goal sinks, corrective action weakens, and the drain wins:
    goal and performance slide down together, with no moment at which anyone
    chose lower standards. Hold the goal firm, and performance stays near 92.

    Parameters
    ----------
    firm_goal : bool
        Keep the goal at 100 (no erosion).
    """
    model = StockFlowModel("Eroding goals (firm goal)" if firm_goal else "Eroding goals",
                           start=0, stop=100, dt=_DT, time_unit="time")
    model.constant("initial_goal", 100, min=0, max=200, step=5, units="units",
                   label="goal at first")
    model.constant("initial_performance", 80, min=0, max=200, step=5, units="units",
                   label="performance at first")
    model.constant("improvement_time", 8, min=1, max=50, step=1, units="time",
                   label="time to improve performance")
    model.constant("goal_adjustment_time", 10, min=1, max=50, step=1, units="time",
                   label="time for the goal to give way")
    model.constant("drain", 1, min=0, max=5, step=0.1, units="units/time",
                   label="steady drain on performance")
    model.constant("goal_flexibility", 0 if firm_goal else 1, min=0, max=1, step=0.1,
                   units="dimensionless", label="goal flexibility",
                   doc="1: the goal gives way to the gap; 0: the goal is held firm.")
    model.stock("actual_performance", "initial_performance", inflows=["corrective_action"],
                outflows=["performance_drain"], units="units", label="actual performance")
    model.stock("goal", "initial_goal", outflows=["goal_erosion"], units="units", label="goal")
    model.auxiliary("gap", "goal - actual_performance", units="units", label="gap")
    model.flow("corrective_action", "gap / improvement_time", units="units/time",
               label="corrective action", doc="B1: close the gap by improving (takes time).")
    model.flow("performance_drain", "drain", units="units/time", label="drain on performance")
    model.flow("goal_erosion", "goal_flexibility * max(gap, 0) / goal_adjustment_time",
               units="units/time", label="pressure to lower the goal",
               doc="B2: close the gap by lowering the goal.")
    _name_loops(model, (
        ("B1", ("actual_performance", "gap", "corrective_action"),
         "closing the gap"),
        ("B2", ("gap", "goal_erosion", "goal"),
         "lowering the bar"),
    ))
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("gap", 0.0, 0.0)
    model.place("corrective_action", 1.6, 1.0)
    model.place("actual_performance", 1.6, -1.0)
    model.place("goal_erosion", -1.6, -1.0)
    model.place("goal", -1.6, 1.0)
    return model

"""Archetype models of parties and resources pulling on each other.

Escalation, success to the successful, tragedy of the commons, growth and
underinvestment and accidental adversaries: the minimal simulations of the
archetypes reference, integrated by Euler with a quarter time step.
"""

from __future__ import annotations

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.library._catalogue import name_loops as _name_loops
from csframework.sd.model import StockFlowModel

__all__ = [
    "accidental_adversaries",
    "escalation",
    "growth_and_underinvestment",
    "success_to_the_successful",
    "tragedy_of_the_commons",
]

_DT = 0.25


@register(
    "escalation", title="Escalation", behaviour="exponential growth",
    key_variable="activity_of_a", archetype="escalation",
    summary="Each side tries to stay 20 % ahead of the other: both grow about 7 % a time unit, "
            "from 100 to about 1340 by time 40.",
)
def escalation() -> StockFlowModel:
    """Two parties, A and B, each want to be a little ahead of the other.

    A starts at 100 and B at 90. Each feels safe only when its own activity
    (arms, prices cut, advertising, homework set) is 20 % above the other's,
    and closes any shortfall over three time units; nobody ever cuts back. Each
    side's balancing loop is reasonable on its own, but together they make one
    reinforcing loop: B's catching up is A's reason to rise, and A's rise is
    "B's. Activity on both sides grows exponentially, about 7 % a time unit,
    until someone steps out of the race or both agree to.
    """
    model = StockFlowModel("Escalation", start=0, stop=40, dt=_DT, time_unit="time")
    model.constant("margin_wanted", 0.2, min=0, max=1, step=0.05, units="dimensionless",
                   label="lead each side wants", doc="0.2: 20 % ahead of the other.")
    model.constant("response_time", 3, min=0.5, max=20, step=0.5, units="time",
                   label="response time")
    model.stock("activity_of_a", 100, inflows=["a_building_up"], units="units",
                label="A's activity")
    model.stock("activity_of_b", 90, inflows=["b_building_up"], units="units",
                label="B's activity")
    model.auxiliary("threat_to_a", "(1 + margin_wanted) * activity_of_b - activity_of_a",
                    units="units", label="threat felt by A",
                    doc="How far A is below the lead it wants over B.")
    model.auxiliary("threat_to_b", "(1 + margin_wanted) * activity_of_a - activity_of_b",
                    units="units", label="threat felt by B")
    model.flow("a_building_up", "max(threat_to_a, 0) / response_time", units="units/time",
               label="A building up", doc="B1: A closes the gap it feels.")
    model.flow("b_building_up", "max(threat_to_b, 0) / response_time", units="units/time",
               label="B building up", doc="B2: B closes the gap it feels.")
    _name_loops(model, (
        ("B1", ("a_building_up", "activity_of_a", "threat_to_a"),
         "A catches up"),
        ("B2", ("activity_of_b", "threat_to_b", "b_building_up"),
         "B catches up"),
        ("R1", ("a_building_up", "activity_of_a", "threat_to_b", "b_building_up", "activity_of_b",
                "threat_to_a"),
         "the race (figure eight)"),
    ))
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("threat_to_a", -0.7, -1.0)
    model.place("a_building_up", -2.4, 0.0)
    model.place("activity_of_a", -0.7, 1.0)
    model.place("threat_to_b", 0.7, 1.0)
    model.place("b_building_up", 2.4, 0.0)
    model.place("activity_of_b", 0.7, -1.0)
    return model


_FAVOURITISM = Variant("favouritism", 2.0, "number", (1.0, 2.0), 0, 5,
                       "The exponent on success in the sharing rule: 1 shares in proportion "
                       "to success, 2 favours the leader more.")


@register(
    "success to the successful", title="Success to the successful",
    behaviour="exponential growth", key_variable="a_relative_to_b",
    archetype="success to the successful", variants=(_FAVOURITISM,),
    summary="A starts barely ahead (51 to 49) and ends with nearly everything (about 99.95 to "
            "0.05 by time 100): the two diverge, and A's success as a multiple of B's grows "
            "exponentially, from 1.04 to about 1800.",
    scenarios=(
        Scenario("favouring the leader", (("favouritism", 2.0),), "exponential growth",
                 "the leader wins a bigger share than its success alone would give: the two "
                 "diverge until A has nearly everything"),
        Scenario("sharing in proportion", (("favouritism", 1.0),), "equilibrium",
                 "each wins a share in proportion to its success: the small lead is kept, "
                 "neither grows nor shrinks"),
    ),
)
def success_to_the_successful(favouritism: float = 2.0) -> StockFlowModel:
    """Two teachers, projects or pupils, A and B, share a fixed flow of resources.

    Resources go to whoever looks more successful, and disproportionately so:
    the share is weighted by the square of success. Success fades unless it is
    renewed. A starts at 51 and B at 49, a difference nobody would notice. But
    "A's slight edge wins A a slightly bigger share, which makes A more
    successful, which wins a bigger share still, while B's share shrinks by
    the same amount. Two coupled reinforcing loops turn a tiny difference into
    winner takes all: the outcome says little about A's and B's merits. The
    divergence shows in one number, A's success relative to B's, which
    multiplies like any reinforcing loop's output. Shared in proportion to
    success (favouritism 1), the first small lead is simply kept.
    """
    model = StockFlowModel("Success to the successful", start=0, stop=100, dt=_DT,
                           time_unit="time")
    model.constant("total_resources", 10, min=0, max=50, step=1, units="units/time",
                   label="resources to share out")
    model.constant("favouritism", favouritism, min=0, max=5, step=0.5, units="dimensionless",
                   label="how strongly success attracts resources",
                   doc="The exponent on success: 1 shares in proportion, 2 favours the "
                       "leader more.")
    model.constant("success_lifetime", 10, min=1, max=50, step=1, units="time",
                   label="how long success lasts unrenewed")
    model.stock("success_of_a", 51, inflows=["resources_to_a"], outflows=["fading_of_a"],
                non_negative=True, units="units", label="success of A")
    model.stock("success_of_b", 49, inflows=["resources_to_b"], outflows=["fading_of_b"],
                non_negative=True, units="units", label="success of B")
    model.auxiliary("share_to_a",
                    "safediv(success_of_a ** favouritism, success_of_a ** favouritism + "
                    "success_of_b ** favouritism, 0.5)",
                    units="dimensionless", label="share of resources to A",
                    doc="Allocation to A instead of B: grows with A's lead.")
    model.flow("resources_to_a", "total_resources * share_to_a", units="units/time",
               label="resources to A", doc="R1: success wins resources, which bring success.")
    model.flow("resources_to_b", "total_resources * (1 - share_to_a)", units="units/time",
               label="resources to B", doc="R2: whatever A wins, B loses.")
    model.flow("fading_of_a", "success_of_a / success_lifetime", units="units/time",
               label="A's success fading")
    model.flow("fading_of_b", "success_of_b / success_lifetime", units="units/time",
               label="B's success fading")
    _name_loops(model, (
        ("R1", ("resources_to_a", "success_of_a", "share_to_a"),
         "A's success attracts"),
        ("R2", ("resources_to_b", "success_of_b", "share_to_a"),
         "B's loss repels"),
    ))
    model.auxiliary("a_relative_to_b", "safediv(success_of_a, success_of_b, 0)",
                    units="dimensionless", label="A's success relative to B's",
                    doc="The divergence in one number: A's success as a multiple of B's, "
                        "1 when they are level (0 if B had none at all, which these "
                        "settings never reach).")
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("success_of_a", -1.5, -1.2)
    model.place("share_to_a", 0.0, 0.0)
    model.place("resources_to_a", -1.5, 1.2)
    model.place("resources_to_b", 1.5, 1.2)
    model.place("success_of_b", 1.5, -1.2)
    return model


_COST = Variant("cost_of_effort", 1.0, "number", (1.0, 3.0), 0.1, 10,
                "What a unit of effort costs each user per time unit.")


@register(
    "tragedy of the commons", title="Tragedy of the commons",
    behaviour="overshoot and collapse", key_variable="total_effort",
    archetype="tragedy of the commons", variants=(_COST,),
    summary="Each user expands effort while it pays; total effort overshoots what the shared "
            "resource can bear, the resource is driven below the level from which it can "
            "regrow, and effort collapses with it, to nothing.",
    scenarios=(
        Scenario("cheap effort", (("cost_of_effort", 1.0),), "overshoot and collapse",
                 "effort booms; the resource crashes past the point of no return, and effort "
                 "collapses with it"),
        Scenario("costly effort", (("cost_of_effort", 3.0),), "damped oscillation",
                 "smaller swings: the resource is never driven that low and settles near 300, "
                 "where effort just pays for itself"),
    ),
    aliases=("tragedy of commons", "the commons"),
)
def tragedy_of_the_commons(cost_of_effort: float = 1.0) -> StockFlowModel:
    """Two users share one resource, a pasture or a fishing ground, that regrows.

    The resource starts full, at 1000, and regrows fastest at half that. Each
    user's catch is proportional to their effort and to how much resource is
    left, and each expands effort whenever it earns more than it costs. For
    each user alone, more effort always looks like more gain; the loss from
    depleting the resource is shared by all and comes later. So total effort
    rises until the resource can no longer pay for it. When effort is cheap,
    the users keep going far past that point: the resource is driven below
    100, where too little is left for it to regrow well, and it dies out;
    effort collapses with it. When effort is costly, users stop earlier and the
    resource survives. The way out is to manage the commons together.

    Parameters
    ----------
    cost_of_effort : float
        Cost of a unit of effort (the reference tries 1 and 3).
    """
    model = StockFlowModel("Tragedy of the commons", start=0, stop=100, dt=_DT,
                           time_unit="time")
    model.constant("regrowth_rate", 0.5, min=0, max=2, step=0.05, units="1/time",
                   label="regrowth rate")
    model.constant("carrying_capacity", 1000, min=100, max=5000, step=100, units="units",
                   label="carrying capacity")
    model.constant("critical_level", 100, min=0.001, max=500, step=10, units="units",
                   label="level below which the resource cannot regrow well")
    model.constant("catchability", 0.01, min=0.001, max=0.05, step=0.001,
                   units="1/(effort*time)", label="catch per unit of effort and resource")
    model.constant("price", 1, min=0.1, max=10, step=0.1, units="$/units", label="price")
    model.constant("cost_of_effort", cost_of_effort, min=0.1, max=10, step=0.1,
                   units="$/(effort*time)", label="cost of effort")
    model.constant("responsiveness", 0.1, min=0, max=1, step=0.01, units="1/$",
                   label="how fast users respond to profit")
    model.stock("resource", "carrying_capacity", inflows=["regrowth"], outflows=["harvest"],
                non_negative=True, units="units", label="shared resource")
    model.stock("effort_of_a", 1, inflows=["change_in_effort_of_a"], non_negative=True,
                units="effort", label="A's effort")
    model.stock("effort_of_b", 1, inflows=["change_in_effort_of_b"], non_negative=True,
                units="effort", label="B's effort")
    model.auxiliary("total_effort", "effort_of_a + effort_of_b", units="effort",
                    label="total effort")
    model.flow("regrowth", "regrowth_rate * resource * (1 - resource / carrying_capacity)"
               " * min(1, resource / critical_level)",
               units="units/time", label="regrowth",
               doc="Below its critical level the resource can hardly regrow (too few left to "
                   "reproduce, soil washed away).")
    model.flow("harvest", "catchability * total_effort * resource", units="units/time",
               label="harvest", doc="B: more total effort leaves less resource per effort.")
    model.auxiliary("gain_per_effort", "price * catchability * resource - cost_of_effort",
                    units="$/(effort*time)", label="net gain per unit of effort")
    model.flow("change_in_effort_of_a", "responsiveness * gain_per_effort * effort_of_a",
               units="effort/time", label="change in A's effort",
               doc="A's gain encourages more of A's effort: the loop \"A's gain\", "
                   "reinforcing while effort pays.")
    model.flow("change_in_effort_of_b", "responsiveness * gain_per_effort * effort_of_b",
               units="effort/time", label="change in B's effort",
               doc="B's gain encourages more of B's effort: the loop \"B's gain\", "
                   "reinforcing while effort pays.")
    _name_loops(model, (
        ("R1", ("change_in_effort_of_a", "effort_of_a"),
         "A's gain"),
        ("R2", ("change_in_effort_of_b", "effort_of_b"),
         "B's gain"),
        ("B1", ("change_in_effort_of_a", "effort_of_a", "total_effort", "harvest", "resource",
                "gain_per_effort"),
         "the commons limits A"),
        ("B2", ("change_in_effort_of_b", "effort_of_b", "total_effort", "harvest", "resource",
                "gain_per_effort"),
         "the commons limits B"),
        ("R3", ("regrowth", "resource"),
         "the resource regrows"),
        ("B3", ("harvest", "resource"),
         "harvest thins the resource"),
    ))
    # Its causal loop diagram (to_cld) in the archetype's canonical shape, placed by hand.
    model.place("change_in_effort_of_a", -0.3, 1.8)
    model.place("effort_of_a", -1.7, 0.8)
    model.place("change_in_effort_of_b", -0.3, -1.8)
    model.place("effort_of_b", -1.7, -0.8)
    model.place("total_effort", 0.0, 0.0)
    model.place("harvest", 0.9, 0.0)
    model.place("resource", 1.8, 0.0)
    model.place("gain_per_effort", 2.7, 0.0)
    model.place("regrowth", 1.8, -1.0)
    return model


@register(
    "growth and underinvestment", title="Growth and underinvestment",
    behaviour="growth then decline", key_variable="demand",
    archetype="growth and underinvestment",
    variants=(Variant("firm_standard", False, "switch", (False, True),
                      doc="Hold the performance standard fixed instead of letting it slip."),),
    summary="Growing demand outruns capacity; people notice the slipping performance only "
            "later, and instead of investing the organisation lets its standard slip (to "
            "about 0.78): demand peaks near 199 around time 16, then declines (about 154 by "
            "time 80). With a firm standard demand keeps growing (about 670 by time 80).",
    scenarios=(Scenario("eroding standard", (("firm_standard", False),), "growth then decline",
                        "demand peaks near 199, then declines as capacity wears out and is "
                        "not replaced; the standard slips to about 0.78"),
               Scenario("firm standard", (("firm_standard", True),), "exponential growth",
                        "investment keeps up and demand keeps growing")),
)
def growth_and_underinvestment(firm_standard: bool = False) -> StockFlowModel:
    """A popular programme attracts more demand as long as it performs well.

    Demand grows while the programme's reputation (its performance, as people
    come to know it over about ten time units) is good, and shrinks when it
    falls below 80 %. Capacity is added when performance falls short of a
    standard, but it takes time to build, and it slowly wears out. When demand
    outgrows capacity, the organisation can invest, or it can decide that
    slightly worse performance is acceptable. Here the standard slips: each
    shortfall lowers it a little, the felt need to invest shrinks, worn
    capacity is not replaced, performance stays poor, and demand peaks and
    declines. The limit was not outside; it was the decision not to invest.
    Hold the standard firm, and growth goes on.

    Parameters
    ----------
    firm_standard : bool
        Keep the performance standard at 1.
    """
    model = StockFlowModel("Growth and underinvestment (firm standard)" if firm_standard
                           else "Growth and underinvestment", start=0, stop=80, dt=_DT,
                           time_unit="time")
    model.constant("growth_rate", 0.08, min=0, max=0.5, step=0.01, units="1/time",
                   label="demand growth rate at full performance")
    model.constant("acceptable_performance", 0.8, min=0, max=1, step=0.05,
                   units="dimensionless", label="performance at which demand holds")
    model.constant("capacity_building_time", 8, min=1, max=50, step=1, units="time",
                   label="time to build capacity")
    model.constant("standard_adjustment_time", 10, min=1, max=50, step=1, units="time",
                   label="time for the standard to slip")
    model.constant("capacity_lifetime", 300, min=5, max=1000, step=5, units="time",
                   label="how long capacity lasts")
    model.constant("reputation_delay", 10, min=0.5, max=30, step=0.5, units="time",
                   label="time for a change in performance to be noticed")
    model.constant("standard_flexibility", 0 if firm_standard else 1, min=0, max=1, step=0.1,
                   units="dimensionless", label="standard flexibility",
                   doc="1: the standard slips towards performance; 0: held firm.")
    model.stock("demand", 100, inflows=["demand_growth"], non_negative=True, units="units",
                label="demand")
    model.stock("capacity", 110, inflows=["investment"], outflows=["capacity_wearing_out"],
                units="units", label="capacity")
    model.flow("capacity_wearing_out", "capacity / capacity_lifetime", units="units/time",
               label="capacity wearing out")
    model.stock("performance_standard", 1, outflows=["standard_erosion"],
                units="dimensionless", label="performance standard")
    model.auxiliary("performance", "min(1, safediv(capacity, demand, 1))",
                    units="dimensionless", label="performance",
                    doc="Capacity per unit of demand, at most 1.")
    model.stock("reputation", 1, inflows=["reputation_change"], units="dimensionless",
                label="reputation", doc="Performance as people come to know it.")
    model.flow("reputation_change", "(performance - reputation) / reputation_delay",
               units="1/time", label="reputation catching up")
    model.flow("demand_growth",
               "growth_rate * demand * (reputation - acceptable_performance) "
               "/ (1 - acceptable_performance)",
               units="units/time", label="demand growth",
               doc="Good performance attracts more demand (the growth loop); B1: poor "
                   "performance drives it away.")
    model.auxiliary("performance_shortfall", "max(performance_standard - performance, 0)",
                    units="dimensionless", label="shortfall against the standard")
    model.flow("investment", "performance_shortfall * demand / capacity_building_time",
               units="units/time", label="investment in capacity",
               doc="B2: a shortfall calls for investment, which takes time to pay off.")
    model.flow("standard_erosion",
               "standard_flexibility * performance_shortfall / standard_adjustment_time",
               units="1/time", label="standard slipping")
    _name_loops(model, (
        ("R1", ("demand", "demand_growth"),
         "growth"),
        ("B1", ("demand", "performance", "reputation_change", "reputation", "demand_growth"),
         "overload"),
        ("B2", ("capacity", "performance", "performance_shortfall", "investment"),
         "building capacity"),
        ("B3", ("performance_shortfall", "standard_erosion", "performance_standard"),
         "the standard slips"),
        ("R3", ("capacity", "performance", "reputation_change", "reputation", "demand_growth",
                "demand", "investment"),
         "demand calls for capacity"),
    ))
    # Its causal loop diagram (to_cld) in the archetype's canonical shape, placed by hand.
    model.place("performance", 0.0, 0.0)
    model.place("demand", -1.6, 1.2)
    model.place("reputation_change", -1.2, -1.2)
    model.place("reputation", -2.6, -1.2)
    model.place("demand_growth", -3.2, 0.2)
    model.place("capacity", 1.6, 1.2)
    model.place("performance_shortfall", 1.6, -1.2)
    model.place("investment", 3.2, 0.0)
    model.place("standard_erosion", 2.8, -2.5)
    model.place("performance_standard", 0.6, -2.5)
    model.place("capacity_wearing_out", 3.0, 2.2)
    return model


_HARM = Variant("harm_to_partner", 0.6, "number", (0.6, 0.0), 0, 2,
                "How much each party's fixing for itself hurts the other.")


@register(
    "accidental adversaries", title="Accidental adversaries",
    behaviour="better before worse", key_variable="success_of_b", better="up",
    archetype="accidental adversaries", variants=(_HARM,),
    summary="A partnership grows from 60 towards its goal of 100; at time 20 A takes a "
            "setback, each partner's self-help now harms the other, and both spiral down to "
            "nothing, far below where they began. Without the harm both recover to 100.",
    scenarios=(
        Scenario("self-help harms the partner", (("harm_to_partner", 0.6),),
                 "better before worse",
                 "the partnership grows, then after the setback both spiral down to nothing"),
        Scenario("harmless self-help", (("harm_to_partner", 0.0),), "goal seeking",
                 "the partnership grows to 100, absorbs the setback and stays there"),
    ),
)
def accidental_adversaries(harm_to_partner: float = 0.6) -> StockFlowModel:
    """Two partners, A and B (a school and its families, two departments), help each other.

    Each one's success feeds the other's, and together they grow from 60
    towards their goal of 100. At time 20, A suffers a setback. A works to
    recover on its own account, and in doing so, without meaning to, makes life
    harder for B: the fix for itself costs the partner more than it gains A.
    B, now falling short, fixes for itself too, which hurts A. Each sees the
    other as the problem, and the partnership spirals into rivalry. When
    self-help does no harm to the partner, the same setback is absorbed, and
    both recover.

    Parameters
    ----------
    harm_to_partner : float
        Damage to the partner per unit of self-help (the reference tries 0.6 and 0).
    """
    model = StockFlowModel("Accidental adversaries", start=0, stop=100, dt=_DT,
                           time_unit="time")
    model.constant("base_success", 10, min=0, max=50, step=1, units="units/time",
                   label="success each builds alone")
    model.constant("partnership_benefit", 0.1, min=0, max=0.5, step=0.01, units="1/time",
                   label="benefit from the partner's success")
    model.constant("success_lifetime", 5, min=1, max=50, step=1, units="time",
                   label="how long success lasts unrenewed")
    model.constant("goal", 100, min=0, max=200, step=10, units="units", label="goal")
    model.constant("self_help_intensity", 0.5, min=0, max=2, step=0.1, units="1/time",
                   label="effort to fix a shortfall for oneself")
    model.constant("self_help_benefit", 0.3, min=0, max=2, step=0.05, units="dimensionless",
                   label="gain from one's own self-help")
    model.constant("harm_to_partner", harm_to_partner, min=0, max=2, step=0.05,
                   units="dimensionless", label="harm of self-help to the partner")
    model.constant("initial_success", 60, min=0, max=200, step=5, units="units",
                   label="each partner's success at first")
    model.constant("shock_size", 20, min=0, max=100, step=5, units="units",
                   label="size of A's setback")
    model.constant("shock_time", 20, min=0, max=100, step=1, units="time",
                   label="A's setback at")
    for me, other in (("a", "b"), ("b", "a")):
        outflows = [f"losses_of_{me}"] + (["setback_to_a"] if me == "a" else [])
        model.stock(f"success_of_{me}", "initial_success", inflows=[f"gains_of_{me}"],
                    outflows=outflows,
                    non_negative=True, units="units", label=f"success of {me.upper()}")
        model.auxiliary(f"self_help_of_{me}",
                        f"self_help_intensity * max(goal - success_of_{me}, 0)",
                        units="units/time", label=f"{me.upper()}'s effort for itself")
        model.flow(f"gains_of_{me}",
                   f"base_success + partnership_benefit * success_of_{other} "
                   f"+ self_help_benefit * self_help_of_{me}", units="units/time",
                   label=f"{me.upper()}'s gains",
                   doc="The outer reinforcing loop: the partner's success feeds one's own.")
        model.flow(f"losses_of_{me}",
                   f"harm_to_partner * step(1, shock_time) * self_help_of_{other} "
                   f"+ success_of_{me} / success_lifetime",
                   units="units/time", label=f"{me.upper()}'s losses",
                   doc="Fading success, and harm from the partner's self-help.")
    model.flow("setback_to_a", "pulse(shock_size, shock_time)", units="units/time",
               label="setback to A")
    _name_loops(model, (
        ("R1", ("gains_of_a", "success_of_a", "gains_of_b", "success_of_b"),
         "partnership"),
        ("R4", ("losses_of_a", "success_of_a", "self_help_of_a", "losses_of_b", "success_of_b",
                "self_help_of_b"),
         "mutual damage"),
        ("R5", ("gains_of_a", "success_of_a", "self_help_of_a", "losses_of_b", "success_of_b"),
         "A's self-help costs B, and so A"),
        ("R6", ("gains_of_b", "success_of_b", "self_help_of_b", "losses_of_a", "success_of_a"),
         "B's self-help costs A, and so B"),
        ("B3", ("gains_of_a", "success_of_a", "self_help_of_a"),
         "A makes up its shortfall"),
        ("B4", ("gains_of_b", "success_of_b", "self_help_of_b"),
         "B makes up its shortfall"),
        ("B5", ("losses_of_a", "success_of_a"),
         "A's success fades"),
        ("B6", ("losses_of_b", "success_of_b"),
         "B's success fades"),
    ))
    # Its causal loop diagram (to_cld) in the archetype's canonical shape, placed by hand.
    model.place("success_of_a", -2.4, 0.0)
    model.place("success_of_b", 2.4, 0.0)
    model.place("gains_of_b", 0.0, 1.8)
    model.place("gains_of_a", 0.0, -1.8)
    model.place("self_help_of_a", -1.0, -0.6)
    model.place("self_help_of_b", 1.0, 0.6)
    model.place("losses_of_b", 1.1, -0.6)
    model.place("losses_of_a", -1.1, 0.6)
    model.place("setback_to_a", -3.6, 0.0)
    return model

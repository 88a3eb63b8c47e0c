"""Capital that lives off a resource: an oil field (non-renewable) and a fishery (renewable)."""

from __future__ import annotations

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.model import StockFlowModel

__all__ = [
    "FISH_PRICE",
    "OIL_PRICE",
    "REGENERATION_RATE",
    "YIELD_PER_UNIT_CAPITAL",
    "fishery",
    "oil",
]

#: Fraction of the fish stock regenerated each year, by the size of the stock (out of 1000).
REGENERATION_RATE = (
    (0, 0), (50, .01), (100, .01), (150, .03), (200, .07), (250, .12), (300, .21), (350, .30),
    (400, .40), (450, .47), (500, .50), (550, .47), (600, .40), (650, .30), (700, .21),
    (750, .12), (800, .07), (850, .03), (900, .01), (950, .01), (1000, 0),
)

#: Catch per boat per year, by the size of the fish stock: fish are harder to find when scarce.
YIELD_PER_UNIT_CAPITAL = (
    (0, .01), (50, .01), (100, .02), (150, .03), (200, .04), (250, .06), (300, .08), (350, .12),
    (400, .17), (450, .23), (500, .31), (550, .40), (600, .50), (650, .60), (700, .69),
    (750, .77), (800, .83), (850, .88), (900, .92), (950, .94), (1000, .96),
)

#: Price of fish, by the yield per boat: scarce fish fetch a higher price.
FISH_PRICE = (
    (0, 10.00), (.1, 7.12), (.2, 5.33), (.3, 4.14), (.4, 3.30), (.5, 2.70), (.6, 2.25),
    (.7, 1.90), (.8, 1.63), (.9, 1.41), (1, 1.23),
)

#: Oil yield per unit of capital, by the fraction of the field remaining (the fishery's yield
#: curve on a 0-1 scale: easy oil first, then ever harder to reach).
_OIL_YIELD = (*((x / 1000, y) for x, y in YIELD_PER_UNIT_CAPITAL[:-1]), (1.0, 1.0))

#: Oil price, by the yield per unit of capital, for the "rising price" variant: 3 at full
#: yield, rising steeply as the oil gets harder to extract.
OIL_PRICE = tuple((x, round(p * 3 / 1.23, 2)) for x, p in FISH_PRICE)

_OIL_SIZE = Variant("initial_resource", 1000.0, "number", (1000.0, 2000.0, 4000.0), 100, 10_000,
                    "The oil in the ground at the start.")
_GROWTH_GOAL = Variant("growth_goal", 0.10, "number", (0.06, 0.08, 0.10, 0.12), 0, 0.3,
                       "The most the company will invest in a year, as a fraction of its "
                       "capital.")
_RISING_PRICE = Variant("rising_price", False, "switch", (False, True),
                        doc="The oil price rises as the yield falls, instead of staying at 3.")


@register(
    "oil", title="Extracting a non-renewable resource", behaviour="overshoot and collapse",
    key_variable="extraction", variants=(_OIL_SIZE, _GROWTH_GOAL, _RISING_PRICE),
    archetype="limits to growth",
    summary="Extraction grows exponentially, peaks and collapses as the oil gets harder to "
            "reach; doubling the field delays the peak by only about 14 years.",
    scenarios=(
        *(Scenario(f"{size:g} units of oil", (("initial_resource", size),),
                   "overshoot and collapse", f"extraction peaks near year {year}")
          for size, year in zip(_OIL_SIZE.values, (33, 46, 61), strict=True)),
        Scenario("rising price", (("rising_price", True),), "overshoot and collapse",
                 "a rising price keeps extraction going longer, then the fall is steeper"),
    ),
    aliases=("non-renewable resource", "nonrenewable resource", "oil field"),
)
def oil(initial_resource: float = 1000.0, growth_goal: float = 0.10,
        rising_price: bool = False) -> StockFlowModel:
    """An oil company with a little capital finds a field of 1000 units of oil.

    Its rigs pump oil, the oil is sold at 3 per unit, and the profit builds
    more rigs, up to 10 % more capital a year, while a twentieth of the rigs
    wear out every year. That reinforcing loop makes extraction grow
    exponentially. But the oil that is easy to reach goes first: as the field
    empties, each rig yields less, profits shrink, investment stops, and
    extraction peaks and collapses, leaving much of the capital idle. A field
    twice as big only postpones the peak by about 14 years, the time the
    growing industry takes to double. A rising price keeps the pumps going
    longer, and makes the fall steeper when it comes.

    Parameters
    ----------
    initial_resource : float
        Units of oil in the field (the references try 1000, 2000 and 4000).
    growth_goal : float
        The company's top rate of investment, a fraction of capital a year
        (0.06 to 0.12 in the references).
    rising_price : bool
        Let the price rise as the yield per unit of capital falls.
    """
    title = "Oil (rising price)" if rising_price else "Oil"
    model = StockFlowModel(title, start=0, stop=100, dt=1, time_unit="year")
    model.constant("initial_resource", initial_resource, min=100, max=10_000, step=100,
                   units="oil", label="oil in the field at first")
    model.constant("initial_capital", 5, min=1, max=100, step=1, units="capital",
                   label="capital at first")
    model.constant("growth_goal", growth_goal, min=0, max=0.3, step=0.01, units="1/year",
                   label="growth goal", doc="Most capital added in a year, as a fraction.")
    model.constant("capital_lifetime", 20, min=5, max=50, step=1, units="year",
                   label="capital lifetime")
    model.constant("operating_cost", 0.1, min=0, max=1, step=0.01, units="$/capital/year",
                   label="operating cost per unit of capital")
    model.lookup("yield_table", _OIL_YIELD, units="oil/capital/year",
                 label="yield per unit of capital, by fraction of the oil remaining")
    if rising_price:
        model.lookup("price_table", OIL_PRICE, units="$/oil",
                     label="price, by yield per unit of capital")
        price = "price_table(yield_per_unit_capital)"
    else:
        model.constant("oil_price", 3, min=0.5, max=10, step=0.1, units="$/oil",
                       label="price of oil")
        price = "oil_price"

    model.stock("resource", "initial_resource", outflows=["extraction"], non_negative=True,
                units="oil", label="oil in the ground")
    model.stock("capital", "initial_capital", inflows=["investment"],
                outflows=["depreciation"], non_negative=True, units="capital",
                label="capital (rigs)")
    model.auxiliary("fraction_remaining", "resource / initial_resource", units="dimensionless",
                    label="fraction of the oil remaining")
    model.auxiliary("yield_per_unit_capital", "yield_table(fraction_remaining)",
                    units="oil/capital/year", label="yield per unit of capital",
                    doc="Falls as the easy oil runs out: the balancing loop of depletion.")
    model.auxiliary("price", price, units="$/oil", label="price")
    model.flow("extraction", "capital * yield_per_unit_capital", units="oil/year",
               label="extraction")
    model.auxiliary("profit", "price * extraction - capital * operating_cost", units="$/year",
                    label="profit")
    model.flow("investment", "min(profit, capital * growth_goal)", non_negative=True,
               units="capital/year", label="investment",
               doc="Profit reinvested, up to the growth goal: the reinforcing loop.")
    model.flow("depreciation", "capital / capital_lifetime", units="capital/year",
               label="depreciation")
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("investment", -2.0, 0.0)
    model.place("capital", 0.0, 0.0)
    model.place("depreciation", 2.0, 0.0)
    return model


_EFFICIENCY = Variant("yield_efficiency", 0.6, "number", (0.6, 1.0, 1.2), 0.1, 3,
                      "How good the boats' equipment is at finding and catching fish.")


@register(
    "fishery", title="Harvesting a renewable resource", behaviour="s-shaped growth",
    key_variable="harvest", variants=(_EFFICIENCY,), archetype="limits to growth",
    summary="The fleet grows until the catch levels off at the most the fish can sustain "
            "(an S-curve, with a small overshoot before it settles); better boats can bring "
            "oscillation, or the collapse of fish and fleet.",
    scenarios=(
        Scenario("efficiency 0.6", (("yield_efficiency", 0.6),), "s-shaped growth",
                 "harvest settles near the maximum sustainable yield (about 251 a year, with "
                 "about 505 fish)"),
        Scenario("efficiency 1.0", (("yield_efficiency", 1.0),), "sustained oscillation",
                 "fish and fleet overshoot and keep swinging"),
        Scenario("efficiency 1.2", (("yield_efficiency", 1.2),), "overshoot and collapse",
                 "the fish are fished out, and the fleet rusts away"),
    ),
    aliases=("renewable resource", "fish"),
)
def fishery(yield_efficiency: float = 0.6) -> StockFlowModel:
    """A fishing fleet of five boats works a sea that holds 1000 units of fish.

    The fish regenerate fastest when the stock is half its natural size, and
    hardly at all when it is nearly empty or completely full. The boats earn
    money from their catch, and the profit buys more boats, up to 10 % more a
    year, while a twentieth of the fleet is retired every year. As the fleet
    grows, the catch grows, until it meets what the fish can replace. With
    modest boats the catch settles near that maximum sustainable yield. With
    better boats, the fleet can still make a profit when fish are scarce (and
    the scarce fish fetch a higher price), so it keeps fishing past the point
    of no return: the catch swings, or the fish and then the fleet collapse.

    Parameters
    ----------
    yield_efficiency : float
        How efficient the boats are (the references try 0.6, 1.0 and 1.2).
    """
    model = StockFlowModel("Fishery", start=0, stop=200, dt=1, time_unit="year")
    model.constant("initial_fish", 1000, min=1, max=1000, step=10, units="fish",
                   label="fish at first")
    model.constant("initial_capital", 5, min=1, max=100, step=1, units="boat",
                   label="boats at first")
    model.constant("yield_efficiency", yield_efficiency, min=0.1, max=3, step=0.1,
                   units="dimensionless", label="yield efficiency",
                   doc="1 is the fleet's catch per boat from the table; higher is better gear.")
    model.constant("operating_cost", 1, min=0, max=5, step=0.1, units="$/boat/year",
                   label="operating cost per boat")
    model.constant("growth_goal", 0.10, min=0, max=0.3, step=0.01, units="1/year",
                   label="growth goal", doc="Most boats added in a year, as a fraction.")
    model.constant("boat_lifetime", 20, min=5, max=50, step=1, units="year",
                   label="boat lifetime")
    model.lookup("regeneration_table", REGENERATION_RATE, units="1/year",
                 label="regeneration rate, by fish stock")
    model.lookup("yield_table", YIELD_PER_UNIT_CAPITAL, units="fish/boat/year",
                 label="yield per boat, by fish stock")
    model.lookup("price_table", FISH_PRICE, units="$/fish", label="price, by yield per boat")

    model.stock("fish", "initial_fish", inflows=["regeneration"], outflows=["harvest"],
                non_negative=True, units="fish", label="fish in the sea")
    model.stock("capital", "initial_capital", inflows=["investment"],
                outflows=["depreciation"], non_negative=True, units="boat",
                label="fishing fleet")
    model.flow("regeneration", "fish * regeneration_table(fish)", units="fish/year",
               label="regeneration", doc="New fish, fastest at half the natural stock.")
    model.auxiliary("yield_per_boat", "yield_table(fish) * yield_efficiency",
                    units="fish/boat/year", label="yield per boat")
    model.flow("harvest", "capital * yield_per_boat", units="fish/year", label="harvest")
    model.auxiliary("price", "price_table(yield_per_boat)", units="$/fish", label="price",
                    doc="Scarce fish fetch more, which keeps the fleet fishing.")
    model.auxiliary("profit", "price * harvest - capital * operating_cost", units="$/year",
                    label="profit")
    model.flow("investment", "min(profit, capital * growth_goal)", non_negative=True,
               units="boat/year", label="investment",
               doc="Profit spent on boats, up to the growth goal (never negative).")
    model.flow("depreciation", "capital / boat_lifetime", units="boat/year",
               label="retired boats")
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("investment", -2.0, 0.0)
    model.place("capital", 0.0, 0.0)
    model.place("depreciation", 2.0, 0.0)
    return model

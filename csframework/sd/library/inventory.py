"""The car dealer's inventory: a balancing loop with three delays in it."""

from __future__ import annotations

from csframework.errors import ModelError
from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.model import StockFlowModel

__all__ = ["DELAY_SETTINGS", "car_dealer_inventory"]

#: The five settings of (perception, response, delivery) delay, in days, that Meadows compares.
DELAY_SETTINGS = {
    "no delays": (0.0, 0.0, 0.0),
    "with delays": (5.0, 3.0, 5.0),
    "faster perception": (2.0, 3.0, 5.0),
    "faster response": (5.0, 2.0, 5.0),
    "slower response": (5.0, 6.0, 5.0),
}

_NOTES = {
    "no delays": "inventory steps up to its new target of 220 cars and stays there",
    "with delays": "the swings grow, between about 132 and 315 cars by day 100, and keep on",
    "faster perception": "no better: swings between about 132 and 320 cars",
    "faster response": "worse: swings between about 121 and 422 cars, and keep on",
    "slower response": "calmer: swings between about 185 and 233 cars, dying away",
}
_BEHAVIOURS = {"no delays": "goal seeking", "with delays": "sustained oscillation",
               "faster perception": "sustained oscillation",
               "faster response": "sustained oscillation", "slower response": "damped oscillation"}


def _delay(keyword: str, default: float, doc: str) -> Variant:
    return Variant(keyword, default, "number", (), 0, 20, doc)


@register(
    "car dealer inventory", title="A car dealer's inventory", behaviour="sustained oscillation",
    key_variable="inventory",
    variants=(
        Variant("setting", "with delays", "choice", tuple(DELAY_SETTINGS),
                doc="One of Meadows' five combinations of (perception, response, delivery) "
                    "delays: " + "; ".join(f"{k} = {tuple(int(d) for d in v)}"
                                           for k, v in DELAY_SETTINGS.items()) + "."),
        _delay("perception_delay", 5.0, "Days over which sales are averaged before the dealer "
                                   "believes them (overrides the setting)."),
        _delay("response_delay", 3.0, "Days over which the dealer spreads the correction of an "
                                 "inventory gap (overrides the setting)."),
        _delay("delivery_delay", 5.0, "Days between placing an order and the cars arriving "
                                 "(overrides the setting)."),
    ),
    archetype="balancing process with delay",
    summary="A 10 % rise in demand sets the inventory swinging, and the swings do not die "
            "away: the dealer's perception, response and delivery delays make every "
            "correction arrive too late.",
    scenarios=tuple(Scenario(name, (("setting", name),), _BEHAVIOURS[name], _NOTES[name])
                    for name in DELAY_SETTINGS),
    aliases=("car dealer", "car dealership", "inventory"),
)
def car_dealer_inventory(setting: str = "with delays", perception_delay: float | None = None,
                         response_delay: float | None = None,
                         delivery_delay: float | None = None) -> StockFlowModel:
    """A car dealer keeps enough cars on the lot to cover ten days of sales.

    Customers buy 20 cars a day, the lot holds 200, and the factory delivers 20
    a day: all is calm. On day 26 demand rises to 22 a day and stays there. The
    dealer wants 220 cars now, but only sees the change slowly (sales are
    averaged over a few days before she believes them), closes the gap to her
    target gradually (over a response delay), and waits for the factory to
    deliver what she ordered (a delivery delay). Each delay makes her
    corrections arrive late, so she orders too much, then too little, and the
    inventory swings up and down for months. Without delays the lot simply
    steps up to 220 cars. Surprisingly, reacting faster makes the swings
    bigger; reacting more slowly calms them.

    Parameters
    ----------
    setting : str
        One of :data:`DELAY_SETTINGS`: "no delays", "with delays" (5, 3, 5 days),
        "faster perception", "faster response", "slower response".
    perception_delay, response_delay, delivery_delay : float, optional
        Days; each overrides the setting's value. Zero removes that delay.
    """
    perception, response, delivery = DELAY_SETTINGS[setting]
    perception = perception if perception_delay is None else perception_delay
    response = response if response_delay is None else response_delay
    delivery = delivery if delivery_delay is None else delivery_delay
    dt = 1.0
    for name, value in (("perception_delay", perception), ("delivery_delay", delivery)):
        if 0 < value < 2 * dt:
            raise ModelError(f"csf.library.load('car dealer inventory'): {name} must be 0 "
                             f"(no delay) or at least {2 * dt:g} days, not {value:g}")
    if (perception, response, delivery) == DELAY_SETTINGS[setting]:
        title = f"Car dealer inventory ({setting})"
    else:
        title = (f"Car dealer inventory (perception {perception:g}, response {response:g}, "
                 f"delivery {delivery:g} days)")
    model = StockFlowModel(title, start=0, stop=100, dt=dt, time_unit="day")
    model.constant("base_demand", 20, min=0, max=50, step=1, units="car/day",
                   label="customer demand at first")
    model.constant("demand_increase", 2, min=-10, max=10, step=1, units="car/day",
                   label="rise in demand", doc="The permanent change in demand.")
    model.constant("demand_increase_day", 26, min=0, max=100, step=1, units="day",
                   label="demand rises on day")
    model.constant("days_of_cover", 10, min=1, max=30, step=1, units="day",
                   label="days of sales to keep on the lot",
                   doc="Desired inventory is this many days of perceived sales.")
    model.constant("initial_inventory", 200, min=0, max=500, step=10, units="car",
                   label="cars on the lot at first")
    if perception > 0:
        model.constant("perception_delay", perception, min=2, max=20, step=1, units="day",
                       label="perception delay",
                       doc="Days over which sales are averaged before the dealer acts on them.")
    model.constant("response_delay", response, min=0, max=20, step=1, units="day",
                   label="response delay",
                   doc="Days over which an inventory gap is corrected (0 or 1: within a day).")
    if delivery > 0:
        model.constant("delivery_delay", delivery, min=2, max=20, step=1, units="day",
                       label="delivery delay", doc="Days from order to delivery.")

    model.stock("inventory", "initial_inventory", inflows=["deliveries"], outflows=["sales"],
                non_negative=True, units="car", label="cars on the lot")
    model.auxiliary("customer_demand", "base_demand + step(demand_increase, demand_increase_day)",
                    units="car/day", label="customer demand")
    model.flow("sales", "min(inventory, customer_demand)", units="car/day", label="sales",
               doc="What customers want, as long as there are cars on the lot.")
    model.auxiliary("perceived_sales", "smooth3(sales, perception_delay)" if perception > 0
                    else "sales", units="car/day", label="perceived sales",
                    doc="Sales as the dealer sees them: averaged over the perception delay.")
    model.auxiliary("desired_inventory", "perceived_sales * days_of_cover", units="car",
                    label="desired inventory")
    model.auxiliary("inventory_gap", "desired_inventory - inventory", units="car",
                    label="inventory gap", doc="How many cars short of the target the lot is.")
    model.auxiliary("orders_to_factory",
                    "max(perceived_sales + inventory_gap / max(response_delay, 1), 0)",
                    units="car/day", label="orders to factory",
                    doc="Replace what is sold, and close the gap over the response delay "
                        "(a delay under one day counts as one day).")
    model.flow("deliveries", "delay_fixed(orders_to_factory, delivery_delay, base_demand)"
               if delivery > 0 else "orders_to_factory", units="car/day", label="deliveries",
               doc="Orders arrive after the delivery delay (20 a day until the first "
                   "orders arrive).")
    # Its causal loop diagram (to_cld) in the canonical layout: each role where the card puts it.
    model.place("desired_inventory", -1.9, 1.0)
    model.place("inventory_gap", 0.0, 1.0)
    model.place("orders_to_factory", 1.5, 0.0)
    model.place("deliveries", 0.0, -1.0)
    return model

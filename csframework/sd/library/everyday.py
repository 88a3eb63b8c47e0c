"""One-stock models from everyday life: a bathtub, cups, a bank account, a thermostat.

Each builder returns a new :class:`~csframework.sd.model.StockFlowModel`;
they are registered in the library catalogue, so participants reach them with
``csf.library.load("bathtub")`` and the like.
"""

from __future__ import annotations

from csframework.sd.library._catalogue import Scenario, Variant, register
from csframework.sd.model import StockFlowModel

__all__ = ["bank_account", "bathtub", "coffee_cooling", "coffee_warming", "teacup", "thermostat"]


@register(
    "bathtub", title="The bathtub", behaviour="linear", key_variable="water",
    summary="The water level falls in a straight line, then holds still once the tap's "
            "inflow matches the drain.",
)
def bathtub() -> StockFlowModel:
    """A tub holds 50 gallons when someone pulls the plug.

    Water leaves through the drain at 5 gallons a minute, and for five minutes
    nothing comes in, so the level drops by the same amount each minute: from
    50 to 25 gallons. Then the tap is turned on, also at 5 gallons a minute.
    From that moment the level stays at 25, although water keeps moving
    through the tub: inflow and outflow balance, a dynamic equilibrium. A
    stock changes only through its flows, and it holds whatever the past
    flows left in it.
    """
    model = StockFlowModel("Bathtub", start=0, stop=10, dt=1, time_unit="minute")
    model.constant("initial_water", 50, min=0, max=100, step=5, units="gallon",
                   label="water at the start", doc="How full the tub is when the plug is pulled.")
    model.constant("tap_flow", 5, min=0, max=10, step=0.5, units="gallon/minute",
                   label="tap flow", doc="How fast the tap fills the tub once it is turned on.")
    model.constant("tap_on_time", 5, min=0, max=10, step=1, units="minute",
                   label="tap turned on at", doc="The minute the tap is turned on.")
    model.constant("drain_flow", 5, min=0, max=10, step=0.5, units="gallon/minute",
                   label="drain flow", doc="How fast water leaves through the open drain.")
    model.stock("water", "initial_water", inflows=["inflow"], outflows=["outflow"],
                non_negative=True, units="gallon", label="water in the tub",
                doc="The stock: it changes only through the tap and the drain.")
    model.flow("inflow", "step(tap_flow, tap_on_time)", units="gallon/minute",
               label="inflow (tap)", doc="Nothing until the tap is turned on, then the tap flow.")
    model.flow("outflow", "drain_flow", units="gallon/minute", label="outflow (drain)",
               doc="Water draining away; it stops when the tub is empty.")
    return model


def _cup_constants(name: str, initial: float, low: float, high: float) -> StockFlowModel:
    model = StockFlowModel(name, start=0, stop=8, dt=1, time_unit="minute")
    model.constant("room_temperature", 18, min=-10, max=40, step=1, units="°C",
                   label="room temperature", doc="The temperature of the air around the cup.")
    model.constant("adjustment_fraction", 0.1, min=0.01, max=0.5, step=0.01, units="1/minute",
                   label="fraction of the gap closed per minute",
                   doc="How quickly the cup exchanges heat with the room.")
    model.constant("initial_temperature", initial, min=low, max=high, step=1, units="°C",
                   label="temperature at the start", doc="The cup's temperature at minute 0.")
    return model


_COOLING_START = Variant("initial_temperature", 100.0, "number", (100.0, 80.0, 60.0), 18, 100,
                         "The coffee's temperature when it is poured, in °C.")
_WARMING_START = Variant("initial_temperature", 0.0, "number", (0.0, 5.0, 10.0), -10, 18,
                         "The iced coffee's temperature when it comes out of the fridge, in °C.")


@register(
    "coffee cooling", title="A cup of coffee cooling down", behaviour="goal seeking",
    key_variable="coffee_temperature", variants=(_COOLING_START,),
    summary="The temperature falls quickly at first, then ever more slowly, towards the "
            "room's 18 °C.",
    scenarios=tuple(Scenario(f"poured at {t:g} °C", (("initial_temperature", t),),
                             "goal seeking") for t in _COOLING_START.values),
)
def coffee_cooling(initial_temperature: float = 100.0) -> StockFlowModel:
    """A cup of hot coffee sits on the table in an 18 °C room.

    Each minute it gives away a tenth of the difference between its own
    temperature and the room's. The hotter it is, the faster it cools; as it
    nears room temperature the cooling slows almost to nothing. From 100 °C it
    is down to about 53 °C after eight minutes. Whatever the starting
    temperature, the cup heads for the same goal, the room: one balancing loop
    at work.

    Parameters
    ----------
    initial_temperature : float
        °C when the coffee is poured (the references try 100, 80 and 60).
    """
    model = _cup_constants("Coffee cooling", initial_temperature, 18, 100)
    model.stock("coffee_temperature", "initial_temperature", outflows=["cooling"], units="°C",
                label="coffee temperature", doc="Heat held in the cup, read as its temperature.")
    model.flow("cooling", "(coffee_temperature - room_temperature) * adjustment_fraction",
               units="°C/minute", label="cooling",
               doc="Heat lost to the room: more when the cup is further above room temperature.")
    return model


@register(
    "coffee warming", title="A cup of iced coffee warming up", behaviour="goal seeking",
    key_variable="coffee_temperature", variants=(_WARMING_START,),
    summary="The temperature rises quickly at first, then ever more slowly, towards the "
            "room's 18 °C.",
    scenarios=tuple(Scenario(f"starting at {t:g} °C", (("initial_temperature", t),),
                             "goal seeking") for t in _WARMING_START.values),
)
def coffee_warming(initial_temperature: float = 0.0) -> StockFlowModel:
    """A glass of iced coffee is left on the same table, in the same 18 °C room.

    Now the room is the warmer side, and heat flows into the glass: each
    minute a tenth of the gap between room and drink. The structure is the
    coffee cup's mirror image, and so is the behaviour: a fast rise that
    slows as the drink nears the room's temperature. The same balancing loop
    pulls towards the same goal from below.

    Parameters
    ----------
    initial_temperature : float
        °C at the start (the references try 0, 5 and 10).
    """
    model = _cup_constants("Coffee warming", initial_temperature, -10, 18)
    model.stock("coffee_temperature", "initial_temperature", inflows=["heating"], units="°C",
                label="coffee temperature", doc="Heat held in the glass, read as its temperature.")
    model.flow("heating", "(room_temperature - coffee_temperature) * adjustment_fraction",
               units="°C/minute", label="heating",
               doc="Heat gained from the room: more when the drink is further below it.")
    return model


@register(
    "teacup", title="The teacup (SD test suite)", behaviour="goal seeking",
    key_variable="teacup_temperature",
    summary="180 °F tea cools towards the 70 °F room, reaching about 75.4 °F after 30 minutes.",
)
def teacup() -> StockFlowModel:
    """The teacup of the system dynamics test suite, in Fahrenheit.

    Tea at 180 °F cools in a 70 °F room; it loses heat at the gap to the room
    divided by a characteristic time of 10 minutes. Simulated for half an hour
    in steps of an eighth of a minute, it ends just above 75 °F. Every
    system dynamics engine runs this model first, which makes it a good check
    that ours agrees with the others.
    """
    model = StockFlowModel("Teacup", start=0, stop=30, dt=0.125, time_unit="minute")
    model.constant("room_temperature", 70, min=0, max=120, step=1, units="°F",
                   label="room temperature", doc="The air around the cup.")
    model.constant("characteristic_time", 10, min=1, max=60, step=1, units="minute",
                   label="characteristic time",
                   doc="How many minutes it would take to close the whole gap at today's rate.")
    model.stock("teacup_temperature", 180, outflows=["heat_loss_to_room"], units="°F",
                label="teacup temperature", doc="Heat in the tea, read as its temperature.")
    model.flow("heat_loss_to_room", "(teacup_temperature - room_temperature) / characteristic_time",
               units="°F/minute", label="heat loss to room",
               doc="The gap to the room, closed a tenth at a time.")
    return model


_RATE = Variant("interest_rate", 0.06, "number", (0.02, 0.04, 0.06, 0.08, 0.10), 0, 0.2,
                "The yearly interest rate, as a fraction (0.06 is 6 %).")


@register(
    "bank account", title="Money in a bank account", behaviour="exponential growth",
    key_variable="money", variants=(_RATE,),
    summary="Interest earns interest: the balance grows faster and faster, doubling in "
            "about 70 / (rate in %) years.",
    scenarios=tuple(Scenario(f"{r:.0%} interest", (("interest_rate", r),),
                             "exponential growth") for r in _RATE.values),
)
def bank_account(interest_rate: float = 0.06) -> StockFlowModel:
    """One hundred dollars are left in a savings account and never touched.

    Every year the bank adds interest on whatever the account holds, and the
    interest itself then earns interest: a reinforcing loop. At 2 % the
    balance creeps to about $127 in twelve years; at 10 % it more than
    triples, to about $314. The higher the rate, the steeper the curve, and
    the curve keeps getting steeper for as long as the loop runs.

    Parameters
    ----------
    interest_rate : float
        A fraction per year (the references try 0.02, 0.04, 0.06, 0.08, 0.10).
    """
    model = StockFlowModel("Bank account", start=0, stop=12, dt=1, time_unit="year")
    model.constant("interest_rate", interest_rate, min=0, max=0.2, step=0.01, units="1/year",
                   label="interest rate", doc="The fraction of the balance added each year.")
    model.constant("initial_deposit", 100, min=0, max=1000, step=10, units="$",
                   label="first deposit", doc="The money in the account at the start.")
    model.stock("money", "initial_deposit", inflows=["interest"], units="$",
                label="money in the account", doc="The balance.")
    model.flow("interest", "money * interest_rate", units="$/year", label="interest added",
               doc="More money earns more interest: the reinforcing loop.")
    return model


@register(
    "thermostat", title="A room heated by a thermostat", behaviour="goal seeking",
    key_variable="room_temperature",
    variants=(Variant("leaky", False, "switch", (False, True),
                      doc="A poorly insulated house that loses 30 % of the gap to the "
                          "outside each hour instead of 10 %."),),
    summary="The room warms towards the 18 °C setting but settles below it (about 17.3 °C; "
            "16.2 °C in the leaky house).",
    scenarios=(Scenario("well insulated", (("leaky", False),), "goal seeking",
                        "settles at about 17.27 °C"),
               Scenario("leaky house", (("leaky", True),), "goal seeking",
                        "settles lower, at about 16.15 °C")),
)
def thermostat(leaky: bool = False) -> StockFlowModel:
    """A cold room at 10 °C, a furnace, and a thermostat set to 18 °C.

    The thermostat switches the furnace on in proportion to how far the room
    is below the setting, up to the furnace's full power of 5 °C an hour.
    Meanwhile heat leaks to the 10 °C outdoors, faster the warmer the room is
    inside. Two balancing loops pull against each other: one towards the
    setting, one towards the outside. The room settles where they balance,
    a little short of 18 °C (about 17.3 °C); in a leaky house the leak pulls
    harder, and it settles near 16.2 °C. To reach the goal, the setting must
    allow for the leak.

    Parameters
    ----------
    leaky : bool
        A badly insulated house (30 % of the gap lost each hour, not 10 %).
    """
    name = "Thermostat (leaky house)" if leaky else "Thermostat"
    model = StockFlowModel(name, start=0, stop=8, dt=0.25, time_unit="hour")
    model.constant("thermostat_setting", 18, min=10, max=30, step=0.5, units="°C",
                   label="thermostat setting", doc="The temperature the thermostat asks for.")
    model.constant("furnace_capacity", 5, min=0, max=20, step=0.5, units="°C/hour",
                   label="furnace capacity", doc="The furnace's full power.")
    model.constant("outside_temperature", 10, min=-20, max=30, step=1, units="°C",
                   label="outside temperature")
    model.constant("insulation_leak", 0.3 if leaky else 0.1, min=0, max=1, step=0.05,
                   units="1/hour", label="fraction of the gap lost per hour",
                   doc="How leaky the house is: 0.1 well insulated, 0.3 leaky.")
    model.stock("room_temperature", 10, inflows=["heat_from_furnace"],
                outflows=["heat_to_outside"], units="°C", label="room temperature",
                doc="Heat in the room, read as its temperature.")
    model.flow("heat_from_furnace",
               "min(max(thermostat_setting - room_temperature, 0), furnace_capacity)",
               units="°C/hour", label="heat from furnace",
               doc="The gap to the setting, up to the furnace's capacity; none above the setting.")
    model.flow("heat_to_outside", "(room_temperature - outside_temperature) * insulation_leak",
               units="°C/hour", label="heat to outside",
               doc="Heat leaking out: more when it is warmer inside than out.")
    return model

"""The model library reproduces the figures and behaviours of the references.

reference/models.md (Meadows' classic models, Euler, dt = 1 unless noted) and
reference/archetypes.md (minimal archetype simulations, Euler, dt = 0.25).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from csframework.errors import ModelError, UnknownNameError
from csframework.sd import StockFlowModel, library

CLASSICS = (
    "bathtub", "coffee cooling", "coffee warming", "teacup", "bank account", "thermostat",
    "population", "capital", "car dealer inventory", "oil", "fishery",
)
ARCHETYPES = (
    "balancing process with delay", "limits to growth", "fixes that fail",
    "shifting the burden", "eroding goals", "escalation", "success to the successful",
    "tragedy of the commons", "growth and underinvestment", "accidental adversaries",
)
WORLD = ("world3",)  # read from the shipped Vensim file (tests/sd/test_vensim.py)


def run(name, column, **variant):
    """Run a library model and return one column as a Series indexed by time."""
    return library.load(name, **variant).run()[column]


def value_at(series, time):
    return float(series.loc[time])


def peaks(values):
    v = np.asarray(values, dtype=float)
    return [i for i in range(1, len(v) - 1) if v[i] > v[i - 1] and v[i] >= v[i + 1]]


def troughs(values):
    v = np.asarray(values, dtype=float)
    return [i for i in range(1, len(v) - 1) if v[i] < v[i - 1] and v[i] <= v[i + 1]]


# ------------------------------------------------------- qualitative behaviour checks
def _monotone(v, tol):
    d = np.diff(v)
    return bool(np.all(d >= -tol) or np.all(d <= tol))


def check_behaviour(values, behaviour, better=None, goal=None):
    """Assert that a series shows `behaviour` (one of library.BEHAVIOURS).

    `better` ("up" or "down", default "down") says which way is better, for the two
    reversals; they are checked as the series seen with "better" pointing down.
    `goal` is the goal the series is aimed at, for "drifting goals".
    """
    v = np.asarray(values, dtype=float)
    if behaviour in ("better before worse", "worse before better"):
        v = -v if better == "up" else v
    d = np.diff(v)
    scale = max(float(np.abs(v).max()), 1e-9)
    tol = 1e-9 * scale
    n = len(v)
    if behaviour == "equilibrium":
        assert np.ptp(v) <= 0.01 * scale
    elif behaviour == "linear":
        d2 = np.abs(np.diff(d))
        assert np.abs(d).max() > tol
        assert np.mean(d2 <= 0.01 * np.abs(d).max()) >= 0.8
    elif behaviour == "exponential growth" and v[-1] < v[0]:
        # a runaway decline (a vicious cycle): from its last peak it falls ever faster,
        # until it hits the floor
        floor = int(np.argmax(v <= v.min() + tol))
        top = max([p for p in peaks(v) if p < floor], default=0)
        fall = d[top:floor - 1]     # the last step may be cut short by the floor
        assert len(fall) >= 5 and np.all(fall < 0) and v[floor] < 0.2 * v[top]
        assert np.all(np.diff(fall) <= tol), "the decline should speed up"
    elif behaviour == "exponential growth":
        assert np.all(d > 0) and v[-1] > 1.2 * v[0]
        second_half = d[n // 2:]
        assert np.all(np.diff(second_half) >= -tol), "growth should speed up"
    elif behaviour == "goal seeking":
        assert _monotone(v[n // 2:], tol), "the approach should be monotone"
        late = np.abs(d[n // 2:])
        assert np.all(np.diff(late) <= tol), "the approach should keep slowing down"
        assert late[-1] < 0.7 * np.abs(d).max()
    elif behaviour == "s-shaped growth":
        # a small overshoot before it levels off (under 8 % of the rise) is still an S
        assert np.all(v[1:] >= np.maximum.accumulate(v)[:-1] - 0.08 * np.ptp(v))
        assert v[-1] > v[0]
        steepest = int(np.argmax(d))
        assert 0 < steepest < len(d) - 1, "the steepest growth should be in the middle"
        assert d[-1] < 0.25 * d.max(), "growth should level off"
    elif behaviour == "damped oscillation":
        turns = sorted(peaks(v) + troughs(v))
        assert len(turns) >= 2
        final = v[-1]
        assert abs(v[turns[-1]] - final) < abs(v[turns[0]] - final)
    elif behaviour == "sustained oscillation":
        tops = peaks(v)
        assert len(tops) >= 3
        mean = v[n // 2:].mean()
        assert v[tops[-1]] - mean >= 0.5 * max(v[t] - mean for t in tops)
    elif behaviour == "overshoot and collapse":
        top = int(np.argmax(v))
        assert v[top:].min() < 0.6 * v[top], "after its peak it should fall well below it"
    elif behaviour == "overshoot and settle":
        top = int(np.argmax(v))
        assert 0 < top < n - 1 and v[top] > 1.05 * v[-1]
        tail = v[-max(n // 10, 2):]
        assert np.ptp(tail) <= 0.02 * abs(v[-1])
    elif behaviour == "growth then decline":
        top = int(np.argmax(v))
        rise, fall = v[top] - v[0], v[top] - v[-1]
        assert 0 < top < n - 1 and rise > 0
        assert 0.2 * rise < fall < 0.7 * rise, "it should decline, but stay above its start"
    elif behaviour == "drifting goals":
        # the goal gives way and performance slides with it; the gap closes because the
        # goal falls, not because performance rises
        g = np.asarray(goal, dtype=float)
        assert np.all(np.diff(g) <= tol) and g[-1] < g[0] - 0.3 * np.ptp(np.r_[v, g])
        assert v[-1] < v[0], "performance should end lower than it began"
        assert np.all(d[n // 2:] < 0) and np.all(np.diff(g)[n // 2:] < 0), "both slide"
        assert 0 <= g[-1] - v[-1] < g[0] - v[0], "the gap should narrow from above"
    elif behaviour in ("better before worse", "worse before better"):
        # lower is better here: relief is a fall, and the relapse ends above the start
        first, later = (np.argmin, np.argmax) if behaviour == "better before worse" else (
            np.argmax, np.argmin)
        turn = int(first(v))
        other = turn + int(later(v[turn:]))
        span = np.ptp(v)
        assert 0 < turn < other, "the first move should come before the larger one"
        assert abs(v[turn] - v[0]) > 0.1 * span, "the first move should be visible"
        assert abs(v[other] - v[0]) > 0.3 * span and abs(v[-1] - v[0]) > 0.3 * span
        assert (v[-1] - v[0]) * (v[turn] - v[0]) < 0, "it should end beyond its start"
    else:  # pragma: no cover
        raise AssertionError(f"unknown behaviour {behaviour!r}")


def _cases():
    for name in library.names():
        about = library.info(name)
        yield pytest.param(name, {}, about.behaviour, id=f"{name}-default")
        for scenario in about.scenarios:
            yield pytest.param(name, scenario.kwargs, scenario.behaviour,
                               id=f"{name}-{scenario.name}")


# ------------------------------------------------------------------ registry
def test_names_are_stable_and_complete():
    assert library.names() == CLASSICS + ARCHETYPES + WORLD
    assert library.names() == library.names()
    assert all(n == n.lower() and n.strip() == n for n in library.names())


def test_every_archetype_of_the_reference_has_a_model():
    for archetype in ARCHETYPES:
        assert library.info(archetype).archetype == archetype


def test_load_returns_a_fresh_model_each_time():
    first, second = library.load("thermostat"), library.load("thermostat")
    assert isinstance(first, StockFlowModel) and first is not second
    first.constant("extra", 1)
    assert "extra" not in second and "extra" not in library.load("thermostat")


def test_names_are_forgiving_about_case_hyphens_and_aliases():
    assert library.load("Car_Dealer-Inventory").name.startswith("Car dealer inventory")
    assert library.info("non-renewable resource").name == "oil"
    assert library.info("renewable resource").name == "fishery"
    assert library.info("drift to low performance").name == "eroding goals"


def test_unknown_model_name_suggests_close_names():
    with pytest.raises(UnknownNameError) as caught:
        library.load("thermostatt")
    message = str(caught.value)
    assert "unknown model 'thermostatt'" in message and "csf.library" in message
    assert "did you mean 'thermostat'" in message
    assert caught.value.candidates == library.names()
    with pytest.raises(KeyError):
        library.info("no such model")


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="did you mean 'leaky'"):
        library.load("thermostat", leakey=True)
    with pytest.raises(UnknownNameError, match="known variants are 'leaky'"):
        library.load("thermostat", colour="red")
    with pytest.raises(UnknownNameError, match="has no variants"):
        library.load("bathtub", leaky=True)


def test_bad_variant_values_say_what_is_valid():
    with pytest.raises(ModelError, match="True or False"):
        library.load("thermostat", leaky="yes")
    with pytest.raises(ModelError, match="'growth', 'decline', 'falling fertility'"):
        library.load("population", variant="boom")
    with pytest.raises(ModelError, match="between 1 and 50"):
        library.load("capital", capital_lifetime=0)
    with pytest.raises(ModelError, match="must be a number"):
        library.load("fishery", yield_efficiency="high")


@pytest.mark.parametrize("name", CLASSICS + ARCHETYPES)
def test_info_describes_each_model(name):
    about = library.info(name)
    assert about.name == name and about.title and len(about.story) > 200
    assert "Parameters" not in about.story
    assert about.behaviour in library.BEHAVIOURS
    model = library.load(name)
    assert about.key_variable in model.stocks or about.key_variable in model.flows \
        or about.key_variable in model.auxiliaries
    assert model.time_unit != "time" or name in ARCHETYPES
    for keyword, value in about.defaults.items():
        library.load(name, **{keyword: value})
    for constant in model.constants.values():
        assert None not in (constant.min, constant.max, constant.step), constant.name
        assert constant.units and constant.label, constant.name
    for element in (*model.stocks.values(), *model.flows.values(), *model.auxiliaries.values()):
        assert element.units and element.label, element.name
    with pytest.raises(AttributeError):
        about.name = "other"  # frozen


def test_every_model_and_variant_compiles_and_runs_without_nan():
    for name in library.names():
        about = library.info(name)
        settings = [{}] + [s.kwargs for s in about.scenarios]
        for variant in about.variants:
            settings += [{variant.keyword: value} for value in variant.values]
        for kwargs in settings:
            model = library.load(name, **kwargs)
            model.compile()
            res = model.run()
            values = np.asarray([res[c].to_numpy() for c in model.stocks], dtype=float)
            assert np.isfinite(values).all(), (name, kwargs)


@pytest.mark.parametrize(("name", "kwargs", "behaviour"), list(_cases()))
def test_behaviour_over_time(name, kwargs, behaviour):
    info = library.info(name)
    series = run(name, info.key_variable, **kwargs)
    goal = info.goal_variable and run(name, info.goal_variable, **kwargs).to_numpy()
    check_behaviour(series.to_numpy(), behaviour, info.better, goal)


# ------------------------------------------------------- models.md figures
def test_bathtub_drains_to_25_then_holds():
    water = run("bathtub", "water")
    assert water.loc[[0, 5, 10]].tolist() == [50, 25, 25]
    assert (water.loc[5:] == 25).all()
    assert np.allclose(np.diff(water.loc[:5]), -5)


@pytest.mark.parametrize("start", [100, 80, 60])
def test_coffee_cools_towards_the_room(start):
    temperature = run("coffee cooling", "coffee_temperature", initial_temperature=start)
    assert value_at(temperature, 8) == pytest.approx(18 + (start - 18) * 0.9 ** 8, abs=1e-9)
    assert np.all(np.diff(temperature) < 0) and temperature.min() > 18
    if start == 100:
        assert value_at(temperature, 8) == pytest.approx(53.3, abs=0.05)


@pytest.mark.parametrize("start", [0, 5, 10])
def test_coffee_warms_towards_the_room(start):
    temperature = run("coffee warming", "coffee_temperature", initial_temperature=start)
    assert np.all(np.diff(temperature) > 0) and temperature.max() < 18
    assert value_at(temperature, 8) == pytest.approx(18 - (18 - start) * 0.9 ** 8)


def test_teacup_matches_the_sd_test_suite():
    assert value_at(run("teacup", "teacup_temperature"), 30) == pytest.approx(75.374, abs=5e-4)


@pytest.mark.parametrize(("rate", "balance"), [(0.02, 126.8), (0.04, 160.1), (0.06, 201.2),
                                               (0.08, 251.8), (0.10, 313.8)])
def test_bank_account_after_12_years(rate, balance):
    assert value_at(run("bank account", "money", interest_rate=rate), 12) == pytest.approx(
        balance, abs=0.05)


@pytest.mark.parametrize(("leaky", "settles_at"), [(False, 17.27), (True, 16.15)])
def test_thermostat_settles_below_its_setting(leaky, settles_at):
    model = library.load("thermostat", leaky=leaky)
    for stop in (8, 24):
        temperature = model.run(stop=stop)["room_temperature"]
        assert float(temperature.iloc[-1]) == pytest.approx(settles_at, abs=0.005)
        assert temperature.max() < 18
    # the same equilibrium with the reference's dt = 1
    assert float(model.run(dt=1, stop=24)["room_temperature"].iloc[-1]) == pytest.approx(
        settles_at, abs=0.005)


def test_population_grows_exponentially_and_doubles_in_about_58_years():
    population = run("population", "population")
    assert value_at(population, 100) == pytest.approx(21.8, abs=0.05)
    doubled = population.index[population >= 2 * 6.6][0]
    assert doubled == pytest.approx(math.log(2) / math.log(1.012), abs=1)
    assert 57 <= doubled <= 59


def test_population_variants():
    decline = run("population", "population", variant="decline")
    assert value_at(decline, 100) == pytest.approx(2.67, abs=0.01)
    falling = run("population", "population", variant="falling fertility")
    growth = np.diff(falling)
    assert growth.max() > 5 * abs(growth[-1]) and value_at(falling, 100) < 15


@pytest.mark.parametrize(("lifetime", "after_50"), [(10, 18.4), (15, 100.0), (20, 228.5)])
def test_capital_after_50_years(lifetime, after_50):
    capital = run("capital", "capital", capital_lifetime=lifetime)
    assert value_at(capital, 50) == pytest.approx(after_50, abs=0.1)


def test_car_dealer_without_delays_steps_to_220():
    inventory = run("car dealer inventory", "inventory", setting="no delays")
    assert value_at(inventory, 25) == 200 and inventory.max() == pytest.approx(220)
    assert np.allclose(inventory.loc[30:], 220)
    assert inventory.min() >= 195


@pytest.mark.parametrize(("setting", "low", "high"), [
    ("with delays", 132, 315), ("faster perception", 132, 320), ("faster response", 121, 422),
    ("slower response", 187, 233)])
def test_car_dealer_oscillates_with_delays(setting, low, high):
    inventory = run("car dealer inventory", "inventory", setting=setting)
    assert inventory.loc[:25].eq(200).all()
    assert inventory.min() == pytest.approx(low, abs=3)
    assert inventory.max() == pytest.approx(high, abs=3)
    assert len(peaks(inventory)) >= 2


def test_car_dealer_delays_change_the_swings():
    def swing(**kwargs):
        inventory = run("car dealer inventory", "inventory", **kwargs)
        return inventory.max() - inventory.min()

    base = swing(setting="with delays")
    assert swing(setting="faster response") > 1.5 * base  # reacting faster is worse
    assert swing(setting="slower response") < 0.5 * base  # reacting more slowly damps
    assert swing(setting="faster perception") >= 0.9 * base  # seeing faster does not help
    late = run("car dealer inventory", "inventory", setting="slower response").loc[70:]
    assert late.max() - late.min() < 10  # dying away
    # explicit delays override the setting, and the two spellings agree
    by_numbers = run("car dealer inventory", "inventory", perception_delay=5, response_delay=2,
                     delivery_delay=5)
    assert np.allclose(by_numbers, run("car dealer inventory", "inventory",
                                       setting="faster response"))


@pytest.mark.parametrize(("size", "peak_year"), [(1000, 33), (2000, 46), (4000, 61)])
def test_oil_extraction_peaks(size, peak_year):
    extraction = run("oil", "extraction", initial_resource=size)
    assert extraction.idxmax() == pytest.approx(peak_year, abs=1.5)
    assert extraction.iloc[0] < extraction.max() and extraction.iloc[-1] < extraction.max()


def test_oil_each_doubling_moves_the_peak_about_14_years():
    years = [run("oil", "extraction", initial_resource=s).idxmax() for s in (1000, 2000, 4000)]
    assert all(11 <= b - a <= 17 for a, b in itertools.pairwise(years))


def test_oil_growth_goal_and_rising_price():
    peak_years = [run("oil", "extraction", growth_goal=g).idxmax() for g in (0.08, 0.10, 0.12)]
    assert peak_years == sorted(peak_years, reverse=True)  # faster growth, earlier peak
    fixed = library.load("oil").run()
    rising = library.load("oil", rising_price=True).run()
    assert rising["resource"].iloc[-1] < 0.5 * fixed["resource"].iloc[-1]  # extracts longer
    assert rising["price"].iloc[-1] > 3


def test_fishery_settles_near_maximum_sustainable_yield():
    res = library.load("fishery", yield_efficiency=0.6).run()
    assert float(res["fish"].iloc[-1]) == pytest.approx(505, abs=5)
    assert float(res["harvest"].iloc[-1]) == pytest.approx(251, abs=3)
    assert np.ptp(res["harvest"].loc[150:]) < 1


def test_fishery_overshoots_and_oscillates_at_efficiency_1():
    res = library.load("fishery", yield_efficiency=1.0).run()
    fish = res["fish"].loc[100:]
    assert fish.min() < 400 and len(peaks(res["harvest"].loc[100:])) >= 3
    assert res["capital"].iloc[-1] > 100  # the fleet survives


@pytest.mark.parametrize("efficiency", [1.2, 1.5])
def test_fishery_collapses_at_high_efficiency(efficiency):
    res = library.load("fishery", yield_efficiency=efficiency).run()
    assert res["fish"].iloc[-1] < 1
    assert res["capital"].iloc[-1] < 0.05 * res["capital"].max()


# ---------------------------------------------------- archetypes.md figures
def test_balancing_with_delay_overshoots_then_settles():
    state = run("balancing process with delay", "state")
    assert state.max() == pytest.approx(175, abs=3)
    assert state.idxmax() == pytest.approx(6, abs=1)
    assert float(state.iloc[-1]) == pytest.approx(100, abs=1)
    assert state.loc[8:30].min() < 100  # swings below the goal


def test_limits_to_growth_s_curve():
    performance = run("limits to growth", "performance")
    assert value_at(performance, 25) == pytest.approx(945, abs=5)
    assert performance.max() <= 1000


def test_fixes_that_fail_relief_then_worse():
    symptom = run("fixes that fail", "problem_symptom")
    assert value_at(symptom, 10) == pytest.approx(63, abs=2)
    assert symptom.idxmin() == pytest.approx(10, abs=1.5)
    crossing = symptom.loc[11:][symptom.loc[11:] >= 100].index[0]
    assert crossing == pytest.approx(35, abs=3)
    assert value_at(symptom, 80) == pytest.approx(150, abs=3)
    assert float(symptom.iloc[-1]) < 200 and np.all(np.diff(symptom.loc[15:]) > 0)


def test_shifting_the_burden():
    res = library.load("shifting the burden", withdraw_fix=True).run()
    symptom, capability = res["problem_symptom"], res["fundamental_capability"]
    assert symptom.loc[15:60].min() == pytest.approx(15, abs=1)
    assert value_at(capability, 60) == pytest.approx(11.3, abs=0.5)
    assert symptom.loc[60:].max() == pytest.approx(196, abs=3)
    assert res["dependency"].loc[60] > 0.95
    assert float(symptom.iloc[-1]) == pytest.approx(100, abs=5)
    kept_on = library.load("shifting the burden").run()
    symptom = kept_on["problem_symptom"]
    assert symptom.loc[20:60].max() < 32, "the fix brings relief"
    first_worse = float(symptom.loc[20:][symptom.loc[20:] > 100].index[0])
    assert first_worse == pytest.approx(105, abs=5)
    assert float(symptom.iloc[-1]) > 350 and float(kept_on["dependency"].iloc[-1]) > 0.99
    assert float(kept_on["fundamental_capability"].iloc[-1]) < 1


def test_eroding_goals():
    res = library.load("eroding goals").run()
    assert value_at(res["actual_performance"], 60) == pytest.approx(62, abs=1.5)
    assert value_at(res["goal"], 60) == pytest.approx(66, abs=1.5)
    firm = library.load("eroding goals", firm_goal=True).run()
    assert float(firm["actual_performance"].iloc[-1]) == pytest.approx(92, abs=0.5)
    assert np.allclose(firm["goal"], 100)


def test_escalation_grows_about_7_percent():
    res = library.load("escalation").run()
    a = res["activity_of_a"]
    assert value_at(a, 40) == pytest.approx(1340, rel=0.02)
    assert (value_at(a, 40) / value_at(a, 20)) ** (1 / 20) - 1 == pytest.approx(0.07, abs=0.005)
    assert value_at(res["activity_of_b"], 40) == pytest.approx(value_at(a, 40), rel=0.1)


def test_success_to_the_successful_winner_takes_all():
    res = library.load("success to the successful").run()
    assert float(res["success_of_a"].iloc[-1]) == pytest.approx(99.95, abs=0.05)
    assert float(res["success_of_b"].iloc[-1]) == pytest.approx(0.05, abs=0.05)


def test_success_to_the_successful_declares_the_divergence():
    """The reference mode is the two parties diverging, not one party's S-curve: the key
    variable is A's success relative to B's, and it grows exponentially."""
    about = library.info("success to the successful")
    assert about.key_variable == "a_relative_to_b" and about.behaviour == "exponential growth"
    res = library.load("success to the successful").run()
    a, b, ratio = res["success_of_a"], res["success_of_b"], res["a_relative_to_b"]
    assert np.all(np.diff(a) > 0) and np.all(np.diff(b) < 0)     # one thrives, one fades
    assert np.allclose(ratio, a / b)
    assert float(ratio.iloc[0]) == pytest.approx(51 / 49)
    assert float(ratio.iloc[-1]) == pytest.approx(1830, rel=0.01)
    # shared in proportion to success, the first small lead is only kept
    fair = library.load("success to the successful", favouritism=1.0).run()
    assert np.allclose(fair["a_relative_to_b"], 51 / 49)


def test_tragedy_of_the_commons():
    model = library.load("tragedy of the commons", cost_of_effort=3)
    resource = model.run(stop=200)["resource"]
    assert float(resource.iloc[-1]) == pytest.approx(300, abs=5)  # R* = c / (p q)
    cheap = library.load("tragedy of the commons").run(stop=200)
    assert cheap["resource"].loc[30:].max() < 1, "past the critical level it does not regrow"
    effort = cheap["total_effort"]
    assert effort.idxmax() < 20 and float(effort.iloc[-1]) < 0.01 * effort.max()
    renewable = library.load("tragedy of the commons").run(stop=200,
                                                           params={"critical_level": 0.001})
    assert renewable["resource"].min() == pytest.approx(5, abs=2)
    assert renewable["resource"].loc[100:].mean() == pytest.approx(100, abs=15)


def test_growth_and_underinvestment():
    res = library.load("growth and underinvestment").run()
    demand = res["demand"]
    assert float(demand.max()) == pytest.approx(199, abs=2)
    assert float(demand.idxmax()) == pytest.approx(16, abs=2)
    assert float(demand.iloc[-1]) == pytest.approx(154, abs=3)
    assert float(res["performance_standard"].iloc[-1]) == pytest.approx(0.78, abs=0.02)
    firm = library.load("growth and underinvestment", firm_standard=True).run()
    assert value_at(firm["demand"], 80) == pytest.approx(674, rel=0.03)


def test_accidental_adversaries():
    res = library.load("accidental adversaries").run()
    assert float(res["success_of_a"].iloc[0]) == 60
    assert value_at(res["success_of_a"], 19) == pytest.approx(100, abs=1)
    assert float(res["success_of_a"].iloc[-1]) < 1 and float(res["success_of_b"].iloc[-1]) < 1
    assert (res["success_of_a"] >= 0).all()
    harmless = library.load("accidental adversaries", harm_to_partner=0).run()
    assert harmless["success_of_a"].loc[20:].min() < 85
    assert float(harmless["success_of_a"].iloc[-1]) == pytest.approx(100, abs=0.5)
    assert float(harmless["success_of_b"].iloc[-1]) == pytest.approx(100, abs=0.5)

"""The native engine: Euler/RK4, stateful functions, ensembles, errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework.errors import ModelError, SimulationError, UnknownNameError
from csframework.sd import StockFlowModel

CONFORMANCE = Path("/work/shared/conformance/sd-test-models/samples/teacup/output.csv")


def teacup(**time) -> StockFlowModel:
    model = StockFlowModel("Teacup", **{"start": 0, "stop": 30, "dt": 0.125, **time})
    model.constant("room_temperature", 70)
    model.constant("characteristic_time", 10)
    model.stock("teacup_temperature", initial=180, outflows=["heat_loss"])
    model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
    return model


def one_stock(equation: str, stop: float = 10, dt: float = 1, **flow) -> StockFlowModel:
    """A stock `s` (from 0) filled by flow `f` = equation."""
    model = StockFlowModel("probe", stop=stop, dt=dt)
    model.stock("s", 0, inflows=["f"])
    model.flow("f", equation, **flow)
    return model


# ------------------------------------------------------------------ teacup


def test_teacup_matches_the_exact_euler_solution():
    res = teacup().run()
    k = np.arange(241)
    expected = 70 + 110 * (1 - 0.125 / 10) ** k
    np.testing.assert_allclose(res["teacup_temperature"].to_numpy(), expected, rtol=1e-12)
    assert round(float(res["teacup_temperature"].iloc[-1]), 3) == 75.374


def test_teacup_is_close_to_analytic_decay():
    res = teacup(dt=0.01).run()
    t = res.time
    analytic = 70 + 110 * np.exp(-t / 10)
    np.testing.assert_allclose(res["teacup_temperature"].to_numpy(), analytic, rtol=2e-3)


@pytest.mark.skipif(not CONFORMANCE.exists(), reason="SD test-suite output not available")
def test_teacup_matches_the_sd_test_suite_output():
    expected = pd.read_csv(CONFORMANCE, index_col=0)
    res = teacup().run(return_columns=["teacup_temperature", "heat_loss"])
    np.testing.assert_allclose(res.time, expected.index.to_numpy())
    np.testing.assert_allclose(res["teacup_temperature"], expected["Teacup Temperature"],
                               rtol=1e-5)
    np.testing.assert_allclose(res["heat_loss"], expected["Heat Loss to Room"], rtol=1e-4)


def test_time_grid_includes_start_and_stop():
    res = teacup().run()
    assert res.index.name == "time"
    assert len(res) == 241 and res.time[0] == 0 and res.time[-1] == 30
    res = teacup().run(stop=1, dt=0.1)
    assert len(res) == 11
    assert res.time.tolist() == [round(0.1 * i, 10) for i in range(11)]


def test_stop_and_dt_overrides_are_validated():
    with pytest.raises(ModelError, match="dt must be positive"):
        teacup().run(dt=0)
    with pytest.raises(ModelError, match="must be after start"):
        teacup().run(stop=-1)


# --------------------------------------------------------------------- RK4


def test_rk4_is_accurate_for_exponential_decay():
    model = StockFlowModel("decay", stop=10, dt=0.5)
    model.stock("x", 1, outflows=["loss"])
    model.flow("loss", "x / 2")
    t = np.arange(21) * 0.5
    exact = np.exp(-t / 2)
    rk4 = model.run(method="rk4")["x"].to_numpy()
    euler = model.run()["x"].to_numpy()
    assert np.abs(rk4 - exact).max() < 1e-4
    assert np.abs(rk4 - exact).max() < np.abs(euler - exact).max() / 100


def test_rk4_with_time_dependent_input():
    model = StockFlowModel("ramp", stop=4, dt=0.5)
    model.stock("x", 0, inflows=["f"])
    model.flow("f", "2 * time")
    assert model.run(method="rk4")["x"].iloc[-1] == pytest.approx(16.0)


def test_unknown_method():
    with pytest.raises(UnknownNameError, match="unknown integration method 'rk5'"):
        teacup().run(method="rk5")


# ----------------------------------------------------------------- params


def test_params_change_the_run_but_never_the_model():
    model = teacup()
    version = model.version
    res = model.run(params={"room_temperature": 20}, stop=10, dt=0.5)
    assert res["teacup_temperature"].iloc[-1] < 100
    assert res.parameters == ({"room_temperature": 20.0},)
    assert model.constants["room_temperature"].value == 70
    assert (model.stop, model.dt, model.version) == (30, 0.125, version)
    again = model.run()
    assert round(float(again["teacup_temperature"].iloc[-1]), 3) == 75.374


def test_unknown_param_suggests_a_constant():
    with pytest.raises(UnknownNameError, match="did you mean 'room_temperature'"):
        teacup().run(params={"room_temprature": 3})


def test_param_that_is_not_a_constant():
    with pytest.raises(ModelError, match="'heat_loss' is a flow"):
        teacup().run(params={"heat_loss": 3})


@pytest.mark.parametrize("value", ["hot", None, [[1, 2]], []])
def test_bad_param_values(value):
    with pytest.raises(ModelError, match="'room_temperature' must be a number"):
        teacup().run(params={"room_temperature": value})


def test_non_finite_param_is_a_simulation_error():
    with pytest.raises(SimulationError, match=r"'room_temperature'.*not finite"):
        teacup().run(params={"room_temperature": math.nan})


# --------------------------------------------------------------- ensembles


def test_ensemble_equals_separate_runs():
    model = teacup()
    rooms, times = [0, 35, 70], [5, 10, 20]
    ens = model.run(params={"room_temperature": rooms, "characteristic_time": times})
    assert ens.is_ensemble and ens.members == 3
    for i, (room, tau) in enumerate(zip(rooms, times, strict=True)):
        single = model.run(params={"room_temperature": room, "characteristic_time": tau})
        for column in ("teacup_temperature", "heat_loss"):
            np.testing.assert_allclose(ens[column][i].to_numpy(), single[column].to_numpy(),
                                       rtol=1e-13, atol=1e-13)
        assert ens.parameters[i] == {"room_temperature": room, "characteristic_time": tau}


def test_ensemble_with_scalar_and_sequence_params():
    ens = teacup().run(params={"room_temperature": [10, 20], "characteristic_time": 5})
    assert ens.parameters[1] == {"characteristic_time": 5.0, "room_temperature": 20.0}


def test_ensemble_sequences_must_have_equal_length():
    with pytest.raises(ModelError) as info:
        teacup().run(params={"room_temperature": [1, 2, 3], "characteristic_time": [1, 2]})
    assert "same length" in str(info.value)
    assert "room_temperature has 3, characteristic_time has 2" in str(info.value)


def test_ensemble_rk4_equals_separate_rk4_runs():
    model = teacup(stop=5)
    ens = model.run(params={"characteristic_time": [2, 8]}, method="rk4")
    single = model.run(params={"characteristic_time": 8}, method="rk4")
    np.testing.assert_allclose(ens["teacup_temperature"][1], single["teacup_temperature"],
                               rtol=1e-13)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=-50, max_value=200), min_size=1, max_size=5),
       st.floats(min_value=1, max_value=50))
def test_property_ensemble_members_match_single_runs(rooms, tau):
    model = teacup(stop=5, dt=0.25)
    ens = model.run(params={"room_temperature": rooms, "characteristic_time": tau})
    for i, room in enumerate(rooms):
        single = model.run(params={"room_temperature": room, "characteristic_time": tau})
        np.testing.assert_allclose(ens["teacup_temperature"][i], single["teacup_temperature"],
                                   rtol=1e-12, atol=1e-9)


# -------------------------------------------------------------- NaN and inf


def test_division_by_zero_names_variable_and_time():
    model = one_stock("1 / (5 - time)")
    with pytest.raises(SimulationError) as info:
        model.run()
    message = str(info.value)
    assert "flow 'f' became infinite at time 5 (step 5) in model 'probe'" in message
    assert info.value.variable == "f" and info.value.time == 5


def test_nan_is_detected_and_named():
    model = one_stock("sqrt(3 - time)")
    with pytest.raises(SimulationError, match=r"flow 'f' became NaN \(not a number\) at time 4"):
        model.run()


def test_overflow_is_detected():
    model = StockFlowModel("boom", stop=100)
    model.stock("s", 2, inflows=["f"])
    model.flow("f", "s ** 2")
    with pytest.raises(SimulationError, match="became infinite"):
        model.run()


def test_nan_in_ensemble_names_the_member():
    model = one_stock("1 / (k - time)")
    model.constant("k", 100)
    with pytest.raises(SimulationError, match=r"member 1 \(k = 3\)"):
        model.run(params={"k": [100, 3]})


def test_nan_in_hidden_state_names_its_variable():
    model = one_stock("smooth(log(5 - time), 2)")
    with pytest.raises(SimulationError, match="of the equation of 'f'"):
        model.run()


# ---------------------------------------------------------- non-negativity


def test_non_negative_stock_conserves_material():
    model = StockFlowModel("tanks", stop=10)
    model.stock("upper", 10, outflows=["drain"], non_negative=True)
    model.stock("lower", 0, inflows=["drain"])
    model.flow("drain", 4)
    res = model.run()
    assert res["upper"].min() == 0
    np.testing.assert_allclose(res["upper"] + res["lower"], 10)
    assert res["drain"].tolist()[:4] == [4, 4, 2, 0]


def test_non_negative_stock_scales_several_outflows_together():
    model = StockFlowModel("split", stop=3)
    model.stock("s", 9, inflows=["fill"], outflows=["a", "b"], non_negative=True)
    model.flow("fill", 1)
    model.flow("a", 8)
    model.flow("b", 4)
    res = model.run()
    assert res["a"].iloc[0] == pytest.approx(8 * 10 / 12)
    assert res["b"].iloc[0] == pytest.approx(4 * 10 / 12)
    assert res["s"].iloc[1] == pytest.approx(0)
    assert (res["s"] >= -1e-12).all()


def test_consumers_of_a_limited_flow_see_the_limited_value():
    model = StockFlowModel("m", stop=3)
    model.stock("s", 5, outflows=["out"], non_negative=True)
    model.flow("out", 4)
    model.auxiliary("twice_out", "2 * out")
    res = model.run()
    np.testing.assert_allclose(res["twice_out"], 2 * res["out"])


def test_non_negative_stock_in_an_ensemble():
    model = StockFlowModel("m", stop=4)
    model.constant("rate", 1)
    model.stock("s", 5, outflows=["out"], non_negative=True)
    model.flow("out", "rate")
    ens = model.run(params={"rate": [1, 4]})
    assert ens["s"][1].tolist() == [5, 1, 0, 0, 0]
    assert ens["s"][0].tolist() == model.run(params={"rate": 1})["s"].tolist()


def test_non_negative_stock_limits_a_negative_inflow():
    model = StockFlowModel("t", stop=4, dt=1)
    model.stock("s", 2, inflows=["f"], non_negative=True)
    model.flow("f", "-1")
    res = model.run()
    assert res["s"].tolist() == [2, 1, 0, 0, 0]
    assert res["f"].tolist() == [-1, -1, 0, 0, 0]


def test_non_negative_stock_limits_a_negative_inflow_partly():
    model = StockFlowModel("t", stop=2, dt=0.5)
    model.stock("s", 1.5, inflows=["f"], non_negative=True)
    model.flow("f", "-2")
    res = model.run()
    assert res["s"].tolist() == pytest.approx([1.5, 0.5, 0, 0, 0])
    assert res["f"].tolist() == pytest.approx([-2, -1, 0, 0, 0])


def test_non_negative_stock_with_negative_inflow_in_an_ensemble():
    model = StockFlowModel("t", stop=4, dt=1)
    model.constant("k", 1)
    model.stock("s", 2, inflows=["f"], non_negative=True)
    model.stock("sink", 0, outflows=["f"])
    model.flow("f", "-k")
    ens = model.run(params={"k": [0.25, 1, 3]})
    assert ens["s"][0].tolist() == [2, 1.75, 1.5, 1.25, 1]     # never runs dry
    assert ens["s"][1].tolist() == [2, 1, 0, 0, 0]
    assert ens["s"][2].tolist() == [2, 0, 0, 0, 0]
    assert ens["f"][2].tolist() == [-2, 0, 0, 0, 0]
    np.testing.assert_allclose(ens["s"] + ens["sink"], 2)      # nothing is created
    for i, k in enumerate([0.25, 1, 3]):
        single = model.run(params={"k": k})
        pd.testing.assert_frame_equal(ens.member(i).frame, single.frame)


def test_non_negative_stock_scales_negative_inflow_and_outflow_together():
    model = StockFlowModel("t", stop=3, dt=1)
    model.constant("g", 2)
    model.stock("s", 6, inflows=["gain", "loss"], outflows=["out"], non_negative=True)
    model.stock("sink", 0, inflows=["out"], outflows=["loss"])
    model.flow("gain", "g")
    model.flow("loss", -4)
    model.flow("out", 4)
    res = model.run()
    # step 0: 6 + 2 - 4 - 4 = 0, exactly dry; step 1: 2 can drain, scaled by 2 / 8
    assert res["s"].tolist() == pytest.approx([6, 0, 0, 0])
    assert res["loss"].tolist() == pytest.approx([-4, -1, -1, -1])
    assert res["out"].tolist() == pytest.approx([4, 1, 1, 1])
    assert res["gain"].tolist() == [2, 2, 2, 2]
    np.testing.assert_allclose(res["s"] + res["sink"], 6 + 2 * res.index)
    ens = model.run(params={"g": [2, 2]})       # the vectorised path
    for i in range(2):
        pd.testing.assert_frame_equal(ens.member(i).frame, res.frame, check_dtype=False)


def test_non_negative_stock_with_negative_inflow_under_rk4():
    model = StockFlowModel("t", stop=5, dt=0.5)
    model.constant("k", 1)
    model.stock("s", 2, inflows=["f"], non_negative=True)
    model.stock("sink", 0, outflows=["f"])
    model.flow("f", "-k * (1 + time)")
    res = model.run(method="rk4")
    assert (res["s"] >= 0).all()
    np.testing.assert_allclose(res["s"] + res["sink"], 2)
    # limited exactly as the mirror-image outflow is
    mirror = StockFlowModel("m", stop=5, dt=0.5)
    mirror.stock("s", 2, outflows=["f"], non_negative=True)
    mirror.flow("f", "1 + time")
    mirrored = mirror.run(method="rk4")
    np.testing.assert_allclose(res["s"], mirrored["s"])
    np.testing.assert_allclose(res["f"], -mirrored["f"])
    ens = model.run(method="rk4", params={"k": [0.01, 1]})
    assert (ens["s"] >= 0).all().all()
    np.testing.assert_allclose(ens["s"][1], res["s"])
    assert ens["s"][0].iloc[-1] > 1     # never runs dry: plain RK4
    unlimited = StockFlowModel("u", stop=5, dt=0.5)
    unlimited.stock("s", 2, inflows=["f"])
    unlimited.flow("f", "-0.01 * (1 + time)")
    np.testing.assert_allclose(ens["s"][0], unlimited.run(method="rk4")["s"])


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_non_negative_stock_with_positive_inflows_is_unchanged(method):
    def build(non_negative):
        model = StockFlowModel("t", stop=5, dt=0.25)
        model.constant("k", 1)
        model.stock("s", 0, inflows=["a", "b"], non_negative=non_negative)
        model.flow("a", "k * time")
        model.flow("b", "smooth(2, 1)")
        return model

    plain, limited = build(False), build(True)
    pd.testing.assert_frame_equal(limited.run(method=method).frame,
                                  plain.run(method=method).frame)
    params = {"k": [0.5, 2]}
    pd.testing.assert_frame_equal(limited.run(method=method, params=params).frame,
                                  plain.run(method=method, params=params).frame)


def test_a_negative_outflow_refills_and_only_drains_are_scaled():
    model = StockFlowModel("refill", stop=2)
    model.stock("s", 1, outflows=["spend", "refund"], non_negative=True)
    model.flow("spend", 8)
    model.flow("refund", -2)          # an outflow running backwards: it fills s
    res = model.run()
    assert res["refund"].iloc[0] == -2                  # what fills is left as it is
    assert res["spend"].iloc[0] == pytest.approx(3)     # 1 in the stock + 2 refunded
    assert res["s"].iloc[1] == pytest.approx(0)


def transfer(a: float = 1, b: float = 1, f: float = -5, g: float = 5,
             dt: float = 1) -> StockFlowModel:
    """a -> f -> b between two non-negative stocks, f running backwards; a also drains
    through g into an unlimited sink."""
    model = StockFlowModel("transfer", stop=3, dt=dt)
    model.constant("f_rate", f)
    model.constant("g_rate", g)
    model.stock("a", a, outflows=["f", "g"], non_negative=True)
    model.stock("b", b, inflows=["f"], non_negative=True)
    model.stock("sink", 0, inflows=["g"])
    model.flow("f", "f_rate")
    model.flow("g", "g_rate")
    return model


def test_a_flow_running_backwards_between_two_non_negative_stocks():
    """b gives all it has to a (f is limited by b), and g takes what a then has."""
    res = transfer().run()
    assert res.frame.iloc[0][["f", "g"]].tolist() == [-1, 2]
    assert res.frame.iloc[1][["a", "b", "sink"]].tolist() == [0, 0, 2]
    assert (res.frame[["a", "b"]] >= 0).all().all()
    np.testing.assert_allclose(res["a"] + res["b"] + res["sink"], 2)
    ensemble = transfer().run(params={"f_rate": [-5, -0.5, 3], "g_rate": [5, 5, 0.5]})
    for i, (f, g) in enumerate([(-5, 5), (-0.5, 5), (3, 0.5)]):
        single = transfer(f=f, g=g).run()
        np.testing.assert_allclose(ensemble["a"][i], single["a"], atol=1e-12)
        np.testing.assert_allclose(ensemble["g"][i], single["g"], atol=1e-12)
    rk4 = transfer(dt=0.5).run(method="rk4")
    assert (rk4.frame[["a", "b"]] >= -1e-12).all().all()


def test_two_way_flow_whose_stock_cannot_run_its_limit_again():
    """b's outflow reads a's outflow, so a's limit cannot wait for b's: a cautious last
    pass counts nothing b may still cut, and both stay at zero or above."""
    from csframework.sd.engine import CompiledModel

    model = StockFlowModel("feed", stop=3)
    model.stock("a", 1, outflows=["f", "g"], non_negative=True)
    model.stock("b", 1, inflows=["f"], outflows=["h"], non_negative=True)
    model.stock("sink", 0, inflows=["g", "h"])
    model.flow("f", -5)
    model.flow("g", 5)
    model.flow("h", "0.1 * g")
    order = CompiledModel(model).order_with_limits
    assert order.index("limit:a") < order.index("h")      # h still sees the limited g
    assert order[-2:] == ["limit last:a", "limit last:b"]
    res = model.run().frame
    assert (res[["a", "b"]] >= 0).all().all()
    np.testing.assert_allclose(res["a"] + res["b"] + res["sink"], 2)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=10), min_size=2, max_size=4),
       st.lists(st.floats(min_value=-20, max_value=20), min_size=4, max_size=4),
       st.lists(st.floats(min_value=0, max_value=20), min_size=4, max_size=4),
       st.sampled_from(["euler", "rk4"]), st.booleans())
def test_property_two_way_flows_keep_every_stock_non_negative(
        initial, transfers, spending, method, ring):
    """Stocks s0 - s1 - ... joined by flows of either sign (in a chain, or closed into
    a ring), each also spending into a sink: no stock goes below zero and nothing is
    created or lost."""
    n = len(initial)
    links = n if ring and n > 2 else n - 1          # t{i}: s{i} -> s{(i + 1) % n}
    model = StockFlowModel("two-way", stop=4, dt=0.5)
    for i in range(n):
        ins = [f"t{j}" for j in range(links) if (j + 1) % n == i]
        outs = [f"t{i}"] * (i < links) + [f"spend{i}"]
        model.stock(f"s{i}", initial[i], inflows=ins, outflows=outs, non_negative=True)
        model.flow(f"spend{i}", spending[i])
    for j in range(links):
        model.flow(f"t{j}", transfers[j])
    model.stock("sink", 0, inflows=[f"spend{i}" for i in range(n)])
    res = model.run(method=method).frame
    stocks = res[[f"s{i}" for i in range(n)]]
    assert (stocks >= -1e-9).all().all(), stocks
    np.testing.assert_allclose(stocks.sum(axis=1) + res["sink"], sum(initial), atol=1e-9)


def test_non_negative_flow_is_clipped_at_zero():
    res = one_stock("5 - time", non_negative=True).run()
    assert res["f"].tolist() == [5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0]
    ens = one_stock("k - time", non_negative=True)
    ens.constant("k", 5)
    assert ens.run(params={"k": [5, 2]})["f"][1].tolist()[:4] == [2, 1, 0, 0]


# ------------------------------------------------------- stateful functions


def test_smooth_matches_the_analytic_solution():
    model = one_stock("smooth(step(10, 0), 2, 0)", stop=10, dt=0.01)
    res = model.run()
    t = res.time
    np.testing.assert_allclose(res["f"], 10 * (1 - np.exp(-t / 2)), atol=0.03)


def test_smooth_follows_the_euler_recurrence_and_starts_at_input():
    res = one_stock("smooth(10, 4)", stop=3).run()
    assert res["f"].tolist() == [10, 10, 10, 10]
    res = one_stock("smooth(step(8, 1), 4, 0)", stop=3).run()
    assert res["f"].tolist() == [0, 0, 2, 3.5]


def test_smooth3_and_delay3_reach_the_input():
    res = one_stock("smooth3(step(10, 0), 3, 0) + delay3(step(10, 0), 3, 0)", stop=40,
                    dt=0.25).run()
    assert res["f"].iloc[-1] == pytest.approx(20, abs=1e-3)


def test_delay1_conserves_material():
    model = StockFlowModel("pipe", stop=30, dt=0.5)
    model.stock("source", 0, inflows=["arrive"])
    model.flow("arrive", "delay1(pulse(100, 1), 4, 0)")
    res = model.run(include_hidden=True)
    level = res["_delay1_0_arrive_level"]
    assert res["source"].iloc[-1] + level.iloc[-1] == pytest.approx(100)


def test_delay3_output_with_constant_input_is_steady():
    res = one_stock("delay3(5, 6)", stop=10).run()
    np.testing.assert_allclose(res["f"], 5)


def test_delay_fixed_is_a_pipeline():
    res = one_stock("delay_fixed(time * 10, 3, -1)", stop=10).run()
    assert res["f"].tolist() == [-1, -1, -1, 0, 10, 20, 30, 40, 50, 60, 70]
    res = one_stock("delay_fixed(time, 0.5, 99)", stop=2, dt=0.25).run()
    assert res["f"].tolist() == [99, 99, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]


def test_delay_fixed_delay_longer_than_the_run():
    res = one_stock("delay_fixed(time, 100, 7)", stop=5).run()
    assert res["f"].tolist() == [7] * 6


def test_delay_fixed_in_an_ensemble_with_different_delays():
    model = one_stock("delay_fixed(time, d, 0)", stop=6)
    model.constant("d", 1)
    ens = model.run(params={"d": [1, 3]})
    assert ens["f"][0].tolist() == [0, 0, 1, 2, 3, 4, 5]
    assert ens["f"][1].tolist() == [0, 0, 0, 0, 1, 2, 3]


def test_delay_fixed_shorter_than_dt_is_refused():
    with pytest.raises(SimulationError, match=r"delay_fixed\(\) in the equation of 'f'"):
        one_stock("delay_fixed(time, 0.1, 0)").run()


def test_delay_fixed_feedback_loop_is_not_algebraic():
    model = StockFlowModel("echo", stop=6)
    model.stock("s", 0, inflows=["f"])
    model.flow("f", "1 + delay_fixed(f, 2, 0)")
    assert model.run()["f"].tolist() == [1, 1, 2, 2, 3, 3, 4]


def test_init_freezes_the_start_value():
    model = one_stock("init(time + c) + 0 * time", stop=3)
    model.constant("c", 5)
    assert model.run()["f"].tolist() == [5, 5, 5, 5]


def test_hidden_state_is_excluded_by_default():
    model = one_stock("smooth(time, 2) + delay_fixed(time, 1, 0)")
    assert model.run().variables == ("s", "f")
    hidden = model.run(include_hidden=True).variables
    assert "_smooth_0_f" in hidden and "_delay_fixed_1_f" in hidden
    assert all(name.startswith("_") for name in hidden[2:])


def test_nested_stateful_functions():
    res = one_stock("smooth(smooth(step(1, 0), 1, 0), 1, 0)", stop=30, dt=0.1).run()
    assert res["f"].iloc[-1] == pytest.approx(1, abs=1e-3)


def test_stock_initial_may_depend_on_auxiliaries_and_stocks():
    model = StockFlowModel("init", stop=2)
    model.constant("c", 3)
    model.auxiliary("double", "2 * c")
    model.stock("a", "double + 1", inflows=["f"])
    model.stock("b", "a * 10")
    model.flow("f", 1)
    res = model.run()
    assert res["a"].tolist() == [7, 8, 9]
    assert res["b"].tolist() == [70, 70, 70]


# ----------------------------------------------------------------- lookups


def test_lookups_interpolate_and_clamp():
    model = one_stock("effect(time)", stop=4)
    model.lookup("effect", [(1, 10), (3, 30)])
    assert model.run()["f"].tolist() == [10, 10, 20, 30, 30]


def test_lookup_extrapolation():
    model = one_stock("effect(time)", stop=4)
    model.lookup("effect", [(1, 10), (3, 30)], extrapolate=True)
    assert model.run()["f"].tolist() == [0, 10, 20, 30, 40]


def test_lookup_overridden_by_params():
    model = one_stock("effect(time)", stop=2)
    model.lookup("effect", [(0, 0), (2, 2)])
    res = model.run(params={"effect": [(0, 5), (2, 5)]})
    assert res["f"].tolist() == [5, 5, 5]
    assert model.lookups["effect"].points == ((0, 0), (2, 2))


def test_lookup_in_an_ensemble():
    model = one_stock("effect(time * k)", stop=2)
    model.constant("k", 1)
    model.lookup("effect", [(0, 0), (2, 2)], extrapolate=True)
    ens = model.run(params={"k": [1, 2]})
    assert ens["f"][1].tolist() == [0, 2, 4]


# ---------------------------------------------------------------- builtins


def test_bathtub_with_step_input():
    model = StockFlowModel("Bathtub", stop=10)
    model.stock("water", 50, inflows=["inflow"], outflows=["outflow"])
    model.flow("inflow", "step(5, 5)")
    model.flow("outflow", 5)
    res = model.run()
    assert res["water"].loc[5] == 25 and res["water"].iloc[-1] == 25


def test_pulse_adds_its_volume_once_or_every_interval():
    assert one_stock("pulse(6, 2)", dt=0.5).run()["s"].iloc[-1] == pytest.approx(6)
    assert one_stock("pulse(6, 2, 3)", dt=0.5).run()["s"].iloc[-1] == pytest.approx(18)


def test_ramp_and_if_else():
    res = one_stock("ramp(2, 1, 3) if time < 5 else -1", stop=6).run()
    assert res["f"].tolist() == [0, 0, 2, 4, 4, -1, -1]


def test_scalar_and_one_member_ensemble_agree_for_every_function():
    equation = ("min(time, 3) + max(1, time, 2) + abs(-time) + exp(-time) + log(time + 1)"
                " + log10(time + 1) + sqrt(time) + sin(time) + cos(time) + tan(time / 10)"
                " + asin(0.1) + acos(0.1) + atan(time) + floor(time / 3) + int(time / 2)"
                " + modulo(time, 3) + step(2, 3) + pulse(5, 2, 3) + ramp(1, 2, 6)"
                " + safediv(time, time - 4) + (1 if 2 < time <= 5 and not time == 3 else 0)"
                " + pi * dt + k ** 0.5 + smooth(time, 2) + delay1(time, 2) + init(k)")
    model = one_stock(equation, stop=8, dt=0.5)
    model.constant("k", 2)
    single = model.run()
    ens = model.run(params={"k": [2]})
    np.testing.assert_allclose(ens["f"][0], single["f"], rtol=1e-12)


# ------------------------------------------------------------------ columns


def test_return_columns_may_include_constants():
    res = teacup().run(return_columns=["heat_loss", "room_temperature"])
    assert res.variables == ("heat_loss", "room_temperature")
    assert (res["room_temperature"] == 70).all()
    ens = teacup().run(params={"room_temperature": [1, 2]},
                       return_columns=["room_temperature"])
    assert ens["room_temperature"][1].tolist() == [2] * 241


def test_unknown_return_column():
    with pytest.raises(UnknownNameError, match="did you mean 'heat_loss'"):
        teacup().run(return_columns=["heat_los"])


# ------------------------------------------------------------ generated code


def test_generated_code_contains_no_user_text_but_names_and_numbers():
    model = one_stock("2 * time  # a comment that never reaches the generated code")
    source = model.compile().source()
    assert "comment" not in source
    assert "def _simulate" in source


def test_every_integration_path_compiles():
    model = one_stock("smooth(time, 2) + delay_fixed(time, 1, 0)")
    compiled = model.compile()
    for method in ("euler", "rk4"):
        for vector in (False, True):
            compile(compiled.source(method, vector), "<test>", "exec")


# ----------------------------------------------- Meadows' models (models.md)


@pytest.mark.parametrize(("leak", "settled"), [(0.1, 17.27), (0.3, 16.15)])
def test_thermostat_never_reaches_its_goal(leak, settled):
    model = StockFlowModel("Thermostat", stop=24, time_unit="hour")
    model.constant("goal", 18)
    model.constant("outside", 10)
    model.constant("leak", leak)
    model.stock("room", 10, inflows=["furnace"], outflows=["heat_loss"])
    model.flow("furnace", "min(max(goal - room, 0), 5)")
    model.flow("heat_loss", "(room - outside) * leak")
    assert model.run()["room"].iloc[-1] == pytest.approx(settled, abs=0.01)


@pytest.mark.parametrize(("rate", "final"), [(0.02, 126.8), (0.04, 160.1), (0.06, 201.2),
                                             (0.08, 251.8), (0.10, 313.8)])
def test_bank_account(rate, final):
    model = StockFlowModel("Bank", stop=12, time_unit="year")
    model.constant("rate", rate)
    model.stock("money", 100, inflows=["interest"])
    model.flow("interest", "money * rate")
    assert model.run()["money"].iloc[-1] == pytest.approx(final, abs=0.05)
    ens = model.run(params={"rate": [0.02, 0.04, 0.06, 0.08, 0.10]})
    assert ens["money"].iloc[-1].round(1).tolist() == [126.8, 160.1, 201.2, 251.8, 313.8]


def test_coffee_cooling():
    model = StockFlowModel("Coffee", stop=8, time_unit="minute")
    model.constant("room", 18)
    model.stock("temperature", 100, outflows=["cooling"])
    model.flow("cooling", "(temperature - room) * 0.1")
    assert model.run()["temperature"].iloc[-1] == pytest.approx(53.3, abs=0.05)


# -------------------------------------------------------------- edge cases


def test_models_without_stocks_or_variables_run():
    model = StockFlowModel("empty", stop=3)
    assert model.run().variables == ()
    model.constant("c", 2)
    model.auxiliary("a", "c * 2")
    assert model.run()["a"].tolist() == [4, 4, 4, 4]
    assert model.run(params={"c": [1, 2]})["a"][1].tolist() == [4, 4, 4, 4]


def test_models_and_results_pickle_and_copy():
    import copy
    import pickle

    model = one_stock("smooth(time, 1)")
    res = model.run()
    assert pickle.loads(pickle.dumps(model)).run()["f"].tolist() == res["f"].tolist()
    assert copy.deepcopy(model).run()["s"].tolist() == res["s"].tolist()
    again = pickle.loads(pickle.dumps(res))
    assert again.units == res.units and repr(again) == repr(res)


# ------------------------------------------------------ saving and long runs


def _timed_model():
    model = StockFlowModel("Timed", stop=20, dt=0.125)
    model.constant("k", 0.3)
    model.stock("s", 1, inflows=["grow"], outflows=["loss"], non_negative=True)
    model.flow("grow", "k * s * (1 - s / 50) + step(2, 5) + pulse(3, 4, 2) + ramp(0.1, 1, 9)")
    model.flow("loss", "smooth(s, 2) * 0.05 + delay_fixed(grow, 1, 0)")
    model.auxiliary("seen", "table(time / 20) * s")
    model.lookup("table", [(0, 1), (0.5, 2), (1, 0.5)])
    return model


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_a_save_interval_keeps_exactly_the_rows_of_a_full_run(method):
    model = _timed_model()
    full = model.run(method=method, include_hidden=True)
    for save_every, every in [(1, 8), (0.5, 4), (0.3, 2), (3, 24)]:
        part = model.run(method=method, save_every=save_every, include_hidden=True)
        rows = list(range(0, 161, every))
        if rows[-1] != 160:
            rows.append(160)  # the stop time is always saved
        assert part.time.tolist() == full.time[rows].tolist()
        pd.testing.assert_frame_equal(part.frame, full.frame.iloc[rows])
        assert part.save_every == every * 0.125
        members = {"k": [0.3, 0.2]}
        whole = model.run(method=method, params=members, include_hidden=True)
        some = model.run(method=method, params=members, include_hidden=True,
                         save_every=save_every)
        pd.testing.assert_frame_equal(some.frame, whole.frame.iloc[rows])
        np.testing.assert_allclose(whole["s"][0], full["s"], rtol=1e-12)


def test_a_save_interval_for_ensembles_and_the_model_default():
    model = _timed_model()
    full = model.run(params={"k": [0.1, 0.3]})
    model.save_every = 2
    part = model.run(params={"k": [0.1, 0.3]})
    assert part.time.tolist() == list(np.arange(0, 21, 2.0))
    pd.testing.assert_frame_equal(part.frame, full.frame.iloc[::16])
    assert model.copy().save_every == 2
    assert model.run(save_every=0.125).time.size == 161  # a run may override it


def test_bad_save_intervals_are_refused():
    model = _timed_model()
    with pytest.raises(ModelError, match="shorter than dt"):
        model.run(save_every=0.01)
    with pytest.raises(ModelError, match="positive"):
        model.run(save_every=-1)
    with pytest.raises(ModelError, match="save_every must be a number"):
        model.run(save_every="often")
    with pytest.raises(ModelError, match="positive"):
        StockFlowModel("m", save_every=0)


def test_a_long_run_keeps_only_the_saved_rows_in_memory():
    import tracemalloc

    model = StockFlowModel("Long", stop=200_000, dt=1)
    model.constant("k", 1e-6)
    model.stock("s", 1, inflows=["f"])
    model.flow("f", "k * s + 0 * time")
    model.run(save_every=50_000)  # compile outside the measurement
    tracemalloc.start()
    res = model.run(save_every=50_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res.time.tolist() == [0, 50_000, 100_000, 150_000, 200_000]
    # 200,001 steps saved as floats would be 1.6 MB per column, as Python floats 6 MB
    assert peak < 400_000, peak
    assert res["s"].iloc[-1] == pytest.approx(math.exp(0.2), rel=1e-5)


def test_a_run_too_large_to_keep_is_refused_before_allocating():
    from csframework.sd.engine import MAX_SAVED_VALUES

    model = StockFlowModel("Huge", stop=1e8, dt=1)
    model.stock("s", 0, inflows=["f"])
    model.flow("f", 1)
    with pytest.raises(SimulationError) as info:
        model.run()
    message = str(info.value)
    assert "100,000,001 saved times" in message
    assert f"{MAX_SAVED_VALUES:,}" in message
    assert "save_every=" in message and "return_columns" in message
    # the suggested interval fits
    suggested = float(message.split("save_every=")[1].split()[0])
    res = model.run(save_every=suggested, return_columns=["s"], stop=1e4)
    assert res["s"].iloc[-1] == 1e4


def test_the_pysd_engine_keeps_the_same_saved_rows(pysd_cache):
    model = teacup()
    native = model.run(save_every=1.3)  # 10.4 steps of 0.125: every 10th step is saved
    through_pysd = model.run(engine="pysd", save_every=1.3)
    assert through_pysd.time.tolist() == native.time.tolist()
    assert native.time.tolist()[:3] == [0, 1.25, 2.5] and native.time[-1] == 30
    np.testing.assert_allclose(through_pysd.frame, native.frame, rtol=1e-9)
    assert through_pysd.save_every == native.save_every == 1.25

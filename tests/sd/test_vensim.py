"""Vensim text models read into the native engine (csframework.sd.vensim).

- World3-03 (shipped in the package) against PySD's run, stored in
  tests/data/vensim/world3_pysd.csv: relative difference <= 1e-6 on eight key
  variables at every saved time;
- every SDXorg Vensim case that loads natively (tests/data/vensim, see its
  README: 119 of the 149 cases PySD runs) against its canonical output
  (rtol 1e-3, as the XMILE conformance tests) and against PySD's run
  (``<model>.pysd.csv``, rtol 1e-6);
- one live PySD comparison, and PySD's integer-state defect proved live;
- untrusted files: PySD's parser no longer evaluates file text;
- clear errors naming the variable and the construct.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csframework as csf
from csframework.errors import EquationError, FormatError, ModelError
from csframework.sd import StockFlowModel
from csframework.sd.library import world3_path
from csframework.sd.vensim import UnsupportedVensimError, read_vensim
from csframework.sd.vensim.elements import vensim_key

DATA = Path(__file__).resolve().parents[1] / "data" / "vensim"
CASES = sorted(str(p.relative_to(DATA)).replace("\\", "/") for p in DATA.rglob("*.mdl"))
CONTROLS = {"initial_time", "final_time", "time_step", "saveper", "time"}

#: Cases whose canonical output the native run does not reach within rtol 1e-3, and why.
CANONICAL_DIFFERENCES = {
    "samples/Roessler_Chaos/roessler_chaos.mdl": (
        "a chaotic system: the canonical run (single precision) and any double precision "
        "run part after t = 60, PySD's too"),
}
#: Cases where PySD differs from the native run and the native run matches Vensim's output.
PYSD_DIFFERENCES = {
    "tests/arguments/test_arguments.mdl": (
        "PySD gives DELAY3 fewer stages when three would each last less than TIME STEP; "
        "Vensim's canonical output keeps three, as the native reader does"),
}


def _frame(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, sep="\t" if path.suffix == ".tab" else ",")
    except UnicodeDecodeError:
        frame = pd.read_csv(path, sep="\t" if path.suffix == ".tab" else ",",
                            encoding="latin-1")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.set_index(frame.columns[0])


def _compare(model: StockFlowModel, expected: pd.DataFrame, rtol: float) -> list[str]:
    names = [*model.stocks, *model.flows, *model.auxiliaries, *model.constants]
    results = model.run(return_columns=names).to_frame()
    by_key = {vensim_key(n): n for n in names} | {vensim_key(model[n].label or n): n
                                                 for n in names}
    times = results.index.to_numpy(dtype=float)
    wanted = expected.index.to_numpy(dtype=float)
    rows = np.abs(times[None, :] - wanted[:, None]).argmin(axis=1)
    assert np.allclose(times[rows], wanted, atol=model.dt / 4)
    problems, compared = [], 0
    for column in expected.columns:
        key = vensim_key(column)
        if key in CONTROLS:
            continue
        want = pd.to_numeric(expected[column], errors="coerce").to_numpy(dtype=float)
        if key not in by_key:
            if np.isnan(want).all():  # an element the file never defines (smaller_range)
                continue
            problems.append(f"{column!r} names no variable of the model")
            continue
        got = results[by_key[key]].to_numpy(dtype=float)[rows]
        keep = ~np.isnan(want)
        atol = 1e-6 * max(1.0, float(np.abs(want[keep]).max(initial=0)))
        close = np.isclose(got[keep], want[keep], rtol=rtol, atol=atol)
        compared += 1
        if not close.all():
            i = int(np.flatnonzero(~close)[0])
            problems.append(f"{column!r} at t={wanted[keep][i]:g}: {got[keep][i]:.9g} != "
                            f"{want[keep][i]:.9g}")
    if not compared:
        problems.append("nothing compared")
    return problems


# ------------------------------------------------------------------- World3
@pytest.fixture(scope="module")
def world3():
    return read_vensim(world3_path())


def test_world3_equals_pysd_at_every_saved_time(world3):
    reference = pd.read_csv(DATA / "world3_pysd.csv", index_col=0)
    assert len(reference) == 401 and len(reference.columns) == 8
    assert _compare(world3, reference, rtol=1e-6) == []


def test_world3_keeps_names_units_and_comments(world3):
    assert (len(world3.stocks), world3.start, world3.stop, world3.dt) == (15, 1900, 2100, 0.5)
    pollution = world3.stocks["persistent_pollution"]
    assert pollution.label == "Persistent Pollution" and pollution.units == "Pollution units"
    assert pollution.inflows == ("persistent_pollution_appearance_rate",)
    assert pollution.outflows == ("persistent_pollution_assimilation_rate",)
    assert world3.auxiliaries["food_ratio"].equation == (
        "active_initial(food_per_capita / subsistence_food_per_capita, 1)")
    assert "Appendix 2" in world3["human_ecological_footprint"].doc
    assert world3.lookups["education_index_lookup"].points[-1] == (7000.0, 1.0)


def test_load_model_reads_vensim_natively(tmp_path):
    model = csf.load_model(world3_path())
    assert isinstance(model, StockFlowModel)
    mdl = tmp_path / "sub.mdl"
    mdl.write_text((DATA / "tests/trend/test_trend.mdl").read_text(encoding="utf-8"),
                   encoding="utf-8")
    assert isinstance(csf.load_model(mdl), StockFlowModel)


# ------------------------------------------------------------ SDXorg cases
def test_the_119_cases_are_present():
    assert len(CASES) == 119


@pytest.mark.parametrize("case", CASES)
def test_case_matches_vensim_output_and_pysd(case):
    path = DATA / case
    model = read_vensim(path)
    outputs = list(path.parent.glob("output.*"))  # Lotka_Volterra has none
    canonical = _compare(model, _frame(outputs[0]), rtol=1e-3) if outputs else []
    pysd = _compare(model, _frame(path.with_suffix(".pysd.csv")), rtol=1e-6)
    if case in CANONICAL_DIFFERENCES:
        assert canonical and pysd == [], CANONICAL_DIFFERENCES[case]
    elif case in PYSD_DIFFERENCES:
        assert pysd and canonical == [], PYSD_DIFFERENCES[case]
    else:
        assert canonical == [] and pysd == []


@pytest.mark.pysd
def test_native_equals_live_pysd(pysd_cache):
    from csframework.sd.pysd_backend import PySDModel

    path = DATA / "tests/trend/test_trend.mdl"
    live = PySDModel(path).run().to_frame()
    assert _compare(read_vensim(path), live, rtol=1e-9) == []


SMOOTH_FROM_ONE = """
level = SMOOTHI(input, 1, 1) ~ ~ |
input = 1.5 ~ ~ |
INITIAL TIME = 0 ~ ~ | FINAL TIME = 2 ~ ~ | TIME STEP = 0.5 ~ ~ | SAVEPER = 0.5 ~ ~ |
"""


@pytest.mark.pysd
def test_pysd_defect_integer_smooth_state(tmp_path, pysd_cache):
    """PySD truncates a SMOOTH's first input when its initial value is a whole number."""
    from csframework.sd.pysd_backend import PySDModel

    path = tmp_path / "smooth.mdl"
    path.write_text(SMOOTH_FROM_ONE)
    theirs = PySDModel(path).run()["level"].tolist()
    ours = read_vensim(path).run()["level"].tolist()
    assert theirs[:2] == [1.0, 1.0]           # the input 1.5 read as int(1.5): no change
    assert ours[:3] == [1.0, 1.25, 1.375]     # 1 + 0.5 * (1.5 - 1) / 1, as Vensim


# ------------------------------------------------------------- to XMILE
def test_world3_written_as_xmile_reads_back_with_the_same_results(world3):
    from csframework.sd.loading import read_xmile

    text = world3.to_xmile()
    assert "ACTIVE" not in text.upper().replace("INACTIVE", "")
    # XMILE has no ACTIVE INITIAL: the smooth of food ratio starts from its initial value
    assert "SMTH1(food_ratio, food_shortage_perception_delay, 1)" in text
    back = read_xmile(text)
    ours = world3.run().to_frame()
    theirs = back.run().to_frame()[ours.columns]
    assert np.allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12, atol=0)


XMILE_CASES = ["tests/trend/test_trend.mdl", "tests/delay_pipeline/test_pipeline_delays.mdl",
               "tests/xidz_zidz/xidz_zidz.mdl", "tests/active_initial/test_active_initial.mdl",
               "tests/smooth_and_stock/test_smooth_and_stock.mdl"]


@pytest.mark.pysd
@pytest.mark.parametrize("case", XMILE_CASES)
def test_vensim_written_as_xmile_runs_the_same_in_pysd(case, tmp_path, pysd_cache):
    from csframework.sd.pysd_backend import PySDModel
    from csframework.sd.xmile import to_xmile

    model = read_vensim(DATA / case)
    path = tmp_path / "model.xmile"
    text = to_xmile(model)
    if "DT" in text:  # Vensim's STEP uses the time step, which PySD knows as TIME_STEP only
        text = to_xmile(model, dialect="pysd")
    path.write_text(text, encoding="utf-8")
    pysd = PySDModel(path).run().to_frame()
    assert _compare(model, pysd, rtol=1e-9) == []


@pytest.mark.pysd
def test_a_vensim_model_runs_on_the_pysd_engine(pysd_cache):
    model = read_vensim(DATA / "tests/trend/test_trend.mdl")
    native = model.run().to_frame()
    pysd = model.run(engine="pysd").to_frame()
    assert np.allclose(native.to_numpy(), pysd[native.columns].to_numpy(), rtol=1e-9)


def test_sample_if_true_cannot_be_written_as_xmile():
    m = StockFlowModel("m")
    m.auxiliary("y", "sample_if_true(time > 2, time, 0)")
    with pytest.raises(FormatError, match="sample_if_true\\(\\) has no XMILE equivalent"):
        m.to_xmile()


# ------------------------------------------------------------------ safety
EVIL = """{UTF-8}
table([__import__("pathlib").Path(r"%s").write_text("x")],(0,0),(1,1)) ~ ~ |
x = table(0.5) ~ ~ |
INITIAL TIME = 0 ~ ~ | FINAL TIME = 1 ~ ~ | TIME STEP = 1 ~ ~ | SAVEPER = 1 ~ ~ |
"""


def test_file_text_is_never_evaluated(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.mdl"
    path.write_text(EVIL % marker)
    with pytest.raises(FormatError, match="lookup range"):
        read_vensim(path)
    with pytest.raises(FormatError):
        csf.load_model(path)
    assert not marker.exists()


@pytest.mark.pysd
def test_pysd_never_evaluates_vensim_file_text(tmp_path, pysd_cache):
    from pysd.translators.vensim import vensim_element

    from csframework.sd.pysd_backend import PySDModel

    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.mdl"
    path.write_text(EVIL % marker)
    vensim_element.__dict__.pop("eval", None)   # as in a fresh process
    with pytest.raises(FormatError, match="the Vensim file contains"):
        PySDModel(path)
    assert not marker.exists()


def test_file_size_is_bounded(tmp_path, monkeypatch):
    from csframework.sd.vensim import parsing

    path = tmp_path / "big.mdl"
    path.write_text(SMOOTH_FROM_ONE)
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 10)
    with pytest.raises(FormatError, match="more than the 10 accepted"):
        read_vensim(path)


# ------------------------------------------------------------------- errors
def _model(tmp_path, body: str, name: str = "m.mdl"):
    path = tmp_path / name
    path.write_text(body + "\nINITIAL TIME = 0 ~ ~ | FINAL TIME = 4 ~ ~ |"
                           " TIME STEP = 1 ~ ~ | SAVEPER = 1 ~ ~ |\n")
    return path


MAPPING = ("age : young, old ~ ~ |\ncohort : a, b ~ ~ |\nx[age] = 1, 2 ~ ~ |\n"
           "y[cohort] = x[age] ~ ~ |")
VARYING_DELAY = "y = DELAY N(x, d, 0, 2) ~ ~ |\nd = 2 + STEP(1, 2) ~ ~ |\nx = 1 ~ ~ |"


@pytest.mark.parametrize(("body", "construct"), [
    (MAPPING, "subscript mapping"),
    ("noise = RANDOM UNIFORM(0, 1, 3) ~ ~ |", "RANDOM UNIFORM"),
    ("late = GET TIME VALUE(0, 0, 0) ~ ~ |", "GET TIME VALUE"),
    ("missing = :NA: ~ ~ |", ":NA:"),
])
def test_unsupported_constructs_name_the_variable(tmp_path, body, construct):
    with pytest.raises(UnsupportedVensimError, match=construct) as caught:
        read_vensim(_model(tmp_path, body))
    assert caught.value.variable in ("y[a]", "noise", "late", "missing")
    assert construct in caught.value.construct


def test_unsupported_models_still_load_through_pysd(tmp_path):
    from csframework.sd.pysd_backend import PySDModel

    path = _model(tmp_path, VARYING_DELAY)
    assert isinstance(csf.load_model(path), PySDModel)


def test_one_dimensional_subscripts_become_one_variable_per_element(tmp_path):
    body = """region : north, south ~ ~ |
    pop[region] = INTEG(births[region], start[region]) ~ people ~ |
    births[region] = pop[region] * rate ~ people/year ~ |
    start[region] = 10, 30 ~ people ~ |
    rate = 0.5 ~ 1/year ~ |
    total = SUM(pop[region!]) ~ people ~ |
    largest = VMAX(pop[region!]) ~ people ~ |
    regions = ELMCOUNT(region) ~ ~ |
    north share = pop[north] / total ~ ~ |"""
    model = read_vensim(_model(tmp_path, body))
    assert model.stocks["pop_north"].label == "pop[north]"
    assert model.stocks["pop_south"].inflows == ("births_south",)
    assert model.auxiliaries["total"].equation == "pop_north + pop_south"
    res = model.run()
    assert res["total"].tolist() == [40, 60, 90, 135, 202.5]
    assert res["largest"].iloc[-1] == 30 * 1.5 ** 4 and res["regions"].iloc[0] == 2
    assert res["north_share"].iloc[-1] == 0.25


def test_a_declared_mapping_reads_the_element_in_the_same_position(tmp_path):
    body = ("age : young, old ~ ~ |\ncohort : a, b -> age ~ ~ |\nx[age] = 1, 2 ~ ~ |\n"
            "y[cohort] = x[age] * 10 ~ ~ |")
    model = read_vensim(_model(tmp_path, body))
    assert model.auxiliaries["y_b"].equation == "x_old * 10"


def test_except_leaves_elements_to_other_definitions(tmp_path):
    body = ("region : north, south, east ~ ~ |\npop[region] :EXCEPT: [north] = 1 ~ ~ |\n"
            "pop[north] = 2 ~ ~ |\ntotal = SUM(pop[region!]) ~ ~ |")
    model = read_vensim(_model(tmp_path, body))
    assert model.constants["pop_north"].value == 2 and model.constants["pop_east"].value == 1
    assert model.run()["total"].iloc[0] == 4


def test_two_dimensional_subscripts(tmp_path):
    body = """region : north, south ~ ~ |
    age : young, old ~ ~ |
    pop[region, age] = 1, 2; 3, 4; ~ ~ |
    by region[region] = SUM(pop[region, age!]) ~ ~ |
    old south = pop[south, old] ~ ~ |"""
    model = read_vensim(_model(tmp_path, body))
    assert model.constants["pop_south_young"].value == 3
    assert model.constants["pop_north_old"].label == "pop[north,old]"
    assert model.auxiliaries["by_region_south"].equation == "pop_south_young + pop_south_old"
    assert model.run()["old_south"].iloc[0] == 4


def test_each_macro_call_becomes_its_own_copy(tmp_path):
    body = """:MACRO: GROW(input, rate)
    GROW = INTEG(input * rate, input) ~ ~ |
    :END OF MACRO:
    a = GROW(1, 0.5) ~ ~ |
    b = GROW(2, 1) ~ ~ |"""
    model = read_vensim(_model(tmp_path, body))
    assert model.auxiliaries["a"].equation == "grow_1_grow"
    assert model.stocks["grow_2_grow"].initial == 2
    res = model.run()
    assert res["a"].tolist() == [1, 1.5, 2, 2.5, 3] and res["b"].iloc[-1] == 10


def test_time_settings_that_refer_to_each_other_in_a_loop(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("INITIAL TIME = FINAL TIME ~ ~ | FINAL TIME = INITIAL TIME ~ ~ |\n"
                    "TIME STEP = 1 ~ ~ |\n")
    with pytest.raises(UnsupportedVensimError, match="not a number as INITIAL_TIME"):
        read_vensim(path)


def test_missing_time_settings(tmp_path):
    path = tmp_path / "m.mdl"
    path.write_text("x = 1 ~ ~ |\nINITIAL TIME = 0 ~ ~ |\n")
    with pytest.raises(FormatError, match="FINAL TIME, TIME STEP"):
        read_vensim(path)


def test_a_rate_that_is_not_a_sum_of_variables_gets_a_net_flow(tmp_path):
    model = read_vensim(_model(tmp_path, "s = INTEG(k * 2, 1) ~ ~ |\nk = 3 ~ ~ |"))
    assert model.stocks["s"].inflows == ("s_net_flow",)
    assert model.flows["s_net_flow"].equation == "k * 2"
    assert model.run()["s"].tolist() == [1, 7, 13, 19, 25]


def test_a_flow_shared_by_two_stocks(tmp_path):
    body = ("a = INTEG(-move, 10) ~ ~ |\nb = INTEG(move, 0) ~ ~ |\nmove = a / 2 ~ ~ |")
    model = read_vensim(_model(tmp_path, body))
    assert model.stocks["a"].outflows == ("move",) and model.stocks["b"].inflows == ("move",)


def test_step_switches_half_a_step_early_as_vensim(tmp_path):
    model = read_vensim(_model(tmp_path, "x = STEP(5, 1.6) ~ ~ |"))
    assert model.auxiliaries["x"].equation == "5 if time + dt / 2 > 1.6 else 0"
    assert model.run()["x"].tolist() == [0, 0, 5, 5, 5]


def test_delay_n_order_must_be_known(tmp_path):
    body = "y = DELAY N(x, 2, 0, n) ~ ~ |\nn = INTEG(1, 2) ~ ~ |\nx = 1 ~ ~ |"
    with pytest.raises(UnsupportedVensimError, match="order of DELAY N"):
        read_vensim(_model(tmp_path, body))
    body = "y = DELAY N(x, d, 0, 3) ~ ~ |\nd = 2 + STEP(1, 2) ~ ~ |\nx = 1 ~ ~ |"
    with pytest.raises(UnsupportedVensimError, match="delay time that is not a constant"):
        read_vensim(_model(tmp_path, body))


def test_an_order_is_fixed_when_the_run_starts(tmp_path):
    body = "y = SMOOTH N(x, 2, 0, n) ~ ~ |\nn = 2 + STEP(1, 2) ~ ~ |\nx = 1 ~ ~ |"
    assert read_vensim(_model(tmp_path, body)).auxiliaries["y"].equation == \
        "smooth_n(x, 2, 2, 0)"


# ------------------------------------------------- the new equation functions
def test_vensim_division_and_integer_functions():
    from csframework.sd.engine import evaluate

    assert evaluate("xidz(1, 1e-7, 5) + zidz(3, 0) + zidz(3, 2)") == 6.5
    assert evaluate("integer(-2.7) + integer(2.7)") == 0.0


def test_trend_forecast_and_sampling():
    m = StockFlowModel("m", stop=4, dt=1)
    m.auxiliary("x", "time + 1")
    m.auxiliary("tr", "trend(x, 2, 0.5)")
    m.auxiliary("fc", "forecast(x, 2, 3)")
    m.auxiliary("smp", "sample_if_true(time >= 2, x, -1)")
    res = m.run().to_frame()
    # average starts at x / (1 + 0.5 * 2) = 0.5; trend = (x - avg) / (2 * avg)
    assert res["tr"].iloc[0] == pytest.approx((1 - 0.5) / (2 * 0.5))
    assert res["fc"].iloc[0] == 1.0                 # average starts at x: no trend yet
    assert res["smp"].tolist() == [-1, -1, 3, 4, 5]


def test_active_initial_is_the_initial_value_only_while_initialising():
    m = StockFlowModel("m", stop=2, dt=1)
    m.stock("s", "a", inflows=["f"])
    m.flow("f", "0")
    m.auxiliary("a", "active_initial(s * 2, 5)")   # s needs a, a needs s: no loop
    res = m.run()
    assert res["s"].tolist() == [5, 5, 5] and res["a"].tolist() == [10, 10, 10]


def test_delay_n_and_smooth_n_orders():
    m = StockFlowModel("m", stop=10, dt=0.25)
    m.auxiliary("x", "step(1, 1)")
    m.auxiliary("d3", "delay3(x, 2)")
    m.auxiliary("dn", "delay_n(x, 2, 3)")
    m.auxiliary("s3", "smooth3(x, 2)")
    m.auxiliary("sn", "smooth_n(x, 2, 3)")
    res = m.run().to_frame()
    assert np.allclose(res["d3"], res["dn"]) and np.allclose(res["s3"], res["sn"])
    with pytest.raises(ModelError, match="whole number from 1 to 1000"):
        m.auxiliary("bad", "delay_n(x, 2, x)")
        m.run()


def test_new_function_signatures_are_checked():
    m = StockFlowModel("m")
    with pytest.raises(EquationError, match="missing the argument 'order'"):
        m.auxiliary("y", "smooth_n(1, 2)")


def test_delay_fixed_of_half_a_step_lasts_one_step():
    """A delay of dt/2 made an empty pipeline (round(0.5) == 0) and crashed."""
    m = StockFlowModel("m", stop=3, dt=1)
    m.auxiliary("y", "delay_fixed(time, 0.5, -1)")
    assert m.run()["y"].tolist() == [-1, 0, 1, 2]


# ------------------------------------------------------------ World3 library
def test_world3_scenarios_and_levers():
    from csframework.sd import library
    from csframework.sd.library.world3 import LEVERS, SCENARIOS

    standard = library.load("world3")
    assert standard.constants["initial_nonrenewable_resources"].value == 1e12
    doubled = library.load("world3", scenario="doubled resources")
    assert doubled.constants["initial_nonrenewable_resources"].value == 2e12
    stable = library.load("world3", scenario="stabilized world").run()["population"]
    assert abs(stable.iloc[-1] / stable.max() - 1) < 0.02          # it levels off
    assert set(SCENARIOS) >= {"standard run", "doubled resources", "stabilized world"}
    assert library.info("world3").levers == tuple(LEVERS)
    assert all(name in standard.constants for name in LEVERS)


def test_world3_library_standard_run_is_the_published_model(world3):
    from csframework.sd import library

    ours = library.load("world3").run(return_columns=["population", "food"]).to_frame()
    published = world3.run(return_columns=["population", "food"]).to_frame()
    assert np.allclose(ours.to_numpy(), published.to_numpy(), rtol=1e-12)


def test_world3_dashboard_shows_the_levers():
    from csframework.sd.library.world3 import LEVERS
    from csframework.widgets import simulation_dashboard

    board = simulation_dashboard("world3")
    assert list(board.sliders) == list(LEVERS)
    board.sliders["desired_completed_family_size_normal"].value = 2.0
    assert board.experiment.params["desired_completed_family_size_normal"] == 2.0

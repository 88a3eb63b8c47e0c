"""Model -> causal loop diagram, link polarities along a run, and loop dominance (LTM)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csframework.cld import CausalLoopDiagram
from csframework.errors import ModelError, UnknownNameError
from csframework.sd import StockFlowModel, structure
from csframework.sd.structure import Dominance, link_polarities, loop_dominance, to_cld


# ---------------------------------------------------------------- models
def teacup() -> StockFlowModel:
    model = StockFlowModel("Teacup", stop=30, dt=0.125)
    model.constant("room_temperature", 70)
    model.constant("characteristic_time", 10)
    model.stock("teacup_temperature", initial=180, outflows=["heat_loss"])
    model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
    return model


def logistic(dt: float = 0.25) -> StockFlowModel:
    model = StockFlowModel("Logistic", stop=100, dt=dt)
    model.constant("capacity", 1000)
    model.constant("growth_rate", 0.1)
    model.stock("population", 10, inflows=["net_growth"])
    model.auxiliary("fractional_growth", "growth_rate * (1 - population / capacity)")
    model.flow("net_growth", "population * fractional_growth")
    return model


def exponential() -> StockFlowModel:
    model = StockFlowModel("Savings", stop=20, dt=0.5)
    model.constant("interest_rate", 0.05)
    model.stock("money", 100, inflows=["interest"])
    model.flow("interest", "money * interest_rate")
    return model


def wave() -> StockFlowModel:
    """x rises steadily from 0 to 10, so functions of x can be read over a range."""
    model = StockFlowModel("Wave", stop=10, dt=0.25)
    model.stock("x", 0.5, inflows=["speed"])
    model.flow("speed", 1)
    return model


def polarity(model: StockFlowModel, cause: str, effect: str) -> structure.LinkPolarity:
    found = {(p.cause, p.effect): p for p in link_polarities(model)}
    return found[(cause, effect)]


# ---------------------------------------------------------------- to_cld
def test_teacup_gives_one_balancing_loop_with_notes_and_title():
    cld = teacup().to_cld()
    assert isinstance(cld, CausalLoopDiagram)
    assert cld.title == "Teacup"
    assert {v.name: v.note for v in cld.variables} == {
        "teacup_temperature": "stock", "heat_loss": "flow"}
    assert cld.get_link("heat_loss", "teacup_temperature").sign == "-"
    assert cld.get_link("teacup_temperature", "heat_loss").sign == "+"
    loops = cld.loops()
    assert [(lp.kind, set(lp.variables)) for lp in loops] == [
        ("balancing", {"teacup_temperature", "heat_loss"})]


def test_constants_are_left_out_unless_asked():
    cld = to_cld(teacup(), include_constants=True)
    assert cld.variable("room_temperature").note == "constant"
    assert cld.get_link("room_temperature", "heat_loss").sign == "-"
    assert cld.get_link("characteristic_time", "heat_loss").sign == "-"
    assert "room_temperature" not in to_cld(teacup())


def test_inflows_are_positive_and_outflows_negative():
    model = StockFlowModel("Population", stop=10)
    model.constant("fertility", 0.03)
    model.constant("mortality", 0.01)
    model.stock("population", 100, inflows=["births"], outflows=["deaths"])
    model.flow("births", "population * fertility")
    model.flow("deaths", "population * mortality")
    cld = to_cld(model)
    assert cld.get_link("births", "population").sign == "+"
    assert cld.get_link("deaths", "population").sign == "-"
    assert sorted((lp.name, lp.kind) for lp in cld.loops()) == [
        ("B1", "balancing"), ("R1", "reinforcing")]


def test_logistic_structure_has_one_reinforcing_and_one_balancing_loop():
    loops = logistic().to_cld().loops()
    assert sorted(lp.kind for lp in loops) == ["balancing", "reinforcing"]


def test_a_decreasing_function_gives_a_negative_link():
    model = wave()
    model.auxiliary("y", "10 - x")
    link = polarity(model, "x", "y")
    assert (link.sign, link.ambiguous, link.fraction_positive) == ("-", False, 0.0)
    assert link.note is None


def test_a_square_of_a_positive_variable_gives_a_positive_link():
    model = wave()
    model.auxiliary("y", "x * x")
    link = polarity(model, "x", "y")
    assert (link.sign, link.ambiguous, link.fraction_positive) == ("+", False, 1.0)


def test_a_sign_that_changes_along_the_run_is_ambiguous():
    model = wave()
    model.auxiliary("y", "sin(x)")
    link = polarity(model, "x", "y")
    assert link.ambiguous
    assert 0.0 < link.fraction_positive < 1.0
    assert link.sign == ("+" if link.fraction_positive >= 0.5 else "-")
    cld_link = to_cld(model).get_link("x", "y")
    assert "ambiguous" in cld_link.note


def test_a_link_without_effect_is_ambiguous():
    model = wave()
    model.auxiliary("y", "0 * x + 1")
    link = polarity(model, "x", "y")
    assert link.ambiguous and math.isnan(link.fraction_positive)
    assert "no effect" in link.note


def test_the_polarity_depends_on_the_run():
    model = wave()
    model.constant("slope", 2)
    model.auxiliary("y", "slope * x")
    assert polarity(model, "x", "y").sign == "+"
    negative = link_polarities(model, run_kwargs={"params": {"slope": -2}})
    assert {(p.cause, p.effect): p.sign for p in negative}[("x", "y")] == "-"
    results = model.run(params={"slope": -2})
    assert to_cld(model, results).get_link("x", "y").sign == "-"


def test_lookups_fold_into_the_link_through_them():
    model = wave()
    model.lookup("effect", [(0, 1), (10, 0)])
    model.auxiliary("y", "effect(x)")
    link = polarity(model, "x", "y")
    assert (link.sign, link.ambiguous) == ("-", False)
    assert link.via == ("lookup 'effect'",)
    assert "effect" not in to_cld(model)


def test_smooth_gives_a_delayed_link_and_hides_its_stock():
    model = wave()
    model.auxiliary("y", "2 * smooth(x, 3)")
    model.auxiliary("z", "delay_fixed(x, 1, 0)")
    model.auxiliary("w", "-delay3(x * 2, 4)")
    cld = to_cld(model)
    assert {v.name for v in cld.variables} == {"x", "speed", "y", "z", "w"}
    assert cld.get_link("x", "y").delay and cld.get_link("x", "y").sign == "+"
    assert cld.get_link("x", "z").delay and cld.get_link("x", "z").sign == "+"
    assert cld.get_link("x", "w").delay and cld.get_link("x", "w").sign == "-"
    assert polarity(model, "x", "y").via == ("smooth()",)


def test_a_delayed_feedback_loop_through_a_smooth_is_found():
    model = StockFlowModel("Perceived gap", stop=40, dt=0.25)
    model.constant("goal", 100)
    model.stock("level", 0, inflows=["adjustment"])
    model.auxiliary("perceived_level", "smooth(level, 5)")
    model.flow("adjustment", "(goal - perceived_level) / 4")
    loops = to_cld(model).loops()
    assert [(lp.kind, lp.has_delay) for lp in loops] == [("balancing", True)]


def test_results_lacking_hidden_state_are_rerun_with_the_same_settings():
    model = wave()
    model.constant("slope", 1)
    model.auxiliary("y", "slope * smooth(x, 2)")
    results = model.run(params={"slope": -1})
    assert to_cld(model, results).get_link("x", "y").sign == "-"


def test_ensemble_results_are_refused_with_advice():
    model = teacup()
    ensemble = model.run(params={"room_temperature": [0, 70]})
    with pytest.raises(ModelError, match=r"member\(0\)"):
        to_cld(model, ensemble)
    with pytest.raises(ModelError, match="ensemble"):
        to_cld(model, run_kwargs={"params": {"room_temperature": [0, 70]}})


def test_not_a_model_is_refused():
    with pytest.raises(ModelError, match="needs a StockFlowModel"):
        link_polarities("teacup")
    with pytest.raises(ModelError, match="needs a StockFlowModel"):
        loop_dominance(42)


def test_bad_run_kwargs_name_the_unknown_constant():
    with pytest.raises(UnknownNameError, match="did you mean 'room_temperature'"):
        to_cld(teacup(), run_kwargs={"params": {"room_temperatur": 1}})


# ---------------------------------------------------------------- dominance
def test_teacup_is_dominated_by_its_balancing_loop_whenever_it_moves():
    model = teacup()
    dominance = loop_dominance(model)
    assert isinstance(dominance, Dominance)
    names = [lp.name for lp in model.to_cld().loops()]
    assert list(dominance.loop_scores.columns) == names == ["B1"]
    assert dominance.dominant.iloc[0] is None
    assert set(dominance.dominant.iloc[1:]) == {"B1"}
    assert np.allclose(dominance.loop_scores["B1"].iloc[1:], -1.0)
    assert dominance.periods() == [(0.125, 30.0, "B1", "balancing")]
    scores = dominance.link_scores
    assert np.allclose(scores["teacup_temperature -> heat_loss"].iloc[1:], 1.0)
    assert np.allclose(scores["heat_loss -> teacup_temperature"].iloc[1:], -1.0)


def test_exponential_growth_is_reinforcing_throughout():
    dominance = loop_dominance(exponential())
    assert [(lp.name, lp.kind) for lp in dominance.loops] == [("R1", "reinforcing")]
    assert set(dominance.dominant.iloc[1:]) == {"R1"}
    assert np.allclose(dominance.loop_scores["R1"].iloc[1:], 1.0)


@pytest.mark.parametrize("dt", [0.25, 0.125])
def test_logistic_growth_switches_from_reinforcing_to_balancing_at_the_inflection(dt):
    model = logistic(dt)
    dominance = loop_dominance(model)
    kinds = {lp.name: lp.kind for lp in dominance.loops}
    periods = dominance.periods()
    assert [kinds[name] for _, _, name, _ in periods] == ["reinforcing", "balancing"]
    switch = periods[1][0]
    results = model.run()
    population = results["population"]
    inflection = float(population[population >= 500].index[0])       # P = K / 2
    peak_growth = float(results["net_growth"].idxmax())
    assert abs(switch - inflection) <= 3 * dt
    assert abs(switch - peak_growth) <= 3 * dt
    names = [lp.name for lp in model.to_cld().loops()]
    assert sorted(dominance.loop_scores.columns) == sorted(names)


def test_relative_loop_scores_add_up_to_one_in_absolute_value():
    dominance = loop_dominance(logistic())
    totals = dominance.loop_scores.abs().sum(axis=1)
    assert totals.iloc[0] == 0
    assert np.allclose(totals.iloc[1:], 1.0)


def test_births_and_deaths_split_by_the_corrected_flow_to_stock_score():
    # Schoenberg, Hayward & Eberlein (2023): births 0.1 a, deaths a / 20 split 2/3 : 1/3
    model = StockFlowModel("Births and deaths", stop=10)
    model.stock("a", 100, inflows=["births"], outflows=["deaths"])
    model.flow("births", "0.1 * a")
    model.flow("deaths", "a / 20")
    dominance = loop_dominance(model)
    scores = dominance.loop_scores.iloc[1:]
    assert np.allclose(scores["R1"], 2 / 3)
    assert np.allclose(scores["B1"], -1 / 3)
    links = dominance.link_scores.iloc[1:]
    assert np.allclose(links["births -> a"], 2.0)
    assert np.allclose(links["deaths -> a"], -1.0)


def test_flow_to_stock_scores_do_not_depend_on_how_flows_are_split():
    split = StockFlowModel("split", stop=20, dt=0.5)
    split.stock("s", 10, inflows=["inflow"], outflows=["outflow"])
    split.flow("inflow", "0.3 * s ** 0.8")
    split.flow("outflow", "0.02 * s ** 1.3")
    net = StockFlowModel("net", stop=20, dt=0.5)
    net.stock("s", 10, inflows=["net_flow"])
    net.auxiliary("inflow", "0.3 * s ** 0.8")
    net.auxiliary("outflow", "0.02 * s ** 1.3")
    net.flow("net_flow", "inflow - outflow")
    a, b = loop_dominance(split), loop_dominance(net)
    by_kind_a = {lp.kind: a.loop_scores[lp.name] for lp in a.loops}
    by_kind_b = {lp.kind: b.loop_scores[lp.name] for lp in b.loops}
    for kind in ("reinforcing", "balancing"):
        assert np.allclose(by_kind_a[kind], by_kind_b[kind], atol=1e-9)


def test_a_model_without_loops_gives_an_empty_loop_table():
    model = StockFlowModel("Bathtub", stop=10)
    model.stock("water", 50, inflows=["inflow"], outflows=["outflow"])
    model.flow("inflow", "step(5, 5)")
    model.flow("outflow", 5)
    dominance = loop_dominance(model)
    assert dominance.loops == ()
    assert dominance.loop_scores.shape == (11, 0)
    assert dominance.dominant.isna().all() and len(dominance.dominant) == 11
    assert dominance.periods() == []
    assert "no motion" in repr(dominance)
    ax = dominance.plot("water")
    assert len(ax.texts) == 0


def test_a_loop_through_a_smooth_is_scored():
    model = StockFlowModel("Perceived gap", stop=40, dt=0.25)
    model.constant("goal", 100)
    model.stock("level", 0, inflows=["adjustment"])
    model.auxiliary("perceived_level", "smooth(level, 5)")
    model.flow("adjustment", "(goal - perceived_level) / 4")
    dominance = loop_dominance(model)
    assert [lp.kind for lp in dominance.loops] == ["balancing"]
    assert set(dominance.dominant.iloc[1:].dropna()) == {"B1"}
    assert dominance.dominant.iloc[1:].notna().mean() > 0.9


def test_unknown_method_and_variable_suggest_close_names():
    with pytest.raises(UnknownNameError, match="known loop dominance methods are 'ltm'"):
        loop_dominance(teacup(), method="loops that matter")
    dominance = loop_dominance(teacup())
    with pytest.raises(UnknownNameError, match="did you mean 'teacup_temperature'"):
        dominance.plot("teacup_temprature")
    with pytest.raises(UnknownNameError, match="unknown loop 'R9'"):
        dominance.kind("R9")


def test_plot_draws_a_band_coloured_by_the_dominant_loop_without_pyplot():
    from matplotlib.figure import Figure

    from csframework.style import PALETTE

    dominance = loop_dominance(logistic())
    ax = dominance.plot("population")
    assert isinstance(ax.figure, Figure)
    assert [t.get_text() for t in ax.texts] == ["R1", "B1"]
    colours = [tuple(round(c, 3) for c in patch.get_facecolor()[:3]) for patch in ax.patches]
    from matplotlib.colors import to_rgb

    expected = [tuple(round(c, 3) for c in to_rgb(PALETTE[k]))
                for k in ("reinforcing", "balancing")]
    assert colours == expected
    assert ax.get_ylabel() == "population"
    again = dominance.plot("population")
    assert [p.get_extents().bounds for p in again.patches] == [
        p.get_extents().bounds for p in ax.patches]


def test_dominant_kind_adds_up_the_loops_of_each_kind():
    """A limit acting through two balancing loops: neither outweighs the growth loop,
    both together do, from the time their summed scores pass the growth loop's."""
    from csframework.sd import library

    dominance = loop_dominance(library.load("limits to growth"))
    scores = dominance.loop_scores
    kinds = {lp.name: lp.kind for lp in dominance.loops}
    assert sorted(kinds.values()) == ["balancing", "balancing", "reinforcing"]
    growth = scores[[n for n, k in kinds.items() if k == "reinforcing"]].sum(axis=1)
    limits = -scores[[n for n, k in kinds.items() if k == "balancing"]].sum(axis=1)
    expected = ["reinforcing" if g > b else "balancing"
                for g, b in zip(growth.iloc[1:], limits.iloc[1:], strict=True)]
    assert list(dominance.dominant_kind.iloc[1:]) == expected
    assert dominance.dominant_kind.iloc[0] is None
    assert set(dominance.dominant.iloc[1:]) == {"R1"}          # the single strongest loop
    (_, switch, *_), (start, _, kind, _) = dominance.periods(by="kind")
    assert switch == start and kind == "balancing" and 10 < switch < 25
    ax = dominance.plot("performance", by="kind")
    assert [t.get_text() for t in ax.texts] == ["R loops", "B loops"]
    assert "which kind of loop dominates" in ax.get_title()
    with pytest.raises(UnknownNameError, match="did you mean 'kind'"):
        dominance.periods(by="kinds")


def test_dominant_kind_of_a_model_without_loops_or_motion():
    model = StockFlowModel("Bathtub", stop=10)
    model.stock("water", 50, outflows=["outflow"])
    model.flow("outflow", 5)
    dominance = loop_dominance(model)
    assert dominance.dominant_kind.isna().all() and len(dominance.dominant_kind) == 11
    assert dominance.periods(by="kind") == []
    assert loop_dominance(teacup()).periods(by="kind") == [(0.125, 30.0, "balancing",
                                                             "balancing")]


def test_plot_into_given_axes():
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    assert loop_dominance(teacup()).plot("heat_loss", ax=ax) is ax


def test_given_results_are_analysed():
    model = exponential()
    results = model.run(params={"interest_rate": -0.05})
    dominance = loop_dominance(model, results)
    assert dominance.results is results
    assert [lp.kind for lp in dominance.loops] == ["balancing"]


# ---------------------------------------------------------------- the library
def test_every_library_model_gives_a_diagram_and_loop_dominance():
    from csframework.sd import library

    for name in library.names():
        if name == "world3":  # 1.8 million loops: World3's loops are not enumerated whole
            continue
        model = library.load(name)
        cld = model.to_cld()
        loops = cld.loops()
        dominance = loop_dominance(model)
        assert [lp.name for lp in dominance.loops] == [lp.name for lp in loops], name
        assert list(dominance.loop_scores.columns) == [lp.name for lp in loops], name
        kinds = {lp.name: lp.kind for lp in loops}
        for _, _, loop, kind in dominance.periods():
            assert kinds[loop] == kind


@pytest.mark.parametrize(("name", "expected"), [
    ("teacup", ["balancing"]),
    ("coffee cooling", ["balancing"]),
    ("bank account", ["reinforcing"]),
    ("thermostat", None),
    ("population", ["balancing", "reinforcing"]),
    ("capital", ["balancing", "reinforcing"]),
])
def test_library_models_have_the_loops_their_stories_tell(name, expected):
    from csframework.sd import library

    kinds = sorted(lp.kind for lp in library.load(name).to_cld().loops())
    if expected is None:  # the thermostat: balancing loops only (heating, and leaks)
        assert kinds and set(kinds) == {"balancing"}
    else:
        assert kinds == expected


# ---------------------------------------------------------------- PySD models
TEACUP_MDL = """{UTF-8}
Teacup Temperature= INTEG (-Heat Loss to Room, 180)
\t~\tDegrees
\t~\t|
Heat Loss to Room= (Teacup Temperature - Room Temperature) / Characteristic Time
\t~\tDegrees/Minute
\t~\t|
Room Temperature= 70
\t~\tDegrees
\t~\t|
Characteristic Time= 10
\t~\tMinutes
\t~\t|
Perceived Temperature= SMOOTH(Teacup Temperature, 3)
\t~\tDegrees
\t~\t|
FINAL TIME  = 30
\t~\tMinute
\t~\t|
INITIAL TIME  = 0
\t~\tMinute
\t~\t|
SAVEPER  = TIME STEP
\t~\tMinute
\t~\t|
TIME STEP  = 0.125
\t~\tMinute
\t~\t|
"""


@pytest.mark.pysd
def test_a_vensim_model_through_pysd_gives_its_diagram(pysd_cache, tmp_path):
    from csframework.sd.pysd_backend import PySDModel

    path = tmp_path / "teacup.mdl"
    path.write_text(TEACUP_MDL, encoding="utf-8")
    model = PySDModel(path)  # load_model reads it natively (tests/sd/test_vensim.py)
    cld = to_cld(model)
    assert model.to_cld() == cld
    assert cld.title == "teacup"
    assert {v.name: v.note for v in cld.variables} == {
        "Teacup Temperature": "stock", "Heat Loss to Room": "flow",
        "Perceived Temperature": "auxiliary"}
    assert cld.get_link("Heat Loss to Room", "Teacup Temperature").sign == "-"
    assert cld.get_link("Teacup Temperature", "Heat Loss to Room").sign == "+"
    smooth = cld.get_link("Teacup Temperature", "Perceived Temperature")
    assert smooth.sign == "+" and smooth.delay
    assert [lp.kind for lp in cld.loops()] == ["balancing"]


def test_a_model_read_from_xmile_gives_the_same_diagram():
    model = logistic()
    again = StockFlowModel.from_xmile(model.to_xmile())
    assert again.to_cld().to_text() == model.to_cld().to_text()
    assert loop_dominance(again).periods() == loop_dominance(model).periods()


def test_to_cld_draws_labels_not_identifiers():
    # names, not identifiers: "customer demand", never customer_demand
    from csframework import library

    model = library.load("car dealer inventory")
    cld = model.to_cld()
    assert cld.variable("customer_demand").display == (
        model["customer_demand"].label or "customer demand")
    assert cld.get_link("customer_demand", "sales").sign == "+"  # identities unchanged
    fig = cld.draw()
    texts = [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("label:")]
    assert texts and not any("_" in text for text in texts)
    assert any("customer" in text and "demand" in text for text in texts)


def test_every_library_cld_shows_no_identifier():
    from csframework import library

    for name in library.names():
        cld = to_cld(library.load(name), include_constants=True)
        shown = [v.display for v in cld.variables]
        assert not any("_" in text or "=" in text for text in shown), (name, shown)


def test_labels_travel_with_the_diagram_json():
    from csframework.cld import CausalLoopDiagram

    cld = teacup().to_cld()
    again = CausalLoopDiagram.from_json(cld.to_json())
    assert [v.display for v in again.variables] == [v.display for v in cld.variables]
    assert again.variable("teacup_temperature").label == "teacup temperature"


def test_a_function_defined_once_in_the_engine_works_in_runs_polarities_and_dominance(
        monkeypatch):
    """One equation semantics: the engine's code generation is the only meaning of a
    function, so a new function needs no second definition for structure analysis."""
    from csframework.sd import engine, expressions

    spec = expressions.FunctionSpec("halve_minus", ("x",), 1, summary="-x / 2")
    monkeypatch.setitem(expressions.FUNCTIONS, "halve_minus", spec)
    monkeypatch.setitem(engine.SCALAR_NAMESPACE, "_f_halve_minus", lambda x: -x / 2)
    monkeypatch.setitem(engine.VECTOR_NAMESPACE, "_f_halve_minus",
                        lambda x: np.negative(np.true_divide(x, 2)))
    model = StockFlowModel("Halving", stop=10)
    model.stock("s", 100, inflows=["change"])
    model.flow("change", "halve_minus(s) * 0.1")
    assert model.run()["s"].iloc[1] == pytest.approx(95.0)
    assert model.run()["change"].iloc[0] == -5.0
    cld = model.to_cld()
    assert cld.get_link("s", "change").polarity.value == "-"
    assert [lp.kind for lp in cld.loops()] == ["balancing"]
    assert set(loop_dominance(model).dominant.dropna()) == {"B1"}


def _tangled(stocks: int) -> StockFlowModel:
    """Every stock feeds every other one's inflow: a complete graph of loops."""
    model = StockFlowModel("Tangle", stop=5, dt=0.25)
    names = [f"s{i}" for i in range(stocks)]
    for i, name in enumerate(names):
        model.stock(name, 1 + i, inflows=[f"f{i}"])
        others = " + ".join(f"{0.01 * (j + 1)} * {n}" for j, n in enumerate(names) if n != name)
        model.flow(f"f{i}", f"{others} - 0.3 * {name}")
    return model


def test_loop_dominance_on_a_model_with_too_many_loops_is_bounded_and_says_so():
    model = _tangled(9)  # 125,673 loops through the nine stocks
    cld = model.to_cld()
    assert not cld.loops(limit=20_000).complete
    dominance = loop_dominance(model, max_loops=500)
    assert 0 < len(dominance.loops) <= 500
    longest = max(len(loop) for loop in dominance.loops)
    assert all(len(loop) <= longest for loop in dominance.loops)
    assert f"of at most {longest} variables" in dominance.note
    assert "more than 500 feedback loops" in dominance.note
    assert "(bounded)" in repr(dominance)
    assert dominance.dominant.dropna().isin([lp.name for lp in dominance.loops]).all()
    scores = dominance.loop_scores.abs().sum(axis=1)
    assert np.allclose(scores[scores > 0], 1.0)
    tight = loop_dominance(model, max_loops=3)  # even the 2-variable loops are too many
    assert len(tight.loops) == 3 and "the first 3 loops found of at most 2" in tight.note
    assert loop_dominance(_tangled(3)).note is None  # few loops: all scored, no note
    with pytest.raises(ModelError, match="max_loops"):
        loop_dominance(model, max_loops=0)


def test_plot_gives_each_loop_of_a_kind_its_own_shade_and_a_legend():
    # 07 c29: B1 and B2 took turns but the band was one colour, so the hand-over was invisible.
    from matplotlib.colors import to_hex

    from csframework.sd import library

    dominance = loop_dominance(library.load("balancing process with delay"))
    assert {name for _, _, name, _ in dominance.periods()} == {"B1", "B2"}
    ax = dominance.plot("state")
    by_label = {}
    for patch, text in zip(ax.patches, ax.texts, strict=True):
        by_label.setdefault(text.get_text(), set()).add(to_hex(patch.get_facecolor()[:3]))
    assert all(len(colours) == 1 for colours in by_label.values())
    assert by_label["B1"] != by_label["B2"]
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert sorted(labels) == ["B1 (correcting towards the goal)", "B2 (updating the perception)"]
    handles = {t.get_text(): to_hex(h.get_facecolor()[:3])
               for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    assert {handles["B2 (updating the perception)"]} == by_label["B2"]


def test_loop_dominance_on_world3_names_loops_in_a_readable_picture():
    from csframework import library

    dominance = loop_dominance(library.load("world3"))
    assert "(bounded)" in repr(dominance)
    names = {name for _, _, name, _ in dominance.periods()}
    assert len(names) > 8
    ax = dominance.plot("population")
    legend = ax.get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    assert len(entries) == 8 and "more dominate briefly" in legend.get_title().get_text()
    assert all(len(entry) < 60 for entry in entries)
    renderer = ax.figure.canvas.get_renderer()
    shown = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible()]
    assert shown and not any(a.overlaps(b) for i, a in enumerate(shown) for b in shown[i + 1:])
    kinds = dominance.plot("population", by="kind")
    assert {t.get_text() for t in kinds.texts if t.get_visible()} <= {"R loops", "B loops"}


def test_to_cld_places_the_variables_the_model_places():
    from csframework.sd.structure import to_cld

    model = StockFlowModel("Savings", stop=3)
    model.stock("money", 100, inflows=["interest"])
    model.flow("interest", "rate * money")
    model.constant("rate", 0.05)
    assert not to_cld(model).positions
    model.place("money", 1.5, -2)
    model.place("rate", 4, 4)              # a constant: not drawn unless asked
    cld = to_cld(model)
    assert dict(cld.positions) == {"money": (1.5, -2.0)}
    assert to_cld(model, include_constants=True).positions["rate"] == (4.0, 4.0)
    assert model.copy().to_cld().positions == cld.positions

"""StockFlowModel: building, inspecting, validating, delegating runs."""

from __future__ import annotations

import dataclasses

import pytest

from csframework.errors import EquationError, ModelError, UnknownNameError
from csframework.sd import StockFlowModel
from csframework.sd.model import Auxiliary, Constant, Flow, Lookup, Stock


def teacup() -> StockFlowModel:
    model = StockFlowModel("Teacup", start=0, stop=30, dt=0.125, time_unit="minute")
    model.constant("room_temperature", 70, units="°F")
    model.constant("characteristic_time", 10, units="minute")
    model.stock("teacup_temperature", initial=180, outflows=["heat_loss"], units="°F")
    model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time",
               units="°F/minute")
    return model


# ----------------------------------------------------------------- building


def test_methods_return_frozen_elements():
    m = StockFlowModel("m")
    s = m.stock("s", 1, inflows=["f"], outflows=("g",), non_negative=True, units="u", doc="d",
                label="S")
    f = m.flow("f", "2 * s", non_negative=True)
    g = m.flow("g", 1)
    a = m.auxiliary("a", "s + c")
    c = m.constant("c", 3, min=0, max=10, step=1)
    lk = m.lookup("t", [(0, 0), (1, 1)], extrapolate=True)
    assert isinstance(s, Stock) and s.inflows == ("f",) and s.outflows == ("g",)
    assert (s.non_negative, s.units, s.doc, s.label, s.initial) == (True, "u", "d", "S", 1.0)
    assert isinstance(f, Flow) and f.equation == "2 * s" and f.expression.dependencies == ("s",)
    assert g.equation == "1"
    assert isinstance(a, Auxiliary) and isinstance(c, Constant) and isinstance(lk, Lookup)
    assert (c.value, c.min, c.max, c.step) == (3.0, 0.0, 10.0, 1.0)
    for element in (s, f, a, c, lk):
        with pytest.raises(dataclasses.FrozenInstanceError):
            element.name = "other"


def test_stock_initial_may_be_an_equation():
    m = StockFlowModel("m")
    s = m.stock("s", "2 * c")
    assert s.initial == "2 * c"
    assert s.initial_equation.dependencies == ("c",)
    assert m.stock("t", "-5").initial == -5.0


def test_collections_are_read_only_views():
    m = teacup()
    assert list(m.stocks) == ["teacup_temperature"]
    assert list(m.flows) == ["heat_loss"]
    assert list(m.constants) == ["room_temperature", "characteristic_time"]
    assert dict(m.auxiliaries) == {} and dict(m.lookups) == {}
    with pytest.raises(TypeError):
        m.stocks["x"] = None
    with pytest.raises(TypeError):
        m.constants["room_temperature"] = 3


def test_lookup_by_name_and_membership():
    m = teacup()
    assert m["heat_loss"].kind == "flow"
    assert "heat_loss" in m and "nothing" not in m
    assert m.names() == ("room_temperature", "characteristic_time", "teacup_temperature",
                         "heat_loss")
    assert list(m) == list(m.names()) and len(m) == 4
    with pytest.raises(UnknownNameError, match="did you mean 'heat_loss'"):
        m["heat_los"]


def test_repr_is_short_and_stable():
    assert repr(teacup()) == (
        "<StockFlowModel 'Teacup': 1 stock, 1 flow, 0 auxiliaries, 2 constants>")
    m = StockFlowModel("Fish")
    m.auxiliary("a", 1)
    m.lookup("t", [(0, 1)])
    assert repr(m) == (
        "<StockFlowModel 'Fish': 0 stocks, 0 flows, 1 auxiliary, 0 constants, 1 lookup>")


def test_html_repr_lists_elements():
    html = teacup().equations()._repr_html_()
    assert "<table>" in html and "heat_loss" in html and "°F" in html


def test_equation_and_dependencies_accessors():
    m = teacup()
    assert m.equation("heat_loss").dependencies == ("teacup_temperature", "room_temperature",
                                                    "characteristic_time")
    assert m.equation("room_temperature") is None
    assert m.dependencies("teacup_temperature") == ("heat_loss",)
    assert m.dependencies("room_temperature") == ()


# -------------------------------------------------------------------- names


@pytest.mark.parametrize(("name", "fragment"), [
    ("Room Temperature", "try 'room_temperature'"),
    ("lambda", "Python keyword"),
    ("time", "fixed meaning"),
    ("dt", "fixed meaning"),
    ("min", "function of the equation language"),
    ("_hidden", "reserved for hidden model state"),
    ("2fast", "not a valid name"),
    (3, "must be text"),
])
def test_bad_names_are_explained(name, fragment):
    m = StockFlowModel("m")
    with pytest.raises(ModelError) as info:
        m.constant(name, 1)
    assert fragment in str(info.value)
    assert "model 'm'" in str(info.value)


def test_duplicate_names_are_refused():
    m = teacup()
    with pytest.raises(ModelError, match="there is already a flow called 'heat_loss'"):
        m.auxiliary("heat_loss", 1)


def test_model_needs_a_name():
    with pytest.raises(ModelError, match="needs a name"):
        StockFlowModel("")


# --------------------------------------------------------------- time setup


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"dt": 0}, "dt must be positive, not 0"),
    ({"dt": -1}, "dt must be positive"),
    ({"start": 5, "stop": 5}, "stop (5) must be after start (5)"),
    ({"start": 10, "stop": 0}, "must be after start"),
    ({"stop": 1, "dt": 2}, "longer than the whole run"),
    ({"dt": "1"}, "must be a number"),
    ({"stop": float("inf")}, "finite"),
])
def test_bad_time_settings(kwargs, fragment):
    with pytest.raises(ModelError, match="model 'm'") as info:
        StockFlowModel("m", **kwargs)
    assert fragment in str(info.value)


def test_the_models_integration_method():
    m = StockFlowModel("Decay", stop=4, method="RK4")
    m.stock("x", 1, outflows=["loss"])
    m.flow("loss", "x")
    assert m.method == "rk4" and m.copy().method == "rk4"
    assert m.run()["x"].tolist() == m.run(method="rk4")["x"].tolist()
    assert m.run(method="euler")["x"].iloc[-1] == 0.0
    with pytest.raises(ModelError, match="Euler only, not 'rk4'"):
        m.run(engine="pysd")            # the model's own method is meant, not dropped
    m.method = "euler"
    assert m.run()["x"].iloc[-1] == 0.0
    with pytest.raises(UnknownNameError, match="integration method 'gear' in StockFlowModel"):
        StockFlowModel("m", method="gear")
    with pytest.raises(UnknownNameError, match="integration method '4' in model 'Decay'"):
        m.method = 4


def test_time_setters_validate_and_invalidate():
    m = teacup()
    compiled = m.compile()
    m.stop = 10
    assert m.stop == 10.0 and m.compile() is not compiled
    with pytest.raises(ModelError):
        m.dt = -0.5
    assert m.dt == 0.125


# ----------------------------------------------------------- constants etc.


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"value": 12, "max": 10}, "value 12 is above max 10"),
    ({"value": -1, "min": 0}, "value -1 is below min 0"),
    ({"value": 1, "min": 5, "max": 2}, "min 5 is above max 2"),
    ({"value": 1, "step": 0}, "step must be positive"),
    ({"value": "x"}, "must be a number"),
    ({"value": float("nan")}, "finite"),
])
def test_constant_validation(kwargs, fragment):
    m = StockFlowModel("m")
    with pytest.raises(ModelError, match="constant 'c' in model 'm'") as info:
        m.constant("c", **kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("points", "fragment"), [
    ([], "at least one"),
    ([(0, 1), (0, 2)], "x values must increase"),
    ([(1, 1), (0, 2)], "x values must increase"),
    ([(0, 1, 2)], "(x, y) pair"),
    ([("a", 1)], "not a pair of numbers"),
    (5, "sequence of (x, y) pairs"),
])
def test_lookup_points_validation(points, fragment):
    m = StockFlowModel("m")
    with pytest.raises(ModelError, match="lookup 't'") as info:
        m.lookup("t", points)
    assert fragment in str(info.value)


def test_lookup_interpolates_and_clamps():
    table = StockFlowModel("m").lookup("t", [(0, 0), (10, 100)])
    assert table(2.5) == 25.0 and table(-5) == 0.0 and table(50) == 100.0
    assert table.xs == (0.0, 10.0) and table.ys == (0.0, 100.0)


def test_equations_are_checked_when_added():
    m = StockFlowModel("m")
    with pytest.raises(EquationError, match="the equation of flow 'f'"):
        m.flow("f", "x.y")
    with pytest.raises(EquationError, match="the initial value of stock 's'"):
        m.stock("s", "a[0]")
    with pytest.raises(EquationError, match="cannot use smooth"):
        m.stock("s", "smooth(a, 2)")
    assert "f" not in m and "s" not in m


# --------------------------------------------------------------- validation


def test_unknown_name_in_equation_suggests_close_names():
    m = teacup()
    m.auxiliary("gap", "teacup_temprature - room_temperature")
    with pytest.raises(UnknownNameError) as info:
        m.validate()
    message = str(info.value)
    assert "unknown variable 'teacup_temprature'" in message
    assert "the equation of auxiliary 'gap' in model 'Teacup'" in message
    assert "did you mean 'teacup_temperature'" in message


def test_inflow_that_is_not_a_flow():
    m = StockFlowModel("m")
    m.stock("s", 0, inflows=["a"])
    m.auxiliary("a", 1)
    with pytest.raises(ModelError, match="list 'a', which is an auxiliary, not a flow"):
        m.validate()


def test_unknown_inflow_suggests_flows():
    m = StockFlowModel("m")
    m.stock("s", 0, outflows=["drain"])
    m.flow("drains", 1)
    with pytest.raises(UnknownNameError, match=r"the outflows of stock 's'.*did you mean 'drains'"):
        m.validate()


def test_flow_attached_to_no_stock():
    m = StockFlowModel("m")
    m.flow("orphan", 1)
    with pytest.raises(ModelError, match="flow 'orphan' in model 'm' is attached to no stock"):
        m.validate()


def test_flow_into_two_stocks_is_refused():
    m = StockFlowModel("m")
    m.stock("a", 0, inflows=["f"])
    m.stock("b", 0, inflows=["f"])
    m.flow("f", 1)
    with pytest.raises(ModelError, match="inflow of two stocks, 'a' and 'b'"):
        m.validate()


def test_algebraic_loop_prints_the_cycle():
    m = StockFlowModel("m")
    m.auxiliary("a", "b + 1")
    m.auxiliary("b", "c * 2")
    m.auxiliary("c", "a")
    with pytest.raises(ModelError) as info:
        m.run()
    assert "algebraic loop in model 'm': a -> b -> c -> a" in str(info.value)
    assert "smooth()" in str(info.value)


def test_a_stateful_function_breaks_a_loop():
    m = StockFlowModel("m")
    m.auxiliary("a", "smooth(b, 2, 1)")
    m.auxiliary("b", "a + 1")
    m.validate()


def test_initial_values_in_a_loop():
    m = StockFlowModel("m")
    m.stock("a", "b")
    m.stock("b", "a")
    with pytest.raises(ModelError, match=r"initial values .* loop: a -> b -> a"):
        m.validate()


def test_calling_something_that_is_not_a_lookup():
    m = StockFlowModel("m")
    m.constant("c", 1)
    m.auxiliary("a", "2 + c(3)")
    with pytest.raises(EquationError) as info:
        m.validate()
    assert "'c' is a constant, not a lookup" in str(info.value)
    assert "column 5" in str(info.value)


def test_calling_an_unknown_function():
    m = StockFlowModel("m")
    with pytest.raises(EquationError, match="unknown function 'smoth'; did you mean 'smooth'"):
        m.auxiliary("a", "smoth(1, 2)")  # cannot be a lookup: caught at once
    m.auxiliary("a", "smoth(1)")  # might be a lookup added later
    with pytest.raises(EquationError, match="unknown function 'smoth'; did you mean 'smooth'"):
        m.validate()


def test_lookup_used_without_input():
    m = StockFlowModel("m")
    m.lookup("t", [(0, 0), (1, 1)])
    m.auxiliary("a", "t * 2")
    with pytest.raises(EquationError, match=r"lookup 't' is used without an input.*t\(x\)"):
        m.validate()


def test_validate_passes_on_a_good_model():
    assert teacup().validate() is None


# --------------------------------------------------------- copy and remove


def test_copy_is_independent():
    m = teacup()
    other = m.copy("Mug")
    other.constant("extra", 1)
    assert other.name == "Mug" and "extra" in other and "extra" not in m
    assert (other.start, other.stop, other.dt, other.time_unit) == (0, 30, 0.125, "minute")


def test_remove():
    m = teacup()
    removed = m.remove("room_temperature")
    assert removed.value == 70 and "room_temperature" not in m.constants
    with pytest.raises(UnknownNameError):
        m.remove("room_temperature")
    with pytest.raises(UnknownNameError):
        m.validate()


# ------------------------------------------------------------- compile/run


def test_compiled_form_is_cached_until_the_model_changes():
    m = teacup()
    first = m.compile()
    assert m.compile() is first
    m.auxiliary("extra", 1)
    assert m.compile() is not first


def test_run_with_unknown_engine():
    with pytest.raises(UnknownNameError, match=r"unknown engine 'pysdd'.*did you mean 'pysd'"):
        teacup().run(engine="pysdd")


def test_pysd_engine_delegates_to_the_backend(monkeypatch):
    from csframework.sd import pysd_backend

    calls = []

    def fake_run(model, **kwargs):
        calls.append((model, kwargs))
        return "results"

    monkeypatch.setattr(pysd_backend, "run", fake_run)
    m = teacup()
    assert m.run({"room_temperature": 20}, stop=5, dt=0.5, return_columns=["heat_loss"],
                 engine="pysd") == "results"
    assert calls == [(m, {"params": {"room_temperature": 20}, "stop": 5, "dt": 0.5,
                          "return_columns": ["heat_loss"]})]
    with pytest.raises(ModelError, match="Euler only"):
        m.run(engine="pysd", method="rk4")


def test_name_loop_names_the_loop_in_to_cld_and_refuses_bad_input():
    import pytest

    from csframework.errors import ModelError, UnknownNameError
    from csframework.sd import StockFlowModel

    m = StockFlowModel("Savings", stop=3)
    m.stock("money", 100, inflows=["interest"])
    m.flow("interest", "0.05 * money")
    m.name_loop("R3", ["money", "interest"], "interest on interest")
    [loop] = m.to_cld().loops()
    assert (loop.name, loop.story) == ("R3", "interest on interest")
    assert m.copy().to_cld().loops()[0].name == "R3"
    with pytest.raises(ModelError, match="R or B and a number"):
        m.name_loop("X1", ["money", "interest"])
    with pytest.raises(UnknownNameError, match="mony"):
        m.name_loop("R1", ["mony", "interest"])
    m.name_loop("B1", ["money", "interest"])      # the run shows it reinforcing: B1 not used
    assert m.to_cld().loops()[0].name == "R1"


def test_adopt_adds_an_element_of_another_model_as_it_is():
    other = StockFlowModel("other")
    flow = other.flow("inflow", "2 * time")
    model = StockFlowModel("m", stop=2)
    model.stock("s", 0, inflows=["inflow"])
    assert model.adopt(flow) is flow
    assert model.run()["s"].tolist() == [0.0, 0.0, 2.0]
    with pytest.raises(ModelError, match="there is already a flow called 'inflow'"):
        model.adopt(flow)


def test_replace_keeps_the_place_of_an_element_and_its_kind():
    model = StockFlowModel("m")
    first = model.constant("a", 1, max=2)
    model.constant("b", 2)
    version = model.version
    model.replace(dataclasses.replace(first, value=5.0, max=None))
    assert model.names() == ("a", "b") and model.constants["a"].value == 5.0
    assert model.version > version
    with pytest.raises(ModelError, match="cannot replace the constant"):
        model.replace(Auxiliary("a", "1"))
    with pytest.raises(UnknownNameError):
        model.replace(dataclasses.replace(first, name="c"))

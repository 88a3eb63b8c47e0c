"""Results: the time-indexed table, its metadata, its pictures."""

from __future__ import annotations

import matplotlib.pyplot as plt  # conftest.py selects the Agg backend
import numpy as np
import pandas as pd
import pytest

from csframework import style
from csframework.errors import UnknownNameError
from csframework.sd import Results, StockFlowModel


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def teacup() -> StockFlowModel:
    model = StockFlowModel("Teacup", stop=30, dt=0.125, time_unit="minute")
    model.constant("room_temperature", 70, units="°F")
    model.constant("characteristic_time", 10, units="minute")
    model.stock("teacup_temperature", 180, outflows=["heat_loss"], units="°F",
                label="Tea temperature")
    model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time",
               units="°F/minute")
    return model


@pytest.fixture
def res() -> Results:
    return teacup().run()


@pytest.fixture
def ens() -> Results:
    return teacup().run(params={"room_temperature": [0, 35, 70]})


def test_repr(res, ens):
    assert repr(res) == "<Results 'Teacup': 241 rows × 2 variables, time 0–30>"
    assert repr(ens) == "<Results 'Teacup': 241 rows × 2 variables × 3 members, time 0–30>"


def test_frame_structure(res):
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.index.name == "time"
    assert list(frame.columns) == ["teacup_temperature", "heat_loss"]
    frame.iloc[0, 0] = -1
    assert res["teacup_temperature"].iloc[0] == 180  # to_frame is a copy
    assert res.frame is res.frame


def test_getitem_gives_a_series(res):
    series = res["teacup_temperature"]
    assert isinstance(series, pd.Series)
    assert series.name == "teacup_temperature" and series.index.name == "time"
    with pytest.raises(UnknownNameError, match="did you mean 'heat_loss'"):
        res["heat_los"]


def test_metadata(res, ens):
    assert res.model_name == "Teacup" and res.time_unit == "minute"
    assert res.units["teacup_temperature"] == "°F"
    assert res.labels["teacup_temperature"] == "Tea temperature"
    assert res.variables == ("teacup_temperature", "heat_loss")
    assert (res.members, res.is_ensemble, res.method, res.dt) == (1, False, "euler", 0.125)
    assert ens.parameters[2] == {"room_temperature": 70.0}
    assert len(ens.parameters) == 3
    assert "heat_loss" in res and list(res) == ["teacup_temperature", "heat_loss"]


def test_dataframe_methods_are_available(res):
    assert res.loc[30, "teacup_temperature"] == pytest.approx(75.374, abs=1e-3)
    assert len(res.tail(3)) == 3
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        res.nonsense  # noqa: B018


def test_ensemble_columns_and_members(ens, res):
    assert isinstance(ens.frame.columns, pd.MultiIndex)
    assert list(ens.frame.columns.names) == ["variable", "member"]
    block = ens["teacup_temperature"]
    assert isinstance(block, pd.DataFrame) and list(block.columns) == [0, 1, 2]
    member = ens.member(2)
    assert not member.is_ensemble and member.parameters == ({"room_temperature": 70.0},)
    pd.testing.assert_frame_equal(member.frame, res.frame, check_exact=False, rtol=1e-13)
    with pytest.raises(IndexError, match="members are 0 to 2"):
        ens.member(3)
    assert res.member(0) is res


def test_tidy_long_form(ens, res):
    tidy = ens.tidy()
    assert list(tidy.columns) == ["time", "member", "variable", "value"]
    assert len(tidy) == 241 * 2 * 3
    row = tidy[(tidy.member == 1) & (tidy.variable == "heat_loss") & (tidy.time == 30)]
    assert row.value.item() == pytest.approx(ens["heat_loss"][1].loc[30])
    single = res.tidy()
    assert set(single.member) == {0} and len(single) == 241 * 2


def test_plot_single_run(res):
    ax = res.plot("teacup_temperature")
    assert ax.get_ylabel() == "Tea temperature (°F)"
    assert ax.get_xlabel() == "Time (minute)"
    assert ax.get_title() == "Teacup"
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), res["teacup_temperature"])


def test_plot_several_variables_has_a_legend(res):
    ax = res.plot(title="Heat flows out until the tea reaches the room")
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Tea temperature",
                                                                   "heat loss"]
    assert ax.get_title() == "Heat flows out until the tea reaches the room"


def test_plot_ensemble_is_a_fan_with_parameter_legend(ens):
    ax = ens.plot("teacup_temperature")
    assert len(ax.get_lines()) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["room temperature = 0", "room temperature = 35",
                      "room temperature = 70"]


def test_ensemble_legend_uses_the_parameters_labels():
    model = teacup()
    model.remove("room_temperature")
    model.constant("room_temperature", 70, label="temperature of the room")
    ax = model.run(params={"room_temperature": [0, 70]}).plot("teacup_temperature")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["temperature of the room = 0", "temperature of the room = 70"]


def _looks(lines):
    return [(line.get_color(), line.get_linestyle()) for line in lines]


def test_ensemble_members_differ_in_colour_and_line_style(ens):
    ax = ens.plot("teacup_temperature")
    looks = _looks(ax.get_lines())
    assert len({c for c, _ in looks}) == 3 and len({s for _, s in looks}) == 3
    legend = ax.get_legend()
    assert _looks(legend.get_lines()) == looks


def test_runs_drawn_on_the_same_axes_take_the_next_look():
    # session 14 draws three car-dealer runs one after the other on one axes;
    # they were all the same blue
    ax = None
    for k in (5, 10, 20):
        model = teacup()
        model.remove("characteristic_time")
        model.constant("characteristic_time", k)
        ax = model.run().plot("teacup_temperature", ax=ax)
    looks = _looks(ax.get_lines())
    assert len(set(looks)) == 3
    assert len({c for c, _ in looks}) == 3 and len({s for _, s in looks}) == 3
    assert ax.get_legend() is not None and len(ax.get_legend().get_lines()) == 3


def test_several_variables_of_an_ensemble_colour_by_variable_style_by_member(ens):
    ax = ens.plot("teacup_temperature", "heat_loss")
    looks = _looks(ax.get_lines())
    assert len(set(looks)) == 6
    assert looks[0][0] == looks[1][0] != looks[3][0]
    assert looks[0][1] == looks[3][1] != looks[1][1]


def test_large_ensemble_is_a_fan_without_legend():
    ens = teacup().run(params={"room_temperature": list(range(0, 80, 5))})
    ax = ens.plot("teacup_temperature")
    assert len(ax.get_lines()) == 16 and ax.get_legend() is None
    assert len({line.get_color() for line in ax.get_lines()}) == 1


def test_svg_and_png_of_a_graph_are_deterministic(ens):
    svg = ens.to_svg("teacup_temperature", title="Cooling")
    assert svg == ens.to_svg("teacup_temperature", title="Cooling")
    assert "<dc:date>" not in svg
    png = ens.to_png("teacup_temperature")
    assert png.startswith(b"\x89PNG") and png == ens.to_png("teacup_temperature")


def test_plot_on_given_axes_and_unknown_variable(res):
    _, ax = plt.subplots()
    assert res.plot("heat_loss", ax=ax) is ax
    with pytest.raises(UnknownNameError):
        res.plot("nothing")


def test_plot_respects_the_theme(res):
    with style.theme("presentation"):
        ax = res.plot("heat_loss")
    assert ax.title.get_fontsize() == style.get("presentation").title_size


def test_html_repr_is_a_truncated_table(res):
    html = res._repr_html_()
    assert "<table" in html and "teacup_temperature" in html
    assert html.count("<tr") < 40


def test_results_from_a_plain_frame():
    frame = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index([0.0, 1.0], name="time"))
    res = Results(frame, model_name="by hand")
    assert repr(res) == "<Results 'by hand': 2 rows × 1 variable, time 0–1>"
    assert res.label("x") == "x" and res.parameters == ({},)

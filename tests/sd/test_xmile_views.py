"""XMILE ``<views>``: the stock-and-flow diagram's positions are written, read back and drawn."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from csframework.errors import DiagramError, UnknownNameError
from csframework.sd import StockFlowModel
from csframework.sd.diagram import draw, layout
from csframework.sd.loading import read_xmile
from csframework.sd.xmile import VIEW_SCALE, XmileWarning, xmile_names


def epidemic() -> StockFlowModel:
    m = StockFlowModel("Epidemic", stop=20)
    m.constant("contact_rate", 0.3, label="Contact Rate")
    m.constant("recovery_time", 7)
    m.stock("susceptible", 990, outflows=["infection"])
    m.stock("infected", 10, inflows=["infection"], outflows=["recovery"])
    m.stock("recovered", 0, inflows=["recovery"])
    m.auxiliary("total", "susceptible + infected + recovered")
    m.flow("infection", "contact_rate * susceptible * infected / total")
    m.flow("recovery", "infected / recovery_time")
    return m


PLACES = {"susceptible": (0.0, 0.0), "infection": (10.5, 0.25), "infected": (21.0, 0.0),
          "recovery": (31.125, -0.5), "recovered": (42.0, 0.0), "contact_rate": (10.0, 8.0),
          "recovery_time": (31.0, -9.3333333333), "total": (21.0, 12.7)}


def placed() -> StockFlowModel:
    m = epidemic()
    for name, (x, y) in PLACES.items():
        m.place(name, x, y)
    return m


def view_entries(text: str) -> dict[str, tuple[str, float, float]]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    ns = {"x": "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"}
    view = root.find("x:model/x:views/x:view", ns)
    assert view is not None
    return {el.get("name"): (el.tag.split("}")[1], float(el.get("x")), float(el.get("y")))
            for el in view}


def test_lookups_are_kept_in_csframework_namespace_and_read_back():
    m = placed()
    m.lookup("effect", [(0, 1), (1, 0)])
    m.place("effect", 3, 4)
    text = m.to_xmile()
    assert '<csf:gf name="effect"' in text
    assert view_entries(text)["effect"][0] == "gf"
    back = read_xmile(text)
    assert back.positions["effect"] == (3.0, 4.0) and set(back.positions) == set(back.names())


def test_place_checks_names_and_numbers_and_copy_and_remove_keep_up():
    m = epidemic()
    with pytest.raises(UnknownNameError, match="did you mean 'infected'"):
        m.place("infectd", 1, 2)
    with pytest.raises(DiagramError, match="finite"):
        m.place("infected", math.inf, 2)
    with pytest.raises(DiagramError, match="number"):
        m.place("infected", "1", 2)
    assert m.place("infected", 1, 2) == (1.0, 2.0)
    other = m.copy()
    m.remove("infected")
    assert "infected" not in m.positions and other.positions["infected"] == (1.0, 2.0)
    with pytest.raises(TypeError):
        m.positions["total"] = (0, 0)  # read-only


@pytest.mark.parametrize("dialect", ["standard", "pysd"])
def test_positions_survive_a_round_trip(dialect):
    m = placed()
    back = read_xmile(m.to_xmile(dialect=dialect))
    assert set(back.positions) == set(PLACES)
    for name, (x, y) in PLACES.items():
        bx, by = back.positions[name]
        assert abs(bx - x) < 1e-9 and abs(by - y) < 1e-9, name


def test_views_use_xmile_names_pixels_and_y_down():
    m = placed()
    entries = view_entries(m.to_xmile())
    names = xmile_names(m)
    assert entries["Contact Rate"][0] == "aux" and entries["susceptible"][0] == "stock"
    assert entries["infection"][0] == "flow"
    assert len(entries) == len(PLACES)
    assert all(x > 0 and y > 0 for _, x, y in entries.values())
    # 10 px per em; y down: total (above) has a smaller y than recovery_time (below)
    _, x1, y1 = entries[names["infected"]]
    _, x0, y0 = entries[names["susceptible"]]
    assert (x1 - x0, y1 - y0) == (21.0 * VIEW_SCALE, 0.0)
    assert entries["total"][2] < entries["infected"][2] < entries["recovery_time"][2]


def test_a_model_without_positions_writes_its_computed_layout():
    m = epidemic()
    assert not m.positions
    entries = view_entries(m.to_xmile())
    assert set(entries) == set(xmile_names(m).values())
    back = read_xmile(m.to_xmile())
    computed = layout(m)
    for name in m.names():
        assert np.allclose(back.positions[name], computed[name], atol=1e-9)


def test_a_drawing_of_a_model_read_back_uses_the_stored_positions():
    m = placed()
    back = read_xmile(m.to_xmile())
    assert layout(back) == {n: (round(x, 3) + 0.0, round(y, 3) + 0.0)
                            for n, (x, y) in PLACES.items()}
    assert layout(back) != layout(epidemic())
    ax = draw(back).axes[0]
    centres = {}
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith(("stock:", "constant:", "auxiliary:")):
            box = patch.get_bbox() if hasattr(patch, "get_bbox") else None
            centres[gid.split(":")[1]] = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    # the drawing shifts everything by one offset: differences between centres are kept
    for a, b in [("susceptible", "infected"), ("contact_rate", "total"),
                 ("recovered", "recovery_time")]:
        dx = centres[b][0] - centres[a][0]
        dy = centres[b][1] - centres[a][1]
        assert np.allclose((dx, dy), (PLACES[b][0] - PLACES[a][0], PLACES[b][1] - PLACES[a][1]))


def test_partly_placed_models_are_laid_out_as_before():
    m = epidemic()
    m.place("total", 100, 100)
    assert layout(m) == layout(epidemic())


def test_a_non_negative_stock_read_back_places_its_floor_flow_too():
    m = placed()
    m.remove("recovered")
    m.stock("recovered", 0, inflows=["recovery"], non_negative=True)
    m.place("recovered", 42, 0)
    back = read_xmile(m.to_xmile())
    assert "recovered_floor" in back.flows and set(back.positions) == set(back.names())


def test_bad_view_numbers_are_ignored_with_a_warning_and_unknown_names_skipped():
    text = placed().to_xmile()
    text = text.replace('name="total" x="', 'name="total" x="nan" old="')
    text = text.replace("</view>", '<aux name="nowhere" x="1" y="2" /><connector uid="1" />'
                                   "</view>")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = read_xmile(text)
    assert any(issubclass(w.category, XmileWarning) and "'nan'" in str(w.message)
               for w in caught)
    assert "total" not in back.positions and "nowhere" not in back.positions
    assert set(back.positions) == set(PLACES) - {"total"}


@pytest.mark.pysd
@pytest.mark.parametrize("dialect", ["standard", "pysd"])
def test_pysd_reads_a_file_with_views_and_gets_the_same_results(tmp_path, pysd_cache,
                                                                 dialect):
    from csframework.sd.pysd_backend import PySDModel

    m = placed()
    path = tmp_path / f"epidemic-{dialect}.xmile"
    m.to_xmile(path, dialect=dialect)
    assert "<views>" in path.read_text()
    native = m.run().to_frame()
    reference = PySDModel(path).run().to_frame()
    names = xmile_names(m)
    for column, values in native.items():
        assert np.allclose(values.to_numpy(), reference[names[column]].to_numpy(dtype=float),
                           rtol=1e-6), column


def test_a_model_of_auxiliaries_only_gets_views_too():
    m = StockFlowModel("Names only")
    m.auxiliary("a", "time")
    m.auxiliary("b", "a * 2")
    entries = view_entries(m.to_xmile())
    assert set(entries) == {"a", "b"} and entries["a"][1:] != entries["b"][1:]

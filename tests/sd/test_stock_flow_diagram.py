"""Stock-and-flow diagrams: conventions, gids, layout, legibility on the rendered figure."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

import csframework as csf
from csframework import style
from csframework.sd import StockFlowModel
from csframework.sd.diagram import layout


def gids(fig) -> list[str]:
    ax = fig.axes[0]
    return [a.get_gid() for a in (*ax.patches, *ax.lines, *ax.texts) if a.get_gid()]


def text_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts whose rendered extents overlap (what a reader would see)."""
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.axes[0].texts if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_gid() or t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for (a, ea), (b, eb) in itertools.combinations(boxes, 2)
            if ea.overlaps(eb)]


def texts_on_shapes(fig) -> list[tuple[str, str]]:
    """Names drawn over a stock box, a valve or a cloud that is not their own."""
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    shapes = [(p.get_gid(), p.get_window_extent(renderer)) for p in ax.patches
              if (p.get_gid() or "").startswith(("stock:", "flow:", "cloud:"))]
    found = []
    for text in ax.texts:
        gid = text.get_gid() or ""
        if not gid.startswith("label:"):
            continue
        name = gid.split(":", 1)[1]
        extent = text.get_window_extent(renderer)
        for shape, box in shapes:
            if shape.split(":")[-1] != name and extent.overlaps(box):
                found.append((gid, shape))
    return found


def bathtub() -> StockFlowModel:
    m = StockFlowModel("Bathtub", stop=10)
    m.constant("tap_setting", 5, label="tap setting")
    m.stock("water_in_tub", 50, inflows=["filling"], outflows=["draining"])
    m.flow("filling", "tap_setting")
    m.flow("draining", "water_in_tub / 10")
    return m


def sir() -> StockFlowModel:
    m = StockFlowModel("Epidemic", stop=60)
    m.constant("contact_rate", 0.3)
    m.constant("recovery_time", 7)
    m.stock("susceptible", 990, outflows=["infection"])
    m.stock("infected", 10, inflows=["infection"], outflows=["recovery"])
    m.stock("recovered", 0, inflows=["recovery"])
    m.auxiliary("total", "susceptible + infected + recovered")
    m.flow("infection", "contact_rate * susceptible * infected / total")
    m.flow("recovery", "infected / recovery_time")
    return m


def test_conventions_carry_gids():
    fig = bathtub().draw()
    found = set(gids(fig))
    assert {"stock:water_in_tub", "flow:filling", "flow:draining", "pipe:filling",
            "cloud:source:filling", "cloud:sink:draining", "constant:tap_setting",
            "link:tap_setting->filling", "link:water_in_tub->draining", "title"} <= found
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
    # names, not identifiers
    assert texts["label:water_in_tub"] == "water in tub"
    assert texts["label:tap_setting"] == "tap setting"
    assert not any("_" in text for text in texts.values())


def test_valve_is_a_bow_tie_on_the_pipe():
    fig = bathtub().draw()
    valve = next(p for p in fig.axes[0].patches if p.get_gid() == "flow:filling")
    xy = valve.get_xy()[:4]
    # four corners, crossing in the middle: an hourglass across a horizontal pipe
    assert xy[0][1] == xy[1][1] and xy[2][1] == xy[3][1] and xy[0][0] == xy[2][0]


def test_stocks_in_a_row_along_the_chain_flows_between():
    places = layout(sir())
    xs = {n: places[n][0] for n in ("susceptible", "infection", "infected", "recovery",
                                    "recovered")}
    assert xs["susceptible"] < xs["infection"] < xs["infected"] < xs["recovery"] < xs[
        "recovered"]
    assert places["susceptible"][1] == places["infected"][1] == places["recovered"][1]
    fig = sir().draw()
    clouds = [g for g in gids(fig) if g.startswith("cloud:")]
    assert clouds == []  # the chain is closed: nothing comes from or goes outside


def test_auxiliaries_sit_near_what_they_feed():
    places = layout(csf.library.load("car dealer inventory"))
    stock = places["inventory"]

    def dist(a, b):
        return ((places[a][0] - places[b][0]) ** 2 + (places[a][1] - places[b][1]) ** 2) ** 0.5

    assert dist("perception_delay", "perceived_sales") < dist("perception_delay", "inventory")
    assert all(abs(places[n][0] - stock[0]) < 40 for n in places)


def test_layout_is_deterministic_across_processes():
    code = ("import csframework as csf, hashlib;"
            "print(hashlib.sha256(csf.library.load('fishery').to_svg().encode()).hexdigest())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**__import__("os").environ, "PYTHONHASHSEED": seed}
                           ).stdout for seed in ("1", "2")}
    assert len(runs) == 1


def _library_models():
    """Every library model, and every variant that may change its structure (switches, choices)."""
    found = [(name, {}) for name in csf.library.names()]
    for name in csf.library.names():
        for variant in csf.library.info(name).variants:
            if variant.kind in ("switch", "choice"):
                found += [(name, {variant.keyword: value}) for value in variant.values
                          if value != variant.default]
    return found


@pytest.mark.parametrize("theme", ["participant", "presentation"])
@pytest.mark.parametrize(("name", "variant"), _library_models(),
                         ids=lambda v: v if isinstance(v, str) else ",".join(map(str, v.values())))
def test_library_diagrams_are_legible(name, variant, theme):
    with style.theme(theme):
        fig = csf.library.load(name, **variant).draw()
        fig.canvas.draw()
        assert text_overlaps(fig) == []
        assert texts_on_shapes(fig) == []


def test_the_overlap_check_can_fail():
    fig = bathtub().draw()
    ax = fig.axes[0]
    first = next(t for t in ax.texts if t.get_gid() == "label:filling")
    ax.text(*first.get_position(), "on top", gid="label:intruder", fontsize=first.get_fontsize())
    fig.canvas.draw()
    assert ("label:filling", "label:intruder") in text_overlaps(fig)


def test_model_shows_its_diagram_and_keeps_its_equations():
    m = bathtub()
    assert not hasattr(m, "_repr_html_")   # JupyterLab would prefer HTML to the picture
    svg = m._repr_svg_()
    assert svg.startswith("<?xml") and svg == m.to_svg() and "<dc:date>" not in svg
    assert m._repr_png_().startswith(b"\x89PNG")
    table = m.equations()
    assert repr(table) == "<Equations of 'Bathtub': 4 elements>"
    html = table._repr_html_()
    assert "<td>draining</td>" in html and "water_in_tub / 10" in html
    name, kind, definition, _ = table.rows[1]
    assert (name, kind) == ("water_in_tub", "stock")
    assert definition.endswith("in: filling; out: draining")


def test_flow_of_no_stock_and_empty_model_still_draw():
    m = StockFlowModel("Loose")
    m.flow("spill", 1)
    assert "cloud:source:spill" in gids(m.draw())
    empty = StockFlowModel("Nothing yet")
    assert empty.draw().axes[0].texts[0].get_text() == "Nothing yet"


def test_backward_and_skipping_flows_are_routed_around():
    m = sir()
    m.flow("losing_immunity", "recovered / 100")
    m.flow("vaccination", "susceptible * 0.01")
    m.remove("susceptible")
    m.stock("susceptible", 990, inflows=["losing_immunity"],
            outflows=["infection", "vaccination"])
    m.remove("recovered")
    m.stock("recovered", 0, inflows=["recovery", "vaccination"], outflows=["losing_immunity"])
    fig = m.draw()
    fig.canvas.draw()
    bends = sorted(len(line.get_xdata()) for line in fig.axes[0].lines
                   if line.get_gid().startswith("pipe:"))
    # a ring of three stocks in a row: two neighbours' pipes are straight, the flow back
    # to the first and the flow skipping a stock go round (down/up, across, up/down)
    assert bends == [2, 2, 4, 4]
    assert text_overlaps(fig) == []


def test_labels_are_drawn_as_written_never_as_math():
    # labels come from files too: a '$' must not switch on matplotlib's math parser
    m = StockFlowModel("Costs $ and $x^2$")
    m.stock("cost", 1, inflows=["spending"], label="cost in $ (and $x^2$)")
    m.flow("spending", 1)
    fig = m.draw()
    fig.canvas.draw()
    label = next(t for t in fig.axes[0].texts if t.get_gid() == "label:cost")
    assert "$x^2$" in label.get_text().replace("\n", " ")
    assert not label._parse_math

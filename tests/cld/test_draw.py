"""Tests of causal loop diagram drawing: the structure of the figure, not its pixels."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from csframework import style
from csframework.cld import CausalLoopDiagram
from csframework.cld.draw import draw, layout, to_png
from csframework.errors import DiagramError, UnknownNameError

matplotlib.use("Agg")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BURDEN = """
    problem symptom -> symptomatic solution : +
    symptomatic solution -> problem symptom : -
    problem symptom -> fundamental solution : +
    fundamental solution -> problem symptom : - delay
    symptomatic solution -> side effect : +
    side effect -> fundamental solution : -
"""

WORDS = ["trust", "participation", "stress", "energy", "workload", "learning", "attendance",
         "morale", "pressure", "curiosity", "feedback", "wellbeing", "belonging", "conflict",
         "support", "sleep", "focus", "burnout", "resources", "enrolment", "funding",
         "reputation", "collaboration", "innovation", "turnover", "recognition", "autonomy",
         "mastery", "purpose", "safety"]


def burden() -> CausalLoopDiagram:
    return CausalLoopDiagram.from_text(BURDEN, title="Shifting the burden")


def classroom() -> CausalLoopDiagram:
    cld = CausalLoopDiagram("Classroom")
    cld.add_variable("trust", facet="others")
    cld.add_variable("teacher stress", facet="self")
    cld.add_variable("exam pressure", facet="world")
    for cause, effect, sign, delay in [
        ("trust", "participation", "+", False),
        ("participation", "learning", "+", True),
        ("learning", "trust", "+", False),
        ("exam pressure", "teacher stress", "+", False),
        ("teacher stress", "trust", "-", True),
        ("learning", "exam pressure", "-", False),
        ("participation", "teacher stress", "-", False),
        ("teacher stress", "participation", "-", False),
    ]:
        cld.link(cause, effect, sign, delay=delay)
    loop = next(lp for lp in cld.loops() if len(lp.variables) == 3 and "trust" in lp.variables
                and "learning" in lp.variables and "participation" in lp.variables)
    cld.name_loop(loop.name, "trust builds trust")
    return cld


def random_diagram(n: int, extra: int, seed: int) -> CausalLoopDiagram:
    """A ring through `n` variables plus `extra` random links."""
    rng = random.Random(seed)
    names = WORDS[:n]
    order = rng.sample(names, n)
    cld = CausalLoopDiagram(f"{n} random variables")
    for a, b in zip(order, order[1:] + order[:1], strict=True):
        cld.link(a, b, rng.choice("+-"))
    added = 0
    while added < extra:
        a, b = rng.sample(names, 2)
        if (a, b) not in {(k.cause, k.effect) for k in cld.links}:
            cld.link(a, b, rng.choice("+-"), delay=rng.random() < 0.15)
            added += 1
    return cld


def by_gid(figure, prefix: str) -> dict[str, object]:
    """Artists of the figure whose gid starts with `prefix`, keyed by the rest of the gid."""
    found = {}
    for artist in figure.findobj(lambda a: (a.get_gid() or "").startswith(prefix)):
        found[artist.get_gid()[len(prefix):]] = artist
    return found


def link_keys(cld: CausalLoopDiagram) -> set[str]:
    return {f"{k.cause}->{k.effect}" for k in cld.links}


def rendered(figure):
    figure.canvas.draw()
    return figure.canvas.get_renderer()


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def cross(u, v) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain, counter-clockwise."""
    pts = sorted(map(tuple, points))

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and cross(np.subtract(out[-1], out[-2]),
                                           np.subtract(p, out[-2])) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return np.array(half(pts) + half(reversed(pts)))


def inside_convex(point: np.ndarray, hull: np.ndarray) -> bool:
    edges = np.roll(hull, -1, axis=0) - hull
    return all(cross(e, point - h) >= -1e-9 for e, h in zip(edges, hull, strict=True))


def signed_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


# -- what is drawn --------------------------------------------------------------------------

@pytest.mark.parametrize("make", [burden, classroom])
def test_every_link_has_one_curved_arrow(make):
    cld = make()
    arrows = by_gid(draw(cld), "link:")
    assert set(arrows) == link_keys(cld)
    assert all(isinstance(a, FancyArrowPatch) for a in arrows.values())


@pytest.mark.parametrize("make", [burden, classroom])
def test_every_link_has_its_sign_with_a_true_minus(make):
    cld = make()
    signs = by_gid(draw(cld), "sign:")
    assert set(signs) == link_keys(cld)
    for link in cld.links:
        text = signs[f"{link.cause}->{link.effect}"].get_text()
        assert text == ("\u2212" if link.is_negative else "+")


def test_signs_sit_near_the_effect_end_of_their_arrow():
    cld = burden()
    figure = draw(cld)
    positions = layout(cld)
    for link in cld.links:
        sign = np.array(by_gid(figure, "sign:")[f"{link.cause}->{link.effect}"].get_position())
        to_effect = np.linalg.norm(sign - positions[link.effect])
        to_cause = np.linalg.norm(sign - positions[link.cause])
        assert to_effect < to_cause


@pytest.mark.parametrize("make", [burden, classroom])
def test_delay_marks_only_on_delayed_links(make):
    cld = make()
    marks = by_gid(draw(cld), "delay:")
    assert set(marks) == {f"{k.cause}->{k.effect}" for k in cld.links if k.delay}
    for line in marks.values():  # two bars: two segments separated by a break
        assert np.isnan(line.get_xydata()).any()


@pytest.mark.parametrize("make", [burden, classroom])
def test_every_loop_has_a_marker_its_name_and_its_story(make):
    cld = make()
    figure = draw(cld)
    names = {loop.name for loop in cld.loops()}
    assert set(by_gid(figure, "loop-marker:")) == names
    labels = by_gid(figure, "loop-label:")
    assert {name: label.get_text() for name, label in labels.items()} == {n: n for n in names}
    stories = by_gid(figure, "loop-story:")
    assert {n: s.get_text() for n, s in stories.items()} == {
        loop.name: loop.story for loop in cld.loops() if loop.story}


@pytest.mark.parametrize("make", [burden, classroom,
                                  lambda: random_diagram(12, 6, seed=3)])
def test_loop_markers_lie_inside_their_loops(make):
    cld = make()
    figure = draw(cld)
    positions = {k: np.array(v) for k, v in layout(cld).items()}
    labels = by_gid(figure, "loop-label:")
    for loop in cld.loops():
        if loop.name not in labels:
            continue
        marker = np.array(labels[loop.name].get_position())
        nodes = np.array([positions[v] for v in loop.variables])
        if len(nodes) >= 3:
            assert inside_convex(marker, convex_hull(nodes)), loop
        else:  # between the two curves of a pair: near the middle of the two names
            a, b = nodes
            assert np.linalg.norm(marker - (a + b) / 2) < np.linalg.norm(b - a) / 2


def test_loop_markers_turn_the_way_their_loop_runs():
    for text in ("a -> b : +\nb -> c : +\nc -> a : -", "a -> c : +\nc -> b : +\nb -> a : -"):
        cld = CausalLoopDiagram.from_text(text)
        positions = layout(cld)
        loop = cld.loops()[0]
        polygon = np.array([positions[v] for v in loop.variables])
        marker = by_gid(draw(cld), "loop-marker:")[loop.name]
        arc = marker.get_path().vertices
        centre = np.array(by_gid(marker.figure, "loop-label:")[loop.name].get_position())
        turning = signed_area(np.vstack([centre, arc]))
        assert np.sign(turning) == np.sign(signed_area(polygon))


def test_loop_colours_follow_the_palette():
    cld = burden()
    figure = draw(cld)
    for loop in cld.loops():
        marker = by_gid(figure, "loop-marker:")[loop.name]
        assert to_hex(marker.get_edgecolor()).upper() == style.PALETTE[loop.kind].upper()


def test_facets_colour_the_names_and_get_a_legend():
    cld = classroom()
    figure = draw(cld)
    labels = by_gid(figure, "label:")
    assert to_hex(labels["trust"].get_color()).upper() == style.PALETTE["others"].upper()
    assert to_hex(labels["learning"].get_color()).upper() == style.PALETTE["text"].upper()
    legend = by_gid(figure, "legend:facets")[""]
    assert [t.get_text() for t in legend.get_texts()] == ["facets:", "self", "others", "world"]
    assert not by_gid(draw(burden()), "legend:")


def test_title_is_drawn_from_the_diagram_or_the_argument():
    assert by_gid(draw(burden()), "title")[""].get_text() == "Shifting the burden"
    assert by_gid(draw(burden(), title="Fixes"), "title")[""].get_text() == "Fixes"


def test_show_loops_false_draws_no_markers():
    assert not by_gid(draw(burden(), show_loops=False), "loop-marker:")
    assert len(by_gid(draw(burden(), show_loops=1), "loop-marker:")) == 1


# -- highlighting ---------------------------------------------------------------------------

@pytest.mark.parametrize("choose", [lambda cld: "R1", lambda cld: "trust builds trust",
                                    lambda cld: cld.loop("trust builds trust")])
def test_highlight_thickens_the_loop_and_mutes_the_rest(choose):
    cld = classroom()
    wanted = choose(cld)
    loop = cld.loop(wanted if isinstance(wanted, str) else wanted.name)
    plain = by_gid(draw(cld), "link:")
    lit = by_gid(draw(cld, highlight=wanted), "link:")
    v = loop.variables
    in_loop = {f"{a}->{b}" for a, b in zip(v, v[1:] + v[:1], strict=True)}
    colour = style.PALETTE[loop.kind].upper()
    for key, arrow in lit.items():
        if key in in_loop:
            assert arrow.get_linewidth() > plain[key].get_linewidth()
            assert to_hex(arrow.get_edgecolor()).upper() == colour
        else:
            assert to_hex(arrow.get_edgecolor()).upper() == style.PALETTE["muted"].upper()


def test_unknown_highlight_says_what_was_meant():
    cld = classroom()
    with pytest.raises(UnknownNameError, match="did you mean 'trust builds trust'") as info:
        draw(cld, highlight="trust bilds trust")
    assert isinstance(info.value, KeyError)
    assert "Classroom" in str(info.value)
    with pytest.raises(UnknownNameError, match="unknown loop 'R9'"):
        draw(cld, highlight="R9")


# -- layout ---------------------------------------------------------------------------------

def test_layout_is_deterministic_and_ignores_link_order():
    first = layout(burden())
    assert layout(burden()) == first
    shuffled = CausalLoopDiagram.from_text("\n".join(reversed(BURDEN.strip().splitlines())))
    again = layout(shuffled)
    assert {k: again[k] for k in first} == first
    big = random_diagram(20, 10, seed=5)
    reordered = CausalLoopDiagram()
    for link in sorted(big.links, key=lambda k: (k.effect, k.cause), reverse=True):
        reordered.link(link.cause, link.effect, link.polarity, delay=link.delay)
    assert layout(reordered) == layout(big)  # the same position for every name


def test_layout_fits_the_box_and_keeps_variable_order():
    cld = classroom()
    positions = layout(cld)
    assert list(positions) == [v.name for v in cld.variables]
    points = np.array(list(positions.values()))
    assert np.all(np.abs(points) <= 1.0 + 1e-6)
    assert np.isclose((points.max(axis=0) - points.min(axis=0)).max(), 2.0)


def test_two_variables_sit_side_by_side():
    positions = layout(CausalLoopDiagram.from_text("a -> b : +\nb -> a : -"))
    (xa, ya), (xb, yb) = positions["a"], positions["b"]
    assert ya == yb and xa != xb


def test_a_single_loop_is_drawn_as_a_circle():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +\nc -> d : +\nd -> e : +\ne -> a : -")
    points = np.array(list(layout(cld).values()))
    radii = np.linalg.norm(points - points.mean(axis=0), axis=1)
    assert np.allclose(radii, radii[0], rtol=0.02)


def test_given_positions_are_used_and_the_rest_placed_around_them():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +\nc -> a : -")
    figure = draw(cld, layout={"a": (0, 0), "b": (3, 1), "c": (1, -2)})
    labels = by_gid(figure, "label:")
    assert labels["a"].get_position() == (0, 0)
    partial = by_gid(draw(cld, layout={"a": (0, 0), "b": (3, 0)}), "label:")
    (ax, ay), (bx, by) = partial["a"].get_position(), partial["b"].get_position()
    assert ay == pytest.approx(by) and bx > ax        # kept level, in the given order
    assert set(partial) == {"a", "b", "c"}
    with pytest.raises(UnknownNameError, match="'d'"):
        draw(cld, layout={"d": (0, 0)})
    with pytest.raises(DiagramError, match="'a'"):
        draw(cld, layout={"a": (0, float("nan"))})


@pytest.mark.parametrize("make", [burden, classroom,
                                  lambda: random_diagram(8, 4, seed=1),
                                  lambda: random_diagram(30, 12, seed=1)])
def test_names_never_overlap_and_arrows_stop_short_of_them(make):
    cld = make()
    figure = draw(cld)
    renderer = rendered(figure)
    boxes = {name: t.get_window_extent(renderer) for name, t in by_gid(figure, "label:").items()}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not overlaps(box_a, box_b), (a, b)
    for key, arrow in by_gid(figure, "link:").items():
        cause, effect = key.split("->")
        path = arrow.get_path()
        points = arrow.get_transform().transform(path.vertices)
        for name in (cause, effect):
            assert not boxes[name].count_contains(points), (key, name)


@pytest.mark.parametrize("make", [burden, classroom])
def test_arrows_cross_no_name_in_small_diagrams(make):
    figure = draw(make())
    renderer = rendered(figure)
    boxes = [t.get_window_extent(renderer) for t in by_gid(figure, "label:").values()]
    for arrow in by_gid(figure, "link:").values():
        curve = arrow.get_path().interpolated(30)
        points = arrow.get_transform().transform(curve.vertices)
        assert not any(box.count_contains(points) for box in boxes)


# -- sizes, edge cases and output -----------------------------------------------------------

def test_presentation_theme_uses_larger_fonts():
    small = by_gid(draw(burden()), "label:")["side effect"].get_fontsize()
    with style.theme("presentation"):
        figure = draw(burden())
    large = by_gid(figure, "label:")["side effect"].get_fontsize()
    assert large > small
    assert by_gid(figure, "sign:")["side effect->fundamental solution"].get_fontsize() > 12


@pytest.mark.parametrize("text", ["", "alone", "a -> b : +", "a -> b : +\nb -> a : - delay"])
def test_tiny_diagrams_draw(text):
    cld = CausalLoopDiagram.from_text(text)
    figure = draw(cld)
    assert len(by_gid(figure, "label:")) == len(cld.variables)
    assert to_png(cld).startswith(PNG_SIGNATURE)


def test_draw_into_given_axes_returns_their_figure():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    ax = figure.add_subplot()
    assert draw(burden(), ax=ax) is figure
    assert set(by_gid(figure, "link:")) == link_keys(burden())
    assert by_gid(figure, "title")[""].get_text() == "Shifting the burden"


def test_to_png_is_deterministic_and_carries_no_timestamp():
    first = to_png(classroom(), highlight="R1")
    assert first.startswith(PNG_SIGNATURE)
    assert first == to_png(classroom(), highlight="R1")
    assert b"Software" not in first and b"tIME" not in first
    assert first != to_png(classroom())


def test_diagram_methods_use_these_functions():
    cld = burden()
    assert cld._repr_png_() == to_png(cld)
    assert set(by_gid(cld.draw(highlight="R1"), "link:")) == link_keys(cld)


def test_drawing_needs_no_pyplot_and_import_needs_no_matplotlib():
    code = (
        "import sys\n"
        "import csframework as csf\n"
        "assert 'matplotlib' not in sys.modules, 'import csframework imported matplotlib'\n"
        "cld = csf.CausalLoopDiagram.from_text('a -> b : +\\nb -> a : -')\n"
        "cld.draw(); cld.to_png()\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'drawing imported pyplot'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_drawn_diagram_shows_as_a_picture_in_ipython_before_pyplot_is_imported():
    # 00 c12 showed '<Figure size 388x299 with 1 Axes>': IPython shows a figure as a
    # picture only once pyplot is imported, and csframework never imports it.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import csframework as csf\n"
        "cld = csf.CausalLoopDiagram.from_text('a -> b : +\\nb -> a : -')\n"
        "data, _ = shell.display_formatter.format(cld.draw(highlight='B1'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "print(sorted(data), data['image/png'][:4] if 'image/png' in data else None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "['image/png', 'text/plain'] b'\\x89PNG'"

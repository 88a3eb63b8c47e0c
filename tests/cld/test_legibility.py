"""Legibility of every causal loop diagram the toolkit draws, measured on the rendered figure.

The checker itself is tested first on hand-made figures (so that it can fail),
then run on every archetype, every library model's diagram, the diagrams the
notebooks write, and seeded random diagrams of 10-30 variables, in both themes.
"""

from __future__ import annotations

import ast
import json
import pathlib
import random
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path

from csframework import archetypes, library, style
from csframework.cld import CausalLoopDiagram
from csframework.cld.draw import MAX_NAME_CHARS, OVERVIEW_ABOVE, draw, layout, store_positions
from csframework.cld.legibility import check

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[2]

WORDS = ["trust", "participation", "stress", "energy", "workload", "learning", "attendance",
         "morale", "pressure", "curiosity", "feedback", "wellbeing", "belonging", "conflict",
         "support", "sleep", "focus", "burnout", "resources", "enrolment", "funding",
         "reputation", "collaboration", "innovation", "turnover", "recognition", "autonomy",
         "mastery", "purpose", "safety", "time to talk", "quality of teaching",
         "parents' involvement", "sense of belonging", "teacher workload", "exam pressure"]


def random_diagram(n: int, seed: int) -> CausalLoopDiagram:
    """A participant-style diagram: a ring through `n` variables and about n/2 more links."""
    rng = random.Random(seed)
    names = rng.sample(WORDS, n)
    cld = CausalLoopDiagram(f"{n} variables, seed {seed}")
    for a, b in zip(names, names[1:] + names[:1], strict=True):
        cld.link(a, b, rng.choice("+-"))
    added = 0
    while added < n // 2:
        a, b = rng.sample(names, 2)
        if (a, b) not in {(k.cause, k.effect) for k in cld.links}:
            cld.link(a, b, rng.choice("+-"), delay=rng.random() < 0.15)
            added += 1
    return cld


def notebook_diagrams() -> dict[str, str]:
    """``from_text`` sources (and titles) written in the notebooks, read with ast only."""
    found = {}
    for path in sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")]):
        for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "from_text" and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    title = next((k.value.value for k in node.keywords
                                  if k.arg == "title" and isinstance(k.value, ast.Constant)),
                                 None)
                    found[f"{path.stem}[{number}]"] = (node.args[0].value, title)
    return found


NOTEBOOK_DIAGRAMS = notebook_diagrams()

#: Library models too large for a full drawing: they are drawn as an overview (tested below).
LARGE = ("world3",)

CASES = ([(f"archetype: {name}", lambda name=name: archetypes.get(name).cld)
          for name in archetypes.names()]
         + [(f"library: {name}", lambda name=name: library.load(name).to_cld())
            for name in library.names() if name not in LARGE]
         + [(f"notebook: {key}", lambda key=key: CausalLoopDiagram.from_text(
             NOTEBOOK_DIAGRAMS[key][0], title=NOTEBOOK_DIAGRAMS[key][1]))
            for key in NOTEBOOK_DIAGRAMS]
         + [(f"random: {n} variables, seed {seed}", lambda n=n, seed=seed: random_diagram(n, seed))
            for n in (10, 14, 18, 22, 26, 30) for seed in (1, 2)])


# -- the checker sees what a reader would see -----------------------------------------------

def figure_with(*artists_of) -> Figure:
    figure = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 3)
    for make in artists_of:
        make(ax)
    return figure


def text(gid: str, x: float, y: float, s: str = "a name"):
    return lambda ax: ax.text(x, y, s, ha="center", va="center", gid=gid)


def arrow(gid: str, points):
    return lambda ax: ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>",
                                                   mutation_scale=10, gid=gid))


def test_checker_finds_overlapping_texts():
    report = check(figure_with(text("label:a", 2, 1.5), text("label:b", 2.1, 1.55)))
    assert report.overlapping_texts == (("label:a", "label:b"),)
    assert not report.ok
    assert check(figure_with(text("label:a", 1, 1.5), text("label:b", 3, 1.5))).ok


def test_checker_finds_a_link_through_a_name_it_does_not_join():
    through = figure_with(text("label:a", 0.5, 1.5, "a"), text("label:b", 3.5, 1.5, "b"),
                          text("label:c", 2, 1.5, "c"),
                          arrow("link:a->b", [(0.7, 1.5), (3.3, 1.5)]))
    assert check(through).links_through_names == (("link:a->b", "label:c"),)
    around = figure_with(text("label:a", 0.5, 1.5, "a"), text("label:b", 3.5, 1.5, "b"),
                         text("label:c", 2, 1.5, "c"),
                         arrow("link:a->b", [(0.7, 1.5), (2, 2.5), (3.3, 1.5)]))
    assert check(around).ok


def test_checker_finds_a_sign_nearer_to_another_head_and_counts_crossings():
    figure = figure_with(arrow("link:a->b", [(0.2, 0.5), (3.8, 0.5)]),
                         arrow("link:c->d", [(2, 0.1), (2, 2.9)]),
                         text("sign:a->b", 2.05, 2.6, "+"), text("sign:c->d", 3.6, 0.7, "+"))
    report = check(figure)
    assert set(report.misplaced_signs) == {("sign:a->b", "link:c->d"),
                                           ("sign:c->d", "link:a->b")}
    assert report.crossings == 1


def test_checker_finds_a_marker_over_a_text():
    def marker(ax):
        angles = np.linspace(0, 5, 30)
        ax.add_patch(FancyArrowPatch(path=Path(np.column_stack([2 + 0.3 * np.cos(angles),
                                                                 1.5 + 0.3 * np.sin(angles)])),
                                     arrowstyle="-|>", mutation_scale=8, gid="loop-marker:R1"))
    report = check(figure_with(marker, text("loop-label:R1", 2, 1.5, "R1"),
                               text("label:x", 2.2, 1.6, "x")))
    assert report.covered_texts == (("loop-marker:R1", "label:x"),)


# -- every figure the toolkit draws -----------------------------------------------------------

@pytest.mark.parametrize("theme", ["participant", "presentation"])
@pytest.mark.parametrize(("name", "make"), CASES, ids=[name for name, _ in CASES])
def test_every_diagram_is_legible(name, make, theme):
    with style.theme(theme):
        figure = draw(make())
        report = check(figure)
    assert report.ok, report.problems


def test_the_notebooks_diagrams_are_found():
    assert len(NOTEBOOK_DIAGRAMS) >= 20
    assert any(title == "Trust in a classroom" for _, title in NOTEBOOK_DIAGRAMS.values())


@pytest.mark.parametrize("name", archetypes.names())
def test_archetypes_cross_few_links(name):
    assert check(draw(archetypes.get(name).cld)).crossings <= 2


# -- canonical archetype layouts -------------------------------------------------------------

def centres(figure) -> dict[str, tuple[float, float]]:
    return {t.get_gid()[6:]: t.get_position() for t in figure.findobj(
        lambda a: (a.get_gid() or "").startswith("label:"))}


@pytest.mark.parametrize("name", archetypes.names())
def test_archetypes_are_drawn_in_their_canonical_layout(name):
    archetype = archetypes.get(name)
    assert set(archetype.positions) == set(archetype.roles)
    drawn = centres(draw(archetype.cld))
    given = archetype.positions
    for a in given:
        for b in given:  # the drawing keeps every left/right and above/below of the reference
            for axis in (0, 1):
                if given[a][axis] < given[b][axis] - 1e-9:
                    assert drawn[a][axis] < drawn[b][axis], (a, b, axis)


def test_two_loops_sit_side_by_side_sharing_their_variable():
    drawn = centres(draw(archetypes.get("limits to growth").cld))
    assert drawn["efforts"][0] < drawn["performance"][0] < drawn["slowing action"][0]
    assert drawn["efforts"][1] == pytest.approx(drawn["performance"][1])


def test_escalation_is_a_figure_eight_with_each_party_on_its_side():
    figure = draw(archetypes.get("escalation").cld)
    drawn = centres(figure)
    assert max(drawn["threat to A"][0], drawn["A's activity"][0]) < min(
        drawn["threat to B"][0], drawn["B's activity"][0])
    markers = {m.get_gid()[11:]: m for m in figure.findobj(
        lambda a: (a.get_gid() or "").startswith("loop-label:"))}
    a_side, b_side, race = (markers[n].get_position()[0] for n in ("B1", "B2", "R1"))
    assert a_side < race < b_side


def test_positions_stored_with_a_diagram_are_used():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> c : +\nc -> a : -")
    store_positions(cld, {"a": (0, 0), "b": (10, 0), "c": (5, -8)})
    drawn = centres(draw(cld))
    assert drawn["a"][0] < drawn["c"][0] < drawn["b"][0]
    assert drawn["c"][1] < drawn["a"][1] == pytest.approx(drawn["b"][1])


def test_a_diagram_class_with_positions_is_honoured():
    class Placed(CausalLoopDiagram):
        @property
        def positions(self):
            return {"a": (0.0, 5.0), "b": (0.0, 0.0)}

    cld = Placed.from_text("a -> b : +\nb -> a : -")
    drawn = centres(draw(cld))
    assert drawn["a"][1] > drawn["b"][1]
    assert drawn["a"][0] == pytest.approx(drawn["b"][0])


# -- bounded work for hostile sizes -------------------------------------------------------------

def test_a_huge_name_is_shortened_in_the_drawing_and_kept_in_the_diagram():
    huge = "x" * 100_000
    cld = CausalLoopDiagram.from_text(f"{huge} -> trust : +\ntrust -> {huge} : -")
    figure = draw(cld)
    label = figure.findobj(lambda a: a.get_gid() == f"label:{huge}")[0]
    assert len(label.get_text().replace("\n", "")) <= MAX_NAME_CHARS
    assert label.get_text().endswith("\u2026")
    assert huge in cld
    assert "long names shortened" in figure.findobj(
        lambda a: a.get_gid() == "loops-note")[0].get_text()
    assert check(figure).ok


def test_a_huge_loop_story_is_shortened():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    cld.name_loop("R1", "story " * 200_000)   # over a megabyte
    figure = draw(cld)
    story = figure.findobj(lambda a: a.get_gid() == "loop-story:R1")[0]
    assert len(story.get_text()) < 80
    assert cld.loops()[0].story.startswith("story story")
    assert check(figure).ok


def test_a_large_diagram_is_drawn_as_an_overview_that_says_so():
    rng = random.Random(5)
    n = OVERVIEW_ABOVE + 10
    cld = CausalLoopDiagram("big")
    names = [f"variable {i}" for i in range(n)]
    for i, name in enumerate(names):
        cld.link(name, names[(i + 1) % n], "+")
        cld.link(name, rng.choice(names[:i] + names[i + 1:]), rng.choice("+-"))
    figure = draw(cld)
    note = figure.findobj(lambda a: a.get_gid() == "loops-note")[0].get_text()
    assert f"overview of {n} variables" in note
    assert not figure.findobj(lambda a: (a.get_gid() or "").startswith("loop-marker:"))
    links = figure.findobj(lambda a: (a.get_gid() or "").startswith("link:"))
    assert len(links) == len(cld.links)
    assert layout(cld) == layout(cld)          # deterministic


def test_world3_is_drawn_as_an_overview_that_says_so():
    cld = library.load("world3").to_cld()
    assert len(cld.variables) > OVERVIEW_ABOVE
    figure = draw(cld)
    note = figure.findobj(lambda a: a.get_gid() == "loops-note")[0].get_text()
    assert f"overview of {len(cld.variables)} variables" in note


# -- the notebooks draw what their text says ----------------------------------------------------

def test_session_11_highlights_the_loop_its_text_names():
    path = ROOT / "notebooks" / "11-archetypes-commons-and-competition.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells):
        source = "".join(cell["source"])
        if "adversaries.cld.draw(" in source:
            call = next(node for node in ast.walk(ast.parse(source))
                        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "draw")
            wanted = next(ast.literal_eval(k.value) for k in call.keywords
                          if k.arg == "highlight")
            text = "".join(cells[number + 1]["source"])
            break
    assert re.search(r"The highlighted loop(, R1,)? is the partnership", text), text
    cld = archetypes.get("accidental adversaries").cld
    loop = next(lp for lp in cld.loops() if wanted in (lp.name, lp.story))
    assert loop.story == "partnership"

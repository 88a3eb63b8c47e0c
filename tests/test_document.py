"""Tests for the Document base of the thinking tools (csframework.document)."""

from __future__ import annotations

import json

import pytest

from csframework import _drawing
from csframework.botg import BehaviourOverTimeGraph
from csframework.circles import ConnectionCircle
from csframework.cld import CausalLoopDiagram
from csframework.curriculum import DOMAINS
from csframework.document import Document, Drawable
from csframework.errors import FormatError
from csframework.iceberg import Iceberg
from csframework.ladder import LadderOfInference
from csframework.leverage import LeverageMap
from csframework.mandala import DOMAIN_COLOURS, Mandala
from csframework.mandala.picture import MandalaScene
from csframework.tension import CreativeTension, TensionRuns


def _tools():
    berg = Iceberg("Late homework")
    berg.add("events", "Six essays came in late")
    ladder = LadderOfInference("Email")
    ladder.add("conclusions", "Nobody cares")
    circle = ConnectionCircle("Team", ["trust", "sharing"])
    circle.connect("trust", "sharing", "+")
    graph = BehaviourOverTimeGraph("Energy", "energy").record(1, 3).record(2, 5)
    mandala = Mandala("Garden")
    mandala.add("practice", "A school garden")
    lm = LeverageMap(CausalLoopDiagram.from_text("a -> b : +\nb -> a : -", title="T"))
    lm.tag("a", "goals")
    return [berg, ladder, CreativeTension("Calm", "Rushed", ["Pack bags"]), circle, graph,
            mandala, lm]


@pytest.mark.parametrize("tool", _tools(), ids=lambda t: type(t).__name__)
def test_every_tool_has_one_envelope(tool):
    assert isinstance(tool, Document)
    data = json.loads(tool.to_json())
    assert list(data)[:2] == ["schema", "version"]
    assert data == tool.to_dict() == {"schema": tool.SCHEMA, "version": tool.SCHEMA_VERSION,
                                      **tool.to_data()}
    back = type(tool).from_json(tool.to_json(indent=None))
    assert back == tool and back is not tool
    assert back.to_json() == tool.to_json()
    assert (tool == object()) is False
    with pytest.raises(TypeError):
        hash(tool)


@pytest.mark.parametrize("tool", _tools(), ids=lambda t: type(t).__name__)
def test_every_tool_rejects_another_tools_json(tool):
    other = "csframework.nothing"
    with pytest.raises(FormatError, match=f"not {tool.JSON_WHAT}: schema is '{other}'"):
        type(tool).from_json(json.dumps({"schema": other, "version": 1}))
    with pytest.raises(FormatError, match="schema version 99 is not supported"):
        type(tool).from_json(json.dumps({"schema": tool.SCHEMA, "version": 99}))


@pytest.mark.parametrize("tool", _tools(), ids=lambda t: type(t).__name__)
def test_every_tool_displays_through_the_one_helper(tool):
    png = tool.to_png()
    assert png == _drawing.figure_to_png(tool.draw()) == tool._repr_png_()
    assert tool.to_svg() == _drawing.figure_to_svg(tool.draw()) == tool._repr_svg_()
    assert repr(tool).startswith(f"<{type(tool).__name__}") and "\n" not in repr(tool)


def test_display_passes_drawing_options_and_skips_what_cannot_be_drawn():
    circle = ConnectionCircle("Team", ["trust", "sharing"])
    circle.connect("trust", "sharing", "+")
    assert circle.to_png(show_loops=True) != circle.to_png()
    assert ConnectionCircle("Empty")._repr_png_() is None
    assert ConnectionCircle("Empty")._repr_svg_() is None
    runs = CreativeTension("v", "r").simulate()
    assert isinstance(runs, Drawable) and not isinstance(runs, Document)
    assert runs.to_png() == _drawing.figure_to_png(runs.plot()) == runs._repr_png_()


def test_errors_while_building_become_format_errors():
    text = json.dumps({"schema": "csframework.tension", "version": 1, "vision": "v"})
    with pytest.raises(FormatError, match="invalid creative-tension JSON: missing or bad "
                                          "'current_reality'"):
        CreativeTension.from_json(text)
    text = json.dumps({"schema": "csframework.botg", "version": 1, "title": "t"})
    with pytest.raises(FormatError, match="behaviour-over-time graph JSON: missing 'variable'"):
        BehaviourOverTimeGraph.from_json(text)


def test_a_new_tool_needs_only_its_fields_and_its_drawing():
    class Note(Document):
        SCHEMA, SCHEMA_VERSION, JSON_WHAT = "example.note", 1, "note JSON"

        def __init__(self, title):
            self.title = title

        def to_data(self):
            return {"title": self.title}

        @classmethod
        def from_data(cls, data):
            if not isinstance(data["title"], str):
                raise TypeError(f"title must be text, not {data['title']!r}")
            return cls(data["title"])

        def _repr_summary(self):
            return "a note"

        def draw(self, ax=None):
            fig, ax = _drawing.canvas(4, 2)
            ax.text(1, 1, self.title)
            return fig

    note = Note("Tuesday")
    assert repr(note) == "<Note 'Tuesday': a note>"
    assert Note.from_json(note.to_json()) == note != Note("Wednesday")
    assert note.to_png().startswith(b"\x89PNG")
    with pytest.raises(FormatError, match=r"invalid note JSON: title must be text, not 3"):
        Note.from_json('{"schema": "example.note", "version": 1, "title": 3}')


def test_a_figure_shown_by_ipython_is_kept_and_drawn_by_the_one_renderer():
    import csframework

    fig = Iceberg("x").draw()
    before = len(fig.axes[0].get_children())
    kept = csframework._figure_png(fig)
    assert len(fig.axes[0].get_children()) == before
    assert kept == _drawing.figure_to_png(fig, clear=False, dpi=fig.dpi, bbox_inches="tight")


def test_mandala_domains_come_from_the_curriculum():
    assert tuple(DOMAIN_COLOURS) == tuple(DOMAINS)
    assert tuple(MandalaScene.PLACES) == tuple(DOMAINS)
    assert [d.name for d in Mandala("x").domains] == list(DOMAINS)
    assert all(issubclass(t, Document) for t in (Iceberg, LadderOfInference, CreativeTension,
                                                 ConnectionCircle, BehaviourOverTimeGraph,
                                                 Mandala, LeverageMap))
    assert not issubclass(TensionRuns, Document)

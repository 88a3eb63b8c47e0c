"""The read/write side of csframework.sd as packages: who imports whom, and the helpers
the parts share (csframework.sd.xmile, csframework.sd.vensim, csframework.sd.loading)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import csframework.sd
from csframework.errors import FormatError, UnknownNameError
from csframework.sd import loading, xmile
from csframework.sd.model import StockFlowModel
from csframework.sd.xmile import limits

SD = Path(csframework.sd.__file__).parent
NS = 'xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"'
TUB = (f'<xmile {NS}><sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>'
       '<model><variables><stock name="Water In Tub"><eqn>10</eqn><outflow>Drain</outflow>'
       '</stock><flow name="Drain"><eqn>Water_in_tub / 5</eqn></flow>'
       '<aux name="Size"><eqn>3</eqn></aux></variables></model></xmile>')


def run_time_imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("path", sorted((SD / "xmile").glob("*.py")), ids=lambda p: p.name)
def test_xmile_never_imports_the_model_when_it_runs(path):
    imported = run_time_imports(path)
    assert "csframework.sd.model" not in imported
    assert not any(name.startswith(("csframework.sd.loading", "csframework.sd.pysd_backend",
                                    "csframework.sd.vensim")) for name in imported)


def test_the_reader_makes_the_class_it_is_given():
    class Classroom(StockFlowModel):
        pass

    model = xmile.read(TUB, Classroom)
    assert type(model) is Classroom
    assert sorted(model.stocks) == ["water_in_tub"]
    assert type(StockFlowModel.from_xmile(TUB)) is StockFlowModel
    assert not hasattr(xmile, "register_model_class")


def test_read_xmile_is_from_xmile_with_a_choice_for_non_negative_stocks():
    text = TUB.replace("</outflow>", "</outflow><non_negative/>")
    assert loading.read_xmile(text).to_xmile() == StockFlowModel.from_xmile(text).to_xmile()
    assert "water_in_tub_floor" in loading.read_xmile(text).flows
    limited = loading.read_xmile(text, non_negative_stocks="limit outflows")
    assert limited.stocks["water_in_tub"].non_negative
    with pytest.raises(UnknownNameError, match="did you mean 'clamp'"):
        loading.read_xmile(text, non_negative_stocks="clamps")


def test_the_reader_uses_the_limits_module(monkeypatch):
    monkeypatch.setattr(limits, "MAX_VARIABLES", 2)
    with pytest.raises(FormatError, match="more than 2 variables"):
        xmile.read(TUB, StockFlowModel)
    monkeypatch.undo()
    assert xmile.MAX_VARIABLES == limits.MAX_VARIABLES == 50_000
    assert xmile.read(TUB, StockFlowModel).constants["size"].value == 3


def test_the_shared_helpers_are_public():
    root = xmile.parse_xml(TUB.encode(), "the tub")
    assert root.tag == "xmile"
    xmile.check_layout(root, "the tub")
    empty = xmile.parse_xml(f"<xmile {NS}><model><variables/></model></xmile>".encode(), "empty")
    with pytest.raises(FormatError, match="empty defines no variables"):
        xmile.check_layout(empty, "empty")
    with pytest.raises(FormatError, match="DTD, an entity"):
        xmile.parse_xml(b'<!DOCTYPE x [<!ENTITY a "b">]><xmile>&a;</xmile>', "bomb")
    model = StockFlowModel.from_xmile(TUB)
    assert [ident for ident, _ in xmile.model_elements(model)] == ["water_in_tub", "drain", "size"]
    assert xmile.xmile_name("water_in_tub", "Water In Tub") == "Water In Tub"
    assert xmile.xmile_name("drain", "Drain (per minute)") == "drain"
    repaired, notes = xmile.close_unclosed(b"<a><b></a>")
    assert repaired == b"<a><b></b></a>" and len(notes) == 1


def test_vensim_helpers_are_public_where_they_live():
    from csframework.sd.vensim.elements import vensim_key, vensim_label
    from csframework.sd.vensim.syntax import number_node, vensim_word

    assert vensim_key('"Birth  Rate"') == vensim_key("birth_rate") == "birth_rate"
    assert vensim_label('"Birth   Rate"') == "Birth Rate"
    assert vensim_word("get_time_value") == "GET TIME VALUE"
    assert ast.unparse(number_node(-2.5)) == "-2.5"

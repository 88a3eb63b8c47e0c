"""The shape of csframework.cld: imports run one way, modules stay small, old paths still work."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import csframework.cld as cld_package
from csframework.cld import CausalLoopDiagram
from csframework.errors import FormatError, NotationError

PACKAGE = Path(cld_package.__file__).parent

#: The modules of csframework.cld from the bottom up: each may import only those before it
#: (function-level imports included, ``if TYPE_CHECKING:`` blocks excluded).
ORDER = ["elements", "notation", "loops", "geometry", "layout", "scene", "artists", "draw",
         "legibility", "formats.reading", "formats.dot", "formats.mermaid", "formats.kumu",
         "formats.native", "formats.loopy", "formats", "conversions", "diagram", "editing",
         "narration", ""]

#: What csframework.cld may use from the rest of csframework (the base layer only).
BASE = {"csframework.errors", "csframework.style", "csframework._atomic", "csframework._drawing",
        "csframework._text"}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every csframework module `path` imports, anywhere but under ``if TYPE_CHECKING:``."""
    package = "csframework.cld." + _module(path) if _module(path) else "csframework.cld"
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("csframework"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("csframework"):
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if (PACKAGE.parent.parent / (sub.replace(".", "/") + ".py")
                                      ).exists() else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_place_in_the_order():
    assert sorted(_module(p) for p in FILES) == sorted(ORDER)


@pytest.mark.parametrize("path", FILES, ids=_module)
def test_imports_run_one_way(path):
    rank = ORDER.index(_module(path))
    for target in _imports(path):
        if target.startswith("csframework.cld"):
            name = target.removeprefix("csframework.cld").removeprefix(".")
            assert name in ORDER, f"{path.name} imports {target}, which is not in ORDER"
            assert ORDER.index(name) < rank, (
                f"csframework.cld.{_module(path)} imports {target}, which sits above it")
        else:
            assert target in BASE, f"csframework.cld.{_module(path)} imports {target}"


@pytest.mark.parametrize("path", FILES, ids=_module)
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600


def test_old_import_paths_still_work():
    from csframework.cld.diagram import (  # noqa: F401
        FACETS,
        CausalLoopDiagram,
        Link,
        Polarity,
        Variable,
        coordinate,
        normalise_name,
    )
    from csframework.cld.draw import (  # noqa: F401
        MAX_NAME_CHARS,
        OVERVIEW_ABOVE,
        draw,
        layout,
        store_positions,
        to_png,
        to_svg,
    )
    from csframework.cld.formats import (  # noqa: F401
        KUMU_SCALE,
        LOOPY_URL,
        MAX_DEPTH,
        from_json,
        loopy_data,
        to_dot,
        to_json,
        to_kumu,
        to_mermaid,
    )
    from csframework.cld.loops import Loop, LoopList, canonical_rotation, find_loops  # noqa: F401

    assert normalise_name("a\u200b  b") == "a b" and coordinate(1, axis="x", where="") == 1.0


# -- the public helpers the modules share -------------------------------------------------------

def test_set_loop_names_keeps_names_for_loops_the_diagram_does_not_have_yet():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    cld.set_loop_names(stories={("y", "x"): "later"}, numbers={("b", "a"): "R3"})
    assert cld.loops()[0].name == "R3"
    assert cld.story_names == {("x", "y"): "later"}
    cld.link("x", "y", "+")
    cld.link("y", "x", "-")
    assert cld.loop("later").variables == ("x", "y")
    assert CausalLoopDiagram.from_json(cld.to_json()) == cld


def test_set_loop_names_drops_the_loops_found_before():
    cld = CausalLoopDiagram.from_text("a -> b : +\nb -> a : +")
    assert cld.loops()[0].story is None
    cld.set_loop_names(stories={("a", "b"): "spiral"})
    assert cld.loops()[0].story == "spiral"


def test_where_names_the_diagram_in_messages():
    assert CausalLoopDiagram("Class").where == "diagram 'Class'"
    assert CausalLoopDiagram().where == "the diagram"


def test_readers_build_the_class_they_are_called_on():
    class Mine(CausalLoopDiagram):
        pass

    cld = CausalLoopDiagram.from_text("a -> b : - delay\nb -> a : +", title="T")
    for read, text in ((Mine.from_json, cld.to_json()), (Mine.from_kumu, cld.to_kumu()),
                       (Mine.from_json, cld.to_kumu())):
        got = read(text)
        assert type(got) is Mine
        assert got.to_text() == cld.to_text() and got.title == "T"


def test_formats_readers_take_the_class_to_build():
    from csframework.cld.formats import from_dict, from_json, from_kumu, to_dict

    cld = CausalLoopDiagram.from_text("a -> b : +")
    assert from_json(cld.to_json(), CausalLoopDiagram) == cld
    assert from_dict(to_dict(cld), CausalLoopDiagram) == cld
    assert from_kumu(cld.to_kumu(), CausalLoopDiagram).to_text() == cld.to_text()
    with pytest.raises(FormatError, match="must be a JSON object"):
        from_json(json.dumps([1]), CausalLoopDiagram)


def test_parse_line_reads_one_line_of_the_notation():
    from csframework.cld.notation import parse_line

    assert parse_line("trust", 1) == "trust"
    assert parse_line("a -> b : o delay", 1) == ("a", "b", "o", True)
    with pytest.raises(NotationError, match="line 7"):
        parse_line("a -> b", 7)

"""The shape of the package: imports run one way, no cycles, modules a reader can hold.

The checks read the source (nothing is imported) and follow every import
statement, function-level ones included, except those under
``if TYPE_CHECKING:`` (they never run) and a package ``__init__``'s lazy
``__getattr__`` (a facade that loads a name on first use). See
docs/architecture.md for the layers.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import csframework

ROOT = Path(csframework.__file__).parent
LIMIT = 600

#: The layers, bottom first. A module may import its own layer or lower ones only.
#: The longest prefix decides.
LAYERS: dict[str, int] = {
    "csframework.errors": 0, "csframework.style": 0, "csframework._text": 0,
    "csframework._version": 0, "csframework._atomic": 0, "csframework._salvage": 0,
    "csframework._drawing": 0, "csframework.curriculum": 0, "csframework._archetype_data": 0,
    "csframework.cld": 1, "csframework.sd": 1,
    "csframework.journal": 2,
    "csframework.behaviour": 3, "csframework.archetypes": 3, "csframework.games": 3,
    "csframework.iceberg": 3, "csframework.ladder": 3, "csframework.tension": 3,
    "csframework.circles": 3, "csframework.botg": 3, "csframework.mandala": 3,
    "csframework.leverage": 3, "csframework.handouts": 3, "csframework.document": 3,
    "csframework.experiment": 3,
    "csframework.widgets": 4,
    "csframework.exercises": 5, "csframework.progress": 5, "csframework.course": 5,
    "csframework.site": 5, "csframework.cli": 5, "csframework.binder": 5,
    "csframework._html": 0, "csframework": 5, "csframework.__main__": 5,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def layer(name: str) -> int | None:
    best = None
    for prefix, rank in LAYERS.items():
        inside = name == prefix or (prefix != "csframework" and name.startswith(prefix + "."))
        if inside and (
                best is None or len(prefix) > len(best[0])):
            best = (prefix, rank)
    return None if best is None else best[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def scan(source: str, name: str, is_package: bool, known: set[str], *, lazy_too: bool = False
         ) -> tuple[set[str], list[str]]:
    """The package's modules that `source` imports, and the private names it takes.

    With `lazy_too`, the imports of a package's lazy ``__getattr__`` count as well: they
    make no cycle (they run after the package is loaded) but must not run up the layers.
    """
    package = name if is_package else name.rsplit(".", 1)[0]
    edges: set[str] = set()
    private: list[str] = []

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rsplit(".", 1)[0] if "." in target else ""
        return target or None

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, lazy)
            return
        if (isinstance(node, ast.FunctionDef) and node.name == "__getattr__" and is_package
                and not lazy_too):
            lazy = True
        if isinstance(node, ast.Import) and not lazy:
            for alias in node.names:
                if alias.name.split(".")[0] == "csframework":
                    edges.add(resolve(alias.name))
        elif isinstance(node, ast.ImportFrom) and not lazy:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "csframework":
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    target = submodule if submodule in known else resolve(base)
                    edges.add(target)
                    if (alias.name.startswith("_") and not alias.name.startswith("__")
                            and submodule not in known and target != name):
                        private.append(f"{name}:{node.lineno} imports {base}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child, lazy)

    visit(ast.parse(source), False)
    edges.discard(None)
    edges.discard(name)
    return edges, private


def graph(*, lazy_too: bool = False) -> tuple[dict[str, set[str]], list[str]]:
    found = modules()
    known = set(found)
    edges, private = {}, []
    for name, path in found.items():
        edges[name], taken = scan(path.read_text(encoding="utf-8"), name,
                                  path.name == "__init__.py", known, lazy_too=lazy_too)
        private += taken
    return edges, private


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return groups


def test_the_checker_sees_function_level_imports_and_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    known = set(modules())
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from csframework.sd import model\n"
              "def f():\n    from csframework.sd import engine\n    import csframework.style\n"
              "    from . import errors\n    from csframework.cld.diagram import _hidden\n")
    edges, private = scan(source, "csframework.fake", False, known)
    assert {"csframework.sd.engine", "csframework.style", "csframework.errors"} <= edges
    assert "csframework.sd.model" not in edges
    assert private == ["csframework.fake:8 imports csframework.cld.diagram._hidden"]
    lazy = "def __getattr__(name):\n    from csframework.widgets import editor\n"
    assert scan(lazy, "csframework.games", True, known)[0] == set()
    assert scan(lazy, "csframework.games", True, known, lazy_too=True)[0] == {
        "csframework.widgets.editor"}


def test_no_import_cycles():
    found = cycles(graph()[0])
    assert not found, "import cycles: " + "; ".join(" <-> ".join(g) for g in found)


def test_every_module_has_a_layer_and_imports_only_its_own_or_lower_layers():
    edges, _ = graph(lazy_too=True)
    unplaced = sorted(name for name in edges if layer(name) is None)
    assert not unplaced, f"modules without a layer in LAYERS: {unplaced}"
    upward = [f"{name} (layer {layer(name)}) -> {other} (layer {layer(other)})"
              for name, targets in sorted(edges.items()) for other in sorted(targets)
              if layer(other) > layer(name)]
    assert not upward, "imports that run up: " + "; ".join(upward)


def test_no_private_names_are_taken_across_modules():
    assert graph()[1] == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_every_module_is_short_enough_to_read(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{name} has {lines} lines; split it along its seams"


def test_the_version_is_read_from_the_package_metadata():
    from importlib.metadata import version

    assert csframework.__version__ == version("csframework")
    pyproject = (ROOT.parent / "pyproject.toml")
    if pyproject.is_file():  # a checkout: the one place the version is written
        text = pyproject.read_text(encoding="utf-8")
        assert f'version = "{csframework.__version__}"' in text
    for path in ROOT.rglob("*.py"):
        assert "__version__ = \"" not in path.read_text(encoding="utf-8"), path


def test_the_equation_language_is_a_leaf_of_csframework_sd():
    edges, _ = graph()
    sd = "csframework.sd."
    language = {sd + name for name in ("functions", "chains", "lookups")}
    assert {m for m in edges[sd + "expressions"] if m.startswith(sd)} == language
    for leaf in language:
        assert not {m for m in edges[leaf] if m.startswith("csframework.sd")}, leaf

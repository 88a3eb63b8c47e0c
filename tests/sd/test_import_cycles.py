"""No import cycles inside csframework.sd, function-level imports included.

A cycle hidden in a function (``def f(): from csframework.sd import engine``)
still ties two modules together: neither can be understood, tested or loaded
without the other. The check reads the source (nothing is imported) and
follows every import statement except those under ``if TYPE_CHECKING:``,
which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import csframework.sd

PACKAGE = "csframework.sd"
ROOT = Path(csframework.sd.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The csframework.sd modules that `path` imports, anywhere in its code."""
    return imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py",
                      known)


def imports_in(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The csframework.sd modules that `source` (module `name`) imports."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rsplit(".", 1)[0] if "." in target else ""
        return target or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE):
                    found.add(resolve(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith(PACKAGE):
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    found.add(submodule if submodule in known else resolve(base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    found.discard(None)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_the_checker_finds_a_cycle_made_by_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from csframework.sd import model\n"
              "def f():\n    from csframework.sd import engine\n    import csframework.sd.xmile\n"
              "    from . import results\n    from .structure import to_cld\n")
    assert imports_in(source, f"{PACKAGE}.fake", False, set(modules())) == {
        f"{PACKAGE}.engine", f"{PACKAGE}.xmile", f"{PACKAGE}.results", f"{PACKAGE}.structure"}


#: The equation language: the parser and the three leaf modules it is made of.
LANGUAGE = {f"{PACKAGE}.{name}" for name in ("functions", "chains", "lookups")}


def test_the_equation_language_imports_nothing_else_of_the_package():
    graph = import_graph()
    assert graph[f"{PACKAGE}.expressions"] == LANGUAGE
    for leaf in LANGUAGE:
        assert graph[leaf] == set(), leaf


def test_no_import_cycles_in_csframework_sd():
    found = cycles(import_graph())
    assert not found, "import cycles in csframework.sd: " + "; ".join(
        " <-> ".join(group) for group in found)

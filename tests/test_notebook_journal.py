"""Running a notebook top to bottom writes nothing to the participant's journal.

Sessions 13 and 14 once wrote sample sentences into the real journal on "Run
All", and from there into the mandala and the certification portfolio.
Demonstrations now use ``Journal.scratch()``; a participant's own words are
written only when they wrote some.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [*sorted((ROOT / "notebooks").glob("*.ipynb")),
             *sorted((ROOT / "exercises").glob("*.ipynb"))]


def _code_cells(path: Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]


def _journal_names(tree: ast.AST) -> set[str]:
    """Names bound to the participant's journal: ``x = csf.Journal()`` or ``with ... as x``.

    ``Journal(some_path)`` opens a journal of the notebook's own (an example kept in a
    temporary folder), and ``Journal.scratch()`` a throw-away one: neither counts.
    """
    def opens_real_journal(node: ast.AST) -> bool:
        return (isinstance(node, ast.Call) and not node.args and not node.keywords
                and (getattr(node.func, "attr", None) == "Journal"
                     or getattr(node.func, "id", None) == "Journal"))

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and opens_real_journal(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.With):
            for item in node.items:
                if opens_real_journal(item.context_expr) and isinstance(item.optional_vars,
                                                                        ast.Name):
                    names.add(item.optional_vars.id)
    return names


def _literal_writes(source: str, known: set[str]) -> list[str]:
    """Journal writes in `source` whose text is a literal the participant did not write."""
    tree = ast.parse(source)
    known |= _journal_names(tree)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "write" and isinstance(node.func.value, ast.Name)
                and node.func.value.id in known):
            text = node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == "text"), None)
            if isinstance(text, ast.Constant | ast.JoinedStr):
                found.append(ast.unparse(node)[:80])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name[:2]}")
def test_no_notebook_writes_sample_text_into_the_real_journal(path):
    known: set[str] = set()
    offending = []
    for index, source in _code_cells(path):
        try:
            ast.parse(source)
        except SyntaxError:
            continue  # cells with IPython magics hold no journal writes
        offending += [f"c{index}: {call}" for call in _literal_writes(source, known)]
    assert not offending, offending


def test_the_scan_catches_the_old_cells():
    old = ('journal = csf.Journal()\n'
           'journal.write(13, "x", "Small visible successes", domain="research")')
    assert _literal_writes(old, set())
    scratch = ('with csf.Journal.scratch() as demo:\n'
               '    demo.write(13, "x", "Small visible successes")')
    assert not _literal_writes(scratch, set())


_RUNNER = textwrap.dedent("""
    import json, sys
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    cells = json.load(open(sys.argv[1], encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        # magics such as %matplotlib need a kernel; the code around them does not
        source = "".join(line for line in cell["source"] if not line.startswith("%"))
        result = shell.run_cell(source, silent=True)
        if not result.success:
            sys.exit(f"cell {index} failed: {result.error_in_exec or result.error_before_exec!r}")
""")


@pytest.mark.parametrize("name", ["13-leaders-at-all-levels", "14-retreat-integration"])
def test_running_sessions_13_and_14_leaves_the_journal_empty(name, tmp_path):
    from csframework.journal import Journal

    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, CSF_HOME=str(home), MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(notebook)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with Journal(home / "journal.sqlite3") as journal:
        assert journal.entries() == ()

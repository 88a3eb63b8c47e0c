"""Every course notebook runs cleanly in a real JupyterLab: Run → Run All Cells, then no
error output anywhere and every widget rendered."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .lab_driver import (
    ROOT,
    code_cell_count,
    open_notebook,
    output_problems,
    prompts,
    run_all,
    write_notebook,
)

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert "00-start-here.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_lab(page, lab, name):
    path: Path = lab.root / name
    expected = code_cell_count(path)
    open_notebook(page, lab, name)
    run_all(page, lab, expected)
    problems = output_problems(page)
    assert not problems, f"{name} in JupyterLab:\n" + "\n\n".join(problems)
    # the outputs really are there: at least one rendered output after Run All
    assert page.locator(".jp-NotebookPanel .jp-OutputArea-output").count() > 0


def test_an_error_in_a_cell_is_caught_and_a_warning_is_not(page, lab):
    """The checks above see a traceback, and only a traceback: a warning on stderr is fine.
    Run All stops at the error; the test is told at once, not after a timeout."""
    write_notebook(lab, "zz-browser-error.ipynb", [
        'import warnings\nwarnings.warn("only a warning")\nprint("fine")',
        'import sys\nprint("a note on stderr", file=sys.stderr)',
        "{}['missing key']",
        'print("never runs")',
    ])
    open_notebook(page, lab, "zz-browser-error.ipynb")
    started = time.monotonic()
    run_all(page, lab, expected=4)
    assert time.monotonic() - started < 60
    problems = output_problems(page)
    assert len(problems) == 1, problems
    assert "KeyError" in problems[0] and "missing key" in problems[0], problems
    stderr = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert stderr.count() == 3  # the warning, the note and the traceback
    assert prompts(page)[-1] == "[ ]:"  # Run All stopped at the error

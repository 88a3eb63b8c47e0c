"""Driving JupyterLab from Playwright: open a notebook, run it, read what it shows."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
import requests

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
# Seconds. Kernel start and "Run All" can take 20-40 s on a small 2-core machine.
KERNEL_TIMEOUT = 90
RUN_ALL_TIMEOUT = 150


@dataclass
class Lab:
    base: str
    token: str
    root: Path  # the folder the server serves (a copy of notebooks/)
    home: Path  # CSF_HOME of the server and its kernels
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, self.url(path), headers=headers, timeout=30, **kwargs)

    def shutdown_kernels(self) -> None:
        """Stop every session and kernel, so that tests don't pile kernels up."""
        for session in self.api("GET", "/api/sessions").json():
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels").json():
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


# -- driving JupyterLab ----------------------------------------------------------------

EXECUTED_PROMPT = re.compile(r"^\[\d+\]:?$")


def open_notebook(page: Page, lab: Lab, name: str) -> None:
    """Open a served notebook in a clean workspace and wait until its kernel is ready."""
    page.goto(lab.url(f"/lab/tree/{quote(name)}?reset&token={lab.token}"))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(state="visible",
                                                                   timeout=60_000)
    wait_kernel_idle(page, lab, KERNEL_TIMEOUT)


def _indicator(page: Page) -> str | None:
    return page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator").first \
        .get_attribute("data-status")


def wait_kernel_idle(page: Page, lab: Lab, timeout: float) -> None:
    """Wait until the page is connected to an idle kernel, stably.

    The toolbar's indicator says "idle" for a moment before the kernel connects, so the
    server must also see the page's websocket and an idle kernel, twice in a row.
    """
    deadline = time.monotonic() + timeout
    stable = 0
    while stable < 2:
        kernels = lab.api("GET", "/api/kernels").json()
        ready = (_indicator(page) == "idle" and kernels
                 and all(k["connections"] > 0 and k["execution_state"] == "idle"
                         for k in kernels))
        stable = stable + 1 if ready else 0
        if time.monotonic() > deadline:
            pytest.fail(f"the kernel was not ready in {timeout:.0f} s: toolbar says "
                        f"{_indicator(page)!r}, server says {kernels}")
        page.wait_for_timeout(500)


def menu(page: Page, top: str, item: str) -> None:
    """Click a menu bar entry, then one of its items, as a participant would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                 has_text=re.compile(rf"^{re.escape(item)}$")).click()


def code_cell_count(path: Path) -> int:
    """How many code cells with source the notebook has: each gets an execution count."""
    cells = json.loads(path.read_text())["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip())


def prompts(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt",
        "els => els.map(e => e.textContent.trim())")


def run_all(page: Page, lab: Lab, expected: int, timeout: float = RUN_ALL_TIMEOUT) -> None:
    """Clear every output, Run → Run All Cells, and wait until all `expected` code cells
    have run (an execution count, no `[*]`), or an error stopped the run, and the kernel
    is idle again."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + timeout
    while True:
        seen = prompts(page)
        done = [p for p in seen if EXECUTED_PROMPT.match(p)]
        if not any("*" in p for p in seen) and (
                len(done) >= expected
                # Run All stops at an error: the later cells never run
                or (_indicator(page) == "idle" and page.evaluate(_ERROR_JS))):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"Run All did not finish in {timeout:.0f} s: prompts {seen}")
        page.wait_for_timeout(250)
    wait_kernel_idle(page, lab, 30)


# Outputs that say something went wrong. An error output and a stream on stderr both
# render with the stderr mime type; only a traceback (or an ``XxxError:`` line) counts.
_ERROR_JS = """
() => {
  const problems = [];
  const text = el => (el.textContent || '').trim();
  document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output').forEach(out => {
    const mime = out.getAttribute('data-mime-type') || '';
    const t = text(out);
    if (mime === 'application/vnd.jupyter.stderr'
        && (/Traceback \\(most recent call last\\)/.test(t)
            || /^\\s*\\w*(Error|Exception)\\b.*$/m.test(t)
            || out.querySelector('.ansi-red-fg, .ansi-red-intense-fg'))) {
      problems.push('error output: ' + t.slice(0, 1500));
    }
    if (/Error displaying widget|Error rendering output/.test(t)) {
      problems.push('widget not rendered: ' + t.slice(0, 500));
    }
  });
  document.querySelectorAll('.jp-NotebookPanel .jp-RenderedText').forEach(el => {
    if (el.querySelector('.ansi-red-fg, .ansi-red-intense-fg')
        && /Traceback|Error/.test(text(el))
        && !problems.some(p => p.includes(text(el).slice(0, 200)))) {
      problems.push('traceback in text output: ' + text(el).slice(0, 1500));
    }
  });
  return problems;
}
"""

# The widget manager writes "Loading widget..." into an output until the view is made,
# then "Error displaying widget[: model not found]" or the view itself.
_LOADING_JS = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output'))
  .filter(out => /Loading widget/.test(out.textContent || ''))
  .map(out => (out.textContent || '').trim().slice(0, 200))
"""


def output_problems(page: Page, widget_timeout: float = 30) -> list[str]:
    """Every error shown in the notebook, and every widget that did not render."""
    deadline = time.monotonic() + widget_timeout
    loading: list[str] = page.evaluate(_LOADING_JS)
    while loading and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        loading = page.evaluate(_LOADING_JS)
    return [*page.evaluate(_ERROR_JS), *(f"widget still loading: {t}" for t in loading)]


def write_notebook(lab: Lab, name: str, cells: list[str]) -> Path:
    """Write a notebook of code cells into the served folder (Python 3 kernel)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = lab.root / name
    nbformat.write(nb, path)
    return path

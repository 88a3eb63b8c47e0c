"""Browser tests: a real JupyterLab driven by Playwright through Debian's Chromium.

Run them with ``make test-browser`` (or ``pytest tests/browser``). A plain ``pytest`` or
``make test`` leaves them out: they are collected only when tests/browser (or a file in
it) is named on the command line, or when ``CSF_BROWSER_TESTS=1``.

Nothing here downloads a browser: Chromium is ``$CSF_CHROMIUM`` or ``/usr/bin/chromium``.
JupyterLab serves a temporary copy of ``notebooks/`` with its own config, runtime, data,
settings and workspaces folders and a fresh ``CSF_HOME``, so a run touches neither the
committed notebooks nor anybody's journal. On a failure the page's screenshot, the
browser console and the server log are kept under ``$CSF_BROWSER_ARTIFACTS`` (default:
``browser-artifacts`` in pytest's temporary folder); the path is printed in the report.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from .lab_driver import ROOT, Lab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CSF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage",
]
LAB_START_TIMEOUT = 90  # seconds

# -- only when asked for ----------------------------------------------------------------


def _asked_for(config: pytest.Config) -> bool:
    if os.environ.get("CSF_BROWSER_TESTS") == "1":
        return True
    for arg in config.invocation_params.args:
        if arg.startswith("-"):
            continue
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix == ".py" and not _asked_for(config):
        return True
    return None


# -- failure reports and artifacts ----------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("CSF_BROWSER_ARTIFACTS")
    path = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "browser-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- the JupyterLab server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_settings(folder: Path) -> None:
    """User settings that make the UI deterministic for a test."""
    settings = {
        # every cell in the DOM (no virtual scrolling), so every output can be checked
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # no "get news?" toast, no update check: no network and nothing over the toolbar
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on a free port, serving a throwaway copy of notebooks/."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "served"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp / "csf-home"
    home.mkdir()
    _lab_settings(tmp / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"), CSF_HOME=str(home),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)  # kernels draw inline, as for a participant
    log = tmp / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={root}", "--no-browser",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
             *(["--allow-root"] if os.getuid() == 0 else [])],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, root, home, log)
    try:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while True:
            try:
                if server.api("GET", "/api/status").ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start:\n{server.log_tail()}")
            time.sleep(0.3)
        yield server
    finally:
        _stop(proc)


# -- the browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Debian's Chromium, headless; Playwright never downloads a browser here."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` "
                    "(make test-browser does it) or set CSF_CHROMIUM")
    with sync_playwright() as playwright:
        # launch() gives the browser a fresh, throwaway user-data-dir of its own
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            env={**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("chromium"))})
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, lab: Lab, request: pytest.FixtureRequest,
         artifacts_dir: Path) -> Iterator[Page]:
    """A new browser context and page per test; on failure keep a screenshot and logs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            stem = re.sub(r"[^\w.-]+", "_", request.node.name)
            shot = artifacts_dir / f"{stem}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as exc:  # a dead page must not hide the real failure
                console.append(f"[screenshot failed] {exc}")
            (artifacts_dir / f"{stem}.console.txt").write_text("\n".join(console))
            (artifacts_dir / f"{stem}.lab.log").write_text(lab.log_tail(20000))
            request.node.add_report_section(
                "call", "browser artifacts",
                f"screenshot, console and server log in {artifacts_dir} ({stem}.*)\n"
                f"last console lines:\n" + "\n".join(console[-30:]))
            print(f"\nbrowser artifacts: {artifacts_dir}/{stem}.*")
        context.close()
        lab.shutdown_kernels()

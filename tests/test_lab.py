"""`make lab` really serves the course: start JupyterLab as it does and ask for pages."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "00-start-here.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    # The same command `make lab` runs, plus what a test needs: a free port, a
    # known token and no browser.
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--notebook-dir=notebooks", "--no-browser",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", *(["--allow-root"] if os.getuid() == 0 else [])],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"jupyter lab did not start:\n{output[-3000:]}")
            time.sleep(0.3)
        yield base, token
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_make_lab_command_matches():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)" in makefile


def test_lab_serves_the_course(lab):
    base, token = lab
    page = requests.get(f"{base}/lab", params={"token": token}, timeout=30)
    assert page.status_code == 200
    assert "JupyterLab" in page.text
    listing = requests.get(f"{base}/api/contents", params={"token": token}, timeout=30).json()
    assert NOTEBOOK in {item["name"] for item in listing["content"]}
    notebook = requests.get(f"{base}/api/contents/{NOTEBOOK}", params={"token": token},
                            timeout=30).json()
    assert notebook["type"] == "notebook"
    assert notebook["content"]["cells"]
    # without the token the server refuses
    assert requests.get(f"{base}/api/contents", timeout=30).status_code in (401, 403)

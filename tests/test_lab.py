"""`make lab` really serves the course: run it and ask the server for pages.

`make lab` is the participant's route: it runs `csframework lab`, which serves the
participant's own copy of the course (notebooks and exercises side by side), never the
repository's files.
"""

from __future__ import annotations

import os
import re
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
    home = tmp_path / "home"
    env = dict(os.environ, CSF_HOME=str(home), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    # `make lab` itself, in this test's environment (VENV), plus what a test needs: a free
    # port, a known token and no browser.
    args = (f"--no-browser --port {port} -- --IdentityProvider.token={token} "
            "--ServerApp.ip=127.0.0.1 --ServerApp.port_retries=0")
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"VENV={sys.prefix}", f"LAB_ARGS={args}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"make lab did not start JupyterLab:\n{output[-3000:]}")
            time.sleep(0.3)
        yield base, token, home / "course"
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


def test_make_lab_runs_the_participants_route():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/csframework lab $(LAB_ARGS)" in makefile
    assert "--notebook-dir=notebooks" not in makefile


def get(base: str, token: str, path: str) -> requests.Response:
    return requests.get(f"{base}/api/contents/{path}", params={"token": token}, timeout=30)


def test_lab_serves_the_participants_copy_with_the_exercises(lab):
    base, token, folder = lab
    assert not folder.is_relative_to(ROOT), "make lab serves a folder inside the repository"
    page = requests.get(f"{base}/lab", params={"token": token}, timeout=30)
    assert page.status_code == 200
    assert "JupyterLab" in page.text
    top = {item["name"] for item in get(base, token, "").json()["content"]}
    assert {"notebooks", "exercises"} <= top
    notebook = get(base, token, f"notebooks/{NOTEBOOK}").json()
    assert notebook["type"] == "notebook"
    assert notebook["content"]["cells"]
    assert (folder / "notebooks" / NOTEBOOK).is_file()
    # The course map's links to the exercises open: the files are under the server's root.
    course_map = (ROOT / "notebooks" / "README.md").read_text()
    links = re.findall(r"\(\.\./(exercises/[^)#]+\.ipynb)\)", course_map)
    assert links, "the course map links no exercise"
    for link in links[:3]:
        assert get(base, token, link).json()["type"] == "notebook", link
    # without the token the server refuses
    assert requests.get(f"{base}/api/contents", timeout=30).status_code in (401, 403)

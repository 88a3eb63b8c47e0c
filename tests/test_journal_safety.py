"""The journal under attack: each test reproduces a way a journal was lost or hurt (issue 12)."""

from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from csframework.errors import JournalError
from csframework.journal import Journal


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite3"


def rows(p: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{p.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM entries ORDER BY id").fetchall()
    finally:
        conn.close()


# -- 8. many kernels creating one new journal at the same moment ---------------------------

def _open_new_journals(folder: str, worker: int, rounds: int, barrier, failures) -> None:
    for n in range(rounds):
        barrier.wait(timeout=60)
        try:
            with Journal(Path(folder) / f"j{n}.sqlite3") as journal:
                journal.write(0, "hello", f"worker {worker}")
        except Exception as err:  # recorded, then the test shows them all
            failures.put(f"round {n}, worker {worker}: {type(err).__name__}: {err}")


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method (POSIX)")
def test_four_processes_creating_fresh_journals_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    workers, rounds = 4, 50
    barrier = context.Barrier(workers)
    failures = context.Queue()
    procs = [context.Process(target=_open_new_journals,
                             args=(str(tmp_path), w, rounds, barrier, failures))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
    for n in range(rounds):
        with Journal(tmp_path / f"j{n}.sqlite3") as journal:
            assert sorted(e.text for e in journal.history(0, "hello")) == [
                f"worker {w}" for w in range(workers)]

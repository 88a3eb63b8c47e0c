"""Durability of the journal, tested with real processes.

- Concurrent kernels writing into one journal lose nothing and never collide
  on a version number.
- A kernel killed with SIGKILL while writing loses nothing it had confirmed and
  leaves a journal that passes ``PRAGMA integrity_check`` and accepts writes.
- A kernel killed while exporting or backing up leaves the old file or the new
  one, never a torn file.
"""

from __future__ import annotations

import os
import random
import re
import selectors
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from csframework.journal import Journal

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def spawn(code: str, *args: object) -> subprocess.Popen:
    """Start a Python child running `code` with `args` in sys.argv[1:]."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def finish(proc: subprocess.Popen, timeout: float = 60) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


def read_lines_until(proc: subprocess.Popen, deadline: float,
                     max_lines: int | None = None) -> list[str]:
    """Lines the child printed until `deadline`, `max_lines` lines, or its end of output."""
    lines: list[str] = []
    buffer = ""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    fd = proc.stdout.fileno()
    while (remaining := deadline - time.monotonic()) > 0:
        if not selector.select(timeout=remaining):
            continue
        chunk = os.read(fd, 65536).decode()
        if not chunk:
            break
        buffer += chunk
        *done, buffer = buffer.split("\n")
        lines += done
        if max_lines is not None and len(lines) >= max_lines:
            break
    selector.close()
    return lines


def kill_and_collect(proc: subprocess.Popen, lines: list[str]) -> list[str]:
    """SIGKILL the child; return every complete line it printed, before and after."""
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    complete = rest.split("\n")[:-1]  # a line without its newline was not confirmed
    return lines + complete


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- concurrent writers ---------------------------------------------------------------------

WRITER = """
    import sys
    from csframework.journal import Journal
    path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with Journal(path) as journal:
        print("ready", flush=True)
        sys.stdin.readline()                     # start together
        for i in range(count):
            text = f"worker {worker} entry {i} " + "é✓" * (i % 7)
            journal.write(1 + i % 14, f"w{worker}-{i}", text)
            if i % 4 == 0:                          # all fight over one prompt
                journal.write(7, "shared", f"shared {worker} {i}")
"""


def test_four_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    workers, count = 4, 200
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(WRITER), str(path), str(w),
                               str(count)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(workers)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    with Journal(path) as journal:
        own = [e for e in journal.entries() if e.prompt_id != "shared"]
        assert len(own) == workers * count
        expected = {(f"w{w}-{i}", f"worker {w} entry {i} " + "é✓" * (i % 7))
                    for w in range(workers) for i in range(count)}
        assert {(e.prompt_id, e.text) for e in own} == expected
        shared = journal.history(7, "shared")
        assert [e.version for e in shared] == list(range(1, workers * count // 4 + 1))
        assert {e.text for e in shared} == {f"shared {w} {i}" for w in range(workers)
                                           for i in range(0, count, 4)}
    assert integrity(path) == "ok"


OPENER = """
    import sys
    from csframework.journal import Journal
    sys.stdin.readline()
    with Journal(sys.argv[1]) as journal:
        journal.write(0, "hello", "from " + sys.argv[2])
"""


def test_processes_creating_a_new_journal_at_once(tmp_path):
    path = tmp_path / "new" / "journal.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(OPENER), str(path), str(n)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with Journal(path) as journal:
        assert [e.version for e in journal.history(0, "hello")] == [1, 2, 3, 4]


# -- SIGKILL while writing ------------------------------------------------------------------

LOOP_WRITER = """
    import sys
    from csframework.journal import Journal
    journal = Journal(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        entry = journal.write(1 + i % 14, f"p{i % 37}", f"text {i} " + "x" * (i % 3000),
                              attachments={"n": {"i": i}} if i % 5 == 0 else None)
        print(f"{entry.id} {entry.session} {entry.prompt_id} {entry.version} {i}", flush=True)
        i += 1
"""


@pytest.mark.parametrize("round_", range(3))
def test_sigkill_while_writing_loses_nothing_confirmed(tmp_path, round_):
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        journal.write(0, "before", "written before the crash")
    proc = spawn(LOOP_WRITER, path)
    assert proc.stdout.readline().strip() == "ready"
    lines = read_lines_until(proc, time.monotonic() + random.uniform(0.3, 1.2))
    confirmed = [line.split() for line in kill_and_collect(proc, lines)]
    assert len(confirmed) > 10, "the child confirmed too few writes to test anything"

    assert integrity(path) == "ok"
    with Journal(path) as journal:
        for entry_id, session, prompt, version, i in confirmed:
            (entry,) = [e for e in journal.history(int(session), prompt)
                        if e.version == int(version)]
            assert entry.id == int(entry_id)
            assert entry.text == f"text {i} " + "x" * (int(i) % 3000)
            if int(i) % 5 == 0:
                assert entry.attachment("n").value == {"i": int(i)}
        assert journal.latest(0, "before").text == "written before the crash"
        after = journal.write(14, "after", "the journal still accepts writes")
        assert journal.latest(14, "after") == after
    assert integrity(path) == "ok"


# -- SIGKILL while exporting or backing up --------------------------------------------------

LOOP_EXPORTER = """
    import sys
    from csframework.journal import Journal
    journal = Journal(sys.argv[1])
    target, kind = sys.argv[2], sys.argv[3]
    export = {"md": journal.export_markdown, "html": journal.export_html,
              "backup": journal.backup}[kind]
    print("ready", flush=True)
    i = 0
    while True:
        journal.write(5, f"e{i}", f"entry {i}\\n" + "lorem ipsum " * 40_000)
        export(target)
        print(i, flush=True)
        i += 1
"""


def _kill_exporter(tmp_path: Path, kind: str, suffix: str) -> tuple[Path, Path, int]:
    path = tmp_path / "journal.sqlite3"
    target = tmp_path / f"portfolio{suffix}"
    with Journal(path) as journal:
        journal.write(5, "start", "before any export")
    proc = spawn(LOOP_EXPORTER, path, target, kind)
    assert proc.stdout.readline().strip() == "ready"
    first = read_lines_until(proc, time.monotonic() + 20, max_lines=1)  # one whole export
    assert first, proc.stderr.read() if proc.poll() is not None else "no export in 20 s"
    lines = read_lines_until(proc, time.monotonic() + random.uniform(0.2, 1.5))
    lines = kill_and_collect(proc, first + lines)
    return path, target, int(lines[-1])


@pytest.mark.parametrize("kind, suffix", [("md", ".md"), ("html", ".html")])
def test_sigkill_during_export_leaves_a_whole_file(tmp_path, kind, suffix):
    path, target, last_done = _kill_exporter(tmp_path, kind, suffix)
    text = target.read_text()
    numbers = {int(n) for n in re.findall(r"entry (\d+)\n", text)}
    assert numbers == set(range(len(numbers))), "entries missing from the middle"
    assert len(numbers) - 1 >= last_done  # at least the last confirmed export
    if kind == "md":
        assert text.endswith("lorem ipsum\n")  # the last entry's text, then the end
    else:
        assert text.endswith("</main>\n</body>\n</html>\n")
    assert integrity(path) == "ok"


def test_sigkill_during_backup_leaves_a_whole_backup(tmp_path):
    path, target, last_done = _kill_exporter(tmp_path, "backup", ".sqlite3")
    assert integrity(target) == "ok" and integrity(path) == "ok"
    restored = tmp_path / "restored.sqlite3"
    with Journal.restore(target, restored) as journal:
        numbers = sorted(int(e.prompt_id[1:]) for e in journal.entries(5) if e.prompt_id != "start")
        assert numbers == list(range(len(numbers)))
        assert len(numbers) - 1 >= last_done


# -- the atomic-write helper itself ---------------------------------------------------------

ATOMIC_WRITER = """
    import sys
    from csframework._atomic import write_atomic
    target = sys.argv[1]
    print("ready", flush=True)
    i = 0
    while True:
        write_atomic(target, bytes([65 + i % 2]) * 8_000_000)
        print(i, flush=True)
        i += 1
"""


def test_sigkill_during_write_atomic_never_tears_the_file(tmp_path):
    target = tmp_path / "big.bin"
    target.write_bytes(b"Z" * 8_000_000)
    for _ in range(3):
        proc = spawn(ATOMIC_WRITER, target)
        assert proc.stdout.readline().strip() == "ready"
        lines = read_lines_until(proc, time.monotonic() + random.uniform(0.05, 0.6))
        kill_and_collect(proc, lines)
        data = target.read_bytes()
        assert len(data) == 8_000_000
        assert data == data[:1] * len(data), "a torn file: two versions mixed"
    leftovers = [p.name for p in tmp_path.iterdir() if p.is_file() and p.name != "big.bin"]
    assert all(name.startswith(".big.bin.") and name.endswith(".tmp") for name in leftovers)


PAUSED_WRITER = """
    import sys, time
    from csframework import _atomic

    def slow_replace(src, dst):
        print("written, not yet renamed", flush=True)
        time.sleep(60)

    _atomic.os.replace = slow_replace
    _atomic.write_atomic(sys.argv[1], "new version")
"""


def test_sigkill_between_temp_write_and_rename_keeps_the_old_file(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("old version")
    proc = spawn(PAUSED_WRITER, target)
    assert proc.stdout.readline().strip() == "written, not yet renamed"
    kill_and_collect(proc, [])
    assert target.read_text() == "old version"
    (leftover,) = [p for p in tmp_path.iterdir() if p.name.startswith(".notes.md.")]
    assert leftover.read_text() == "new version"  # complete, just never renamed

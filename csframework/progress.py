"""A participant's progress through the year: sessions, exercises and journal prompts.

Progress is read from two places, and nothing else is stored:

- the **journal** (:class:`csframework.journal.Journal`): the prompts written in each
  session (check-in, check-out, ...), the reflections saved from the exercises, and
  the ``"exercises-progress"`` entries that a session's ``progress(journal=...)``
  saves (every saved version counts: a question solved once stays solved);
- the **exercise checks** run in this Python process (``ex.q1.check(...)``), which
  count before they are saved. :func:`record_exercises` saves them to the journal.

The journal prompts a session expects are the ones its notebooks ask
(``journal_prompt(7, "check-out", ...)``), found in the course notebooks when
they are at hand (:func:`csframework.site.find_course`).

A session is *done* when every exercise is solved and every expected prompt
written, *in progress* when something was started, else *not started*.

Examples
--------
>>> import tempfile, pathlib
>>> from csframework.journal import Journal
>>> from csframework.progress import progress
>>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite3")
>>> _ = journal.write(1, "check-in", "Curious, a little tired.")
>>> p = progress(journal, live=False)
>>> p.session(1).status, p.session(1).written
('in progress', ('check-in',))
>>> p.session(2).status
'not started'
>>> print(p.text().splitlines()[0])
Progress through the year: 0 of 15 sessions done, 1 in progress, 14 not started
>>> journal.close()
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from csframework import curriculum

__all__ = [
    "EXERCISES_PROMPT",
    "STATUSES",
    "Progress",
    "QuestionState",
    "SessionProgress",
    "expected_prompts",
    "progress",
    "record_exercises",
]

#: The journal prompt under which a session's exercise results are saved.
EXERCISES_PROMPT = "exercises-progress"

#: A session's status, from furthest to least far.
STATUSES = ("done", "in progress", "not started")

_STATUS_COLOURS = {"done": "#009E73", "in progress": "#E69F00", "not started": "#BBBBBB"}
_QUESTION_LINE = re.compile(r"^\s+(q\d+)\s+(solved|attempted|not started)\s+\S+?:\s?(.*)$")
_PROMPT_CALL = re.compile(
    r"journal_prompt\(\s*(?:session\s*=\s*)?([^,()]+?)\s*,\s*(?:prompt_id\s*=\s*)?"
    r"[\"']([a-z0-9][a-z0-9._-]*)[\"']")


@dataclass(frozen=True)
class QuestionState:
    """One exercise question: solved, attempted, or neither."""

    name: str
    title: str
    solved: bool = False
    attempted: bool = False

    @property
    def status(self) -> str:
        """``"solved"``, ``"attempted"`` or ``"not started"``."""
        return "solved" if self.solved else "attempted" if self.attempted else "not started"


@dataclass(frozen=True)
class SessionProgress:
    """How far one session is.

    Attributes
    ----------
    number : int
    title, month : str
    questions : tuple of QuestionState
        The session's exercise questions (none for session 0).
    expected : tuple of str
        The journal prompts its notebooks ask, in order.
    written : tuple of str
        The journal prompts written in this session, sorted (without the saved
        exercise results).
    """

    number: int
    title: str
    month: str
    questions: tuple[QuestionState, ...] = ()
    expected: tuple[str, ...] = ()
    written: tuple[str, ...] = ()

    @property
    def exercises_total(self) -> int:
        """How many exercise questions the session has."""
        return len(self.questions)

    @property
    def exercises_solved(self) -> int:
        """How many are solved."""
        return sum(q.solved for q in self.questions)

    @property
    def exercises_attempted(self) -> int:
        """How many were tried (solved or not)."""
        return sum(q.attempted or q.solved for q in self.questions)

    @property
    def journal_expected(self) -> int:
        """How many journal prompts the session's notebooks ask."""
        return len(self.expected)

    @property
    def journal_done(self) -> int:
        """How many of those are written."""
        return len(set(self.expected) & set(self.written))

    @property
    def fraction(self) -> float:
        """The share done, 0 to 1 (exercises solved and expected prompts written)."""
        total = self.exercises_total + self.journal_expected
        if total == 0:
            return 1.0 if self.written else 0.0
        return (self.exercises_solved + self.journal_done) / total

    @property
    def status(self) -> str:
        """``"done"``, ``"in progress"`` or ``"not started"``."""
        if self.fraction >= 1.0:
            return "done"
        if self.written or self.exercises_attempted:
            return "in progress"
        return "not started"


def _cell(done: int, total: int, extra: int = 0) -> str:
    if total:
        return f"{done}/{total}"
    return f"{extra} written" if extra else "–"


@dataclass(frozen=True)
class Progress:
    """Progress through the whole year, session by session.

    Attributes
    ----------
    sessions : tuple of SessionProgress
        Sessions 0 to 14.
    journal : str
        Where the journal is (or would be); empty when none was read.
    """

    sessions: tuple[SessionProgress, ...]
    journal: str = ""

    def session(self, number: int) -> SessionProgress:
        """The progress of session `number` (0 to 14)."""
        for s in self.sessions:
            if s.number == number:
                return s
        raise curriculum.UnknownSessionError(number)

    def count(self, status: str) -> int:
        """How many sessions have `status` (one of :data:`STATUSES`)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; valid statuses are {STATUSES}")
        return sum(s.status == status for s in self.sessions)

    def headline(self) -> str:
        """One sentence: how many sessions are done, in progress and not started."""
        return (f"Progress through the year: {self.count('done')} of {len(self.sessions)} "
                f"sessions done, {self.count('in progress')} in progress, "
                f"{self.count('not started')} not started")

    def text(self) -> str:
        """The progress as a plain-text table (also its ``repr``)."""
        lines = [self.headline(),
                 f"{'#':>3}  {'session':<44} {'exercises':<10} {'journal':<10} status"]
        for s in self.sessions:
            title = s.title if len(s.title) <= 44 else s.title[:43] + "…"
            ex = _cell(s.exercises_solved, s.exercises_total)
            jn = _cell(s.journal_done, s.journal_expected, len(s.written))
            lines.append(f"{s.number:>3}  {title:<44} {ex:<10} {jn:<10} {s.status}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = text

    def _repr_html_(self) -> str:
        rows = []
        for s in self.sessions:
            colour = _STATUS_COLOURS[s.status]
            bar = (f'<div style="width:8em;height:.7em;background:#eee;border-radius:.35em">'
                   f'<div style="width:{100 * s.fraction:.0f}%;height:100%;background:{colour};'
                   'border-radius:.35em"></div></div>')
            rows.append(
                f"<tr><td>{s.number}</td><td>{escape(s.title)}</td>"
                f"<td>{escape(s.month) or '–'}</td>"
                f"<td>{_cell(s.exercises_solved, s.exercises_total)}</td>"
                f"<td>{_cell(s.journal_done, s.journal_expected, len(s.written))}</td>"
                f'<td>{bar}</td><td style="color:{colour};font-weight:600">'
                f"{escape(s.status)}</td></tr>")
        head = ("<tr><th>#</th><th>Session</th><th>Month</th><th>Exercises</th><th>Journal</th>"
                "<th></th><th>Status</th></tr>")
        return (f'<div class="csf-progress"><b>{escape(self.headline())}</b>'
                f'<table style="border-collapse:collapse">{head}{"".join(rows)}</table></div>')

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame, one row per session.

        Examples
        --------
        >>> frame = Progress((SessionProgress(0, "Start", ""),)).to_frame()
        >>> list(frame.columns)  # doctest: +NORMALIZE_WHITESPACE
        ['title', 'month', 'exercises_solved', 'exercises_attempted', 'exercises_total',
         'journal_done', 'journal_expected', 'journal_written', 'fraction', 'status']
        """
        import pandas as pd

        records = [{"session": s.number, "title": s.title, "month": s.month,
                    "exercises_solved": s.exercises_solved,
                    "exercises_attempted": s.exercises_attempted,
                    "exercises_total": s.exercises_total, "journal_done": s.journal_done,
                    "journal_expected": s.journal_expected, "journal_written": len(s.written),
                    "fraction": s.fraction, "status": s.status} for s in self.sessions]
        return pd.DataFrame.from_records(records, index="session")

    def plot(self, ax: Any = None) -> Any:
        """A bar per session: the share done, coloured by status.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> ax = Progress((SessionProgress(0, "Start", "", written=("a",)),)).plot()
        >>> ax.get_title()
        'Progress through the year: 1 of 1 sessions done'
        """
        import matplotlib.pyplot as plt

        from csframework import style

        with plt.rc_context(style.current().rc()):
            if ax is None:
                _, ax = plt.subplots()
            labels = [f"{s.number}. {s.title if len(s.title) <= 32 else s.title[:31] + '…'}"
                      for s in self.sessions]
            ys = range(len(self.sessions))
            ax.barh(ys, [1.0] * len(self.sessions), color="#EEEEEE")
            ax.barh(ys, [s.fraction for s in self.sessions],
                    color=[_STATUS_COLOURS[s.status] for s in self.sessions])
            ax.set_yticks(list(ys), labels)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.5, 1], ["0 %", "50 %", "100 %"])
            ax.set_xlabel("share done (exercises solved, journal prompts written)")
            ax.set_title(f"Progress through the year: {self.count('done')} of "
                         f"{len(self.sessions)} sessions done")
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        return ax


# -- reading the sources ----------------------------------------------------------------------

def _session_of(token: str, default: int | None) -> int | None:
    text = token.strip().strip("'\"").lower().removeprefix("session").strip()
    if text == "start-here":
        return 0
    return int(text) if text.isdigit() else default


def expected_prompts(course: str | os.PathLike[str] | None = None) -> dict[int, tuple[str, ...]]:
    """The journal prompts each session's notebooks ask, from their ``journal_prompt`` calls.

    Parameters
    ----------
    course : str or path-like, optional
        The course folder (see :func:`csframework.site.find_course`). When no course
        can be found, no prompts are expected.

    Examples
    --------
    >>> import tempfile, pathlib, nbformat
    >>> course = pathlib.Path(tempfile.mkdtemp())
    >>> (course / "notebooks").mkdir()
    >>> cell = nbformat.v4.new_code_cell('journal_prompt(7, "check-out", "What now?")')
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[cell]),
    ...                course / "notebooks" / "07-feedback-loops-and-delays.ipynb")
    >>> expected_prompts(course)
    {7: ('check-out',)}
    """
    from csframework.site import CourseError, find_course

    try:
        root = find_course(course)
    except CourseError:
        if course is not None:
            raise
        return {}
    found: dict[int, list[str]] = {}
    for s in curriculum.sessions(include_start=True):
        for rel in (s.notebook, s.exercise):
            path = root / rel if rel else None
            if path is None or not path.is_file():
                continue
            try:
                cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            except (OSError, ValueError, AttributeError):
                continue
            for cell in cells:
                if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                    continue
                for token, prompt in _PROMPT_CALL.findall("".join(cell.get("source", ""))):
                    number = _session_of(token, s.number)
                    if number is not None and prompt not in found.setdefault(number, []):
                        found[number].append(prompt)
    return {n: tuple(p) for n, p in sorted(found.items())}


def _recorded(journal: Any, number: int) -> dict[str, tuple[bool, bool]]:
    """q-name -> (solved, attempted), over every saved version of the session's results."""
    states: dict[str, tuple[bool, bool]] = {}
    for entry in journal.history(number, EXERCISES_PROMPT):
        for line in entry.text.splitlines():
            match = _QUESTION_LINE.match(line)
            if match:
                name, status = match.group(1), match.group(2)
                solved, attempted = states.get(name, (False, False))
                states[name] = (solved or status == "solved",
                                attempted or status != "not started")
    return states


def _questions(number: int, live: bool, recorded: Mapping[str, tuple[bool, bool]],
               written: Iterable[str]) -> tuple[QuestionState, ...]:
    import importlib

    name = f"csframework.exercises.session{number:02d}"
    module = sys.modules.get(name) or importlib.import_module(name)
    saved = set(written)
    states = []
    for q in module.questions:
        was_solved, was_attempted = recorded.get(q.name, (False, False))
        reflected = getattr(q, "prompt_id", None) in saved
        solved = was_solved or reflected or (live and bool(q.solved))
        attempted = was_attempted or (live and bool(q.attempted))
        states.append(QuestionState(q.name, q.title, solved, attempted))
    return tuple(states)


def _open_journal(journal: Any) -> tuple[Any, bool, str]:
    """(journal or None, whether we opened it, its path)."""
    from csframework.journal import Journal, default_path

    if journal is None or isinstance(journal, str | os.PathLike):
        path = Path(journal).expanduser() if journal is not None else default_path()
        if not path.exists():
            return None, False, str(path)
        return Journal(path), True, str(path)
    return journal, False, str(getattr(journal, "path", ""))


def progress(journal: Any = None, *, live: bool = True,
             course: str | os.PathLike[str] | None = None) -> Progress:
    """Where a participant is in the year.

    Parameters
    ----------
    journal : Journal, str or path-like, optional
        The journal, or its file. Default: the participant's own journal
        (``$CSF_HOME/journal.sqlite3`` or the user data folder); when it does not
        exist yet, nothing has been written.
    live : bool
        Also count the exercise checks run in this Python process (default).
    course : str or path-like, optional
        The course folder, for the journal prompts each session expects.

    Returns
    -------
    Progress
    """
    from csframework.exercises import SESSIONS as EXERCISE_SESSIONS

    opened, close, where = _open_journal(journal)
    try:
        expected = expected_prompts(course)
        sessions = []
        for s in curriculum.sessions(include_start=True):
            written = ()
            recorded: dict[str, tuple[bool, bool]] = {}
            if opened is not None:
                written = tuple(sorted({e.prompt_id for e in opened.entries(s.number)}
                                       - {EXERCISES_PROMPT}))
                recorded = _recorded(opened, s.number)
            questions = (_questions(s.number, live, recorded, written)
                         if s.number in EXERCISE_SESSIONS else ())
            sessions.append(SessionProgress(s.number, s.title, s.month, questions,
                                            expected.get(s.number, ()), written))
        return Progress(tuple(sessions), where)
    finally:
        if close:
            opened.close()


def record_exercises(journal: Any = None, sessions: Sequence[int] | None = None) -> tuple[int, ...]:
    """Save the exercise checks run in this process to the journal.

    Each session with at least one attempt is saved through its own
    ``progress(journal=...)`` (the ``"exercises-progress"`` prompt), so that
    :func:`progress` finds it later, in another kernel or from the command line.

    Parameters
    ----------
    journal : Journal, str or path-like, optional
        Default: the participant's own journal (created if needed).
    sessions : sequence of int, optional
        Only these sessions.

    Returns
    -------
    tuple of int
        The sessions saved.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from csframework.journal import Journal
    >>> from csframework.exercises import session01 as ex
    >>> _ = ex.q1.check("balancing")
    >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite3")
    >>> record_exercises(journal, sessions=[1])
    (1,)
    >>> ex.reset()
    >>> progress(journal, live=False).session(1).exercises_solved
    1
    >>> journal.close()
    """
    from csframework.journal import Journal

    own = journal is None or isinstance(journal, str | os.PathLike)
    target = Journal(journal) if own else journal
    saved = []
    try:
        for name, module in sorted(sys.modules.items()):
            match = re.fullmatch(r"csframework\.exercises\.session(\d\d)", name)
            if not match or module is None:
                continue
            number = int(match.group(1))
            if sessions is not None and number not in sessions:
                continue
            if any(q.attempted for q in module.questions):
                module.progress(journal=target)
                saved.append(number)
    finally:
        if own:
            target.close()
    return tuple(saved)

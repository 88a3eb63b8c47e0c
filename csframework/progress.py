"""A participant's progress through the year: sessions, exercises and journal prompts.

Progress is read from two places, and nothing else is stored:

- the **journal** (:class:`csframework.journal.Journal`): the prompts written in each
  session (check-in, check-out, ...), the reflections saved from the exercises, and
  the ``"exercises-progress"`` entries that a session's ``progress(journal=...)``
  saves (every saved version counts: a question solved once stays solved);
- the **exercise checks** run in this Python process (``ex.q1.check(...)``), which
  count before they are saved. :func:`record_exercises` saves them to the journal.

The journal prompts a session expects are the ones its notebooks ask
(``journal_prompt(7, "check-out", ...)``), read from the code of the course
notebooks (parsed, never run) when they are at hand
(:func:`csframework.site.find_course`). Saved exercise results are read from
the entry's JSON attachment (``"results"``); entries written by versions
before it had one are read from their text.

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

import ast
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework import _html, curriculum, exercises
from csframework.exercises._framework import EXERCISES_PROMPT, EXERCISES_SCHEMA
from csframework.journal import Journal, default_path, expand_path
from csframework.site import CourseError, find_course

if TYPE_CHECKING:
    from csframework.journal import Entry

__all__ = [
    "EXERCISES_PROMPT",
    "EXERCISES_SCHEMA",
    "STATUSES",
    "Progress",
    "QuestionState",
    "SessionProgress",
    "expected_prompts",
    "progress",
    "prompt_calls",
    "record_exercises",
]

#: A session's status, from furthest to least far.
STATUSES = ("done", "in progress", "not started")

_STATUS_COLOURS = {"done": "#009E73", "in progress": "#E69F00", "not started": "#BBBBBB"}
# A question line of the text that versions before the JSON attachment saved (legacy)
_QUESTION_LINE = re.compile(r"^\s+(q\d+)\s+(solved|attempted|not started)\s+\S+?:\s?(.*)$")
_PROMPT_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_MAGIC_LINE = re.compile(r"^\s*[%!]")


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
        rows = [{"number": s.number, "title": s.title, "month": s.month,
                 "exercises": _cell(s.exercises_solved, s.exercises_total),
                 "journal": _cell(s.journal_done, s.journal_expected, len(s.written)),
                 "width": f"{100 * s.fraction:.0f}", "colour": _STATUS_COLOURS[s.status],
                 "status": s.status} for s in self.sessions]
        return _html.render("progress.html.j2", headline=self.headline(), rows=rows)

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

def _literal(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def prompt_calls(source: str) -> Iterator[tuple[object, str]]:
    """The ``journal_prompt(session, prompt_id, ...)`` calls in Python `source`.

    The code is parsed (never run); a cell that is not Python (a cell magic, a
    syntax error) has none. IPython's ``%`` and ``!`` lines are left out first.
    Yields (the session as written, or None when it is not a literal; the prompt id).

    Examples
    --------
    >>> list(prompt_calls('csf.journal_prompt(7, "check-out", "What now?")\\n%time x = 1'))
    [(7, 'check-out')]
    >>> list(prompt_calls('journal_prompt(session=N, prompt_id="loops")'))
    [(None, 'loops')]
    """
    code = "\n".join("" if _MAGIC_LINE.match(line) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "journal_prompt":
            continue
        given = dict(zip(("session", "prompt_id"), node.args, strict=False))
        given.update({k.arg: k.value for k in node.keywords if k.arg in ("session", "prompt_id")})
        prompt = _literal(given.get("prompt_id"))
        if isinstance(prompt, str) and _PROMPT_ID.fullmatch(prompt):
            yield _literal(given.get("session")), prompt


def _session_of(value: object, default: int) -> int | None:
    """The session a call names; the notebook's own when it is not written as a literal."""
    if value is None:
        return default
    try:
        return curriculum.session_number(value)
    except curriculum.UnknownSessionError:
        return None


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
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                for session, prompt in prompt_calls(source):
                    number = _session_of(session, s.number)
                    if number is not None and prompt not in found.setdefault(number, []):
                        found[number].append(prompt)
    return {n: tuple(p) for n, p in sorted(found.items())}


def _saved_results(entry: Entry) -> list[tuple[str, bool, bool]] | None:
    """(name, solved, attempted) per question from the entry's JSON; None if it has none."""
    try:
        data = entry.attachment("results").json_data()
    except KeyError:
        return None
    if not isinstance(data, dict) or data.get("schema") != EXERCISES_SCHEMA:
        return None
    questions = data.get("questions")
    if not isinstance(questions, list):
        return None
    return [(q["name"], q.get("solved") is True, q.get("attempted") is True)
            for q in questions if isinstance(q, dict) and isinstance(q.get("name"), str)]


def _text_results(entry: Entry) -> list[tuple[str, bool, bool]]:
    """The same from the text that versions before the JSON attachment saved."""
    found = []
    for line in entry.text.splitlines():
        match = _QUESTION_LINE.match(line)
        if match:
            status = match.group(2)
            found.append((match.group(1), status == "solved", status != "not started"))
    return found


def _recorded(journal: Journal, number: int) -> dict[str, tuple[bool, bool]]:
    """q-name -> (solved, attempted), over every saved version of the session's results."""
    states: dict[str, tuple[bool, bool]] = {}
    for entry in journal.history(number, EXERCISES_PROMPT):
        results = _saved_results(entry)
        for name, solved, attempted in (results if results is not None
                                        else _text_results(entry)):
            was_solved, was_attempted = states.get(name, (False, False))
            states[name] = (was_solved or solved, was_attempted or attempted or solved)
    return states


def _questions(number: int, live: bool, recorded: Mapping[str, tuple[bool, bool]],
               written: Iterable[str]) -> tuple[QuestionState, ...]:
    module = exercises.load(number)
    saved = set(written)
    states = []
    for q in module.questions:
        was_solved, was_attempted = recorded.get(q.name, (False, False))
        reflected = getattr(q, "prompt_id", None) in saved
        solved = was_solved or reflected or (live and bool(q.solved))
        attempted = was_attempted or (live and bool(q.attempted))
        states.append(QuestionState(q.name, q.title, solved, attempted))
    return tuple(states)


JournalLike = Journal | str | os.PathLike[str] | None


def _open_journal(journal: JournalLike) -> tuple[Journal | None, bool, str]:
    """(journal or None, whether we opened it, its path)."""
    if journal is None or isinstance(journal, str | os.PathLike):
        path = (expand_path(journal, "the journal path") if journal is not None
                else default_path())
        if not path.exists():
            return None, False, str(path)
        return Journal(path), True, str(path)
    return journal, False, str(getattr(journal, "path", ""))


def progress(journal: JournalLike = None, *, live: bool = True,
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
                         if s.number in exercises.SESSIONS else ())
            sessions.append(SessionProgress(s.number, s.title, s.month, questions,
                                            expected.get(s.number, ()), written))
        return Progress(tuple(sessions), where)
    finally:
        if close:
            opened.close()


def record_exercises(journal: JournalLike = None,
                     sessions: Sequence[int] | None = None) -> tuple[int, ...]:
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
    own = journal is None or isinstance(journal, str | os.PathLike)
    target = Journal(journal) if own else journal
    saved = []
    try:
        for number in exercises.SESSIONS:
            module = sys.modules.get(f"{exercises.__name__}.session{number:02d}")
            if module is None or (sessions is not None and number not in sessions):
                continue
            if any(q.attempted for q in module.questions):
                module.progress(journal=target)
                saved.append(number)
    finally:
        if own:
            target.close()
    return tuple(saved)

"""The machinery every exercise shares: results, hints, solutions, questions and progress.

A :class:`Question` answers :meth:`~Question.check` with a :class:`CheckResult`
whose status is ``"correct"``, ``"not yet"`` or ``"not attempted"``. A check
never raises at a participant: an answer of the wrong form is "not yet", with
a sentence about the form that is expected. The question kinds themselves live
in :mod:`csframework.exercises.questions`.

Examples
--------
>>> from csframework.exercises._framework import CheckResult
>>> CheckResult("not yet", "Count the '-' links again.")
Not yet: Count the '-' links again.
>>> bool(CheckResult("correct", "Well spotted."))
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from csframework._text import plural as plural  # questions.py takes it from here

__all__ = [
    "EXERCISES_PROMPT",
    "EXERCISES_SCHEMA",
    "NOT_ATTEMPTED",
    "STATUSES",
    "CheckResult",
    "Hint",
    "Progress",
    "Question",
    "QuestionStatus",
    "SessionExercises",
    "Solution",
]

#: The three answers a check can give.
STATUSES = ("correct", "not yet", "not attempted")

#: The journal prompt under which a session's exercise results are saved.
EXERCISES_PROMPT = "exercises-progress"

#: The ``"schema"`` of the JSON attachment (named ``"results"``) holding those results.
EXERCISES_SCHEMA = "csframework.exercises-progress"

_HEADINGS = {"correct": "Correct", "not yet": "Not yet", "not attempted": "Not attempted"}
_BOXES = {  # background, border, heading
    "correct": ("#E8F5EC", "#1E8E3E", "Correct, well done"),
    "not yet": ("#FFF4E0", "#E69F00", "Not yet, keep going"),
    "not attempted": ("#F1F3F4", "#9AA0A6", "Not attempted yet"),
}


class _NotGiven:
    """The default of ``check()``: nothing was passed."""

    def __repr__(self) -> str:
        return "NOT_ATTEMPTED"


#: The default answer of ``check()``: the participant has not answered yet.
NOT_ATTEMPTED = _NotGiven()


def show(value: Any, limit: int = 60) -> str:
    """A short, safe ``repr`` of anything a participant might pass.

    Examples
    --------
    >>> show("a rather long answer " * 5, limit=30)
    "'a rather long answer a rat..."
    >>> show({"x": 1})
    "{'x': 1}"
    """
    try:
        text = repr(value)
    except Exception:
        text = f"<a {type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def key(text: Any) -> str:
    """Words of `text`, lower case, without punctuation: how answers are compared.

    Examples
    --------
    >>> key("  Mental_Models! ")
    'mental models'
    >>> key("Jordan doesn't care") == key("Jordan does not care")
    True
    """
    text = str(text).lower().replace("\u2019", "'")
    for short, full in _CONTRACTIONS:
        text = text.replace(short, full)
    return " ".join(re.findall(r"[a-z0-9]+", text.replace("'s ", " ")))


#: Contractions written out, so that "don't" and "do not" compare equal.
_CONTRACTIONS = (("can't", "cannot"), ("won't", "will not"), ("shan't", "shall not"),
                 ("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"),
                 ("i'm", "i am"))


def is_blank(answer: Any) -> bool:
    """Whether `answer` means "I have not answered yet".

    Nothing given, ``None``, ``...``, an empty or placeholder text (``""``,
    ``"____"``, ``"?"``) or an empty collection.

    Examples
    --------
    >>> [is_blank(a) for a in (None, ..., "", "  ___ ", {}, "R", 0)]
    [True, True, True, True, True, False, False]
    """
    if answer is NOT_ATTEMPTED or answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str):
        return not answer.strip(" \t\n_?.…")
    if isinstance(answer, dict | list | tuple | set | frozenset):
        return len(answer) == 0
    return False


def number(value: Any) -> float | None:
    """`value` as a finite float, or None when it is not a plain number.

    Text holding a number counts (``"25"``); ``True`` does not.

    Examples
    --------
    >>> number(3), number("2.5"), number(True), number(float("nan")), number("many")
    (3.0, 2.5, None, None, None)
    """
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            result = float(value.strip())
        elif hasattr(value, "__float__") and not isinstance(value, complex):
            result = float(value)
        else:
            return None
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def listing(items: Iterable[str], quote: bool = True, conjunction: str = "and") -> str:
    """``'a', 'b' and 'c'``."""
    shown = [f"'{i}'" if quote else str(i) for i in items]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]


@dataclass(frozen=True)
class CheckResult:
    """What a check says about an answer.

    Attributes
    ----------
    status : {"correct", "not yet", "not attempted"}
    message : str
        Feedback: why it is right, or what to look at again.
    """

    status: str
    message: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    @property
    def correct(self) -> bool:
        """True for a correct answer."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"{_HEADINGS[self.status]}: {self.message}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        background, border, heading = _BOXES[self.status]
        return (f'<div class="csf-check csf-{self.status.replace(" ", "-")}" '
                f'style="background:{background};border-left:5px solid {border};'
                f'padding:8px 12px;margin:4px 0;border-radius:4px;color:#1A1A1A">'
                f"<b>{escape(heading)}.</b> {escape(self.message)}</div>")


@dataclass(frozen=True)
class Hint:
    """One of a question's graded hints.

    Attributes
    ----------
    number, total : int
        Which hint this is, and how many there are.
    text : str
    note : str
        Said when a hint beyond the last was asked for.
    """

    number: int
    total: int
    text: str
    note: str = ""

    def __repr__(self) -> str:
        note = f"\n({self.note})" if self.note else ""
        return f"Hint {self.number} of {self.total}: {self.text}{note}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        note = f'<br><i style="color:#666">{escape(self.note)}</i>' if self.note else ""
        return (f'<div class="csf-hint" style="background:#EEF5FB;border-left:5px solid #0072B2;'
                f'padding:8px 12px;margin:4px 0;border-radius:4px;color:#1A1A1A">'
                f"<b>Hint {self.number} of {self.total}.</b> {escape(self.text)}{note}</div>")


@dataclass(frozen=True)
class Solution:
    """A worked solution: the explanation, code that gives the answer, and the answer itself.

    Attributes
    ----------
    explanation : str
    code : str
        Code a participant could run (may be empty).
    answer : object
        An answer that passes the check.
    """

    explanation: str
    code: str
    answer: Any

    def __repr__(self) -> str:
        code = f"\n\n{self.code}" if self.code else ""
        return f"Solution: {self.explanation}{code}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        code = (f'<pre style="background:#fff;padding:6px;margin:6px 0 0 0">{escape(self.code)}'
                "</pre>" if self.code else "")
        return (f'<div class="csf-solution" style="background:#F4F0F8;border-left:5px solid '
                f'#CC79A7;padding:8px 12px;margin:4px 0;border-radius:4px;color:#1A1A1A">'
                f"<b>Solution.</b> {escape(self.explanation)}{code}</div>")


class Question:
    """The base of every question kind: check, hints, solution and state.

    Subclasses implement :meth:`_check` (given a non-blank answer, return a
    CheckResult; it may raise, the base turns any error into "not yet"),
    :meth:`answer` (an answer that passes) and :meth:`_explanation`.

    Parameters
    ----------
    prompt : str
        The question as the participant reads it.
    hints : sequence of str
        Graded hints, gentlest first.
    explanation : str, optional
        Why the solution is right, in a few sentences.
    code : str, optional
        Code for the solution (shown by :meth:`solution`).
    title : str, optional
        A short name for progress views.
    typical_mistakes : sequence of (answer, str)
        Typical wrong answers and a piece of the feedback each should get
        (tests check them).
    """

    #: What an answer looks like, said when the form is wrong.
    expected_form = "an answer"

    def __init__(self, prompt: str, *, hints: Sequence[str], explanation: str = "",
                 code: str = "", title: str = "",
                 typical_mistakes: Sequence[tuple[Any, str]] = ()):
        if not hints:
            raise ValueError("a question needs at least one hint")
        self.prompt = prompt
        self.hints = tuple(hints)
        self.explanation = explanation
        self.code = code
        self.title = title or prompt.split(".")[0][:60]
        self.typical_mistakes = tuple(typical_mistakes)
        self.number: int | None = None
        self.session: int | None = None
        self.attempts = 0
        self._solved = False

    # -- what a subclass provides ------------------------------------------------------

    def _check(self, answer: Any) -> CheckResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def answer(self) -> Any:  # pragma: no cover - abstract
        """An answer that passes :meth:`check`."""
        raise NotImplementedError

    def _explanation(self) -> str:
        return self.explanation

    # -- what a participant calls --------------------------------------------------------

    @property
    def name(self) -> str:
        """``"q1"``, ``"q2"``, ... once the question belongs to a session."""
        return f"q{self.number}" if self.number else "q?"

    @property
    def kind(self) -> str:
        """The question kind, e.g. ``"ClassifyLoop"``."""
        return type(self).__name__

    @property
    def attempted(self) -> bool:
        """Whether an answer has been checked at least once."""
        return self.attempts > 0

    @property
    def solved(self) -> bool:
        """Whether any checked answer was correct."""
        return self._solved

    def check(self, answer: Any = NOT_ATTEMPTED) -> CheckResult:
        """Check `answer`: "correct", "not yet" (with feedback) or "not attempted".

        Never raises: an answer of the wrong form is "not yet", saying which
        form is expected.
        """
        if _safe_blank(answer):
            return CheckResult("not attempted",
                               f"write your answer ({self.expected_form}) and run the check "
                               "again. A hint is one call away: .hint()")
        try:
            result = self._check(answer)
            if not isinstance(result, CheckResult):  # pragma: no cover - a bug in a kind
                raise TypeError(f"{self.kind}._check returned {type(result).__name__}")
        except Exception as err:
            result = CheckResult(
                "not yet", f"I could not read {show(answer)} as an answer here "
                f"({type(err).__name__}: {show(str(err), 120)[1:-1]}). "
                f"Expected {self.expected_form}.")
        self.attempts += 1
        if result.correct:
            self._solved = True
        return result

    def hint(self, k: Any = 1) -> Hint:
        """Hint number `k` (from 1); beyond the last, the last one with a note.

        Examples
        --------
        >>> from csframework.exercises.questions import MultipleChoice
        >>> q = MultipleChoice("Pick one.", ["yes", "no"], "a", hints=["Think.", "Think more."])
        >>> q.hint(2)
        Hint 2 of 2: Think more.
        >>> q.hint(5)
        Hint 2 of 2: Think more.
        (There are only 2 hints; this is the last one. solution() shows the answer.)
        """
        total = len(self.hints)
        k_number = number(k)
        note = ""
        if k_number is None or k_number != int(k_number) or k_number < 1:
            k_int = 1
            note = f"Hints are numbered 1 to {total}; here is the first."
        else:
            k_int = int(k_number)
        if k_int > total:
            note = (f"There {'is only 1 hint' if total == 1 else f'are only {total} hints'}; "
                    "this is the last one. solution() shows the answer.")
            k_int = total
        return Hint(k_int, total, self.hints[k_int - 1], note)

    def solution(self) -> Solution:
        """The worked solution: explanation, code and an answer that passes."""
        return Solution(self._explanation(), self.code, self.answer())

    def reset(self) -> None:
        """Forget the attempts made so far."""
        self.attempts = 0
        self._solved = False

    def __repr__(self) -> str:
        where = f" of session {self.session}" if self.session else ""
        return f"<{self.kind} {self.name}{where}: {self.title}>"

    def _repr_html_(self) -> str:
        return (f'<div class="csf-question"><b>{escape(self.name)}</b> '
                f"<i>({escape(self.kind)})</i><br>{escape(self.prompt)}</div>")


def _safe_blank(answer: Any) -> bool:
    try:
        return is_blank(answer)
    except Exception:
        return False


@dataclass(frozen=True)
class QuestionStatus:
    """One row of a :class:`Progress` view."""

    name: str
    kind: str
    title: str
    attempted: bool
    solved: bool

    @property
    def status(self) -> str:
        """``"solved"``, ``"attempted"`` or ``"not started"``."""
        return "solved" if self.solved else "attempted" if self.attempted else "not started"


@dataclass(frozen=True)
class Progress:
    """A session's exercises at a glance.

    Attributes
    ----------
    session : int
    questions : tuple of QuestionStatus
    """

    session: int
    questions: tuple[QuestionStatus, ...]

    @property
    def solved(self) -> int:
        """How many questions are solved."""
        return sum(q.solved for q in self.questions)

    @property
    def attempted(self) -> int:
        """How many questions have been tried."""
        return sum(q.attempted for q in self.questions)

    def text(self) -> str:
        """The progress as plain text (also its ``repr``)."""
        lines = [f"Session {self.session}: {self.solved} of {len(self.questions)} solved, "
                 f"{self.attempted} attempted"]
        lines += [f"  {q.name} {q.status:<11} {q.kind}: {q.title}" for q in self.questions]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def to_json(self) -> dict[str, Any]:
        """The results as data, for the journal (see :data:`EXERCISES_SCHEMA`).

        Examples
        --------
        >>> Progress(3, (QuestionStatus("q1", "MultipleChoice", "Pick", True, False),)).to_json()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'schema': 'csframework.exercises-progress', 'version': 1, 'session': 3,
         'questions': [{'name': 'q1', 'kind': 'MultipleChoice', 'title': 'Pick',
                        'attempted': True, 'solved': False}]}
        """
        return {"schema": EXERCISES_SCHEMA, "version": 1, "session": self.session,
                "questions": [{"name": q.name, "kind": q.kind, "title": q.title,
                               "attempted": q.attempted, "solved": q.solved}
                              for q in self.questions]}

    def _repr_html_(self) -> str:
        marks = {"solved": "✓", "attempted": "…", "not started": "·"}
        rows = "".join(f"<tr><td>{marks[q.status]}</td><td>{escape(q.name)}</td>"
                       f"<td>{escape(q.title)}</td><td>{escape(q.status)}</td></tr>"
                       for q in self.questions)
        return (f"<div><b>Session {self.session}</b>: {self.solved} of {len(self.questions)} "
                f"solved, {self.attempted} attempted<table>{rows}</table></div>")


class SessionExercises:
    """The questions of one session, numbered q1, q2, ... in order.

    Examples
    --------
    >>> from csframework.exercises.questions import MultipleChoice
    >>> q1 = MultipleChoice("Pick one.", ["yes", "no"], "a", hints=["Think."])
    >>> ex = SessionExercises(3, [q1])
    >>> q1.name, q1.session
    ('q1', 3)
    >>> _ = q1.check("b")
    >>> ex.progress()
    Session 3: 0 of 1 solved, 1 attempted
      q1 attempted   MultipleChoice: Pick one
    """

    def __init__(self, session: int, questions: Sequence[Question]):
        self.session = session
        self.questions = tuple(questions)
        for i, question in enumerate(self.questions, start=1):
            question.number = i
            question.session = session

    def progress(self, journal: Any = None) -> Progress:
        """The state of every question; with a `journal`, also saved to it.

        It is saved only when a question was tried in this process and the
        state differs from the last one saved, so running a notebook again adds
        no copies; ``csframework progress`` reads it from there later. The entry
        holds the table as text (for the portfolio) and the same results as a
        JSON attachment named ``"results"`` (:meth:`Progress.to_json`).

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from csframework.journal import Journal
        >>> from csframework.exercises import session01 as ex
        >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite3")
        >>> _ = ex.progress(journal)                  # nothing tried: nothing saved
        >>> _ = ex.q1.check("balancing")
        >>> _ = ex.progress(journal), ex.progress(journal)   # saved once
        >>> [entry.version for entry in journal.history(1, "exercises-progress")]
        [1]
        >>> journal.latest(1, "exercises-progress").attachment("results").value["questions"][0]
        ... # doctest: +ELLIPSIS
        {'name': 'q1', 'kind': 'ClassifyLoop', 'title': ..., 'attempted': True, 'solved': True}
        >>> ex.reset(); journal.close()
        """
        progress = Progress(self.session, tuple(
            QuestionStatus(q.name, q.kind, q.title, q.attempted, q.solved)
            for q in self.questions))
        if journal is not None and progress.attempted:
            text = progress.text()
            last = journal.latest(self.session, EXERCISES_PROMPT)
            if last is None or last.text != text:
                journal.write(self.session, EXERCISES_PROMPT, text,
                              attachments={"results": progress.to_json()},
                              domain="capacity building")
        return progress

    def reset(self) -> None:
        """Forget every attempt of this session."""
        for question in self.questions:
            question.reset()

    def by_name(self) -> Mapping[str, Question]:
        """``{"q1": question, ...}``."""
        return {q.name: q for q in self.questions}

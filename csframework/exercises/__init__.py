"""Exercises for every convening: check yourself, ask for a hint, see a solution.

In the manner of Kaggle's learntools. Each session has a module,
``session01`` ... ``session14``, holding its questions ``q1``, ``q2``, ...::

    from csframework.exercises import session07 as ex
    ex.q1.check("balancing")     # Correct / Not yet (with feedback) / Not attempted
    ex.q1.hint()                 # the gentlest hint; ex.q1.hint(2) the next one
    ex.q1.solution()             # the explanation, code and an answer that passes
    ex.progress()                # which questions are solved

A check never raises at a participant: an answer of the wrong form is
"not yet", with a sentence about the form that is expected.

The question kinds are in :mod:`csframework.exercises.questions`.

Examples
--------
>>> from csframework import exercises
>>> ex = exercises.load(7)
>>> ex.__name__
'csframework.exercises.session07'
>>> ex.q1.check()
Not attempted: write your answer ('reinforcing' or 'balancing', or just 'R' or 'B') and run \
the check again. A hint is one call away: .hint()
>>> [q.kind for q in ex.questions]
['ClassifyLoop', 'PredictPattern', 'SetParameter', 'BuildCLD']
"""

from __future__ import annotations

import importlib
from types import ModuleType

from csframework.curriculum import UnknownSessionError, session_number
from csframework.errors import ExerciseError
from csframework.exercises._framework import (
    NOT_ATTEMPTED,
    CheckResult,
    Hint,
    Progress,
    Question,
    Solution,
)

__all__ = [
    "NOT_ATTEMPTED",
    "SESSIONS",
    "CheckResult",
    "Hint",
    "Progress",
    "Question",
    "Solution",
    "load",
]

#: The sessions that have exercises.
SESSIONS = tuple(range(1, 15))


def load(session: int | str) -> ModuleType:
    """The exercise module of a session: ``load(7)``, ``load("07")`` or ``load("session 7")``.

    The session is read by :func:`csframework.curriculum.session_number`.

    Raises
    ------
    ExerciseError
        (a ``LookupError``) for a session without exercises, listing the valid ones.

    Examples
    --------
    >>> load("03").questions[0].kind
    'PredictPattern'
    >>> load(0)
    Traceback (most recent call last):
    ...
    csframework.errors.ExerciseError: session 0 has no exercises; exercises exist for \
sessions 1 to 14
    """
    try:
        number = session_number(session)
    except UnknownSessionError:
        number = None
    if number not in SESSIONS:
        raise ExerciseError(f"session {session!r} has no exercises; exercises exist for "
                            "sessions 1 to 14")
    return importlib.import_module(f"{__name__}.session{number:02d}")

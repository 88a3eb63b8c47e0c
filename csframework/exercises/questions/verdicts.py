"""The two verdicts a question's check gives about an answer.

Examples
--------
>>> correct("the loop is balancing.")
Correct: the loop is balancing.
>>> not_yet("count the '-' links again.").status
'not yet'
"""

from __future__ import annotations

from csframework.exercises._framework import CheckResult

__all__ = ["correct", "not_yet"]


def correct(message: str) -> CheckResult:
    """A check's verdict that the answer is right, with why."""
    return CheckResult("correct", message)


def not_yet(message: str) -> CheckResult:
    """A check's verdict that the answer is not right yet, with what to look at again."""
    return CheckResult("not yet", message)

"""Numbers as the harvest game shows them: float noise rounded away, one decimal for people.

Examples
--------
>>> from csframework.games.numbers import short, tidy
>>> tidy(0.1 + 0.2), short(93.25), short(12.0)
(0.3, '93.2', '12')
"""

from __future__ import annotations

__all__ = ["short", "tidy"]


def tidy(value: float) -> float:
    """Round away float noise, so that outputs read cleanly and stay stable."""
    result = round(float(value), 4)
    return 0.0 if result == 0 else result


def short(value: float) -> str:
    """A number for people: at most one decimal, no trailing zeros."""
    return f"{round(float(value), 1) + 0.0:g}"

"""The gallery: one figure with a small picture of every pattern of the library."""

from __future__ import annotations

import math
from typing import Any

from csframework.behaviour.patterns import PATTERNS, draw_sample

__all__ = ["gallery"]


def gallery() -> Any:
    """One figure with a small picture of every pattern.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from csframework import behaviour
    >>> fig = behaviour.gallery()
    >>> len(fig.axes)
    12
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from csframework import style

    theme = style.current()
    columns = 3
    rows = math.ceil(len(PATTERNS) / columns)
    with rc_context(theme.rc()):
        fig = Figure(figsize=(theme.figure_width * 1.2, theme.figure_width * 0.4 * rows),
                     layout="constrained")
        for i, p in enumerate(PATTERNS):
            draw_sample(fig.add_subplot(rows, columns, i + 1), p)
        fig.suptitle("Behaviour over time: the pattern library")
    return fig

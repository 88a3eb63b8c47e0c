"""Searching one diagram for given archetypes: the engine behind ``find`` and ``find_in``.

:func:`search` checks its arguments, runs a
:class:`~csframework.archetypes.matching.Matcher` for each archetype with
Python's cyclic garbage collector paused (:func:`paused`), and keeps the
matches to report (:mod:`csframework.archetypes.readings`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from csframework.archetypes.graph import SignedGraph
from csframework.archetypes.matches import Match, MatchList
from csframework.archetypes.matching import Matcher
from csframework.archetypes.readings import match_rank, outermost, with_alternatives
from csframework.errors import DiagramError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.archetypes.catalogue import Archetype
    from csframework.cld import CausalLoopDiagram

__all__ = ["DEFAULT_LIMIT", "MAX_PATH_LENGTH", "check_arguments", "paused", "search"]

#: How many links of a participant's diagram may stand in for one archetype link.
MAX_PATH_LENGTH = 3

#: Matches reported per archetype before :func:`find` stops (``MatchList.complete``).
DEFAULT_LIMIT = 1000


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, then restore it as it was.

    The archetype search makes hundreds of thousands of short-lived tuples and
    dicts and no reference cycles. The collector's passes over them (and, every
    so often, over the whole heap: large in a Jupyter kernel with pandas and
    matplotlib loaded) took a fifth of the search's time, measured over
    repeated runs so that the pass deferred to after the search is counted
    too. (The loop search gains nothing measurable: it is not paused.)
    Reference counting still frees everything as usual.

    >>> import gc
    >>> from csframework.archetypes.search import paused
    >>> with paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def check_arguments(max_loop_length: object, max_path_length: object, limit: object) -> None:
    """Raise DiagramError unless the bounds of a search are whole numbers large enough.

    >>> from csframework.archetypes.search import check_arguments
    >>> check_arguments(8, 0, 10)
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: max_path_length must be a whole number of at least 1, got 0
    """
    _check_whole(max_loop_length, "max_loop_length", 2)
    _check_whole(max_path_length, "max_path_length", 1)
    _check_whole(limit, "limit", 1)


def search(cld: CausalLoopDiagram, archetypes: Sequence[Archetype], max_loop_length: int = 8,
           *, max_path_length: int = MAX_PATH_LENGTH, allow_inverted: bool = True,
           nested: bool = False, limit: int = DEFAULT_LIMIT) -> MatchList:
    """The matches of `archetypes` in `cld` (the arguments as for :func:`find`).

    Examples
    --------
    >>> from csframework import archetypes
    >>> from csframework.archetypes.search import search
    >>> limits = archetypes.get("limits to growth")
    >>> search(limits.cld, [limits])
    MatchList([<Match 'limits to growth' in R1, B1: confidence 1.00>])
    """
    check_arguments(max_loop_length, max_path_length, limit)
    graph = SignedGraph(cld, max_path_length)
    matcher = Matcher(cld, graph, max_loop_length, bool(allow_inverted))
    found: list[Match] = []
    stopped = []
    with paused():
        for archetype in archetypes:
            matches = matcher.matches(archetype, limit)
            stopped += [f"reached the limit of {limit} matches of {archetype.name!r}"
                        + (f" in the form with {form}" if form else "")
                        for form in matcher.stopped]
            found.extend(sorted(matches, key=match_rank))
        if not nested:
            found = outermost(found)
        found = with_alternatives(found)
    return MatchList(found, "; ".join(stopped) or None)


def _check_whole(value: object, what: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise DiagramError(f"{what} must be a whole number of at least {least}, got {value!r}")

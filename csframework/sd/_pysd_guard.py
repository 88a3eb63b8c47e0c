"""PySD's Vensim parser without ``eval``: file text can only ever be a literal.

PySD 3.14's Vensim translator evaluates pieces of the file (a lookup's range,
``[(0,0)-(1,1)]``, may hold any text) with Python's ``eval``. :func:`guard`
replaces that ``eval``, for every later parse in the process (the native
reader's and PySD's own), with ``ast.literal_eval``: numbers and tuples are
read as before, anything else is a `FormatError`. This module imports nothing
else of the package, so every reader can use it.

Examples
--------
>>> literal("[(0, 0), (1, 1)]")
[(0, 0), (1, 1)]
>>> literal("__import__('os')")   # doctest: +ELLIPSIS
Traceback (most recent call last):
...
csframework.errors.FormatError: the Vensim file contains "__import__('os')" where a number ...
"""

from __future__ import annotations

import ast
from typing import Any

from csframework.errors import FormatError

__all__ = ["guard", "literal"]


def literal(text: str) -> Any:
    """Stands in for ``eval`` inside PySD's Vensim parser: numbers and tuples only."""
    try:
        return ast.literal_eval(str(text).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise FormatError(f"the Vensim file contains {str(text)[:80]!r} where a number or a "
                          "lookup range such as [(0,0)-(10,1)] belongs") from None


def guard() -> None:
    """Make PySD's Vensim parser read numbers and ranges without ``eval``.

    Module globals shadow built-ins, so setting ``eval`` in PySD's module
    replaces the built-in there for every later parse.
    """
    from pysd.translators.vensim import vensim_element

    vensim_element.eval = literal  # type: ignore[attr-defined]

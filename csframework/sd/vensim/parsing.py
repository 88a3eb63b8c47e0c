"""PySD's Vensim parser, guarded: a ``.mdl`` file into PySD's abstract model.

PySD's translator calls Python's ``eval`` on some pieces of a file (numbers,
lookup ranges); while it parses, that ``eval`` is replaced by
:func:`ast.literal_eval` (`csframework.sd._pysd_guard`), so a file can supply
numbers and nothing else there. Files over `MAX_FILE_BYTES` are refused.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from csframework.errors import FormatError
from csframework.sd._pysd_guard import guard as _guard_pysd

if TYPE_CHECKING:
    from pysd.translators.structures.abstract_model import AbstractModel

__all__ = ["MAX_FILE_BYTES", "UnsupportedVensimError", "abstract_model"]

#: Largest Vensim file accepted (World3-03 is about 170 kB).
MAX_FILE_BYTES = 20_000_000


class UnsupportedVensimError(FormatError):
    """A Vensim file uses a construct the native reader does not support.

    Attributes
    ----------
    variable : str or None
        The Vensim name of the variable that uses it.
    construct : str
        What it uses, e.g. ``"subscripts"`` or ``"the function GET TIME VALUE"``.
    """

    def __init__(self, message: str, variable: str | None = None, construct: str = ""):
        super().__init__(message)
        self.variable, self.construct = variable, construct


def abstract_model(path: str | Path) -> AbstractModel:
    """Parse a Vensim file with PySD's translator into PySD's abstract model.

    Raises
    ------
    FileNotFoundError, FormatError
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Vensim file {str(path)!r} does not exist")
    if path.suffix.lower() != ".mdl":
        raise FormatError(f"{path.name!r} is not a Vensim text model; expected a .mdl file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FormatError(f"Vensim file {path.name!r} has {size:,} bytes, more than the "
                          f"{MAX_FILE_BYTES:,} accepted")
    _guard_pysd()
    from pysd.translators.vensim.vensim_file import VensimFile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            file = VensimFile(path)
            file.parse()
            return file.get_abstract_model()
    except FormatError as exc:
        raise FormatError(f"Vensim file {path.name!r}: {exc}") from None
    except RecursionError:
        raise FormatError(f"Vensim file {path.name!r} is nested too deeply to read") from None
    except Exception as exc:  # parsimonious and PySD raise many kinds
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise FormatError(f"PySD's Vensim parser could not read {path.name!r}: "
                          f"{type(exc).__name__}: {reason}") from None


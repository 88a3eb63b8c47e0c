"""`load_model`: open a model file after checking it is one.

The checks come before any reader sees the file: the path must be a regular
file (not a folder, device or pipe) no larger than
`csframework.sd.xmile.MAX_FILE_BYTES`; XMILE is parsed with the hardened
parser (no DTD or entities, the element and depth limits, the XMILE
namespace) and refused when it holds no variables, so an old-format or empty
file is never returned as an empty model. Then a Vensim file goes to the native
Vensim reader (`csframework.sd.vensim`), and XMILE to
`csframework.sd.pysd_backend.load_model`; each falls back to PySD (made safe,
see `csframework.sd._pysd_safe`) for what the native readers do not support.

Examples
--------
>>> import tempfile, pathlib
>>> load_model(tempfile.mkdtemp())
Traceback (most recent call last):
...
csframework.errors.FormatError: model file '...' is a folder, not a model file; expected ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csframework.errors import FormatError

__all__ = ["MODEL_SUFFIXES", "load_model"]

#: The file types `load_model` opens.
MODEL_SUFFIXES = (".xmile", ".stmx", ".xml", ".mdl")


def load_model(path: str | Path) -> Any:
    """Open a model file: natively where possible, through PySD otherwise.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.xmile`` / ``.stmx`` / ``.xml`` (XMILE) or ``.mdl`` (Vensim).

    Returns
    -------
    StockFlowModel or PySDModel
        See `csframework.sd.pysd_backend.load_model`.

    Raises
    ------
    FileNotFoundError
        If nothing is at `path`.
    FormatError
        For a folder (the model files in it are named), a device or other
        special file, a file over `csframework.sd.xmile.MAX_FILE_BYTES`,
        XMILE that breaks a limit of the hardened reader, is in another
        namespace or the pre-1.0 layout, or has no variables, and for a model
        in which PySD finds no variables.
    """
    from csframework.sd import pysd_backend, xmile

    path = xmile.check_model_file(path, MODEL_SUFFIXES)
    suffix = path.suffix.lower()
    if suffix in (".xmile", ".stmx", ".xml"):
        where = f"XMILE file {path.name!r}"
        root = xmile._parse_xml(path.read_bytes(), where)
        xmile._check_layout(root, where)
    if suffix == ".mdl":
        from csframework.sd import vensim

        try:
            return vensim.read_vensim(path)
        except vensim.UnsupportedVensimError as native_error:
            try:
                model = pysd_backend.PySDModel(path)
            except FormatError as exc:
                raise FormatError(f"{native_error}; PySD could not read it either: {exc}") from exc
    else:
        model = pysd_backend.load_model(path)
    if isinstance(model, pysd_backend.PySDModel) and not model.names():
        raise FormatError(f"model file {path.name!r}: PySD read it but found no variables; "
                          "it is empty or in a format PySD does not know")
    return model

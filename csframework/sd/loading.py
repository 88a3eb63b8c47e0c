"""Opening model files: `load_model` for any model file, `read_xmile` for XMILE.

`load_model`'s checks come before any reader sees the file: the path must be
a regular file (not a folder, device or pipe) no larger than
`csframework.sd.xmile.MAX_FILE_BYTES`; XMILE is parsed with the hardened
parser (no DTD or entities, the element and depth limits, the XMILE
namespace) and refused when it holds no variables, so an old-format or empty
file is never returned as an empty model. Then a Vensim file goes to the native
Vensim reader (`csframework.sd.vensim`), and XMILE to the native XMILE reader
(`csframework.sd.xmile`); each falls back to PySD (made safe, see
`csframework.sd._pysd_safe`) for what the native readers do not support.

This module sits above the readers and the model: it gives them the model
class (`StockFlowModel`), so that they never import the model module.

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

from csframework.errors import FormatError
from csframework.sd import vensim, xmile
from csframework.sd.model import StockFlowModel
from csframework.sd.pysd_backend import PySDModel

__all__ = ["MODEL_SUFFIXES", "load_model", "load_xmile_or_pysd", "read_xmile"]

#: The file types `load_model` opens.
MODEL_SUFFIXES = (".xmile", ".stmx", ".xml", ".mdl")
_XMILE_SUFFIXES = (".xmile", ".stmx", ".xml")


def read_xmile(path_or_text: str | Path | bytes, *,
               non_negative_stocks: str = "clamp") -> StockFlowModel:
    """Read an XMILE 1.0 model into a `StockFlowModel`.

    The same as ``StockFlowModel.from_xmile(path_or_text)``, with the choice of
    how non-negative stocks stay at zero; see `csframework.sd.xmile.read` for
    the parameters, what the model holds and the errors.

    Examples
    --------
    >>> from csframework.sd.xmile import xmile_names
    >>> model = read_xmile('''<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    ...   <sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>
    ...   <model><variables>
    ...     <stock name="Water In Tub"><eqn>10</eqn><outflow>Drain</outflow></stock>
    ...     <flow name="Drain"><eqn>Water_in_tub / 5</eqn><non_negative/></flow>
    ...   </variables></model></xmile>''')
    >>> sorted(model.stocks), sorted(model.flows)
    (['water_in_tub'], ['drain'])
    >>> xmile_names(model)["water_in_tub"]
    'Water In Tub'
    """
    return xmile.read(path_or_text, StockFlowModel, non_negative_stocks=non_negative_stocks)


def load_xmile_or_pysd(path: str | Path) -> StockFlowModel | PySDModel:
    """Open a model file with the native XMILE reader, else through PySD.

    XMILE the native reader understands becomes a `StockFlowModel`; XMILE with
    features outside the native subset (modules, macros, multi-dimensional
    arrays, other functions) and every Vensim ``.mdl`` file (without trying the
    native Vensim reader, unlike `load_model`) become a `PySDModel`. Both have
    ``run(params=, stop=, dt=, return_columns=)``.

    Raises
    ------
    FileNotFoundError
        If nothing is at `path`.
    FormatError
        For another kind of file, for an XMILE file that is not well-formed or
        declares a DTD or entities (such a file never reaches PySD), or one
        neither reader understands.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".mdl":
        return PySDModel(path)
    if suffix not in _XMILE_SUFFIXES:
        raise FormatError(f"{path.name!r}: unknown model file type {suffix!r}; expected .xmile, "
                          ".stmx, .xml (XMILE) or .mdl (Vensim)")
    data = path.read_bytes()
    xmile.parse_xml(data, f"XMILE file {path.name!r}")  # hardened check before PySD sees it
    try:
        return read_xmile(path)
    except FormatError as native_error:
        try:
            return PySDModel(path)
        except FormatError as exc:
            raise FormatError(f"{native_error}; PySD could not read it either: {exc}") from exc


def load_model(path: str | Path) -> StockFlowModel | PySDModel:
    """Open a model file: natively where possible, through PySD otherwise.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.xmile`` / ``.stmx`` / ``.xml`` (XMILE) or ``.mdl`` (Vensim).

    Returns
    -------
    StockFlowModel or PySDModel
        XMILE the native reader understands, and Vensim files the native
        Vensim reader understands (`csframework.sd.vensim`), are a
        `StockFlowModel`; files with features outside the native subset
        (subscripts, modules, macros, multi-dimensional arrays, other
        functions) are a `PySDModel`.
        Both have ``run(params=, stop=, dt=, return_columns=)``.

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
    path = xmile.check_model_file(path, MODEL_SUFFIXES)
    suffix = path.suffix.lower()
    if suffix in _XMILE_SUFFIXES:
        where = f"XMILE file {path.name!r}"
        root = xmile.parse_xml(path.read_bytes(), where)
        xmile.check_layout(root, where)
    model: StockFlowModel | PySDModel
    if suffix == ".mdl":
        try:
            return vensim.read_vensim(path)
        except vensim.UnsupportedVensimError as native_error:
            try:
                model = PySDModel(path)
            except FormatError as exc:
                raise FormatError(f"{native_error}; PySD could not read it either: {exc}") from exc
    else:
        model = load_xmile_or_pysd(path)
    if isinstance(model, PySDModel) and not model.names():
        raise FormatError(f"model file {path.name!r}: PySD read it but found no variables; "
                          "it is empty or in a format PySD does not know")
    return model

"""The same model run through PySD; Vensim ``.mdl`` and foreign XMILE through PySD.

Model files are untrusted, and PySD runs a model by importing the Python it
writes for it. So no text of a file ever reaches that Python: PySD's own
translator reads the file into its abstract model, which is rebuilt from
generated names and numbers before PySD's builder writes code, and the code is
checked again (see `csframework.sd._pysd_safe`). The original names, units and
subscripts are kept on the Python side and put back on the results.

Translations are cached in a private folder, ``$CSF_HOME/cache/pysd`` when
``CSF_HOME`` is set, else the user cache folder (platformdirs), checked before
every use and signed with a key of the user's (see
`csframework.sd._pysd_cache`); an unsigned or altered file is translated again,
never imported. A loaded model is kept between runs: parameters changed by one
run are put back before the next, so nothing sticks. PySD is imported only
when a model is run.

`run` exports a `StockFlowModel` to XMILE (`csframework.sd.xmile.to_xmile`)
and runs it through PySD with the same columns as the native engine.
`PySDModel` runs a model file the native readers do not understand (Vensim
``.mdl``, XMILE with modules, macros or arrays) behind the same ``run()``;
`csframework.sd.loading` decides which reader opens a file.

Examples
--------
>>> cache_dir().name
'pysd'
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csframework.errors import (
    CacheError,
    FormatError,
    ModelError,
    SimulationError,
    UnknownNameError,
)
from csframework.sd import _pysd_cache, _pysd_safe, xmile
from csframework.sd._pysd_cache import cache_dir

if TYPE_CHECKING:
    from csframework.cld.diagram import CausalLoopDiagram
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["PySDModel", "cache_dir", "run"]

#: Bumped when the way models are exported or translated changes.
_CACHE_VERSION = "2"
_CONTROL_NAMES = {"time", "initial time", "final time", "time step", "saveper"}
#: Loaded PySD models kept for `run` (native models), most recently used last.
_KEPT: OrderedDict[Path, _Runner] = OrderedDict()
_KEEP = 8


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hide PySD's chatter (extrapolation notes, pandas deprecations) from participants."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _translate(source: bytes, suffix: str, where: str
               ) -> tuple[Path, _pysd_safe.Translation]:
    """Translate model text with PySD once; return the verified ``.py`` file and its names."""
    import pysd

    if suffix != ".mdl":
        xmile.parse_xml(source, where)   # no DTD or entities ever reach PySD's parser
    digest = hashlib.sha256(
        b"|".join([_CACHE_VERSION.encode(), pysd.__version__.encode(), suffix.encode(), source])
    ).hexdigest()[:32]
    stem = f"m_{digest}"
    folder = cache_dir()
    info = _pysd_cache.verified(folder, stem)
    if info is None:
        if suffix == ".mdl":
            from csframework.sd._pysd_guard import guard

            guard()  # PySD's Vensim parser would eval() text from the file
        with tempfile.TemporaryDirectory(dir=folder, prefix="translating-") as tmp:
            src = Path(tmp) / f"source{suffix}"
            src.write_bytes(source)
            files, translation = _pysd_safe.build(src, suffix, Path(tmp), stem, where)
            info = {"main": files[0].name, "translation": translation.to_json()}
            _pysd_cache.publish(folder, stem, {f.name: f for f in files}, info)
    return folder / info["main"], _pysd_safe.Translation.from_json(info["translation"])


def _load(py_file: Path) -> Any:
    """Import a translation; `_runner` checks its signature first."""
    import pysd

    with _quiet():
        return pysd.load(str(py_file))


class _Runner:
    """A loaded PySD model kept between runs.

    PySD keeps parameters set by ``run(params=...)``; before every run the
    constants the previous run changed are set back to their values in the
    file, and the time settings are given explicitly, so each run starts from
    the file's model.
    """

    def __init__(self, py_file: Path):
        self.model = _load(py_file)
        components = self.model.components
        self.start = float(components.initial_time())
        self.stop = float(components.final_time())
        self.dt = float(components.time_step())
        self.defaults: dict[str, Any] = {}
        self.changed: set[str] = set()

    def run(self, params: Mapping[str, float], columns: list[str], stop: float | None,
            dt: float | None, where: str) -> Any:
        stop = self.stop if stop is None else float(stop)
        dt = self.dt if dt is None else float(dt)
        if stop <= self.start:
            raise ModelError(f"stop ({stop}) must be after the start time ({self.start}) of "
                             f"{where}")
        if dt <= 0:
            raise ModelError(f"dt must be positive for {where}, not {dt}")
        for name in params:
            if name not in self.defaults:
                self.defaults[name] = getattr(self.model.components, name)()
        settings = {name: self.defaults[name] for name in self.changed - set(params)}
        settings.update(params)
        self.changed = set(params)
        try:
            with _quiet():
                return self.model.run(params=settings or None, return_columns=columns,
                                      final_time=stop, time_step=dt, saveper=dt,
                                      progress=False)
        except Exception as exc:
            self.changed |= set(settings)
            raise SimulationError(f"PySD failed to run {where}: {type(exc).__name__}: "
                                  f"{exc}") from exc


def _runner(py_file: Path) -> _Runner:
    """The kept model of a translation, loaded (after checking its signature) if not kept."""
    runner = _KEPT.pop(py_file, None)
    if runner is None:
        if _pysd_cache.verified(py_file.parent, py_file.stem) is None:
            raise CacheError(f"the PySD translation {str(py_file)!r} changed after it was "
                             "checked; it is not imported (load the model again)")
        runner = _Runner(py_file)
    _KEPT[py_file] = runner
    while len(_KEPT) > _KEEP:
        _KEPT.popitem(last=False)
    return runner


def _results(frames: list[Any], name: str, time_unit: str, columns: list[str],
             meta: Mapping[str, tuple[str | None, str | None]],
             members: list[dict[str, float]] | None, dt: float) -> Results:
    """Build `Results` shaped like the native engine's (MultiIndex for ensembles)."""
    import pandas as pd

    from csframework.sd.results import Results

    frames = [f.astype(float).set_axis(columns, axis=1) for f in frames]
    for frame in frames:
        frame.index = pd.Index(frame.index.to_numpy(dtype=float), name="time")
    if members is None:
        frame = frames[0]
        frame.columns = pd.Index(columns, name="variable")
    else:
        frame = pd.concat(frames, axis=1, keys=range(len(frames)))
        frame.columns = frame.columns.swaplevel(0, 1)
        frame = frame[pd.MultiIndex.from_product([columns, range(len(frames))])]
        frame.columns = frame.columns.set_names(["variable", "member"])
    return Results(frame, model_name=name, units={c: meta.get(c, (None,))[0] for c in columns},
                   labels={c: meta.get(c, (None, None))[1] for c in columns},
                   time_unit=time_unit,
                   parameters=tuple(members) if members is not None else ({},),
                   method="euler", dt=dt)


def _members(params: Mapping[str, Any] | None, known: Sequence[str], where: str
             ) -> list[dict[str, float]] | None:
    """Parameter sets: None for one plain run, else one dict per ensemble member.

    A sequence runs one member per value; several sequences are zipped, as the
    native engine does.
    """
    sizes: dict[str, int] = {}
    for key, value in (params or {}).items():
        if key not in known:
            raise UnknownNameError(key, known, kind="parameter", where=where)
        values = [value]
        if not isinstance(value, str | bytes) and hasattr(value, "__len__"):
            values = list(value)
            sizes[key] = len(values)
        for v in values:
            if not _is_number(v):
                raise ModelError(f"parameter {key!r} of {where} must be a number or a sequence "
                                 f"of numbers, not {v!r}")
    if len(set(sizes.values())) > 1:
        raise ModelError(f"the ensemble parameters of {where} have different lengths "
                         f"{sizes}; give every sequence the same length")
    if not sizes:
        return None
    count = next(iter(sizes.values()))
    return [{k: float(list(v)[i] if k in sizes else v) for k, v in (params or {}).items()}
            for i in range(count)]


def _single(params: Mapping[str, Any] | None) -> dict[str, float]:
    return {k: float(v) for k, v in (params or {}).items()}


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _column_list(return_columns: Sequence[str] | str | None, valid: list[str],
                 default: list[str], where: str) -> list[str]:
    if return_columns is None:
        return default
    columns = [return_columns] if isinstance(return_columns, str) else list(return_columns)
    for column in columns:
        if column not in valid:
            raise UnknownNameError(column, valid, kind="variable", where=where)
    return columns


def run(model: StockFlowModel, params: Mapping[str, Any] | None = None,
        stop: float | None = None, dt: float | None = None,
        return_columns: Sequence[str] | None = None, method: str = "euler") -> Results:
    """Run a `StockFlowModel` through PySD.

    Parameters
    ----------
    model : StockFlowModel
    params : mapping, optional
        Constant name -> number, or -> a sequence of numbers for an ensemble
        (one PySD run per member; sequences are zipped, as natively).
    stop, dt : float, optional
        Override the model's stop time and time step.
    return_columns : sequence of str, optional
        Variables to return (default: stocks, flows and auxiliaries, as the
        native engine).
    method : {"euler"}
        PySD integrates with Euler only.

    Returns
    -------
    Results
        Columns named by the model's identifiers, indexed by time.

    Raises
    ------
    UnknownNameError
        For a parameter or column the model does not have.
    ModelError
        For a method other than Euler, or a parameter that is not a number.
    """
    where = f"model {model.name!r}"
    if method != "euler":
        raise ModelError(f"the PySD engine integrates with Euler only, not {method!r}; "
                         "use engine='native' for method='rk4'")
    names = {ident: xmile.xmile_name(ident, getattr(el, "label", None))
             for ident, el in xmile.model_elements(model)}
    members = _members(params, list(model.constants), where)
    columns = _column_list(return_columns, [n for n in names if n not in model.lookups],
                           [*model.stocks, *model.flows, *model.auxiliaries], where)
    py_file, translation = _translate(xmile.to_xmile(model, dialect="pysd").encode("utf-8"),
                                      ".xmile", where)
    safe = {_pysd_safe.key(original): name for name, original in translation.names.items()}
    names = {ident: safe[_pysd_safe.key(name)] for ident, name in names.items()}
    step = model.dt if dt is None else float(dt)
    final = model.stop if stop is None else float(stop)
    runner = _runner(py_file)
    frames = []
    for member in members or [_single(params)]:
        frame = runner.run({names[k]: v for k, v in member.items()},
                           [names[c] for c in columns], final, step, where)
        frames.append(frame[[names[c] for c in columns]])
    meta = {c: (getattr(model[c], "units", None), getattr(model[c], "label", None))
            for c in columns}
    return _results(frames, model.name, model.time_unit, columns, meta, members, step)


class PySDModel:
    """A model file run by PySD behind the same ``run()`` as `StockFlowModel`.

    Made by `csframework.sd.loading.load_model` for Vensim ``.mdl`` files and
    XMILE outside the native readers' subsets. Variables keep the names the file gives them.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.mdl``, ``.xmile``, ``.stmx`` or ``.xml`` file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".mdl", ".xmile", ".stmx", ".xml"):
            raise FormatError(f"{str(self.path)!r} is not a model file PySD reads; expected "
                              ".mdl (Vensim) or .xmile / .stmx / .xml (XMILE)")
        self._source = (self.path.read_bytes(), ".mdl" if suffix == ".mdl" else ".xmile",
                        f"{self.path.name!r}")
        self._py, self._translation = _translate(*self._source)
        self.name = self.path.stem
        doc = _runner(self._py).model.doc
        original = self._translation.names
        kinds = {original.get(str(real), str(real)): kind
                 for real, kind in zip(doc["Real Name"], doc["Type"], strict=True)}
        self._names = tuple(name for name, kind in kinds.items()
                            if name.lower() not in _CONTROL_NAMES and isinstance(kind, str))
        self._lookups = {name for name, kind in kinds.items() if kind == "Lookup"}
        self._constants = tuple(name for name, kind in kinds.items()
                                if kind == "Constant" and name.lower() not in _CONTROL_NAMES)
        self._safe = {name: safe for safe, name in original.items()}
        self._units = dict(self._translation.units)
        self._time_unit = self._units.get(original.get("initial_time", "")) or "time"

    def names(self) -> tuple[str, ...]:
        """The model's variables (without time settings), as the file names them."""
        return self._names

    @property
    def constants(self) -> tuple[str, ...]:
        """The names that ``run(params=...)`` accepts."""
        return self._constants

    def to_cld(self, results: Results | None = None) -> CausalLoopDiagram:
        """The model's causal loop diagram (see `csframework.sd.structure.to_cld`)."""
        from csframework.sd import structure

        return structure.pysd_cld(self, _runner(self._py).model, _CONTROL_NAMES, results,
                                  python_file=self._py, original_names=self._translation.names)

    def run(self, params: Mapping[str, Any] | None = None, stop: float | None = None,
            dt: float | None = None, return_columns: Sequence[str] | None = None) -> Results:
        """Simulate with PySD (parameters of one run never stick to the next).

        Parameters
        ----------
        params : mapping, optional
            Constant name -> number, or -> a sequence of numbers (an ensemble).
        stop, dt : float, optional
            Override the file's final time and time step.
        return_columns : sequence of str, optional
            Default: every variable except lookups.

        Returns
        -------
        Results
        """
        where = f"model {self.name!r} ({self.path.name})"
        members = _members(params, self._constants, where)
        valid = [n for n in self._names if n not in self._lookups]
        columns = _column_list(return_columns, valid, valid, where)
        self._py, self._translation = _translate(*self._source)   # checked again, every run
        runner = _runner(self._py)
        step = runner.dt if dt is None else float(dt)
        frames = []
        for member in members or [_single(params)]:
            frames.append(runner.run({self._safe[k]: v for k, v in member.items()},
                                     [self._safe[c] for c in columns], stop, dt, where))
        # arrays come back flattened, one column per element: "name[element]"
        flat = [self._translation.original_column(str(c)) for c in frames[0].columns]
        meta = {c: (self._units.get(c.split("[")[0]), None) for c in flat}
        return _results(frames, self.name, self._time_unit, flat, meta, members, step)

    def __repr__(self) -> str:
        return f"<PySDModel {self.name!r} from {self.path.name!r}: {len(self._names)} variables>"


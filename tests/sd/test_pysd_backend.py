"""The PySD backend, `load_model`, and the differential test: native engine == PySD.

Every test here runs PySD (marked ``pysd``; ``-m "not pysd"`` skips them). PySD
translations are cached for the whole session in one CSF_HOME (`pysd_cache`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from csframework.errors import FormatError, ModelError, UnknownNameError
from csframework.sd import pysd_backend
from csframework.sd.loading import load_xmile_or_pysd as load_model
from csframework.sd.loading import read_xmile
from csframework.sd.model import StockFlowModel
from csframework.sd.pysd_backend import PySDModel, cache_dir
from csframework.sd.xmile import XmileWarning, name_key, xmile_names

pytestmark = pytest.mark.pysd

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"
FILES = sorted(DATA.glob("*/*/*.xmile"))
RTOL = 1e-6


def teacup() -> StockFlowModel:
    m = StockFlowModel("Teacup", stop=30, dt=0.125, time_unit="minute")
    m.constant("room_temperature", 70, min=0, max=100, label="Room Temperature")
    m.constant("characteristic_time", 10)
    m.stock("teacup_temperature", 180, outflows=["heat_loss"], units="degF")
    m.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
    m.lookup("comfort_table", [(0, 0), (100, 1), (200, 0)])
    m.auxiliary("comfort", "comfort_table(teacup_temperature) + smooth(heat_loss, 2)"
                           " + delay_fixed(heat_loss, 1, 0) + modulo(time, 4) + int(-time / 3)")
    return m


# ------------------------------------------------------------------ cache

def test_cache_dir_follows_csf_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / "cache" / "pysd"
    assert cache_dir().is_dir()


def test_cache_dir_without_csf_home_is_the_user_cache(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("CSF_HOME")
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path / "uc"))
    assert cache_dir() == tmp_path / "uc" / "pysd"


def test_translation_is_cached_by_content(pysd_cache):
    model = teacup()
    model.run(engine="pysd")
    first = sorted(p.name for p in pysd_cache.glob("*.py"))
    model.run(engine="pysd", params={"room_temperature": 10})
    assert sorted(p.name for p in pysd_cache.glob("*.py")) == first   # no new translation
    model.constant("unused", 1)
    model.run(engine="pysd")
    assert len(list(pysd_cache.glob("*.py"))) == len(first) + 1      # the model changed
    assert not [p for p in pysd_cache.iterdir() if p.name.startswith("translating-")]


# -------------------------------------------------------------------- run

def test_pysd_run_matches_native(pysd_cache):
    model = teacup()
    native = model.run()
    through_pysd = model.run(engine="pysd")
    assert list(through_pysd.to_frame().columns) == list(native.to_frame().columns)
    assert np.allclose(through_pysd.to_frame(), native.to_frame(), rtol=RTOL, atol=1e-9)
    assert through_pysd.labels == native.labels
    assert through_pysd.units["teacup_temperature"] == "degF"


def test_parameters_never_stick(pysd_cache):
    model = teacup()
    base = model.run(engine="pysd")["teacup_temperature"]
    changed = model.run(engine="pysd", params={"room_temperature": 0})["teacup_temperature"]
    again = model.run(engine="pysd")["teacup_temperature"]
    assert changed.iloc[-1] < base.iloc[-1]
    assert np.array_equal(base.to_numpy(), again.to_numpy())


def test_stop_dt_columns_and_ensembles(pysd_cache):
    model = teacup()
    res = model.run(engine="pysd", stop=10, dt=0.5, return_columns=["heat_loss"])
    assert list(res.to_frame().columns) == ["heat_loss"]
    assert res.to_frame().index[-1] == 10 and res.dt == 0.5
    ens = model.run(engine="pysd", params={"room_temperature": [0, 70]})
    native = model.run(params={"room_temperature": [0, 70]})
    assert ens.is_ensemble and ens.members == 2
    assert np.allclose(ens.to_frame(), native.to_frame(), rtol=RTOL)
    assert list(ens.parameters) == list(native.parameters)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"params": {"room_temprature": 1}}, UnknownNameError, "did you mean 'room_temperature'"),
    ({"params": {"heat_loss": 1}}, UnknownNameError, "unknown parameter 'heat_loss'"),
    ({"params": {"room_temperature": "warm"}}, ModelError, "must be a number"),
    ({"params": {"room_temperature": [1, 2], "characteristic_time": [1]}}, ModelError,
     "different lengths"),
    ({"return_columns": ["comfort_table"]}, UnknownNameError, "unknown variable"),
    ({"method": "rk4"}, ModelError, "Euler only"),
    ({"stop": -1}, ModelError, "must be after the start"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        pysd_backend.run(teacup(), **kwargs)


def test_importing_csframework_does_not_import_pysd():
    import subprocess
    import sys

    code = "import sys, csframework, csframework.sd.pysd_backend; print('pysd' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ})
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------- load_model

MDL = """{UTF-8}
Stock A= INTEG (Flow A, 10)
\t~\tWidgets
\t~\t|
Flow A= Rate * Stock A
\t~\tWidgets/Month
\t~\t|
Rate= 0.1
\t~\t1/Month
\t~\t|
Table A([(0,0)-(10,10)],(0,0),(10,5))
\t~\t
\t~\t|
FINAL TIME  = 4
\t~\tMonth
\t~\t|
INITIAL TIME  = 0
\t~\tMonth
\t~\t|
SAVEPER  = TIME STEP
\t~\tMonth
\t~\t|
TIME STEP  = 1
\t~\tMonth
\t~\t|
"""


def test_load_model_reads_vensim_through_pysd(pysd_cache, tmp_path):
    path = tmp_path / "growth.mdl"
    path.write_text(MDL, encoding="utf-8")
    from csframework.sd.loading import load_model as load_any

    assert isinstance(load_any(path), StockFlowModel)  # natively: tests/sd/test_vensim.py
    assert isinstance(load_model(path), PySDModel)  # the PySD backend's own reader
    model = PySDModel(path)
    assert repr(model) == "<PySDModel 'growth' from 'growth.mdl': 4 variables>"
    assert set(model.names()) == {"Stock A", "Flow A", "Rate", "Table A"}
    assert model.constants == ("Rate",)
    res = model.run()
    assert np.allclose(res["Stock A"].to_numpy(), 10 * 1.1 ** np.arange(5))
    assert "Table A" not in res.to_frame().columns
    assert res.units["Stock A"] == "Widgets"
    faster = model.run(params={"Rate": 0.5}, stop=2, return_columns=["Stock A"])
    assert faster["Stock A"].tolist() == [10, 15, 22.5]
    assert model.run()["Stock A"].iloc[-1] == res["Stock A"].iloc[-1]   # nothing sticks
    ens = model.run(params={"Rate": [0.1, 0.5]})
    assert ens.members == 2
    with pytest.raises(UnknownNameError, match="did you mean 'Rate'"):
        model.run(params={"rate ": 1})
    with pytest.raises(UnknownNameError, match="unknown variable 'Stock B'"):
        model.run(return_columns=["Stock B"])


def test_load_model_reads_native_xmile_natively(tmp_path):
    model = load_model(DATA / "samples/teacup/teacup.xmile")
    assert isinstance(model, StockFlowModel)
    assert "teacup_temperature" in model


def test_load_model_falls_back_to_pysd_for_arrays(pysd_cache, tmp_path):
    text = (DATA / "tests/min_max_1arg/test_min_max_1arg.xmile").read_text(encoding="utf-8")
    path = tmp_path / "two_dims.xmile"
    path.write_text(text.replace('<dim name="dim1" />\n\t\t\t\t</dimensions>',
                                 '<dim name="dim1" /><dim name="dim1" />\n\t\t\t\t</dimensions>'),
                    encoding="utf-8")
    with pytest.raises(FormatError, match="more than one dimension"):
        read_xmile(path)
    path.write_text(text.replace("<eqn>MIN(var1[dim1])</eqn>", "<eqn>SINH(1)</eqn>"),
                    encoding="utf-8")
    model = load_model(path)
    assert isinstance(model, PySDModel)
    res = model.run()
    assert res["var_max"].tolist() == [3, 3]
    assert res["var1[b]"].tolist() == [2, 2]


def test_load_model_never_hands_a_dangerous_file_to_pysd(tmp_path):
    path = tmp_path / "bomb.xmile"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xmile>&a;</xmile>')
    with pytest.raises(FormatError, match="refused"):
        load_model(path)


@pytest.mark.parametrize(("name", "error", "message"), [
    ("model.txt", FormatError, "unknown model file type '.txt'"),
    ("missing.mdl", FileNotFoundError, "does not exist"),
])
def test_load_model_bad_paths(tmp_path, name, error, message):
    if name.endswith(".txt"):
        (tmp_path / name).write_text("x")
    with pytest.raises(error, match=message):
        load_model(tmp_path / name)


# ------------------------------------------------- differential: native == PySD

def _differences(path: Path) -> list[str]:
    """Run one conformance file natively (Euler) and with PySD reading the original file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XmileWarning)
        model = read_xmile(path)
    columns = [*model.stocks, *model.flows, *model.auxiliaries, *model.constants]
    native = model.run(return_columns=columns, method="euler").to_frame()
    reference = PySDModel(path).run().to_frame()
    by_key = {name_key(label): ident for ident, label in xmile_names(model).items()}
    problems = []
    for column in reference.columns:
        if name_key(column) not in by_key:
            problems.append(f"PySD column {column!r} is not a variable of the native model")
            continue
        ours = native[by_key[name_key(column)]].to_numpy(dtype=float)
        theirs = reference[column].to_numpy(dtype=float)
        scale = max(1.0, float(np.nanmax(np.abs(theirs), initial=0)))
        close = np.isclose(ours, theirs, rtol=RTOL, atol=1e-9 * scale, equal_nan=True)
        if ours.shape != theirs.shape or not close.all():
            problems.append(f"{column!r} differs")
    if native.index.size != reference.index.size or not reference.columns.size:
        problems.append("the time grids or the columns differ")
    return problems


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(DATA)) for p in FILES])
def test_native_engine_equals_pysd(path, pysd_cache):
    """Every conformance file: our reader + engine == PySD's reader + engine (Euler)."""
    assert _differences(path) == []

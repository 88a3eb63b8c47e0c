"""Hostile model files never run code through PySD, and its cache is private and signed.

Each payload tries to create a marker file when PySD's generated Python is
imported or run. The tests assert that the marker never appears, and that the
model either runs or is refused with a csframework error.
"""

from __future__ import annotations

import os
import stat
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from csframework.errors import CacheError, CSFrameworkError, FormatError
from csframework.sd import _pysd_cache, _pysd_safe, pysd_backend
from csframework.sd.loading import load_xmile_or_pysd as load_model
from csframework.sd.model import StockFlowModel
from csframework.sd.pysd_backend import PySDModel, cache_dir

pytestmark = pytest.mark.pysd

CONFORMANCE = Path(__file__).resolve().parents[1] / "data" / "conformance"


def payloads(marker: Path) -> list[str]:
    """Ways out of a Python string: triple quotes, single quotes, newlines, backslashes."""
    touch = f"__import__('pathlib').Path(r'{marker}').touch()"
    return [
        f'""" + {touch} + """',
        f"''' + {touch} + '''",
        f"' + {touch} + '",
        f'" + {touch.replace(chr(39), chr(34))} + "',
        f"\\\n{touch}\n",
        f"x'] + [{touch}] + ['",
    ]


def _outcome(action) -> str:
    """Run `action`: 'ran' when it worked, 'refused' for a csframework error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            action()
    except CSFrameworkError:
        return "refused"
    return "ran"


# ------------------------------------------------------------------ Vensim

def _vensim(text: str) -> str:
    return "{UTF-8}\n" + textwrap.dedent(text).lstrip()


CONTROL = """
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


def vensim_models(payload: str) -> dict[str, str]:
    one_line = payload.replace("\n", " ").replace("|", "").replace("~", "")
    quoted = one_line.replace('"', "'")
    base = "Stock A= INTEG (Flow A, 10)\n\t~\tWidgets\n\t~\t|\nFlow A= 0.1 * Stock A\n" \
           "\t~\tWidgets/Month\n\t~\t|\n"
    return {
        "comment": base.replace("\t~\t|\nFlow", f"\t~\t{one_line}\n\t|\nFlow", 1) + CONTROL,
        "units": base.replace("Widgets/Month", one_line) + CONTROL,
        "group": f"********************************************************\n\t.{quoted}\n"
                 f"********************************************************~\n\t{one_line}\n"
                 f"\t|\n" + base + CONTROL,
        "view": base + CONTROL + "\\\\\\---/// Sketch information - do not modify anything\n"
                f"V300  Do not put anything below this section - it will be ignored\n"
                f"*{quoted}\n$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|"
                f"-1--1--1|72,72,100,0\n10,1,{quoted},255,165,31,8,8,3,0,0,0,0,0,0\n"
                f"12,2,0,300,200,80,20,8,7,0,0,-1,0,0,0\n{quoted}\n///---\\\\\\\n",
        "macro": f":MACRO: EXPRESSION MACRO(input, parameter)\nEXPRESSION MACRO = "
                 f"INTEG(input, parameter)\n\t~\t{one_line}\n\t~\t{one_line}\n\t|\n\n"
                 f":END OF MACRO:\n" + base.replace("0.1 * Stock A",
                                                    "EXPRESSION MACRO(0.1, Stock A)") + CONTROL,
        "name": base.replace("Flow A", f'"{quoted}"') + CONTROL,
        "name_escaped": base.replace("Flow A", '"Flow \\" + ' + quoted + '"') + CONTROL,
        "subscript": f'"dim {quoted}": "e1 {quoted}", e2\n\t~\t\n\t~\t|\n'
                     f'Vec["dim {quoted}"]= 1, 2\n\t~\t\n\t~\t|\n' + base + CONTROL,
        "lookup": f'"table {quoted}"((0,0),(10,10))\n\t~\t\n\t~\t{one_line}\n\t|\n'
                  + base.replace("0.1 * Stock A", f'"table {quoted}"(Stock A)') + CONTROL,
        "function": base.replace("0.1 * Stock A", f"{quoted.split('(')[0]}(Stock A)") + CONTROL,
    }


@pytest.mark.parametrize("place", sorted(vensim_models("x")))
@pytest.mark.parametrize("index", range(len(payloads(Path("m")))))
def test_vensim_payloads_never_run(place, index, tmp_path, pysd_cache):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.mdl"
    path.write_text(_vensim(vensim_models(payloads(marker)[index])[place]), encoding="utf-8")

    def read_and_run():
        model = load_model(path)
        model.run()
        if isinstance(model, StockFlowModel):
            model.run(engine="pysd")
        model.to_cld()

    assert _outcome(read_and_run) in ("ran", "refused")
    assert not marker.exists()


def test_a_vensim_comment_is_kept_out_of_the_code_but_the_model_runs(tmp_path, pysd_cache):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.mdl"
    path.write_text(_vensim(vensim_models(payloads(marker)[0])["comment"]), encoding="utf-8")
    model = PySDModel(path)
    res = model.run()
    assert np.allclose(res["Stock A"].to_numpy(), 10 * 1.1 ** np.arange(5))
    assert res.units["Stock A"] == "Widgets"
    assert not marker.exists()
    code = "".join(p.read_text() for p in pysd_cache.glob("*.py"))
    assert "PWNED" not in code and "Stock A" not in code and "Widgets" not in code


# ------------------------------------------------------------------- XMILE

def xmile_text(variables: str, extra: str = "", dims: str = "", units: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><vendor>test</vendor><product version="1">test</product></header>
<sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
{units}{dims}<model><variables>{variables}</variables>{extra}</model>
{''}</xmile>"""


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def xmile_models(payload: str) -> dict[str, str]:
    p = _esc(payload)
    plain = ('<stock name="Stock A"><eqn>10</eqn><inflow>Flow_A</inflow></stock>'
             '<flow name="Flow A"><eqn>0.1 * Stock_A</eqn></flow>')
    return {
        "doc": xmile_text(plain.replace("</eqn></flow>", f"</eqn><doc>{p}</doc></flow>")),
        "units": xmile_text(plain.replace("</eqn></flow>", f"</eqn><units>{p}</units></flow>")),
        "model_units": xmile_text(plain, units=f'<model_units><unit name="{p}"><eqn>{p}</eqn>'
                                               f'</unit></model_units>'),
        "group": xmile_text(plain + f'<group name="{p}"><doc>{p}</doc><entity name="Stock_A"/>'
                                    f'</group>'),
        "view": xmile_text(plain, extra=f'<views><view><text_box x="1" y="1">{p}</text_box>'
                                        f'<stock name="{p}" x="1" y="1"/></view></views>'),
        "name": xmile_text(plain.replace("Flow A", p).replace("Flow_A", p)),
        "dimension": xmile_text(
            plain + f'<aux name="vec"><dimensions><dim name="{p}"/></dimensions>'
                    f'<element subscript="{p}1"><eqn>1</eqn></element>'
                    f'<element subscript="e2"><eqn>2</eqn></element></aux>',
            dims=f'<dimensions><dim name="{p}"><elem name="{p}1"/><elem name="e2"/></dim>'
                 f'</dimensions>'),
        "macro": xmile_text(plain.replace("0.1 * Stock_A", "twice(Stock_A)"),
                            extra="").replace(
            "<model>", f'<macro name="twice"><parm>x</parm><eqn>2 * x</eqn><doc>{p}</doc>'
                       f'<variables><aux name="{p}"><eqn>x</eqn><doc>{p}</doc></aux>'
                       f'</variables></macro><model>'),
        "gf": xmile_text(plain.replace("0.1 * Stock_A", "table(Stock_A)") +
                         f'<gf name="table"><doc>{p}</doc><xscale min="0" max="100"/>'
                         f'<ypts>0,1</ypts></gf>'),
    }


@pytest.mark.parametrize("place", sorted(xmile_models("x")))
@pytest.mark.parametrize("index", range(len(payloads(Path("m")))))
def test_xmile_payloads_never_run(place, index, tmp_path, pysd_cache):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.xmile"
    path.write_text(xmile_models(payloads(marker)[index])[place], encoding="utf-8")

    def through_load_model():
        model = load_model(path)
        model.run()
        if isinstance(model, StockFlowModel):
            model.run(engine="pysd")
        model.to_cld()

    def through_from_xmile():
        model = StockFlowModel.from_xmile(path)
        model.run()
        model.run(engine="pysd")

    def through_pysd_directly():
        PySDModel(path).run()

    for action in (through_load_model, through_from_xmile, through_pysd_directly):
        assert _outcome(action) in ("ran", "refused")
        assert not marker.exists()


def test_a_native_model_with_hostile_text_runs_through_pysd_safely(tmp_path, pysd_cache):
    marker = tmp_path / "PWNED"
    model = StockFlowModel("Teacup", stop=10)
    for number, payload in enumerate(payloads(marker)):
        model.constant(f"c{number}", number, units=payload, doc=payload)
    model.stock("temperature", 180, outflows=["loss"], units=payloads(marker)[0],
                doc=payloads(marker)[1], label=payloads(marker)[2])
    model.flow("loss", "temperature / 10", doc=payloads(marker)[3], units=payloads(marker)[4])
    model.lookup("table", [(0, 0), (200, 1)], doc=payloads(marker)[5])
    model.auxiliary("comfort", "table(temperature)", doc=payloads(marker)[0])
    native = model.run()
    through_pysd = model.run(engine="pysd")
    assert not marker.exists()
    assert np.allclose(through_pysd.to_frame(), native.to_frame(), rtol=1e-6)
    assert through_pysd.units["temperature"] == payloads(marker)[0]   # kept on our side


def test_external_data_is_refused(tmp_path, pysd_cache):
    path = tmp_path / "data.mdl"
    path.write_text(_vensim(
        "Var= GET DIRECT CONSTANTS('secret.csv', ',', 'B2')\n\t~\t\n\t~\t|\n" + CONTROL),
        encoding="utf-8")
    with pytest.raises(FormatError, match="reads values from another file"):
        load_model(path).run()


def test_unknown_functions_are_refused(tmp_path, pysd_cache):
    path = tmp_path / "f.mdl"
    path.write_text(_vensim("Var= NOT A FUNCTION(1)\n\t~\t\n\t~\t|\n" + CONTROL),
                    encoding="utf-8")
    with pytest.raises(FormatError, match="'not_a_function', which is neither a function"):
        load_model(path).run()


def test_check_data_refuses_any_other_text():
    _pysd_safe.check_data(["v_1", "s_2!", ":AND:", 1.5, np.arange(3.0), ""])
    for bad in ["a b", "x'", 'x"', "a\nb", "v_1 + 1", np.array(["x"])]:
        with pytest.raises(FormatError, match="refusing"):
            _pysd_safe.check_data([bad])


def test_check_code_refuses_text_and_code_running_names(tmp_path):
    path = tmp_path / "m.py"
    header = '"""\nPython model \'m.py\'\nTranslated using PySD\n"""\n'
    path.write_text(header + "x = 'v_1'\n")
    _pysd_safe.check_code(path, "m")
    bodies = ["x = 'a\"b'\n", 'def f():\n    """a \'doc\'"""\n    return 1\n', "exec(x)\n",
              "x = f'{y}'\n", "import os\n", "from shutil import rmtree\n", "x.system\n"]
    for body in bodies:
        path.write_text(header + body)
        with pytest.raises(FormatError, match=r"refusing|header"):
            _pysd_safe.check_code(path, "m")
    path.write_text('"""a docstring of the model"""\n')
    with pytest.raises(FormatError, match="unexpected header"):
        _pysd_safe.check_code(path, "m")


# ------------------------------------------------------------------ macro_stock

def test_macro_stock_runs(pysd_cache):
    path = CONFORMANCE / "tests/macro_stock/test_macro_stock.mdl"
    res = load_model(path).run()
    frame = res.to_frame()
    column = next(c for c in frame.columns if "output" in c.lower())
    assert frame[column].iloc[-1] == pytest.approx(1.1 + 5 * 10)   # INTEG(5, 1.1) over 10


def test_a_macro_runs_from_the_cache_and_again_from_a_new_process(tmp_path, pysd_cache):
    path = tmp_path / "macro.mdl"
    path.write_text(_vensim(
        ":MACRO: ACCUMULATE(input, start)\nACCUMULATE = INTEG(input, start)\n\t~\t\n\t~\t|\n\n"
        ":END OF MACRO:\nout= ACCUMULATE(2, 1)\n\t~\t\n\t~\t|\n" + CONTROL), encoding="utf-8")
    first = load_model(path).run()
    pysd_backend._KEPT.clear()            # as a new process: load the cached files again
    again = load_model(path).run()
    frame = again.to_frame()
    column = next(c for c in frame.columns if c.lower() == "out")
    assert frame[column].tolist() == [1, 3, 5, 7, 9]
    assert first.to_frame().equals(frame)
    assert any("_macro_" in p.name for p in pysd_cache.glob("*.py"))


# ------------------------------------------------------------------- the cache

def _growth(tmp_path: Path) -> Path:
    path = tmp_path / "growth.mdl"
    path.write_text(_vensim("Stock A= INTEG (Stock A * 0.1, 10)\n\t~\t\n\t~\t|\n" + CONTROL),
                    encoding="utf-8")
    return path


posix_only = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes and owners")


@posix_only
def test_cache_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    folder = cache_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.getuid()


@posix_only
def test_a_cache_folder_others_can_write_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "cache" / "pysd"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(CacheError, match=r"pysd' can be written by other users \(mode 777\)"):
        cache_dir()
    with pytest.raises(CacheError, match="other users"):
        load_model(_growth(tmp_path))


@posix_only
def test_a_cache_folder_only_readable_by_others_is_closed(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "cache" / "pysd"
    folder.mkdir(parents=True)
    folder.chmod(0o755)                    # as an earlier version left it
    assert stat.S_IMODE(cache_dir().stat().st_mode) == 0o700


@posix_only
def test_a_cache_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    cache_dir()
    monkeypatch.setattr(os, "getuid", lambda: 4242)
    with pytest.raises(CacheError, match=r"belongs to user id .*not to you"):
        cache_dir()


@posix_only
def test_a_linked_cache_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CSF_HOME", str(tmp_path / "home"))
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "home" / "cache").mkdir(parents=True)
    (tmp_path / "home" / "cache" / "pysd").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheError, match="symbolic link"):
        cache_dir()


def test_csf_home_naming_a_file_gives_a_private_folder_of_this_process(tmp_path, monkeypatch):
    home = tmp_path / "not-a-folder"
    home.write_text("x")
    monkeypatch.setenv("CSF_HOME", str(home))
    monkeypatch.setattr(_pysd_cache, "_fallback", None)
    with pytest.warns(_pysd_cache.CacheWarning, match=r"cannot be made.*private folder"):
        folder = cache_dir()
    assert folder.is_dir() and not str(folder).startswith(str(home))
    assert "csframework-cache" not in str(folder)        # never the old shared folder
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert cache_dir() == folder                          # one folder for the session


def test_a_planted_translation_is_never_imported(tmp_path, pysd_cache):
    path = _growth(tmp_path)
    model = load_model(path)
    expected = model.run().to_frame()
    stem = model._py.stem
    marker = tmp_path / "PWNED"
    evil = f"__import__('pathlib').Path(r'{marker}').touch()\n"
    for damage in ("code", "mac", "missing mac"):
        model._py.write_text(evil)                        # a file someone put there
        if damage == "mac":
            (pysd_cache / f"{stem}.mac").write_text("0" * 64)
        elif damage == "missing mac":
            (pysd_cache / f"{stem}.mac").unlink()
        pysd_backend._KEPT.clear()
        again = load_model(path)
        assert not marker.exists()
        assert again.run().to_frame().equals(expected)
        assert evil not in again._py.read_text()          # translated again


def test_a_planted_manifest_without_the_key_is_refused(tmp_path, pysd_cache):
    import hashlib
    import hmac
    import json

    path = _growth(tmp_path)
    model = load_model(path)
    stem = model._py.stem
    marker = tmp_path / "PWNED"
    model._py.write_text(f"__import__('pathlib').Path(r'{marker}').touch()\n")
    manifest = json.loads((pysd_cache / f"{stem}.json").read_text())
    manifest["files"][model._py.name] = hashlib.sha256(model._py.read_bytes()).hexdigest()
    data = json.dumps(manifest, sort_keys=True).encode()
    (pysd_cache / f"{stem}.json").write_bytes(data)
    guessed_key = b"\0" * 32
    (pysd_cache / f"{stem}.mac").write_text(hmac.new(guessed_key, data, "sha256").hexdigest())
    pysd_backend._KEPT.clear()
    load_model(path).run()
    assert not marker.exists()


@posix_only
def test_a_key_others_can_read_is_refused(tmp_path, pysd_cache):
    load_model(_growth(tmp_path))
    (pysd_cache / "key").chmod(0o644)
    pysd_backend._KEPT.clear()
    with pytest.raises(CacheError, match="not private to you"):
        PySDModel(_growth(tmp_path))
    (pysd_cache / "key").chmod(0o600)


# --------------------------------------------------------- runs keep the model

def test_the_loaded_model_is_kept_and_parameters_never_stick(tmp_path, pysd_cache):
    path = _growth(tmp_path)
    path.write_text(path.read_text().replace("Stock A * 0.1", "Stock A * Rate") +
                    "Rate= 0.1\n\t~\t\n\t~\t|\n", encoding="utf-8")
    model = load_model(path)
    base = model.run()
    runner = pysd_backend._KEPT[model._py]
    faster = model.run(params={"Rate": 0.5}, stop=2, dt=0.5)
    assert pysd_backend._KEPT[model._py] is runner       # not loaded again
    assert faster.to_frame().index.tolist() == [0, 0.5, 1, 1.5, 2]
    again = model.run()
    assert again.to_frame().equals(base.to_frame())     # rate, stop and dt back to the file's
    ensemble = model.run(params={"Rate": [0.1, 0.5]})
    assert ensemble.members == 2
    assert model.run().to_frame().equals(base.to_frame())


def test_plain_lookup_calls_are_inlined(tmp_path, pysd_cache):
    model = StockFlowModel("Tables", stop=5)
    model.stock("s", 1, inflows=["f"])
    model.lookup("table", [(0, 0), (10, 5)])
    model.flow("f", "table(s)")
    assert np.allclose(model.run(engine="pysd").to_frame(), model.run().to_frame())
    code = "".join(p.read_text() for p in pysd_cache.glob("*.py"))
    assert "np.interp(" in code


def test_a_translation_changed_while_a_model_is_open_is_translated_again(tmp_path, pysd_cache):
    model = load_model(_growth(tmp_path))
    expected = model.run().to_frame()
    marker = tmp_path / "PWNED"
    model._py.write_text(f"__import__('pathlib').Path(r'{marker}').touch()\n")
    pysd_backend._KEPT.clear()
    with pytest.raises(CacheError, match="changed after it was checked"):
        pysd_backend._runner(model._py)
    assert model.run().to_frame().equals(expected)
    model.to_cld()
    assert not marker.exists()


# ------------------------------------- scrubbing keeps PySD's meaning exactly

SAMPLES = sorted([*CONFORMANCE.glob("*/*/*.xmile"), *CONFORMANCE.glob("*/*/*.mdl")])


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(CONFORMANCE)) for p in SAMPLES])
def test_scrubbed_translation_runs_like_pysd_own(path, tmp_path, pysd_cache):
    """Generated names and inline tables change nothing: PySD's own translation of the
    (trusted) test file gives the same numbers."""
    import shutil

    import pysd

    ours = PySDModel(path).run().to_frame()
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = pysd.read_vensim if path.suffix == ".mdl" else pysd.read_xmile
        direct = reader(str(copy))
        step = direct.components.time_step()
        theirs = direct.run(time_step=step, saveper=step, progress=False)
    assert set(ours.columns) <= set(theirs.columns)
    for column in ours.columns:
        assert np.allclose(ours[column].to_numpy(dtype=float),
                           theirs[column].to_numpy(dtype=float), rtol=1e-12, atol=1e-12,
                           equal_nan=True), column

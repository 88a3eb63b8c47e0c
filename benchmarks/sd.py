"""Native system-dynamics engine vs PySD, side by side, in one process.

Run with ``.venv/bin/python benchmarks/sd.py``. Prints each measurement and the
ratio against the target:

- one teacup run (dt 0.125, 0 to 30) with its results as a DataFrame:
  at least 20x faster than PySD;
- a 1,000-member teacup ensemble vs 1,000 PySD runs (extrapolated from 50):
  at least 500x faster;
- compiling a model: under 20 ms;
- ``import csframework`` in a fresh subprocess: under 0.3 s;
- World3-03 (the shipped Vensim file): load time native vs PySD; one native
  run under 50 ms and over 300x faster than PySD; a 200-member ensemble over
  5x faster than 200 single native runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

TEACUP_XMILE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    <header>
        <vendor>csframework benchmarks</vendor>
        <name>Teacup</name>
        <options><uses_outputs/></options>
        <product version="1.0">Hand Coded XMILE</product>
    </header>
    <sim_specs>
        <stop>30.0</stop>
        <start>0.0</start>
        <dt>0.125</dt>
    </sim_specs>
    <model>
        <variables>
            <flow name="Heat Loss to Room">
                <eqn>("Teacup Temperature"-"Room Temperature")/"Characteristic Time"</eqn>
            </flow>
            <aux name="Room Temperature"><eqn>70</eqn></aux>
            <stock name="Teacup Temperature">
                <outflow>"Heat Loss to Room"</outflow>
                <eqn>180</eqn>
            </stock>
            <aux name="Characteristic Time"><eqn>10</eqn></aux>
        </variables>
    </model>
</xmile>
"""

MEMBERS = 1000
PYSD_SAMPLE = 50


def teacup():
    from csframework.sd import StockFlowModel

    model = StockFlowModel("Teacup", start=0, stop=30, dt=0.125, time_unit="minute")
    model.constant("room_temperature", 70)
    model.constant("characteristic_time", 10)
    model.stock("teacup_temperature", initial=180, outflows=["heat_loss"])
    model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
    return model


def best_of(function, repeat: int, number: int = 1) -> float:
    """The best mean time (seconds) of `number` calls, over `repeat` tries."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def show(label: str, seconds: float) -> None:
    print(f"  {label:<44} {seconds * 1e3:10.3f} ms")


def verdict(ratio: float, target: float, unit: str = "x faster") -> str:
    status = "OK" if ratio >= target else "MISSED"
    return f"{ratio:,.0f}{unit} (target >= {target:,.0f}{unit}: {status})"


def import_time() -> float:
    code = ("import time; t = time.perf_counter(); import csframework; "
            "print(time.perf_counter() - t)")
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        runs.append(float(out.stdout.strip()))
    return statistics.median(runs)


def main() -> None:
    import pysd

    warnings.simplefilter("ignore")
    model = teacup()
    model.run()  # warm: compile once, as a notebook would

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "teacup.xmile"
        path.write_text(TEACUP_XMILE, encoding="utf-8")
        pysd_model = pysd.read_xmile(str(path))

        print("One teacup run (dt 0.125, 0..30) -> DataFrame")
        native_one = best_of(model.run, repeat=20, number=50)

        def pysd_one():
            pysd_model.reload()  # fresh parameters, as PySD users do between runs
            return pysd_model.run()

        pysd_one()
        pysd_single = best_of(pysd_one, repeat=5, number=10)
        show("native", native_one)
        show("PySD", pysd_single)
        print("  ratio:", verdict(pysd_single / native_one, 20))

        native_final = float(model.run()["teacup_temperature"].iloc[-1])
        pysd_final = float(pysd_one()["Teacup Temperature"].iloc[-1])
        print(f"  final temperature: native {native_final:.6f}, PySD {pysd_final:.6f}")

        print(f"\n{MEMBERS}-member ensemble (room temperature 0..100)")
        rooms = np.linspace(0, 100, MEMBERS)
        native_ensemble = best_of(lambda: model.run(params={"room_temperature": rooms}),
                                  repeat=10)

        def pysd_sample():
            for room in rooms[:PYSD_SAMPLE]:
                pysd_model.run(params={"Room Temperature": float(room)})

        pysd_batch = best_of(pysd_sample, repeat=2) * MEMBERS / PYSD_SAMPLE
        show("native (one vectorised run)", native_ensemble)
        show(f"PySD ({MEMBERS} runs, extrapolated from {PYSD_SAMPLE})", pysd_batch)
        print("  ratio:", verdict(pysd_batch / native_ensemble, 500))
        ens = model.run(params={"room_temperature": rooms[:PYSD_SAMPLE]})
        pysd_model.reload()
        check = pysd_model.run(params={"Room Temperature": float(rooms[7])})
        difference = abs(float(ens["teacup_temperature"][7].iloc[-1])
                         - float(check["Teacup Temperature"].iloc[-1]))
        print(f"  member 7 vs PySD, final value difference: {difference:.2e}")

    print("\nCompiling the teacup (fresh model: validate, expand, order, generate code)")

    def compile_fresh():
        fresh = teacup()
        fresh.compile()._function("euler", vector=False)

    compile_time = best_of(compile_fresh, repeat=20)
    show("compile", compile_time)
    print("  target < 20 ms:", "OK" if compile_time < 0.020 else "MISSED")

    print("\nimport csframework in a fresh subprocess (median of 5)")
    seconds = import_time()
    show("import csframework", seconds)
    print("  target < 300 ms:", "OK" if seconds < 0.3 else "MISSED")

    world3()


WORLD3_MEMBERS = 200


def world3() -> None:
    """World3-03 (the shipped Vensim file): load, one run and an ensemble, native vs PySD.

    Targets: one native run under 50 ms and over 300x faster than PySD; a
    200-member ensemble over 5x faster than 200 single native runs.
    """
    import shutil

    import pysd

    from csframework.sd.library import world3_path
    from csframework.sd.vensim import _guard_pysd, read_vensim

    print("\nWorld3-03 (wrld3-03.mdl, 1900..2100, dt 0.5)")
    load_native = best_of(lambda: read_vensim(world3_path()), repeat=3)
    model = read_vensim(world3_path())
    _guard_pysd()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "wrld3-03.mdl"
        shutil.copy(world3_path(), copy)
        start = time.perf_counter()
        pysd_model = pysd.read_vensim(str(copy))
        load_pysd = time.perf_counter() - start
        show("load: native (PySD's parser + native build)", load_native)
        show("load: PySD (translate + import)", load_pysd)
        print(f"  ratio: {load_pysd / load_native:.1f}x faster")

        model.run()  # compile once
        native_one = best_of(model.run, repeat=5, number=5)
        start = time.perf_counter()
        reference = pysd_model.run(progress=False)
        pysd_one = time.perf_counter() - start
        show("one run: native", native_one)
        show("one run: PySD", pysd_one)
        print("  native under 50 ms:", "OK" if native_one < 0.050 else "MISSED")
        print("  ratio:", verdict(pysd_one / native_one, 300))
        ours = model.run()["population"].to_numpy()
        theirs = reference["population"].to_numpy(dtype=float)
        print(f"  population, largest relative difference to PySD: "
              f"{float(np.max(np.abs(ours - theirs) / np.abs(theirs))):.1e} (PySD's integer "
              "SMOOTH state uncorrected, see tests/data/vensim/regenerate.py)")

    sizes = np.linspace(0.5e12, 4e12, WORLD3_MEMBERS)
    ensemble = best_of(lambda: model.run(params={"initial_nonrenewable_resources": sizes}),
                       repeat=3)
    singles = best_of(lambda: [model.run(params={"initial_nonrenewable_resources": float(x)})
                               for x in sizes], repeat=1)
    print(f"\n  World3 ensemble of {WORLD3_MEMBERS} (initial nonrenewable resources)")
    show(f"native ensemble ({WORLD3_MEMBERS} members, one run)", ensemble)
    show(f"native, {WORLD3_MEMBERS} single runs", singles)
    print("  ratio:", verdict(singles / ensemble, 5))


if __name__ == "__main__":
    main()

"""Native system-dynamics engine vs PySD, side by side, in one process.

Run with ``.venv/bin/python benchmarks/sd.py``. Prints each measurement (CPU
time of this process, best of several) and the ratio against the target:

- one teacup run (dt 0.125, 0 to 30) with its results as a DataFrame:
  at least 20x faster than PySD;
- a 1,000-member teacup ensemble vs 1,000 PySD runs (extrapolated from 50):
  at least 500x faster;
- compiling a model: under 20 ms;
- ``import csframework`` in a fresh subprocess: under 0.3 s;
- long single runs, SIR (0..100, dt 1/32: 3,201 steps, every step saved) and
  the single pendulum of the SDXorg samples (0..100, dt 1/128: 12,801 steps,
  saved every 0.1 as its SAVEPER says), native vs pysimlin (a Rust engine) and
  PySD, results as a DataFrame: at most 1.5x pysimlin's time. pysimlin is not
  a dependency: without it (``pip install pysimlin``) that column is skipped
  with a note.
- World3-03 (the shipped Vensim file): load time native vs PySD; one native
  run under 50 ms and over 300x faster than PySD; a 200-member ensemble over
  5x faster than 200 single native runs.
"""

from __future__ import annotations

import inspect
import shutil
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

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "conformance" / "samples"
PENDULUM_MDL = """{UTF-8}
Damping Coefficient = 0 ~ ~ |
Change in Angular Velocity = Torque / Pendulum Moment of Inertia ~ ~ |
Torque = Angular component of Gravity * Length of Pendulum
    - Angular Velocity * Damping Coefficient ~ ~ |
Acceleration due to Gravity = -9.8 ~ Meters/Second/Second ~ |
Angular component of Gravity = Force of Gravity * SIN(Angular Position) ~ ~ |
Angular Position = INTEG(Change in Angular Position, 1) ~ radians ~ |
Angular Velocity = INTEG(Change in Angular Velocity, 0) ~ ~ |
Change in Angular Position = Angular Velocity ~ ~ |
Force of Gravity = Acceleration due to Gravity * Mass of Pendulum ~ ~ |
Length of Pendulum = 10 ~ Meter ~ |
Mass of Pendulum = 10 ~ Kilogram ~ |
Pendulum Moment of Inertia = Mass of Pendulum * Length of Pendulum^2 ~ ~ |
FINAL TIME = 100 ~ Second ~ |
INITIAL TIME = 0 ~ Second ~ |
SAVEPER = 0.1 ~ Second ~ |
TIME STEP = 0.0078125 ~ Second ~ |
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


def pendulum():
    """The single pendulum of the SDXorg samples, built natively."""
    from csframework.sd import StockFlowModel

    model = StockFlowModel("Single pendulum", start=0, stop=100, dt=0.0078125,
                           time_unit="second")
    model.constant("damping_coefficient", 0)
    model.constant("acceleration_due_to_gravity", -9.8)
    model.constant("length_of_pendulum", 10)
    model.constant("mass_of_pendulum", 10)
    model.auxiliary("force_of_gravity", "acceleration_due_to_gravity * mass_of_pendulum")
    model.auxiliary("pendulum_moment_of_inertia", "mass_of_pendulum * length_of_pendulum ** 2")
    model.auxiliary("angular_component_of_gravity", "force_of_gravity * sin(angular_position)")
    model.auxiliary("torque", "angular_component_of_gravity * length_of_pendulum"
                              " - angular_velocity * damping_coefficient")
    model.flow("change_in_angular_velocity", "torque / pendulum_moment_of_inertia")
    model.flow("change_in_angular_position", "angular_velocity")
    model.stock("angular_position", 1, inflows=["change_in_angular_position"])
    model.stock("angular_velocity", 0, inflows=["change_in_angular_velocity"])
    return model


def long_runs(folder: Path) -> None:
    """SIR and the pendulum: native vs pysimlin vs PySD."""
    import pysd

    from csframework.sd import StockFlowModel

    try:
        import simlin
    except ImportError:
        simlin = None
        print("  (pysimlin is not installed: its column is skipped; "
              "`pip install pysimlin` to compare)")
    saving = "save_every" in inspect.signature(StockFlowModel.run).parameters
    sir_path = folder / "SIR.xmile"
    shutil.copy(SAMPLES / "SIR" / "SIR.xmile", sir_path)
    pendulum_path = folder / "Single_Pendulum.mdl"
    pendulum_path.write_text(PENDULUM_MDL, encoding="utf-8")
    sir = StockFlowModel.from_xmile(sir_path)
    swing = pendulum()
    cases = [
        ("SIR, 3,201 steps, all saved", lambda: sir.run(), sir_path, pysd.read_xmile,
         "infectious", "infectious"),
        ("pendulum, 12,801 steps, saved every 0.1",
         (lambda: swing.run(save_every=0.1)) if saving else swing.run, pendulum_path,
         pysd.read_vensim, "angular_position", "angular_position"),
    ]
    for label, native, path, reader, ours, theirs in cases:
        print(f"\n{label}")
        native()
        rows = len(native())
        simlin_run = None
        if simlin is not None:
            simlin_model = simlin.load(str(path))

            def simlin_run(m=simlin_model):
                return m.run(analyze_loops=False).results

            simlin_run()
        # interleaved, so that both see the same load on a shared machine
        native_time = simlin_time = float("inf")
        for _ in range(15):
            native_time = min(native_time, best_of(native, repeat=1, number=5))
            if simlin_run is not None:
                simlin_time = min(simlin_time, best_of(simlin_run, repeat=1, number=5))
        show(f"native ({rows:,} rows)", native_time)
        if simlin_run is not None:
            show(f"pysimlin ({len(simlin_run()):,} rows)", simlin_time)
            ratio = native_time / simlin_time
            print(f"  native / pysimlin: {ratio:.2f}x (target <= 1.5x: "
                  f"{'OK' if ratio <= 1.5 else 'MISSED'})")
            a = float(native()[ours].iloc[-1])
            frame = simlin_run()
            time_index = frame.index.to_numpy()
            last = int(np.argmax(time_index)) if len(time_index) else -1
            b = float(frame[theirs].iloc[last])
            print(f"  last saved {ours}: native {a:.10g} at {float(native().index[-1]):g}, "
                  f"pysimlin {b:.10g} at {float(time_index[last]):g}")
        pysd_model = reader(str(path))
        pysd_model.run()
        pysd_time = best_of(lambda m=pysd_model: m.run(), repeat=3)
        show("PySD", pysd_time)
        print(f"  PySD / native: {pysd_time / native_time:,.0f}x")


def best_of(function, repeat: int, number: int = 1) -> float:
    """The best mean CPU time (seconds) of `number` calls, over `repeat` tries.

    CPU time of this process: on a shared machine, other processes do not count.
    """
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            function()
        times.append((time.process_time() - start) / number)
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

    print("\nLong single runs (results as a DataFrame)")
    with tempfile.TemporaryDirectory() as folder:
        long_runs(Path(folder))

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

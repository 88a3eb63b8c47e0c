"""``run(engine="pysd")`` against PySD used directly, on a model with lookup tables.

Run with ``.venv/bin/python benchmarks/pysd_engine.py``. Both sides start from a
translation made once; the loop then times one run each:

- csframework: ``model.run(engine="pysd")`` on the library's fishery (three
  lookup tables), a parameter changed every other run;
- PySD itself: one ``pysd.load`` of the same XMILE, then ``model.run(params=...)``;
- the library's teacup (no lookups), the same way;
- a ``.mdl`` file with a lookup table loaded with ``load_model``.

Prints the median times and the ratio csframework / PySD. PySD itself calls a
lookup table through xarray; csframework writes plain tables inline
(``np.interp``), so on lookup models it is faster than PySD used directly.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

REPEATS = 10

MDL = """{UTF-8}
Stock= INTEG (Inflow, 10)
\t~\tunits
\t~\t|
Inflow= Table(Stock) * Rate
\t~\tunits/Month
\t~\t|
Table([(0,0)-(100,2)],(0,1),(20,1.5),(50,0.5),(100,0))
\t~\t
\t~\t|
Rate= 0.1
\t~\t1/Month
\t~\t|
FINAL TIME  = 100
\t~\tMonth
\t~\t|
INITIAL TIME  = 0
\t~\tMonth
\t~\t|
SAVEPER  = TIME STEP
\t~\tMonth
\t~\t|
TIME STEP  = 0.25
\t~\tMonth
\t~\t|
"""


def _best(fn, repeats: int = REPEATS) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    os.environ.setdefault("CSF_HOME", tempfile.mkdtemp(prefix="csf-bench-"))
    warnings.simplefilter("ignore")
    import pysd

    import csframework as csf

    model = csf.library.load("fishery")
    model.run(engine="pysd")                                  # translate once
    constant = next(iter(model.constants))
    value = float(model[constant].value) if hasattr(model[constant], "value") else 1.0

    def ours(i: int) -> None:
        model.run(engine="pysd", params={constant: value * (1 + (i % 2) / 10)})

    folder = Path(tempfile.mkdtemp(prefix="csf-bench-pysd-"))
    xmile_path = folder / "fishery.xmile"
    xmile_path.write_text(model.to_xmile(), encoding="utf-8")
    direct = pysd.read_xmile(str(xmile_path))
    pysd_name = next(n for n in direct.namespace if n.replace(" ", "_").lower() == constant)

    def theirs(i: int) -> None:
        direct.run(params={pysd_name: value * (1 + (i % 2) / 10)}, progress=False)

    t_ours, t_theirs = _best(ours), _best(theirs)
    print(f"fishery (lookups), engine='pysd': {t_ours * 1e3:8.1f} ms | PySD itself: "
          f"{t_theirs * 1e3:8.1f} ms | ratio {t_ours / t_theirs:5.2f}x")

    teacup = csf.library.load("teacup")
    teacup.run(engine="pysd")
    tea_constant = next(iter(teacup.constants))
    tea_path = folder / "teacup.xmile"
    tea_path.write_text(teacup.to_xmile(), encoding="utf-8")
    tea_direct = pysd.read_xmile(str(tea_path))
    tea_name = next(n for n in tea_direct.namespace
                    if n.replace(" ", "_").lower() == tea_constant)
    t_ours = _best(lambda i: teacup.run(engine="pysd", params={tea_constant: 10 + i % 2}))
    t_theirs = _best(lambda i: tea_direct.run(params={tea_name: 10 + i % 2}, progress=False))
    print(f"teacup (no lookups), engine='pysd': {t_ours * 1e3:6.1f} ms | PySD itself: "
          f"{t_theirs * 1e3:8.1f} ms | ratio {t_ours / t_theirs:5.2f}x")

    mdl_path = folder / "table.mdl"
    mdl_path.write_text(MDL, encoding="utf-8")
    loaded = csf.load_model(mdl_path)
    if isinstance(loaded, csf.StockFlowModel):      # a native Vensim reader: use PySD's engine
        def ours_mdl(i: int) -> None:
            loaded.run(engine="pysd", params={"rate": 0.1 * (1 + i % 2)})
    else:
        def ours_mdl(i: int) -> None:
            loaded.run(params={"Rate": 0.1 * (1 + i % 2)})
    ours_mdl(0)
    direct_mdl = pysd.read_vensim(str(mdl_path))

    def theirs_mdl(i: int) -> None:
        direct_mdl.run(params={"Rate": 0.1 * (1 + i % 2)}, progress=False)

    t_ours, t_theirs = _best(ours_mdl), _best(theirs_mdl)
    print(f"Vensim table model, load_model:   {t_ours * 1e3:8.1f} ms | PySD itself: "
          f"{t_theirs * 1e3:8.1f} ms | ratio {t_ours / t_theirs:5.2f}x")


if __name__ == "__main__":
    main()

"""Regenerate the PySD reference runs of this folder (run by hand; not a test).

Usage: ``python tests/data/vensim/regenerate.py`` from the repository root. For
every ``*.mdl`` file here (and World3-03 in the package), runs PySD on a copy in
a temporary folder and writes ``<model>.pysd.csv``: at most 101 of PySD's saved
times, 12 significant digits. World3's reference (``world3_pysd.csv``) keeps
every saved time of the eight variables the tests compare.

PySD 3.14 initialises SMOOTH with an integer state when the initial value is a
whole number (``SMOOTHI(x, t, 1)``, or an ACTIVE INITIAL of 1), so the first
step truncates the input to an integer; ``tests/sd/test_vensim.py`` proves it
(``test_pysd_defect_integer_smooth_state``). The references are made with that
defect corrected (the state made a float), as Vensim computes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORLD3_COLUMNS = ("population", "industrial output", "food", "Persistent Pollution",
                  "Nonrenewable Resources", "life expectancy", "Human Welfare Index",
                  "Human Ecological Footprint")


def patch_pysd() -> None:
    from pysd.py_backend import statefuls

    original = statefuls.Smooth.initialize

    def initialize(self, init_val=None):
        original(self, init_val)
        if isinstance(self.state, np.ndarray):
            self.state = self.state.astype(float)

    statefuls.Smooth.initialize = initialize


def run(mdl: Path):
    import pysd

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / mdl.name
        shutil.copy(mdl, copy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pysd.read_vensim(str(copy)).run(progress=False)


def main() -> None:
    sys.path.insert(0, str(HERE.parents[2]))
    from csframework.sd.library import world3_path
    from csframework.sd._pysd_guard import guard

    guard()
    patch_pysd()
    for mdl in sorted(HERE.rglob("*.mdl")):
        frame = run(mdl)
        step = max(1, -(-len(frame) // 100))
        frame.iloc[::step].to_csv(mdl.with_suffix(".pysd.csv"), float_format="%.12g")
        print(mdl.relative_to(HERE))
    frame = run(world3_path())
    frame[list(WORLD3_COLUMNS)].to_csv(HERE / "world3_pysd.csv", float_format="%.17g")


if __name__ == "__main__":
    main()

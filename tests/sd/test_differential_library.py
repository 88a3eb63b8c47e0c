"""Differential test: every library model gives the same run on the native engine and PySD.

Both engines integrate with Euler, so they must agree to 1e-6 relative. The one
documented difference is a non-negative stock that runs dry: the native engine
limits the stock's outflows so nothing is created (and reports the limited
flows), where PySD lets the flows run and clamps the stock. There the stock
values must still agree, and the native outflows may only be smaller.
"""

from __future__ import annotations

import numpy as np
import pytest

from csframework.sd import library

pytestmark = pytest.mark.pysd

RTOL = 1e-6


def limited_outflows(model) -> set[str]:
    return {flow for stock in model.stocks.values() if stock.non_negative
            for flow in stock.outflows}


# World3 through PySD takes about a minute; tests/sd/test_vensim.py compares it with PySD
@pytest.mark.parametrize("name", [n for n in library.names() if n != "world3"])
def test_native_equals_pysd(name, pysd_cache):
    model = library.load(name)
    native = model.run().to_frame()
    pysd = model.run(engine="pysd").to_frame()
    assert set(pysd.columns) == set(native.columns)
    assert np.allclose(pysd.index.to_numpy(), native.index.to_numpy())
    limited = limited_outflows(model)
    for column in native.columns:
        ours, theirs = native[column].to_numpy(), pysd[column].to_numpy()
        same = np.isclose(ours, theirs, rtol=RTOL, atol=RTOL * max(1.0, np.abs(theirs).max()))
        if column in limited:
            # the stock ran dry: our flow was limited, PySD's was not
            assert np.all(same | (ours < theirs)), column
        else:
            assert same.all(), (f"{name}: {column} differs first at time "
                                f"{native.index[~same][0]}: {ours[~same][0]} vs {theirs[~same][0]}")


def test_the_non_negative_difference_is_real():
    """The accidental adversaries model exercises the difference documented above."""
    model = library.load("accidental adversaries")
    assert limited_outflows(model)

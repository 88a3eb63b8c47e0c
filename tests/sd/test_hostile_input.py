"""Hostile input to the system-dynamics side: every attack ends quickly in a clear error.

Each test reproduces one attack from issue #12 (hostile sizes, raw tracebacks) or
issue #16 (XMILE interchange) and checks the csframework error (or the working
result) that replaced the raw exception, the hang or the silent empty model.
No test measures time; the sizes are chosen so that the old quadratic or
exponential code could not finish at all.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from csframework.errors import EquationError, ModelError
from csframework.sd import expressions
from csframework.sd.model import StockFlowModel


# --------------------------------------------------------------- equations
def _model_with(equation: str) -> StockFlowModel:
    model = StockFlowModel("Long", stop=2)
    model.constant("c", 2)
    model.auxiliary("total", equation)
    return model


@pytest.mark.parametrize("terms", [400, 900])
def test_long_sums_compile_and_run(terms):
    """400 terms used to pass validation and then fail at run() with a raw SyntaxError."""
    model = _model_with(" + ".join(["c"] * terms) + " - c")
    assert model.run()["total"].iloc[-1] == pytest.approx(2 * (terms - 1))
    ensemble = model.run(params={"c": [1, 3]})["total"].iloc[-1].tolist()
    assert ensemble == pytest.approx([terms - 1, 3 * (terms - 1)])


@pytest.mark.parametrize("equation, expected", [
    (" * ".join(["c"] * 300) + " / c" * 290, 2.0 ** 10),
    ("c" + " - c" * 500, 2 - 2 * 500),
    (" and ".join(["c"] * 400), 1.0),
    ("max(" + ", ".join(["c"] * 300 + ["7"]) + ")", 7.0),
    ("min(" + ", ".join(["c"] * 300 + ["-1"]) + ")", -1.0),
])
def test_long_chains_of_every_kind_run_on_both_code_paths(equation, expected):
    model = _model_with(equation)
    assert float(model.run()["total"].iloc[-1]) == pytest.approx(expected)
    ensemble = model.run(params={"c": [2, 2]})["total"].iloc[-1].to_numpy()
    assert np.allclose(ensemble, expected)


def test_short_chains_keep_the_order_they_were_written_in():
    """Only chains longer than CHAIN_LENGTH are regrouped, so ordinary rounding is unchanged."""
    text = " + ".join(["x"] * expressions.CHAIN_LENGTH)
    tree = expressions.parse(text).tree.body
    depth = 0
    while isinstance(tree, __import__("ast").BinOp):
        tree, depth = tree.left, depth + 1
    assert depth == expressions.CHAIN_LENGTH - 1
    long = expressions.parse(" + ".join(["x"] * 1000)).tree.body
    assert expressions.nesting(long) <= 12


def test_too_many_operators_is_refused_when_defined_with_the_name():
    model = StockFlowModel("m")
    model.constant("c", 1)
    with pytest.raises(EquationError) as info:
        model.auxiliary("big", "+".join(["c"] * 2000))
    message = str(info.value)
    assert "1999 operators" in message and f"more than {expressions.MAX_OPERATORS}" in message
    assert "'big'" in message and len(message) < 400  # the equation is shortened


def test_deep_nesting_is_refused_when_defined_not_at_run():
    model = StockFlowModel("m")
    model.constant("c", 1)
    with pytest.raises(EquationError, match=r"nested too deeply \(150, at most 100") as info:
        model.auxiliary("deep", "exp(" * 150 + "c" + ")" * 150)
    assert "auxiliary 'deep'" in str(info.value)
    with pytest.raises(EquationError, match="too many nested parentheses"):
        model.auxiliary("brackets", "(" * 5000 + "c" + ")" * 5000)
    # at the limit it is accepted and runs
    model.auxiliary("ok", "abs(" * 90 + "c" + ")" * 90)
    assert model.run()["ok"].iloc[0] == 1


def test_a_number_with_thousands_of_digits_is_named():
    with pytest.raises(EquationError, match=r"has 5000 digits, more than 100"):
        expressions.parse("9" * 5000, variable="x")
    with pytest.raises(EquationError, match="too large"):
        expressions.parse("9" * 90 + "e300", variable="x")


@pytest.mark.parametrize("value, message", [
    (10**400, "about 401 digits"),
    (-(10**5000), "about 5001 digits"),
    (float("inf"), "finite number, not inf"),
    (float("nan"), "finite number, not nan"),
], ids=["10**400", "-10**5000", "inf", "nan"])
def test_constant_out_of_the_float_range(value, message):
    model = StockFlowModel("m")
    with pytest.raises(ModelError, match=message):
        model.constant("c", value)
    with pytest.raises(ModelError, match=message):
        model.set_time(stop=value)
    assert math.isfinite(model.stop)

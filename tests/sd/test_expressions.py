"""The equation language: parsing, the whitelist, error messages, evaluation."""

from __future__ import annotations

import ast
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework.errors import EquationError, UnknownNameError
from csframework.sd.engine import evaluate
from csframework.sd.expressions import (
    FUNCTIONS,
    RESERVED_NAMES,
    Equation,
    check_name,
    dependencies,
    parse,
)

# ------------------------------------------------------------------ parsing


def test_parse_keeps_text_tree_and_dependencies_in_order():
    eq = parse("  (teacup_temperature - room_temperature) / characteristic_time ",
               variable="heat_loss")
    assert isinstance(eq, Equation)
    assert eq.text == "(teacup_temperature - room_temperature) / characteristic_time"
    assert eq.variable == "heat_loss"
    assert isinstance(eq.tree, ast.Expression)
    assert eq.dependencies == ("teacup_temperature", "room_temperature", "characteristic_time")
    assert str(eq) == eq.text


def test_time_dt_pi_and_functions_are_not_dependencies():
    assert dependencies("exp(-time / tau) * dt + pi * r") == ("tau", "r")


def test_lookup_calls_are_dependencies_and_listed():
    eq = parse("effect_of_density(people / area) * 2")
    assert eq.dependencies == ("effect_of_density", "people", "area")
    assert eq.lookups_called == ("effect_of_density",)


def test_functions_and_statefulness():
    eq = parse("smooth(x, 3) + max(a, b)")
    assert eq.functions == ("smooth", "max")
    assert eq.is_stateful
    assert not parse("max(a, b)").is_stateful


def test_numbers_are_accepted_as_equations():
    assert parse(5).text == "5"
    assert parse(2.5).constant_value == 2.5
    assert parse("-(3)").constant_value == -3.0
    assert parse("x").constant_value is None


def test_occurrences_give_ancestors_for_polarity_analysis():
    eq = parse("a - b / (1 + b)")
    occurrences = eq.occurrences("b")
    assert len(occurrences) == 2
    first = occurrences[0]
    assert first.name == "b"
    assert isinstance(first.node, ast.Name)
    assert isinstance(first.ancestors[0], ast.Expression)
    assert isinstance(first.ancestors[-1], ast.BinOp)
    assert isinstance(first.ancestors[-1].op, ast.Div)
    assert {o.name for o in eq.occurrences()} == {"a", "b"}


def test_keywords_documented_in_the_signature_are_accepted():
    parse("pulse(10, 5, interval=2)")
    parse("safediv(a, b, default=1)")
    parse("smooth(input=x, delay=3, initial=0)")
    parse("ramp(1, 2, end=5)")


def test_function_specs_describe_their_signature():
    assert FUNCTIONS["smooth"].signature == "smooth(input, delay, initial=None)"
    assert FUNCTIONS["delay_fixed"].signature == "delay_fixed(input, delay, initial)"
    assert FUNCTIONS["min"].signature == "min(a, ...)"


# ----------------------------------------------------------- the whitelist

REJECTED = [
    ("os.system('ls')", "attribute access"),
    ("x.real", "attribute access"),
    ("x[0]", "subscripts"),
    ("lambda: 1", "lambda"),
    ("(y := 3)", "assignment expressions"),
    ("'text'", "strings"),
    ("[1, 2]", "lists"),
    ("(1, 2)", "tuples"),
    ("{1: 2}", "dictionaries"),
    ("[i for i in x]", "comprehensions"),
    ("f'{x}'", "f-strings"),
    ("__import__('os')", "reserved"),
    ("_secret + 1", "reserved"),
    ("x % 2", "modulo(a, b)"),
    ("x // 2", "floor(a / b)"),
    ("x & y", "'&' operator"),
    ("~x", "'~' operator"),
    ("x is y", "'is'"),
    ("x in y", "'in'"),
    ("True + 1", "True"),
    ("None", "None"),
    ("1j * x", "not allowed"),
    ("min", "is a function"),
    ("time(3)", "not a function"),
    ("max(*xs)", "unpacking"),
    ("smooth(x, 3, speed=2)", "has no argument 'speed'"),
    ("min(a, b, key=c)", "takes no keyword arguments"),
    ("effect(x, y)", "one argument"),
    ("1e400", "too large"),
]


@pytest.mark.parametrize(("text", "fragment"), REJECTED)
def test_rejected_constructs_raise_equation_error_naming_them(text, fragment):
    with pytest.raises(EquationError) as info:
        parse(text, variable="my_var")
    message = str(info.value)
    assert fragment in message
    assert "my_var" in message


def test_error_names_position_variable_and_shows_the_line():
    with pytest.raises(EquationError) as info:
        parse("a + b.c", variable="total")
    err = info.value
    assert (err.line, err.column) == (1, 5)
    assert err.variable == "total" and err.text == "a + b.c"
    assert "line 1, column 5 of the equation of 'total'" in str(err)
    assert str(err).endswith("    a + b.c\n        ^")


def test_error_position_counts_characters_not_bytes():
    with pytest.raises(EquationError) as info:
        parse("température + x.y")
    assert info.value.column == 15


def test_error_on_second_line():
    with pytest.raises(EquationError) as info:
        parse("(a +\n b[1])")
    assert info.value.line == 2


def test_where_replaces_the_variable_in_messages():
    with pytest.raises(EquationError, match="the equation of flow 'inflow'"):
        parse("x.y", variable="inflow", where="the equation of flow 'inflow'")


def test_syntax_errors_and_statements_are_equation_errors():
    with pytest.raises(EquationError, match="not a valid expression"):
        parse("a +")
    with pytest.raises(EquationError, match="not a valid expression"):
        parse("import os")
    with pytest.raises(EquationError, match="not a valid expression"):
        parse("x = 3")


def test_empty_and_non_text_equations():
    with pytest.raises(EquationError, match="empty"):
        parse("   ")
    with pytest.raises(EquationError, match="must be text or a number"):
        parse(["x"])
    with pytest.raises(EquationError, match="finite"):
        parse(float("nan"))


def test_too_long_and_too_deep_equations_are_refused():
    with pytest.raises(EquationError, match="too long"):
        parse("+".join(["x"] * 20_000))
    with pytest.raises(EquationError):
        parse("(" * 300 + "x" + ")" * 300)


@pytest.mark.parametrize(("text", "signature"), [
    ("step(10)", "step(height, start)"),
    ("exp(1, 2)", "exp(x)"),
    ("pulse(1)", "pulse(volume, start, interval=0)"),
    ("delay_fixed(x, 2)", "delay_fixed(input, delay, initial)"),
    ("min()", "min(a, ...)"),
    ("safediv(1, 2, 3, 4)", "safediv(a, b, default=0)"),
    ("smooth(x, 1, delay=2)", "smooth(input, delay, initial=None)"),
])
def test_wrong_arity_names_the_expected_signature(text, signature):
    with pytest.raises(EquationError) as info:
        parse(text)
    assert f"expected {signature}" in str(info.value)


def test_unknown_function_is_rejected_when_lookups_are_known():
    with pytest.raises(EquationError, match=r"unknown function 'smoth'; did you mean 'smooth'"):
        parse("smoth(x, 2)", lookups=())
    assert parse("effect(x)", lookups=("effect",)).lookups_called == ("effect",)


# -------------------------------------------------------------- evaluation


@pytest.mark.parametrize(("text", "expected"), [
    ("1 + 2 * 3 - 4 / 2", 5.0),
    ("2 ** 10", 1024.0),
    ("-x", -3.0),
    ("min(x)", 3.0),
    ("min(x, 2, 5)", 2.0),
    ("max(1, x, 2)", 3.0),
    ("abs(-2.5)", 2.5),
    ("exp(0) + log(1) + log10(100) + sqrt(16)", 7.0),
    ("sin(0) + cos(0) + tan(0) + asin(0) + acos(1) + atan(0)", 1.0),
    ("floor(-2.5) + int(2.7)", -1.0),
    ("modulo(7, 3) + modulo(-7, 3)", 3.0),
    ("pi", math.pi),
    ("1 < x < 5", 1.0),
    ("1 < x > 5", 0.0),
    ("x == 3 and not x != 3", 1.0),
    ("0 or x > 2", 1.0),
    ("10 if x > 2 else 20", 10.0),
    ("safediv(1, 0)", 0.0),
    ("safediv(1, 0, 9)", 9.0),
    ("safediv(6, x)", 2.0),
    ("step(5, 2)", 5.0),
    ("step(5, 4)", 0.0),
    ("ramp(2, 1)", 4.0),
    ("ramp(2, 1, end=2)", 2.0),
    ("ramp(2, 4)", 0.0),
    ("time * dt", 6.0),
])
def test_evaluate_functions(text, expected):
    assert evaluate(text, {"x": 3, "time": 3, "dt": 2}) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "time", "expected"), [
    ("pulse(8, 3)", 3, 4.0),
    ("pulse(8, 3)", 5, 0.0),
    ("pulse(8, 3)", 1, 0.0),
    ("pulse(8, 1, interval=4)", 9, 4.0),
    ("pulse(8, 1, interval=4)", 11, 0.0),
    ("pulse(8, 1, 0)", 9, 0.0),
])
def test_pulse_is_volume_over_dt_for_one_dt(text, time, expected):
    assert evaluate(text, {"time": time, "dt": 2}) == expected


def test_evaluate_lookup_and_errors():
    assert evaluate("table(1.5)", lookups={"table": [(0, 0), (1, 10), (2, 0)]}) == 5.0
    assert evaluate("table(-1) + table(9)", lookups={"table": [(0, 1), (1, 2)]}) == 3.0
    with pytest.raises(UnknownNameError, match="did you mean 'rate'"):
        evaluate("rte * 2", {"rate": 1})
    with pytest.raises(EquationError, match="only inside a model"):
        evaluate("smooth(x, 2)", {"x": 1})
    with pytest.raises(EquationError, match="unknown function"):
        evaluate("table(1)")


def test_evaluate_gives_ieee_results_where_python_raises():
    assert evaluate("1 / x", {"x": 0}) == math.inf
    assert math.isnan(evaluate("sqrt(x)", {"x": -1}))
    assert math.isnan(evaluate("(-8) ** (1 / 3)"))


def test_check_name():
    assert check_name("room_temperature") is None
    assert "keyword" in check_name("lambda")
    assert "function" in check_name("smooth")
    assert "fixed meaning" in check_name("time")
    assert "reserved" in check_name("_x")
    assert "not a valid name" in check_name("room temperature")
    assert "text" in check_name(3)
    assert {"time", "dt", "pi", "min", "init"} <= RESERVED_NAMES


# ---------------------------------------------------------- property tests

NAMES = {"a": 1.5, "b": -2.0, "c": 0.25}

leaves = st.one_of(
    st.sampled_from(sorted(NAMES)),
    st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: repr(round(v, 3))),
    st.integers(min_value=0, max_value=20).map(str),
)


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")
    unary = children.map(lambda e: f"(-{e})")
    call = st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=1,
                                                                max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})")
    absolute = children.map(lambda e: f"abs({e})")
    conditional = st.tuples(children, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
                            children, children, children).map(
        lambda t: f"({t[3]} if {t[0]} {t[1]} {t[2]} else {t[4]})")
    logic = st.tuples(children, st.sampled_from(["and", "or"]), children).map(
        lambda t: f"(1 if ({t[0]} > 1 {t[1]} {t[2]} < 1) else 0)")
    return st.one_of(binary, unary, call, absolute, conditional, logic)


safe_expressions = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(safe_expressions)
def test_safe_expressions_evaluate_like_python(text):
    # The reference is Python itself, on test-generated text only.
    reference = {
        "__builtins__": {}, "abs": abs,
        "min": lambda *args: args[0] if len(args) == 1 else min(args),
        "max": lambda *args: args[0] if len(args) == 1 else max(args),
    }
    expected = float(eval(text, reference, dict(NAMES)))
    assert evaluate(text, NAMES) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert set(parse(text).dependencies) <= set(NAMES)


forbidden_wrappers = st.sampled_from([
    "({}).real", "({})[0]", "[{}]", "lambda: {}", "(q := {})", "({}) % 2", "({}) // 2",
    "__import__('os') + {}", "'s' + {}", "({}) @ a", "{{{}}}", "unknown_fn({}, 2)",
    "({}) if {} in a else 1", "exp({}, x=1)", "min(*{})", "({}) is None", "f'{{{}}}'",
    "({} for i in a)", "smooth({})", "a.b + {}", "({}) << 1", "{} ; 1", "not_a_function({})",
])


@settings(max_examples=150, deadline=None)
@given(forbidden_wrappers, safe_expressions)
def test_forbidden_constructs_always_raise_equation_error(wrapper, inner):
    text = wrapper.replace("{}", inner) if wrapper.count("{}") > 1 else wrapper.format(inner)
    with pytest.raises(EquationError):
        parse(text, lookups=())


def test_equation_error_points_at_the_column_in_characters():
    from csframework.sd.expressions import equation_error

    error = equation_error("unknown function 'f'", "é + f(x)", 1, 5, "y", None)
    assert isinstance(error, EquationError)
    assert (error.line, error.column, error.variable) == (1, 5, "y")   # 5 bytes, 4 characters
    assert str(error).endswith("    é + f(x)\n        ^")


def test_grouped_and_balance_keep_long_chains_shallow():
    from csframework.sd.chains import CHAIN_LENGTH, balance, grouped, nesting

    names = [ast.Name(id=f"x{i}", ctx=ast.Load()) for i in range(64)]
    tree = grouped(names, lambda a, b: ast.BinOp(left=a, op=ast.Add(), right=b))
    assert nesting(tree) == 6
    chain = ast.parse(" - ".join(f"x{i}" for i in range(CHAIN_LENGTH + 2)), mode="eval").body
    assert nesting(chain) == CHAIN_LENGTH + 1
    assert nesting(balance(chain)) < 7

"""XMILE reading and writing: names, equations, graphical functions, hardening."""

from __future__ import annotations

import ast
import warnings

import numpy as np
import pytest

from csframework.errors import FormatError
from csframework.sd.loading import read_xmile
from csframework.sd.model import StockFlowModel
from csframework.sd.xmile import (
    XmileWarning,
    name_key,
    parse_equation,
    python_identifier,
    read_sim_specs,
    to_xmile,
    translate_equation,
    write,
    xmile_names,
)

NS = 'xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"'


def xmile(variables: str, specs: str = "<start>0</start><stop>10</stop><dt>1</dt>",
          extra: str = "", method: str = "Euler") -> str:
    return (f'<xmile version="1.0" {NS}><header><name>T</name></header>'
            f'<sim_specs method="{method}" time_units="Months">{specs}</sim_specs>{extra}'
            f"<model><variables>{variables}</variables></model></xmile>")


# --------------------------------------------------------------------- names

@pytest.mark.parametrize(("name", "ident"), [
    ("Teacup Temperature", "teacup_temperature"),
    ("teacup_temperature", "teacup_temperature"),
    ("Stock with \\n Newline Character", "stock_with_newline_character"),
    ("Aux with $peC!@| characters", "aux_with_pec_characters"),
    ("Hyphenated-Stockname", "hyphenated_stockname"),
    ("import", "import_"),
    ("min", "min_"),
    ("TIME", "time_"),
    ("3rd", "v_3rd"),
    ("Café", "cafe"),
    ("!!!", "var"),
])
def test_python_identifier(name, ident):
    assert python_identifier(name) == ident
    assert ident.isidentifier()


def test_name_key_treats_spaces_underscores_and_case_alike():
    assert name_key("Room_Temperature") == name_key("room  TEMPERATURE") == "room temperature"


def test_identifiers_stay_unique():
    model = read_xmile(xmile('<aux name="a b"><eqn>1</eqn></aux>'
                             '<aux name="a-b"><eqn>2</eqn></aux>'))
    assert sorted(model.constants) == ["a_b", "a_b_2"]


def test_duplicate_names_are_refused_with_both_lines():
    text = xmile('<aux name="Rate"><eqn>1</eqn></aux>\n<aux name="rate"><eqn>2</eqn></aux>')
    with pytest.raises(FormatError, match="already used"):
        read_xmile(text)


# ----------------------------------------------------------------- equations

@pytest.mark.parametrize(("xmile_eqn", "python"), [
    ("4 - 5 + 6", "4 - 5 + 6"),
    ("-2^2", "-2 ** 2"),
    ("30 ^ cons ^ cons", "30 ** cons ** cons"),
    ("30^ - 30^-cons", "30 ** (-30 ** (-cons))"),
    ("(-cons)^2", "(-cons) ** 2"),
    ("IF cons > 5 THEN 1 ELSE 0", "1 if cons > 5 else 0"),
    ("if cons = 4 then 1 else 0", "1 if cons == 4 else 0"),
    ("cons <> 5", "cons != 5"),
    ("cons AnD x Or NoT x", "cons and x or not x"),
    ("ABS(x) + ARCCOS(x) + ARCSIN(x) + ARCTAN(x)", "abs(x) + acos(x) + asin(x) + atan(x)"),
    ("LN(x) / LOG10(x) * EXP(x) - SQRT(x)", "log(x) / log10(x) * exp(x) - sqrt(x)"),
    ("SIN(PI()) + COS(PI) + TAN(x)", "sin(pi) + cos(pi) + tan(x)"),
    ("MIN(x, 5) + MAX(x, 5)", "min(x, 5) + max(x, 5)"),
    ("SAFEDIV(x, cons) + SAFEDIV(x, cons, 4)", "safediv(x, cons) + safediv(x, cons, 4)"),
    ("DELAY(x, 1)", "delay_fixed(x, 1, x)"),
    ("DELAY(x, 5, -20)", "delay_fixed(x, 5, -20)"),
    ("DELAY1(x, 2) + DELAY3(x, 2, 0)", "delay1(x, 2) + delay3(x, 2, 0)"),
    ("SMTH1(x, 2) + SMTH3(x, 2, 1)", "smooth(x, 2) + smooth3(x, 2, 1)"),
    ("INIT(x)", "init(x)"),
    ("STEP(1, 5) + PULSE(10, 2) + PULSE(1, 2, 3) + RAMP(1, 2) + RAMP(1, 2, 8)",
     "step(1, 5) + pulse(10, 2) + pulse(1, 2, 3) + ramp(1, 2) + ramp(1, 2, 8)"),
    ("TIME + DT + Time() + STARTTIME + STOPTIME", "time + dt + time + 0.0 + 100.0"),
    ("INT(x)", "int(x) if x >= 0 else -int(-x)"),
    ("MOD(x, 3)", "x - 3 * (int(x / 3) if x / 3 >= 0 else -int(-(x / 3)))"),
    ("x MOD 3", "x - 3 * (int(x / 3) if x / 3 >= 0 else -int(-(x / 3)))"),
    ('"Quoted Name" * x', "cons * x"),
    (".34 + 3e-05 + 1.", "0.34 + 3e-05 + 1.0"),
    ("x {a comment} + 1", "x + 1"),
    ("table(x) + LOOKUP(table, 2)", "table(x) + table(2)"),
])
def test_translate_equation(xmile_eqn, python):
    variables = {"cons": "cons", "x": "x", "Quoted Name": "cons"}
    assert translate_equation(xmile_eqn, variables, {"table": "table"}) == python


@pytest.mark.parametrize(("eqn", "message"), [
    ("x +", "expected a number, a name or '\\('"),
    ("(x", "expected '\\)'"),
    ("x y", "expected an operator"),
    ("IF x THEN 1", "expected 'ELSE'"),
    ("unknwn + 1", "unknown name 'unknwn'"),
    ("rte + 1", "did you mean 'rate'"),
    ("RANDOM(1)", "RANDOM\\(\\) is not supported"),
    ("ABS(x, 2)", "ABS\\(\\) takes 1 argument"),
    ("table", "needs an input"),
    ("x(2)", "has no graphical function"),
    ("mod1.x", "modules are not supported"),
    ("x ? 2", "cannot read '\\? 2'"),
])
def test_bad_equations_name_the_problem(eqn, message):
    with pytest.raises(FormatError, match=message):
        translate_equation(eqn, {"x": "x", "rate": "rate"}, {"table": "table"}, where="aux 'a'")


def test_parse_equation_gives_a_tree():
    tree = parse_equation("IF a THEN b ELSE c")
    assert type(tree).__name__ == "IfElse"


# ------------------------------------------------------------- model reading

TEACUP = xmile(
    '<stock name="Teacup Temperature"><eqn>180</eqn><outflow>"Heat Loss to Room"</outflow>'
    "<units>degrees</units><doc>  The tea  </doc></stock>"
    '<flow name="Heat Loss to Room"><eqn>("Teacup Temperature"-"Room Temperature")'
    '/"Characteristic Time"</eqn></flow>'
    '<aux name="Room Temperature"><eqn>70</eqn><range min="0" max="100"/></aux>'
    '<aux name="Characteristic Time"><eqn>10</eqn></aux>',
    specs="<start>0</start><stop>30</stop><dt>0.125</dt>",
)


def test_reads_teacup():
    model = read_xmile(TEACUP)
    assert model.name == "T"
    assert (model.start, model.stop, model.dt, model.time_unit) == (0, 30, 0.125, "Months")
    stock = model.stocks["teacup_temperature"]
    assert stock.initial == 180
    assert stock.outflows == ("heat_loss_to_room",)
    assert (stock.units, stock.doc, stock.label) == ("degrees", "The tea", "Teacup Temperature")
    assert model.flows["heat_loss_to_room"].equation == (
        "(teacup_temperature - room_temperature) / characteristic_time")
    room = model.constants["room_temperature"]
    assert (room.value, room.min, room.max) == (70, 0, 100)
    assert xmile_names(model)["heat_loss_to_room"] == "Heat Loss to Room"


def test_reads_a_file_path(tmp_path):
    path = tmp_path / "teacup.xmile"
    path.write_text(TEACUP, encoding="utf-8")
    assert "teacup_temperature" in read_xmile(path)
    assert "teacup_temperature" in read_xmile(str(path))
    assert "teacup_temperature" in read_xmile(TEACUP.encode())


def test_missing_file():
    with pytest.raises(FileNotFoundError, match=r"nowhere\.xmile"):
        read_xmile("nowhere.xmile")


def test_sim_specs_reciprocal_dt_and_method():
    specs = read_sim_specs(xmile("", specs='<start>1</start><stop>5</stop>'
                                 '<dt reciprocal="true">32</dt>', method="RK4"))
    assert (specs.start, specs.stop, specs.dt, specs.method) == (1, 5, 1 / 32, "rk4")
    assert read_xmile(xmile('<aux name="a"><eqn>1</eqn></aux>', specs='<start>1</start>'
                            '<stop>5</stop><dt reciprocal="true">4</dt>')).dt == 0.25


def test_the_files_method_is_the_models_and_survives_a_round_trip():
    decay = ('<stock name="x"><eqn>1</eqn><outflow>loss</outflow></stock>'
             '<flow name="loss"><eqn>x</eqn></flow>')
    model = read_xmile(xmile(decay, method="RK4"))
    assert model.method == "rk4"
    rk4, euler = model.run()["x"].iloc[-1], model.run(method="euler")["x"].iloc[-1]
    assert rk4 == pytest.approx(0.375 ** 10)   # RK4's step keeps 1 - 1 + 1/2 - 1/6 + 1/24
    assert euler == 0.0                                      # Euler with dt 1 empties x at once
    assert read_xmile(to_xmile(model)).method == "rk4"
    assert 'method="RK4"' in to_xmile(model)
    assert 'method="Euler"' in to_xmile(model, dialect="pysd")  # PySD runs are Euler runs
    assert read_xmile(xmile(decay)).method == "euler"


def test_unsupported_method():
    with pytest.raises(FormatError, match="'Gear' is not supported; use 'Euler' or 'RK4'"):
        read_sim_specs(xmile("", method="Gear"))


def test_aux_used_as_flow_becomes_a_flow():
    model = read_xmile(xmile('<stock name="s"><eqn>0</eqn><inflow>f</inflow></stock>'
                             '<aux name="f"><eqn>.5</eqn></aux>'))
    assert model.flows["f"].equation == "0.5"


def test_stock_naming_a_missing_flow():
    with pytest.raises(FormatError, match="no such flow; did you mean 'flow a'"):
        read_xmile(xmile('<stock name="s"><eqn>0</eqn><inflow>flow_b</inflow></stock>'
                         '<flow name="flow a"><eqn>1</eqn></flow>'))


def test_non_negative_forms_and_behavior_defaults():
    body = ('<stock name="s1"><eqn>1</eqn><outflow>f1</outflow></stock>'
            '<stock name="s2"><eqn>1</eqn><outflow>f2</outflow><non_negative>FALSE'
            '</non_negative></stock>'
            '<flow name="f1"><eqn>1</eqn><non_negative> TruE </non_negative></flow>'
            '<flow name="f2"><eqn>1</eqn></flow>')
    plain = read_xmile(xmile(body), non_negative_stocks="limit outflows")
    assert [plain.stocks["s1"].non_negative, plain.stocks["s2"].non_negative] == [False, False]
    assert [plain.flows["f1"].non_negative, plain.flows["f2"].non_negative] == [True, False]
    both = read_xmile(xmile(body, extra="<behavior><non_negative/></behavior>"),
                      non_negative_stocks="limit outflows")
    assert [both.stocks["s1"].non_negative, both.stocks["s2"].non_negative] == [True, False]
    assert both.flows["f2"].non_negative
    behavior = "<behavior><stock><non_negative/></stock></behavior>"
    stocks_only = read_xmile(xmile(body, extra=behavior), non_negative_stocks="limit outflows")
    assert stocks_only.stocks["s1"].non_negative and not stocks_only.flows["f2"].non_negative


def test_non_negative_stocks_clamp_by_default():
    body = ('<stock name="Tank"><eqn>3</eqn><inflow>fill</inflow><outflow>drain</outflow>'
            '<non_negative/></stock><flow name="fill"><eqn>-1</eqn></flow>'
            '<flow name="drain"><eqn>1</eqn></flow>')
    model = read_xmile(xmile(body, specs="<start>0</start><stop>4</stop><dt>1</dt>"))
    assert not model.stocks["tank"].non_negative
    assert model.stocks["tank"].inflows == ("fill", "tank_floor")
    assert model.flows["tank_floor"].equation == "max(0, -(tank + dt * (fill - drain))) / dt"
    res = model.run()
    assert res["tank"].tolist() == [3, 1, 0, 0, 0]        # stops at zero ...
    assert res["drain"].tolist() == [1, 1, 1, 1, 1]       # ... and flows keep their values
    limited = read_xmile(xmile(body), non_negative_stocks="limit outflows")
    assert limited.stocks["tank"].non_negative and "tank_floor" not in limited


def test_unknown_non_negative_option():
    with pytest.raises(KeyError, match="did you mean 'clamp'"):
        read_xmile(TEACUP, non_negative_stocks="clam")


def test_flow_of_several_stocks_is_copied_and_flow_of_none_is_an_auxiliary():
    model = read_xmile(xmile('<stock name="a"><eqn>1</eqn><outflow>f</outflow></stock>'
                             '<stock name="b"><eqn>1</eqn><outflow>f</outflow></stock>'
                             '<flow name="f"><eqn>TIME</eqn></flow>'
                             '<flow name="g"><eqn>-TIME</eqn><non_negative/></flow>'))
    assert model.stocks["b"].outflows == ("f_from_b",)
    assert model.flows["f_from_b"].equation == "time"
    assert model.auxiliaries["g"].equation == "max(0, -time)"


# --------------------------------------------------------- graphical functions

@pytest.mark.parametrize("gf", [
    "<xpts>0,5,10</xpts><ypts>0,1,0</ypts>",
    '<xpts sep=";">0;5;10</xpts><ypts>0,1,0</ypts>',
    '<xpts>0,5,10</xpts><ypts sep=";">0;1;0</ypts>',
    '<xscale min="0" max="10"/><ypts>0,1,0</ypts>',
    "<yscale min='0' max='1'/><xpts>10,0,5</xpts><ypts>0,0,1</ypts>",
])
def test_graphical_function_forms(gf):
    model = read_xmile(xmile(f'<gf name="Shape Table">{gf}</gf>'
                             '<aux name="out"><eqn>shape_table(TIME)</eqn></aux>'
                             '<aux name="out2"><eqn>LOOKUP("Shape Table", TIME)</eqn></aux>'))
    assert model.lookups["shape_table"].points == ((0, 0), (5, 1), (10, 0))
    assert model.auxiliaries["out"].equation == "shape_table(time)"
    assert model.auxiliaries["out2"].equation == "shape_table(time)"


def test_graphical_function_inside_an_aux():
    model = read_xmile(xmile('<aux name="Effect"><eqn>TIME * 2</eqn><gf type="extrapolate">'
                             "<xpts>0,1</xpts><ypts>1,0</ypts></gf></aux>"
                             '<aux name="other"><eqn>Effect(3) + effect</eqn></aux>'))
    assert model.lookups["effect_table"].extrapolate
    assert model.lookups["effect_table"].label == "Effect (graphical function)"
    assert model.auxiliaries["effect"].equation == "effect_table(time * 2)"
    assert model.auxiliaries["other"].equation == "effect_table(3) + effect"


@pytest.mark.parametrize(("gf", "message"), [
    ("<xpts>0,1</xpts><ypts>1,0,2</ypts>", "2 x points but 3 y points"),
    ("<ypts>1,0</ypts>", "needs <xpts> or <xscale>"),
    ("<xpts>0,1</xpts>", "has no <ypts>"),
    ("<xpts>0,a</xpts><ypts>1,0</ypts>", "points must be numbers"),
])
def test_bad_graphical_functions(gf, message):
    with pytest.raises(FormatError, match=message):
        read_xmile(xmile(f'<gf name="g">{gf}</gf>'))


def test_discrete_graphical_function_is_refused():
    with pytest.raises(FormatError, match="discrete graphical functions are not supported"):
        read_xmile(xmile('<gf name="g" type="discrete"><xpts>0,1</xpts><ypts>1,0</ypts></gf>'))


# ------------------------------------------------------------------- arrays

DIMS = '<dimensions><dim name="d"><elem name="a"/><elem name="b"/></dim></dimensions>'


def test_one_dimensional_arrays_are_flattened():
    model = read_xmile(xmile(
        '<aux name="v"><dimensions><dim name="d"/></dimensions><eqn>1, 2</eqn></aux>'
        '<aux name="w"><dimensions><dim name="d"/></dimensions><eqn>v[d] * 10</eqn></aux>'
        '<aux name="u"><dimensions><dim name="d"/></dimensions>'
        '<element subscript="a"><eqn>1</eqn></element><element subscript="b"><eqn>v[a]</eqn>'
        "</element></aux>"
        '<aux name="lo"><eqn>MIN(v[d]) + MAX(v[*]) + SUM(w[d]) + MEAN(v)</eqn></aux>',
        extra=DIMS))
    assert xmile_names(model)["v_a"] == "v[a]"
    assert model.constants["v_b"].value == 2
    assert model.auxiliaries["w_b"].equation == "v_b * 10"
    assert model.auxiliaries["u_b"].equation == "v_a"
    assert model.auxiliaries["lo"].equation == (
        "min(v_a, v_b) + max(v_a, v_b) + (w_a + w_b) + (v_a + v_b) / 2")


@pytest.mark.parametrize(("body", "message"), [
    ('<aux name="v"><dimensions><dim name="d"/><dim name="d"/></dimensions><eqn>1</eqn></aux>',
     "more than one dimension"),
    ('<aux name="v"><dimensions><dim name="e"/></dimensions><eqn>1</eqn></aux>',
     "unknown dimension 'e'"),
    ('<aux name="v"><dimensions><dim name="d"/></dimensions><eqn>1</eqn></aux>'
     '<aux name="x"><eqn>v + 1</eqn></aux>', "needs one element of 'v'"),
    ('<aux name="x"><eqn>1</eqn></aux><aux name="y"><eqn>x[a]</eqn></aux>',
     "has no dimensions"),
])
def test_unsupported_arrays(body, message):
    with pytest.raises(FormatError, match=message):
        read_xmile(xmile(body, extra=DIMS))


@pytest.mark.parametrize(("text", "feature"), [
    (xmile('<module name="sub"/>'), "modules are not supported"),
    (xmile("", extra="<macro name='m'/>").replace("<model>", "<macro name='m'/><model>"),
     "macros"),
    (xmile("").replace("</xmile>", "<model name='b'/></xmile>"), "modules"),
    (xmile('<aux name="a"><eqn>b.c</eqn></aux>'), "modules are not supported"),
])
def test_unsupported_features_are_named(text, feature):
    with pytest.raises(FormatError, match=feature):
        read_xmile(text)


# ----------------------------------------------------------------- hardening

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xmile><header><name>&lol4;</name></header></xmile>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE xmile [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xmile><header><name>&secret;</name></header></xmile>"""


@pytest.mark.parametrize("payload", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_entities_are_refused_never_expanded(payload, tmp_path):
    with pytest.raises(FormatError, match=r"refused.*never expanded"):
        read_xmile(payload)
    path = tmp_path / "evil.xmile"
    path.write_bytes(payload)
    with pytest.raises(FormatError, match=r"'evil\.xmile' is refused"):
        read_xmile(path)


def test_undeclared_entity_and_bad_xml():
    with pytest.raises(FormatError, match="not well-formed XML: undefined entity"):
        read_xmile(b"<xmile>&lol;</xmile>")
    with pytest.raises(FormatError, match=r"not well-formed XML: .* at line 1"):
        read_xmile("<xmile><a></xmile")


def test_wrong_root():
    with pytest.raises(FormatError, match="root element is <svg>"):
        read_xmile("<svg/>")


def test_undeclared_prefixes_are_accepted():
    text = xmile('<aux name="a"><eqn>1</eqn></aux>').replace(
        "<header>", '<isee:prefs show_module_prefix="true"/><header>')
    assert "a" in read_xmile(text)


def test_an_unclosed_element_is_repaired_with_a_warning():
    text = xmile('<flow name="f"><eqn>1</eqn>\n<stock name="s"><eqn>0</eqn></stock>'
                 '<aux name="a"><eqn>1</eqn></aux>')
    with pytest.warns(XmileWarning, match=r"<flow> opened on line 1 is never closed"):
        model = read_xmile(text)
    # as lxml (and PySD) read it: the stock is inside the flow, so the flow fills no stock
    assert "f" in model.auxiliaries and "s" not in model


# ------------------------------------------------------------------- writing

def build_model() -> StockFlowModel:
    m = StockFlowModel("Writer test", start=1, stop=9, dt=0.25, time_unit="month")
    m.constant("growth_rate", 0.1, min=0, max=1, units="1/month", label="Growth Rate")
    m.constant("capacity", 100, doc="how many fit")
    m.stock("population", "capacity / 10", inflows=["births"], outflows=["deaths"],
            non_negative=True, units="people")
    m.flow("births", "growth_rate * population * (1 - population / capacity)",
           non_negative=True)
    m.flow("deaths", "safediv(population, 20) + pulse(5, 3) + step(1, 4) * ramp(0.5, 2, 6)")
    m.lookup("effect", [(0, 1), (50, 0.5), (100, 0)], extrapolate=True)
    m.auxiliary("pressure", "effect(population) if time > 2 and not population < 1 else -1")
    m.auxiliary("rounding", "modulo(time, 3) + int(-time / 4) + floor(time) + min(1, 2, 3)"
                            " + max(population) + abs(-2) ** 2 ** 0.5")
    m.auxiliary("delays", "smooth(population, 2) + smooth3(population, 2, 5)"
                          " + delay1(births, 1) + delay3(births, 2) + delay_fixed(births, 1, 0)"
                          " + init(population) + exp(log(2)) + log10(sqrt(pi)) + dt")
    m.auxiliary("trig", "sin(time) + cos(time) + tan(time) + asin(0.5) + acos(0.5)"
                        " + atan(1) + safediv(1, 0, default=4) + pulse(1, 2, interval=3)")
    return m


def test_to_xmile_is_xmile_1_0():
    text = to_xmile(build_model())
    assert 'xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"' in text
    assert '<sim_specs method="Euler" time_units="month">' in text
    assert '<aux name="Growth Rate">' in text        # the label reads back to growth_rate
    assert "SMTH1(population, 2)" in text and "DELAY(births, 1, 0)" in text
    assert "SAFEDIV(1, 0, 4)" in text and "PULSE(5, 3)" in text
    assert '<gf name="effect" type="extrapolate">' in text


def same_tree(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a, mode="eval")) == ast.dump(ast.parse(b, mode="eval"))


def test_round_trip_keeps_every_element():
    model = build_model()
    again = read_xmile(to_xmile(model), non_negative_stocks="limit outflows")
    assert (again.start, again.stop, again.dt, again.time_unit) == (1, 9, 0.25, "month")
    assert again.names() != ()
    for kind in ("stocks", "flows", "auxiliaries", "constants", "lookups"):
        assert set(getattr(again, kind)) == set(getattr(model, kind)), kind
    for name, flow in model.flows.items():
        assert again.flows[name].equation == flow.equation
        assert again.flows[name].non_negative == flow.non_negative
    for name, aux in model.auxiliaries.items():
        # rounding: floor -> int, min(a, b, c) -> min(a, min(b, c)), max(x) -> x
        # trig: keyword arguments become positional ones
        if name not in ("rounding", "trig"):
            assert same_tree(again.auxiliaries[name].equation, aux.equation), name
    assert again.auxiliaries["rounding"].equation == (
        "modulo(time, 3) + int(-time / 4) + int(time) + min(1, min(2, 3)) + population"
        " + abs(-2) ** 2 ** 0.5")
    assert "safediv(1, 0, 4) + pulse(1, 2, 3)" in again.auxiliaries["trig"].equation
    assert again.constants["growth_rate"] == model.constants["growth_rate"]
    assert again.constants["capacity"].doc == "how many fit"
    assert again.stocks["population"].initial == "capacity / 10"
    assert again.lookups["effect"].points == model.lookups["effect"].points
    assert to_xmile(again) == to_xmile(model)


def test_round_trip_runs_the_same():
    model = build_model()
    first = model.run().to_frame()
    second = read_xmile(to_xmile(model), non_negative_stocks="limit outflows").run().to_frame()
    assert sorted(first.columns) == sorted(second.columns)
    second = second[first.columns]
    assert np.allclose(first.to_numpy(), second.to_numpy(), rtol=1e-12, atol=1e-12)


def test_write_is_atomic_and_returns_the_text(tmp_path):
    path = tmp_path / "m.xmile"
    text = write(build_model(), path)
    assert path.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(("m.", ".m."))] == [
        "m.xmile"]


def test_model_methods_use_this_module(tmp_path):
    model = build_model()
    text = model.to_xmile()
    assert StockFlowModel.from_xmile(text).flows["births"].equation == (
        model.flows["births"].equation)


def test_reading_emits_no_warnings_for_valid_files():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_xmile(TEACUP)

"""PySD's abstract expressions into the equation language (`EquationTranslator`).

Every reference is resolved to a native identifier (subscripts, macros,
time settings included), every Vensim function to the language's, with the
meaning PySD gives it; what has no native equivalent raises
`UnsupportedVensimError` naming the variable and the construct.
"""

from __future__ import annotations

import ast
import copy
import itertools
import math
from typing import Any

from csframework.errors import ModelError
from csframework.sd.vensim.elements import (
    CONTROLS,
    Variable,
    element_kind,
    vensim_key,
    vensim_label,
)
from csframework.sd.vensim.parsing import UnsupportedVensimError
from csframework.sd.vensim.syntax import (
    ARITHMETIC,
    COMPARISONS,
    SAME_FUNCTIONS,
    SUBSCRIPT_FUNCTIONS,
    VENSIM_ZERO,
    binary_node,
    call_node,
    compare_node,
    if_node,
    name_node,
    number_node,
    pulse,
    quantum,
    vensim_word,
)
from csframework.sd.xmile.names import python_identifier

__all__ = ["EquationTranslator"]


class EquationTranslator:
    """Translates the equations of one Vensim model; `csframework.sd.vensim.builder`
    sets up what it reads (the model's elements, identifiers and ranges)."""

    where: str
    elements: dict[str, Any]
    ident: dict[str, str]
    taken: set[str]
    controls: dict[str, Any]
    ranges: dict[str, list[str]]
    mappings: dict[str, set[str]]
    arrays: dict[str, list[str]]
    macros: dict[str, str]
    macro_sections: dict[str, Any]
    instances: dict[str, int]
    pending: list[str]
    extra_lookups: list[tuple[str, str, Any]]
    current: Any
    current_key: str | None
    binding: dict[str, str]
    bang: dict[str, str]
    scope: dict[str, Any] | None
    dt: float
    start: float

    def element_name(self, text: str, element: Any = None) -> str:
        key = vensim_key(text)
        for names in self.ranges.values():
            for name in names:
                if vensim_key(name) == key:
                    return name
        raise self.unsupported(f"the subscript {text!r}, which no subscript range lists",
                               element)

    def resolve(self, subscript: str) -> str:
        """The subscript (element) a reference's subscript means where it is used."""
        text = subscript.strip()
        bang = text.endswith("!")
        key = vensim_key(text.rstrip("!"))
        if bang and key in self.bang:
            return self.bang[key]
        if key in self.ranges:
            if key in self.binding:
                return self.binding[key]
            for bound, name in self.binding.items():  # a mapped range: the same position
                if bound in self.mappings.get(key, ()) and \
                        len(self.ranges[bound]) == len(self.ranges[key]):
                    return self.ranges[key][self.ranges[bound].index(name)]
            for name in self.binding.values():  # a subrange of the range it is defined on
                if name in self.ranges[key]:
                    return name
            raise self.unsupported(f"the subscript range {text!r} where it has no element "
                                   "(a subscript mapping Vensim does not declare, or a range "
                                   "without '!')")
        return self.element_name(text)

    def flat(self, reference: str, subscripts: Any) -> str:
        key = vensim_key(reference)
        if subscripts is None:
            if key in self.arrays:
                raise self.unsupported(f"the subscripted variable {reference!r} without "
                                       "subscripts")
            return key
        names = subscripts.subscripts
        return f"{key}[{','.join(vensim_key(self.resolve(n)) for n in names)}]"

    def over(self, function: str, node: Any) -> ast.expr:
        """SUM, PROD, VMIN and VMAX over the one range marked with '!'."""
        from pysd.translators.structures import abstract_expressions as ae

        marked: set[str] = set()

        def walk(item: Any) -> None:
            if isinstance(item, ae.ReferenceStructure):
                for name in (item.subscripts.subscripts if item.subscripts else ()):
                    if name.strip().endswith("!"):
                        marked.add(vensim_key(name.strip().rstrip("!")))
                return
            if isinstance(item, ae.AbstractSyntax):
                for value in vars(item).values():
                    for part in (value if isinstance(value, list | tuple) else (value,)):
                        walk(part)

        walk(node)
        dims = sorted(marked)
        if not dims or any(d not in self.ranges for d in dims):
            raise self.unsupported(f"{vensim_word(function)} without a range marked '!'")
        terms = []
        for names in itertools.product(*[self.ranges[d] for d in dims]):
            self.bang.update(zip(dims, names, strict=True))
            try:
                terms.append(self.expr(node))
            finally:
                for d in dims:
                    del self.bang[d]
        if function in ("vmin", "vmax"):
            return call_node("min" if function == "vmin" else "max", *terms)
        op = ast.Add if function == "sum" else ast.Mult
        result = terms[0]
        for term in terms[1:]:
            result = binary_node(result, op(), term)
        return result

    def at(self, variable: Any) -> None:
        self.current = variable
        self.binding = getattr(variable, "binding", {})
        self.scope = getattr(variable, "scope", None)

    def inline_macro(self, key: str, arguments: tuple) -> ast.expr:
        """A macro call becomes a copy of the macro's variables, named after the call."""
        section = self.macro_sections[key]
        params = [vensim_key(p) for p in section.params]
        if len(arguments) != len(params):
            raise self.unsupported(f"the macro {section.name!r} called with "
                                   f"{len(arguments)} arguments instead of {len(params)}")
        if len(self.instances) > 10_000:
            raise self.unsupported("more than 10,000 macro calls")
        number = self.instances[key] = self.instances.get(key, 0) + 1
        scope: dict[str, Any] = {"params": dict(zip(params, [self.expr(a) for a in arguments],
                                                    strict=True)), "locals": {}}
        prefix = f"{vensim_label(section.name).replace('_', ' ')} {number}"
        for element in section.elements:
            if len(element.components) != 1 or element.components[0].subscripts[0]:
                raise self.unsupported(f"subscripts inside the macro {section.name!r}")
            flat = f"{key}#{number}#{vensim_key(element.name)}"
            variable = Variable(element, element.components[0].ast)
            variable.name = f"{prefix}: {vensim_label(element.name)}"
            variable.scope = scope
            scope["locals"][vensim_key(element.name)] = flat
            self.elements[flat] = variable
            self.ident[flat] = python_identifier(f"{prefix} {vensim_label(element.name)}",
                                                 self.taken)
            self.taken.add(self.ident[flat])
            self.pending.append(flat)
        if key not in scope["locals"]:
            raise self.unsupported(f"the macro {section.name!r}, which defines no variable "
                                   "of its own name")
        return name_node(self.ident[scope["locals"][key]])

    # ------------------------------------------------------------- messages
    def unsupported(self, construct: str, element: Any = None) -> UnsupportedVensimError:
        element = element if element is not None else self.current
        variable = vensim_label(element.name) if element is not None else None
        who = f"variable {variable!r}" if variable else "the model"
        return UnsupportedVensimError(
            f"{self.where}: {who} uses {construct}, which the native Vensim reader does not "
            "support; csf.load_model runs such files through PySD instead", variable, construct)

    # ---------------------------------------------------------------- values
    def number(self, node: Any, what: str, seen: frozenset = frozenset(),
               at_start: bool = False) -> float:
        """A control value or a DELAY N order: a number, or names of constants.

        `at_start`: the value when the run starts (an order is fixed then, as in
        PySD and Vensim), so ``Time`` and ``STEP`` count too.
        """
        if isinstance(node, bool):
            raise self.unsupported(f"{node!r} as {what}")
        if isinstance(node, int | float) and not hasattr(node, "shape"):
            return float(node)
        import numpy as np

        if isinstance(node, np.number):
            return float(node)
        from pysd.translators.structures import abstract_expressions as ae

        if isinstance(node, ae.ReferenceStructure):
            key = self.flat(node.reference, node.subscripts)
            element = self.controls.get(key) or self.elements.get(key)
            if element is not None and len(element.components) == 1 and key not in seen:
                return self.number(element.components[0].ast, what, seen | {key}, at_start)
        start = getattr(self, "start", None) if at_start else None
        if start is not None and isinstance(node, ae.ReferenceStructure) and \
                vensim_key(node.reference) == "time":
            return start
        if start is not None and isinstance(node, ae.CallStructure) and \
                vensim_key(node.function.reference) == "step" and len(node.arguments) == 2:
            height, when = (self.number(a, what, seen, at_start) for a in node.arguments)
            return height if start + self.dt / 2 > when else 0.0
        if isinstance(node, ae.ArithmeticStructure):
            values = [self.number(a, what, seen, at_start) for a in node.arguments]
            if node.operators == ["negative"]:
                return -values[0]
            result = values[0]
            try:
                for op, value in zip(node.operators, values[1:], strict=True):
                    if op == "+":
                        result += value
                    elif op == "-":
                        result -= value
                    elif op == "*":
                        result *= value
                    elif op == "/":
                        result = result / value if value else math.inf
                    else:
                        result = result ** value if result > 0 else math.nan
            except OverflowError:
                result = math.inf
            return result
        raise self.unsupported(f"an expression that is not a number as {what}")

    # ----------------------------------------------------------- expressions
    def expr(self, node: Any) -> ast.expr:
        from pysd.translators.structures import abstract_expressions as ae

        if isinstance(node, bool):
            return number_node(int(node))
        if isinstance(node, int | float) or type(node).__module__ == "numpy":
            if getattr(node, "shape", ()) != ():
                raise self.unsupported("subscripts (an array of numbers)")
            value = float(node)
            if math.isnan(value):
                raise self.unsupported("the missing value :NA:")
            if math.isinf(value):
                raise self.unsupported("an infinite number")
            return number_node(int(value) if value.is_integer() and abs(value) < 1e15 else value)
        if isinstance(node, ae.ReferenceStructure):
            return self.reference(node)
        if isinstance(node, ae.ArithmeticStructure):
            return self.arithmetic(node.operators, node.arguments)
        if isinstance(node, ae.LogicStructure):
            return self.logic(node.operators, node.arguments)
        if isinstance(node, ae.CallStructure):
            return self.call(node)
        if isinstance(node, ae.GameStructure):
            return self.expr(node.expression)
        if isinstance(node, ae.InitialStructure):
            return call_node("init", self.expr(node.initial))
        if isinstance(node, ae.SmoothStructure):
            function = {1: "smooth", 3: "smooth3"}[int(node.order)]
            return self.stateful(function, node.input, node.smooth_time, node.initial)
        if isinstance(node, ae.SmoothNStructure):
            return self.stateful("smooth_n", node.input, node.smooth_time, node.initial,
                                 order=node.order)
        if isinstance(node, ae.DelayStructure):
            function = {1: "delay1", 3: "delay3"}[int(node.order)]
            return self.stateful(function, node.input, node.delay_time, node.initial)
        if isinstance(node, ae.DelayNStructure):
            return self.stateful("delay_n", node.input, node.delay_time, node.initial,
                                 order=node.order)
        if isinstance(node, ae.DelayFixedStructure):
            return call_node("delay_fixed", self.expr(node.input), self.expr(node.delay_time),
                         self.expr(node.initial))
        if isinstance(node, ae.TrendStructure):
            return call_node("trend", self.expr(node.input), self.expr(node.average_time),
                         self.expr(node.initial_trend))
        if isinstance(node, ae.ForecastStructure):
            return call_node("forecast", self.expr(node.input), self.expr(node.average_time),
                         self.expr(node.horizon), self.expr(node.initial_trend))
        if isinstance(node, ae.SampleIfTrueStructure):
            return call_node("sample_if_true", self.expr(node.condition), self.expr(node.input),
                         self.expr(node.initial))
        if isinstance(node, ae.InlineLookupsStructure):
            return self.inline_lookup(node)
        if isinstance(node, ae.IntegStructure):
            raise self.unsupported("INTEG inside a larger expression")
        if isinstance(node, str):
            raise self.unsupported(f"the text {node[:40]!r} where a number belongs")
        what = {
            "AllocateAvailableStructure": "ALLOCATE AVAILABLE",
            "AllocateByPriorityStructure": "ALLOCATE BY PRIORITY",
            "GetLookupsStructure": "lookups read from an external file (GET ... LOOKUPS)",
            "GetDataStructure": "data read from an external file (GET ... DATA)",
            "GetConstantsStructure": "constants read from an external file (GET ... CONSTANTS)",
            "DataStructure": "a data variable",
            "LookupsStructure": "a lookup table where a value belongs",
        }.get(type(node).__name__, f"the construct {type(node).__name__}")
        raise self.unsupported(what)

    def stateful(self, function: str, source: Any, delay: Any, initial: Any,
                 order: Any = None) -> ast.Call:
        args = [self.expr(source), self.expr(delay)]
        if order is not None:
            value = self.number(order, f"the order of {function.upper().replace('_', ' ')}",
                                at_start=True)
            order = int(value) if float(value).is_integer() else value
        if function == "delay_n":
            # as PySD and Vensim: fewer stages when each would last less than a time step
            # (Vensim keeps DELAY3's three stages: SDXorg tests/arguments)
            stages = order
            try:
                time = self.number(delay, "a delay time")
            except UnsupportedVensimError:
                # Vensim (and PySD) let each stage keep the delay time it was entered with
                raise self.unsupported("DELAY N with a delay time that is not a constant"
                                       ) from None
            if isinstance(stages, int):
                reduced = stages
                while reduced > 1 and reduced * self.dt > time:
                    reduced -= 1
                if reduced != stages:
                    function, order = "delay_n", reduced
        if order is not None:
            args.append(number_node(order))
        if initial is not source:
            args.append(self.expr(initial))
        return call_node(function, *args)

    def reference(self, node: Any) -> ast.expr:
        key = vensim_key(node.reference)
        if self.scope is not None and not node.subscripts:
            if key in self.scope["params"]:
                return copy.deepcopy(self.scope["params"][key])
            if key in self.scope["locals"]:
                return name_node(self.ident[self.scope["locals"][key]])
        if key in self.ranges and not node.subscripts:
            raise self.unsupported(f"the subscript range {node.reference!r} as a value")
        key = self.flat(node.reference, node.subscripts)
        if key == "time":
            return name_node("time")
        if key == "time_step":
            return name_node("dt")
        if key in CONTROLS:
            return number_node(self.number(self.controls[key].components[0].ast, key))
        if key not in self.ident:
            if key in self.macros:
                raise self.unsupported(f"the macro {self.macros[key]!r}")
            raise ModelError(f"{self.where}: variable {vensim_label(self.current.name)!r} uses "
                             f"{node.reference!r}, which the file does not define")
        element = self.elements[key]
        if element_kind(element) == "lookup":
            raise self.unsupported(f"the lookup {vensim_label(element.name)!r} without an input")
        return name_node(self.ident[key])

    def arithmetic(self, operators: list, arguments: tuple) -> ast.expr:
        if operators == ["negative"]:
            operand = self.expr(arguments[0])
            if isinstance(operand, ast.Constant):
                return number_node(-operand.value)
            return ast.UnaryOp(op=ast.USub(), operand=operand)
        args = [self.expr(a) for a in arguments]
        if all(op == "^" for op in operators):  # PySD writes a**b**c: right to left
            result = args[-1]
            for arg in reversed(args[:-1]):
                if isinstance(arg, ast.UnaryOp) and isinstance(arg.operand, ast.Constant):
                    # -2^2 is -(2^2) in Vensim (and in the Python PySD writes)
                    result = ast.UnaryOp(op=ast.USub(),
                                         operand=binary_node(arg.operand, ast.Pow(), result))
                else:
                    result = binary_node(arg, ast.Pow(), result)
            return result
        result = args[0]
        for op, arg in zip(operators, args[1:], strict=True):
            if op not in ARITHMETIC:
                raise self.unsupported(f"the operator {op!r}")
            result = binary_node(result, ARITHMETIC[op](), arg)
        return result

    def logic(self, operators: list, arguments: tuple) -> ast.expr:
        if operators == [":NOT:"]:
            return ast.UnaryOp(op=ast.Not(), operand=self.expr(arguments[0]))
        args = [self.expr(a) for a in arguments]
        if all(op in (":AND:", ":OR:") for op in operators):
            result = args[0]
            for op, arg in zip(operators, args[1:], strict=True):
                kind = ast.And() if op == ":AND:" else ast.Or()
                result = ast.BoolOp(op=kind, values=[result, arg])
            return result
        if not all(op in COMPARISONS for op in operators):
            raise self.unsupported(f"the operators {operators!r}")
        return ast.Compare(left=args[0], ops=[COMPARISONS[op]() for op in operators],
                           comparators=args[1:])

    def call(self, node: Any) -> ast.expr:
        function = vensim_key(node.function.reference)
        raw = node.function.reference
        arguments = node.arguments
        table = self.flat(raw, node.function.subscripts) if function in self.elements or \
            function in self.arrays else None
        if table in self.elements and element_kind(self.elements[table]) == "lookup":
            if len(arguments) != 1:
                raise self.unsupported(f"the lookup {raw!r} called with {len(arguments)} "
                                       "arguments")
            return call_node(self.ident[table], self.expr(arguments[0]))
        if function in self.macro_sections:
            return self.inline_macro(function, arguments)
        if function in ("sum", "prod", "vmin", "vmax") and len(arguments) == 1:
            return self.over(function, arguments[0])
        if function == "elmcount" and len(arguments) == 1:
            from pysd.translators.structures import abstract_expressions as ae

            target = arguments[0]
            if isinstance(target, ae.ReferenceStructure) and vensim_key(target.reference) in \
                    self.ranges:
                return number_node(len(self.ranges[vensim_key(target.reference)]))
        if function in SUBSCRIPT_FUNCTIONS:
            raise self.unsupported(f"subscripts (the function {vensim_word(raw)})")
        args = [self.expr(a) for a in arguments]
        count = len(args)
        if function in SAME_FUNCTIONS:
            return call_node(SAME_FUNCTIONS[function], *args)
        if function == "if_then_else" and count == 3:
            return if_node(args[0], args[1], args[2])
        if function == "log" and count == 2:
            return binary_node(call_node("log", args[0]), ast.Div(), call_node("log", args[1]))
        if function == "power" and count == 2:
            return binary_node(args[0], ast.Pow(), args[1])
        if function in ("sinh", "cosh") and count == 1:
            minus = ast.UnaryOp(op=ast.USub(), operand=args[0])
            op = ast.Sub() if function == "sinh" else ast.Add()
            difference = binary_node(call_node("exp", args[0]), op, call_node("exp", minus))
            return binary_node(difference, ast.Div(), number_node(2))
        if function == "tanh" and count == 1:
            double = binary_node(number_node(2), ast.Mult(), args[0])
            return binary_node(binary_node(call_node("exp", double), ast.Sub(), number_node(1)),
                               ast.Div(),
                               binary_node(call_node("exp", double), ast.Add(), number_node(1)))
        if function == "quantum" and count == 2:
            return quantum(args[0], args[1])
        if function == "modulo" and count == 2:
            return binary_node(args[0], ast.Sub(), quantum(args[0], args[1]))
        if function == "step" and count == 2:
            # Vensim: the step is on from time + dt / 2 > start
            half = binary_node(name_node("time"), ast.Add(),
                               binary_node(name_node("dt"), ast.Div(), number_node(2)))
            return if_node(compare_node(half, ast.Gt(), args[1]), args[0], number_node(0))
        if function == "ramp" and count == 3:
            slope, start, end = args
            rising = binary_node(slope, ast.Mult(), binary_node(
                call_node("min", end, name_node("time")), ast.Sub(), start))
            started = compare_node(binary_node(name_node("time"), ast.Add(),
                                               number_node(VENSIM_ZERO)), ast.Gt(), start)
            return if_node(started, rising, number_node(0))
        if function == "pulse" and count == 2:
            return pulse(args[0], args[1])
        if function == "pulse_train" and count == 4:
            start, repeat, width, end = args
            phase = call_node("modulo", binary_node(
                binary_node(name_node("time"), ast.Sub(), start), ast.Add(),
                number_node(VENSIM_ZERO)), repeat)
            on = ast.BoolOp(op=ast.And(), values=[
                ast.Compare(left=start, ops=[ast.LtE(), ast.Lt()],
                            comparators=[name_node("time"), end]),
                compare_node(phase, ast.Lt(), width)])
            train = if_node(on, number_node(1), number_node(0))
            if isinstance(repeat, ast.Constant):
                return pulse(start, width) if repeat.value == 0 else train
            return if_node(compare_node(repeat, ast.Eq(), number_node(0)), pulse(start, width),
                           train)
        if function in ("random_0_1", "random_uniform", "random_normal", "random_exponential"):
            raise self.unsupported(f"the random function {vensim_word(raw)} (runs must be "
                                   "repeatable)")
        if function == "a_function_of":
            raise self.unsupported("A FUNCTION OF (an equation left incomplete)")
        raise self.unsupported(f"the function {vensim_word(raw)} with {count} "
                               f"argument{'s' if count != 1 else ''}")

    def inline_lookup(self, node: Any) -> ast.expr:
        owner = self.ident[self.current_key]
        ident = python_identifier(f"{owner} lookup", self.taken)
        self.taken.add(ident)
        self.extra_lookups.append((ident, f"{vensim_label(self.current.name)} lookup",
                                   node.lookups))
        return call_node(ident, self.expr(node.argument))

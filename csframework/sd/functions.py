"""The built-in functions of the equation language: their signatures, and reserved names.

What each function computes is defined by the engine's code generation
(:mod:`csframework.sd.codegen` and :mod:`csframework.sd.runtime`); this module
holds what the parser needs to check a call. It imports nothing else of
:mod:`csframework.sd`.

Examples
--------
>>> FUNCTIONS["smooth"].stateful, "time" in RESERVED_NAMES
(True, True)
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FUNCTIONS", "RESERVED_NAMES", "SPECIAL_NAMES", "STATEFUL_FUNCTIONS", "FunctionSpec",
           "bind_arguments", "check_name"]


@dataclass(frozen=True)
class FunctionSpec:
    """The signature of one built-in equation function.

    Attributes
    ----------
    name : str
        The name used in equations.
    params : tuple of str
        Parameter names, in order (also usable as keywords, except for
        ``min`` and ``max``).
    required : int
        How many leading parameters must be given.
    defaults : tuple
        Default values of the optional parameters (``None`` means "see the
        function's description", for example "the input's initial value").
    variadic : bool
        ``min`` and ``max`` take one or more positional arguments.
    stateful : bool
        The function keeps state between time steps (it expands into hidden
        stocks when the model is compiled).
    summary : str
        One line saying what it computes.

    Examples
    --------
    >>> FUNCTIONS["pulse"].signature
    'pulse(volume, start, interval=0)'
    """

    name: str
    params: tuple[str, ...]
    required: int
    defaults: tuple = ()
    variadic: bool = False
    stateful: bool = False
    summary: str = ""

    @property
    def signature(self) -> str:
        """The call as it is documented, e.g. ``'smooth(input, delay, initial=None)'``."""
        parts = list(self.params[: self.required])
        for param, default in zip(self.params[self.required:], self.defaults, strict=True):
            parts.append(f"{param}={default!r}")
        if self.variadic:
            parts.append("...")
        return f"{self.name}({', '.join(parts)})"


def _spec(name, params, required=None, defaults=(), **kw) -> FunctionSpec:
    params = tuple(params.split()) if isinstance(params, str) else tuple(params)
    required = len(params) if required is None else required
    return FunctionSpec(name, params, required, tuple(defaults), **kw)


#: Every built-in function of the equation language, by name.
FUNCTIONS: Mapping[str, FunctionSpec] = {s.name: s for s in (
    _spec("min", "a", variadic=True, summary="smallest argument (elementwise)"),
    _spec("max", "a", variadic=True, summary="largest argument (elementwise)"),
    _spec("abs", "x", summary="absolute value"),
    _spec("exp", "x", summary="e to the power x"),
    _spec("log", "x", summary="natural logarithm"),
    _spec("log10", "x", summary="base-10 logarithm"),
    _spec("sqrt", "x", summary="square root"),
    _spec("sin", "x", summary="sine (radians)"),
    _spec("cos", "x", summary="cosine (radians)"),
    _spec("tan", "x", summary="tangent (radians)"),
    _spec("asin", "x", summary="arc sine"),
    _spec("acos", "x", summary="arc cosine"),
    _spec("atan", "x", summary="arc tangent"),
    _spec("floor", "x", summary="largest integer <= x"),
    _spec("int", "x", summary="largest integer <= x (as XMILE INT)"),
    _spec("modulo", "a b", summary="a - b * floor(a / b)"),
    _spec("step", "height start", summary="0 before start, height from start on"),
    _spec("pulse", "volume start interval", 2, (0,),
          summary="volume/dt during one dt at start, repeated every interval if > 0"),
    _spec("ramp", "slope start end", 2, (None,),
          summary="0 before start, rising by slope per time unit until end"),
    _spec("safediv", "a b default", 2, (0,), summary="a / b, or default when b is 0"),
    _spec("xidz", "a b x", summary="a / b, or x when |b| < 1e-6 (Vensim XIDZ)"),
    _spec("zidz", "a b", summary="a / b, or 0 when |b| < 1e-6 (Vensim ZIDZ)"),
    _spec("integer", "x", summary="x without its fraction, rounded towards zero "
                                  "(Vensim INTEGER)"),
    _spec("smooth", "input delay initial", 2, (None,), stateful=True,
          summary="first-order exponential smooth of input"),
    _spec("smooth3", "input delay initial", 2, (None,), stateful=True,
          summary="third-order exponential smooth of input"),
    _spec("delay1", "input delay initial", 2, (None,), stateful=True,
          summary="first-order material delay of input"),
    _spec("delay3", "input delay initial", 2, (None,), stateful=True,
          summary="third-order material delay of input"),
    _spec("delay_fixed", "input delay initial", stateful=True,
          summary="input as it was delay time units ago (a pipeline); initial before that"),
    _spec("init", "x", stateful=True, summary="the value x had at the start time"),
    _spec("delay_n", "input delay order initial", 3, (None,), stateful=True,
          summary="material delay of input in `order` stages (order: a whole number)"),
    _spec("smooth_n", "input delay order initial", 3, (None,), stateful=True,
          summary="exponential smooth of input in `order` stages (order: a whole number)"),
    _spec("trend", "input average_time initial_trend", 2, (0,), stateful=True,
          summary="fractional growth rate of input per time unit (Vensim TREND)"),
    _spec("forecast", "input average_time horizon initial_trend", 3, (0,), stateful=True,
          summary="input extrapolated `horizon` time units ahead from its trend "
                  "(Vensim FORECAST)"),
    _spec("sample_if_true", "condition input initial", stateful=True,
          summary="input while condition holds, else the last value sampled (initial "
                  "before the first)"),
    _spec("active_initial", "x initial", stateful=True,
          summary="x during the run; initial while the initial values are computed "
                  "(Vensim ACTIVE INITIAL)"),
)}

#: The functions that keep state between time steps.
STATEFUL_FUNCTIONS = frozenset(name for name, s in FUNCTIONS.items() if s.stateful)

#: Names with a fixed meaning in equations; they cannot name model variables.
SPECIAL_NAMES = frozenset({"time", "dt", "pi"})

#: Every name a model variable may not use.
RESERVED_NAMES = frozenset(FUNCTIONS) | SPECIAL_NAMES | frozenset({"True", "False", "None"})


def bind_arguments(call: ast.Call, spec: FunctionSpec) -> list[ast.expr | None]:
    """The arguments of `call` in the order of `spec.params` (``None`` if omitted).

    For ``min`` and ``max`` all positional arguments are returned. Raises
    ``ValueError`` with a short reason if the call does not fit the signature;
    :func:`parse` turns it into an :class:`EquationError`.

    Examples
    --------
    >>> call = ast.parse("pulse(10, 5, interval=2)", mode="eval").body
    >>> [ast.unparse(a) for a in bind_arguments(call, FUNCTIONS["pulse"])]
    ['10', '5', '2']
    """
    args = list(call.args)
    if any(isinstance(a, ast.Starred) for a in args) or any(k.arg is None for k in call.keywords):
        raise ValueError("'*' and '**' unpacking are not allowed")
    if spec.variadic:
        if call.keywords:
            raise ValueError(f"{spec.name}() takes no keyword arguments")
        if not args:
            raise ValueError(f"{spec.name}() needs at least one argument")
        return args
    if len(args) > len(spec.params):
        raise ValueError(f"{spec.name}() takes at most {len(spec.params)} arguments, "
                         f"{len(args)} given")
    bound: list[ast.expr | None] = args + [None] * (len(spec.params) - len(args))
    for kw in call.keywords:
        if kw.arg not in spec.params:
            raise ValueError(f"{spec.name}() has no argument {kw.arg!r}")
        index = spec.params.index(kw.arg)
        if bound[index] is not None:
            raise ValueError(f"{spec.name}() got argument {kw.arg!r} twice")
        bound[index] = kw.value
    missing = [p for p, a in zip(spec.params[: spec.required], bound, strict=False) if a is None]
    if missing:
        raise ValueError(f"{spec.name}() is missing the argument {missing[0]!r}")
    return bound


def check_name(name: object) -> str | None:
    """Why `name` cannot name a model variable, or None if it can.

    Examples
    --------
    >>> check_name("room_temperature") is None
    True
    >>> check_name("min")
    "'min' is the name of a function of the equation language"
    """
    if not isinstance(name, str):
        return f"a name must be text, not {type(name).__name__} {name!r}"
    if not name.isidentifier():
        return (f"{name!r} is not a valid name: use letters, digits and underscores, "
                "not starting with a digit")
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    if name.startswith("_"):
        return f"{name!r} starts with '_', which is reserved for hidden model state"
    if name in FUNCTIONS:
        return f"{name!r} is the name of a function of the equation language"
    if name in RESERVED_NAMES:
        return f"{name!r} has a fixed meaning in equations"
    import unicodedata

    if unicodedata.normalize("NFKC", name) != name:
        return (f"{name!r} contains characters that Python reads differently; "
                f"write {unicodedata.normalize('NFKC', name)!r}")
    return None

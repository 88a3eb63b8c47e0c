"""StockFlowModel: stocks, flows, auxiliaries, constants and lookups.

A model is built step by step, one element per call, and checked as a whole
by :meth:`StockFlowModel.validate` (which :meth:`StockFlowModel.run` calls
for you). Elements are frozen dataclasses; the model's collections are
read-only views.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> model = StockFlowModel("Teacup", start=0, stop=30, dt=0.125, time_unit="minute")
>>> model.constant("room_temperature", 70, units="°F")
Constant(name='room_temperature', value=70.0, min=None, max=None, step=None, units='°F', ...)
>>> _ = model.constant("characteristic_time", 10, units="minute")
>>> _ = model.stock("teacup_temperature", initial=180, outflows=["heat_loss"], units="°F")
>>> _ = model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
>>> model
<StockFlowModel 'Teacup': 1 stock, 1 flow, 0 auxiliaries, 2 constants>
>>> res = model.run()
>>> round(float(res["teacup_temperature"].iloc[-1]), 3)
75.374
"""

from __future__ import annotations

import html
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from csframework.errors import EquationError, ModelError, UnknownNameError
from csframework.sd import xmile
from csframework.sd.expressions import (
    FUNCTIONS,
    STATEFUL_FUNCTIONS,
    Equation,
    check_name,
    check_points,
    interpolate,
    parse,
)

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.engine import CompiledModel
    from csframework.sd.results import Results

__all__ = ["MAX_FLOWS_PER_STOCK", "Auxiliary", "Constant", "Equations", "Flow", "Lookup",
           "Stock", "StockFlowModel"]

#: Most inflows and outflows one stock may have (the compiled code of an ensemble run
#: adds them up one bracket at a time, and Python reads at most 200 brackets).
MAX_FLOWS_PER_STOCK = 100


@dataclass(frozen=True)
class Stock:
    """An accumulation: changes only through its inflows and outflows.

    Attributes
    ----------
    name : str
    initial : float or str
        The initial value: a number, or an equation evaluated at the start.
    inflows, outflows : tuple of str
        Names of the flows that fill and drain it.
    non_negative : bool
        If true, what drains the stock (positive outflows, negative inflows) is
        scaled down so it never goes below zero; what fills it is left alone.
    units, doc, label : str or None
    initial_equation : Equation
        The parsed initial value.
    """

    kind: ClassVar[str] = "stock"
    name: str
    initial: float | str
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    non_negative: bool = False
    units: str | None = None
    doc: str | None = None
    label: str | None = None
    initial_equation: Equation = field(default=None, repr=False, compare=False)

    @property
    def expression(self) -> Equation:
        """The parsed initial value (the equation that defines a stock)."""
        return self.initial_equation


@dataclass(frozen=True)
class Flow:
    """A rate of change of one or two stocks (per unit of time).

    Attributes
    ----------
    name, equation : str
    non_negative : bool
        If true, the flow is ``max(0, equation)`` (a uniflow).
    units, doc, label : str or None
    expression : Equation
        The parsed equation.
    """

    kind: ClassVar[str] = "flow"
    name: str
    equation: str
    non_negative: bool = False
    units: str | None = None
    doc: str | None = None
    label: str | None = None
    expression: Equation = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Auxiliary:
    """A variable computed from others at every time step.

    Attributes
    ----------
    name, equation : str
    units, doc, label : str or None
    expression : Equation
        The parsed equation.
    """

    kind: ClassVar[str] = "auxiliary"
    name: str
    equation: str
    units: str | None = None
    doc: str | None = None
    label: str | None = None
    expression: Equation = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Constant:
    """A number that stays the same during a run (a parameter).

    `min`, `max` and `step` describe the sensible range, used by sliders.

    Attributes
    ----------
    name : str
    value, min, max, step : float or None
    units, doc, label : str or None
    """

    kind: ClassVar[str] = "constant"
    name: str
    value: float
    min: float | None = None
    max: float | None = None
    step: float | None = None
    units: str | None = None
    doc: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Lookup:
    """A graphical function: piecewise-linear through `points`.

    Outside the points the value is clamped to the first or last y, unless
    `extrapolate` is true, in which case the end segments are extended.

    Examples
    --------
    >>> table = Lookup("effect", ((0.0, 1.0), (1.0, 0.5), (2.0, 0.0)))
    >>> table(0.5), table(5), table(-1)
    (0.75, 0.0, 1.0)
    >>> Lookup("e", ((0.0, 0.0), (1.0, 2.0)), extrapolate=True)(2)
    4.0
    """

    kind: ClassVar[str] = "lookup"
    name: str
    points: tuple[tuple[float, float], ...]
    extrapolate: bool = False
    units: str | None = None
    doc: str | None = None
    label: str | None = None

    @property
    def xs(self) -> tuple[float, ...]:
        """The x values, increasing."""
        return tuple(p[0] for p in self.points)

    @property
    def ys(self) -> tuple[float, ...]:
        """The y values."""
        return tuple(p[1] for p in self.points)

    def __call__(self, x: float) -> float:
        """Interpolate at one number `x`."""
        return interpolate(self.xs, self.ys, float(x), self.extrapolate)


Element = Stock | Flow | Auxiliary | Constant | Lookup


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            import numpy as np

            if isinstance(value, np.number) and not isinstance(value, np.complexfloating):
                return float(value)
        except ImportError:  # pragma: no cover
            pass
        raise ModelError(f"{what} must be a number, not {type(value).__name__} {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range, such as 10**400
        digits = int(int(value).bit_length() * math.log10(2)) + 1
        raise ModelError(f"{what} must be a finite number; the integer given has about "
                         f"{digits} digits, beyond the largest float "
                         f"({sys.float_info.max:.4g})") from None
    if not math.isfinite(number):
        raise ModelError(f"{what} must be a finite number, not {value!r}")
    return number


class StockFlowModel:
    """A system-dynamics model of stocks, flows, auxiliaries, constants and lookups.

    Parameters
    ----------
    name : str
        Shown in figures, results and messages.
    start, stop, dt : float
        The simulated time span and the time step (``stop > start``, ``dt > 0``).
    time_unit : str
        The unit of time, shown on the x axis ("minute", "year", ...).
    method : {"euler", "rk4"}
        How :meth:`run` integrates unless told otherwise (an XMILE file's
        ``<sim_specs method="RK4">`` is kept here).
    save_every : float, optional
        The time between saved rows of a run (Vensim's SAVEPER), rounded to a
        whole number of time steps; by default every step is saved. Long runs
        keep only the saved rows in memory.

    Notes
    -----
    Names must be valid Python identifiers such as ``room_temperature``; they
    cannot be Python keywords, start with ``_`` (reserved for hidden state), or
    be a name of the equation language (``time``, ``dt``, ``pi``, ``min``,
    ``smooth``, ...). Equations are described in
    :mod:`csframework.sd.expressions`.

    Examples
    --------
    >>> model = StockFlowModel("Bathtub", stop=10, time_unit="minute")
    >>> _ = model.stock("water", 50, inflows=["inflow"], outflows=["outflow"])
    >>> _ = model.flow("inflow", "step(5, 5)")
    >>> _ = model.flow("outflow", 5)
    >>> res = model.run()
    >>> res["water"].loc[[0, 5, 10]].tolist()
    [50.0, 25.0, 25.0]
    >>> model.stocks["water"].inflows
    ('inflow',)
    >>> "water" in model, model.names()
    (True, ('water', 'inflow', 'outflow'))
    """

    def __init__(self, name: str, start: float = 0, stop: float = 100, dt: float = 1,
                 time_unit: str = "time", method: str = "euler",
                 save_every: float | None = None):
        if not isinstance(name, str) or not name.strip():
            raise ModelError(f"a model needs a name (text), not {name!r}")
        self._name = name
        self._elements: dict[str, Element] = {}
        self._by_kind: dict[str, dict[str, Element]] = {
            k: {} for k in ("stock", "flow", "auxiliary", "constant", "lookup")}
        self._version = 0
        self._compiled: tuple[int, CompiledModel] | None = None
        self._validated_version = -1
        self._start, self._stop, self._dt = self._check_time(start, stop, dt)
        self.time_unit = str(time_unit)
        self._method = self._check_method(method, f"StockFlowModel({name!r})")
        self._save_every: float | None = None
        self.save_every = save_every
        self._loop_names: dict[tuple[str, ...], tuple[str, str | None]] = {}
        self._positions: dict[str, tuple[float, float]] = {}

    # ----------------------------------------------------------- properties
    @property
    def name(self) -> str:
        """The model's name."""
        return self._name

    @property
    def start(self) -> float:
        """Start time of a run."""
        return self._start

    @start.setter
    def start(self, value: float) -> None:
        self.set_time(start=value)

    @property
    def stop(self) -> float:
        """Stop time of a run (included in the results)."""
        return self._stop

    @stop.setter
    def stop(self, value: float) -> None:
        self.set_time(stop=value)

    @property
    def dt(self) -> float:
        """The time step."""
        return self._dt

    @dt.setter
    def dt(self, value: float) -> None:
        self.set_time(dt=value)

    @property
    def method(self) -> str:
        """The integration method :meth:`run` uses by default: ``"euler"`` or ``"rk4"``.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.method = "RK4"
        >>> m.method
        'rk4'
        >>> m.method = "rk5"
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown integration method 'rk5' in model 'm'; \
known integration methods are 'euler', 'rk4'
        """
        return self._method

    @method.setter
    def method(self, value: str) -> None:
        self._method = self._check_method(value, f"model {self._name!r}")

    @property
    def save_every(self) -> float | None:
        """The time between saved rows of a run, or None to save every step.

        Examples
        --------
        >>> m = StockFlowModel("m", stop=10, dt=0.25, save_every=1)
        >>> _ = m.stock("s", 0, inflows=["f"])
        >>> _ = m.flow("f", 1)
        >>> m.run().time.tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
        >>> m.save_every = -1
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: model 'm': save_every must be a positive number ...
        """
        return getattr(self, "_save_every", None)

    @save_every.setter
    def save_every(self, value: float | None) -> None:
        if value is not None:
            where = f"model {self._name!r}"
            value = _number(value, f"{where}: save_every")
            if value <= 0:
                raise ModelError(f"{where}: save_every must be a positive number of time "
                                 f"units, not {value:g}")
        self._save_every = value

    @staticmethod
    def _check_method(value: object, where: str) -> str:
        methods = ("euler", "rk4")
        chosen = value.strip().lower() if isinstance(value, str) else value
        if chosen not in methods:
            raise UnknownNameError(str(value), methods, kind="integration method", where=where)
        return chosen

    def set_time(self, start: float | None = None, stop: float | None = None,
                 dt: float | None = None) -> None:
        """Change the time span or step; each argument left out stays as it is.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.set_time(stop=50, dt=0.5)
        >>> m.start, m.stop, m.dt
        (0.0, 50.0, 0.5)
        >>> m.dt = 0
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: model 'm': dt must be positive, not 0
        """
        self._start, self._stop, self._dt = self._check_time(
            self._start if start is None else start, self._stop if stop is None else stop,
            self._dt if dt is None else dt)
        self._changed()

    def _check_time(self, start, stop, dt) -> tuple[float, float, float]:
        where = f"model {self._name!r}"
        start = _number(start, f"{where}: start")
        stop = _number(stop, f"{where}: stop")
        dt = _number(dt, f"{where}: dt")
        if dt <= 0:
            raise ModelError(f"{where}: dt must be positive, not {dt:g}")
        if stop <= start:
            raise ModelError(f"{where}: stop ({stop:g}) must be after start ({start:g})")
        if dt > stop - start:
            raise ModelError(f"{where}: dt ({dt:g}) is longer than the whole run "
                             f"({start:g} to {stop:g})")
        return start, stop, dt

    @property
    def stocks(self) -> Mapping[str, Stock]:
        """The stocks, by name (read-only)."""
        return MappingProxyType(self._by_kind["stock"])  # type: ignore[arg-type]

    @property
    def flows(self) -> Mapping[str, Flow]:
        """The flows, by name (read-only)."""
        return MappingProxyType(self._by_kind["flow"])  # type: ignore[arg-type]

    @property
    def auxiliaries(self) -> Mapping[str, Auxiliary]:
        """The auxiliaries, by name (read-only)."""
        return MappingProxyType(self._by_kind["auxiliary"])  # type: ignore[arg-type]

    @property
    def constants(self) -> Mapping[str, Constant]:
        """The constants, by name (read-only)."""
        return MappingProxyType(self._by_kind["constant"])  # type: ignore[arg-type]

    @property
    def lookups(self) -> Mapping[str, Lookup]:
        """The lookups, by name (read-only)."""
        return MappingProxyType(self._by_kind["lookup"])  # type: ignore[arg-type]

    @property
    def version(self) -> int:
        """A counter that grows at every change (compiled forms check it)."""
        return self._version

    def names(self) -> tuple[str, ...]:
        """Every element's name, in the order they were added."""
        return tuple(self._elements)

    def __getitem__(self, name: str) -> Element:
        try:
            return self._elements[name]
        except (KeyError, TypeError):
            raise UnknownNameError(name, self._elements, kind="variable",
                                   where=f"model {self._name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._elements

    def __iter__(self) -> Iterator[str]:
        return iter(self._elements)

    def __len__(self) -> int:
        return len(self._elements)

    def __repr__(self) -> str:
        k = self._by_kind
        parts = [_plural(len(k["stock"]), "stock", "stocks"),
                 _plural(len(k["flow"]), "flow", "flows"),
                 _plural(len(k["auxiliary"]), "auxiliary", "auxiliaries"),
                 _plural(len(k["constant"]), "constant", "constants")]
        if k["lookup"]:
            parts.append(_plural(len(k["lookup"]), "lookup", "lookups"))
        return f"<StockFlowModel {self._name!r}: {', '.join(parts)}>"

    def equations(self) -> Equations:
        """The model's equations as a table (name, kind, definition, units).

        In Jupyter the table shows itself; the model itself shows its
        stock-and-flow diagram.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.constant("rate", 0.1, units="1/year")
        >>> m.equations()
        <Equations of 'm': 1 element>
        >>> "<td>rate</td>" in m.equations()._repr_html_()
        True
        """
        return Equations(self)

    def draw(self, ax=None, title: str | None = None):
        """Draw the stock-and-flow diagram; returns the figure.

        See :mod:`csframework.sd.diagram` for the conventions and the layout.
        """
        from csframework.sd.diagram import draw

        return draw(self, ax=ax, title=title)

    def to_png(self, title: str | None = None) -> bytes:
        """The stock-and-flow diagram as PNG bytes (the same bytes for an unchanged model)."""
        from csframework.sd.diagram import to_png

        return to_png(self, title=title)

    def to_svg(self, title: str | None = None) -> str:
        """The stock-and-flow diagram as SVG text (the same text for an unchanged model)."""
        from csframework.sd.diagram import to_svg

        return to_svg(self, title=title)

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_compiled"] = None  # generated code is rebuilt on first use
        return state

    # ------------------------------------------------------------- building
    def _changed(self) -> None:
        self._version += 1

    def _check_new_name(self, name: object, kind: str) -> str:
        problem = check_name(name)
        if problem is not None:
            suggestion = ""
            if isinstance(name, str):
                fixed = re.sub(r"\W+", "_", name.strip().lower()).strip("_")
                if fixed and fixed != name and check_name(fixed) is None:
                    suggestion = f"; try {fixed!r}"
            raise ModelError(f"cannot add {kind} to model {self._name!r}: {problem}"
                             f"{suggestion}")
        if name in self._elements:
            existing = self._elements[name].kind  # type: ignore[index]
            raise ModelError(f"cannot add {kind} {name!r} to model {self._name!r}: "
                             f"there is already {_article(existing)} {existing} called {name!r}")
        return name  # type: ignore[return-value]

    def _add(self, element: Element) -> Element:
        self._elements[element.name] = element
        self._by_kind[element.kind][element.name] = element
        self._changed()
        return element

    def _parse(self, equation: object, name: str, kind: str, what: str = "equation") -> Equation:
        return parse(equation, variable=name,  # type: ignore[arg-type]
                     where=f"the {what} of {kind} {name!r}")

    def stock(self, name: str, initial: float | str, inflows: Iterable[str] = (),
              outflows: Iterable[str] = (), non_negative: bool = False,
              units: str | None = None, doc: str | None = None,
              label: str | None = None) -> Stock:
        """Add a stock.

        Parameters
        ----------
        name : str
        initial : float or str
            A number, or an equation (of constants and other variables)
            evaluated once at the start.
        inflows, outflows : iterable of str
            Names of flows (they may be added later).
        non_negative : bool
            Keep the stock at zero or above by scaling down what drains it
            (positive outflows and negative inflows) when it would run dry. A
            flow between two such stocks may run either way: the stock it
            drains limits it, then the other stock counts what it really got.
        units, doc, label : str, optional

        Returns
        -------
        Stock

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.stock("population", "initial_population * 2", inflows=["births"])
        Stock(name='population', initial='initial_population * 2', inflows=('births',), ...)
        """
        name = self._check_new_name(name, "a stock")
        equation = self._parse(initial, name, "stock", "initial value")
        if equation.is_stateful:
            used = [f for f in equation.functions if f in STATEFUL_FUNCTIONS]
            raise EquationError(f"the initial value of stock {name!r} cannot use {used[0]}(); "
                                "initial values are computed once, at the start")
        value = equation.constant_value
        inflows = self._flow_names(inflows, name, "inflows")
        outflows = self._flow_names(outflows, name, "outflows")
        if len(inflows) + len(outflows) > MAX_FLOWS_PER_STOCK:
            raise ModelError(f"stock {name!r} in model {self._name!r} has "
                             f"{len(inflows) + len(outflows)} inflows and outflows, more than "
                             f"{MAX_FLOWS_PER_STOCK}; add the flows up in an auxiliary and use "
                             "one flow for their sum")
        return self._add(Stock(name, value if value is not None else equation.text,
                               inflows, outflows, bool(non_negative), units, doc, label,
                               equation))

    def _flow_names(self, names: Iterable[str], stock: str, what: str) -> tuple[str, ...]:
        if isinstance(names, str):
            names = [names]
        result = tuple(names)
        for flow in result:
            if not isinstance(flow, str):
                raise ModelError(f"the {what} of stock {stock!r} must be flow names, not "
                                 f"{flow!r}")
        seen: set[str] = set()
        duplicated = {f for f in result if f in seen or seen.add(f)}
        if duplicated:
            raise ModelError(f"the {what} of stock {stock!r} list {sorted(duplicated)[0]!r} "
                             "twice")
        return result

    def flow(self, name: str, equation: str | float, non_negative: bool = False,
             units: str | None = None, doc: str | None = None,
             label: str | None = None) -> Flow:
        """Add a flow; list it among a stock's inflows or outflows.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.flow("births", "population * fertility", non_negative=True).non_negative
        True
        """
        name = self._check_new_name(name, "a flow")
        parsed = self._parse(equation, name, "flow")
        return self._add(Flow(name, parsed.text, bool(non_negative), units, doc, label, parsed))

    def auxiliary(self, name: str, equation: str | float, units: str | None = None,
                  doc: str | None = None, label: str | None = None) -> Auxiliary:
        """Add an auxiliary (a converter), recomputed at every step.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.auxiliary("gap", "goal - level").expression.dependencies
        ('goal', 'level')
        """
        name = self._check_new_name(name, "an auxiliary")
        parsed = self._parse(equation, name, "auxiliary")
        return self._add(Auxiliary(name, parsed.text, units, doc, label, parsed))

    def constant(self, name: str, value: float, min: float | None = None,
                 max: float | None = None, step: float | None = None,
                 units: str | None = None, doc: str | None = None,
                 label: str | None = None) -> Constant:
        """Add a constant (a parameter that runs can change, see :meth:`run`).

        `min`, `max` and `step` give the range sliders offer; the value must
        lie inside it.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.constant("rate", 0.05, min=0, max=0.2, step=0.01).max
        0.2
        >>> m.constant("delay", 12, min=0, max=10)
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: constant 'delay' in model 'm': value 12 is above max 10
        """
        name = self._check_new_name(name, "a constant")
        where = f"constant {name!r} in model {self._name!r}"
        number = _number(value, f"{where}: the value")
        low = None if min is None else _number(min, f"{where}: min")
        high = None if max is None else _number(max, f"{where}: max")
        step_ = None if step is None else _number(step, f"{where}: step")
        if low is not None and high is not None and low > high:
            raise ModelError(f"{where}: min {low:g} is above max {high:g}")
        if low is not None and number < low:
            raise ModelError(f"{where}: value {number:g} is below min {low:g}")
        if high is not None and number > high:
            raise ModelError(f"{where}: value {number:g} is above max {high:g}")
        if step_ is not None and step_ <= 0:
            raise ModelError(f"{where}: step must be positive, not {step_:g}")
        return self._add(Constant(name, number, low, high, step_, units, doc, label))

    def lookup(self, name: str, points: Iterable[tuple[float, float]],
               extrapolate: bool = False, units: str | None = None, doc: str | None = None,
               label: str | None = None) -> Lookup:
        """Add a lookup (graphical function), called in equations like ``name(x)``.

        Parameters
        ----------
        points : sequence of (x, y)
            With strictly increasing x.
        extrapolate : bool
            Extend the end segments instead of holding the end values.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> m.lookup("effect", [(0, 1), (1, 0)]).points
        ((0.0, 1.0), (1.0, 0.0))
        """
        name = self._check_new_name(name, "a lookup")
        pts = check_points(points, f"lookup {name!r} in model {self._name!r}")
        return self._add(Lookup(name, pts, bool(extrapolate), units, doc, label))

    def remove(self, name: str) -> Element:
        """Remove the element `name` and return it (stocks may still list a removed flow).

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.constant("c", 1)
        >>> m.remove("c").name, "c" in m
        ('c', False)
        """
        element = self[name]
        del self._elements[name]
        del self._by_kind[element.kind][name]
        self._positions.pop(name, None)
        self._changed()
        return element

    def name_loop(self, name: str, variables: Sequence[str], story: str | None = None) -> None:
        """Name the feedback loop through `variables` in :meth:`to_cld` and loop dominance.

        A model of an archetype numbers its loops as the archetype's card and
        diagram do; loops left unnamed are numbered around the named ones.

        Parameters
        ----------
        name : str
            ``"R1"``, ``"B2"``, ...: the letter must fit the loop's kind.
        variables : sequence of str
            The loop's variables in the order it runs (any starting point).
        story : str, optional
            A story name for the loop.

        Examples
        --------
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> m.name_loop("R2", ["interest", "money"], "interest on interest")
        >>> m.to_cld().loops()
        LoopList([Loop('R2' 'interest on interest', reinforcing: interest -> money -> interest)])
        """
        from csframework.cld.loops import canonical_rotation

        where = f"model {self._name!r}"
        if not isinstance(name, str) or not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
            raise ModelError(f"a loop's name in {where} is R or B and a number, like B1; "
                             f"got {name!r}")
        cycle = tuple(variables) if not isinstance(variables, str) else ()
        if len(cycle) < 1:
            raise ModelError(f"loop {name} in {where} needs its variables as a list, "
                             f"got {variables!r}")
        for variable in cycle:
            if variable not in self._elements:
                raise UnknownNameError(str(variable), self._elements, kind="variable",
                                       where=f"loop {name} of {where}")
        key = canonical_rotation(cycle)
        for other, (taken, _) in self._loop_names.items():
            if taken == name and other != key:
                raise ModelError(f"{name} already names the loop {' -> '.join(other)} in {where}")
        self._loop_names[key] = (name, story)

    @property
    def loop_names(self) -> Mapping[tuple[str, ...], tuple[str, str | None]]:
        """The loops named with :meth:`name_loop`: variables -> (name, story)."""
        return MappingProxyType(self._loop_names)

    def copy(self, name: str | None = None) -> StockFlowModel:
        """An independent copy (optionally renamed); elements are immutable and shared.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.constant("c", 1)
        >>> m2 = m.copy("m2")
        >>> _ = m2.constant("d", 2)
        >>> m.names(), m2.names()
        (('c',), ('c', 'd'))
        """
        other = StockFlowModel(self._name if name is None else name, self._start, self._stop,
                               self._dt, self.time_unit, self._method, self.save_every)
        for element in self._elements.values():
            other._add(element)
        other._loop_names = dict(self._loop_names)
        other._positions = dict(self._positions)
        return other

    def place(self, name: str, x: float, y: float) -> tuple[float, float]:
        """Put element `name` at (`x`, `y`) in the stock-and-flow diagram and XMILE views.

        Coordinates are in the diagram's units (em, as :func:`csframework.sd.diagram.layout`
        gives them) with y pointing up. The drawing uses stored positions only
        when every stock, flow, auxiliary, constant and lookup has one.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.constant("c", 1)
        >>> m.place("c", 2, 3.5)
        (2.0, 3.5)
        >>> dict(m.positions)
        {'c': (2.0, 3.5)}
        """
        from csframework.cld.diagram import coordinate

        element = self[name]
        where = f"for the position of {element.name!r} in model {self._name!r}"
        position = (coordinate(x, axis="x", where=where), coordinate(y, axis="y", where=where))
        self._positions[element.name] = position
        return position

    def unplace(self, name: str) -> None:
        """Forget the position of `name` (the layout places it again)."""
        self._positions.pop(self[name].name, None)

    @property
    def positions(self) -> Mapping[str, tuple[float, float]]:
        """The positions given with :meth:`place` (or read from XMILE views), by name."""
        return MappingProxyType(self._positions)

    # ------------------------------------------------------------ inspecting
    def equation(self, name: str) -> Equation | None:
        """The parsed equation defining `name` (a stock's initial value), or None.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.auxiliary("gap", "goal - level")
        >>> m.equation("gap").dependencies
        ('goal', 'level')
        """
        element = self[name]
        if isinstance(element, Stock):
            return element.initial_equation
        if isinstance(element, Flow | Auxiliary):
            return element.expression
        return None

    def dependencies(self, name: str) -> tuple[str, ...]:
        """The names `name` depends on during a run.

        A stock depends on its inflows and outflows; a flow or auxiliary on the
        names in its equation; constants and lookups on nothing.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.stock("s", 1, inflows=["f"])
        >>> m.dependencies("s")
        ('f',)
        """
        element = self[name]
        if isinstance(element, Stock):
            return element.inflows + element.outflows
        if isinstance(element, Flow | Auxiliary):
            return element.expression.dependencies
        return ()

    # ------------------------------------------------------------ validation
    def validate(self) -> None:
        """Check the whole model; raise the first problem found.

        Raises
        ------
        UnknownNameError
            An equation, inflow or outflow names something that does not exist.
        EquationError
            A name is called that is not a lookup, or a lookup is used without
            being called.
        ModelError
            A flow attached to no stock, or a stock's inflow that is not a flow,
            or an algebraic loop (printed as ``a -> b -> a``), or initial
            values that depend on each other.

        Examples
        --------
        >>> m = StockFlowModel("m")
        >>> _ = m.auxiliary("a", "b + 1")
        >>> _ = m.auxiliary("b", "a * 2")
        >>> m.validate()
        Traceback (most recent call last):
        ...
        csframework.errors.ModelError: algebraic loop in model 'm': a -> b -> a; ...
        """
        if self._validated_version == self._version:
            return
        self._check_structure()
        self.compile(_generate=False)
        self._validated_version = self._version

    def _check_structure(self) -> None:
        where = f"model {self._name!r}"
        flows = self._by_kind["flow"]
        fed_by: dict[str, str] = {}
        drained_by: dict[str, str] = {}
        for stock in self._by_kind["stock"].values():
            for what, names, owner in (("inflows", stock.inflows, fed_by),
                                       ("outflows", stock.outflows, drained_by)):
                for flow in names:
                    if flow not in flows:
                        if flow in self._elements:
                            kind = self._elements[flow].kind
                            raise ModelError(
                                f"the {what} of stock {stock.name!r} in {where} list {flow!r}, "
                                f"which is {_article(kind)} {kind}, not a flow")
                        raise UnknownNameError(flow, flows, kind="flow",
                                               where=f"the {what} of stock {stock.name!r} "
                                                     f"in {where}")
                    if flow in owner:
                        role = "an inflow" if what == "inflows" else "an outflow"
                        raise ModelError(
                            f"flow {flow!r} in {where} is {role} of two stocks, "
                            f"{owner[flow]!r} and {stock.name!r}; a flow fills one stock and "
                            "drains one stock at most")
                    owner[flow] = stock.name
        for flow in flows:
            if flow not in fed_by and flow not in drained_by:
                raise ModelError(f"flow {flow!r} in {where} is attached to no stock; list it "
                                 "in a stock's inflows or outflows, or make it an auxiliary")
        for element in self._elements.values():
            if isinstance(element, Stock):
                self._check_equation(element.initial_equation, element, "initial value")
            elif isinstance(element, Flow | Auxiliary):
                self._check_equation(element.expression, element, "equation")

    def _check_equation(self, equation: Equation, element: Element, what: str) -> None:
        where = f"the {what} of {element.kind} {element.name!r} in model {self._name!r}"
        lookups = self._by_kind["lookup"]
        for name in equation.lookups_called:
            if name in lookups:
                continue
            node = next(o.node for o in equation.occurrences(name))
            if name in self._elements:
                kind = self._elements[name].kind
                message = (f"{name!r} is {_article(kind)} {kind}, not a lookup; only lookups "
                           "and functions can be called")
            else:
                from csframework.errors import close_matches

                hint = close_matches(name, list(FUNCTIONS) + list(lookups))
                message = f"unknown function {name!r}" + (
                    f"; did you mean {hint[0]!r}?" if hint else
                    "; functions are " + ", ".join(sorted(FUNCTIONS)))
            from csframework.sd.expressions import _error

            raise _error(message, equation.text, node.lineno, node.col_offset,
                         element.name, where)
        for name in equation.dependencies:
            if name in equation.lookups_called:
                continue
            if name not in self._elements:
                raise UnknownNameError(name, self._elements, kind="variable", where=where)
            if name in lookups:
                raise EquationError(f"lookup {name!r} is used without an input in {where}; "
                                    f"call it like {name}(x)")

    # --------------------------------------------------------------- running
    def compile(self, *, _generate: bool = True) -> CompiledModel:
        """The compiled form of the model (cached until the model changes)."""
        from csframework.sd import engine

        cached = self._compiled
        if cached is None or cached[0] != self._version:
            if self._validated_version != self._version:
                self._check_structure()
            compiled = engine.CompiledModel(self)
            self._compiled = cached = (self._version, compiled)
            self._validated_version = self._version
        return cached[1]

    def run(self, params: Mapping[str, Any] | None = None, *, stop: float | None = None,
            dt: float | None = None, return_columns: Sequence[str] | None = None,
            method: str | None = None, include_hidden: bool = False,
            engine: str = "native", save_every: float | None = None) -> Results:
        """Simulate the model; the model itself is never changed.

        Parameters
        ----------
        params : mapping, optional
            Constant name to a number, or to a sequence of numbers to run an
            ensemble (several sequences must have the same length: member i
            takes the i-th value of each). A lookup name may map to new points.
        stop, dt : float, optional
            Override the model's stop time and time step for this run.
        return_columns : sequence of str, optional
            The variables to return (default: stocks, flows and auxiliaries).
        method : {"euler", "rk4"}, optional
            The integration method (default: the model's :attr:`method`).
        include_hidden : bool
            Also return the hidden state of smooth/delay functions.
        save_every : float, optional
            The time between saved rows, for this run (default:
            :attr:`save_every`). It is rounded to a whole number of steps; the
            stop time is always saved. Only saved rows are ever kept, so a long
            run with a coarse save interval needs little memory. A run that
            would keep more than
            :data:`~csframework.sd.engine.MAX_SAVED_VALUES` numbers is refused
            with a :class:`~csframework.errors.SimulationError` saying how to
            save less.
        engine : {"native", "pysd"}
            ``"pysd"`` runs the same model through PySD (Euler only).

        Returns
        -------
        Results

        Examples
        --------
        >>> m = StockFlowModel("Decay", stop=2)
        >>> _ = m.constant("k", 0.5)
        >>> _ = m.stock("x", 1, outflows=["loss"])
        >>> _ = m.flow("loss", "k * x")
        >>> m.run()["x"].tolist()
        [1.0, 0.5, 0.25]
        >>> m.run(params={"k": [0.5, 1]})["x"].iloc[-1].tolist()
        [0.25, 0.0]
        """
        method = self._method if method is None else method
        if engine == "native":
            from csframework.sd.engine import simulate

            return simulate(self, params=params, stop=stop, dt=dt,
                            return_columns=return_columns, method=method,
                            include_hidden=include_hidden, save_every=save_every)
        if engine == "pysd":
            if method != "euler":
                raise ModelError(f"the PySD engine integrates with Euler only, not {method!r}; "
                                 "use engine='native', or method='euler'")
            from csframework.sd import pysd_backend

            results = pysd_backend.run(self, params=params, stop=stop, dt=dt,
                                       return_columns=return_columns)
            return _saved_rows(results, self.save_every if save_every is None else save_every,
                               f"the run of model {self._name!r}")
        raise UnknownNameError(engine, ("native", "pysd"), kind="engine",
                               where=f"{type(self).__name__}.run")

    # ------------------------------------------------- other representations
    def to_xmile(self, path: str | None = None, *, dialect: str = "standard") -> str:
        """The model as XMILE text (also written to `path` if given).

        Parameters
        ----------
        path : str or pathlib.Path, optional
            Also write the text there (atomically).
        dialect : {"standard", "pysd"}
            ``"pysd"`` writes what PySD reads: the time step as ``TIME_STEP``
            and Euler integration (see `csframework.sd.xmile.to_xmile`).

        Examples
        --------
        >>> m = StockFlowModel("m", dt=0.5)
        >>> _ = m.stock("s", 1, inflows=["f"])
        >>> _ = m.flow("f", "s * dt")
        >>> "TIME_STEP" in m.to_xmile(dialect="pysd"), "DT" in m.to_xmile()
        (True, True)
        """
        return xmile.write(self, path, dialect=dialect)

    @classmethod
    def from_xmile(cls, source: str) -> StockFlowModel:
        """Read a model from an XMILE file path or XMILE text."""
        return xmile.read(source, cls)

    def to_cld(self):
        """The model's causal structure as a CausalLoopDiagram (link polarities included)."""
        from csframework.sd import structure

        return structure.to_cld(self)


class Equations:
    """A model's equations as a table; shows itself as HTML in Jupyter.

    Made by :meth:`StockFlowModel.equations`. ``rows`` holds one
    ``(name, kind, definition, units)`` tuple per element, in the model's order.
    """

    def __init__(self, model: StockFlowModel):
        self.model_name = model.name
        self._span = (f"{model.start:g} to {model.stop:g} {model.time_unit}, "
                      f"dt {model.dt:g}")
        rows = []
        for element in model._elements.values():
            if isinstance(element, Stock):
                definition = f"initial {element.initial}"
                if element.inflows:
                    definition += "; in: " + ", ".join(element.inflows)
                if element.outflows:
                    definition += "; out: " + ", ".join(element.outflows)
            elif isinstance(element, Flow | Auxiliary):
                definition = element.equation
            elif isinstance(element, Constant):
                definition = f"{element.value:g}"
            else:
                definition = ", ".join(f"({x:g}, {y:g})" for x, y in element.points)
            rows.append((element.name, element.kind, definition, element.units or ""))
        self.rows: tuple[tuple[str, str, str, str], ...] = tuple(rows)

    def __repr__(self) -> str:
        n = len(self.rows)
        return f"<Equations of {self.model_name!r}: {n} element{'s' * (n != 1)}>"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("name", "kind", "definition", "units"))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
                       + "</tr>" for row in self.rows)
        return (f"<div><strong>{html.escape(self.model_name)}</strong> "
                f"({html.escape(self._span)})<table><thead><tr>{head}</tr></thead><tbody>"
                + body + "</tbody></table></div>")


def _saved_rows(results: Results, save_every: float | None, where: str) -> Results:
    """Only the rows a save interval keeps (for engines that save every step)."""
    if save_every is None or results.dt is None:
        return results
    from csframework.sd.engine import save_steps
    from csframework.sd.results import Results

    every = save_steps(save_every, results.dt, where)
    if every == 1:
        return results
    rows = list(range(0, len(results.frame), every))
    if rows[-1] != len(results.frame) - 1:
        rows.append(len(results.frame) - 1)
    return Results(results.frame.iloc[rows], model_name=results.model_name,
                   units=results.units, labels=results.labels, time_unit=results.time_unit,
                   parameters=results.parameters, method=results.method, dt=results.dt,
                   save_every=every * results.dt)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"

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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from csframework._text import plural
from csframework.errors import EquationError, ModelError, UnknownNameError
from csframework.sd.elements import (
    MAX_FLOWS_PER_STOCK,
    Auxiliary,
    Constant,
    Element,
    Flow,
    Lookup,
    Stock,
    article,
)
from csframework.sd.equation_table import Equations
from csframework.sd.expressions import STATEFUL_FUNCTIONS, Equation, parse
from csframework.sd.lookups import check_points
from csframework.sd.model_diagrams import ModelDiagrams
from csframework.sd.running import run_model
from csframework.sd.settings import RunSettings, check_method, check_time, number
from csframework.sd.validation import check_new_name, check_structure, flow_names

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.engine import CompiledModel
    from csframework.sd.results import Results

__all__ = ["MAX_FLOWS_PER_STOCK", "Auxiliary", "Constant", "Equations", "Flow", "Lookup",
           "Stock", "StockFlowModel"]


class StockFlowModel(RunSettings, ModelDiagrams):
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
        self._start, self._stop, self._dt = check_time(f"model {name!r}", start, stop, dt)
        self.time_unit = str(time_unit)
        self._method = check_method(method, f"StockFlowModel({name!r})")
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
        parts = [plural(len(k["stock"]), "stock", "stocks"),
                 plural(len(k["flow"]), "flow", "flows"),
                 plural(len(k["auxiliary"]), "auxiliary", "auxiliaries"),
                 plural(len(k["constant"]), "constant", "constants")]
        if k["lookup"]:
            parts.append(plural(len(k["lookup"]), "lookup", "lookups"))
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

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_compiled"] = None  # generated code is rebuilt on first use
        return state

    # ------------------------------------------------------------- building
    def _changed(self) -> None:
        self._version += 1

    def _add(self, element: Element) -> Element:
        self._elements[element.name] = element
        self._by_kind[element.kind][element.name] = element
        self._changed()
        return element

    def adopt(self, element: Element) -> Element:
        """Add an element another model made (and checked), as it is; returns it.

        Examples
        --------
        >>> m, other = StockFlowModel("m"), StockFlowModel("other")
        >>> m.adopt(other.constant("c", 1)).name, "c" in m
        ('c', True)
        """
        check_new_name(self, element.name, f"{article(element.kind)} {element.kind}")
        return self._add(element)

    def replace(self, element: Element) -> Element:
        """Put `element` in the place of the element of the same name and kind; returns it.

        Examples
        --------
        >>> import dataclasses
        >>> m = StockFlowModel("m")
        >>> rate = m.constant("rate", 1, max=2)
        >>> m.replace(dataclasses.replace(rate, value=5.0, max=None)).value
        5.0
        """
        old = self[element.name]
        if old.kind != element.kind:
            raise ModelError(f"{element.kind} {element.name!r} cannot replace the {old.kind} "
                             f"of that name in model {self._name!r}")
        return self._add(element)

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
        name = check_new_name(self, name, "a stock")
        equation = self._parse(initial, name, "stock", "initial value")
        if equation.is_stateful:
            used = [f for f in equation.functions if f in STATEFUL_FUNCTIONS]
            raise EquationError(f"the initial value of stock {name!r} cannot use {used[0]}(); "
                                "initial values are computed once, at the start")
        value = equation.constant_value
        inflows = flow_names(inflows, name, "inflows")
        outflows = flow_names(outflows, name, "outflows")
        if len(inflows) + len(outflows) > MAX_FLOWS_PER_STOCK:
            raise ModelError(f"stock {name!r} in model {self._name!r} has "
                             f"{len(inflows) + len(outflows)} inflows and outflows, more than "
                             f"{MAX_FLOWS_PER_STOCK}; add the flows up in an auxiliary and use "
                             "one flow for their sum")
        return self._add(Stock(name, value if value is not None else equation.text,
                               inflows, outflows, bool(non_negative), units, doc, label,
                               equation))

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
        name = check_new_name(self, name, "a flow")
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
        name = check_new_name(self, name, "an auxiliary")
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
        name = check_new_name(self, name, "a constant")
        where = f"constant {name!r} in model {self._name!r}"
        checked = number(value, f"{where}: the value")
        low = None if min is None else number(min, f"{where}: min")
        high = None if max is None else number(max, f"{where}: max")
        step_ = None if step is None else number(step, f"{where}: step")
        if low is not None and high is not None and low > high:
            raise ModelError(f"{where}: min {low:g} is above max {high:g}")
        if low is not None and checked < low:
            raise ModelError(f"{where}: value {checked:g} is below min {low:g}")
        if high is not None and checked > high:
            raise ModelError(f"{where}: value {checked:g} is above max {high:g}")
        if step_ is not None and step_ <= 0:
            raise ModelError(f"{where}: step must be positive, not {step_:g}")
        return self._add(Constant(name, checked, low, high, step_, units, doc, label))

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
        name = check_new_name(self, name, "a lookup")
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
        check_structure(self)
        self.compile(_generate=False)
        self._validated_version = self._version

    # --------------------------------------------------------------- running
    def compile(self, *, _generate: bool = True) -> CompiledModel:
        """The compiled form of the model (cached until the model changes)."""
        from csframework.sd import engine

        cached = self._compiled
        if cached is None or cached[0] != self._version:
            if self._validated_version != self._version:
                check_structure(self)
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
        return run_model(self, params, stop=stop, dt=dt, return_columns=return_columns,
                         method=method, include_hidden=include_hidden, engine=engine,
                         save_every=save_every)

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
        from csframework.sd import xmile

        return xmile.write(self, path, dialect=dialect)

    @classmethod
    def from_xmile(cls, source: str) -> StockFlowModel:
        """Read a model from an XMILE file path or XMILE text."""
        from csframework.sd import xmile

        return xmile.read(source, cls)

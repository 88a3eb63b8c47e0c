"""The kinds of element of a stock-and-flow model: stocks, flows, auxiliaries, constants, lookups.

Elements are frozen dataclasses made by :class:`~csframework.sd.model.StockFlowModel`
(``model.stock(...)``, ``model.flow(...)``, ...), which checks them.

Examples
--------
>>> Constant("rate", 0.05, units="1/year").kind
'constant'
>>> article("auxiliary"), article("stock")
('an', 'a')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from csframework.sd.expressions import Equation
from csframework.sd.lookups import interpolate

__all__ = ["MAX_FLOWS_PER_STOCK", "Auxiliary", "Constant", "Element", "Flow", "Lookup", "Stock",
           "article"]


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


def article(word: str) -> str:
    """``"an"`` before a vowel, else ``"a"`` (for messages naming a kind of element)."""
    return "an" if word[:1] in "aeiou" else "a"

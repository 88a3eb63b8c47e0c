"""A model's diagrams: its stock-and-flow diagram, its causal loop diagram, and what they keep.

:class:`ModelDiagrams` is the part of :class:`~csframework.sd.model.StockFlowModel`
that draws them (:mod:`csframework.sd.diagram`, :mod:`csframework.sd.causal`)
and holds what the model says about them: :meth:`~ModelDiagrams.name_loop`
names a feedback loop as an archetype's card does, :meth:`~ModelDiagrams.place`
puts an element where the stock-and-flow diagram, the XMILE views and the
causal loop diagram draw it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from csframework.cld.diagram import coordinate
from csframework.cld.loops import canonical_rotation
from csframework.errors import ModelError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld import CausalLoopDiagram

__all__ = ["ModelDiagrams"]


class ModelDiagrams:
    """Drawing, loop names and element positions (a part of :class:`StockFlowModel`).

    The model sets ``_loop_names`` and ``_positions`` in its constructor, and
    gives the elements by name (``model[name]``, ``name in model``).
    """

    _name: str
    _loop_names: dict[tuple[str, ...], tuple[str, str | None]]
    _positions: dict[str, tuple[float, float]]

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

    def to_cld(self) -> CausalLoopDiagram:
        """The model's causal structure as a CausalLoopDiagram (link polarities included)."""
        from csframework.sd.causal import to_cld

        return to_cld(self)

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
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> m.name_loop("R2", ["interest", "money"], "interest on interest")
        >>> m.to_cld().loops()
        LoopList([Loop('R2' 'interest on interest', reinforcing: interest -> money -> interest)])
        """
        where = f"model {self._name!r}"
        if not isinstance(name, str) or not re.fullmatch(r"[RB][1-9][0-9]{0,3}", name):
            raise ModelError(f"a loop's name in {where} is R or B and a number, like B1; "
                             f"got {name!r}")
        cycle = tuple(variables) if not isinstance(variables, str) else ()
        if len(cycle) < 1:
            raise ModelError(f"loop {name} in {where} needs its variables as a list, "
                             f"got {variables!r}")
        for variable in cycle:
            if variable not in self:
                raise UnknownNameError(str(variable), tuple(self), kind="variable",
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

    def place(self, name: str, x: float, y: float) -> tuple[float, float]:
        """Put element `name` at (`x`, `y`) in the stock-and-flow diagram and XMILE views.

        Coordinates are in the diagram's units (em, as :func:`csframework.sd.diagram.layout`
        gives them) with y pointing up. The drawing uses stored positions only
        when every stock, flow, auxiliary, constant and lookup has one.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m")
        >>> _ = m.constant("c", 1)
        >>> m.place("c", 2, 3.5)
        (2.0, 3.5)
        >>> dict(m.positions)
        {'c': (2.0, 3.5)}
        """
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


"""What a causal loop diagram can be written as or drawn as: the methods that hand it on.

:class:`~csframework.cld.diagram.CausalLoopDiagram` takes these methods from
:class:`Conversions`; each passes the diagram to :mod:`csframework.cld.formats`
or :mod:`csframework.cld.draw`, imported when first used (so importing the
package needs neither numpy nor matplotlib). Those modules take the diagram
as an argument and never import :mod:`csframework.cld.diagram`; a reader
is given the class to build (``cls``).

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> print(CausalLoopDiagram.from_text("a -> b : +").to_dot().splitlines()[0])
digraph "CLD" {
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram

__all__ = ["Conversions"]


class Conversions:
    """Exchange formats and drawing for :class:`~csframework.cld.diagram.CausalLoopDiagram`."""

    def to_json(self, indent: int | None = 2) -> str:
        """The diagram as versioned JSON; :meth:`from_json` reads it back exactly."""
        from csframework.cld.formats import to_json

        return to_json(self, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> CausalLoopDiagram:
        """Read a diagram written by :meth:`to_json` (or Kumu JSON)."""
        from csframework.cld.formats import from_json

        return from_json(text, cls)

    def to_kumu(self, indent: int | None = 2) -> str:
        """Kumu blueprint JSON (elements, connections, loops, positions) for import into Kumu."""
        from csframework.cld.formats import to_kumu

        return to_kumu(self, indent=indent)

    @classmethod
    def from_kumu(cls, text: str) -> CausalLoopDiagram:
        """Read a Kumu blueprint or Kumu's own project export (see :func:`~.formats.from_kumu`)."""
        from csframework.cld.formats import from_kumu

        return from_kumu(text, cls)

    def to_loopy(self, path: str | None = None) -> str:
        """A link that opens the diagram in Loopy (and, given `path`, an HTML page with it).

        See :func:`csframework.cld.formats.to_loopy` for what Loopy cannot show
        (delays, loop names).
        """
        from csframework.cld.formats import to_loopy

        return to_loopy(self, path)

    def to_dot(self) -> str:
        """Graphviz DOT source."""
        from csframework.cld.formats import to_dot

        return to_dot(self)

    def to_mermaid(self) -> str:
        """Mermaid flowchart source."""
        from csframework.cld.formats import to_mermaid

        return to_mermaid(self)

    def draw(self, ax=None, highlight=None, **kwargs):
        """Draw the diagram with matplotlib; returns the figure.

        See :func:`csframework.cld.draw.draw` for the options.
        """
        from csframework.cld.draw import draw

        return draw(self, ax=ax, highlight=highlight, **kwargs)

    def to_png(self, **kwargs) -> bytes:
        """The drawing as PNG bytes."""
        from csframework.cld.draw import to_png

        return to_png(self, **kwargs)

    def to_svg(self, **kwargs) -> str:
        """The drawing as SVG text (the same text for the same diagram and theme)."""
        from csframework.cld.draw import to_svg

        return to_svg(self, **kwargs)

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_svg_(self) -> str:
        return self.to_svg()

"""The base every thinking tool is built on: JSON, equality, repr and display, written once.

A thinking tool (an iceberg, a ladder, a mandala, ...) is a small document a
participant fills in. Every one of them saves itself as versioned JSON, reads
that JSON back, compares by content, shows a short stable ``repr`` and draws
itself for Jupyter as PNG and SVG. :class:`Document` does all of that; a tool
only says what is its own:

- ``SCHEMA``, ``SCHEMA_VERSION`` and ``JSON_WHAT`` (how its JSON is named in
  error messages, e.g. ``"iceberg JSON"``);
- :meth:`Document.to_data` (its fields, without the envelope) and
  :meth:`Document.from_data` (a new tool from those fields);
- ``draw(ax=None, ...)`` returning a matplotlib figure;
- ``_repr_summary()`` (and optionally ``_repr_head()``) for the repr,
  ``_eq_key()`` for equality and ``_can_draw()`` for Jupyter's display.

:class:`Drawable` is the display part alone, for results that draw but are not
saved (the runs of a creative-tension simulation). All bytes go through
:func:`csframework._drawing.figure_to_png` and :func:`~csframework._drawing.figure_to_svg`,
so an unchanged document gives the same bytes every time.

Examples
--------
>>> from csframework.document import Document
>>> class Note(Document):
...     SCHEMA, SCHEMA_VERSION, JSON_WHAT = "example.note", 1, "note JSON"
...     def __init__(self, title):
...         self.title = title
...     def to_data(self):
...         return {"title": self.title}
...     @classmethod
...     def from_data(cls, data):
...         return cls(data["title"])
...     def _repr_summary(self):
...         return "a note"
>>> note = Note("Tuesday")
>>> note
<Note 'Tuesday': a note>
>>> print(note.to_json(indent=None))
{"schema": "example.note", "version": 1, "title": "Tuesday"}
>>> Note.from_json(note.to_json()) == note
True
>>> Note.from_json('{"schema": "example.note", "version": 1}')
Traceback (most recent call last):
...
csframework.errors.FormatError: invalid note JSON: 'title'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from csframework._drawing import figure_to_png, figure_to_svg, load_json
from csframework._text import tidy
from csframework.errors import CSFrameworkError, FormatError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from typing import Self

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Document", "Drawable", "pop_item"]


class Drawable:
    """Display for anything with a ``draw(ax=None, ...)`` that returns a figure.

    Gives :meth:`to_png`, :meth:`to_svg` and Jupyter's ``_repr_png_`` and
    ``_repr_svg_``. Keyword arguments of :meth:`to_png` and :meth:`to_svg` go
    to ``draw``. A subclass whose ``_can_draw()`` is false shows no picture in
    Jupyter (its ``_repr_*_`` return None), only its repr.
    """

    __slots__ = ()

    def draw(self, ax: Axes | None = None, **kwargs: Any) -> Figure:  # pragma: no cover
        """The picture as a matplotlib figure (each subclass draws its own)."""
        raise NotImplementedError(f"{type(self).__name__} does not draw itself")

    def to_png(self, **draw_kwargs: Any) -> bytes:
        """The drawing as PNG bytes (identical bytes for an unchanged object)."""
        return figure_to_png(self.draw(**draw_kwargs))

    def to_svg(self, **draw_kwargs: Any) -> str:
        """The drawing as SVG text (the same text for an unchanged object)."""
        return figure_to_svg(self.draw(**draw_kwargs))

    def _can_draw(self) -> bool:
        return True

    def _repr_png_(self) -> bytes | None:
        return self.to_png() if self._can_draw() else None

    def _repr_svg_(self) -> str | None:
        return self.to_svg() if self._can_draw() else None


class Document(Drawable):
    """A thinking tool: versioned JSON, equality by content, a short repr, and display.

    Subclasses set ``SCHEMA``, ``SCHEMA_VERSION`` and ``JSON_WHAT`` and
    implement :meth:`to_data`, :meth:`from_data` and ``draw``.
    """

    __slots__ = ()

    #: The schema name written into the JSON, e.g. ``"csframework.iceberg"``.
    SCHEMA: ClassVar[str]
    #: The newest schema version this class writes and reads.
    SCHEMA_VERSION: ClassVar[int]
    #: How the JSON is named in error messages, e.g. ``"iceberg JSON"``.
    JSON_WHAT: ClassVar[str]
    #: Errors raised while building from JSON data that become a FormatError.
    JSON_ERRORS: ClassVar[tuple[type[BaseException], ...]] = (
        CSFrameworkError, TypeError, KeyError, ValueError)

    # -- what each tool writes -----------------------------------------------------------

    def to_data(self) -> dict[str, Any]:  # pragma: no cover
        """The tool's own fields as plain data (the JSON without its envelope)."""
        raise NotImplementedError

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:  # pragma: no cover
        """A new tool from the fields written by :meth:`to_data`."""
        raise NotImplementedError

    # -- the envelope -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The tool as plain data in its versioned schema: ``schema``, ``version``, fields."""
        return {"schema": self.SCHEMA, "version": self.SCHEMA_VERSION, **self.to_data()}

    def to_json(self, indent: int | None = 2) -> str:
        """The tool as versioned JSON; :meth:`from_json` reads it back exactly."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Read a tool written by :meth:`to_json`.

        Raises
        ------
        FormatError
            For text that is not this tool's JSON, a newer schema version, or
            fields that do not make a valid tool (the message says which).
        """
        data = load_json(text, schema=cls.SCHEMA, version=cls.SCHEMA_VERSION,
                         what=cls.JSON_WHAT)
        try:
            return cls.from_data(data)
        except FormatError:
            raise
        except cls.JSON_ERRORS as err:
            raise FormatError(cls._json_error(err)) from None

    @classmethod
    def _json_error(cls, err: BaseException) -> str:
        return f"invalid {cls.JSON_WHAT}: {err}"

    # -- equality and repr ------------------------------------------------------------------

    def _eq_key(self) -> Any:
        return self.to_dict()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._eq_key() == other._eq_key()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def _repr_head(self) -> str:
        title = getattr(self, "title", None)
        return f" {title!r}" if title else ""

    def _repr_summary(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}{self._repr_head()}: {self._repr_summary()}>"


def pop_item(entries: list[Any], text: str, *, where: str) -> Any:
    """Remove from `entries` and return the item whose words are `text` (spacing tidied).

    The one way the thinking tools take an item back out of a level, rung or
    domain; an UnknownNameError suggests close wordings otherwise.

    Examples
    --------
    >>> from types import SimpleNamespace as Item
    >>> items = [Item(text="a quiet room"), Item(text="shared rules")]
    >>> pop_item(items, "  shared   rules ", where="level 'structures'").text
    'shared rules'
    >>> [item.text for item in items]
    ['a quiet room']
    """
    cleaned = tidy(text)
    for i, item in enumerate(entries):
        if item.text == cleaned:
            return entries.pop(i)
    raise UnknownNameError(str(text), [item.text for item in entries], kind="item", where=where)

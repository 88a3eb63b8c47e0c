"""The plain object behind the diagram editor: edits with undo, and exports (no widgets).

Every edit is made on the participant's own :class:`~csframework.cld.CausalLoopDiagram`
(the same object, so code that holds it sees the changes); the state before
each edit is kept as diagram JSON, so :meth:`DiagramEditor.undo` can restore it.
Errors come from the diagram itself (a ``CSFrameworkError`` with a message for
a person); an edit that fails changes nothing and leaves no undo step. Names are
normalised by the diagram (invisible characters removed, NFC, single spaces),
so a name pasted with a zero-width space is the variable already there; text
that cannot be saved (a lone surrogate, a control character) is refused.

Examples
--------
>>> from csframework.cld.editing import DiagramEditor
>>> editor = DiagramEditor()
>>> editor.add_link("trust", "sharing", "+")
Link('trust' -> 'sharing', '+')
>>> _ = editor.add_link("sharing", "trust", "+")
>>> [loop.name for loop in editor.cld.loops()]
['R1']
>>> editor.undo(); len(editor.cld.links)
1
>>> editor.add_link("trust", "trust")
Traceback (most recent call last):
...
csframework.errors.DiagramError: a link from 'trust' to itself cannot be drawn; ...
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csframework.errors import DiagramError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram, Link, Variable

__all__ = ["EXPORT_FORMATS", "DiagramEditor", "export_file_name"]

#: Export format -> file ending added when the chosen name has none.
EXPORT_FORMATS = {"json": ".json", "kumu": ".kumu.json", "loopy": ".loopy.html", "png": ".png"}

_MAX_HISTORY = 200


def _polarity(value: object) -> object:
    """Accept the typographic minus sign that buttons show."""
    return "-" if value in ("−", "–") else value


def export_file_name(name: str, kind: str) -> str:
    """A safe file name for an export: no folders, the format's ending added if missing.

    Examples
    --------
    >>> export_file_name("my loops", "json")
    'my loops.json'
    >>> export_file_name("../../etc/passwd", "kumu")
    'passwd.kumu.json'
    >>> export_file_name("  ", "png")
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: give the png export a file name, e.g. 'my-diagram.png'
    """
    ending = _ending(kind)
    base = re.split(r"[\\/]", str(name).strip())[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    if base in ("", ".", ".."):
        raise DiagramError(f"give the {kind} export a file name, e.g. 'my-diagram{ending}'")
    short = {"kumu": ".json", "loopy": ".html"}.get(kind, ending)
    if not base.lower().endswith((ending, short)):
        base += ending
    return base


def _ending(kind: str) -> str:
    try:
        return EXPORT_FORMATS[kind]
    except KeyError:
        raise UnknownNameError(kind, EXPORT_FORMATS, kind="export format",
                               where="the diagram editor") from None


class DiagramEditor:
    """Edits of a causal loop diagram, with an undo history and exports.

    Parameters
    ----------
    cld : CausalLoopDiagram, optional
        The diagram to edit in place (default: a new, empty one).

    Attributes
    ----------
    cld : CausalLoopDiagram
        The diagram being edited (always the same object).
    """

    def __init__(self, cld: CausalLoopDiagram | None = None):
        from csframework.cld.diagram import CausalLoopDiagram

        self.cld = CausalLoopDiagram() if cld is None else cld
        self._history: list[str] = []

    # -- edits --------------------------------------------------------------------------

    def _edit(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        before = self.cld.to_json(indent=None)
        result = action(*args, **kwargs)
        if self.cld.to_json(indent=None) != before:
            self._history.append(before)
            del self._history[:-_MAX_HISTORY]
        return result

    def add_link(self, cause: str, effect: str, polarity: object = "+",
                 delay: bool = False) -> Link:
        """Add a link (and any new variable it names)."""
        return self._edit(self.cld.link, cause, effect, _polarity(polarity), delay=delay)

    def remove_link(self, cause: str, effect: str) -> Link:
        """Remove the link from `cause` to `effect`."""
        return self._edit(self.cld.remove_link, " ".join(str(cause).split()),
                          " ".join(str(effect).split()))

    def add_variable(self, name: str) -> Variable:
        """Add a variable with no links yet."""
        return self._edit(self.cld.add_variable, name)

    def remove_variable(self, name: str) -> Variable:
        """Remove a variable and every link that touches it."""
        return self._edit(self.cld.remove_variable, " ".join(str(name).split()))

    def name_loop(self, loop: str, story: str | None) -> Any:
        """Give the loop `loop` ("R1") a story name; an empty name removes it."""
        return self._edit(self.cld.name_loop, loop, story or None)

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return bool(self._history)

    def undo(self) -> None:
        """Go back to the diagram as it was before the last edit (in place)."""
        if not self._history:
            raise DiagramError("there is nothing to undo yet")
        self._restore(self._history.pop())

    def _restore(self, text: str) -> None:
        from csframework.cld.diagram import CausalLoopDiagram

        old = CausalLoopDiagram.from_json(text)
        cld = self.cld
        for loop in cld.loops():
            if loop.story:
                cld.name_loop(loop.name, None)
        for variable in cld.variables:
            cld.remove_variable(variable.name)
        cld.title = old.title
        for variable in old.variables:
            cld.add_variable(variable.name, facet=variable.facet, note=variable.note)
        for link in old.links:
            cld.link(link.cause, link.effect, link.polarity, delay=link.delay, note=link.note)
        for loop in old.loops():
            if loop.story:
                cld.name_loop(loop.name, loop.story)
        for name, (x, y) in old.positions.items():
            cld.place(name, x, y)

    # -- reading ------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The variables' names, in the order they were added."""
        return tuple(v.name for v in self.cld.variables)

    # -- export -------------------------------------------------------------------------

    def export_text(self, kind: str) -> str:
        """The diagram as ``"json"`` or ``"kumu"`` text, or the ``"loopy"`` link."""
        if kind == "json":
            return self.cld.to_json()
        if kind == "kumu":
            return self.cld.to_kumu()
        if kind == "loopy":
            return self.cld.to_loopy()
        _ending(kind)
        raise DiagramError(f"a {kind} export is a picture, not text; save it as a file")

    def export(self, kind: str, name: str, folder: str | os.PathLike[str] | None = None
               ) -> Path:
        """Write the diagram atomically as `name` in `folder` (default: the working folder).

        Returns
        -------
        pathlib.Path
            The absolute path written.
        """
        from csframework._atomic import write_atomic

        target = Path(folder if folder is not None else Path.cwd()) / export_file_name(name,
                                                                                        kind)
        if kind == "loopy":  # a page that opens the link
            self.cld.to_loopy(target)
            return target.absolute()
        data = self.cld.to_png() if kind == "png" else self.export_text(kind)
        return write_atomic(target, data).absolute()

    def __repr__(self) -> str:
        return f"<DiagramEditor {self.cld!r}, {len(self._history)} undo steps>"

"""The iceberg itself: items on four levels, a behaviour and a diagram, saved and drawn."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from csframework._drawing import paint
from csframework._text import clean_text, plural, resolve
from csframework.document import Document, pop_item
from csframework.errors import DiagramError, FormatError
from csframework.iceberg.patterns import Behaviour
from csframework.iceberg.picture import IcebergScene, diagram_note
from csframework.iceberg.vocabulary import (
    KIND_ALIASES,
    KINDS,
    LEVEL_ALIASES,
    LEVELS,
    MODES,
    PROMPTS,
    IcebergItem,
    Level,
    levels,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld import CausalLoopDiagram

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Iceberg"]

SCHEMA = "csframework.iceberg"
SCHEMA_VERSION = 1


class Iceberg(Document):
    """An iceberg model of a situation, diagnostic or aspirational.

    Parameters
    ----------
    title : str
        What the iceberg is about, e.g. ``"Late homework"``.
    mode : {"diagnostic", "aspirational"}, default "diagnostic"
        Diagnostic looks beneath a problem; aspirational reads the levels for
        what we want to grow.

    Examples
    --------
    >>> berg = Iceberg("Late homework", mode="aspirational")
    >>> berg.prompts("patterns")[0]
    'Which patterns would make that ordinary, day after day?'
    >>> _ = berg.add("events", "Essays arrive on time and students ask for feedback")
    >>> _ = berg.add_behaviour("goal seeking")
    >>> berg.behaviour.pattern, berg.items("patterns")
    ('goal seeking', ())
    >>> berg.add("roots", "x")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown level 'roots' in iceberg 'Late homework'; \
known levels are 'events', 'mental models', 'patterns', 'structures'
    >>> Iceberg.from_json('{"schema": "csframework.iceberg", "version": 9}')
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: iceberg JSON schema version 9 is not supported; \
this csframework reads versions 1 to 1
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "iceberg JSON"

    def __init__(self, title: str, mode: str = "diagnostic"):
        self.title = clean_text(title, what="title", where="of an iceberg")
        self._mode = resolve(mode, {}, MODES, kind="mode", where=f"iceberg {self.title!r}")
        self._items: dict[str, list[IcebergItem]] = {name: [] for name in LEVELS}
        self._diagram: CausalLoopDiagram | None = None
        self._behaviour: Behaviour | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``"diagnostic"`` or ``"aspirational"``."""
        return self._mode

    @property
    def levels(self) -> tuple[Level, ...]:
        """The four levels with this mode's questions, from the surface down."""
        return levels(self._mode)

    def level(self, name: str) -> Level:
        """The level called `name` (aliases such as ``"trends"`` accepted)."""
        return self.levels[LEVELS.index(self._level_name(name))]

    def items(self, level: str | None = None) -> tuple[IcebergItem, ...]:
        """The items of one level, or of all levels from the surface down."""
        if level is not None:
            return tuple(self._items[self._level_name(level)])
        return tuple(item for name in LEVELS for item in self._items[name])

    @property
    def diagram(self) -> CausalLoopDiagram | None:
        """The causal loop diagram on the structures level, if any."""
        return self._diagram

    @property
    def behaviour(self) -> Behaviour | None:
        """The behaviour over time on the patterns level, if any."""
        return self._behaviour

    def prompts(self, level: str) -> tuple[str, ...]:
        """Questions a facilitator can ask at `level`, the guiding question first.

        Examples
        --------
        >>> Iceberg("Staff turnover").prompts("mental model")[-1]
        'Which belief, if it shifted, would change the most?'
        """
        return PROMPTS[self._mode][self._level_name(level)]

    # -- building --------------------------------------------------------------------------

    def add(self, level: str, text: Any, kind: str = "evidence") -> Any:
        """Write something on a level.

        Parameters
        ----------
        level : str
            ``"events"``, ``"patterns"``, ``"structures"`` or ``"mental models"``,
            in any case, with aliases such as ``"trends"`` or ``"mental model"``.
        text : str, CausalLoopDiagram or behaviour data
            Words for any level; a :class:`~csframework.cld.CausalLoopDiagram`
            on the structures level (see :meth:`attach_diagram`); a pandas
            Series or a list of numbers on the patterns level (see
            :meth:`add_behaviour`).
        kind : {"evidence", "hypothesis"}
            Whether it has been seen, or is a hunch to check.

        Returns
        -------
        IcebergItem, CausalLoopDiagram or Behaviour
            What was added. Adding the same words twice keeps one item (with
            the latest kind).

        Raises
        ------
        UnknownNameError
            For an unknown level or kind.
        DiagramError
            For empty text, or a diagram or behaviour on a level that cannot hold it.
        """
        name = self._level_name(level)
        from csframework.cld import CausalLoopDiagram

        if isinstance(text, CausalLoopDiagram):
            if name != "structures":
                raise DiagramError(f"a causal loop diagram belongs on the structures level of "
                                   f"{self._where()}, not on {name!r}")
            return self.attach_diagram(text)
        if not isinstance(text, str) and name == "patterns":
            return self.add_behaviour(text)
        text = clean_text(text, what="item", where=f"for level {name!r} of {self._where()}")
        kind = resolve(kind, KIND_ALIASES, KINDS, kind="item kind",
                       where=f"item {text!r} of {self._where()}")
        item = IcebergItem(name, text, kind)
        entries = self._items[name]
        for i, old in enumerate(entries):
            if old.text == text:
                entries[i] = item
                return item
        entries.append(item)
        return item

    def remove(self, level: str, text: str) -> IcebergItem:
        """Remove the item with these words from a level and return it.

        Raises
        ------
        UnknownNameError
            If the level holds no such item (close wordings are suggested).
        """
        name = self._level_name(level)
        return pop_item(self._items[name], text, where=f"level {name!r} of {self._where()}")

    def attach_diagram(self, cld: CausalLoopDiagram | None) -> CausalLoopDiagram | None:
        """Put a causal loop diagram on the structures level (None removes it)."""
        from csframework.cld import CausalLoopDiagram

        if cld is not None and not isinstance(cld, CausalLoopDiagram):
            raise DiagramError(f"attach_diagram() takes a CausalLoopDiagram, not "
                               f"{type(cld).__name__}; build one with "
                               "CausalLoopDiagram.from_text(...)")
        self._diagram = cld
        return cld

    def add_behaviour(self, data: Any, label: str | None = None) -> Behaviour | None:
        """Put a behaviour over time on the patterns level (None removes it).

        Parameters
        ----------
        data : pandas.Series, sequence of numbers, str or None
            Measured values (a Series, e.g. one column of simulation results),
            a sketch as a list of numbers, or the name of a pattern such as
            ``"goal seeking"`` or ``"s-shaped growth"`` (see :data:`PATTERNS`).
        label : str, optional
            What was measured.

        Examples
        --------
        >>> berg = Iceberg("Energy")
        >>> berg.add_behaviour([5, 4, 4, 3, 2], label="energy on Fridays").describe()
        'energy on Fridays'
        """
        self._behaviour = None if data is None else Behaviour.from_data(data, label)
        return self._behaviour

    def _level_name(self, level: object) -> str:
        return resolve(level, LEVEL_ALIASES, LEVELS, kind="level", where=self._where())

    def _where(self) -> str:
        return f"iceberg {self.title!r}"

    # -- text and exchange -----------------------------------------------------------------

    def _eq_key(self) -> tuple[Any, ...]:
        return self.title, self._mode, self._items, self._behaviour, self._diagram

    def _repr_head(self) -> str:
        return f" {self.title!r} ({self._mode})"

    def _repr_summary(self) -> str:
        return ", ".join([plural(len(self._items["events"]), "event"),
                          plural(len(self._items["patterns"]), "pattern"),
                          plural(len(self._items["structures"]), "structure"),
                          plural(len(self._items["mental models"]), "mental model")])

    def to_data(self) -> dict[str, Any]:
        """Title, mode, items, behaviour and diagram (the JSON without its envelope)."""
        return {
            "title": self.title,
            "mode": self._mode,
            "items": [{"level": i.level, "text": i.text, "kind": i.kind} for i in self.items()],
            "behaviour": None if self._behaviour is None else self._behaviour.to_dict(),
            "diagram": None if self._diagram is None else json.loads(self._diagram.to_json()),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Iceberg:
        """An iceberg from the fields written by :meth:`to_data`."""
        from csframework.cld import CausalLoopDiagram

        berg = cls(data["title"], mode=data.get("mode", "diagnostic"))
        for i, item in enumerate(data.get("items", [])):
            if not isinstance(item, dict) or "level" not in item or "text" not in item:
                raise FormatError(f"iceberg JSON items[{i}] needs 'level' and 'text', "
                                  f"got {item!r}")
            berg.add(item["level"], item["text"], kind=item.get("kind", "evidence"))
        if data.get("behaviour") is not None:
            berg._behaviour = Behaviour.from_dict(data["behaviour"])
        if data.get("diagram") is not None:
            berg._diagram = CausalLoopDiagram.from_json(json.dumps(data["diagram"]))
        return berg

    def to_markdown(self) -> str:
        """The iceberg as Markdown: one section per level, hypotheses in italics.

        Examples
        --------
        >>> berg = Iceberg("Late homework")
        >>> _ = berg.add("events", "Six essays came in late")
        >>> _ = berg.add("structures", "Three deadlines fall on Mondays", kind="hypothesis")
        >>> print(berg.to_markdown())  # doctest: +ELLIPSIS
        ## Iceberg: Late homework (diagnostic)
        <BLANKLINE>
        ### Events (react)
        *What happened that caught our attention?*
        <BLANKLINE>
        - Six essays came in late
        ...
        ### Structures (design)
        *What rules, routines, resources and designs keep producing these patterns?*
        <BLANKLINE>
        - *Three deadlines fall on Mondays?* (hypothesis)
        ...
        """
        heading = ("## What we want to grow: " if self._mode == "aspirational"
                   else "## Iceberg: ") + f"{self.title} ({self._mode})"
        lines = [heading, ""]
        for level in self.levels:
            lines += [f"### {level.title} ({level.response})", f"*{level.question}*", ""]
            for item in self._items[level.name]:
                if item.is_hypothesis:
                    lines.append(f"- *{item.text.rstrip('?')}?* (hypothesis)")
                else:
                    lines.append(f"- {item.text}")
            if level.name == "patterns" and self._behaviour is not None:
                lines.append(f"- behaviour over time: {self._behaviour.describe()}")
            if level.name == "structures" and self._diagram is not None:
                lines.append(f"- {diagram_note(self._diagram)}")
            if not self._items[level.name] and not lines[-1].startswith("- "):
                lines.append("- (nothing yet)")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the iceberg: the levels, their questions and items, the waterline.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw into these axes (their limits are set to the drawing's own
            size). Without them a new figure is made, sized for the current
            theme (:func:`csframework.style.current`).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Artists carry ``gid`` names: ``"level:events"`` (the ice of a level),
        ``"level-label:..."``, ``"response:..."``, ``"question:..."``,
        ``"item:<level>:<text>"``, ``"waterline"``, ``"water"``,
        ``"sparkline"``, ``"diagram-note"``, ``"direction-arrow"``, ``"title"``.

        Examples
        --------
        >>> berg = Iceberg("Late homework")
        >>> _ = berg.add("events", "Six essays came in late")
        >>> fig = berg.draw()
        >>> "waterline" in {a.get_gid() for a in fig.axes[0].get_children()}
        True
        """
        return paint(IcebergScene, self, ax)

"""Leverage points tagged on the variables and links of a causal loop diagram."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from csframework import style
from csframework._text import normalise, plural
from csframework.cld.diagram import CausalLoopDiagram, Link
from csframework.document import Document
from csframework.errors import DiagramError, UnknownNameError
from csframework.leverage.meadows import BADGE, LeveragePoint, get

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SCHEMA", "VERSION", "LeverageMap", "LeverageTag", "Target", "target_text"]

SCHEMA = "csframework.leverage-map"
VERSION = 1

Target = str | tuple[str, str]


@dataclass(frozen=True)
class LeverageTag:
    """A leverage point placed on a variable or a link of a diagram.

    Attributes
    ----------
    target : str or (str, str)
        A variable's name, or a link as (cause, effect).
    point : LeveragePoint
    note : str or None
        What the intervention would be, in the group's words.
    """

    target: Target
    point: LeveragePoint
    note: str | None = None

    @property
    def kind(self) -> str:
        """``"variable"`` or ``"link"``."""
        return "link" if isinstance(self.target, tuple) else "variable"

    @property
    def label(self) -> str:
        """The target as text: ``"trust"`` or ``"trust -> sharing"``."""
        return target_text(self.target)

    def __repr__(self) -> str:
        note = f": {self.note}" if self.note else ""
        return f"<LeverageTag {self.point.number} ({self.point.name}) on {self.label!r}{note}>"


class LeverageMap(Document):
    """Leverage points tagged on a causal loop diagram.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The diagram to tag (kept by reference: later edits to it show in the drawing).

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text('''
    ...     absences -> workload : +
    ...     workload -> absences : + delay
    ...     reported absences -> support : +
    ...     support -> workload : -
    ...     absences -> reported absences : +
    ... ''', title="Staff absence")
    >>> lm = LeverageMap(cld)
    >>> lm.tag("reported absences", "information flows", note="share weekly with all staff")
    <LeverageTag 6 (information flows) on 'reported absences': share weekly with all staff>
    >>> lm.tag("workload -> absences", 9)
    <LeverageTag 9 (delays) on 'workload -> absences'>
    >>> [t.label for t in lm.tags()]
    ['reported absences', 'workload -> absences']
    >>> LeverageMap.from_json(lm.to_json()).tags() == lm.tags()
    True
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = VERSION
    JSON_WHAT = "a leverage map"
    JSON_ERRORS = (KeyError, TypeError)

    def __init__(self, cld: CausalLoopDiagram):
        if not isinstance(cld, CausalLoopDiagram):
            raise DiagramError(f"LeverageMap needs a CausalLoopDiagram, not "
                               f"{type(cld).__name__}")
        self.cld = cld
        self._tags: list[LeverageTag] = []

    def tag(self, target: str | tuple[str, str] | Link, point: int | str | LeveragePoint,
            note: str | None = None) -> LeverageTag:
        """Tag a variable or a link with a leverage point.

        Parameters
        ----------
        target : str, (str, str) or Link
            A variable's name, a link written ``"cause -> effect"``, a (cause, effect)
            pair, or a Link of the diagram. Case and extra spaces are forgiven.
        point : int, str or LeveragePoint
            As for :func:`get`.
        note : str, optional
            The intervention in a few words. Tagging the same target with the same
            point again replaces the note.

        Returns
        -------
        LeverageTag

        Raises
        ------
        UnknownNameError
            For a variable or link not in the diagram, or an unknown leverage point.
        """
        resolved = self._resolve(target)
        chosen = get(point)
        if note is not None and not isinstance(note, str):
            raise DiagramError(f"a tag's note must be text, not {type(note).__name__}")
        text = " ".join(note.split()) if note else None
        new = LeverageTag(resolved, chosen, text or None)
        for i, old in enumerate(self._tags):
            if old.target == resolved and old.point == chosen:
                self._tags[i] = new
                return new
        self._tags.append(new)
        return new

    def untag(self, target: str | tuple[str, str] | Link,
              point: int | str | LeveragePoint | None = None) -> int:
        """Remove the tags on `target` (only those of `point`, if given); returns how many."""
        resolved = self._resolve(target)
        chosen = None if point is None else get(point)
        keep = [t for t in self._tags
                if not (t.target == resolved and (chosen is None or t.point == chosen))]
        removed = len(self._tags) - len(keep)
        self._tags = keep
        return removed

    def tags(self) -> tuple[LeverageTag, ...]:
        """The tags, in the order they were made."""
        return tuple(self._tags)

    def table(self) -> pd.DataFrame:
        """The tags as a table, deepest leverage first."""
        rows = [{"point": t.point.number, "leverage": t.point.name, "realm": t.point.realm,
                 "on": t.label, "note": t.note or ""}
                for t in sorted(self._tags, key=lambda t: t.point.number)]
        return pd.DataFrame(rows, columns=["point", "leverage", "realm", "on", "note"])

    def _resolve(self, target: Any) -> Target:
        variables = [v.name for v in self.cld.variables]
        by_key = {normalise(v): v for v in variables}
        if isinstance(target, Link):
            target = (target.cause, target.effect)
        if isinstance(target, str) and "->" in target and normalise(target) not in by_key:
            parts = target.split("->")
            if len(parts) != 2:
                raise DiagramError(f"write a link as 'cause -> effect', not {target!r}")
            target = (parts[0], parts[1])
        if isinstance(target, tuple) and len(target) == 2:
            cause = by_key.get(normalise(target[0]))
            effect = by_key.get(normalise(target[1]))
            known = [f"{k.cause} -> {k.effect}" for k in self.cld.links]
            if cause is None or effect is None or not any(
                    (k.cause, k.effect) == (cause, effect) for k in self.cld.links):
                raise UnknownNameError(f"{target[0].strip()} -> {target[1].strip()}", known,
                                       kind="link", where=self.cld.where)
            return (cause, effect)
        if isinstance(target, str):
            if target in variables:
                return target
            if normalise(target) in by_key:
                return by_key[normalise(target)]
            raise UnknownNameError(target, variables, kind="variable", where=self.cld.where)
        raise DiagramError(f"tag a variable (its name) or a link ('cause -> effect'), not "
                           f"{type(target).__name__} {target!r}")

    # -- drawing ------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None, seed: int = 0, show_key: bool = True,
             **draw_kwargs: Any) -> Figure:
        """The diagram with a small numbered badge at every tagged variable and link.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into these axes; by default a new figure with a key beneath.
        seed : int, default 0
            Passed to :func:`csframework.cld.draw.layout`.
        show_key : bool, default True
            List the tags under the drawing (own figure only).
        **draw_kwargs
            Passed to the diagram's own draw (``highlight``, ``show_loops``, ``title``).

        Returns
        -------
        matplotlib.figure.Figure
            The same picture every time for the same map.

        Examples
        --------
        >>> from csframework.cld import CausalLoopDiagram
        >>> lm = LeverageMap(CausalLoopDiagram.from_text("a -> b : +\\nb -> a : - delay"))
        >>> _ = lm.tag("a", "goals"); _ = lm.tag("b -> a", "delays")
        >>> fig = lm.draw()
        >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid().startswith("badge"))
        ['3', '9']
        """
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from csframework.cld.draw import layout

        positions = layout(self.cld, seed=seed)
        theme = style.current()
        key = show_key and ax is None
        with matplotlib.rc_context(theme.rc()):
            if ax is None:
                natural = self.cld.draw(layout=positions, **draw_kwargs)
                width, height = natural.get_figwidth(), natural.get_figheight()
                natural.clear()
                width = max(width, 6.0)
                chars = int((width - 0.5) * 72 / (theme.font_size * 0.9 * 0.58))
                lines = self._key_lines(chars) if key else []
                facets = any(v.facet for v in self.cld.variables)
                line_in = theme.font_size * 1.45 / 72.0
                band = (len(lines) + (1.6 if facets else 0) + (0.8 if lines else 0)) * line_in
                title_in = theme.title_size * 2.2 / 72.0 if self.cld.title else 0.0
                height += title_in
                figure = Figure(figsize=(width, height + band), dpi=theme.dpi,
                                facecolor="white")
                FigureCanvasAgg(figure)
                total = height + band
                ax = figure.add_axes((0.0, band / total, 1.0, (height - title_in) / total))
                self.cld.draw(ax=ax, layout=positions, **draw_kwargs)
                start = (band - (1.6 if facets else 0) * line_in - 0.4 * line_in) / total
                for i, line in enumerate(lines):
                    figure.text(0.03, start - i * line_in / total, line, ha="left", va="top",
                                fontsize=theme.font_size * 0.9, color=style.PALETTE["text"],
                                gid="leverage-key")
            else:
                self.cld.draw(ax=ax, layout=positions, **draw_kwargs)
            self._paint_badges(ax, theme)
        return ax.figure

    def _key_lines(self, width: int = 95) -> list[str]:
        if not self._tags:
            return ["No leverage points tagged yet."]
        lines = []
        for t in sorted(self._tags, key=lambda t: (t.point.number, self._tags.index(t))):
            missing = "" if self._exists(t.target) else " (no longer in the diagram)"
            note = f": {t.note}" if t.note else ""
            text = f"{t.point.number} · {t.point.name} · on {t.label}{missing}{note}"
            lines.extend(textwrap.wrap(text, max(width, 30), subsequent_indent="      "))
        return lines

    def _exists(self, target: Target) -> bool:
        if isinstance(target, tuple):
            return any((k.cause, k.effect) == target for k in self.cld.links)
        return target in self.cld

    def _paint_badges(self, ax: Axes, theme: style.Theme) -> None:
        figure = ax.figure
        if not hasattr(figure.canvas, "get_renderer"):  # a bare Figure: give it a canvas
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(figure)
        renderer = figure.canvas.get_renderer()
        to_data = ax.transData.inverted()
        labels = {t.get_gid()[len("label:"):]: t for t in ax.texts
                  if (t.get_gid() or "").startswith("label:")}
        links = {p.get_gid()[len("link:"):]: p for p in ax.patches
                 if (p.get_gid() or "").startswith("link:")}
        size = theme.node_font_size * 0.78
        step = size * 1.9  # points between two badges on one target
        placed: dict[Target, int] = {}
        for t in self._tags:
            if isinstance(t.target, tuple):
                patch = links.get(f"{t.target[0]}->{t.target[1]}")
                if patch is None:
                    continue
                path = getattr(patch, "_path_original", None) or patch.get_path()
                v = path.vertices
                t_ = 0.33  # a third of the way: clear of the delay mark and the sign
                anchor = (1 - t_) ** 2 * v[0] + 2 * t_ * (1 - t_) * v[1] + t_ ** 2 * v[2]
                offset = (0.0, 0.0)
            else:
                text = labels.get(t.target)
                if text is None:
                    continue
                box = text.get_window_extent(renderer)
                anchor = to_data.transform((box.x1, box.y1))
                offset = (size * 0.9, size * 0.35)
            i = placed.get(t.target, 0)
            placed[t.target] = i + 1
            ax.annotate(str(t.point.number), xy=tuple(anchor), xycoords="data",
                        xytext=(offset[0] + i * step, offset[1]), textcoords="offset points",
                        ha="center", va="center", fontsize=size, fontweight="bold",
                        color=style.PALETTE["text"], zorder=8, annotation_clip=False,
                        bbox={"boxstyle": "circle,pad=0.22", "facecolor": BADGE,
                              "edgecolor": style.PALETTE["text"], "linewidth": 0.8},
                        gid=f"badge:{t.label}")

    def _repr_head(self) -> str:
        return f" {self.cld.title!r}" if self.cld.title else ""

    def _repr_summary(self) -> str:
        return plural(len(self._tags), "tag")

    # -- saving -------------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """The diagram and its tags as plain data (the JSON without its envelope)."""
        return {"diagram": json.loads(self.cld.to_json()),
                "tags": [{"target": list(t.target) if isinstance(t.target, tuple)
                          else t.target, "point": t.point.number, "note": t.note}
                         for t in self._tags]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LeverageMap:
        """A map from the fields written by :meth:`to_data`."""
        cld = CausalLoopDiagram.from_json(json.dumps(data["diagram"]))
        result = cls(cld)
        for t in data.get("tags", []):
            target = tuple(t["target"]) if isinstance(t["target"], list) else t["target"]
            result.tag(target, int(t["point"]), t.get("note"))
        return result

    @classmethod
    def _json_error(cls, err: BaseException) -> str:
        return f"a leverage map's JSON is incomplete: {err!r}"


def target_text(target: Target) -> str:
    """A variable's name, or a link as ``"cause -> effect"``."""
    return f"{target[0]} -> {target[1]}" if isinstance(target, tuple) else target


# -- suggestions ---------------------------------------------------------------------------

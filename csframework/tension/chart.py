"""The creative-tension chart: a vision, current reality and the actions between them.

The chart itself (:class:`CreativeTension`) and its picture, a rubber band
stretched between two boxes. The simulation lives in :mod:`csframework.tension.runs`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import LINE, paint, wrap
from csframework._text import clean_text, plural, tidy
from csframework.document import Document
from csframework.errors import CSFrameworkError, DiagramError, UnknownNameError
from csframework.tension.runs import (
    ERODE_COLOUR,
    PULL_COLOUR,
    SCENARIOS,
    TensionRuns,
    eroding_goals_model,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SCHEMA", "SCHEMA_VERSION", "CreativeTension"]

SCHEMA = "csframework.tension"
SCHEMA_VERSION = 1

_BAND = "#B5651D"      # a rubber band
_VISION_FILL = "#FFF1C9"
_REALITY_FILL = "#DCEEF9"


def _level(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DiagramError(f"{what} must be a finite number (or None), not {value!r}")
    return float(value)


class CreativeTension(Document):
    """A creative-tension chart: vision, current reality and actions.

    Parameters
    ----------
    vision : str
        What we truly want to create, in the present tense if possible.
    current_reality : str
        An honest description of where things stand now.
    actions : iterable of str, optional
        Steps that move reality towards the vision.
    vision_level, current_level : float, optional
        Numbers for the two, on any scale the participant chooses (e.g. 0 to
        100); when both are given :attr:`gap` is their difference and
        :meth:`simulate` starts from them.

    Examples
    --------
    >>> ct = CreativeTension("I end the week with energy left", "I am drained by Thursday")
    >>> ct.gap is None
    True
    >>> CreativeTension("", "now")
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: empty vision of a creative-tension chart; write a few words
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "creative-tension JSON"
    JSON_ERRORS = (CSFrameworkError, TypeError, KeyError)

    def __init__(self, vision: str, current_reality: str, actions: Iterable[str] = (), *,
                 vision_level: float | None = None, current_level: float | None = None):
        self.vision = vision
        self.current_reality = current_reality
        self._actions: list[str] = []
        if isinstance(actions, str):
            actions = [actions]
        for action in actions:
            self.add_action(action)
        self.vision_level = vision_level
        self.current_level = current_level

    # -- the two pictures ----------------------------------------------------------------

    @property
    def vision(self) -> str:
        """What we truly want to create."""
        return self._vision

    @vision.setter
    def vision(self, text: str) -> None:
        self._vision = clean_text(text, what="vision", where="of a creative-tension chart")

    @property
    def current_reality(self) -> str:
        """Where things stand now, told honestly."""
        return self._reality

    @current_reality.setter
    def current_reality(self, text: str) -> None:
        self._reality = clean_text(text, what="current reality",
                                   where="of a creative-tension chart")

    @property
    def vision_level(self) -> float | None:
        """The vision as a number, if given."""
        return self._vision_level

    @vision_level.setter
    def vision_level(self, value: float | None) -> None:
        self._vision_level = _level(value, "vision_level")

    @property
    def current_level(self) -> float | None:
        """Current reality as a number, if given."""
        return self._current_level

    @current_level.setter
    def current_level(self, value: float | None) -> None:
        self._current_level = _level(value, "current_level")

    @property
    def gap(self) -> float | None:
        """``vision_level - current_level``: the creative tension, or None without numbers."""
        if self._vision_level is None or self._current_level is None:
            return None
        return self._vision_level - self._current_level

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions, in the order they were added."""
        return tuple(self._actions)

    def add_action(self, text: str) -> str:
        """Add an action (the same words twice are kept once) and return it."""
        action = clean_text(text, what="action", where="of a creative-tension chart")
        if action not in self._actions:
            self._actions.append(action)
        return action

    def remove_action(self, text: str) -> str:
        """Remove an action and return it; close wordings are suggested when it is missing."""
        cleaned = tidy(text)
        if cleaned not in self._actions:
            raise UnknownNameError(str(text), self._actions, kind="action",
                                   where="the creative-tension chart")
        self._actions.remove(cleaned)
        return cleaned

    # -- simulation -----------------------------------------------------------------------

    def simulate(self, hold_vision: bool | None = None, *, stop: float = 52.0,
                 adjustment_time: float = 8.0, erosion_time: float = 6.0,
                 dt: float = 0.25) -> TensionRuns:
        """Run the eroding-goals model from this chart's starting point.

        Parameters
        ----------
        hold_vision : bool or None, default None
            True runs only the vision held, False only the vision eroding;
            None runs both, to contrast them.
        stop : float, default 52
            Weeks to simulate.
        adjustment_time : float, default 8
            Average weeks for actions to raise current reality.
        erosion_time : float, default 6
            Average weeks for the discomfort of the gap to lower the vision.
        dt : float, default 0.25

        Returns
        -------
        TensionRuns
            With ``results`` (an ensemble when both ran), ``frame``,
            ``final(...)`` and ``plot()``. Without numbers on the chart the
            vision starts at 100 and reality at 40.

        Examples
        --------
        >>> ct = CreativeTension("v", "r", vision_level=10, current_level=4)
        >>> runs = ct.simulate(hold_vision=False)
        >>> runs.scenarios
        ('vision eroding',)
        >>> runs.final("vision", "vision eroding") < 10
        True
        """
        if hold_vision is None:
            scenarios = SCENARIOS
        elif isinstance(hold_vision, bool):
            scenarios = (SCENARIOS[0],) if hold_vision else (SCENARIOS[1],)
        else:
            raise DiagramError(f"hold_vision must be True, False or None (both runs), "
                               f"not {hold_vision!r}")
        vision = 100.0 if self._vision_level is None else self._vision_level
        reality = 40.0 if self._current_level is None else self._current_level
        model = eroding_goals_model(vision, reality, adjustment_time=adjustment_time,
                                    erosion_time=erosion_time, stop=stop, dt=dt)
        erosion = [0.0 if s == "vision held" else 1.0 for s in scenarios]
        params = {"erosion": erosion if len(erosion) > 1 else erosion[0]}
        return TensionRuns(model.run(params=params), scenarios)

    # -- text and exchange -------------------------------------------------------------------

    def _repr_head(self) -> str:
        vision = self._vision if len(self._vision) <= 30 else self._vision[:29].rstrip() + "…"
        return f" {vision!r}"

    def _repr_summary(self) -> str:
        gap = "" if self.gap is None else f", gap {self.gap:g}"
        return f"{plural(len(self._actions), 'action')}{gap}"

    def to_data(self) -> dict[str, Any]:
        """The chart's texts, actions and numbers (its JSON without the envelope)."""
        return {"vision": self._vision, "current_reality": self._reality,
                "actions": list(self._actions), "vision_level": self._vision_level,
                "current_level": self._current_level}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CreativeTension:
        """A chart from the fields written by :meth:`to_data`."""
        return cls(data["vision"], data["current_reality"], data.get("actions", ()),
                   vision_level=data.get("vision_level"),
                   current_level=data.get("current_level"))

    @classmethod
    def _json_error(cls, err: BaseException) -> str:
        return f"invalid creative-tension JSON: missing or bad {err}"

    def to_markdown(self) -> str:
        """The chart as a Markdown table: vision | current reality | actions.

        Examples
        --------
        >>> print(CreativeTension("Calm mornings", "Rushed mornings", ["Pack bags at night"])
        ...       .to_markdown())
        ## Creative tension
        <BLANKLINE>
        | Vision | Current reality | Actions |
        |---|---|---|
        | Calm mornings | Rushed mornings | Pack bags at night |
        """
        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        actions = "<br>".join(cell(a) for a in self._actions) or "(none yet)"
        lines = ["## Creative tension", "", "| Vision | Current reality | Actions |",
                 "|---|---|---|", f"| {cell(self._vision)} | {cell(self._reality)} | {actions} |"]
        if self.gap is not None:
            lines += ["", f"Gap: {self._vision_level:g} - {self._current_level:g} = "
                          f"{self.gap:g}"]
        return "\n".join(lines) + "\n"

    # -- drawing -------------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the chart: the band stretched between vision and reality, and the actions.

        The band is stretched between the vision above and current reality
        below. A green arrow shows creative tension pulling reality up; a red
        dashed arrow shows the danger of relieving the tension the other way,
        by pulling the vision down (eroding goals).

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Artists carry ``gid`` names: ``"vision"``, ``"vision-text"``,
        ``"reality"``, ``"reality-text"``, ``"band"``, ``"peg:vision"``,
        ``"peg:reality"``, ``"pull-up"``, ``"pull-up-label"``, ``"erosion"``,
        ``"erosion-label"``, ``"actions-heading"``, ``"action:<text>"``,
        ``"gap"`` (with numbers), ``"title"``.

        Examples
        --------
        >>> fig = CreativeTension("Calm mornings", "Rushed mornings").draw()
        >>> {"band", "pull-up", "erosion"} <= {a.get_gid() for a in fig.axes[0].patches}
        True
        """
        return paint(_TensionScene, self, ax)


class _TensionScene:
    """Layout of the creative-tension chart, in em."""

    WIDTH = 58.0
    MARGIN = 1.5
    BOX_LEFT, BOX_RIGHT = 7.0, 31.0
    ACTIONS_LEFT = 35.0
    BAND_LENGTH = 13.0

    def __init__(self, chart: CreativeTension, theme: style.Theme):
        self.chart = chart
        self.theme = theme
        self.width = self.WIDTH
        self.title_ratio = theme.title_size / theme.font_size
        box_text = self.BOX_RIGHT - self.BOX_LEFT - 2.0
        self.vision_lines = wrap(chart.vision, box_text, 1.05)
        self.reality_lines = wrap(chart.current_reality, box_text, 1.05)
        action_width = self.width - self.ACTIONS_LEFT - self.MARGIN - 1.3
        self.action_lines = [(a, wrap(a, action_width)) for a in chart.actions]
        self.vision_h = 2.4 + LINE * 1.05 * len(self.vision_lines)
        self.reality_h = 2.4 + LINE * 1.05 * len(self.reality_lines)
        self.top_band = 2.2 + LINE * self.title_ratio + LINE * 0.9
        left = self.vision_h + self.BAND_LENGTH + self.reality_h
        right = 2.0 + LINE * max(2, sum(len(lines) for _, lines in self.action_lines))
        self.height = self.top_band + max(left, right) + 1.5
        self.vision_top = self.height - self.top_band
        self.vision_bottom = self.vision_top - self.vision_h
        self.reality_top = self.vision_bottom - self.BAND_LENGTH

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

        theme, size = self.theme, self.theme.font_size
        text = style.PALETTE["text"]
        top = self.height - 1.2
        ax.text(self.MARGIN, top, "Creative tension", fontsize=theme.title_size,
                fontweight="bold", color=text, ha="left", va="top", gid="title")
        ax.text(self.MARGIN, top - LINE * self.title_ratio - 0.2,
                "Hold the vision and current reality together; let the gap pull reality up.",
                fontsize=size * 0.9, color="#555555", style="italic", ha="left", va="top",
                gid="subtitle")
        # the two boxes
        for key, label, lines, top_y, height, fill, edge in (
                ("vision", "VISION", self.vision_lines, self.vision_top, self.vision_h,
                 _VISION_FILL, "#C9A227"),
                ("reality", "CURRENT REALITY", self.reality_lines, self.reality_top,
                 self.reality_h, _REALITY_FILL, "#5A8DB8")):
            ax.add_patch(FancyBboxPatch((self.BOX_LEFT, top_y - height),
                                        self.BOX_RIGHT - self.BOX_LEFT, height,
                                        boxstyle="round,pad=0,rounding_size=0.8",
                                        facecolor=fill, edgecolor=edge, linewidth=1.5,
                                        zorder=2, gid=key))
            ax.text(self.BOX_LEFT + 1.0, top_y - 0.7, label, fontsize=size * 0.85,
                    fontweight="bold", color=edge if key == "reality" else "#8A6A00",
                    ha="left", va="top", zorder=3, gid=f"{key}-label")
            y = top_y - 0.7 - LINE * 0.95
            for k, line in enumerate(lines):
                ax.text(self.BOX_LEFT + 1.0, y, line, fontsize=size * 1.05, color=text,
                        ha="left", va="top", zorder=3,
                        gid=f"{key}-text" if k == 0 else f"{key}-text:{k}")
                y -= LINE * 1.05
        self._paint_band(ax)
        # the pulls
        centre = (self.BOX_LEFT + self.BOX_RIGHT) / 2
        low, high = self.reality_top - 0.3, self.vision_bottom + 0.3
        x_up = centre + 3.2
        ax.add_patch(FancyArrowPatch((x_up, low + 1.5), (x_up, high - 1.5), arrowstyle="-|>",
                                     mutation_scale=size * 1.8, linewidth=theme.line_width * 1.3,
                                     color=PULL_COLOUR, zorder=4, gid="pull-up"))
        ax.text(x_up + 1.0, (low + high) / 2 + 1.6, "creative tension", fontsize=size,
                fontweight="bold", color=PULL_COLOUR, ha="left", va="center", gid="pull-up-label")
        ax.text(x_up + 1.0, (low + high) / 2 + 0.3, "pulls reality up\nthrough our actions",
                fontsize=size * 0.9, color=PULL_COLOUR, ha="left", va="top",
                gid="pull-up-detail")
        x_down = centre - 3.2
        ax.add_patch(FancyArrowPatch((x_down, high - 1.5), (x_down, low + 1.5),
                                     arrowstyle="-|>", mutation_scale=size * 1.6,
                                     linewidth=theme.line_width, linestyle=(0, (4, 3)),
                                     color=ERODE_COLOUR, zorder=4, gid="erosion"))
        ax.text(x_down - 1.0, (low + high) / 2 + 1.6, "the danger:", fontsize=size,
                fontweight="bold", color=ERODE_COLOUR, ha="right", va="center",
                gid="erosion-label")
        ax.text(x_down - 1.0, (low + high) / 2 + 0.3,
                "emotional tension\nlowers the vision\n(eroding goals)", fontsize=size * 0.9,
                color=ERODE_COLOUR, ha="right", va="top", gid="erosion-detail")
        if self.chart.gap is not None:
            self._paint_gap(ax)
        self._paint_actions(ax)

    def _paint_band(self, ax: Axes) -> None:
        import numpy as np
        from matplotlib.patches import Circle, PathPatch
        from matplotlib.path import Path

        centre = (self.BOX_LEFT + self.BOX_RIGHT) / 2
        r = 0.55
        y_top, y_bottom = self.vision_bottom - 0.9, self.reality_top + 0.9
        for name, y in (("vision", y_top), ("reality", y_bottom)):
            ax.add_patch(Circle((centre, y), r, facecolor="#555555", edgecolor="none",
                                zorder=6, gid=f"peg:{name}"))
        # a loop around both pegs, thinner in the middle where it is stretched
        t = np.linspace(0, 1, 40)
        squeeze = 0.45 * np.sin(np.pi * t)
        half = r + 0.25
        right = np.column_stack([centre + half - squeeze, y_top + (y_bottom - y_top) * t])
        left = np.column_stack([centre - half + squeeze, y_bottom + (y_top - y_bottom) * t])
        bottom_arc = np.column_stack([centre + half * np.cos(np.linspace(0, -np.pi, 16)),
                                      y_bottom + half * np.sin(np.linspace(0, -np.pi, 16))])
        top_arc = np.column_stack([centre + half * np.cos(np.linspace(np.pi, 0, 16)),
                                   y_top + half * np.sin(np.linspace(np.pi, 0, 16))])
        outline = np.vstack([top_arc, right, bottom_arc, left])
        ax.add_patch(PathPatch(Path(outline, closed=False), facecolor="none", edgecolor=_BAND,
                               linewidth=self.theme.line_width * 1.2, zorder=5, gid="band"))

    def _paint_gap(self, ax: Axes) -> None:
        chart = self.chart
        x = 3.2
        y_v, y_r = self.vision_bottom - 0.9, self.reality_top + 0.9
        colour = "#444444"
        size = self.theme.font_size
        ax.plot([x, x], [y_r, y_v], color=colour, linewidth=1.2, zorder=3, gid="gap-scale")
        for y, value in ((y_v, chart.vision_level), (y_r, chart.current_level)):
            ax.plot([x - 0.4, x + 0.4], [y, y], color=colour, linewidth=1.2, zorder=3)
            ax.text(x - 0.6, y, f"{value:g}", fontsize=size * 0.9, color=colour, ha="right",
                    va="center", zorder=3)
        ax.text(x + 0.6, (y_v + y_r) / 2, f"gap\n{chart.gap:g}", fontsize=size * 0.95,
                fontweight="bold", color=colour, ha="left", va="center", zorder=3, gid="gap")

    def _paint_actions(self, ax: Axes) -> None:
        size = self.theme.font_size
        text = style.PALETTE["text"]
        y = self.vision_top - 0.7
        ax.text(self.ACTIONS_LEFT, y, "ACTIONS", fontsize=size * 0.85, fontweight="bold",
                color=PULL_COLOUR, ha="left", va="top", gid="actions-heading")
        y -= LINE * 1.1
        if not self.action_lines:
            for line in wrap("What is one step that would move reality towards the vision?",
                             self.width - self.ACTIONS_LEFT - self.MARGIN, 0.95):
                ax.text(self.ACTIONS_LEFT, y, line, fontsize=size * 0.95, color="#666666",
                        style="italic", ha="left", va="top", gid="actions-empty")
                y -= LINE
            return
        for action, lines in self.action_lines:
            ax.text(self.ACTIONS_LEFT, y, "\u2192", fontsize=size, color=PULL_COLOUR, ha="left",
                    va="top", fontweight="bold", gid=f"marker:{action}")
            for k, line in enumerate(lines):
                ax.text(self.ACTIONS_LEFT + 1.3, y, line, fontsize=size, color=text, ha="left",
                        va="top", gid=f"action:{action}" if k == 0 else f"action-line:{k}")
                y -= LINE

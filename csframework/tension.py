"""Creative tension: holding a vision and current reality together.

The practice (from Robert Fritz's work, taken into personal mastery by Peter
Senge) asks for two clear pictures at once: the **vision**, what we truly want
to create, and **current reality**, an honest account of where we stand. The
gap between them is like a rubber band stretched between two hands. The band
wants to relax; it can do so in two ways. Either reality rises towards the
vision, through our **actions**, or the vision sinks towards reality, because
the discomfort of the gap (emotional tension) tempts us to want less. The
second way is the *eroding goals* archetype, applied to oneself.

:meth:`CreativeTension.simulate` runs that archetype as a small
stock-and-flow model, once with the vision held and once with the vision free
to erode, so the difference can be seen rather than argued.

Examples
--------
>>> from csframework.tension import CreativeTension
>>> ct = CreativeTension("Every student feels known by at least one adult",
...                      "About half say no adult knows them well",
...                      vision_level=100, current_level=50)
>>> ct.add_action("Start advisory groups of eight")
'Start advisory groups of eight'
>>> ct.gap
50.0
>>> ct
<CreativeTension 'Every student feels known by…': 1 action, gap 50>
>>> runs = ct.simulate()
>>> round(runs.final("reality", "vision held")), round(runs.final("reality", "vision eroding"))
(100, 71)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import LINE, figure_to_png, figure_to_svg, load_json, paint, wrap
from csframework._text import clean_text, plural
from csframework.errors import CSFrameworkError, DiagramError, FormatError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.sd import Results, StockFlowModel

__all__ = ["SCENARIOS", "CreativeTension", "TensionRuns", "eroding_goals_model"]

SCHEMA = "csframework.tension"
SCHEMA_VERSION = 1

#: The two runs of :meth:`CreativeTension.simulate`, in order.
SCENARIOS = ("vision held", "vision eroding")

_PULL = "#008460"      # creative tension: bluish green, dark enough for text on white
_ERODE = "#CC3311"     # the danger: the palette's 'negative'
_BAND = "#B5651D"      # a rubber band
_VISION_FILL = "#FFF1C9"
_REALITY_FILL = "#DCEEF9"


def _level(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DiagramError(f"{what} must be a finite number (or None), not {value!r}")
    return float(value)


def eroding_goals_model(vision: float = 100.0, reality: float = 40.0, *,
                        adjustment_time: float = 8.0, erosion_time: float = 6.0,
                        stop: float = 52.0, dt: float = 0.25,
                        time_unit: str = "week") -> StockFlowModel:
    """The eroding-goals structure as a stock-and-flow model.

    Two stocks face each other across a gap. Corrective action closes the gap
    by raising reality, taking `adjustment_time` on average. Pressure to
    relieve the gap lowers the vision, taking `erosion_time`, but only as far
    as the constant ``erosion`` allows: 0 holds the vision, 1 lets it erode.

    Parameters
    ----------
    vision, reality : float
        Where the vision and current reality start.
    adjustment_time, erosion_time : float
        Average times for action to raise reality and for pressure to lower the vision.
    stop, dt : float
        Length of the run and time step.
    time_unit : str

    Returns
    -------
    StockFlowModel

    Examples
    --------
    >>> model = eroding_goals_model()
    >>> model
    <StockFlowModel 'Eroding goals': 2 stocks, 2 flows, 1 auxiliary, 3 constants>
    >>> res = model.run(params={"erosion": 0})
    >>> round(float(res["reality"].iloc[-1]))
    100
    """
    from csframework.sd import StockFlowModel

    model = StockFlowModel("Eroding goals", start=0, stop=stop, dt=dt, time_unit=time_unit)
    model.constant("adjustment_time", adjustment_time, units=time_unit,
                   doc="how long corrective action takes to raise reality")
    model.constant("erosion_time", erosion_time, units=time_unit,
                   doc="how long the pressure of the gap takes to lower the vision")
    model.constant("erosion", 1, min=0, max=1, step=1,
                   doc="1 lets the vision erode under pressure, 0 holds it")
    model.stock("vision", vision, outflows=["vision_erosion"], label="vision",
                doc="what we truly want")
    model.stock("reality", reality, inflows=["corrective_action"], label="current reality",
                doc="where we stand")
    model.auxiliary("gap", "vision - reality", label="creative tension (the gap)")
    model.flow("corrective_action", "gap / adjustment_time", label="corrective action")
    model.flow("vision_erosion", "erosion * gap / erosion_time",
               label="lowering the vision")
    return model


@dataclass(frozen=True, eq=False)
class TensionRuns:
    """The runs of :meth:`CreativeTension.simulate`: vision held, vision eroding, or both.

    Attributes
    ----------
    results : Results
        The simulation output; an ensemble with one member per scenario when
        both were run (member 0 held, member 1 eroding).
    scenarios : tuple of str
        Which of :data:`SCENARIOS` were run, in member order.
    """

    results: Results
    scenarios: tuple[str, ...]

    def run(self, scenario: str) -> Results:
        """The results of one scenario, ``"vision held"`` or ``"vision eroding"``."""
        index = self._index(scenario)
        if self.results.is_ensemble:
            return self.results.member(index)
        return self.results

    @property
    def frame(self) -> pd.DataFrame:
        """Vision, reality and gap of every scenario side by side, indexed by time.

        Columns are ``"vision (vision held)"``, ``"reality (vision held)"``, ...
        """
        import pandas as pd

        columns = {}
        for scenario in self.scenarios:
            res = self.run(scenario)
            for name in ("vision", "reality", "gap"):
                columns[f"{name} ({scenario})"] = res[name]
        return pd.DataFrame(columns)

    def final(self, variable: str, scenario: str) -> float:
        """The last value of ``"vision"``, ``"reality"`` or ``"gap"`` in a scenario."""
        if variable not in ("vision", "reality", "gap"):
            raise UnknownNameError(variable, ("vision", "reality", "gap"), kind="variable",
                                   where="the creative-tension runs")
        return float(self.run(scenario)[variable].iloc[-1])

    def _index(self, scenario: str) -> int:
        key = " ".join(str(scenario).lower().split())
        if key in self.scenarios:
            return self.scenarios.index(key)
        raise UnknownNameError(str(scenario), self.scenarios, kind="scenario",
                               where="the creative-tension runs")

    def __repr__(self) -> str:
        parts = [f"{s}: reality ends at {self.final('reality', s):.0f}" for s in self.scenarios]
        return f"<TensionRuns {'; '.join(parts)}>"

    def plot(self, ax: Axes | None = None, title: str | None = None) -> Figure:
        """Behaviour over time of vision and reality, one colour per scenario.

        Solid lines are current reality, dashed lines the vision. Holding the
        vision, reality climbs to it; letting it erode, the two meet lower down.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> fig = CreativeTension("v", "r").simulate().plot()
        >>> sorted(line.get_gid() for line in fig.axes[0].lines)  # doctest: +NORMALIZE_WHITESPACE
        ['reality:vision eroding', 'reality:vision held',
         'vision:vision eroding', 'vision:vision held']
        """
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        theme = style.current()
        colours = {"vision held": _PULL, "vision eroding": _ERODE}
        with matplotlib.rc_context(theme.rc()):
            if ax is None:
                figure = Figure(figsize=(theme.figure_width, theme.figure_height),
                                dpi=theme.dpi, facecolor="white")
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
            for scenario in self.scenarios:
                res = self.run(scenario)
                time = res.time
                colour = colours[scenario]
                ax.plot(time, res["vision"].to_numpy(), color=colour, linestyle=(0, (5, 3)),
                        label=f"vision ({scenario.split()[1]})", gid=f"vision:{scenario}")
                ax.plot(time, res["reality"].to_numpy(), color=colour,
                        label=f"current reality ({scenario.split()[1]})",
                        gid=f"reality:{scenario}")
                end = float(res["reality"].iloc[-1])
                ax.annotate(f"{end:.0f}", (time[-1], end), xytext=(6, 0),
                            textcoords="offset points", va="center", color=colour,
                            fontweight="bold", gid=f"end:{scenario}")
            unit = self.results.time_unit
            ax.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit}s)")
            ax.set_ylabel("level")
            ax.set_xlim(float(self.results.time[0]), float(self.results.time[-1]))
            if title is None:
                title = ("Holding the vision closes the gap; letting it erode settles for less"
                         if len(self.scenarios) == 2 else f"Creative tension: {self.scenarios[0]}")
            ax.set_title(title, loc="left", fontsize=theme.font_size * 1.05)
            ax.legend(frameon=False, loc="lower right", ncols=2 if len(self.scenarios) == 2
                      else 1, fontsize=theme.font_size * 0.85)
        return ax.figure

    def to_png(self) -> bytes:
        """The plot as PNG bytes."""
        return figure_to_png(self.plot())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged plot)."""
        return figure_to_svg(self.plot())

    def _repr_svg_(self) -> str:
        return self.to_svg()


class CreativeTension:
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
        cleaned = " ".join(str(text).split())
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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CreativeTension):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        vision = self._vision if len(self._vision) <= 30 else self._vision[:29].rstrip() + "…"
        gap = "" if self.gap is None else f", gap {self.gap:g}"
        return f"<CreativeTension {vision!r}: {plural(len(self._actions), 'action')}{gap}>"

    def to_dict(self) -> dict[str, Any]:
        """The chart as plain data in the versioned schema."""
        return {"schema": SCHEMA, "version": SCHEMA_VERSION, "vision": self._vision,
                "current_reality": self._reality, "actions": list(self._actions),
                "vision_level": self._vision_level, "current_level": self._current_level}

    def to_json(self, indent: int | None = 2) -> str:
        """The chart as versioned JSON; :meth:`from_json` reads it back exactly."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> CreativeTension:
        """Read a chart written by :meth:`to_json`.

        Raises
        ------
        FormatError
            For text that is not a creative-tension chart's JSON.
        """
        data = load_json(text, schema=SCHEMA, version=SCHEMA_VERSION,
                         what="creative-tension JSON")
        try:
            return cls(data["vision"], data["current_reality"], data.get("actions", ()),
                       vision_level=data.get("vision_level"),
                       current_level=data.get("current_level"))
        except (CSFrameworkError, TypeError, KeyError) as err:
            if isinstance(err, FormatError):
                raise
            raise FormatError(f"invalid creative-tension JSON: missing or bad {err}") from None

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

    def to_png(self) -> bytes:
        """The drawing as PNG bytes (identical bytes for an unchanged chart)."""
        return figure_to_png(self.draw())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged chart)."""
        return figure_to_svg(self.draw())

    def _repr_svg_(self) -> str:
        return self.to_svg()


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
        self.reality_bottom = self.reality_top - self.reality_h

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
                                     color=_PULL, zorder=4, gid="pull-up"))
        ax.text(x_up + 1.0, (low + high) / 2 + 1.6, "creative tension", fontsize=size,
                fontweight="bold", color=_PULL, ha="left", va="center", gid="pull-up-label")
        ax.text(x_up + 1.0, (low + high) / 2 + 0.3, "pulls reality up\nthrough our actions",
                fontsize=size * 0.9, color=_PULL, ha="left", va="top",
                gid="pull-up-detail")
        x_down = centre - 3.2
        ax.add_patch(FancyArrowPatch((x_down, high - 1.5), (x_down, low + 1.5),
                                     arrowstyle="-|>", mutation_scale=size * 1.6,
                                     linewidth=theme.line_width, linestyle=(0, (4, 3)),
                                     color=_ERODE, zorder=4, gid="erosion"))
        ax.text(x_down - 1.0, (low + high) / 2 + 1.6, "the danger:", fontsize=size,
                fontweight="bold", color=_ERODE, ha="right", va="center",
                gid="erosion-label")
        ax.text(x_down - 1.0, (low + high) / 2 + 0.3,
                "emotional tension\nlowers the vision\n(eroding goals)", fontsize=size * 0.9,
                color=_ERODE, ha="right", va="top", gid="erosion-detail")
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
                color=_PULL, ha="left", va="top", gid="actions-heading")
        y -= LINE * 1.1
        if not self.action_lines:
            for line in wrap("What is one step that would move reality towards the vision?",
                             self.width - self.ACTIONS_LEFT - self.MARGIN, 0.95):
                ax.text(self.ACTIONS_LEFT, y, line, fontsize=size * 0.95, color="#666666",
                        style="italic", ha="left", va="top", gid="actions-empty")
                y -= LINE
            return
        for action, lines in self.action_lines:
            ax.text(self.ACTIONS_LEFT, y, "\u2192", fontsize=size, color=_PULL, ha="left",
                    va="top", fontweight="bold", gid=f"marker:{action}")
            for k, line in enumerate(lines):
                ax.text(self.ACTIONS_LEFT + 1.3, y, line, fontsize=size, color=text, ha="left",
                        va="top", gid=f"action:{action}" if k == 0 else f"action-line:{k}")
                y -= LINE

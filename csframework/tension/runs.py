"""The eroding-goals simulation behind a creative-tension chart, and its two runs.

:func:`eroding_goals_model` builds the structure as a stock-and-flow model;
:class:`TensionRuns` holds a run with the vision held, one with it eroding, or
both, and plots them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from csframework import style
from csframework._text import resolve
from csframework.document import Drawable
from csframework.errors import UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.sd import Results, StockFlowModel

__all__ = ["ERODE_COLOUR", "PULL_COLOUR", "SCENARIOS", "TensionRuns", "eroding_goals_model"]

#: The two runs of :meth:`CreativeTension.simulate`, in order.
SCENARIOS = ("vision held", "vision eroding")

#: Creative tension: bluish green, dark enough for text on white.
PULL_COLOUR = "#008460"
#: The danger of eroding goals: the palette's 'negative'.
ERODE_COLOUR = "#CC3311"


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
class TensionRuns(Drawable):
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
        return self.scenarios.index(resolve(scenario, {}, self.scenarios, kind="scenario",
                                            where="the creative-tension runs"))

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
        >>> from csframework.tension import CreativeTension
        >>> fig = CreativeTension("v", "r").simulate().plot()
        >>> sorted(line.get_gid() for line in fig.axes[0].lines)  # doctest: +NORMALIZE_WHITESPACE
        ['reality:vision eroding', 'reality:vision held',
         'vision:vision eroding', 'vision:vision held']
        """
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        theme = style.current()
        colours = {"vision held": PULL_COLOUR, "vision eroding": ERODE_COLOUR}
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

    draw = plot  # what Drawable's to_png, to_svg and Jupyter's display show

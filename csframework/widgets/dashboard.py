"""The simulation dashboard: a slider per constant, re-running the model on every change.

The figure is one persistent matplotlib Figure on an Agg canvas (no pyplot):
a change moves the existing line with ``set_data`` and renders a PNG at a
modest resolution, so a slider feels instant (see ``benchmarks/widgets.py``).
All the logic lives in :class:`~csframework.experiment.Experiment`.

Examples
--------
>>> from csframework.sd import library
>>> from csframework.widgets import simulation_dashboard
>>> board = simulation_dashboard(library.load("teacup"))
>>> sorted(board.sliders)
['characteristic_time', 'room_temperature']
>>> board.sliders["room_temperature"].value = 20
>>> round(float(board.results["teacup_temperature"].iloc[-1]))
28
>>> board.pin_button.click()
>>> [pin.label for pin in board.experiment.pins]
['room temperature = 20']
>>> board.reset_button.click()
>>> board.sliders["room_temperature"].value, board.experiment.pins
(70.0, ())
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from csframework import style
from csframework.errors import CSFrameworkError
from csframework.experiment import Experiment, SliderSpec
from csframework.widgets._output import (
    Root,
    error_html,
    fast_png,
    labelled_button,
    png_output,
    show,
    themed,
    with_class,
)

__all__ = ["SimulationDashboard", "simulation_dashboard"]

#: Dots per inch of the dashboard's PNG: modest, for speed; sizes come from the theme.
DASHBOARD_DPI = 80


def _readout_format(step: float) -> str:
    digits = max(0, -math.floor(math.log10(step))) if step > 0 else 2
    return f".{min(digits, 6)}f"


def _slider(spec: SliderSpec, theme: style.Theme, value: float) -> widgets.FloatSlider:
    slider = widgets.FloatSlider(
        value=value, min=spec.min, max=spec.max, step=spec.step,
        description=spec.description, tooltip=spec.doc or spec.description,
        readout_format=_readout_format(spec.step), continuous_update=True,
        style={"description_width": "40%"}, layout=widgets.Layout(width=theme.widget_width))
    slider.add_class(f"csf-slider-{spec.name}")
    return slider


class SimulationDashboard(Root):
    """Sliders, a behaviour-over-time graph, pinned runs and the recognised pattern.

    Made by :func:`simulation_dashboard`; see there for the parameters.

    Attributes
    ----------
    experiment : Experiment
        The plain object holding parameters, runs and pins.
    sliders : dict of str to FloatSlider
    variable_dropdown : Dropdown
    pin_button, reset_button : Button
    output : Output
        Shows the figure (one PNG).
    pattern_label : HTML
        The recognised behaviour pattern, with why.
    message : HTML
        Errors from the model, in red (empty when all is well).
    figure : matplotlib.figure.Figure
        The persistent figure.
    """

    def __init__(self, model: Any, params: Mapping[str, float] | None = None, *,
                 variable: str | None = None, show_dominance: bool = False,
                 theme: style.Theme | None = None, levers: Sequence[str] | None = None):
        if isinstance(model, str):
            from csframework.sd import library

            model = library.load(model)
        self.experiment = Experiment(model, params, variable)
        self.show_dominance = bool(show_dominance)
        self._syncing = False
        theme = theme or style.current()
        exp = self.experiment
        if levers is None:
            levers = _library_levers(model)
        for name in levers or ():
            exp._check_name(name)
        shown = list(levers) if levers else list(exp.specs)
        self.sliders = {name: _slider(exp.specs[name], theme, exp.params[name])
                        for name in shown}
        for slider in self.sliders.values():
            slider.observe(self._on_slider, names="value")
        self.variable_dropdown = with_class(
            widgets.Dropdown(options=list(exp.variables), value=exp.variable,
                             description="Watch", layout=widgets.Layout(width="auto")),
            "csf-variable")
        self.variable_dropdown.observe(self._on_variable, names="value")
        self.pin_button = labelled_button("Pin this run", "csf-pin", icon="thumb-tack",
                                          tooltip="Keep this run on the graph to compare")
        self.reset_button = labelled_button("Reset", "csf-reset", icon="undo",
                                            tooltip="Back to the model's values; unpin all")
        self.pin_button.on_click(self._on_pin)
        self.reset_button.on_click(self._on_reset)
        self.pattern_label = with_class(widgets.HTML(), "csf-pattern")
        self.message = with_class(widgets.HTML(), "csf-message")
        self.output = with_class(widgets.Output(), "csf-figure")
        self.dominance = None
        self._band: list[Any] = []
        super().__init__(
            [*self.sliders.values(),
             widgets.HBox([self.variable_dropdown, self.pin_button, self.reset_button]),
             self.message, self.output, self.pattern_label],
            css_class="csf-dashboard", theme=theme)
        self._make_figure()
        self.refresh()

    # -- reading ----------------------------------------------------------------------

    @property
    def results(self) -> Any:
        """The latest run (``experiment.results``)."""
        return self.experiment.results

    @property
    def model(self) -> Any:
        """The model on the sliders."""
        return self.experiment.model

    # -- figure -----------------------------------------------------------------------

    def _make_figure(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        theme = self.theme
        width = float(theme.widget_width.removesuffix("px")) / DASHBOARD_DPI
        with themed(theme):
            self.figure = Figure(figsize=(width, width * 0.58), dpi=DASHBOARD_DPI,
                                 facecolor="white")
            FigureCanvasAgg(self.figure)
            self._ax = self.figure.add_subplot()
            (self._line,) = self._ax.plot([], [], color=style.SERIES[0], zorder=3,
                                          gid="current")
            self._ax.set_title(self.model.name)
        self._pin_lines: list[Any] = []
        self._legend = None
        self._layout_key: tuple | None = None

    def _layout(self, force: bool = False) -> None:
        """Place the axes (constrained layout) when the labels' size may have changed.

        Laying out takes as long as drawing, so it runs only on a new variable,
        new pins, or y tick labels of a new width, not on every slider step.
        """
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        low, high = self._ax.get_ylim()
        key = (self.experiment.variable, len(self._pin_lines), self.show_dominance,
               len(f"{max(abs(low), abs(high)):.0f}"), low < 0)
        if force or key != self._layout_key:
            with themed(self.theme):
                ConstrainedLayoutEngine().execute(self.figure)
            self._layout_key = key

    def _rebuild_pins(self) -> None:
        """Draw the pinned runs of the watched variable (after a pin, reset or new variable)."""
        exp = self.experiment
        for line in self._pin_lines:
            line.remove()
        self._pin_lines = []
        with themed(self.theme):
            for i, pin in enumerate(exp.pins):
                series = pin.results[exp.variable]
                colour = style.SERIES[(i + 1) % len(style.SERIES)]
                (line,) = self._ax.plot(pin.results.time, series.to_numpy(), color=colour,
                                        alpha=0.45, linewidth=self.theme.line_width * 0.8,
                                        label=pin.label, gid=f"pin:{i}")
                self._pin_lines.append(line)
            if self._legend is not None:
                self._legend.remove()
                self._legend = None
            if self._pin_lines:
                self._legend = self._ax.legend(frameon=False, loc="best")

    def _draw_band(self) -> None:
        from matplotlib.transforms import blended_transform_factory

        for artist in self._band:
            artist.remove()
        self._band = []
        self.dominance = None
        if not self.show_dominance:
            return
        try:
            self.dominance = self.experiment.dominance()
        except CSFrameworkError as err:
            self.message.value = error_html(f"Loop dominance: {err}")
            return
        ax = self._ax
        band = blended_transform_factory(ax.transData, ax.transAxes)
        with themed(self.theme):
            for start, end, name, kind in self.dominance.periods():
                colour = style.PALETTE[kind]
                self._band.append(ax.axvspan(start, end, ymin=0.0, ymax=0.05, color=colour,
                                             alpha=0.85, lw=0, gid=f"dominance:{name}"))
                self._band.append(ax.text((start + end) / 2, 0.07, name, transform=band,
                                          ha="center", va="bottom", color=colour,
                                          fontweight="bold", gid=f"dominance-label:{name}"))

    def _draw(self) -> None:
        """Move the current line to the latest run and show the figure."""
        exp = self.experiment
        results = exp.results
        time = results.time
        ax = self._ax
        self._line.set_data(time, results[exp.variable].to_numpy())
        self._line.set_label(f"now: {exp.label()}")
        if self._legend is not None:
            self._legend.get_texts()[0].set_text(f"now: {exp.label()}")
        self._draw_band()
        ax.relim()
        ax.autoscale_view()
        ax.set_xlim(time[0], time[-1])
        ax.set_ylabel(results.label(exp.variable))
        unit = results.time_unit
        ax.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit})")
        self._layout()
        with themed(self.theme):
            png = fast_png(self.figure)
        show(self.output, png_output(png, f"<Figure: {self.model.name}, {exp.variable}>"))

    def _show_pattern(self) -> None:
        found = self.experiment.classify()
        name = html.escape(self.experiment.variable.replace("_", " "))
        if found is None:
            self.pattern_label.value = f"<b>{name}</b>: no clear pattern."
            return
        self.pattern_label.value = (f"<b>{name}: {html.escape(found.pattern)}</b> "
                                    f"<span style='opacity:0.8'>{html.escape(found.explain())}"
                                    "</span>")

    def refresh(self) -> None:
        """Redraw everything from the experiment (pins, line, pattern)."""
        self._rebuild_pins()
        self._draw()
        self._show_pattern()

    # -- callbacks --------------------------------------------------------------------

    def _on_slider(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        name = next(n for n, s in self.sliders.items() if s is change["owner"])
        try:
            self.experiment.set(name, change["new"])
        except CSFrameworkError as err:
            self.message.value = error_html(err)
            return
        self.message.value = ""
        self._draw()             # the figure first: it is what the eye waits for
        self._show_pattern()

    def _on_variable(self, change: dict[str, Any]) -> None:
        self.experiment.variable = change["new"]
        self.refresh()

    def _on_pin(self, _button: Any = None) -> None:
        self.experiment.pin()
        self.refresh()

    def _on_reset(self, _button: Any = None) -> None:
        self._syncing = True
        try:
            for name, slider in self.sliders.items():
                slider.value = self.experiment.defaults[name]
        finally:
            self._syncing = False
        try:
            self.experiment.reset()
        except CSFrameworkError as err:  # pragma: no cover - the defaults ran before
            self.message.value = error_html(err)
            return
        self.message.value = ""
        self.refresh()


def _library_levers(model: Any) -> tuple[str, ...]:
    """The levers the library names for a large model (World3), else () for every constant."""
    from csframework.experiment import library_name
    from csframework.sd import library

    name = library_name(model)
    return library.info(name).levers if name is not None else ()


def simulation_dashboard(model: Any, params: Mapping[str, float] | None = None, *,
                         variable: str | None = None, show_dominance: bool = False,
                         levers: Sequence[str] | None = None) -> SimulationDashboard:
    """Explore a model with a slider per constant; the graph follows every change.

    Parameters
    ----------
    model : StockFlowModel or str
        The model, or a library model's name.
    params : mapping of str to float, optional
        Starting values for some constants ("Reset" goes back to the model's own).
    variable : str, optional
        The variable to watch: by default the library's key variable, else the
        first stock. A dropdown changes it.
    show_dominance : bool, default False
        Draw a band under the graph coloured by the dominant loop (Loops that Matter).
    levers : sequence of str, optional
        The constants to put on sliders. By default every constant, except for
        a large library model, which names its few levers (World3: initial
        nonrenewable resources, desired family size, the technologies, ...).

    Returns
    -------
    SimulationDashboard
        A widget; its parts are attributes (``sliders``, ``pin_button``,
        ``reset_button``, ``output``, ``pattern_label``, ``results``, ...).

    Examples
    --------
    >>> from csframework.widgets import simulation_dashboard
    >>> board = simulation_dashboard("population", show_dominance=True)
    >>> board.pattern_label.value.startswith("<b>population: exponential growth</b>")
    True
    >>> [name for _, _, name, _ in board.dominance.periods()]
    ['R1']
    """
    return SimulationDashboard(model, params, variable=variable, show_dominance=show_dominance,
                               levers=levers)

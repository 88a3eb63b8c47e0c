"""Predict, then simulate: choose the pattern you expect before the run is revealed.

Examples
--------
>>> from csframework.sd import library
>>> from csframework.widgets import predict_then_simulate
>>> quiz = predict_then_simulate(library.load("population"), "population")
>>> quiz.reveal_button.disabled
True
>>> quiz.choices.value = "exponential growth"
>>> quiz.reveal_button.click()
>>> quiz.prediction.outcome.agrees
True
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from csframework.behaviour.prediction import Prediction
from csframework.errors import CSFrameworkError
from csframework.experiment import library_name
from csframework.widgets._output import (
    Root,
    error_html,
    figure_png,
    labelled_button,
    png_output,
    show,
    themed,
    with_class,
)

__all__ = ["PredictThenSimulate", "predict_then_simulate"]


class PredictThenSimulate(Root):
    """Pattern buttons, a reveal button, then the prediction beside the real run.

    Attributes
    ----------
    prediction : Prediction
        The plain object (choice, outcome).
    choices : ToggleButtons
        One button per pattern of ``behaviour.patterns()``, and of the paired patterns
        when the variable has a goal (tooltip: its description).
    description : HTML
        What the chosen pattern looks like.
    reveal_button : Button
        Disabled until a pattern is chosen.
    output : Output
        The chosen pattern's sketch beside the simulated behaviour (after revealing).
    verdict : HTML
        Whether the classifier agrees, said warmly.
    """

    def __init__(self, model: Any, variable: str, params: dict | None = None,
                 better: str | None = None, goal: str | None = None):
        from csframework.sd import library

        if isinstance(model, str):
            info = library.info(model)
            model = library.load(model)
            if better is None and variable == info.key_variable:
                better = info.better
        else:
            known = library_name(model)
            info = None if known is None else library.info(known)
        if goal is None and info is not None and variable == info.key_variable:
            goal = info.goal_variable
        self.prediction = Prediction(model, variable, params, better, goal)
        patterns = self.prediction.choices()
        self.choices = with_class(widgets.ToggleButtons(
            options=[p.name for p in patterns], value=None,
            tooltips=[p.description for p in patterns],
            style={"button_width": "auto"}), "csf-predict-choices")
        self.description = with_class(widgets.HTML(), "csf-predict-description")
        self.reveal_button = labelled_button("Reveal the simulation", "csf-predict-reveal",
                                             icon="eye", style_name="primary")
        self.reveal_button.disabled = True
        self.output = with_class(widgets.Output(), "csf-figure")
        self.verdict = with_class(widgets.HTML(), "csf-predict-verdict")
        name = variable.replace("_", " ")
        question = widgets.HTML(f"<b>How do you expect {html.escape(name)} to behave over "
                                f"time in {html.escape(model.name)}?</b> Choose before you "
                                "look.")
        self.choices.observe(self._on_choice, names="value")
        self.reveal_button.on_click(self._on_reveal)
        super().__init__([question, self.choices, self.description, self.reveal_button,
                          self.output, self.verdict], css_class="csf-predict")

    def _on_choice(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        chosen = self.prediction.choose(change["new"])
        self.description.value = (f"<i>{html.escape(chosen.name)}</i>: "
                                  f"{html.escape(chosen.description)}")
        self.reveal_button.disabled = False
        if self.output.outputs:  # a new guess hides the old answer
            show(self.output)
            self.verdict.value = ""

    def _on_reveal(self, _button: Any = None) -> None:
        try:
            outcome = self.prediction.reveal()
        except CSFrameworkError as err:
            self.verdict.value = error_html(err)
            return
        show(self.output, png_output(self._figure_png(outcome),
                                     f"<Figure: {outcome.predicted} vs {outcome.actual}>"))
        colour = "#1B7837" if outcome.agrees else "#0072B2"
        explained = outcome.classification.explain() if outcome.classification else ""
        self.verdict.value = (f"<b style='color:{colour}'>{html.escape(outcome.message)}</b>"
                              f"<br><span style='opacity:0.8'>{html.escape(explained)}</span>")

    def _figure_png(self, outcome: Any) -> bytes:
        from matplotlib.figure import Figure

        from csframework import behaviour, style

        theme = self.theme
        variable = self.prediction.variable
        with themed(theme):
            figure = Figure(figsize=(theme.figure_width, theme.figure_height * 0.75),
                            dpi=theme.dpi, facecolor="white", layout="constrained")
            left, right = figure.subplots(1, 2, width_ratios=(1, 1.6))
            behaviour.pattern(outcome.predicted).draw(ax=left)
            left.set_title(f"You expected:\n{outcome.predicted}")
            results = outcome.results
            right.plot(results.time, results[variable].to_numpy(), color=style.SERIES[0])
            goal = self.prediction.goal
            if goal is not None:   # a performance is read together with its goal
                right.plot(results.time, results[goal].to_numpy(), color=style.SERIES[1],
                           linestyle="--")
                right.legend([results.label(variable), results.label(goal)], frameon=False,
                             fontsize="small")
            found = outcome.classification
            shown = (found.shape if found is not None and len(found.phases) > 1
                     else outcome.actual or "no clear pattern")
            right.set_title(f"The simulation:\n{shown}")
            right.set_ylabel(results.label(variable))
            unit = results.time_unit
            right.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit})")
            right.set_xlim(results.time[0], results.time[-1])
            return figure_png(figure)


def predict_then_simulate(model: Any, variable: str, better: str | None = None,
                          goal: str | None = None) -> PredictThenSimulate:
    """Ask which pattern `variable` will show, then reveal the run and compare.

    Parameters
    ----------
    model : StockFlowModel or str
        The model, or a library model's name.
    variable : str
        A stock, flow or auxiliary of the model.
    better : {"up", "down"}, optional
        Which way is better for `variable` (``"down"`` for a problem symptom). For a
        library model given by name, its key variable's direction is used.
    goal : str, optional
        The goal `variable` is aimed at; the run is then judged on the two together
        (so "drifting goals" can be seen), and the goal is drawn beside it. For a
        library model's key variable, the catalogue's goal is used.

    Returns
    -------
    PredictThenSimulate
        A widget; ``choices``, ``reveal_button``, ``output``, ``verdict`` and
        ``prediction`` (the plain object) are attributes.
    """
    return PredictThenSimulate(model, variable, better=better, goal=goal)

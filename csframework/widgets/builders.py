"""Forms that fill the thinking tools and redraw them: iceberg, ladder, tension, circle.

Each builder holds its plain object (``builder.iceberg``, ``builder.ladder``,
``builder.tension``, ``builder.circle``), so a participant can keep using it
in code and save it to the journal. Errors appear in red under the form.

Examples
--------
>>> from csframework.widgets import iceberg_builder
>>> builder = iceberg_builder("Late homework")
>>> builder.level.value, builder.text.value = "events", "Six essays came in late"
>>> builder.add_button.click()
>>> builder.iceberg
<Iceberg 'Late homework' (diagnostic): 1 event, 0 patterns, 0 structures, 0 mental models>
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from csframework.errors import CSFrameworkError
from csframework.widgets._output import (
    Root,
    error_html,
    labelled_button,
    png_output,
    show,
    themed,
    with_class,
)

__all__ = ["CircleBuilder", "IcebergBuilder", "LadderBuilder", "TensionChart",
           "connection_circle_builder", "iceberg_builder", "ladder_builder", "tension_chart"]


def _text(placeholder: str, css: str, *, area: bool = False) -> Any:
    kind = widgets.Textarea if area else widgets.Text
    box = kind(placeholder=placeholder, layout=widgets.Layout(width="100%"))
    box.add_class(css)
    return box


class _Builder(Root):
    """A form, an error line and a figure; `draw` renders the plain object."""

    def _setup(self, form: list[Any], css_class: str, extra: list[Any] = ()) -> None:
        self.error = with_class(widgets.HTML(), "csf-error", f"{css_class}-error")
        self.output = with_class(widgets.Output(), "csf-figure")
        super().__init__([*form, self.error, self.output, *extra], css_class=css_class)

    def refresh(self) -> None:
        """The same as :meth:`redraw` (what :meth:`attempt` calls after an edit)."""
        self.redraw()

    def _png(self) -> bytes | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def redraw(self) -> None:
        """Draw the object again into the output."""
        try:
            with themed(self.theme):
                png = self._png()
        except CSFrameworkError as err:
            self.error.value = error_html(err)
            return
        show(self.output, *([png_output(png)] if png else []))


# -- iceberg ----------------------------------------------------------------------------

class IcebergBuilder(_Builder):
    """Add items level by level to an :class:`~csframework.iceberg.Iceberg`.

    Attributes
    ----------
    iceberg : Iceberg
    level : Dropdown
        The four levels (with their questions shown in `prompts`).
    text : Text
    kind : ToggleButtons
        ``"evidence"`` or ``"hypothesis"``.
    add_button, remove_button : Button
    prompts : HTML
        The facilitator questions for the chosen level.
    """

    def __init__(self, iceberg: Any):
        from csframework.iceberg import LEVELS

        self.iceberg = iceberg
        self.level = with_class(widgets.Dropdown(options=list(LEVELS), value=LEVELS[0],
                                                 description="Level"), "csf-iceberg-level")
        self.text = _text("what you notice at this level", "csf-iceberg-text")
        self.kind = with_class(widgets.ToggleButtons(options=["evidence", "hypothesis"],
                                                     value="evidence"), "csf-iceberg-kind")
        self.add_button = labelled_button("Add", "csf-iceberg-add", icon="plus",
                                          style_name="primary")
        self.remove_button = labelled_button("Remove", "csf-iceberg-remove", icon="minus")
        self.prompts = with_class(widgets.HTML(), "csf-iceberg-prompts")
        self.add_button.on_click(lambda _: self._add())
        self.remove_button.on_click(
            lambda _: self.attempt(self.iceberg.remove, self.level.value, self.text.value))
        self.level.observe(lambda _: self._show_prompts(), names="value")
        self._setup([widgets.HBox([self.level, self.kind]), self.prompts, self.text,
                     widgets.HBox([self.add_button, self.remove_button])], "csf-iceberg")
        self._show_prompts()
        self.redraw()

    def _add(self) -> None:
        if self.attempt(self.iceberg.add, self.level.value, self.text.value,
                         kind=self.kind.value):
            self.text.value = ""

    def _show_prompts(self) -> None:
        items = "".join(f"<li>{html.escape(q)}</li>"
                        for q in self.iceberg.prompts(self.level.value))
        self.prompts.value = f"<ul style='margin:0'>{items}</ul>"

    def _png(self) -> bytes:
        return self.iceberg.to_png()


def iceberg_builder(title: Any = "My iceberg", mode: str = "diagnostic") -> IcebergBuilder:
    """Build an iceberg with a form: level, words, evidence or hypothesis.

    Parameters
    ----------
    title : str or Iceberg
        A title for a new iceberg, or an existing :class:`~csframework.iceberg.Iceberg`.
    mode : {"diagnostic", "aspirational"}

    Returns
    -------
    IcebergBuilder
        With the iceberg at ``builder.iceberg``.
    """
    from csframework.iceberg import Iceberg

    return IcebergBuilder(title if isinstance(title, Iceberg) else Iceberg(title, mode))


# -- ladder -----------------------------------------------------------------------------

class LadderBuilder(_Builder):
    """Write on the rungs of a :class:`~csframework.ladder.LadderOfInference`.

    Attributes
    ----------
    ladder : LadderOfInference
    rung : Dropdown
    text : Text
    add_button, remove_button : Button
    question : HTML
        The question of the chosen rung.
    """

    def __init__(self, ladder: Any):
        from csframework.ladder import RUNGS

        self.ladder = ladder
        self.rung = with_class(widgets.Dropdown(options=list(RUNGS), value=RUNGS[0],
                                                description="Rung"), "csf-ladder-rung")
        self.text = _text("what you wrote on this rung", "csf-ladder-text")
        self.add_button = labelled_button("Add", "csf-ladder-add", icon="plus",
                                          style_name="primary")
        self.remove_button = labelled_button("Remove", "csf-ladder-remove", icon="minus")
        self.question = with_class(widgets.HTML(), "csf-ladder-question")
        self.add_button.on_click(lambda _: self._add())
        self.remove_button.on_click(
            lambda _: self.attempt(self.ladder.remove, self.rung.value, self.text.value))
        self.rung.observe(lambda _: self._show_question(), names="value")
        self._setup([self.rung, self.question, self.text,
                     widgets.HBox([self.add_button, self.remove_button])], "csf-ladder")
        self._show_question()
        self.redraw()

    def _add(self) -> None:
        if self.attempt(self.ladder.add, self.rung.value, self.text.value):
            self.text.value = ""

    def _show_question(self) -> None:
        rung = self.ladder.rung(self.rung.value)
        question = getattr(rung, "question", "") or ""
        self.question.value = f"<i>{html.escape(str(question))}</i>"

    def _png(self) -> bytes:
        return self.ladder.to_png()


def ladder_builder(title: Any = None) -> LadderBuilder:
    """Climb (or walk down) a ladder of inference with a form: rung and words.

    Parameters
    ----------
    title : str or LadderOfInference, optional
        A title for a new ladder, or an existing one.

    Returns
    -------
    LadderBuilder
        With the ladder at ``builder.ladder``.
    """
    from csframework.ladder import LadderOfInference

    return LadderBuilder(title if isinstance(title, LadderOfInference)
                         else LadderOfInference(title))


# -- creative tension -------------------------------------------------------------------

def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise CSFrameworkError(f"{what} must be a number or empty, not {text!r}") from None


class TensionChart(_Builder):
    """Vision, current reality and actions; the chart and its eroding-goals simulation.

    Attributes
    ----------
    tension : CreativeTension or None
        None until both the vision and current reality are written.
    vision, current_reality : Textarea
    vision_level, current_level : Text
        Optional numbers (e.g. 100 and 40) for the simulation.
    action : Text
    add_action_button, update_button, simulate_button : Button
    simulation : Output
        The two runs (vision held, vision eroding) after "Simulate".
    """

    def __init__(self, chart: Any = None):
        self.tension = chart
        self.vision = _text("what you truly want to create", "csf-tension-vision", area=True)
        self.current_reality = _text("where things stand now, honestly",
                                     "csf-tension-reality", area=True)
        self.vision_level = with_class(widgets.Text(placeholder="e.g. 100",
                                                    description="Vision level"),
                                       "csf-tension-vision-level")
        self.current_level = with_class(widgets.Text(placeholder="e.g. 40",
                                                     description="Current level"),
                                        "csf-tension-current-level")
        self.action = _text("an action that moves reality towards the vision",
                            "csf-tension-action")
        self.update_button = labelled_button("Update chart", "csf-tension-update",
                                             icon="refresh", style_name="primary")
        self.add_action_button = labelled_button("Add action", "csf-tension-add-action",
                                                 icon="plus")
        self.simulate_button = labelled_button("Simulate", "csf-tension-simulate",
                                               icon="play")
        self.simulation = with_class(widgets.Output(), "csf-tension-simulation")
        if chart is not None:
            self.vision.value = chart.vision
            self.current_reality.value = chart.current_reality
            for box, value in ((self.vision_level, chart.vision_level),
                               (self.current_level, chart.current_level)):
                box.value = "" if value is None else f"{value:g}"
        self.update_button.on_click(lambda _: self.attempt(self._update))
        self.add_action_button.on_click(lambda _: self.attempt(self._add_action))
        self.simulate_button.on_click(lambda _: self._simulate())
        self._setup([widgets.HTML("<b>Vision</b>"), self.vision,
                     widgets.HTML("<b>Current reality</b>"), self.current_reality,
                     widgets.HBox([self.vision_level, self.current_level]),
                     widgets.HBox([self.update_button, self.simulate_button]),
                     widgets.HBox([self.action, self.add_action_button])],
                    "csf-tension", [self.simulation])
        if chart is not None:
            self.redraw()

    def _update(self) -> None:
        from csframework.tension import CreativeTension

        vision_level = _number(self.vision_level.value, "the vision level")
        current_level = _number(self.current_level.value, "the current level")
        if self.tension is None:
            self.tension = CreativeTension(self.vision.value, self.current_reality.value,
                                           vision_level=vision_level,
                                           current_level=current_level)
            return
        self.tension.vision = self.vision.value
        self.tension.current_reality = self.current_reality.value
        self.tension.vision_level = vision_level
        self.tension.current_level = current_level

    def _add_action(self) -> None:
        if self.tension is None:
            self._update()
        self.tension.add_action(self.action.value)
        self.action.value = ""

    def _simulate(self) -> None:
        if not self.attempt(self._update):
            return
        try:
            with themed(self.theme):
                png = self.tension.simulate().to_png()
        except CSFrameworkError as err:
            self.error.value = error_html(err)
            return
        show(self.simulation, png_output(png, "<Figure: creative tension simulation>"))

    def _png(self) -> bytes | None:
        return None if self.tension is None else self.tension.to_png()


def tension_chart(vision: Any = None, current_reality: str | None = None,
                  actions: tuple[str, ...] = ()) -> TensionChart:
    """A creative-tension chart to fill in: vision, current reality, actions, simulation.

    Parameters
    ----------
    vision : str or CreativeTension, optional
        The vision (with `current_reality`), or an existing chart. Left out, the
        chart is made when the participant presses "Update chart".
    current_reality : str, optional
    actions : tuple of str

    Returns
    -------
    TensionChart
        With the chart at ``builder.tension``.
    """
    from csframework.tension import CreativeTension

    if isinstance(vision, CreativeTension):
        return TensionChart(vision)
    if vision and current_reality:
        return TensionChart(CreativeTension(vision, current_reality, actions))
    builder = TensionChart()
    builder.vision.value = vision or ""
    builder.current_reality.value = current_reality or ""
    return builder


# -- connection circle ------------------------------------------------------------------

class CircleBuilder(_Builder):
    """Elements around a circle and the connections between them.

    Attributes
    ----------
    circle : ConnectionCircle
    element : Text
    add_element_button : Button
    cause, effect : Dropdown
        The elements on the circle.
    polarity : ToggleButtons
    delay : Checkbox
    connect_button, disconnect_button : Button
    loops : HTML
        The loops traced so far.
    """

    def __init__(self, circle: Any):
        self.circle = circle
        self.element = with_class(widgets.Text(placeholder="an element that can rise or fall"),
                                  "csf-circle-element")
        self.add_element_button = labelled_button("Add element", "csf-circle-add-element",
                                                  icon="plus")
        self.cause = with_class(widgets.Dropdown(description="From"), "csf-circle-cause")
        self.effect = with_class(widgets.Dropdown(description="to"), "csf-circle-effect")
        self.polarity = with_class(widgets.ToggleButtons(
            options=[("+", "+"), ("−", "-")], value="+", style={"button_width": "3em"}),
            "csf-circle-polarity")
        self.delay = with_class(widgets.Checkbox(description="delay", indent=False),
                                "csf-circle-delay")
        self.connect_button = labelled_button("Connect", "csf-circle-connect",
                                              style_name="primary")
        self.disconnect_button = labelled_button("Disconnect", "csf-circle-disconnect")
        self.loops = with_class(widgets.HTML(), "csf-circle-loops", "csf-loop-list")
        self.add_element_button.on_click(lambda _: self._add_element())
        self.connect_button.on_click(lambda _: self.attempt(
            self.circle.connect, self.cause.value or "", self.effect.value or "",
            self.polarity.value, delay=self.delay.value))
        self.disconnect_button.on_click(lambda _: self.attempt(
            self.circle.disconnect, self.cause.value or "", self.effect.value or ""))
        self._setup([widgets.HBox([self.element, self.add_element_button]),
                     widgets.HBox([self.cause, self.effect, self.polarity, self.delay]),
                     widgets.HBox([self.connect_button, self.disconnect_button])],
                    "csf-circle", [self.loops])
        self.redraw()

    def _add_element(self) -> None:
        if self.attempt(self.circle.add_element, self.element.value):
            self.element.value = ""

    def redraw(self) -> None:
        """Offer the elements, list the loops and draw the circle."""
        elements = list(self.circle.elements)
        for box in (self.cause, self.effect):
            keep = box.value if box.value in elements else None
            box.options = elements
            box.value = keep
        loops = self.circle.loops()
        self.loops.value = "<br>".join(
            html.escape(f"{lp.name} ({lp.kind}): {lp.path(' → ')}") for lp in loops)
        super().redraw()

    def _png(self) -> bytes | None:
        if len(self.circle.elements) < 2:
            return None
        return self.circle.to_png(show_loops=True)


def connection_circle_builder(title: Any = "My story", elements: tuple[str, ...] = ()
                              ) -> CircleBuilder:
    """A connection circle to fill in: elements, then arrows between them.

    Parameters
    ----------
    title : str or ConnectionCircle
        The story, or an existing circle.
    elements : tuple of str
        Elements to start with (none, or 2 to 12).

    Returns
    -------
    CircleBuilder
        With the circle at ``builder.circle`` (``builder.circle.to_cld()`` for its diagram).
    """
    from csframework.circles import ConnectionCircle

    if isinstance(title, ConnectionCircle):
        return CircleBuilder(title)
    return CircleBuilder(ConnectionCircle(title, elements))

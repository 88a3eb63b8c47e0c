"""The causal loop diagram editor: links, variables, loops, archetypes, undo and export.

Errors from the diagram appear in a red line under the controls, never as a
traceback. All edits go through :class:`~csframework.cld.editing.DiagramEditor`.

Examples
--------
>>> from csframework.widgets import cld_editor
>>> editor = cld_editor()
>>> editor.cause.value, editor.effect.value = "trust", "trust"
>>> editor.add_button.click()
>>> "to itself" in editor.error.value
True
>>> editor.effect.value = "sharing"; editor.add_button.click()
>>> editor.cause.value, editor.effect.value = "sharing", "trust"
>>> editor.add_button.click()
>>> [row.children[0].value.split(":")[0] for row in editor.loop_list.children]
['R1 reinforcing']
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from csframework.cld.editing import DiagramEditor
from csframework.errors import CSFrameworkError
from csframework.widgets._output import (
    Root,
    error_html,
    labelled_button,
    ok_html,
    png_output,
    show,
    themed,
    with_class,
)

__all__ = ["CLDEditor", "cld_editor"]


def _combo(placeholder: str, css: str) -> widgets.Combobox:
    box = widgets.Combobox(placeholder=placeholder, ensure_option=False,
                           layout=widgets.Layout(width="12em"))
    box.add_class(css)
    return box


class CLDEditor(Root):
    """Edit a causal loop diagram with forms and see it redrawn at once.

    Attributes
    ----------
    editor : DiagramEditor
        The plain object (edits, undo, export).
    cld : CausalLoopDiagram
        The diagram (the same object that was given).
    cause, effect : Combobox
        Names, with the existing variables offered.
    polarity : ToggleButtons
        ``"+"`` or ``"-"`` (shown as + and −).
    delay : Checkbox
    add_button, remove_button : Button
        Add or remove the link cause -> effect.
    variable, add_variable_button, remove_variable_button
        A variable name and what to do with it.
    undo_button : Button
    error : HTML
        The last error, in red.
    output : Output
        The diagram (PNG).
    loop_list : VBox
        One row per loop: its name, kind and path, and a Text for its story name.
    archetypes_html : HTML
        The archetypes found.
    export_format, export_name, export_text, export_show_button, export_save_button,
    export_status
        Export as JSON, Kumu, a Loopy link or PNG: shown as text, or written into `folder`.
    """

    def __init__(self, cld: Any = None, *, folder: str | os.PathLike[str] | None = None):
        self.editor = DiagramEditor(cld)
        self.folder = Path(folder) if folder is not None else None
        self.cause = _combo("cause", "csf-editor-cause")
        self.effect = _combo("effect", "csf-editor-effect")
        self.polarity = with_class(widgets.ToggleButtons(
            options=[("+", "+"), ("−", "-")], value="+",
            tooltips=["same direction", "opposite direction"],
            style={"button_width": "3em"}), "csf-editor-polarity")
        self.delay = with_class(widgets.Checkbox(value=False, description="delay",
                                                 indent=False,
                                                 layout=widgets.Layout(width="6em")),
                                "csf-editor-delay")
        self.add_button = labelled_button("Add link", "csf-editor-add", icon="plus",
                                          style_name="primary")
        self.remove_button = labelled_button("Remove link", "csf-editor-remove",
                                             icon="minus")
        self.variable = _combo("variable", "csf-editor-variable")
        self.add_variable_button = labelled_button("Add variable", "csf-editor-add-variable")
        self.remove_variable_button = labelled_button("Remove variable",
                                                      "csf-editor-remove-variable")
        self.undo_button = labelled_button("Undo", "csf-editor-undo", icon="undo")
        self.error = with_class(widgets.HTML(), "csf-editor-error", "csf-error")
        self.output = with_class(widgets.Output(), "csf-figure")
        self.loop_list = with_class(widgets.VBox(), "csf-loop-list")
        self.archetypes_html = with_class(widgets.HTML(), "csf-archetypes")
        self.export_format = with_class(widgets.Dropdown(
            options=[("JSON", "json"), ("Kumu", "kumu"), ("Loopy", "loopy"), ("PNG", "png")],
            value="json",
            description="Export", layout=widgets.Layout(width="14em")), "csf-export-format")
        self.export_name = with_class(widgets.Text(value="my-diagram", placeholder="file name",
                                                   layout=widgets.Layout(width="12em")),
                                      "csf-export-name")
        self.export_show_button = labelled_button("Show text", "csf-export-show")
        self.export_save_button = labelled_button("Save file", "csf-export-save",
                                                  icon="save")
        self.export_text = with_class(widgets.Textarea(layout=widgets.Layout(
            width="100%", height="8em", display="none")), "csf-export-text")
        self.export_status = with_class(widgets.HTML(), "csf-export-status")

        self.add_button.on_click(self._on_add)
        self.remove_button.on_click(self._on_remove)
        self.add_variable_button.on_click(self._on_add_variable)
        self.remove_variable_button.on_click(self._on_remove_variable)
        self.undo_button.on_click(self._on_undo)
        self.export_show_button.on_click(self._on_show_text)
        self.export_save_button.on_click(self._on_save)
        loops_title = widgets.HTML("<b>Loops</b> (give each a story name)")
        super().__init__([
            widgets.HBox([self.cause, widgets.HTML("&rarr;"), self.effect, self.polarity,
                          self.delay, self.add_button, self.remove_button]),
            widgets.HBox([self.variable, self.add_variable_button,
                          self.remove_variable_button, self.undo_button]),
            self.error, self.output, loops_title, self.loop_list, self.archetypes_html,
            widgets.HBox([self.export_format, self.export_name, self.export_show_button,
                          self.export_save_button]),
            self.export_status, self.export_text,
        ], css_class="csf-editor")
        self.refresh()

    @property
    def cld(self) -> Any:
        """The diagram being edited."""
        return self.editor.cld

    # -- showing ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw the diagram, the loop list, the archetypes and the name suggestions."""
        names = list(self.editor.names)
        for box in (self.cause, self.effect, self.variable):
            box.options = names
        self.undo_button.disabled = not self.editor.can_undo
        if len(self.cld):
            with themed(self.theme):
                png = self.cld.to_png()
            show(self.output, png_output(png, repr(self.cld)))
        else:
            show(self.output)
        self._show_loops()
        self._show_archetypes()

    def _show_loops(self) -> None:
        rows = []
        for loop in self.cld.loops():
            label = widgets.Label(f"{loop.name} {loop.kind}: {loop.path(' → ')}")
            story = with_class(widgets.Text(value=loop.story or "", placeholder="story name",
                                            continuous_update=False,
                                            layout=widgets.Layout(width="14em")),
                               f"csf-loop-story-{loop.name}")
            story.observe(self._story_setter(loop.name), names="value")
            rows.append(with_class(widgets.HBox([label, story]), "csf-loop-row"))
        self.loop_list.children = rows

    def _story_setter(self, name: str) -> Any:
        def set_story(change: dict[str, Any]) -> None:
            self.attempt(self.editor.name_loop, name, change["new"].strip() or None)
        return set_story

    def _show_archetypes(self) -> None:
        from csframework import archetypes

        try:
            found = archetypes.find(self.cld)
        except CSFrameworkError as err:  # pragma: no cover - find() checks its own input
            self.archetypes_html.value = error_html(err)
            return
        if not found:
            self.archetypes_html.value = "<b>Archetypes</b>: none found yet."
            return
        items = "".join(
            f"<li><b>{html.escape(m.archetype.name)}</b> (confidence {m.confidence:.2f}): "
            + html.escape(", ".join(f"{v} plays {r}" for r, v in m.role_pairs)) + "</li>"
            for m in found)
        self.archetypes_html.value = f"<b>Archetypes found</b><ul>{items}</ul>"

    # -- callbacks --------------------------------------------------------------------

    def _on_add(self, _button: Any = None) -> None:
        self.attempt(self.editor.add_link, self.cause.value, self.effect.value,
                      self.polarity.value, delay=self.delay.value)

    def _on_remove(self, _button: Any = None) -> None:
        self.attempt(self.editor.remove_link, self.cause.value, self.effect.value)

    def _on_add_variable(self, _button: Any = None) -> None:
        self.attempt(self.editor.add_variable, self.variable.value)

    def _on_remove_variable(self, _button: Any = None) -> None:
        self.attempt(self.editor.remove_variable, self.variable.value)

    def _on_undo(self, _button: Any = None) -> None:
        self.attempt(self.editor.undo)

    def _on_show_text(self, _button: Any = None) -> None:
        try:
            text = self.editor.export_text(self.export_format.value)
        except CSFrameworkError as err:
            self.export_status.value = error_html(err)
            return
        self.export_text.value = text
        self.export_text.layout.display = None
        self.export_status.value = "Copy the text below."

    def _on_save(self, _button: Any = None) -> None:
        try:
            with themed(self.theme):
                path = self.editor.export(self.export_format.value, self.export_name.value,
                                          self.folder)
        except (CSFrameworkError, OSError) as err:
            self.export_status.value = error_html(f"Could not save: {err}")
            return
        self.export_status.value = ok_html(f"Saved {path}")


def cld_editor(cld: Any = None, *, folder: str | os.PathLike[str] | None = None) -> CLDEditor:
    """Edit a causal loop diagram: links, variables, loop story names, undo, export.

    Parameters
    ----------
    cld : CausalLoopDiagram, optional
        The diagram to edit in place (default: a new one, at ``editor.cld``).
    folder : path, optional
        Where exported files are written (default: the working folder).

    Returns
    -------
    CLDEditor
    """
    return CLDEditor(cld, folder=folder)

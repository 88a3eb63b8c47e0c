"""Helpers shared by the widgets: outputs without ``with out:``, figures, theme, messages.

Outputs are set as whole ``Output.outputs`` tuples of display-data dicts (one
message per redraw), so strict nbval and JupyterLab see the same thing and no
kernel is needed to build or test a widget.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
from collections.abc import Iterator, Sequence
from typing import Any

import ipywidgets as widgets

from csframework import style
from csframework.errors import CSFrameworkError

__all__ = ["Root", "error_html", "fast_png", "figure_png", "html_output", "labelled_button",
           "ok_html", "png_of", "png_output", "show", "themed", "with_class"]

ERROR_COLOUR = "#CC3311"
OK_COLOUR = "#1B7837"


def png_output(png: bytes, text: str = "<Figure>") -> dict[str, Any]:
    """A display-data output holding a PNG image."""
    return {"output_type": "display_data",
            "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text},
            "metadata": {}}


def html_output(markup: str, text: str = "") -> dict[str, Any]:
    """A display-data output holding HTML (and its plain text)."""
    return {"output_type": "display_data",
            "data": {"text/html": markup, "text/plain": text or markup},
            "metadata": {}}


def show(output: widgets.Output, *entries: dict[str, Any]) -> None:
    """Replace everything `output` shows by `entries`, in one update."""
    output.outputs = tuple(entries)


def png_of(output: widgets.Output) -> bytes | None:
    """The first PNG `output` shows, decoded (for tests and benchmarks)."""
    for entry in output.outputs:
        data = entry.get("data", {})
        if "image/png" in data:
            return base64.b64decode(data["image/png"])
    return None


def figure_png(figure: Any, dpi: float | None = None) -> bytes:
    """Render a matplotlib figure to PNG bytes (Agg, no timestamp); the figure is kept."""
    from csframework._drawing import render

    return render(figure, "png", clear=False, dpi=dpi or figure.dpi)


def fast_png(figure: Any) -> bytes:
    """Render a figure (with no layout engine) in one draw, with quick PNG compression.

    For figures redrawn on every slider change: the picture is the same as
    :func:`figure_png`'s at the figure's own dpi; the file is a little larger.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                             "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


@contextlib.contextmanager
def themed(theme: style.Theme) -> Iterator[None]:
    """Draw with `theme`: csframework's current theme and matplotlib's rc both set."""
    import matplotlib

    with style.theme(theme.name), matplotlib.rc_context(theme.rc()):
        yield


def error_html(message: str) -> str:
    """`message` in red, escaped."""
    return f"<span style='color:{ERROR_COLOUR}'>{html.escape(str(message))}</span>"


def ok_html(message: str) -> str:
    """`message` in green, escaped."""
    return f"<span style='color:{OK_COLOUR}'>{html.escape(str(message))}</span>"


def _css(theme: style.Theme) -> str:
    size = theme.font_size * 4 / 3          # points to CSS pixels
    height = round(size * 2.2)
    return (f"<style>.csf-theme-{theme.name} {{"
            f"--jp-widgets-font-size: {size:.0f}px; --jp-ui-font-size1: {size:.0f}px;"
            f"--jp-widgets-inline-height: {height}px; --jp-widgets-inline-label-width: "
            f"{round(size * 12)}px; font-size: {size:.0f}px; }}"
            f".csf-theme-{theme.name} .widget-label, .csf-theme-{theme.name} button, "
            f".csf-theme-{theme.name} textarea, .csf-theme-{theme.name} input "
            f"{{ font-size: {size:.0f}px; }}"
            f".csf-theme-{theme.name} .csf-title {{ font-size: {theme.title_size * 4 / 3:.0f}px;"
            " font-weight: bold; }</style>")


def labelled_button(description: str, css: str, *, tooltip: str = "", icon: str = "",
                    style_name: str = "") -> widgets.Button:
    """A button with a CSS class for browser tests."""
    button = widgets.Button(description=description, tooltip=tooltip or description, icon=icon,
                            button_style=style_name)
    button.add_class(css)
    return button


def with_class(widget: Any, *classes: str) -> Any:
    """`widget`, with the CSS classes added."""
    for css in classes:
        widget.add_class(css)
    return widget


class Root(widgets.VBox):
    """The outer box of every csframework widget: the theme's CSS, its classes, its width.

    Parameters
    ----------
    children : sequence of widgets
    css_class : str
        The widget family's class, e.g. ``"csf-dashboard"``.
    theme : Theme, optional
        Default: ``style.current()`` when the widget is made.

    Attributes
    ----------
    error : HTML
        The red error line of a widget that edits something (set by the subclass;
        :meth:`attempt` writes to it).
    """

    error: widgets.HTML

    def __init__(self, children: Sequence[Any] = (), *, css_class: str,
                 theme: style.Theme | None = None):
        self.theme = theme or style.current()
        css = widgets.HTML(_css(self.theme), layout=widgets.Layout(height="0px"))
        css.add_class("csf-style")
        super().__init__(children=[css, *children],
                         layout=widgets.Layout(max_width=self._max_width()))
        for name in ("csf-widget", css_class, f"csf-theme-{self.theme.name}"):
            self.add_class(name)

    def _max_width(self) -> str:
        width = self.theme.widget_width
        if width.endswith("px"):
            return f"{int(float(width[:-2]) * 1.6)}px"
        return width  # pragma: no cover

    def __repr__(self) -> str:
        # Short and stable: a notebook's text output (what nbval compares)
        # must not carry every child's state, PNG data included.
        return f"<{type(self).__name__} widget>"

    def attempt(self, action: Any, *args: Any, **kwargs: Any) -> bool:
        """Run ``action(*args, **kwargs)``, an edit of the plain object; True if it worked.

        A ``CSFrameworkError`` is shown in red in the widget's ``error`` line (never
        as a traceback) and the edit has changed nothing; otherwise the error line
        is cleared and the widget shows the new state (:meth:`refresh`).
        """
        try:
            action(*args, **kwargs)
        except CSFrameworkError as err:
            self.error.value = error_html(err)
            return False
        self.error.value = ""
        self.refresh()
        return True

    def refresh(self) -> None:  # pragma: no cover - overridden by widgets that edit
        """Show the plain object's current state again."""
        raise NotImplementedError(f"{type(self).__name__} does not redraw itself")

"""Reveal a causal loop diagram link by link, with a line of narration each (facilitators).

Back and Next are ordinary buttons (Tab to them, Space or Enter to press);
the step slider also moves with the arrow keys once focused. Each step's
picture is drawn once and kept, so going back is instant.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> from csframework.widgets import story
>>> player = story(CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -"))
>>> player.next_button.click(); player.next_button.click()
>>> player.narration.value
'When b rises, a falls. This closes B1, a balancing loop: a → b → a.'
>>> player.back_button.click(); player.position
1
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from csframework.cld.narration import Story
from csframework.widgets._output import (
    Root,
    figure_png,
    labelled_button,
    png_output,
    show,
    themed,
    with_class,
)

__all__ = ["StoryPlayer", "story"]


class StoryPlayer(Root):
    """Back / Next through a :class:`~csframework.cld.narration.Story`.

    Attributes
    ----------
    story : Story
        The plain object (steps, narration, loops closed).
    back_button, next_button : Button
    step : IntSlider
        The position, 0 (nothing yet) to the number of links.
    narration : HTML
        The words for the position.
    output : Output
        The drawing at the position.
    """

    def __init__(self, cld: Any):
        self.story = Story(cld)
        self._pngs: dict[int, bytes] = {}
        self.back_button = labelled_button("Back", "csf-story-back", icon="arrow-left",
                                           tooltip="Previous link")
        self.next_button = labelled_button("Next", "csf-story-next", icon="arrow-right",
                                           tooltip="Next link", style_name="primary")
        self.step = with_class(widgets.IntSlider(value=0, min=0, max=len(self.story),
                                                 description="Link", continuous_update=False),
                               "csf-story-step")
        self.narration = with_class(widgets.HTML(), "csf-story-narration")
        self.output = with_class(widgets.Output(), "csf-figure")
        self.back_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        self.step.observe(lambda change: self._show(), names="value")
        super().__init__([widgets.HBox([self.back_button, self.next_button, self.step]),
                          self.narration, self.output], css_class="csf-story")
        self._show()

    @property
    def position(self) -> int:
        """How many links are shown."""
        return self.step.value

    def go(self, position: int) -> None:
        """Show the first `position` links (clamped to the story's length)."""
        self.step.value = max(0, min(len(self.story), int(position)))

    def _show(self) -> None:
        position = self.position
        self.back_button.disabled = position == 0
        self.next_button.disabled = position == len(self.story)
        text = self.story.narration(position)
        self.narration.value = html.escape(text)
        if position not in self._pngs:
            with themed(self.theme):
                figure = self.story.figure(position)
                self._pngs[position] = figure_png(figure)
        show(self.output, png_output(self._pngs[position], text))


def story(cld: Any) -> StoryPlayer:
    """Reveal `cld` link by link, saying what each link means and which loops it closes.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The finished diagram; links are revealed in the order they were added.

    Returns
    -------
    StoryPlayer
    """
    return StoryPlayer(cld)

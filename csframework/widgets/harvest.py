"""The harvest game's form for the facilitator: one box per player, play, undo, reveal.

A view only: every round is played on the :class:`~csframework.games.HarvestGame`
given, and the board and the picture come from it.

Examples
--------
>>> from csframework.games import HarvestGame
>>> from csframework.widgets import harvest_game_widget
>>> form = harvest_game_widget(HarvestGame(["Ana"]))
>>> form.inputs["Ana"].value = 4
>>> form.play_button.click()
>>> form.game.round
1
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from csframework import style
from csframework._drawing import figure_to_png
from csframework.errors import CSFrameworkError
from csframework.widgets._output import html_output, png_output, show

if TYPE_CHECKING:  # pragma: no cover
    from csframework.games import HarvestGame

__all__ = ["harvest_game_widget"]


def harvest_game_widget(game: HarvestGame) -> Any:
    """A small form for the facilitator: one box per player, a button, the board and chart.

    The output is replaced as a whole (no ``with out:``), so it behaves the same in
    JupyterLab and under nbval.

    Parameters
    ----------
    game : HarvestGame
        The game to drive; every round played through the form is played on it.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``inputs`` (player to FloatText), ``play_button``,
        ``undo_button``, ``reveal`` (a checkbox: show the full picture) and ``output``.

    Examples
    --------
    >>> from csframework.games import HarvestGame
    >>> game = HarvestGame(["Ana", "Ben"])
    >>> form = harvest_game_widget(game)
    >>> form.inputs["Ana"].value, form.inputs["Ben"].value = 5, 8
    >>> form.play_button.click()
    >>> game.round, game.catches.loc[1].tolist()
    (1, [5.0, 8.0])
    >>> form
    <HarvestGameWidget widget>
    """
    theme = style.current()

    class HarvestGameWidget(widgets.VBox):
        def __repr__(self) -> str:
            return "<HarvestGameWidget widget>"

    inputs = {p: widgets.FloatText(value=0.0, description=p, step=1.0,
                                   layout=widgets.Layout(width="260px"))
              for p in game.players}
    play = widgets.Button(description="Play round", button_style="primary")
    undo = widgets.Button(description="Undo last round")
    reveal = widgets.Checkbox(value=False, description="facilitator view (reveal all)")
    message = widgets.HTML()
    output = widgets.Output()

    def refresh(note: str = "") -> None:
        message.value = note
        board = game.board()
        show(output, html_output(f"<pre>{html.escape(board)}</pre>", board),
             png_output(figure_to_png(game.plot(reveal=reveal.value))))

    def on_play(_: Any) -> None:
        try:
            played = game.play_round({p: box.value for p, box in inputs.items()})
        except CSFrameworkError as err:
            refresh(f"<span style='color:{style.PALETTE['negative']}'>"
                    f"{html.escape(str(err))}</span>")
            return
        for box in inputs.values():
            box.value = 0.0
        refresh(f"Round {played.number} played.")

    def on_undo(_: Any) -> None:
        try:
            taken = game.undo()
        except CSFrameworkError as err:
            refresh(f"<span style='color:{style.PALETTE['negative']}'>"
                    f"{html.escape(str(err))}</span>")
            return
        refresh(f"Round {taken.number} taken back.")

    play.on_click(on_play)
    undo.on_click(on_undo)
    reveal.observe(lambda _: refresh(), names="value")
    box = HarvestGameWidget([widgets.HTML(f"<b>{html.escape(game.title)}</b>"),
                             *inputs.values(), widgets.HBox([play, undo, reveal]), message,
                             output], layout=widgets.Layout(max_width=theme.widget_width))
    box.inputs, box.play_button, box.undo_button = inputs, play, undo
    box.reveal, box.output, box.game = reveal, output, game
    refresh()
    return box


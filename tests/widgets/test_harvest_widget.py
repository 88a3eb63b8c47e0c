"""The harvest game's form (a view in csframework.widgets.harvest) over a plain HarvestGame."""

from __future__ import annotations

import subprocess
import sys

import csframework.games as games
from csframework.games import HarvestGame
from csframework.widgets import harvest_game_widget

PLAYERS = ["Ana", "Ben", "Chen"]


def test_widget_plays_rounds():
    g = HarvestGame(PLAYERS)
    form = harvest_game_widget(g)
    for p, v in zip(PLAYERS, (1, 2, 3), strict=True):
        form.inputs[p].value = v
    form.play_button.click()
    assert g.round == 1 and form.inputs["Ana"].value == 0
    form.inputs["Ana"].value = -1
    form.play_button.click()
    assert g.round == 1  # refused, message shown
    assert "negative" in form.children[-2].value
    form.undo_button.click()
    assert g.round == 0
    assert repr(form) == "<HarvestGameWidget widget>"
    assert any("image/png" in o["data"] for o in form.output.outputs)


def test_the_board_and_the_picture_are_shown_as_display_data():
    g = HarvestGame(PLAYERS, show_stock=False)
    form = harvest_game_widget(g)
    board, picture = form.output.outputs
    assert board["data"]["text/plain"] == g.board()
    assert board["data"]["text/html"].startswith("<pre>The fishery")
    assert picture["data"]["text/plain"] == "<Figure>"
    form.reveal.value = True   # the facilitator's view redraws at once
    assert form.output.outputs[1]["data"]["image/png"] != picture["data"]["image/png"]


def test_the_game_logic_does_not_reach_up_to_its_view():
    assert not hasattr(games, "harvest_game_widget")


def test_the_game_logic_does_not_import_ipywidgets():
    code = ("import sys, csframework.games as g; "
            "g.HarvestGame(['Ana']).play_round({'Ana': 1}); "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"

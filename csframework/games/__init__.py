"""A harvest game for a group: the tragedy of the commons, played live.

A group shares one renewable resource, a sea of fish. Every round each
player says how much they want to catch; the sea gives what it has, shared
fairly when it runs short, and what is left regrows logistically: fastest at
half the sea's capacity, hardly at all when nearly empty or nearly full. When
the stock falls below a small fraction of the capacity the fishery has
collapsed and the game is over.

The game is a plain object that a facilitator drives from one notebook: one
dictionary of catches per round, then a picture (:meth:`HarvestGame.plot`),
a table (:attr:`HarvestGame.history`) and a debrief (:meth:`HarvestGame.summary`).
Information is a rule of the game: with ``show_stock=False`` players do not
see how many fish are left, and with ``show_catches=False`` they do not see
each other's catches. :meth:`HarvestGame.board` shows what the players are
allowed to see; changing the rules between rounds (:meth:`HarvestGame.set_rules`)
is how a group redesigns its commons. A game can be saved as JSON and
continued later, and :func:`csframework.widgets.harvest_game_widget` (a view,
in :mod:`csframework.widgets.harvest`) gives the facilitator a small form to type
the catches into.

Examples
--------
>>> from csframework.games import HarvestGame
>>> game = HarvestGame(["Ana", "Ben", "Chen"], resource=100, capacity=100, regrowth=0.5)
>>> game.sustainable_catch
12.5
>>> game.play_round({"Ana": 4, "Ben": 4, "Chen": 4})
<Round 1: asked 12, caught 12, stock 100 → 93.3>
>>> game.play_round({"Ana": 10, "Bem": 5, "Chen": 5})
Traceback (most recent call last):
...
csframework.errors.UnknownNameError: unknown player 'Bem' in the harvest game; did you mean 'Ben'?
>>> game.play_round({"Ana": 30, "Ben": 30, "Chen": 30})
<Round 2: asked 90, caught 90, stock 93.3 → 4.9>
>>> game.is_collapsed, game.totals.to_dict()
(True, {'Ana': 34.0, 'Ben': 34.0, 'Chen': 34.0})
"""

from __future__ import annotations

from csframework.games.harvest import (  # noqa: F401  (kept public)
    SCHEMA,
    SHARING,
    VERSION,
    GameError,
    GameOverError,
    HarvestGame,
    Round,
)

__all__ = ["GameError", "GameOverError", "HarvestGame", "Round"]


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "SCHEMA", "SHARING", "VERSION"})

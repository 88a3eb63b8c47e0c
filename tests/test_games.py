"""Tests for the harvest game (csframework.games)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csframework.errors import CSFrameworkError, FormatError, UnknownNameError
from csframework.games import GameError, GameOverError, HarvestGame

PLAYERS = ["Ana", "Ben", "Chen"]


def game(**kwargs) -> HarvestGame:
    return HarvestGame(PLAYERS, **kwargs)


def test_logistic_regrowth_of_what_is_left():
    g = game(resource=100, capacity=100, regrowth=0.5)
    r = g.play_round({"Ana": 20, "Ben": 20, "Chen": 10})
    assert r.stock_start == 100
    assert r.regrowth == pytest.approx(0.5 * 50 * 0.5)
    assert g.stock == pytest.approx(62.5)
    assert g.sustainable_catch == 12.5
    assert g.fair_share == pytest.approx(12.5 / 3, abs=1e-4)


def test_sustainable_catch_at_half_capacity_is_steady():
    g = HarvestGame(["Ana", "Ben"], resource=62.5, capacity=100, regrowth=0.5)
    for _ in range(20):
        g.play_round({"Ana": 6.25, "Ben": 6.25})
    assert g.stock == pytest.approx(62.5)
    assert not g.is_collapsed


def test_greed_collapses_the_sea_and_ends_the_game():
    g = game()
    for _ in range(10):
        if g.is_over:
            break
        g.play_round({"Ana": 15, "Ben": 15, "Chen": 15})
    assert g.is_collapsed and g.is_over
    with pytest.raises(GameOverError, match="collapsed"):
        g.play_round({"Ana": 0, "Ben": 0, "Chen": 0})
    assert isinstance(GameOverError("x"), CSFrameworkError)


def test_last_round_ends_the_game():
    g = game(rounds=2)
    g.play_round({"Ana": 1, "Ben": 1, "Chen": 1})
    g.play_round({"Ana": 1, "Ben": 1, "Chen": 1})
    assert g.is_over and not g.is_collapsed
    with pytest.raises(GameOverError, match="all 2 rounds"):
        g.play_round({"Ana": 1, "Ben": 1, "Chen": 1})


def test_equal_sharing_when_the_sea_runs_out():
    g = game(resource=30)
    r = g.play_round({"Ana": 5, "Ben": 40, "Chen": 100})
    assert r.caught == {"Ana": 5.0, "Ben": 12.5, "Chen": 12.5}
    assert g.stock == 0
    assert r.total_asked == 145


def test_proportional_sharing():
    g = game(resource=30, sharing="proportional")
    r = g.play_round({"Ana": 10, "Ben": 20, "Chen": 30})
    assert r.caught == {"Ana": 5.0, "Ben": 10.0, "Chen": 15.0}
    with pytest.raises(UnknownNameError, match="sharing rule"):
        game(sharing="greedy")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.floats(0, 60, allow_nan=False)] * 3), min_size=1, max_size=12),
       st.floats(0.05, 1.5), st.sampled_from(["equal", "proportional"]))
def test_never_negative_never_over_capacity(rounds, regrowth, sharing):
    g = game(regrowth=regrowth, sharing=sharing, collapse_at=0.0)
    for catches in rounds:
        stock = g.stock
        r = g.play_round(dict(zip(PLAYERS, catches, strict=True)))
        assert 0 <= r.stock_end <= g.capacity
        assert r.total_caught <= stock + 1e-3  # catches are rounded to 4 decimals
        for p in PLAYERS:
            assert 0 <= r.caught[p] <= r.asked[p] + 1e-9


def test_errors_are_clear():
    g = game()
    with pytest.raises(UnknownNameError, match="did you mean 'Ben'"):
        g.play_round({"Ana": 1, "Bem": 1, "Chen": 1})
    with pytest.raises(GameError, match="cannot be negative"):
        g.play_round({"Ana": -2, "Ben": 1, "Chen": 1})
    with pytest.raises(GameError, match="no catch stated for Chen"):
        g.play_round({"Ana": 1, "Ben": 1})
    with pytest.raises(GameError, match="must be a number"):
        g.play_round({"Ana": "five", "Ben": 1, "Chen": 1})
    with pytest.raises(GameError, match="finite"):
        g.play_round({"Ana": float("nan"), "Ben": 1, "Chen": 1})
    with pytest.raises(GameError, match="named twice"):
        g.play_round({"Ana": 1, "ana": 2, "Ben": 1, "Chen": 1})
    with pytest.raises(GameError, match="dictionary"):
        g.play_round([1, 2, 3])
    assert g.round == 0  # nothing was played by a refused round
    with pytest.raises(GameError, match="listed twice"):
        HarvestGame(["Ana", "ana"])
    with pytest.raises(GameError, match="one string"):
        HarvestGame("Ana")
    with pytest.raises(GameError, match="at least one"):
        HarvestGame([])
    with pytest.raises(GameError, match="more than the capacity"):
        HarvestGame(["Ana"], resource=200, capacity=100)
    with pytest.raises(ValueError):
        HarvestGame(["Ana"], regrowth=-1)
    with pytest.raises(GameError, match="nothing to undo"):
        g.undo()


def test_names_are_forgiving():
    g = HarvestGame(["Ana Lima", "Ben"])
    g.play_round({"ana  lima": 2, "BEN": 3})
    assert g.totals.to_dict() == {"Ana Lima": 2.0, "Ben": 3.0}


def test_history_catches_totals():
    g = game()
    g.play_round({"Ana": 1, "Ben": 2, "Chen": 3})
    g.play_round({"Ana": 4, "Ben": 5, "Chen": 6})
    h = g.history
    assert list(h.index) == [1, 2] and h.index.name == "round"
    assert h["caught"].tolist() == [6.0, 15.0]
    assert h.loc[2, "stock_start"] == h.loc[1, "stock_end"]
    assert g.catches.loc[2].tolist() == [4.0, 5.0, 6.0]
    assert g.totals.tolist() == [5.0, 7.0, 9.0]
    assert game().history.empty


def test_information_rules_change_the_board_not_the_sea():
    hidden = game(show_stock=False, show_catches=False)
    shown = game()
    for g in (hidden, shown):
        g.play_round({"Ana": 3, "Ben": 4, "Chen": 5})
    assert hidden.stock == shown.stock
    assert "hidden from players" in hidden.board()
    assert "Ben 4" not in hidden.board() and "the group caught 12" in hidden.board()
    assert "Stock: 9" in shown.board() and "Ben 4" in shown.board()
    hidden.set_rules(show_stock=True, quota=2)
    assert "Quota: at most 2" in hidden.board()
    r = hidden.play_round({"Ana": 3, "Ben": 4, "Chen": 1})
    assert r.caught == {"Ana": 2.0, "Ben": 2.0, "Chen": 1.0} and r.show_stock
    assert "rules changed before round(s) 2" in hidden.summary()
    hidden.set_rules(quota=None)
    assert hidden.quota is None


def test_summary_and_repr():
    g = game()
    assert "No rounds played yet" in g.summary()
    g.play_round({"Ana": 35, "Ben": 35, "Chen": 35})
    text = g.summary()
    assert "collapsed in round 1" in text and "Totals:" in text
    assert repr(g) == ("<HarvestGame 'The fishery': 3 players, 1 round played, stock 0 of "
                       "100 (collapsed)>")


def test_noise_is_seeded():
    a = game(noise=0.3, seed=3)
    b = game(noise=0.3, seed=3)
    c = game(noise=0.3, seed=4)
    for g in (a, b, c):
        for _ in range(3):
            g.play_round({"Ana": 2, "Ben": 2, "Chen": 2})
    assert a.stock == b.stock != c.stock


def test_json_round_trip_and_continue(tmp_path):
    g = game(noise=0.2, seed=5, show_stock=False, quota=8, rounds=6, title="Bay")
    g.play_round({"Ana": 3, "Ben": 9, "Chen": 2})
    path = g.save(tmp_path / "bay.json")
    again = HarvestGame.load(path)
    assert again.to_json() == g.to_json()
    assert again.settings() == g.settings()
    for x in (g, again):
        x.play_round({"Ana": 1, "Ben": 1, "Chen": 1})
    assert again.stock == g.stock
    data = json.loads(g.to_json())
    assert data["schema"] == "csframework.harvest-game" and data["version"] == 1
    with pytest.raises(FormatError):
        HarvestGame.from_json("{}")
    with pytest.raises(FormatError):
        HarvestGame.from_json('{"schema": "csframework.harvest-game", "version": 1}')


def test_undo():
    g = game()
    g.play_round({"Ana": 1, "Ben": 1, "Chen": 1})
    g.play_round({"Ana": 50, "Ben": 50, "Chen": 50})
    assert g.is_over
    g.undo()
    assert not g.is_over and g.round == 1


def test_plot_is_deterministic_and_respects_rules():
    g = game(show_stock=False)
    g.play_round({"Ana": 1, "Ben": 2, "Chen": 3})
    assert g.to_png() == g.to_png()
    full = g.plot()
    assert len(full.axes[0].lines) >= 1
    player_view = g.plot(reveal=False)
    assert not player_view.axes[0].lines
    assert game().to_png().startswith(b"\x89PNG")




def test_player_names_compare_as_every_name_in_csframework_does():
    # one rule for names (csframework._text.normalise): case, spaces, "-" and "_" do not matter
    g = HarvestGame(["Jean-Luc", "Ana"])
    assert g.play_round({"jean luc": 1, "ANA": 2}).caught == {"Jean-Luc": 1.0, "Ana": 2.0}
    with pytest.raises(GameError, match="'Jean_Luc' is listed twice"):
        HarvestGame(["Jean-Luc", "Jean_Luc"])

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
continued later, and :func:`harvest_game_widget` gives the facilitator a
small form to type the catches into.

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

import html
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csframework import style
from csframework.errors import CSFrameworkError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["GameError", "GameOverError", "HarvestGame", "Round", "harvest_game_widget"]

SCHEMA = "csframework.harvest-game"
VERSION = 1
SHARING = ("equal", "proportional")


class GameError(CSFrameworkError, ValueError):
    """A move or setting the harvest game cannot accept (the message says why)."""


class GameOverError(GameError):
    """A round was played after the game ended (collapse or the last round)."""


@dataclass(frozen=True)
class Round:
    """One round of the game: what was asked, what was caught, how the sea responded.

    Attributes
    ----------
    number : int
        1 for the first round.
    asked, caught : dict of str to float
        Each player's stated catch, and what they actually got.
    stock_start, stock_end : float
        The stock before the catch, and after the catch and regrowth.
    regrowth : float
        What the sea added back after the catch.
    show_stock, show_catches : bool
        The information rules in force during the round.
    quota : float or None
        The most one player could take in the round, if the group had agreed one.
    """

    number: int
    asked: dict[str, float]
    caught: dict[str, float]
    stock_start: float
    regrowth: float
    stock_end: float
    show_stock: bool
    show_catches: bool
    quota: float | None

    @property
    def total_asked(self) -> float:
        """The sum of all stated catches."""
        return _tidy(sum(self.asked.values()))

    @property
    def total_caught(self) -> float:
        """The sum of all actual catches."""
        return _tidy(sum(self.caught.values()))

    def __repr__(self) -> str:
        return (f"<Round {self.number}: asked {_f(self.total_asked)}, caught "
                f"{_f(self.total_caught)}, stock {_f(self.stock_start)} → {_f(self.stock_end)}>")


class HarvestGame:
    """A shared fishery that a group harvests round by round.

    Parameters
    ----------
    players : iterable of str
        The players' names (at least one; unique, ignoring case).
    resource : float, default 100
        The stock of fish at the start.
    regrowth : float, default 0.5
        The logistic growth rate per round: the remaining stock ``S`` grows by
        ``regrowth * S * (1 - S / capacity)``. The most the sea can replace in
        a round, the maximum sustainable yield, is ``regrowth * capacity / 4``,
        reached when half the sea is left after the catch.
    capacity : float, default 100
        The most fish the sea can hold.
    seed : int, default 0
        Seeds the random variation of regrowth (used only when `noise` > 0):
        the same seed and the same catches always give the same game.
    noise : float, default 0
        Relative size of the random variation of regrowth (0.1: about ±10 %).
    show_stock : bool, default True
        Whether the players may see how many fish are left.
    show_catches : bool, default True
        Whether the players may see each other's catches (otherwise only totals).
    quota : float, optional
        The most any one player may take in a round; larger requests are cut.
    rounds : int, optional
        The number of rounds to play; without it the game runs until the sea collapses
        or the facilitator stops.
    collapse_at : float, default 0.05
        The sea has collapsed when the stock falls below this fraction of `capacity`.
    sharing : {"equal", "proportional"}, default "equal"
        How a short catch is shared when the players ask for more than the sea holds:
        ``"equal"`` gives everyone the same share, never more than they asked (the
        rest of the smaller requests goes to the others); ``"proportional"`` cuts every
        request by the same fraction (so the greediest get the most).
    title : str, default "The fishery"

    Examples
    --------
    >>> game = HarvestGame(["Ana", "Ben"], resource=10, capacity=100, show_stock=False)
    >>> r = game.play_round({"Ana": 2, "Ben": 20})   # only 10 fish: shared fairly
    >>> r.caught
    {'Ana': 2.0, 'Ben': 8.0}
    >>> game.is_collapsed, game.is_over
    (True, True)
    >>> print(game.board())
    The fishery · 1 round played · the sea has collapsed
    Stock: hidden from players (the facilitator knows: 0 of 100)
    Round 1 catches: Ana 2, Ben 8 (total 10)
    Totals so far: Ana 2, Ben 8
    """

    def __init__(self, players: Iterable[str], resource: float = 100.0, regrowth: float = 0.5,
                 capacity: float = 100.0, seed: int = 0, *, noise: float = 0.0,
                 show_stock: bool = True, show_catches: bool = True,
                 quota: float | None = None, rounds: int | None = None,
                 collapse_at: float = 0.05, sharing: str = "equal",
                 title: str = "The fishery"):
        self.players = _check_players(players)
        self.capacity = _positive(capacity, "capacity")
        self.initial_resource = _non_negative(resource, "resource")
        if self.initial_resource > self.capacity:
            raise GameError(f"resource {resource!r} is more than the capacity {capacity!r}; "
                            "the sea cannot start fuller than it can hold")
        self.regrowth = _non_negative(regrowth, "regrowth")
        if self.regrowth > 3:
            raise GameError(f"regrowth {regrowth!r} is too large (at most 3 per round; "
                            "0.2 to 1 gives a playable game)")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise GameError(f"seed must be a whole number, not {seed!r}")
        self.seed = int(seed)
        self.noise = _non_negative(noise, "noise")
        self.collapse_at = _non_negative(collapse_at, "collapse_at")
        if self.collapse_at >= 1:
            raise GameError(f"collapse_at {collapse_at!r} must be a fraction of the capacity "
                            "below 1 (e.g. 0.05)")
        if sharing not in SHARING:
            raise UnknownNameError(str(sharing), SHARING, kind="sharing rule",
                                   where="the harvest game")
        self.sharing = sharing
        if rounds is not None and (isinstance(rounds, bool)
                                   or not isinstance(rounds, numbers.Integral) or rounds < 1):
            raise GameError(f"rounds must be a whole number of at least 1, not {rounds!r}")
        self.max_rounds = None if rounds is None else int(rounds)
        self.title = str(title)
        self.show_stock = bool(show_stock)
        self.show_catches = bool(show_catches)
        self.quota = None if quota is None else _non_negative(quota, "quota")
        self._rounds: list[Round] = []

    # -- state ------------------------------------------------------------------------

    @property
    def stock(self) -> float:
        """The fish in the sea now (the facilitator's view; players may not see it)."""
        return self._rounds[-1].stock_end if self._rounds else self.initial_resource

    @property
    def round(self) -> int:
        """How many rounds have been played."""
        return len(self._rounds)

    @property
    def rounds(self) -> tuple[Round, ...]:
        """Every round played, first first."""
        return tuple(self._rounds)

    @property
    def sustainable_catch(self) -> float:
        """The most the group can catch every round for ever (the maximum sustainable yield)."""
        return _tidy(self.regrowth * self.capacity / 4)

    @property
    def fair_share(self) -> float:
        """One player's equal part of the sustainable catch."""
        return _tidy(self.sustainable_catch / len(self.players))

    @property
    def is_collapsed(self) -> bool:
        """Whether the stock has fallen below ``collapse_at`` of the capacity."""
        return self.stock < self.collapse_at * self.capacity

    @property
    def is_over(self) -> bool:
        """Whether no more rounds can be played (collapse, or the last round was played)."""
        return self.is_collapsed or (self.max_rounds is not None
                                     and self.round >= self.max_rounds)

    # -- rules ------------------------------------------------------------------------

    def set_rules(self, *, show_stock: bool | None = None, show_catches: bool | None = None,
                  quota: float | str | None = "unchanged") -> HarvestGame:
        """Change the rules for the next rounds: who sees what, and the quota.

        Parameters
        ----------
        show_stock, show_catches : bool, optional
            New information rules (unchanged if not given).
        quota : float or None, optional
            A new per-player limit per round; ``None`` removes the quota.

        Returns
        -------
        HarvestGame
            The game itself, so that the call displays it.

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"], show_stock=False)
        >>> game.set_rules(show_stock=True, quota=5).quota
        5.0
        >>> game.play_round({"Ana": 9, "Ben": 3}).caught
        {'Ana': 5.0, 'Ben': 3.0}
        """
        if show_stock is not None:
            self.show_stock = bool(show_stock)
        if show_catches is not None:
            self.show_catches = bool(show_catches)
        if quota is None:
            self.quota = None
        elif quota != "unchanged":
            self.quota = _non_negative(quota, "quota")
        return self

    # -- playing ----------------------------------------------------------------------

    def play_round(self, catches: Mapping[str, float]) -> Round:
        """Play one round: every player states a catch, the sea responds.

        Parameters
        ----------
        catches : mapping of str to float
            Each player's stated catch for the round (names as given to the game;
            case and spaces are forgiven). Every player must state one (0 is fine).

        Returns
        -------
        Round
            What happened in the round.

        Raises
        ------
        UnknownNameError
            A name that is not a player (with the closest names suggested).
        GameError
            A negative or non-numeric catch, a player named twice, or a player missing.
        GameOverError
            The sea has collapsed, or the last round has been played.

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"], resource=50, regrowth=0.5, capacity=100)
        >>> game.play_round({"ana": 5, "Ben": 5})
        <Round 1: asked 10, caught 10, stock 50 → 52>
        >>> game.play_round({"Ana": -1, "Ben": 2})
        Traceback (most recent call last):
        ...
        csframework.games.GameError: Ana's catch is -1; a catch cannot be negative (0 means ...
        """
        if self.is_over:
            why = ("the sea has collapsed" if self.is_collapsed
                   else f"all {self.max_rounds} rounds have been played")
            raise GameOverError(f"the game is over: {why} after round {self.round}; "
                                "start a new HarvestGame, or undo() the last round")
        asked = self._check_catches(catches)
        stock = self.stock
        limited = {p: (min(c, self.quota) if self.quota is not None else c)
                   for p, c in asked.items()}
        caught = _share(limited, stock, self.sharing)
        left = max(stock - sum(caught.values()), 0.0)
        growth = self.regrowth * left * (1 - left / self.capacity)
        if self.noise:
            rng = np.random.default_rng([self.seed, self.round + 1])
            growth *= max(0.0, 1 + self.noise * float(rng.standard_normal()))
        end = min(max(left + growth, 0.0), self.capacity)
        record = Round(self.round + 1, {p: _tidy(c) for p, c in asked.items()},
                       {p: _tidy(c) for p, c in caught.items()}, _tidy(stock),
                       _tidy(end - left), _tidy(end), self.show_stock, self.show_catches,
                       self.quota)
        self._rounds.append(record)
        return record

    def undo(self) -> Round:
        """Take back the last round (a typo in a catch, say) and return it.

        Examples
        --------
        >>> game = HarvestGame(["Ana"])
        >>> _ = game.play_round({"Ana": 50})
        >>> game.undo().number, game.round, game.stock
        (1, 0, 100.0)
        """
        if not self._rounds:
            raise GameError("no round has been played yet, so there is nothing to undo")
        return self._rounds.pop()

    def _check_catches(self, catches: Mapping[str, float]) -> dict[str, float]:
        if not isinstance(catches, Mapping):
            raise GameError("give the catches as a dictionary of player to catch, e.g. "
                            f"{{{self.players[0]!r}: 5}}, not {type(catches).__name__}")
        lookup = {_key(p): p for p in self.players}
        asked: dict[str, float] = {}
        for name, value in catches.items():
            player = lookup.get(_key(name))
            if player is None:
                raise _unknown_player(name, self.players)
            if player in asked:
                raise GameError(f"{player} is named twice in this round's catches")
            asked[player] = _catch(value, player)
        missing = [p for p in self.players if p not in asked]
        if missing:
            names = ", ".join(missing)
            raise GameError(f"no catch stated for {names}; every player states a catch each "
                            "round (0 means not fishing)")
        return {p: asked[p] for p in self.players}

    # -- views ------------------------------------------------------------------------

    @property
    def history(self) -> pd.DataFrame:
        """One row per round: the stock, what was asked and caught, regrowth, the rules.

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"])
        >>> _ = game.play_round({"Ana": 5, "Ben": 10})
        >>> game.history.loc[1, ["stock_start", "caught", "regrowth", "stock_end"]].tolist()
        [100.0, 15.0, 6.375, 91.375]
        """
        columns = ["stock_start", "asked", "caught", "regrowth", "stock_end", "show_stock",
                   "show_catches", "quota", *(f"caught: {p}" for p in self.players)]
        rows = [[r.stock_start, r.total_asked, r.total_caught, r.regrowth, r.stock_end,
                 r.show_stock, r.show_catches, r.quota, *(r.caught[p] for p in self.players)]
                for r in self._rounds]
        frame = pd.DataFrame(rows, columns=columns,
                             index=pd.RangeIndex(1, len(rows) + 1, name="round"))
        return frame.astype({c: float for c in columns if c not in
                             ("show_stock", "show_catches", "quota")})

    @property
    def catches(self) -> pd.DataFrame:
        """What each player actually caught: rounds down, players across."""
        frame = pd.DataFrame([[r.caught[p] for p in self.players] for r in self._rounds],
                             columns=list(self.players), dtype=float,
                             index=pd.RangeIndex(1, self.round + 1, name="round"))
        frame.columns.name = "player"
        return frame

    @property
    def totals(self) -> pd.Series:
        """Each player's catch over all rounds so far."""
        return pd.Series({p: _tidy(sum(r.caught[p] for r in self._rounds))
                          for p in self.players}, name="total catch", dtype=float)

    def board(self) -> str:
        """What the players may see now, following the information rules.

        Returns
        -------
        str
            A few lines: the stock (or that it is hidden), the last round's catches (or
            only their total) and the totals so far (when catches are visible).
        """
        state = ("the sea has collapsed" if self.is_collapsed
                 else "game over" if self.is_over else f"round {self.round + 1} next")
        lines = [f"{self.title} · {_plural(self.round, 'round')} played · {state}"]
        if self.show_stock:
            lines.append(f"Stock: {_f(self.stock)} of {_f(self.capacity)}")
        else:
            lines.append(f"Stock: hidden from players (the facilitator knows: "
                         f"{_f(self.stock)} of {_f(self.capacity)})")
        if self.quota is not None:
            lines.append(f"Quota: at most {_f(self.quota)} per player per round")
        if self._rounds:
            last = self._rounds[-1]
            if self.show_catches:
                each = ", ".join(f"{p} {_f(last.caught[p])}" for p in self.players)
                lines.append(f"Round {last.number} catches: {each} "
                             f"(total {_f(last.total_caught)})")
                totals = self.totals
                lines.append("Totals so far: " + ", ".join(f"{p} {_f(totals[p])}"
                                                           for p in self.players))
            else:
                lines.append(f"Round {last.number}: the group caught {_f(last.total_caught)} "
                             "(each player sees only their own catch)")
        return "\n".join(lines)

    def summary(self) -> str:
        """A debrief of the whole game, everything revealed.

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"], regrowth=0.5, capacity=100)
        >>> for _ in range(3):
        ...     _ = game.play_round({"Ana": 6, "Ben": 9})
        >>> print(game.summary())
        The fishery: 3 rounds, 2 players.
        The stock went from 100 to 80.8 of 100 (lowest 80.8): healthy, at least half full.
        The group caught 45 in all, 15 a round on average.
        The sea can replace at most 12.5 a round (when half of it is left after the catch).
        Totals: Ben 27, Ana 18.
        The rounds that caught more than the sea could replace: 1, 2, 3.
        """
        lines = [f"{self.title}: {_plural(self.round, 'round')}, "
                 f"{_plural(len(self.players), 'player')}."]
        if not self._rounds:
            lines.append(f"No rounds played yet. The sea holds {_f(self.stock)} of "
                         f"{_f(self.capacity)}; it can replace at most "
                         f"{_f(self.sustainable_catch)} a round "
                         f"({_f(self.fair_share)} per player).")
            return "\n".join(lines)
        lowest = min(r.stock_end for r in self._rounds)
        if self.is_collapsed:
            verdict = f"the sea collapsed in round {self.round}"
        elif self.stock >= self.capacity / 2:
            verdict = "healthy, at least half full"
        else:
            verdict = "still alive, but below half"
        lines.append(f"The stock went from {_f(self.initial_resource)} to {_f(self.stock)} of "
                     f"{_f(self.capacity)} (lowest {_f(lowest)}): {verdict}.")
        total = _tidy(sum(r.total_caught for r in self._rounds))
        lines.append(f"The group caught {_f(total)} in all, {_f(total / self.round)} a "
                     "round on average.")
        lines.append(f"The sea can replace at most {_f(self.sustainable_catch)} a round "
                     "(when half of it is left after the catch).")
        totals = self.totals.sort_values(ascending=False, kind="stable")
        lines.append("Totals: " + ", ".join(f"{p} {_f(v)}" for p, v in totals.items()) + ".")
        over = [str(r.number) for r in self._rounds
                if r.total_caught > self.sustainable_catch + 1e-9]
        if over:
            lines.append("The rounds that caught more than the sea could replace: "
                         + ", ".join(over) + ".")
        changes = [r.number for a, r in zip(self._rounds, self._rounds[1:], strict=False)
                   if (a.show_stock, a.show_catches, a.quota)
                   != (r.show_stock, r.show_catches, r.quota)]
        if changes:
            lines.append("The rules changed before round(s) "
                         + ", ".join(map(str, changes)) + ".")
        return "\n".join(lines)

    # -- picture ----------------------------------------------------------------------

    def plot(self, reveal: bool = True, title: str | None = None) -> Figure:
        """The stock and the catches over the rounds, as one figure.

        Parameters
        ----------
        reveal : bool, default True
            Show everything (the facilitator's and the debrief's view). With
            ``reveal=False`` the picture follows the information rules: a hidden
            stock is not drawn, hidden catches are drawn as one total.
        title : str, optional
            Default: the game's title.

        Returns
        -------
        matplotlib.figure.Figure
            Two panels: the stock (top) with the capacity and the half-full level that
            regrows fastest, and the catches per round (bottom), stacked by player, with
            the most the sea can replace marked. Drawn without pyplot, so the same game
            always gives the same picture.

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"])
        >>> _ = game.play_round({"Ana": 5, "Ben": 10})
        >>> fig = game.plot()
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['fish in the sea', 'catch per round']
        """
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        theme = style.current()
        with matplotlib.rc_context(theme.rc()):
            figure = Figure(figsize=(theme.figure_width, theme.figure_height * 1.25),
                            dpi=theme.dpi, facecolor="white")
            FigureCanvasAgg(figure)
            top, bottom = figure.subplots(2, 1, sharex=True,
                                          gridspec_kw={"height_ratios": [3, 2]})
            self._plot_stock(top, reveal or self.show_stock)
            self._plot_catches(bottom, reveal or self.show_catches)
            last = max(self.round, 1)
            bottom.set_xlim(-0.3, last + 0.6)
            bottom.set_xlabel("round")
            bottom.xaxis.get_major_locator().set_params(integer=True)
            heading = self.title if title is None else title
            if self.is_collapsed:
                heading += f" (collapsed in round {self.round})"
            figure.suptitle(heading, fontsize=theme.title_size, color=style.PALETTE["text"])
            figure.subplots_adjust(left=0.12, right=0.78, top=0.9, bottom=0.12, hspace=0.15)
        return figure

    def _plot_stock(self, ax: Any, visible: bool) -> None:
        ax.set_ylabel("fish in the sea")
        ax.set_ylim(0, self.capacity * 1.08)
        if not visible:
            ax.text(0.5, 0.5, "stock hidden from the players", transform=ax.transAxes,
                    ha="center", va="center", color=style.PALETTE["link"])
            return
        x = [0, *(r.number for r in self._rounds)]
        y = [self.initial_resource, *(r.stock_end for r in self._rounds)]
        ax.plot(x, y, color=style.PALETTE["balancing"], marker="o", label="stock", zorder=3)
        ax.axhline(self.capacity, color=style.PALETTE["muted"], linestyle=":", linewidth=1.2)
        ax.axhline(self.capacity / 2, color=style.PALETTE["others"], linestyle="--",
                   linewidth=1.2)
        ax.axhspan(0, self.collapse_at * self.capacity, color=style.PALETTE["negative"],
                   alpha=0.12, linewidth=0)
        ax.text(1.01, self.capacity, "capacity", transform=ax.get_yaxis_transform(),
                va="center", color=style.PALETTE["link"], fontsize="small")
        ax.text(1.01, self.capacity / 2, "regrows\nfastest", transform=ax.get_yaxis_transform(),
                va="center", color=style.PALETTE["others"], fontsize="small")
        ax.text(1.01, 0, "collapse", transform=ax.get_yaxis_transform(),
                va="bottom", color=style.PALETTE["negative"], fontsize="small")

    def _plot_catches(self, ax: Any, visible: bool) -> None:
        ax.set_ylabel("catch per round")
        numbers_ = [r.number for r in self._rounds]
        if visible:
            base = np.zeros(len(numbers_))
            for i, p in enumerate(self.players):
                values = np.array([r.caught[p] for r in self._rounds])
                ax.bar(numbers_, values, bottom=base, width=0.7, label=p,
                       color=style.SERIES[i % len(style.SERIES)], edgecolor="white",
                       linewidth=0.5)
                base = base + values
        else:
            ax.bar(numbers_, [r.total_caught for r in self._rounds], width=0.7,
                   color=style.PALETTE["link"], label="the group")
        ax.axhline(self.sustainable_catch, color=style.PALETTE["others"], linestyle="--",
                   linewidth=1.2, label="most the sea\ncan replace")
        ax.set_ylim(0, max([self.sustainable_catch * 1.6,
                            *(r.total_caught * 1.08 for r in self._rounds)]))
        if not visible or len(self.players) <= 12:
            ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.02),
                      fontsize="small")

    def to_png(self) -> bytes:
        """The full picture (:meth:`plot`) as PNG bytes, the same bytes every time."""
        from csframework._drawing import figure_to_png

        return figure_to_png(self.plot())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged game)."""
        from csframework._drawing import figure_to_svg

        return figure_to_svg(self.plot())

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        state = (" (collapsed)" if self.is_collapsed else " (over)" if self.is_over else "")
        return (f"<HarvestGame {self.title!r}: {_plural(len(self.players), 'player')}, "
                f"{_plural(self.round, 'round')} played, stock {_f(self.stock)} of "
                f"{_f(self.capacity)}{state}>")

    # -- saving -----------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The game's settings as a dictionary (what :meth:`to_json` stores besides rounds)."""
        return {"players": list(self.players), "resource": self.initial_resource,
                "regrowth": self.regrowth, "capacity": self.capacity, "seed": self.seed,
                "noise": self.noise, "show_stock": self.show_stock,
                "show_catches": self.show_catches, "quota": self.quota,
                "rounds": self.max_rounds, "collapse_at": self.collapse_at,
                "sharing": self.sharing, "title": self.title}

    def to_json(self, indent: int | None = 2) -> str:
        """The game, settings and every round, as JSON text (read back with :meth:`from_json`).

        Examples
        --------
        >>> game = HarvestGame(["Ana", "Ben"], noise=0.2, seed=7)
        >>> _ = game.play_round({"Ana": 5, "Ben": 10})
        >>> again = HarvestGame.from_json(game.to_json())
        >>> again.stock == game.stock, again.round
        (True, 1)
        >>> _ = game.play_round({"Ana": 1, "Ben": 1}); _ = again.play_round({"Ana": 1, "Ben": 1})
        >>> again.stock == game.stock
        True
        """
        data = {"schema": SCHEMA, "version": VERSION, "settings": self.settings(),
                "rounds": [asdict(r) for r in self._rounds]}
        return json.dumps(data, indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> HarvestGame:
        """Read a game written by :meth:`to_json`, ready to continue."""
        from csframework._drawing import load_json
        from csframework.errors import FormatError

        data = load_json(text, schema=SCHEMA, version=VERSION, what="a harvest game")
        try:
            settings = dict(data["settings"])
            game = cls(settings.pop("players"), **{k: v for k, v in settings.items()
                                                   if k != "resource"},
                       resource=settings["resource"])
            for r in data.get("rounds", []):
                game._rounds.append(Round(
                    int(r["number"]), {str(k): float(v) for k, v in r["asked"].items()},
                    {str(k): float(v) for k, v in r["caught"].items()},
                    float(r["stock_start"]), float(r["regrowth"]), float(r["stock_end"]),
                    bool(r["show_stock"]), bool(r["show_catches"]),
                    None if r["quota"] is None else float(r["quota"])))
        except (KeyError, TypeError, ValueError) as err:
            if isinstance(err, CSFrameworkError):
                raise
            raise FormatError(f"a harvest game's JSON is incomplete or malformed: {err!r}"
                              ) from None
        return game

    def save(self, path: str | Path) -> Path:
        """Write the game to `path` as JSON, atomically; returns the path."""
        from csframework._atomic import write_atomic

        target = Path(path)
        write_atomic(target, self.to_json())
        return target

    @classmethod
    def load(cls, path: str | Path) -> HarvestGame:
        """Read a game saved with :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


# -- helpers -----------------------------------------------------------------------------

def _key(name: object) -> str:
    return " ".join(str(name).lower().split())


def _tidy(value: float) -> float:
    """Round away float noise, so that outputs read cleanly and stay stable."""
    result = round(float(value), 4)
    return 0.0 if result == 0 else result


def _f(value: float) -> str:
    """A number for people: at most one decimal, no trailing zeros."""
    return f"{round(float(value), 1) + 0.0:g}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GameError(f"{what} must be a number, not {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise GameError(f"{what} must be a finite number, not {value!r}")
    return number


def _non_negative(value: object, what: str) -> float:
    number = _number(value, what)
    if number < 0:
        raise GameError(f"{what} is {value!r}; it cannot be negative")
    return number


def _positive(value: object, what: str) -> float:
    number = _number(value, what)
    if number <= 0:
        raise GameError(f"{what} is {value!r}; it must be more than 0")
    return number


def _catch(value: object, player: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GameError(f"{player}'s catch must be a number, not {type(value).__name__} "
                        f"{value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise GameError(f"{player}'s catch must be a finite number, not {value!r}")
    if number < 0:
        raise GameError(f"{player}'s catch is {value!r}; a catch cannot be negative "
                        "(0 means not fishing this round)")
    return number


def _unknown_player(name: object, players: tuple[str, ...]) -> UnknownNameError:
    """An UnknownNameError that also catches short-name typos ('Bem' for 'Ben')."""
    import difflib

    err = UnknownNameError(str(name), players, kind="player", where="the harvest game")
    if "did you mean" not in err.message:
        keys = {_key(p): p for p in players}
        close = difflib.get_close_matches(_key(name), list(keys), n=1, cutoff=0.6)
        if close:
            err.message = (f"unknown player {str(name)!r} in the harvest game; did you mean "
                           f"{keys[close[0]]!r}?")
            err.args = (err.message,)
    return err


def _check_players(players: Iterable[str]) -> tuple[str, ...]:
    if isinstance(players, str):
        raise GameError(f"players must be a list of names, not one string {players!r}; "
                        "e.g. ['Ana', 'Ben']")
    names: list[str] = []
    seen: set[str] = set()
    for p in players:
        if not isinstance(p, str) or not p.strip():
            raise GameError(f"a player's name must be some text, not {p!r}")
        name = " ".join(p.split())
        if _key(name) in seen:
            raise GameError(f"the player {name!r} is listed twice; give each player a "
                            "different name")
        seen.add(_key(name))
        names.append(name)
    if not names:
        raise GameError("a harvest game needs at least one player")
    return tuple(names)


def _share(asked: Mapping[str, float], stock: float, sharing: str) -> dict[str, float]:
    """The catches, cut fairly when the players ask for more than the stock holds."""
    total = sum(asked.values())
    if total <= stock:
        return dict(asked)
    if sharing == "proportional":
        return {p: a * stock / total for p, a in asked.items()}
    # equal shares, never more than asked ("water filling", max-min fair)
    caught = dict.fromkeys(asked, 0.0)
    remaining = stock
    open_ = sorted(asked, key=lambda p: (asked[p], list(asked).index(p)))
    while open_:
        level = remaining / len(open_)
        smallest = open_[0]
        if asked[smallest] <= level:
            caught[smallest] = asked[smallest]
            remaining -= asked[smallest]
            open_.pop(0)
        else:
            for p in open_:
                caught[p] = level
            break
    return caught


# -- widget -----------------------------------------------------------------------------

def harvest_game_widget(game: HarvestGame) -> Any:
    """A small form for the facilitator: one box per player, a button, the board and chart.

    ipywidgets is imported only here. The output is replaced as a whole (no
    ``with out:``), so it behaves the same in JupyterLab and under nbval.

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
    >>> game = HarvestGame(["Ana", "Ben"])
    >>> form = harvest_game_widget(game)
    >>> form.inputs["Ana"].value, form.inputs["Ben"].value = 5, 8
    >>> form.play_button.click()
    >>> game.round, game.catches.loc[1].tolist()
    (1, [5.0, 8.0])
    >>> form
    <HarvestGameWidget widget>
    """
    import base64

    import ipywidgets as widgets

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
        png = _png(game.plot(reveal=reveal.value))
        output.outputs = (
            {"output_type": "display_data", "metadata": {},
             "data": {"text/plain": game.board(),
                      "text/html": f"<pre>{html.escape(game.board())}</pre>"}},
            {"output_type": "display_data", "metadata": {},
             "data": {"image/png": base64.b64encode(png).decode("ascii"),
                      "text/plain": "<Figure>"}},
        )

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


def _png(figure: Figure) -> bytes:
    from csframework._drawing import figure_to_png

    return figure_to_png(figure)

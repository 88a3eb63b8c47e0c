"""The harvest game itself: players, the sea, the rules, a round, saving and loading.

:class:`HarvestGame` holds the state and plays the rounds; what it shows (the
board, the debrief, the tables and the picture) comes from
:class:`~csframework.games.debrief.HarvestDebrief`.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from csframework._text import normalise, plural
from csframework.errors import CSFrameworkError, UnknownNameError
from csframework.games.debrief import HarvestDebrief
from csframework.games.numbers import short, tidy

__all__ = ["SCHEMA", "SHARING", "VERSION", "GameError", "GameOverError", "HarvestGame", "Round"]

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
        return tidy(sum(self.asked.values()))

    @property
    def total_caught(self) -> float:
        """The sum of all actual catches."""
        return tidy(sum(self.caught.values()))

    def __repr__(self) -> str:
        return (f"<Round {self.number}: asked {short(self.total_asked)}, caught "
                f"{short(self.total_caught)}, stock {short(self.stock_start)} → "
                f"{short(self.stock_end)}>")


class HarvestGame(HarvestDebrief):
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
        return tidy(self.regrowth * self.capacity / 4)

    @property
    def fair_share(self) -> float:
        """One player's equal part of the sustainable catch."""
        return tidy(self.sustainable_catch / len(self.players))

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
        record = Round(self.round + 1, {p: tidy(c) for p, c in asked.items()},
                       {p: tidy(c) for p, c in caught.items()}, tidy(stock),
                       tidy(end - left), tidy(end), self.show_stock, self.show_catches,
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
        lookup = {normalise(p): p for p in self.players}
        asked: dict[str, float] = {}
        for name, value in catches.items():
            player = lookup.get(normalise(name))
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


    def __repr__(self) -> str:
        state = (" (collapsed)" if self.is_collapsed else " (over)" if self.is_over else "")
        return (f"<HarvestGame {self.title!r}: {plural(len(self.players), 'player')}, "
                f"{plural(self.round, 'round')} played, stock {short(self.stock)} of "
                f"{short(self.capacity)}{state}>")

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
        keys = {normalise(p): p for p in players}
        close = difflib.get_close_matches(normalise(name), list(keys), n=1, cutoff=0.6)
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
        if normalise(name) in seen:
            raise GameError(f"the player {name!r} is listed twice; give each player a "
                            "different name")
        seen.add(normalise(name))
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


# The public home of these classes is csframework.games: tracebacks and reprs say so,
# as they did when the game was one module.
for _public in (GameError, GameOverError, Round, HarvestGame):
    _public.__module__ = "csframework.games"
del _public

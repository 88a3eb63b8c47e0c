"""What the harvest game shows: the board, the debrief, the tables and the picture.

:class:`HarvestDebrief` is the reading side of
:class:`~csframework.games.HarvestGame` (which inherits it): everything here
reads the rounds played and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csframework import style
from csframework._text import plural
from csframework.games.numbers import short, tidy

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from csframework.games.harvest import Round

__all__ = ["HarvestDebrief"]


class HarvestDebrief:
    """The board, debrief, tables and picture of a harvest game (mixed into HarvestGame)."""

    players: tuple[str, ...]
    title: str
    capacity: float
    initial_resource: float
    collapse_at: float
    show_stock: bool
    show_catches: bool
    quota: float | None
    round: int
    rounds: tuple[Round, ...]
    stock: float
    sustainable_catch: float
    fair_share: float
    is_collapsed: bool
    is_over: bool

    @property
    def history(self) -> pd.DataFrame:
        """One row per round: the stock, what was asked and caught, regrowth, the rules.

        Examples
        --------
        >>> from csframework.games import HarvestGame
        >>> game = HarvestGame(["Ana", "Ben"])
        >>> _ = game.play_round({"Ana": 5, "Ben": 10})
        >>> game.history.loc[1, ["stock_start", "caught", "regrowth", "stock_end"]].tolist()
        [100.0, 15.0, 6.375, 91.375]
        """
        columns = ["stock_start", "asked", "caught", "regrowth", "stock_end", "show_stock",
                   "show_catches", "quota", *(f"caught: {p}" for p in self.players)]
        rows = [[r.stock_start, r.total_asked, r.total_caught, r.regrowth, r.stock_end,
                 r.show_stock, r.show_catches, r.quota, *(r.caught[p] for p in self.players)]
                for r in self.rounds]
        frame = pd.DataFrame(rows, columns=columns,
                             index=pd.RangeIndex(1, len(rows) + 1, name="round"))
        return frame.astype({c: float for c in columns if c not in
                             ("show_stock", "show_catches", "quota")})

    @property
    def catches(self) -> pd.DataFrame:
        """What each player actually caught: rounds down, players across."""
        frame = pd.DataFrame([[r.caught[p] for p in self.players] for r in self.rounds],
                             columns=list(self.players), dtype=float,
                             index=pd.RangeIndex(1, self.round + 1, name="round"))
        frame.columns.name = "player"
        return frame

    @property
    def totals(self) -> pd.Series:
        """Each player's catch over all rounds so far."""
        return pd.Series({p: tidy(sum(r.caught[p] for r in self.rounds))
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
        lines = [f"{self.title} · {plural(self.round, 'round')} played · {state}"]
        if self.show_stock:
            lines.append(f"Stock: {short(self.stock)} of {short(self.capacity)}")
        else:
            lines.append(f"Stock: hidden from players (the facilitator knows: "
                         f"{short(self.stock)} of {short(self.capacity)})")
        if self.quota is not None:
            lines.append(f"Quota: at most {short(self.quota)} per player per round")
        if self.rounds:
            last = self.rounds[-1]
            if self.show_catches:
                each = ", ".join(f"{p} {short(last.caught[p])}" for p in self.players)
                lines.append(f"Round {last.number} catches: {each} "
                             f"(total {short(last.total_caught)})")
                totals = self.totals
                lines.append("Totals so far: " + ", ".join(f"{p} {short(totals[p])}"
                                                           for p in self.players))
            else:
                lines.append(f"Round {last.number}: the group caught {short(last.total_caught)} "
                             "(each player sees only their own catch)")
        return "\n".join(lines)

    def summary(self) -> str:
        """A debrief of the whole game, everything revealed.

        Examples
        --------
        >>> from csframework.games import HarvestGame
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
        lines = [f"{self.title}: {plural(self.round, 'round')}, "
                 f"{plural(len(self.players), 'player')}."]
        if not self.rounds:
            lines.append(f"No rounds played yet. The sea holds {short(self.stock)} of "
                         f"{short(self.capacity)}; it can replace at most "
                         f"{short(self.sustainable_catch)} a round "
                         f"({short(self.fair_share)} per player).")
            return "\n".join(lines)
        lowest = min(r.stock_end for r in self.rounds)
        if self.is_collapsed:
            verdict = f"the sea collapsed in round {self.round}"
        elif self.stock >= self.capacity / 2:
            verdict = "healthy, at least half full"
        else:
            verdict = "still alive, but below half"
        lines.append(f"The stock went from {short(self.initial_resource)} to "
                     f"{short(self.stock)} of {short(self.capacity)} (lowest {short(lowest)}): "
                     f"{verdict}.")
        total = tidy(sum(r.total_caught for r in self.rounds))
        lines.append(f"The group caught {short(total)} in all, {short(total / self.round)} a "
                     "round on average.")
        lines.append(f"The sea can replace at most {short(self.sustainable_catch)} a round "
                     "(when half of it is left after the catch).")
        totals = self.totals.sort_values(ascending=False, kind="stable")
        lines.append("Totals: " + ", ".join(f"{p} {short(v)}" for p, v in totals.items()) + ".")
        over = [str(r.number) for r in self.rounds
                if r.total_caught > self.sustainable_catch + 1e-9]
        if over:
            lines.append("The rounds that caught more than the sea could replace: "
                         + ", ".join(over) + ".")
        changes = [r.number for a, r in zip(self.rounds, self.rounds[1:], strict=False)
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
        >>> from csframework.games import HarvestGame
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
        x = [0, *(r.number for r in self.rounds)]
        y = [self.initial_resource, *(r.stock_end for r in self.rounds)]
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
        numbers_ = [r.number for r in self.rounds]
        if visible:
            base = np.zeros(len(numbers_))
            for i, p in enumerate(self.players):
                values = np.array([r.caught[p] for r in self.rounds])
                ax.bar(numbers_, values, bottom=base, width=0.7, label=p,
                       color=style.SERIES[i % len(style.SERIES)], edgecolor="white",
                       linewidth=0.5)
                base = base + values
        else:
            ax.bar(numbers_, [r.total_caught for r in self.rounds], width=0.7,
                   color=style.PALETTE["link"], label="the group")
        ax.axhline(self.sustainable_catch, color=style.PALETTE["others"], linestyle="--",
                   linewidth=1.2, label="most the sea\ncan replace")
        ax.set_ylim(0, max([self.sustainable_catch * 1.6,
                            *(r.total_caught * 1.08 for r in self.rounds)]))
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


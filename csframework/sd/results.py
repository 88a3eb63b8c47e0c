"""Results of a simulation: a time-indexed table that draws itself.

:class:`Results` wraps a pandas DataFrame indexed by time (index name
``"time"``), one column per variable; for an ensemble the columns are a
MultiIndex ``(variable, member)``. It carries what a figure needs: the model
name, units and labels of the variables, the unit of time and the parameters
of every member.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> m = StockFlowModel("Growth", stop=3, time_unit="year")
>>> _ = m.constant("rate", 0.1)
>>> _ = m.stock("money", 100, inflows=["interest"], units="$")
>>> _ = m.flow("interest", "money * rate", units="$/year")
>>> res = m.run()
>>> res
<Results 'Growth': 4 rows × 2 variables, time 0–3>
>>> res["money"].round(2).tolist()
[100.0, 110.0, 121.0, 133.1]
>>> ens = m.run(params={"rate": [0.1, 0.2]})
>>> ens
<Results 'Growth': 4 rows × 2 variables × 2 members, time 0–3>
>>> ens.member(1)["money"].round(1).tolist()
[100.0, 120.0, 144.0, 172.8]
>>> ens.tidy().head(2)
   time  member variable  value
0   0.0       0    money  100.0
1   1.0       0    money  110.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from csframework.errors import UnknownNameError

__all__ = ["Results"]

#: Up to this many members an ensemble is drawn run by run with a legend; beyond it, as a fan.
_LEGEND_MAX = 12


class Results:
    """A simulation's output: a DataFrame indexed by time, plus metadata.

    Parameters
    ----------
    frame : pandas.DataFrame
        Indexed by time; columns are variable names, or a MultiIndex
        ``(variable, member)`` for an ensemble.
    model_name : str
    units, labels : mapping of str to str or None, optional
        Per variable.
    time_unit : str
    parameters : sequence of dict
        The parameters given for each member (one dict for a single run).
    method : str
        The integration method used.
    dt : float, optional
        The time step used.
    save_every : float, optional
        The time between saved rows when not every step was saved (a whole
        number of steps; the last row is the stop time).

    Attributes
    ----------
    model_name, time_unit, method, dt, save_every
    units, labels : mapping (read-only)
    parameters : sequence of dict
        One dict per member: the parameters given for it.
    """

    def __init__(self, frame: pd.DataFrame, *, model_name: str = "",
                 units: Mapping[str, str | None] | None = None,
                 labels: Mapping[str, str | None] | None = None, time_unit: str = "time",
                 parameters: Sequence[Mapping[str, Any]] = ({},), method: str = "euler",
                 dt: float | None = None, save_every: float | None = None):
        self._frame = frame
        self.model_name = model_name
        self._units = dict(units or {})
        self._labels = dict(labels or {})
        self.time_unit = time_unit
        self.parameters = parameters if isinstance(parameters, Sequence) and not isinstance(
            parameters, list) else tuple(parameters)
        self.method = method
        self.dt = dt
        self.save_every = save_every

    # ----------------------------------------------------------- structure
    @property
    def units(self) -> Mapping[str, str | None]:
        """The units of each variable (read-only)."""
        return MappingProxyType(self._units)

    @property
    def labels(self) -> Mapping[str, str | None]:
        """The label of each variable (read-only)."""
        return MappingProxyType(self._labels)

    @property
    def frame(self) -> pd.DataFrame:
        """The underlying DataFrame (not a copy; see :meth:`to_frame`)."""
        return self._frame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the results as a plain pandas DataFrame."""
        return self._frame.copy()

    @property
    def is_ensemble(self) -> bool:
        """True if the results hold several members (MultiIndex columns)."""
        return isinstance(self._frame.columns, pd.MultiIndex)

    @property
    def members(self) -> int:
        """How many members (1 for a single run)."""
        if not self.is_ensemble:
            return 1
        return len(self._frame.columns.levels[1])

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names, in column order."""
        if self.is_ensemble:
            return tuple(dict.fromkeys(self._frame.columns.get_level_values(0)))
        return tuple(self._frame.columns)

    @property
    def time(self) -> np.ndarray:
        """The times of the rows."""
        return self._frame.index.to_numpy()

    def __len__(self) -> int:
        return len(self._frame)

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> pd.Series | pd.DataFrame:
        """One variable: a Series, or for an ensemble a DataFrame with a column per member."""
        if not isinstance(name, str):
            return self._frame[name]
        if name not in self.variables:
            raise UnknownNameError(name, self.variables, kind="variable",
                                   where=f"the results of model {self.model_name!r}")
        return self._frame[name]

    def __getattr__(self, attribute: str) -> Any:
        # Convenient DataFrame methods (loc, iloc, tail, describe, ...).
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        try:
            return getattr(self._frame, attribute)
        except AttributeError:
            raise AttributeError(f"'Results' object has no attribute {attribute!r}") from None

    def member(self, i: int) -> Results:
        """The results of ensemble member `i` alone (a single-run Results).

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m", stop=1)
        >>> _ = m.constant("k", 1)
        >>> _ = m.stock("s", 0, inflows=["f"])
        >>> _ = m.flow("f", "k")
        >>> m.run(params={"k": [1, 2]}).member(1).parameters
        ({'k': 2.0},)
        """
        if not self.is_ensemble:
            if i != 0:
                raise IndexError(f"a single run has only member 0, not {i!r}")
            return self
        if not 0 <= i < self.members:
            raise IndexError(f"member {i!r} does not exist; members are 0 to {self.members - 1}")
        frame = self._frame.xs(i, axis=1, level="member")
        frame.columns.name = "variable"
        return Results(frame, model_name=self.model_name, units=self.units, labels=self.labels,
                       time_unit=self.time_unit, parameters=(self.parameters[i],),
                       method=self.method, dt=self.dt, save_every=self.save_every)

    def tidy(self) -> pd.DataFrame:
        """Long form: columns time, member, variable, value; one row for each combination."""
        variables = self.variables
        members = self.members
        values = self._frame.to_numpy().reshape(len(self), len(variables), members)
        times = self.time
        return pd.DataFrame({
            "time": np.tile(times, len(variables) * members),
            "member": np.tile(np.repeat(np.arange(members), len(times)), len(variables)),
            "variable": np.repeat(np.array(variables, dtype=object), members * len(times)),
            "value": values.transpose(1, 2, 0).reshape(-1),
        })

    # --------------------------------------------------------------- display
    def label(self, variable: str) -> str:
        """The axis label of `variable`: its label (or name) and its units."""
        text = self.labels.get(variable) or variable.replace("_", " ")
        units = self.units.get(variable)
        return f"{text} ({units})" if units else text

    def plot(self, *variables: str, ax: Any = None, title: str | None = None) -> Any:
        """Draw behaviour-over-time graphs; an ensemble as a fan of lines.

        Parameters
        ----------
        *variables : str
            The variables to draw (default: all).
        ax : matplotlib Axes, optional
        title : str, optional
            Say what the reader should notice (default: the model's name).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m", stop=2)
        >>> _ = m.stock("s", 1, inflows=["f"], units="people")
        >>> _ = m.flow("f", "s")
        >>> ax = m.run().plot("s", title="Doubling")
        >>> ax.get_ylabel(), ax.get_title()
        ('s (people)', 'Doubling')
        """
        import matplotlib.pyplot as plt

        from csframework import style

        chosen = list(variables) or list(self.variables)
        for name in chosen:
            if name not in self.variables:
                raise UnknownNameError(name, self.variables, kind="variable",
                                       where=f"the results of model {self.model_name!r}")
        with plt.rc_context(style.current().rc()):
            if ax is None:
                _, ax = plt.subplots()
            self._draw_lines(ax, chosen)
            if len(chosen) == 1:
                ax.set_ylabel(self.label(chosen[0]))
            else:
                units = {self.units.get(n) for n in chosen}
                ax.set_ylabel(units.pop() or "" if len(units) == 1 else "")
            labelled = [line for line in ax.get_lines()
                        if not line.get_label().startswith("_")]
            if 1 < len(labelled) <= 2 * _LEGEND_MAX:
                ax.legend(frameon=False)
            unit = self.time_unit
            ax.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit})")
            times = self.time
            ax.set_xlim(times[0], times[-1])
            ax.set_title(self.model_name if title is None else title)
        return ax

    def _draw_lines(self, ax: Any, chosen: Sequence[str]) -> None:
        """One line per variable and member; runs told apart by colour and line style.

        Lines already on `ax` (an earlier run drawn on the same axes) count:
        the next line takes the next colour and style, so runs compared on one
        graph never share a look.
        """
        from csframework import style

        times = self.time
        first = len(ax.get_lines())
        width = style.current().line_width
        if not self.is_ensemble:
            for j, name in enumerate(chosen):
                ax.plot(times, self._frame[name].to_numpy(), label=self.display_name(name),
                        gid=f"run:{name}", **style.run_style(first + j))
            return
        varied = self._varied_parameters()
        if self.members > _LEGEND_MAX:
            # a fan: too many members to tell apart, so one colour per variable, thin and light
            for j, name in enumerate(chosen):
                block = self._frame[name]
                look = style.run_style(first + j)
                for i in range(self.members):
                    ax.plot(times, block[i].to_numpy(), color=look["color"], alpha=0.35,
                            linewidth=width * 0.5, gid=f"run:{name}:{i}",
                            label=self.display_name(name) if i == 0 else None)
            return
        for j, name in enumerate(chosen):
            block = self._frame[name]
            for i in range(self.members):
                text = ", ".join(f"{self.display_name(k)} = {self.parameters[i][k]:g}"
                                 for k in varied) or f"member {i}"
                if len(chosen) > 1:
                    # colour tells the variables apart, line style the members
                    look = {"color": style.run_style(first + j)["color"],
                            "linestyle": style.run_style(i)["linestyle"]}
                    text = f"{self.display_name(name)}: {text}"
                else:
                    look = style.run_style(first + i)
                ax.plot(times, block[i].to_numpy(), label=text, gid=f"run:{name}:{i}", **look)

    def display_name(self, name: str) -> str:
        """What a reader sees for `name`: its label, or its name with spaces for ``_``.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m", stop=1)
        >>> _ = m.constant("fix_withdrawn", 0, label="fix withdrawn")
        >>> _ = m.stock("s", 0, inflows=["f"])
        >>> _ = m.flow("f", "fix_withdrawn")
        >>> res = m.run(params={"fix_withdrawn": [0, 1]})
        >>> res.display_name("fix_withdrawn"), res.display_name("s")
        ('fix withdrawn', 's')
        """
        return self.labels.get(name) or name.replace("_", " ")

    def to_png(self, *variables: str, title: str | None = None) -> bytes:
        """The behaviour-over-time graph of :meth:`plot` as PNG bytes (the same every time)."""
        from csframework._drawing import figure_to_png

        return figure_to_png(self._figure(variables, title))

    def to_svg(self, *variables: str, title: str | None = None) -> str:
        """The behaviour-over-time graph of :meth:`plot` as SVG text (the same every time).

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("m", stop=2)
        >>> _ = m.stock("s", 1, inflows=["f"])
        >>> _ = m.flow("f", "s")
        >>> res = m.run()
        >>> res.to_svg("s").startswith("<?xml") and res.to_svg("s") == res.to_svg("s")
        True
        """
        from csframework._drawing import figure_to_svg

        return figure_to_svg(self._figure(variables, title))

    def _figure(self, variables: Sequence[str], title: str | None) -> Any:
        from matplotlib import rc_context
        from matplotlib.figure import Figure

        from csframework import style

        with rc_context(style.current().rc()):
            figure = Figure()
            ax = figure.add_subplot()
            self.plot(*variables, ax=ax, title=title)
            figure.tight_layout()
        return figure

    def _varied_parameters(self) -> list[str]:
        keys = list(dict.fromkeys(k for p in self.parameters for k in p))
        numeric = [k for k in keys if all(isinstance(p.get(k), float) for p in self.parameters)]
        return [k for k in numeric if len({p[k] for p in self.parameters}) > 1] or numeric

    def __repr__(self) -> str:
        rows = len(self)
        count = len(self.variables)
        shape = (f"{rows} row{'s' if rows != 1 else ''} × "
                 f"{count} variable{'s' if count != 1 else ''}")
        if self.is_ensemble:
            shape += f" × {self.members} member{'s' if self.members != 1 else ''}"
        span = f"time {self.time[0]:g}–{self.time[-1]:g}" if rows else "no rows"
        return f"<Results {self.model_name!r}: {shape}, {span}>"

    def _repr_html_(self) -> str:
        with pd.option_context("display.max_rows", 12, "display.min_rows", 10,
                               "display.max_columns", 12):
            return self._frame._repr_html_()

"""Which feedback loop drives a model's behaviour when: loop dominance (Loops that Matter).

:func:`loop_dominance` scores every loop of the model's causal loop diagram at
each saved time of a run (see its docstring for the formulas) and returns a
:class:`Dominance`, which tells the dominant loop, or kind of loop, over time
and plots it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.errors import ModelError, UnknownNameError
from csframework.sd.causal import build_cld
from csframework.sd.causal_graph import (
    Edge,
    Run,
    Structure,
    check_model,
    evaluate_effect,
    run_values,
    signs,
    structure_of,
)
from csframework.sd.polarity import polarities

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld import CausalLoopDiagram
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["MAX_LOOPS", "METHODS", "Dominance", "loop_dominance"]

#: The loop-dominance methods :func:`loop_dominance` knows.
METHODS = ("ltm",)


#: At most this many loops are named in a dominance plot's legend (the longest dominant).
_LEGEND_LOOPS = 8


def _loop_words(loop: Any, results: Any) -> str | None:
    """A short description of an unnamed loop of more than two variables, for a legend."""
    if len(loop.variables) <= 2:
        return None
    first = loop.variables[0].replace("_", " ")
    first = first if len(first) <= 28 else first[:27] + "…"
    return f"through {first}, {len(loop.variables)} variables"


def _keep_readable_labels(ax: Any, labels: list[tuple[float, float, float, Any]]) -> None:
    """Hide band labels that do not fit their band or would overlap a wider band's label.

    With many short periods (a model the size of World3), every band cannot carry its
    name; the widest bands keep theirs, measured on the rendered figure.
    """
    figure = ax.figure
    if not hasattr(figure.canvas, "get_renderer"):  # a bare Figure: measure with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    placed: list[Any] = []
    for _, start, end, text in sorted(labels, key=lambda item: -item[0]):
        box = text.get_window_extent(renderer)
        left = ax.transData.transform((start, 0))[0]
        right = ax.transData.transform((end, 0))[0]
        fits = box.width <= (right - left) * 1.6
        if not fits or any(box.overlaps(other) for other in placed):
            text.set_visible(False)
        else:
            placed.append(box)


@dataclass(frozen=True, eq=False)
class Dominance:
    """Which feedback loop drives a model's behaviour at each time (Loops that Matter).

    Made by :func:`loop_dominance`.

    Attributes
    ----------
    model_name : str
    loops : tuple of Loop
        The loops of ``model.to_cld()``, with the same names.
    link_scores : pandas.DataFrame
        One column per link ``"cause -> effect"``, indexed by time.
    loop_scores : pandas.DataFrame
        One column per loop: its relative loop score, signed (positive for
        reinforcing, negative for balancing), in [-1, 1]; the absolute values
        add up to 1 at each time when anything moves.
    dominant : pandas.Series
        The name of the loop with the largest relative score at each time,
        or None where no loop moves.
    results : Results
        The run the scores were computed from.
    note : str or None
        Set when the model has too many loops to score them all: which loops
        were scored (every loop of up to some length), and that relative
        scores are shares among those.

    See also :attr:`dominant_kind`: which *kind* of loop dominates, all loops
    of a kind together (a limit often acts through several balancing loops,
    none of which outweighs the growth loop alone).
    """

    model_name: str
    loops: tuple
    link_scores: Any = field(repr=False)
    loop_scores: Any = field(repr=False)
    dominant: Any = field(repr=False)
    results: Any = field(repr=False)
    note: str | None = None

    def kind(self, loop: str) -> str:
        """``"reinforcing"`` or ``"balancing"`` for the loop named `loop`."""
        for candidate in self.loops:
            if candidate.name == loop:
                return candidate.kind
        raise UnknownNameError(str(loop), [lp.name for lp in self.loops], kind="loop",
                               where=f"the loop dominance of model {self.model_name!r}")

    @property
    def dominant_kind(self) -> Any:
        """Which kind of loop dominates at each time, all loops of a kind together.

        ``"reinforcing"`` where the reinforcing loops' relative scores add up
        to more than the balancing loops' (in absolute value), else
        ``"balancing"``; None where no loop moves. (Positive scores are
        reinforcing and negative ones balancing, so this is the sign of the
        sum of the relative loop scores.)

        Examples
        --------
        >>> from csframework.sd import library
        >>> dominance = loop_dominance(library.load("limits to growth"))
        >>> dominance.periods()          # no single loop outweighs the growth loop ...
        [(0.25, 40.0, 'R1', 'reinforcing')]
        >>> dominance.periods(by="kind")  # ... but the two limiting loops together do
        [(0.25, 16.0, 'reinforcing', 'reinforcing'), (16.0, 40.0, 'balancing', 'balancing')]
        """
        import pandas as pd

        scores = self.loop_scores.to_numpy()
        net = scores.sum(axis=1) if scores.size else np.zeros(len(self.loop_scores.index))
        moving = (np.abs(scores) > 0).any(axis=1) if scores.size else np.zeros(len(net), bool)
        kinds = [None if not m else "reinforcing" if n > 0 else "balancing"
                 for n, m in zip(net, moving, strict=True)]
        return pd.Series(kinds, index=self.loop_scores.index, dtype=object,
                         name="dominant kind")

    def periods(self, by: str = "loop") -> list[tuple[float, float, str, str]]:
        """The spans of time one loop dominates: ``(start, end, loop name, kind)``.

        `end` is the time the next period starts (or the last time). Times
        when nothing moves belong to no period.

        Parameters
        ----------
        by : {"loop", "kind"}
            ``"kind"``: the spans of :attr:`dominant_kind` instead, as
            ``(start, end, kind, kind)``.

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> loop_dominance(m).periods()
        [(1.0, 3.0, 'R1', 'reinforcing')]
        >>> loop_dominance(m).periods(by="kind")
        [(1.0, 3.0, 'reinforcing', 'reinforcing')]
        """
        if by not in ("loop", "kind"):
            raise UnknownNameError(str(by), ("loop", "kind"), kind="way of grouping",
                                   where=f"the loop dominance of model {self.model_name!r}")
        series = self.dominant if by == "loop" else self.dominant_kind
        time = [float(t) for t in series.index]
        names = list(series)
        found: list[tuple[float, float, str, str]] = []
        i = 0
        while i < len(names):
            name = names[i]
            j = i
            while j + 1 < len(names) and names[j + 1] == name:
                j += 1
            if name is not None:
                end = time[j + 1] if j + 1 < len(time) else time[j]
                found.append((time[i], end, name, self.kind(name) if by == "loop" else name))
            i = j + 1
        return found

    def plot(self, variable: str, ax: Any = None, by: str = "loop") -> Any:
        """The behaviour over time of `variable`, over a band coloured by the dominant loop.

        Parameters
        ----------
        variable : str
            A variable of the run (a stock, flow or auxiliary).
        ax : matplotlib Axes, optional
            Draw into these axes (default: a new figure, made without pyplot).
        by : {"loop", "kind"}
            Colour the band by the dominant loop (named on it) or by the
            dominant kind (labelled "R loops" or "B loops").

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> from csframework.sd import StockFlowModel
        >>> m = StockFlowModel("Savings", stop=3)
        >>> _ = m.stock("money", 100, inflows=["interest"])
        >>> _ = m.flow("interest", "0.05 * money")
        >>> ax = loop_dominance(m).plot("money")
        >>> [t.get_text() for t in ax.texts]
        ['R1']
        >>> loop_dominance(m).plot("mony")
        Traceback (most recent call last):
        ...
        csframework.errors.UnknownNameError: unknown variable 'mony' ... did you mean 'money'?
        """
        import matplotlib
        from matplotlib.transforms import blended_transform_factory

        from csframework import style

        results = self.results
        if variable not in results.variables or str(variable).startswith("_"):
            shown = [v for v in results.variables if not v.startswith("_")]
            raise UnknownNameError(str(variable), shown, kind="variable",
                                   where=f"the loop dominance of model {self.model_name!r}")
        with matplotlib.rc_context(style.current().rc()):
            if ax is None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                figure = Figure(figsize=(8, 4.5))
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
            times = results.time
            ax.plot(times, results[variable].to_numpy(), color=style.PALETTE["text"],
                    label=results.label(variable))
            band = blended_transform_factory(ax.transData, ax.transAxes)
            periods = self.periods(by)
            colours = self.colours() if by == "loop" else dict(style.PALETTE)
            shown: dict[str, Any] = {}
            labels = []
            for start, end, name, kind in periods:
                colour = colours[name if by == "loop" else kind]
                label = name if by == "loop" else f"{kind[0].upper()} loops"
                patch = ax.axvspan(start, end, ymin=0.0, ymax=0.06, color=colour, alpha=0.85,
                                   lw=0)
                text = ax.text((start + end) / 2, 0.09, label, transform=band, ha="center",
                               va="bottom", color=colour, fontweight="bold")
                labels.append((end - start, start, end, text))
                shown.setdefault(name, patch)
            if by == "loop" and len(shown) > 1:
                stories = {lp.name: lp.story or _loop_words(lp, results) for lp in self.loops}
                longest: dict[str, float] = {}
                for start, end, name, _ in periods:
                    longest[name] = longest.get(name, 0.0) + end - start
                listed = sorted(shown, key=lambda n: -longest[n])[:_LEGEND_LOOPS]
                handles = []
                for name in sorted(listed, key=list(shown).index):
                    story = stories.get(name)
                    shown[name].set_label(f"{name} ({story})" if story else name)
                    handles.append(shown[name])
                others = len(shown) - len(listed)
                title = "Dominant loop" if not others else (
                    f"Dominant loop (the {len(listed)} longest; {others} more dominate briefly)")
                ax.legend(handles=handles, title=title, loc="best", fontsize="small",
                          title_fontsize="small")
            ax.set_ylabel(results.label(variable))
            unit = results.time_unit
            ax.set_xlabel("Time" if unit in ("", "time") else f"Time ({unit})")
            ax.set_xlim(times[0], times[-1])
            what = "loop" if by == "loop" else "kind of loop"
            ax.set_title(f"{self.model_name}: which {what} dominates when")
            _keep_readable_labels(ax, labels)  # measured once the axes have their limits
        return ax

    def colours(self) -> dict[str, str]:
        """A colour for each loop: shades of its kind's colour, so that loops of one kind differ.

        The first loop of a kind (in name order) has the kind's own colour;
        the others are lighter and darker shades of it.

        Examples
        --------
        >>> from csframework.sd import library
        >>> colours = loop_dominance(library.load("balancing process with delay")).colours()
        >>> colours["B1"], colours["B2"] != colours["B1"]
        ('#0072B2', True)
        """
        from csframework import style

        found: dict[str, str] = {}
        for kind in ("reinforcing", "balancing"):
            names = sorted((lp.name for lp in self.loops if lp.kind == kind),
                           key=lambda n: (len(n), n))
            for i, name in enumerate(names):
                found[name] = _shade(style.PALETTE[kind], i)
        return found

    def __repr__(self) -> str:
        spans = ", ".join(f"{name} {start:g}–{end:g}" for start, end, name, _ in self.periods())
        scored = f"{len(self.loops)} loops" + (" (bounded)" if self.note else "")
        return f"<Dominance {self.model_name!r}: {scored}; {spans or 'no motion'}>"


#: How far each further loop of a kind moves from the kind's colour: towards
#: white (positive) or black (negative), alternating so neighbours differ.
_SHADES = (0.0, 0.5, -0.4, 0.72, -0.62, 0.3, -0.2, 0.85)


def _shade(colour: str, index: int) -> str:
    from matplotlib.colors import to_hex, to_rgb

    amount = _SHADES[index % len(_SHADES)]
    target = 1.0 if amount > 0 else 0.0
    rgb = [c + (target - c) * abs(amount) for c in to_rgb(colour)]
    return to_hex(rgb).upper()


def _previous(values: np.ndarray) -> np.ndarray:
    shifted = np.empty_like(values)
    shifted[1:] = values[:-1]
    shifted[:1] = values[:1]
    return shifted


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is within rounding noise of 0."""
    moving = signs(denominator, scale) != 0
    with np.errstate(all="ignore"):
        return np.where(moving, numerator / np.where(moving, denominator, 1.0), 0.0)


def _edge_scores(structure: Structure, run: Run, edge: Edge,
                 cache: dict[str, np.ndarray]) -> np.ndarray:
    """The LTM link score of one edge of the expanded model at each saved time."""
    values = run.values
    if edge.role in ("inflow", "outflow"):
        inflows, outflows = structure.user_stocks[edge.effect]
        net = sum((values[f] for f in inflows), np.zeros_like(run.time)) - sum(
            (values[f] for f in outflows), np.zeros_like(run.time))
        change = net - _previous(net)
        flow = values[edge.cause]
        sign = 1.0 if edge.role == "inflow" else -1.0
        scale = sum((np.abs(values[f]) for f in inflows + outflows), np.zeros_like(run.time))
        return sign * np.abs(_ratio(flow - _previous(flow), change, scale))
    if edge.role == "pipeline":
        pipe = values[edge.effect]
        return (signs(pipe - _previous(pipe), pipe) != 0).astype(float)
    effect = edge.effect
    if effect not in cache:
        cache[effect] = evaluate_effect(structure, run, effect, values)
    now = cache[effect]
    before = _previous(now)
    previous_env = {name: _previous(v) for name, v in values.items()}
    previous_env[edge.cause] = values[edge.cause]
    # every other input, time included, held at its previous value
    held = Run(run.results, run.time, previous_env, run.evaluate.at(_previous(run.time)))
    partial = evaluate_effect(structure, held, effect, previous_env) - before
    cause = values[edge.cause]
    cause_change = cause - _previous(cause)
    scale = np.maximum(np.abs(now), np.abs(before))
    magnitude = np.abs(_ratio(partial, now - before, scale))
    direction = np.sign(_ratio(partial, cause_change, np.maximum(np.abs(cause), 1e-300)))
    return magnitude * direction


#: At most this many loops are scored by :func:`loop_dominance` unless told otherwise.
MAX_LOOPS = 2_000


def _loops_to_score(cld: CausalLoopDiagram, max_loops: int) -> tuple[tuple, str | None]:
    """Every loop if there are at most `max_loops`; else every loop up to the longest
    length that keeps within the bound (the search never lists millions of loops)."""
    from csframework.cld.loops import find_loops

    every = find_loops(cld, limit=max_loops)
    if every.complete:
        return tuple(every), None
    best: tuple = ()
    for bound in range(2, len(cld.variables) + 1):
        found = find_loops(cld, max_length=bound, limit=max_loops)
        if not found.complete:
            if not best:  # even the shortest loops are too many: the first ones found
                best, which = tuple(found), f"first {len(found):,} loops found"
            break
        best, which = tuple(found), f"{len(found):,} loops"
    longest = max(len(loop) for loop in best)
    note = (f"model {cld.title!r} has more than {max_loops:,} feedback loops; loop dominance "
            f"scores the {which} of at most {longest} variables (loops are named among "
            "these), and relative scores are shares among them; raise max_loops to score "
            "more")
    return best, note


def loop_dominance(model: StockFlowModel, results: Results | None = None, method: str = "ltm",
                   *, run_kwargs: Mapping[str, Any] | None = None,
                   max_loops: int = MAX_LOOPS) -> Dominance:
    """Which loop dominates the model's behaviour when: the Loops that Matter method.

    Link scores (Schoenberg, Davidsen & Eberlein 2020, eq. 2, with the
    flow-to-stock score of Schoenberg, Hayward & Eberlein 2023, "Improving
    Loops that Matter", *System Dynamics Review* 39(2), eq. 3), computed at
    each saved time t over the step from t - dt to t (Δv = v(t) - v(t - dt)):

    - a link x -> z into a flow or auxiliary ``z = f(x, y, ...)``::

          LS(x -> z) = |Δx z / Δz| · sign(Δx z / Δx)     (0 if Δz = 0 or Δx = 0)

      where Δx z = f(x(t), y(t - dt), ...) - f(x(t - dt), y(t - dt), ...) is
      the change in z due to x alone (every other input, and time, held at
      its previous value);
    - a flow into or out of a stock S with net flow n = Σ inflows - Σ outflows
      (the 2023 correction: the *change* in the flow over the change in the
      net flow, not the flow over the net flow)::

          LS(i -> S) = +|Δi / Δn|,    LS(o -> S) = -|Δo / Δn|    (0 if Δn = 0)

      This equals scoring ``n = Σi - Σo`` with the formula above and the link
      n -> S with 1, so the scores do not depend on how flows are split;
    - the hidden stock of a smooth or delay is scored the same way, its rate of
      change playing the part of the net flow; the output of a delay_fixed
      pipeline scores 1 whenever it moves.

    A link of the diagram that folds hidden parts away scores the product of
    its parts' scores (the sum over its paths if there are several). A loop's
    score is the product of its links' scores; its *relative* score divides
    that by the sum of the absolute scores of all loops at that time. The
    dominant loop at a time is the one with the largest absolute relative
    score. At the start time nothing has changed yet, so no loop dominates.

    Parameters
    ----------
    model : StockFlowModel
    results : Results, optional
        The run to analyse (default: a new run). Runs with RK4 are analysed
        over their saved steps all the same.
    method : {"ltm"}
        Loops that Matter (the only method so far).
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given.
    max_loops : int
        A big model can have millions of loops (World3-03 has 1,863,803).
        Beyond `max_loops`, only the loops of up to the longest length that
        keeps within the bound are scored (short loops first, as a
        participant reads a diagram), and :attr:`Dominance.note` says so.

    Returns
    -------
    Dominance

    Raises
    ------
    UnknownNameError
        For an unknown method.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Logistic", stop=100, dt=0.25)
    >>> _ = m.constant("capacity", 1000)
    >>> _ = m.stock("population", 10, inflows=["growth"])
    >>> _ = m.auxiliary("fractional_growth", "0.1 * (1 - population / capacity)")
    >>> _ = m.flow("growth", "population * fractional_growth")
    >>> [(start, name) for start, end, name, kind in loop_dominance(m).periods()]
    [(0.25, 'R1'), (46.75, 'B1')]
    >>> loop_dominance(m, method="ppm")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown loop dominance method 'ppm' ... are 'ltm'
    """
    import pandas as pd

    if method not in METHODS:
        raise UnknownNameError(str(method), METHODS, kind="loop dominance method",
                               where="loop_dominance()")
    check_model(model, "loop_dominance()")
    if isinstance(max_loops, bool) or not isinstance(max_loops, int) or max_loops < 1:
        raise ModelError(f"loop_dominance(): max_loops must be a positive whole number, not "
                         f"{max_loops!r}")
    structure = structure_of(model)
    run = run_values(structure, results, run_kwargs)
    paths, links = polarities(structure, run, include_constants=False)
    cld = build_cld(model.name, structure.kinds, links, include_constants=False,
                    loop_names=getattr(model, "loop_names", None))
    loops, note = _loops_to_score(cld, max_loops)
    index = pd.Index(run.time, name="time")
    edge_scores: dict[Edge, np.ndarray] = {}
    cache: dict[str, np.ndarray] = {}
    link_scores: dict[str, np.ndarray] = {}
    needed = {(link.cause, link.effect) for loop in loops for link in loop.links}
    for (cause, effect), chains in paths.items():
        if (cause, effect) not in needed:
            continue
        total = np.zeros_like(run.time)
        for chain in chains:
            product = np.ones_like(run.time)
            for edge in chain.edges:
                if edge not in edge_scores:
                    edge_scores[edge] = _edge_scores(structure, run, edge, cache)
                product = product * edge_scores[edge]
            total = total + product
        total[0] = 0.0
        link_scores[f"{cause} -> {effect}"] = total
    scores = {}
    for loop in loops:
        product = np.ones_like(run.time)
        for link in loop.links:
            product = product * link_scores[f"{link.cause} -> {link.effect}"]
        scores[loop.name] = product
    raw = pd.DataFrame(scores, index=index, columns=[lp.name for lp in loops], dtype=float)
    total = raw.abs().sum(axis=1)
    relative = raw.div(total.where(total > 0), axis=0).fillna(0.0)
    dominant = pd.Series([None] * len(index), index=index, dtype=object, name="dominant loop")
    if loops:
        strongest = relative.abs().to_numpy().argmax(axis=1)
        moving = (relative.abs().to_numpy() > 0).any(axis=1)
        names = [lp.name for lp in loops]
        dominant[:] = [names[k] if m else None for k, m in zip(strongest, moving, strict=True)]
    return Dominance(model.name, loops,
                     pd.DataFrame(link_scores, index=index, dtype=float)
                     if link_scores else pd.DataFrame(index=index, dtype=float),
                     relative, dominant, run.results, note)

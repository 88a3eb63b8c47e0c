"""The polarity of each link of a model, read from its equations along a run.

A stock's inflows give ``flow -> stock : +``, its outflows ``flow -> stock : -``;
every other link takes the sign of the partial derivative of the effect's
equation with respect to the cause, at each saved time of a run (a central
difference, every other input held at its value in the run). Hidden parts of
the expanded model (smooths, delays) and lookups are folded into the links
through them.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from csframework.sd.causal_graph import (
    RELATIVE_STEP,
    Edge,
    Run,
    Structure,
    check_model,
    evaluate_effect,
    run_values,
    signs,
    structure_of,
    summarise,
)
from csframework.sd.functions import STATEFUL_FUNCTIONS

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel
    from csframework.sd.results import Results

__all__ = ["LinkPath", "LinkPolarity", "link_polarities", "polarities"]


@dataclass(frozen=True)
class LinkPolarity:
    """The polarity of one link of a model, as read from a run.

    Attributes
    ----------
    cause, effect : str
    sign : {"+", "-"}
        The sign the link has most of the time (``"+"`` if it never acts).
    ambiguous : bool
        True if the sign changes during the run, or the link never acts.
    fraction_positive : float
        The fraction of the times when the link acts at which it is positive
        (NaN if it never acts).
    delay : bool
        The link passes through the hidden stock of a smooth or delay.
    via : tuple of str
        What the link is folded through: ``"smooth()"``, ``"lookup 'effect'"``, ...
    role : {"inflow", "outflow", "equation"}
        How the polarity was found: a flow filling or draining a stock (sign
        fixed), or from the effect's equation.

    Examples
    --------
    >>> LinkPolarity("x", "y", "+", False, 1.0).note is None
    True
    >>> LinkPolarity("x", "y", "-", True, 0.25).note
    'ambiguous: the sign changes during the run (+ 25% of the time)'
    """

    cause: str
    effect: str
    sign: str
    ambiguous: bool
    fraction_positive: float
    delay: bool = False
    via: tuple[str, ...] = ()
    role: str = "equation"

    @property
    def note(self) -> str | None:
        """What a diagram should say about the link, or None if nothing."""
        parts = []
        if self.ambiguous:
            if math.isnan(self.fraction_positive):
                parts.append("ambiguous: no effect during the run")
            else:
                parts.append(f"ambiguous: the sign changes during the run "
                             f"(+ {self.fraction_positive:.0%} of the time)")
        if self.via:
            parts.append("through " + ", ".join(self.via))
        return "; ".join(parts) or None


def _edge_signs(structure: Structure, run: Run, edge: Edge) -> np.ndarray:
    """The sign of the link `edge` at each saved time (central differences)."""
    if edge.role == "inflow":
        return np.ones_like(run.time)
    if edge.role == "outflow":
        return -np.ones_like(run.time)
    if edge.role == "pipeline":
        return np.ones_like(run.time)
    x = run.values[edge.cause]
    spread = float(np.max(np.abs(x))) if x.size else 0.0
    step = RELATIVE_STEP * np.maximum(np.abs(x), spread if spread > 0 else 1.0)
    up = dict(run.values)
    down = dict(run.values)
    up[edge.cause] = x + step
    down[edge.cause] = x - step
    high = evaluate_effect(structure, run, edge.effect, up)
    low = evaluate_effect(structure, run, edge.effect, down)
    return signs(high - low, np.maximum(np.abs(high), np.abs(low)))


def _lookups_around(tree: ast.AST, name: str, lookups: Iterable[str]) -> tuple[str, ...]:
    known = set(lookups)
    found: dict[str, None] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in known
                and any(isinstance(n, ast.Name) and n.id == name
                        for arg in node.args for n in ast.walk(arg))):
            found.setdefault(f"lookup {node.func.id!r}", None)
    return tuple(found)


@dataclass(frozen=True)
class LinkPath:
    """A chain of edges from one visible variable to another through hidden ones."""

    edges: tuple[Edge, ...]

    @property
    def cause(self) -> str:
        return self.edges[0].cause

    @property
    def effect(self) -> str:
        return self.edges[-1].effect


def _paths(structure: Structure, include_constants: bool) -> dict[tuple[str, str], list[LinkPath]]:
    """The links of the diagram: visible cause -> visible effect, hidden parts folded away."""
    visible = {n for n, k in structure.kinds.items() if include_constants or k != "constant"}
    outgoing: dict[str, list[Edge]] = {}
    for edge in structure.edges:
        outgoing.setdefault(edge.cause, []).append(edge)
    links: dict[tuple[str, str], list[LinkPath]] = {}

    def follow(start: str, chain: tuple[Edge, ...], seen: frozenset[str]) -> None:
        for edge in outgoing.get(chain[-1].effect if chain else start, ()):
            target = edge.effect
            if target in seen:
                continue
            path = (*chain, edge)
            if target in visible:
                if target != start:
                    links.setdefault((start, target), []).append(LinkPath(path))
            elif target in structure.owners:
                follow(start, path, seen | {target})

    for name in structure.kinds:
        if name in visible:
            follow(name, (), frozenset({name}))
    return {key: links[key] for key in sorted(links)}


def _describe_via(structure: Structure, path: LinkPath) -> tuple[str, ...]:
    via: list[str] = []
    for edge in path.edges[1:]:
        via.append(f"{_stateful_function(edge.cause)}()")
    for edge in path.edges:
        if edge.effect in structure.trees:
            via += _lookups_around(structure.trees[edge.effect], edge.cause,
                                   structure.model.lookups)
    return tuple(dict.fromkeys(via))


def _stateful_function(hidden: str) -> str:
    """The function a hidden name comes from: ``'_delay_fixed_0_y'`` -> ``'delay_fixed'``."""
    matches = [f for f in STATEFUL_FUNCTIONS if hidden.startswith(f"_{f}_")]
    return max(matches, key=len) if matches else hidden


def polarities(structure: Structure, run: Run, include_constants: bool
                ) -> tuple[dict[tuple[str, str], list[LinkPath]], tuple[LinkPolarity, ...]]:
    """The links of the diagram (their paths through the expanded model) and their polarities."""
    paths = _paths(structure, include_constants)
    edge_signs: dict[Edge, np.ndarray] = {}
    found = []
    for (cause, effect), chains in paths.items():
        total = np.zeros_like(run.time)
        for chain in chains:
            product = np.ones_like(run.time)
            for edge in chain.edges:
                if edge not in edge_signs:
                    edge_signs[edge] = _edge_signs(structure, run, edge)
                product = product * edge_signs[edge]
            total = total + product
        sign, ambiguous, fraction = summarise(np.sign(total))
        role = chains[0].edges[0].role if len(chains[0].edges) == 1 else "equation"
        role = role if role in ("inflow", "outflow") else "equation"
        delay = all(any(e.effect in structure.hidden_stocks for e in c.edges) for c in chains)
        via = tuple(dict.fromkeys(v for c in chains for v in _describe_via(structure, c)))
        found.append(LinkPolarity(cause, effect, sign, ambiguous, fraction, delay, via, role))
    return paths, tuple(found)


def link_polarities(model: StockFlowModel, results: Results | None = None, *,
                    include_constants: bool = False,
                    run_kwargs: Mapping[str, Any] | None = None) -> tuple[LinkPolarity, ...]:
    """Every link of the model's causal structure with its polarity along a run.

    Parameters
    ----------
    model : StockFlowModel
    results : Results, optional
        A run of `model` to read the values from (default: a new run). If it
        lacks hidden state or variables, the model is run again with the same
        parameters, time step and stop time.
    include_constants : bool
        Also give the links from constants.
    run_kwargs : mapping, optional
        Keyword arguments for ``model.run`` when `results` is not given
        (``params``, ``stop``, ``dt``, ``method``).

    Returns
    -------
    tuple of LinkPolarity
        Sorted by cause, then effect.

    Examples
    --------
    >>> from csframework.sd import StockFlowModel
    >>> m = StockFlowModel("Wave", stop=10, dt=0.5)
    >>> _ = m.stock("x", 0, inflows=["speed"])
    >>> _ = m.flow("speed", 1)
    >>> _ = m.auxiliary("y", "sin(x)")
    >>> _ = m.auxiliary("z", "10 - x")
    >>> for link in link_polarities(m):
    ...     print(link.cause, link.effect, link.sign, link.ambiguous)
    speed x + False
    x y - True
    x z - False
    """
    check_model(model, "link_polarities()")
    structure = structure_of(model)
    run = run_values(structure, results, run_kwargs)
    return polarities(structure, run, include_constants)[1]



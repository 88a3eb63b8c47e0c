"""The catalogue behind :mod:`csframework.sd.library`: what each model is and how to build it.

Every model module registers its builders here with :func:`register`; the
public functions of the package (``names``, ``load``, ``info``) read this
catalogue. Nothing here runs a simulation.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework._text import normalise
from csframework.errors import ModelError, UnknownNameError, close_matches

if TYPE_CHECKING:  # pragma: no cover
    from csframework.sd.model import StockFlowModel

__all__ = ["BEHAVIOURS", "ModelInfo", "Scenario", "Variant", "register"]

#: The behaviour-over-time patterns a library model can be expected to show.
BEHAVIOURS = (
    "linear",
    "exponential growth",
    "goal seeking",
    "s-shaped growth",
    "damped oscillation",
    "sustained oscillation",
    "overshoot and collapse",
    "overshoot and settle",
    "equilibrium",
    "growth then decline",
    "better before worse",
    "worse before better",
    "drifting goals",
)

_WHERE = "csf.library"


@dataclass(frozen=True)
class Variant:
    """One keyword that :func:`~csframework.sd.library.load` accepts for a model.

    Attributes
    ----------
    keyword : str
        The keyword argument, e.g. ``"leaky"``.
    default : bool, float or str
        The value used when the keyword is left out.
    kind : {"switch", "number", "choice"}
        A switch takes True or False; a number any value from `min` to `max`;
        a choice one of `values`.
    values : tuple
        The settings the references explore (for a choice, the only valid ones).
    min, max : float or None
        The range of a number.
    doc : str
        What the keyword changes.
    """

    keyword: str
    default: Any
    kind: str = "number"
    values: tuple = ()
    min: float | None = None
    max: float | None = None
    doc: str = ""

    def check(self, value: object, model: str) -> Any:
        """Return `value` in canonical form, or raise ModelError saying what is valid."""
        where = f"{_WHERE}.load({model!r}): {self.keyword}"
        if self.kind == "switch":
            if isinstance(value, bool):
                return value
            raise ModelError(f"{where} must be True or False, not {value!r}")
        if self.kind == "choice":
            key = normalise(value) if isinstance(value, str) else None
            for option in self.values:
                if key == normalise(option):
                    return option
            hint = close_matches(str(value), self.values)
            raise ModelError(f"{where} must be one of {', '.join(map(repr, self.values))}, "
                             f"not {value!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelError(f"{where} must be a number, not {value!r}")
        number = float(value)
        low = -math.inf if self.min is None else self.min
        high = math.inf if self.max is None else self.max
        if not low <= number <= high:
            raise ModelError(f"{where} must be between {low:g} and {high:g}, not {number:g}")
        return number


@dataclass(frozen=True)
class Scenario:
    """A setting of a model's variants that the references describe, and what it shows.

    Attributes
    ----------
    name : str
        A short human name, e.g. ``"leaky house"``.
    settings : tuple of (str, value) pairs
        The keyword arguments to pass to ``load``.
    behaviour : str
        One of :data:`BEHAVIOURS`, for the model's key variable.
    note : str
        What to notice.
    """

    name: str
    settings: tuple[tuple[str, Any], ...]
    behaviour: str
    note: str = ""

    @property
    def kwargs(self) -> dict[str, Any]:
        """The settings as a dict, ready for ``load(name, **scenario.kwargs)``."""
        return dict(self.settings)


@dataclass(frozen=True)
class ModelInfo:
    """What a library model is about, without building it.

    Attributes
    ----------
    name : str
        The name to pass to ``load``.
    title : str
        A title for figures and headings.
    story : str
        The model's story, in plain words.
    behaviour : str
        The expected behaviour over time of `key_variable` with the default
        variant: one of :data:`BEHAVIOURS`.
    key_variable : str
        The variable to plot first.
    summary : str
        One sentence on what happens.
    variants : tuple of Variant
        The keywords ``load`` accepts.
    archetype : str or None
        The systems archetype the model illustrates, if any.
    scenarios : tuple of Scenario
        Settings worth comparing, with the behaviour each shows.
    aliases : tuple of str
        Other names ``load`` and ``info`` accept.
    better : {"up", "down"} or None
        Which way is better for `key_variable` ("down" for a problem symptom), when it
        matters: it tells "better before worse" from "worse before better"
        (:func:`csframework.behaviour.classify`).
    levers : tuple of str
        For a large model, the few constants worth a slider (empty: every constant).
    goal_variable : str or None
        The goal `key_variable` is aimed at, when the behaviour is read on the two
        together (``classify(key, goal=goal)``): "drifting goals" needs both.
    """

    name: str
    title: str
    story: str
    behaviour: str
    key_variable: str
    summary: str = ""
    variants: tuple[Variant, ...] = ()
    archetype: str | None = None
    scenarios: tuple[Scenario, ...] = ()
    aliases: tuple[str, ...] = ()
    better: str | None = None
    levers: tuple[str, ...] = ()
    goal_variable: str | None = None

    @property
    def defaults(self) -> dict[str, Any]:
        """Each variant keyword with its default value."""
        return {v.keyword: v.default for v in self.variants}


@dataclass(frozen=True)
class _Entry:
    info: ModelInfo
    build: Callable[..., StockFlowModel]


_REGISTRY: dict[str, _Entry] = {}
_ALIASES: dict[str, str] = {}


def _story(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "")
    return re.split(r"\n\s*Parameters\n\s*-{3,}", text)[0].strip()


def register(name: str, *, title: str, behaviour: str, key_variable: str, summary: str = "",
             variants: tuple[Variant, ...] = (), archetype: str | None = None,
             scenarios: tuple[Scenario, ...] = (),
             aliases: tuple[str, ...] = (),
             better: str | None = None,
             levers: tuple[str, ...] = (),
             goal_variable: str | None = None) -> Callable[[Callable], Callable]:
    """Add the decorated builder to the catalogue under `name`.

    The builder's docstring (up to its Parameters section) becomes the story.
    """
    if behaviour not in BEHAVIOURS or any(s.behaviour not in BEHAVIOURS for s in scenarios):
        raise ValueError(f"model {name!r}: behaviours must be among {BEHAVIOURS}")

    def decorate(build: Callable[..., StockFlowModel]) -> Callable[..., StockFlowModel]:
        info = ModelInfo(name, title, _story(build.__doc__), behaviour, key_variable, summary,
                         tuple(variants), archetype, tuple(scenarios), tuple(aliases), better,
                         tuple(levers), goal_variable)
        _REGISTRY[name] = _Entry(info, build)
        for alias in (name, *aliases):
            _ALIASES[normalise(alias)] = name
        return build

    return decorate


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def entry(name: object) -> _Entry:
    """The catalogue entry for `name` (or an alias), or UnknownNameError."""
    canonical = _ALIASES.get(normalise(name)) if isinstance(name, str) else None
    if canonical is None:
        raise UnknownNameError(name, names(), kind="model", where=_WHERE)  # type: ignore[arg-type]
    return _REGISTRY[canonical]


def build(name: str, variant: Mapping[str, Any]) -> StockFlowModel:
    """Check the variant keywords of model `name`, then build a fresh model."""
    found = entry(name)
    info = found.info
    known = {v.keyword: v for v in info.variants}
    settings = {}
    for keyword, value in variant.items():
        if keyword not in known:
            where = f"{_WHERE}.load({info.name!r})"
            if not known:
                where += ", which has no variants"
            raise UnknownNameError(keyword, tuple(known), kind="variant", where=where)
        settings[keyword] = known[keyword].check(value, info.name)
    return found.build(**settings)


def name_loops(model: StockFlowModel, loops: tuple[tuple[str, tuple[str, ...], str], ...]) -> None:
    """Name a model's loops as its archetype's card and diagram do (see ``name_loop``)."""
    for name, variables, story in loops:
        model.name_loop(name, variables, story)

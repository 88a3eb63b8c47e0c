"""The classic small models of system dynamics, and one model for each systems archetype.

Meadows' models from *Thinking in Systems* (the bathtub, the coffee cup, the
thermostat, population, capital, the car dealer, oil and fish) and a minimal
simulation of each archetype (fixes that fail, limits to growth, ...), ready to
run, to put on sliders and to compare. Each call to :func:`load` builds a new
model, so changing one never changes another.

Examples
--------
>>> from csframework.sd import library
>>> "thermostat" in library.names()
True
>>> model = library.load("thermostat", leaky=True)
>>> round(float(model.run()["room_temperature"].iloc[-1]), 2)
16.15
>>> library.info("fixes that fail").behaviour
'better before worse'
"""

from __future__ import annotations

import importlib
from typing import Any

from csframework.sd.library._catalogue import (
    BEHAVIOURS,
    ModelInfo,
    Scenario,
    Variant,
    build,
    entry,
)
from csframework.sd.library._catalogue import names as _names
from csframework.sd.model import StockFlowModel

__all__ = ["BEHAVIOURS", "ModelInfo", "Scenario", "Variant", "info", "load", "names",
           "world3_path"]

# Importing a module registers its models; this order is the order of names().
_MODULES = ("everyday", "growth", "inventory", "resources", "archetypes_correcting",
            "archetypes_competing", "world3")
for _module in _MODULES:
    importlib.import_module(f"{__name__}.{_module}")


def world3_path():
    """The path of the World3-03 Vensim file shipped with csframework (see ``load("world3")``).

    Examples
    --------
    >>> from csframework.sd import library
    >>> library.world3_path().suffix
    '.mdl'
    """
    from csframework.sd.library.world3 import world3_path as path

    return path()


def names() -> tuple[str, ...]:
    """The names of every library model: Meadows' classics first, then the archetypes.

    Returns
    -------
    tuple of str
        Lower-case names in a fixed order; pass one to :func:`load` or :func:`info`.

    Examples
    --------
    >>> from csframework.sd import library
    >>> library.names()[:4]
    ('bathtub', 'coffee cooling', 'coffee warming', 'teacup')
    >>> "tragedy of the commons" in library.names()
    True
    """
    return _names()


def load(name: str, **variant: Any) -> StockFlowModel:
    """Build a fresh copy of the library model `name`.

    Parameters
    ----------
    name : str
        One of :func:`names` (case, hyphens and underscores do not matter),
        or an alias such as ``"non-renewable resource"``.
    **variant
        The model's variant keywords, listed by ``info(name).variants``: for
        example ``leaky=True`` for the thermostat, or ``setting="faster
        response"`` for the car dealer.

    Returns
    -------
    StockFlowModel
        A new model each call, with its time span, units and slider ranges set.

    Raises
    ------
    UnknownNameError
        An unknown model name or variant keyword (with "did you mean ...?").
    ModelError
        A variant value outside what the keyword accepts.

    Examples
    --------
    >>> from csframework.sd import library
    >>> model = library.load("bank account", interest_rate=0.04)
    >>> model
    <StockFlowModel 'Bank account': 1 stock, 1 flow, 0 auxiliaries, 2 constants>
    >>> round(float(model.run()["money"].iloc[-1]), 1)
    160.1
    >>> library.load("thermostatt")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown model 'thermostatt' ... did you mean 'thermostat'?
    >>> library.load("thermostat", leakey=True)
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown variant 'leakey' ... did you mean 'leaky'?
    """
    return build(name, variant)


def info(name: str) -> ModelInfo:
    """What the library model `name` is about: story, behaviour, key variable, variants.

    Parameters
    ----------
    name : str
        One of :func:`names`, or an alias.

    Returns
    -------
    ModelInfo

    Examples
    --------
    >>> from csframework.sd import library
    >>> about = library.info("population")
    >>> about.behaviour, about.key_variable
    ('exponential growth', 'population')
    >>> [v.keyword for v in about.variants]
    ['variant']
    >>> [s.name for s in about.scenarios]
    ['growth', 'decline', 'falling fertility']
    """
    return entry(name).info

"""csframework: a learning toolkit for Compassionate Systems practice.

Causal loop diagrams, the thinking tools of the Compassionate Systems framework,
the systems archetypes and small system-dynamics models, for use in Jupyter.
Everything beyond the causal loop diagram is imported on first use, so that
``import csframework`` stays fast.

Examples
--------
>>> import csframework as csf
>>> cld = csf.CausalLoopDiagram.from_text("trust -> participation : +\\nparticipation -> trust : +")
>>> [loop.name for loop in cld.loops()]
['R1']
>>> csf.StockFlowModel("Bathtub")
<StockFlowModel 'Bathtub': 0 stocks, 0 flows, 0 auxiliaries, 0 constants>
"""

from __future__ import annotations

import importlib
from typing import Any

from csframework import errors
from csframework.cld import CausalLoopDiagram, Link, Loop, Variable

# public name -> (module, attribute); attribute None means the module itself
_LAZY: dict[str, tuple[str, str | None]] = {
    "__version__": ("csframework._version", "VERSION"),  # reading metadata costs ~30 ms
    "StockFlowModel": ("csframework.sd.model", "StockFlowModel"),
    "Results": ("csframework.sd.results", "Results"),
    "load_model": ("csframework.sd.loading", "load_model"),
    "Iceberg": ("csframework.iceberg", "Iceberg"),
    "LadderOfInference": ("csframework.ladder", "LadderOfInference"),
    "CreativeTension": ("csframework.tension", "CreativeTension"),
    "ConnectionCircle": ("csframework.circles", "ConnectionCircle"),
    "BehaviourOverTimeGraph": ("csframework.botg", "BehaviourOverTimeGraph"),
    "Journal": ("csframework.journal", "Journal"),
    "Mandala": ("csframework.mandala", "Mandala"),
    "library": ("csframework.sd.library", None),
    "archetypes": ("csframework.archetypes", None),
    "behaviour": ("csframework.behaviour", None),
    "style": ("csframework.style", None),
    "widgets": ("csframework.widgets", None),
    "curriculum": ("csframework.curriculum", None),
    "exercises": ("csframework.exercises", None),
    "progress": ("csframework.progress", None),
    "games": ("csframework.games", None),
    "HarvestGame": ("csframework.games", "HarvestGame"),
    "leverage": ("csframework.leverage", None),
    "LeverageMap": ("csframework.leverage", "LeverageMap"),
}

__all__ = ["CausalLoopDiagram", "Link", "Loop", "Variable", "errors", *_LAZY]


def _show_figures_in_ipython() -> None:
    """Let IPython show the figures csframework returns, even before pyplot is imported.

    csframework draws on Agg canvases without pyplot, so that nothing is shown
    twice; but IPython only learns to show a matplotlib Figure as a picture
    once pyplot has been imported. Until then a returned figure would print as
    ``<Figure size ... with 1 Axes>``. The formatter is registered by name, so
    matplotlib is not imported here.
    """
    import sys

    ipython_module = sys.modules.get("IPython")
    get_ipython = getattr(ipython_module, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    if ("matplotlib.figure", "Figure") in formatter.deferred_printers:
        return
    if any(getattr(t, "__name__", "") == "Figure" and getattr(t, "__module__", "")
           == "matplotlib.figure" for t in formatter.type_printers):
        return
    formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_png)


def _figure_png(figure: Any) -> bytes:
    from csframework import _drawing

    return _drawing.figure_to_png(figure, clear=False, dpi=figure.dpi, bbox_inches="tight")


_show_figures_in_ipython()


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'csframework' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

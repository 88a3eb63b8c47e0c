"""csframework: a learning toolkit for Compassionate Systems practice.

Causal loop diagrams, the thinking tools of the Compassionate Systems framework,
the systems archetypes and small system-dynamics models, for use in Jupyter.

Examples
--------
>>> import csframework as csf
>>> cld = csf.CausalLoopDiagram.from_text("trust -> participation : +\\nparticipation -> trust : +")
>>> [loop.name for loop in cld.loops()]
['R1']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from csframework import errors
from csframework.cld import CausalLoopDiagram, Link, Loop, Variable

__version__ = "0.1.0"

__all__ = [
    "CausalLoopDiagram",
    "Link",
    "Loop",
    "Variable",
    "errors",
    "style",
]

# Submodules imported on first use, so that `import csframework` stays fast.
_LAZY_MODULES = {"style"}

if TYPE_CHECKING:  # pragma: no cover
    from csframework import style


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"csframework.{name}")
    raise AttributeError(f"module 'csframework' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_MODULES)

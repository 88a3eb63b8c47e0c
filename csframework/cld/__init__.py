"""Causal loop diagrams: build, find loops, draw and exchange.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> CausalLoopDiagram.from_text("a -> b : +\\nb -> a : -").loops()[0].kind
'balancing'
"""

from csframework.cld.diagram import FACETS, CausalLoopDiagram, Link, Polarity, Variable
from csframework.cld.loops import Loop, LoopList

__all__ = ["FACETS", "CausalLoopDiagram", "Link", "Loop", "LoopList", "Polarity", "Variable"]

"""Behaviour-over-time patterns: the pattern library and a classifier.

A behaviour-over-time graph shows one quantity against time. A handful of
shapes turn up again and again, and each shape points to the structure that
tends to produce it: a dominant reinforcing loop, a dominant balancing loop, a
shift from one to the other, a balancing loop with a delay. This module holds
that pattern library (:data:`PATTERNS`) and :func:`classify`, which measures a
series and says which pattern it looks like, how sure it is, and why.

The classifier is deliberately simple to follow. It smooths the series, counts
its turning points, measures where its peak is and how much its swings shrink,
and fits a few candidate curves (a line, an exponential, a logistic) by least
squares. Every measurement is kept in :attr:`Classification.features`.

The package reads from the bottom up: :mod:`~csframework.behaviour.patterns`
(the vocabulary), :mod:`~csframework.behaviour.measuring` (reading and
measuring a series), :mod:`~csframework.behaviour.explaining` (the sentences),
:mod:`~csframework.behaviour.classifier` (scores, confidence, phases) and
:mod:`~csframework.behaviour.gallery` (the figure of every pattern).

Examples
--------
>>> import numpy as np
>>> from csframework import behaviour
>>> behaviour.names()[:3]
('linear', 'exponential growth', 'goal seeking')
>>> t = np.linspace(0, 30, 241)
>>> teacup = 70 + 110 * np.exp(-t / 10)
>>> result = behaviour.classify(teacup, time=t)
>>> result.pattern
'goal seeking'
>>> print(result.explain())
This looks like goal seeking (confidence 1.00): it moves quickly at first
and then ever more slowly towards about 70.
>>> behaviour.pattern("logistic").name
's-shaped growth'
"""

from csframework.behaviour.classifier import Classification, Phase, classify
from csframework.behaviour.explaining import explain_phases
from csframework.behaviour.gallery import gallery
from csframework.behaviour.patterns import (
    PAIRED_PATTERNS,
    PATTERNS,
    REVERSALS,
    Pattern,
    names,
    pattern,
    patterns,
)

__all__ = [
    "PAIRED_PATTERNS",
    "PATTERNS",
    "REVERSALS",
    "Classification",
    "Pattern",
    "Phase",
    "classify",
    "explain_phases",
    "gallery",
    "names",
    "pattern",
    "patterns",
]

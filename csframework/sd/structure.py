"""From a stock-and-flow model to its causal structure, and which loop dominates when.

This module gathers the public names of the structure analysis, which lives in
small modules: :mod:`~csframework.sd.causal_graph` (the expanded model as a
graph, evaluated along a run), :mod:`~csframework.sd.polarity` (link
polarities), :mod:`~csframework.sd.causal` (the causal loop diagram),
:mod:`~csframework.sd.dominance` (Loops that Matter) and
:mod:`~csframework.sd.pysd_structure` (models loaded through PySD).

:func:`to_cld` turns a model into a :class:`~csframework.cld.CausalLoopDiagram`:
one variable per stock, flow and auxiliary (and constant, if asked), one link
per dependency of an equation. Polarities come from the model itself:

- a stock's inflows give ``flow -> stock : +``, its outflows ``flow -> stock : -``;
- every other link takes the sign of the partial derivative of the effect's
  equation with respect to the cause, *along a run*: at each saved time the
  cause's value is nudged up and down (a central difference) and the effect's
  equation is re-evaluated with every other input held at its value in the run.
  Equations are compiled by the engine's own code generation (from their
  validated syntax trees, never from text), so every function means here
  what it means in a run;
- a link whose sign changes during the run (beyond rounding noise), or that
  never has any effect, is *ambiguous*: it gets the sign it has most of the
  time, and its note says "ambiguous". :func:`link_polarities` gives the details.

Stateful functions (``smooth``, ``delay1``, ``delay_fixed`` ...) expand into
hidden stocks when the model is compiled; they are folded away, so
``y = smooth(x, 3)`` gives the delayed link ``x -> y`` (drawn with ‖). Lookups
are folded into the link through them: ``y = effect(x)`` gives ``x -> y``.

:func:`loop_dominance` scores every loop of that diagram over time with the
Loops that Matter method (see its docstring for the formulas).

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> from csframework.sd.structure import to_cld, loop_dominance
>>> model = StockFlowModel("Teacup", stop=30, dt=0.125)
>>> _ = model.constant("room_temperature", 70)
>>> _ = model.constant("characteristic_time", 10)
>>> _ = model.stock("teacup_temperature", initial=180, outflows=["heat_loss"])
>>> _ = model.flow("heat_loss", "(teacup_temperature - room_temperature) / characteristic_time")
>>> cld = to_cld(model)
>>> print(cld.to_text())
heat_loss -> teacup_temperature : -
teacup_temperature -> heat_loss : +
>>> cld.loops()
LoopList([Loop('B1', balancing: heat_loss -> teacup_temperature -> heat_loss)])
>>> loop_dominance(model).periods()
[(0.125, 30.0, 'B1', 'balancing')]
"""

from csframework.sd.causal import to_cld
from csframework.sd.causal_graph import NOISE, RELATIVE_STEP
from csframework.sd.dominance import MAX_LOOPS, METHODS, Dominance, loop_dominance
from csframework.sd.polarity import LinkPolarity, link_polarities
from csframework.sd.pysd_structure import pysd_cld

__all__ = ["MAX_LOOPS", "METHODS", "NOISE", "RELATIVE_STEP", "Dominance", "LinkPolarity",
           "link_polarities", "loop_dominance", "pysd_cld", "to_cld"]

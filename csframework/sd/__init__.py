"""System dynamics: stock-and-flow models, a native engine and their results.

Examples
--------
>>> from csframework.sd import StockFlowModel
>>> model = StockFlowModel("Teacup", stop=30, dt=0.125)
>>> _ = model.constant("room_temperature", 70)
>>> _ = model.stock("teacup_temperature", 180, outflows=["heat_loss"])
>>> _ = model.flow("heat_loss", "(teacup_temperature - room_temperature) / 10")
>>> model.run()
<Results 'Teacup': 241 rows × 2 variables, time 0–30>
"""

from csframework.sd.model import StockFlowModel
from csframework.sd.results import Results

__all__ = ["Results", "StockFlowModel"]

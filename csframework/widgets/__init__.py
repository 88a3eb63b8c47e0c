"""Thin ipywidgets views over csframework's objects, for participants and facilitators.

Every widget is a box whose parts are plain attributes (for tests and for code),
holding the plain object it edits (``builder.iceberg``, ``editor.cld``, ...).
The widgets are views only: the logic lives in plain objects outside this
package, tested without a browser (:class:`~csframework.cld.editing.DiagramEditor`
behind :func:`cld_editor`, :class:`~csframework.cld.narration.Story` behind
:func:`story`, :class:`~csframework.behaviour.prediction.Prediction` behind
:func:`predict_then_simulate`, :class:`~csframework.games.HarvestGame` behind
:func:`harvest_game_widget`, :class:`~csframework.experiment.Experiment` behind
:func:`simulation_dashboard`).

Widgets read :func:`csframework.style.current` when they are made: after
``csf.style.use("presentation")`` new widgets and their figures are projector-sized.

Examples
--------
>>> from csframework import widgets as csw
>>> editor = csw.cld_editor()
>>> editor.cause.value, editor.effect.value = "trust", "sharing"
>>> editor.add_button.click()
>>> editor.cld
<CausalLoopDiagram: 2 variables, 1 link>
"""

from csframework.behaviour.prediction import Prediction
from csframework.cld.editing import DiagramEditor
from csframework.cld.narration import Story
from csframework.experiment import Experiment
from csframework.widgets.builders import (
    CircleBuilder,
    IcebergBuilder,
    LadderBuilder,
    TensionChart,
    connection_circle_builder,
    iceberg_builder,
    ladder_builder,
    tension_chart,
)
from csframework.widgets.dashboard import SimulationDashboard, simulation_dashboard
from csframework.widgets.editor import CLDEditor, cld_editor
from csframework.widgets.harvest import harvest_game_widget
from csframework.widgets.journal_prompt import JournalPrompt, journal_prompt
from csframework.widgets.predict import PredictThenSimulate, predict_then_simulate
from csframework.widgets.story import StoryPlayer, story

__all__ = [
    "CLDEditor",
    "CircleBuilder",
    "DiagramEditor",
    "Experiment",
    "IcebergBuilder",
    "JournalPrompt",
    "LadderBuilder",
    "PredictThenSimulate",
    "Prediction",
    "SimulationDashboard",
    "Story",
    "StoryPlayer",
    "TensionChart",
    "cld_editor",
    "connection_circle_builder",
    "harvest_game_widget",
    "iceberg_builder",
    "journal_prompt",
    "ladder_builder",
    "predict_then_simulate",
    "simulation_dashboard",
    "story",
    "tension_chart",
]

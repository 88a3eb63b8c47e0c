"""The frame of the programme year: facets, mandala domains, habits and thinking tools.

The words every session is described in: the three facets of systems awareness
(:data:`FACETS`), the four domains of the Mandala for Systems Change
(:data:`DOMAINS`), the fourteen Habits of a Systems Thinker (:data:`HABITS`) and
the thinking tools of the year (:data:`TOOLS`), with the signs in a notebook's
code that show a tool in use (:func:`tools_used_in`) and :class:`Coverage`, the
table of which sessions practise what.

Examples
--------
>>> habit(1)
'seeks to understand the big picture'
>>> DOMAINS["community"]
'Who is the "we", and what is the quality of our relationships?'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import MappingProxyType

from csframework.errors import FormatError, UnknownNameError

__all__ = [
    "DETECTABLE_TOOLS",
    "DOMAINS",
    "FACETS",
    "HABITS",
    "TOOLS",
    "TOOL_SIGNS",
    "Coverage",
    "habit",
    "tools_used_in",
]

#: The three facets of systems awareness.
FACETS = ("self", "others", "world")

#: The four domains of the Mandala for Systems Change, each with its question.
DOMAINS = MappingProxyType({
    "practice": "What are we seeking to accomplish?",
    "research": "What are we seeking to learn that can benefit others?",
    "capacity building": "How do we need to learn and grow, individually and collectively?",
    "community": 'Who is the "we", and what is the quality of our relationships?',
})

#: The Habits of a Systems Thinker (Waters Center for Systems Thinking), in their order;
#: habit n is ``HABITS[n - 1]``.
HABITS = (
    "seeks to understand the big picture",
    "observes how elements change over time, generating patterns and trends",
    "recognizes that a system's structure generates its behaviour",
    "identifies the circular nature of complex cause and effect",
    "makes meaningful connections within and between systems",
    "changes perspectives to increase understanding",
    "surfaces and tests assumptions",
    "considers an issue fully and resists a quick conclusion",
    "considers how mental models affect current reality and the future",
    "uses understanding of structure to identify leverage actions",
    "considers short-term, long-term and unintended consequences",
    "pays attention to accumulations and their rates of change",
    "recognizes the impact of time delays",
    "checks results and changes actions if needed (successive approximation)",
)

#: The thinking tools and practices of the year, by their canonical names.
TOOLS = (
    "check-in",
    "noticing",
    "creative tension",
    "ladder of inference",
    "reflective conversation",
    "four levels of listening",
    "four player model",
    "connection circle",
    "causal loop diagram",
    "behaviour-over-time graph",
    "iceberg",
    "stock and flow",
    "simulation",
    "archetypes",
    "leverage points",
    "shared vision",
    "mandala",
)

#: Each detectable tool and the patterns in a notebook's code that show it in use.
TOOL_SIGNS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "connection circle": (r"\bConnectionCircle\b", r"\bcircles\."),
    "causal loop diagram": (r"\bCausalLoopDiagram\b", r"\.loops\(", r"\.to_cld\(",
                            r"\bcld_editor\b"),
    "behaviour-over-time graph": (r"\bbehaviour\.", r"\bclassify\(", r"\.add_behaviour\(",
                                  r"\bbotg\b", r"\bBehaviourOverTimeGraph\b", r"\.plot\("),
    "iceberg": (r"\bIceberg\b", r"\biceberg\."),
    "ladder of inference": (r"\bLadderOfInference\b", r"\bladder\."),
    "creative tension": (r"\bCreativeTension\b", r"\btension\."),
    "stock and flow": (r"\bStockFlowModel\b", r"\blibrary\.load\(", r"\bload_model\(",
                       r"\.stock\(", r"\bfrom_xmile\("),
    "simulation": (r"\.run\(", r"\bsimulation_dashboard\b", r"\bslider", r"\.simulate\("),
    "archetypes": (r"\barchetypes\.",),
    "leverage points": (r"\bleverage",),
    "mandala": (r"\bexport_html\(", r"\bexport_markdown\(", r"\bdomain\s*="),
})

#: The tools a notebook's code can be seen to use (see :func:`tools_used_in`).
DETECTABLE_TOOLS = tuple(t for t in TOOLS if t in TOOL_SIGNS)


def habit(n: int) -> str:
    """The title of habit number `n` (1 to 14).

    Examples
    --------
    >>> habit(13)
    'recognizes the impact of time delays'
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(HABITS):
        raise UnknownNameError(str(n), [str(i) for i in range(1, 15)], kind="habit number",
                               where="csf.curriculum.habit()")
    return HABITS[n - 1]


@dataclass(frozen=True)
class Coverage:
    """Which sessions practise each habit and use each tool.

    Attributes
    ----------
    habits : mapping of str to tuple of int
        Every habit of :data:`HABITS` (in order) to the sessions that practise it.
    tools : mapping of str to tuple of int
        Every tool of :data:`TOOLS` (in order) to the sessions that use it.
    """

    habits: Mapping[str, tuple[int, ...]]
    tools: Mapping[str, tuple[int, ...]]

    @property
    def unpractised_habits(self) -> tuple[str, ...]:
        """Habits no session practises."""
        return tuple(h for h, where in self.habits.items() if not where)

    @property
    def unused_tools(self) -> tuple[str, ...]:
        """Tools no session uses."""
        return tuple(t for t, where in self.tools.items() if not where)

    def __repr__(self) -> str:
        return (f"<Coverage: {len(self.habits) - len(self.unpractised_habits)} of "
                f"{len(self.habits)} habits, {len(self.tools) - len(self.unused_tools)} of "
                f"{len(self.tools)} tools>")

    def _repr_html_(self) -> str:
        def rows(mapping: Mapping[str, tuple[int, ...]]) -> str:
            return "".join(
                f"<tr><td>{escape(name)}</td><td>{', '.join(map(str, where)) or '—'}</td></tr>"
                for name, where in mapping.items())

        return ("<table><tr><th>Habit of a systems thinker</th><th>sessions</th></tr>"
                f"{rows(self.habits)}</table>"
                "<table><tr><th>Tool</th><th>sessions</th></tr>"
                f"{rows(self.tools)}</table>")


def _code_cells(path: Path) -> list[str]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FormatError(f"cannot read the notebook {str(path)!r}: {err}; expected a Jupyter "
                          ".ipynb file (JSON with a 'cells' list)") from None
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def tools_used_in(notebook_path: str | Path) -> tuple[str, ...]:
    """The tools whose csframework helpers a notebook's code cells use.

    Only code counts (markdown may talk about a tool without using it), and
    whole-line comments are ignored. Tools come back in :data:`TOOLS` order,
    among :data:`DETECTABLE_TOOLS`.

    Raises
    ------
    FormatError
        When the file is missing or is not a notebook.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> nb = {"cells": [{"cell_type": "code", "source": [
    ...     "berg = csf.Iceberg('Late homework')\\n",
    ...     "model = csf.library.load('thermostat')\\n", "res = model.run()"]}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.ipynb"
    >>> _ = path.write_text(json.dumps(nb))
    >>> tools_used_in(path)
    ('iceberg', 'stock and flow', 'simulation')
    """
    code = "\n".join(
        line for source in _code_cells(Path(notebook_path)) for line in source.splitlines()
        if not line.lstrip().startswith("#"))
    return tuple(tool for tool in DETECTABLE_TOOLS
                 if any(re.search(sign, code) for sign in TOOL_SIGNS[tool]))

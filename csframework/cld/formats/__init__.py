"""Exchange formats for causal loop diagrams: JSON, Kumu, Loopy, Graphviz DOT, Mermaid.

The csframework JSON format carries a schema version and round-trips exactly:
variables and links keep their order, facets, notes, delays, positions and
the story names given to loops. Kumu blueprints (``{"elements": [...],
"connections": [...], "loops": [...]}``) import into Kumu, with the polarity
as the connection type, delays as a tag, loops with their story names and
positions as ``x``/``y``; Kumu's own project export reads back with
:func:`from_kumu`. :func:`to_loopy` gives a link that opens the diagram in
Nicky Case's Loopy, where it can be played.

Every reader treats its input as untrusted: it must be a JSON object nested at
most :data:`MAX_DEPTH` levels deep, every field has the type the format says
(``"delay": "false"`` is refused, never read as true), and a mistake is a
:class:`~csframework.errors.FormatError` that says where it is.

One module per format: :mod:`~csframework.cld.formats.native` (csframework
JSON), :mod:`~csframework.cld.formats.kumu`, :mod:`~csframework.cld.formats.loopy`,
:mod:`~csframework.cld.formats.dot` and :mod:`~csframework.cld.formats.mermaid`;
:mod:`~csframework.cld.formats.reading` holds the checks for untrusted input.
Writers take a diagram; readers also take the class to build (``cls``), so
that nothing here imports :mod:`csframework.cld.diagram`.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> cld = CausalLoopDiagram.from_text("effort -> results : + delay\\nresults -> effort : -")
>>> CausalLoopDiagram.from_json(cld.to_json()) == cld
True
>>> print(cld.to_mermaid())
flowchart LR
    n0["effort"]
    n1["results"]
    n0 -->|"#43; ‖"| n1
    n1 -->|"−"| n0
"""

from csframework.cld.formats.dot import to_dot
from csframework.cld.formats.kumu import KUMU_SCALE, from_kumu, read_kumu_data, to_kumu
from csframework.cld.formats.loopy import LOOPY_URL, loopy_data, to_loopy
from csframework.cld.formats.mermaid import to_mermaid
from csframework.cld.formats.native import (
    SCHEMA,
    SCHEMA_VERSION,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from csframework.cld.formats.reading import MAX_DEPTH

__all__ = ["KUMU_SCALE", "LOOPY_URL", "MAX_DEPTH", "SCHEMA", "SCHEMA_VERSION", "from_dict",
           "from_json", "from_kumu", "loopy_data", "read_kumu_data", "to_dict", "to_dot",
           "to_json", "to_kumu", "to_loopy", "to_mermaid"]

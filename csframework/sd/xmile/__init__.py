"""XMILE read and write.

`read` turns an XMILE 1.0 file (or its text) into a model of the class it is
given (`StockFlowModel.from_xmile` and `csframework.sd.loading.read_xmile`
give `StockFlowModel`); `to_xmile` and `write` write a model back as XMILE
1.0 text that the reader and PySD both read.

Reading is hardened: the XML is parsed with :mod:`defusedxml`, so a document
type declaration, an entity or an external reference is refused with a
`FormatError` and never expanded. XMILE equations are tokenised and parsed
here into a syntax tree and written out in the model's own equation language
(a safe subset of Python expressions); nothing is ever evaluated. Reading is
also bounded: a file beyond one of the limits below is refused with a
`FormatError` naming the limit, so the time and memory a file can take are
linear in its size, which is itself limited.

=====================  ===========  ==========================================
limit                  value        what
=====================  ===========  ==========================================
`MAX_FILE_BYTES`       32 MiB       size of the file
`MAX_ELEMENTS`         500,000      XML elements
`MAX_XML_DEPTH`        100          nesting of XML elements
`MAX_VARIABLES`        50,000       variables, each array element counted
`MAX_DIMENSION_SIZE`   10,000       elements of one dimension
`MAX_GRAPH_POINTS`     10,000       points of one graphical function
`MAX_EQUATION_LENGTH`  20,000       characters of one equation
`MAX_NESTING`          100          brackets, signs, functions, IFs
`MAX_DIGITS`           100          digits of one number
`MAX_TRANSLATED_SIZE`  20,000       terms of a translated equation
`MAX_REPAIRS`          100          elements left unclosed and repaired
=====================  ===========  ==========================================

The limits live in `csframework.sd.xmile.limits`, where the reader looks them up
when it runs (a test sets one there to try a smaller file); the names here are
copies for reading.

The root must be ``<xmile>`` in the XMILE 1.0 namespace (or its draft's, or
none); names are compared as they look (`clean_name`); a file whose model has
no variables, such as one in the layout of the drafts before 1.0, is refused.

XMILE names are case-insensitive, and spaces and underscores in them are the
same character. Every XMILE name becomes a Python identifier (lower case,
words joined by underscores); the original name is kept as the variable's
label, so results can be reported under the names the file used
(see `xmile_names`).

Beyond the plain XMILE subset, the reader flattens one-dimensional arrays into
one variable per element (``name[element]``), gives each further stock that an
XMILE flow fills or drains its own copy of the flow (a model flow serves one
stock at each end), reads a flow that fills no stock as an auxiliary, and by
default keeps non-negative stocks at zero the way the SDXorg canonical outputs
and PySD do (see `read`). Modules, macros, multi-dimensional arrays and
functions outside the list in `translate_equation` raise `FormatError`.

The parts, in the order a file goes through them: `limits`, `names`,
`repair` and `safexml` (hardened XML), `tokenizer`, `parser` and `translator`
(equations), `variables` (XML elements into variable records), `reader`
(records into a model), `nonnegative` and `views` (shared by reading and
writing), `writer`. None of them imports `csframework.sd.model` when it runs.

Examples
--------
>>> from csframework.sd.model import StockFlowModel
>>> model = read('''<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
...   <header><name>Teacup</name></header>
...   <sim_specs time_units="Minutes"><start>0</start><stop>30</stop><dt>0.125</dt></sim_specs>
...   <model><variables>
...     <stock name="Teacup Temperature"><eqn>180</eqn><outflow>Heat Loss</outflow></stock>
...     <flow name="Heat Loss"><eqn>("Teacup Temperature" - Room_Temperature) / 10</eqn></flow>
...     <aux name="Room Temperature"><eqn>70</eqn></aux>
...   </variables></model>
... </xmile>''', StockFlowModel)
>>> model.flows["heat_loss"].equation
'(teacup_temperature - room_temperature) / 10'
>>> xmile_names(model)["teacup_temperature"]
'Teacup Temperature'
>>> translate_equation('IF Time > 5 THEN x^2 ELSE SMTH1(y, 3)', {"x": "x", "y": "y"})
'x ** 2 if time > 5 else smooth(y, 3)'
>>> python_identifier("Teacup Temperature")
'teacup_temperature'
"""

from __future__ import annotations

from csframework.sd.xmile import limits as limits
from csframework.sd.xmile.limits import (
    MAX_DIGITS,
    MAX_DIMENSION_SIZE,
    MAX_ELEMENTS,
    MAX_EQUATION_LENGTH,
    MAX_FILE_BYTES,
    MAX_GRAPH_POINTS,
    MAX_NESTING,
    MAX_REPAIRS,
    MAX_TRANSLATED_SIZE,
    MAX_VARIABLES,
    MAX_XML_DEPTH,
)
from csframework.sd.xmile.names import (
    RESERVED_NAMES,
    clean_name,
    model_elements,
    name_key,
    python_identifier,
    xmile_name,
    xmile_names,
    xmile_number,
)
from csframework.sd.xmile.parser import Bin, Call, IfElse, Num, Ref, Unary, parse_equation
from csframework.sd.xmile.reader import read, read_sim_specs
from csframework.sd.xmile.repair import close_unclosed
from csframework.sd.xmile.safexml import (
    DRAFT_NAMESPACE,
    XMILE_NAMESPACE,
    XmileWarning,
    check_model_file,
    parse_xml,
)
from csframework.sd.xmile.translator import translate_equation
from csframework.sd.xmile.variables import SimSpecs, check_layout
from csframework.sd.xmile.views import STOCK_ROOM, VIEW_SCALE, VIEWS_NAMESPACE
from csframework.sd.xmile.writer import to_xmile, write

__all__ = [
    "DRAFT_NAMESPACE",
    "MAX_DIGITS",
    "MAX_DIMENSION_SIZE",
    "MAX_ELEMENTS",
    "MAX_EQUATION_LENGTH",
    "MAX_FILE_BYTES",
    "MAX_GRAPH_POINTS",
    "MAX_NESTING",
    "MAX_REPAIRS",
    "MAX_TRANSLATED_SIZE",
    "MAX_VARIABLES",
    "MAX_XML_DEPTH",
    "RESERVED_NAMES",
    "STOCK_ROOM",
    "VIEWS_NAMESPACE",
    "VIEW_SCALE",
    "XMILE_NAMESPACE",
    "Bin",
    "Call",
    "IfElse",
    "Num",
    "Ref",
    "SimSpecs",
    "Unary",
    "XmileWarning",
    "check_layout",
    "check_model_file",
    "clean_name",
    "close_unclosed",
    "model_elements",
    "name_key",
    "parse_equation",
    "parse_xml",
    "python_identifier",
    "read",
    "read_sim_specs",
    "to_xmile",
    "translate_equation",
    "write",
    "xmile_name",
    "xmile_names",
    "xmile_number",
]

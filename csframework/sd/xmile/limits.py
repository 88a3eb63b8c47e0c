"""The limits of the XMILE reader: a file beyond one of them is refused.

Each limit ends reading with a `FormatError` that names it, so the time and
memory a file can take stay linear in its size, which is itself limited.
The reader's parts look the limits up here when they run, and setting one on
`csframework.sd.xmile` sets it here (see the package's description), so a
test can lower a limit for one file.
"""

from __future__ import annotations

from csframework.sd import expressions

__all__ = [
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
]

#: Largest file read, in bytes (32 MiB; World3 as XMILE is about 0.3 MiB).
MAX_FILE_BYTES = 32 * 2**20

#: Most XML elements in one file.
MAX_ELEMENTS = 500_000

#: Deepest nesting of XML elements (XMILE itself nests about 8 deep).
MAX_XML_DEPTH = 100

#: Most model variables, counting each element of an array.
MAX_VARIABLES = 50_000

#: Most elements of one dimension (``<dim size="...">``).
MAX_DIMENSION_SIZE = 10_000

#: Most points of one graphical function.
MAX_GRAPH_POINTS = 10_000

#: Most elements left unclosed that the reader repairs (see `csframework.sd.xmile.repair`).
MAX_REPAIRS = 100

#: Largest translated equation, in syntax-tree nodes (XMILE's INT and MOD expand
#: into several copies of their argument, so nesting them multiplies).
MAX_TRANSLATED_SIZE = 20_000

#: Longest equation (characters), deepest nesting and most digits of a number:
#: the limits of the equation language (`csframework.sd.expressions`).
MAX_EQUATION_LENGTH = expressions.MAX_EQUATION_LENGTH
MAX_NESTING = expressions.MAX_NESTING
MAX_DIGITS = expressions.MAX_DIGITS

#: Longest <eqn> text: an array's list of values may be longer than one equation.
MAX_EQN_TEXT = 10 * expressions.MAX_EQUATION_LENGTH

#: Longest XMILE equation text written.
MAX_WRITTEN = 10 * MAX_EQUATION_LENGTH

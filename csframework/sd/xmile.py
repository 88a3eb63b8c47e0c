"""XMILE read and write.

`read_xmile` turns an XMILE 1.0 file (or its text) into a `StockFlowModel`;
`to_xmile` writes a model back as XMILE 1.0 text that `read_xmile` and PySD
both read.

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
and PySD do (see `read_xmile`). Modules, macros, multi-dimensional arrays and
functions outside the list in `translate_equation` raise `FormatError`.

Examples
--------
>>> model = read_xmile('''<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
...   <header><name>Teacup</name></header>
...   <sim_specs time_units="Minutes"><start>0</start><stop>30</stop><dt>0.125</dt></sim_specs>
...   <model><variables>
...     <stock name="Teacup Temperature"><eqn>180</eqn><outflow>Heat Loss</outflow></stock>
...     <flow name="Heat Loss"><eqn>("Teacup Temperature" - Room_Temperature) / 10</eqn></flow>
...     <aux name="Room Temperature"><eqn>70</eqn></aux>
...   </variables></model>
... </xmile>''')
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

import ast
import dataclasses
import keyword
import math
import re
import unicodedata
import xml.sax
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import (
    Element,
    SubElement,
    TreeBuilder,
    indent,
    register_namespace,
    tostring,
)
from xml.sax.handler import ContentHandler

from csframework.errors import (
    EquationError,
    FormatError,
    ModelError,
    UnknownNameError,
    close_matches,
)
from csframework.sd import expressions as _expressions
from csframework.sd.expressions import RESERVED_NAMES as _LANGUAGE_NAMES

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
    "XMILE_NAMESPACE",
    "SimSpecs",
    "XmileWarning",
    "check_model_file",
    "clean_name",
    "name_key",
    "python_identifier",
    "read",
    "read_sim_specs",
    "read_xmile",
    "to_xmile",
    "translate_equation",
    "write",
    "xmile_names",
]

XMILE_NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
#: The namespace of csframework's own attributes in ``<views>`` (the origin of the positions).
VIEWS_NAMESPACE = "urn:csframework:xmile-views"
register_namespace("csf", VIEWS_NAMESPACE)
#: Pixels of an XMILE view per diagram unit (the em of `csframework.sd.diagram`).
VIEW_SCALE = 10.0
#: Room kept between the drawing's edge and the nearest element, in diagram units.
_VIEW_MARGIN = 5.0

#: The namespace of the XMILE drafts before 1.0 (Stella 10 and several SDXorg test
#: models use it); read like `XMILE_NAMESPACE`.
DRAFT_NAMESPACE = "http://www.systemdynamics.org/XMILE"

# Limits: a file beyond any of them is refused with a FormatError naming the limit,
# so reading stays linear in the file's size and bounded in time and memory.

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

#: Most elements left unclosed that the reader repairs (see `read_xmile`).
MAX_REPAIRS = 100

#: Largest translated equation, in syntax-tree nodes (XMILE's INT and MOD expand
#: into several copies of their argument, so nesting them multiplies).
MAX_TRANSLATED_SIZE = 20_000

#: Longest <eqn> text: an array's list of values may be longer than one equation.
_MAX_EQN_TEXT = 10 * _expressions.MAX_EQUATION_LENGTH

#: Longest equation (characters), deepest nesting and most digits of a number:
#: the limits of the equation language (`csframework.sd.expressions`).
MAX_EQUATION_LENGTH = _expressions.MAX_EQUATION_LENGTH
MAX_NESTING = _expressions.MAX_NESTING
MAX_DIGITS = _expressions.MAX_DIGITS

#: Names the model's equation language keeps for itself; a variable never gets one.
RESERVED_NAMES = frozenset({
    "time", "dt", "pi", "e", "inf", "nan", "true", "false",
    "min", "max", "abs", "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos",
    "atan", "floor", "int", "modulo", "step", "pulse", "ramp", "smooth", "smooth3", "delay1",
    "delay3", "delay_fixed", "init", "safediv", "lookup", "if_then_else", "round", "sum",
})

_LINE = "{urn:csframework}line"  # where an element started, kept in its attributes
_NAMESPACE = "{urn:csframework}namespace"  # the root element's namespace


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------

#: Characters that show nothing: a byte order mark and the zero-width characters.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_INVISIBLE_TABLE = dict.fromkeys(map(ord, _INVISIBLE))


def clean_name(name: str) -> str:
    """A name as it looks: without invisible characters, in Unicode NFC.

    Removes a byte order mark and zero-width characters (U+200B-U+200D,
    U+2060) and composes accents (NFC), so two names that look the same are the
    same name. Used for every name read from an XMILE file.

    Examples
    --------
    >>> clean_name("\ufeffCafe\u0301\u200b") == "Café"
    True
    """
    return unicodedata.normalize("NFC", str(name).translate(_INVISIBLE_TABLE))


def name_key(name: str) -> str:
    r"""Return the form under which two XMILE names are the same name.

    Case is ignored; underscores, spaces, newlines (also written ``\n``) and
    runs of them are all one space; invisible characters are dropped and
    accents composed (see `clean_name`).

    Examples
    --------
    >>> name_key("Teacup_Temperature") == name_key("teacup  temperature")
    True
    >>> name_key("Stock with \\n Newline")
    'stock with newline'
    >>> name_key("\u200bCafe\u0301") == name_key("café")
    True
    """
    text = clean_name(name).replace("\\n", " ").replace("_", " ")
    return " ".join(text.split()).lower()


def python_identifier(name: str, taken: Container[str] | Iterable[str] = ()) -> str:
    """Map an XMILE name to a valid Python identifier, deterministically.

    Lower case, runs of other characters become one underscore, a leading
    digit gets a ``v_`` prefix, a Python keyword or a name of the equation
    language gets a trailing underscore, and a clash with an identifier in
    `taken` a numeric suffix.

    Examples
    --------
    >>> python_identifier("Flow*with a few^arithmetic + characters")
    'flow_with_a_few_arithmetic_characters'
    >>> python_identifier("import"), python_identifier("Time"), python_identifier("2nd try")
    ('import_', 'time_', 'v_2nd_try')
    >>> python_identifier("stock a", taken={"stock_a"})
    'stock_a_2'
    """
    text = unicodedata.normalize("NFKD", name_key(name))
    text = text.encode("ascii", "ignore").decode("ascii")
    ident = re.sub(r"[^0-9a-z]+", "_", text).strip("_") or "var"
    if ident[0].isdigit():
        ident = "v_" + ident
    if keyword.iskeyword(ident) or ident in RESERVED_NAMES or ident in _LANGUAGE_NAMES:
        ident += "_"
    if not isinstance(taken, Container):
        taken = set(taken)
    candidate, n = ident, 1
    while candidate in taken:
        n += 1
        candidate = f"{ident}_{n}"
    return candidate


# ---------------------------------------------------------------------------
# hardened XML
# ---------------------------------------------------------------------------

def _local(tag: str) -> str:
    """``isee:prefs`` -> ``prefs``: XMILE files often use undeclared prefixes."""
    return tag.rsplit(":", 1)[-1]


class _TreeHandler(ContentHandler):
    """SAX events -> an ElementTree with local tag names and source lines.

    Counts elements and nesting as they arrive, so an oversized document stops
    at the limit instead of being built first. The root element's namespace is
    kept in its attributes under `_NAMESPACE`.
    """

    def __init__(self, where: str) -> None:
        super().__init__()
        self.builder = TreeBuilder()
        self._locator: Any = None
        self.where = where
        self.count = 0
        self.depth = 0

    def setDocumentLocator(self, locator: Any) -> None:
        self._locator = locator

    def _line(self) -> str:
        return str(self._locator.getLineNumber()) if self._locator is not None else "?"

    def startElement(self, name: str, attrs: Any) -> None:
        self.count += 1
        self.depth += 1
        if self.count > MAX_ELEMENTS:
            raise _Limit(f"{self.where} has more than {MAX_ELEMENTS:,} XML elements "
                         f"(line {self._line()}); that is the limit MAX_ELEMENTS")
        if self.depth > MAX_XML_DEPTH:
            raise _Limit(f"{self.where} nests XML elements more than {MAX_XML_DEPTH} deep "
                         f"(line {self._line()}); that is the limit MAX_XML_DEPTH")
        attrib = {_local(k): v for k, v in attrs.items()
                  if k != "xmlns" and not k.startswith("xmlns:")}
        attrib[_LINE] = self._line()
        if self.count == 1:
            prefix = name.rsplit(":", 1)[0] if ":" in name else ""
            attrib[_NAMESPACE] = attrs.get(f"xmlns:{prefix}" if prefix else "xmlns", "")
        self.builder.start(_local(name), attrib)

    def endElement(self, name: str) -> None:
        self.depth -= 1
        self.builder.end(_local(name))

    def characters(self, content: str) -> None:
        self.builder.data(content)


class XmileWarning(UserWarning):
    """An XMILE file was read, but something in it had to be repaired or ignored."""


def _parse_xml(data: bytes, where: str) -> Element:
    """Parse XML bytes without DTDs, entities or external references.

    A file whose only fault is an element left unclosed (a real case in the
    SDXorg suite) is read as if the element closed where its parent closes, as
    lxml's recovering parser (and so PySD) reads it, with an `XmileWarning`
    (at most `MAX_REPAIRS` of them). The repaired text is parsed again with the
    same hardened parser. The sizes are bounded by `MAX_FILE_BYTES`,
    `MAX_ELEMENTS` and `MAX_XML_DEPTH`, and the root element must be
    ``<xmile>`` in the XMILE namespace (or its draft's, or none).
    """
    import warnings

    if len(data) > MAX_FILE_BYTES:
        raise FormatError(f"{where} has {len(data):,} bytes, more than the {MAX_FILE_BYTES:,} "
                          "read (the limit MAX_FILE_BYTES)")
    try:
        root = _parse_strict(data, where)
    except _Mismatch as exc:
        repaired, notes = _close_unclosed(data, where)
        if not notes:
            raise exc.error from None
        try:
            root = _parse_strict(repaired, where)
        except _Mismatch:
            raise exc.error from None
        for note in notes:
            warnings.warn(f"{where}: {note}", XmileWarning, stacklevel=4)
    _check_namespace(root, where)
    return root


def _check_namespace(root: Element, where: str) -> None:
    """Refuse an XML document that is not XMILE by its root element or namespace."""
    namespace = root.attrib.pop(_NAMESPACE, "").strip()
    if root.tag != "xmile":
        raise FormatError(f"{where}: the root element is <{root.tag}>, expected <xmile>")
    if namespace not in ("", XMILE_NAMESPACE, DRAFT_NAMESPACE):
        raise FormatError(f"{where}: <xmile> is in the namespace {namespace!r}, which is not "
                          f"XMILE's; expected xmlns=\"{XMILE_NAMESPACE}\"")


class _Mismatch(Exception):
    def __init__(self, error: FormatError):
        super().__init__(str(error))
        self.error = error


class _Limit(Exception):
    """Raised inside the SAX handler to stop at a limit; becomes a FormatError."""


def _parse_strict(data: bytes, where: str) -> Element:
    import defusedxml
    import defusedxml.sax

    handler = _TreeHandler(where)
    try:
        defusedxml.sax.parseString(data, handler, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except _Limit as exc:
        raise FormatError(str(exc)) from None
    except defusedxml.DefusedXmlException as exc:
        raise FormatError(
            f"{where} is refused: it declares a DTD, an entity or an external reference "
            f"({type(exc).__name__}); XMILE needs none, and they are never expanded"
        ) from exc
    except xml.sax.SAXParseException as exc:
        error = FormatError(
            f"{where} is not well-formed XML: {exc.getMessage()} at line "
            f"{exc.getLineNumber()}, column {exc.getColumnNumber()}"
        )
        if exc.getMessage() == "mismatched tag":
            raise _Mismatch(error) from exc
        raise error from exc
    return handler.builder.close()


_TAG_RE = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!].*?>"
    rb"|<(/?)([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>",
    re.DOTALL,
)


def _close_unclosed(data: bytes, where: str = "XMILE text") -> tuple[bytes, list[str]]:
    """Insert the end tags of elements left open before their parent's end tag.

    One pass over the tags (lines are counted as it goes), so the work is
    linear in the size of `data`; more than `MAX_REPAIRS` repairs are refused.
    """
    stack: list[tuple[bytes, int]] = []
    open_count: dict[bytes, int] = {}
    pieces: list[bytes] = []
    notes: list[str] = []
    copied = 0                      # data[:copied] is in pieces
    line, counted = 1, 0            # line number at byte `counted`
    for m in _TAG_RE.finditer(data):
        if m.group(2) is None or m.group(3):
            continue
        tag, closing = m.group(2), m.group(1) == b"/"
        line += data.count(b"\n", counted, m.start())
        counted = m.start()
        if not closing:
            stack.append((tag, line))
            open_count[tag] = open_count.get(tag, 0) + 1
            continue
        if stack and stack[-1][0] == tag:
            stack.pop()
            open_count[tag] -= 1
            continue
        if not open_count.get(tag):
            return data, []
        closers = []
        while stack[-1][0] != tag:
            open_tag, open_line = stack.pop()
            open_count[open_tag] -= 1
            closers.append(b"</" + open_tag + b">")
            notes.append(f"<{open_tag.decode(errors='replace')}> opened on line {open_line} "
                         f"is never closed; read as closed at line {line}")
            if len(notes) > MAX_REPAIRS:
                raise FormatError(f"{where} is not well-formed XML: more than {MAX_REPAIRS} "
                                  "elements are never closed (the limit MAX_REPAIRS); the "
                                  "file is damaged")
        pieces += [data[copied:m.start()], *closers]
        copied = m.start()
        stack.pop()
        open_count[tag] -= 1
    pieces.append(data[copied:])
    return b"".join(pieces), notes


def _load_source(path_or_text: str | Path | bytes) -> tuple[bytes, str, str | None]:
    """Return (bytes, description for messages, file stem or None)."""
    if isinstance(path_or_text, bytes):
        return path_or_text, "XMILE text", None
    if isinstance(path_or_text, str) and path_or_text.lstrip(_INVISIBLE + " \t\r\n") \
            .startswith("<"):
        return path_or_text.lstrip(_INVISIBLE).encode("utf-8"), "XMILE text", None
    if not isinstance(path_or_text, str | Path):
        raise FormatError(f"expected the path of an XMILE file or its text, not "
                          f"{type(path_or_text).__name__} {path_or_text!r:.60}")
    path = check_model_file(path_or_text, (".xmile", ".stmx", ".xml"), "XMILE file")
    return path.read_bytes(), f"XMILE file {path.name!r}", path.stem


def check_model_file(path: str | Path, suffixes: Iterable[str] = (),
                     what: str = "model file") -> Path:
    """Check that `path` is a readable model file of a sensible size, before reading it.

    Raises `FileNotFoundError` for a path that does not exist, and `FormatError`
    for a folder (naming the model files in it), a device or other special file,
    or a file larger than `MAX_FILE_BYTES`. `suffixes` are only used to suggest
    files in a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "teacup.xmile").write_text("<xmile/>")
    >>> check_model_file(folder, [".xmile"])
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: ... is a folder, not a model file; ... 'teacup.xmile'
    """
    import stat

    path = Path(path).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist") from None
    except OSError as exc:
        raise FormatError(f"{what} {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        suffixes = tuple(s.lower() for s in suffixes) or (".xmile", ".stmx", ".xml", ".mdl")
        try:
            inside = sorted(p.name for p in path.iterdir()
                            if p.suffix.lower() in suffixes and p.is_file())
        except OSError:
            inside = []
        hint = ("; model files in it: " + ", ".join(repr(n) for n in inside[:5])
                + (", ..." if len(inside) > 5 else "")) if inside else (
            f"; expected a file ending in {', '.join(suffixes)}")
        raise FormatError(f"{what} {str(path)!r} is a folder, not a model file{hint}")
    if not stat.S_ISREG(info.st_mode):
        raise FormatError(f"{what} {str(path)!r} is not a regular file (a device, pipe or "
                          "socket); model files are read only from regular files")
    if info.st_size > MAX_FILE_BYTES:
        raise FormatError(f"{what} {str(path)!r} has {info.st_size:,} bytes, more than the "
                          f"{MAX_FILE_BYTES:,} read (the limit MAX_FILE_BYTES)")
    return path


# ---------------------------------------------------------------------------
# XMILE expressions: tokens -> syntax tree
# ---------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"""
    (?P<space>\s+|\{[^}]*\})
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<qname>"(?:[^"\\]|\\.)*")
  | (?P<name>[^\W\d][\w$]*(?:\s*\.\s*[^\W\d][\w$]*)*)
  | (?P<op><=|>=|<>|[-+*/^<>=(),\[\]])
""", re.VERBOSE)

_KEYWORDS = {"if", "then", "else", "and", "or", "not", "mod"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # num | name | op | kw | end
    text: str
    pos: int


def _tokenize(text: str, where: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise FormatError(f"{where}: cannot read {text[pos:pos + 12]!r} at character "
                              f"{pos + 1} of the equation {text.strip()!r}")
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "qname":
            tokens.append(_Tok("name", re.sub(r"\\(.)", _unescape, value[1:-1]), pos))
        elif kind == "name" and value.lower() in _KEYWORDS:
            tokens.append(_Tok("kw", value.lower(), pos))
        elif kind == "name" and "." in value:
            raise FormatError(f"{where}: {value!r} refers into a module; XMILE modules are "
                              "not supported (read the file with csframework.load_model)")
        elif kind != "space":
            tokens.append(_Tok(kind, value, pos))
        pos = m.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


def _unquote(name: str) -> str:
    """``"Heat Loss"`` -> ``Heat Loss``: inflow and outflow names may be quoted."""
    name = clean_name(name).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return re.sub(r"\\(.)", _unescape, name[1:-1])
    return name


def _unescape(m: re.Match[str]) -> str:
    return "\\n" if m.group(1) == "n" else m.group(1)


@dataclass(frozen=True)
class Num:
    value: float | int


@dataclass(frozen=True)
class Ref:
    name: str                      # as written (quotes removed)
    subscripts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Unary:
    op: str                        # "-", "+", "not"
    operand: Any


@dataclass(frozen=True)
class Bin:
    op: str                        # + - * / ^ mod < <= > >= = <> and or
    left: Any
    right: Any


@dataclass(frozen=True)
class IfElse:
    cond: Any
    then: Any
    other: Any


class _Parser:
    """Recursive descent over XMILE's operator precedence (lowest first):

    IF-THEN-ELSE, OR, AND, = <>, < <= > >=, + -, * / MOD, unary - + NOT,
    ^ (right-associative; its exponent may carry a sign: ``2^-1``).
    """

    def __init__(self, text: str, where: str):
        text = clean_name(text)
        if len(text) > MAX_EQUATION_LENGTH:
            raise FormatError(f"{where}: the equation has {len(text):,} characters, more than "
                              f"{MAX_EQUATION_LENGTH:,} (the limit MAX_EQUATION_LENGTH)")
        self.text = text
        self.where = where
        self.tokens = _tokenize(text, where)
        self.i = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormatError(f"{self.where}: the equation nests brackets, signs, functions "
                              f"or IFs more than {MAX_NESTING} deep (the limit MAX_NESTING): "
                              f"{_short(self.text)!r}")

    # helpers
    def peek(self) -> _Tok:
        return self.tokens[self.i]

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not texts or tok.text in texts)

    def expect(self, kind: str, text: str) -> None:
        if not self.at(kind, text):
            self.fail(f"expected {text.upper() if kind == 'kw' else text!r}")
        self.take()

    def fail(self, what: str) -> None:
        tok = self.peek()
        found = "the end" if tok.kind == "end" else repr(tok.text)
        raise FormatError(f"{self.where}: {what} but found {found} at character {tok.pos + 1} "
                          f"of the equation {self.text.strip()!r}")

    # grammar
    def parse(self) -> Any:
        if self.at("end"):
            self.fail("expected an equation")
        node = self.expr()
        if not self.at("end"):
            self.fail("expected an operator or the end of the equation")
        return node

    def expr(self) -> Any:
        self.deeper()
        if self.at("kw", "if"):
            self.take()
            cond = self.expr()
            self.expect("kw", "then")
            then = self.expr()
            self.expect("kw", "else")
            node = IfElse(cond, then, self.expr())
        else:
            node = self.binary(1)
        self.depth -= 1
        return node

    _PRECEDENCE: ClassVar[dict[str, int]] = {
        "or": 1, "and": 2, "=": 3, "<>": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
        "+": 5, "-": 5, "*": 6, "/": 6, "mod": 6,
    }

    def precedence(self) -> int | None:
        tok = self.peek()
        return self._PRECEDENCE.get(tok.text) if tok.kind in ("op", "kw") else None

    def binary(self, least: int) -> Any:
        """Operators of precedence `least` and above (precedence climbing, left-associative).

        A run of operators of one precedence is kept together, so a long sum
        can be regrouped into a balanced tree (`_fold`).
        """
        node = self.unary()
        while True:
            prec = self.precedence()
            if prec is None or prec < least:
                return node
            run: list[tuple[str, Any]] = []
            while self.precedence() == prec:
                op = self.take().text
                run.append((op, self.binary(prec + 1)))
            node = _fold(node, run)

    def unary(self) -> Any:
        if self.at("op", "-", "+") or self.at("kw", "not"):
            op = self.take().text
            self.deeper()
            node = Unary(op, self.unary())
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Any:
        base = self.primary()
        if self.at("op", "^"):
            self.take()
            self.deeper()
            node = Bin("^", base, self.unary())
            self.depth -= 1
            return node
        return base

    def primary(self) -> Any:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            text = tok.text
            digits = sum(ch.isdigit() for ch in text.split("e")[0].split("E")[0])
            if digits > MAX_DIGITS:
                raise FormatError(f"{self.where}: the number {text[:12]}... has {digits} digits, "
                                  f"more than {MAX_DIGITS} (the limit MAX_DIGITS)")
            value = int(text) if text.isdigit() else float(text)
            if not math.isfinite(value):
                raise FormatError(f"{self.where}: the number {text!r} is beyond the range of "
                                  "floating-point numbers")
            return Num(value)
        if self.at("op", "("):
            self.take()
            node = self.expr()
            self.expect("op", ")")
            return node
        if self.at("kw", "if"):
            return self.expr()
        if self.at("kw", "mod") and self.tokens[self.i + 1].text == "(":
            self.take()
            return Call("MOD", self.arguments())
        if tok.kind == "name":
            self.take()
            if self.at("op", "("):
                return Call(tok.text, self.arguments())
            if self.at("op", "["):
                return Ref(tok.text, self.subscripts())
            return Ref(tok.text)
        self.fail("expected a number, a name or '('")
        raise AssertionError  # pragma: no cover

    def arguments(self) -> tuple[Any, ...]:
        self.expect("op", "(")
        args: list[Any] = []
        if not self.at("op", ")"):
            args.append(self.expr())
            while self.at("op", ","):
                self.take()
                args.append(self.expr())
        self.expect("op", ")")
        return tuple(args)

    def subscripts(self) -> tuple[str, ...]:
        self.expect("op", "[")
        subs: list[str] = []
        while True:
            tok = self.take()
            if tok.kind in ("name", "num") or (tok.kind == "op" and tok.text == "*"):
                subs.append(tok.text)
            else:
                self.i -= 1
                self.fail("expected a subscript")
            if self.at("op", "]"):
                self.take()
                return tuple(subs)
            self.expect("op", ",")


def _fold(first: Any, run: list[tuple[str, Any]]) -> Any:
    """``first op1 x1 op2 x2 ...`` (one precedence) as a tree.

    Left-associative as written, unless the run is longer than
    `csframework.sd.expressions.CHAIN_LENGTH` and only adds and subtracts,
    multiplies and divides, or joins with AND or OR: then the terms are
    regrouped into a balanced tree (``(a + b + ...) - (c + ...)``), so that a
    sum of a thousand terms stays shallow.
    """
    ops = {op for op, _ in run}
    if len(run) > _expressions.CHAIN_LENGTH and ops <= {"+", "-"} | {"*", "/"} | {"and"} | {"or"} \
            and len({_OP_CLASS[op] for op in ops}) == 1:
        plus, minus = _OP_CLASS[next(iter(ops))]
        kept = [first] + [x for op, x in run if op == plus]
        taken = [x for op, x in run if op != plus]
        node = _balanced(kept, plus)
        return Bin(minus, node, _balanced(taken, plus)) if taken else node
    node = first
    for op, x in run:
        node = Bin(op, node, x)
    return node


_OP_CLASS = {"+": ("+", "-"), "-": ("+", "-"), "*": ("*", "/"), "/": ("*", "/"),
             "and": ("and", "and"), "or": ("or", "or")}


def _balanced(items: list[Any], op: str) -> Any:
    while len(items) > 1:
        pairs = [Bin(op, items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
        items = pairs + ([items[-1]] if len(items) % 2 else [])
    return items[0]


def _short(text: str, keep: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= keep + 20 else f"{text[:keep]}... ({len(text)} characters)"


def _depth(node: Any) -> int:
    """The depth of an XMILE syntax tree, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, Bin):
            stack += [(current.left, depth + 1), (current.right, depth + 1)]
        elif isinstance(current, Unary):
            stack.append((current.operand, depth + 1))
        elif isinstance(current, IfElse):
            stack += [(current.cond, depth + 1), (current.then, depth + 1),
                      (current.other, depth + 1)]
        elif isinstance(current, Call):
            stack += [(a, depth + 1) for a in current.args]
    return deepest


def parse_equation(text: str, where: str = "equation") -> Any:
    """Parse XMILE equation text into a syntax tree (`Num`, `Ref`, `Call`, ...).

    Equations longer than `MAX_EQUATION_LENGTH` characters, nested deeper than
    `MAX_NESTING` or with numbers of more than `MAX_DIGITS` digits raise
    `FormatError`; long sums and products are regrouped (see `_fold`).

    Examples
    --------
    >>> parse_equation("-2^2")
    Unary(op='-', operand=Bin(op='^', left=Num(value=2), right=Num(value=2)))
    >>> _depth(parse_equation("+".join(["1"] * 1000)))  # regrouped, not 999 deep
    11
    """
    parser = _Parser(text, where)
    try:
        tree = parser.parse()
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise FormatError(f"{where}: the equation is nested too deeply (the limit is "
                          f"MAX_NESTING, {MAX_NESTING}): {_short(parser.text)!r}") from None
    depth = _depth(tree)
    if depth > MAX_NESTING:
        raise FormatError(f"{where}: the equation is {depth} operators deep, more than "
                          f"{MAX_NESTING} (the limit MAX_NESTING): {_short(parser.text)!r}")
    return tree


# ---------------------------------------------------------------------------
# syntax tree -> the model's equation language
# ---------------------------------------------------------------------------

_SIMPLE_FUNCTIONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "abs": ("abs", (1,)), "arccos": ("acos", (1,)), "arcsin": ("asin", (1,)),
    "arctan": ("atan", (1,)), "cos": ("cos", (1,)), "sin": ("sin", (1,)), "tan": ("tan", (1,)),
    "exp": ("exp", (1,)), "ln": ("log", (1,)), "log10": ("log10", (1,)),
    "sqrt": ("sqrt", (1,)), "safediv": ("safediv", (2, 3)),
    "step": ("step", (2,)), "pulse": ("pulse", (2, 3)), "ramp": ("ramp", (2, 3)),
    "init": ("init", (1,)), "smth1": ("smooth", (2, 3)), "smth3": ("smooth3", (2, 3)),
    "delay1": ("delay1", (2, 3)), "delay3": ("delay3", (2, 3)),
    "delayn": ("delay_n", (3, 4)), "smthn": ("smooth_n", (3, 4)), "trend": ("trend", (2, 3)),
    "forcst": ("forecast", (3, 4)),
}
_BIN_OPS: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(),
                                     "/": ast.Div(), "^": ast.Pow()}
_CMP_OPS: dict[str, ast.cmpop] = {"<": ast.Lt(), "<=": ast.LtE(), ">": ast.Gt(),
                                  ">=": ast.GtE(), "=": ast.Eq(), "<>": ast.NotEq()}


def _call(func: str, args: Iterable[ast.expr]) -> ast.Call:
    return ast.Call(func=ast.Name(id=func, ctx=ast.Load()), args=list(args), keywords=[])


def _name(ident: str) -> ast.Name:
    return ast.Name(id=ident, ctx=ast.Load())


def _num(value: float) -> ast.expr:
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


class _Scope:
    """What names in one model mean: variables, lookups and arrays."""

    def __init__(self, variables: Mapping[str, str], lookups: Mapping[str, str] | None = None,
                 arrays: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
                 start: float = 0.0, stop: float = 100.0):
        self.variables = dict(variables)          # name key -> identifier
        self.lookups = dict(lookups or {})        # name key -> lookup identifier
        self.arrays = dict(arrays or {})          # name key -> (dim key, elem key -> ident)
        self.start = start
        self.stop = stop


class _Translator:
    def __init__(self, scope: _Scope, where: str, element: tuple[str, str] | None = None):
        self.scope = scope
        self.where = where
        self.element = element                    # (dim key, elem key) of an array element

    def fail(self, message: str) -> None:
        raise FormatError(f"{self.where}: {message}")

    def unknown(self, name: str) -> None:
        known = list(self.scope.variables) + list(self.scope.lookups) + list(self.scope.arrays)
        matches = close_matches(name_key(name), known)
        hint = f"; did you mean {matches[0]!r}?" if matches else ""
        self.fail(f"unknown name {name!r}{hint}")

    def node(self, n: Any) -> ast.expr:
        method: Callable[[Any], ast.expr] = getattr(self, "on_" + type(n).__name__.lower())
        return method(n)

    def on_num(self, n: Num) -> ast.expr:
        return ast.Constant(n.value)

    def on_unary(self, n: Unary) -> ast.expr:
        operand = self.node(n.operand)
        op: ast.unaryop = {"-": ast.USub(), "+": ast.UAdd(), "not": ast.Not()}[n.op]
        return ast.UnaryOp(op=op, operand=operand)

    def on_bin(self, n: Bin) -> ast.expr:
        if (n.op == "-" and isinstance(n.right, Bin) and n.right.op == "*"
                and isinstance(n.right.right, IfElse)
                and _floor_pattern(n.right.right) == Bin("/", n.left, n.right.left)):
            # how to_xmile writes the language's modulo(a, b)
            return _call("modulo", [self.node(n.left), self.node(n.right.left)])
        left, right = self.node(n.left), self.node(n.right)
        if n.op in _BIN_OPS:
            return ast.BinOp(left=left, op=_BIN_OPS[n.op], right=right)
        if n.op in _CMP_OPS:
            return ast.Compare(left=left, ops=[_CMP_OPS[n.op]], comparators=[right])
        if n.op == "mod":
            return _remainder(left, right)
        op = ast.And() if n.op == "and" else ast.Or()
        return ast.BoolOp(op=op, values=[left, right])

    def on_ifelse(self, n: IfElse) -> ast.expr:
        floor_of = _floor_pattern(n)
        if floor_of is not None:  # how to_xmile writes the language's int()/floor()
            return _call("int", [self.node(floor_of)])
        return ast.IfExp(test=self.node(n.cond), body=self.node(n.then),
                         orelse=self.node(n.other))

    # names ----------------------------------------------------------------
    def on_ref(self, n: Ref) -> ast.expr:
        key = name_key(n.name)
        if n.subscripts is None:
            if key in ("time", "dt"):
                return _name(key)
            if key == "pi":
                return _name("pi")
            if key in ("starttime", "stoptime"):
                return _num(self.scope.start if key == "starttime" else self.scope.stop)
            if key in self.scope.variables:
                return _name(self.scope.variables[key])
            if key in self.scope.arrays:
                return _name(self.array_element(n.name, key, None))
            if key in self.scope.lookups:
                self.fail(f"the graphical function {n.name!r} needs an input: "
                          f"write {n.name}(x) or LOOKUP({n.name}, x)")
            self.unknown(n.name)
        if key not in self.scope.arrays:
            if key in self.scope.variables:
                self.fail(f"{n.name!r} has no dimensions, so it cannot be subscripted")
            self.unknown(n.name)
        if len(n.subscripts) != 1:
            self.fail(f"{n.name}[{', '.join(n.subscripts)}]: arrays with more than one "
                      "dimension are not supported")
        return _name(self.array_element(n.name, key, n.subscripts[0]))

    def array_element(self, name: str, key: str, sub: str | None) -> str:
        dim, elements = self.scope.arrays[key]
        sub_key = None if sub is None else name_key(sub)
        if sub_key in elements:
            return elements[sub_key]
        if (sub_key in (None, dim, "*")) and self.element and self.element[0] == dim:
            return elements[self.element[1]]
        self.fail(f"{name}[{sub or ''}] needs one element of {name!r}: one of "
                  f"{', '.join(sorted(elements))} (whole arrays only inside MIN, MAX, SUM "
                  "or MEAN)")
        raise AssertionError  # pragma: no cover

    def whole_array(self, arg: Any) -> list[ast.expr] | None:
        """The elements of ``name[dim]`` / ``name[*]`` as an argument of MIN, MAX, ..."""
        if not isinstance(arg, Ref):
            return None
        key = name_key(arg.name)
        if key not in self.scope.arrays:
            return None
        dim, elements = self.scope.arrays[key]
        subs = arg.subscripts
        if subs is None or (len(subs) == 1 and name_key(subs[0]) in (dim, "*")):
            if self.element and self.element[0] == dim:
                return None  # apply-to-all: one element
            return [_name(ident) for ident in elements.values()]
        return None

    # calls ----------------------------------------------------------------
    def on_call(self, n: Call) -> ast.expr:
        key = name_key(n.name)
        if key in self.scope.lookups:
            self.arity(n, (1,))
            return _call(self.scope.lookups[key], [self.node(n.args[0])])
        if key in _SIMPLE_FUNCTIONS:
            func, counts = _SIMPLE_FUNCTIONS[key]
            self.arity(n, counts)
            return _call(func, [self.node(a) for a in n.args])
        if key == "int":
            self.arity(n, (1,))
            return _truncate(self.node(n.args[0]))
        if key == "mod":
            self.arity(n, (2,))
            return _remainder(self.node(n.args[0]), self.node(n.args[1]))
        if key in ("min", "max", "sum", "mean"):
            return self.aggregate(key, n)
        if key == "pi":
            self.arity(n, (0,))
            return _name("pi")
        if key in ("time", "dt", "starttime", "stoptime"):
            self.arity(n, (0,))
            return self.on_ref(Ref(n.name))
        if key == "delay":
            self.arity(n, (2, 3))
            args = [self.node(a) for a in n.args]
            if len(args) == 2:
                args.append(self.node(n.args[0]))
            return _call("delay_fixed", args)
        if key == "lookup":
            self.arity(n, (2,))
            table = n.args[0]
            if not (isinstance(table, Ref) and name_key(table.name) in self.scope.lookups):
                self.fail("LOOKUP(table, x) needs the name of a graphical function first")
            return _call(self.scope.lookups[name_key(table.name)], [self.node(n.args[1])])
        if key in self.scope.variables or key in self.scope.arrays:
            self.fail(f"{n.name!r} is called like a function but has no graphical function")
        supported = sorted({k.upper() for k in _SIMPLE_FUNCTIONS} | {
            "MIN", "MAX", "SUM", "MEAN", "PI", "DELAY", "LOOKUP", "TIME", "DT"})
        self.fail(f"the function {n.name.upper()}() is not supported; supported functions are "
                  + ", ".join(supported))
        raise AssertionError  # pragma: no cover

    def arity(self, n: Call, counts: tuple[int, ...]) -> None:
        if len(n.args) not in counts:
            wanted = " or ".join(str(c) for c in counts)
            self.fail(f"{n.name.upper()}() takes {wanted} argument(s), got {len(n.args)}")

    def aggregate(self, key: str, n: Call) -> ast.expr:
        if key in ("min", "max") and len(n.args) == 2:
            return _call(key, [self.node(a) for a in n.args])
        self.arity(n, (1,))
        items = self.whole_array(n.args[0]) or [self.node(n.args[0])]
        if key in ("min", "max"):  # pairs of pairs: a long argument list stays shallow
            return _expressions._grouped(items, lambda a, b: _call(key, [a, b])) \
                if len(items) > _expressions.CHAIN_LENGTH else _call(key, items)
        total = _expressions._grouped(
            items, lambda a, b: ast.BinOp(left=a, op=ast.Add(), right=b))
        if key == "mean" and len(items) > 1:
            total = ast.BinOp(left=total, op=ast.Div(), right=ast.Constant(len(items)))
        return total


def _floor_pattern(n: IfElse) -> Any:
    """`x` if `n` is ``IF x < INT(x) THEN INT(x) - 1 ELSE INT(x)`` (a floor), else None."""
    def is_int_of(node: Any) -> Any:
        if isinstance(node, Call) and name_key(node.name) == "int" and len(node.args) == 1:
            return node.args[0]
        return None

    x = is_int_of(n.other)
    if (x is not None and n.cond == Bin("<", x, n.other)
            and n.then == Bin("-", n.other, Num(1))):
        return x
    return None


def _truncate(x: ast.expr) -> ast.expr:
    """XMILE INT as the canonical outputs expect it: towards zero (``INT(-9.9) = -9``).

    The equation language's ``int`` rounds down, so negative values are mirrored.
    """
    negated = ast.UnaryOp(op=ast.USub(), operand=x)
    return ast.IfExp(test=ast.Compare(left=x, ops=[ast.GtE()], comparators=[ast.Constant(0)]),
                     body=_call("int", [x]),
                     orelse=ast.UnaryOp(op=ast.USub(), operand=_call("int", [negated])))


def _remainder(a: ast.expr, b: ast.expr) -> ast.expr:
    """XMILE ``a MOD b`` as the canonical outputs expect it: ``a - b * INT(a / b)``,
    so the result has the sign of `a` (``-10 MOD 3 = -1``)."""
    quotient = _truncate(ast.BinOp(left=a, op=ast.Div(), right=b))
    return ast.BinOp(left=a, op=ast.Sub(), right=ast.BinOp(left=b, op=ast.Mult(), right=quotient))


def _unparse(node: ast.expr, where: str = "equation", expands: bool = True) -> str:
    """The equation language's text of a translated tree, within the limits.

    Translation shares subtrees (INT and MOD use their argument several times),
    so the size is counted as the text would repeat them, before writing it.
    Without INT or MOD (`expands` false) the translation is as deep and as
    large as the parsed equation, which is checked already.
    """
    if expands:
        _check_translated(node, where)
    return ast.unparse(ast.fix_missing_locations(ast.Expression(body=node)))


def _check_translated(node: ast.expr, where: str) -> None:
    sizes: dict[int, int] = {}
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        if id(current) in sizes:
            continue
        children = list(ast.iter_child_nodes(current))
        if done:
            sizes[id(current)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(current)] > MAX_TRANSLATED_SIZE:
                raise FormatError(f"{where}: the equation grows to more than "
                                  f"{MAX_TRANSLATED_SIZE:,} terms when translated (INT and MOD "
                                  "repeat their argument; the limit MAX_TRANSLATED_SIZE)")
        else:
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    depth = _expressions.nesting(node)
    if depth > MAX_NESTING:
        raise FormatError(f"{where}: the translated equation nests {depth} levels deep, more "
                          f"than {MAX_NESTING} (the limit MAX_NESTING)")


_EXPANDS = re.compile(r"int|mod", re.IGNORECASE)


def translate_equation(text: str, variables: Mapping[str, str],
                       lookups: Mapping[str, str] | None = None, where: str = "equation",
                       start: float = 0.0, stop: float = 100.0) -> str:
    """Translate one XMILE equation into the model's equation language.

    Parameters
    ----------
    text : str
        The XMILE equation, e.g. ``IF a > 0 THEN SMTH1(b, 3) ELSE 0``.
    variables : mapping
        XMILE name (any spelling) -> Python identifier of each variable.
    lookups : mapping, optional
        XMILE name -> identifier of each graphical function.
    where : str
        Where the equation came from, for error messages.
    start, stop : float
        The values of STARTTIME and STOPTIME.

    Notes
    -----
    Operators: IF-THEN-ELSE, OR, AND, NOT, = <> < <= > >=, + - * / MOD, ^
    (right-associative, ``-2^2 = -4``). Functions (any case): ABS, ARCCOS,
    ARCSIN, ARCTAN, COS, SIN, TAN, EXP, LN, LOG10, SQRT, INT (towards zero),
    MOD (sign of the dividend), MIN and MAX (one or two arguments, or a whole
    array), SUM, MEAN, PI, SAFEDIV (2 or 3 arguments), DELAY (a pipeline,
    optional initial value), DELAY1, DELAY3, SMTH1, SMTH3, INIT, STEP, PULSE,
    RAMP, TIME, DT, STARTTIME, STOPTIME, LOOKUP(table, x), and any graphical
    function called by name.

    Examples
    --------
    >>> translate_equation("SMTH1(Input, 2) + DELAY(Input, 1)", {"Input": "input"})
    'smooth(input, 2) + delay_fixed(input, 1, input)'
    >>> translate_equation("-2^2 + 30^-cons", {"cons": "cons"})
    '-2 ** 2 + 30 ** (-cons)'
    >>> translate_equation("SAFEDIV(a, b) <> 0 AND NOT c", {"a": "a", "b": "b", "c": "c"})
    'safediv(a, b) != 0 and (not c)'
    >>> translate_equation("table(time)", {}, {"Table": "table"})
    'table(time)'
    """
    scope = _Scope({name_key(k): v for k, v in variables.items()},
                   {name_key(k): v for k, v in (lookups or {}).items()}, start=start, stop=stop)
    return _unparse(_Translator(scope, where).node(parse_equation(text, where)), where,
                    bool(_EXPANDS.search(text)))




# ---------------------------------------------------------------------------
# reading a model
# ---------------------------------------------------------------------------

@dataclass
class _Gf:
    points: tuple[tuple[float, float], ...]
    extrapolate: bool


@dataclass
class _Var:
    kind: str                       # stock | flow | aux | gf
    name: str                       # XMILE name; array elements as name[element]
    line: str
    eqn: str | None = None
    inflows: list[str] = field(default_factory=list)
    outflows: list[str] = field(default_factory=list)
    non_negative: bool = False
    units: str | None = None
    doc: str | None = None
    gf: _Gf | None = None
    limits: tuple[float | None, float | None] = (None, None)
    element: tuple[str, str] | None = None   # (dim key, element key)
    ident: str = ""
    table: str = ""                 # identifier of the lookup of an aux's own gf


def _children(el: Element, tag: str) -> list[Element]:
    return [c for c in el if c.tag == tag]


def _child(el: Element, tag: str) -> Element | None:
    found = _children(el, tag)
    return found[0] if found else None


def _text(el: Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None


def _float(text: str | None, what: str, where: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise FormatError(f"{where}: {what} must be a number, got {text!r}") from None


def _truthy(el: Element | None, default: bool) -> bool:
    """``<non_negative/>`` and ``<non_negative>true</non_negative>`` are True."""
    if el is None:
        return default
    text = (el.text or "").strip().lower()
    return text != "false"


@dataclass(frozen=True)
class SimSpecs:
    """An XMILE file's simulation settings (see `read_sim_specs`)."""

    name: str
    start: float
    stop: float
    dt: float
    method: str
    time_unit: str


def _sim_specs(root: Element, where: str, default_name: str) -> SimSpecs:
    header = _child(root, "header")
    name = _text(_child(header, "name")) if header is not None else None
    specs = _child(root, "sim_specs")
    if specs is None:
        raise FormatError(f"{where} has no <sim_specs>; XMILE needs start, stop and dt there")
    start = _float(_text(_child(specs, "start")) or "0", "<start>", where)
    stop_text = _text(_child(specs, "stop"))
    if stop_text is None:
        raise FormatError(f"{where}: <sim_specs> has no <stop>")
    stop = _float(stop_text, "<stop>", where)
    dt_el = _child(specs, "dt")
    dt = _float(_text(dt_el) or "1", "<dt>", where)
    if dt_el is not None and (dt_el.get("reciprocal") or "").strip().lower() == "true":
        if dt == 0:
            raise FormatError(f"{where}: a reciprocal <dt> of 0 is not a time step")
        dt = 1.0 / dt
    method = (specs.get("method") or "euler").strip().lower()
    if method not in ("euler", "rk4"):
        raise FormatError(f"{where}: integration method {specs.get('method')!r} is not "
                          "supported; use 'Euler' or 'RK4'")
    time_unit = (specs.get("time_units") or "").strip() or "time"
    return SimSpecs(name or default_name, start, stop, dt, method, time_unit)


def _behaviour(root: Element) -> tuple[bool, bool]:
    """Model-wide non-negative defaults (stocks, flows) from ``<behavior>``."""
    behavior = _child(root, "behavior")
    if behavior is None:
        return False, False
    both = _truthy(_child(behavior, "non_negative"), False)
    stock_el, flow_el = _child(behavior, "stock"), _child(behavior, "flow")
    stocks = _truthy(_child(stock_el, "non_negative"), both) if stock_el is not None else both
    flows = _truthy(_child(flow_el, "non_negative"), both) if flow_el is not None else both
    return stocks, flows


def _dimensions(root: Element, where: str) -> dict[str, list[str]]:
    dims: dict[str, list[str]] = {}
    holder = _child(root, "dimensions")
    for dim in _children(holder, "dim") if holder is not None else []:
        name = clean_name(dim.get("name", ""))
        here = f"{where}: dimension {name!r} (line {dim.get(_LINE, '?')})"
        elems = [clean_name(e.get("name", "")).strip() for e in _children(dim, "elem")]
        if not elems and dim.get("size") is not None:
            elems = [str(i) for i in range(1, _dimension_size(dim.get("size", ""), here) + 1)]
        if len(elems) > MAX_DIMENSION_SIZE:
            raise FormatError(f"{here} has {len(elems):,} elements, more than "
                              f"{MAX_DIMENSION_SIZE:,} (the limit MAX_DIMENSION_SIZE)")
        if not elems:
            raise FormatError(f"{here} has no elements; give it <elem name=\"...\"/> "
                              "children or a size of at least 1")
        dims[name_key(name)] = elems
    return dims


def _dimension_size(text: str, where: str) -> int:
    """``size="3"`` -> 3; anything but a whole number from 1 to the limit is refused."""
    value = text.strip()
    if not value.isdigit() or len(value) > len(str(MAX_DIMENSION_SIZE)) + 1:
        if value.isdigit():
            raise FormatError(f"{where}: size {_short(value, 20)!r} is more than "
                              f"{MAX_DIMENSION_SIZE:,} (the limit MAX_DIMENSION_SIZE)")
        raise FormatError(f"{where}: size must be a whole number from 1 to "
                          f"{MAX_DIMENSION_SIZE:,}, got {_short(value, 20)!r}")
    size = int(value)
    if not 1 <= size <= MAX_DIMENSION_SIZE:
        raise FormatError(f"{where}: size {size:,} is outside 1 to {MAX_DIMENSION_SIZE:,} "
                          "(the limit MAX_DIMENSION_SIZE)")
    return size


def _points(el: Element, tag: str, where: str) -> list[float] | None:
    node = _child(el, tag)
    if node is None:
        return None
    sep = node.get("sep") or ","
    text = node.text or ""
    if text.count(sep) >= MAX_GRAPH_POINTS:
        raise FormatError(f"{where}: <{tag}> of the graphical function has more than "
                          f"{MAX_GRAPH_POINTS:,} points (the limit MAX_GRAPH_POINTS)")
    return [float(p) for p in text.replace("\n", " ").split(sep) if p.strip()]


def _graphical(el: Element, where: str) -> _Gf:
    kind = (el.get("type") or "continuous").strip().lower()
    if kind == "discrete" or (el.get("discrete") or "").strip().lower() == "true":
        raise FormatError(f"{where}: discrete graphical functions are not supported; "
                          "use type 'continuous' or 'extrapolate'")
    if kind not in ("continuous", "extrapolate"):
        raise FormatError(f"{where}: graphical function type {kind!r} is not supported; "
                          "use 'continuous' or 'extrapolate'")
    try:
        ys = _points(el, "ypts", where)
        xs = _points(el, "xpts", where)
    except ValueError as exc:
        raise FormatError(f"{where}: graphical function points must be numbers ({exc})") from None
    if not ys:
        raise FormatError(f"{where}: graphical function has no <ypts>")
    if xs is None:
        scale = _child(el, "xscale")
        if scale is None:
            raise FormatError(f"{where}: graphical function needs <xpts> or <xscale>")
        lo = _float(scale.get("min"), "xscale min", where)
        hi = _float(scale.get("max"), "xscale max", where)
        n = len(ys)
        xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)] if n > 1 else [lo]
    if len(xs) != len(ys):
        raise FormatError(f"{where}: graphical function has {len(xs)} x points but "
                          f"{len(ys)} y points")
    pairs = sorted(zip(xs, ys, strict=True))
    return _Gf(tuple(pairs), kind == "extrapolate")


def _read_variable(el: Element, where: str, defaults: tuple[bool, bool],
                   dims: Mapping[str, list[str]]) -> list[_Var]:
    kind = el.tag
    name = clean_name(el.get("name") or "").strip()
    line = el.get(_LINE, "?")
    if not name:
        raise FormatError(f"{where}, line {line}: <{kind}> has no name")
    here = f"{where}, {kind} {name!r} (line {line})"
    default_nn = defaults[0] if kind == "stock" else defaults[1] if kind == "flow" else False
    base = _Var(
        kind=kind, name=name, line=line,
        inflows=[_unquote(t) for t in (_text(c) for c in _children(el, "inflow")) if t],
        outflows=[_unquote(t) for t in (_text(c) for c in _children(el, "outflow")) if t],
        non_negative=_truthy(_child(el, "non_negative"), default_nn),
        units=_text(_child(el, "units")), doc=_text(_child(el, "doc")),
    )
    rng = _child(el, "range")
    if rng is not None:
        base.limits = tuple(  # type: ignore[assignment]
            None if rng.get(k) is None else _float(rng.get(k), f"range {k}", here)
            for k in ("min", "max"))
    gf_el = el if kind == "gf" else _child(el, "gf")
    if gf_el is not None:
        base.gf = _graphical(gf_el, here)
    eqns = [_text(e) or "" for e in _children(el, "eqn")]
    for eqn in eqns:  # one equation, or a comma-separated value per array element
        if len(eqn) > _MAX_EQN_TEXT:
            raise FormatError(f"{here}: <eqn> has {len(eqn):,} characters, more than "
                              f"{_MAX_EQN_TEXT:,} (ten times the limit MAX_EQUATION_LENGTH)")
    dim_holder = _child(el, "dimensions")
    if dim_holder is None or not _children(dim_holder, "dim"):
        if len(eqns) > 1:
            raise FormatError(f"{here}: has {len(eqns)} equations but no dimensions")
        base.eqn = eqns[0] if eqns else None
        return [base]
    return _expand_array(base, el, dim_holder, eqns, here, dims)


def _expand_array(base: _Var, el: Element, dim_holder: Element, eqns: list[str], here: str,
                  dims: Mapping[str, list[str]]) -> list[_Var]:
    """Flatten a one-dimensional array into one scalar variable per element."""
    dim_names = [d.get("name", "") for d in _children(dim_holder, "dim")]
    if len(dim_names) > 1:
        raise FormatError(f"{here}: arrays with more than one dimension ({', '.join(dim_names)}) "
                          "are not supported")
    dim = name_key(dim_names[0])
    if dim not in dims:
        raise FormatError(f"{here}: unknown dimension {dim_names[0]!r}; defined dimensions are "
                          f"{', '.join(sorted(dims)) or 'none'}")
    if base.gf is not None or base.kind == "gf":
        raise FormatError(f"{here}: arrayed graphical functions are not supported")
    elements = dims[dim]
    per_element = {name_key(e.get("subscript", "")): _text(_child(e, "eqn")) or ""
                   for e in _children(el, "element")}
    if not per_element and len(eqns) == len(elements) and len(elements) > 1:
        per_element = {name_key(e): q for e, q in zip(elements, eqns, strict=True)}
    elif not per_element and len(eqns) == 1:
        parts = _split_top_level(eqns[0])
        if len(parts) == len(elements) and len(parts) > 1:
            per_element = {name_key(e): q for e, q in zip(elements, parts, strict=True)}
    out = []
    for elem in elements:
        var = _Var(**{**base.__dict__, "name": f"{base.name}[{elem}]",
                      "element": (dim, name_key(elem))})
        var.inflows = [f"{n}[{elem}]" for n in base.inflows]
        var.outflows = [f"{n}[{elem}]" for n in base.outflows]
        if per_element:
            if name_key(elem) not in per_element:
                raise FormatError(f"{here}: no equation for element {elem!r}")
            var.eqn = per_element[name_key(elem)]
        else:
            if len(eqns) != 1:
                raise FormatError(f"{here}: expected one equation for all elements or one per "
                                  f"element ({len(elements)}), got {len(eqns)}")
            var.eqn = eqns[0]
        out.append(var)
    return out


def _split_top_level(text: str) -> list[str]:
    """Split ``1, 2, 3`` at commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _check_layout(root: Element, where: str) -> None:
    """Refuse a document whose every <model> holds no variables (never read it as empty).

    The layout of the XMILE drafts before 1.0 (variables directly in <model>)
    gets its own message: such a file read by the 1.0 rules looks empty.
    """
    models = _children(root, "model")
    for model in models:
        holder = _child(model, "variables")
        if holder is not None and any(el.tag in ("stock", "flow", "aux", "gf", "module")
                                      for el in holder):
            return
    loose = [el for model in models for el in model if el.tag in ("stock", "flow", "aux", "gf")]
    if loose:
        raise FormatError(
            f"{where} is in the layout of XMILE drafts before 1.0 (Stella 10 and older): "
            f"its {len(loose)} variables sit directly in <model> (line "
            f"{loose[0].get(_LINE, '?')}) instead of in <model><variables>; open it in a "
            "current version of Stella (or Vensim) and save it again as XMILE 1.0")
    raise FormatError(f"{where} defines no variables: no <model> has a <stock>, <flow>, <aux> "
                      "or <gf> inside <variables>, so there is nothing to simulate")


def _collect(root: Element, where: str) -> list[_Var]:
    for tag in ("macro",):
        if _child(root, tag) is not None:
            raise FormatError(f"{where} defines XMILE macros, which are not supported "
                              "(read it with csframework.load_model, which uses PySD)")
    models = _children(root, "model")
    if not models:
        raise FormatError(f"{where} has no <model>")
    if len(models) > 1:
        raise FormatError(f"{where} has {len(models)} <model> elements (XMILE modules); "
                          "modules are not supported (try csframework.load_model)")
    _check_layout(root, where)
    holder = _child(models[0], "variables")
    assert holder is not None  # checked by _check_layout
    defaults = _behaviour(root)
    dims = _dimensions(root, where)
    out: list[_Var] = []
    for el in holder:
        if el.tag in ("stock", "flow", "aux", "gf"):
            out.extend(_read_variable(el, where, defaults, dims))
            if len(out) > MAX_VARIABLES:
                raise FormatError(f"{where} has more than {MAX_VARIABLES:,} variables (counting "
                                  f"each element of an array; line {el.get(_LINE, '?')}); that "
                                  "is the limit MAX_VARIABLES")
        elif el.tag == "module":
            raise FormatError(f"{where}: module {el.get('name')!r}: XMILE modules are not "
                              "supported (try csframework.load_model)")
        elif el.tag not in ("group",):
            raise FormatError(f"{where}: <{el.tag}> (line {el.get(_LINE, '?')}) is not a "
                              "supported variable; expected stock, flow, aux or gf")
    return out


def _name_variables(variables: list[_Var], where: str) -> None:
    """Give each variable a unique identifier; refuse duplicate XMILE names."""
    seen: dict[str, _Var] = {}
    taken: set[str] = set()
    for var in variables:
        key = name_key(var.name)
        if key in seen:
            raise FormatError(f"{where}: the name {var.name!r} (line {var.line}) is already used "
                              f"on line {seen[key].line}; XMILE names ignore case, spaces and "
                              "underscores")
        seen[key] = var
        var.ident = python_identifier(var.name, taken)
        taken.add(var.ident)
    for var in variables:
        if var.gf is not None and var.kind != "gf":
            var.table = python_identifier(var.ident + "_table", taken)
            taken.add(var.table)


def _scope(variables: list[_Var], specs: SimSpecs) -> _Scope:
    plain: dict[str, str] = {}
    lookups: dict[str, str] = {}
    arrays: dict[str, tuple[str, dict[str, str]]] = {}
    for var in variables:
        if var.element is not None:
            base = var.name[: var.name.rindex("[")]
            arrays.setdefault(name_key(base), (var.element[0], {}))[1][var.element[1]] = var.ident
            continue
        if var.kind == "gf":
            lookups[name_key(var.name)] = var.ident
        else:
            plain[name_key(var.name)] = var.ident
            if var.gf is not None:
                lookups[name_key(var.name)] = var.table
    return _Scope(plain, lookups, arrays, specs.start, specs.stop)


def _flow_names(variables: list[_Var], scope: _Scope, where: str) -> set[str]:
    """Identifiers used as inflow or outflow; an aux used so is read as a flow."""
    idents = {name_key(v.name): v for v in variables}
    used: set[str] = set()
    for var in variables:
        if var.kind != "stock":
            continue
        for flow in var.inflows + var.outflows:
            target = idents.get(name_key(flow))
            if target is None or target.kind == "stock" or target.kind == "gf":
                matches = close_matches(name_key(flow), [v.name for v in variables])
                hint = f"; did you mean {matches[0]!r}?" if matches else ""
                raise FormatError(f"{where}: stock {var.name!r} (line {var.line}) names "
                                  f"{flow!r} as a flow, but there is no such flow{hint}")
            used.add(target.ident)
    return used


def _constant_value(tree: Any) -> float | None:
    if isinstance(tree, Num):
        return float(tree.value)
    if isinstance(tree, Unary) and tree.op in "+-" and isinstance(tree.operand, Num):
        value = float(tree.operand.value)
        return -value if tree.op == "-" else value
    return None


def read_xmile(path_or_text: str | Path | bytes, *, non_negative_stocks: str = "clamp") -> Any:
    """Read an XMILE 1.0 model into a `StockFlowModel`.

    Parameters
    ----------
    path_or_text : str, pathlib.Path or bytes
        A path to an ``.xmile`` / ``.stmx`` file, or the XML itself.
    non_negative_stocks : {"clamp", "limit outflows"}
        How an XMILE non-negative stock stays at zero or above. ``"clamp"``
        (the default) as the SDXorg canonical outputs and PySD do: the stock
        stops at zero and every flow keeps its own value; the model gets an
        explicit inflow ``<stock>_floor`` doing that. ``"limit outflows"``
        marks the stock ``non_negative`` and leaves it to the native engine,
        which scales the outflows down and reports them scaled (what
        `to_xmile` of such a model means, so round trips keep it).

    Returns
    -------
    StockFlowModel
        Each variable is named by `python_identifier` of its XMILE name and
        labelled with the XMILE name. Auxiliaries that are plain numbers are
        constants (parameters). An auxiliary with its own graphical function
        becomes a lookup ``<name>_table`` and an auxiliary applying it.
        One-dimensional arrays are flattened into one variable per element,
        labelled ``name[element]``. The file's integration method (Euler
        or RK4) becomes the model's :attr:`~StockFlowModel.method`, which
        ``run()`` uses unless told otherwise. The positions of the file's
        first ``<view>`` become :attr:`~StockFlowModel.positions` (names the
        model lacks are skipped; a position that is not a finite number is
        skipped with an `XmileWarning`).

    Raises
    ------
    FormatError
        For XML that is not well-formed, has a DTD or entities, is in another
        namespace, has no variables, uses modules, macros or multi-dimensional
        arrays, has an equation that cannot be read, or is beyond one of the
        limits listed in the module's description (the message names it).

    Examples
    --------
    >>> model = read_xmile('''<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    ...   <sim_specs><start>0</start><stop>10</stop><dt>0.5</dt></sim_specs>
    ...   <model><variables>
    ...     <stock name="Water In Tub"><eqn>10</eqn><outflow>Drain</outflow></stock>
    ...     <flow name="Drain"><eqn>Water_in_tub / 5</eqn><non_negative/></flow>
    ...   </variables></model></xmile>''')
    >>> sorted(model.stocks), sorted(model.flows)
    (['water_in_tub'], ['drain'])
    >>> xmile_names(model)["water_in_tub"]
    'Water In Tub'
    """
    if non_negative_stocks not in ("clamp", "limit outflows"):
        raise UnknownNameError(non_negative_stocks, ("clamp", "limit outflows"),
                               kind="non_negative_stocks option", where="read_xmile()")
    data, where, stem = _load_source(path_or_text)
    root = _parse_xml(data, where)
    specs = _sim_specs(root, where, stem or "XMILE model")
    variables = _collect(root, where)
    _name_variables(variables, where)
    scope = _scope(variables, specs)
    flows = _flow_names(variables, scope, where)
    try:
        model = _build(variables, scope, flows, specs, where,
                       clamp=non_negative_stocks == "clamp")
        _read_views(root, model, variables, where)
        return model
    except (EquationError, ModelError) as exc:  # a translated equation beyond a model limit
        raise FormatError(f"{where}: {exc}") from exc


def read_sim_specs(path_or_text: str | Path | bytes) -> SimSpecs:
    """Read only the simulation settings of an XMILE file.

    Examples
    --------
    >>> read_sim_specs('<xmile><sim_specs method="RK4"><start>0</start><stop>8</stop>'
    ...                '<dt reciprocal="true">4</dt></sim_specs><model/></xmile>')
    SimSpecs(name='XMILE model', start=0.0, stop=8.0, dt=0.25, method='rk4', time_unit='time')
    """
    data, where, stem = _load_source(path_or_text)
    return _sim_specs(_parse_xml(data, where), where, stem or "XMILE model")


def _translate(var: _Var, scope: _Scope, where: str) -> tuple[str, Any]:
    here = f"{where}, {var.kind} {var.name!r} (line {var.line})"
    if var.eqn is None:
        if var.kind == "stock":
            return "0", Num(0)
        raise FormatError(f"{here} has no <eqn>")
    tree = parse_equation(var.eqn, here)
    translator = _Translator(scope, here, var.element)
    return _unparse(translator.node(tree), here, bool(_EXPANDS.search(var.eqn))), tree


#: The class of the models read. csframework.sd.model registers StockFlowModel when
#: it is imported: that module imports this one (for to_xmile and from_xmile), so
#: this one cannot import it back.
_MODEL_CLASS: Any = None


def register_model_class(cls: Any) -> None:
    """Make `cls` the class of the models :func:`read_xmile` returns."""
    global _MODEL_CLASS
    _MODEL_CLASS = cls


def _build(variables: list[_Var], scope: _Scope, flows: set[str], specs: SimSpecs,
           where: str, clamp: bool) -> Any:
    if _MODEL_CLASS is None:  # pragma: no cover - csframework.sd registers it on import
        raise RuntimeError("import csframework.sd before reading XMILE")
    model = _MODEL_CLASS(specs.name, start=specs.start, stop=specs.stop, dt=specs.dt,
                           time_unit=specs.time_unit, method=specs.method)
    # lookups first, then constants and auxiliaries, flows, stocks
    _add_lookups(model, variables)
    for var in variables:
        if var.kind not in ("gf", "stock", "flow") and var.ident not in flows:
            _add_auxiliary(model, var, scope, where)
    attached = {name_key(n) for v in variables if v.kind == "stock"
                for n in v.inflows + v.outflows}
    equations: dict[str, str] = {}
    for var in variables:
        if var.kind == "flow" or var.ident in flows:
            text, _ = _translate(var, scope, where)
            text = f"{var.table}({text})" if var.gf is not None else text
            if name_key(var.name) not in attached:  # a flow of no stock is an auxiliary
                text = f"max(0, {text})" if var.non_negative else text
                model.auxiliary(var.ident, text, **_meta(var))
                continue
            equations[var.ident] = text
            model.flow(var.ident, text, non_negative=var.non_negative, **_meta(var))
    _add_stocks(model, variables, scope, equations, where, clamp)
    return model


def _meta(var: _Var) -> dict[str, Any]:
    return {"units": var.units, "doc": var.doc, "label": var.name}


def _add_lookups(model: Any, variables: list[_Var]) -> None:
    for var in variables:
        if var.gf is None:
            continue
        if var.kind == "gf":
            model.lookup(var.ident, var.gf.points, extrapolate=var.gf.extrapolate, **_meta(var))
        else:
            model.lookup(var.table, var.gf.points, extrapolate=var.gf.extrapolate,
                         label=f"{var.name} (graphical function)")


def _add_auxiliary(model: Any, var: _Var, scope: _Scope, where: str) -> None:
    text, tree = _translate(var, scope, where)
    value = _constant_value(tree)
    if var.gf is not None:
        model.auxiliary(var.ident, f"{var.table}({text})", **_meta(var))
    elif value is not None:
        lo, hi = var.limits
        model.constant(var.ident, value, min=lo, max=hi, **_meta(var))
    else:
        model.auxiliary(var.ident, text, **_meta(var))


def _add_stocks(model: Any, variables: list[_Var], scope: _Scope, equations: dict[str, str],
                where: str, clamp: bool) -> None:
    """Add the stocks. A flow may fill or drain only one stock in the model; when an
    XMILE flow drains (or fills) several, each further stock gets its own copy."""
    by_key = {name_key(v.name): v for v in variables}
    used: set[tuple[str, str]] = set()
    for var in variables:
        if var.kind != "stock":
            continue
        text, tree = _translate(var, scope, where)
        value = _constant_value(tree)
        lists: dict[str, list[str]] = {"inflows": [], "outflows": []}
        for direction, names in (("inflows", var.inflows), ("outflows", var.outflows)):
            for name in names:
                flow = by_key[name_key(name)]
                ident = flow.ident
                if (direction, ident) in used:
                    ident = python_identifier(f"{flow.ident} to {var.ident}" if direction ==
                                              "inflows" else f"{flow.ident} from {var.ident}",
                                              model)
                    model.flow(ident, equations[flow.ident], non_negative=flow.non_negative,
                               units=flow.units, label=f"{flow.name} ({var.name})",
                               doc=f"A copy of {flow.name!r}: XMILE lets one flow {direction[:-1]}"
                                   f" several stocks")
                used.add((direction, ident))
                lists[direction].append(ident)
        non_negative = var.non_negative and not clamp
        if var.non_negative and clamp and (lists["inflows"] or lists["outflows"]):
            lists["inflows"].append(_add_floor_flow(model, var, lists))
        model.stock(var.ident, value if value is not None else text, **lists,
                    non_negative=non_negative, **_meta(var))


def _add_floor_flow(model: Any, stock: _Var, lists: dict[str, list[str]]) -> str:
    """Keep an XMILE non-negative stock at zero or above as the canonical outputs do.

    The SDXorg canonical outputs (and PySD) clamp the stock at zero and report every
    flow at its own value, also when a negative inflow would empty the stock. An inflow
    adds exactly what the step would take below zero (exact with Euler).
    """
    ident = python_identifier(f"{stock.ident} floor", model)
    model.flow(ident, _floor_equation(stock.ident, lists["inflows"], lists["outflows"]),
               label=f"{stock.name} (kept non-negative)",
               doc=f"XMILE non-negative stock {stock.name!r}: adds what a time step would take "
                   "below zero, so the stock stops at zero")
    return ident


def _floor_equation(stock: str, inflows: list[str], outflows: list[str]) -> str:
    net = " + ".join(inflows) or "0"
    if outflows:
        out = outflows[0] if len(outflows) == 1 else f"({' + '.join(outflows)})"
        net = f"{net} - {out}" if inflows else f"-{out}"
    return f"max(0, -({stock} + dt * ({net}))) / dt"


def _floor_flows(model: Any) -> dict[str, str]:
    """Flow -> stock, for each flow `read_xmile` added to keep a stock at zero or above.

    Such a flow is the stock's last inflow, its equation is exactly the one
    `_add_floor_flow` writes for the stock's other flows, and nothing else reads
    it. Writing the stock as ``<non_negative/>`` instead says the same thing in
    a form every XMILE reader (PySD included) understands.
    """
    used: set[str] = set()
    for _, element in _elements(model):
        expression = getattr(element, "expression", None) or getattr(
            element, "initial_equation", None)
        if expression is not None:
            used.update(expression.dependencies)
    found: dict[str, str] = {}
    for stock in model.stocks.values():
        if stock.non_negative or not stock.inflows:
            continue
        flow = stock.inflows[-1]
        element = model.flows.get(flow)
        if element is None or flow in used or "floor" not in flow:
            continue
        expected = _floor_equation(stock.name, list(stock.inflows[:-1]), list(stock.outflows))
        if ast.dump(element.expression.tree) == ast.dump(_expressions.parse(expected).tree):
            found[flow] = stock.name
    return found


def xmile_names(model: Any) -> dict[str, str]:
    """Map each identifier of a model to its XMILE name (its label, else itself).

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.constant("room_temperature", 70, label="Room Temperature")
    >>> xmile_names(m)
    {'room_temperature': 'Room Temperature'}
    """
    names: dict[str, str] = {}
    for kind in ("stocks", "flows", "auxiliaries", "constants", "lookups"):
        for ident, element in getattr(model, kind).items():
            label = getattr(element, "label", None)
            names[ident] = label or ident
    return names


# ---------------------------------------------------------------------------
# writing a model
# ---------------------------------------------------------------------------

_XMILE_FUNCTIONS = {
    "abs": "ABS", "exp": "EXP", "log": "LN", "log10": "LOG10", "sqrt": "SQRT", "sin": "SIN",
    "cos": "COS", "tan": "TAN", "asin": "ARCSIN", "acos": "ARCCOS", "atan": "ARCTAN",
    "step": "STEP", "pulse": "PULSE", "ramp": "RAMP", "safediv": "SAFEDIV", "smooth": "SMTH1",
    "smooth3": "SMTH3", "delay1": "DELAY1", "delay3": "DELAY3", "delay_fixed": "DELAY",
    "init": "INIT", "xidz": "SAFEDIV", "zidz": "SAFEDIV", "integer": "INT", "trend": "TREND",
    "forecast": "FORCST", "delay_n": "DELAYN", "smooth_n": "SMTHN",
}
# functions whose omitted initial value is their input: an ACTIVE INITIAL input gives its own
_INITIAL_IS_INPUT = {"smooth": 2, "smooth3": 2, "delay1": 2, "delay3": 2, "delay_n": 3,
                     "smooth_n": 3}
# XMILE precedence, lowest first; every operand of lower precedence gets parentheses
_P_IF, _P_OR, _P_AND, _P_EQ, _P_REL, _P_ADD, _P_MUL, _P_UNARY, _P_POW, _P_ATOM = range(10)
_PY_CMP = {ast.Eq: ("=", _P_EQ), ast.NotEq: ("<>", _P_EQ), ast.Lt: ("<", _P_REL),
           ast.LtE: ("<=", _P_REL), ast.Gt: (">", _P_REL), ast.GtE: (">=", _P_REL)}
_PY_BIN = {ast.Add: ("+", _P_ADD), ast.Sub: ("-", _P_ADD), ast.Mult: ("*", _P_MUL),
           ast.Div: ("/", _P_MUL)}


def _xmile_number(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


#: Longest XMILE equation text written.
_MAX_WRITTEN = 10 * MAX_EQUATION_LENGTH


class _Writer:
    """The model's equation language (a Python subset) -> XMILE equation text."""

    def __init__(self, names: Mapping[str, str], where: str, dialect: str = "standard"):
        self.names = names            # identifier -> XMILE name
        self.where = where
        # variables defined as active_initial(x, initial): name -> the initial value's tree
        self.active: dict[str, ast.expr] = {}
        # PySD's XMILE reader knows the time step only as its control variable
        self.dt_name = "TIME_STEP" if dialect == "pysd" else "DT"

    def ref(self, ident: str) -> str:
        return self.names.get(ident, ident).replace(" ", "_")

    def text(self, equation: str | float, initial: bool = False) -> str:
        """XMILE text of an equation; `initial`: it is computed while initialising."""
        if isinstance(equation, int | float):
            return _xmile_number(equation)
        tree = _expressions.parse(str(equation)).tree.body  # long chains come balanced
        if initial:
            tree = self.initialising(tree)
        elif isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and \
                tree.func.id == "active_initial":
            tree = tree.args[0]  # the variable itself; its initial value goes where it is used
        return self.checked(self.emit(tree)[0])

    def checked(self, text: str) -> str:
        """Refuse text that INT and MOD (written with INT) have made too long."""
        if len(text) > _MAX_WRITTEN:
            raise FormatError(f"{self.where}: the XMILE text of the equation would be over "
                              f"{_MAX_WRITTEN:,} characters (nested int, floor or modulo "
                              "repeat their argument); split it into auxiliaries")
        return text

    def initialising(self, tree: ast.expr) -> ast.expr:
        """`tree` with ACTIVE INITIAL variables replaced by their initial values.

        XMILE has no ACTIVE INITIAL: where the initial value of a stock or of a
        smooth or delay uses such a variable directly, its initial value is
        written there instead.
        """
        import copy

        active = self.active

        class Swap(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:
                return copy.deepcopy(active[node.id]) if node.id in active else node

        return Swap().visit(copy.deepcopy(tree)) if active else tree

    def wrap(self, node: ast.AST, least: int) -> str:
        text, prec = self.emit(node)
        return f"({text})" if prec < least else text

    def emit(self, node: ast.AST) -> tuple[str, int]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            text = _xmile_number(node.value)
            return text, _P_UNARY if text.startswith("-") else _P_ATOM
        if isinstance(node, ast.Name):
            special = {"time": "TIME", "dt": self.dt_name, "pi": "PI()"}
            return special.get(node.id, self.ref(node.id)), _P_ATOM
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            op = "NOT " if isinstance(node.op, ast.Not) else (
                "-" if isinstance(node.op, ast.USub) else "+")
            return op + self.wrap(node.operand, _P_UNARY), _P_UNARY
        if isinstance(node, ast.BoolOp):
            word, prec = ("AND", _P_AND) if isinstance(node.op, ast.And) else ("OR", _P_OR)
            return f" {word} ".join(self.wrap(v, prec + 1) for v in node.values), prec
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return (f"IF {self.emit(node.test)[0]} THEN {self.emit(node.body)[0]} "
                    f"ELSE {self.emit(node.orelse)[0]}", _P_IF)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node)
        raise FormatError(f"{self.where}: {ast.unparse(node)!r} cannot be written as XMILE")

    def binop(self, node: ast.BinOp) -> tuple[str, int]:
        if isinstance(node.op, ast.Pow):
            left = self.wrap(node.left, _P_ATOM)
            right = self.wrap(node.right, _P_ATOM)
            return f"{left}^{right}", _P_POW
        symbol, prec = _PY_BIN[type(node.op)]
        left = self.wrap(node.left, prec)
        right = self.wrap(node.right, prec + 1)
        return f"{left} {symbol} {right}", prec

    def compare(self, node: ast.Compare) -> tuple[str, int]:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol, prec = _PY_CMP[type(op)]
            parts.append((f"{self.wrap(left, prec + 1)} {symbol} {self.wrap(right, prec + 1)}",
                          prec))
            left = right
        if len(parts) == 1:
            return parts[0]
        return " AND ".join(f"({text})" for text, _ in parts), _P_AND

    def floor(self, x: ast.expr) -> str:
        """The language's floor/int (round down) from XMILE's INT (towards zero)."""
        inner = self.checked(self.emit(x)[0])
        return f"(IF {self.wrap(x, _P_REL + 1)} < INT({inner}) THEN INT({inner}) - 1 " \
               f"ELSE INT({inner}))"

    def call(self, node: ast.Call) -> tuple[str, int]:
        from csframework.sd.expressions import FUNCTIONS, bind_arguments

        name = node.func.id  # type: ignore[attr-defined]
        if name not in FUNCTIONS:  # a lookup called like a function
            return f"{self.ref(name)}({self.emit(node.args[0])[0]})", _P_ATOM
        args = bind_arguments(node, FUNCTIONS[name])
        if name in ("sample_if_true", "active_initial"):
            raise FormatError(f"{self.where}: {name}() has no XMILE equivalent, so "
                              f"{ast.unparse(node)!r} cannot be written as XMILE")
        if name in _INITIAL_IS_INPUT and self.active:
            at = _INITIAL_IS_INPUT[name]
            if args[at] is None and isinstance(args[0], ast.Name) and \
                    args[0].id in self.active:
                args[at] = self.active[args[0].id]
            elif args[at] is not None:
                args[at] = self.initialising(args[at])
        if name in ("min", "max"):
            if len(args) == 1:
                return self.emit(args[0])
            text = self.emit(args[-1])[0]
            for arg in reversed(args[:-1]):
                text = f"{name.upper()}({self.emit(arg)[0]}, {text})"
            return text, _P_ATOM
        if name in ("floor", "int"):
            return self.floor(args[0]), _P_ATOM
        if name == "modulo":
            a, b = args
            quotient = ast.BinOp(left=a, op=ast.Div(), right=b)
            return (f"{self.wrap(a, _P_ADD)} - {self.wrap(b, _P_MUL)} * {self.floor(quotient)}",
                    _P_ADD)
        present = [a for a in args if a is not None]
        if name == "pulse" and len(present) == 3 and _is_zero(present[2]):
            present = present[:2]
        if name == "safediv" and len(present) == 3 and _is_zero(present[2]):
            present = present[:2]
        inner = ", ".join(self.emit(a)[0] for a in present)
        return f"{_XMILE_FUNCTIONS[name]}({inner})", _P_ATOM


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _xmile_name(ident: str, label: str | None) -> str:
    """The label when it reads back to the same identifier, else the identifier."""
    if label and re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]*", label) \
            and python_identifier(label) == ident:
        return " ".join(label.split())
    return ident


def _add_text(parent: Element, tag: str, text: str | None) -> None:
    if text:
        SubElement(parent, tag).text = text


def to_xmile(model: Any, dialect: str = "standard") -> str:
    """Write a model as XMILE 1.0 text.

    ``dialect="pysd"`` writes the time step as PySD's ``TIME_STEP`` control
    variable instead of the standard ``DT``, which PySD 3 cannot resolve.

    Variables are named by their label when the label reads back to the same
    identifier (``"Room Temperature"`` for ``room_temperature``), else by the
    identifier. Constants become auxiliaries with a ``<range>``; lookups become
    graphical functions; functions become the XMILE built-ins PySD also knows
    (``smooth`` -> SMTH1, ``delay_fixed`` -> DELAY, ``safediv`` -> SAFEDIV, ...).
    ``int``, ``floor`` and ``modulo`` round down, so they are written with
    XMILE's INT (which rounds towards zero) and a correction.

    A stock that `read_xmile` keeps at zero with an extra inflow
    (``<stock>_floor``, whose equation uses DT) is written as it was read: a
    ``<non_negative/>`` stock without that flow. So the file reads back the
    same here and in PySD, which cannot resolve DT.

    The model's ``<views>`` hold every element's position (see `_write_views`):
    the stored ones (`StockFlowModel.place`), else the stock-and-flow layout,
    at `VIEW_SCALE` pixels per em with y pointing down.

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("Decay", stop=4)
    >>> _ = m.constant("k", 0.5, min=0, max=1)
    >>> _ = m.stock("x", 1, outflows=["loss"], non_negative=True)
    >>> _ = m.flow("loss", "k * x if time > 1 else smooth(x, 2)")
    >>> text = to_xmile(m)
    >>> print(text[text.index("<model>"):text.index("<views>")].strip())
    <model>
        <variables>
          <stock name="x">
            <eqn>1</eqn>
            <outflow>loss</outflow>
            <non_negative />
          </stock>
          <flow name="loss">
            <eqn>IF TIME &gt; 1 THEN k * x ELSE SMTH1(x, 2)</eqn>
          </flow>
          <aux name="k">
            <eqn>0.5</eqn>
            <range min="0" max="1" />
          </aux>
        </variables>
    >>> read_xmile(text).flows["loss"].equation
    'k * x if time > 1 else smooth(x, 2)'
    """
    names = {ident: _xmile_name(ident, getattr(el, "label", None))
             for ident, el in _elements(model)}
    if dialect not in ("standard", "pysd"):
        raise FormatError(f"unknown XMILE dialect {dialect!r}; expected 'standard' or 'pysd'")
    writer = _Writer(names, f"model {model.name!r}", dialect)
    for element in (*model.flows.values(), *model.auxiliaries.values()):
        body = element.expression.tree.body
        if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and \
                body.func.id == "active_initial":
            writer.active[element.name] = body.args[1]
    root = Element("xmile", {"version": "1.0", "xmlns": XMILE_NAMESPACE})
    header = SubElement(root, "header")
    SubElement(header, "name").text = model.name
    SubElement(header, "vendor").text = "csframework"
    SubElement(header, "product", {"version": _version(), "lang": "en"}).text = "csframework"
    # PySD integrates with Euler whatever a file says; its runs are Euler runs
    method = "Euler" if dialect == "pysd" else {"euler": "Euler", "rk4": "RK4"}[model.method]
    specs = SubElement(root, "sim_specs", {"method": method, "time_units": model.time_unit})
    SubElement(specs, "start").text = _xmile_number(model.start)
    SubElement(specs, "stop").text = _xmile_number(model.stop)
    SubElement(specs, "dt").text = _xmile_number(model.dt)
    model_element = SubElement(root, "model")
    variables = SubElement(model_element, "variables")
    floors = _floor_flows(model)
    clamped = set(floors.values())
    for ident, el in _elements(model):
        if ident in floors:
            continue
        if ident in clamped:  # as read: a non-negative stock, without the helper flow
            el = dataclasses.replace(el, inflows=el.inflows[:-1], non_negative=True)
        _write_element(variables, el, names[ident], writer)
    _write_views(model_element, model, names, set(floors))
    indent(root, space="  ")
    body = tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _view_positions(model: Any, skip: set[str]) -> dict[str, tuple[float, float]]:
    """Every element's position in diagram units: stored, else laid out."""
    from csframework.sd.diagram import layout

    stored = model.positions
    wanted = [ident for ident, el in _elements(model) if ident not in skip]
    computed = layout(model) if any(ident not in stored for ident in wanted) else {}
    return {ident: stored[ident] if ident in stored else computed[ident] for ident in wanted}


def _write_views(parent: Element, model: Any, names: Mapping[str, str], skip: set[str]) -> None:
    """``<views><view>`` with a ``<stock>``, ``<flow>`` or ``<aux>`` at each element's centre.

    A lookup (a standalone XMILE ``<gf>``, which views cannot show) is kept as
    ``<csf:gf>`` in csframework's namespace, which other XMILE readers skip.

    XMILE positions are pixels with y pointing down; the diagram's are em with
    y pointing up. A pixel is ``VIEW_SCALE * (x + origin_x)`` across and
    ``VIEW_SCALE * (origin_y - y)`` down, the origin chosen so that every
    element is at least `_VIEW_MARGIN` em from the top left edges; the origin
    is kept in csframework's namespace so that `read_xmile` gives back the
    exact positions.
    """
    places = _view_positions(model, skip)
    if not places:
        return
    origin_x = float(math.ceil(_VIEW_MARGIN - min(x for x, _ in places.values())))
    origin_y = float(math.ceil(max(y for _, y in places.values()) + _VIEW_MARGIN))
    view = SubElement(SubElement(parent, "views"), "view", {
        "type": "stock_flow", f"{{{VIEWS_NAMESPACE}}}origin_x": _xmile_number(origin_x),
        f"{{{VIEWS_NAMESPACE}}}origin_y": _xmile_number(origin_y)})
    tags = {"stock": "stock", "flow": "flow", "lookup": f"{{{VIEWS_NAMESPACE}}}gf"}
    for ident, (x, y) in places.items():
        kind = model[ident].kind
        SubElement(view, tags.get(kind, "aux"), {
            "name": names[ident], "x": _xmile_number(VIEW_SCALE * (x + origin_x)),
            "y": _xmile_number(VIEW_SCALE * (origin_y - y))})


def _view_number(el: Element, attribute: str, where: str) -> float | None:
    import warnings

    text = el.get(attribute)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e12:
        warnings.warn(f"{where}: <{el.tag} name={el.get('name')!r}> in <views> (line "
                      f"{el.get(_LINE, '?')}) has {attribute}={text!r}, not a finite number "
                      "of pixels; its position is ignored", XmileWarning, stacklevel=5)
        return None
    return value


def _read_views(root: Element, model: Any, variables: list[_Var], where: str) -> None:
    """Put the model's elements where the first ``<view>`` of the file draws them.

    Names the model does not have (connectors, aliases, modules...) are
    ignored, as are entries without a finite x and y (with a warning).
    """
    models = _children(root, "model")
    views = _child(models[0], "views") if models else None
    view = _child(views, "view") if views is not None else None
    if view is None:
        return
    origin_x = _view_number(view, "origin_x", where) or 0.0
    origin_y = _view_number(view, "origin_y", where) or 0.0
    idents = {name_key(var.name): var.ident for var in variables}
    for el in view:
        if el.tag not in ("stock", "flow", "aux", "gf") or el.get("name") is None:
            continue
        ident = idents.get(name_key(el.get("name", "")))
        if ident is None or ident not in model:
            continue
        x, y = _view_number(el, "x", where), _view_number(el, "y", where)
        if x is None or y is None:
            continue
        model.place(ident, x / VIEW_SCALE - origin_x, origin_y - y / VIEW_SCALE)
    # what reading adds (a stock's floor flow, an aux's own lookup) goes next to its owner
    for flow, stock in _floor_flows(model).items():
        if stock in model.positions and flow not in model.positions:
            sx, sy = model.positions[stock]
            model.place(flow, sx, sy + STOCK_ROOM)
    for var in variables:
        if var.table and var.table in model and var.ident in model.positions \
                and var.table not in model.positions:
            ax, ay = model.positions[var.ident]
            model.place(var.table, ax, ay - 2.0)


#: How far above a stock `read_xmile` puts the flow it adds to keep the stock at zero or above.
STOCK_ROOM = 6.0


def _elements(model: Any) -> list[tuple[str, Any]]:
    out = []
    for kind in ("stocks", "flows", "auxiliaries", "constants", "lookups"):
        out.extend(getattr(model, kind).items())
    return out


def _version() -> str:
    from csframework._version import VERSION

    return VERSION


def _write_element(parent: Element, el: Any, name: str, writer: _Writer) -> None:
    kind = el.kind
    if kind == "lookup":
        node = SubElement(parent, "gf", {"name": name})
        if el.extrapolate:
            node.set("type", "extrapolate")
        SubElement(node, "xpts").text = ",".join(_xmile_number(x) for x in el.xs)
        SubElement(node, "ypts").text = ",".join(_xmile_number(y) for y in el.ys)
    else:
        tag = {"stock": "stock", "flow": "flow"}.get(kind, "aux")
        node = SubElement(parent, tag, {"name": name})
        writer.where = f"{kind} {el.name!r}"
        if kind == "stock":
            SubElement(node, "eqn").text = writer.text(el.initial, initial=True)
            for flow in el.inflows:
                SubElement(node, "inflow").text = writer.ref(flow)
            for flow in el.outflows:
                SubElement(node, "outflow").text = writer.ref(flow)
        elif kind == "constant":
            SubElement(node, "eqn").text = _xmile_number(el.value)
        else:
            SubElement(node, "eqn").text = writer.text(el.equation)
        if getattr(el, "non_negative", False):
            SubElement(node, "non_negative")
        # PySD reads a <range> only with both bounds
        if kind == "constant" and el.min is not None and el.max is not None:
            limits = {k: _xmile_number(v) for k, v in (("min", el.min), ("max", el.max))
                      if v is not None}
            SubElement(node, "range", limits)
    _add_text(node, "units", el.units)
    _add_text(node, "doc", el.doc)


def write(model: Any, path: str | Path | None = None, *, dialect: str = "standard") -> str:
    """`to_xmile` (in the given `dialect`), also written atomically to `path` when one is given.

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.constant("c", 1)
    >>> write(m).startswith('<?xml version="1.0" encoding="utf-8"?>')
    True
    """
    text = to_xmile(model, dialect=dialect)
    if path is not None:
        _write_atomically(Path(path), text)
    return text


def _write_atomically(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: `StockFlowModel.from_xmile` calls this.
read = read_xmile

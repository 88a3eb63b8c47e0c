"""Hardened XML: XMILE bytes into an element tree, without DTDs, entities or
external references, within the limits of `csframework.sd.xmile.limits`.

The XML is parsed with :mod:`defusedxml`'s SAX parser into an ElementTree with
local tag names; each element keeps the line it started on (`LINE`). The
elements and their nesting are counted as they arrive, so an oversized
document stops at the limit instead of being built first. A file whose only
fault is an element left unclosed is repaired (`csframework.sd.xmile.repair`).
"""

from __future__ import annotations

import stat
import warnings
import xml.sax
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, TreeBuilder
from xml.sax.handler import ContentHandler

from csframework.errors import FormatError
from csframework.sd.xmile import limits
from csframework.sd.xmile.names import INVISIBLE
from csframework.sd.xmile.repair import close_unclosed

if TYPE_CHECKING:
    from xml.sax.xmlreader import AttributesImpl, Locator

__all__ = [
    "DRAFT_NAMESPACE",
    "LINE",
    "XMILE_NAMESPACE",
    "XmileWarning",
    "check_model_file",
    "load_source",
    "parse_xml",
]

XMILE_NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"

#: The namespace of the XMILE drafts before 1.0 (Stella 10 and several SDXorg test
#: models use it); read like `XMILE_NAMESPACE`.
DRAFT_NAMESPACE = "http://www.systemdynamics.org/XMILE"

#: The attribute in which each parsed element keeps the line it started on.
LINE = "{urn:csframework}line"
_NAMESPACE = "{urn:csframework}namespace"  # the root element's namespace


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
        self._locator: Locator | None = None
        self.where = where
        self.count = 0
        self.depth = 0
        self.max_elements = limits.MAX_ELEMENTS
        self.max_depth = limits.MAX_XML_DEPTH

    def setDocumentLocator(self, locator: Locator) -> None:
        self._locator = locator

    def _line(self) -> str:
        return str(self._locator.getLineNumber()) if self._locator is not None else "?"

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        self.count += 1
        self.depth += 1
        if self.count > self.max_elements:
            raise _Limit(f"{self.where} has more than {self.max_elements:,} XML elements "
                         f"(line {self._line()}); that is the limit MAX_ELEMENTS")
        if self.depth > self.max_depth:
            raise _Limit(f"{self.where} nests XML elements more than {self.max_depth} deep "
                         f"(line {self._line()}); that is the limit MAX_XML_DEPTH")
        attrib = {_local(k): v for k, v in attrs.items()
                  if k != "xmlns" and not k.startswith("xmlns:")}
        attrib[LINE] = self._line()
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


def parse_xml(data: bytes, where: str) -> Element:
    """Parse XMILE bytes without DTDs, entities or external references.

    `where` describes the source in messages (``"XMILE file 'teacup.xmile'"``).

    A file whose only fault is an element left unclosed (a real case in the
    SDXorg suite) is read as if the element closed where its parent closes, as
    lxml's recovering parser (and so PySD) reads it, with an `XmileWarning`
    (at most `MAX_REPAIRS` of them). The repaired text is parsed again with the
    same hardened parser. The sizes are bounded by `MAX_FILE_BYTES`,
    `MAX_ELEMENTS` and `MAX_XML_DEPTH`, and the root element must be
    ``<xmile>`` in the XMILE namespace (or its draft's, or none).
    """
    if len(data) > limits.MAX_FILE_BYTES:
        raise FormatError(f"{where} has {len(data):,} bytes, more than the "
                          f"{limits.MAX_FILE_BYTES:,} read (the limit MAX_FILE_BYTES)")
    try:
        root = _parse_strict(data, where)
    except _Mismatch as exc:
        repaired, notes = close_unclosed(data, where)
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


def load_source(path_or_text: str | Path | bytes) -> tuple[bytes, str, str | None]:
    """The bytes of an XMILE file or text, a description for messages, and the
    file's stem (None for text). A path is checked first (`check_model_file`).
    """
    if isinstance(path_or_text, bytes):
        return path_or_text, "XMILE text", None
    if isinstance(path_or_text, str) and path_or_text.lstrip(INVISIBLE + " \t\r\n") \
            .startswith("<"):
        return path_or_text.lstrip(INVISIBLE).encode("utf-8"), "XMILE text", None
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
    if info.st_size > limits.MAX_FILE_BYTES:
        raise FormatError(f"{what} {str(path)!r} has {info.st_size:,} bytes, more than the "
                          f"{limits.MAX_FILE_BYTES:,} read (the limit MAX_FILE_BYTES)")
    return path

"""Names and numbers as XMILE spells them, and the model identifiers they become.

An XMILE name is compared as it looks (`clean_name`, `name_key`) and becomes
a Python identifier (`python_identifier`); writing goes the other way
(`xmile_name`, `xmile_names`). `xmile_number` is how every number is written.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING

from csframework.sd.expressions import RESERVED_NAMES as _LANGUAGE_NAMES

if TYPE_CHECKING:
    from csframework.sd.model import Element, StockFlowModel

__all__ = [
    "INVISIBLE",
    "RESERVED_NAMES",
    "clean_name",
    "model_elements",
    "name_key",
    "python_identifier",
    "unescape",
    "unquote",
    "xmile_name",
    "xmile_names",
    "xmile_number",
]

#: Names the model's equation language keeps for itself; a variable never gets one.
RESERVED_NAMES = frozenset({
    "time", "dt", "pi", "e", "inf", "nan", "true", "false",
    "min", "max", "abs", "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos",
    "atan", "floor", "int", "modulo", "step", "pulse", "ramp", "smooth", "smooth3", "delay1",
    "delay3", "delay_fixed", "init", "safediv", "lookup", "if_then_else", "round", "sum",
})

#: Characters that show nothing: a byte order mark and the zero-width characters.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE))
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



def unquote(name: str) -> str:
    """``"Heat Loss"`` -> ``Heat Loss``: inflow and outflow names may be quoted.

    Examples
    --------
    >>> unquote('"Heat\\\\"s Loss"'), unquote(" Drain ")
    ('Heat"s Loss', 'Drain')
    """
    name = clean_name(name).strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return re.sub(r"\\(.)", unescape, name[1:-1])
    return name


def unescape(m: re.Match[str]) -> str:
    r"""The character a backslash escape in a quoted XMILE name stands for.

    ``\n`` stays the two characters ``\n`` (a line break in a name, see
    `name_key`); any other ``\x`` is ``x``. Used with `re.sub`.
    """
    return "\\n" if m.group(1) == "n" else m.group(1)


def xmile_name(ident: str, label: str | None) -> str:
    """The name an element is written under: its label when that reads back to the
    same identifier, else the identifier.

    Examples
    --------
    >>> xmile_name("room_temperature", "Room  Temperature"), xmile_name("x", "Size (m)")
    ('Room Temperature', 'x')
    """
    if label and re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]*", label) \
            and python_identifier(label) == ident:
        return " ".join(label.split())
    return ident


def model_elements(model: StockFlowModel) -> list[tuple[str, Element]]:
    """Every element of `model` with its identifier, in the order XMILE writes them:
    stocks, flows, auxiliaries, constants, lookups.

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.constant("c", 1)
    >>> _ = m.auxiliary("a", "2 * c")
    >>> [ident for ident, _ in model_elements(m)]
    ['a', 'c']
    """
    out: list[tuple[str, Element]] = []
    for kind in ("stocks", "flows", "auxiliaries", "constants", "lookups"):
        out.extend(getattr(model, kind).items())
    return out


def xmile_names(model: StockFlowModel) -> dict[str, str]:
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



def xmile_number(value: float) -> str:
    """A number as XMILE text: whole numbers without a decimal point.

    Examples
    --------
    >>> xmile_number(3.0), xmile_number(0.125), xmile_number(True)
    ('3', '0.125', '1')
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))

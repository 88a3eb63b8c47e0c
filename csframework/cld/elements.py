"""The parts of a causal loop diagram: polarities, variables, links, and how text is checked.

This is the bottom of :mod:`csframework.cld`: plain data and the checks every
name, note and coordinate passes before it enters a diagram. The ``clean_*``
helpers are shared by the diagram itself and by the file readers in
:mod:`csframework.cld.formats`; each raises a :class:`~csframework.errors.DiagramError`
(or :class:`~csframework.errors.UnknownNameError`) that says what is wrong and where.

Examples
--------
>>> from csframework.cld.elements import Link, Polarity
>>> Link("effort", "results", Polarity.parse("same"))
Link('effort' -> 'results', '+')
"""

from __future__ import annotations

import enum
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass

from csframework.errors import DiagramError, UnknownNameError

__all__ = ["FACETS", "Link", "Polarity", "Variable", "coordinate", "normalise_name",
           "quote_name"]

#: The three facets of systems awareness a variable can belong to.
FACETS = ("self", "others", "world")


class Polarity(enum.Enum):
    """The direction in which an effect follows its cause."""

    POSITIVE = "+"
    NEGATIVE = "-"

    @property
    def sign(self) -> str:
        """``"+"`` or ``"-"``."""
        return self.value

    @property
    def word(self) -> str:
        """``"same"`` or ``"opposite"``, as said aloud."""
        return "same" if self is Polarity.POSITIVE else "opposite"

    @classmethod
    def parse(cls, value: object, *, where: str = "") -> Polarity:
        """Read a polarity written any of the accepted ways.

        Accepted: ``+``, ``-``, the Unicode minus ``−``, ``s``/``o``,
        ``same``/``opposite``, ``positive``/``negative``, ``1``/``-1`` and a
        :class:`Polarity` itself.

        Examples
        --------
        >>> Polarity.parse("o")
        <Polarity.NEGATIVE: '-'>
        >>> Polarity.parse("same").sign
        '+'
        """
        if isinstance(value, Polarity):
            return value
        key = str(value).strip().lower()
        try:
            return POLARITY_WORDS[key]
        except KeyError:
            place = f" {where}" if where else ""
            raise DiagramError(
                f"unknown polarity {value!r}{place}; expected '+' or '-' "
                "(also accepted: 's'/'o', 'same'/'opposite')"
            ) from None


POLARITY_WORDS = {
    "+": Polarity.POSITIVE, "s": Polarity.POSITIVE, "same": Polarity.POSITIVE,
    "positive": Polarity.POSITIVE, "1": Polarity.POSITIVE, "+1": Polarity.POSITIVE,
    "-": Polarity.NEGATIVE, "\u2212": Polarity.NEGATIVE, "\u2013": Polarity.NEGATIVE,
    "o": Polarity.NEGATIVE, "opposite": Polarity.NEGATIVE, "negative": Polarity.NEGATIVE,
    "-1": Polarity.NEGATIVE,
}


@dataclass(frozen=True)
class Variable:
    """A variable of a diagram: something that can rise or fall.

    Parameters
    ----------
    name : str
        What the variable is called, e.g. ``"trust"``.
    facet : {"self", "others", "world"} or None
        Which facet of systems awareness it belongs to.
    note : str or None
        A participant's note about it.
    label : str or None
        What the drawing shows instead of the name, e.g. ``"customer demand"``
        for a model's ``customer_demand`` (see ``StockFlowModel.to_cld``).
    """

    name: str
    facet: str | None = None
    note: str | None = None
    label: str | None = None

    @property
    def display(self) -> str:
        """What a reader sees: the label if there is one, else the name."""
        return self.label or self.name

    def __repr__(self) -> str:
        facet = f", facet={self.facet!r}" if self.facet else ""
        return f"Variable({self.name!r}{facet})"


@dataclass(frozen=True)
class Link:
    """A causal link from `cause` to `effect` with a polarity and an optional delay."""

    cause: str
    effect: str
    polarity: Polarity
    delay: bool = False
    note: str | None = None

    @property
    def is_negative(self) -> bool:
        """Whether the effect moves opposite to the cause."""
        return self.polarity is Polarity.NEGATIVE

    @property
    def sign(self) -> str:
        """The polarity as ``"+"`` or ``"-"``."""
        return self.polarity.sign

    def to_text(self) -> str:
        """This link in the text notation.

        Examples
        --------
        >>> Link("effort", "results", Polarity.POSITIVE, delay=True).to_text()
        'effort -> results : + delay'
        """
        return (f"{quote_name(self.cause)} -> {quote_name(self.effect)} : {self.sign}"
                + (" delay" if self.delay else ""))

    def __repr__(self) -> str:
        delay = ", delay" if self.delay else ""
        return f"Link({self.cause!r} -> {self.effect!r}, {self.sign!r}{delay})"



#: Invisible characters removed from names: byte order mark, zero-width space,
#: non-joiner and joiner, word joiner, soft hyphen, left/right marks, Mongolian
#: vowel separator. Text that looks the same is the same name.
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u180e"))

#: Characters refused in any text of a diagram: lone surrogates (half of a
#: character, which cannot be saved as UTF-8), control characters other than
#: tab and line breaks, and the bidirectional overrides that make text read
#: differently from how it is stored.
REFUSED = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f"
                      "\u202a-\u202e\u2066-\u2069]")


def describe_character(ch: str) -> str:
    """How an error message names the refused character `ch`.

    Examples
    --------
    >>> describe_character("\x07")
    'the invisible control character U+0007 (control)'
    """
    code = f"U+{ord(ch):04X}"
    if "\ud800" <= ch <= "\udfff":
        return f"a lone surrogate ({code}, half of a character that was cut in two)"
    return f"the invisible control character {code} ({unicodedata.name(ch, 'control')})"


def check_text(text: str, *, what: str, where: str) -> str:
    """`text` without invisible characters, in NFC; refuses surrogates and controls.

    Examples
    --------
    >>> check_text("cafe\u0301\u200b", what="the note", where="of 'a'")
    'café'
    >>> check_text("a\u202eb", what="the note", where="of 'a'")
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: the note of 'a' contains the invisible control character \
U+202E (RIGHT-TO-LEFT OVERRIDE) at position 1; retype it with ordinary characters
    """
    text = text.translate(INVISIBLE)
    bad = REFUSED.search(text)
    if bad is not None:
        raise DiagramError(
            f"{what} {where} contains {describe_character(bad.group())} at position {bad.start()}; "
            "retype it with ordinary characters"
        )
    return unicodedata.normalize("NFC", text)


def normalise_name(name: str) -> str:
    """The form a name is stored in: invisible characters removed, NFC, single spaces.

    Used for lookups, so that ``"trust\u200b"`` finds ``"trust"``. It never raises;
    names are *checked* when they are added.

    Examples
    --------
    >>> normalise_name("\ufeffcafe\u0301  culture\u200b")
    'café culture'
    """
    return " ".join(unicodedata.normalize("NFC", name.translate(INVISIBLE)).split())


def clean_name(name: object, *, where: str) -> str:
    """A variable's name as stored: checked text, single spaces, not empty.

    Examples
    --------
    >>> clean_name("  team   trust ", where="given to add_variable()")
    'team trust'
    >>> clean_name(" ", where="given to add_variable()")
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: empty variable name given to add_variable(); give every \
variable a name
    """
    if not isinstance(name, str):
        raise DiagramError(f"a variable name must be text, got {name!r} {where}")
    cleaned = " ".join(check_text(name, what="the variable name", where=where).split())
    if not cleaned:
        raise DiagramError(f"empty variable name {where}; give every variable a name")
    return cleaned


def clean_text(value: object, *, what: str, where: str, one_line: bool = False) -> str | None:
    """A note, story or title: None stays None; text is checked and normalised.

    Examples
    --------
    >>> clean_text("the  long\\n story", what="the story", where="of R1", one_line=True)
    'the long story'
    >>> clean_text(None, what="the note", where="of 'a'") is None
    True
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise DiagramError(f"{what} {where} must be text, got {type(value).__name__} {value!r}")
    text = check_text(value, what=what, where=where)
    return " ".join(text.split()) if one_line else text


def lookup_key(name: object) -> object:
    """The key a name is looked up by (:func:`normalise_name` for text, else as given).

    Examples
    --------
    >>> lookup_key("trust\u200b"), lookup_key(3)
    ('trust', 3)
    """
    return normalise_name(name) if isinstance(name, str) else name


def clean_delay(delay: object, *, where: str) -> bool:
    """A link's delay as a bool; only True, False or a numpy bool is accepted.

    Examples
    --------
    >>> clean_delay(True, where="on the link 'a' -> 'b'")
    True
    >>> clean_delay("no", where="on the link 'a' -> 'b'")
    Traceback (most recent call last):
    ...
    csframework.errors.DiagramError: delay on the link 'a' -> 'b' must be True or False, got \
'no' (text is not read as a yes or no)
    """
    if isinstance(delay, bool):
        return delay
    if getattr(delay, "shape", None) == () and str(getattr(delay, "dtype", "")) == "bool":
        return bool(delay)  # a numpy bool
    raise DiagramError(
        f"delay {where} must be True or False, got {delay!r}"
        + (" (text is not read as a yes or no)" if isinstance(delay, str) else "")
    )


def coordinate(value: object, *, axis: str, where: str) -> float:
    """`value` as a finite float, or a DiagramError naming `axis` and `where`.

    Examples
    --------
    >>> coordinate(2, axis="x", where="for 'trust'")
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DiagramError(f"{axis} {where} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise DiagramError(f"{axis} {where} must be a finite number, got {value!r}")
    return number


def clean_facet(facet: object, *, where: str) -> str | None:
    """A facet as stored: one of :data:`FACETS` in lower case, or None.

    Examples
    --------
    >>> clean_facet(" World ", where="variable 'a'"), clean_facet("", where="variable 'a'")
    ('world', None)
    """
    if facet is None or facet == "":
        return None
    key = str(facet).strip().lower()
    if key not in FACETS:
        raise UnknownNameError(str(facet), FACETS, kind="facet", where=where)
    return key


_NEEDS_QUOTES = re.compile(r'[#:"\\]|->|→|=>')


def quote_name(name: str) -> str:
    """`name` as written in the text notation: in double quotes when it needs them.

    Examples
    --------
    >>> quote_name("trust"), quote_name('# of "pupils"')
    ('trust', '"# of \\\\"pupils\\\\""')
    """
    if not _NEEDS_QUOTES.search(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


"""What the journal stores: entries, their attachments, and the checks on what is written.

Every value a participant gives the journal passes through here before it is
stored: the session (parsed by :func:`csframework.curriculum.session_number`),
the prompt id, the domain, the text and the attachments; and every stored row is
checked here before it becomes an :class:`Entry` again.

Examples
--------
>>> session_number("session07", "here"), session_key(0)
(7, 'start-here')
>>> make_attachments({"counts": {"R": 1}}, "here")
(Attachment('counts', kind='json'),)
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from csframework import curriculum
from csframework._text import normalise
from csframework.errors import JournalError, UnknownNameError, close_matches

__all__ = [
    "CLD_SCHEMA",
    "COLUMNS",
    "DOMAINS",
    "DOMAIN_QUESTIONS",
    "MAX_ENTRY_BYTES",
    "PROMPT_PATTERN",
    "SESSIONS",
    "Attachment",
    "Entry",
    "JournalInputError",
    "UnknownSessionError",
    "check_size",
    "checked_domain",
    "checked_prompt",
    "checked_text",
    "entry_from_row",
    "make_attachments",
    "row_problem",
    "session_key",
    "session_number",
]

MAX_ENTRY_BYTES = 5 * 1024 * 1024
SESSIONS = tuple(range(15))
#: The mandala domains, in their order (their questions are :data:`DOMAIN_QUESTIONS`).
DOMAINS = tuple(curriculum.DOMAINS)
DOMAIN_QUESTIONS = curriculum.DOMAINS
#: What a prompt id looks like: a slug of 1 to 64 characters.
PROMPT_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
#: The schema of a causal loop diagram's JSON (shown as a drawing in a portfolio).
CLD_SCHEMA = "csframework.cld"
#: The columns of the entries table, in the order rows are read.
COLUMNS = "id, session, prompt_id, version, text, time, domain, attachments"
_SESSION_WORDS = {"starthere": "start-here", "start": "start-here"}


class JournalInputError(JournalError, ValueError):
    """A value given to the journal cannot be stored (text, prompt id, attachment, domain).

    Also a ``ValueError``, so ``except ValueError`` catches it.
    """


class UnknownSessionError(JournalError, curriculum.UnknownSessionError):
    """A session that is not one of 0-14 or their keys; the message lists the valid ones.

    Both a JournalError and :class:`csframework.curriculum.UnknownSessionError` (a
    ``KeyError``); the message names where the session was given.
    """

    def __init__(self, value: object, where: str):
        keys = [session_key(n) for n in SESSIONS]
        UnknownNameError.__init__(self, str(value), keys, kind="session", where=where)
        hint = _session_hint(value)
        maybe = f" (did you mean {hint!r}?)" if hint else ""
        self.message = (f"unknown session {value!r} in {where}{maybe}; valid sessions are the "
                        "numbers 0 (start here) to 14, or the keys 'start-here', 'session01', "
                        "..., 'session14'")
        self.args = (self.message,)


# -- sessions, prompts, domains ---------------------------------------------------------

def session_key(number: int) -> str:
    """The key of a session number: ``"start-here"`` for 0, ``"session07"`` for 7.

    Examples
    --------
    >>> session_key(0), session_key(7)
    ('start-here', 'session07')
    """
    return curriculum.session(number).key


def _session_hint(value: object) -> str | None:
    """A likely key for a misspelt session ('sesion3' -> 'session03')."""
    if not isinstance(value, str):
        return None
    digits = re.findall(r"\d+", value)
    if len(digits) == 1 and int(digits[0]) in SESSIONS:
        return session_key(int(digits[0]))
    found = close_matches(value, [session_key(n) for n in SESSIONS], n=1)
    return found[0] if found else None


def session_number(value: object, where: str) -> int:
    """The number of a session given as a number or a key; UnknownSessionError naming `where`.

    Besides what :func:`csframework.curriculum.session_number` reads, the journal
    takes ``"start"``, ``"Start_Here"``, ``"session 07"`` and integer types such as
    NumPy's.

    Examples
    --------
    >>> session_number("Session 7", "here"), session_number("start", "here")
    (7, 0)
    """
    given = value
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-").replace(" ", "")
        value = _SESSION_WORDS.get(key, key)
    elif not isinstance(value, (bool, int)):
        try:
            value = operator.index(value)
        except Exception:  # not an integer of any kind (a hostile __index__ included)
            raise UnknownSessionError(given, where) from None
    try:
        return curriculum.session_number(value)
    except curriculum.UnknownSessionError:
        raise UnknownSessionError(given, where) from None


def checked_prompt(value: object, where: str) -> str:
    """`value` if it is a prompt slug; else a JournalInputError suggesting one."""
    if isinstance(value, str) and PROMPT_PATTERN.fullmatch(value):
        return value
    slug = "-".join(re.findall(r"[a-z0-9]+", str(value).lower()))[:64]
    hint = f"; did you mean {slug!r}?" if slug and isinstance(value, str) else ""
    raise JournalInputError(
        f"bad prompt id {value!r} in {where}: a prompt id is a short slug of 1 to 64 lowercase "
        f"letters, digits, '-', '_' or '.', starting and ending with a letter or digit{hint}")


def checked_domain(value: object, where: str) -> str | None:
    """The mandala domain `value` names (case, ``-`` and ``_`` do not matter), or None."""
    if value is None:
        return None
    key = normalise(value)
    key = {"community building": "community"}.get(key, key)
    if isinstance(value, str) and key in DOMAINS:
        return key
    hint = close_matches(str(value), DOMAINS, n=1)
    maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise JournalInputError(
        f"unknown mandala domain {value!r} in {where}{maybe}; the domains are "
        + ", ".join(repr(d) for d in DOMAINS) + ", or None")


def checked_text(value: object, where: str) -> str:
    """`value` if it is a str with a visible character; else a JournalInputError."""
    if not isinstance(value, str):
        raise JournalInputError(f"the text in {where} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise JournalInputError(f"the text in {where} is empty ({value!r}); write something "
                                "first (an entry needs at least one visible character)")
    return value


# -- attachments --------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    """Something saved with an entry: a diagram, an iceberg, a note.

    Attributes
    ----------
    name : str
        The name it was given in ``write(..., attachments={name: ...})``.
    kind : str
        The JSON ``"schema"`` when the content has one (``"csframework.cld"`` for a
        diagram), else the class name of an object saved through its
        ``to_json()``, else ``"json"`` for plain data or ``"text"`` for a str.
    content : str
        Exactly what was stored: JSON text, or the str as given.
    is_json : bool
        Whether `content` is JSON written by the journal (``value`` parses it).

    Examples
    --------
    >>> a = Attachment("counts", "json", '{"a": 1}', True)
    >>> a.value
    {'a': 1}
    >>> a
    Attachment('counts', kind='json')
    """

    name: str
    kind: str
    content: str
    is_json: bool

    @property
    def value(self) -> Any:
        """The data: parsed JSON when `is_json`, otherwise the str itself."""
        return json.loads(self.content) if self.is_json else self.content

    def json_data(self) -> Any | None:
        """The content parsed as JSON if it is JSON (also a str holding JSON), else None."""
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, kind={self.kind!r})"

    def to_dict(self) -> dict[str, Any]:
        """The attachment as the journal stores it (name, kind, content, json)."""
        return {"name": self.name, "kind": self.kind, "content": self.content,
                "json": self.is_json}


def _schema_of(content: str) -> str | None:
    try:
        data = json.loads(content)
    except ValueError:
        return None
    schema = data.get("schema") if isinstance(data, dict) else None
    return schema if isinstance(schema, str) and schema else None


def _dumps(value: Any, name: str, where: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=False)
    except (TypeError, ValueError) as err:
        raise JournalInputError(
            f"attachment {name!r} in {where} is not JSON-able ({err}); give a str, plain data "
            "(dict, list, str, int, float, bool, None; no NaN or infinity) or an object with "
            "a to_json() method") from None


def _attachment(name: object, value: object, where: str) -> Attachment:
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise JournalInputError(f"bad attachment name {name!r} in {where}: names are "
                                "non-empty str of at most 100 characters")
    if isinstance(value, str):
        return Attachment(name, _schema_of(value) or "text", value, False)
    if callable(getattr(value, "to_json", None)):
        produced = value.to_json()
        content = produced if isinstance(produced, str) else _dumps(produced, name, where)
        try:
            json.loads(content)
        except ValueError:
            raise JournalInputError(f"attachment {name!r} in {where}: "
                                    f"{type(value).__name__}.to_json() did not return JSON"
                                    ) from None
        return Attachment(name, _schema_of(content) or type(value).__name__, content, True)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise JournalInputError(f"attachment {name!r} in {where} is {type(value).__name__}; "
                                "the journal stores text and JSON, not raw bytes")
    content = _dumps(value, name, where)
    return Attachment(name, _schema_of(content) or "json", content, True)


def make_attachments(value: object, where: str) -> tuple[Attachment, ...]:
    """The attachments of ``write(..., attachments=value)``, checked; () for None."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise JournalInputError(f"attachments in {where} must be a dict of name -> value, "
                                f"not {type(value).__name__}")
    return tuple(_attachment(name, item, where) for name, item in value.items())


def check_size(text: str, attachments: tuple[Attachment, ...], where: str) -> None:
    """Refuse an entry over :data:`MAX_ENTRY_BYTES` (text and attachments, UTF-8)."""
    try:
        sizes = [len(text.encode("utf-8"))]
        sizes += [len(a.content.encode("utf-8")) + len(a.name) for a in attachments]
    except UnicodeEncodeError as err:
        raise JournalInputError(f"the entry in {where} holds characters that cannot be "
                                f"stored as UTF-8 ({err.reason})") from None
    total = sum(sizes)
    if total > MAX_ENTRY_BYTES:
        biggest = max(attachments, key=lambda a: len(a.content), default=None)
        detail = f"; the largest attachment is {biggest.name!r}" if biggest else ""
        raise JournalInputError(
            f"the entry in {where} is {total / 1e6:.1f} MB (text and attachments); the limit "
            f"is {MAX_ENTRY_BYTES // (1024 * 1024)} MB per entry{detail}")


# -- entries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One saved version of an answer to a prompt. Immutable.

    Attributes
    ----------
    id : int
        Its row number in the journal (increases with every write).
    session : int
        0 (start here) to 14.
    prompt_id : str
        The prompt's slug, e.g. ``"check-out"``.
    version : int
        1 for the first answer to this prompt, 2 for the first edit, ...
    text : str
        What the participant wrote, exactly.
    time : str
        When it was saved: UTC, ISO 8601 with the timezone
        (``2024-06-24T09:30:00.000000+00:00``).
    domain : str or None
        One of :data:`DOMAINS`, or None.
    attachments : tuple of Attachment
        In the order given.

    Examples
    --------
    >>> Entry(3, 7, "check-out", 2, "Delays fooled me twice.", "2024-12-01T10:00:00+00:00")
    Entry(session=7, prompt_id='check-out', version=2, text='Delays fooled me twice.')
    """

    id: int
    session: int
    prompt_id: str
    version: int
    text: str
    time: str
    domain: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def timestamp(self) -> datetime:
        """`time` as an aware :class:`datetime.datetime`."""
        return datetime.fromisoformat(self.time)

    def attachment(self, name: str) -> Attachment:
        """The attachment called `name`; UnknownNameError (a KeyError) if none."""
        for item in self.attachments:
            if item.name == name:
                return item
        raise UnknownNameError(name, [a.name for a in self.attachments], kind="attachment",
                               where=f"entry {self.session}/{self.prompt_id} v{self.version}")

    def __repr__(self) -> str:
        text = " ".join(self.text.split())
        text = text if len(text) <= 40 else text[:39] + "…"
        return (f"Entry(session={self.session}, prompt_id={self.prompt_id!r}, "
                f"version={self.version}, text={text!r})")



def row_problem(row: tuple[Any, ...]) -> str | None:
    """Why a stored row is not a journal entry (a hand-edited or damaged file); None if it is."""
    row_id, session, prompt, version, text, time, domain, stored = row

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    checks = [
        (whole(row_id), "its id is not a whole number"),
        (whole(session) and session in SESSIONS, f"its session {session!r} is not 0 to 14"),
        (isinstance(prompt, str) and PROMPT_PATTERN.fullmatch(prompt) is not None,
         f"its prompt id {prompt!r} is not a prompt slug"),
        (whole(version) and version >= 1, f"its version {version!r} is not 1 or more"),
        (isinstance(text, str), f"its text is {type(text).__name__}, not text"),
        (domain is None or domain in DOMAINS, f"its domain {domain!r} is not a mandala domain"),
    ]
    for ok, problem in checks:
        if not ok:
            return problem
    try:
        when = datetime.fromisoformat(time)
        if when.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        return f"its time {time!r} is not an ISO 8601 time with a timezone"
    if not _stored_attachments_ok(stored):
        return "its attachments are not in the journal's format"
    return None


def _stored_attachments_ok(stored: object) -> bool:
    try:
        items = json.loads(stored)  # type: ignore[arg-type]
        if not isinstance(items, list):
            return False
        for item in items:
            if not (isinstance(item, dict) and isinstance(item.get("json"), bool) and all(
                    isinstance(item.get(k), str) for k in ("name", "kind", "content"))):
                return False
            if item["json"]:
                json.loads(item["content"])
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def entry_from_row(row: tuple[Any, ...], where: Path) -> Entry:
    """The Entry a stored row holds; a JournalError naming the row if it is not one."""
    problem = row_problem(row)
    if problem:
        raise JournalError(
            f"entry #{row[0]} of the journal {where} cannot be read: {problem}. The journal "
            "was probably changed outside csframework; Journal.salvage() (or 'csframework "
            "journal salvage') copies every entry that can be read into a fresh journal and "
            "lists the others")
    attachments = tuple(Attachment(a["name"], a["kind"], a["content"], a["json"])
                        for a in json.loads(row[7]))
    return Entry(*row[:7], attachments=attachments)

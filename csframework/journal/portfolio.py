"""The portfolio: a journal's entries as Markdown or as one self-contained HTML page.

Both group the entries by the four domains of the Mandala for Systems Change and
then by session. Everything a participant wrote is made inert: escaped for HTML
(the page comes from the ``portfolio.html.j2`` template, autoescaped), and
escaped for Markdown so that no link or image can be formed from it.

Examples
--------
>>> session_title(7)
'Session 7: Feedback loops and delays'
>>> markdown((), None).splitlines()[:3]
['# Reflection portfolio', '', 'No entries yet.']
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from csframework import _html, curriculum
from csframework._atomic import write_atomic
from csframework._text import plural
from csframework.errors import JournalError
from csframework.journal.database import (
    backup_folder,
    database_header,
    expand_path,
    refuse_special,
    same_file,
)
from csframework.journal.entries import CLD_SCHEMA, DOMAIN_QUESTIONS, DOMAINS, Attachment, Entry

__all__ = [
    "EXPORT_MODE",
    "export_target",
    "is_journal_file",
    "is_stream",
    "markdown",
    "render_html",
    "session_title",
    "write_markdown",
]

EXPORT_MODE = 0o600  # portfolios hold private reflections too: the owner decides to share


_PORTFOLIO_TITLE = "Reflection portfolio"
_UNPLACED = "not yet placed in a domain"


@dataclass(frozen=True)
class _Shown:
    """How one attachment appears in a portfolio: an optional PNG, then a text block."""

    name: str
    png: bytes | None
    text: str
    caption: str
    language: str = ""


def session_title(number: int) -> str:
    """``"Start here: ..."`` or ``"Session 7: ..."``: the session and its theme."""
    base = "Start here" if number == 0 else f"Session {number}"
    theme = curriculum.session(number).theme
    return f"{base}: {theme}" if theme else base


def _anchor(entry: Entry) -> str:
    return f"s{entry.session:02d}-{entry.prompt_id}"


def _show_diagram(attachment: Attachment, draw: bool) -> _Shown | None:
    from csframework.cld import CausalLoopDiagram

    try:
        cld = CausalLoopDiagram.from_json(attachment.content)
        notation = cld.to_text()
    except Exception:  # unreadable diagram JSON: shown as JSON text instead
        return None
    try:
        png = cld.to_png() if draw else None
    except Exception:  # drawing unavailable: the text notation still shows the diagram
        png = None
    title = f" {cld.title!r}" if cld.title else ""
    caption = (f"causal loop diagram{title}" if png else
               f"causal loop diagram{title} (in text notation; the drawing was unavailable)"
               if draw else f"causal loop diagram{title} (in text notation)")
    return _Shown(attachment.name, png, notation, caption)


def _show(attachment: Attachment, draw: bool = True) -> _Shown:
    data = attachment.json_data() if attachment.kind == CLD_SCHEMA else None
    if isinstance(data, dict):
        shown = _show_diagram(attachment, draw)
        if shown is not None:
            return shown
    if attachment.is_json:
        text = json.dumps(json.loads(attachment.content), indent=2, ensure_ascii=False)
    else:
        text = attachment.content
    language = "json" if attachment.json_data() is not None else ""
    return _Shown(attachment.name, None, text, attachment.kind, language)


def _by_domain(entries: tuple[Entry, ...]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = {d: [] for d in (*DOMAINS, _UNPLACED)}
    for entry in entries:
        groups[entry.domain or _UNPLACED].append(entry)
    return groups


def _first_line(text: str, limit: int = 80) -> str:
    line = " ".join(text.strip().splitlines()[0].split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _meta_line(entry: Entry) -> str:
    when = entry.timestamp.strftime("%Y-%m-%d %H:%M UTC")
    domain = entry.domain or _UNPLACED
    edited = f"version {entry.version}" if entry.version > 1 else "first version"
    return f"{when} · {edited} · {domain}"


def _summary(entries: tuple[Entry, ...]) -> str:
    if not entries:
        return "No entries yet."
    sessions = len({e.session for e in entries})
    last = max(e.time for e in entries)[:10]
    return (f"{plural(len(entries), 'entry', 'entries')} from {plural(sessions, 'session')}; "
            f"last written {last}.")


# Markdown ---------------------------------------------------------------------------------

_MD_LINK_CHARS = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]"})


def _md_inline(text: str) -> str:
    """Text from a participant or a file, made inert for Markdown.

    HTML is escaped (no tags, no autolinks like ``<javascript:...>``, no entity
    tricks) and so are backslashes and square brackets, so no link, image or
    link definition can be formed: a ``[click](javascript:...)`` or a remote
    ``![](https://...)`` shows as the text it is.

    Examples
    --------
    >>> _md_inline("[click](javascript:alert(1)) <b>bold</b>")
    '\\\\[click\\\\](javascript:alert(1)) &lt;b&gt;bold&lt;/b&gt;'
    """
    return html.escape(text, quote=False).translate(_MD_LINK_CHARS)


def _md_text(text: str) -> str:
    """Participant text for Markdown: made inert (see _md_inline), line breaks kept."""
    escaped = _md_inline(text.strip("\n"))
    return "\n".join(line.rstrip() + ("  " if line.strip() else "")
                     for line in escaped.splitlines()).rstrip()


def _md_code(text: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _md_attachment(shown: _Shown, image: str | None) -> list[str]:
    caption = _md_inline(shown.caption)
    out = [f"**{_md_inline(shown.name)}** ({caption})", ""]
    if image:
        out += [f"![{caption}]({image})", ""]
    out += [_md_code(shown.text, shown.language), ""]
    return out


def _md_domains(entries: tuple[Entry, ...]) -> list[str]:
    out = ["## The Mandala for Systems Change", ""]
    for domain, group in _by_domain(entries).items():
        if domain == _UNPLACED and not group:
            continue
        out += [f"### {domain.capitalize()}", ""]
        if domain in DOMAIN_QUESTIONS:
            out += [f"*{DOMAIN_QUESTIONS[domain]}*", ""]
        out += [f"- {session_title(e.session)}, `{e.prompt_id}`: "
                f"{_md_inline(_first_line(e.text))}" for e in group]
        out += [""] if group else ["*Nothing here yet.*", ""]
    return out


def markdown(entries: tuple[Entry, ...], image_link: Callable[[bytes], str] | None) -> str:
    """The portfolio as Markdown; diagrams as images via `image_link`, or as text if None."""
    out = [f"# {_PORTFOLIO_TITLE}", "", _summary(entries), ""]
    if entries:
        out += _md_domains(entries)
        out += ["## Sessions", ""]
    session = None
    for entry in entries:
        if entry.session != session:
            session = entry.session
            out += [f"### {session_title(session)}", ""]
        out += [f"#### {entry.prompt_id}", "", f"*{_meta_line(entry)}*", "",
                _md_text(entry.text), ""]
        for attachment in entry.attachments:
            shown = _show(attachment, draw=image_link is not None)
            out += _md_attachment(shown, image_link(shown.png) if image_link and shown.png
                                  else None)
    return "\n".join(out).rstrip() + "\n"


_IMAGE_NAME = re.compile(r"diagram-[0-9a-f]{16}\.png")


def write_markdown(entries: tuple[Entry, ...], target: Path) -> Path:
    """Images first (content-addressed, atomic), then the .md, then unused images go."""
    folder = target.with_name(f"{target.stem}_files")
    used: set[str] = set()

    def image_link(png: bytes) -> str:
        name = f"diagram-{hashlib.sha256(png).hexdigest()[:16]}.png"
        if not (folder / name).exists():
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            write_atomic(folder / name, png, mode=EXPORT_MODE)
        used.add(name)
        return f"{quote(folder.name)}/{name}"

    write_atomic(target, markdown(entries, image_link), mode=EXPORT_MODE)
    if folder.is_dir():
        for stale in folder.iterdir():
            if _IMAGE_NAME.fullmatch(stale.name) and stale.name not in used:
                stale.unlink()
    return target


# HTML -------------------------------------------------------------------------------------

def _html_attachment(shown: _Shown) -> dict[str, Any]:
    image = _png_data_uri(shown.png) if shown.png else ""
    return {"name": shown.name, "caption": shown.caption, "image": image, "text": shown.text}


def _html_entry(entry: Entry) -> dict[str, Any]:
    return {"anchor": _anchor(entry), "prompt_id": entry.prompt_id, "meta": _meta_line(entry),
            "text": entry.text.strip("\n"),
            "attachments": [_html_attachment(_show(a)) for a in entry.attachments]}


def render_html(entries: tuple[Entry, ...]) -> str:
    """The portfolio as one self-contained HTML page (inline CSS, data: images, no scripts)."""
    domains = [{"name": domain.capitalize(), "question": DOMAIN_QUESTIONS.get(domain),
                "links": [{"anchor": _anchor(e), "session": session_title(e.session),
                           "prompt_id": e.prompt_id, "line": _first_line(e.text)}
                          for e in group]}
               for domain, group in _by_domain(entries).items()
               if group or domain != _UNPLACED]
    sessions: list[dict[str, Any]] = []
    for entry in entries:
        if not sessions or sessions[-1]["number"] != entry.session:
            sessions.append({"number": entry.session, "title": session_title(entry.session),
                             "entries": []})
        sessions[-1]["entries"].append(_html_entry(entry))
    return _html.page("portfolio.html.j2", _PORTFOLIO_TITLE, summary=_summary(entries),
                      domains=domains if entries else [], sessions=sessions)


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# -- where an export may go -------------------------------------------------------------------


def is_stream(value: object) -> bool:
    """Whether `value` is a text stream to write to (not a path)."""
    return callable(getattr(value, "write", None)) and not isinstance(value, (str, os.PathLike))


def is_journal_file(target: Path, journal: Path) -> bool:
    """Whether `target` is the journal, its -wal/-shm, a .bak set aside, or in its backups."""
    real = Path(os.path.realpath(journal))
    if target.parent == real.parent and (target.name == real.name or any(
            target.name.startswith(real.name + end) for end in ("-wal", "-shm", ".bak"))):
        return True
    if target.parent == backup_folder(real):
        return True
    owned = [real, Path(f"{real}-wal"), Path(f"{real}-shm"), journal]
    return any(target == p or same_file(target, p) for p in owned)


def export_target(path: str | os.PathLike[str], journal: Path) -> Path:
    """The file an export really writes (links followed); refuse what must not be replaced."""
    given = expand_path(path, "the export path")
    target = Path(os.path.realpath(given))
    shown = f"{given}" + (f" (a link to {target})" if given.is_symlink() else "")
    if target.is_dir():
        raise JournalError(f"cannot export to {shown}: it is a folder; give a file name "
                           f"such as {given / 'portfolio.html'}")
    refuse_special(target, "the export target", "export to a regular file, or to '-' "
                    "(standard output) on the command line")
    if is_journal_file(target, journal):
        raise JournalError(f"refusing to export to {shown}: it is the journal itself, one of "
                           "its -wal/-shm files or one of its backups, and the export would "
                           "replace it; choose another file, such as portfolio.html")
    if database_header(target):
        raise JournalError(f"refusing to export to {shown}: it is a SQLite database (a "
                           "journal or a backup?) and the export would replace it; choose "
                           "another file")
    if not target.parent.is_dir():
        raise JournalError(f"cannot export to {shown}: the folder {target.parent} "
                           "does not exist")
    return target

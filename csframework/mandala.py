"""The Mandala for Systems Change: one project seen through four domains.

Each practitioner's year-long project is framed by the mandala. The project
sits at the centre; around it, four domains each hold a question (the data
live in :data:`csframework.curriculum.DOMAINS`):

- **practice**: what are we trying to bring about?
- **research**: what are we learning that others could use?
- **capacity building**: how do we, alone and together, need to grow?
- **community** (community building): who is the "we", and how are we with one another?

A :class:`Mandala` collects short notes in each domain, typed in directly or
gathered from the reflection journal (entries saved with ``domain=...``). It
draws itself as a circle in four quadrants around the project, and writes
itself as JSON (to keep) or Markdown (for the portfolio).

Examples
--------
>>> from csframework.mandala import Mandala
>>> mandala = Mandala("Listening circles with families")
>>> mandala.add("practice", "Monthly listening circles in two schools")
MandalaItem(domain='practice', text='Monthly listening circles in two schools')
>>> _ = mandala.add("Community building", "Parents, teachers and two students host together")
>>> mandala
<Mandala 'Listening circles with families': 2 items in 2 of 4 domains>
>>> [item.domain for item in mandala.items()]
['practice', 'community']
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from csframework import style
from csframework._drawing import (
    CHAR_WIDTH,
    LINE,
    figure_to_png,
    figure_to_svg,
    load_json,
    paint,
    wrap,
)
from csframework._text import clean_text, plural, resolve
from csframework.curriculum import DOMAINS
from csframework.errors import CSFrameworkError, FormatError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.journal import Journal

__all__ = ["DOMAIN_COLOURS", "Domain", "Mandala", "MandalaItem", "domains"]

SCHEMA = "csframework.mandala"
SCHEMA_VERSION = 1

#: One colour per domain (from the Okabe-Ito palette), used for its quadrant.
DOMAIN_COLOURS = MappingProxyType({
    "practice": style.PALETTE["world"],
    "research": style.PALETTE["balancing"],
    "capacity building": style.PALETTE["others"],
    "community": style.PALETTE["self"],
})

_TITLES = {"practice": "Practice", "research": "Research",
           "capacity building": "Capacity building", "community": "Community building"}

_ALIASES = {
    "practise": "practice", "practices": "practice", "action": "practice",
    "accomplish": "practice",
    "inquiry": "research", "enquiry": "research", "learning for others": "research",
    "capacity": "capacity building", "capacity buidling": "capacity building",
    "building capacity": "capacity building", "growth": "capacity building",
    "learn and grow": "capacity building",
    "community building": "community", "building community": "community",
    "communities": "community", "relationships": "community", "we": "community",
}


@dataclass(frozen=True)
class Domain:
    """One domain of the mandala.

    Attributes
    ----------
    name : str
        The canonical name, a key of :data:`csframework.curriculum.DOMAINS`.
    question : str
        The question the domain asks of the project.
    """

    name: str
    question: str

    @property
    def title(self) -> str:
        """The domain as a heading: ``"Community building"`` for ``"community"``."""
        return _TITLES[self.name]


def domains() -> tuple[Domain, ...]:
    """The four domains in their order, each with its question.

    Examples
    --------
    >>> [d.title for d in domains()]
    ['Practice', 'Research', 'Capacity building', 'Community building']
    >>> domains()[0].question
    'What are we seeking to accomplish?'
    """
    return tuple(Domain(name, question) for name, question in DOMAINS.items())


@dataclass(frozen=True)
class MandalaItem:
    """A note written in one domain of the mandala.

    Attributes
    ----------
    domain : str
        The canonical domain name.
    text : str
        The note, whitespace tidied.
    source : str or None
        Where it came from, e.g. ``"session 13, check-out"`` for a journal entry.
    """

    domain: str
    text: str
    source: str | None = None

    def __repr__(self) -> str:
        source = f", source={self.source!r}" if self.source else ""
        return f"MandalaItem(domain={self.domain!r}, text={self.text!r}{source})"


class Mandala:
    """The Mandala for Systems Change of one project.

    Parameters
    ----------
    project_title : str
        The project at the centre, e.g. ``"Listening circles with families"``.

    Examples
    --------
    >>> m = Mandala("Quiet start to the school day")
    >>> m.add("reserch", "x")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown mandala domain 'reserch' in mandala \
'Quiet start to the school day'; did you mean 'research'?
    """

    def __init__(self, project_title: str):
        self.project_title = clean_text(project_title, what="project title",
                                        where="of a mandala")
        self._items: dict[str, list[MandalaItem]] = {name: [] for name in DOMAINS}

    # -- reading -----------------------------------------------------------------------

    @property
    def title(self) -> str:
        """The same as :attr:`project_title`."""
        return self.project_title

    @property
    def domains(self) -> tuple[Domain, ...]:
        """The four domains, each with its question."""
        return domains()

    def domain(self, name: str) -> Domain:
        """The domain called `name` (aliases such as ``"community building"`` accepted).

        Examples
        --------
        >>> Mandala("x").domain("capacity").question
        'How do we need to learn and grow, individually and collectively?'
        """
        return Domain(self._domain_name(name), DOMAINS[self._domain_name(name)])

    def items(self, domain: str | None = None) -> tuple[MandalaItem, ...]:
        """The items of one domain, or of all four in their order.

        Examples
        --------
        >>> m = Mandala("x")
        >>> _ = m.add("research", "What helps quiet students speak?")
        >>> m.items("research")[0].text, m.items("practice")
        ('What helps quiet students speak?', ())
        """
        if domain is not None:
            return tuple(self._items[self._domain_name(domain)])
        return tuple(item for name in DOMAINS for item in self._items[name])

    def __len__(self) -> int:
        return len(self.items())

    # -- building ----------------------------------------------------------------------

    def add(self, domain: str, text: str, *, source: str | None = None) -> MandalaItem:
        """Write `text` in a domain; the same words twice in one domain are kept once.

        Parameters
        ----------
        domain : str
            ``"practice"``, ``"research"``, ``"capacity building"`` or
            ``"community"`` (also ``"community building"`` and a few other aliases).
        text : str
            The note.
        source : str, optional
            Where it came from (shown in the Markdown).

        Raises
        ------
        UnknownNameError
            For a domain that does not exist (a close name is suggested).
        DiagramError
            For empty text.
        """
        name = self._domain_name(domain)
        text = clean_text(text, what="item", where=f"for domain {name!r} of {self._where()}")
        if source is not None:
            source = clean_text(source, what="source", where=f"of an item of {self._where()}")
        for existing in self._items[name]:
            if existing.text == text:
                return existing
        item = MandalaItem(name, text, source)
        self._items[name].append(item)
        return item

    def remove(self, domain: str, text: str) -> MandalaItem:
        """Remove the item with these words from a domain and return it."""
        name = self._domain_name(domain)
        cleaned = " ".join(str(text).split())
        entries = self._items[name]
        for i, item in enumerate(entries):
            if item.text == cleaned:
                return entries.pop(i)
        raise UnknownNameError(str(text), [i.text for i in entries], kind="item",
                               where=f"domain {name!r} of {self._where()}")

    def _domain_name(self, domain: object) -> str:
        return resolve(domain, _ALIASES, tuple(DOMAINS), kind="mandala domain",
                       where=self._where())

    def _where(self) -> str:
        return f"mandala {self.project_title!r}"

    # -- the journal ---------------------------------------------------------------------

    @classmethod
    def from_journal(cls, journal: Journal | str | os.PathLike[str] | None = None,
                     project_title: str = "My project", *,
                     session: int | str | None = None) -> Mandala:
        """A mandala of the journal's entries that were saved with a domain.

        Each prompt counts once, with its latest version; entries saved without
        a domain are left out.

        Parameters
        ----------
        journal : Journal, str or path-like, optional
            An open journal, or the path of one (opened and closed again);
            default: the participant's own journal, ``Journal()``.
        project_title : str, default "My project"
        session : int or str, optional
            Only entries of this session.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from csframework.journal import Journal
        >>> with Journal(pathlib.Path(tempfile.mkdtemp()) / "j.sqlite3") as journal:
        ...     _ = journal.write(6, "iceberg", "Homework is late on Mondays", domain="research")
        ...     _ = journal.write(6, "check-out", "Tired but curious")
        ...     mandala = Mandala.from_journal(journal, "Homework")
        >>> mandala.items()
        (MandalaItem(domain='research', text='Homework is late on Mondays', \
source='session 6, iceberg'),)
        """
        from csframework.journal import Journal

        mandala = cls(project_title)
        owned = not isinstance(journal, Journal)
        opened = Journal(journal) if owned else journal
        try:
            for entry in opened.entries(session):
                if entry.domain:
                    mandala.add(entry.domain, entry.text,
                                source=f"session {entry.session}, {entry.prompt_id}")
        finally:
            if owned:
                opened.close()
        return mandala

    # -- text and exchange ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mandala):
            return NotImplemented
        return self.project_title == other.project_title and self._items == other._items

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        used = sum(1 for entries in self._items.values() if entries)
        return (f"<Mandala {self.project_title!r}: {plural(len(self), 'item')} in "
                f"{used} of 4 domains>")

    def to_dict(self) -> dict[str, Any]:
        """The mandala as plain data in the versioned schema."""
        items = []
        for item in self.items():
            data = {"domain": item.domain, "text": item.text}
            if item.source:
                data["source"] = item.source
            items.append(data)
        return {"schema": SCHEMA, "version": SCHEMA_VERSION,
                "project_title": self.project_title, "items": items}

    def to_json(self, indent: int | None = 2) -> str:
        """The mandala as versioned JSON; :meth:`from_json` reads it back exactly.

        Examples
        --------
        >>> m = Mandala("Garden")
        >>> _ = m.add("practice", "A school garden")
        >>> Mandala.from_json(m.to_json()) == m
        True
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Mandala:
        """Read a mandala written by :meth:`to_json`.

        Raises
        ------
        FormatError
            For text that is not a mandala's JSON, or a newer schema version.

        Examples
        --------
        >>> Mandala.from_json('{"schema": "csframework.ladder", "version": 1}')
        Traceback (most recent call last):
        ...
        csframework.errors.FormatError: not mandala JSON: schema is 'csframework.ladder', \
expected 'csframework.mandala'
        """
        data = load_json(text, schema=SCHEMA, version=SCHEMA_VERSION, what="mandala JSON")
        try:
            mandala = cls(data.get("project_title"))
            items = data.get("items", [])
            if not isinstance(items, list):
                raise FormatError(f"mandala JSON 'items' must be a list, got {items!r}")
            for i, item in enumerate(items):
                if not isinstance(item, dict) or "domain" not in item or "text" not in item:
                    raise FormatError(f"mandala JSON items[{i}] needs 'domain' and 'text', "
                                      f"got {item!r}")
                mandala.add(item["domain"], item["text"], source=item.get("source"))
        except FormatError:
            raise
        except (CSFrameworkError, TypeError, KeyError, ValueError) as err:
            raise FormatError(f"invalid mandala JSON: {err}") from None
        return mandala

    def to_markdown(self) -> str:
        """The mandala as Markdown: the project, then each domain with its question.

        Examples
        --------
        >>> m = Mandala("Garden")
        >>> _ = m.add("practice", "A school garden")
        >>> print(m.to_markdown())  # doctest: +ELLIPSIS
        ## Mandala for Systems Change: Garden
        <BLANKLINE>
        ### Practice
        *What are we seeking to accomplish?*
        <BLANKLINE>
        - A school garden
        <BLANKLINE>
        ### Research
        ...
        - (nothing yet)
        """
        lines = [f"## Mandala for Systems Change: {self.project_title}", ""]
        for domain in self.domains:
            lines += [f"### {domain.title}", f"*{domain.question}*", ""]
            lines += [f"- {item.text}" + (f" *({item.source})*" if item.source else "")
                      for item in self._items[domain.name]] or ["- (nothing yet)"]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # -- drawing -----------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the mandala: the project in the centre, four quadrants around it.

        Each quadrant shows its domain, its question and the items written in
        it; what does not fit is counted in a "+ n more" line
        (:meth:`to_markdown` lists everything).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw into these axes; without them a new figure sized for the
            current theme is made.

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Artists carry ``gid`` names: ``"title"``, ``"circle"``, ``"centre"``,
        ``"project"``, ``"quadrant:<domain>"``, ``"heading:<domain>"``,
        ``"question:<domain>"``, ``"item:<domain>:<text>"``, ``"empty:<domain>"``
        and ``"more:<domain>"``.

        Examples
        --------
        >>> m = Mandala("Garden")
        >>> _ = m.add("research", "Which plants do pupils care for unasked?")
        >>> fig = m.draw()
        >>> sorted(g for a in fig.axes[0].get_children() if (g := a.get_gid()) and
        ...        g.startswith("item:"))
        ['item:research:Which plants do pupils care for unasked?']
        """
        return paint(_MandalaScene, self, ax)

    def to_png(self) -> bytes:
        """The drawing as PNG bytes (identical bytes for an unchanged mandala)."""
        return figure_to_png(self.draw())

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_svg(self) -> str:
        """The drawing as SVG text (the same text for an unchanged mandala)."""
        return figure_to_svg(self.draw())

    def _repr_svg_(self) -> str:
        return self.to_svg()


class _MandalaScene:
    """Layout of the mandala picture, in em (one unit = the theme's font size).

    Text in a quadrant is wrapped line by line to the chord of the circle at
    that height, so it follows the round edge and keeps clear of the centre.
    """

    RADIUS = 25.0
    INNER = 6.5
    MARGIN = 1.5
    GAP = 0.9          # distance kept from the dividing lines and the circles
    SMALL = 0.9
    MAX_ITEM_LINES = 4  # a long note is cut after this many lines

    #: quadrant of each domain as (x sign, y sign): top left, top right, bottom left, bottom right
    PLACES: ClassVar[Mapping[str, tuple[int, int]]] = MappingProxyType({
        "practice": (-1, 1), "research": (1, 1), "capacity building": (-1, -1),
        "community": (1, -1)})

    def __init__(self, mandala: Mandala, theme: style.Theme):
        self.mandala = mandala
        self.theme = theme
        self.title_ratio = theme.title_size / theme.font_size
        self.width = 2 * (self.RADIUS + self.MARGIN)
        heading = f"Mandala for Systems Change: {mandala.project_title}"
        self.title_lines = wrap(heading, self.width - 2 * self.MARGIN, self.title_ratio)
        self.top_band = 1.5 + LINE * self.title_ratio * len(self.title_lines) + 0.5
        self.height = self.top_band + 2 * self.RADIUS + self.MARGIN
        self.cx = self.width / 2
        self.cy = self.MARGIN + self.RADIUS

    # the span of x (as distances from the centre line) free for text at height dy
    def _span(self, dy: float, size: float) -> tuple[float, float]:
        half = abs(dy) + (LINE * size * 0.5)  # the line's farther edge from the centre line
        near = abs(dy) - (LINE * size * 0.5)
        outer = math.sqrt(max(self.RADIUS ** 2 - half ** 2, 0.0)) - self.GAP
        inner_r = self.INNER + self.GAP
        inner = math.sqrt(max(inner_r ** 2 - near ** 2, 0.0)) if near < inner_r else 0.0
        return max(inner, self.GAP), outer

    def _lines(self, text: str, rows: list[float], size: float) -> list[tuple[float, str]]:
        """Greedy wrap of `text` over the given rows (heights from the centre line)."""
        words = text.split()
        placed: list[tuple[float, str]] = []
        for dy in rows:
            if not words:
                break
            near, far = self._span(dy, size)
            chars = int((far - near) / (CHAR_WIDTH * size))
            if chars < 6:
                continue
            line = words.pop(0)
            if len(line) > chars:  # a word longer than the line is broken
                words.insert(0, line[chars - 1:])
                line = line[:chars - 1] + "-"
            while words and len(line) + 1 + len(words[0]) <= chars:
                line += " " + words.pop(0)
            placed.append((dy, line))
        if words:
            return []
        return placed

    def _quadrant(self, name: str) -> list[tuple[str, str, float, dict[str, Any]]]:
        """Text of one quadrant: (gid, text, distance from the centre line, style)."""
        size, small = 1.0, self.SMALL
        rows_step = LINE * small
        top = self.RADIUS - 4.0          # distance of the first line from the centre line
        bottom = self.GAP + LINE * 0.6   # nearest a line may come to the centre line
        ys = []
        dy = top
        while dy >= bottom:
            ys.append(dy)
            dy -= rows_step
        # top quadrants read from the rim towards the centre, bottom ones from the centre out
        sign = self.PLACES[name][1]
        rows = ys if sign > 0 else list(reversed(ys))
        out: list[tuple[str, str, float, dict[str, Any]]] = []
        domain = self.mandala.domain(name)
        colour = DOMAIN_COLOURS[name]
        heading = {"fontsize": size * 1.15, "fontweight": "bold", "color": colour}
        question = {"fontsize": small, "style": "italic", "color": "#555555"}
        item_style = {"fontsize": small, "color": style.PALETTE["text"]}

        def take(text: str, gid: str, kind: dict[str, Any]) -> None:
            nonlocal rows
            placed = self._lines(text, rows, small)
            rows = rows[rows.index(placed[-1][0]) + 1:] if placed else rows
            out.extend((gid if k == 0 else f"{gid}:{k}", line, row, kind)
                       for k, (row, line) in enumerate(placed))

        # the heading and the question always fit: they come first
        take(domain.title, f"heading:{name}", heading)
        take(domain.question, f"question:{name}", question)
        rows = rows[1:]  # a little air below the question
        items = self.mandala.items(name)
        if not items:
            take("(nothing yet)", f"empty:{name}", {**item_style, "color": "#888888",
                                                     "style": "italic"})
            return out
        for shown, item in enumerate(items):
            remaining = len(items) - shown
            # keep one row for the "+ n more" line while items remain after this one
            room = rows[:-1] if remaining > 1 else rows
            text = item.text
            placed = self._lines("\u2022 " + text, room[:self.MAX_ITEM_LINES], small)
            if not placed and room:
                # too long for the rows left (or for MAX_ITEM_LINES): cut it short
                placed = self._cut("\u2022 " + text, room[:self.MAX_ITEM_LINES], small)
            if not placed:
                if rows:
                    out.append((f"more:{name}", f"+ {remaining} more", rows[0],
                                {**item_style, "style": "italic", "color": "#555555"}))
                return out
            used = rows.index(placed[-1][0]) + 1
            rows = rows[used:]
            for k, (row, line) in enumerate(placed):
                gid = f"item:{name}:{item.text}" if k == 0 else f"item-line:{name}:{item.text}:{k}"
                out.append((gid, line, row, item_style))
        return out

    def _cut(self, text: str, rows: list[float], size: float) -> list[tuple[float, str]]:
        """`text` cut with an ellipsis to fit `rows`; empty if even one word cannot fit."""
        words = text.split()
        while len(words) > 2:
            words = words[:-1]
            placed = self._lines(" ".join(words) + " \u2026", rows, size)
            if placed:
                return placed
        return []

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import Circle, Wedge

        theme, size = self.theme, self.theme.font_size
        text_colour = style.PALETTE["text"]
        cx, cy, radius = self.cx, self.cy, self.RADIUS
        ax.text(self.MARGIN, self.height - 1.0, "\n".join(self.title_lines),
                fontsize=theme.title_size, fontweight="bold", color=text_colour, ha="left",
                va="top", gid="title")
        starts = {(1, 1): 0, (-1, 1): 90, (-1, -1): 180, (1, -1): 270}
        for name, place in self.PLACES.items():
            colour = DOMAIN_COLOURS[name]
            ax.add_patch(Wedge((cx, cy), radius, starts[place], starts[place] + 90,
                               facecolor=colour, alpha=0.12, edgecolor="none", zorder=1,
                               gid=f"quadrant:{name}"))
        ax.add_patch(Circle((cx, cy), radius, facecolor="none", edgecolor="#555555",
                            linewidth=theme.line_width, zorder=2, gid="circle"))
        for x0, y0, x1, y1 in ((cx - radius, cy, cx + radius, cy),
                               (cx, cy - radius, cx, cy + radius)):
            ax.plot([x0, x1], [y0, y1], color="#888888", linewidth=theme.line_width * 0.6,
                    zorder=2, gid="divider")
        ax.add_patch(Circle((cx, cy), self.INNER, facecolor="white", edgecolor="#555555",
                            linewidth=theme.line_width, zorder=3, gid="centre"))
        lines = wrap(self.mandala.project_title, 2 * self.INNER * 0.78, 1.05)
        if len(lines) > 4:
            lines = [*lines[:3], lines[3][: max(len(lines[3]) - 1, 1)] + "\u2026"]
        ax.text(cx, cy, "\n".join(lines), fontsize=size * 1.05, fontweight="bold",
                color=text_colour, ha="center", va="center", zorder=4, linespacing=1.15,
                gid="project")
        for name, (xs, ys) in self.PLACES.items():
            for gid, line, dy, kind in self._quadrant(name):
                near, _far = self._span(dy, self.SMALL)
                x = cx - near if xs < 0 else cx + near
                props = dict(kind)
                props["fontsize"] = props["fontsize"] * size
                ax.text(x, cy + ys * dy, line, ha="right" if xs < 0 else "left",
                        va="center", zorder=4, gid=gid, **props)

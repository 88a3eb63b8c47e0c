"""The mandala of one project: notes in four domains, from the journal or typed in."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from csframework._drawing import paint
from csframework._text import clean_text, plural, resolve
from csframework.curriculum import DOMAINS
from csframework.document import Document, pop_item
from csframework.errors import FormatError
from csframework.mandala.picture import MandalaScene
from csframework.mandala.vocabulary import DOMAIN_ALIASES, Domain, MandalaItem, domains

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.journal import Journal

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Mandala"]

SCHEMA = "csframework.mandala"
SCHEMA_VERSION = 1


class Mandala(Document):
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
    >>> Mandala.from_json('{"schema": "csframework.ladder", "version": 1}')
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: not mandala JSON: schema is 'csframework.ladder', \
expected 'csframework.mandala'
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "mandala JSON"

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
        return pop_item(self._items[name], text, where=f"domain {name!r} of {self._where()}")

    def _domain_name(self, domain: object) -> str:
        return resolve(domain, DOMAIN_ALIASES, tuple(DOMAINS), kind="mandala domain",
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

    def _eq_key(self) -> tuple[Any, ...]:
        return self.project_title, self._items

    def _repr_head(self) -> str:
        return f" {self.project_title!r}"

    def _repr_summary(self) -> str:
        used = sum(1 for entries in self._items.values() if entries)
        return f"{plural(len(self), 'item')} in {used} of 4 domains"

    def to_data(self) -> dict[str, Any]:
        """The project title and the items (the JSON without its envelope).

        Examples
        --------
        >>> m = Mandala("Garden")
        >>> _ = m.add("practice", "A school garden")
        >>> Mandala.from_json(m.to_json()) == m
        True
        """
        items = []
        for item in self.items():
            data = {"domain": item.domain, "text": item.text}
            if item.source:
                data["source"] = item.source
            items.append(data)
        return {"project_title": self.project_title, "items": items}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Mandala:
        """A mandala from the fields written by :meth:`to_data`."""
        mandala = cls(data.get("project_title"))
        items = data.get("items", [])
        if not isinstance(items, list):
            raise FormatError(f"mandala JSON 'items' must be a list, got {items!r}")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "domain" not in item or "text" not in item:
                raise FormatError(f"mandala JSON items[{i}] needs 'domain' and 'text', "
                                  f"got {item!r}")
            mandala.add(item["domain"], item["text"], source=item.get("source"))
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
        return paint(MandalaScene, self, ax)

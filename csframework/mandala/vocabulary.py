"""The four domains of the mandala as the tool shows them, and the notes written in them.

The domains and their questions live in :data:`csframework.curriculum.DOMAINS`;
this module adds only what the tool needs on top: a heading, a colour and the
other names participants use for each domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from csframework import style
from csframework.curriculum import DOMAINS

__all__ = ["DOMAIN_ALIASES", "DOMAIN_COLOURS", "Domain", "MandalaItem", "domains"]

#: One colour per domain (from the Okabe-Ito palette), used for its quadrant.
DOMAIN_COLOURS = MappingProxyType(dict(zip(DOMAINS, (
    style.PALETTE["world"], style.PALETTE["balancing"], style.PALETTE["others"],
    style.PALETTE["self"]), strict=True)))

_TITLES = dict(zip(DOMAINS, ("Practice", "Research", "Capacity building",
                             "Community building"), strict=True))

#: Other names for the domains, each mapped to the canonical name.
DOMAIN_ALIASES = MappingProxyType({
    "practise": "practice", "practices": "practice", "action": "practice",
    "accomplish": "practice",
    "inquiry": "research", "enquiry": "research", "learning for others": "research",
    "capacity": "capacity building", "capacity buidling": "capacity building",
    "building capacity": "capacity building", "growth": "capacity building",
    "learn and grow": "capacity building",
    "community building": "community", "building community": "community",
    "communities": "community", "relationships": "community", "we": "community",
})


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

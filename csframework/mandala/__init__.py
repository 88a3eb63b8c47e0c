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

from csframework.mandala.project import SCHEMA, SCHEMA_VERSION, Mandala
from csframework.mandala.vocabulary import DOMAIN_COLOURS, Domain, MandalaItem, domains

__all__ = ["DOMAIN_COLOURS", "SCHEMA", "SCHEMA_VERSION", "Domain", "Mandala", "MandalaItem",
           "domains"]

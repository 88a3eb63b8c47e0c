"""The programme year as data: fourteen convenings, what each practises, and where it lives.

The Compassionate Systems Master Practitioners year (Class of 2024-2025) meets
once a month from 24 June 2024 and closes with a retreat week that ends on
18 July 2025. Each convening is a :class:`Session`: its date or month, its
theme, the facets of systems awareness it works on (self, others, world), the
domain of the Mandala for Systems Change it feeds, the Habits of a Systems
Thinker it practises (:data:`HABITS`), the thinking tools it uses
(:data:`TOOLS`), the library models it runs, and the two notebooks that carry
it. Session 0 is the "start here" notebook.

Every session opens with a check-in and closes with a check-out and a journal
reflection; :attr:`Session.tools` lists ``"check-in"`` only where the check-in
itself is a subject of the session.

The notebooks (curriculum notebook in ``notebooks/``, exercise notebook in
``exercises/``, both named ``NN-slug.ipynb``):

== ========================================== =====================================
 #  slug                                       theme
== ========================================== =====================================
 0  00-start-here                              Start here: a first causal loop diagram
 1  01-arriving-and-three-systems              Arriving: the framework and the three systems
 2  02-personal-mastery-vision-and-reality     Personal mastery: vision and current reality
 3  03-noticing-mind-heart-body                The mind-heart-body system
 4  04-mental-models-and-the-ladder            Mental models and the ladder of inference
 5  05-reflective-conversation                 Reflective conversation, generative social fields
 6  06-the-iceberg                             Seeing below the surface: the iceberg
 7  07-feedback-loops-and-delays               Feedback loops and delays
 8  08-stocks-and-flows                        Stocks and flows: from classrooms to climate
 9  09-archetypes-quick-fixes                  Archetypes I: quick fixes
10  10-archetypes-growth-and-limits            Archetypes II: growth, limits and standards
11  11-archetypes-commons-and-competition      Archetypes III: relationships, competition, commons
12  12-leverage-and-shared-vision              Leverage, shared vision, shared responsibility
13  13-leaders-at-all-levels                   Leaders at all levels: integrating the mandala
14  14-retreat-integration                     Retreat: integration and certification
== ========================================== =====================================

Session 0 has no exercise notebook.

The package is a leaf: it imports only :mod:`csframework.errors` and
:mod:`csframework.style`. Its modules: :mod:`~csframework.curriculum.vocabulary`
(facets, mandala domains, habits, tools), :mod:`~csframework.curriculum.plans`
(the minute plans), :mod:`~csframework.curriculum.notes` (prerequisites, key
points, glossary terms, readings), :mod:`~csframework.curriculum.year` (the
sessions and their lookup) and :mod:`~csframework.curriculum.cards` (the header
cards).

Examples
--------
>>> from csframework import curriculum
>>> s = curriculum.session(7)
>>> s
Session(7, 'Feedback loops and delays')
>>> s.month, s.facets, s.notebook
('December 2024', ('others', 'world'), 'notebooks/07-feedback-loops-and-delays.ipynb')
>>> curriculum.session("07") is s
True
>>> len(curriculum.sessions()), len(curriculum.sessions(include_start=True))
(14, 15)
>>> print(s.card())  # doctest: +ELLIPSIS
Session 7 · December 2024 · Feedback loops and delays
Facets: others, world
Mandala domain: research
Habits: identifies the circular nature of complex cause and effect; ...
Tools: causal loop diagram, behaviour-over-time graph, simulation
Plan (180 minutes):
  0:00-0:05  Intentions for today (5 min)
...
  2:55-3:00  Exercises and next session (5 min)
"""

from __future__ import annotations

from csframework.curriculum.cards import SessionCard
from csframework.curriculum.notes import FURTHER_READING, GLOSSARY
from csframework.curriculum.plans import (
    BREAK,
    CONVENING_MINUTES,
    RETREAT_DAY_MINUTES,
    RETREAT_DAYS,
    START_HERE_MINUTES,
    SUMMARY_HEADINGS,
    PlanItem,
)
from csframework.curriculum.vocabulary import (
    DETECTABLE_TOOLS,
    DOMAINS,
    FACETS,
    HABITS,
    TOOLS,
    Coverage,
    habit,
    tools_used_in,
)
from csframework.curriculum.year import (
    Session,
    UnknownSessionError,
    coverage,
    session,
    session_number,
    sessions,
)

__all__ = [
    "BREAK",
    "CONVENING_MINUTES",
    "DETECTABLE_TOOLS",
    "DOMAINS",
    "FACETS",
    "FURTHER_READING",
    "GLOSSARY",
    "HABITS",
    "RETREAT_DAYS",
    "RETREAT_DAY_MINUTES",
    "START_HERE_MINUTES",
    "SUMMARY_HEADINGS",
    "TOOLS",
    "Coverage",
    "PlanItem",
    "Session",
    "SessionCard",
    "UnknownSessionError",
    "coverage",
    "habit",
    "session",
    "session_number",
    "sessions",
    "tools_used_in",
]

# The public classes keep the address they are documented and raised under
# ("csframework.curriculum.UnknownSessionError: ..."), wherever they are defined.
for _public in (Coverage, PlanItem, Session, SessionCard, UnknownSessionError):
    _public.__module__ = __name__
del _public

"""What each session builds on and leaves behind: prerequisites, key points, words, reading.

The key points close each notebook; the glossary terms are headings of
:data:`GLOSSARY` and the readings keys of :data:`FURTHER_READING`.

Examples
--------
>>> PREREQUISITES[9]
(7, 8)
>>> glossary_anchor("Mandala for Systems Change")
'mandala-for-systems-change'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "FURTHER_READING",
    "GLOSSARY",
    "KEY_POINTS",
    "PREREQUISITES",
    "READINGS",
    "TERMS",
    "glossary_anchor",
]

#: The course's glossary and reading list, relative to the repository root.
GLOSSARY = "notebooks/glossary.md"
FURTHER_READING = "notebooks/further-reading.md"

#: Each session -> the sessions whose notebooks it builds on.
PREREQUISITES: Mapping[int, tuple[int, ...]] = MappingProxyType({
    0: (), 1: (0,), 2: (1,), 3: (1, 2), 4: (1, 3), 5: (1, 4), 6: (3, 4), 7: (0, 2),
    8: (1, 3, 7), 9: (7, 8), 10: (2, 8, 9), 11: (9, 10), 12: (7, 8, 9), 13: (1, 3, 12),
    14: (13,),
})

#: Each session -> glossary terms (headings of notebooks/glossary.md) its notebook leans on.
TERMS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: ("causal loop diagram", "polarity", "feedback loop", "reinforcing loop", "balancing loop",
        "delay"),
    1: ("systems awareness", "connection circle", "feedback loop", "stock", "flow",
        "mandala for systems change"),
    2: ("creative tension", "emotional tension", "eroding goals", "goal seeking",
        "balancing loop", "behaviour over time"),
    3: ("behaviour over time", "reference mode", "balancing loop", "stock", "flow",
        "equilibrium"),
    4: ("mental model", "ladder of inference", "reinforcing loop", "advocacy and inquiry"),
    5: ("four levels of listening", "four player model", "connection circle",
        "reinforcing loop", "delay"),
    6: ("iceberg", "behaviour over time", "reference mode", "mental model", "archetype"),
    7: ("polarity", "delay", "reinforcing loop", "balancing loop", "oscillation",
        "loop dominance"),
    8: ("stock", "flow", "equilibrium", "reinforcing loop", "balancing loop",
        "s-shaped growth"),
    9: ("archetype", "fixes that fail", "shifting the burden", "better before worse",
        "loop dominance", "delay"),
    10: ("limits to growth", "growth and underinvestment", "eroding goals", "s-shaped growth",
         "loop dominance"),
    11: ("escalation", "success to the successful", "accidental adversaries",
         "tragedy of the commons", "overshoot and collapse"),
    12: ("leverage point", "shared vision", "mental model", "archetype"),
    13: ("mandala for systems change", "successive approximation", "behaviour over time",
         "reference mode"),
    14: ("systems awareness", "creative tension", "tragedy of the commons", "shared vision",
         "successive approximation"),
})

#: Each session -> keys of notebooks/further-reading.md (each entry starts "**key.**").
READINGS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: ("Meadows 2008", "Senge 1990"),
    1: ("Boell and Senge 2016", "Senge 1990", "Senge, Hamilton and Kania 2015"),
    2: ("Senge 1990", "Senge et al. 1994"),
    3: ("Boell and Senge 2016", "Meadows 2008"),
    4: ("Senge et al. 1994", "Senge 1990"),
    5: ("Scharmer 2009", "Kantor 2012", "Waters Center"),
    6: ("Waters Center", "Senge et al. 1994", "Kim and Anderson 1998"),
    7: ("Meadows 2008", "Sterman 2000"),
    8: ("Meadows 2008", "Sterman 2000"),
    9: ("Senge 1990", "Kim and Anderson 1998", "Kim, Systems Archetypes at a Glance"),
    10: ("Senge 1990", "Kim and Anderson 1998", "Meadows 2008"),
    11: ("Kim and Anderson 1998", "Ostrom 1990", "Meadows 2008"),
    12: ("Meadows 1999", "Senge, Hamilton and Kania 2015", "Senge 1990"),
    13: ("Senge et al. 1994", "Boell and Senge 2016", "Waters Center"),
    14: ("Senge, Hamilton and Kania 2015", "Boell and Senge 2016", "Sterman 2000"),
})

#: Each session -> three to five key points, shown at the end of its notebook and in its handout.
KEY_POINTS: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: (
        "A causal loop diagram writes each sentence of the form *when this rises, that moves* "
        "as a link with a sign: `+` when the effect moves with the cause, `-` when it moves "
        "against it.",
        "Count the `-` links around a loop: an even number makes it reinforcing, so a change "
        "comes back larger; an odd number makes it balancing, so a change comes back opposed.",
        "A story name such as *the trust spiral* turns a loop into something a group can "
        "notice while it is happening, and talk about together.",
        "A first diagram is a question, not a verdict: it grows richer each time someone who "
        "sees the place differently adds a link.",
    ),
    1: (
        "Self, others and world are one system seen at three scales: care given in one "
        "travels through the other two and comes back.",
        "Aspiration, reflection and systems awareness hold each other up like the legs of a "
        "stool; take one away and the practice tips over.",
        "A connection circle turns a story into structure: name what rises and falls, draw "
        "the direct influences, and the closed paths are the feedback loops.",
        "Energy behaves like water in a bathtub: it changes only through its flows, and while "
        "inflow equals outflow it holds still, however busy the flows are.",
        "Looking beyond blame asks which structure keeps producing a pattern; it keeps "
        "responsibility and lets go of the search for a culprit.",
    ),
    2: (
        "Creative tension is the pull of the gap between a vision we truly hold and an honest "
        "picture of current reality; it is released either by raising reality or by lowering "
        "the vision.",
        "Emotional tension is the discomfort the gap brings. Easing it by lowering the vision "
        "is quick and quiet, and repeated it becomes the eroding-goals archetype.",
        "Held firm, a goal keeps effort pulling performance up; allowed to drift, goal and "
        "performance slide down together without anyone deciding it.",
        "Goal seeking, fast while the gap is large and slower as it closes, is the signature "
        "of a balancing loop, as in a cup of coffee cooling towards the room.",
    ),
    3: (
        "Noticing is a skill that grows with practice, and a precise word for a state "
        "(*tired*, *anxious*, *curious*) opens a better response than a vague one.",
        "A behaviour-over-time graph turns a week of noticing into a shape; the difference "
        "between the shape we expected and the one we lived is where learning starts.",
        "A balancing loop that acts in proportion to the gap, against a steady leak, settles "
        "short of its goal: where it settles changes with the flows, not with trying harder.",
        "Stress is a stock: it climbs while demands outrun recovery and drains only as fast "
        "as recovery allows, so reliable recovery is a lever in its own right.",
        "Empathic distress runs as a reinforcing loop that pulls us away from people; "
        "compassion adds concern and action, and closes a balancing loop that steadies us.",
    ),
    4: (
        "We climb the ladder of inference in seconds: from what a camera would record, "
        "through the details we select, the meaning and assumptions we add, to conclusions, "
        "beliefs and action.",
        "Walking back down, rung by rung, shows where we left the data behind; we cannot stop "
        "climbing, but we can learn to climb in the open.",
        "The reflexive loop is reinforcing: our beliefs choose the data we notice next, so an "
        "untested belief tends to confirm itself.",
        "The left-hand column shows what we thought but did not say; balancing advocacy "
        "(showing our reasoning) with inquiry (asking for the other's) makes reasoning "
        "discussable.",
    ),
    5: (
        "Listening has levels (downloading, factual, empathic, generative), and each one "
        "opens a little more room for something new to be said.",
        "Everything said in a conversation does one of four jobs: move, follow, oppose or "
        "bystand. A group that is missing one of them tends to get stuck.",
        "A well-timed bystand, naming what the conversation is doing, can turn a loop of "
        "defensiveness into a loop of awareness.",
        "Taking another person's perspective completes the map: their arrows reveal loops we "
        "cannot see from our own seat.",
        "Trust and participation grow together in a reinforcing loop with a delay, so a new "
        "team's field needs patience and protected time.",
    ),
    6: (
        "The iceberg reads an issue on four levels: events, patterns over time, the "
        "structures that produce them, and the mental models that keep those structures in "
        "place.",
        "Each level invites its own response (react, anticipate, design, transform), and the "
        "deeper the level, the longer the change lasts.",
        "Drawing the pattern as a behaviour over time, then asking which structure could "
        "produce that shape, links what we see to why it keeps happening.",
        "Each level down moves us further from blame: an arrangement that makes a problem "
        "likely is something a team can redesign together.",
        "Read upwards, the aspirational iceberg maps what we want to grow: the beliefs, "
        "structures and patterns that would make a hoped-for event ordinary.",
    ),
    7: (
        "A link's sign says whether the effect moves with the cause (`+`) or against it "
        "(`-`); a delay marks a link whose effect takes time to show.",
        "Around a loop, an even number of `-` links makes it reinforcing and an odd number "
        "makes it balancing.",
        "A delay inside a balancing loop makes it overshoot and swing, because each "
        "correction acts on an out-of-date picture.",
        "In the car dealer's inventory, responding faster makes the swings larger and "
        "responding more slowly calms them: with delays, patience is a policy.",
        "Several loops share the steering of one system, and which of them dominates can "
        "change as time goes on.",
    ),
    8: (
        "A stock is what has accumulated and can be counted at an instant; a flow is the rate "
        "that fills or drains it. A stock changes only through its flows.",
        "When inflow equals outflow the stock holds still while a great deal moves through "
        "it; to raise it, inflow must exceed outflow for a while.",
        "When a flow depends on its own stock a loop hides inside the flow: interest on "
        "savings reinforces, wear on capital balances.",
        "Holding emissions steady does not hold the carbon dioxide in the air steady: the "
        "stock keeps rising for as long as inflow exceeds removal.",
        "The trust in a class is a stock too: it builds week by week through small acts and "
        "moves towards the level where building and eroding balance.",
    ),
    9: (
        "Archetypes are recurring stories grown from a few shapes of feedback; knowing them "
        "helps us recognise a pattern early, including in our own habits.",
        "Fixes that fail: the fix eases the symptom through a balancing loop while a delayed "
        "side effect feeds the problem, so things get better before they get worse.",
        "Shifting the burden: a quick symptomatic solution relieves the pressure that would "
        "have built a fundamental one, and the system's own capability fades.",
        "The leverage lies in seeing the side effect sooner, and in strengthening the "
        "fundamental solution while easing off the quick one gently.",
        "The archetype finder looks past our words to the pattern of links, signs and loops; "
        "when it finds nothing, that is a prompt for conversation, not a failure.",
    ),
    10: (
        "Limits to growth: a reinforcing engine drives growth until a balancing loop from a "
        "tightening limit takes over, and the curve bends into an S.",
        "Once the limit dominates, pushing harder on the engine helps less and less; the "
        "leverage has moved to the limit.",
        "Growth and underinvestment: when a slipping standard stops calling for investment, "
        "a limit that could have been raised becomes a ceiling.",
        "Eroding goals is creative tension released the easy way: the gap closes because the "
        "goal comes down, in steps too small for anyone to decide.",
        "A goal may rightly change after honest reflection; the trap is the drift that no one "
        "chose.",
    ),
    11: (
        "Escalation: each side acts to restore its position against the other, and two "
        "balancing loops join into one reinforcing spiral.",
        "Success to the successful: when a shared resource goes a little more to whoever is "
        "ahead, the allocation rule, not merit, decides who thrives.",
        "Accidental adversaries: partners who fix things for themselves under pressure can "
        "quietly harm each other; the leverage is in seeing that cost and renewing the "
        "shared goal.",
        "Tragedy of the commons: each user's gain is immediate and private while the cost of "
        "depletion is shared and delayed, so sensible choices can exhaust what all depend on.",
        "Commons last when their users can see the shared stock and agree their own rules: "
        "information and agreement close the missing balancing loops.",
    ),
    12: (
        "Meadows' twelve places to intervene run from numbers and sizes, where we argue most, "
        "to information, rules, goals and paradigms, where structure itself changes.",
        "Tagging leverage on a causal loop diagram turns *what should we do?* into *which "
        "link, loop, delay or rule would we change, and how deep is that?*",
        "Deep leverage is slow and often resisted; shallow leverage is quick and sometimes "
        "all we have. The skill is knowing which kind of change we are making.",
        "A stakeholder map asks who holds a piece of the system; a shared vision grows from "
        "listening to them, and shared responsibility grows from both.",
    ),
    13: (
        "The mandala holds one project with four questions: what we seek to accomplish, what "
        "we seek to learn, how we need to grow, and who the *we* is.",
        "Successive approximation is a balancing loop of learning: act on the best current "
        "understanding, look at what happened, adjust, and give results time to show.",
        "Intended and actual behaviour over time on one graph turns a gap into information "
        "about structure rather than a verdict on people.",
        "A peer coach asks rather than advises, so that the presenter sees their own project "
        "more clearly.",
        "The e-portfolio grows from what was written all year: journal entries tagged with a "
        "domain become the record of the work.",
    ),
    14: (
        "The retreat retraces the year through self, others and world, because awareness of "
        "each makes the next one possible.",
        "Playing a system from the inside shows that well-meaning people follow the "
        "structure they are in: its information, its rules and its delays.",
        "A project shown with its mandala and its graph of intended and actual, then heard "
        "back by a reviewer partner, becomes learning others can use.",
        "A personal commitment can be kept alone; a shared one names the people who hold it, "
        "their vision, first actions, and when they will look at the results together.",
        "Successive approximation does not end with the programme: commitments are tried, "
        "looked at again and adjusted.",
    ),
})


def glossary_anchor(term: str) -> str:
    """The link anchor of a glossary heading (lower case, spaces as hyphens).

    Examples
    --------
    >>> glossary_anchor("Behaviour over time")
    'behaviour-over-time'
    """
    return re.sub(r"[^a-z0-9 -]", "", term.lower()).replace(" ", "-")

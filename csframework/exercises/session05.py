"""Session 5 · Reflective conversation, generative social fields.

A causal loop diagram of trust and participation in a team, the Four Player
Model and the four levels of listening.

Examples
--------
>>> from csframework.exercises import session05 as ex
>>> ex.q1.check(ex.q1.solution().answer).status
'correct'
"""

from __future__ import annotations

from csframework.exercises._framework import SessionExercises
from csframework.exercises.questions import (
    BuildCLD,
    LoopRequirement,
    MultipleChoice,
)

__all__ = ["progress", "q1", "q2", "q3", "questions", "reset"]

TEAM = """
trust -> participation : +
participation -> trust : + delay
participation -> meeting fatigue : +
meeting fatigue -> participation : -
"""

q1 = BuildCLD(
    "A team story: when people trust each other they take part more openly, and as more "
    "voices are heard, trust grows. But more participation also makes meetings longer and "
    "more tiring, and tired people hold back. Draw it as a causal loop diagram (text or a "
    "CausalLoopDiagram) with variables for trust, participation and meeting fatigue.",
    [LoopRequirement(("trust", "participation"), "reinforcing", "the trust spiral"),
     LoopRequirement(("participation", "meeting fatigue"), "balancing", "tiring out")],
    TEAM,
    synonyms={"trust": ("psychological safety", "safety"),
              "participation": ("speaking up", "voices heard", "sharing"),
              "meeting fatigue": ("fatigue", "tiredness", "exhaustion", "meeting length")},
    links=[("trust", "participation", "+", "When trust rises, do people take part more or "
                                            "less?"),
           ("participation", "trust", "+", "When more voices are heard, does trust grow or "
                                            "shrink?"),
           ("participation", "meeting fatigue", "+"),
           ("meeting fatigue", "participation", "-", "When people are more tired, do they "
                                                     "take part more or less?")],
    title="Trust and participation",
    hints=[
        "Write one link per line: 'trust -> participation : +'.",
        "You need four links: trust and participation feed each other; participation adds "
        "to fatigue; fatigue pulls participation down.",
        "Check the kinds: the trust loop should have no '-' links, the fatigue loop exactly "
        "one.",
    ],
    explanation="A reinforcing trust spiral, held in check by a balancing loop of fatigue.",
    code=f'my_team = csf.CausalLoopDiagram.from_text("""{TEAM}""")\nex.q1.check(my_team)',
    typical_mistakes=[
        (TEAM.replace("meeting fatigue -> participation : -",
                      "meeting fatigue -> participation : +"),
         "look again at the link 'meeting fatigue' -> 'participation'"),
        ("trust -> participation : +\nparticipation -> trust : +",
         "no variable for 'meeting fatigue'"),
        (TEAM.replace("participation -> trust : + delay\n", ""), "closed loop"),
        ("trust -> participation : maybe", "could not be read"),
        (12, "a CausalLoopDiagram, or its text"),
    ],
)

q2 = MultipleChoice(
    "In David Kantor's Four Player Model, every act of speech is a move, a follow, an oppose "
    "or a bystand. In a planning meeting, Aisha says: 'I notice we have spent twenty minutes "
    "on the timetable and haven't yet asked what the students need.' Which act is that?",
    ["move", "follow", "oppose", "bystand"],
    "d", title="The Four Player Model",
    why={
        "a": "A move sets a direction ('let's pilot it in Year 8'). Aisha proposes no "
             "direction; she describes what the group is doing.",
        "b": "A follow supports a move already made. Aisha is not backing anyone's proposal.",
        "c": "An oppose challenges a move. Aisha does not say anyone is wrong.",
        "d": "A bystand offers a perspective on what is happening in the conversation, "
             "which helps a group that is stuck see itself.",
    },
    hints=["Is Aisha proposing, supporting, challenging, or describing the conversation?",
           "She steps back and names the pattern of the meeting."],
    typical_mistakes=[("a", "sets a direction"), ("c", "challenges a move"),
                      ("move", "sets a direction"), ("z", "not one of the options")],
)

q3 = MultipleChoice(
    "Otto Scharmer describes four levels of listening. In a conversation with a parent you "
    "notice that your own idea of the problem is changing, and something new, which neither "
    "of you had before, begins to take shape. Which level of listening is that?",
    ["downloading", "factual", "empathic", "generative"],
    "d", title="Four levels of listening",
    why={
        "a": "Downloading hears only what confirms what we already think; here your view is "
             "changing.",
        "b": "Factual listening notices what is new or different in the data; here "
             "something more than data is emerging.",
        "c": "Empathic listening sees through the other's eyes. It is close, but what you "
             "describe goes further: something new comes into being between you.",
        "d": "Generative listening lets a future possibility emerge from the conversation, "
             "and changes the listener.",
    },
    hints=["Which level is about something new emerging, rather than understanding what "
           "already exists?"],
    typical_mistakes=[("c", "It is close"), ("a", "confirms what we already think"),
                      ("listening", "not one of the options")],
)

_exercises = SessionExercises(5, [q1, q2, q3])
questions = _exercises.questions
progress = _exercises.progress
reset = _exercises.reset

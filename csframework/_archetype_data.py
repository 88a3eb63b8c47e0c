"""The ten systems archetypes as data: structure, behaviour, story, leverage, questions.

Each structure is written in the causal-loop text notation with *role names*
as variables. Links listed in ``optional`` are part of the classic drawing but
not of the archetype's essential structure (an outside goal, a constraint);
:func:`csframework.archetypes.find` fills them in when it can and otherwise
says they are missing. A ``delay`` marked in the text is *typical*: a match
without it is still reported, with the missing delay named. Only
``delay_required`` archetypes need a marked delay to be recognised at all.

Each ``layout`` places the roles the way the standard references draw the
archetype (Senge's appendix, Kim's *Systems Archetype Basics*): two loops side
by side sharing their common variable, escalation and accidental adversaries as
a figure eight. Coordinates are in arbitrary units, y pointing up.

Each archetype is a ``dict`` of the keyword arguments of
:class:`csframework.archetypes.Archetype` (one class, defined there).

Facts follow Senge's *The Fifth Discipline*, Kim's *Systems Archetypes at a
Glance*, Braun (2002) and Meadows' system traps; the stories are our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFINITIONS", "TELLING_APART", "Form"]


@dataclass(frozen=True)
class Form:
    """Another way the references draw an archetype, with roles of the template merged.

    Attributes
    ----------
    name : str
        A short name, e.g. ``"one relative position"``.
    structure : str
        The form's diagram in the text notation. Its role names are the
        template's, less the ones merged away.
    loop_stories : tuple
        ``((roles of a loop, story name), ...)``, as for the template.
    merged : tuple of (str, str)
        ``(template role, role of the form that plays it turned round)``: a
        role that the form draws as the same variable as another one.
    source : str
        Where the form is printed.
    """

    name: str
    structure: str
    loop_stories: tuple[tuple[tuple[str, ...], str], ...]
    merged: tuple[tuple[str, str], ...]
    source: str


BALANCING_WITH_DELAY = dict(
    name="balancing process with delay",
    aliases=("balancing with delay", "balancing loop with delay", "balancing process with a delay"),
    structure="""
        goal -> gap : +
        gap -> corrective action : +
        corrective action -> state : + delay
        state -> gap : -
    """,
    loop_stories=((("gap", "corrective action", "state"), "correcting towards the goal"),),
    behaviour="damped oscillation",
    behaviour_over_time="overshoot and oscillation around the goal, damped or sustained",
    story=(
        "A school wants every class to have a reading volunteer. Each month the coordinator "
        "looks at the gap and recruits to close it, but new volunteers take weeks of checks "
        "and training before they arrive. Still seeing a gap, the coordinator keeps "
        "recruiting; by the time the trained volunteers turn up there are far too many, so "
        "recruiting stops, people drift away, and the count dips below the goal again. "
        "Nobody is doing anything wrong: the correction simply acts on old news."
    ),
    leverage=(
        "Be patient with the delay, or shorten it. Act in smaller steps, count what is "
        "already on its way, and give each action time to show its effect before adding "
        "more. Hurrying a slow system makes the swings bigger, not smaller."
    ),
    questions=(
        "Where in your work do you act again before your last action has had time to show?",
        "What is already 'in the pipeline' that you are not counting?",
        "How long does it really take for a change you make to arrive, and who feels the wait?",
    ),
    delay_required=True,
    optional=(("goal", "gap"),),
    layout=(
        ("goal", -1.9, 1.0),
        ("gap", 0.0, 1.0),
        ("corrective action", 1.5, 0.0),
        ("state", 0.0, -1.0),
    ),
)

LIMITS_TO_GROWTH = dict(
    name="limits to growth",
    aliases=("limits to success", "limit to growth"),
    structure="""
        efforts -> performance : +
        performance -> efforts : +
        performance -> slowing action : +
        slowing action -> performance : -
        constraint -> slowing action : +
    """,
    loop_stories=((("efforts", "performance"), "growing engine"),
                  (("performance", "slowing action"), "the limit bites")),
    behaviour="s-shaped growth",
    behaviour_over_time="S-shaped growth, then a plateau or a decline",
    story=(
        "A student-led mentoring club takes off: every success brings new mentors and new "
        "mentees, and the club's good name spreads. Yet the club has two teacher supervisors "
        "and one room after school. As it grows, sessions get crowded and supervision thins; "
        "mentors feel less supported and some stop coming. The harder the club recruits, the "
        "harder it runs into the same ceiling, and growth levels off or even turns down."
    ),
    leverage=(
        "Look for the limit, not for more push. Pushing the growth engine harder only makes "
        "the balancing loop work harder. Find the constraint (time, space, trust, capacity) "
        "and ease it, ideally before it bites, or choose consciously to grow no further."
    ),
    questions=(
        "What once worked well for you and now seems to need more and more effort?",
        "What resource, capacity or relationship is being stretched as things grow?",
        "What would it take to work on the limit rather than on the growth?",
    ),
    optional=(("constraint", "slowing action"),),
    layout=(
        ("efforts", -2.0, 0.0),
        ("performance", 0.0, 0.0),
        ("slowing action", 2.0, 0.0),
        ("constraint", 2.0, -1.4),
    ),
)

FIXES_THAT_FAIL = dict(
    name="fixes that fail",
    aliases=("policy resistance", "rule beating", "fixes that backfire"),
    structure="""
        problem symptom -> fix : +
        fix -> problem symptom : -
        fix -> unintended consequence : + delay
        unintended consequence -> problem symptom : +
    """,
    loop_stories=((("problem symptom", "fix"), "quick relief"),
                  (("problem symptom", "fix", "unintended consequence"), "the fix bites back")),
    behaviour="better before worse",
    behaviour_over_time="brief relief, then the symptom returns, often worse than before",
    story=(
        "Lateness to first lesson is rising, so a team introduces lunchtime detentions. For a "
        "few weeks the numbers drop. But the students who are late are often the ones caring "
        "for siblings or travelling far; detentions cost them the one calm hour of their "
        "day, their sense of belonging fades, and after a while they come late more often, "
        "or not at all. The fix answered the symptom and quietly fed the problem."
    ),
    leverage=(
        "Keep the fix if it is needed for now, but look ahead for its side effects and "
        "name them out loud. Ask what the symptom is telling you, and work on the deeper "
        "cause together with the people who live with it."
    ),
    questions=(
        "Which of your solutions is needed more and more often?",
        "What happens later, and to whom, because of the fix?",
        "What might the symptom be trying to tell you?",
    ),
    layout=(
        ("problem symptom", -1.3, 0.7),
        ("fix", 1.3, 0.7),
        ("unintended consequence", 0.0, -1.1),
    ),
)

SHIFTING_THE_BURDEN = dict(
    name="shifting the burden",
    # Meadows' "seeking the wrong goal" is filed here: chasing the measure is a
    # symptomatic solution that draws effort away from the real purpose.
    aliases=("shifting the burden to the intervenor", "addiction", "seeking the wrong goal"),
    structure="""
        problem symptom -> symptomatic solution : +
        symptomatic solution -> problem symptom : -
        problem symptom -> fundamental solution : +
        fundamental solution -> problem symptom : - delay
        symptomatic solution -> side effect : +
        side effect -> fundamental solution : -
    """,
    loop_stories=((("problem symptom", "symptomatic solution"), "the quick way"),
                  (("problem symptom", "fundamental solution"), "the slow way"),
                  (("problem symptom", "symptomatic solution", "side effect",
                    "fundamental solution"), "growing dependence")),
    behaviour="better before worse",
    behaviour_over_time=(
        "the symptom is held down while the fundamental capability erodes and dependence "
        "grows; then it returns, worse than before"
    ),
    story=(
        "A new teacher struggles with a restless class, so the deputy head steps in whenever "
        "things get loud. It works at once, and it becomes the habit. The slower path, "
        "coaching the teacher and building relationships with the class, keeps being put "
        "off, and each rescue tells the students, and the teacher, that authority lives "
        "elsewhere. A year later the teacher is more dependent than ever, and the deputy "
        "head is stretched across a dozen such classrooms."
    ),
    leverage=(
        "Strengthen the fundamental solution and make the symptomatic one a bridge, not a "
        "home. Name the side effect, share the longer view, and let the people who carry the "
        "problem build their own capacity, with support that fades as it grows."
    ),
    questions=(
        "Whose capacity is quietly shrinking because someone else always steps in?",
        "What would the fundamental solution ask of you, and why is it easier to wait?",
        "How could the quick fix be used to buy time for the slow one?",
    ),
    # Senge's numbering: B1 the symptomatic solution, B2 the fundamental one, R1 the side effect.
    loop_names=(("the quick way", "B1"), ("the slow way", "B2"), ("growing dependence", "R1")),
    layout=(
        ("symptomatic solution", 0.0, 1.4),
        ("problem symptom", -1.5, 0.0),
        ("fundamental solution", 0.0, -1.4),
        ("side effect", 1.7, 0.0),
    ),
)

ERODING_GOALS = dict(
    name="eroding goals",
    aliases=("drift to low performance", "drifting goals", "eroding standards"),
    structure="""
        gap -> corrective action : +
        corrective action -> actual performance : + delay
        actual performance -> gap : -
        gap -> pressure to lower goal : +
        pressure to lower goal -> goal : -
        goal -> gap : +
    """,
    loop_stories=((("gap", "corrective action", "actual performance"), "closing the gap"),
                  (("gap", "pressure to lower goal", "goal"), "lowering the bar")),
    behaviour="drifting goals",
    behaviour_over_time="goal and performance slide down together",
    story=(
        "A community centre promises to answer every family's message within a day. When "
        "volunteers are stretched, replies take three days, and rather than find more help, "
        "the team quietly agrees that three days is 'realistic'. Next winter it is a week. "
        "Each step seems reasonable, yet the standard and the service drift down together, "
        "and newcomers never learn that things were once different."
    ),
    leverage=(
        "Hold the vision steady and make the gap visible. Anchor goals to something outside "
        "recent performance (the people served, a shared purpose, the best you have done), "
        "and put the energy into corrective action rather than into redefining success."
    ),
    questions=(
        "Which of your standards has moved, and did anyone decide that it should?",
        "What is the goal anchored to: your purpose, or last year's results?",
        "What creative tension could you hold instead of letting the goal slide?",
    ),
    layout=(
        ("gap", 0.0, 0.0),
        ("corrective action", 1.6, 1.0),
        ("actual performance", 1.6, -1.0),
        ("pressure to lower goal", -1.6, -1.0),
        ("goal", -1.6, 1.0),
    ),
)

ESCALATION = dict(
    name="escalation",
    aliases=("arms race", "competitive escalation"),
    structure="""
        A's result relative to B -> threat to A : -
        threat to A -> A's activity : +
        A's activity -> A's result relative to B : +
        B's result relative to A -> threat to B : -
        threat to B -> B's activity : +
        B's activity -> B's result relative to A : +
        A's activity -> B's result relative to A : -
        B's activity -> A's result relative to B : -
    """,
    loop_stories=((("A's result relative to B", "threat to A", "A's activity"), "A catches up"),
                  (("B's result relative to A", "threat to B", "B's activity"), "B catches up"),
                  (("A's result relative to B", "threat to A", "A's activity",
                    "B's result relative to A", "threat to B", "B's activity"),
                   "the race (figure eight)")),
    behaviour="exponential growth",
    behaviour_over_time="both parties' activity grows exponentially",
    story=(
        "Two neighbouring schools compete for families. One adds a glossy open evening; the "
        "other answers with free taster days; the first adds a bus service. Each move is a "
        "sensible reply to feeling behind, and each reply makes the other side feel behind. "
        "Budgets, staff time and goodwill pour into the contest while neither school gets "
        "ahead, and the children's learning is not the thing that grows."
    ),
    leverage=(
        "Step out of the race together. Talk with the other party about what each of you "
        "fears, find a way for both to feel secure, or make a unilateral, visible move to "
        "de-escalate. Redefine the goal from being ahead to being good enough, together."
    ),
    questions=(
        "Whom do you measure yourself against, and what do they see when they look at you?",
        "What would 'enough' look like, for you and for the other side?",
        "What could you say or do first that would let both sides slow down?",
    ),
    layout=(
        ("A's activity", -0.7, 1.0),
        ("A's result relative to B", -0.7, -1.0),
        ("threat to A", -2.4, 0.0),
        ("B's result relative to A", 0.7, 1.0),
        ("B's activity", 0.7, -1.0),
        ("threat to B", 2.4, 0.0),
    ),
    # The Fifth Discipline draws the arms race with one variable, the one side's
    # position relative to the other's: it falls as the other side builds up.
    forms=(Form(
        name="one relative position",
        structure="""
            A's result relative to B -> threat to A : -
            threat to A -> A's activity : +
            A's activity -> A's result relative to B : +
            A's result relative to B -> threat to B : +
            threat to B -> B's activity : +
            B's activity -> A's result relative to B : -
        """,
        loop_stories=((("A's result relative to B", "threat to A", "A's activity"),
                       "A catches up"),
                      (("A's result relative to B", "threat to B", "B's activity"),
                       "B catches up")),
        merged=(("B's result relative to A", "A's result relative to B"),),
        source="Senge, The Fifth Discipline, ch. 5 and appendix 2",
    ), Form(
        # Each party's balancing loop drawn with two variables, the threat it feels and
        # its response: the threat is its own result relative to the other, turned round.
        name="two variables per party",
        structure="""
            threat to A -> A's activity : +
            A's activity -> threat to A : -
            threat to B -> B's activity : +
            B's activity -> threat to B : -
            A's activity -> threat to B : +
            B's activity -> threat to A : +
        """,
        loop_stories=((("threat to A", "A's activity"), "A catches up"),
                      (("threat to B", "B's activity"), "B catches up"),
                      (("threat to A", "A's activity", "threat to B", "B's activity"),
                       "the race (figure eight)")),
        merged=(("A's result relative to B", "threat to A"),
                ("B's result relative to A", "threat to B")),
        source="the short drawing common in workshops (each side's felt threat and response)",
    )),
)

SUCCESS_TO_THE_SUCCESSFUL = dict(
    name="success to the successful",
    aliases=("winner takes all", "competitive exclusion"),
    structure="""
        success of A -> allocation to A instead of B : +
        allocation to A instead of B -> resources to A : +
        resources to A -> success of A : +
        allocation to A instead of B -> resources to B : -
        resources to B -> success of B : +
        success of B -> allocation to A instead of B : -
    """,
    loop_stories=((("success of A", "allocation to A instead of B", "resources to A"),
                   "A's success attracts"),
                  (("success of B", "allocation to A instead of B", "resources to B"),
                   "B's loss repels")),
    # The divergence of the references' two curves, in one series: A's success
    # relative to B's multiplies as one side thrives and the other fades.
    behaviour="exponential growth",
    behaviour_over_time=(
        "divergence: one side thrives while the other fades, so the first one's success "
        "relative to the other's multiplies (winner takes all)"
    ),
    story=(
        "Two students start the year level in maths. One answers first in an early lesson, "
        "so the teacher calls on her more; she gets more practice and praise, and answers "
        "better still. The other, asked less, practises less, grows quieter, and is asked "
        "less again. By spring the difference looks like talent, yet it was grown by how "
        "attention was shared, not by what each child could do."
    ),
    leverage=(
        "Look at the rule that shares out the resource. Give each side its own, separate "
        "resources, level the playing field deliberately, or choose a goal that values "
        "everyone's success, so that early luck does not decide the outcome."
    ),
    questions=(
        "Who gets more of your time, attention or trust because they already have more?",
        "Which differences in your setting were grown rather than given?",
        "How could resources be shared so that both sides can succeed?",
    ),
    layout=(
        ("allocation to A instead of B", 0.0, 0.0),
        ("resources to A", -1.5, 1.2),
        ("success of A", -1.5, -1.2),
        ("resources to B", 1.5, 1.2),
        ("success of B", 1.5, -1.2),
    ),
)

TRAGEDY_OF_THE_COMMONS = dict(
    name="tragedy of the commons",
    aliases=("the commons", "tragedy of commons", "commons"),
    structure="""
        A's net gain -> A's activity : +
        A's activity -> A's net gain : +
        B's net gain -> B's activity : +
        B's activity -> B's net gain : +
        A's activity -> total activity : +
        B's activity -> total activity : +
        total activity -> gain per individual activity : - delay
        gain per individual activity -> A's net gain : +
        gain per individual activity -> B's net gain : +
    """,
    loop_stories=((("A's net gain", "A's activity"), "A's gain"),
                  (("B's net gain", "B's activity"), "B's gain"),
                  (("A's activity", "total activity", "gain per individual activity",
                    "A's net gain"), "the commons limits A"),
                  (("B's activity", "total activity", "gain per individual activity",
                    "B's net gain"), "the commons limits B")),
    behaviour="overshoot and collapse",
    behaviour_over_time=(
        "total activity rises, then the gain per activity falls; past a point of no return "
        "the commons collapses, and the activity with it"
    ),
    story=(
        "A school's staff share one shared drive of lesson resources and one pool of cover "
        "time. Each department, quite reasonably, books a little extra cover for its own "
        "trips and projects, and each gains from it. No one owns the whole pool; the cost of "
        "over-use arrives late and is spread thinly over everyone. Then one term there is no "
        "cover left at all, and every department loses at once."
    ),
    leverage=(
        "Make the shared resource and its limit visible to everyone who uses it, feed the "
        "consequences back quickly to each user, and agree together on how it is used and "
        "renewed. The commons is kept by relationship and shared rules, not by goodwill alone."
    ),
    questions=(
        "What do you share with others that no one looks after?",
        "How soon do users of the resource feel the cost of their own use?",
        "Who could you gather to agree on how the commons is used and renewed?",
    ),
    layout=(
        ("A's net gain", -0.3, 1.8),
        ("A's activity", -1.7, 0.8),
        ("B's net gain", -0.3, -1.8),
        ("B's activity", -1.7, -0.8),
        ("total activity", 0.0, 0.0),
        ("gain per individual activity", 1.8, 0.0),
    ),
)

GROWTH_AND_UNDERINVESTMENT = dict(
    name="growth and underinvestment",
    aliases=("underinvestment", "growth and underinvestment with drifting standards"),
    structure="""
        demand -> growing action : +
        growing action -> demand : +
        demand -> performance : -
        performance -> demand : +
        performance -> perceived need to invest : -
        perceived need to invest -> investment : +
        investment -> capacity : + delay
        capacity -> performance : +
        performance standard -> perceived need to invest : +
        performance -> performance standard : +
    """,
    loop_stories=((("demand", "growing action"), "growth"),
                  (("demand", "performance"), "overload"),
                  (("performance", "perceived need to invest", "investment", "capacity"),
                   "building capacity"),
                  (("performance", "performance standard", "perceived need to invest",
                    "investment", "capacity"), "lowering the standard")),
    behaviour="growth then decline",
    behaviour_over_time="growth stalls and turns into decline; standards and capacity stay low",
    story=(
        "A popular after-school family programme grows by word of mouth. Soon groups are "
        "too big and waiting lists form, and families start to drift away. The board could "
        "train more facilitators, but that takes a year and the numbers are already falling, "
        "so the investment looks hard to justify; instead they agree that larger groups are "
        "'fine for now'. Quality slips, demand falls back, and the lower demand seems to "
        "prove that the investment was never needed."
    ),
    leverage=(
        "Invest in capacity ahead of the need, and hold the standard steady. Judge the need "
        "by the vision and by the demand you could serve, not by the demand that poor "
        "performance has already turned away."
    ),
    questions=(
        "Which investment have you postponed because demand seemed to fall?",
        "Did demand fall on its own, or because performance slipped?",
        "What standard would you hold if you trusted the growth to return?",
    ),
    optional=(("performance standard", "perceived need to invest"),
              ("performance", "performance standard")),
    layout=(
        ("growing action", -3.0, 0.0),
        ("demand", -1.5, 0.0),
        ("performance", 0.0, 0.0),
        ("capacity", 1.5, 1.2),
        ("investment", 3.0, 0.0),
        ("perceived need to invest", 1.5, -1.2),
        ("performance standard", 0.0, -2.2),
    ),
)

ACCIDENTAL_ADVERSARIES = dict(
    name="accidental adversaries",
    aliases=("accidental adversary",),
    structure="""
        A's success -> A's activity toward B : +
        A's activity toward B -> B's success : +
        B's success -> B's activity toward A : +
        B's activity toward A -> A's success : +
        A's success -> A's activity for itself : +
        A's activity for itself -> A's success : +
        B's success -> B's activity for itself : +
        B's activity for itself -> B's success : +
        A's activity for itself -> B's success : -
        B's activity for itself -> A's success : -
    """,
    loop_stories=((("A's success", "A's activity toward B", "B's success",
                    "B's activity toward A"), "partnership"),
                  (("A's success", "A's activity for itself"), "A looks after itself"),
                  (("B's success", "B's activity for itself"), "B looks after itself"),
                  (("A's success", "A's activity for itself", "B's success",
                    "B's activity toward A"), "A's self-help hurts B"),
                  (("B's success", "B's activity for itself", "A's success",
                    "A's activity toward B"), "B's self-help hurts A"),
                  (("A's success", "A's activity for itself", "B's success",
                    "B's activity for itself"), "mutual damage")),
    behaviour="better before worse",
    behaviour_over_time=(
        "the partnership grows, then after a shock spirals into rivalry, "
        "the harm feeding on itself, until both are worse off than when they began"
    ),
    story=(
        "A school and a parents' association set out as partners: the association raises "
        "funds, the school shares plans, and both flourish. Then a tight term pushes each to "
        "look after itself; the school makes a decision without consulting, the association "
        "runs its own event on the school's busiest night. Each move helps its maker and "
        "quietly hurts the other, each side reads the hurt as intent, and partners become "
        "adversaries without anyone meaning it."
    ),
    leverage=(
        "Revisit the reasons for the partnership and make each side's needs and constraints "
        "visible to the other. Agree how to look after yourselves without undermining the "
        "partner, and keep talking when things get tight."
    ),
    questions=(
        "Which partnership in your work started well and now feels like a contest?",
        "What do you do for yourself that might land as harm on your partner?",
        "What does your partner need from you that they may never have said?",
    ),
    # The partnership is the archetype's reason for being: its outer loop is R1.
    loop_names=(("partnership", "R1"), ("A looks after itself", "R2"),
                ("B looks after itself", "R3"), ("mutual damage", "R4"),
                ("A's self-help hurts B", "B1"), ("B's self-help hurts A", "B2")),
    layout=(
        ("A's success", -2.2, 0.0),
        ("A's activity toward B", 0.0, 1.6),
        ("B's success", 2.2, 0.0),
        ("B's activity toward A", 0.0, -1.6),
        ("A's activity for itself", -0.8, 0.55),
        ("B's activity for itself", 0.8, -0.55),
    ),
)

#: What tells apart archetypes (or forms) whose essential loops can be the same loops of
#: a diagram, by the pair of names (``"escalation"`` and ``"eroding goals"``).
TELLING_APART: dict[frozenset[str], str] = {
    frozenset({"escalation", "eroding goals"}): (
        "both are two balancing loops through one shared variable. Read it as escalation "
        "when each loop is a party reacting to the other: the shared variable is where one "
        "side stands relative to the other, and each side's correction opens the other's "
        "gap, so both activities keep growing. Read it as eroding goals when one loop works "
        "on performance and the other moves the goal itself: the shared variable is the gap "
        "between goal and performance, and the goal gives way until both drift down."
    ),
}

#: The ten definitions, in the reference's order: the keyword arguments of
#: :class:`csframework.archetypes.Archetype`, which holds the fields and their meaning.
DEFINITIONS: tuple[dict[str, Any], ...] = (
    BALANCING_WITH_DELAY,
    LIMITS_TO_GROWTH,
    FIXES_THAT_FAIL,
    SHIFTING_THE_BURDEN,
    ERODING_GOALS,
    ESCALATION,
    SUCCESS_TO_THE_SUCCESSFUL,
    TRAGEDY_OF_THE_COMMONS,
    GROWTH_AND_UNDERINVESTMENT,
    ACCIDENTAL_ADVERSARIES,
)

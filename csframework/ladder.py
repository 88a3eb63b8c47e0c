"""The ladder of inference: how we climb from what happened to what we do.

The ladder (Chris Argyris, popularised in Peter Senge's *Fifth Discipline
Fieldbook*) has seven rungs. At the bottom is the **observable data**, all
that a recording would capture. We climb, usually in seconds and without
noticing: we **select** some of the data, **add meaning** to it, make
**assumptions**, draw **conclusions**, adopt **beliefs**, and take
**actions**. The *reflexive loop* closes the circle: our beliefs shape which
data we select next time, so a belief tends to find its own confirmation.

Writing each rung down slows the climb. Walking back down it, alone or
together, separates what was seen from what was made of it.

Examples
--------
>>> from csframework.ladder import LadderOfInference
>>> ladder = LadderOfInference("Staff meeting")
>>> ladder.add("observable data", "Sam looked at the clock twice while I spoke")
LadderItem(rung='observable data', text='Sam looked at the clock twice while I spoke')
>>> _ = ladder.add("conclusion", "Sam is not interested in my proposal")
>>> _ = ladder.add("Beliefs", "Sam does not value my work")
>>> ladder
<LadderOfInference 'Staff meeting': 3 items on 3 of 7 rungs>
>>> [loop.name for loop in ladder.reflexive_loop().loops()]
['R1']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework import style
from csframework._drawing import LINE, paint, wrap
from csframework._text import clean_text, plural, resolve
from csframework.document import Document, pop_item
from csframework.errors import FormatError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from csframework.cld import CausalLoopDiagram

__all__ = ["RUNGS", "RUNG_ALIASES", "LadderItem", "LadderOfInference", "Rung", "rungs"]

#: The seven rungs, bottom to top.
RUNGS = ("observable data", "selected data", "added meaning", "assumptions", "conclusions",
         "beliefs", "actions")

SCHEMA = "csframework.ladder"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Rung:
    """One rung of the ladder.

    Attributes
    ----------
    name : str
        E.g. ``"added meaning"``.
    question : str
        The question that brings this rung into view.
    step : int
        0 for observable data (the ground) to 6 for actions (the top).
    """

    name: str
    question: str
    step: int

    @property
    def title(self) -> str:
        """The name as a heading: ``"Added meaning"``."""
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class LadderItem:
    """What a participant wrote on one rung."""

    rung: str
    text: str


_QUESTIONS = {
    "observable data": "What would a recording have captured?",
    "selected data": "Which details did I notice and pick out?",
    "added meaning": "What did those details mean to me, given my experience?",
    "assumptions": "What did I take for granted without checking?",
    "conclusions": "What did I decide was going on?",
    "beliefs": "What do I now believe about them, or about the world?",
    "actions": "What did I do, or what am I about to do?",
}

_WALK_DOWN = {
    "actions": "What did I do, and what did I hope it would achieve?",
    "beliefs": "Which belief made that action feel like the obvious one?",
    "conclusions": "What did I conclude, and could it be held as a hypothesis instead?",
    "assumptions": "What did I assume? How could I check it with the other person?",
    "added meaning": "What meaning did I add? Could the same details mean something else?",
    "selected data": "What data did I select, and what did I leave out?",
    "observable data": "What would a neutral observer have seen and heard?",
}

_INQUIRY = (
    "What leads you to see it that way?",
    "Which moments or details are you drawing on?",
    "Could you walk me through the steps from what happened to your conclusion?",
    "What might I be missing from where you stand?",
    "What, if anything, would change your mind?",
)

_ADVOCACY = (
    "Here is what I saw and heard, as plainly as I can put it: ...",
    "This is the meaning I took from it, and why: ...",
    "So I came to this conclusion, which I hold as a hypothesis: ...",
    "Which part of my reasoning looks weakest to you?",
    "What do you see that I might not?",
)

#: Other names a rung is written under, each mapped to its canonical name.
RUNG_ALIASES = {
    "data": "observable data", "observable": "observable data",
    "observations": "observable data", "observation": "observable data",
    "observed data": "observable data", "raw data": "observable data",
    "what happened": "observable data",
    "selected": "selected data", "select data": "selected data", "selection": "selected data",
    "select": "selected data", "noticed": "selected data",
    "meaning": "added meaning", "meanings": "added meaning", "add meaning": "added meaning",
    "added meanings": "added meaning", "interpretation": "added meaning",
    "interpretations": "added meaning",
    "assumption": "assumptions", "assume": "assumptions", "make assumptions": "assumptions",
    "conclusion": "conclusions", "conclude": "conclusions", "draw conclusions": "conclusions",
    "belief": "beliefs", "adopt beliefs": "beliefs",
    "action": "actions", "act": "actions", "take action": "actions", "take actions": "actions",
}


def rungs() -> tuple[Rung, ...]:
    """The seven rungs, bottom to top, each with its question.

    Examples
    --------
    >>> [r.name for r in rungs()][-2:]
    ['beliefs', 'actions']
    >>> rungs()[1].question
    'Which details did I notice and pick out?'
    """
    return tuple(Rung(name, _QUESTIONS[name], step) for step, name in enumerate(RUNGS))


class LadderOfInference(Document):
    """A ladder of inference for one moment of reasoning.

    Parameters
    ----------
    title : str, optional
        The moment it is about, e.g. ``"Staff meeting, 3 March"``.

    Examples
    --------
    >>> ladder = LadderOfInference()
    >>> _ = ladder.add("selected", "Only two people replied to my email")
    >>> ladder.items("selected data")[0].text
    'Only two people replied to my email'
    >>> LadderOfInference().walk_down()[-2]
    'What data did I select, and what did I leave out?'
    >>> ladder.add("rung 8", "x")
    Traceback (most recent call last):
    ...
    csframework.errors.UnknownNameError: unknown rung 'rung 8' in the ladder of inference; \
known rungs are 'actions', 'added meaning', 'assumptions', 'beliefs', 'conclusions', \
'observable data', 'selected data'
    >>> LadderOfInference.from_json('{"schema": "csframework.iceberg", "version": 1}')
    Traceback (most recent call last):
    ...
    csframework.errors.FormatError: not ladder JSON: schema is 'csframework.iceberg', \
expected 'csframework.ladder'
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    JSON_WHAT = "ladder JSON"

    def __init__(self, title: str | None = None):
        self.title = None if title is None else clean_text(title, what="title",
                                                           where="of a ladder of inference")
        self._items: dict[str, list[LadderItem]] = {name: [] for name in RUNGS}

    # -- reading -----------------------------------------------------------------------

    @property
    def rungs(self) -> tuple[Rung, ...]:
        """The seven rungs, bottom to top."""
        return rungs()

    def rung(self, name: str) -> Rung:
        """The rung called `name` (aliases such as ``"meaning"`` accepted)."""
        return self.rungs[RUNGS.index(self._rung_name(name))]

    def items(self, rung: str | None = None) -> tuple[LadderItem, ...]:
        """The items of one rung, or of all rungs bottom to top."""
        if rung is not None:
            return tuple(self._items[self._rung_name(rung)])
        return tuple(item for name in RUNGS for item in self._items[name])

    # -- building ----------------------------------------------------------------------

    def add(self, rung: str, text: str) -> LadderItem:
        """Write `text` on a rung; the same words twice are kept once.

        Raises
        ------
        UnknownNameError
            For a rung that does not exist (close names are suggested).
        DiagramError
            For empty text.
        """
        name = self._rung_name(rung)
        text = clean_text(text, what="item", where=f"for rung {name!r} of {self._where()}")
        item = LadderItem(name, text)
        if item not in self._items[name]:
            self._items[name].append(item)
        return item

    def remove(self, rung: str, text: str) -> LadderItem:
        """Remove the item with these words from a rung and return it."""
        name = self._rung_name(rung)
        return pop_item(self._items[name], text, where=f"rung {name!r} of {self._where()}")

    def _rung_name(self, rung: object) -> str:
        return resolve(rung, RUNG_ALIASES, RUNGS, kind="rung", where=self._where())

    def _where(self) -> str:
        return f"ladder {self.title!r}" if self.title else "the ladder of inference"

    # -- prompts -----------------------------------------------------------------------

    def walk_down(self) -> tuple[str, ...]:
        """Questions for walking back down the ladder, from actions to the data.

        Where the ladder has items, the question quotes the first of them so
        that the walk starts from what was actually written.

        Examples
        --------
        >>> ladder = LadderOfInference()
        >>> _ = ladder.add("actions", "I stopped sharing ideas with Sam")
        >>> print(ladder.walk_down()[0])
        You wrote: "I stopped sharing ideas with Sam". What did I do, and what did I hope \
it would achieve?
        """
        prompts = []
        for name in reversed(RUNGS):
            question = _WALK_DOWN[name]
            written = self._items[name]
            prompts.append(f'You wrote: "{written[0].text}". {question}' if written else question)
        return tuple(prompts)

    @staticmethod
    def inquiry_prompts() -> tuple[str, ...]:
        """Questions that inquire into someone else's ladder, with curiosity.

        Examples
        --------
        >>> LadderOfInference.inquiry_prompts()[0]
        'What leads you to see it that way?'
        """
        return _INQUIRY

    @staticmethod
    def advocacy_prompts() -> tuple[str, ...]:
        """Sentence starters that make one's own climb visible to others.

        Examples
        --------
        >>> LadderOfInference.advocacy_prompts()[-1]
        'What do you see that I might not?'
        """
        return _ADVOCACY

    # -- the reflexive loop ------------------------------------------------------------

    def reflexive_loop(self) -> CausalLoopDiagram:
        """The ladder as a causal loop diagram, with the reflexive loop closed.

        Each rung feeds the next; beliefs feed back into which data we select
        next time, which makes one reinforcing loop. Observable data feed in
        from below and actions lead out at the top, outside the loop.

        Returns
        -------
        CausalLoopDiagram
            With exactly one loop, ``R1``, story-named ``"reflexive loop"``.

        Examples
        --------
        >>> loop = LadderOfInference().reflexive_loop().loop("reflexive loop")
        >>> loop.kind, loop.variables[0]
        ('reinforcing', 'added meaning')
        """
        from csframework.cld import CausalLoopDiagram

        title = "Reflexive loop" + (f": {self.title}" if self.title else "")
        cld = CausalLoopDiagram(title)
        for rung in self.rungs:
            written = "; ".join(item.text for item in self._items[rung.name])
            cld.add_variable(rung.name, facet="self", note=written or rung.question)
        for cause, effect in itertools.pairwise(RUNGS):
            cld.link(cause, effect, "+")
        cld.link("beliefs", "selected data", "+",
                 note="our beliefs shape which data we select next time")
        cld.name_loop("R1", "reflexive loop")
        return cld

    # -- text and exchange ---------------------------------------------------------------

    def _eq_key(self) -> tuple[Any, ...]:
        return self.title, self._items

    def _repr_summary(self) -> str:
        used = sum(1 for entries in self._items.values() if entries)
        return f"{plural(len(self.items()), 'item')} on {used} of 7 rungs"

    def to_data(self) -> dict[str, Any]:
        """The ladder's title and items (the JSON of :meth:`to_json` without its envelope)."""
        return {"title": self.title,
                "items": [{"rung": i.rung, "text": i.text} for i in self.items()]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LadderOfInference:
        """A ladder from the fields written by :meth:`to_data`."""
        ladder = cls(data.get("title"))
        for i, item in enumerate(data.get("items", [])):
            if not isinstance(item, dict) or "rung" not in item or "text" not in item:
                raise FormatError(f"ladder JSON items[{i}] needs 'rung' and 'text', "
                                  f"got {item!r}")
            ladder.add(item["rung"], item["text"])
        return ladder

    def to_markdown(self) -> str:
        """The ladder as Markdown, from the top rung down.

        Examples
        --------
        >>> ladder = LadderOfInference("Email")
        >>> _ = ladder.add("conclusions", "Nobody cares about the project")
        >>> print(ladder.to_markdown())  # doctest: +ELLIPSIS
        ## Ladder of inference: Email
        <BLANKLINE>
        ### Actions
        *What did I do, or what am I about to do?*
        <BLANKLINE>
        - (nothing yet)
        ...
        ### Conclusions
        *What did I decide was going on?*
        <BLANKLINE>
        - Nobody cares about the project
        ...
        """
        lines = ["## Ladder of inference" + (f": {self.title}" if self.title else ""), ""]
        for rung in reversed(self.rungs):
            lines += [f"### {rung.title}", f"*{rung.question}*", ""]
            lines += [f"- {item.text}" for item in self._items[rung.name]] or ["- (nothing yet)"]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # -- drawing -----------------------------------------------------------------------

    def draw(self, ax: Axes | None = None) -> Figure:
        """Draw the ladder: seven rungs with their questions and items, and the reflexive loop.

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
        Artists carry ``gid`` names: ``"rung:<name>"`` (the step),
        ``"rung-label:<name>"``, ``"question:<name>"``, ``"item:<rung>:<text>"``,
        ``"rail:left"``, ``"rail:right"``, ``"reflexive-loop"``,
        ``"reflexive-label"``, ``"reflexive-marker"``, ``"title"``.

        Examples
        --------
        >>> fig = LadderOfInference("Email").draw()
        >>> sorted(g for a in fig.axes[0].get_children() if (g := a.get_gid()) and
        ...        g.startswith("rung:"))[:2]
        ['rung:actions', 'rung:added meaning']
        """
        return paint(_LadderScene, self, ax)


class _LadderScene:
    """Layout of the ladder picture, in em (one unit = the theme's font size)."""

    WIDTH = 60.0
    MARGIN = 1.5
    RAIL_LEFT, RAIL_RIGHT = 8.5, 13.5
    LABEL_LEFT = 15.5
    ITEMS_LEFT = 34.0
    SMALL = 0.9

    def __init__(self, ladder: LadderOfInference, theme: style.Theme):
        self.ladder = ladder
        self.theme = theme
        self.width = self.WIDTH
        self.title_ratio = theme.title_size / theme.font_size
        label_width = self.ITEMS_LEFT - self.LABEL_LEFT - 1.0
        item_width = self.width - self.ITEMS_LEFT - self.MARGIN - 1.3
        self.questions = {r.name: wrap(r.question, label_width, self.SMALL)
                          for r in ladder.rungs}
        self.item_lines = {r.name: [(item, wrap(item.text, item_width)) for item in
                                    ladder.items(r.name)] for r in ladder.rungs}
        heights = []
        for r in ladder.rungs:
            left = LINE * 1.05 + 1.4 * self.SMALL * len(self.questions[r.name])
            right = LINE * sum(len(lines) for _, lines in self.item_lines[r.name])
            heights.append(max(4.2, max(left, right) + 1.4))
        self.heights = heights  # bottom to top
        self.top_band = 2.0 + LINE * self.title_ratio + LINE * 0.9 if ladder.title else 4.0
        self.bottom_band = 1.5
        self.height = self.top_band + sum(heights) + self.bottom_band
        tops, y = [], self.bottom_band
        for h in heights:
            y += h
            tops.append(y)
        self.tops = tops  # top of each rung's row, bottom to top
        self.centres = [top - 1.35 for top in tops]  # the step, level with the rung's name

    def paint(self, ax: Axes) -> None:
        from matplotlib.patches import FancyArrowPatch, Rectangle

        theme, size = self.theme, self.theme.font_size
        text = style.PALETTE["text"]
        wood = "#7A5C3E"
        # title
        top = self.height - 1.2
        heading = "Ladder of inference" + (f": {self.ladder.title}" if self.ladder.title else "")
        ax.text(self.MARGIN, top, heading, fontsize=theme.title_size, fontweight="bold",
                color=text, ha="left", va="top", gid="title")
        ax.text(self.MARGIN, top - LINE * self.title_ratio - 0.2,
                "We climb in seconds; writing each rung down lets us walk back down.",
                fontsize=size * 0.9, color="#555555", style="italic", ha="left", va="top",
                gid="subtitle")
        # ground and rails
        ground = self.bottom_band + 0.4
        ax.add_patch(Rectangle((self.RAIL_LEFT - 2.5, ground - 0.6),
                               self.RAIL_RIGHT - self.RAIL_LEFT + 5.0, 0.6,
                               facecolor="#E9E2D6", edgecolor="none", zorder=1, gid="ground"))
        rail_top = self.centres[-1] + 1.4
        for x, side in ((self.RAIL_LEFT, "left"), (self.RAIL_RIGHT, "right")):
            ax.plot([x, x], [ground, rail_top], color=wood, linewidth=theme.line_width * 2.2,
                    solid_capstyle="round", zorder=3, gid=f"rail:{side}")
        # rungs
        for rung, y, row_top in zip(self.ladder.rungs, self.centres, self.tops, strict=True):
            has_items = bool(self.item_lines[rung.name])
            ax.plot([self.RAIL_LEFT, self.RAIL_RIGHT], [y, y], color=wood,
                    linewidth=theme.line_width * 1.8, solid_capstyle="round", zorder=3,
                    gid=f"rung:{rung.name}")
            if rung.step > 0:
                row_bottom = row_top - self.heights[rung.step]
                ax.plot([self.LABEL_LEFT, self.width - self.MARGIN], [row_bottom, row_bottom],
                        color="#E6E6E6", linewidth=1.0, zorder=1, gid=f"rule:{rung.name}")
            ax.plot([self.RAIL_RIGHT + 0.4, self.LABEL_LEFT - 0.4], [y, y], color="#BBBBBB",
                    linewidth=1.0, linestyle=(0, (2, 2)), zorder=2, gid=f"leader:{rung.name}")
            label_y = row_top - 0.7
            ax.text(self.LABEL_LEFT, label_y, rung.title, fontsize=size * 1.05,
                    fontweight="bold", color=text if has_items else "#444444", ha="left",
                    va="top", gid=f"rung-label:{rung.name}")
            ax.text(self.LABEL_LEFT, label_y - LINE * 1.05, "\n".join(self.questions[rung.name]),
                    fontsize=size * self.SMALL, color="#555555", style="italic", ha="left",
                    va="top", gid=f"question:{rung.name}")
            y_item = row_top - 0.7
            for item, lines in self.item_lines[rung.name]:
                ax.text(self.ITEMS_LEFT, y_item, "\u2022", fontsize=size, color=text, ha="left",
                        va="top", fontweight="bold", gid=f"marker:{rung.name}:{item.text}")
                for k, line in enumerate(lines):
                    gid = f"item:{rung.name}:{item.text}" if k == 0 else \
                        f"item-line:{rung.name}:{item.text}:{k}"
                    ax.text(self.ITEMS_LEFT + 1.3, y_item, line, fontsize=size, color=text,
                            ha="left", va="top", gid=gid)
                    y_item -= LINE
        # the reflexive loop: from beliefs back down to selected data
        colour = style.PALETTE["reinforcing"]
        start = (self.RAIL_LEFT - 0.7, self.centres[5])
        end = (self.RAIL_LEFT - 0.7, self.centres[1])
        span = self.centres[5] - self.centres[1]
        bulge = 3.4  # how far left of the rails the loop swings, in em
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={2 * bulge / span}",
                                     arrowstyle="-|>", mutation_scale=size * 1.7,
                                     linewidth=theme.line_width, color=colour, zorder=4,
                                     gid="reflexive-loop"))
        curve_x = start[0] - bulge
        middle = (self.centres[5] + self.centres[1]) / 2
        ax.text(curve_x, middle, "R", fontsize=size * 1.1, fontweight="bold", color=colour,
                ha="center", va="center", zorder=5,
                bbox={"boxstyle": "circle,pad=0.35", "facecolor": "white", "edgecolor": colour,
                      "linewidth": 1.5}, gid="reflexive-marker")
        ax.text(curve_x - 2.3, middle,
                "reflexive loop: our beliefs shape the data we select next time",
                rotation=90, fontsize=size * 0.9, color=colour, style="italic", ha="center",
                va="center", zorder=5, gid="reflexive-label")

"""Telling a causal loop diagram as a story, one link at a time (no widgets here).

:class:`Story` turns a diagram into steps: each step reveals one link with a
line of narration, and announces every loop that the link closes. The loop
names are those of the whole diagram, so "B1" means the same thing at every
step as in the finished drawing. :meth:`Story.figure` draws a step with every
position taken from the full diagram's drawing, so nothing jumps.

Examples
--------
>>> from csframework.cld import CausalLoopDiagram
>>> from csframework.cld.narration import Story
>>> cld = CausalLoopDiagram.from_text('''
...     trust -> participation : +
...     participation -> workload : +
...     workload -> trust : - delay
... ''')
>>> for step in Story(cld).steps:
...     print(step.narration)
When trust rises, participation rises too.
When participation rises, workload rises too.
When workload rises, trust falls, after a while. This closes B1, a balancing loop: \
trust → participation → workload → trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csframework._text import plural

if TYPE_CHECKING:  # pragma: no cover
    from csframework.cld.diagram import CausalLoopDiagram, Link
    from csframework.cld.loops import Loop

__all__ = ["Step", "Story", "narrate_link", "narrate_loop"]


def narrate_link(link: Link) -> str:
    """One sentence for a link.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> link = CausalLoopDiagram.from_text("trust -> gossip : -").links[0]
    >>> narrate_link(link)
    'When trust rises, gossip falls.'
    """
    cause, effect = link.cause, link.effect
    moves = "falls" if link.is_negative else "rises too"
    later = ", after a while" if link.delay else ""
    return f"When {cause} rises, {effect} {moves}{later}."


def narrate_loop(loop: Loop, start: str | None = None) -> str:
    """One sentence announcing a loop that has just closed, told from `start` round.

    Examples
    --------
    >>> from csframework.cld import CausalLoopDiagram
    >>> cld = CausalLoopDiagram.from_text("a -> b : +\\nb -> a : +")
    >>> narrate_loop(cld.loops()[0])
    'This closes R1, a reinforcing loop: a → b → a.'
    """
    story = f" ({loop.story})" if loop.story else ""
    names = list(loop.variables)
    if start in names:
        at = names.index(start)
        names = names[at:] + names[:at]
    path = " → ".join([*names, names[0]])
    return f"This closes {loop.name}{story}, a {loop.kind} loop: {path}."


@dataclass(frozen=True)
class Step:
    """One link of the story.

    Attributes
    ----------
    number : int
        1 for the first link.
    link : Link
    closes : tuple of Loop
        The loops this link completes (named as in the whole diagram).
    narration : str
    """

    number: int
    link: Any
    closes: tuple[Any, ...]
    narration: str


class Story:
    """A diagram told link by link.

    Parameters
    ----------
    cld : CausalLoopDiagram
        The finished diagram; its links are revealed in the order they were added.
    """

    def __init__(self, cld: CausalLoopDiagram):
        self.cld = cld
        links = cld.links
        order = {(link.cause, link.effect): i for i, link in enumerate(links)}
        closing: dict[int, list[Loop]] = {}
        for loop in cld.loops():
            last = max(order[(k.cause, k.effect)] for k in loop.links)
            closing.setdefault(last, []).append(loop)
        steps = []
        for i, link in enumerate(links):
            closes = tuple(closing.get(i, ()))
            text = " ".join([narrate_link(link), *(narrate_loop(lp, link.effect) for lp in closes)])
            steps.append(Step(i + 1, link, closes, text))
        self.steps: tuple[Step, ...] = tuple(steps)
        self._layout: dict[str, tuple[float, float]] | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def introduction(self) -> str:
        """What is said before the first link (step 0)."""
        title = f"the story of {self.cld.title}" if self.cld.title else "this story"
        count = len(self.steps)
        return f"Let's build {title} one link at a time: {plural(count, 'link')}."

    def narration(self, position: int) -> str:
        """The words for `position` (0 is the introduction, n the n-th link)."""
        self._check(position)
        return self.introduction if position == 0 else self.steps[position - 1].narration

    def visible(self, position: int) -> tuple[set[str], set[tuple[str, str]], set[str]]:
        """Variables, links and loop names shown at `position`."""
        self._check(position)
        links = {(s.link.cause, s.link.effect) for s in self.steps[:position]}
        names = {v for pair in links for v in pair}
        names |= {v.name for v in self.cld.variables if not self.cld.causes_of(v.name)
                  and not self.cld.effects_of(v.name)}
        loops = {lp.name for s in self.steps[:position] for lp in s.closes}
        return names, links, loops

    def subset(self, position: int) -> CausalLoopDiagram:
        """The diagram as it stands at `position` (its own copy)."""
        from csframework.cld.diagram import CausalLoopDiagram

        names, _, _ = self.visible(position)
        part = CausalLoopDiagram(self.cld.title)
        for variable in self.cld.variables:
            if variable.name in names:
                part.add_variable(variable.name, facet=variable.facet, note=variable.note)
        for step in self.steps[:position]:
            k = step.link
            part.link(k.cause, k.effect, k.polarity, delay=k.delay, note=k.note)
        return part

    @property
    def layout(self) -> dict[str, tuple[float, float]]:
        """The positions of the whole diagram (computed once)."""
        if self._layout is None:
            from csframework.cld.draw import layout

            self._layout = layout(self.cld)
        return self._layout

    def figure(self, position: int) -> Any:
        """The drawing at `position`: the full diagram's drawing with the rest hidden.

        Every artist sits exactly where it does in the finished diagram (same
        layout, same curves, same loop markers), so nothing moves between steps.
        """
        from csframework.cld.draw import draw

        names, links, loops = self.visible(position)
        figure = draw(self.cld, layout=self.layout)
        keys = {f"{a}->{b}" for a, b in links}
        for ax in figure.axes:
            for artist in [*ax.patches, *ax.texts, *ax.lines, *ax.collections]:
                gid = artist.get_gid() or ""
                kind, _, what = gid.partition(":")
                if kind in ("label", "label-background"):
                    show = what in names
                elif kind in ("link", "sign", "delay"):
                    show = what in keys
                elif kind.startswith("loop-"):
                    show = what in loops
                elif kind == "loops-note":
                    show = position == len(self.steps)
                else:
                    continue
                artist.set_visible(show)
        return figure

    def _check(self, position: int) -> None:
        if not isinstance(position, int) or not 0 <= position <= len(self.steps):
            raise IndexError(f"story position must be 0 to {len(self.steps)}, not {position!r}")

    def __repr__(self) -> str:
        loops = sum(len(s.closes) for s in self.steps)
        return f"<Story {self.cld.title!r}: {len(self.steps)} links, {loops} loops>"

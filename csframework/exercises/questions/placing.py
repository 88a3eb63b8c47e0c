"""Questions that sort items into categories: the levels of the iceberg, the rungs of the ladder.

The categories and the other names they go by come from the thinking tools
themselves (:mod:`csframework.iceberg`, :mod:`csframework.ladder`), so an answer
may use any name the tool accepts.

Examples
--------
>>> q = PlaceOnIceberg("Place them.", {"late again": "events", "we blame": "mental model"},
...                    hints=["What happened, and what is believed?"])
>>> q.check({"late again": "event", "we blame": "beliefs"}).status
'correct'
>>> PlaceOnLadder("Place it.", {"she frowned": "data"}, hints=["Seen?"]).answer()
{'she frowned': 'observable data'}
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from csframework import iceberg, ladder
from csframework._text import plural
from csframework.exercises._framework import CheckResult, Question, key, listing, show
from csframework.exercises.questions.verdicts import correct, not_yet

__all__ = ["PlaceItems", "PlaceOnIceberg", "PlaceOnLadder"]


class PlaceItems(Question):
    """Sort items into categories (the base of the iceberg and ladder questions).

    Parameters
    ----------
    prompt : str
    items : mapping of str to str
        Each item and the category it belongs to.
    why : mapping of str to str
        For each item, why it belongs there (used when it is misplaced).
    """

    categories: tuple[str, ...] = ()
    aliases: Mapping[str, str] = {}
    category_word = "category"

    def __init__(self, prompt: str, items: Mapping[str, str], *,
                 why: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.items = {item: self._category(level) for item, level in items.items()}
        if None in self.items.values():
            raise ValueError(f"unknown {self.category_word} in {items!r}")
        self.why = dict(why or {})
        self.expected_form = (f"a dict from each item to its {self.category_word}, such as "
                              f"{{'{next(iter(self.items))}': '{self.categories[0]}'}}")

    def _category(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        k = key(value)
        for name in self.categories:
            if k == key(name):
                return name
        return self.aliases.get(k) or self.known_as(k)

    def known_as(self, words: str) -> str | None:
        """The category the thinking tool itself calls `words` (an alias it accepts), or None.

        The base class knows no tool; the iceberg and ladder questions ask theirs.
        """
        return None

    def describe(self, category: str) -> str:
        """``"an event"``, ``"a structure"``, ...: a category as a noun phrase."""
        return category

    def _misplaced(self, item: str, right: str, given: str) -> str:
        return f"'{item}' is {self.describe(right)}, not {self.describe(given)}"

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        return None

    def answer(self) -> dict[str, str]:
        return dict(self.items)

    def _explanation(self) -> str:
        placed = "; ".join(f"'{item}': {self.describe(level)}"
                           for item, level in self.items.items())
        return " ".join(part for part in (placed + ".", self.explanation) if part)

    def _check(self, answer: Any) -> CheckResult:
        placements = self._placements(answer)
        if placements is None:
            return not_yet(f"answer with {self.expected_form} "
                            f"(I was given {show(answer)}).")
        known = {key(item): item for item in self.items}
        given: dict[str, str] = {}
        unknown_items, unknown_levels = [], []
        for item, level in placements.items():
            found = known.get(key(item))
            if found is None:
                unknown_items.append(item)
                continue
            category = self._category(level)
            if category is None:
                unknown_levels.append((found, level))
                continue
            given[found] = category
        if unknown_levels:
            item, level = unknown_levels[0]
            return not_yet(f"{show(level)} (for '{item}') is not a {self.category_word}; "
                            f"the {self.category_word}s are {listing(self.categories)}.")
        wrong = [item for item, level in given.items() if self.items[item] != level]
        if wrong:
            sentences = []
            for item in wrong:
                why = self.why.get(item, "")
                sentences.append(self._misplaced(item, self.items[item], given[item])
                                 + (f": {why}" if why else "."))
            head = f"{plural(len(wrong), 'item is', 'items are')} not yet in place. "
            return not_yet(head + " ".join(s if s.endswith(".") else s + "."
                                            for s in sentences))
        missing = [item for item in self.items if item not in given]
        if missing:
            extra = (f" (I don't have {listing(map(str, unknown_items))} on my list: check the "
                     "spelling.)" if unknown_items else "")
            return not_yet(f"so far so good, but {listing(missing)} "
                            f"{'is' if len(missing) == 1 else 'are'} not placed yet.{extra}")
        return correct(f"every item is on its {self.category_word}. {self.explanation}".strip())


#: The iceberg and the ladder as vocabularies: they resolve the names of levels and rungs.
_ICEBERG = iceberg.Iceberg("the levels of the iceberg")
_LADDER = ladder.LadderOfInference()

_ICEBERG_NOUNS = {"events": "an event", "patterns": "a pattern", "structures": "a structure",
                  "mental models": "a mental model"}


class PlaceOnIceberg(PlaceItems):
    """Place each item on its level of the iceberg.

    Answers: a dict item -> level (``"events"``, ``"patterns"``,
    ``"structures"``, ``"mental models"``, also ``"trend"``, ``"belief"``, ...),
    or an :class:`~csframework.iceberg.Iceberg` holding the items.
    """

    categories = tuple(iceberg.LEVELS)
    aliases = MappingProxyType({"event": "events", "pattern": "patterns", "trend": "patterns",
                                "trends": "patterns", "structure": "structures",
                                "mental model": "mental models", "belief": "mental models"})
    category_word = "level"

    def known_as(self, words: str) -> str | None:
        try:
            return _ICEBERG.level(words).name
        except LookupError:
            return None

    def describe(self, category: str) -> str:
        return _ICEBERG_NOUNS.get(category, category)

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        items = getattr(answer, "items", None)
        if callable(items) and hasattr(answer, "levels"):
            return {item.text: item.level for item in items()}
        return None


class PlaceOnLadder(PlaceItems):
    """Place each item on its rung of the ladder of inference.

    Answers: a dict item -> rung (``"observable data"`` ... ``"actions"``),
    or a :class:`~csframework.ladder.LadderOfInference` holding the items.
    """

    categories = tuple(ladder.RUNGS)
    category_word = "rung"

    def known_as(self, words: str) -> str | None:
        try:
            return _LADDER.rung(words).name
        except LookupError:
            return None

    def describe(self, category: str) -> str:
        return f"on the rung '{category}'"

    def _misplaced(self, item: str, right: str, given: str) -> str:
        return f"'{item}' belongs on the rung '{right}', not '{given}'"

    def _placements(self, answer: Any) -> Mapping[Any, Any] | None:
        if isinstance(answer, Mapping):
            return answer
        items = getattr(answer, "items", None)
        if callable(items) and hasattr(answer, "rungs"):
            return {item.text: item.rung for item in items()}
        return None


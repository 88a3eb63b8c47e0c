"""Questions answered in words: one option of several, or a reflection of one's own.

Examples
--------
>>> q = MultipleChoice("Which is a stock?", ["water in a bath", "the tap"], "a",
...                    hints=["Which one can fill up?"])
>>> q.check("water in a bath").status
'correct'
>>> r = Reflection("What did you notice?", prompt_id="q1.notice", example="I rushed.",
...                hints=["One thing is enough."])
>>> r.check("I noticed that I rush").status
'correct'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from csframework._text import plural
from csframework.exercises._framework import CheckResult, Question, key, show
from csframework.exercises.questions.verdicts import correct, not_yet

__all__ = ["MultipleChoice", "Reflection"]


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class MultipleChoice(Question):
    """Choose one option, by its letter (``"b"``) or its words.

    Parameters
    ----------
    prompt : str
    options : sequence of str
        Shown as a), b), c), ...
    correct : str
        The letter of the right option.
    why : mapping of str to str
        Feedback for each option, by letter (for the right one: why it is right).
    """

    expected_form = "the letter of one option, such as 'b'"

    def __init__(self, prompt: str, options: Sequence[str], correct: str, *,
                 why: Mapping[str, str] | None = None, **kwargs: Any):
        options = tuple(options)
        listing_text = "\n".join(f"  {_LETTERS[i]}) {o}" for i, o in enumerate(options))
        super().__init__(f"{prompt}\n{listing_text}", **kwargs)
        self.title = kwargs.get("title") or prompt.split(".")[0].split("?")[0][:60]
        self.options = options
        self.correct = correct.lower()
        if self.correct not in _LETTERS[:len(options)]:
            raise ValueError(f"correct must be a letter of an option, not {correct!r}")
        self.why = {k.lower(): v for k, v in (why or {}).items()}

    def answer(self) -> str:
        return self.correct

    def _explanation(self) -> str:
        option = self.options[_LETTERS.index(self.correct)].rstrip(".")
        return " ".join(part for part in (f"The answer is {self.correct}), {option}.",
                                          self.why.get(self.correct, ""), self.explanation)
                        if part)

    def _letter(self, answer: str) -> str | None:
        """The option `answer` names: by its letter, its words, or all the words of one option.

        "d", "(d)", "d) community building", "Community building" and "community" all
        name the option "community building"; words shared by two options name neither.
        """
        letters = _LETTERS[:len(self.options)]
        text = answer.strip().lower()
        labelled = re.match(r"^\(?([a-z])\)\s+(.+)$", text)
        if labelled and labelled.group(1) in letters:
            text = labelled.group(2)
        text = text.strip("()[]. ")
        if len(text) == 1 and text in letters:
            return text
        given = key(text)
        for i, option in enumerate(self.options):
            if given == key(option):
                return _LETTERS[i]
        # Short options are names ("community building"): a name said longer or
        # shorter still names them. Longer options must be given in full.
        words = set(given.split())
        names = {i: set(key(o).split()) for i, o in enumerate(self.options)
                 if len(key(o).split()) <= 3}
        if not words or not names:
            return None
        for within in (lambda name: name <= words, lambda name: words <= name):
            named = [i for i, name in names.items() if within(name)]
            if len(named) == 1:
                return _LETTERS[named[0]]
        return None

    def _check(self, answer: Any) -> CheckResult:
        if not isinstance(answer, str):
            return not_yet(f"answer with the letter of your choice in quotes, such as 'b' "
                            f"(I was given {show(answer)}).")
        letter = self._letter(answer)
        if letter is None:
            return not_yet(f"{show(answer)} is not one of the options; answer with a letter "
                            f"from 'a' to '{_LETTERS[len(self.options) - 1]}'.")
        why = self.why.get(letter, "")
        if letter == self.correct:
            return correct(f"{letter}) {self.options[_LETTERS.index(letter)]}. {why}".strip())
        return not_yet(f"{letter}) is not the one. {why or 'Read the options again.'}")


class Reflection(Question):
    """A question with no single right answer: any words of one's own count.

    Parameters
    ----------
    prompt : str
    prompt_id : str
        The journal's prompt id, e.g. ``"q2.vision"``.
    min_words : int
        The fewest words that count as an answer.
    example : str
        An example answer, shown by ``solution()``.
    domain : str, optional
        The mandala domain the reflection belongs to, when saved.
    """

    expected_form = "your own words, as text in quotes"

    def __init__(self, prompt: str, *, prompt_id: str, example: str, min_words: int = 3,
                 domain: str | None = None, **kwargs: Any):
        super().__init__(prompt, **kwargs)
        self.prompt_id = prompt_id
        self.example = example
        self.min_words = min_words
        self.domain = domain
        self.text: str | None = None

    def answer(self) -> str:
        return self.example

    def _explanation(self) -> str:
        return ("There is no single right answer; here is one participant's, to compare with "
                f"yours: {self.example} {self.explanation}").strip()

    def _check(self, answer: Any) -> CheckResult:
        if not isinstance(answer, str):
            return not_yet("write your reflection as text between quotes, "
                            f"such as \"I noticed ...\" (I was given {show(answer)}).")
        words = len(answer.split())
        if words < self.min_words:
            return not_yet(f"could you say a little more? {plural(words, 'word')} is a start; "
                            f"aim for at least {self.min_words}.")
        self.text = answer
        return correct(f"thank you for putting it into words ({plural(words, 'word')}). "
                        "To keep it in your journal, run .save().")

    def reset(self) -> None:
        """Forget the attempts and the accepted text."""
        super().reset()
        self.text = None

    def save(self, journal: Any = None) -> CheckResult:
        """Save the last accepted answer to the journal (the default journal if none given)."""
        if self.text is None:
            return not_yet("there is nothing to save yet: check your reflection first.")
        try:
            if journal is None:
                from csframework.journal import Journal

                with Journal() as default:
                    entry = default.write(self.session or 0, self.prompt_id, self.text,
                                          domain=self.domain)
            else:
                entry = journal.write(self.session or 0, self.prompt_id, self.text,
                                      domain=self.domain)
        except Exception as err:
            return not_yet(f"the journal could not save it ({err}).")
        return correct(f"saved to your journal as '{self.prompt_id}', version "
                        f"{getattr(entry, 'version', 1)}.")

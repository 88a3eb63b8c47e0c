"""A journal question with a text area and a save button.

Examples
--------
>>> import tempfile, pathlib
>>> from csframework.journal import Journal
>>> from csframework.widgets import journal_prompt
>>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "j.sqlite3")
>>> prompt = journal_prompt(3, "check-out", "What surprised you?", journal=journal)
>>> prompt.text.value = "How fast the loop closed."
>>> prompt.save_button.click()
>>> prompt.status.value.startswith("Saved (version 1)")
True
>>> journal.latest(3, "check-out").text
'How fast the loop closed.'
>>> journal.close()
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from csframework.errors import CSFrameworkError
from csframework.widgets._output import Root, error_html, labelled_button, with_class

__all__ = ["JournalPrompt", "journal_prompt", "saved_note"]


def saved_note(entry: Any) -> str:
    """When an entry was saved, in local time, e.g. ``"Saved (version 2) 3 Mar 2025, 10:30"``.

    Examples
    --------
    >>> from csframework.journal import Entry
    >>> entry = Entry(1, 3, "q", 2, "text", "2025-03-03T10:30:00+00:00")
    >>> saved_note(entry).startswith("Saved (version 2) ")
    True
    """
    when = entry.timestamp.astimezone()
    return f"Saved (version {entry.version}) {when.day} {when:%b %Y, %H:%M}"


class JournalPrompt(Root):
    """A question, a text area with the last saved answer, and a save button.

    Attributes
    ----------
    journal : Journal or None
        None if the journal could not be opened (the reason is in `status`).
    question : HTML
    text : Textarea
    save_button : Button
    status : HTML
        When the answer was last saved, or what went wrong (in red).
    entry : Entry or None
        The last saved version.
    """

    def __init__(self, session: int | str, prompt_id: str, question: str, *,
                 journal: Any = None):
        self.session = session
        self.prompt_id = prompt_id
        self.question = with_class(widgets.HTML(f"<b>{html.escape(question)}</b>"),
                                   "csf-journal-question")
        self.text = with_class(widgets.Textarea(placeholder="Write here…",
                                                layout=widgets.Layout(width="100%",
                                                                      height="8em")),
                               "csf-journal-text")
        self.save_button = labelled_button("Save", "csf-journal-save", icon="save",
                                           style_name="primary")
        self.status = with_class(widgets.HTML(), "csf-journal-status")
        self.entry = None
        self.journal = journal
        self.save_button.on_click(self._on_save)
        super().__init__([self.question, self.text,
                          widgets.HBox([self.save_button, self.status])],
                         css_class="csf-journal")
        self._load()

    def _load(self) -> None:
        try:
            if self.journal is None:
                from csframework.journal import Journal

                self.journal = Journal()
            self.entry = self.journal.latest(self.session, self.prompt_id)
        except (CSFrameworkError, OSError) as err:
            self.save_button.disabled = True
            self.status.value = error_html(f"The journal cannot be opened: {err}")
            return
        if self.entry is not None:
            self.text.value = self.entry.text
            self.status.value = html.escape(saved_note(self.entry))
        else:
            self.status.value = "Not saved yet."

    def _on_save(self, _button: Any = None) -> None:
        try:
            self.entry = self.journal.write(self.session, self.prompt_id, self.text.value)
        except (CSFrameworkError, OSError) as err:
            self.status.value = error_html(f"Not saved: {err}")
            return
        self.status.value = html.escape(saved_note(self.entry))


def journal_prompt(session: int | str, prompt_id: str, question: str, *,
                   journal: Any = None) -> JournalPrompt:
    """A reflection question whose answer is saved to the journal.

    Parameters
    ----------
    session : int or str
        0 to 14, or a key such as ``"session07"``.
    prompt_id : str
        A short slug naming the prompt, e.g. ``"check-out"``.
    question : str
        The question shown above the text area.
    journal : Journal, optional
        Default: ``Journal()`` (the participant's own journal).

    Returns
    -------
    JournalPrompt
    """
    return JournalPrompt(session, prompt_id, question, journal=journal)

"""The csframework widgets work in a real JupyterLab, driven as a participant would:
keyboard on a slider, typing and clicking, and what that changes (the figure, the journal
on disk, the loop list)."""

from __future__ import annotations

import re
import secrets
import time

import pytest

from .lab_driver import Lab, open_notebook, output_problems, run_all, write_notebook

IMPORTS = "import csframework as csf\nimport csframework.widgets"


def show_widget(page, lab: Lab, name: str, source: str) -> None:
    """Write a notebook showing one widget, open it, run it; it must render without error."""
    write_notebook(lab, name, [IMPORTS, source])
    open_notebook(page, lab, name)
    run_all(page, lab, expected=2)
    problems = output_problems(page)
    assert not problems, f"{source} in JupyterLab:\n" + "\n\n".join(problems)
    assert page.locator(".jp-OutputArea-output .jupyter-widgets.csf-widget").count() == 1


def wait_until(check, timeout: float, what: str, page=None):
    """Poll `check()` until it returns something truthy; fail saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:.0f} s: {what} (last: {value!r})")
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)


def test_dashboard_slider_moved_with_the_keyboard_redraws_the_figure(page, lab):
    show_widget(page, lab, "zz-browser-dashboard.ipynb",
                'csf.widgets.simulation_dashboard(csf.library.load("teacup"))')
    dashboard = page.locator(".csf-dashboard")
    figure = dashboard.locator(".csf-figure img")
    figure.first.wait_for(state="visible")
    before = figure.first.get_attribute("src")
    assert before and before.startswith("data:image/png"), before
    slider = dashboard.locator(".csf-slider-room_temperature")
    readout = slider.locator(".widget-readout")
    value_before = readout.inner_text()

    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(100)

    wait_until(lambda: readout.inner_text() != value_before, 10,
               f"the readout still says {value_before} after 5 × ArrowRight", page)
    assert float(readout.inner_text()) > float(value_before)
    wait_until(lambda: figure.first.get_attribute("src") != before, 30,
               "the figure did not change after the slider moved", page)
    assert not dashboard.locator(".csf-message").inner_text().strip()
    assert not output_problems(page, widget_timeout=0)


def test_journal_prompt_saves_the_typed_answer_to_the_journal(page, lab):
    from csframework.journal import Journal

    show_widget(page, lab, "zz-browser-journal.ipynb",
                'csf.widgets.journal_prompt(3, "noticing", "What did you notice?")')
    prompt = page.locator(".csf-journal")
    assert "What did you notice?" in prompt.locator(".csf-journal-question").inner_text()
    answer = f"The delay surprised me ({secrets.token_hex(4)})."
    prompt.locator(".csf-journal-text textarea").fill(answer)
    prompt.locator(".csf-journal-save").click()
    status = prompt.locator(".csf-journal-status")
    wait_until(lambda: "Saved" in status.inner_text(), 30,
               "the prompt never said it saved", page)

    def saved():
        journal = Journal(lab.home / "journal.sqlite3")
        try:
            return journal.entries(session=3, prompt_id="noticing")
        finally:
            journal.close()

    entries = wait_until(saved, 10, f"no entry in {lab.home / 'journal.sqlite3'}")
    assert [(e.session, e.prompt_id, e.text, e.version) for e in entries] == [
        (3, "noticing", answer, 1)]


def test_cld_editor_closes_a_loop_and_lists_it(page, lab):
    show_widget(page, lab, "zz-browser-editor.ipynb", "csf.widgets.cld_editor()")
    editor = page.locator(".csf-editor")
    loops = editor.locator(".csf-loop-list")
    figure = editor.locator(".csf-figure img")
    assert figure.count() == 0  # an empty diagram draws nothing

    def add_link(cause: str, effect: str, polarity: str) -> None:
        editor.locator(".csf-editor-cause input").fill(cause)
        editor.locator(".csf-editor-effect input").fill(effect)
        editor.locator(".csf-editor-polarity button",
                       has_text=re.compile(rf"^{re.escape(polarity)}$")).click()
        editor.locator(".csf-editor-add").click()

    add_link("trust", "participation", "+")
    figure.first.wait_for(state="visible", timeout=30_000)  # the first link is drawn
    assert not loops.inner_text().strip()  # no loop yet
    first = figure.first.get_attribute("src")

    add_link("participation", "trust", "−")
    wait_until(lambda: "B1" in loops.inner_text(), 30,
               "the loop list does not show B1 after closing the loop", page)
    text = loops.inner_text()
    assert "balancing" in text, text
    assert "trust" in text and "participation" in text, text
    assert "R1" not in text, text
    assert not editor.locator(".csf-editor-error").inner_text().strip()
    wait_until(lambda: figure.first.get_attribute("src") != first, 10,
               "the diagram was not redrawn with the loop", page)
    assert not output_problems(page, widget_timeout=0)

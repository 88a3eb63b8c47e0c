"""Every widget shows a short, stable text form (nbval compares it)."""

import csframework as csf
from csframework.cld import CausalLoopDiagram


def test_widget_reprs_are_short_and_stable(tmp_path):
    journal = csf.Journal(tmp_path / "j.sqlite3")
    made = [
        csf.widgets.journal_prompt(1, "check-in", "How are you arriving?", journal=journal),
        csf.widgets.simulation_dashboard(csf.library.load("teacup")),
        csf.widgets.cld_editor(CausalLoopDiagram.from_text("a -> b : +\nb -> a : -")),
    ]
    for widget in made:
        text = repr(widget)
        assert text == f"<{type(widget).__name__} widget>"
        assert widget._repr_mimebundle_()["text/plain"] == text
    journal.close()

"""notebooks/facilitator-guide.md covers every session and every live-demonstration section."""

import json
import re
from pathlib import Path

import pytest

from csframework import curriculum

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "notebooks" / "facilitator-guide.md"


def facilitator_headings(notebook: Path) -> list[str]:
    """Headings of a notebook's markdown cells tagged ``facilitator``, numbering removed."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] != "markdown" or "facilitator" not in cell["metadata"].get("tags", []):
            continue
        for line in "".join(cell["source"]).splitlines():
            match = re.match(r"#{2,4}\s+(?:\d+\.\s+)?(.+?)\s*$", line)
            if match:
                found.append(match.group(1))
    return found


@pytest.fixture(scope="module")
def guide():
    return GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("number", range(15))
def test_guide_names_every_session(guide, number):
    s = curriculum.session(number)
    heading = f"## {s.label}: {s.title}"
    assert heading in guide, f"the guide has no section '{heading}'"


@pytest.mark.parametrize("number", range(15))
def test_guide_lists_the_live_demonstration_sections(guide, number):
    s = curriculum.session(number)
    notebook = ROOT / s.notebook
    assert notebook.is_file(), f"{s.notebook} is missing"
    section = guide.split(f"## {s.label}", 1)[1].split("\n## ", 1)[0]
    headings = facilitator_headings(notebook)
    assert headings, f"{s.notebook} has no markdown cell tagged 'facilitator'"
    missing = [h for h in headings if h not in section]
    assert not missing, (f"add these live-demonstration headings of {s.notebook} to its section "
                         f"of notebooks/facilitator-guide.md: {missing}")


def test_guide_explains_the_presentation_theme_and_slides(guide):
    assert 'csf.style.use("presentation")' in guide
    assert 'csf.style.use("participant")' in guide
    assert "jupyterlab-rise" in guide


def test_guide_says_no_notebook_is_still_unwritten(guide):
    # the guide said of session 12's notebook that it "is not written yet" long after it was
    unwritten = [line for line in guide.splitlines()
                 if "not written yet" in line or "not yet written" in line]
    assert not unwritten, unwritten

"""The shape of a session: minute plans, opening and closing cells, glossary, reading list.

The plan of each session lives in :mod:`csframework.curriculum`; these tests hold the
notebooks, the facilitator guide, the glossary and the reading list to it. When the data
changes, refresh the generated text (markdown cells only; no notebook is re-executed)::

    python -c "from tests.test_session_plan import sync; sync()"
"""

import hashlib
import json
import re
from pathlib import Path

import pytest

from csframework import curriculum
from csframework.curriculum.notes import glossary_anchor
from csframework.site import course_files

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "notebooks" / "facilitator-guide.md"
NUMBERS = range(15)


def _cell_id(s, role):
    return hashlib.sha256(f"{s.slug}:{role}".encode()).hexdigest()[:8]


def _slideshow(cell, default):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", default)


def sync_notebook(s):
    """Write (or refresh) the opening and closing cells of `s`'s notebook; True if changed."""
    import nbformat

    path = ROOT / s.notebook
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    before = nbformat.writes(nb)
    opening, closing = s.opening_markdown(), s.closing_markdown()
    if cells[1].cell_type == "markdown" and cells[1].source.startswith("### Before you begin"):
        cells[1].source = opening
    else:
        cell = nbformat.v4.new_markdown_cell(opening, id=_cell_id(s, "opening"))
        cell.metadata["slideshow"] = {"slide_type": "-"}
        cells.insert(1, cell)
    if cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Key points"):
        cells[-1].source = closing
    else:
        cell = nbformat.v4.new_markdown_cell(closing, id=_cell_id(s, "closing"))
        cell.metadata["slideshow"] = {"slide_type": "slide"}
        cells.append(cell)
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + "\n", encoding="utf-8")
    return after != before


def sync_guide():
    """Refresh every session's minute plan in the facilitator guide."""
    text = GUIDE.read_text(encoding="utf-8")
    for s in curriculum.sessions(include_start=True):
        head = f"## {s.label}: {s.title}"
        start = text.index(head)
        table = text.index("| When | Section | Minutes |", start)
        end = text.index("\n\n", table)
        text = text[:table] + s.plan_table() + text[end:]
    GUIDE.write_text(text, encoding="utf-8")


def sync():
    """Refresh the generated cells of every notebook and the plans in the guide."""
    for s in curriculum.sessions(include_start=True):
        sync_notebook(s)
    sync_guide()


def _cells(s):
    return json.loads((ROOT / s.notebook).read_text(encoding="utf-8"))["cells"]


def _source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def notebook_headings(s):
    """The notebook's ``##`` and ``###`` headings as (level, text), numbering removed."""
    found = []
    for cell in _cells(s):
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in _source(cell).splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            match = re.match(r"(#{2,3})\s+(?:\d+\.\s+)?(.+?)\s*$", line)
            if match and not fenced:
                found.append((len(match.group(1)), match.group(2)))
    return found


@pytest.mark.parametrize("number", NUMBERS)
def test_every_plan_adds_up_to_the_length_of_its_session(number):
    s = curriculum.session(number)
    assert s.plan, f"session {number} has no minute plan"
    assert s.minutes() == s.length
    for day in range(1, s.days + 1):
        assert s.minutes(day) == s.day_length, (number, day)
    for item in s.plan:
        if item.take_home:
            assert item.minutes == 0 and item.day is None, item
        else:
            assert item.minutes > 0, item
            assert (item.day is not None) == (s.days > 1), item


def test_lengths_come_from_the_curriculum():
    assert curriculum.CONVENING_MINUTES == 180
    assert all(curriculum.session(n).length == 180 for n in range(1, 14))
    retreat = curriculum.session(14)
    assert retreat.days == curriculum.RETREAT_DAYS == 5
    assert retreat.length == 5 * curriculum.RETREAT_DAY_MINUTES
    assert curriculum.session(0).length == curriculum.START_HERE_MINUTES


def test_the_sessions_that_did_not_fit_move_material_to_take_home():
    for number in (8, 9, 11, 12, 14):
        s = curriculum.session(number)
        assert s.take_home_sections, f"session {number} moves nothing to take-home"
        assert s.minutes() == s.length
    assert curriculum.session(7).take_home_sections == ()


@pytest.mark.parametrize("number", NUMBERS)
def test_the_plan_names_the_notebooks_sections_in_order(number):
    s = curriculum.session(number)
    headings = notebook_headings(s)
    texts = [text for _, text in headings]
    # every plan entry (but the break) is a heading, in the notebook's order
    at = 0
    for item in s.plan:
        if item.section == curriculum.BREAK:
            continue
        assert item.section in texts[at:], (
            f"{s.notebook}: the plan's section {item.section!r} is not a heading after "
            f"{texts[at - 1] if at else 'the start'!r}; headings are {texts}")
        at = texts.index(item.section, at) + 1
    # and every top-level section has its place in the plan
    planned = {item.section for item in s.plan}
    missing = [text for level, text in headings
               if level == 2 and text not in planned and text not in curriculum.SUMMARY_HEADINGS]
    assert not missing, f"{s.notebook}: sections without a place in the plan: {missing}"


def test_the_break_is_not_mistaken_for_a_section():
    s = curriculum.session(7)
    assert [i.section for i in s.plan].count(curriculum.BREAK) == 1
    assert s.minutes() - sum(i.minutes for i in s.plan if i.section == curriculum.BREAK) == 170


@pytest.mark.parametrize("number", NUMBERS)
def test_the_card_shows_the_plan(number):
    s = curriculum.session(number)
    text, html = str(s.card()), s.card()._repr_html_()
    for item in s.plan:
        assert item.section in text
        assert item.section.replace("'", "&#x27;") in html
    assert f"Plan ({s.days} days" in text if s.days > 1 else f"Plan ({s.length} minutes)" in text


def test_card_text_lists_the_times():
    lines = str(curriculum.session(8).card()).splitlines()
    assert "  0:00-0:05  Intentions for today (5 min)" in lines
    assert "  2:55-3:00  Exercises and next session (5 min)" in lines
    assert "  take-home  Building up and wearing out: capital" in lines


# -- the facilitator guide -------------------------------------------------------------------

@pytest.mark.parametrize("number", NUMBERS)
def test_the_guide_prints_the_same_plan(number):
    s = curriculum.session(number)
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split(f"## {s.label}: {s.title}", 1)[1].split("\n## ", 1)[0]
    assert s.plan_table() in section, (
        f"the plan of {s.label} in notebooks/facilitator-guide.md differs from "
        "csframework.curriculum; paste curriculum.session(...).plan_table() in")


def test_a_changed_plan_would_be_caught():
    s = curriculum.session(9)
    guide = GUIDE.read_text(encoding="utf-8")
    changed = s.plan_table().replace("| 20 |", "| 25 |", 1)
    assert changed != s.plan_table() and changed not in guide


# -- the opening and closing cells ----------------------------------------------------------

@pytest.mark.parametrize("number", NUMBERS)
def test_each_notebook_opens_with_prerequisites_and_time(number):
    s = curriculum.session(number)
    cells = _cells(s)
    assert cells[1]["cell_type"] == "markdown"
    assert _source(cells[1]) == s.opening_markdown(), (
        f"{s.notebook}: the cell after the title must be curriculum's opening_markdown()")
    text = s.opening_markdown()
    assert "**Comes after:**" in text and "**Time to learn:**" in text
    for n in s.prerequisites:
        assert f"({curriculum.session(n).slug}.ipynb)" in text
        assert (ROOT / curriculum.session(n).notebook).is_file()
    for name in s.take_home_sections:
        assert name in text


@pytest.mark.parametrize("number", NUMBERS)
def test_each_notebook_ends_with_its_key_points(number):
    s = curriculum.session(number)
    last = _cells(s)[-1]
    assert last["cell_type"] == "markdown"
    assert _source(last) == s.closing_markdown(), (
        f"{s.notebook}: the last cell must be curriculum's closing_markdown()")
    assert 3 <= len(s.key_points) <= 5
    assert len(set(s.key_points)) == len(s.key_points)


def test_prerequisites_come_earlier_in_the_year():
    for s in curriculum.sessions(include_start=True):
        assert all(n < s.number for n in s.prerequisites), s
        assert s.prerequisites or s.number == 0


def test_new_cells_have_unique_ids_and_slide_metadata():
    for s in curriculum.sessions(include_start=True):
        cells = _cells(s)
        ids = [c.get("id") for c in cells]
        assert len(set(ids)) == len(ids), s.notebook
        for cell in (cells[1], cells[-1]):
            assert re.fullmatch(r"[0-9a-f]{8}", cell["id"]), cell["id"]
            assert "slide_type" in cell["metadata"]["slideshow"]


# -- the glossary and the reading list -------------------------------------------------------

def glossary_terms():
    text = (ROOT / curriculum.GLOSSARY).read_text(encoding="utf-8")
    return re.findall(r"^## (.+?)\s*$", text, flags=re.M)


def test_every_term_a_session_names_is_in_the_glossary():
    terms = set(glossary_terms())
    for s in curriculum.sessions(include_start=True):
        missing = set(s.terms) - terms
        assert not missing, (s.number, missing)


def test_the_glossary_is_complete_and_in_order():
    terms = glossary_terms()
    assert terms == sorted(terms)
    for must in ("stock", "flow", "polarity", "delay", "feedback loop", "reinforcing loop",
                 "balancing loop", "loop dominance", "reference mode", "behaviour over time",
                 "archetype", "leverage point", "mental model", "ladder of inference",
                 "iceberg", "creative tension"):
        assert must in terms, must
    text = (ROOT / curriculum.GLOSSARY).read_text(encoding="utf-8")
    for term in terms:  # each term has a definition under it
        body = text.split(f"## {term}\n", 1)[1].split("\n## ", 1)[0].strip()
        assert len(body.split()) >= 8, term


def test_every_glossary_link_in_the_notebooks_resolves():
    anchors = {glossary_anchor(t) for t in glossary_terms()}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
        for anchor in re.findall(r"\(glossary\.md#([^)]+)\)", text):
            assert anchor in anchors, (path.name, anchor)


def test_every_reading_is_cited_in_full():
    text = (ROOT / curriculum.FURTHER_READING).read_text(encoding="utf-8")
    keys = re.findall(r"^- \*\*(.+?)\.\*\* ", text, flags=re.M)
    for must in ("Senge 1990", "Senge et al. 1994", "Meadows 2008",
                 "Kim and Anderson 1998", "Sterman 2000", "Scharmer 2009", "Kantor 2012",
                 "Ostrom 1990", "Waters Center"):
        assert must in keys, must
    for s in curriculum.sessions(include_start=True):
        assert s.readings and set(s.readings) <= set(keys), (s.number, s.readings)


def test_the_course_carries_the_glossary_and_reading_list():
    files = {p.as_posix() for p in course_files(ROOT)}
    assert curriculum.GLOSSARY in files and curriculum.FURTHER_READING in files


def test_the_site_renders_the_glossary_and_points_notebook_links_at_pages(tmp_path):
    import nbformat

    from csframework.site import build_site

    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "exercises").mkdir()
    cell = nbformat.v4.new_markdown_cell(
        "# Start\n\nA [stock](glossary.md#stock), the [exercises](../exercises/07-x.ipynb) "
        "and [the web](https://example.org/a.md).")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]),
                   course / "notebooks" / "00-start-here.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# X")]),
                   course / "exercises" / "07-x.ipynb")
    (course / "notebooks" / "glossary.md").write_text(
        "# Glossary\n\n## stock\n\nWhat has piled up. See [reading](further-reading.md).\n")
    (course / "notebooks" / "further-reading.md").write_text("# Further reading\n")
    built = build_site(tmp_path / "site", source=course)
    assert {"notebooks/glossary.html", "notebooks/further-reading.html"} <= set(built.files)
    glossary = (built.root / "notebooks" / "glossary.html").read_text()
    assert 'id="stock"' in glossary and 'href="further-reading.html"' in glossary
    page = (built.root / "notebooks" / "00-start-here.html").read_text()
    assert 'href="glossary.html#stock"' in page
    assert 'href="../exercises/07-x.html"' in page
    assert 'href="https://example.org/a.md"' in page
    assert 'href="notebooks/glossary.html"' in (built.root / "index.html").read_text()

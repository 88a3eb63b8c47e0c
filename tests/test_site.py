"""The static course site (csframework.site) and the slides metadata of the notebooks."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from csframework import curriculum, site
from csframework.site import CourseError, build_site, find_course, plan

ROOT = Path(__file__).resolve().parents[1]


def make_course(folder: Path, notebooks: dict[str, list]) -> Path:
    """A small course: {"notebooks/07-....ipynb": [cells]}."""
    for rel, cells in notebooks.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return folder


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


class Links(HTMLParser):
    """The <a rel=...> links of a page: {rel: href}."""

    def __init__(self, text: str):
        super().__init__()
        self.rel: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("rel"):
            self.rel.setdefault(attrs["rel"], attrs["href"])


@pytest.fixture
def course(tmp_path) -> Path:
    s7 = curriculum.session(7)
    widget = nbformat.v4.new_code_cell("slider", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                         "version_minor": 0},
            "text/plain": "IntSlider(value=3)"})])
    return make_course(tmp_path / "course", {
        "notebooks/00-start-here.ipynb": [md("# Start here")],
        s7.notebook: [md("# Loops"), widget],
        s7.exercise: [md("# Practice")],
        "notebooks/zz-extra.ipynb": [md("# An extra notebook\n\nfor fun")],
        "notebooks/.ipynb_checkpoints/00-start-here-checkpoint.ipynb": [md("# old")],
    })


# -- finding the course ---------------------------------------------------------------------

def test_find_course_is_this_repository():
    assert find_course() == ROOT


def test_find_course_from_the_environment(course, monkeypatch):
    monkeypatch.setenv(site.COURSE_ENV, str(course))
    assert find_course() == course
    monkeypatch.setenv(site.COURSE_ENV, str(course / "nowhere"))
    with pytest.raises(CourseError, match="CSF_COURSE"):
        find_course()


def test_find_course_names_the_bad_folder(tmp_path):
    with pytest.raises(CourseError, match=re.escape(str(tmp_path))) as info:
        find_course(tmp_path)
    assert "notebooks/*.ipynb" in str(info.value)
    assert isinstance(info.value, OSError)


def test_course_files_skip_checkpoints(course):
    files = [p.as_posix() for p in site.course_files(course)]
    assert "notebooks/zz-extra.ipynb" in files
    assert not any("checkpoint" in f for f in files)


def test_plan_reads_session_by_session(course):
    pages = plan(course)
    assert [(p.session, p.kind) for p in pages] == [
        (0, "notebook"), (7, "notebook"), (7, "exercises"), (None, "other")]
    assert pages[1].title == "Feedback loops and delays"
    assert pages[2].label == "Session 7 · exercises"
    assert pages[3].title == "An extra notebook"
    assert pages[3].href == "notebooks/zz-extra.html"


@pytest.mark.parametrize(("name", "slug"), [("check-in", "check-in"),
                                            ("behaviour-over-time graph",
                                             "behaviour-over-time-graph")])
def test_tool_slug(name, slug):
    assert site.tool_slug(name) == slug


# -- building -------------------------------------------------------------------------------

def test_build_small_course(course, tmp_path):
    built = build_site(tmp_path / "site", source=course)
    out = built.root
    for page in built.pages:
        assert (out / page.href).is_file()
    index = (out / "index.html").read_text()
    for s in curriculum.sessions(include_start=True):
        assert f'id="session-{s.number}"' in index
    assert "notebook not yet written" in index          # session 1 has no notebook here
    assert 'href="notebooks/zz-extra.html"' in index    # other notebooks are listed too
    loops = (out / "notebooks/07-feedback-loops-and-delays.html").read_text()
    assert Links(loops).rel == {"prev": "../notebooks/00-start-here.html",
                                "next": "../exercises/07-feedback-loops-and-delays.html",
                                "index": "../index.html"}
    first = (out / "notebooks/00-start-here.html").read_text()
    assert set(Links(first).rel) == {"next", "index"}
    # a widget needs a kernel: the page says so instead of showing nothing
    assert "csframework lab" in loops and "widget-view+json" not in loops
    facet = (out / "facets/world.html").read_text()
    assert "Feedback loops and delays" in facet and "../notebooks/07-" in facet
    tool = (out / "tools/causal-loop-diagram.html").read_text()
    assert 'href="../notebooks/00-start-here.html"' in tool


def test_same_course_same_bytes(course, tmp_path):
    one = build_site(tmp_path / "one", source=course)
    two = build_site(tmp_path / "two", source=course)
    assert one.files == two.files
    for rel in one.files:
        assert (one.root / rel).read_bytes() == (two.root / rel).read_bytes(), rel


def test_images_of_the_notebook_are_carried_inside_the_page(course, tmp_path):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                           "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (course / "notebooks" / "dot.png").write_bytes(png)
    make_course(course, {"notebooks/zz-extra.ipynb": [md("# Picture\n\n![a dot](dot.png)")]})
    page = (build_site(tmp_path / "site", source=course).root / "notebooks/zz-extra.html")
    text = page.read_text()
    assert 'src="data:image/png;base64,' in text and 'src="dot.png"' not in text


def test_rebuild_removes_pages_no_longer_in_the_course(course, tmp_path):
    out = tmp_path / "site"
    build_site(out, source=course)
    (course / "notebooks/zz-extra.ipynb").unlink()
    built = build_site(out, source=course)
    assert not (out / "notebooks/zz-extra.html").exists()
    assert "notebooks/zz-extra.html" not in built.files


def test_refuses_a_folder_of_other_files(course, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(CourseError, match="not a csframework site"):
        build_site(out, source=course)
    assert (out / "thesis.docx").read_text() == "precious"
    with pytest.raises(CourseError, match="is a file"):
        build_site(out / "thesis.docx", source=course)


def test_damaged_notebook_is_named(course, tmp_path):
    (course / "notebooks/zz-extra.ipynb").write_text("{not json")
    with pytest.raises(CourseError, match=r"zz-extra\.ipynb"):
        build_site(tmp_path / "site", source=course)


def test_execute_runs_the_notebooks_in_a_throwaway_home(tmp_path, _fresh_csf_home):
    code = nbformat.v4.new_code_cell("import os\nprint(os.environ['CSF_HOME'] != "
                                     f"{str(_fresh_csf_home)!r}, 6 * 7)")
    src = make_course(tmp_path / "course", {"notebooks/00-start-here.ipynb": [md("# S"), code]})
    page = build_site(tmp_path / "site", source=src, execute=True, timeout=60).root
    assert "True 42" in (page / "notebooks/00-start-here.html").read_text()


# -- slides for facilitators ------------------------------------------------------------------

#: Notebooks in notebooks/ whose cells do not carry slide metadata yet. The test is strict
#: both ways: a notebook with slides must leave this set, a name here must exist.
NOTEBOOKS_WITHOUT_SLIDES: set[str] = set()

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def _notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def _slide_types(path: Path) -> list[str | None]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in cells]


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_cells_carry_slide_metadata(path):
    types = _slide_types(path)
    if path.name in NOTEBOOKS_WITHOUT_SLIDES:
        assert not all(t in SLIDE_TYPES for t in types), (
            f"{path.name} has slide metadata now: remove it from NOTEBOOKS_WITHOUT_SLIDES")
        pytest.skip(f"{path.name}: slide metadata still to be added")
    missing = [i for i, t in enumerate(types) if t not in SLIDE_TYPES]
    assert not missing, (f"{path.name}: cells {missing} lack metadata.slideshow.slide_type "
                         f"(one of {sorted(SLIDE_TYPES)})")
    assert types[0] == "slide", f"{path.name}: the first cell should open a slide"


def test_pending_slides_list_names_real_notebooks():
    names = {p.name for p in _notebooks()}
    assert not NOTEBOOKS_WITHOUT_SLIDES - names, NOTEBOOKS_WITHOUT_SLIDES - names


# -- one page shell, one style sheet ---------------------------------------------------------

def test_site_pages_and_the_portfolio_share_one_shell_and_style(tmp_path):
    import re

    from csframework import _html
    from csframework.journal import Journal

    index = site._index_html(site.plan(site.find_course()))
    with Journal.scratch() as journal:
        journal.write(1, "check-in", "Here.")
        portfolio = tmp_path / "p.html"
        journal.export_html(portfolio)
        page = portfolio.read_text()
    style = re.compile(r"<style>\n(.*?)\n</style>", re.S)
    assert style.search(index).group(1) == style.search(page).group(1) == _html.css()
    head = re.compile(r"^(.*?)<title>", re.S)
    assert head.search(index).group(1) == head.search(page).group(1)
    assert '<main class="csf-page">' in index and "<main>\n" in page


def test_links_to_notebooks_with_odd_names_are_escaped():
    odd = site.Page("notebooks/x & 'y'.ipynb", "notebooks/x & 'y'.html", "Odd <one>", None,
                    "other")
    index = site._index_html((odd,))
    assert '<a href="notebooks/x &amp; &#x27;y&#x27;.html">Odd &lt;one&gt;</a>' in index

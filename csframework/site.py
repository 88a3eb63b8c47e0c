"""The course as files: where its notebooks live, and a static HTML site of all of them.

The course is a folder holding ``notebooks/`` (one curriculum notebook per
convening) and ``exercises/`` (one exercise notebook per convening). It is
found, in this order, at the folder given, at ``$CSF_COURSE``, inside the
installed package (a wheel carries the course as package data), in the
repository this package was installed from (an editable install, a Binder or
a JupyterHub image), or in the current folder (:func:`find_course`).

:func:`build_site` turns every notebook into a page that can be read without
running anything: the committed notebooks are already executed, so their
outputs are converted as they are (with nbconvert's ``HTMLExporter``), or
re-executed first when asked. An index page lists the sessions of the year
(:mod:`csframework.curriculum`) with their month, title, facets and tools;
there is a page for each facet and for each tool listing its sessions; and every
notebook page has a bar with the previous page, the index and the next page.
Pages load nothing from the network (no scripts, no style sheets from a CDN),
and the same notebooks always give byte-identical files.

Examples
--------
>>> from csframework import site
>>> site.tool_slug("behaviour-over-time graph")
'behaviour-over-time-graph'
>>> (site.find_course() / "notebooks").is_dir()   # the repository's own course
True
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from csframework import _html, curriculum
from csframework._atomic import write_atomic
from csframework._text import plural
from csframework.errors import CSFrameworkError
from csframework.style import PALETTE

__all__ = [
    "COURSE_ENV",
    "FOLDERS",
    "PACKAGED",
    "CourseError",
    "Page",
    "Site",
    "build_site",
    "course_files",
    "find_course",
    "plan",
    "reading_pages",
    "tool_slug",
]

#: The environment variable naming the course folder (the one holding ``notebooks/``).
COURSE_ENV = "CSF_COURSE"

#: Where a built package keeps its copy of the course (inside ``csframework/``).
PACKAGED = "_course"

#: The course's folders of notebooks, in reading order.
FOLDERS = ("notebooks", "exercises")

_MARKER = ".csframework-site.json"
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}


class CourseError(CSFrameworkError, OSError):
    """The course could not be found, read or written (an ``OSError``)."""


# -- where the course is ------------------------------------------------------------------

def _has_course(folder: Path) -> bool:
    return (folder / "notebooks").is_dir() and any((folder / "notebooks").glob("*.ipynb"))


def find_course(source: str | os.PathLike[str] | None = None) -> Path:
    """The course folder: the one that holds ``notebooks/`` (and ``exercises/``).

    Parameters
    ----------
    source : str or path-like, optional
        The folder to use. Without it: ``$CSF_COURSE`` if set, else the repository
        this package was installed from, else the current folder.

    Raises
    ------
    CourseError
        If the folder given (or ``$CSF_COURSE``) has no ``notebooks/*.ipynb``, or no
        candidate has; the message lists where it looked.

    Examples
    --------
    >>> find_course("/no/such/folder")
    Traceback (most recent call last):
    ...
    csframework.site.CourseError: no course in /no/such/folder: expected a folder holding \
notebooks/*.ipynb (and exercises/*.ipynb)
    """
    expected = "expected a folder holding notebooks/*.ipynb (and exercises/*.ipynb)"
    if source is not None:
        folder = Path(source).expanduser().absolute()
        if not _has_course(folder):
            raise CourseError(f"no course in {folder}: {expected}")
        return folder
    env = os.environ.get(COURSE_ENV)
    if env:
        folder = Path(env).expanduser().absolute()
        if not _has_course(folder):
            raise CourseError(f"no course in {folder} (from ${COURSE_ENV}): {expected}; "
                              f"unset {COURSE_ENV} or point it at the course")
        return folder
    here = Path(__file__).resolve()
    # The course a wheel carries, then the repository of an editable install.
    candidates = [here.parent / PACKAGED, here.parents[1], Path.cwd()]
    for folder in candidates:
        if _has_course(folder):
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise CourseError(f"could not find the course notebooks (looked in {looked}): {expected}; "
                      f"pass the folder, or set {COURSE_ENV}")


def course_files(source: str | os.PathLike[str]) -> tuple[Path, ...]:
    """Every file of the course's folders, relative to `source`, sorted.

    Hidden files, ``.ipynb_checkpoints`` and ``__pycache__`` are left out.

    Examples
    --------
    >>> import pathlib
    >>> files = course_files(find_course())
    >>> pathlib.PurePath("notebooks/00-start-here.ipynb") in files
    True
    """
    root = Path(source)
    found = []
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and not any(p.startswith(".") or p in _SKIP_PARTS
                                          for p in rel.parts):
                found.append(rel)
    return tuple(sorted(found, key=lambda p: p.as_posix()))


def tool_slug(name: str) -> str:
    """A tool's name as a file name: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# -- what the site holds --------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """One notebook page of the site.

    Attributes
    ----------
    source : str
        The notebook, relative to the course folder (``"notebooks/07-...ipynb"``).
    href : str
        The page, relative to the site folder (``"notebooks/07-....html"``).
    title : str
    session : int or None
        The session it belongs to (None for a notebook outside the curriculum).
    kind : {"notebook", "exercises", "other"}
    """

    source: str
    href: str
    title: str
    session: int | None
    kind: str

    @property
    def label(self) -> str:
        """``"Session 7 · exercises"``, ``"Start here"``, or the title for other notebooks."""
        if self.session is None:
            return self.title
        base = curriculum.session(self.session).label
        return f"{base} · exercises" if self.kind == "exercises" else base


def _first_heading(path: Path) -> str | None:
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", ""))
            match = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
            if match:
                return match.group(1)
    return None


def plan(source: str | os.PathLike[str]) -> tuple[Page, ...]:
    """The notebook pages of the course in reading order.

    Session by session, each curriculum notebook before its exercise notebook;
    notebooks outside the curriculum come last, by name.

    Examples
    --------
    >>> pages = plan(find_course())
    >>> pages[0]
    Page(source='notebooks/00-start-here.ipynb', href='notebooks/00-start-here.html', \
title='A first causal loop diagram', session=0, kind='notebook')
    >>> pages[0].label
    'Start here'
    """
    root = Path(source)
    notebooks = {p.as_posix() for p in course_files(root) if p.suffix == ".ipynb"}
    pages = []
    for s in curriculum.sessions(include_start=True):
        for kind, rel in (("notebook", s.notebook), ("exercises", s.exercise)):
            if rel and rel in notebooks:
                notebooks.discard(rel)
                title = s.title if kind == "notebook" else f"Exercises: {s.title}"
                pages.append(Page(rel, _href(rel), title, s.number, kind))
    for rel in sorted(notebooks):
        title = _first_heading(root / rel) or Path(rel).stem
        pages.append(Page(rel, _href(rel), title, None, "other"))
    return tuple(pages)


def _href(rel: str) -> str:
    return rel[: -len(".ipynb")] + ".html"


# a relative link to a notebook or a Markdown file of the course, as written in a page
_COURSE_LINK = re.compile(r'(href=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#?]+?)\.(ipynb|md)'
                          r'((?:#[^"]*)?")')


def _site_links(html: str) -> str:
    """Point relative links to course notebooks and Markdown files at their site pages.

    Examples
    --------
    >>> _site_links('<a href="glossary.md#stock">stock</a> <a href="https://x.org/a.md">x</a>')
    '<a href="glossary.html#stock">stock</a> <a href="https://x.org/a.md">x</a>'
    >>> _site_links('<a href="../exercises/07-x.ipynb">exercises</a>')
    '<a href="../exercises/07-x.html">exercises</a>'
    """
    return _COURSE_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}.html{m.group(4)}", html)


def reading_pages(source: str | os.PathLike[str]) -> tuple[str, ...]:
    """The course's Markdown files (glossary, further reading, guides) that the site renders.

    Examples
    --------
    >>> "notebooks/glossary.md" in reading_pages(find_course())
    True
    """
    return tuple(p.as_posix() for p in course_files(source) if p.suffix == ".md")


def _markdown_html(root: Path, rel: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    path = root / rel
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CourseError(f"cannot read {path}: {err}") from None
    title = re.search(r"^#\s+(.+?)\s*$", text, flags=re.MULTILINE)
    # the course's own Markdown, rendered by nbconvert as the notebooks' is: shown as HTML
    content = _html.safe(_site_links(markdown2html_mistune(text)))
    return _page("site_reading.html.j2", title.group(1) if title else Path(rel).stem,
                 index=_rel("index.html", rel.count("/")), content=content)


@dataclass(frozen=True)
class Site:
    """A built course site.

    Attributes
    ----------
    root : pathlib.Path
        The site folder; open ``root / "index.html"``.
    pages : tuple of Page
        The notebook pages, in reading order.
    files : tuple of str
        Every file written, relative to `root`, sorted.
    """

    root: Path
    pages: tuple[Page, ...]
    files: tuple[str, ...]

    @property
    def index(self) -> Path:
        """The index page."""
        return self.root / "index.html"

    def __repr__(self) -> str:
        return (f"<Site {self.root}: {len(self.pages)} notebook pages, "
                f"{len(self.files)} files>")


# -- the pages of the index ------------------------------------------------------------------

_FACET_TEXT = {
    "self": "Noticing oneself: attention, the mind-heart-body system, one's own mental models "
            "and vision.",
    "others": "Seeing and being with others: listening, reflective conversation, the social "
              "field of a group.",
    "world": "Seeing the larger systems: feedback, stocks and flows, archetypes and leverage.",
}


def _page(template: str, title: str, **context: Any) -> str:
    return _html.page(template, title, main_class="csf-page", **context)


def _rel(href: str, depth: int) -> str:
    return "../" * depth + href


def _chips(facets: Sequence[str], depth: int) -> list[dict[str, str]]:
    return [{"name": f, "colour": PALETTE[f], "href": _rel(f"facets/{f}.html", depth)}
            for f in facets]


def _session_rows(sessions: Sequence[curriculum.Session], by_source: dict[str, Page],
                  depth: int) -> list[dict[str, Any]]:
    rows = []
    for s in sessions:
        page = by_source.get(s.notebook)
        exercise = by_source.get(s.exercise or "")
        rows.append({"number": s.number, "month": s.month, "title": s.title,
                     "href": _rel(page.href, depth) if page else None,
                     "facets": _chips(s.facets, depth),
                     "tools": [{"name": t, "href": _rel(f"tools/{tool_slug(t)}.html", depth)}
                               for t in s.tools],
                     "practice": _rel(exercise.href, depth) if exercise else None})
    return rows


def _used_tools() -> tuple[str, ...]:
    used = {t for s in curriculum.sessions(include_start=True) for t in s.tools}
    return tuple(t for t in curriculum.TOOLS if t in used)


def _index_html(pages: Sequence[Page], readings: Sequence[str] = ()) -> str:
    by_source = {p.source: p for p in pages}
    sessions = curriculum.sessions(include_start=True)
    facets = [{**chip, "text": _FACET_TEXT[chip["name"]]}
              for chip in _chips(curriculum.FACETS, 0)]
    tools = [{"name": t, "href": f"tools/{tool_slug(t)}.html"} for t in _used_tools()]
    return _page("site_index.html.j2", "The Compassionate Systems year: course notebooks",
                 first=pages[0] if pages else None,
                 rows=_session_rows(sessions, by_source, 0), facets=facets, tools=tools,
                 others=[p for p in pages if p.kind == "other"],
                 readings=[{"name": rel, "href": _site_links_target(rel)} for rel in readings])


def _site_links_target(rel: str) -> str:
    return rel[: -len(".md")] + ".html"


def _listing_html(heading: str, intro: str, sessions: Sequence[curriculum.Session],
                  pages: Sequence[Page]) -> str:
    by_source = {p.source: p for p in pages}
    return _page("site_listing.html.j2", heading, intro=intro,
                 rows=_session_rows(sessions, by_source, 1))


def _facet_html(facet: str, pages: Sequence[Page]) -> str:
    sessions = [s for s in curriculum.sessions(include_start=True) if facet in s.facets]
    return _listing_html(f"Facet: {facet}", _FACET_TEXT[facet], sessions, pages)


def _tool_html(tool: str, pages: Sequence[Page]) -> str:
    sessions = [s for s in curriculum.sessions(include_start=True) if tool in s.tools]
    intro = f"The sessions that use the {tool} ({plural(len(sessions), 'session')})."
    return _listing_html(f"Tool: {tool}", intro, sessions, pages)


# -- notebook pages -------------------------------------------------------------------------

_LOCAL_IMAGE = re.compile(r"!\[[^\]]*\]\((?!\s*(?:https?:|data:|attachment:))"
                          r"|<img\s[^>]*src=[\"'](?!https?:|data:)")


def _exporter(embed_images: bool) -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", template_file="site_notebook.html.j2",
                        extra_loaders=[_html.environment().loader], embed_images=embed_images)


def _has_local_images(nb: Any) -> bool:
    """Whether a markdown cell shows an image file (which the page must then carry inside)."""
    return any(cell.cell_type == "markdown" and _LOCAL_IMAGE.search(cell.source)
               for cell in nb.cells)


def _nav(pages: Sequence[Page], i: int, where: str) -> str:
    page = pages[i]
    depth = page.href.count("/")

    def link(other: Page) -> dict[str, str]:
        return {"href": _rel(other.href, depth), "label": other.label}

    return _html.render("site_nav.html.j2", where=where, index=_rel("index.html", depth),
                        prev=link(pages[i - 1]) if i > 0 else None,
                        next=link(pages[i + 1]) if i + 1 < len(pages) else None,
                        here={"label": page.label, "title": page.title})


def _nav_css() -> str:
    """The style of the bars and widget notes on notebook pages (``templates/nav.css``)."""
    return resources.files("csframework").joinpath("templates", "nav.css").read_text(
        encoding="utf-8").strip()


def _readable(nb: Any) -> Any:
    """Widgets need a kernel: show a note in their place; drop the saved widget state."""
    note = ('<div class="csf-widget-note">An interactive control is here in the notebook. '
            "Open the notebook in JupyterLab (<code>csframework lab</code>) to use it.</div>")
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data and _WIDGET_MIME in data:
                plain = data.get("text/plain")
                output["data"] = {"text/html": note, **({"text/plain": plain} if plain else {})}
    return nb


@contextlib.contextmanager
def _throwaway_home() -> Iterator[None]:
    """Run kernels with CSF_HOME in a temporary folder: executing never touches a journal."""
    before = os.environ.get("CSF_HOME")
    with tempfile.TemporaryDirectory(prefix="csf-site-home-") as home:
        os.environ["CSF_HOME"] = home
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("CSF_HOME", None)
            else:
                os.environ["CSF_HOME"] = before


def _notebook_html(exporters: dict[bool, Any], root: Path, pages: Sequence[Page], i: int, *,
                   execute: bool, timeout: int) -> str:
    import nbformat

    page = pages[i]
    path = root / page.source
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # nbformat raises several kinds for a damaged file
        raise CourseError(f"cannot read the notebook {path}: {err}") from None
    if execute:
        from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

        try:
            with _throwaway_home():
                ExecutePreprocessor(timeout=timeout).preprocess(
                    nb, {"metadata": {"path": str(path.parent)}})
        except CellExecutionError as err:
            raise CourseError(f"executing {page.source} failed; fix the notebook or build "
                              f"without --execute:\n{err}") from None
    resources = {"metadata": {"name": page.title, "path": str(path.parent)},
                 "csf_css": _nav_css(), "csf_nav_top": _nav(pages, i, "top"),
                 "csf_nav_bottom": _nav(pages, i, "bottom")}
    embed = _has_local_images(nb)  # embedding parses the whole page again: only when needed
    if embed not in exporters:
        exporters[embed] = _exporter(embed)
    body, _ = exporters[embed].from_notebook_node(_readable(nb), resources=resources)
    return _site_links(body)


# -- building -------------------------------------------------------------------------------

def _prepare_output(out: Path) -> set[str]:
    """Check that `out` may be written; return the files of a previous build there."""
    if out.exists() and not out.is_dir():
        raise CourseError(f"cannot build the site in {out}: it is a file, not a folder")
    marker = out / _MARKER
    if out.is_dir() and any(out.iterdir()) and not marker.is_file():
        raise CourseError(f"refusing to build the site in {out}: the folder holds files that "
                          "are not a csframework site; choose a new or empty folder")
    previous: set[str] = set()
    if marker.is_file():
        with contextlib.suppress(OSError, ValueError, TypeError):
            previous = {str(f) for f in json.loads(marker.read_text())["files"]}
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CourseError(f"cannot create the site folder {out}: {err.strerror or err}") from None
    return previous


def _write(out: Path, rel: str, text: str) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text)


def build_site(output: str | os.PathLike[str], *, source: str | os.PathLike[str] | None = None,
               execute: bool = False, timeout: int = 300) -> Site:
    """Build the static course site in `output`.

    Parameters
    ----------
    output : str or path-like
        The site folder: new, empty, or a site built before (which is brought up to
        date; files it no longer needs are removed).
    source : str or path-like, optional
        The course folder (see :func:`find_course`).
    execute : bool
        Re-run every notebook before converting it (with ``CSF_HOME`` in a temporary
        folder). By default the saved outputs are used as they are.
    timeout : int
        Seconds a cell may run when `execute` is true.

    Returns
    -------
    Site

    Raises
    ------
    CourseError
        If the course is not found, a notebook cannot be read (or fails to execute),
        or `output` is a file or a folder of other files.

    Examples
    --------
    A course of one notebook:

    >>> import tempfile, pathlib, nbformat
    >>> course = pathlib.Path(tempfile.mkdtemp())
    >>> (course / "notebooks").mkdir()
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hello")])
    >>> nbformat.write(nb, course / "notebooks" / "00-start-here.ipynb")
    >>> built = build_site(course / "site", source=course)
    >>> built.pages
    (Page(source='notebooks/00-start-here.ipynb', href='notebooks/00-start-here.html', \
title='A first causal loop diagram', session=0, kind='notebook'),)
    >>> "Course index" in (built.root / "notebooks/00-start-here.html").read_text()
    True
    >>> [f for f in built.files if f.startswith("facets/")]
    ['facets/others.html', 'facets/self.html', 'facets/world.html']
    """
    root = find_course(source)
    out = Path(output).expanduser().absolute()
    previous = _prepare_output(out)
    pages = plan(root)
    readings = reading_pages(root)
    written: dict[str, str] = {"index.html": _index_html(pages, readings)}
    for rel in readings:
        written[_site_links_target(rel)] = _markdown_html(root, rel)
    for facet in curriculum.FACETS:
        written[f"facets/{facet}.html"] = _facet_html(facet, pages)
    for tool in _used_tools():
        written[f"tools/{tool_slug(tool)}.html"] = _tool_html(tool, pages)
    exporters: dict[bool, Any] = {}
    for i, page in enumerate(pages):
        written[page.href] = _notebook_html(exporters, root, pages, i, execute=execute,
                                            timeout=timeout)
    try:
        for rel, text in written.items():
            _write(out, rel, text)
        files = tuple(sorted(written))
        for stale in sorted(previous - set(files)):
            target = (out / stale).resolve()
            if target.suffix == ".html" and target.is_relative_to(out.resolve()):
                with contextlib.suppress(OSError):
                    target.unlink()
        _write(out, _MARKER, json.dumps({"files": list(files)}, indent=1) + "\n")
    except OSError as err:
        raise CourseError(f"cannot write the site in {out}: {err.strerror or err}") from None
    return Site(out, pages, files)

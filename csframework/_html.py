"""The one HTML renderer: Jinja2 templates in ``csframework/templates``, escaped by default.

Every HTML page or fragment csframework writes itself (the journal's portfolio,
the course site's pages, the progress table) comes from a template here, so
there is one page shell (``page.html.j2``) and one style sheet (``page.css``).
Autoescaping is on: every value a template shows is escaped (as
:func:`html.escape` does, quotes included) unless it is :class:`markupsafe.Markup`,
which only csframework's own values (the style sheet, a data: URI) are.

Examples
--------
>>> html = render("page.html.j2", title="<Hi>", css=css(), main_class="")
>>> html[:15], "<title>&lt;Hi&gt;</title>" in html
('<!DOCTYPE html>', True)
"""

from __future__ import annotations

import functools
import html
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    import markupsafe

__all__ = ["css", "environment", "escape", "page", "render", "safe"]


def escape(value: object) -> markupsafe.Markup:
    """`value` as HTML text: :func:`html.escape` (quotes too), unless it is already markup.

    Templates escape every value through this, so pages written before the
    templates existed come out byte for byte the same.

    Examples
    --------
    >>> str(escape("<b>'x'</b> & y"))
    '&lt;b&gt;&#x27;x&#x27;&lt;/b&gt; &amp; y'
    """
    import markupsafe

    if hasattr(value, "__html__"):
        return markupsafe.Markup(value.__html__())
    return markupsafe.Markup(html.escape(str(value), quote=True))


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of csframework's templates (autoescape on, strict undefined)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("csframework", "templates"),
        autoescape=True, finalize=escape, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, auto_reload=False)


@functools.cache
def css() -> markupsafe.Markup:
    """The one style sheet of csframework's pages (``templates/page.css``)."""
    import markupsafe

    text = resources.files("csframework").joinpath("templates", "page.css").read_text(
        encoding="utf-8")
    return markupsafe.Markup(text.strip())


def safe(text: str) -> markupsafe.Markup:
    """`text`, which csframework built itself, to be shown as it is (not escaped)."""
    import markupsafe

    return markupsafe.Markup(text)


def render(name: str, **context: Any) -> str:
    """Render the template `name` with `context`."""
    return environment().get_template(name).render(**context)


def page(name: str, title: str, *, main_class: str = "", **context: Any) -> str:
    """A whole page: the template `name` (which extends ``page.html.j2``) with the style sheet."""
    return render(name, title=title, css=css(), main_class=main_class, **context)

"""Binder links for the repository the course is published from.

Binder builds the course from a public git repository, so its address and the
README's badge depend on where *this* copy of the repository lives. Nothing is
written into the package for that: the repository is read from the environment
variable ``CSF_BINDER_REPOSITORY`` (``owner/name`` on GitHub, or any public git
URL) or else from the clone's ``origin`` remote, and ``make binder-badge``
(``python -m csframework.binder --write README.md``) writes the badge between the
README's ``binder-badge`` markers.

Examples
--------
>>> from csframework import binder
>>> binder.binder_url("csa-lab/csframework")
'https://mybinder.org/v2/gh/csa-lab/csframework/HEAD?urlpath=lab/tree/notebooks/00-start-here.ipynb'
>>> binder.repository_from_url("git@github.com:csa-lab/csframework.git")
'csa-lab/csframework'
>>> binder.badge("csa-lab/csframework").startswith("[![Launch the course on Binder]")
True
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote

from csframework._atomic import write_atomic
from csframework.errors import CSFrameworkError

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "BinderError",
    "badge",
    "binder_url",
    "repository",
    "repository_from_git",
    "repository_from_url",
    "write_badge",
]

#: The environment variable that names the repository, overriding the git remote.
ENVIRONMENT_VARIABLE = "CSF_BINDER_REPOSITORY"

#: The notebook Binder opens first.
START_PAGE = "notebooks/00-start-here.ipynb"

#: The README lines between these two markers are the badge; the rest is never touched.
START_MARKER = "<!-- binder-badge:start -->"
END_MARKER = "<!-- binder-badge:end -->"

_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
_OWNER_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_GITHUB = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)"
    r"(?P<repo>[^/\s]+/[^/\s]+?)(?:\.git)?/?$")
_PUBLIC_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::[0-9]+)?/[^\s]+$")
_REMOTE = re.compile(r'^\s*\[\s*remote\s+"(?P<name>[^"]+)"\s*\]\s*$')
_URL_LINE = re.compile(r"^\s*url\s*=\s*(?P<url>\S+)\s*$")


class BinderError(CSFrameworkError, ValueError):
    """The repository for Binder is not known, or cannot be built by Binder."""


def repository_from_url(url: str) -> str:
    """``owner/name`` for a GitHub URL; any other public ``https://`` git URL as it is.

    Examples
    --------
    >>> repository_from_url("https://github.com/csa-lab/csframework.git")
    'csa-lab/csframework'
    >>> repository_from_url("https://gitlab.com/csa/csframework.git")
    'https://gitlab.com/csa/csframework.git'
    """
    text = url.strip()
    match = _GITHUB.match(text)
    if match and _OWNER_NAME.fullmatch(match.group("repo")):
        return match.group("repo")
    if _OWNER_NAME.fullmatch(text):
        return text
    if _PUBLIC_URL.match(text) and "@" not in text.split("/")[2]:
        return text
    raise BinderError(
        f"Binder cannot build from {url!r}: give a GitHub repository as owner/name "
        "(e.g. csa-lab/csframework) or a public https:// git URL")


def _git_folder(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree: "gitdir: PATH"
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                gitdir = (candidate / text[len("gitdir:"):].strip()).resolve()
                common = gitdir / "commondir"
                if common.is_file():
                    return (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
                return gitdir
    return None


def repository_from_git(folder: str | os.PathLike[str] = ".", remote: str = "origin") -> str:
    """The repository of the clone that holds `folder`, read from its `remote`'s URL.

    The git configuration is read as text; git itself is not run.
    """
    git = _git_folder(Path(folder).resolve())
    if git is None:
        raise BinderError(f"{Path(folder).resolve()} is not inside a git clone; set "
                          f"{ENVIRONMENT_VARIABLE}=owner/name instead")
    config = git / "config"
    current = None
    for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
        section = _REMOTE.match(line)
        if section:
            current = section.group("name")
            continue
        if line.lstrip().startswith("["):
            current = None
        url = _URL_LINE.match(line)
        if url and current == remote:
            return repository_from_url(url.group("url"))
    raise BinderError(f"the clone at {git.parent} has no remote {remote!r}; push it to a "
                      f"public repository (git remote add {remote} URL) or set "
                      f"{ENVIRONMENT_VARIABLE}=owner/name")


def repository(folder: str | os.PathLike[str] = ".") -> str:
    """The repository Binder should build: ``$CSF_BINDER_REPOSITORY``, else the git remote."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if configured:
        return repository_from_url(configured)
    return repository_from_git(folder)


def binder_url(repository: str, *, ref: str = "HEAD", page: str = START_PAGE) -> str:
    """The mybinder.org address that opens `page` of `repository` in JupyterLab."""
    repo = repository_from_url(repository)
    where = f"?urlpath=lab/tree/{quote(page)}"
    if _OWNER_NAME.fullmatch(repo):
        return f"https://mybinder.org/v2/gh/{repo}/{quote(ref, safe='')}{where}"
    return f"https://mybinder.org/v2/git/{quote(repo, safe='')}/{quote(ref, safe='')}{where}"


def badge(repository: str, *, ref: str = "HEAD") -> str:
    """The Markdown badge that launches the course on Binder."""
    return f"[![Launch the course on Binder]({_BADGE_IMAGE})]({binder_url(repository, ref=ref)})"


def write_badge(readme: str | os.PathLike[str], repository: str) -> bool:
    """Put the badge between the README's markers; True if the file changed.

    The file is written atomically and only the lines between the markers change.
    """
    path = Path(readme)
    text = path.read_text(encoding="utf-8")
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise BinderError(f"{path} has no {START_MARKER} ... {END_MARKER} pair to write the "
                          "badge between")
    new = (text[: start + len(START_MARKER)] + "\n" + badge(repository) + "\n"
           + text[end:])
    if new == text:
        return False
    write_atomic(path, new)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m csframework.binder``: print (or write) the Binder link and badge."""
    parser = argparse.ArgumentParser(prog="python -m csframework.binder",
                                     description="The Binder link of this repository.")
    parser.add_argument("--repository", help="owner/name on GitHub, or a public git URL "
                        f"(default: ${ENVIRONMENT_VARIABLE}, then the origin remote)")
    parser.add_argument("--write", metavar="README", help="write the badge into this file")
    args = parser.parse_args(argv)
    try:
        repo = repository_from_url(args.repository) if args.repository else repository()
        if args.write:
            changed = write_badge(args.write, repo)
            print(f"{args.write}: badge {'written' if changed else 'already up to date'}")
        print(binder_url(repo))
        print(badge(repo))
    except BinderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

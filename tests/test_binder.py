"""The Binder link is read from the clone's remote or the environment, never typed in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from csframework import binder
from csframework.binder import BinderError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("url", [
    "https://github.com/csa-lab/csframework",
    "https://github.com/csa-lab/csframework.git",
    "https://github.com/csa-lab/csframework/",
    "git@github.com:csa-lab/csframework.git",
    "ssh://git@github.com/csa-lab/csframework.git",
    "https://token@github.com/csa-lab/csframework.git",
    "csa-lab/csframework",
])
def test_github_remotes_in_every_spelling_give_owner_and_name(url):
    assert binder.repository_from_url(url) == "csa-lab/csframework"


@pytest.mark.parametrize("url", ["/work/main", "file:///srv/git/csframework",
                                 "git@gitlab.com:csa/csframework.git",
                                 "https://user:secret@gitlab.com/csa/csframework.git", ""])
def test_addresses_binder_cannot_build_are_refused_by_name(url):
    with pytest.raises(BinderError, match="owner/name"):
        binder.repository_from_url(url)


def test_other_public_git_hosts_use_binders_git_provider():
    url = binder.binder_url("https://gitlab.com/csa/csframework.git")
    assert url.startswith("https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Fcsa%2F")
    assert url.endswith("/HEAD?urlpath=lab/tree/notebooks/00-start-here.ipynb")


def _clone(tmp_path: Path, remote: str | None) -> Path:
    folder = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)
    (folder / "notebooks").mkdir()
    return folder


def test_the_repository_comes_from_the_origin_remote(tmp_path, monkeypatch):
    monkeypatch.delenv(binder.ENVIRONMENT_VARIABLE, raising=False)
    folder = _clone(tmp_path, "git@github.com:cohort-2025/csframework.git")
    assert binder.repository(folder / "notebooks") == "cohort-2025/csframework"
    assert binder.binder_url(binder.repository(folder)) == (
        "https://mybinder.org/v2/gh/cohort-2025/csframework/HEAD"
        "?urlpath=lab/tree/notebooks/00-start-here.ipynb")


def test_the_environment_variable_wins_over_the_remote(tmp_path, monkeypatch):
    folder = _clone(tmp_path, "https://github.com/someone/else")
    monkeypatch.setenv(binder.ENVIRONMENT_VARIABLE, "csa-lab/csframework")
    assert binder.repository(folder) == "csa-lab/csframework"


def test_a_clone_without_a_remote_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.delenv(binder.ENVIRONMENT_VARIABLE, raising=False)
    folder = _clone(tmp_path, None)
    with pytest.raises(BinderError, match=r"no remote 'origin'.*CSF_BINDER_REPOSITORY"):
        binder.repository(folder)
    with pytest.raises(BinderError, match="not inside a git clone"):
        binder.repository_from_git(tmp_path)


def test_the_badge_is_written_between_the_markers_and_nothing_else_changes(tmp_path):
    readme = tmp_path / "README.md"
    before = f"# Course\n\nintro\n{binder.START_MARKER}\nold text\n{binder.END_MARKER}\nrest\n"
    readme.write_text(before, encoding="utf-8")
    assert binder.write_badge(readme, "csa-lab/csframework") is True
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Course\n\nintro\n") and text.endswith(f"{binder.END_MARKER}\nrest\n")
    assert "old text" not in text
    assert "(https://mybinder.org/v2/gh/csa-lab/csframework/HEAD?urlpath=" in text
    assert binder.write_badge(readme, "csa-lab/csframework") is False
    (tmp_path / "plain.md").write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(BinderError, match="binder-badge:start"):
        binder.write_badge(tmp_path / "plain.md", "csa-lab/csframework")


def test_the_readme_has_the_markers_and_no_placeholder_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert binder.START_MARKER in readme and binder.END_MARKER in readme
    for doc in (readme, (ROOT / "docs" / "jupyterhub.md").read_text(encoding="utf-8")):
        assert "OWNER" not in doc


def test_the_command_prints_the_link_or_a_clear_error(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CSF_HOME": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "csframework.binder", "--repository",
                         "csa-lab/csframework"], capture_output=True, text=True, env=env,
                        cwd=tmp_path)
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0].startswith("https://mybinder.org/v2/gh/csa-lab/")
    bad = subprocess.run([sys.executable, "-m", "csframework.binder"], capture_output=True,
                         text=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "not inside a git clone" in bad.stderr

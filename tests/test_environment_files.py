"""The files Binder (repo2docker) and a JupyterHub image are built from, and what they build.

repo2docker looks for its configuration in ``binder/`` when that folder exists and
then ignores the repository root; from ``binder/requirements.txt`` it runs
``pip install -r binder/requirements.txt`` in the repository root, after copying the
whole repository when the file refers to it (``-e .``). ``binder/runtime.txt`` says
``python-3.X``. These tests check the files follow those rules, that pip resolves
them, and build the same environment in a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before Python 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BUDGET_S = 170  # the whole fresh-environment test, downloads included


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


# -- the files follow repo2docker's rules -------------------------------------------------

def test_binder_requirements_install_the_repository_itself():
    # Everything else comes from pyproject.toml, so the two can never disagree.
    assert requirement_lines(BINDER / "requirements.txt") == ["-e ."]


def test_no_competing_configuration_at_the_root():
    # With binder/ present repo2docker ignores these at the root: one would only mislead.
    for name in ("requirements.txt", "environment.yml", "runtime.txt", "setup.py", "Pipfile",
                 "postBuild", "start", "apt.txt", "Dockerfile", "install.R"):
        assert not (ROOT / name).exists(), f"{name} at the root is ignored by repo2docker"
    allowed = {"requirements.txt", "runtime.txt", "postBuild", "start", "apt.txt"}
    assert {p.name for p in BINDER.iterdir()} <= allowed


def test_runtime_is_a_python_the_package_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"runtime.txt should read 'python-3.X', not {runtime!r}"
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(match.group(1))


def test_scripts_if_any_are_executable():
    for name in ("postBuild", "start"):
        path = BINDER / name
        if path.exists():
            assert os.access(path, os.X_OK), f"binder/{name} must be executable"
            assert path.read_text().startswith("#!"), f"binder/{name} needs a #! line"


def test_console_script_is_declared():
    assert PYPROJECT["project"]["scripts"]["csframework"] == "csframework.cli:main"


# -- slides: jupyterlab-rise ----------------------------------------------------------------

def test_rise_is_a_runtime_dependency():
    names = [canonicalize_name(re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0])
             for d in PYPROJECT["project"]["dependencies"]]
    assert "jupyterlab-rise" in names


def test_rise_lab_extension_is_installed():
    files = {f.as_posix() for f in metadata.files("jupyterlab-rise") or ()}
    assert any(f.endswith("share/jupyter/labextensions/jupyterlab-rise/package.json")
               for f in files)
    from csframework.cli import _labextension

    assert _labextension("jupyterlab-rise") is not None


# -- the documentation --------------------------------------------------------------------

def test_readme_documents_the_cohort_and_the_command():
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("# csframework\n\n```sh\nmake lab ")
    for heading in ("## Running the course for a cohort", "## The csframework command"):
        assert heading in readme
    for word in ("Binder", "JupyterHub", "repo2docker", "presentation", "csframework doctor"):
        assert word in readme


def test_jupyterhub_config_snippet_is_valid():
    text = (ROOT / "docs" / "jupyterhub.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    config = yaml.safe_load(blocks[0])
    singleuser = config["singleuser"]
    assert singleuser["image"]["name"] and singleuser["image"]["tag"]
    start = " ".join(singleuser["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "csframework course copy" in start
    assert "repo2docker" in text and "--target-repo-dir" in text


# -- the environment resolves and builds ------------------------------------------------------

def _copy_repository(target: Path) -> Path:
    """What repo2docker sees of the repository (a copy, so that builds leave ours alone)."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in ("csframework", "binder"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    return target


def _run(command: list[str], cwd: Path, deadline: float) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=max(5.0, deadline - time.monotonic()))


def _pip_resolves(repo: Path, deadline: float) -> dict:
    """pip (as repo2docker runs it) resolves binder/requirements.txt from scratch."""
    report = repo / "report.json"
    done = _run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                 "--quiet", "--report", str(report), "-r", "binder/requirements.txt"],
                repo, deadline)
    assert done.returncode == 0, f"pip could not resolve the environment:\n{done.stderr}"
    return json.loads(report.read_text())


def _uv() -> str | None:
    try:
        import uv

        return uv.find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _fresh_install(repo: Path, venv: Path, deadline: float) -> str:
    """A new virtual environment with binder/requirements.txt installed; returns the tool."""
    uv = _uv()
    requirements = ["-r", "binder/requirements.txt"]
    if uv:
        # uv installs the same requirements as pip, from its cache when it can (offline,
        # seconds), else downloading them once.
        made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], repo, deadline)
        assert made.returncode == 0, made.stderr
        base = [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                *requirements]
        done = _run([*base, "--offline"], repo, deadline)
        if done.returncode != 0:
            done = _run(base, repo, deadline)
        assert done.returncode == 0, f"uv could not install the environment:\n{done.stderr}"
        return "uv"
    made = _run([sys.executable, "-m", "venv", str(venv)], repo, deadline)
    assert made.returncode == 0, made.stderr
    done = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--no-compile", *requirements], repo, deadline)
    assert done.returncode == 0, f"pip could not install the environment:\n{done.stderr}"
    return "pip"


def test_fresh_environment_from_the_binder_files(tmp_path):
    deadline = time.monotonic() + BUDGET_S
    repo_a = _copy_repository(tmp_path / "for-pip")
    repo_b = _copy_repository(tmp_path / "for-venv")
    venv = tmp_path / "venv"
    with ThreadPoolExecutor(2) as pool:  # both mostly wait on the network: side by side
        resolved = pool.submit(_pip_resolves, repo_a, deadline)
        installed = pool.submit(_fresh_install, repo_b, venv, deadline)
        report, _tool = resolved.result(), installed.result()

    names = {canonicalize_name(item["metadata"]["name"]) for item in report["install"]}
    for needed in ("csframework", "jupyterlab", "ipywidgets", "jupyterlab-rise", "pysd",
                   "matplotlib", "ipykernel"):
        assert needed in names, f"pip's resolution lacks {needed}"

    python, bin_dir = venv / "bin" / "python", venv / "bin"
    with ThreadPoolExecutor(3) as pool:
        imported = pool.submit(_run, [str(python), "-c",
                                      "import csframework, csframework.cli as cli, sys; "
                                      "print(csframework.__file__); "
                                      "sys.exit(cli.main(['--version']))"], tmp_path, deadline)
        script = pool.submit(_run, [str(bin_dir / "csframework"), "--help"], tmp_path, deadline)
        lab = pool.submit(_run, [str(bin_dir / "jupyter"), "lab", "--version"], tmp_path,
                          deadline)
        imported, script, lab = imported.result(), script.result(), lab.result()

    assert imported.returncode == 0, imported.stderr
    first, version = imported.stdout.splitlines()
    assert first.startswith(str(repo_b)), "the fresh environment imports another csframework"
    assert version.startswith("csframework ")
    assert script.returncode == 0 and script.stdout.startswith("usage: csframework"), (
        script.stderr)
    assert lab.returncode == 0, lab.stderr
    assert re.fullmatch(r"4\.\d+\.\d+\S*", lab.stdout.strip()), lab.stdout
    labextensions = venv / "share" / "jupyter" / "labextensions"
    for extension in ("jupyterlab-rise", "@jupyter-widgets/jupyterlab-manager"):
        assert (labextensions / extension / "package.json").is_file(), extension


@pytest.mark.parametrize("name", ["requirements.txt", "runtime.txt"])
def test_binder_files_end_with_a_newline(name):
    assert (BINDER / name).read_text().endswith("\n")

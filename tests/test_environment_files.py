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
PINS = ROOT / "requirements" / "constraints.txt"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BUDGET_S = 170  # the whole fresh-environment test, downloads included


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


# -- the files follow repo2docker's rules -------------------------------------------------

def test_binder_requirements_install_the_repository_itself_at_the_pins():
    # Everything else comes from pyproject.toml, so the two can never disagree, at the
    # versions pinned for the cohort's year.
    assert requirement_lines(BINDER / "requirements.txt") == [
        "-c ../requirements/constraints.txt", "-e ."]
    assert (BINDER / "../requirements/constraints.txt").resolve() == PINS


def pinned() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in requirement_lines(PINS):
        name, _, rest = line.partition("==")
        found.setdefault(canonicalize_name(name.strip()), []).append(rest.strip())
    return found


def test_pins_are_exact_and_cover_the_whole_resolved_set():
    pins = pinned()
    for needed in ("jupyterlab", "ipywidgets", "pysd", "numpy", "pandas", "matplotlib",
                   "networkx", "ipykernel", "jupyterlab-rise", "pytest", "nbval", "traitlets",
                   "tornado", "pyzmq", "xarray", "scipy"):
        assert needed in pins, f"{needed} is not pinned"
    for line in requirement_lines(PINS):
        spec = line.split(";", 1)[0]  # the part after ';' is a platform marker
        assert "==" in spec and not any(op in spec for op in (">=", "<=", "~=", "!=")), line


def test_the_environment_in_use_is_the_pinned_one():
    # `make test` installs with the pins; `make test-latest` is where newer releases run.
    if os.environ.get("CSF_TEST_LATEST"):
        pytest.skip("make test-latest runs the newest releases on purpose")
    from csframework.cli import _check_pins

    check = _check_pins()
    assert check.ok, check.detail


def test_makefile_installs_with_the_pins():
    makefile = (ROOT / "Makefile").read_text()
    assert "PINS   := requirements/constraints.txt" in makefile
    assert makefile.count("-c $(PINS)") >= 3  # lab, test, browser
    assert "test-latest:" in makefile and "lock:" in makefile


def test_no_competing_configuration_at_the_root():
    # With binder/ present repo2docker ignores these at the root: one would only mislead.
    # (setup.py is the build hook that puts the course into a wheel, not an environment.)
    for name in ("requirements.txt", "environment.yml", "runtime.txt", "Pipfile",
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
    for name in ("pyproject.toml", "README.md", "setup.py", "MANIFEST.in"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints",
                                    "_course")
    for name in ("csframework", "binder", "requirements", "notebooks", "exercises"):
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


def _fresh_install(repo: Path, venv: Path, deadline: float,
                   requirements: tuple[str, ...] = ("-r", "binder/requirements.txt")) -> str:
    """A new virtual environment with `requirements` installed; returns the tool."""
    uv = _uv()
    requirements = list(requirements)
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


# -- the wheel carries the course -----------------------------------------------------------

def test_a_wheel_carries_the_course_and_works_from_any_folder(tmp_path):
    deadline = time.monotonic() + BUDGET_S
    repo = _copy_repository(tmp_path / "repo")
    wheels = tmp_path / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                  str(wheels), str(repo)], tmp_path, deadline)
    assert built.returncode == 0, f"the wheel did not build:\n{built.stderr}"
    wheel, = wheels.glob("csframework-*.whl")
    venv = tmp_path / "venv"
    _fresh_install(tmp_path, venv, deadline,
                   ("-c", str(PINS), str(wheel)))
    bin_dir = venv / "bin"
    anywhere = tmp_path / "somewhere else"
    anywhere.mkdir()
    env = {**os.environ, "CSF_HOME": str(tmp_path / "home")}
    env.pop("CSF_COURSE", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(bin_dir / "csframework"), *args], cwd=anywhere, env=env,
                              capture_output=True, text=True, check=False,
                              timeout=max(5.0, deadline - time.monotonic()))

    helped = run("lab", "--help")
    assert helped.returncode == 0 and "usage: csframework lab" in helped.stdout
    copied = run("course", "copy")
    assert copied.returncode == 0, copied.stderr
    folder = tmp_path / "home" / "course"
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*")}
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*.ipynb")}
    got = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
           if p.is_file() and not p.name.startswith(".")}
    assert expected <= got
    assert "facilitator-guide.md" in copied.stdout
    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "site-packages/csframework/_course" in doctor.stdout
    assert "pinned versions" in doctor.stdout

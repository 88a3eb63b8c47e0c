"""Test-wide set-up: no test ever touches a real participant's data."""

from __future__ import annotations

import os
import tempfile

import pytest

# Set before anything imports csframework, so that even import-time code and
# nbval kernels started from this process see a throwaway home.
_SESSION_HOME = tempfile.mkdtemp(prefix="csf-test-home-")
os.environ["CSF_HOME"] = _SESSION_HOME


@pytest.fixture(autouse=True)
def _fresh_csf_home(tmp_path, monkeypatch):
    """Point CSF_HOME at a fresh folder for every test."""
    home = tmp_path / "csf-home"
    home.mkdir()
    monkeypatch.setenv("CSF_HOME", str(home))
    return home

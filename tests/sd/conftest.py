"""Fixtures for the system-dynamics tests that run PySD."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "pysd: runs PySD (slow: translation); deselect with -m 'not pysd'")


@pytest.fixture(scope="session")
def pysd_home(tmp_path_factory):
    """One CSF_HOME for the whole session, so PySD translations are cached across tests."""
    return tmp_path_factory.mktemp("pysd-home")


@pytest.fixture
def pysd_cache(pysd_home, monkeypatch):
    """Point CSF_HOME at the session's folder (after the per-test autouse fixture)."""
    monkeypatch.setenv("CSF_HOME", str(pysd_home))
    return pysd_home / "cache" / "pysd"

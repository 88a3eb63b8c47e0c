"""The installed csframework's version, read from the package metadata.

``pyproject.toml`` is the one place the version is written; an install (wheel,
editable or Binder) records it in the package metadata, which this reads.

Examples
--------
>>> from importlib.metadata import version
>>> from csframework._version import VERSION
>>> VERSION == version("csframework")
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["VERSION"]

try:
    VERSION: str = version("csframework")
except PackageNotFoundError:  # pragma: no cover - a source tree used without installing it
    VERSION = "0+unknown"

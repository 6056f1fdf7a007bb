"""Helpers shared by tests of every tier."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
#: Real third-party data used by some tests; never copied into the repository.
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """Path of a file in ``../shared/data``; skips the calling test when it is absent."""
    path = SHARED_DATA_DIR.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data file {path} is not present on this machine")
    return path

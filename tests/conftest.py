"""Shared test configuration.

Every test gets exactly one tier marker from the folder it lives in (unit, component,
integration, browser), so a test cannot be unmarked or double-marked by accident.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_DIR = TESTS_DIR.parent
#: Real third-party data used by some tests; never copied into the repository.
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"
TIERS = ("unit", "component", "integration", "browser")


def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = Path(item.fspath).resolve().relative_to(TESTS_DIR)
        tier = rel.parts[0] if len(rel.parts) > 1 else None
        if tier not in TIERS:
            raise pytest.UsageError(f"{rel}: tests must live in one of tests/{{{','.join(TIERS)}}}/")
        item.add_marker(getattr(pytest.mark, tier))


def shared_file(*parts: str) -> Path:
    """Path of a file in ``../shared/data``; skips the calling test when it is absent."""
    path = SHARED_DATA_DIR.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data file {path} is not present on this machine")
    return path

"""Shared test configuration.

Every test gets exactly one tier marker (unit, component, integration, browser), so a
test cannot be unmarked or double-marked by accident. Tests in a tier folder get the
folder's tier. Tests in ``tests/security/`` (the trust checks: uploads, outputs, injected
text, hostile inputs) carry the ``security`` marker and name their tier themselves with
one ``pytestmark`` per module; ``pytest -m security`` runs that group alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
TIERS = ("unit", "component", "integration", "browser")
GROUPS = ("security",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = Path(item.fspath).resolve().relative_to(TESTS_DIR)
        folder = rel.parts[0] if len(rel.parts) > 1 else None
        if folder in TIERS:
            item.add_marker(getattr(pytest.mark, folder))
            continue
        if folder not in GROUPS:
            raise pytest.UsageError(
                f"{rel}: tests must live in one of tests/{{{','.join(TIERS + GROUPS)}}}/"
            )
        tiers = [m.name for m in item.iter_markers() if m.name in TIERS]
        if len(tiers) != 1:
            raise pytest.UsageError(
                f"{rel}: a test in tests/{folder}/ needs exactly one tier marker "
                f"({', '.join(TIERS)}) as the module's pytestmark; found {tiers or 'none'}"
            )
        item.add_marker(getattr(pytest.mark, folder))

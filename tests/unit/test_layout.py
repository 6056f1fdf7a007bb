"""The house's layout: imports only point down, and no package imports itself in a
circle. Every import counts, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Each package and the packages it may import (DESIGN.md, "The house").
ALLOWED = {
    "thermal": set(),
    "optimizer": set(),
    "scenarios": {"thermal", "optimizer"},
    "reports": {"scenarios", "thermal", "optimizer"},
    "ui": {"scenarios", "reports"},
    "cli": {"scenarios", "reports", "thermal", "optimizer"},
}


def _imports(package: str) -> dict[str, set[str]]:
    """Module -> the coolshift modules it imports (anywhere in the file)."""
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        out[module] = {n for n in names if n.split(".")[0] in ALLOWED}
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_point_down(package):
    for module, names in _imports(package).items():
        others = {n.split(".")[0] for n in names} - {package}
        assert others <= ALLOWED[package], (module, others - ALLOWED[package])


def test_no_command_module_is_imported_by_a_library():
    for package in ("thermal", "optimizer", "scenarios", "reports", "ui"):
        for module, names in _imports(package).items():
            assert not any(n.startswith("cli") for n in names), module


def test_the_cli_has_one_module_per_command():
    from cli.main import COMMAND_MODULES

    commands = {"run", "validate", "sweep", "compare", "schedule", "thermal", "size", "report", "examples"}
    assert {m.removeprefix("cli.") for m in COMMAND_MODULES} == commands
    assert not list((ROOT / "scenarios").glob("cmd_*.py"))
    assert not list((ROOT / "reports").glob("cmd_*.py"))


def test_the_schema_and_the_readers_share_their_bounds():
    # kept apart so the schema imports no optimizer (the app's first page); equal by test
    from optimizer import readers
    from scenarios import schema

    assert schema.MAX_JOBS == readers.MAX_JOBS and schema.MAX_PODS == readers.MAX_PODS

"""The README and the scenario reference stay in step with the code."""

from pathlib import Path

from scenarios.kpis import KPI_DEFINITIONS
from scenarios.library import example_names

ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_every_kpi_key_with_its_unit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, (unit, _, _) in KPI_DEFINITIONS.items():
        assert f"| `{key}` | {unit} |" in readme, key


def test_readme_lists_every_built_in_scenario():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in example_names():
        assert f"| `{name}` |" in readme, name


def test_scenario_reference_covers_every_schema_field():
    import typing

    from pydantic import BaseModel

    from scenarios.schema import Scenario

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")

    def keys(model, prefix=""):
        for name, info in model.model_fields.items():
            yield f"{prefix}{name}"
            for cand in (info.annotation, *typing.get_args(info.annotation)):
                if isinstance(cand, type) and issubclass(cand, BaseModel):
                    listed = typing.get_origin(info.annotation) is list
                    yield from keys(cand, f"{prefix}{name}{'[]' if listed else ''}.")

    for key in keys(Scenario):
        assert f"`{key}`" in doc, key

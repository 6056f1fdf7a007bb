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


def test_scenario_reference_gives_the_asset_defaults_of_the_libraries():
    """The scenario's asset fields default to None, meaning the library's default; the
    reference shows those values, which must be the libraries' own."""
    from optimizer.assets import DEFAULT_INITIAL_SOC, Battery
    from thermal.cold_storage import ColdStorageParams
    from thermal.onsite import PVWATTS_LOSSES_PCT

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in doc.splitlines()
            if line.startswith("| `")}
    battery, tank = Battery(1.0, 1.0), ColdStorageParams()
    expected = {
        "storage.battery.round_trip_efficiency": f"None: {battery.round_trip_efficiency:g}",
        "storage.battery.min_soc": f"None: {battery.min_soc:g}",
        "storage.battery.max_soc": f"None: {battery.max_soc:g}",
        "storage.battery.initial_soc": f"None: {battery.initial_soc:g}",
        "storage.battery.degradation_cost_per_kwh": f"None: {battery.degradation_cost_per_kwh:g}",
        "storage.cold.kind": f"None: {tank.kind}",
        "storage.cold.loop": f"None: {tank.loop}",
        "storage.cold.standing_loss_per_h": f"None: {tank.standing_loss_per_h * 1e4:.2g}e-4",
        "storage.cold.initial_soc": f"None: {DEFAULT_INITIAL_SOC:g}",
        "onsite.pv.losses_pct": f"None: {PVWATTS_LOSSES_PCT:g}",
    }
    for key, text in expected.items():
        assert text in rows[f"`{key}`"], (key, text)

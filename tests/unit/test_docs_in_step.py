"""The README and the scenario reference stay in step with the code."""

from pathlib import Path

from scenarios.kpis import FLEET_KPI_DEFINITIONS, KPI_DEFINITIONS
from scenarios.library import example_names

ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_every_kpi_key_with_its_unit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, (unit, _, _) in {**KPI_DEFINITIONS, **FLEET_KPI_DEFINITIONS}.items():
        assert f"| `{key}` | {unit} |" in readme, key


def test_readme_lists_every_built_in_fleet():
    from scenarios.fleet import fleet_names

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in fleet_names():
        assert f"| `{name}` |" in readme, name


def test_scenario_reference_covers_every_fleet_field():
    from scenarios.fleet_schema import Fleet

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    fleet = doc[doc.index("## Fleet files"):]
    for key in _keys(Fleet):
        assert f"`{key}`" in fleet, key


def test_readme_lists_every_built_in_scenario():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in example_names():
        assert f"| `{name}` |" in readme, name


def _keys(model, prefix=""):
    """Every dotted field of a schema model (list items as ``name[].field``)."""
    import typing

    from pydantic import BaseModel

    for name, info in model.model_fields.items():
        yield f"{prefix}{name}"
        for cand in (info.annotation, *typing.get_args(info.annotation)):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                listed = typing.get_origin(info.annotation) is list
                yield from _keys(cand, f"{prefix}{name}{'[]' if listed else ''}.")


def test_scenario_reference_covers_every_schema_field():
    from scenarios.schema import Scenario

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")

    for key in _keys(Scenario):
        assert f"`{key}`" in doc, key


def test_scenario_reference_gives_the_asset_defaults_of_the_libraries():
    """The scenario's asset fields default to None, meaning the library's default; the
    reference shows those values, which must be the libraries' own."""
    from optimizer.assets import DEFAULT_INITIAL_SOC, Battery
    from thermal.cold_storage import ColdStorageParams
    from thermal.heat_demand import BEIJING_HEATING_DESIGN_C, BEIJING_HEATING_SEASON
    from thermal.heat_reuse import HeatReuseParams
    from thermal.onsite import PVWATTS_LOSSES_PCT

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in doc.splitlines()
            if line.startswith("| `")}
    battery, tank, heat = Battery(1.0, 1.0), ColdStorageParams(), HeatReuseParams()
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
        "heat_reuse.hx_approach_k": f"None: {heat.hx_approach_k:g}",
        "heat_reuse.carnot_efficiency": f"None: {heat.carnot_efficiency:g}",
        "heat_reuse.max_cop": f"None: {heat.max_cop:g}",
        "heat_reuse.contracted_share": f"None: {heat.contracted_share:g}",
        "heat_reuse.liquid_share": f"None: {heat.liquid_share:g} with `demand`",
        "heat_reuse.air_share": f"None: {heat.air_share:g} with `demand`",
        "heat_reuse.season_start": f"None: {BEIJING_HEATING_SEASON[0]}",
        "heat_reuse.season_end": f"None: {BEIJING_HEATING_SEASON[1]}",
        "heat_reuse.design_outdoor_c": f"None: {BEIJING_HEATING_DESIGN_C:g}",
    }
    for key, text in expected.items():
        assert text in rows[f"`{key}`"], (key, text)


def test_cost_reference_lists_every_cost_default():
    import dataclasses

    from scenarios.costs import CostParams, TechnologyCost

    doc = (ROOT / "docs" / "costs.md").read_text(encoding="utf-8")
    groups = [f.name for f in dataclasses.fields(CostParams) if f.type == "TechnologyCost"]
    for f in dataclasses.fields(CostParams):
        if f.name != "currency" and f.name not in groups:  # currency: set from grid.currency
            assert f"`{f.name}`" in doc, f.name
    for group in groups:
        for f in dataclasses.fields(TechnologyCost):
            assert f"`{group}.{f.name}`" in doc, f"{group}.{f.name}"

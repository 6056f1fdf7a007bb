"""Variants of a scenario for comparisons, and KPIs of several runs side by side."""

from __future__ import annotations

import copy

import pandas as pd

from scenarios import kpis as K
from scenarios.errors import ScenarioError

#: KPIs shown side by side when comparing runs, in this order.
COMPARE_KPIS = (
    "pue",
    "tue",
    "itue",
    "wue_l_per_kwh",
    "cue_kg_per_kwh",
    "facility_energy_mwh",
    "it_energy_mwh",
    "water_m3",
    "free_cooling_h",
    "peak_facility_kw",
    "carbon_location_t",
    "carbon_market_t",
    "energy_cost",
    "demand_cost",
    "total_cost",
    "jobs",
    "deadlines_met_share",
    "shifted_energy_share",
    "cost_saving_vs_asap_pct",
    "carbon_saving_vs_asap_pct",
    "cost_saving_vs_greedy_pct",
    "carbon_saving_vs_greedy_pct",
    "pue_target",
    "pue_target_met",
)


def with_cooling(data: dict, cooling: str) -> dict:
    """A copy of raw scenario data with every pod cooled by ``cooling``.

    Racks, densities and names stay; settings that belong to the old technology
    (water class and liquid fraction when going to air) are dropped.
    """
    from thermal.facility import COOLING_TECHNOLOGIES

    if cooling not in COOLING_TECHNOLOGIES:
        raise ScenarioError(
            f"unknown cooling {cooling!r}; use one of {', '.join(COOLING_TECHNOLOGIES)}"
        )
    out = copy.deepcopy(data)
    for pod in out.get("pods", []):
        if pod.get("cooling") == cooling:
            continue
        pod["cooling"] = cooling
        pod.pop("liquid_fraction", None)
        pod.pop("heat_rejection", None)
        if cooling == "air":
            pod.pop("water_class", None)
    return out


def with_rack_density(data: dict, factor: float) -> dict:
    """A copy of raw scenario data with each pod's rack density scaled by ``factor``.

    The pod's IT capacity stays (about) the same: rack_kw x factor on racks / factor
    racks (rounded, at least one), so the variant compares density, not size.
    """
    if not factor > 0:
        raise ScenarioError(f"rack density factor must be > 0, got {factor!r}")
    out = copy.deepcopy(data)
    for pod in out.get("pods", []):
        pod["rack_kw"] = float(pod["rack_kw"]) * factor
        pod["racks"] = max(1, round(int(pod["racks"]) / factor))
    return out


def kpi_table(kpis_by_label: dict[str, dict], keys=COMPARE_KPIS) -> pd.DataFrame:
    """KPIs of several runs side by side.

    Parameters
    ----------
    kpis_by_label : dict
        Label -> a run's KPI dict (``RunResult.kpis`` or ``kpis.json["kpis"]``).
    keys : sequence of str
        KPI keys (rows), from :data:`scenarios.kpis.KPI_DEFINITIONS`.

    Returns
    -------
    DataFrame
        Index the KPI keys, a ``unit`` column, then one column per label (None where a
        run has no value).
    """
    table = pd.DataFrame(
        {"unit": [K.KPI_DEFINITIONS[k][0] for k in keys]}, index=pd.Index(list(keys), name="kpi")
    )
    for label, kpis in kpis_by_label.items():
        table[label] = pd.Series([kpis.get(k) for k in keys], index=table.index, dtype=object)
    return table

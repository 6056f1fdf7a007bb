"""Numbers as text for tables: fixed formats, an en dash for anything missing (never NaN)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scenarios.kpis import KPI_DEFINITIONS

#: Format of each KPI key (others: 4 significant digits).
KPI_FORMATS = {
    "pue": ".3f",
    "ppue_cooling": ".3f",
    "tue": ".3f",
    "itue": ".3f",
    "wue_l_per_kwh": ".3f",
    "cue_kg_per_kwh": ".3f",
    "ref": ".0%",
    "erf": ".1%",
    "cfe_score": ".1%",
    "deadlines_met_share": ".0%",
    "shifted_energy_share": ".1%",
    "jobs": ",.0f",
    "free_cooling_h": ",.0f",
    "peak_facility_kw": ",.0f",
    "water_m3": ",.1f",
    "energy_cost": ",.0f",
    "demand_cost": ",.0f",
    "total_cost": ",.0f",
    "cost_saving_vs_asap": ",.0f",
    "cost_saving_vs_greedy": ",.0f",
    "cost_saving_vs_asap_pct": ".2f",
    "cost_saving_vs_greedy_pct": ".2f",
    "carbon_saving_vs_asap_pct": ".2f",
    "carbon_saving_vs_greedy_pct": ".2f",
    "carbon_saving_vs_asap_t": ",.3f",
    "carbon_saving_vs_greedy_t": ",.3f",
    "carbon_location_t": ",.2f",
    "carbon_market_t": ",.2f",
    "pue_target": ".2f",
    "it_energy_mwh": ",.1f",
    "compute_energy_mwh": ",.1f",
    "facility_energy_mwh": ",.1f",
    "job_energy_mwh": ",.1f",
}
MISSING = "–"


def fmt(value, spec: str = ".4g") -> str:
    """``format(value, spec)``; booleans as yes / no; None, NaN and infinities as "–"."""
    if value is None:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return MISSING
    return format(number, spec)


def kpi_text(key: str, value) -> str:
    """A KPI value in its usual format."""
    return fmt(value, KPI_FORMATS.get(key, ".4g"))


def kpi_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A KPI table (index KPI keys, a unit column, one column per run) as text, with each
    key's description as a "definition" column."""
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        if column == "unit":
            out[column] = table[column]
        else:
            out[column] = [kpi_text(k, v) for k, v in table[column].items()]
    out.insert(1, "definition", [KPI_DEFINITIONS[k][1] for k in table.index])
    return out


def formatted(frame: pd.DataFrame, specs: dict[str, str]) -> pd.DataFrame:
    """Columns of ``frame`` as text by format spec (columns not named stay as they are)."""
    out = frame.copy()
    for column, spec in specs.items():
        if column in out.columns:
            out[column] = [fmt(v, spec) for v in frame[column]]
    return out

"""Annual (or any-period) indicators of a simulated pod or site frame.

Definitions follow ``reference/kpis-policy.md``: PUE = facility energy / IT energy over
the period (ISO/IEC 30134-2); pPUE of cooling = (IT + cooling) / IT; ITUE = IT / compute;
TUE = ITUE x PUE = facility / compute; WUE = site water [L] / IT energy [kWh]
(ISO/IEC 30134-9).
"""

from __future__ import annotations

import pandas as pd

#: Indicator name -> (unit, description), in the order tables show them.
INDICATORS = {
    "pue": ("-", "power usage effectiveness: facility / IT energy"),
    "ppue_cooling": ("-", "partial PUE of cooling: (IT + cooling) / IT energy"),
    "tue": ("-", "total usage effectiveness: facility / compute energy"),
    "itue": ("-", "IT usage effectiveness: IT / compute energy (server fans)"),
    "wue_l_per_kwh": ("L/kWh", "water usage effectiveness: site water / IT energy"),
    "it_mwh": ("MWh", "IT energy, server fans included"),
    "facility_mwh": ("MWh", "facility energy"),
    "free_cooling_h": ("h", "hours in which compressors remove at most 5 % of the heat"),
    "free_cooling_share": ("-", "share of the heat removed without compressors"),
    "peak_facility_kw": ("kW", "highest hourly facility power"),
    "hours_outside_air_class": ("h", "hours the server inlet air is outside its ASHRAE class"),
}


def period_summary(frame: pd.DataFrame) -> dict[str, float]:
    """Indicators over all hours of a pod or site frame.

    Parameters
    ----------
    frame : DataFrame
        From :func:`thermal.simulate.simulate_pod` or ``simulate_site``.

    Returns
    -------
    dict
        The keys of :data:`INDICATORS` (plus ``compute_mwh``, ``water_m3``,
        ``unmet_heat_h``, ``unmet_heat_mwh``), as floats. With unmet heat, PUE and WUE
        flatter the plant: heat it could not remove cost no energy.
    """
    it_kwh = float(frame["it_kw"].sum())
    compute_kwh = float(frame["compute_kw"].sum())
    facility_kwh = float(frame["facility_kw"].sum())
    cooling_kwh = float(frame["cooling_kw"].sum())
    water_l = float(frame["water_l"].sum())
    nan = float("nan")
    return {
        "pue": facility_kwh / it_kwh if it_kwh else nan,
        "ppue_cooling": (it_kwh + cooling_kwh) / it_kwh if it_kwh else nan,
        "tue": facility_kwh / compute_kwh if compute_kwh else nan,
        "itue": it_kwh / compute_kwh if compute_kwh else nan,
        "wue_l_per_kwh": water_l / it_kwh if it_kwh else nan,
        "it_mwh": it_kwh / 1000.0,
        "facility_mwh": facility_kwh / 1000.0,
        "free_cooling_h": float((frame["mode"] == "free").sum()),
        "free_cooling_share": _free_cooling_share(frame),
        "peak_facility_kw": float(frame["facility_kw"].max()),
        "hours_outside_air_class": float((~frame["within_air_class"].astype(bool)).sum()),
        "compute_mwh": compute_kwh / 1000.0,
        "water_m3": water_l / 1000.0,
        "unmet_heat_h": float((frame["unmet_heat_kw"] > 1e-9).sum()),
        "unmet_heat_mwh": float(frame["unmet_heat_kw"].sum()) / 1000.0,
    }


def _free_cooling_share(frame: pd.DataFrame) -> float:
    """Heat-weighted share of the period's heat removed without compressors [-]."""
    heat = frame["heat_to_air_kw"] + frame["heat_to_liquid_kw"]
    total = float(heat.sum())
    return float((frame["free_fraction"] * heat).sum()) / total if total else float("nan")

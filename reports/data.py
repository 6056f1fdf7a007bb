"""Run directories read for a report, and the figures derived from their hourly data.

Runs are read only through :func:`scenarios.store.read_run`. Everything a report shows
beyond ``kpis.json`` is computed here from ``hourly.parquet`` with the same rules as
:mod:`scenarios.kpis` (the period sums add up to the run's KPIs; tests check it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.schema import Scenario
from scenarios.store import HOURLY, corrupt_run_error, read_run

#: Site power components in hourly.parquet whose sum is the facility power [kW], in
#: stacking order (IT first), with their display names.
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("compute_kw", "Compute"),
    ("server_fan_kw", "Server fans"),
    ("ups_loss_kw", "UPS losses"),
    ("distribution_loss_kw", "Distribution losses"),
    ("lighting_kw", "Lighting and misc."),
    ("air_handler_fan_kw", "Air handler fans"),
    ("pump_kw", "Pumps"),
    ("chiller_kw", "Chillers"),
    ("heat_rejection_fan_kw", "Heat rejection fans"),
)
#: A run shorter than this is summarised by day, otherwise by calendar month [h].
MONTHLY_MIN_H = 2 * 730
#: Numeric hourly.parquet columns every report reads: the site's components and totals
#: and the hourly signals; per pod, :data:`POD_REQUIRED` (``<pod>.<column>``).
SITE_REQUIRED = (
    *(f"site.{col}" for col, _ in COMPONENTS), "site.facility_kw", "site.it_kw",
    "carbon_g_per_kwh", "price_per_kwh",
)  # fmt: skip
POD_REQUIRED = ("job_compute_kw",)
#: Hourly columns a schedule's assets add (scenarios.store.asset_columns; each only with
#: its asset; the baselines' copies carry their name, ``asap.grid_kw``): grid import,
#: export, curtailment, battery AC power (> 0 charging) and state of charge [kW, kWh],
#: the tank's stored cold [kWh_th].
ASSET_FLOW_COLUMNS = ("grid_kw", "export_kw", "curtailed_kw", "battery_kw", "battery_soc_kwh",
                      "cold_soc_kwh_th")  # fmt: skip
#: On-site generation input columns [kW] (the same for every schedule).
GENERATION_COLUMNS = ("pv_kw", "wind_kw")
#: The schedules whose copies of the asset columns a run may hold.
BASELINES = ("asap", "greedy")
#: Further numeric columns the report plots where the run has them.
PLOTTED_OPTIONAL = ("carbon_free_share", "asap.facility_kw", "greedy.facility_kw",
                    "asap.job_compute_kw", "greedy.job_compute_kw", *GENERATION_COLUMNS,
                    *ASSET_FLOW_COLUMNS,
                    *(f"{b}.{c}" for b in BASELINES for c in ASSET_FLOW_COLUMNS))  # fmt: skip
#: The only hourly.parquet columns holding text; every other column holds numbers.
TEXT_COLUMNS = ("tariff_band", "site.mode")
#: Largest magnitude of a plotted hourly value: 1e12 kW is ten thousand times the
#: largest site; beyond it sums overflow and chart axes cannot be drawn.
MAX_HOURLY_MAGNITUDE = 1e12


@dataclass
class Run:
    """One finished run directory, as :func:`scenarios.store.read_run` returns it."""

    path: Path
    label: str
    doc: dict  # kpis.json
    manifest: dict
    hourly: pd.DataFrame  # index: hour starts in the site's time zone
    schedule: pd.DataFrame
    scenario: Scenario

    @property
    def kpis(self) -> dict:
        return self.doc["kpis"]

    @property
    def currency(self) -> str:
        return self.doc.get("currency", "")

    @property
    def tz(self) -> str:
        return self.scenario.site.timezone

    @property
    def optimized(self) -> bool:
        return self.doc.get("schedule") == "milp"

    @property
    def schedule_name(self) -> str:
        return "MILP" if self.optimized else "ASAP"

    @property
    def pods(self) -> list[str]:
        return [p.name for p in self.scenario.pods]

    @property
    def hours(self) -> int:
        return len(self.hourly)


def load_run(path: str | Path, label: str | None = None) -> Run:
    """Read one run directory.

    Raises
    ------
    ScenarioError
        Not a complete run directory (the message names the missing files).
    """
    data = read_run(path)
    scenario = data["scenario"]
    hourly = data["hourly"]
    check_hourly_columns(hourly, [p.name for p in scenario.pods], path)
    hourly = hourly.tz_convert(scenario.site.timezone)
    return Run(
        path=Path(path),
        label=label or data["kpis"].get("scenario", scenario.name),
        doc=data["kpis"],
        manifest=data["manifest"],
        hourly=hourly,
        schedule=data["schedule"],
        scenario=scenario,
    )


def check_hourly_columns(hourly: pd.DataFrame, pods: Sequence[str], path: str | Path) -> None:
    """Every column the report reads is in hourly.parquet and holds numbers.

    Raises
    ------
    ScenarioError
        Naming the run directory, the file and the first missing or non-numeric columns.
    """
    needed = [*SITE_REQUIRED, *(f"{pod}.{col}" for pod in pods for col in POD_REQUIRED)]
    missing = [c for c in needed if c not in hourly.columns]
    if missing:
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        shown = ", ".join(missing[:4]) + more
        raise corrupt_run_error(path, HOURLY, f"lacks the column(s) {shown}")
    text = [
        c for c in hourly.columns
        if c not in TEXT_COLUMNS and not pd.api.types.is_numeric_dtype(hourly[c])
    ]  # fmt: skip
    if text:
        raise corrupt_run_error(path, HOURLY, f"column {str(text[0])[:60]} must hold numbers")
    for column in [*needed, *(c for c in PLOTTED_OPTIONAL if c in hourly.columns)]:
        values = hourly[column].to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (np.abs(values) > MAX_HOURLY_MAGNITUDE)
        if bad.any():
            first = hourly.index[int(np.flatnonzero(bad)[0])]
            raise corrupt_run_error(
                path, HOURLY, f"column {column} holds {values[bad][0]:g} at {first}; every value "
                f"must be a finite number of magnitude up to {MAX_HOURLY_MAGNITUDE:g}",
            )


def load_runs(paths: Iterable[str | Path]) -> list[Run]:
    """Read run directories; runs of the same scenario name are told apart by folder."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ScenarioError("give at least one run directory")
    runs = [load_run(p) for p in paths]
    names = [r.label for r in runs]
    for run in runs:
        if names.count(run.label) > 1:
            run.label = f"{run.label} ({run.path.name})"
    return runs


def site(run: Run, column: str) -> pd.Series:
    """A site-level hourly column (``site.<column>``)."""
    return run.hourly[f"site.{column}"]


def component_kw(run: Run) -> pd.DataFrame:
    """Hourly site power by component [kW]; the columns add up to the facility power."""
    return pd.DataFrame({name: site(run, col) for col, name in COMPONENTS})


def component_energy_mwh(run: Run) -> pd.Series:
    """Energy of each site component over the run [MWh] (hourly kW summed / 1000)."""
    return component_kw(run).sum() / 1000.0


def installed_it_kw(scenario: Scenario) -> float:
    """Installed (nameplate) IT power of all halls: racks x rack kW [kW]."""
    return float(sum(p.racks * p.rack_kw for p in scenario.pods))


def bills_grid_import(run: Run) -> bool:
    """Price, carbon and the demand charge apply to the grid import, not the facility's
    power: the site has an asset (a battery, a cold tank, on-site generation or a heat
    network), and hourly.parquet holds the import, ``grid_kw``."""
    return "grid_kw" in run.hourly


def has_assets(run: Run) -> bool:
    """The run's site has a battery, a cold tank or on-site generation (the report's
    asset section; heat reuse has its own indicators)."""
    return any(c in run.hourly for c in ("battery_kw", "cold_soc_kwh_th", *GENERATION_COLUMNS))


def _column(run: Run, column: str, schedule: str = "") -> pd.Series | None:
    name = f"{schedule}.{column}" if schedule else column
    return run.hourly[name] if name in run.hourly else None


def grid_kw(run: Run, schedule: str = "") -> pd.Series:
    """Hourly grid import [kW] of the run's schedule (or of a baseline, ``"asap"``):
    what price, carbon and the demand charge apply to. Without assets, the facility
    power."""
    grid = _column(run, "grid_kw", schedule)
    if grid is not None:
        return grid
    return run.hourly[f"{schedule}.facility_kw"] if schedule else site(run, "facility_kw")


def battery_kw(run: Run, schedule: str = "") -> tuple[pd.Series, pd.Series] | None:
    """(charging, discharging) AC power of the battery per hour [kW], both >= 0; None
    without a battery."""
    power = _column(run, "battery_kw", schedule)
    if power is None:
        return None
    return power.clip(lower=0.0), (-power).clip(lower=0.0)


def export_price_per_kwh(run: Run) -> pd.Series | None:
    """What the grid paid per kWh exported, each hour [currency/kWh] (the scenario's
    ``[onsite]`` price: constant, or a share of the import price); None when the site
    does not export."""
    spec = run.scenario.onsite
    if spec is None or not spec.export:
        return None
    price = run.hourly["price_per_kwh"]
    if spec.export_price_per_kwh is not None:
        return pd.Series(float(spec.export_price_per_kwh), index=price.index)
    return float(spec.export_price_share or 0.0) * price


def battery_wear_per_kwh(run: Run) -> float:
    """The battery's wear cost per kWh discharged that the run applied [currency/kWh],
    recovered from its KPIs (wear cost / throughput); 0 without a battery or wear."""
    k = run.kpis
    throughput, wear = k.get("battery_throughput_mwh"), k.get("battery_wear_cost")
    if not throughput or not wear:
        return 0.0
    return float(wear) / (float(throughput) * 1000.0)


def heat_revenue_kw(run: Run) -> pd.Series | None:
    """What the heat delivered to a heat network earned per hour [currency] (the run's
    heat price, recovered from its KPIs, x the heat delivered); None without revenue."""
    k = run.kpis
    revenue, heat = k.get("heat_revenue"), k.get("heat_reused_mwh_th")
    if not revenue or not heat or "heat_reused_kw_th" not in run.hourly:
        return None
    return run.hourly["heat_reused_kw_th"] * (float(revenue) / (float(heat) * 1000.0))


def demand_charge_per_kw_month(run: Run) -> float:
    """The demand charge the run applied [currency/kW/month], recovered from its KPIs
    (demand cost / the demand cost a charge of 1 would give on the same peaks: the grid
    import's with assets, the facility's without)."""
    per_unit = K.monthly_demand(grid_kw(run), 1.0, run.tz, billing(run))
    unit_cost = float(per_unit["demand_cost"].sum())
    cost = run.kpis.get("demand_cost") or 0.0
    return float(cost / unit_cost) if unit_cost > 0 else 0.0


def billing(run: Run) -> str:
    """How the run billed months it covers in part ("prorated" or "full_month")."""
    return run.scenario.grid.price.billing


def period_kind(run: Run) -> str:
    """``"month"`` for runs of two months or more, else ``"day"``."""
    return "month" if run.hours >= MONTHLY_MIN_H else "day"


def _carbon_free(run: Run) -> pd.Series | None:
    col = "carbon_free_share"
    return run.hourly[col] if col in run.hourly else None


def period_table(run: Run) -> pd.DataFrame:
    """IT and facility energy, PUE, Scope 2 carbon and cost by calendar month or day.

    Uses the KPI functions of :mod:`scenarios.kpis` on each period's hours, so the
    sums equal the run's KPIs. With assets, price, carbon and the demand charge apply to
    the grid import (as in kpis.json): the energy cost is price x import less what the
    exports earned, the demand charge is billed on each month's peak import, and the
    total adds the battery's wear and takes off what a heat network paid. By day, the
    demand charge (billed on each month's peak) is not split: its columns are NaN and
    the report says so.

    Returns
    -------
    DataFrame
        Index: period label (``YYYY-MM`` or ``YYYY-MM-DD``, site local time); columns
        ``hours``, ``it_mwh``, ``facility_mwh``, ``grid_mwh`` (= facility without
        assets), ``pue``, ``carbon_location_t``, ``carbon_market_t``, ``export_revenue``,
        ``wear_cost``, ``heat_revenue``, ``energy_cost`` (export revenue taken off),
        ``demand_cost``, ``total_cost``.
    """
    kind = period_kind(run)
    facility = site(run, "facility_kw")
    grid = grid_kw(run)
    assets = bills_grid_import(run)
    it = site(run, "it_kw")
    idx = facility.index
    keys = idx.tz_convert(run.tz).strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
    market = run.scenario.grid.market
    rate = demand_charge_per_kw_month(run)
    demand_by_month = K.monthly_demand(grid, rate, run.tz, billing(run))["demand_cost"]
    cfe = _carbon_free(run)
    price = run.hourly["price_per_kwh"]
    export = run.hourly["export_kw"] if "export_kw" in run.hourly else None
    export_price = export_price_per_kwh(run)
    sold = (export * export_price if export is not None and export_price is not None
            else pd.Series(0.0, index=idx))
    battery = battery_kw(run)
    wear = (battery[1] * battery_wear_per_kwh(run) if battery is not None
            else pd.Series(0.0, index=idx))
    heat = heat_revenue_kw(run)
    heat = pd.Series(0.0, index=idx) if heat is None else heat
    rows = {}
    for key in pd.unique(keys):
        mask = np.asarray(keys == key)
        fac = facility[mask]
        it_kwh = float(it[mask].sum())
        carbon = K.carbon_kpis(
            fac,
            run.hourly["carbon_g_per_kwh"][mask],
            it_kwh,
            market.renewable_share,
            market.residual_mix_g_per_kwh,
            None if cfe is None else cfe[mask],
            grid_kw=grid[mask] if assets else None,
        )
        revenue = float(sold[mask].sum())
        wear_cost = float(wear[mask].sum())
        heat_revenue = float(heat[mask].sum())
        energy_cost = float((grid[mask] * price[mask]).sum()) - revenue
        demand = float(demand_by_month[key]) if kind == "month" else np.nan
        rows[key] = {
            "hours": int(mask.sum()),
            "it_mwh": it_kwh / 1000.0,
            "facility_mwh": float(fac.sum()) / 1000.0,
            "grid_mwh": float(grid[mask].sum()) / 1000.0,
            "pue": float(fac.sum()) / it_kwh if it_kwh else np.nan,
            "carbon_location_t": carbon["carbon_location_t"],
            "carbon_market_t": carbon["carbon_market_t"],
            "export_revenue": revenue,
            "wear_cost": wear_cost,
            "heat_revenue": heat_revenue,
            "energy_cost": energy_cost,
            "demand_cost": demand,
            "total_cost": energy_cost + demand + wear_cost - heat_revenue,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = kind
    return out


def job_load_kw(run: Run) -> pd.DataFrame:
    """Deferrable-job compute load per hour under each schedule [kW].

    Columns: the run's schedule (``"MILP"`` or ``"ASAP"``), and ``"ASAP"`` /
    ``"greedy"`` where the run holds those baselines.
    """
    h = run.hourly
    out = pd.DataFrame(index=h.index)
    out[run.schedule_name] = sum(h[f"{p}.job_compute_kw"] for p in run.pods)
    for name in ("asap", "greedy"):
        col = f"{name}.job_compute_kw"
        if col in h:
            out["ASAP" if name == "asap" else "greedy"] = h[col]
    return out


def facility_kw_by_schedule(run: Run) -> pd.DataFrame:
    """Facility power per hour under each schedule [kW] (same columns as job_load_kw)."""
    h = run.hourly
    out = pd.DataFrame(index=h.index)
    out[run.schedule_name] = h["site.facility_kw"]
    for name in ("asap", "greedy"):
        col = f"{name}.facility_kw"
        if col in h:
            out["ASAP" if name == "asap" else "greedy"] = h[col]
    return out


def job_energy_by_band(run: Run) -> pd.DataFrame | None:
    """Job energy in each time-of-use band per schedule [MWh]; None without TOU bands."""
    if "tariff_band" not in run.hourly:
        return None
    load = job_load_kw(run)
    bands = run.hourly["tariff_band"].astype(str)
    return (load.groupby(bands.to_numpy()).sum() / 1000.0).rename_axis("band")


def weighted_signal(load_kw: pd.DataFrame, signal: pd.Series) -> pd.Series:
    """Load-weighted mean of an hourly signal per column (e.g. price paid per job kWh)."""
    weights = load_kw.sum()
    values = load_kw.mul(signal.to_numpy(), axis=0).sum()
    return (values / weights.replace(0.0, np.nan)).astype(float)


def heat_reused_kwh(run: Run) -> float | None:
    """Heat exported for reuse over the run [kWh] (ERF x facility energy); None if unset."""
    erf = run.kpis.get("erf")
    if erf is None:
        return None
    return float(erf) * float(run.kpis["facility_energy_mwh"]) * 1000.0


def mean_inlet_c(run: Run, pods: Sequence[str] | None = None) -> dict[str, float]:
    """Mean server inlet temperature of each hall over the run [°C]."""
    out = {}
    for pod in pods or run.pods:
        col = f"{pod}.inlet_c"
        if col in run.hourly:
            out[pod] = float(run.hourly[col].mean())
    return out

"""Charts (matplotlib, no pyplot state): each function returns a Figure for one run or
for several; :func:`render` turns a :class:`reports.document.Figure` into PNG bytes that
the PDF and the HTML share."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reports import data as D
from reports import fonts
from reports import formatting as F

COMPONENT_COLORS = {
    "Compute": "#1f4e79",
    "Server fans": "#5b9bd5",
    "UPS losses": "#7f7f7f",
    "Distribution losses": "#a5a5a5",
    "Lighting and misc.": "#c9c9c9",
    "Air handler fans": "#548235",
    "Pumps": "#a9d18e",
    "Chillers": "#ed7d31",
    "Heat rejection fans": "#ffc000",
}
SCHEDULE_STYLE = {
    "ASAP": {"color": "#7f7f7f", "linestyle": "-", "linewidth": 1.2},
    "MILP": {"color": "#1f77b4", "linestyle": "-", "linewidth": 1.4},
    "greedy": {"color": "#ff7f0e", "linestyle": "--", "linewidth": 1.1},
}
BAND_SHADE = {"P": "#d62728", "S": "#8c0000", "V": "#2ca02c", "D": "#0b5d1e"}
TECH_COLORS = {"air": "#5b9bd5", "cold_plate": "#ed7d31", "immersion": "#70ad47",
               "spray": "#9e480e", "two_phase_immersion": "#264478"}
REFERENCE_COLORS = ("#d62728", "#9467bd", "#8c564b", "#7f7f7f", "#17becf")
#: Longest run drawn hour by hour; longer runs are drawn as daily means [days].
HOURLY_MAX_DAYS = 45
RC = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def render(figure_block, fmt: str = "png", dpi: int = 200) -> bytes:
    """Draw a report figure as ``"png"`` (default) or ``"svg"`` bytes; drawn once per
    format and kept on the block."""
    key = (fmt, dpi)
    if key not in figure_block.rendered:
        figure_block.rendered[key] = _draw(figure_block, fmt, dpi)
    return figure_block.rendered[key]


def _draw(figure_block, fmt: str, dpi: int) -> bytes:
    rc = dict(RC, **{"font.family": list(fonts.matplotlib_families())})
    with matplotlib.rc_context(rc):
        fig = figure_block.draw()
        fig.set_size_inches(figure_block.width_in, figure_block.height_in)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    return buf.getvalue()


def _local(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return index.tz_localize(None)


def _time_axis(ax, run: D.Run) -> None:
    locator = matplotlib.dates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.set_xlabel(f"local time ({run.tz})")


def _daily_if_long(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    days = len(frame) / 24
    if days <= HOURLY_MAX_DAYS:
        return frame, "hourly"
    return frame.resample("D").mean(), "daily mean"


def energy_stack(run: D.Run) -> Figure:
    """Site power by component, stacked; below, the overhead components alone [kW]."""
    comp, step = _daily_if_long(D.component_kw(run))
    x = _local(comp.index)
    fig = Figure()
    axes = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    colors = [COMPONENT_COLORS[c] for c in comp.columns]
    axes[0].stackplot(x, comp.T.to_numpy(), labels=list(comp.columns), colors=colors, linewidth=0)
    axes[0].set_ylabel(f"facility power [kW] ({step})")
    axes[0].set_ylim(bottom=0)
    overhead = comp.drop(columns=["Compute", "Server fans"])
    axes[1].stackplot(x, overhead.T.to_numpy(), colors=colors[2:], linewidth=0)
    axes[1].set_ylabel("overhead only [kW]")
    axes[1].set_ylim(bottom=0)
    _time_axis(axes[1], run)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.align_ylabels(axes)
    return fig


def period_panels(run: D.Run, periods: pd.DataFrame) -> Figure:
    """PUE, Scope 2 carbon (location vs market) and cost by month or day."""
    kind = periods.index.name
    months = sorted({p[:7] for p in periods.index})
    if kind == "day" and len(months) == 1:
        labels, xlabel = [p[8:] for p in periods.index], f"day of {months[0]}"
    elif kind == "day":
        labels, xlabel = [p[5:] for p in periods.index], "day (month-day)"
    else:
        labels, xlabel = list(periods.index), "month"
    x = np.arange(len(labels))
    crowded = len(labels) > 8
    fig = Figure()
    axes = fig.subplots(1, 3)
    ax = axes[0]
    ax.bar(x, periods["pue"], color="#1f4e79", width=0.7)
    low = float(periods["pue"].min())
    ax.set_ylim(max(1.0, low - 0.05), float(periods["pue"].max()) + 0.03)
    ax.set_title(f"PUE by {kind}")
    ax = axes[1]
    ax.bar(x - 0.2, periods["carbon_location_t"], width=0.4, label="location-based", color="#595959")
    ax.bar(x + 0.2, periods["carbon_market_t"], width=0.4, label="market-based", color="#70ad47")
    ax.set_title(f"Scope 2 [tCO2] by {kind}")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    ax = axes[2]
    ax.bar(x, periods["energy_cost"], width=0.7, label="energy", color="#ed7d31")
    if kind == "month":
        ax.bar(x, periods["demand_cost"], width=0.7, bottom=periods["energy_cost"],
               label="demand", color="#ffc000")
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    ax.set_title(f"{'Cost' if kind == 'month' else 'Energy cost'} [{run.currency}] by {kind}")
    for ax in axes:
        ax.set_xticks(x, labels, rotation=90 if crowded else 0)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", visible=False)
    fig.subplots_adjust(wspace=0.35)
    return fig


def _shade_bands(ax, run: D.Run, x) -> bool:
    if "tariff_band" not in run.hourly:
        return False
    bands = run.hourly["tariff_band"].astype(str).to_numpy()
    days = matplotlib.dates.date2num(x)
    hour = 1.0 / 24.0
    for band, color in BAND_SHADE.items():
        mask = bands == band
        if not mask.any():
            continue
        starts = np.flatnonzero(mask & ~np.r_[False, mask[:-1]])
        ends = np.flatnonzero(mask & ~np.r_[mask[1:], False])
        spans = [(days[s], days[e] - days[s] + hour) for s, e in zip(starts, ends, strict=True)]
        # one artist per band, full axis height
        ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), facecolors=color,
                       alpha=0.09, linewidth=0)
    return True


def load_profile(run: D.Run) -> Figure:
    """Deferrable-job load before (ASAP) and after (the run's schedule), and facility
    power with the price signal."""
    jobs = D.job_load_kw(run)
    facility = D.facility_kw_by_schedule(run)
    x = _local(jobs.index)
    fig = Figure()
    axes = fig.subplots(2, 1, sharex=True)
    order = [c for c in ("ASAP", "greedy", "MILP") if c in jobs]
    for name in order:
        label = f"{name} (this run)" if name == run.schedule_name else name
        axes[0].step(x, jobs[name], where="post", label=label, **SCHEDULE_STYLE[name])
        axes[1].step(x, facility[name], where="post", label=label, **SCHEDULE_STYLE[name])
    shaded = _shade_bands(axes[0], run, x)
    axes[0].set_ylabel("job compute [kW]")
    axes[0].set_ylim(bottom=0)
    handles, labels = axes[0].get_legend_handles_labels()
    if shaded:
        from matplotlib.patches import Patch

        present = set(run.hourly["tariff_band"].astype(str))
        from scenarios.tariffs import BAND_NAMES

        for band, color in BAND_SHADE.items():
            if band in present:
                handles.append(Patch(color=color, alpha=0.25))
                labels.append(f"{BAND_NAMES[band]} hours")
    axes[0].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes[1].set_ylabel("facility [kW]")
    twin = axes[1].twinx()
    twin.step(x, run.hourly["price_per_kwh"].to_numpy(), where="post", color="#2ca02c",
              linewidth=0.8, alpha=0.8)
    twin.set_ylabel(f"price [{run.currency}/kWh]", color="#2ca02c")
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    _time_axis(axes[1], run)
    return fig


#: Supply and its other uses in the supply chart (above and below zero).
SUPPLY_COLORS = {"Grid import": "#7f7f7f", "PV": "#ffc000", "Wind": "#5b9bd5",
                 "Battery discharge": "#70ad47", "Battery charging": "#a9d18e",
                 "Export": "#ed7d31", "Curtailed": "#d9d9d9"}  # fmt: skip


def _schedule_series(run: D.Run, column: str) -> dict[str, pd.Series]:
    """A per-schedule hourly column: the run's (``column``) and each baseline's
    (``asap.column``), by display name."""
    h = run.hourly
    out = {}
    if column in h:
        out[run.schedule_name] = h[column]
    for name in ("asap", "greedy"):
        if f"{name}.{column}" in h:
            out["ASAP" if name == "asap" else name] = h[f"{name}.{column}"]
    return out


def state_of_charge(run: D.Run) -> Figure:
    """The battery's [kWh] and the cold tank's [kWh_th] stored energy at the end of each
    hour, by schedule, with the store's capacity."""
    stores = [(col, label, cap) for col, label, cap in (
        ("battery_soc_kwh", "battery [kWh]", _capacity(run, "battery")),
        ("cold_soc_kwh_th", "cold tank [kWh_th]", _capacity(run, "cold")),
    ) if col in run.hourly]  # fmt: skip
    fig = Figure()
    axes = np.atleast_1d(fig.subplots(len(stores), 1, sharex=True, squeeze=False)[:, 0])
    step = "hourly"
    for ax, (column, label, capacity) in zip(axes, stores, strict=True):
        series = pd.DataFrame(_schedule_series(run, column))
        series, step = _daily_if_long(series)
        # a state at the end of each hour (constant power within it: straight in between);
        # daily means at the middle of their day
        x = _local(series.index) + (pd.Timedelta(hours=1) if step == "hourly"
                                    else pd.Timedelta(hours=12))
        order = [c for c in ("ASAP", "greedy", "MILP") if c in series]
        for name in order:
            shown = f"{name} (this run)" if name == run.schedule_name else name
            ax.plot(x, series[name], label=shown, **SCHEDULE_STYLE[name])
        if capacity:
            ax.axhline(capacity, color="#404040", linestyle=":", linewidth=1.0,
                       label="capacity")
        if step == "hourly":  # daily means would be striped by every day's bands
            _shade_bands(ax, run, _local(run.hourly.index))
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.set_title(f"Stored energy, {label.split(' [')[0]} ({step})", loc="left")
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _time_axis(axes[-1], run)
    fig.align_ylabels(axes)
    return fig


def _capacity(run: D.Run, store: str) -> float | None:
    """A store's usable capacity from the scenario [kWh or kWh_th]."""
    storage = run.scenario.storage
    if storage is None:
        return None
    if store == "battery" and storage.battery is not None:
        return float(storage.battery.energy_kwh)
    if store == "cold" and storage.cold is not None:
        return float(storage.cold.capacity_kwh_th)
    return None


def supply_frames(run: D.Run) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(supply, other uses) of the run's schedule per hour [kW]: grid import, PV, wind,
    battery discharge; battery charging, export, curtailed (columns only for what the
    site has). Supply = facility power + other uses, every hour."""
    h = run.hourly
    supply = pd.DataFrame({"Grid import": D.grid_kw(run)})
    uses = pd.DataFrame(index=h.index)
    for column, name in (("pv_kw", "PV"), ("wind_kw", "Wind")):
        if column in h:
            supply[name] = h[column]
    battery = D.battery_kw(run)
    if battery is not None:
        supply["Battery discharge"] = battery[1]
        uses["Battery charging"] = battery[0]
    for column, name in (("export_kw", "Export"), ("curtailed_kw", "Curtailed")):
        if column in h:
            uses[name] = h[column]
    return supply, uses


def supply_stack(run: D.Run) -> Figure:
    """Supply stacked above zero, its uses besides the facility stacked below zero, and
    the facility's power as a line [kW]."""
    supply, uses = supply_frames(run)
    uses = uses.loc[:, (uses != 0).any()]  # no legend entry for a flow that never happens
    facility = D.site(run, "facility_kw").rename("Facility")
    frame, step = _daily_if_long(pd.concat([supply, uses, facility], axis=1))
    supply, uses, facility = frame[supply.columns], frame[uses.columns], frame["Facility"]
    x = _local(frame.index)
    fig = Figure()
    ax = fig.subplots()
    ax.stackplot(x, supply.T.to_numpy(), labels=list(supply.columns),
                 colors=[SUPPLY_COLORS[c] for c in supply.columns], linewidth=0)
    if len(uses.columns):
        ax.stackplot(x, -uses.T.to_numpy(), labels=list(uses.columns),
                     colors=[SUPPLY_COLORS[c] for c in uses.columns], linewidth=0)
    ax.plot(x, facility.to_numpy(), color="#1f1f1f", linewidth=1.0, label="Facility power")
    ax.axhline(0.0, color="#404040", linewidth=0.6)
    ax.set_ylabel(f"power [kW] ({step})\n+ supply, − other uses")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _time_axis(ax, run)
    return fig


def _bars(values) -> list[float]:
    """Bar heights: a missing value (an idle hall has no PUE) is no bar."""
    return [float("nan") if v is None else float(v) for v in values]


def targets_chart(run: D.Run, references: list[dict] | None = None) -> Figure:
    """Site and hall PUE against the scenario's target and ``references`` (kpis.json's
    policy references that apply to the site, :func:`reports.rules.applicable_references`;
    default: all of them)."""
    names = ["Site", *run.pods]
    values = [run.kpis["pue"]] + [run.doc["pods"][p]["pue"] for p in run.pods]
    fig = Figure()
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    colors = ["#1f4e79"] + [TECH_COLORS[p.cooling] for p in run.scenario.pods]
    bars = ax.barh(y, _bars(values), color=colors, height=0.6)
    ax.bar_label(bars, labels=[F.kpi_text("pue", v) for v in values], padding=3, fontsize=7.5)
    if references is None:
        references = run.doc["targets"]["references"]
    refs = [(r["label"], r["pue"]) for r in references]
    target = run.kpis.get("pue_target")
    if target is not None:
        refs.insert(0, (f"Scenario target: {run.kpis.get('pue_target_label') or ''}", target))
    for i, (name, value) in enumerate(refs):
        ax.axvline(value, color=REFERENCE_COLORS[i % len(REFERENCE_COLORS)],
                   linestyle="--" if i else "-", linewidth=1.1, label=f"{value:.2f}  {name}")
    ax.set_yticks(y, names)
    high = np.nanmax([*_bars(values), *(v for _, v in refs)])
    ax.set_xlim(1.0, high + 0.08)
    ax.set_xlabel("PUE [-]")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    return fig


def pods_chart(run: D.Run) -> Figure:
    """PUE and TUE, and WUE, per hall."""
    pods = run.pods
    x = np.arange(len(pods))
    fig = Figure()
    axes = fig.subplots(1, 2, width_ratios=[2, 1])
    def values(key: str) -> list:
        return [run.doc["pods"][p].get(key) for p in pods]

    for offset, key, color in ((-0.2, "pue", "#1f4e79"), (0.2, "tue", "#5b9bd5")):
        bars = axes[0].bar(x + offset, _bars(values(key)), width=0.4, label=F.label(key), color=color)
        axes[0].bar_label(bars, labels=[F.kpi_text(key, v) for v in values(key)], fontsize=7, padding=2)
    top = np.nanmax([*_bars(values("tue")), 1.1])
    axes[0].set_ylim(1.0, top + 0.08)
    axes[0].legend(frameon=False, loc="upper right")
    axes[0].set_title("PUE and TUE by hall [-]")
    wue = values("wue_l_per_kwh")
    bars = axes[1].bar(x, _bars(wue), color=[TECH_COLORS[p.cooling] for p in run.scenario.pods],
                       width=0.6)
    axes[1].bar_label(bars, labels=[F.kpi_text("wue_l_per_kwh", v) for v in wue], fontsize=7, padding=2)
    axes[1].set_title("WUE by hall [L/kWh]")
    axes[1].set_ylim(0, max(np.nanmax([*_bars(wue), 0.0]) * 1.2, 0.1))
    for ax in axes:
        ax.set_xticks(x, pods, rotation=20, ha="right")
        ax.grid(axis="x", visible=False)
    fig.subplots_adjust(wspace=0.3)
    return fig


def compare_pue(runs: list[D.Run]) -> Figure:
    """PUE and TUE of each run, and the overhead per IT kWh by component (PUE - 1)."""
    labels = [r.label for r in runs]
    x = np.arange(len(runs))
    fig = Figure()
    axes = fig.subplots(1, 2)
    for offset, key, color in ((-0.2, "pue", "#1f4e79"), (0.2, "tue", "#5b9bd5")):
        vals = [r.kpis[key] for r in runs]
        bars = axes[0].bar(x + offset, vals, width=0.4, label=F.label(key), color=color)
        axes[0].bar_label(bars, labels=[F.kpi_text(key, v) for v in vals], fontsize=7, padding=2)
    axes[0].set_ylim(1.0, max(r.kpis["tue"] for r in runs) + 0.08)
    axes[0].legend(frameon=False)
    axes[0].set_title("PUE and TUE [-]")
    bottom = np.zeros(len(runs))
    for name, color in COMPONENT_COLORS.items():
        if name in ("Compute", "Server fans"):
            continue
        vals = np.array([
            D.component_energy_mwh(r)[name] / r.kpis["it_energy_mwh"] for r in runs
        ])
        axes[1].bar(x, vals, bottom=bottom, color=color, label=name, width=0.6)
        bottom += vals
    axes[1].set_title("Overhead per IT kWh by component (= PUE - 1)")
    axes[1].legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for ax in axes:
        ax.set_xticks(x, labels, rotation=20 if len(runs) > 2 else 0, ha="right" if len(runs) > 2 else "center")
        ax.grid(axis="x", visible=False)
    fig.subplots_adjust(wspace=0.3)
    return fig


def compare_technologies(runs: list[D.Run]) -> Figure:
    """Hall PUE by cooling technology in each run (air vs cold plate vs immersion)."""
    techs = [t for t in TECH_COLORS
             if any(p.cooling == t for r in runs for p in r.scenario.pods)]
    x = np.arange(len(runs))
    width = 0.8 / max(len(techs), 1)
    fig = Figure()
    ax = fig.subplots()
    for i, tech in enumerate(techs):
        vals = []
        for r in runs:
            pods = [p.name for p in r.scenario.pods if p.cooling == tech]
            it = sum(r.doc["pods"][p]["it_mwh"] for p in pods)
            fac = sum(r.doc["pods"][p]["facility_mwh"] for p in pods)
            vals.append(fac / it if it else np.nan)
        bars = ax.bar(x + (i - (len(techs) - 1) / 2) * width, vals, width=width,
                      color=TECH_COLORS[tech], label=tech.replace("_", " "))
        ax.bar_label(bars, labels=[F.kpi_text("pue", v) if np.isfinite(v) else "" for v in vals],
                     fontsize=7, padding=2)
    ax.set_xticks(x, [r.label for r in runs])
    ax.set_ylim(1.0, ax.get_ylim()[1] + 0.05)
    ax.set_ylabel("hall PUE [-]")
    ax.legend(frameon=False, ncol=len(techs), loc="upper center", bbox_to_anchor=(0.5, -0.12))
    ax.grid(axis="x", visible=False)
    return fig

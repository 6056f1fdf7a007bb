"""Charts of a fleet report (matplotlib, no pyplot state): each site's PUE against its
target, where the work went (home -> site), and the saving by lever. Drawn through
:func:`reports.charts.render` like every report chart. Labels are the fleet's site names
(letters, digits, ``_ . -``: no mathtext)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reports import formatting as F
from reports.fleet_data import LEVERS, FleetRun, flow_matrix

FLEET_COLOR = "#1f4e79"
SITE_COLOR = "#5b9bd5"
TARGET_COLOR = "#d62728"
#: One colour per home site (cycled).
HOME_COLORS = ("#1f4e79", "#ed7d31", "#70ad47", "#7030a0", "#ffc000", "#5b9bd5", "#a5a5a5",
               "#9e480e")
SAVING_COLORS = {True: "#2e7d32", False: "#c62828"}  # a saving, a loss


def _bars(values) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


def _tick(value: float, _pos=None) -> str:
    """An axis tick with thousands separators (``12,000``; small values as written)."""
    return f"{value:,.0f}" if abs(value) >= 10 or value == 0 else f"{value:.3g}"


def site_pue_chart(fleet: FleetRun) -> Figure:
    """Each site's PUE (and the fleet's) as bars; each site's own target as a red mark."""
    names = [*fleet.names, "Fleet"]
    values = [fleet.site_kpis(n).get("pue") for n in fleet.names] + [fleet.kpis["pue"]]
    targets = [fleet.site_kpis(n).get("pue_target") for n in fleet.names] + [None]
    fig = Figure()
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    colors = [SITE_COLOR] * len(fleet.names) + [FLEET_COLOR]
    bars = ax.barh(y, _bars(values), color=colors, height=0.6)
    ax.bar_label(bars, labels=[F.kpi_text("pue", v) for v in values], padding=3, fontsize=7.5)
    marked = False
    for yi, target in zip(y, targets, strict=True):
        if target is None:
            continue
        ax.plot([target, target], [yi - 0.42, yi + 0.42], color=TARGET_COLOR, linewidth=2.2,
                label=None if marked else "the site's own PUE target")
        marked = True
    ax.set_yticks(y, names)
    high = np.nanmax([*_bars(values), *(t for t in targets if t is not None)])
    ax.set_xlim(1.0, high + 0.06)
    ax.set_xlabel("PUE [-] (facility energy / IT energy over the run)")
    ax.grid(axis="y", visible=False)
    if marked:
        ax.legend(loc="lower right", frameon=False)
    return fig


def flows_chart(fleet: FleetRun) -> Figure:
    """Left: home (rows) x site run at (columns), each cell's jobs, compute and data;
    right: the compute each site ran, stacked by the jobs' home [MWh]."""
    compute = flow_matrix(fleet, "compute_mwh")
    jobs = flow_matrix(fleet, "jobs")
    data = flow_matrix(fleet, "data_tb")
    homes = [h for h in fleet.names if jobs.loc[h].sum() > 0] or fleet.names
    compute, jobs, data = compute.loc[homes], jobs.loc[homes], data.loc[homes]
    fig = Figure()
    axes = fig.subplots(1, 2, width_ratios=[1.35, 1])
    ax = axes[0]
    shown = compute.to_numpy()
    ax.imshow(shown, cmap="Blues", aspect="auto", vmin=0, vmax=max(shown.max(), 1e-9) * 1.25)
    for i, home in enumerate(homes):
        for j, site in enumerate(fleet.names):
            n = int(jobs.loc[home, site])
            if not n:
                ax.text(j, i, "–", ha="center", va="center", fontsize=7, color="#7f7f7f")
                continue
            text = f"{n} job{'s' if n != 1 else ''}\n{compute.loc[home, site]:,.1f} MWh"
            text += "\nat home" if home == site else f"\n{data.loc[home, site]:,.1f} TB"
            ax.text(j, i, text, ha="center", va="center", fontsize=6.5)
    ax.set_xticks(range(len(fleet.names)), fleet.names, rotation=20, ha="right")
    ax.set_yticks(range(len(homes)), homes)
    ax.set_xlabel("site the work ran at")
    ax.set_ylabel("jobs' home site")
    ax.set_title("Where the work went (home -> site)")
    ax.grid(False)
    ax = axes[1]
    y = np.arange(len(fleet.names))[::-1]
    left = np.zeros(len(fleet.names))
    for k, home in enumerate(homes):
        values = compute.loc[home, fleet.names].to_numpy()
        ax.barh(y, values, left=left, height=0.6, color=HOME_COLORS[k % len(HOME_COLORS)],
                label=f"from {home}")
        left += values
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, f" {total:,.1f}", va="center", fontsize=7)
    ax.set_yticks(y, fleet.names)
    ax.set_xlim(0, max(left.max(), 1e-9) * 1.25)
    ax.set_xlabel("job compute run at the site [MWh]")
    ax.set_title("Compute each site ran, by home")
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=min(len(homes), 3))
    fig.subplots_adjust(wspace=0.45)
    return fig


def levers_chart(fleet: FleetRun) -> Figure:
    """The cost and CO2 saving against ASAP at home by lever (negative: a loss)."""
    k = fleet.kpis
    names = [short for _, short, _ in LEVERS]
    cost = [k.get(f"cost_saving_vs_asap_{lever}") for lever, _, _ in LEVERS]
    carbon = [None if lever == "peak" else k.get(f"carbon_saving_vs_asap_{lever}_t")
              for lever, _, _ in LEVERS]
    panels = ((cost, f"Cost saving by lever [{fleet.currency or 'currency'}]",
               "cost_saving_vs_asap"),
              (carbon, "CO2 saving by lever [tCO2]", "carbon_saving_vs_asap_t"))
    fig = Figure()
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))[::-1]
    for ax, (values, title, key) in zip(axes, panels, strict=True):
        heights = _bars(values)
        colors = [SAVING_COLORS[not (h < 0)] for h in heights]
        bars = ax.barh(y, heights, color=colors, height=0.6)
        ax.bar_label(bars, labels=["n/a" if v is None else F.kpi_text(key, v) for v in values],
                     padding=3, fontsize=7)
        ax.axvline(0, color="#444444", linewidth=0.8)
        low = np.nanmin([0.0, *heights])
        high = np.nanmax([0.0, *heights])
        span = max(high - low, 1e-9)
        ax.set_xlim(low - 0.2 * span * (low < 0), high + 0.3 * span)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
    axes[0].set_yticks(y, names)
    fig.subplots_adjust(wspace=0.15)
    return fig

"""The scheduling effect: load before (ASAP) and after, savings, deadlines, solver."""

from __future__ import annotations

from reports import charts
from reports import data as D
from reports import document as doc
from reports import formatting as F
from reports.summary import missing_reason, plan_text
from scenarios import kpis as K
from scenarios.tariffs import BAND_NAMES

#: Baseline keys of kpis.json in the order the comparison table shows them.
COMPARED_KEYS = ("facility_energy_mwh", "it_energy_mwh", "compute_energy_mwh", "peak_facility_kw",
                 "pue", "ppue_cooling", "itue", "tue", "wue_l_per_kwh", "water_m3",
                 "free_cooling_h", "carbon_location_t", "carbon_market_t", "cue_kg_per_kwh",
                 "ref", "erf", "cfe_score", "energy_cost", "demand_cost", "total_cost")


def schedules_table(run: D.Run) -> doc.Table:
    """The run's schedule next to each baseline, every KPI kpis.json holds for them."""
    baselines = run.doc.get("baselines", {})
    cols = {f"{run.schedule_name} (this run)": run.kpis}
    for name, values in baselines.items():
        cols["ASAP" if name == "asap" else name] = values
    # with assets, their indicators have their own table (reports.assets)
    skip = {*COMPARED_KEYS, "feasible", *(K.ASSET_KPIS if D.has_assets(run) else ())}
    keys = list(COMPARED_KEYS) + sorted({k for v in baselines.values() for k in v if k not in skip})
    rows = [[doc.text(F.label(k)), doc.text(F.kpi_unit(k, run.currency))]
            + [doc.kpi(k, v.get(k)) for v in cols.values()] for k in keys]
    rows.append([doc.text(F.label("feasible")), doc.text("")]
                + [doc.kpi("feasible", v.get("feasible", True)) for v in cols.values()])
    # the PDF leaves out indicators no schedule has (n/a in every column)
    shown = tuple(i for i, row in enumerate(rows) if any(c.value is not None for c in row[2:]))
    return doc.Table(
        "schedules", "Schedules re-simulated on the same weather, prices and carbon",
        [doc.Column("Indicator", width=2.0), doc.Column("Unit", width=0.7)]
        + [doc.Column(c, width=1.2, numeric=True) for c in cols],
        rows, pdf_rows=shown,
        note="A schedule is feasible when every job's work is done inside its window and no "
             "hall or cooling capacity is exceeded."
             + (" Indicators no schedule has are left out of the PDF (they are in the HTML "
                "and XLSX reports)." if len(shown) < len(rows) else ""),
    )


def effect_table(run: D.Run) -> doc.Table:
    k, cur = run.kpis, run.currency
    shifted = k.get("shifted_energy_share")
    shifted_mwh = None if shifted is None else shifted * k.get("job_energy_mwh", 0.0)
    # with assets, the saving splits first into the jobs' part and the assets' operation
    parts = K.PARTS if D.bills_grid_import(run) else ()
    keys = ["jobs", "job_energy_mwh", "shifted_energy_share", "deadlines_met_share",
            "cost_saving_vs_asap", "cost_saving_vs_asap_pct",
            *(f"cost_saving_vs_asap_{part}" for part in parts),
            *(f"cost_saving_vs_asap_{lever}" for lever in K.LEVERS),
            "carbon_saving_vs_asap_t", "carbon_saving_vs_asap_pct",
            *(f"carbon_saving_vs_asap_{part}_t" for part in parts),
            *(f"carbon_saving_vs_asap_{lever}_t" for lever in K.LEVERS if lever != "peak"),
            "cost_saving_vs_greedy", "cost_saving_vs_greedy_pct",
            "carbon_saving_vs_greedy_t", "carbon_saving_vs_greedy_pct"]
    rows = []
    for key in keys:
        value = k.get(key)
        note = missing_reason(run, key) if value is None else ""
        rows.append([doc.text(F.label(key)), doc.kpi(key, value),
                     doc.text(F.kpi_unit(key, cur)), doc.text(note)])
        if key == "shifted_energy_share":
            rows.append([doc.text("Shifted job energy"), doc.num(shifted_mwh, 2), doc.text("MWh"),
                         doc.text("shifted share x job energy")])
    load = D.job_load_kw(run)
    price = D.weighted_signal(load, run.hourly["price_per_kwh"])
    carbon = D.weighted_signal(load, run.hourly["carbon_g_per_kwh"])
    for name in load.columns:
        rows.append([doc.text(f"Mean price of job hours, {name}"), doc.num(price[name], 4),
                     doc.text(f"{cur}/kWh"), doc.text("job-energy-weighted")])
        rows.append([doc.text(f"Mean grid intensity of job hours, {name}"), doc.num(carbon[name], 1),
                     doc.text("g/kWh"), doc.text("job-energy-weighted")])
    return doc.Table(
        "scheduling", "Effect of the schedule",
        [doc.Column("Indicator", width=2.2), doc.Column("Value", width=0.9, numeric=True),
         doc.Column("Unit", width=0.8), doc.Column("Note", width=2.6)],
        rows)


def band_table(run: D.Run) -> doc.Table | None:
    bands = D.job_energy_by_band(run)
    if bands is None:
        return None
    order = [b for b in ("S", "P", "F", "V", "D") if b in bands.index]
    rows = [[doc.text(f"{BAND_NAMES.get(b, b)} ({b})")] + [doc.num(bands.loc[b, c], 2) for c in bands.columns]
            for b in order]
    return doc.Table(
        "tou_bands", "Job energy by time-of-use band",
        [doc.Column("Band", width=1.4)] + [doc.Column(c, "MWh", 1.0, True) for c in bands.columns],
        rows, note="Where each schedule runs the deferrable jobs' compute energy.")


def scheduling_section(run: D.Run) -> doc.Section:
    if run.optimized:
        intro = ("Deferrable training jobs were scheduled by the MILP on the same weather, prices "
                 "and carbon as the ASAP baseline (every job starts as soon as released) and a "
                 "greedy rule (cheapest / lowest-carbon hours first); each schedule was then "
                 "re-simulated by the facility model. Before = ASAP, after = the MILP. "
                 + plan_text(run) + " The solver's technical status is in the run's data "
                 "section.")
    else:
        intro = ("This run was not optimized (--no-optimize): its schedule is the ASAP baseline, "
                 "so 'before' and 'after' are the same and the savings against ASAP are zero. The "
                 "greedy rule is shown for reference. Run without --no-optimize to see the MILP's effect.")
    blocks: list = [doc.Paragraph(intro),
                    doc.Figure("load_profile", "Load profile before and after",
                               "Top: deferrable-job compute load by schedule, time-of-use bands "
                               "shaded where the tariff has them. Bottom: facility power by "
                               "schedule and the hourly price.",
                               lambda: charts.load_profile(run), height_in=4.0),
                    effect_table(run)]
    bands = band_table(run)
    if bands is not None:
        blocks.append(bands)
    blocks.append(schedules_table(run))
    return doc.Section("Scheduling effect", blocks, new_page=False, anchor="scheduling")

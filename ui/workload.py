"""Workload and schedule page: the horizon and the training jobs (generator or CSV), a run
of the scheduler with its progress, and what it found: solver status and gap, jobs by
pod, load against capacity with price and carbon, savings against ASAP and greedy, and
the cost-carbon Pareto curve."""

from __future__ import annotations

import copy
import datetime as dt
import time

import numpy as np
import streamlit as st

from scenarios import explore
from ui import caching, charts, state, uploads
from ui.errors import noted_errors, shown_errors
from ui.tables import fmt, formatted

NOTES = "workload_notes"
RESULT = "workload_run"
STAGES = {
    "inputs": "Reading weather, carbon and price",
    "thermal baseline": "Simulating the halls and linearising their cooling",
    "schedule": "Scheduling the jobs and the ASAP and greedy baselines",
    "validation": "Checking every schedule independently",
    "re-simulation": "Re-simulating the facility for each schedule",
}
GENERATOR_DEFAULTS = {
    "seed": 0,
    "count": 40,
    "duration_h": [4, 24],
    "power_kw": [100.0, 400.0],
    "slack_h": [12, 72],
    "preemptible_share": 0.5,
    "max_interruptions": 3,
    "restart_overhead_h": 0.0,
}


def _notes() -> list:
    return st.session_state.setdefault(NOTES, [])


def _key(name: str) -> str:
    return f"wl_{name}_{state.version()}"


def _widget(fn, label: str, name: str, default, **kw):
    """A widget whose first value comes from the scenario (keys reset with the scenario)."""
    key = _key(name)
    if key not in st.session_state:
        st.session_state[key] = default
    return fn(label, key=key, **kw)


def _on_jobs_upload() -> None:
    f = st.session_state.get(_key("jobs_file"))
    if f is None:
        return
    with noted_errors("use the jobs file", _notes()):
        data = f.getvalue()
        uploads.check_upload(f.name, data, "jobs")
        path = uploads.save_upload(f.name, data, state.session_dir())
        raw = state.scenario_data()
        raw["workload"] = {"jobs": str(path)}
        scenario = state.current_scenario(raw)
        jobs = caching.jobs_preview(caching.scenario_key(scenario))
        state.update_scenario(raw)
        _notes().append(("success", f"{len(jobs)} jobs read from **{uploads.safe_name(f.name)}**."))


def _horizon(raw: dict) -> None:
    horizon = raw.setdefault("horizon", {})
    start = horizon.get("start")
    if isinstance(start, str):
        start = dt.datetime.fromisoformat(start)
    left, right = st.columns(2)
    with left:
        day = _widget(st.date_input, "Horizon start (site local time)", "start", start.date())
    with right:
        hours = _widget(
            st.number_input,
            "Horizon [h]",
            "hours",
            int(horizon.get("hours", 168)),
            min_value=24,
            max_value=8784,
            step=24,
            help="Short horizons solve in seconds; longer ones are solved "
            "rolling, a week at a time.",
        )
    horizon["start"] = start.replace(year=day.year, month=day.month, day=day.day)
    horizon["hours"] = int(hours)


def _generator(raw: dict) -> None:
    spec = {**GENERATOR_DEFAULTS, **(raw.get("workload", {}).get("generator") or {})}
    c = st.columns(4)
    with c[0]:
        count = _widget(
            st.number_input, "Jobs", "count", int(spec["count"]), min_value=1, max_value=500, step=1
        )
        seed = _widget(
            st.number_input,
            "Seed",
            "seed",
            int(spec["seed"]),
            min_value=0,
            max_value=2**31 - 1,
            step=1,
        )
    with c[1]:
        lo, hi = (int(v) for v in spec["duration_h"])
        duration = _widget(
            st.slider, "Duration [h]", "duration", (lo, hi), min_value=1, max_value=max(168, hi)
        )
        lo, hi = (int(v) for v in spec["slack_h"])
        slack = _widget(
            st.slider,
            "Slack beyond the duration [h]",
            "slack",
            (lo, hi),
            min_value=0,
            max_value=max(336, hi),
        )
    with c[2]:
        lo, hi = (float(v) for v in spec["power_kw"])
        power = _widget(
            st.slider,
            "Power [kW]",
            "power",
            (lo, hi),
            min_value=10.0,
            max_value=max(2000.0, hi),
            step=10.0,
            format="%.0f",
        )
        share = _widget(
            st.slider,
            "Preemptible share",
            "preemptible",
            float(spec["preemptible_share"]),
            min_value=0.0,
            max_value=1.0,
            step=0.05,
        )
    with c[3]:
        interruptions = _widget(
            st.number_input,
            "Max interruptions",
            "interruptions",
            int(spec["max_interruptions"]),
            min_value=0,
            max_value=20,
        )
        overhead = _widget(
            st.number_input,
            "Restart overhead [h]",
            "overhead",
            float(spec["restart_overhead_h"]),
            min_value=0.0,
            max_value=12.0,
            step=0.5,
        )
    raw["workload"] = {
        "generator": {
            "seed": int(seed),
            "count": int(count),
            "duration_h": [int(v) for v in duration],
            "power_kw": [float(v) for v in power],
            "slack_h": [int(v) for v in slack],
            "preemptible_share": float(share),
            "max_interruptions": int(interruptions),
            "restart_overhead_h": float(overhead),
        }
    }


def _workload(raw: dict) -> None:
    has_csv = bool(raw.get("workload", {}).get("jobs"))
    source = _widget(
        st.radio,
        "Training jobs",
        "source",
        "CSV file" if has_csv else "Generator",
        options=["Generator", "CSV file"],
        horizontal=True,
    )
    if source == "Generator":
        _generator(raw)
    else:
        st.file_uploader(
            "Jobs CSV: job_id, release, deadline, duration_h, power_kw, preemptible "
            "(optional max_interruptions, restart_overhead_h, pods)",
            type=["csv"],
            key=_key("jobs_file"),
            on_change=_on_jobs_upload,
            help=f"Up to {uploads.MAX_UPLOAD_MB} MB. Timestamps in ISO 8601 with a UTC offset.",
        )
        current = raw.get("workload", {}).get("jobs")
        if current:
            st.caption(f"Jobs file in use: {uploads.safe_name(current)}")
        else:
            st.info("Upload a jobs CSV, or switch back to the generator.")


def _settings() -> None:
    raw = state.scenario_data()
    before = copy.deepcopy(raw)
    _horizon(raw)
    _workload(raw)
    if raw != before:
        state.update_scenario(raw)
    scenario = state.current_scenario()
    jobs = caching.jobs_preview(caching.scenario_key(scenario))
    energy = float((jobs["duration_h"] * jobs["power_kw"]).sum()) / 1000.0 if len(jobs) else 0.0
    with st.expander(f"{len(jobs)} jobs, {energy:,.1f} MWh of compute"):
        shown = jobs.drop(columns=[c for c in ("pods",) if c in jobs.columns])
        st.dataframe(shown, hide_index=True, width="stretch", key="jobs_table")


def _run_controls() -> None:
    scenario = state.current_scenario()
    c = st.columns([1, 1, 2])
    with c[0]:
        limit = _widget(
            st.number_input,
            "Solver time limit [s]",
            "time_limit",
            float(min(scenario.solver.time_limit_s, 30.0)),
            min_value=1.0,
            max_value=600.0,
            step=1.0,
        )
    with c[1]:
        optimise = _widget(
            st.checkbox,
            "Optimise (MILP)",
            "optimise",
            True,
            help="Off: only the ASAP and greedy baselines are simulated.",
        )
    with c[2]:
        st.write("")
        clicked = st.button("Run the schedule", type="primary", key="run_button")
    if clicked:
        _run(scenario, optimise, limit)


def _run(scenario, optimise: bool, limit: float) -> None:
    from scenarios.run import run_scenario

    t0 = time.perf_counter()
    with st.status("Running…", expanded=True) as status:

        def progress(stage: str) -> None:
            text = STAGES.get(stage, stage)
            status.update(label=f"{text}…")
            status.write(f"{time.perf_counter() - t0:5.1f} s  {text}")

        try:
            result = run_scenario(
                scenario, optimize=optimise, time_limit_s=limit, progress=progress
            )
            entry = state.add_run(state.next_run_label(scenario.name), result)
        except Exception:
            status.update(label="The run failed", state="error", expanded=True)
            raise
        st.session_state[RESULT] = entry.label
        status.update(
            label=f"Done in {time.perf_counter() - t0:.1f} s: {entry.label}",
            state="complete",
            expanded=False,
        )


PARETO_STATUS = {
    "optimal": "optimal",
    "time_limit_feasible": "time limit (best found)",
    "infeasible": "no schedule found in time",
}
STATUS_LABELS = {
    "optimal": "optimal",
    "time_limit_feasible": "time limit",
    "rolling_optimal": "optimal (rolling)",
    "rolling_time_limit_feasible": "time limit (rolling)",
    "not optimized": "not optimised",
    "no jobs": "no jobs",
}


def _solver(result) -> None:
    solver = result.solver
    status = solver.get("status", "–")
    c = st.columns(5)
    c[0].metric(
        "Solver status",
        STATUS_LABELS.get(status, status.replace("_", " ")),
        help=f"HiGHS status: {status}",
    )
    c[1].metric("Objective", fmt(solver.get("objective"), ",.0f"))
    c[2].metric("Best bound", fmt(solver.get("bound"), ",.0f"))
    c[3].metric("Gap", fmt(solver.get("gap"), ".2%"))
    c[4].metric(
        "Solve time",
        fmt(solver.get("solve_s"), ".1f") + " s" if solver.get("solve_s") is not None else "–",
    )
    if "time_limit" in status:
        st.info(
            "The solver stopped at its time limit: the schedule is the best it found, at most "
            f"{fmt(solver.get('gap'), '.1%')} from the optimum (the bound proves it). Allow "
            "more time to close the gap."
        )
    lin = result.linearisation
    st.caption(
        f"The MILP's linear facility model against the exact re-simulation: "
        f"{fmt(lin.get('relative_error'), '.2%')} over the run, "
        f"{fmt(lin.get('max_hourly_relative_error'), '.2%')} in the worst hour."
    )


def _savings(result) -> None:
    kpis, currency = result.kpis, result.inputs.currency
    table = explore.savings_table(kpis)
    c = st.columns(4)
    for i, (label, row) in enumerate(table.iterrows()):
        c[2 * i].metric(
            f"Cost saving vs {label}",
            f"{fmt(row['cost_saving'], ',.0f')} {currency}",
            delta=f"{fmt(row['cost_saving_pct'], '.2f')} %"
            if row["cost_saving_pct"] is not None
            else None,
        )
        c[2 * i + 1].metric(
            f"Carbon saving vs {label}",
            f"{fmt(row['carbon_saving_t'], ',.2f')} t",
            delta=f"{fmt(row['carbon_saving_pct'], '.2f')} %"
            if row["carbon_saving_pct"] is not None
            else None,
        )
    for note in result.inputs.notes:
        if "could not place" in note:
            st.warning(note)
    compare = explore.schedule_comparison(result)
    st.markdown("**The run's schedule against the ASAP and greedy rules** (re-simulated)")
    st.plotly_chart(charts.schedule_bars(compare, currency), key="schedule_chart")
    shown = formatted(
        compare,
        {
            "total_cost": ",.0f",
            "energy_cost": ",.0f",
            "demand_cost": ",.0f",
            "carbon_location_t": ",.3f",
            "facility_energy_mwh": ",.2f",
            "peak_facility_kw": ",.0f",
            "pue": ".3f",
        },
    )
    shown["feasible"] = [fmt(v) for v in compare["feasible"]]
    shown = shown.rename(
        columns={
            "total_cost": f"total cost [{currency}]",
            "energy_cost": f"energy [{currency}]",
            "demand_cost": f"demand charge [{currency}]",
            "carbon_location_t": "carbon [t]",
            "facility_energy_mwh": "facility energy [MWh]",
            "peak_facility_kw": "peak [kW]",
            "pue": "PUE",
            "feasible": "all jobs placed",
        },
        index={"milp": "MILP", "asap": "ASAP", "greedy": "greedy"},
    )
    st.dataframe(shown, width="stretch", key="schedule_table")


def _charts(result) -> None:
    segments = explore.gantt_segments(result.main.schedule)
    pods = list(result.baseline_compute_kw.columns)
    if segments.empty:
        st.info("No job was scheduled in this run.")
    else:
        st.markdown("**Jobs by pod** (one bar per uninterrupted run of a job)")
        st.plotly_chart(charts.gantt(segments, pods), key="gantt_chart")
    load, signals = explore.power_stack(result)
    st.markdown("**Compute load against capacity**, with price and carbon intensity")
    st.plotly_chart(charts.power_chart(load, signals, result.inputs.currency), key="power_chart")


def _pareto(result, label: str) -> None:
    st.subheader("Cost-carbon trade-off")
    st.caption(
        "The run's jobs inside the first hours, scheduled for least cost under a series of "
        "carbon caps (epsilon-constraint), each solve time-limited."
    )
    c = st.columns([1, 1, 1, 1])
    n_points = c[0].number_input("Points", min_value=3, max_value=8, value=3, key="pareto_points")
    per_point = c[1].number_input(
        "Seconds per point", min_value=1.0, max_value=60.0, value=5.0, step=1.0, key="pareto_limit"
    )
    hours = c[2].number_input(
        "First hours", min_value=24, max_value=168, value=48, step=24, key="pareto_hours"
    )
    key = f"pareto::{label}"
    with c[3]:
        st.write("")
        clicked = st.button("Compute the curve", key="pareto_button")
    if clicked:
        with st.spinner("Solving the Pareto points…"):
            st.session_state[key] = explore.pareto_curve(
                result, int(n_points), float(per_point), int(hours)
            )
    front = st.session_state.get(key)
    if front is None:
        return
    found = front.dropna(subset=["cost", "carbon_t"])
    if len(found) < 2:
        st.warning(
            f"Only {len(found)} of the {len(front)} points found a schedule within "
            f"{fmt(per_point, '.0f')} s: allow more seconds per point, or fewer hours."
        )
    if found.empty:
        return
    currency = result.inputs.currency
    st.plotly_chart(charts.pareto_chart(front, currency), key="pareto_chart")
    spread = found["carbon_t"].max() - found["carbon_t"].min()
    if len(found) >= 2 and spread < 0.01 * max(found["carbon_t"].max(), 1e-9):
        st.info(
            "Carbon hardly changes along the curve: with one carbon intensity in every hour "
            "(a regional factor), schedules differ in carbon only through facility "
            "efficiency. An hourly carbon file (Site page) gives the trade-off room."
        )
    st.caption(
        f"{front.attrs.get('jobs', '?')} jobs within the first {front.attrs.get('hours', '?')} h."
    )
    shown = formatted(front, {"cost": ",.0f", "carbon_t": ",.3f", "peak_kw": ",.0f", "gap": ".2%"})
    shown["status"] = [
        PARETO_STATUS.get(status, status) if np.isfinite(cost) else PARETO_STATUS["infeasible"]
        for status, cost in zip(front["status"], front["cost"].astype(float), strict=True)
    ]
    shown["on the curve"] = [fmt(bool(v)) for v in charts.pareto_front_mask(front)]
    shown = shown.rename(
        columns={"cost": f"cost [{currency}]", "carbon_t": "carbon [t]", "peak_kw": "peak [kW]"}
    )
    st.dataframe(shown, hide_index=True, key="pareto_table")


def _results() -> None:
    runs = state.runs()
    if not runs:
        st.info("No run yet: set the jobs above and press **Run the schedule**.")
        return
    labels = list(runs)
    current = st.session_state.get(RESULT)
    index = labels.index(current) if current in labels else len(labels) - 1
    label = st.selectbox("Show the run", labels, index=index, key="result_pick")
    result = runs[label].result
    with shown_errors("show the solver's result"):
        _solver(result)
    st.subheader("Savings")
    with shown_errors("compare the schedules"):
        _savings(result)
    st.subheader("Schedule")
    with shown_errors("draw the schedule"):
        _charts(result)
    with shown_errors("compute the Pareto curve"):
        _pareto(result, label)


def render() -> None:
    state.ensure_scenario()
    st.title("Workload and schedule")
    st.caption(f"Editing: {state.scenario_label()}")
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)
    ok = False
    with shown_errors("prepare the jobs"):
        _settings()
        ok = True
    if ok:
        with shown_errors("run the schedule"):
            _run_controls()
    st.divider()
    _results()


if __name__ == "__main__":
    render()

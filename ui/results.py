"""What a run found, as the Workload page shows it: the solver's status, bound and gap,
savings against ASAP and greedy, jobs by pod, the load against capacity with price and
carbon, the site's storage and on-site power (:mod:`ui.asset_results`, only when it has
them), and the cost-carbon Pareto curve of the run's first hours."""

from __future__ import annotations

import numpy as np
import streamlit as st

from scenarios import explore
from scenarios.explore import assets as explore_assets
from scenarios.kpis import unplaced_note
from ui import asset_results, run_charts, state
from ui.errors import shown_errors
from ui.tables import fmt, formatted, kpi_formatted
from ui.tables import markdown_text as md

#: Session key of the run to show (the latest run of the Workload page).
RESULT = "workload_run"


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


def _right(columns) -> dict:
    """Column settings that right-align numbers shown as text (st.dataframe left-aligns
    text, and these columns hold numbers formatted by the reports' rules)."""
    return {c: st.column_config.TextColumn(alignment="right") for c in columns}


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
        f"The scheduler's linear facility model against the exact re-simulation: "
        f"{fmt(lin.get('relative_error'), '.2%')} over the run, "
        f"{fmt(lin.get('max_hourly_relative_error'), '.2%')} in the worst hour."
    )


def _savings(result) -> None:
    kpis, currency = result.kpis, result.inputs.currency
    table = explore.savings_table(kpis)
    unit = md(currency)  # metric values are Markdown
    c = st.columns(4)
    for i, (label, row) in enumerate(table.iterrows()):
        c[2 * i].metric(
            f"Cost saving vs {label}",
            f"{fmt(row['cost_saving'], ',.0f')} {unit}",
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
    levers = explore.lever_table(kpis)
    if len(levers):
        st.markdown("**Where the saving against ASAP comes from**")
        st.caption(
            "Hall placement: which hall each job runs in; timing: which hours; lower peak: "
            "the demand charge on the billed monthly peaks (no carbon part); re-simulation "
            "rest: the exact facility model against the scheduler's linear one; asset operation "
            "(with storage or on-site power): the assets run optimally instead of by the "
            "baselines' rule. The parts add up to the total. A negative part means the schedule does worse than ASAP "
            "there (e.g. more carbon for a lower price)."
        )
        shown = formatted(levers, {"cost_saving": ",.0f", "carbon_saving_t": ",.2f"})
        shown = shown.rename(columns={"cost_saving": f"cost saving [{currency}]",
                                      "carbon_saving_t": "carbon saving [t]"})
        st.dataframe(shown, key="lever_table", column_config=_right(shown.columns))
    for rule, job_ids in result.unplaced.items():
        st.warning(md(unplaced_note(rule, job_ids)))  # job ids as the jobs file has them
    compare = explore.schedule_comparison(result)
    st.markdown("**The run's schedule against the ASAP and greedy rules** (re-simulated)")
    st.plotly_chart(run_charts.schedule_bars(compare, currency), key="schedule_chart")
    shown = kpi_formatted(compare, ("total_cost", "energy_cost", "demand_cost",
                                    "carbon_location_t", "facility_energy_mwh",
                                    "peak_facility_kw", "pue"))
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
    numbers = [c for c in shown.columns if c != "all jobs placed"]
    st.dataframe(shown, width="stretch", key="schedule_table", column_config=_right(numbers))


def _charts(result) -> None:
    segments = explore.gantt_segments(result.main.schedule)
    pods = list(result.baseline_compute_kw.columns)
    if segments.empty:
        st.info("No job was scheduled in this run.")
    else:
        st.markdown("**Jobs by pod** (one bar per uninterrupted run of a job)")
        st.plotly_chart(run_charts.gantt(segments, pods), key="gantt_chart")
    load, signals = explore.power_stack(result)
    st.markdown("**Compute load against capacity**, with price and carbon intensity")
    st.plotly_chart(
        run_charts.power_chart(load, signals, result.inputs.currency), key="power_chart"
    )


def _pareto(result, label: str) -> None:
    st.subheader("Cost-carbon trade-off")
    st.caption(
        "The run's jobs inside the first hours, scheduled for least cost under a series of "
        "carbon caps (epsilon-constraint), each solve time-limited."
        + (" The curve leaves the site's storage and on-site generation out."
           if explore_assets.site_has_assets(result) else "")
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
    st.plotly_chart(run_charts.pareto_chart(front, currency), key="pareto_chart")
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
    shown["on the curve"] = [fmt(bool(v)) for v in run_charts.pareto_front_mask(front)]
    shown = shown.rename(
        columns={"cost": f"cost [{currency}]", "carbon_t": "carbon [t]", "peak_kw": "peak [kW]"}
    )
    st.dataframe(shown, hide_index=True, key="pareto_table",
                 column_config=_right([f"cost [{currency}]", "carbon [t]", "peak [kW]", "gap"]))


def show() -> None:
    """The chosen run of the session (the latest by default), or a hint to start one."""
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
    with shown_errors("show the storage and on-site power"):
        asset_results.show(result)
    with shown_errors("compute the Pareto curve"):
        _pareto(result, label)

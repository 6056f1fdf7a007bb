"""Workload and schedule page: the horizon and the training jobs (generator or CSV), the
site's storage and on-site power (:mod:`ui.asset_controls`), a run
of the scheduler with its progress, and what it found (:mod:`ui.results`): solver status
and gap, jobs by pod, load against capacity with price and carbon, savings against ASAP
and greedy, and the cost-carbon Pareto curve."""

from __future__ import annotations

import copy
import datetime as dt
import time

import streamlit as st

from scenarios import explore
from ui import asset_controls, caching, results, state, uploads
from ui.errors import noted_errors, shown_errors
from ui.tables import markdown_text as md

NOTES = "workload_notes"
STAGES = {
    "inputs": "Reading weather, carbon and price",
    "thermal baseline": "Simulating the halls and linearising their cooling",
    "schedule": "Scheduling the jobs and the ASAP and greedy baselines",
    "re-simulation": "Re-simulating the facility for each schedule",
}
#: Most jobs the generator offers (a MILP over more takes far longer than a page visit).
MAX_JOBS = 2000
#: Largest seed a browser number field holds exactly (2**53 - 1).
MAX_SEED = 2**53 - 1
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
        path = uploads.accept_upload(f.name, f.getvalue(), "jobs", state.session_dir())
        from scenarios.workload import read_jobs

        read_jobs(path, label=f.name)  # errors name the file as uploaded, not its saved copy
        raw = state.scenario_data()
        raw["workload"] = {"jobs": str(path)}
        scenario = state.current_scenario(raw)
        jobs = caching.jobs_preview(caching.scenario_key(scenario))
        state.update_scenario(raw)
        name = md(uploads.safe_name(f.name))
        _notes().append(("success", f"{len(jobs)} jobs read from **{name}**."))


def _start_of(value) -> dt.datetime:
    """The horizon start as written in the scenario (datetime, date or ISO text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value


def _within(value, low, high, what: str):
    """``value`` clipped to the widget's range, with a note on the page when clipped."""
    clipped = min(max(value, low), high)
    if clipped != value:
        st.warning(f"The scenario's {what} ({value}) is outside what this page offers; "
                   f"it is set to {clipped}.")  # fmt: skip
    return clipped


def _horizon(raw: dict) -> None:
    horizon = raw.setdefault("horizon", {})
    start = _start_of(horizon.get("start"))
    left, right = st.columns(2)
    with left:
        day = _widget(st.date_input, "Horizon start (site local time)", "start", start.date())
    with right:
        hours = _widget(
            st.number_input,
            "Horizon [h]",
            "hours",
            int(horizon.get("hours", 168)),
            min_value=1,
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
            st.number_input,
            "Jobs",
            "count",
            _within(int(spec["count"]), 1, MAX_JOBS, "number of jobs"),
            min_value=1,
            max_value=MAX_JOBS,
            step=1,
        )
        seed = _widget(
            st.number_input,
            "Seed",
            "seed",
            _within(int(spec["seed"]), 0, MAX_SEED, "seed"),
            min_value=0,
            max_value=MAX_SEED,
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
            min_value=min(10.0, lo),
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
            max_value=max(20, int(spec["max_interruptions"])),
        )
        overhead = _widget(
            st.number_input,
            "Restart overhead [h]",
            "overhead",
            float(spec["restart_overhead_h"]),
            min_value=0.0,
            max_value=max(12.0, float(spec["restart_overhead_h"])),
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
    workload = raw.get("workload") or {}
    current = (
        "CSV file" if workload.get("jobs") else "Generator" if workload.get("generator") else "None"
    )
    source = _widget(
        st.radio,
        "Training jobs",
        "source",
        current,
        options=["Generator", "CSV file", "None"],
        horizontal=True,
        help="None: inference load only, nothing to schedule.",
    )
    if source == "Generator":
        _generator(raw)
    elif source == "None":
        raw["workload"] = {}
    else:
        st.file_uploader(
            "Jobs CSV: job_id, release, deadline, duration_h, power_kw, preemptible "
            "(optional max_interruptions, restart_overhead_h, pods)",
            type=["csv"],
            key=_key("jobs_file"),
            on_change=_on_jobs_upload,
            help=f"Up to {uploads.MAX_UPLOAD_MB} MB. Timestamps in ISO 8601 with a UTC offset.",
        )
        if workload.get("jobs"):
            st.caption(f"Jobs file in use: {md(uploads.safe_name(workload['jobs']))}")
        else:
            st.info("Upload a jobs CSV; until then the jobs above stay in use.")


def _settings() -> None:
    raw = state.scenario_data()
    before = copy.deepcopy(raw)
    _horizon(raw)
    _workload(raw)
    if raw != before:
        state.update_scenario(raw)
    # the jobs do not depend on the site's assets: their errors are shown with the
    # storage and on-site power controls (ui.asset_controls), not here
    scenario = state.current_scenario(asset_controls.without_assets(state.scenario_data()))
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
            float(max(1.0, min(scenario.solver.time_limit_s, 30.0))),
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
    solver, hours = scenario.solver, scenario.horizon.hours
    if optimise and hours > solver.window_h and solver.rolling != "never":
        windows = explore.rolling_windows(scenario)
        st.caption(
            f"The horizon ({hours} h) is longer than one solver window ({solver.window_h} h): "
            + (f"it is solved rolling, up to {windows} windows sharing the {limit:g} s limit."
               if solver.rolling == "always" else
               f"it is solved in one piece when that fits the {limit:g} s limit and memory, "
               f"else rolling (up to {windows} windows sharing the limit).")
        )
    if clicked:
        _run(scenario, optimise, limit)


def _run(scenario, optimise: bool, limit: float) -> None:
    from scenarios.run import run_scenario

    t0 = time.perf_counter()
    with st.status("Running…", expanded=True) as status:

        def progress(stage: str) -> None:
            head, _, detail = stage.partition(": ")  # e.g. "schedule: window 3/8, 41 s left"
            text = md(STAGES.get(head, head) + (f": {detail}" if detail else ""))
            # expanded again on each update: an update without it collapses the box and
            # hides the timed lines (Streamlit clears the setting)
            status.update(label=f"{text}…", expanded=True)
            status.write(f"{time.perf_counter() - t0:5.1f} s  {text}")

        try:
            result = run_scenario(
                scenario, optimize=optimise, time_limit_s=limit, progress=progress
            )
            entry = state.add_run(state.next_run_label(scenario.name), result)
        except Exception:
            status.update(label="The run failed", state="error", expanded=True)
            raise
        st.session_state[results.RESULT] = entry.label
        status.update(
            label=f"Done in {time.perf_counter() - t0:.1f} s: {md(entry.label)}",
            state="complete",
            expanded=False,
        )


def render() -> None:
    state.ensure_scenario()
    st.title("Workload and schedule")
    st.caption(f"Editing: {md(state.scenario_label())}")
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)
    ok = assets_ok = False
    with shown_errors("prepare the jobs"):
        _settings()
        ok = True
    with shown_errors("use the storage and on-site power"):
        asset_controls.section(validate=ok)
        assets_ok = True
    if ok and assets_ok:
        st.divider()
        with shown_errors("run the schedule"):
            _run_controls()
    st.divider()
    results.show()


if __name__ == "__main__":
    render()

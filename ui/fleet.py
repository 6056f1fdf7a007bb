"""Fleet page: several sites scheduled as one (issue 16, East Data West Computing).

A built-in fleet or an uploaded fleet TOML (its sites built-in scenarios, its jobs CSV
uploaded with it; nothing on the server's disk is read), its sites before running, the
solver's time limit and the carbon price, a run with its progress, and what it found:
a map of the sites and of the work moved between them (:mod:`ui.fleet_map`), each site's
KPIs against its PUE target, the fleet's moved jobs, compute and data, the savings against
running everything at home and against the cheapest site, the saving by lever, and the
flows (:mod:`ui.fleet_views`). The last run stays in the session when pages change.
"""

from __future__ import annotations

import time
import tomllib

import streamlit as st

from scenarios.errors import ScenarioError
from ui import fleet_map, fleet_views, state, uploads
from ui.errors import noted_errors, shown_errors
from ui.tables import fmt, kpi_text
from ui.tables import markdown_text as md

NOTES = "fleet_notes"
#: The uploaded fleet in use: {"data": raw data (jobs path: the private copy), "label"}.
UPLOADED = "fleet_uploaded"
#: The last finished run: {"view": FleetView, "label", "seconds", "time_limit_s",
#: "carbon_price"}.
RESULT = "fleet_result"
BUILT_IN, UPLOAD = "Built-in fleet", "Upload a fleet TOML"
#: Default solver time limit [s]: a page visit, not a study (the CLI takes the fleet's own).
DEFAULT_TIME_LIMIT_S = 10.0
MAX_TIME_LIMIT_S = 600.0
#: Highest carbon price the control offers [currency/t] (a fleet file may set more).
MAX_CARBON_PRICE = 100_000.0
STAGES = {
    "schedule": "Scheduling every job over every site and hour, and the baselines",
    "re-simulation": "Re-simulating each site's share of every schedule",
}
#: The baselines the fleet's schedule is compared with: kpis key -> metric label.
BASELINES = {"asap": "ASAP at home", "greedy": "greedy at home",
             "cheapest_site": "cheapest site"}
BASELINE_HELP = {
    "asap": "Every job at its home site, started as soon as it is released.",
    "greedy": "Every job at its home site, in the cheapest hours by a greedy rule.",
    "cheapest_site": "Each job at the site and in the hours a greedy rule finds cheapest, "
                     "one job at a time (no optimisation across jobs).",
}
STATUS = {
    "optimal": "optimal",
    "time_limit_feasible": "time limit (best found)",
    "rolling_optimal": "optimal (rolling)",
    "rolling_time_limit_feasible": "time limit (rolling, best found)",
}


def _notes() -> list:
    return st.session_state.setdefault(NOTES, [])


def _on_upload() -> None:
    files = st.session_state.get("fleet_upload") or []
    if not files:
        return
    with noted_errors("load the uploaded fleet", _notes()):
        tomls = [f for f in files if f.name.lower().endswith(".toml")]
        if len(tomls) != 1:
            raise ScenarioError(f"upload exactly one fleet .toml file (got {len(tomls)}), "
                                "with the jobs CSV it names if it names one")
        toml = tomls[0]
        name = uploads.safe_name(toml.name)
        uploads.check_upload(toml.name, toml.getvalue(), "scenario")
        from scenarios.loading import parse_scenario_text

        parsed = parse_scenario_text(toml.getvalue(), file=name)
        folder = state.session_dir()
        attachments = {f.name: uploads.accept_upload(f.name, f.getvalue(), "jobs", folder)
                       for f in files if f is not toml}
        data = uploads.attach_files(parsed, attachments, name)
        fleet = fleet_views.checked_fleet(data, name, folder)
        fleet_views.planned_sites(fleet)  # every site's scenario loads
        st.session_state[UPLOADED] = {"data": data, "label": f"uploaded fleet {name!r}"}
        _notes().append(("success", f"Loaded the uploaded fleet **{md(name)}** "
                                    f"({len(fleet.sites)} sites)."))


def _choose():
    """The fleet picked (built-in or the upload): (Fleet, label), or None."""
    from scenarios.fleet import fleet_from_dict, fleet_names, fleet_text

    source = st.radio("Fleet", [BUILT_IN, UPLOAD], horizontal=True, key="fleet_source",
                      label_visibility="collapsed")
    if source == BUILT_IN:
        name = st.selectbox("Built-in fleet", fleet_names(), key="fleet_builtin")
        label = f"built-in fleet {name!r}"
        return fleet_from_dict(tomllib.loads(fleet_text(name)), file=label), label
    st.file_uploader(
        "Fleet TOML ([[sites]] naming built-in scenarios), with the jobs CSV it names if any",
        type=["toml", "csv"], accept_multiple_files=True, key="fleet_upload",
        on_change=_on_upload,
        help=f"Up to {uploads.MAX_UPLOAD_MB} MB each. Sites must be built-in scenarios "
             "(hub-beijing, urumqi, ...): the app never reads files from the server's disk.",
    )
    uploaded = st.session_state.get(UPLOADED)
    if uploaded is None:
        st.info("Upload a fleet TOML to see its sites; the built-in fleet shows how one "
                "is written (`coolshift examples` writes it out).")
        return None
    fleet = fleet_views.checked_fleet(uploaded["data"], uploaded["label"], state.session_dir())
    return fleet, uploaded["label"]


def _right(columns) -> dict:
    """Right-aligned text columns (numbers formatted as text)."""
    return {c: st.column_config.TextColumn(alignment="right") for c in columns}


def _sites(fleet) -> str:
    """The fleet's sites before a run; returns the fleet's currency."""
    sites = fleet_views.planned_sites(fleet)
    workload = fleet.workload
    if workload.generator is not None:
        g = workload.generator
        jobs = (f"{g.count} generated jobs (seed {g.seed}) from "
                f"{', '.join(g.homes or [s.name for s in fleet.sites])}, each with "
                f"{fmt(g.data_tb[0], 'g')}-{fmt(g.data_tb[1], 'g')} TB of data")
    elif workload.jobs is not None:
        jobs = f"the jobs of {uploads.safe_name(workload.jobs)}"
    else:
        jobs = "no jobs"
    horizon = fleet.horizon
    when = (f"{horizon.hours} h from {horizon.start:%Y-%m-%d}" if horizon is not None
            else "the sites' common horizon")
    st.markdown(f"**{len(sites)} sites**, {md(jobs)}, over {md(when)}.")
    shown = sites.reset_index(names="site")[
        ["site", "scenario", "location", "climate", "grid", "pue_target", "halls"]]
    shown["pue_target"] = [fmt(v, "g") for v in shown["pue_target"]]
    shown = shown.rename(columns={"pue_target": "PUE target", "grid": "grid carbon",
                                  "halls": "halls [kW/rack]"})
    st.dataframe(shown, hide_index=True, width="stretch", key="fleet_sites",
                 column_config=_right(["PUE target"]))
    if fleet.description or fleet.assumptions:
        with st.expander("The fleet's description and assumptions"):
            st.markdown(md(fleet.description))
            for line in fleet.assumptions:
                st.markdown(f"- {md(line)}")
    return str(sites["currency"].iloc[0])


def _controls(fleet, label: str, currency: str) -> None:
    c = st.columns([1, 1, 2])
    limit = c[0].number_input(
        "Solver time limit [s]", min_value=1.0, max_value=MAX_TIME_LIMIT_S, step=1.0,
        value=float(max(1.0, min(fleet.solver.time_limit_s, DEFAULT_TIME_LIMIT_S))),
        key=f"fleet_limit_{label}",
        help="The fleet MILP stops here with the best schedule found (its gap is shown); "
             f"the fleet file asks for {fmt(fleet.solver.time_limit_s, 'g')} s.",
    )
    price = c[1].number_input(
        f"Carbon price [{currency}/t]", min_value=0.0, step=10.0,
        max_value=max(MAX_CARBON_PRICE, float(fleet.objective.carbon_price_per_t)),
        value=float(fleet.objective.carbon_price_per_t), key=f"fleet_carbon_{label}",
        help="Added to the price of every kWh at its grid's carbon intensity in the "
             "schedule's objective (the fleet's objective.carbon_price_per_t).",
    )
    with c[2]:
        st.write("")
        clicked = st.button("Run the fleet", type="primary", key="fleet_run")
    if clicked:
        fleet = fleet.model_copy(update={"objective": fleet.objective.model_copy(
            update={"carbon_price_per_t": float(price)})})
        _run(fleet, label, float(limit))


def _stage_text(stage: str) -> str:
    head, _, detail = stage.partition(": ")
    if head.startswith("site "):  # "site 2/4 (shanghai): inputs and thermal baseline"
        return f"{head[0].upper()}{head[1:]}: weather, grid, tariff and the halls' cooling"
    return STAGES.get(head, head) + (f": {detail}" if detail else "")


def _run(fleet, label: str, limit: float) -> None:
    from scenarios.fleet import run_fleet

    t0 = time.perf_counter()
    with st.status("Running the fleet…", expanded=True) as status:

        def progress(stage: str) -> None:
            text = md(_stage_text(stage))
            status.update(label=f"{text}…", expanded=True)
            status.write(f"{time.perf_counter() - t0:5.1f} s  {text}")

        try:
            result = run_fleet(fleet, None, optimize=True, time_limit_s=limit, progress=progress)
            view = fleet_views.result_view(result)
        except Exception:
            status.update(label="The fleet run failed", state="error", expanded=True)
            raise
        seconds = time.perf_counter() - t0
        st.session_state[RESULT] = {
            "view": view, "label": label, "seconds": seconds, "time_limit_s": limit,
            "carbon_price": fleet.objective.carbon_price_per_t,
        }
        status.update(label=f"Done in {seconds:.1f} s: {md(label)}", state="complete",
                      expanded=False)


# --------------------------------------------------------------------------- results


def _pct(value) -> str | None:
    return None if value is None else f"{fmt(value, '.2f')} %"


def _headline(view) -> None:
    k, unit = view.kpis, md(view.currency)
    c = st.columns(5)
    c[0].metric("Moved jobs", f"{fmt(k.get('moved_jobs'), ',.0f')} of {fmt(k.get('jobs'), ',.0f')}",
                help="Jobs that ran at another site than their home.")
    c[1].metric("Moved compute", f"{fmt(k.get('moved_energy_mwh'), ',.1f')} MWh",
                help="Compute energy of the moved jobs as scheduled (restart overheads "
                     "in; the moved rows of the flows table).")
    c[2].metric("Data moved", f"{fmt(k.get('moved_data_tb'), ',.1f')} TB")
    c[3].metric("Network energy", f"{fmt(k.get('network_energy_mwh'), ',.2f')} MWh",
                help="Energy of moving the data, counted half at the sending and half at "
                     "the receiving site (with its cost and carbon, in each site's cost and "
                     "carbon); not facility energy, so not in PUE.")
    c[4].metric("Fleet PUE", kpi_text("pue", k.get("pue")))
    c = st.columns(4)
    for col, (key, label) in zip(c[:3], BASELINES.items(), strict=True):
        col.metric(f"Cost saving vs {label}",
                   f"{fmt(k.get(f'cost_saving_vs_{key}'), ',.0f')} {unit}",
                   delta=_pct(k.get(f"cost_saving_vs_{key}_pct")), help=BASELINE_HELP[key])
    c[3].metric("Carbon saving vs ASAP at home",
                f"{fmt(k.get('carbon_saving_vs_asap_t'), ',.1f')} t",
                delta=_pct(k.get("carbon_saving_vs_asap_pct")), help=BASELINE_HELP["asap"])


def _map(view) -> None:
    st.subheader("Where the work ran")
    st.pydeck_chart(fleet_map.fleet_deck(view), height=fleet_map.MAP_HEIGHT_PX,
                    key="fleet_map", alt="Map of the fleet's sites and the jobs moved "
                    "between them")
    st.caption(
        "Blue discs: the compute each site ran; orange rings: the compute of the jobs "
        "whose home the site is (one scale, areas in proportion). Arcs: jobs moved from "
        "their home (orange end) to the site that ran them (blue end), as wide as the "
        "compute moved. No basemap: the grey lines are latitude and longitude."
    )


def _results() -> None:
    kept = st.session_state.get(RESULT)
    if kept is None:
        st.caption("No fleet run yet in this session.")
        return
    view = kept["view"]
    st.header(f"Results: {md(view.name)}")
    solver = view.solver
    status = str(solver.get("status", "–"))
    st.caption(
        f"{md(kept['label'])}, run in {kept['seconds']:.1f} s with a "
        f"{fmt(kept['time_limit_s'], 'g')} s solver limit and a carbon price of "
        f"{fmt(kept['carbon_price'], ',.0f')} {md(view.currency)}/t. Solver: "
        f"{md(STATUS.get(status, status.replace('_', ' ')))}, gap "
        f"{fmt(solver.get('gap'), '.2%')}."
    )
    if "time_limit" in status:
        st.info("The solver stopped at its time limit: the schedule is the best it found, "
                f"at most {fmt(solver.get('gap'), '.1%')} from the optimum. Allow more time "
                "to close the gap.")
    for note in view.notes:
        st.warning(md(note))
    _headline(view)
    _map(view)
    st.subheader("Sites")
    table = fleet_views.site_table(view)
    st.dataframe(table, hide_index=True, width="stretch", key="fleet_site_kpis",
                 column_config=_right([c for c in table.columns
                                       if c not in ("site", "PUE against target")]))
    st.caption("Each site's carbon and cost include its half of every data transfer it "
               "sends or receives, so the sites add up to the fleet "
               f"(network: {fmt(view.kpis.get('network_cost'), ',.0f')} {md(view.currency)}, "
               f"{fmt(view.kpis.get('network_carbon_t'), ',.2f')} t).")
    left, right = st.columns([5, 4])
    with left:
        total = view.kpis.get("cost_saving_vs_asap")
        st.markdown("**Where the saving against ASAP at home comes from** "
                    f"({fmt(total, ',.0f')} {md(view.currency)} in all)")
        levers = fleet_views.lever_frame(view.kpis)
        if levers.empty:
            st.caption("No split: the run has no optimised schedule, or running everything "
                       "at home missed a job.")
        else:
            st.plotly_chart(fleet_map.lever_chart(levers, view.currency), key="fleet_levers",
                            config={"displayModeBar": False})
            st.caption("Site: where jobs ran, net of moving their data; hall: which hall; "
                       "timing: which hours; lower peak: the demand charge; other: the exact "
                       "re-simulation against the scheduler's linear model. They add up to "
                       "the total saving.")
    with right:
        st.markdown("**Flows: where each home's jobs ran**")
        flows = fleet_views.flow_table(view)
        st.dataframe(flows, hide_index=True, width="stretch", key="fleet_flows",
                     column_config=_right(["jobs", "compute [MWh]", "data moved [TB]"]))
        st.caption("Data moved: what the moved jobs took with them; work that stayed at "
                   "home moved none.")


def render() -> None:
    st.title("Fleet")
    st.caption("Several sites scheduled as one: jobs move to the site and hour where "
               "cooling, power and carbon cost least, with their data.")
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)
    chosen = None
    with shown_errors("use the fleet"):
        chosen = _choose()
    if chosen is not None:
        fleet, label = chosen
        currency = None
        with shown_errors("load the fleet's sites"):
            currency = _sites(fleet)
        if currency is not None:
            with shown_errors("run the fleet"):
                _controls(fleet, label, currency)
    st.divider()
    _results()


if __name__ == "__main__":
    render()

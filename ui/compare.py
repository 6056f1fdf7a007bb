"""Compare page: several scenarios or variants side by side (KPI table and charts).

Candidates: built-in scenarios, variants of the scenario being edited (all pods on one
cooling technology, racks at another density with the same IT capacity) and the runs of
this session. Each candidate is run over its own horizon (baselines only by default, so a
comparison takes seconds); one that cannot run says why and the others are shown.
"""

from __future__ import annotations

import streamlit as st

from scenarios import explore
from scenarios.library import example_data, example_names
from ui import caching, charts, state
from ui.errors import error_text, shown_errors
from ui.tables import kpi_frame
from ui.tables import markdown_text as md

RESULTS = "compare_results"
VARIANTS = {
    "as edited": lambda data: data,
    "all pods air": lambda data: explore.with_cooling(data, "air"),
    "all pods cold plate": lambda data: explore.with_cooling(data, "cold_plate"),
    "all pods immersion": lambda data: explore.with_cooling(data, "immersion"),
    "racks at half density": lambda data: explore.with_rack_density(data, 0.5),
    "racks at 1.5x density": lambda data: explore.with_rack_density(data, 1.5),
}
CHART_KPIS = {
    "pue": "PUE [-]",
    "tue": "TUE [-]",
    "wue_l_per_kwh": "WUE [L/kWh]",
    "carbon_location_t": "carbon [t]",
    "facility_energy_mwh": "energy [MWh]",
}


def candidates(built_ins: list[str], variants: list[str]) -> dict[str, tuple[str, dict]]:
    """Label -> (where it comes from, raw scenario data) of the chosen candidates."""
    out = {}
    current = state.scenario_data()
    name = current.get("name", "scenario")
    for variant in variants:
        out[f"{name}: {variant}"] = ("current", VARIANTS[variant](current))
    for example in built_ins:
        out[f"built-in {example}"] = ("built-in", example_data(example))
    return out


def _run_all(chosen: dict, optimise: bool, limit: float) -> dict:
    results, bar = {}, st.progress(0.0, text="Running…")
    for i, (label, (_, data)) in enumerate(chosen.items()):
        bar.progress(i / len(chosen), text=f"Running {md(label)}…")  # names the scenario
        try:
            scenario = state.current_scenario(data)
            result = caching.baseline_run(caching.scenario_key(scenario), optimise, limit)
            results[label] = {
                "kpis": result.kpis,
                "currency": result.inputs.currency,
                "hours": len(result.inputs.frame),
                "error": None,
            }
            state.add_run(f"compare · {label}", result, replace=True, source="compare")
        except Exception as exc:
            results[label] = {"error": error_text(exc, f"run “{label}”")}
    bar.empty()
    return results


def _show(results: dict) -> None:
    for item in results.values():
        if item["error"]:
            st.error(item["error"])
    good = {label: item for label, item in results.items() if not item["error"]}
    if not good:
        return
    table = explore.kpi_table({label: item["kpis"] for label, item in good.items()})
    st.plotly_chart(charts.compare_bars(table, CHART_KPIS), key="compare_chart")
    shown = kpi_frame(table)
    currencies = {label: item["currency"] for label, item in good.items()}
    shown.loc["currency"] = ["", "money in", *currencies.values()]
    shown.loc["hours"] = ["h", "hours in the run", *(str(item["hours"]) for item in good.values())]
    st.dataframe(
        shown.reset_index(),
        hide_index=True,
        width="stretch",
        height=35 * (len(shown) + 1) + 3,
        column_config={
            "kpi": st.column_config.TextColumn("KPI", width="medium"),
            "unit": st.column_config.TextColumn(width=90),
            "definition": st.column_config.TextColumn(width="large"),
        },
    )
    if len(set(currencies.values())) > 1:
        st.caption("Costs are in each scenario's own currency (see the currency row).")
    if len({item["hours"] for item in good.values()}) > 1:
        st.caption(
            "The runs cover different numbers of hours: compare ratios (PUE, WUE, "
            "CUE) rather than totals."
        )


def _session_runs(labels: list[str]) -> dict:
    out = {}
    runs = state.runs()
    for label in labels:
        result = runs[label].result
        out[label] = {
            "kpis": result.kpis,
            "currency": result.inputs.currency,
            "hours": len(result.inputs.frame),
            "error": None,
        }
    return out


def render() -> None:
    state.ensure_scenario()
    st.title("Compare")
    st.caption(
        "Run several scenarios or variants of the one being edited and see their KPIs side "
        "by side. Without optimisation each run simulates the ASAP and greedy schedules "
        "only, which takes about a second."
    )
    c = st.columns(2)
    variants = c[0].multiselect(
        "Variants of the scenario being edited",
        list(VARIANTS),
        default=["as edited", "all pods air", "all pods immersion"],
        key="compare_variants",
    )
    built_ins = c[1].multiselect("Built-in scenarios", example_names(), key="compare_builtins")
    previous = st.multiselect(
        "Runs of this session (Workload page)", state.own_run_labels(), key="compare_runs"
    )
    c = st.columns([1, 1, 2])
    optimise = c[0].checkbox("Optimise each (MILP)", value=False, key="compare_optimise")
    limit = c[1].number_input(
        "Time limit per run [s]",
        min_value=1.0,
        max_value=600.0,
        value=10.0,
        step=1.0,
        key="compare_limit",
        disabled=not optimise,
    )
    with c[2]:
        st.write("")
        clicked = st.button("Compare", type="primary", key="compare_button")
    if clicked:
        with shown_errors("compare"):
            chosen = candidates(built_ins, variants)
            if not chosen and not previous:
                st.warning("Choose at least one variant, built-in scenario or run.")
            results = _run_all(chosen, optimise, limit)
            results.update(_session_runs(previous))
            st.session_state[RESULTS] = results
    results = st.session_state.get(RESULTS)
    if results:
        with shown_errors("show the comparison"):
            _show(results)
    elif not clicked:
        st.info("Choose what to compare and press **Compare**.")


if __name__ == "__main__":
    render()

"""Halls and cooling page: edit the pods, compare their technologies over a typical year
at inference load (PUE, TUE, WUE, an hour x day PUE map, free-cooling hours, energy by
component). Pods the physics rejects are named next to the table; the others stay shown.
"""

from __future__ import annotations

import copy
import math

import pandas as pd
import streamlit as st

from scenarios.schema import WATER_CLASSES, PodSpec, choices
from ui import caching, charts, state
from ui.errors import shown_errors
from ui.tables import formatted, kpi_formatted
from ui.tables import markdown_text as md

COLUMNS = ("name", "cooling", "racks", "rack_kw", "water_class")
COOLING = choices(PodSpec, "cooling")
#: Indicators of the comparison table, shown by the reports' rules (ui.tables.kpi_text).
TABLE_KPIS = ("pue", "ppue_cooling", "tue", "itue", "wue_l_per_kwh", "free_cooling_h",
              "free_cooling_share", "it_mwh", "facility_mwh", "water_m3", "peak_facility_kw")
TABLE_LABELS = {
    "cooling": "cooling",
    "racks": "racks",
    "rack_kw": "kW per rack",
    "pue": "PUE",
    "ppue_cooling": "pPUE cooling",
    "tue": "TUE",
    "itue": "ITUE",
    "wue_l_per_kwh": "WUE [L/kWh]",
    "free_cooling_h": "free-cooling hours [h]",
    "free_cooling_share": "heat, no compressor [%]",
    "it_mwh": "IT energy [MWh]",
    "facility_mwh": "facility energy [MWh]",
    "water_m3": "water [m³]",
    "peak_facility_kw": "peak facility power [kW]",
}


def pods_table(pods: list[dict]) -> pd.DataFrame:
    """The editable columns of the scenario's pods."""
    rows = [{c: pod.get(c) for c in COLUMNS} for pod in pods]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"name": "object", "cooling": "object", "water_class": "object"}
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def merge_pods(base: list[dict], edited: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """The pods after an edit of the table, keeping the fields the table does not show.

    Parameters
    ----------
    base : list of dict
        The raw pods the table was made from (row positions match the table's index).
    edited : DataFrame
        The table as edited (index: positions in ``base``; new rows get new labels).

    Returns
    -------
    pods : list of dict
        Raw pod data for the scenario (rows still missing a value are left out).
    incomplete : list of str
        A note for every row left out.
    """
    pods, incomplete = [], []
    for n, (index, row) in enumerate(edited.iterrows(), start=1):
        missing = [c for c in ("name", "cooling", "racks", "rack_kw") if _blank(row.get(c))]
        if missing:
            incomplete.append(f"row {n}: fill in {', '.join(missing)}")
            continue
        position = index if isinstance(index, int) and 0 <= index < len(base) else None
        pod = copy.deepcopy(base[position]) if position is not None else {}
        pod.update(
            name=str(row["name"]).strip(),
            cooling=str(row["cooling"]),
            racks=int(row["racks"]),
            rack_kw=float(row["rack_kw"]),
        )
        if _blank(row.get("water_class")):
            pod.pop("water_class", None)
        else:
            pod["water_class"] = str(row["water_class"])
        pods.append(pod)
    return pods, incomplete


def _editor() -> list[str]:
    """The pods table; stores edits in the scenario. Returns notes on incomplete rows."""
    version = state.version()
    base_key = f"pods_base_{version}"
    if base_key not in st.session_state:
        st.session_state[base_key] = copy.deepcopy(state.scenario_data()["pods"])
    base = st.session_state[base_key]
    table = pods_table(base)
    classes = sorted({*WATER_CLASSES, *(c for c in table["water_class"] if not _blank(c))})
    edited = st.data_editor(
        table,
        key=f"pods_editor_{version}",
        num_rows="dynamic",
        hide_index=True,
        placeholder="–",
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn("pod", required=True, max_chars=40),
            "cooling": st.column_config.SelectboxColumn("cooling", options=COOLING, required=True),
            "racks": st.column_config.NumberColumn(
                "racks", min_value=1, max_value=10_000, step=1, format="%d", required=True
            ),
            "rack_kw": st.column_config.NumberColumn(
                "kW per rack",
                min_value=0.5,
                max_value=500.0,
                step=0.5,
                format="%.1f",
                required=True,
                help="Nameplate IT power of a rack (as air-cooled, fans included).",
            ),
            "water_class": st.column_config.SelectboxColumn(
                "water class",
                options=classes,
                help="Facility water class of liquid cooling (supply °C); empty: default.",
            ),
        },
    )
    pods, incomplete = merge_pods(base, edited)
    if not pods:
        incomplete.append("the table is empty; a scenario needs at least one pod")
    data = state.scenario_data()
    if pods and pods != data["pods"]:
        data["pods"] = pods
        state.update_scenario(data)
    return incomplete


def _problems(view: dict, incomplete: list[str]) -> None:
    for note in incomplete:
        st.info(f"Not used yet: {md(note)}.")
    problems = view["problems"]
    for message in problems.values():  # they name the pod as the user wrote it
        st.error(md(message))
    if problems and view["table"] is not None:
        st.caption("Pods with an error are left out of the comparison below.")
    elif not problems:
        st.success("Every pod is within its technology's rack-density limit.")


def _comparison(view: dict) -> None:
    table = view["table"]
    st.subheader(f"A typical year ({view['year']}) at inference load")
    st.caption(
        "Each pod carries its inference load (the daily cycle of pods[].inference) for "
        f"every hour of the year in the site's typical-year weather. Site PUE "
        f"{view['site_pue']:.3f}."
    )
    st.markdown("**Annual PUE, TUE and WUE by pod** (colour: air, cold plate, immersion)")
    st.plotly_chart(charts.indicator_bars(table), key="indicator_chart")
    shown = formatted(kpi_formatted(table, TABLE_KPIS), {"rack_kw": "g", "racks": ",.0f"})
    shown = shown.rename(columns=TABLE_LABELS).T
    st.dataframe(shown, width="stretch", height=35 * (len(shown) + 1) + 3, key="tech_table")
    st.caption(
        "Heat, no compressor: the share of the year's heat removed without "
        "compressors (economizers, dry coolers, towers)."
    )
    choices = [*table.index, "site"]
    pick = st.selectbox("PUE map of", choices, index=len(choices) - 1, key="heatmap_pod")
    grid = view["grids"].get(pick, view["grids"]["site"])
    st.markdown(f"**Hourly PUE of {md(pick)}**: hour of day by day of year")
    st.plotly_chart(charts.pue_heatmap(grid), key="pue_heatmap")
    left, right = st.columns(2)
    with left:
        energy = view["energy"]
        st.markdown("**Energy by component** beyond compute, over the year")
        st.plotly_chart(
            charts.component_bars(energy.drop(columns="compute")), key="component_chart"
        )
        st.caption(
            "Compute energy: "
            + ", ".join(f"{md(pod)} {mwh:,.0f} MWh" for pod, mwh in energy["compute"].items())
            + "."
        )
    with right:
        st.markdown("**Free-cooling hours**: hours per year in each cooling mode")
        st.plotly_chart(charts.mode_bars(view["modes"]), key="mode_chart")
        st.caption(
            "Free: no compressor runs in the pod; partial: economizers and chillers share "
            "the heat; mechanical: chillers carry it all."
        )


def render() -> None:
    state.ensure_scenario()
    st.title("Halls and cooling")
    st.caption(f"Editing: {md(state.scenario_label())}. Change a cell to re-simulate the year.")
    left, right = st.columns([3, 2])
    view = None
    with left:
        st.markdown("**Pods**")
        incomplete = []
        with shown_errors("edit the pods"):
            incomplete = _editor()
    with right:
        st.markdown("**Checks**")
        with shown_errors("check the pods"):
            scenario = state.current_scenario()
            view = caching.halls_view(caching.scenario_key(scenario))
            _problems(view, incomplete)
    if view is not None and view["table"] is not None:
        with shown_errors("show the thermal comparison"):
            _comparison(view)


if __name__ == "__main__":
    render()

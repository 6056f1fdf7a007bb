"""Halls and cooling page: edit the pods (technology, racks, density, inference
utilisation, water class, heat rejection, economizer) and the hall-wide water
temperatures (:mod:`ui.hall_controls`); see each pod's design-day peak at full IT load
(:mod:`scenarios.explore.design_peak`) and compare the technologies over a typical year at
inference load (PUE, TUE, WUE, an hour x day PUE map, free-cooling hours, energy by
component). Pods the physics rejects are named under the table; the others stay shown.
"""

from __future__ import annotations

import copy
import math

import pandas as pd
import streamlit as st

from scenarios.schema import WATER_CLASSES, Inference, PodSpec, choices
from ui import caching, charts, hall_controls, hall_money, state
from ui.errors import shown_errors
from ui.tables import fmt, formatted, kpi_formatted
from ui.tables import markdown_text as md

COLUMNS = ("name", "cooling", "racks", "rack_kw", "utilisation", "water_class",
           "heat_rejection", "economizer")  # fmt: skip
COOLING = choices(PodSpec, "cooling")
HEAT_REJECTION = choices(PodSpec, "heat_rejection")
ECONOMIZERS = choices(PodSpec, "economizer")
#: What a pod without its own value runs at (the schema's defaults).
DEFAULT_UTILISATION = Inference().utilisation
DEFAULT_ECONOMIZER = PodSpec.model_fields["economizer"].default
NOTES = "halls_notes"
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
    "peak_facility_kw": "peak facility power at inference load [kW]",
}
#: The design-day peak table's columns [label] (scenarios.explore.design_peak).
PEAK_LABELS = {
    "compute_kw": "compute at full load [kW]",
    "it_kw": "IT incl. server fans [kW]",
    "facility_kw": "facility power [kW]",
    "pue": "PUE in that hour",
    "chiller_load_kw_th": "chiller load [kW_th]",
    "heat_rejected_kw_th": "heat rejected outdoors [kW_th]",
}


def _utilisation(pod: dict):
    return (pod.get("inference") or {}).get("utilisation", DEFAULT_UTILISATION)


def pods_table(pods: list[dict]) -> pd.DataFrame:
    """The editable columns of the scenario's pods (a utilisation or economizer the pod
    leaves out shows the default it runs at; a heat rejection left out is blank: the
    technology's default)."""
    rows = [
        {**{c: pod.get(c) for c in COLUMNS}, "utilisation": _utilisation(pod),
         "economizer": pod.get("economizer", DEFAULT_ECONOMIZER)}
        for pod in pods
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"name": "object", "cooling": "object", "water_class": "object", "utilisation": "float",
         "heat_rejection": "object", "economizer": "object"}
    )  # fmt: skip


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
        for column in ("water_class", "heat_rejection"):
            if _blank(row.get(column)):
                pod.pop(column, None)
            else:
                pod[column] = str(row[column])
        _merge_utilisation(pod, row.get("utilisation"))
        economizer = row.get("economizer")
        if _blank(economizer):
            pod.pop("economizer", None)
        elif economizer != pod.get("economizer", DEFAULT_ECONOMIZER):
            pod["economizer"] = str(economizer)
        pods.append(pod)
    return pods, incomplete


def _merge_utilisation(pod: dict, value) -> None:
    """A changed utilisation into ``pod["inference"]`` (blank: the default; the same as
    the pod already runs at: nothing written)."""
    inference = dict(pod.get("inference") or {})
    if _blank(value):
        inference.pop("utilisation", None)
    elif not math.isclose(float(value), _utilisation(pod), rel_tol=0, abs_tol=1e-12):
        inference["utilisation"] = float(value)
    if inference:
        pod["inference"] = inference
    else:
        pod.pop("inference", None)


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
            "name": st.column_config.TextColumn("pod", width=115, required=True, max_chars=40),
            "cooling": st.column_config.SelectboxColumn(
                "cooling", width=100, options=COOLING, required=True
            ),
            "racks": st.column_config.NumberColumn(
                "racks", width=65, min_value=1, max_value=10_000, step=1, format="%d", required=True
            ),
            "rack_kw": st.column_config.NumberColumn(
                "kW/rack",
                width=84,
                min_value=0.5,
                max_value=500.0,
                step=0.5,
                format="%.1f",
                required=True,
                help="Nameplate IT power of a rack (as air-cooled, fans included).",
            ),
            "utilisation": st.column_config.NumberColumn(
                "utilisation",
                width=90,
                min_value=0.0,
                max_value=1.0,
                step=0.05,
                format="%.2f",
                help="Mean share of the pod's compute its inference load uses "
                "(pods[].inference.utilisation, default 0.3); the year below runs at it, "
                "the design-day peak at 1.",
            ),
            "water_class": st.column_config.SelectboxColumn(
                "water class",
                width=100,
                options=classes,
                help="Facility water class of liquid cooling (supply °C); empty: default.",
            ),
            "heat_rejection": st.column_config.SelectboxColumn(
                "heat rejection",
                width=115,
                options=HEAT_REJECTION,
                help="Cooling tower (wet-bulb), dry cooler (dry-bulb, no water) or hybrid "
                "(dry, wetted on hot hours); empty: the technology's default (air: tower, "
                "liquid: hybrid).",
            ),
            "economizer": st.column_config.SelectboxColumn(
                "economizer",
                width=115,
                options=ECONOMIZERS,
                help="Free cooling of the air loop: water-side (towers or dry coolers "
                "cool the chilled water), air-side (outdoor air), air-side adiabatic "
                "(outdoor air through wetted pads) or none.",
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
    st.dataframe(shown, width="stretch", height=35 * (len(shown) + 1) + 3, key="tech_table",
                 column_config={"_index": st.column_config.Column(width=290)})  # fmt: skip
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


@st.cache_data(max_entries=32, show_spinner=False)
def design_peak_view(scenario_json: str):
    """:func:`scenarios.explore.design_peak.design_day_peak` of a scenario (cached)."""
    from scenarios.explore.design_peak import design_day_peak
    from scenarios.schema import Scenario

    return design_day_peak(Scenario.model_validate_json(scenario_json))


def peak_table(peak) -> pd.DataFrame:
    """The design-day peak as shown: a column per pod and one for the site (the pods added
    up; its PUE from the sums), a row per quantity (:data:`PEAK_LABELS`), as text."""
    table = peak.table[list(PEAK_LABELS)]
    site = table.sum()
    site["pue"] = site["facility_kw"] / site["it_kw"] if site["it_kw"] > 0 else float("nan")
    rows = pd.concat([table, site.to_frame("site").T])
    shown = pd.DataFrame(
        {c: [fmt(v, ".3f" if c == "pue" else ",.0f") for v in rows[c]] for c in PEAK_LABELS},
        index=rows.index,
    )
    return shown.rename(columns=PEAK_LABELS).T


def _design_peak(scenario) -> None:
    peak = design_peak_view(caching.scenario_key(scenario))
    if peak.table.empty:
        return
    where = "design conditions of [facility.design]" if peak.fixed else "ASHRAE 0.4 % conditions"
    st.markdown(
        f"#### Design-day peak at full IT load ({where}: {peak.dry_bulb_c:.1f} °C dry-bulb, "
        f"{peak.wet_bulb_c:.1f} °C wet-bulb)"
    )
    st.markdown(
        f"**{peak.facility_kw:,.0f} kW** of facility power for the site when every pod "
        "runs its full compute in the design hour: what the grid connection, transformers "
        "and electrical room must carry."
    )
    shown = peak_table(peak)
    st.dataframe(shown, width="stretch", height=35 * (len(shown) + 1) + 3, key="peak_table",
                 column_config={"_index": st.column_config.Column(width=290)})  # fmt: skip
    notes = [
        "One hour at these outdoor conditions, each pod at utilisation 1 (its compute "
        "design power), the plant sized for the same conditions: the sizing a run prices "
        "as capital cost. Every kW drawn ends as heat outdoors, so heat rejected equals "
        "facility power. The year below runs at the inference load."
    ]
    if scenario.site.warm_k:
        notes.append(
            f"The site's warming (site.warm_k = {scenario.site.warm_k:+g} K) is not applied "
            "here: the plant is sized for the climate as it is."
        )
    st.caption(" ".join(notes))
    short = peak.table[peak.table["unmet_heat_kw"] > 0]
    for pod, row in short.iterrows():
        st.warning(
            f"{md(pod)}: {row['unmet_heat_kw']:,.0f} kW of heat stays in the hall in the "
            "design hour (the plant runs out of capacity)."
        )


def render() -> None:
    state.ensure_scenario()
    st.title("Halls and cooling")
    st.caption(f"Editing: {md(state.scenario_label())}. Change a cell or a temperature to "
               "re-simulate.")  # fmt: skip
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)
    view = scenario = None
    st.markdown("**Pods**")
    incomplete = []
    with shown_errors("edit the pods"):
        incomplete = _editor()
    st.markdown("**Water temperatures** (every pod)")
    with shown_errors("set the water temperatures"):
        hall_controls.water_controls(st.session_state.setdefault(NOTES, []))
    with shown_errors("check the pods"):
        scenario = state.current_scenario()
        view = caching.halls_view(caching.scenario_key(scenario))
        _problems(view, incomplete)
    if view is not None and view["table"] is not None:
        with shown_errors("size the design-day peak"):
            _design_peak(scenario)
        with shown_errors("show the thermal comparison"):
            _comparison(view)
        with shown_errors("price the cooling options"):
            hall_money.render(caching.scenario_key(scenario))


if __name__ == "__main__":
    render()

"""Compare page: several scenarios or variants side by side (KPI table and charts).

Candidates: built-in scenarios, variants of the scenario being edited (all pods on one
cooling technology, racks at another density with the same IT capacity) and the runs of
this session. Each candidate is run over its own horizon (baselines only by default, so a
comparison takes seconds); one that cannot run says why and the others are shown.

The table is :func:`scenarios.comparison.compare_runs`: runs as columns, indicators as
rows with readable names and units, each run's period and hours, cost and carbon per MWh
of compute energy, and one currency in every money row (converted at a stated rate, or a
row per currency).
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from reports import formatting as report_format
from scenarios import explore
from scenarios.comparison import (
    Comparison,
    ExchangeRate,
    Row,
    RunFacts,
    compare_runs,
    definition,
    rate_pair,
    reference_rate,
)
from scenarios.kpis import KPI_DEFINITIONS
from scenarios.library import example_data, example_names
from ui import caching, charts, state
from ui.errors import error_text, shown_errors
from ui.tables import fmt, kpi_text
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
#: Variants chosen when the page opens, those the scenario being edited can run.
DEFAULT_VARIANTS = ("as edited", "all pods air", "all pods cold plate", "all pods immersion")
#: Rows of the comparison charted above the table (key -> panel title): ratios and values
#: per MWh of compute, which compare runs of different lengths (totals are in the table);
#: the cost per MWh is added when every money row is in one currency.
CHART_ROWS = {
    "pue": "PUE [-]",
    "tue": "TUE [-]",
    "wue_l_per_kwh": "WUE [L/kWh]",
    "carbon_location_kg_per_compute_mwh": "carbon [kgCO2/MWh]",
}
COST_ROW = "total_cost_per_compute_mwh"
#: Row names where the reports' short label (reports.formatting) does not say what the
#: row is on its own, and the rows of scenarios.comparison that are not KPIs.
LABELS = {
    "carbon_location_t": "Carbon, location-based",
    "carbon_market_t": "Carbon, market-based",
    "period": "Period",
    "hours": "Hours",
    "currency": "Priced in",
    "total_cost_per_compute_mwh": "Total cost per compute MWh",
    "carbon_location_kg_per_compute_mwh": "Carbon per compute MWh, location-based",
    "carbon_market_kg_per_compute_mwh": "Carbon per compute MWh, market-based",
}
#: Formats of the rows that are not KPIs (KPIs follow the reports' rules).
FORMATS = {
    "hours": ",.0f",
    "total_cost_per_compute_mwh": ",.1f",
    "carbon_location_kg_per_compute_mwh": ",.0f",
    "carbon_market_kg_per_compute_mwh": ",.0f",
}
#: A hyphen no line breaks at (U+2011), in the dates of a period.
NON_BREAKING_HYPHEN = "\u2011"
#: Where a long word of a run label may wrap (an invisible break opportunity).
ZERO_WIDTH_SPACE = "\u200b"
#: The money selector's choice that converts nothing.
OWN_CURRENCY = "each currency in rows of its own"


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


def variant_problems(data: dict) -> dict[str, str]:
    """Variant -> why the scenario ``data`` cannot run as that variant (the first pod the
    physics rejects, without the fixes its message suggests for the scenario itself; or
    the invalid field); variants that can run are left out."""
    out = {}
    for variant, make in VARIANTS.items():
        try:
            problems = explore.pod_problems(state.current_scenario(make(data)))
        except explore.input_errors() as exc:
            out[variant] = str(exc)
            continue
        if problems:
            pod, message = next(iter(problems.items()))
            lead = f"pod {pod!r}: "  # the pod's name may hold "; " itself
            reason = message.removeprefix(lead).split("; ")[0]
            out[variant] = lead + reason if message.startswith(lead) else message
    return out


def row_name(key: str) -> str:
    """A row's readable name: "PUE", "Total cost", "Carbon, location-based"."""
    return LABELS.get(key) or report_format.label(key).removesuffix(" %")


def row_label(row: Row) -> str:
    """A row's readable name with its unit: "PUE", "Total cost [CNY]",
    "Carbon, location-based [tCO2]"."""
    name = row_name(row.key)
    if row.key in KPI_DEFINITIONS:
        unit = report_format.kpi_unit(row.key, row.currency or "")
    else:
        unit = row.unit
    return f"{name} [{unit}]" if unit and unit != "-" else name


def cell_text(key: str, value) -> str:
    """A value as the table shows it (KPIs by the reports' rules), "–" when missing."""
    if key in KPI_DEFINITIONS:
        return kpi_text(key, value)
    if key == "period" and value is not None:  # wraps at the dash, not inside a date
        return str(value).replace("-", NON_BREAKING_HYPHEN)
    return fmt(value, FORMATS.get(key, ""))


def breakable(text: str, longest: int = 14) -> str:
    """``text`` with break opportunities (zero-width spaces) in each word longer than
    ``longest`` characters: after its ``-``, ``/``, ``_`` and ``.``, and every ``longest``
    characters of a piece still longer; so that a long run label wraps in its column
    instead of widening the table."""

    def pieces(word: str) -> list[str]:
        if len(word) <= longest:
            return [word]
        return [part[i:i + longest] for part in re.split(r"(?<=[-/_.])", word) if part
                for i in range(0, len(part), longest)]

    return " ".join(ZERO_WIDTH_SPACE.join(pieces(word)) for word in str(text).split(" "))


def comparison_frame(comparison: Comparison) -> pd.DataFrame:
    """The comparison as the page's table: a row per indicator (its readable name and
    unit), a column per run, every text escaped for the table's Markdown."""
    return pd.DataFrame(
        [[md(cell_text(row.key, v)) for v in row.values] for row in comparison.rows],
        index=pd.Index([md(row_label(row)) for row in comparison.rows], name="Indicator"),
        columns=[md(breakable(label)) for label in comparison.labels],
    )


def _facts(label: str, result) -> RunFacts:
    index = result.inputs.frame.index
    return RunFacts(label, result.kpis, result.inputs.currency, len(index), index[0], index[-1])


def _run_all(chosen: dict, optimise: bool, limit: float) -> dict:
    results, bar = {}, st.progress(0.0, text="Running…")
    for i, (label, (_, data)) in enumerate(chosen.items()):
        bar.progress(i / len(chosen), text=f"Running {md(label)}…")  # names the scenario
        try:
            scenario = state.current_scenario(data)
            result = caching.baseline_run(caching.scenario_key(scenario), optimise, limit)
            results[label] = {"facts": _facts(label, result), "error": None}
            state.add_run(f"compare · {label}", result, replace=True, source="compare")
        except Exception as exc:
            results[label] = {"error": error_text(exc, f"run “{label}”")}
    bar.empty()
    return results


def _session_runs(labels: list[str]) -> dict:
    runs = state.runs()
    return {label: {"facts": _facts(label, runs[label].result), "error": None}
            for label in labels}


def money_choice(currencies: tuple[str, ...]) -> tuple[str | None, list[ExchangeRate]]:
    """The currency to show money in and the rates to convert with, as the planner sets
    them (runs in one currency: nothing to choose). A rate starts at the reference rate
    (its source and date printed under the table); a pair without one has no rate until
    the planner enters it, and until then each currency keeps rows of its own."""
    kinds = list(dict.fromkeys(currencies))
    if len(kinds) < 2:
        return None, []
    c = st.columns([1, 1])
    target = c[0].selectbox(
        "Money in",
        [*kinds, OWN_CURRENCY],
        key="compare_currency",
        help="The runs are priced in different currencies: convert at a stated rate, or "
        "keep each currency in rows of its own.",
    )
    if target == OWN_CURRENCY:
        return None, []
    rates = []
    for code in kinds:
        if code == target:
            continue
        base, quote = rate_pair(code, target)
        reference = reference_rate(base, quote)
        value = c[1].number_input(
            f"1 {md(base)} = x {md(quote)}",
            min_value=1e-6,
            value=reference.quote_per_base if reference else None,
            step=0.01,
            format="%.4f",
            key=f"compare_rate_{base}_{quote}",
            help=f"Starts at {md(reference.text())}." if reference else
            "No reference rate for this pair: enter one.",
        )
        if value is None:
            st.info(f"Enter the rate 1 {md(base)} = x {md(quote)} to convert; until then "
                    "each currency has rows of its own.")
            return None, []
        if reference is not None and float(value) == reference.quote_per_base:
            rates.append(reference)
        else:
            rates.append(ExchangeRate(base, quote, float(value),
                                      f"entered on the Compare page on {date.today():%Y-%m-%d}"))
    return target, rates


def chart_table(comparison: Comparison) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows the chart shows (:data:`CHART_ROWS`, and the cost per compute MWh when
    the money is in one currency): a row per key, a column per run; and key -> title."""
    titles = dict(CHART_ROWS)
    if comparison.currency is not None:
        titles[COST_ROW] = f"cost [{charts.chart_text(comparison.currency)}/MWh]"
    rows = {key: comparison.row(key, comparison.currency if key == COST_ROW else None).values
            for key in titles}  # fmt: skip
    return pd.DataFrame(rows, index=list(comparison.labels)).T, titles


def _show(results: dict) -> None:
    for item in results.values():
        if item["error"]:
            st.error(item["error"])
    runs = [item["facts"] for item in results.values() if not item["error"]]
    if not runs:
        return
    currency, rates = money_choice(tuple(str(run.currency).upper() for run in runs))
    comparison = compare_runs(runs, currency=currency, rates=rates)
    st.plotly_chart(charts.compare_bars(*chart_table(comparison)), key="compare_chart")
    st.caption(
        "Carbon (location-based) and cost per MWh of compute energy (IT energy without "
        "server fans), so that runs of different lengths compare; the totals are in the "
        "table."
    )
    with st.container(key="compare_table"):
        st.table(comparison_frame(comparison))
    for note in comparison.notes:
        st.caption(md(note))
    with st.expander("What the rows mean"):
        seen = dict.fromkeys(row.key for row in comparison.rows)
        st.markdown("\n".join(
            f"- **{md(row_name(k))}**: {md(definition(k)[1])}"
            + (f" ({md(definition(k)[2])})" if definition(k)[2] else "")
            for k in seen
        ))


def render() -> None:
    state.ensure_scenario()
    st.title("Compare")
    st.caption(
        "Run several scenarios or variants of the one being edited and see their KPIs side "
        "by side. Without optimisation each run simulates the ASAP and greedy schedules "
        "only, which takes about a second."
    )
    problems = variant_problems(state.scenario_data())
    variants = st.multiselect(
        "Variants of the scenario being edited",
        list(VARIANTS),
        default=[v for v in DEFAULT_VARIANTS if v not in problems],
        key="compare_variants",
    )
    if "as edited" in problems:
        st.caption(f"The scenario being edited cannot run: {md(problems['as edited'])}")
    elif problems:
        st.caption("Not chosen by default, as this scenario cannot run them: " + "; ".join(
            f"**{md(v)}** ({md(why)})" for v, why in problems.items()))
    built_ins = st.multiselect("Built-in scenarios", example_names(), key="compare_builtins")
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

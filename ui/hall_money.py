"""Halls page, money: the same halls cooled by each technology that can cool them, priced
over the plant's life (:func:`scenarios.explore.tco.hall_options`; docs/costs.md)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ui.tables import markdown_text as md

#: Rows of the table: label -> how to read it off a HallOption (None: not applicable).
ROWS = {
    "Capital cost": lambda o: o.tco.capex.total,
    "Capital cost per kW of IT": lambda o: o.tco.capex.per_kw_it,
    "Operating cost per year": lambda o: o.tco.annual.total,
    "TCO per year": lambda o: o.tco.per_year,
    "TCO per MWh of compute": lambda o: o.tco.per_mwh_compute,
    "PUE over the year": lambda o: o.pue,
    "Payback against air [years]": lambda o: None if o.versus_air is None else o.versus_air.payback_years,
    "NPV against air": lambda o: None if o.versus_air is None else o.versus_air.npv,
}
LABELS = {"air": "air", "cold_plate": "cold plate", "immersion": "immersion", "spray": "spray",
          "two_phase_immersion": "two-phase immersion"}  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def options_view(scenario_json: str):
    """:func:`scenarios.explore.tco.hall_options` of a scenario (cached)."""
    from scenarios.explore.tco import hall_options
    from scenarios.schema import Scenario

    return hall_options(Scenario.model_validate_json(scenario_json))


def _cell(label: str, value) -> str:
    if value is None:
        return "-"
    if label.startswith("Payback"):
        return "never" if math.isinf(value) else f"{value:.1f}"
    if label.startswith("PUE"):
        return f"{value:.3f}"
    if label.startswith("NPV"):
        return f"{value:+,.0f}"
    return f"{value:,.0f}"


def money_table(view) -> pd.DataFrame:
    """Options as columns, quantities as rows (text), money in the view's currency."""
    return pd.DataFrame(
        {LABELS[o.cooling]: [_cell(label, get(o)) for label, get in ROWS.items()]
         for o in view.options},
        index=[label if label.startswith(("PUE", "Payback")) else f"{label} [{view.currency}]"
               for label in ROWS],
    )  # fmt: skip


def render(scenario_key: str) -> None:
    """The money section of the Halls page."""
    view = options_view(scenario_key)
    first = view.options[0].tco
    st.markdown("#### Money over the plant's life: each cooling option")
    st.dataframe(money_table(view), width="stretch", key="money_table",
                 column_config={"_index": st.column_config.Column(width=260)})  # fmt: skip
    air = next((o for o in view.options if o.cooling == "air"), None)
    notes = [
        "The same pods and racks on each technology, a typical year at inference load; energy "
        f"at {view.price_per_kwh:.4f} {md(view.currency)}/kWh (the mean import price of the "
        f"scenario's hours), demand charge {view.demand_charge_per_kw_month:g} "
        f"{md(view.currency)}/kW-month on each month's peak; the plant sized at full IT load on "
        f"the design day; capital over {first.lifetime_years:g} years at "
        f"{first.discount_rate:.0%} (costs.lifetime_years, costs.discount_rate). Cost defaults: "
        "US dollars of 2023 calibrated to Schneider Electric WP 282, converted to the "
        "scenario's currency; override them in [costs] (docs/costs.md).",
    ]
    if air is None:
        notes.append("No payback or NPV: air cannot cool these racks, so there is no air hall "
                     "to compare with.")  # fmt: skip
    for tech, why in view.skipped.items():
        notes.append(f"No {LABELS[tech]}: {md(why)}.")
    st.caption(" ".join(notes))

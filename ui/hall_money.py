"""Halls page, money: the same halls cooled by each technology that can cool them, priced
over the plant's life (:func:`scenarios.explore.tco.hall_options`; docs/costs.md)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ui.tables import markdown_text as md

#: Money totals are shown in millions of the currency (the unit in the row label): a
#: hall's capital cost is tens of millions, and two decimals keep options that differ by
#: a few tenths of a percent apart.
MILLION = 1e6
#: Rows of the table: label -> (how to read it off a HallOption, None where it does not
#: apply (the payback row reads the whole comparison with air); the unit, "{c}" standing
#: for the currency, "" for none; the divisor to that unit; the number format).
ROWS = {
    "Capital cost": (lambda o: o.tco.capex.total, "million {c}", MILLION, ",.2f"),
    "Capital cost per kW of IT": (lambda o: o.tco.capex.per_kw_it, "{c}/kW", 1.0, ",.0f"),
    "Operating cost per year": (lambda o: o.tco.annual.total, "million {c}", MILLION, ",.2f"),
    "TCO per year": (lambda o: o.tco.per_year, "million {c}", MILLION, ",.2f"),
    "TCO per MWh of compute": (lambda o: o.tco.per_mwh_compute, "{c}/MWh", 1.0, ",.0f"),
    "PUE over the year": (lambda o: o.pue, "", 1.0, ".3f"),
    "Payback against air": (lambda o: o.versus_air, "years", 1.0, "payback"),
    "NPV against air": (lambda o: None if o.versus_air is None else o.versus_air.npv,
                        "million {c}", MILLION, "+,.2f"),
}  # fmt: skip
#: Rows compared with air, left out when air cannot cool the racks (no air hall).
AGAINST_AIR = ("Payback against air", "NPV against air")
#: What the air column shows in the rows compared with air.
REFERENCE = "reference"
LABELS = {"air": "air", "cold_plate": "cold plate", "immersion": "immersion", "spray": "spray",
          "two_phase_immersion": "two-phase immersion"}  # fmt: skip


def label(cooling: str) -> str:
    """A technology's column name (a technology added later: its key in words)."""
    return LABELS.get(cooling, cooling.replace("_", " "))


def row_label(label: str, currency: str) -> str:
    """``label`` with its unit: "Capital cost [million CNY]", "PUE over the year"."""
    unit = ROWS[label][1].format(c=currency)
    return f"{label} [{unit}]" if unit else label


def cell_text(label: str, option) -> str:
    """The value of row ``label`` for ``option`` as the table shows it: money totals in
    millions (two decimals), per-kW and per-MWh money whole, "-" where it does not apply,
    "reference" in the air column of the rows compared with air; a payback "at once"
    when the option costs no more to build than air and no more to run, "never" when it
    costs more to run."""
    get, _, scale, spec = ROWS[label]
    value = get(option)
    if label in AGAINST_AIR and option.cooling == "air":
        return REFERENCE
    if spec == "payback":
        if value is None:
            return "-"
        years = value.payback_years
        if math.isinf(years):
            return "never"
        return "at once" if years == 0 else f"{years:.1f}"
    if value is None or not math.isfinite(value):
        return "-"
    return format(value / scale, spec)


@st.cache_data(max_entries=16, show_spinner=False)
def options_view(scenario_json: str):
    """:func:`scenarios.explore.tco.hall_options` of a scenario (cached)."""
    from scenarios.explore.tco import hall_options
    from scenarios.schema import Scenario

    return hall_options(Scenario.model_validate_json(scenario_json))


def money_table(view) -> pd.DataFrame:
    """Options as columns, quantities as rows (text, units in the row labels), money in
    the view's currency; without an air option no rows against air."""
    rows = [label for label in ROWS
            if label not in AGAINST_AIR or any(o.versus_air is not None for o in view.options)]
    return pd.DataFrame(
        {label(o.cooling): [cell_text(label, o) for label in rows] for o in view.options},
        index=[row_label(label, view.currency) for label in rows],
    )  # fmt: skip


def render(scenario_key: str) -> None:
    """The money section of the Halls page."""
    with st.spinner("Pricing each cooling option over a typical year..."):
        view = options_view(scenario_key)
    first = view.options[0].tco
    st.markdown("#### Money over the plant's life: each cooling option")
    st.dataframe(money_table(view), width="stretch", key="money_table",
                 column_config={"_index": st.column_config.Column(width=290)})  # fmt: skip
    air = next((o for o in view.options if o.cooling == "air"), None)
    notes = [
        "The same pods and racks on each technology, a typical year at inference load; energy "
        f"at {md(view.prices.basis)} (mean {view.prices.mean_per_kwh:.4f} "
        f"{md(view.currency)}/kWh), demand charge {view.prices.demand_charge_per_kw_month:g} "
        f"{md(view.currency)}/kW-month on each month's peak; the plant sized at full IT load on "
        f"the design day; capital over {first.lifetime_years:g} years at "
        f"{100 * first.discount_rate:g} % (costs.lifetime_years, costs.discount_rate). Cost defaults: "
        "US dollars of 2023 calibrated to Schneider Electric WP 282, converted to the "
        "scenario's currency; override them in [costs] (docs/costs.md).",
    ]
    if air is None:
        notes.append("No payback or NPV: air cannot cool these racks, so there is no air hall "
                     "to compare with.")  # fmt: skip
    else:
        notes.append(
            "Against air: payback is the extra capital over the yearly saving (undiscounted; "
            "at once: no dearer to build and no dearer to run; never: dearer to run); NPV is "
            "the present value of choosing the option instead of air over the lifetime "
            "(above zero: worth it)."
        )
    for tech, why in view.skipped.items():
        notes.append(f"No {label(tech)}: {md(why)}.")
    st.caption(" ".join(notes))

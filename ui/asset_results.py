"""What a run's battery, cold tank and on-site generation did, on the Workload page: the
asset indicators of the optimised schedule and the baselines side by side, each store's
state of charge, and where each hour's power came from and went. Nothing is drawn for a
run without these assets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import formatting as report_format
from scenarios.explore import assets as views
from scenarios.kpis import KPI_DEFINITIONS
from ui import asset_charts
from ui.tables import kpi_text
from ui.tables import markdown_text as md

SCHEDULE_LABELS = {"milp": "MILP", "asap": "ASAP", "greedy": "greedy"}


def kpi_rows(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The asset indicators as the page shows them: one row each, with its unit and the
    value of every schedule as text by the reports' rules.

    Parameters
    ----------
    table : DataFrame
        :func:`scenarios.explore.assets.asset_kpi_table` (keys x schedules).
    currency : str
    """
    rows = pd.DataFrame(
        {
            "indicator": [report_format.label(k) for k in table.index],
            "unit": [report_format.kpi_unit(k, currency) for k in table.index],
        }
    )
    for name in table.columns:
        rows[SCHEDULE_LABELS.get(name, name)] = [
            kpi_text(k, v) for k, v in table[name].items()
        ]
    return rows


def _kpis(result) -> None:
    table = views.asset_kpi_table(result)
    currency = result.inputs.currency
    rows = kpi_rows(table, currency)
    numbers = {SCHEDULE_LABELS.get(n, n): st.column_config.TextColumn(alignment="right")
               for n in table.columns}  # fmt: skip
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=35 * (len(rows) + 1) + 3,
        key="asset_kpi_table",
        column_config={
            "indicator": st.column_config.TextColumn("indicator", width="medium"),
            "unit": st.column_config.TextColumn("unit", width="small"),
            **numbers,
        },
    )
    st.caption(
        "Each schedule re-simulated with its assets: the MILP's as optimised with the jobs, "
        "ASAP's and greedy's as the baselines' rule runs them. Price, carbon and the "
        "demand charge apply to the grid import."
    )
    with st.expander("What the indicators mean"):
        st.markdown("\n".join(
            f"- **{report_format.label(k)}**: {md(KPI_DEFINITIONS[k][1])}" for k in table.index
        ))  # fmt: skip


def show(result) -> None:
    """The asset section of a run (nothing without a battery, cold tank or generation)."""
    if not views.site_has_assets(result):
        return
    st.subheader("Storage and on-site power")
    _kpis(result)
    names = [n for n in ("milp", "asap", "greedy") if n in result.outcomes]
    main = "milp" if result.optimized else "asap"
    pick = st.radio(
        "Schedule shown in the charts",
        names,
        index=names.index(main),
        format_func=lambda n: SCHEDULE_LABELS.get(n, n),
        horizontal=True,
        key="asset_schedule",
    )
    hourly = views.asset_hourly(result, pick)
    stores = views.state_of_charge(result, hourly)
    if stores:
        st.markdown("**State of charge**, with the energy price it follows")
        st.plotly_chart(
            asset_charts.soc_chart(stores, result.inputs.frame["price_per_kwh"],
                                   result.inputs.currency),
            key="soc_chart",
        )
    supply, use = views.supply_and_use(hourly)
    st.markdown(
        "**Power supply and use**: grid import, generation and battery discharge "
        "(stacked) against the facility, battery charging and export (lines)"
    )
    st.plotly_chart(asset_charts.supply_chart(supply, use), key="supply_chart")

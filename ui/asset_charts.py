"""Plotly figures of a run's battery, cold tank and on-site generation (data in, figure
out; the data from :mod:`scenarios.explore.assets`): each store's state of charge with
the price it answers to, and where each hour's power comes from and goes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.charts import chart_text, layout

#: Supply (stacked areas) and use (cumulative lines) of :func:`supply_chart`: column ->
#: (legend name, colour).
SUPPLY_TRACES = {
    "grid_import_kw": ("Grid import", "#4C78A8"),
    "pv_kw": ("PV", "#EECA3B"),
    "wind_kw": ("Wind", "#72B7B2"),
    "battery_discharge_kw": ("Battery discharge", "#54A24B"),
}
USE_TRACES = {
    "facility_kw": ("Facility", "solid"),
    "battery_charge_kw": ("+ battery charging", "dash"),
    "export_kw": ("+ export", "dot"),
    "curtailed_kw": ("+ curtailed", "dashdot"),
}
#: store -> (name, axis title, unit, colour)
STORE_TITLES = {
    "battery": ("Battery", "stored energy [kWh]", "kWh", "#54A24B"),
    "cold": ("Cold tank", "stored cold [kWh_th]", "kWh_th", "#4C78A8"),
}


def _naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Site local clock time without the offset (as the other charts of a run)."""
    return index.tz_localize(None) if index.tz is not None else index


def _through_last_hour(frame: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Hourly values (indexed by hour start) with the last row repeated at the run's end,
    so that a step line ("hv") draws the last hour as wide as the others."""
    if not len(frame):
        return frame
    end = frame.iloc[[-1]].copy()
    end.index = end.index + pd.Timedelta(hours=1)
    return pd.concat([frame, end])


def soc_chart(stores: dict[str, dict], price: pd.Series, currency: str) -> go.Figure:
    """Each store's state of charge over the run (one panel each, with its usable band),
    above the hourly energy price it charges and discharges against.

    Parameters
    ----------
    stores : dict
        :func:`scenarios.explore.assets.state_of_charge`: ``"battery"`` [kWh] and / or
        ``"cold"`` [kWh_th] -> state (at the start, then at each hour's end), low, high.
    price : Series
        Energy price per hour start [currency/kWh].
    currency : str
    """
    names = [n for n in ("battery", "cold") if n in stores]
    rows = len(names) + 1
    height = 240 * len(names) + 220  # [px]
    fig = make_subplots(
        # 60 px between panels, room for the next panel's title
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=60 / (height - 90),
        row_heights=[*([1.0] * len(names)), 0.6],
        subplot_titles=[*(f"{STORE_TITLES[n][0]} state of charge" for n in names),
                        chart_text(f"Energy price [{currency}/kWh]")],
    )  # fmt: skip
    for row, name in enumerate(names, start=1):
        store = stores[name]
        title, axis, unit, colour = STORE_TITLES[name]
        state = store["state"]
        x = _naive(state.index)
        fig.add_trace(
            go.Scatter(x=x, y=state.to_numpy(float), name=f"{title} stored",
                       line={"color": colour, "width": 2}, fill="tozeroy",
                       hovertemplate=f"%{{y:,.0f}} {unit}"),
            row=row, col=1,
        )  # fmt: skip
        for bound, label in ((store["high"], "full"), (store["low"], "empty")):
            if label == "empty" and bound <= 0:
                continue
            fig.add_trace(
                go.Scatter(x=[x[0], x[-1]], y=[bound, bound], mode="lines",
                           name=f"{title} {label}", showlegend=False, hoverinfo="skip",
                           line={"color": colour, "dash": "dot", "width": 1}),
                row=row, col=1,
            )  # fmt: skip
        fig.update_yaxes(title_text=axis, rangemode="tozero", tickformat=",.0f",
                         range=[0, 1.08 * max(store["high"], float(state.max()), 1.0)],
                         row=row, col=1)  # fmt: skip
    price = _through_last_hour(price)
    fig.add_trace(
        go.Scatter(x=_naive(price.index), y=price.to_numpy(float),
                   name=chart_text(f"Energy price [{currency}/kWh]"),
                   line={"color": "#B279A2", "shape": "hv"}),
        row=rows, col=1,
    )  # fmt: skip
    fig.update_yaxes(title_text=chart_text(f"{currency}/kWh"), rangemode="tozero",
                     row=rows, col=1)
    fig.update_xaxes(title_text="time (site local)", row=rows, col=1)
    # each panel's title names its line: no legend (it would sit on the first title)
    return layout(fig, height=height, showlegend=False,
                  margin={"l": 80, "r": 30, "t": 40, "b": 50})


def supply_chart(supply: pd.DataFrame, use: pd.DataFrame) -> go.Figure:
    """Where each hour's power comes from (stacked areas: grid import, PV, wind, battery
    discharge) against where it goes (lines adding up facility, battery charging, export
    and curtailment; the top line meets the top of the stack every hour).

    Parameters
    ----------
    supply, use : DataFrame
        :func:`scenarios.explore.assets.supply_and_use` [kW], hourly.
    """
    fig = go.Figure()
    supply, use = _through_last_hour(supply), _through_last_hour(use)
    x = _naive(supply.index)
    for column, (name, colour) in SUPPLY_TRACES.items():
        if column in supply:
            fig.add_trace(go.Scatter(
                x=x, y=supply[column].to_numpy(float), name=name, stackgroup="supply",
                line={"width": 0.5, "color": colour, "shape": "hv"}, fillcolor=colour,
                hovertemplate="%{y:,.0f} kW",
            ))  # fmt: skip
    total = pd.Series(0.0, index=use.index)
    for column, (name, dash) in USE_TRACES.items():
        if column not in use:
            continue
        if column != "facility_kw" and not (use[column] > 1e-9).any():
            continue  # nothing charged, exported or curtailed: no line on top of another
        total = total + use[column]
        fig.add_trace(go.Scatter(
            x=x, y=total.to_numpy(float), name=name,
            line={"color": "black", "dash": dash, "width": 1.6 if column == "facility_kw" else 1.2,
                  "shape": "hv"},
            hovertemplate="%{y:,.0f} kW",
        ))  # fmt: skip
    top = max(float(supply.sum(axis=1).max()), float(total.max())) if len(supply) else 1.0
    fig.update_yaxes(title_text="power [kW]", tickformat=",.0f", range=[0, 1.1 * max(top, 1.0)])
    fig.update_xaxes(title_text="time (site local)")
    # the legend in the order drawn (Plotly reverses it for stacked areas)
    return layout(fig, height=440, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02,
                                           "x": 0, "traceorder": "normal"})

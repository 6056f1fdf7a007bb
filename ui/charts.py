"""Figures of the Site, Halls and Compare pages (data in, figure out; no Streamlit calls):
Plotly, except the first page's climate chart, a Vega-Lite spec. Scheduling figures are in
:mod:`ui.run_charts`."""

from __future__ import annotations

import calendar
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

#: One colour per cooling technology, and per pod in order.
TECH_COLOURS = {"air": "#4C78A8", "cold_plate": "#F58518", "immersion": "#54A24B",
                "spray": "#B279A2", "two_phase_immersion": "#72B7B2"}
PALETTE = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
    "#EECA3B",
)
COMPONENT_COLOURS = {
    "compute": "#4C78A8",
    "server fans": "#9ECAE9",
    "UPS losses": "#E45756",
    "distribution losses": "#FF9DA6",
    "lighting": "#EECA3B",
    "air handler fans": "#72B7B2",
    "pumps": "#54A24B",
    "chillers": "#F58518",
    "heat rejection fans": "#B279A2",
}
MODE_COLOURS = {"free": "#54A24B", "partial": "#EECA3B", "mechanical": "#E45756"}
_MONTHS = [calendar.month_abbr[m] for m in range(1, 13)]


def chart_text(value) -> str:
    """``value`` as literal text in a Plotly figure (trace name, axis category, hover).

    Plotly reads a subset of HTML in every text it draws (``<a href>`` makes a link,
    ``<b>`` bold, ``<br>`` a break); names from the user's scenario or files (pods, job
    ids, run labels, the currency) get ``&``, ``<`` and ``>`` as entities, which Plotly
    shows as those characters.
    """
    return escape(str(value), quote=False)


def layout(fig: go.Figure, height: int = 380, **kw) -> go.Figure:
    """The app's common figure layout (height [px], legend on top); ``kw`` overrides."""
    settings = {
        "height": height,
        "margin": {"l": 60, "r": 30, "t": 30, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified",
    }
    settings.update(kw)
    fig.update_layout(**settings)
    return fig


def climate_chart(monthly: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Monthly dry-bulb (mean with min-max band) and wet-bulb (mean and max) [°C] as a
    Vega-Lite spec for ``st.vega_lite_chart``.

    Vega-Lite rather than Plotly, and a plain spec rather than Altair: this chart is on
    the app's first page, and the browser loads Vega-Lite's code several times faster
    than Plotly's (Altair would add half a second of imports on the server).

    Returns
    -------
    data, spec
        Long table (month, label, series, value, low, high) and the spec.
    """
    names = {
        "dry_bulb_mean_c": "dry-bulb mean",
        "wet_bulb_mean_c": "wet-bulb mean",
        "wet_bulb_max_c": "wet-bulb max",
    }
    rows = []
    for month, row in monthly.iterrows():
        for column, series in names.items():
            rows.append(
                {
                    "label": _MONTHS[int(month) - 1],
                    "series": series,
                    "value": row[column],
                    "low": row["dry_bulb_min_c"],
                    "high": row["dry_bulb_max_c"],
                }
            )
    data = pd.DataFrame(rows)
    x = {
        "field": "label",
        "type": "ordinal",
        "sort": _MONTHS,
        "title": None,
        "axis": {"labelAngle": 0},
    }
    y_title = "temperature [°C]"
    spec = {
        "height": 340,
        "layer": [
            {
                "transform": [{"filter": "datum.series == 'dry-bulb mean'"}],
                "mark": {"type": "area", "opacity": 0.18, "color": "#E45756"},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": y_title},
                    "y2": {"field": "high"},
                    "tooltip": [
                        {"field": "label", "title": "month"},
                        {"field": "low", "title": "dry-bulb min [°C]", "format": ".1f"},
                        {"field": "high", "title": "dry-bulb max [°C]", "format": ".1f"},
                    ],
                },
            },
            {
                "mark": {"type": "line", "point": True, "strokeWidth": 3},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative", "title": y_title},
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": list(names.values()),
                            "range": ["#E45756", "#4C78A8", "#9ECAE9"],
                        },
                        "legend": {"orient": "top"},
                    },
                    "strokeDash": {
                        "field": "series",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": list(names.values()),
                            "range": [[1, 0], [1, 0], [5, 3]],
                        },
                    },
                    "tooltip": [
                        {"field": "label", "title": "month"},
                        {"field": "series"},
                        {"field": "value", "title": "°C", "format": ".1f"},
                    ],
                },
            },
        ],
    }
    return data, spec


def indicator_bars(table: pd.DataFrame) -> go.Figure:
    """PUE, TUE and WUE of each pod side by side, coloured by technology."""
    panels = {
        "pue": ("PUE [-]", "{:.3f}"),
        "tue": ("TUE [-]", "{:.3f}"),
        "wue_l_per_kwh": ("WUE [L/kWh]", "{:.2f}"),
    }
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=[t for t, _ in panels.values()], horizontal_spacing=0.08
    )
    pods = [chart_text(p) for p in table.index]
    colours = [TECH_COLOURS.get(c, "#888") for c in table["cooling"]]
    for j, (key, (_, spec)) in enumerate(panels.items(), start=1):
        values = table[key].astype(float)
        fig.add_trace(
            go.Bar(
                x=pods,
                y=values,
                marker_color=colours,
                showlegend=False,
                text=[spec.format(v) for v in values],
                textposition="outside",
                cliponaxis=False,
            ),
            row=1,
            col=j,
        )
        top = float(np.nanmax(values.to_numpy())) if len(values) else 1.0
        if key == "wue_l_per_kwh":
            fig.update_yaxes(range=[0, max(0.5, top * 1.2)], row=1, col=j)
        else:
            low = float(np.nanmin(values.to_numpy()))
            fig.update_yaxes(range=[max(0.0, low - 0.15), top + 0.08], row=1, col=j)
    return layout(fig, height=340, hovermode="closest")


def pue_heatmap(grid: pd.DataFrame) -> go.Figure:
    """Hour of day (x) by day of year (y) heatmap of PUE."""
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=list(grid.index),
            colorscale="RdYlGn_r",
            colorbar={"title": {"text": "PUE"}},
            hovertemplate="day %{y}, %{x}:00<br>PUE %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="hour of day (local)", dtick=3)
    fig.update_yaxes(title_text="day of year", autorange="reversed")
    return layout(fig, height=460, hovermode="closest")


def component_bars(energy: pd.DataFrame) -> go.Figure:
    """Stacked annual energy of each facility component per pod [MWh]."""
    fig = go.Figure()
    for label in energy.columns:
        fig.add_trace(
            go.Bar(
                x=[chart_text(p) for p in energy.index],
                y=energy[label],
                name=label,
                marker_color=COMPONENT_COLOURS.get(label),
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="energy per year [MWh]")
    return layout(fig, height=400, hovermode="closest")


def mode_bars(modes: pd.DataFrame) -> go.Figure:
    """Hours per year in free, partial and mechanical cooling, per pod (horizontal)."""
    fig = go.Figure()
    for mode in modes.columns:
        fig.add_trace(
            go.Bar(
                y=[chart_text(p) for p in modes.index],
                x=modes[mode],
                name=mode,
                orientation="h",
                marker_color=MODE_COLOURS.get(mode),
                text=modes[mode],
                textposition="inside",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="hours per year [h]")
    # a mode of a few hours leaves no room for its number: none rather than a smudge
    return layout(fig, height=300, hovermode="closest", uniformtext={"minsize": 9, "mode": "hide"})


def compare_bars(table: pd.DataFrame, keys: dict[str, str]) -> go.Figure:
    """One small bar chart per KPI (key -> title), one bar per compared run.

    Each run has its colour and its name in the legend under the charts, not under every
    bar: run names are long, and with several runs they would overlap on the axes. A
    bar's value is written over it where it fits (the table beside the chart has them
    all) and in its hover.
    """
    fig = make_subplots(rows=1, cols=len(keys), subplot_titles=list(keys.values()),
                        horizontal_spacing=0.06)  # room for each panel's y-axis labels
    labels = [c for c in table.columns if c != "unit"]
    for i, label in enumerate(labels):
        name = chart_text(label)
        for j, key in enumerate(keys, start=1):
            value = pd.to_numeric(pd.Series([table.loc[key, label]]), errors="coerce")[0]
            spec = ".3f" if key in ("pue", "tue", "itue", "wue_l_per_kwh") else None
            text = _short(value, spec)
            fig.add_trace(
                go.Bar(
                    x=[name],
                    y=[value],
                    name=name,
                    legendgroup=name,
                    showlegend=j == 1,
                    marker_color=PALETTE[i % len(PALETTE)],
                    text=[text],
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate=f"{name}<br>{text or '–'}<extra></extra>",
                ),
                row=1,
                col=j,
            )
    for j, key in enumerate(keys, start=1):
        if key in ("pue", "tue", "itue"):
            finite = pd.to_numeric(table.loc[key, labels], errors="coerce").dropna()
            if len(finite):
                fig.update_yaxes(
                    range=[max(0.0, finite.min() - 0.1), finite.max() + 0.06], row=1, col=j
                )
    fig.update_xaxes(showticklabels=False)
    return layout(
        fig,
        height=330 + 22 * ((len(labels) + 1) // 2),  # room for the legend's rows
        hovermode="closest",
        barmode="overlay",  # one bar per run and x: full width, not a group of one
        uniformtext={"minsize": 9, "mode": "hide"},  # no value text too small to read
        margin={"l": 50, "r": 20, "t": 40, "b": 20},
        legend={"orientation": "h", "yanchor": "top", "y": -0.04, "x": 0},
    )


def _short(value, spec: str | None = None) -> str:
    if value is None or not np.isfinite(value):
        return ""
    if spec:
        return format(value, spec)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"

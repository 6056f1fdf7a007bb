"""Plotly figures of a scheduling run: jobs by pod, load against capacity with price and
carbon, the schedules side by side, the cost-carbon trade-off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.charts import PALETTE, chart_text, layout
from ui.tables import kpi_text


def gantt(segments: pd.DataFrame, pods: list[str]) -> go.Figure:
    """Jobs over time, one row per job grouped by pod, one bar per uninterrupted run."""
    fig = go.Figure()
    colour = {pod: PALETTE[i % len(PALETTE)] for i, pod in enumerate(pods)}
    first = segments.groupby(["pod", "job_id"])["start"].min().reset_index()
    first["pod_rank"] = first["pod"].map({pod: i for i, pod in enumerate(pods)})
    order = first.sort_values(["pod_rank", "start"])
    # job ids and pod names as the user wrote them: literal text (chart_text), and the pod
    # as hover data rather than inside the template, where "%{...}" would be read
    rows = [_row(job, pod) for pod, job in zip(order["pod"], order["job_id"], strict=True)]
    for pod in pods:
        part = segments[segments["pod"] == pod]
        if part.empty:
            continue
        jobs = [chart_text(job) for job in part["job_id"]]
        fig.add_trace(
            go.Bar(
                base=part["start"],
                x=(part["end"] - part["start"]).dt.total_seconds() * 1000.0,
                y=[_row(job, pod) for job in part["job_id"]],
                orientation="h",
                name=chart_text(pod),
                marker_color=colour[pod],
                marker_line={"color": "white", "width": 0.5},
                customdata=np.array(
                    [jobs, part["hours"], part["power_kw"], [chart_text(pod)] * len(jobs)],
                    dtype=object,
                ).T,
                hovertemplate=(
                    "%{customdata[0]}: %{base|%b %d %H:00}, %{customdata[1]} h at "
                    "%{customdata[2]:.0f} kW<extra>%{customdata[3]}</extra>"
                ),
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_xaxes(type="date", title_text="time (site local)")
    fig.update_yaxes(
        categoryorder="array", categoryarray=rows[::-1], title_text=None, tickfont={"size": 10}
    )
    return layout(fig, height=min(120 + 18 * len(rows), 1400), hovermode="closest")


def _row(job, pod) -> str:
    """A Gantt row's label: the job and its pod, as literal text."""
    return chart_text(f"{job} · {pod}")


def power_chart(load: pd.DataFrame, signals: pd.DataFrame, currency: str) -> go.Figure:
    """Stacked compute load by pod (inference, jobs) against capacity, with price and
    carbon intensity on a second panel."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.68, 0.32],
        vertical_spacing=0.06,
        specs=[[{}], [{"secondary_y": True}]],
    )
    x = load.index.tz_localize(None)
    pods = list(dict.fromkeys(name for name, _ in load.columns))
    for i, pod in enumerate(pods):
        base = PALETTE[i % len(PALETTE)]
        for kind, opacity in (("inference", 0.45), ("jobs", 0.95)):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=load[(pod, kind)],
                    name=chart_text(f"{pod} · {kind}"),
                    stackgroup="it",
                    line={"width": 0.5, "color": base},
                    opacity=opacity,
                    fillcolor=_rgba(base, opacity),
                ),
                row=1,
                col=1,
            )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=signals["capacity_kw"],
            name="compute capacity",
            line={"color": "black", "dash": "dash"},
        ),
        row=1,
        col=1,
    )
    if not np.allclose(signals["cooling_capacity_kw"], signals["capacity_kw"]):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=signals["cooling_capacity_kw"],
                name="coolable compute",
                line={"color": "#E45756", "dash": "dot"},
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=signals["price_per_kwh"],
            name=chart_text(f"price [{currency}/kWh]"),
            line={"color": "#B279A2", "shape": "hv"},
        ),
        row=2,
        col=1,
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=signals["carbon_g_per_kwh"], name="carbon [g/kWh]", line={"color": "#9D755D"}
        ),
        row=2,
        col=1,
        secondary_y=True,
    )
    fig.update_yaxes(title_text="compute [kW]", row=1, col=1, rangemode="tozero")
    price_top = _headroom(signals["price_per_kwh"])
    carbon_top = _headroom(signals["carbon_g_per_kwh"])
    fig.update_yaxes(
        title_text=chart_text(f"{currency}/kWh"),
        row=2,
        col=1,
        secondary_y=False,
        range=[0, price_top],
    )
    fig.update_yaxes(
        title_text="gCO₂/kWh",
        row=2,
        col=1,
        secondary_y=True,
        range=[0, carbon_top],
        showgrid=False,
    )
    return layout(fig, height=560)


def _headroom(values: pd.Series, share: float = 0.15) -> float:
    """Top of an axis from 0 with room above the largest value (lines not on the frame)."""
    top = float(np.nanmax(values.to_numpy(float))) if len(values) else 1.0
    return top * (1 + share) if top > 0 else 1.0


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def schedule_bars(table: pd.DataFrame, currency: str) -> go.Figure:
    """Total cost and carbon of each schedule (MILP, ASAP, greedy)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(chart_text(f"total cost [{currency}]"), "carbon, location-based [t]"),
    )
    names = list(table.index)
    colours = [
        {"milp": "#54A24B", "asap": "#BAB0AC", "greedy": "#4C78A8"}.get(n, "#888") for n in names
    ]
    labels = [{"milp": "MILP", "asap": "ASAP"}.get(n, n) for n in names]  # as in the table
    for col, key in enumerate(("total_cost", "carbon_location_t"), start=1):
        fig.add_trace(
            go.Bar(x=labels, y=table[key], marker_color=colours, showlegend=False,
                   text=[kpi_text(key, v) for v in table[key]]),
            row=1,
            col=col,
        )
    return layout(fig, height=320, hovermode="closest")


def pareto_front_mask(front: pd.DataFrame) -> np.ndarray:
    """Points no other point beats on both cost and carbon (time-limited solves can return
    dominated points)."""
    cost, carbon = front["cost"].to_numpy(float), front["carbon_t"].to_numpy(float)
    keep = np.isfinite(cost) & np.isfinite(carbon)
    for i in np.flatnonzero(keep):
        better = (
            (cost <= cost[i]) & (carbon <= carbon[i]) & ((cost < cost[i]) | (carbon < carbon[i]))
        )
        keep[i] = not better[np.isfinite(cost) & np.isfinite(carbon)].any()
    return keep


def pareto_chart(front: pd.DataFrame, currency: str) -> go.Figure:
    """Cost against carbon: the non-dominated points joined, the others marked apart."""
    ok = front.dropna(subset=["cost", "carbon_t"])
    best = pareto_front_mask(ok)
    line = ok[best].sort_values("carbon_t")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=line["carbon_t"],
            y=line["cost"],
            mode="lines+markers",
            name="trade-off",
            line={"color": "#4C78A8"},
            marker={"size": 12, "color": "#4C78A8"},
            customdata=line["status"],
            hovertemplate="%{x:.3f} t, %{y:,.0f}<br>%{customdata}<extra></extra>",
        )
    )
    if (~best).any():
        rest = ok[~best]
        fig.add_trace(
            go.Scatter(
                x=rest["carbon_t"],
                y=rest["cost"],
                mode="markers",
                name="beaten (solve stopped at its time limit)",
                marker={"size": 11, "color": "#E45756", "symbol": "x"},
            )
        )
    fig.update_xaxes(title_text="carbon, location-based [t]", tickformat=".3~f",
                     range=_at_least_span(ok["carbon_t"]))
    fig.update_yaxes(title_text=chart_text(f"cost [{currency}]"), tickformat=",.0f",
                     range=_at_least_span(ok["cost"]))
    return layout(fig, height=380, hovermode="closest")


def _at_least_span(values: pd.Series, share: float = 0.01) -> list[float]:
    """Axis range of ``values`` padded by 10 % of their spread, and at least ``share`` of
    their mean wide: points that (nearly) coincide otherwise get an axis of repeated
    rounded tick labels (77,267 / 77,267 / 77,266). Both shares are judgement: a
    plotting margin, and the smallest span whose ",.0f" / ".3~f" ticks stay distinct
    for the costs and tonnes the curve shows."""
    lo, hi = float(values.min()), float(values.max())
    pad = max(0.1 * (hi - lo), 0.5 * share * abs(lo + hi) / 2, 1e-9)
    return [lo - pad, hi + pad]

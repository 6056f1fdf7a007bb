"""The Site page's hourly grid charts: carbon intensity, energy price (coloured by tariff
band) and, where given, the carbon-free share over the horizon, as Vega-Lite specs (data
in, specs out; no Streamlit calls).

Vega-Lite, as the page's climate chart (:func:`ui.charts.climate_chart`): the first page
needs no Plotly. Hours are shown on the site's own clock: each is written as its local
wall time and read on a UTC scale, so the browser's time zone and daylight saving change
nothing.
"""

from __future__ import annotations

import pandas as pd

from scenarios.tariffs import BAND_NAMES

#: Tariff band colours (valley to critical peak: cool to warm).
BAND_COLOURS = {"deep valley": "#17375E", "valley": "#4C78A8", "flat": "#EECA3B",
                "peak": "#F58518", "critical peak": "#E45756"}  # fmt: skip
#: Height of each panel [px]: three panels fit a laptop screen under the metrics.
PANEL_HEIGHT_PX = 150
#: Height of a panel whose series is the same every hour (an annual grid factor) [px].
FLAT_PANEL_HEIGHT_PX = 70


def hourly_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The hourly inputs as the chart reads them.

    Parameters
    ----------
    frame : DataFrame
        :attr:`scenarios.inputs.HourlyInputs.frame`: tz-aware hours, carbon_g_per_kwh,
        price_per_kwh, optionally tariff_band and carbon_free_share.

    Returns
    -------
    DataFrame
        One row per hour: hour (local wall time, ISO text with ``Z`` for a UTC scale),
        carbon_g_per_kwh [g/kWh], price_per_kwh [currency/kWh], band (the tariff band's
        name, :data:`scenarios.tariffs.BAND_NAMES`, or "no bands"), carbon_free_pct [%] when the frame has a carbon-free share.
    """
    local = frame.index.tz_localize(None) if frame.index.tz is not None else frame.index
    out = pd.DataFrame(
        {
            "hour": local.strftime("%Y-%m-%dT%H:%M:00Z"),
            "carbon_g_per_kwh": frame["carbon_g_per_kwh"].to_numpy(float),
            "price_per_kwh": frame["price_per_kwh"].to_numpy(float),
            "band": (frame["tariff_band"].astype(str).map(lambda b: BAND_NAMES.get(b, b))
                     .to_numpy() if "tariff_band" in frame else "no bands"),
        }
    )  # fmt: skip
    if "carbon_free_share" in frame:
        out["carbon_free_pct"] = 100.0 * frame["carbon_free_share"].to_numpy(float)
    return out


def _x(title: str | None) -> dict:
    return {
        "field": "hour",
        "type": "temporal",
        "scale": {"type": "utc"},
        "title": title,
        "axis": {"format": "%a %d %b %H:%M", "labelAngle": 0, "labelOverlap": True,
                 "tickCount": 8},
    }  # fmt: skip


def _tooltip(field: str, title: str, fmt: str) -> list[dict]:
    return [
        {"field": "hour", "type": "temporal", "scale": {"type": "utc"}, "title": "hour (local)",
         "format": "%Y-%m-%d %H:%M", "formatType": "utc"},
        {"field": field, "title": title, "format": fmt},
    ]  # fmt: skip


def hourly_charts(frame: pd.DataFrame, currency: str) -> list[tuple[pd.DataFrame, dict]]:
    """Carbon intensity, price and (where given) carbon-free share hour by hour: one
    Vega-Lite spec per panel on the same hours (each drawn as wide as the page; a
    ``vconcat`` would not stretch).

    Returns
    -------
    list of (data, spec)
        :func:`hourly_table` and a spec for ``st.vega_lite_chart``, per panel.
    """
    data = hourly_table(frame)
    unit = str(currency)  # Vega draws text as text (no HTML or Markdown to escape)
    carbon = data["carbon_g_per_kwh"]
    flat = bool(carbon.max() - carbon.min() < 1e-9)
    # a flat series (an annual factor) is a line on a low panel from zero, not noise
    carbon_scale = {"domain": [0, float(carbon.max()) * 1.2 or 1.0]} if flat else {"zero": False}
    panels = [
        {
            "height": FLAT_PANEL_HEIGHT_PX if flat else PANEL_HEIGHT_PX,
            "mark": {"type": "line", "interpolate": "step-after", "color": "#54A24B",
                     "strokeWidth": 2},
            "encoding": {
                "x": _x(None),
                "y": {"field": "carbon_g_per_kwh", "type": "quantitative",
                      "title": "carbon [g/kWh]", "axis": {"format": ",.0f", "tickCount": 4},
                      "scale": carbon_scale},
                "tooltip": _tooltip("carbon_g_per_kwh", "carbon [g/kWh]", ",.0f"),
            },
        },
        {
            "height": PANEL_HEIGHT_PX,
            "layer": [
                {
                    "mark": {"type": "line", "interpolate": "step-after", "color": "#9D9D9D",
                             "strokeWidth": 1},
                    "encoding": {"x": _x(None),
                                 "y": {"field": "price_per_kwh", "type": "quantitative",
                                       "title": f"price [{unit}/kWh]"}},
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 22, "opacity": 1},
                    "encoding": {
                        "x": _x(None),
                        "y": {"field": "price_per_kwh", "type": "quantitative"},
                        "color": _band_colour(data["band"]),
                        "tooltip": [*_tooltip("price_per_kwh", f"price [{unit}/kWh]", ".4f"),
                                    {"field": "band", "title": "tariff band"}],
                    },
                },
            ],
        },
    ]  # fmt: skip
    if "carbon_free_pct" in data:
        panels.append({
            "height": PANEL_HEIGHT_PX,
            "mark": {"type": "area", "interpolate": "step-after", "color": "#72B7B2",
                     "opacity": 0.6},
            "encoding": {
                "x": _x(None),
                "y": {"field": "carbon_free_pct", "type": "quantitative",
                      "title": "carbon-free [%]", "scale": {"domain": [0, 100]}},
                "tooltip": _tooltip("carbon_free_pct", "carbon-free [%]", ".0f"),
            },
        })  # fmt: skip
    _label_last_axis(panels[-1])
    for panel in panels:  # the width fits the page; the height is the plot's, axes aside
        panel["autosize"] = {"type": "fit-x", "contains": "padding"}
    return [(data, panel) for panel in panels]


def _band_colour(bands: pd.Series) -> dict:
    present = [b for b in BAND_COLOURS if b in set(bands)]
    others = sorted(set(bands) - set(present))
    domain = present + others
    return {
        "field": "band",
        "type": "nominal",
        "title": "tariff band",
        "scale": {"domain": domain,
                  "range": [BAND_COLOURS.get(b, "#9D9D9D") for b in domain]},
        "legend": {"orient": "top"} if bands.nunique() > 1 or present else None,
    }  # fmt: skip


def _label_last_axis(panel: dict) -> None:
    """Title the time axis once, under the last panel."""
    layers = panel.get("layer", [panel])
    for layer in layers:
        layer["encoding"]["x"] = _x("hour (site local time)")

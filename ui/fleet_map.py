"""Figures of the Fleet page (data in, figure out; no Streamlit calls): the map of the
sites with the work that moved between them (pydeck, drawn with no basemap so that it
needs no map tiles, token or network), and the saving by lever (Plotly).

The map's layers, bottom to top: a graticule (every few degrees, labelled south-west of
the sites) standing in for a basemap; arcs from each job's home to the site that ran it (width by
compute moved, orange at the home end, blue at the site end, bent sideways so that both
directions of a pair show); one circle per site (area by the compute it ran), and an
orange ring around each home site (area by the compute of the jobs whose home it is, on
the same scale); each site's label.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.charts import chart_text, layout
from ui.fleet_views import FleetView
from ui.tables import fmt, kpi_text

#: Colours [r, g, b]: a site's disc and an arc's site end; a home ring and an arc's home
#: end; the graticule; the labels.
SITE_RGB = [76, 120, 168]
HOME_RGB = [245, 133, 24]
GRID_RGB = [205, 210, 218]
LABEL_RGB = [30, 33, 40]
#: The labels' font: the app's own (Streamlit's "Source Sans"), else any sans-serif.
FONT = "'Source Sans, sans-serif'"  # quoted: pydeck reads an unquoted string as code
#: Smallest and largest circle radius [px]; a site that ran nothing gets the smallest.
RADIUS_PX = (7.0, 30.0)
#: Thinnest and widest arc [px].
WIDTH_PX = (2.0, 14.0)
#: The map's size assumed for its zoom [px] (st.pydeck_chart stretches to the page's main
#: column, ~1,000 px on a laptop screen) and the share of it the sites may span.
MAP_WIDTH_PX, MAP_HEIGHT_PX, FILL = 1000, 520, 0.65
MAX_ZOOM = 7.0
#: deck.gl's world is 512 px wide at zoom 0.
WORLD_PX = 512.0


def _mercator_y(lat_deg: float) -> float:
    lat = math.radians(max(min(lat_deg, 85.0), -85.0))
    return math.log(math.tan(math.pi / 4 + lat / 2))


def _lat_of(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def view_state(lats, lons, width_px: float = MAP_WIDTH_PX,
               height_px: float = MAP_HEIGHT_PX) -> dict:
    """Centre [deg] and zoom at which every point fits in ``FILL`` of the map."""
    lats, lons = np.asarray(lats, float), np.asarray(lons, float)
    ys = [_mercator_y(v) for v in lats]
    lon_span = max(float(lons.max() - lons.min()), 1e-6)
    y_span = max(max(ys) - min(ys), 1e-6)
    zoom_x = math.log2(width_px * FILL * 360.0 / (WORLD_PX * lon_span))
    zoom_y = math.log2(height_px * FILL * 2 * math.pi / (WORLD_PX * y_span))
    return {"latitude": _lat_of((max(ys) + min(ys)) / 2),
            "longitude": float(lons.min() + lons.max()) / 2,
            "zoom": round(max(min(zoom_x, zoom_y, MAX_ZOOM), 0.0), 2)}


def _scaled(values, low: float, high: float, root: bool = False,
            top: float | None = None) -> np.ndarray:
    """``values`` mapped onto [low, high] by their share of ``top`` (default: the
    largest value); the square root of the share for circle radii, so that areas are
    in proportion."""
    v = np.clip(np.asarray(values, float), 0, None)
    if top is None:
        top = v.max() if len(v) else 0.0
    share = v / top if top > 0 else np.zeros_like(v)
    return low + (high - low) * (np.sqrt(share) if root else share)


def _jobs(n) -> str:
    return f"{int(n)} job{'' if int(n) == 1 else 's'}"


def map_points(view: FleetView) -> pd.DataFrame:
    """One row per site: position [deg]; the compute it ran and the compute of the jobs
    whose home it is [MWh], each as a circle radius [px] on one scale (areas in
    proportion); label (name, compute run, PUE), tooltip texts, and the label's offset
    below the larger circle."""
    s = view.sites
    home = view.flows.groupby("home")["compute_mwh"].sum().reindex(s.index).fillna(0.0)
    homed = view.flows.groupby("home")["jobs"].sum().reindex(s.index).fillna(0).astype(int)
    top = max(float(s["compute_mwh"].max()), float(home.max()), 0.0)
    radius = _scaled(s["compute_mwh"], *RADIUS_PX, root=True, top=top)
    home_radius = np.where(home > 0, _scaled(home, *RADIUS_PX, root=True, top=top), 0.0)
    return pd.DataFrame({
        "site": [str(n) for n in s.index],
        "lon": s["longitude"].astype(float).to_numpy(),
        "lat": s["latitude"].astype(float).to_numpy(),
        "compute_mwh": s["compute_mwh"].astype(float).to_numpy(),
        "radius_px": radius,
        "home_mwh": home.to_numpy(float),
        "home_radius_px": home_radius,
        "label": [f"{n}\n{fmt(c, ',.0f')} MWh run · PUE {kpi_text('pue', p)}"
                  for n, c, p in zip(s.index, s["compute_mwh"], s["pue"], strict=True)],
        "tooltip": [f"{n} ({loc}): ran {_jobs(j)}, {fmt(c, ',.1f')} MWh of compute, "
                    f"PUE {kpi_text('pue', p)}"
                    for n, loc, j, c, p in zip(s.index, s["location"], s["jobs"],
                                               s["compute_mwh"], s["pue"], strict=True)],
        "home_tooltip": [f"{n}: home of {_jobs(j)}, {fmt(h, ',.1f')} MWh of compute"
                         for n, j, h in zip(s.index, homed, home, strict=True)],
        "offset": [[0.0, float(max(r, h)) + 6.0] for r, h in zip(radius, home_radius,
                                                                  strict=True)],
    })


def map_arcs(view: FleetView) -> pd.DataFrame:
    """One row per (home, site) pair whose jobs moved: both ends [deg], jobs, compute
    [MWh], data [TB], width [px] by compute, tooltip. Work at home draws no arc (it is
    in the home site's circle); a site not among the run's sites draws none either."""
    s = view.sites
    moved = view.flows[view.flows["moved"] & view.flows["home"].isin(s.index)
                       & view.flows["site"].isin(s.index)].reset_index(drop=True)
    columns = ["home", "site", "from_lon", "from_lat", "to_lon", "to_lat", "jobs",
               "compute_mwh", "data_tb", "width_px", "tooltip"]
    if moved.empty:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame({
        "home": moved["home"], "site": moved["site"],
        "from_lon": s.loc[moved["home"], "longitude"].to_numpy(float),
        "from_lat": s.loc[moved["home"], "latitude"].to_numpy(float),
        "to_lon": s.loc[moved["site"], "longitude"].to_numpy(float),
        "to_lat": s.loc[moved["site"], "latitude"].to_numpy(float),
        "jobs": moved["jobs"].astype(int), "compute_mwh": moved["compute_mwh"].astype(float),
        "data_tb": moved["data_tb"].astype(float),
    })
    out["width_px"] = _scaled(out["compute_mwh"], *WIDTH_PX)
    out["tooltip"] = [f"{h} → {t}: {_jobs(j)}, {fmt(c, ',.1f')} MWh of compute, "
                      f"{fmt(d, ',.1f')} TB of data"
                      for h, t, j, c, d in zip(out["home"], out["site"], out["jobs"],
                                               out["compute_mwh"], out["data_tb"], strict=True)]
    return out[columns]


def _step_deg(span: float) -> float:
    for step in (1.0, 2.0, 5.0, 10.0, 20.0):
        if span / step <= 10:
            return step
    return 30.0


def graticule(lats, lons, margin_deg: float = 6.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines of latitude and longitude around the points, and their labels.

    Returns
    -------
    lines, labels
        lines: a ``path`` ([[lon, lat], ...]) per line; labels: text ("30°N", "100°E")
        and position [deg]. Each parallel is labelled where it crosses the last meridian
        west of every point, each meridian where it crosses the last parallel south of
        every point: inside the map's view, clear of the sites; ``offset`` [px] puts a
        parallel's label above its line and a meridian's below, so the two at that
        corner do not overlap.
    """
    lats, lons = np.asarray(lats, float), np.asarray(lons, float)
    south, north = max(lats.min() - margin_deg, -80.0), min(lats.max() + margin_deg, 80.0)
    west, east = max(lons.min() - 2 * margin_deg, -180.0), min(lons.max() + 2 * margin_deg, 180.0)
    step = _step_deg(max(north - south, east - west))
    lat_lines = np.arange(math.ceil(south / step) * step, north + 1e-9, step)
    lon_lines = np.arange(math.ceil(west / step) * step, east + 1e-9, step)
    lines = [[[float(west), float(v)], [float(east), float(v)]] for v in lat_lines]
    lines += [[[float(v), float(south)], [float(v), float(north)]] for v in lon_lines]
    west_of = lon_lines[lon_lines < lons.min()]
    south_of = lat_lines[lat_lines < lats.min()]
    at_lon = float(west_of.max()) if len(west_of) else float(west)
    at_lat = float(south_of.max()) if len(south_of) else float(south)
    labels = [{"text": f"{abs(v):g}°{'N' if v >= 0 else 'S'}", "lon": at_lon, "lat": float(v),
               "offset": [3.0, -2.0]} for v in lat_lines]
    labels += [{"text": f"{abs(v):g}°{'E' if v >= 0 else 'W'}", "lon": float(v),
                "lat": at_lat, "offset": [3.0, 15.0]} for v in lon_lines]
    columns = ["text", "lon", "lat", "offset"]
    return pd.DataFrame({"path": lines}), pd.DataFrame(labels, columns=columns)


def fleet_deck(view: FleetView):
    """The map as a ``pydeck.Deck`` with no basemap (``map_provider=None``)."""
    import pydeck as pdk

    points, arcs = map_points(view), map_arcs(view)
    homes = points[points["home_mwh"] > 0].rename(columns={"tooltip": "site_tooltip",
                                                            "home_tooltip": "tooltip"})
    lines, grid_labels = graticule(points["lat"], points["lon"])
    layers = [
        pdk.Layer("PathLayer", lines, id="graticule", get_path="path", get_color=GRID_RGB,
                  width_units="'pixels'", get_width=1),
        pdk.Layer("TextLayer", grid_labels, id="graticule-labels", get_position=["lon", "lat"],
                  get_text="text", get_size=12, get_color=[120, 126, 136], font_family=FONT,
                  character_set="'auto'",
                  get_text_anchor="'start'", get_alignment_baseline="'bottom'",
                  get_pixel_offset="offset"),
        pdk.Layer("ArcLayer", arcs, id="flows", get_source_position=["from_lon", "from_lat"],
                  get_target_position=["to_lon", "to_lat"], get_source_color=HOME_RGB,
                  get_target_color=SITE_RGB, get_width="width_px", width_units="'pixels'",
                  get_tilt=90, get_height=0.35, great_circle=False, pickable=True,
                  auto_highlight=True),
        pdk.Layer("ScatterplotLayer", points, id="sites", get_position=["lon", "lat"],
                  get_radius="radius_px", radius_units="'pixels'", get_fill_color=SITE_RGB,
                  stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=2,
                  opacity=0.9, pickable=True, auto_highlight=True),
        pdk.Layer("ScatterplotLayer", homes, id="homes", get_position=["lon", "lat"],
                  get_radius="home_radius_px", radius_units="'pixels'", filled=False,
                  stroked=True, get_line_color=HOME_RGB, line_width_units="'pixels'",
                  get_line_width=3, pickable=True,
                  auto_highlight=True),
        pdk.Layer("TextLayer", points, id="site-labels", get_position=["lon", "lat"],
                  get_text="label", get_size=14, get_color=LABEL_RGB,
                  get_text_anchor="'middle'", get_alignment_baseline="'top'",
                  get_pixel_offset="offset", character_set="'auto'", font_family=FONT,
                  font_weight=600,
                  background=True, get_background_color=[255, 255, 255, 210],
                  background_padding=[5, 3, 5, 3], line_height=1.25),
    ]
    return pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(
                        **view_state(points["lat"], points["lon"]), pitch=0, bearing=0),
                    map_provider=None, map_style=None,
                    tooltip={"text": "{tooltip}"})


def lever_chart(levers: pd.DataFrame, currency: str) -> go.Figure:
    """The cost saving against ASAP at home by lever, one horizontal bar each (green a
    saving, red a part where the schedule does worse than ASAP there)."""
    values = levers["cost_saving"].astype(float).fillna(0.0)
    unit = chart_text(currency)
    fig = go.Figure(go.Bar(
        x=values.to_numpy(), y=[chart_text(i) for i in levers.index], orientation="h",
        marker_color=["#54A24B" if v >= 0 else "#E45756" for v in values],
        text=[f"{fmt(v, ',.0f')} {unit}" for v in values], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:,.0f} " + unit + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=f"cost saving against ASAP at home [{unit}]", zeroline=True,
                     zerolinecolor="#888")
    span = float(values.abs().max()) if len(values) else 1.0
    fig.update_xaxes(range=[min(0.0, float(values.min())) - 0.25 * span,
                            max(0.0, float(values.max())) + 0.35 * span])
    return layout(fig, height=60 + 44 * len(levers), hovermode="closest", showlegend=False,
                  margin={"l": 10, "r": 20, "t": 10, "b": 50})

"""Site page: pick a built-in scenario or upload one (with weather, carbon and price
files); or keep the design and switch the site's climate, grid carbon and electricity
price on their own (:mod:`scenarios.site_switch`); set the carbon price and the contracted
renewables; see where the site is, its climate and its hourly carbon and price."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scenarios import site_switch
from scenarios.errors import ScenarioError
from scenarios.library import example_data, example_names
from scenarios.loading import parse_scenario_text
from scenarios.schema import Carbon, Price, choices
from ui import caching, charts, site_charts, site_controls, state, tables, uploads
from ui.errors import noted_errors, shown_errors
from ui.tables import markdown_text as md

PICK = "site_example"
NOTES = site_controls.NOTES
UPLOADS = "site_uploads"


def _notes() -> list:
    return st.session_state.setdefault(NOTES, [])


def _note(kind: str, text: str) -> None:
    _notes().append((kind, text))


def _load_example() -> None:
    name = st.session_state.get(PICK)
    if name:
        state.replace_scenario(example_data(name), f"built-in scenario {name!r}")
        _note("success", f"Loaded the built-in scenario **{md(name)}**.")


def _on_scenario_upload() -> None:
    files = st.session_state.get("up_scenario") or []
    if not files:
        return
    with noted_errors("load the uploaded scenario", _notes()):
        tomls = [f for f in files if f.name.lower().endswith(".toml")]
        if len(tomls) != 1:
            raise ScenarioError(
                f"upload exactly one scenario .toml file (got {len(tomls)}) together with "
                "the files it names"
            )
        folder = state.session_dir()
        attachments = {}
        for f in files:
            if f is tomls[0]:
                continue
            attachments[f.name] = uploads.accept_upload(f.name, f.getvalue(), "data", folder)
        toml = tomls[0]
        uploads.check_upload(toml.name, toml.getvalue(), "scenario")
        parsed = parse_scenario_text(toml.getvalue(), file=uploads.safe_name(toml.name))
        raw = uploads.attach_files(parsed, attachments, toml.name)
        state.current_scenario(raw)  # validate before replacing the one being edited
        state.replace_scenario(raw, f"uploaded scenario {uploads.safe_name(toml.name)!r}")
        st.session_state[PICK] = None
        _note("success", f"Loaded the uploaded scenario **{md(uploads.safe_name(toml.name))}**.")


def _on_weather_upload() -> None:
    f = st.session_state.get("up_weather")
    if f is None:
        return
    with noted_errors("use the weather file", _notes()):
        path = uploads.accept_upload(f.name, f.getvalue(), "weather", state.session_dir())
        view = caching.climate_view(str(path))
        raw = site_switch.with_climate(state.scenario_data(), str(path)).data
        state.current_scenario(raw)
        state.update_scenario(raw)
        files = st.session_state.setdefault(site_controls.WEATHER_FILES, [])
        if str(path) not in files:
            files.append(str(path))
        _note(
            "success",
            f"Weather from **{md(uploads.safe_name(f.name))}** ({md(view['name'])}) is "
            "now the site's climate.",
        )
        lat, lon = view["latitude"], view["longitude"]
        site = raw["site"]
        if abs(lat - site["latitude"]) > 1 or abs(lon - site["longitude"]) > 1:
            _note(
                "info",
                f"The weather file's station is at {lat:.2f}°, {lon:.2f}°; the site stays at "
                f"{site['latitude']:.2f}°, {site['longitude']:.2f}° in {md(site['timezone'])} "
                "(a scenario file sets both).",
            )


def _on_series_upload(kind: str) -> None:
    f = st.session_state.get(f"up_{kind}")
    if f is None:
        return
    from scenarios.importers import read_carbon, read_price

    with noted_errors(f"use the {kind} file", _notes()):
        path = uploads.accept_upload(f.name, f.getvalue(), kind, state.session_dir())
        raw = state.scenario_data()
        tz = raw["site"]["timezone"]
        timestamps = st.session_state.get(f"{kind}_timestamps", "utc")
        fill = st.session_state.get(f"{kind}_fill", "error")
        if kind == "carbon":
            column = st.session_state.get("carbon_column", "direct")
            read_carbon(path, column=column, naive=timestamps, tz=tz)
            carbon = {"source": "file", "file": str(path), "column": column,
                      "timestamps": timestamps, "fill": fill}  # fmt: skip
            switched = site_switch.with_carbon(raw, carbon)
        else:
            unit = st.session_state.get("price_unit") or None
            unit = None if unit == "from header" else unit
            imported = read_price(path, naive=timestamps, tz=tz, unit=unit)
            old = raw["grid"].get("price", {})
            demand = old.get("demand_charge_per_kw_month")
            if old.get("source") == "tou" and demand is None:
                _note(
                    "info",
                    f"The demand charge of the tariff {md(old.get('tariff'))} no longer applies; "
                    "a scenario file can set grid.price.demand_charge_per_kw_month.",
                )
            price = {"source": "file", "file": str(path), "timestamps": timestamps, "fill": fill}
            if unit:
                price["unit"] = unit
            if demand is not None:
                price["demand_charge_per_kw_month"] = demand
            # the file's currency, when its header names one (a note says it changed)
            switched = site_switch.with_price(raw, price, imported.currency or None)
        state.current_scenario(switched.data)
        state.update_scenario(switched.data)
        for note in switched.notes:
            _note("info", md(note))
        _note("success", f"Hourly {kind} from **{md(uploads.safe_name(f.name))}** is now used.")


def _picker() -> None:
    names = example_names()
    label = state.scenario_label()
    if PICK not in st.session_state:
        current = label.split("'")[1] if label.startswith("built-in") else None
        st.session_state[PICK] = current if current in names else None
    st.selectbox(
        "Start from a built-in scenario",
        names,
        key=PICK,
        on_change=_load_example,
        placeholder="(an uploaded scenario is loaded)",
        help="Loading a scenario replaces the one being edited, pods and workload included.",
    )


def _uploaders() -> None:
    limit = f"Up to {uploads.MAX_UPLOAD_MB} MB each."
    st.file_uploader(
        "Scenario TOML, with the weather / carbon / price / jobs files it names",
        type=["toml", "epw", "csv", "tm2"],
        accept_multiple_files=True,
        key="up_scenario",
        on_change=_on_scenario_upload,
        help=f"{limit} File paths in the scenario are matched by file name to the files "
        "uploaded with it; the app never reads a path on the server.",
    )
    st.file_uploader(
        "Weather file (EPW, TMY3 .csv or TMY2 .tm2) for the current scenario",
        type=["epw", "csv", "tm2"],
        key="up_weather",
        on_change=_on_weather_upload,
        help=f"{limit} A typical year of 8760 hours.",
    )
    left, right = st.columns(2)
    with left:
        st.selectbox(
            "Carbon column (Electricity Maps)", choices(Carbon, "column"), key="carbon_column"
        )
        st.selectbox(
            "Naive carbon timestamps are", choices(Carbon, "timestamps"), key="carbon_timestamps"
        )
        st.selectbox("Missing carbon hours", choices(Carbon, "fill"), key="carbon_fill")
        st.file_uploader(
            "Hourly carbon intensity CSV",
            type=["csv"],
            key="up_carbon",
            on_change=_on_series_upload,
            args=("carbon",),
            help=f"{limit} An Electricity Maps export or timestamp,value in g/kWh.",
        )
    with right:
        st.selectbox("Price unit", ["from header", *choices(Price, "unit")], key="price_unit")
        st.selectbox(
            "Naive price timestamps are", choices(Price, "timestamps"), key="price_timestamps"
        )
        st.selectbox("Missing price hours", choices(Price, "fill"), key="price_fill")
        st.file_uploader(
            "Hourly price CSV",
            type=["csv"],
            key="up_price",
            on_change=_on_series_upload,
            args=("price",),
            help=f"{limit} E.g. Datetime,Price (EUR/MWh).",
        )


def _site_facts(scenario) -> None:
    site = scenario.site
    facts = pd.DataFrame(
        {
            site.name: [
                f"{site.latitude:.3f}°, {site.longitude:.3f}°",
                site.timezone,
                uploads.safe_name(site.climate) if "/" in site.climate else site.climate,
                f"{scenario.horizon.start:%Y-%m-%d %H:%M}, {scenario.horizon.hours} h",
                ", ".join(f"{p.name} ({p.cooling.replace('_', ' ')})" for p in scenario.pods),
            ]
        },
        index=["latitude, longitude", "time zone", "climate", "horizon", "halls"],
    )
    st.markdown(tables.markdown_table(facts))
    if st.toggle("Show on a map", key="site_map",
                 help="The base map loads from the internet."):  # fmt: skip
        st.map(
            pd.DataFrame({"lat": [site.latitude], "lon": [site.longitude]}),
            zoom=3,
            height=300,
            size=40000,
        )


def _climate(scenario) -> None:
    climate = scenario.site.climate
    st.markdown("**Monthly dry-bulb and wet-bulb temperature**")
    view = caching.climate_view(climate)
    st.vega_lite_chart(*charts.climate_chart(view["monthly"]), key="climate_chart")
    st.caption(f"Weather: {md(view['source'])}")


def _design_figures(scenario) -> None:
    """The climate's design figures, four side by side across the page."""
    d = caching.climate_view(scenario.site.climate)["design"]
    cols = st.columns(4)
    cols[0].metric("Mean dry-bulb", f"{d['mean_dry_bulb_c']:.1f} °C")
    cols[1].metric(
        "Dry-bulb 0.4 %",
        f"{d['dry_bulb_0p4_c']:.1f} °C",
        help="Exceeded in 0.4 % of the hours (ASHRAE annual design condition).",
    )
    cols[2].metric(
        "Wet-bulb 0.4 %",
        f"{d['wet_bulb_0p4_c']:.1f} °C",
        help="Exceeded in 0.4 % of the hours; sizes cooling towers.",
    )
    cols[3].metric(
        "Wet-bulb < 10 °C",
        f"{d['hours_below_10c_wet_bulb']:,.0f} h",
        help="Hours per year with a wet-bulb below 10 °C: a rough count of the "
        "hours open to water-side free cooling.",
    )


def _grid(scenario) -> None:
    from scenarios.inputs import resolve_inputs

    site_controls.what_ifs(state.scenario_data())
    inputs = resolve_inputs(scenario)
    frame = inputs.frame
    st.session_state[site_controls.MEANS] = {
        "carbon_g_per_kwh": float(frame["carbon_g_per_kwh"].mean()),
        "price_per_kwh": float(frame["price_per_kwh"].mean()),
        "demand_charge_per_kw_month": float(inputs.demand_charge_per_kw_month),
    }
    cols = st.columns([1, 1.1, 1.4])  # the demand charge's unit is the longest
    cols[0].metric("Mean carbon intensity", f"{frame['carbon_g_per_kwh'].mean():.0f} g/kWh")
    currency = md(inputs.currency)  # metric values are Markdown too
    cols[1].metric("Mean energy price", f"{frame['price_per_kwh'].mean():.3f} {currency}/kWh")
    cols[2].metric("Demand charge", f"{inputs.demand_charge_per_kw_month:g} {currency}/kW/month")
    hours = len(frame)
    st.markdown(f"**Hour by hour** over the {hours:,} h horizon (site local time)")
    charts_ = site_charts.hourly_charts(frame, inputs.currency)
    for (data, spec), name in zip(charts_, ("carbon", "price", "carbon_free"), strict=False):
        st.vega_lite_chart(data, spec, key=f"grid_{name}_chart", width="stretch")
    # one Markdown list per block rather than an element per line: each element is a
    # message the browser renders on its own; the texts (from tariffs and files) escaped,
    # never read as Markdown or LaTeX
    st.markdown(
        "\n".join(
            f"- **{md(what.replace('_', ' '))}**: {md(text)}"
            for what, text in inputs.sources.items()
            if what != "weather"  # under the climate chart
        )
    )
    if inputs.notes or inputs.assumptions:
        with st.expander("Notes and assumptions of these inputs"):
            notes = inputs.notes + inputs.assumptions
            st.markdown("\n".join(f"- {md(text)}" for text in notes))


def render() -> None:
    state.ensure_scenario()
    st.title("Site")
    for kind, text in st.session_state.pop(NOTES, []):
        getattr(st, kind)(text)
    top = st.columns([2, 3])
    with top[0]:
        _picker()
    with top[1]:
        st.caption(f"Editing: {md(state.scenario_label())}")
    # A toggle rather than an expander: the uploaders are built only when asked for, so
    # the first page has less to draw.
    if st.toggle("Upload your own scenario or data", key=UPLOADS):
        with st.container(border=True):
            _uploaders()
    with shown_errors("read the scenario"):
        scenario = state.current_scenario()
        if scenario.description:
            st.caption(md(scenario.description))
    st.subheader("Where this design runs")
    st.caption(
        "Each picker changes only its part of the scenario: halls, pods, workload and "
        "assets stay as they are. The built-in scenario above replaces everything."
    )
    site_controls.pickers()
    with shown_errors("read the scenario"):
        scenario = state.current_scenario()
        left, right = st.columns([2, 3])
        with left, shown_errors("show the site"):
            _site_facts(scenario)
        with right, shown_errors("summarise the climate"):
            _climate(scenario)
        with shown_errors("summarise the climate"):
            _design_figures(scenario)
        st.subheader("Grid carbon and price over the horizon")
        with shown_errors("resolve the hourly carbon and price"):
            _grid(scenario)


if __name__ == "__main__":
    render()

"""Cached computations of the app (``st.cache_data``): weather, year simulations, runs.

The scenario layer's heavier modules are imported inside the functions, so that a page
is drawn before they load (the first page of a fresh server comes up faster).

Arguments are plain text (a scenario as JSON, a climate name or file path with the file's
hash), so cache keys are cheap to hash and a change anywhere in the scenario is a new
key. The results are small tables, except for runs, which are kept only a few at a time.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scenarios.schema import Scenario


@st.cache_data(max_entries=32, show_spinner=False)
def climate_view(climate: str) -> dict:
    """Monthly summary, design conditions and provenance of a climate.

    A climate name or an uploaded file's path as the cache key: uploads are saved in a
    folder named by their content hash (ui.uploads.save_upload), so a path stands for
    one content, and the app reads no other files.
    """
    from scenarios import explore

    weather = explore.load_weather(climate)
    attrs = weather.attrs
    return {
        "monthly": explore.climate_summary(weather),
        "design": explore.design_conditions(weather),
        "source": str(attrs.get("source", climate)),
        "name": str(attrs.get("name", climate)),
        "latitude": float(attrs.get("latitude", float("nan"))),
        "longitude": float(attrs.get("longitude", float("nan"))),
    }


def scenario_key(scenario: Scenario) -> str:
    return scenario.model_dump_json()


@st.cache_data(max_entries=32, show_spinner=False)
def halls_view(scenario_json: str) -> dict:
    """Full-year thermal comparison of a scenario's pods at their inference load.

    Returns
    -------
    dict
        problems (pod -> message), table (:func:`scenarios.explore.technology_table`),
        energy (by component), modes (cooling-mode hours), grids (pod or "site" ->
        day x hour PUE), year (the calendar year simulated).
    """
    from scenarios import explore

    scenario = Scenario.model_validate_json(scenario_json)
    problems = explore.pod_problems(scenario)
    if len(problems) == len(scenario.pods):
        return {"problems": problems, "table": None}
    frames, site = explore.simulate_year(scenario)
    grids = {name: explore.pue_grid(frame) for name, frame in frames.items()}
    grids["site"] = explore.pue_grid(site)
    return {
        "problems": problems,
        "table": explore.technology_table(scenario, frames),
        "energy": explore.energy_by_component(frames),
        "modes": explore.cooling_mode_hours(frames),
        "grids": grids,
        "year": int(site.index[0].year),
        "site_pue": float(site["facility_kw"].sum() / site["it_kw"].sum()),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def baseline_run(scenario_json: str, optimize: bool, time_limit_s: float):
    """A run of a scenario (cached, for comparisons); see :func:`scenarios.run.run_scenario`."""
    from scenarios.run import run_scenario

    scenario = Scenario.model_validate_json(scenario_json)
    return run_scenario(scenario, optimize=optimize, time_limit_s=time_limit_s)


@st.cache_data(max_entries=8, show_spinner=False)
def jobs_preview(scenario_json: str) -> pd.DataFrame:
    """The jobs a scenario would schedule (generated or read from its CSV)."""
    from scenarios.inputs import horizon_hours
    from scenarios.run import load_jobs

    scenario = Scenario.model_validate_json(scenario_json)
    return load_jobs(scenario, horizon_hours(scenario))


@st.cache_data(max_entries=16, show_spinner=False)
def generation_view(scenario_json: str) -> pd.DataFrame:
    """The on-site generation of a scenario over its horizon
    (:func:`scenarios.explore.assets.generation_summary`; raises what the run would)."""
    from scenarios.explore.assets import generation_summary

    return generation_summary(Scenario.model_validate_json(scenario_json))


@st.cache_data(show_spinner="Reading windpowerlib's turbine library…")
def turbine_types() -> list[str]:
    """Turbine types of windpowerlib's library (read once; windpowerlib loads slowly)."""
    from scenarios.explore.assets import turbine_types as library_types

    return library_types()


def clear() -> None:
    """Forget every cached result (tests call this between apps)."""
    st.cache_data.clear()

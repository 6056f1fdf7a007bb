"""Storage and on-site power on the Workload page: a battery, a cold tank, PV and wind
turbines, and whether surplus generation is exported, as controls that edit the scenario
the page runs (``[storage.battery]``, ``[storage.cold]``, ``[onsite.pv]``,
``[onsite.wind]``, ``[onsite]``; docs/scenarios.md).

A size of 0 is no asset: the section leaves the scenario. The fields the controls do not
show (round-trip efficiency, the tank's pods, PV tilt, a power curve, ...) keep the values
of the scenario as loaded; a plant read from a generation file (``csv``) is shown, not
edited. The pure part (:func:`asset_settings`, :func:`with_assets`) is what the tests
check; :func:`section` draws the controls.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace

import streamlit as st

from scenarios.schema import (
    MAX_HUB_HEIGHT_M,
    MAX_PV_KWP,
    MAX_STORAGE_KW,
    MAX_STORAGE_KWH,
    MIN_HUB_HEIGHT_M,
)
from ui import caching, state, uploads
from ui.tables import markdown_text as md

#: The turbine offered first: a common 2.3 MW onshore type of windpowerlib's library
#: (82 m rotor, hubs of 78-138 m).
DEFAULT_TURBINE = "E-82/2300"
#: Hub height offered first [m]: above half the rotor of every library turbine (V164: 82 m).
DEFAULT_HUB_HEIGHT_M = 100.0
#: Export price offered first, as a share of each hour's import price [-]: the example of
#: docs/scenarios.md (a judgement, not a tariff: feed-in prices are typically well below
#: the retail price).
DEFAULT_EXPORT_SHARE = 0.4
#: The turbine choice that stands for the scenario's own power curve.
POWER_CURVE = "power curve of the scenario"
#: Session key prefix of the scenario's asset sections as loaded (hidden fields kept).
BASE = "assets_base"


@dataclass(frozen=True)
class AssetSettings:
    """What the controls set [kWh, kW, kWh_th, kW_th, kWp, -, m, -]; 0 is no asset."""

    battery_energy_kwh: float = 0.0
    battery_power_kw: float = 0.0
    cold_capacity_kwh_th: float = 0.0
    cold_power_kw_th: float = 0.0
    pv_kwp: float = 0.0
    wind_count: int = 0
    wind_turbine: str = DEFAULT_TURBINE
    wind_hub_height_m: float = DEFAULT_HUB_HEIGHT_M
    export: bool = False
    export_price_share: float = DEFAULT_EXPORT_SHARE
    #: a fixed export price [currency/kWh] when the scenario gives one (else None: share)
    export_price_per_kwh: float | None = None
    #: generation files the scenario reads instead of the models (shown, not edited)
    pv_csv: str | None = None
    wind_csv: str | None = None


def _sections(raw: dict) -> tuple[dict, dict, dict, dict, dict]:
    storage = raw.get("storage") or {}
    onsite = raw.get("onsite") or {}
    return (storage.get("battery") or {}, storage.get("cold") or {}, onsite,
            onsite.get("pv") or {}, onsite.get("wind") or {})  # fmt: skip


def asset_settings(raw: dict) -> AssetSettings:
    """The control values that describe raw scenario data (absent sections: 0)."""
    battery, cold, onsite, pv, wind = _sections(raw)
    if wind.get("csv"):
        count = 0
    elif wind:
        count = 1 if wind.get("count") is None else int(wind["count"])  # the model's default
    else:
        count = 0
    turbine = POWER_CURVE if wind.get("power_curve") else str(wind.get("turbine") or DEFAULT_TURBINE)
    fixed = onsite.get("export_price_per_kwh")
    share = onsite.get("export_price_share")
    return AssetSettings(
        battery_energy_kwh=float(battery.get("energy_kwh", 0.0)),
        battery_power_kw=float(battery.get("power_kw", 0.0)),
        cold_capacity_kwh_th=float(cold.get("capacity_kwh_th", 0.0)),
        cold_power_kw_th=float(cold.get("power_kw_th", 0.0)),
        pv_kwp=0.0 if pv.get("csv") else float(pv.get("kwp") or 0.0),
        wind_count=count,
        wind_turbine=turbine,
        wind_hub_height_m=float(wind.get("hub_height_m") or DEFAULT_HUB_HEIGHT_M),
        export=bool(onsite.get("export", False)),
        export_price_share=DEFAULT_EXPORT_SHARE if share is None else float(share),
        export_price_per_kwh=None if fixed is None else float(fixed),
        pv_csv=pv.get("csv"),
        wind_csv=wind.get("csv"),
    )


def _sized(base: dict, **sizes) -> dict | None:
    """``base`` with ``sizes``, or None (no asset) when any size is 0."""
    if not all(v > 0 for v in sizes.values()):
        return None
    return {**copy.deepcopy(base), **sizes}


def with_assets(raw: dict, settings: AssetSettings, base: dict | None = None) -> dict:
    """A copy of raw scenario data with its assets as the controls set them.

    Parameters
    ----------
    raw : dict
        The scenario being edited.
    settings : AssetSettings
        The controls' values; a size of 0 removes the asset's section.
    base : dict, optional
        The scenario as loaded (default ``raw``): an asset whose controls still show its
        values keeps its section exactly as written there, and a changed one keeps the
        fields the controls do not show. A plant read from a generation file is kept.

    Returns
    -------
    dict
        Raw scenario data (``storage`` and ``onsite`` left out when they hold nothing).
    """
    base = raw if base is None else base
    was = asset_settings(base)
    b_battery, b_cold, b_onsite, b_pv, b_wind = _sections(base)
    s = settings

    def kept(fields: tuple[str, ...], section: dict, make):
        same = all(getattr(s, f) == getattr(was, f) for f in fields)
        return (copy.deepcopy(section) or None) if same else make()

    battery = kept(("battery_energy_kwh", "battery_power_kw"), b_battery, lambda: _sized(
        b_battery, energy_kwh=s.battery_energy_kwh, power_kw=s.battery_power_kw))
    cold = kept(("cold_capacity_kwh_th", "cold_power_kw_th"), b_cold, lambda: _sized(
        b_cold, capacity_kwh_th=s.cold_capacity_kwh_th, power_kw_th=s.cold_power_kw_th))
    if was.pv_csv:
        pv = copy.deepcopy(b_pv)
    else:
        pv = kept(("pv_kwp",), b_pv, lambda: _sized(b_pv, kwp=s.pv_kwp))
    if was.wind_csv:
        wind = copy.deepcopy(b_wind)
    else:
        wind = kept(("wind_count", "wind_turbine", "wind_hub_height_m"), b_wind,
                    lambda: _wind(b_wind, s))
    export_fields = ("export", "export_price_share", "export_price_per_kwh")
    if not (pv or wind):  # nothing to export (the scenario refuses export without it)
        export = {}
    elif all(getattr(s, f) == getattr(was, f) for f in export_fields):
        export = {k: copy.deepcopy(v) for k, v in b_onsite.items() if k not in ("pv", "wind")}
    elif s.export:
        price = ({"export_price_per_kwh": s.export_price_per_kwh}
                 if s.export_price_per_kwh is not None
                 else {"export_price_share": s.export_price_share})
        export = {"export": True, **price}
    else:
        export = {}

    out = copy.deepcopy(raw)
    storage = {k: v for k, v in (("battery", battery), ("cold", cold)) if v is not None}
    onsite = {**{k: v for k, v in (("pv", pv), ("wind", wind)) if v}, **export}
    for name, section in (("storage", storage), ("onsite", onsite)):
        if section:
            out[name] = section
        else:
            out.pop(name, None)
    return out


def _wind(base: dict, s: AssetSettings) -> dict | None:
    if s.wind_count <= 0:
        return None
    out = copy.deepcopy(base)
    if s.wind_turbine == POWER_CURVE and out.get("power_curve"):
        out.pop("turbine", None)
    else:
        out.pop("power_curve", None)
        out["turbine"] = s.wind_turbine
    out.update(hub_height_m=s.wind_hub_height_m, count=int(s.wind_count))
    return out


def without_assets(raw: dict) -> dict:
    """A copy of raw scenario data without its asset sections (what the jobs rest on)."""
    return {k: copy.deepcopy(v) for k, v in raw.items() if k not in ("storage", "onsite")}


# --------------------------------------------------------------------------- widgets


def _key(name: str) -> str:
    return f"as_{name}_{state.version()}"


def _widget(fn, label: str, name: str, default, **kw):
    """A widget whose first value comes from the scenario (keys reset with the scenario)."""
    key = _key(name)
    if key not in st.session_state:
        st.session_state[key] = default
    return fn(label, key=key, **kw)


#: Slider ranges as multiples of the hall's IT design power (judgement: a battery or tank
#: holding up to 8 h of the IT power, charging at up to twice it, PV of up to 4 x the IT
#: power cover the what-ifs
#: planners ask; a scenario's own larger size widens its slider).
SLIDER_HOURS = 8.0
SLIDER_POWER_SHARE = 2.0
SLIDER_PV_SHARE = 4.0
#: Steps per slider (judgement: fine enough to find a knee, coarse enough to drag).
SLIDER_STEPS = 40
#: Wind turbines a slider offers (judgement: a site-scale wind farm; a scenario's own
#: larger count widens it).
SLIDER_TURBINES = 20


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at or above ``value`` (> 0)."""
    if value <= 0:
        return 1.0
    exponent = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * exponent >= value * (1 - 1e-12):
            return m * exponent
    return 10.0 * exponent


def slider_range(scale_kw: float, value: float, limit: float) -> tuple[float, float]:
    """(top, step) of a size slider: ``scale_kw`` (a multiple of the hall's IT power)
    rounded up to a nice number, at least the scenario's own ``value``, at most the
    schema's ``limit``; the step a nice 1/:data:`SLIDER_STEPS` of it."""
    top = min(nice_ceiling(max(scale_kw, value, 1.0)), limit)
    return float(top), float(max(nice_ceiling(top / SLIDER_STEPS), 1.0))


def site_it_kw(raw: dict) -> float:
    """The hall's IT design power, sum of racks x rack kW over the pods [kW]."""
    total = 0.0
    for pod in raw.get("pods") or []:
        try:
            total += float(pod.get("racks", 0)) * float(pod.get("rack_kw", 0))
        except (TypeError, ValueError):
            continue
    return total


def _size(label: str, name: str, value: float, scale_kw: float, limit: float, help: str):
    top, step = slider_range(scale_kw, value, limit)
    return _widget(st.slider, label, name, float(min(max(value, 0.0), top)),
                   min_value=0.0, max_value=top, step=step, format="%.0f", help=help)


def _both_or_none(what: str, a: float, b: float) -> None:
    if (a > 0) != (b > 0):
        st.caption(f"A {what} needs both sizes above 0; with one at 0 the site has none.")


def _turbine_options(current: str, needed: bool, has_curve: bool) -> list[str]:
    """The turbine choices: the library's (loaded only once wind is asked for, as it takes
    a second or two), the scenario's own, and its power curve if it has one."""
    names = caching.turbine_types() if needed else []
    options = sorted({*names, current} - {POWER_CURVE})
    return [POWER_CURVE, *options] if has_curve else options


def _controls(was: AssetSettings, has_curve: bool, currency: str, it_kw: float) -> AssetSettings:
    """The widgets: a slider per size, scaled to the hall's IT power ``it_kw`` [kW]."""
    energy_kwh, power_kw = SLIDER_HOURS * it_kw, SLIDER_POWER_SHARE * it_kw
    c = st.columns(4)
    with c[0]:
        st.markdown("**Battery**")
        energy = _size("Battery energy [kWh]", "battery_energy", was.battery_energy_kwh,
                       energy_kwh, MAX_STORAGE_KWH,
                       "Usable energy between empty and full. 0: none.")
        power = _size("Battery power [kW]", "battery_power", was.battery_power_kw,
                      power_kw, MAX_STORAGE_KW, "Largest charge and discharge power (AC side).")
        _both_or_none("battery", energy, power)
    with c[1]:
        st.markdown("**Cold tank** (chilled water)")
        capacity = _size("Tank capacity [kWh_th]", "cold_capacity", was.cold_capacity_kwh_th,
                         energy_kwh, MAX_STORAGE_KWH,
                         "Usable cold when full, charged by the pods' chillers. 0: none.")
        rate = _size("Tank power [kW_th]", "cold_power", was.cold_power_kw_th, power_kw,
                     MAX_STORAGE_KW, "Largest charge and discharge rate.")
        _both_or_none("cold tank", capacity, rate)
    with c[2]:
        st.markdown("**PV**")
        if was.pv_csv:
            st.caption(f"PV output from the generation file {md(uploads.safe_name(was.pv_csv))}.")
            kwp = 0.0
        else:
            kwp = _size("PV size [kWp]", "pv_kwp", was.pv_kwp, SLIDER_PV_SHARE * it_kw,
                        MAX_PV_KWP,
                        "DC nameplate; output from the site's weather (PVWatts). 0: none.")
    with c[3]:
        st.markdown("**Wind**")
        if was.wind_csv:
            st.caption(
                f"Wind output from the generation file {md(uploads.safe_name(was.wind_csv))}."
            )
            count, turbine, hub = 0, was.wind_turbine, was.wind_hub_height_m
        else:
            turbines = int(max(SLIDER_TURBINES, was.wind_count))
            count = _widget(st.slider, "Wind turbines", "wind_count",
                            min(was.wind_count, turbines), min_value=0,
                            max_value=turbines, step=1,
                            help="Identical turbines, no wake losses. 0: none.")
            options = _turbine_options(was.wind_turbine, count > 0 or was.wind_count > 0,
                                       has_curve)
            turbine = _widget(st.selectbox, "Turbine type", "wind_turbine", was.wind_turbine,
                              options=options, disabled=count == 0,
                              help="A turbine of windpowerlib's library (its power curve).")
            hub = _widget(st.number_input, "Hub height [m]", "wind_hub",
                          min(max(was.wind_hub_height_m, MIN_HUB_HEIGHT_M), MAX_HUB_HEIGHT_M),
                          min_value=MIN_HUB_HEIGHT_M, max_value=MAX_HUB_HEIGHT_M, step=5.0,
                          format="%.0f", disabled=count == 0,
                          help="Above half the rotor diameter.")
    generation = kwp > 0 or count > 0 or bool(was.pv_csv or was.wind_csv)
    left, right = st.columns([1, 3])
    with left:
        export = _widget(st.toggle, "Export surplus generation", "export", was.export,
                         disabled=not generation,
                         help="Off: generation the site cannot use or store is curtailed.")
    with right:
        if was.export_price_per_kwh is not None:
            fixed = _widget(st.number_input, f"Export price [{currency}/kWh]", "export_fixed",
                            was.export_price_per_kwh, min_value=-1000.0, max_value=1000.0,
                            step=0.01, format="%.3f", disabled=not (generation and export))
            share = was.export_price_share
        else:
            fixed = None
            percent = _widget(st.slider, "Export price [% of the hour's import price]",
                              "export_share", round(100 * was.export_price_share),
                              min_value=0, max_value=100, step=5, format="%d %%",
                              disabled=not (generation and export))
            share = percent / 100
    return replace(
        was,
        battery_energy_kwh=float(energy), battery_power_kw=float(power),
        cold_capacity_kwh_th=float(capacity), cold_power_kw_th=float(rate),
        pv_kwp=float(kwp), wind_count=int(count), wind_turbine=str(turbine),
        wind_hub_height_m=float(hub), export=bool(export), export_price_share=float(share),
        export_price_per_kwh=None if fixed is None else float(fixed),
    )  # fmt: skip


def _generation(scenario) -> None:
    """What the scenario's PV and wind give over the horizon (errors as the run's)."""
    view = caching.generation_view(caching.scenario_key(scenario))
    if view.empty:
        return
    hours = scenario.horizon.hours
    names = {"pv": "PV", "wind": "Wind"}
    st.markdown("\n".join(
        f"- **{names[plant]}**: {row['energy_mwh']:,.1f} MWh over the {hours} h horizon, "
        f"peak {row['peak_kw']:,.0f} kW, mean {row['mean_kw']:,.0f} kW"
        for plant, row in view.iterrows()
    ))  # fmt: skip
    with st.expander("How the generation is modelled"):
        st.markdown("\n".join(
            f"- **{names[plant]}**: {md(row['source'])}" for plant, row in view.iterrows()
        ))  # fmt: skip


def section(validate: bool = True) -> None:
    """The controls; stores their edit in the scenario, then (``validate``) checks the
    whole scenario and models its generation, raising what the run would refuse."""
    st.subheader("Storage and on-site power")
    st.caption(
        "0 means none. The MILP runs these assets with the jobs; ASAP and greedy run the "
        "same assets by the baselines' rule (charge in the day's cheapest hours, discharge "
        "in its dearest), so the savings compare operation as well as timing. Other "
        "settings (round-trip efficiency, state-of-charge band, the tank's pods, PV tilt) "
        "come from the scenario file or the libraries' defaults (docs/scenarios.md)."
    )
    base_key = f"{BASE}_{state.version()}"
    if base_key not in st.session_state:
        st.session_state[base_key] = state.scenario_data()
    base = st.session_state[base_key]
    raw = state.scenario_data()
    loaded = asset_settings(base)  # the widgets' first values, and which controls to offer
    has_curve = bool(((base.get("onsite") or {}).get("wind") or {}).get("power_curve"))
    currency = str((raw.get("grid") or {}).get("currency", "USD"))
    settings = _controls(loaded, has_curve, currency, site_it_kw(raw))
    edited = with_assets(raw, settings, base)
    if edited != raw:
        state.update_scenario(edited)
    if validate:
        _generation(state.current_scenario())

"""The Site page's own controls: the climate, grid carbon and electricity price pickers,
each switching only that part of the scenario (:mod:`scenarios.site_switch`: halls, pods,
workload and assets kept), and the carbon price and contracted renewables.

Every control reads its value off the scenario on each run (so an upload or a loaded
scenario shows in it at once) and writes through a callback that validates the whole
scenario, as a TOML file is, before storing it; a refused value is a message and the
scenario stays as it was. The pure part (:func:`carbon_choice`, :func:`price_choice`,
:func:`carbon_spec`, :func:`price_spec`, :func:`climate_options`) is what the unit tests
check.
"""

from __future__ import annotations

import streamlit as st

from scenarios import site_switch
from scenarios.grid_factors import GRID_FACTORS
from scenarios.loading import apply_settings, is_climate_name
from scenarios.schema import (
    MAX_CARBON_G_PER_KWH,
    MAX_CARBON_PRICE_PER_T,
    MAX_DEMAND_CHARGE_PER_KW_MONTH,
    MAX_PRICE_PER_KWH,
)
from scenarios.tariffs import TARIFFS
from ui import state, uploads
from ui.errors import noted_errors
from ui.tables import markdown_text as md

NOTES = "site_notes"
CLIMATE, CARBON, PRICE = "site_climate", "site_carbon", "site_price"
CARBON_G, FLAT, DEMAND, CURRENCY = "site_carbon_g", "site_flat", "site_demand", "site_currency"
CARBON_PRICE, RENEWABLES = "site_carbon_price", "site_renewables_pct"
#: Weather files uploaded in this session (the climate picker offers them).
WEATHER_FILES = "site_weather_files"
#: Means of the hourly inputs last shown (a constant intensity or a flat price starts at
#: them): {"carbon_g_per_kwh", "price_per_kwh", "demand_charge_per_kw_month"}.
MEANS = "site_means"
#: Picker choices beside the built-in factors and tariffs.
CONSTANT, FLAT_PRICE, FILE = "constant", "flat", "file"
#: Currencies a flat price is offered in (the scenario's own is added).
CURRENCIES = ("CNY", "USD", "EUR")
#: Intensity a constant starts at without a mean shown [g/kWh]: the China national
#: average 2023 (scenarios.grid_factors, cn-national-2023), rounded.
DEFAULT_CONSTANT_G_PER_KWH = 530.0


# --------------------------------------------------------------------------- pure


def carbon_choice(raw: dict) -> str:
    """The carbon picker's value for raw scenario data: a factor key, constant or file."""
    carbon = (raw.get("grid") or {}).get("carbon") or {}
    source = carbon.get("source", "factor")
    return str(carbon.get("factor")) if source == "factor" else source


def price_choice(raw: dict) -> str:
    """The price picker's value: a tariff key, flat or file."""
    price = (raw.get("grid") or {}).get("price") or {}
    source = price.get("source", "flat")
    return str(price.get("tariff")) if source == "tou" else source


def climate_options(raw: dict, uploaded: list[str]) -> list[str]:
    """The climate picker's values: built-in climates, the session's weather uploads and
    the scenario's own climate (a file loaded with an uploaded scenario)."""
    options = [c.key for c in site_switch.climate_choices()]
    current = str(raw["site"]["climate"])
    current = current.strip().lower() if is_climate_name(current) else current
    for value in (*uploaded, current):
        if value not in options:
            options.append(value)
    return options


def carbon_spec(choice: str, raw: dict, g_per_kwh: float | None = None,
                means: dict | None = None) -> dict | None:  # fmt: skip
    """The ``grid.carbon`` table a carbon choice stands for (None: keep the file in use).

    ``g_per_kwh`` is the constant's intensity [g/kWh] (default: the scenario's own
    constant, else the mean of ``means`` (:data:`MEANS`), else
    :data:`DEFAULT_CONSTANT_G_PER_KWH`).
    """
    if choice == FILE:
        return None
    if choice != CONSTANT:
        return {"source": "factor", "factor": choice}
    if g_per_kwh is None:
        old = raw["grid"]["carbon"]
        mean = (means or {}).get("carbon_g_per_kwh")
        g_per_kwh = (old.get("g_per_kwh") if old.get("source") == CONSTANT else None) or (
            round(float(mean)) if mean else DEFAULT_CONSTANT_G_PER_KWH)  # fmt: skip
    return {"source": "constant", "g_per_kwh": float(g_per_kwh)}


def price_spec(choice: str, raw: dict, flat_per_kwh: float | None = None,
               demand_per_kw_month: float | None = None,
               means: dict | None = None) -> dict | None:  # fmt: skip
    """The ``grid.price`` table a price choice stands for (None: keep the file in use).

    A flat price [currency/kWh] and its demand charge [currency/kW/month] start at the
    scenario's own flat values, else at the mean price and demand charge of ``means``
    (:data:`MEANS`: needed then). A flat table's other fields (note, billing) are kept.
    """
    if choice == FILE:
        return None
    if choice != FLAT_PRICE:
        return {"source": "tou", "tariff": choice}
    old = raw["grid"]["price"]
    means = means or {}
    base = dict(old) if old.get("source") == FLAT_PRICE else {"source": FLAT_PRICE}
    if flat_per_kwh is None:
        flat_per_kwh = base.get("flat_per_kwh", round(float(means["price_per_kwh"]), 4))
    if demand_per_kw_month is None:
        demand_per_kw_month = base.get("demand_charge_per_kw_month",
                                       means.get("demand_charge_per_kw_month", 0.0))
    base["flat_per_kwh"] = float(flat_per_kwh)
    if demand_per_kw_month:
        base["demand_charge_per_kw_month"] = float(demand_per_kw_month)
    else:
        base.pop("demand_charge_per_kw_month", None)
    return base


# --------------------------------------------------------------------------- callbacks


def _notes() -> list:
    return st.session_state.setdefault(NOTES, [])


def _store(action: str, switch, success: str | None = None) -> bool:
    """Validate ``switch.data`` as the whole scenario, store it and note ``success``
    (Markdown) and its notes; a refusal is a message and changes nothing."""
    with noted_errors(action, _notes()):
        state.current_scenario(switch.data)
        state.update_scenario(switch.data)
        if success:
            _notes().append(("success", success))
        _notes().extend(("info", md(note)) for note in switch.notes)
        return True
    return False


def _on_climate() -> None:
    climate = st.session_state[CLIMATE]
    with noted_errors("switch the climate", _notes()):
        raw = state.scenario_data()
        switch = site_switch.with_climate(raw, climate, site_switch.climate_location(climate))
        _store("switch the climate", switch, f"Climate: **{md(_climate_label(climate))}**. "
               "Halls, pods, workload and assets kept.")  # fmt: skip


def _means() -> dict:
    """:data:`MEANS` as last shown, else of the scenario's hourly inputs now."""
    means = st.session_state.get(MEANS)
    if not means:
        from scenarios.inputs import resolve_inputs

        inputs = resolve_inputs(state.current_scenario())
        means = {"carbon_g_per_kwh": float(inputs.frame["carbon_g_per_kwh"].mean()),
                 "price_per_kwh": float(inputs.frame["price_per_kwh"].mean()),
                 "demand_charge_per_kw_month": float(inputs.demand_charge_per_kw_month)}  # fmt: skip
        st.session_state[MEANS] = means
    return means


def _on_carbon(choice_key: str = CARBON) -> None:
    raw = state.scenario_data()
    value = st.session_state.get(CARBON_G) if choice_key == CARBON_G else None
    choice = st.session_state[CARBON] if choice_key == CARBON else CONSTANT
    with noted_errors("switch the grid carbon", _notes()):
        spec = carbon_spec(choice, raw, value, _means() if choice == CONSTANT else None)
        if spec is not None:
            _store("switch the grid carbon", site_switch.with_carbon(raw, spec))


def _on_price(choice_key: str = PRICE) -> None:
    raw = state.scenario_data()
    choice = st.session_state[PRICE] if choice_key == PRICE else FLAT_PRICE
    currency = None
    with noted_errors("switch the electricity price", _notes()):
        if choice_key == PRICE:
            spec = price_spec(choice, raw, means=_means() if choice == FLAT_PRICE else None)
        else:
            spec = price_spec(FLAT_PRICE, raw, st.session_state.get(FLAT),
                              st.session_state.get(DEMAND))  # fmt: skip
            currency = st.session_state.get(CURRENCY)
        if spec is not None:
            _store("switch the electricity price", site_switch.with_price(raw, spec, currency))


def _on_setting(dotted: str, key: str, scale: float = 1.0) -> None:
    with noted_errors(f"set {dotted}", _notes()):
        value = round(float(st.session_state[key]) * scale, 9)
        raw = apply_settings(state.scenario_data(), {dotted: value})
        _store(f"set {dotted}", site_switch.SiteSwitch(raw))


# --------------------------------------------------------------------------- widgets


def _bound(key: str, value) -> None:
    """The widget ``key`` shows ``value`` (set before the widget is drawn)."""
    st.session_state[key] = value


def _climate_label(value: str) -> str:
    labels = {c.key: c.label for c in site_switch.climate_choices()}
    return labels.get(value) or f"weather file {uploads.safe_name(value)}"


def _carbon_label(value: str) -> str:
    if value in GRID_FACTORS:
        factor = GRID_FACTORS[value]
        return f"{factor.name} ({factor.g_per_kwh:g} g/kWh)"
    return {CONSTANT: "Constant intensity", FILE: "Hourly file (uploaded)"}.get(value, value)


def _price_label(value: str) -> str:
    if value in TARIFFS:
        tariff = TARIFFS[value]
        return f"{tariff.name} ({tariff.currency})"
    return {FLAT_PRICE: "Flat price", FILE: "Hourly file (uploaded)"}.get(value, value)


def pickers() -> None:
    """Climate, grid carbon and price, side by side; each changes only its part."""
    raw = state.scenario_data()
    grid = raw["grid"]
    c = st.columns(3)
    with c[0]:
        options = climate_options(raw, st.session_state.get(WEATHER_FILES, []))
        current = str(raw["site"]["climate"])
        _bound(CLIMATE, current.strip().lower() if is_climate_name(current) else current)
        st.selectbox("Climate", options, key=CLIMATE, format_func=_climate_label,
                     on_change=_on_climate,
                     help="A built-in climate moves the site to its station (name, "
                     "coordinates, time zone); an uploaded weather file keeps the site where "
                     "it is.")  # fmt: skip
    with c[1]:
        choice = carbon_choice(raw)
        options = [*GRID_FACTORS, CONSTANT, *([FILE] if choice == FILE else [])]
        _bound(CARBON, choice)
        st.selectbox("Grid carbon intensity", options, key=CARBON, format_func=_carbon_label,
                     on_change=_on_carbon,
                     help="A published annual grid factor (every hour the same), a constant, "
                     "or an hourly file (upload one below).")  # fmt: skip
        if choice == CONSTANT:
            _bound(CARBON_G, float(grid["carbon"]["g_per_kwh"]))
            st.number_input("Constant intensity [g/kWh]", key=CARBON_G, min_value=0.0,
                            max_value=MAX_CARBON_G_PER_KWH, step=10.0, format="%.0f",
                            on_change=_on_carbon, args=(CARBON_G,))  # fmt: skip
    with c[2]:
        choice = price_choice(raw)
        options = [*TARIFFS, FLAT_PRICE, *([FILE] if choice == FILE else [])]
        _bound(PRICE, choice)
        st.selectbox("Electricity price", options, key=PRICE, format_func=_price_label,
                     on_change=_on_price,
                     help="A province's time-of-use tariff (its currency with it), a flat "
                     "price, or an hourly file (upload one below).")  # fmt: skip
        if choice == FLAT_PRICE:
            _flat_price(raw)


def _flat_price(raw: dict) -> None:
    price, currency = raw["grid"]["price"], str(raw["grid"].get("currency", "USD"))
    unit = md(currency)  # labels are Markdown
    left, mid, right = st.columns([2, 2, 1])
    _bound(FLAT, float(price["flat_per_kwh"]))
    _bound(DEMAND, float(price.get("demand_charge_per_kw_month") or 0.0))
    _bound(CURRENCY, currency)
    left.number_input(f"Price [{unit}/kWh]", key=FLAT, min_value=-MAX_PRICE_PER_KWH,
                      max_value=MAX_PRICE_PER_KWH, step=0.01, format="%.4f",
                      on_change=_on_price, args=(FLAT,))  # fmt: skip
    mid.number_input(f"Demand charge [{unit}/kW/month]", key=DEMAND, min_value=0.0,
                     max_value=MAX_DEMAND_CHARGE_PER_KW_MONTH, step=1.0, format="%.1f",
                     on_change=_on_price, args=(DEMAND,))  # fmt: skip
    right.selectbox("Currency", sorted({*CURRENCIES, currency}), key=CURRENCY,
                    on_change=_on_price, args=(CURRENCY,))  # fmt: skip


def what_ifs(raw: dict) -> None:
    """The carbon price and the contracted renewables (the site's storage and on-site
    power have their controls on the Workload page, :mod:`ui.asset_controls`: a link)."""
    unit = md(str(raw["grid"].get("currency", "USD")))  # labels are Markdown
    left, right = st.columns(2)
    _bound(CARBON_PRICE, float((raw.get("objective") or {}).get("carbon_price_per_t", 0.0)))
    left.number_input(
        f"Carbon price [{unit}/t CO₂]", key=CARBON_PRICE, min_value=0.0,
        max_value=MAX_CARBON_PRICE_PER_T, step=5.0, format="%.0f",
        on_change=_on_setting, args=("objective.carbon_price_per_t", CARBON_PRICE),
        help="The scheduler adds carbon price x each hour's carbon intensity to the hour's "
        "energy price (objective.carbon_price_per_t).",
    )  # fmt: skip
    share = float(((raw["grid"].get("market") or {}).get("renewable_share")) or 0.0)
    _bound(RENEWABLES, round(100.0 * share))
    right.slider(
        "Contracted renewables [% of consumption]", key=RENEWABLES, min_value=0, max_value=100,
        step=1, format="%d %%",
        on_change=_on_setting, args=("grid.market.renewable_share", RENEWABLES, 0.01),
        help="Renewable certificates or contracts retired against the site's consumption "
        "(grid.market.renewable_share): they lower market-based carbon and raise the "
        "renewable energy factor; location-based carbon and the schedule stay as they are.",
    )  # fmt: skip
    st.page_link("ui/workload.py", icon=":material/battery_charging_full:",
                 label="Battery, cold tank, PV and wind: on the Workload and schedule page")

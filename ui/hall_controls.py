"""The Halls page's hall-wide water temperatures: the chilled-water supply and rise of the
air loops and the facility-water rise of the liquid loops, as ``[facility]`` overrides of
the physics' defaults (``facility.air.chw_supply_c``, ``facility.air.chw_delta_t_k``,
``facility.liquid.fws_delta_t_k``; docs/scenarios.md). Each pod's facility-water supply is
its water class, in the pods table.

The scenario's ``[facility]`` may write a key nested (``[facility.air] chw_supply_c``) or
dotted (``"air.chw_supply_c"``); :func:`with_facility` replaces either. A value the
physics rejects (a chilled-water supply too warm for the supply air) is shown next to the
pods as their error, as the run would refuse it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import streamlit as st

from scenarios.facility import facility_params
from ui import state
from ui.errors import noted_errors


@dataclass(frozen=True)
class WaterSetting:
    """One hall-wide water temperature: its ``[facility]`` key, label and range [°C or K];
    ``placeholder`` is shown when the scenario leaves it to the physics."""

    key: str
    label: str
    low: float
    high: float
    step: float
    help: str
    placeholder: str = "default"


#: The controls. Ranges: the physics' bounds for a rise (above 0, at most 50 K,
#: thermal.params) narrowed to what plants run (judgement: 3-20 K rises; chilled water of
#: 5 °C (classic) up to the 25 °C supply air's limit).
SETTINGS = (
    WaterSetting("air.chw_supply_c", "Chilled-water supply [°C]", 5.0, 24.0, 0.5,
                 "Air loops' chilled-water supply. Empty: derived from the supply air "
                 "(the warmest that still cools it; default).", "derived from the supply air"),
    WaterSetting("air.chw_delta_t_k", "Chilled-water rise [K]", 3.0, 20.0, 0.5,
                 "Air loops' chilled-water return over supply."),
    WaterSetting("liquid.fws_delta_t_k", "Facility-water rise [K]", 3.0, 20.0, 0.5,
                 "Liquid loops' facility-water return over supply (supply: the pod's water "
                 "class)."),
)  # fmt: skip


def facility_value(raw: dict, key: str):
    """The value ``[facility]`` sets for a dotted ``key`` (nested or dotted), or None."""
    facility = raw.get("facility") or {}
    if key in facility:
        return facility[key]
    node = facility
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def with_facility(raw: dict, key: str, value) -> dict:
    """A copy of raw scenario data whose ``[facility]`` sets ``key`` to ``value``
    (None: the physics' default), written nested; any other spelling of it removed."""
    out = copy.deepcopy(raw)
    facility = out.setdefault("facility", {})
    facility.pop(key, None)
    *groups, name = key.split(".")
    node = facility
    for group in groups:
        child = node.get(group)
        if not isinstance(child, dict):
            if value is None:
                break
            child = node[group] = {}
        node = child
    else:
        node.pop(name, None)
        if value is not None:
            node[name] = value
    _drop_empty(facility)
    if not facility:
        out.pop("facility")
    return out


def _drop_empty(node: dict) -> None:
    for name in [k for k, v in node.items() if isinstance(v, dict)]:
        _drop_empty(node[name])
        if not node[name]:
            node.pop(name)


# --------------------------------------------------------------------------- widgets


def _key(setting: WaterSetting) -> str:
    return f"hall_{setting.key.replace('.', '_')}"


def _on_change(setting: WaterSetting, notes: list) -> None:
    value = st.session_state.get(_key(setting))
    with noted_errors(f"set facility.{setting.key}", notes):
        raw = with_facility(state.scenario_data(), setting.key,
                            None if value is None else float(value))  # fmt: skip
        facility_params(state.current_scenario(raw))  # the overrides as the run reads them
        state.update_scenario(raw)


def water_controls(notes: list) -> None:
    """The three water temperatures side by side (values read off the scenario)."""
    raw = state.scenario_data()
    params = facility_params(state.current_scenario(raw))
    derived = {"air.chw_supply_c": None, "air.chw_delta_t_k": params.air.chw_delta_t_k,
               "liquid.fws_delta_t_k": params.liquid.fws_delta_t_k}  # fmt: skip
    columns = st.columns(len(SETTINGS))
    for column, setting in zip(columns, SETTINGS, strict=True):
        own = facility_value(raw, setting.key)
        shown = own if own is not None else derived[setting.key]
        st.session_state[_key(setting)] = None if shown is None else float(shown)
        column.number_input(
            setting.label, key=_key(setting), min_value=setting.low, max_value=setting.high,
            value=None, step=setting.step, format="%.1f", placeholder=setting.placeholder,
            on_change=_on_change, args=(setting, notes), help=setting.help,
        )  # fmt: skip

"""Electrical losses between the grid and the loads: UPS, distribution, and lighting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param


@dataclass(frozen=True)
class PowerChainParams:
    """UPS, distribution and lighting."""

    ups_no_load_frac: float = param(
        0.004,
        "of rated kW",
        "UPS loss independent of load; three-term loss model (no-load, proportional, square) "
        "of Schneider Electric White Paper 108, calibrated to a current double-conversion "
        "unit: 97 % at 50-100 % load (Schneider Galaxy VX and Vertiv Liebert EXL S1 "
        "datasheets: 97 %; both reach 99 % in eco mode), 96 % at 20 %, 94 % at 10 %",
    )
    ups_proportional_frac: float = param(
        0.022, "of load kW", "UPS loss proportional to load; see ups_no_load_frac"
    )
    ups_square_frac: float = param(
        0.004,
        "of rated kW at full load",
        "UPS loss growing with load squared; see ups_no_load_frac",
    )
    distribution_loss_frac: float = param(
        0.0075,
        "-",
        "transformer load losses, switchgear and cable losses as a share of the power they "
        "carry; physics.md gives 0.5-1 % (Lei & Masanet 2020 range 0-2 %), midpoint",
    )
    transformer_no_load_frac: float = param(
        0.0015,
        "of design IT kW",
        "transformer core (no-load) losses, drawn whatever the load: 0.1-0.2 % of rating "
        "for medium-voltage transformers meeting US DOE 2016 / EU Tier 2 efficiency; "
        "judgement within that range",
    )
    lighting_frac: float = param(
        0.002,
        "of design IT kW",
        "lighting and miscellaneous site loads, constant; Lei & Masanet 2020 range 0-0.2 % "
        "of IT (physics.md: 0.2-1 %)",
    )
    controls_frac: float = param(
        0.001,
        "of design IT kW",
        "controls, monitoring (BMS, DCIM), security and fire systems, constant; judgement",
    )


def ups_loss_kw(it_kw, rated_kw: float, params: PowerChainParams):
    """UPS losses for an IT load.

    Parameters
    ----------
    it_kw : float or array
        IT power the UPS delivers [kW].
    rated_kw : float
        UPS rating (the pod's design IT power) [kW].
    params : PowerChainParams

    Returns
    -------
    float or array
        UPS loss [kW]; efficiency is ``it_kw / (it_kw + loss)``.
    """
    load = np.asarray(it_kw, float)
    plr = load / rated_kw
    return rated_kw * (
        params.ups_no_load_frac
        + params.ups_proportional_frac * plr
        + params.ups_square_frac * plr**2
    )


def distribution_loss_kw(carried_kw, params: PowerChainParams, rated_it_kw: float = 0.0):
    """Distribution losses [kW]: load losses on the power [kW] carried from the grid to
    the loads, plus the transformers' no-load losses for a design IT power [kW]."""
    carried = np.asarray(carried_kw, float)
    load_losses = carried * params.distribution_loss_frac / (1.0 - params.distribution_loss_frac)
    return load_losses + params.transformer_no_load_frac * rated_it_kw


def fixed_site_kw(rated_it_kw: float, params: PowerChainParams) -> float:
    """Lighting, controls and other site loads that do not follow the IT load [kW]."""
    return (params.lighting_frac + params.controls_frac) * rated_it_kw

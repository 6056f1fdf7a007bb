"""Electrical losses between the grid and the loads: UPS, distribution, and lighting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param


@dataclass(frozen=True)
class PowerChainParams:
    """UPS, distribution and lighting."""

    ups_no_load_frac: float = param(
        0.006,
        "of rated kW",
        "UPS loss independent of load; three-term loss model (no-load, proportional, square) "
        "of Schneider Electric White Paper 108; coefficients calibrated to the physics.md "
        "judgement default of 0.96 efficiency at 50-100 % load (0.957 at 50 %, 0.960 at 100 %)",
    )
    ups_proportional_frac: float = param(
        0.03, "of load kW", "UPS loss proportional to load; see ups_no_load_frac"
    )
    ups_square_frac: float = param(
        0.006,
        "of rated kW at full load",
        "UPS loss growing with load squared; see ups_no_load_frac",
    )
    distribution_loss_frac: float = param(
        0.0075,
        "-",
        "transformer, switchgear and cable losses as a share of the power they carry; "
        "physics.md gives 0.5-1 %, midpoint",
    )
    lighting_frac: float = param(
        0.005,
        "of design IT kW",
        "lighting and miscellaneous site loads, constant; physics.md gives 0.2-1 % of IT",
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


def distribution_loss_kw(carried_kw, params: PowerChainParams):
    """Distribution losses [kW] for the power [kW] carried from the grid to the loads."""
    return (
        np.asarray(carried_kw, float)
        * params.distribution_loss_frac
        / (1.0 - params.distribution_loss_frac)
    )

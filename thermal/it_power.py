"""IT power of a rack: compute plus server fans, which depend on the cooling technology.

``compute`` is everything in the server but its fans (accelerators, CPUs, memory, power
supplies): the power a job draws whatever cools it. Server fans are part of IT power
(as in EnergyPlus ElectricEquipment:ITE:AirCooled) but their size depends on cooling:
a cold plate removes the fans of the liquid-cooled parts, immersion removes them all.
That is why liquid cooling lowers IT power itself, and why TUE is reported beside PUE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param


@dataclass(frozen=True)
class ServerParams:
    """Server fan model."""

    fan_share_ref: float = param(
        0.08,
        "-",
        "fan share of an air-cooled GPU server's power at the reference inlet; judgement "
        "default of physics.md (older figures: 10-15 % and more at high inlet temperature)",
    )
    fan_ref_inlet_c: float = param(25.0, "°C", "inlet temperature of fan_share_ref; physics.md")
    fan_flow_rise_per_k: float = param(
        0.0167,
        "1/K",
        "fan flow rise per K of inlet above the reference; derived so that server power rises "
        "0.4 %/K (measured 0.35-0.5 %/K between 23 and 30 °C, arXiv 2509.26163) with fan "
        "power ~ flow^3: 0.004 / (3 x 0.08)",
    )
    fan_min_flow_frac: float = param(
        0.7, "-", "lowest fan flow fraction below the reference inlet; judgement (fan floor speed)"
    )


def fan_to_compute_ratio(params: ServerParams) -> float:
    """Server fan power per compute power of an air-cooled server at the reference inlet [-]."""
    return params.fan_share_ref / (1.0 - params.fan_share_ref)


def server_fan_kw(compute_kw, inlet_c, air_fraction: float, params: ServerParams):
    """Server fan power.

    Fans cool the air-cooled share of the server (``air_fraction``); their flow follows the
    heat (linear in compute) and rises with inlet temperature, power ~ flow cubed.

    Parameters
    ----------
    compute_kw : float or array
        Compute power [kW].
    inlet_c : float or array
        Server air inlet temperature [°C].
    air_fraction : float
        Share of the compute heat removed by air, 0..1 (1 air, 0.25 cold plate, 0 immersion).
    params : ServerParams

    Returns
    -------
    float or array
        Server fan power [kW].
    """
    flow = 1.0 + params.fan_flow_rise_per_k * (np.asarray(inlet_c, float) - params.fan_ref_inlet_c)
    flow = np.maximum(flow, params.fan_min_flow_frac)
    return np.asarray(compute_kw, float) * fan_to_compute_ratio(params) * air_fraction * flow**3


def compute_per_rack_kw(rack_kw: float, params: ServerParams) -> float:
    """Compute power of a rack whose nameplate is ``rack_kw`` as an air-cooled rack [kW].

    ``rack_kw`` is the IT power the planner quotes (an air-cooled rack of these servers at
    the reference inlet, fans included); the compute part is the same whatever cools it.
    """
    return rack_kw * (1.0 - params.fan_share_ref)

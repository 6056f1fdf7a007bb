"""Electric chillers: the DOE-2 / EnergyPlus ``Chiller:Electric:EIR`` model.

Capacity and energy-input ratio (EIR = 1/COP) are biquadratic in the leaving
chilled-water temperature x and the entering condenser temperature y; EIR is quadratic in
part-load ratio. Curve inputs are clipped to the curve's valid range, as EnergyPlus does,
so the model never extrapolates a fit (which makes it conservative for warm-water trim
chillers, whose real lift is smaller than the curve's coldest case).

    capacity = ref_capacity * CAPFT(x, y)
    power    = capacity / ref_COP * EIRFT(x, y) * EIRFPLR(PLR),   PLR = load / capacity

Equal units share the load at equal part load; the number running is the one that
draws least (staging on efficiency). Below the minimum unloading ratio a unit
false-loads (hot-gas bypass) and draws the power of that ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermal.params import param


@dataclass(frozen=True)
class ChillerCurve:
    """A DOE-2 EIR curve set (coefficients a..f of a + b x + c x² + d y + e y² + f x y)."""

    name: str
    ref_cop: float
    capft: tuple[float, float, float, float, float, float]
    eirft: tuple[float, float, float, float, float, float]
    eirfplr: tuple[float, float, float]
    x_range_c: tuple[float, float]  # leaving chilled water
    y_range_c: tuple[float, float]  # entering condenser fluid
    min_unloading_plr: float


#: EnergyPlus datasets/Chillers.idf "DOE-2 Centrifugal/5.50COP" (reference 6.67 °C leaving
#: chilled water, 29.4 °C entering condenser water), as transcribed in the Modelica
#: Buildings library record ``DOE_2_Centrifugal_5_50COP`` (PLRMinUnl 0.2, curve limits
#: 5-10 °C and 24-35 °C). Full-load COP it gives: 5.51 at (6.67, 29.4), 6.48 at (10, 24),
#: 4.81 at (6.67, 35), the table in physics.md.
DOE2_CENTRIFUGAL_5_50 = ChillerCurve(
    name="DOE-2 Centrifugal/5.50COP",
    ref_cop=5.5,
    capft=(0.257896, 0.0389016, -0.000217080, 0.0468684, -0.000942840, -0.000343440),
    eirft=(0.933884, -0.0582120, 0.00450036, 0.00243000, 0.000486000, -0.00121500),
    eirfplr=(0.222903, 0.313387, 0.463710),
    x_range_c=(5.0, 10.0),
    y_range_c=(24.0, 35.0),
    min_unloading_plr=0.2,
)

CHILLER_CURVES = {DOE2_CENTRIFUGAL_5_50.name: DOE2_CENTRIFUGAL_5_50}


@dataclass(frozen=True)
class ChillerParams:
    """Chiller plant of one cooling loop."""

    curve: str = param(DOE2_CENTRIFUGAL_5_50.name, "-", "EnergyPlus datasets/Chillers.idf")
    sizing_factor: float = param(
        1.0,
        "-",
        "running chiller capacity over the loop's design heat at the hottest condenser "
        "temperature of the curve (35 °C); 1.0 = exactly enough at full IT load in the hottest "
        "hour (judgement; lower it to model a plant sized for diversity)",
    )
    units: int = param(4, "-", "equal running units (a standby unit is not counted); judgement")


def _biquadratic(coef, x, y):
    a, b, c, d, e, f = coef
    return a + b * x + c * x * x + d * y + e * y * y + f * x * y


def _clip_inputs(curve: ChillerCurve, leaving_c, condenser_c):
    x = np.clip(np.asarray(leaving_c, float), *curve.x_range_c)
    y = np.clip(np.asarray(condenser_c, float), *curve.y_range_c)
    return x, y


def capacity_factor(curve: ChillerCurve, leaving_c, condenser_c):
    """CAPFT: available capacity over reference capacity [-] at the given temperatures [°C]."""
    x, y = _clip_inputs(curve, leaving_c, condenser_c)
    return _biquadratic(curve.capft, x, y)


def capacity_sensitivity_per_k(curve: ChillerCurve, leaving_c, condenser_c):
    """Relative capacity gained per K of warmer leaving chilled water [1/K].

    When the plant cannot carry the load, its leaving water warms until the extra capacity
    closes the gap (the slope of CAPFT, ~2 %/K for the DOE-2 centrifugal curve).
    """
    x, y = _clip_inputs(curve, leaving_c, condenser_c)
    _, b, c, _, _, f = curve.capft
    return np.maximum((b + 2 * c * x + f * y) / _biquadratic(curve.capft, x, y), 0.005)


def full_load_cop(curve: ChillerCurve, leaving_c, condenser_c):
    """Full-load COP [-] at leaving chilled-water and entering condenser temperatures [°C]."""
    x, y = _clip_inputs(curve, leaving_c, condenser_c)
    return curve.ref_cop / _biquadratic(curve.eirft, x, y)


def reference_capacity_kw(
    curve: ChillerCurve, design_load_kw: float, leaving_c: float, params: ChillerParams
) -> float:
    """Total reference capacity so that the plant carries ``sizing_factor`` x design load
    at the hottest condenser temperature of the curve [kW]."""
    derate = float(capacity_factor(curve, leaving_c, curve.y_range_c[1]))
    return params.sizing_factor * design_load_kw / derate


def plant_power_kw(load_kw, leaving_c, condenser_c, ref_capacity_kw: float, params: ChillerParams):
    """Compressor power of a staged plant of equal units.

    Parameters
    ----------
    load_kw : array
        Cooling load asked of the chillers [kW].
    leaving_c : float or array
        Leaving chilled-water temperature [°C].
    condenser_c : array
        Entering condenser fluid temperature [°C].
    ref_capacity_kw : float
        Total reference capacity of the running units [kW].
    params : ChillerParams

    Returns
    -------
    power_kw : array
        Compressor power [kW] (heat into the condenser: load served + power).
    served_kw : array
        Load carried [kW], at most the available capacity.
    available_kw : array
        Available capacity of all units at these temperatures [kW].
    """
    curve = CHILLER_CURVES[params.curve]
    load = np.asarray(load_kw, float)
    x, y = _clip_inputs(curve, leaving_c, condenser_c)
    unit_cap = ref_capacity_kw / params.units * _biquadratic(curve.capft, x, y)
    available = np.broadcast_to(unit_cap * params.units, load.shape).astype(float)
    served = np.minimum(load, available)
    eirft = _biquadratic(curve.eirft, x, y)
    a, b, c = curve.eirfplr
    # Stage on efficiency: of the unit counts that can carry the load, run the one that
    # draws least (plant controllers stage chillers this way). Power is then continuous
    # in load, with kinks where the best count changes.
    power = np.full_like(served, np.inf)
    for running in range(1, params.units + 1):
        plr = served / (running * unit_cap)
        plr_eff = np.maximum(plr, curve.min_unloading_plr)
        p_n = running * unit_cap / curve.ref_cop * eirft * (a + b * plr_eff + c * plr_eff**2)
        power = np.where(plr <= 1.0 + 1e-12, np.minimum(power, p_n), power)
    power = np.where(served > 0, power, 0.0)
    return power, served, available

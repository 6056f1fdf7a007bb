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

Above the curve's hottest condenser temperature (a heat wave, or dry coolers on a hot
afternoon) capacity and EIR are carried on along the curve's slope at that edge, so
capacity keeps falling and EIR keeps rising, and ``trip_margin_k`` above the design
condenser temperature the units trip on high pressure (no capacity). Leaving water warmer than the curve's range is clipped
(no credit for the smaller lift: conservative).
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
        1.1,
        "-",
        "running chiller capacity over the loop's design heat at the design condenser "
        "temperature (ASHRAE 0.4 % design dry-bulb or wet-bulb of the site plus the heat "
        "rejection's approach): 10 % over full IT load on the design day, so the ~35 hotter "
        "hours of a typical year are still carried (judgement; 1.0 is exactly enough on the "
        "design day, lower models a plant sized for diversity)",
    )
    units: int = param(4, "-", "equal running units (a standby unit is not counted); judgement")
    trip_margin_k: float = param(
        8.0,
        "K",
        "entering condenser fluid above the design condenser temperature at which the units "
        "trip on high pressure (chillers are selected for the design day with a few K of "
        "margin); judgement",
    )


def _biquadratic(coef, x, y):
    a, b, c, d, e, f = coef
    return a + b * x + c * x * x + d * y + e * y * y + f * x * y


def _clip_inputs(curve: ChillerCurve, leaving_c, condenser_c):
    x = np.clip(np.asarray(leaving_c, float), *curve.x_range_c)
    y = np.clip(np.asarray(condenser_c, float), *curve.y_range_c)
    return x, y


def _beyond_hot_edge(coef, curve: ChillerCurve, x, condenser_c):
    """A biquadratic at (x, y) within the curve's range, carried on linearly along y above
    its hottest condenser temperature (the slope at that edge)."""
    y_max = curve.y_range_c[1]
    y = np.asarray(condenser_c, float)
    _, _, _, d, e, f = coef
    edge = _biquadratic(coef, x, np.minimum(np.maximum(y, curve.y_range_c[0]), y_max))
    slope = d + 2 * e * y_max + f * x
    return edge + slope * np.maximum(y - y_max, 0.0)


def capacity_factor(curve: ChillerCurve, leaving_c, condenser_c, max_condenser_c: float = np.inf):
    """CAPFT: available capacity over reference capacity [-] at the given temperatures [°C]
    (0 at or above ``max_condenser_c``, where the units trip)."""
    x = np.clip(np.asarray(leaving_c, float), *curve.x_range_c)
    cap = np.maximum(_beyond_hot_edge(curve.capft, curve, x, condenser_c), 0.0)
    return np.where(np.asarray(condenser_c, float) >= max_condenser_c, 0.0, cap)


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
    curve: ChillerCurve,
    design_load_kw: float,
    leaving_c: float,
    params: ChillerParams,
    design_condenser_c: float | None = None,
) -> float:
    """Total reference capacity so that the plant carries ``sizing_factor`` x design load
    at the design condenser temperature [kW] (default: the curve's hottest, 35 °C)."""
    condenser = curve.y_range_c[1] if design_condenser_c is None else design_condenser_c
    derate = float(capacity_factor(curve, leaving_c, condenser))
    return params.sizing_factor * design_load_kw / max(derate, 0.05)


def plant_power_kw(
    load_kw,
    leaving_c,
    condenser_c,
    ref_capacity_kw: float,
    params: ChillerParams,
    trip_c: float = np.inf,
):
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
    trip_c : float
        Entering condenser temperature at which the units trip (no capacity) [°C].

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
    x = np.clip(np.asarray(leaving_c, float), *curve.x_range_c)
    unit_cap = (
        ref_capacity_kw / params.units
        * capacity_factor(curve, leaving_c, condenser_c, trip_c)
    )
    available = np.broadcast_to(unit_cap * params.units, load.shape).astype(float)
    served = np.minimum(load, available)
    eirft = _beyond_hot_edge(curve.eirft, curve, x, condenser_c)
    a, b, c = curve.eirfplr
    # Stage on efficiency: of the unit counts that can carry the load, run the one that
    # draws least (plant controllers stage chillers this way). Power is then continuous
    # in load, with kinks where the best count changes.
    power = np.full_like(served, np.inf)
    for running in range(1, params.units + 1):
        plr = np.divide(served, running * unit_cap, out=np.zeros_like(served), where=unit_cap > 0)
        plr_eff = np.maximum(plr, curve.min_unloading_plr)
        p_n = running * unit_cap / curve.ref_cop * eirft * (a + b * plr_eff + c * plr_eff**2)
        power = np.where(plr <= 1.0 + 1e-12, np.minimum(power, p_n), power)
    power = np.where(served > 0, power, 0.0)
    return power, served, available

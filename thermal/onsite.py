"""On-site generation: hourly PV and wind output from the site's weather frame.

Both take the frame of :mod:`thermal.weather` (hour-start index in local standard time)
and return a Series [kW] on its index.

PV (:func:`pv_output_kw`) follows NREL's PVWatts (Dobos 2014) through pvlib, as pvlib's
``ModelChain.with_pvwatts`` does, so that it equals ModelChain on the same system and
weather (``tests/unit/test_onsite.py``):

1. solar position (NREL SPA, Reda and Andreas 2004) at the *middle* of each hour: the
   weather's irradiance is the mean over the hour that starts at the index stamp, so the
   sun of that hour is best represented at ``stamp + 30 min`` (at the stamp itself the
   sun would lag by half an hour, and the sunrise and sunset hours would be lost or
   misplaced);
2. plane-of-array irradiance: ``pvlib.irradiance.get_total_irradiance`` with the Perez
   1990 sky model (as PVWatts), ground albedo 0.2, and the air-glass reflection loss of
   the beam (``pvlib.iam.physical``, De Soto et al. 2006, as PVWatts);
3. cell temperature by the Sandia model (King et al. 2004) with the open-rack
   glass/cell/polymer-sheet parameters, from plane-of-array irradiance, air temperature
   and wind speed (0 m/s when the weather has none, as ModelChain);
4. DC power ``P_dc = G_eff / 1000 * P_dc0 * (1 + gamma (T_cell - 25))`` (PVWatts), then the
   PVWatts system losses (14.08 % by default);
5. AC power by the PVWatts inverter model, rated ``P_dc0 / dc_ac_ratio``, nominal
   efficiency 0.96, clipped at its rating.

Wind (:func:`wind_output_kw`) follows windpowerlib's ``ModelChain`` (Haas et al., oemof
windpowerlib 0.2): the wind speed is carried from its measurement height (10 m in weather
files) to the hub by the Hellman power law (exponent 1/7) or the logarithmic profile
(a roughness length); air density at the hub from the weather's temperature and pressure
(lapse rate 6.5 K/km, -1/8 hPa per m, ideal gas); the turbine's power curve,
density-corrected after Svenningsen (2010), zero below its first and above its last
wind speed (cut-in, cut-out). Turbines come from windpowerlib's bundled copy of the
OpenEnergy Database turbine library (offline), or from a user power curve.

The generation CSV a user may bring instead is read by :mod:`scenarios.generation`.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from thermal.errors import ThermalInputError

# --- PV defaults ---------------------------------------------------------------------
#: PVWatts total system losses [%]: soiling 2, shading 3, mismatch 2, wiring 2,
#: connections 0.5, light-induced degradation 1.5, nameplate 1, availability 3, combined
#: multiplicatively (Dobos 2014, PVWatts Version 5 Manual, NREL/TP-6A20-62641; the
#: defaults of ``pvlib.pvsystem.pvwatts_losses``, whose product 14.0757 % PVWatts shows
#: rounded).
PVWATTS_LOSSES_PCT = 14.08
#: Temperature coefficient of power [1/K]: PVWatts Version 8's "Standard" crystalline
#: module, -0.37 %/°C (NREL PVWatts Calculator documentation, module types; version 5
#: used -0.47 %/°C for the modules of 2014).
GAMMA_PDC_PER_K = -0.0037
#: DC-to-AC size ratio [-]: the PVWatts calculator's default (NREL, PVWatts Calculator,
#: system info "DC to AC Size Ratio" 1.2).
DC_AC_RATIO = 1.2
#: Nominal inverter efficiency [-]: PVWatts default 96 % (Dobos 2014).
INVERTER_NOMINAL_EFFICIENCY = 0.96
#: Reference inverter efficiency of the PVWatts inverter curve [-] (Dobos 2014; the
#: default of ``pvlib.inverter.pvwatts``).
INVERTER_REFERENCE_EFFICIENCY = 0.9637
#: Ground albedo [-]: PVWatts' value without snow (Dobos 2014).
ALBEDO = 0.2
#: Sandia cell-temperature model, open-rack glass/cell/polymer sheet: a, b [s/m], dT [K]
#: (King et al. 2004, SAND2004-3535, Table 1;
#: ``pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]``).
SAPM_OPEN_RACK_GLASS_POLYMER = {"a": -3.56, "b": -0.075, "deltaT": 3.0}
#: Wind speed for the cell temperature when the weather has none [m/s]: pvlib
#: ModelChain's default (cells run slightly hotter than with the site's wind).
NO_WIND_M_S = 0.0
#: Air mass model for the Perez sky model, as pvlib ModelChain (Kasten and Young 1989).
AIRMASS_MODEL = "kastenyoung1989"

# --- wind defaults -------------------------------------------------------------------
#: Hellman exponent [-]: 1/7 for onshore sites in neutral air (Hau 2008, Windkraftanlagen,
#: 4th ed., p. 517; Peterson and Hennessey 1978, J. Appl. Meteorol. 17, 390-394; the
#: default of ``windpowerlib.wind_speed.hellman``).
HELLMAN_EXPONENT = 1.0 / 7.0
#: Roughness length for the logarithmic profile [m]: roughness class 2, farmland with some
#: houses and hedges (Troen and Petersen 1989, European Wind Atlas).
ROUGHNESS_LENGTH_M = 0.1
#: Height of the air temperature in weather files [m]: the screen height of 1.25-2 m
#: (WMO-No. 8, ch. 2).
TEMPERATURE_HEIGHT_M = 2.0
#: Height of the station pressure [m] (at the ground, as weather files give it).
PRESSURE_HEIGHT_M = 0.0
#: Air density power curves are given for [kg/m³]: IEC 61400-12-1 standard air (ISA sea
#: level), as windpowerlib's density correction.
STANDARD_AIR_DENSITY_KG_M3 = 1.225
#: Temperature lapse rate [K/m] (ISA; ``windpowerlib.temperature.linear_gradient``).
LAPSE_RATE_K_PER_M = 0.0065
#: Pressure gradient near the ground [Pa/m]: -1/8 hPa per m (Deutscher Wetterdienst, as
#: ``windpowerlib.density``).
PRESSURE_GRADIENT_PA_PER_M = 12.5
#: Specific gas constant of dry air [J/(kg K)] (as ``windpowerlib.density.ideal_gas``;
#: humidity lowers the density by < 1 % and is left out, as there).
R_DRY_AIR_J_KG_K = 287.058
#: Wind speeds of the density correction's exponent: 1/3 up to 7.5 m/s, 2/3 from 12.5 m/s,
#: linear between (Svenningsen 2010, EMD WindPRO).
_DENSITY_EXPONENT_SPEEDS_M_S = (7.5, 12.5)


def solar_position(weather: pd.DataFrame) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Solar position at the middle of each hour of a weather frame.

    Parameters
    ----------
    weather : DataFrame
        Hour-start index (tz-aware); ``dry_bulb_c`` [°C] and ``pressure_pa`` [Pa] for
        refraction; ``attrs`` ``latitude``, ``longitude`` [°], ``altitude_m`` [m].

    Returns
    -------
    (DataFrame, DatetimeIndex)
        pvlib's solar position (``apparent_zenith``, ``zenith``, ``azimuth`` [°], ...) and
        the mid-hour times it is indexed by.
    """
    from pvlib import solarposition

    _require_location(weather)
    times = pd.DatetimeIndex(weather.index) + pd.Timedelta(minutes=30)
    position = solarposition.get_solarposition(
        times,
        weather.attrs["latitude"],
        weather.attrs["longitude"],
        altitude=weather.attrs.get("altitude_m", 0.0),
        pressure=weather["pressure_pa"].to_numpy(float),
        temperature=weather["dry_bulb_c"].to_numpy(float),
    )
    return position, times


def extraterrestrial_w_m2(times: pd.DatetimeIndex) -> pd.Series:
    """Extraterrestrial normal irradiance [W/m²] at ``times`` (Spencer 1971, pvlib's
    default), by the UTC day of year as pvlib counts it (given as numbers: pvlib 0.16
    reads a DatetimeIndex's ``dayofyear``, deprecated in pandas 3)."""
    from pvlib import irradiance

    day = pd.DatetimeIndex(times).tz_convert("UTC").day_of_year.to_numpy()
    return pd.Series(irradiance.get_extra_radiation(day), index=times)


def pv_output_kw(
    weather: pd.DataFrame,
    kwp: float,
    tilt_deg: float | None = None,
    azimuth_deg: float | None = None,
    losses_pct: float = PVWATTS_LOSSES_PCT,
    *,
    gamma_pdc_per_k: float = GAMMA_PDC_PER_K,
    dc_ac_ratio: float = DC_AC_RATIO,
    inverter_efficiency: float = INVERTER_NOMINAL_EFFICIENCY,
    albedo: float = ALBEDO,
    transposition: str = "perez",
) -> pd.Series:
    """Hourly AC output of a fixed, open-rack PV array (PVWatts through pvlib).

    Parameters
    ----------
    weather : DataFrame
        A weather frame with ``ghi_w_m2``, ``dni_w_m2``, ``dhi_w_m2`` [W/m²], hour-start
        index; ``wind_speed_m_s`` [m/s] is used when present.
    kwp : float
        DC nameplate at standard test conditions [kWp], >= 0.
    tilt_deg : float, optional
        Tilt from horizontal [°]; default the absolute latitude, the rule of thumb for the
        largest annual yield of a fixed plane (the default of PVWatts versions 1-2, NREL).
    azimuth_deg : float, optional
        Azimuth the array faces [°, clockwise from north]; default towards the equator
        (180 in the northern hemisphere, 0 in the southern).
    losses_pct : float
        PVWatts system losses [%], default :data:`PVWATTS_LOSSES_PCT`.
    gamma_pdc_per_k : float
        Temperature coefficient of power [1/K], default :data:`GAMMA_PDC_PER_K`.
    dc_ac_ratio : float
        DC nameplate over inverter AC rating [-], default :data:`DC_AC_RATIO`.
    inverter_efficiency : float
        Nominal inverter efficiency [-], default :data:`INVERTER_NOMINAL_EFFICIENCY`.
    albedo : float
        Ground reflectance [-], default :data:`ALBEDO`.
    transposition : {"perez", "haydavies"}
        Sky diffuse model for the plane of array.

    Returns
    -------
    Series
        ``pv_kw`` [kW AC, mean over each hour = kWh in it] on the weather's index, >= 0;
        ``attrs["irradiance_source"]`` repeats the weather's.

    Raises
    ------
    ThermalInputError
        The weather has no irradiance (the message says why and what to give), or a
        parameter outside its range (named as ``onsite.pv.<field>``).
    """
    from pvlib import atmosphere, iam, inverter, irradiance, pvsystem, temperature

    _check_number("onsite.pv.kwp", kwp, 0.0, 1e8, "kWp")
    _check_number("onsite.pv.losses_pct", losses_pct, 0.0, 99.0, "%")
    _check_number("onsite.pv.gamma_pdc_per_k", gamma_pdc_per_k, -0.02, 0.0, "1/K")
    _check_number("onsite.pv.dc_ac_ratio", dc_ac_ratio, 0.5, 3.0, "-")
    _check_number("onsite.pv.inverter_efficiency", inverter_efficiency, 0.5, 1.0, "-")
    _check_number("onsite.pv.albedo", albedo, 0.0, 1.0, "-")
    if transposition not in ("perez", "haydavies"):
        raise ThermalInputError(
            f"onsite.pv.transposition = {transposition!r}: use 'perez' or 'haydavies'"
        )
    _require_irradiance(weather)
    _require_location(weather)
    latitude = weather.attrs["latitude"]
    tilt = abs(latitude) if tilt_deg is None else tilt_deg
    azimuth = (180.0 if latitude >= 0 else 0.0) if azimuth_deg is None else azimuth_deg
    _check_number("onsite.pv.tilt_deg", tilt, 0.0, 90.0, "°")
    _check_number("onsite.pv.azimuth_deg", azimuth, 0.0, 360.0, "°")

    position, times = solar_position(weather)
    zenith, sun_azimuth = position["apparent_zenith"], position["azimuth"]
    ghi, dni, dhi = (
        pd.Series(weather[c].to_numpy(float), index=times)
        for c in ("ghi_w_m2", "dni_w_m2", "dhi_w_m2")
    )
    poa = irradiance.get_total_irradiance(
        tilt, azimuth, zenith, sun_azimuth, dni, ghi, dhi,
        dni_extra=extraterrestrial_w_m2(times),
        airmass=atmosphere.get_relative_airmass(zenith, model=AIRMASS_MODEL),
        albedo=albedo, model=transposition,
    )  # fmt: skip
    aoi = irradiance.aoi(tilt, azimuth, zenith, sun_azimuth)
    effective = poa["poa_direct"] * iam.physical(aoi) + poa["poa_diffuse"]
    wind = weather["wind_speed_m_s"].to_numpy(float) if "wind_speed_m_s" in weather else NO_WIND_M_S
    t_cell = temperature.sapm_cell(
        poa["poa_global"], weather["dry_bulb_c"].to_numpy(float), wind,
        **SAPM_OPEN_RACK_GLASS_POLYMER,
    )  # fmt: skip
    # Per kWp (the model is linear in the array and inverter size), then scaled.
    dc_kw_per_kwp = pvsystem.pvwatts_dc(effective, t_cell, 1.0, gamma_pdc_per_k)
    dc_kw_per_kwp = dc_kw_per_kwp * (1.0 - losses_pct / 100.0)
    ac_kw_per_kwp = inverter.pvwatts(
        dc_kw_per_kwp, 1.0 / (dc_ac_ratio * inverter_efficiency),
        eta_inv_nom=inverter_efficiency, eta_inv_ref=INVERTER_REFERENCE_EFFICIENCY,
    )  # fmt: skip
    ac = np.clip(np.nan_to_num(np.asarray(ac_kw_per_kwp, float)), 0.0, None) * float(kwp)
    out = pd.Series(ac, index=weather.index, name="pv_kw")
    out.attrs["irradiance_source"] = weather.attrs.get("irradiance_source", "weather frame")
    out.attrs["model"] = (
        f"PVWatts via pvlib: {kwp:g} kWp, tilt {tilt:g}°, azimuth {azimuth:g}°, "
        f"{transposition} sky, SAPM open-rack cells, gamma {gamma_pdc_per_k * 100:g} %/K, "
        f"losses {losses_pct:g} %, DC/AC {dc_ac_ratio:g}, inverter {inverter_efficiency:g}"
    )
    return out


def wind_output_kw(
    weather: pd.DataFrame,
    turbine: str | Mapping,
    hub_height_m: float,
    count: int = 1,
    *,
    profile: str = "hellman",
    hellman_exponent: float = HELLMAN_EXPONENT,
    roughness_length_m: float = ROUGHNESS_LENGTH_M,
    density_correction: bool = True,
) -> pd.Series:
    """Hourly electrical output of ``count`` identical wind turbines.

    Parameters
    ----------
    weather : DataFrame
        A weather frame with ``wind_speed_m_s`` [m/s] measured at
        ``attrs["wind_speed_height_m"]`` [m] (10 m if absent), ``dry_bulb_c`` [°C] and
        ``pressure_pa`` [Pa].
    turbine : str or mapping
        A turbine type of windpowerlib's library (:func:`turbine_types`, e.g.
        ``"E-126/4200"``), or a power curve ``{"wind_speed_m_s": [...], "power_kw":
        [...]}`` at standard air density (1.225 kg/m³), speeds increasing.
    hub_height_m : float
        Hub height [m], above half the rotor diameter when the library knows it.
    count : int
        Number of turbines (no wake losses between them).
    profile : {"hellman", "logarithmic"}
        Vertical wind profile from the measurement height to the hub.
    hellman_exponent : float
        Exponent of the power law [-], default :data:`HELLMAN_EXPONENT`.
    roughness_length_m : float
        Roughness length of the logarithmic profile [m], default
        :data:`ROUGHNESS_LENGTH_M`.
    density_correction : bool
        Correct the power curve for the hub's air density (Svenningsen 2010).

    Returns
    -------
    Series
        ``wind_kw`` [kW, mean over each hour] on the weather's index, >= 0.

    Raises
    ------
    ThermalInputError
        No wind speed in the weather, an unknown turbine (naming close matches), a bad
        power curve or a parameter out of range (named as ``onsite.wind.<field>``).
    """
    speeds_m_s, power_kw, rotor_m = _power_curve(turbine)
    _check_number("onsite.wind.hub_height_m", hub_height_m, 1.0, 300.0, "m")
    if rotor_m and hub_height_m <= rotor_m / 2:
        raise ThermalInputError(
            f"onsite.wind.hub_height_m = {hub_height_m:g} m is not above half the rotor "
            f"diameter of {turbine} ({rotor_m:g} m): the blades would hit the ground"
        )
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
        raise ThermalInputError(f"onsite.wind.count = {count!r}: give a whole number >= 0")
    if profile not in ("hellman", "logarithmic"):
        raise ThermalInputError(
            f"onsite.wind.profile = {profile!r}: use 'hellman' or 'logarithmic'"
        )
    _check_number("onsite.wind.hellman_exponent", hellman_exponent, 0.0, 1.0, "-")
    _check_number("onsite.wind.roughness_length_m", roughness_length_m, 1e-5, 5.0, "m")
    _require_wind(weather)

    measured_m = float(weather.attrs.get("wind_speed_height_m", 10.0))
    v = weather["wind_speed_m_s"].to_numpy(float)
    hub_speed = hub_wind_speed_m_s(
        v, measured_m, hub_height_m, profile, hellman_exponent, roughness_length_m
    )
    if density_correction:
        rho = hub_air_density_kg_m3(
            weather["dry_bulb_c"].to_numpy(float), weather["pressure_pa"].to_numpy(float),
            hub_height_m,
        )  # fmt: skip
        single = density_corrected_power_kw(hub_speed, rho, speeds_m_s, power_kw)
    else:
        single = np.interp(hub_speed, speeds_m_s, power_kw, left=0.0, right=0.0)
    out = pd.Series(single * int(count), index=weather.index, name="wind_kw")
    out.attrs["model"] = (
        f"{count} x {turbine if isinstance(turbine, str) else 'user power curve'} at "
        f"{hub_height_m:g} m, {profile} profile from {measured_m:g} m, "
        f"{'density-corrected' if density_correction else 'standard-density'} power curve"
    )
    if speeds_m_s[-1] < 20.0:
        out.attrs["note"] = (
            f"the power curve ends at {speeds_m_s[-1]:g} m/s: faster winds give zero, as if "
            "the turbine cut out there"
        )
    return out


def hub_wind_speed_m_s(
    wind_speed_m_s,
    measured_height_m: float,
    hub_height_m: float,
    profile: str = "hellman",
    hellman_exponent: float = HELLMAN_EXPONENT,
    roughness_length_m: float = ROUGHNESS_LENGTH_M,
):
    """Wind speed at hub height [m/s].

    Hellman power law ``v_hub = v (h_hub / h) ** alpha``, or the logarithmic profile
    ``v_hub = v ln(h_hub / z0) / ln(h / z0)`` (windpowerlib ``wind_speed.hellman`` and
    ``wind_speed.logarithmic_profile`` without obstacles).
    """
    v = np.asarray(wind_speed_m_s, float)
    if profile == "hellman":
        return v * (hub_height_m / measured_height_m) ** hellman_exponent
    z0 = roughness_length_m
    return v * np.log(hub_height_m / z0) / np.log(measured_height_m / z0)


def hub_air_density_kg_m3(dry_bulb_c, pressure_pa, hub_height_m: float):
    """Air density at hub height [kg/m³] from the weather's temperature [°C] (at 2 m) and
    station pressure [Pa] (at the ground): ISA lapse rate, -1/8 hPa per m, ideal gas
    (windpowerlib ``temperature.linear_gradient`` and ``density.ideal_gas``)."""
    t_hub_k = (
        np.asarray(dry_bulb_c, float) + 273.15
        - LAPSE_RATE_K_PER_M * (hub_height_m - TEMPERATURE_HEIGHT_M)
    )  # fmt: skip
    p_hub_pa = np.asarray(pressure_pa, float) - PRESSURE_GRADIENT_PA_PER_M * (
        hub_height_m - PRESSURE_HEIGHT_M
    )
    return p_hub_pa / (R_DRY_AIR_J_KG_K * t_hub_k)


def density_corrected_power_kw(hub_speed_m_s, density_kg_m3, curve_speeds_m_s, curve_kw):
    """Power [kW] from a power curve corrected for air density (Svenningsen 2010).

    Each curve speed moves to ``v_site = v_std (1.225 / rho) ** p(v_std)``, ``p`` = 1/3 up
    to 7.5 m/s, 2/3 from 12.5 m/s, linear between; the power is interpolated on the moved
    curve, zero outside it. Vectorised over hours (windpowerlib's
    ``power_output.power_curve_density_correction`` gives the same numbers with a loop).
    """
    v = np.asarray(hub_speed_m_s, float)
    rho = np.broadcast_to(np.asarray(density_kg_m3, float), v.shape)
    v_std = np.asarray(curve_speeds_m_s, float)
    p_std = np.asarray(curve_kw, float)
    exponent = np.interp(v_std, _DENSITY_EXPONENT_SPEEDS_M_S, (1.0 / 3.0, 2.0 / 3.0))
    moved = (STANDARD_AIR_DENSITY_KG_M3 / rho)[:, None] ** exponent[None, :] * v_std[None, :]
    k = (moved <= v[:, None]).sum(axis=1) - 1  # last curve point at or below v
    inside = (k >= 0) & (k < len(v_std) - 1)
    kk = np.clip(k, 0, len(v_std) - 2)
    rows = np.arange(len(v))
    x0, x1 = moved[rows, kk], moved[rows, kk + 1]
    share = np.where(x1 > x0, (v - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0)
    power = p_std[kk] + share * (p_std[kk + 1] - p_std[kk])
    at_end = (k == len(v_std) - 1) & (v == moved[rows, -1])
    return np.where(inside, power, np.where(at_end, p_std[-1], 0.0))


def turbine_types() -> list[str]:
    """Turbine types of windpowerlib's bundled library that have a power curve.

    Read offline from windpowerlib's ``oedb/turbine_data.csv`` through
    ``windpowerlib.get_turbine_types(print_out=False)`` (``turbine_library="local"``; the
    function of the same name in ``windpowerlib.wind_turbine`` is a stub that raises).
    """
    return list(_library_turbines())


@functools.cache
def _library_turbines() -> tuple[str, ...]:
    from windpowerlib import get_turbine_types

    table = get_turbine_types(turbine_library="local", print_out=False)
    return tuple(sorted(table.loc[table["has_power_curve"].astype(bool), "turbine_type"]))


def turbine_power_curve(turbine: str) -> pd.DataFrame:
    """The library power curve of a turbine type.

    Returns
    -------
    DataFrame
        ``wind_speed_m_s`` [m/s], ``power_kw`` [kW] at standard air density.

    Raises
    ------
    ThermalInputError
        Unknown turbine type, naming the closest matches.
    """
    speeds, power, _ = _library_curve(_known_turbine(turbine))
    return pd.DataFrame({"wind_speed_m_s": speeds, "power_kw": power})


def _known_turbine(turbine: str) -> str:
    names = _library_turbines()
    key = str(turbine).strip()
    if key in names:
        return key
    folded = {n.lower().replace(" ", ""): n for n in names}
    if key.lower().replace(" ", "") in folded:
        return folded[key.lower().replace(" ", "")]
    close = difflib.get_close_matches(key.lower(), list(folded), n=5, cutoff=0.5)
    hint = (
        f"close matches: {', '.join(folded[c] for c in close)}"
        if close
        else f"e.g. {', '.join(names[:5])} (thermal.onsite.turbine_types() lists all {len(names)})"
    )
    raise ThermalInputError(
        f"onsite.wind.turbine = {key[:60]!r} is not in windpowerlib's turbine library; {hint}; "
        "or give a power curve (wind_speed_m_s, power_kw)"
    )


@functools.cache
def _library_curve(name: str) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Power curve [m/s, kW] and rotor diameter [m] from windpowerlib's bundled oedb files
    (read here with pandas: windpowerlib's reader uses ``inplace`` calls deprecated in
    pandas 3; the file layout is its ``get_turbine_data_from_file``'s)."""
    import os

    import windpowerlib

    folder = os.path.join(os.path.dirname(windpowerlib.__file__), "oedb")
    curves = pd.read_csv(os.path.join(folder, "power_curves.csv"), index_col=0)
    row = curves.loc[[name]].iloc[0].dropna()
    curve = pd.Series(row.to_numpy(float), index=row.index.astype(float)).sort_index()
    data = pd.read_csv(os.path.join(folder, "turbine_data.csv"), index_col=0)
    rotor = pd.to_numeric(data.loc[[name], "rotor_diameter"], errors="coerce").iloc[0]
    return (
        curve.index.to_numpy(float),
        curve.to_numpy(float) / 1000.0,  # W -> kW
        float(rotor) if math.isfinite(rotor) else None,
    )


def _power_curve(turbine) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(speeds [m/s], power [kW], rotor diameter [m] or None) of a library name or a
    user curve, checked."""
    if isinstance(turbine, str):
        return _library_curve(_known_turbine(turbine))
    if not isinstance(turbine, Mapping) or not {"wind_speed_m_s", "power_kw"} <= set(turbine):
        raise ThermalInputError(
            "onsite.wind.turbine: give a windpowerlib turbine type name or a power curve "
            "{'wind_speed_m_s': [...], 'power_kw': [...]}"
        )
    try:
        speeds = np.asarray(turbine["wind_speed_m_s"], float).ravel()
        power = np.asarray(turbine["power_kw"], float).ravel()
    except (TypeError, ValueError):
        raise ThermalInputError(
            "onsite.wind.turbine power curve: wind_speed_m_s and power_kw must be numbers"
        ) from None
    field = "onsite.wind.turbine power curve"
    if len(speeds) != len(power) or len(speeds) < 2:
        raise ThermalInputError(
            f"{field}: wind_speed_m_s and power_kw need the same length, at least 2 points "
            f"(got {len(speeds)} and {len(power)})"
        )
    if not (np.isfinite(speeds).all() and np.isfinite(power).all()):
        raise ThermalInputError(f"{field}: every speed and power must be a finite number")
    if (speeds < 0).any() or (np.diff(speeds) <= 0).any():
        raise ThermalInputError(f"{field}: wind_speed_m_s must be >= 0 and strictly increasing")
    if (power < 0).any():
        raise ThermalInputError(f"{field}: power_kw must be >= 0")
    return speeds, power, None


def _check_number(field: str, value, low: float, high: float, unit: str) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and low <= number <= high):
        raise ThermalInputError(
            f"{field} = {value!r}: give a number in {low:g}..{high:g} {unit}".rstrip()
        )


def _require_location(weather: pd.DataFrame) -> None:
    missing = [k for k in ("latitude", "longitude") if k not in weather.attrs]
    if missing:
        raise ThermalInputError(
            f"the weather frame has no {' or '.join(missing)} in its attrs: load it with "
            "thermal.weather.load_climate"
        )


def _describe(weather: pd.DataFrame) -> str:
    name = weather.attrs.get("name", "this weather")
    source = weather.attrs.get("source", "")
    return f"{name} ({source})" if source else str(name)


def _require_irradiance(weather: pd.DataFrame) -> None:
    from thermal.weather import IRRADIANCE_COLUMNS

    missing = [c for c in IRRADIANCE_COLUMNS if c not in weather]
    if not missing:
        return
    unusable = weather.attrs.get("unusable_columns", {})
    why = "; ".join(f"{c}: {unusable[c]}" for c in missing if c in unusable)
    if why:
        reason = f"its file's irradiance is unusable ({why})"
    else:
        reason = f"this climate has no {', '.join(missing)}"
    hint = ""
    if "annual_ghi_kwh_m2" in weather.attrs:
        hint = (
            ", or use the labelled modelled estimate "
            "(thermal.solar_estimate.with_modelled_irradiance)"
        )
    raise ThermalInputError(
        f"onsite.pv needs irradiance: {reason} in {_describe(weather)}; give a weather file "
        f"with GHI/DNI/DHI (EPW/TMY3) or a generation CSV (timestamp,kw){hint}"
    )


def _require_wind(weather: pd.DataFrame) -> None:
    if "wind_speed_m_s" in weather:
        return
    unusable = weather.attrs.get("unusable_columns", {})
    reason = (
        f"its file's wind speed is unusable ({unusable['wind_speed_m_s']})"
        if "wind_speed_m_s" in unusable
        else "this climate has no wind speed (synthetic years do not invent one)"
    )
    raise ThermalInputError(
        f"onsite.wind needs wind speed: {reason} in {_describe(weather)}; give a weather "
        "file with wind speed (EPW/TMY3) or a generation CSV (timestamp,kw)"
    )

"""Linear heat-reuse coefficients for the scheduler.

The scheduler chooses, each hour, how much heat each pod delivers to the heat network
(:mod:`thermal.heat_reuse`). What a pod can deliver grows with its compute load and a
heat pump's compressor adds facility power in proportion to the heat it delivers, so::

    delivered <= recoverable_kw_th + recoverable_per_compute * d_compute   (each pod)
    sum over pods of delivered <= demand_kw_th  (and <= capacity_kw_th, if given)
    facility_kw += heat_pump_kw_per_kw_th * delivered                        (each pod)

:func:`heat_reuse_coefficients` gives those terms around a baseline load (central
differences of the full simulation, as :func:`thermal.coefficients.scheduler_coefficients`)
and :func:`linear_heat_reuse` what they predict for other loads, to compare with
:func:`thermal.heat_reuse.heat_reuse_site` (docs/physics-validation.md, "Heat reuse").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from thermal.facility import FacilityParams, Pod, design_pod
from thermal.heat_reuse import (
    HeatReuseParams,
    allocate,
    check_params,
    offer_kw_th,
    site_limit_kw_th,
    source_heat,
)
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions

#: Fields of :func:`heat_reuse_coefficients`.
HEAT_REUSE_FIELDS = (
    "compute_kw",
    "source_c",
    "recoverable_kw_th",
    "recoverable_per_compute",
    "heat_pump_kw_per_kw_th",
)


def heat_reuse_coefficients(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    compute_kw: Mapping[str, object] | None = None,
    params: HeatReuseParams | None = None,
    facility_params: FacilityParams | None = None,
    step_frac: float = 0.01,
) -> pd.DataFrame:
    """Hourly linear coefficients of heat reuse in compute load, per pod, for the scheduler.

    With ``d_compute`` the change of a pod's compute load from the baseline [kW] and
    ``delivered >= 0`` the heat it delivers [kW_th], every hour::

        delivered <= recoverable_kw_th + recoverable_per_compute * d_compute   (each pod)
        sum over pods of delivered <= demand_kw_th  (and <= capacity_kw_th, if given)
        facility_kw += heat_pump_kw_per_kw_th * delivered                        (each pod)

    Parameters
    ----------
    weather : DataFrame
    pods : sequence of Pod
    compute_kw : mapping pod name -> hourly load, optional
        The baseline [kW]; default each pod's utilisation x design.
    params : HeatReuseParams, optional
    facility_params : FacilityParams, optional
    step_frac : float
        Central-difference step as a share of the pod's design compute [-] (as
        :func:`thermal.coefficients.scheduler_coefficients`).

    Returns
    -------
    DataFrame
        Index: the weather hours. Columns: a MultiIndex (field, pod) with fields
        ``compute_kw`` (the baseline [kW]), ``source_c`` (source return temperature [°C]),
        ``recoverable_kw_th`` (the most the pod delivers at the baseline, contracted share
        and heat-pump compressor heat included [kW_th]), ``recoverable_per_compute`` (its
        derivative in compute [kW_th per kW]) and ``heat_pump_kw_per_kw_th`` (compressor
        power per kW_th delivered at the hour's source temperature, 0 where direct
        [kW/kW_th]).
    """
    p = check_params(params or HeatReuseParams())
    fp = facility_params or FacilityParams()
    out = weather_arrays(weather, fp)
    pieces = {}
    for pod in pods:
        design = design_pod(pod, with_design_conditions(fp, out))
        base = simulate_pod(weather, pod, (compute_kw or {}).get(pod.name), fp, out)
        c = base["compute_kw"].to_numpy()
        h = step_frac * design.compute_design_kw
        c_lo = np.maximum(c - h, 0.0)
        c_hi = np.minimum(c + h, design.compute_design_kw)

        def offer(load, frame=None, _pod=pod):
            f = frame if frame is not None else simulate_pod(weather, _pod, load, fp, out)
            src = source_heat(weather, _pod, f, fp, out)
            return src, offer_kw_th(src, p)

        src, at = offer(c, base)
        slope = (offer(c_hi)[1]["recoverable_kw_th"] - offer(c_lo)[1]["recoverable_kw_th"]) / (
            c_hi - c_lo
        )
        pieces[pod.name] = pd.DataFrame(
            {
                "compute_kw": c,
                "source_c": src["source_c"],
                "recoverable_kw_th": at["recoverable_kw_th"],
                "recoverable_per_compute": slope,
                "heat_pump_kw_per_kw_th": at["per_kw_th"],
            },
            index=weather.index,
        )
    frame = pd.concat(pieces, axis=1, names=["pod", "field"])
    return frame.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)


def linear_heat_reuse(
    coefficients: pd.DataFrame,
    compute_kw: Mapping[str, object],
    demand_kw_th=None,
    params: HeatReuseParams | None = None,
) -> dict[str, pd.DataFrame]:
    """Heat delivered and heat-pump power the linear model predicts for new loads.

    Each pod's recoverable heat is its coefficients' line at the new load (never below 0);
    the site's demand and capacity are shared in the merit order of :func:`allocate`, as
    in :func:`heat_reuse_site`.

    Parameters
    ----------
    coefficients : DataFrame
        From :func:`heat_reuse_coefficients`.
    compute_kw : mapping pod name -> hourly compute load [kW]
        Every pod of the coefficients.
    demand_kw_th : float, array or Series, optional
        As :func:`heat_reuse_site`.
    params : HeatReuseParams, optional
        Those of the coefficients (``capacity_kw_th`` is read here).

    Returns
    -------
    dict of DataFrame (hours x pods)
        ``recoverable_kw_th``, ``delivered_kw_th`` and ``heat_pump_kw``.
    """
    p = check_params(params or HeatReuseParams())
    names = list(coefficients["compute_kw"].columns)
    index = coefficients.index
    load = pd.DataFrame({k: np.asarray(compute_kw[k], float) for k in names}, index=index)
    change = load - coefficients["compute_kw"][names]
    recoverable = (
        coefficients["recoverable_kw_th"][names]
        + coefficients["recoverable_per_compute"][names] * change
    ).clip(lower=0.0)
    per = coefficients["heat_pump_kw_per_kw_th"][names]
    limit = site_limit_kw_th(demand_kw_th, p, len(index), index)
    delivered = pd.DataFrame(
        allocate(recoverable.to_numpy(), per.to_numpy(), limit), index=index, columns=names
    )
    return {
        "recoverable_kw_th": recoverable,
        "delivered_kw_th": delivered,
        "heat_pump_kw": delivered * per,
    }

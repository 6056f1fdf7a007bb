"""Linear facility coefficients for the scheduler.

The scheduler needs facility power as a linear function of each pod's compute load in
each hour: ``facility_kw ~= fixed_kw + facility_factor * compute_kw``. Around a given load
(the baseline the jobs are added to) the factor is the *marginal* facility kWh per extra
compute kWh, found by a central difference of the full simulation, and ``fixed_kw`` is the
tangent's intercept. The cooling capacity is the largest compute load the plant can cool
in that hour (it shrinks in hot hours, when free cooling fades and chillers derate).

Note: the scheduler's load is *compute* power (what a job draws whatever cools it); the
factor converts it to facility power including server fans, so a job costs less on a
liquid-cooled pod.

A cold tank on a pod's chillers (:mod:`thermal.cold_storage`) adds two flows per hour,
charge and discharge [kW_th], with their own coefficients and limits:
:func:`cold_storage_coefficients`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from thermal.cold_storage import ColdStorageParams, check_storage
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.simulate import simulate_pod, weather_arrays

COEFFICIENT_FIELDS = (
    "compute_kw",
    "facility_kw",
    "facility_factor",
    "fixed_kw",
    "cooling_capacity_kw",
    "available_cooling_kw",
)


def scheduler_coefficients(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    compute_kw: Mapping[str, object] | None = None,
    params: FacilityParams | None = None,
    step_frac: float = 0.01,
) -> pd.DataFrame:
    """Hourly linear coefficients of facility power in compute load, per pod.

    Parameters
    ----------
    weather : DataFrame
        From :func:`thermal.weather.load_climate`.
    pods : sequence of Pod
    compute_kw : mapping pod name -> hourly load, optional
        The load to linearise around [kW]; default each pod's utilisation x design.
    params : FacilityParams, optional
    step_frac : float
        Finite-difference step as a share of the pod's design compute [-].

    Returns
    -------
    DataFrame
        Index: the weather hours. Columns: a MultiIndex (field, pod) with fields
        ``compute_kw`` (the baseline [kW]), ``facility_kw`` (simulated at it [kW]),
        ``facility_factor`` (marginal facility kWh per compute kWh [-]), ``fixed_kw``
        (intercept [kW]), ``cooling_capacity_kw`` (largest coolable compute [kW]) and
        ``available_cooling_kw`` (capacity minus baseline, >= 0 [kW]). So
        ``coef["facility_factor"]`` is an hours x pods frame.
    """
    p = params or FacilityParams()
    out = weather_arrays(weather, p)
    pieces = {}
    for pod in pods:
        design = design_pod(pod, p)
        base_in = (compute_kw or {}).get(pod.name)
        base = simulate_pod(weather, pod, base_in, p, out)
        c = base["compute_kw"].to_numpy()
        h = step_frac * design.compute_design_kw
        c_lo = np.maximum(c - h, 0.0)
        c_hi = np.minimum(c + h, design.compute_design_kw)
        f_lo = simulate_pod(weather, pod, c_lo, p, out)["facility_kw"].to_numpy()
        f_hi = simulate_pod(weather, pod, c_hi, p, out)["facility_kw"].to_numpy()
        factor = (f_hi - f_lo) / (c_hi - c_lo)
        facility = base["facility_kw"].to_numpy()
        capacity = base["cooling_capacity_compute_kw"].to_numpy()
        pieces[pod.name] = pd.DataFrame(
            {
                "compute_kw": c,
                "facility_kw": facility,
                "facility_factor": factor,
                "fixed_kw": facility - factor * c,
                "cooling_capacity_kw": capacity,
                "available_cooling_kw": np.maximum(capacity - c, 0.0),
            },
            index=weather.index,
        )
    frame = pd.concat(pieces, axis=1, names=["pod", "field"])
    return frame.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)


def linear_facility_kw(
    coefficients: pd.DataFrame, compute_kw: Mapping[str, object]
) -> pd.DataFrame:
    """Facility power the linear model predicts for new compute loads [kW], per pod.

    Parameters
    ----------
    coefficients : DataFrame
        From :func:`scheduler_coefficients`.
    compute_kw : mapping pod name -> hourly compute load [kW]

    Returns
    -------
    DataFrame
        Hours x pods.
    """
    load = pd.DataFrame(
        {k: np.asarray(v, float) for k, v in compute_kw.items()}, index=coefficients.index
    )
    return (
        coefficients["fixed_kw"][load.columns]
        + coefficients["facility_factor"][load.columns] * load
    )


#: Fields of :func:`cold_storage_coefficients`.
COLD_STORAGE_FIELDS = (
    "chiller_load_kw_th",
    "chiller_load_per_compute",
    "chiller_spare_kw_th",
    "chiller_spare_per_compute",
    "charge_kw_per_kw_th",
    "discharge_kw_per_kw_th",
)
#: A flow larger than any plant: asking it returns the most the chillers take or shed.
_UNLIMITED_KW_TH = 1e15


def cold_storage_coefficients(
    weather: pd.DataFrame,
    pods: Sequence[Pod],
    compute_kw: Mapping[str, object] | None = None,
    params: FacilityParams | None = None,
    storage: ColdStorageParams | None = None,
    step_frac: float = 0.01,
    samples: int = 4,
) -> pd.DataFrame:
    """Hourly linear coefficients of a cold tank on each pod's plant, for the scheduler.

    With ``d_compute`` the change of compute load from the baseline [kW], ``charge`` and
    ``discharge`` >= 0 the tank's flows on the pod [kW_th] (:mod:`thermal.cold_storage`)::

        facility_kw ~= facility_kw(baseline) + facility_factor * d_compute
                       + charge_kw_per_kw_th * charge - discharge_kw_per_kw_th * discharge
        discharge <= chiller_load_kw_th + chiller_load_per_compute * d_compute
        charge    <= chiller_spare_kw_th + chiller_spare_per_compute * d_compute

    (``facility_factor`` from :func:`scheduler_coefficients`). The limits are those the
    simulation applies: discharge replaces only heat the tank's loop asks of its chillers;
    charging only fills the capacity they have left at the hour's conditions.

    The flow coefficients come from the full simulation, so pumps, tower fans,
    distribution losses and, for ice, the lower COP and capacity are in them. A chiller
    plant's power is not linear in its load (a unit false-loads below 20 %, staging, the
    part-load curve), so each coefficient is the slope through the baseline that best fits
    the simulated facility power over the flows the hour allows: ``samples`` flows evenly
    up to the largest (the tank's ``power_kw_th`` or the chillers' limit, whichever is
    smaller), the slope whose largest error over them is least. Charging a little in an
    hour whose chillers are off still costs a unit's false-loading power, which no slope
    through the baseline carries (docs/physics-validation.md, "Cold storage", gives the
    errors).

    Parameters
    ----------
    weather : DataFrame
    pods : sequence of Pod
    compute_kw : mapping pod name -> hourly load, optional
        The baseline [kW]; default each pod's utilisation x design.
    params : FacilityParams, optional
    storage : ColdStorageParams, optional
        The tank's kind, loop and power (the same tank kind on every pod).
    step_frac : float
        Compute step as a share of the pod's design compute [-] (as
        :func:`scheduler_coefficients`).
    samples : int
        Flows simulated per direction and hour to fit each slope (>= 1; 1 is the secant to
        the largest flow).

    Returns
    -------
    DataFrame
        Index: the weather hours. Columns: a MultiIndex (field, pod) with fields
        ``chiller_load_kw_th`` (heat the tank's loop asks of its chillers at the baseline:
        the most the tank can discharge [kW_th]), ``chiller_load_per_compute`` (its
        derivative in compute [kW_th per kW]), ``chiller_spare_kw_th`` (the most the chillers
        can charge at the baseline, >= 0: capacity at the hour's conditions minus load, less
        the charging pump's heat, x ``ice_capacity_ratio`` for ice [kW_th]),
        ``chiller_spare_per_compute`` (its derivative in compute, <= 0 where chillers carry
        load [kW_th per kW]), ``charge_kw_per_kw_th`` (facility power per kW_th charged
        [kW/kW_th]; where nothing can be charged, the pod's highest charging coefficient,
        so it stays finite and never cheap) and ``discharge_kw_per_kw_th`` (facility power
        saved per kW_th discharged [kW/kW_th]; 0 where the chillers carry no load).
    """
    p = params or FacilityParams()
    tank = check_storage(storage or ColdStorageParams())
    out = weather_arrays(weather, p)
    pieces = {}
    for pod in pods:
        design = design_pod(pod, p)
        base = simulate_pod(weather, pod, (compute_kw or {}).get(pod.name), p, out)
        c = base["compute_kw"].to_numpy()
        h = step_frac * design.compute_design_kw
        c_lo = np.maximum(c - h, 0.0)
        c_hi = np.minimum(c + h, design.compute_design_kw)

        def facility_with(flow, load=c, _pod=pod):
            f = simulate_pod(weather, _pod, load, p, out, flow, tank)
            return f["facility_kw"].to_numpy(), f["storage_kw_th"].to_numpy()

        def limit(load, sign):
            return 0.0 + sign * facility_with(sign * _UNLIMITED_KW_TH, load)[1]  # no -0.0

        load, spare = limit(c, -1.0), limit(c, 1.0)
        dc = np.where(c_hi > c_lo, c_hi - c_lo, 1.0)
        facility = base["facility_kw"].to_numpy()
        slopes = {}
        for sign, room in ((1.0, spare), (-1.0, load)):
            top = np.minimum(room, tank.power_kw_th)
            flows = [top * (k + 1) / samples for k in range(samples)]
            rises = [sign * (facility_with(sign * x)[0] - facility) for x in flows]
            slopes[sign] = _minimax_slope(flows, rises)
        charge = slopes[1.0]
        charge = np.where(np.minimum(spare, tank.power_kw_th) > 0, charge, charge.max(initial=0.0))
        pieces[pod.name] = pd.DataFrame(
            {
                "chiller_load_kw_th": load,
                "chiller_load_per_compute": (limit(c_hi, -1.0) - limit(c_lo, -1.0)) / dc,
                "chiller_spare_kw_th": spare,
                "chiller_spare_per_compute": (limit(c_hi, 1.0) - limit(c_lo, 1.0)) / dc,
                "charge_kw_per_kw_th": charge,
                "discharge_kw_per_kw_th": slopes[-1.0],
            },
            index=weather.index,
        )
    frame = pd.concat(pieces, axis=1, names=["pod", "field"])
    return frame.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)


def _minimax_slope(flows: list, rises: list) -> np.ndarray:
    """Per hour, the slope ``a`` through the origin whose largest error
    ``|rise_k - a flow_k|`` over the samples is least (0 where every flow is 0).

    The best slope equalises the errors of two samples of opposite sign, or passes through
    one sample: every such candidate is tried (few samples, all hours at once).
    """
    x = np.vstack(flows)
    y = np.vstack(rises)
    k = len(flows)
    candidates = [
        np.divide(y[i] + y[j], x[i] + x[j], out=np.zeros_like(x[0]), where=x[i] + x[j] > 0)
        for i in range(k)
        for j in range(i, k)
    ]
    cand = np.vstack(candidates)  # (candidates, hours); i == j is the secant through one
    worst = np.abs(y[None, :, :] - cand[:, None, :] * x[None, :, :]).max(axis=1)
    return cand[np.argmin(worst, axis=0), np.arange(x.shape[1])]

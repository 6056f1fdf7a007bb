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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

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

"""The MILP reproduces the anchors' single-job rules when nothing couples jobs.

reference/scheduling.md: without capacity limits, a non-preemptible job's optimum is the
best rolling window, and a preemptible job's (unlimited interruptions, no overhead) is
its k cheapest hours. 100 seeded random cases each, 48-72 h horizons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Objective, solve_schedule, validate
from tests.optimizer_cases import EXACT
from tests.tolerances import OPTIMIZER_OBJECTIVE_RTOL


def random_case(rng, preemptible):
    n_t = int(rng.integers(48, 73))
    hours = pd.date_range("2025-03-01", periods=n_t, freq="h", tz="Europe/Berlin")
    signals = pd.DataFrame({
        "price_per_kwh": rng.uniform(0.05, 0.5, n_t).round(4),
        "carbon_g_per_kwh": rng.uniform(50, 700, n_t).round(1),
        "facility_factor": rng.uniform(1.05, 1.6, n_t).round(3),
    }, index=hours)
    dur = int(rng.integers(1, 13))
    release = int(rng.integers(0, n_t - dur))
    deadline = int(rng.integers(release + dur, n_t + 1))
    power = float(rng.integers(1, 50) * 10)
    jobs = pd.DataFrame([{"job_id": "j", "release": hours[release],
                          "deadline": hours[0] + pd.Timedelta(hours=deadline),
                          "duration_h": dur, "power_kw": power, "preemptible": preemptible}])
    carbon_price = float(rng.uniform(0, 200))
    weight = (signals["price_per_kwh"] + carbon_price * signals["carbon_g_per_kwh"] / 1e6) * \
        signals["facility_factor"]
    window = weight.to_numpy()[release:deadline] * power
    return jobs, signals, Objective(carbon_price_per_t=carbon_price), window, dur


@pytest.mark.parametrize("preemptible", [False, True], ids=["best_window", "k_cheapest"])
def test_single_job_matches_anchor_rule(preemptible):
    rng = np.random.default_rng(20250701 + preemptible)
    for _ in range(100):
        jobs, signals, objective, window, dur = random_case(rng, preemptible)
        result = solve_schedule(jobs, signals, objective=objective, options=EXACT)
        assert validate(result.schedule, jobs, None, signals) == []
        if preemptible:
            rule = np.sort(window)[:dur].sum()
        else:
            rule = np.convolve(window, np.ones(dur), mode="valid").min()
        # objective = job's energy cost on top of a zero baseline
        assert result.objective == pytest.approx(rule, rel=OPTIMIZER_OBJECTIVE_RTOL)
        assert result.status == "optimal"

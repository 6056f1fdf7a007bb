"""Carbon savings of time shifting with perfect foresight and with forecasts, on the real
2023 carbon series of California (CISO) and Germany-Luxembourg (../shared/data/carbon).

    .venv/bin/python bench/bench_forecast.py                 # both tables in bench/README.md
    .venv/bin/python bench/bench_forecast.py --skip-coupled  # the Wiesner-style table only
    .venv/bin/python bench/bench_forecast.py --column direct # Electricity Maps' direct factor

1. Wiesner-style ("Let's Wait Awhile", Middleware '21, scenario II, ML training jobs; their
   simulate.py / strategy.py): 3,387 jobs released on workdays between 09:00 and 16:00
   local time, lasting 4..89 h, 1 kW each, no capacity limit; the "next workday" deadline
   of their code (a job whose as-soon-as-possible finish falls on a Saturday must end by
   Monday 09:00, one after 17:00 or on a Sunday by 09:00 the next day, one before 09:00 by
   09:00 that day, one within the working day has no slack). Each job is decided at its
   release on the forecast issued then by the optimizer's greedy rule (non-interruptible =
   the window of least forecast carbon, interruptible = the hours of least forecast
   carbon), and its carbon is settled on the actual series. Saving = 1 - carbon / carbon
   of running every job at once. The rule runs vectorised per job here (single_job_rules);
   CHECK_JOBS jobs per region and signal are re-decided by the product's
   scenarios.forecast_mode.greedy_at_release, which must agree to 1e-9. Without capacity
   coupling this rule is the MILP's optimum for the signals it is given, so the table is
   the MILP's too. Methods: perfect foresight, persistence, seasonal naive
   (scenarios.forecasts), and Wiesner's error model (the actual series plus Gaussian noise
   of 5 % of its mean, i.i.d. per hour; mean of NOISE_SEEDS seeds). Jobs are released from
   the second week on (a week of history for seasonal naive) and must end by the series'
   end.
2. Coupled: the same kind of jobs, 2..12 h long, on a site that hosts at most
   COUPLED_CAPACITIES_KW of them at once, for COUPLED_DAYS days from the first Monday of
   May; the MILP rolls (48 h windows, 24 h steps, re-issuing the forecast each day,
   COUPLED_WINDOW_S per window) next to the greedy rule at release. Savings against ASAP,
   and the regret (carbon of the forecast schedule minus that of the perfect-foresight
   schedule of the same procedure, in % of ASAP's carbon).

Skips (exit 0, with a message) when ../shared/data/carbon is absent.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CARBON_DIR = REPO.parent / "shared" / "data" / "carbon"
#: Region -> (file, local time zone of its workdays).
REGIONS = {
    "CA (CISO)": ("US-CAL-CISO_2023_hourly.csv", "America/Los_Angeles"),
    "DE (DE-LU)": ("DE-LU_2023_hourly.csv", "Europe/Berlin"),
}
#: Jobs of the Wiesner-style experiment (their simulate.py: n=3387).
WIESNER_JOBS = 3387
#: Job durations [h]: their 4 h .. 89.5 h in 30-min steps, on our hourly grid.
DURATION_H = (4, 89)
#: Release hours, local time (their 09:00..16:30 in 30-min steps, on our hourly grid).
RELEASE_HOURS = tuple(range(9, 17))
#: Noise seeds of the Wiesner error model (judgement: they average 10; 5 keep the run short
#: and the mean moves by < 0.05 points between 5 and 10 in a trial).
NOISE_SEEDS = 5
#: Relative forecast error of the Wiesner error model (their 5 % case).
NOISE_SHARE = 0.05
#: Coupled experiment: days, site capacities [kW] (jobs of 100 kW: at most 10 or 8 at
#: once; judgement: at 10 the capacity binds a little, at 8 the greedy rule deciding at
#: release misses jobs, at 7 and 14 jobs a day the instance is infeasible), jobs per
#: workday, time limit per rolling window [s] (judgement: a few minutes in all on a 2-core
#: machine).
COUPLED_DAYS = 14
COUPLED_CAPACITIES_KW = (1000.0, 800.0)
COUPLED_JOBS_PER_DAY = 12
COUPLED_WINDOW_S = 1.0
METHODS = ("perfect", "persistence", "seasonal_naive", "noise 5 %")
#: Jobs of experiment 1 that scenarios.forecast_mode.greedy_at_release re-decides to check
#: the vectorised rule (judgement: ~10 s per region and method; 0 skips the check).
CHECK_JOBS = 150


def load_carbon(name: str, column: str) -> pd.Series:
    """A region's hourly carbon [gCO2e/kWh] indexed by UTC hour starts (the product's
    importer, :func:`scenarios.importers.read_carbon`)."""
    from scenarios.importers import read_carbon

    return read_carbon(CARBON_DIR / name, column=column).values


def next_workday_deadline(finish: pd.Timestamp) -> pd.Timestamp:
    """Wiesner et al.'s "next workday" deadline for a job finishing at ``finish`` (local)
    when run at once (strategy.py, ``_forecast_duration``)."""
    nine = finish.normalize() + pd.Timedelta(hours=9)
    weekday, hour = finish.weekday(), finish.hour + finish.minute / 60
    if weekday == 5:  # Saturday: Monday 09:00
        return nine + pd.Timedelta(days=2)
    if weekday == 6 or hour > 17:  # Sunday, or after 17:00 (also Friday: Saturday 09:00)
        return nine + pd.Timedelta(days=1)
    if hour < 9:
        return nine
    return finish


def wiesner_jobs(carbon: pd.Series, tz: str, n: int, duration_h, seed: int = 0,
                 first_day: str = "2023-01-09", power_kw: float = 1.0,
                 start: pd.Timestamp | None = None, days: int | None = None) -> pd.DataFrame:
    """Jobs released on workdays between 09:00 and 16:00 local time, each a
    non-interruptible and an interruptible copy (ids ``N-n`` / ``N-i``), with the
    next-workday deadline; jobs whose deadline lies past the series are dropped."""
    rng = np.random.default_rng(seed)
    local_start = pd.Timestamp(first_day, tz=tz) if start is None else start
    last = carbon.index[-1] + pd.Timedelta(hours=1)
    end = last.tz_convert(tz).normalize() if days is None else local_start + pd.Timedelta(days=days)
    days_ = pd.date_range(local_start, end, freq="D", inclusive="left")
    workdays = days_[days_.day_of_week < 5]
    per_day = rng.multinomial(n, np.full(len(workdays), 1 / len(workdays)))
    rows = []
    for day, count in zip(workdays, per_day, strict=True):
        for hour in np.sort(rng.choice(RELEASE_HOURS, size=count)):
            release = day + pd.Timedelta(hours=int(hour))
            duration = int(rng.integers(duration_h[0], duration_h[1] + 1))
            deadline = next_workday_deadline(release + pd.Timedelta(hours=duration))
            if deadline.tz_convert("UTC") > last:
                continue
            k = len(rows) // 2
            for kind, pre in (("n", False), ("i", True)):
                rows.append({"job_id": f"{k}-{kind}", "release": release, "deadline": deadline,
                             "duration_h": duration, "power_kw": power_kw, "preemptible": pre})
    return pd.DataFrame(rows)


def _signals(carbon: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"price_per_kwh": 0.0, "carbon_g_per_kwh": carbon.to_numpy()},
                        index=carbon.index)


def _forecasts(method: str, known: np.ndarray, history_h: int, actual: pd.DataFrame, seed=0):
    """The product's Forecasts for one method ("noise 5 %": the actual plus noise)."""
    from scenarios.forecast_mode import Forecasts
    from scenarios.forecasts import SignalForecast

    if method == "noise 5 %":
        rng = np.random.default_rng(seed)
        noisy = actual["carbon_g_per_kwh"].to_numpy()
        noisy = noisy + rng.normal(0, NOISE_SHARE * noisy.mean(), len(noisy))
        return Forecasts(method, actual.assign(carbon_g_per_kwh=noisy), {}, {})
    if method == "perfect":
        return Forecasts(method, actual, {}, {})
    signal = SignalForecast("carbon_g_per_kwh", method, known, history_h)
    return Forecasts(method, actual, {"carbon_g_per_kwh": signal}, {})


def _carbon_by_kind(problem, schedule: pd.DataFrame) -> dict[str, float]:
    """Settled carbon [kg] of the non-interruptible and interruptible copies."""
    carbon = pd.Series(problem.carbon_g_per_kwh[0], index=problem.hours)
    kg = schedule["power_kw"].to_numpy() * carbon.reindex(pd.DatetimeIndex(
        schedule["timestamp"])).to_numpy() / 1000.0
    kind = schedule["job_id"].astype(str).str[-1].to_numpy()
    return {k: float(kg[kind == k].sum()) for k in ("n", "i")}


def single_job_rules(jobs: pd.DataFrame, hours: pd.DatetimeIndex, actual: np.ndarray,
                     forecast_at) -> np.ndarray:
    """Settled carbon [kg] of each job decided at its release, without capacity limits.

    The optimizer's greedy rule for one job at a time, vectorised per job: a
    non-interruptible job takes the window of least forecast carbon (the earliest among
    equals), an interruptible one its hours of least forecast carbon (the earliest among
    equals). :func:`cross_check` shows it equals
    :func:`scenarios.forecast_mode.greedy_at_release` job for job.

    Parameters
    ----------
    forecast_at : callable
        ``(r, end) -> carbon [gCO2e/kWh]`` of hours ``r .. end - 1`` known at hour ``r``.
    """
    from optimizer.placement import window_sums

    release = hours.get_indexer(pd.DatetimeIndex(jobs["release"]).tz_convert("UTC"))
    deadline = hours.get_indexer(pd.DatetimeIndex(jobs["deadline"]).tz_convert("UTC"))
    out = np.empty(len(jobs))
    for j, (r, d, n, pre, kw) in enumerate(zip(release, deadline, jobs["duration_h"],
                                              jobs["preemptible"], jobs["power_kw"],
                                              strict=True)):
        # the greedy rule's weight (carbon price 1 per t, no price), summed as it sums it:
        # forecasts that repeat a day tie windows a day apart, and the same arithmetic
        # breaks those ties the same way
        cost = forecast_at(int(r), int(d)) / 1e6 * kw
        if pre:
            run = r + np.sort(np.argsort(cost, kind="stable")[:n])
        else:
            start = r + int(np.argmin(window_sums(cost, n)))
            run = np.arange(start, start + n)
        out[j] = kw * actual[run].sum() / 1000.0
    return out


def cross_check(jobs: pd.DataFrame, carbon: pd.Series, fc, kg: np.ndarray, n_jobs: int) -> None:
    """Assert that :func:`single_job_rules` gave the product's greedy rule at release
    (:func:`scenarios.forecast_mode.greedy_at_release`) for the first ``n_jobs`` jobs."""
    from optimizer import Limits, Objective, prepare_problem
    from scenarios.forecast_mode import greedy_at_release

    some = jobs.iloc[: 2 * n_jobs]
    objective = Objective(carbon_price_per_t=1.0)
    problem = prepare_problem(some, _signals(carbon), objective=objective)
    schedule, missed = greedy_at_release(problem, some, _unlimited(problem), Limits(),
                                         objective, fc.frame_at)
    assert not missed
    actual = pd.Series(carbon.to_numpy(), index=carbon.index)
    per_job = (schedule["power_kw"].to_numpy() * actual.reindex(pd.DatetimeIndex(
        schedule["timestamp"])).to_numpy() / 1000.0)
    product = pd.Series(per_job).groupby(schedule["job_id"].astype(str).to_numpy()).sum()
    mine = pd.Series(kg[: 2 * n_jobs], index=some["job_id"].to_numpy())
    assert np.allclose(product.reindex(mine.index).to_numpy(), mine.to_numpy(), rtol=1e-9), \
        "the vectorised rule differs from greedy_at_release"


def wiesner_table(column: str, check_jobs: int) -> list[dict]:
    """Experiment 1 (module doc): savings per region, method and job kind."""
    from scenarios.forecasts import SignalForecast, nmae_pct

    rows = []
    for region, (name, tz) in REGIONS.items():
        series = load_carbon(name, column)
        jobs = wiesner_jobs(series, tz, WIESNER_JOBS, DURATION_H)
        actual = series.to_numpy()
        kind = jobs["job_id"].str[-1].to_numpy()
        release = series.index.get_indexer(pd.DatetimeIndex(jobs["release"]).tz_convert("UTC"))
        run_at_once = np.array([kw * actual[r : r + n].sum() / 1000.0 for r, n, kw in zip(
            release, jobs["duration_h"], jobs["power_kw"], strict=True)])
        base = {k: run_at_once[kind == k].sum() for k in ("n", "i")}
        for method in METHODS:
            tick = time.perf_counter()
            seeds = range(NOISE_SEEDS) if method == "noise 5 %" else (0,)
            saved = {"n": [], "i": []}
            for seed in seeds:
                fc = _forecasts(method, actual, 0, _signals(series), seed)
                kg = single_job_rules(jobs, series.index, actual,
                                      lambda r, d, f=fc: f.values_at(r, d)[1])
                if seed == 0 and check_jobs:
                    cross_check(jobs, series, fc, kg, check_jobs)
                for k in saved:
                    saved[k].append(100.0 * (1 - kg[kind == k].sum() / base[k]))
            nmae = 0.0 if method == "perfect" else None
            if method in ("persistence", "seasonal_naive"):  # day-ahead error from day 8 on
                nmae = nmae_pct(SignalForecast("carbon_g_per_kwh", method, actual, 168))
            elif method == "noise 5 %":
                nmae = 100 * NOISE_SHARE * np.sqrt(2 / np.pi)  # E|N(0, s)| = 0.8 s
            rows.append({"region": region, "method": method, "jobs": len(jobs) // 2,
                         "non_interruptible_pct": float(np.mean(saved["n"])),
                         "interruptible_pct": float(np.mean(saved["i"])),
                         "nmae_pct": nmae, "s": time.perf_counter() - tick})
    return rows


def _unlimited(problem):
    from optimizer import Pods

    return Pods(capacity_kw=pd.DataFrame({p: np.inf for p in problem.pods}, index=problem.hours))


def coupled_table(column: str) -> list[dict]:
    """Experiment 2 (module doc): the rolling MILP and the greedy rule under a capacity
    limit, each with perfect foresight and with the built-in forecasts."""
    from optimizer import Limits, Objective, Pods, SolverOptions, prepare_problem, solve_schedule
    from optimizer.baselines import asap
    from optimizer.metrics import evaluate
    from optimizer.schedule import from_frame
    from scenarios.forecast_mode import greedy_at_release

    objective = Objective(carbon_price_per_t=1.0)
    options = SolverOptions(time_limit_s=COUPLED_WINDOW_S, rel_gap=1e-3, window_h=48, step_h=24)
    rows = []
    for region, (name, tz) in REGIONS.items():
        series = load_carbon(name, column)
        start = pd.Timestamp("2023-05-01", tz=tz)  # a Monday
        jobs = wiesner_jobs(series, tz, COUPLED_JOBS_PER_DAY * 10, (2, 12), seed=1,
                            power_kw=100.0, start=start, days=COUPLED_DAYS)
        jobs = jobs[jobs["job_id"].str.endswith("-n")].reset_index(drop=True)  # one copy each
        jobs["preemptible"] = np.arange(len(jobs)) % 2 == 1  # half interruptible
        first = start.tz_convert("UTC")
        end = max(pd.DatetimeIndex(jobs["deadline"]).tz_convert("UTC").max(),
                  first + pd.Timedelta(days=COUPLED_DAYS))
        position = series.index.get_loc(first)
        n = int((end - first) / pd.Timedelta(hours=1))
        horizon = series.iloc[position : position + n]
        actual = _signals(horizon)
        known = series.to_numpy()[position - 168 : position + n]
        for capacity_kw, method in itertools.product(COUPLED_CAPACITIES_KW, METHODS[:3]):
            pods = Pods(capacity_kw=pd.DataFrame({"site": capacity_kw}, index=horizon.index))
            problem = prepare_problem(jobs, actual, pods, objective=objective)
            asap_kg = evaluate(problem, asap(problem).assignment).carbon_kg
            fc = _forecasts(method, known, 168, actual)
            tick = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                milp = solve_schedule(jobs, fc.frame_at(0, n), pods, Limits(), objective,
                                      options, signals_at=fc.values_at)
            milp_s = time.perf_counter() - tick
            rule, missed = greedy_at_release(problem, jobs, pods, Limits(), objective,
                                             fc.frame_at)
            settled = {"milp": evaluate(problem, from_frame(problem, milp.schedule)).carbon_kg,
                       "greedy": None if missed else
                       evaluate(problem, from_frame(problem, rule)).carbon_kg}
            rows.append({"region": region, "method": method, "jobs": len(jobs), "hours": n,
                         "capacity_kw": capacity_kw,
                         "windows": len(milp.windows), "milp_kg": settled["milp"],
                         "greedy_kg": settled["greedy"], "asap_kg": asap_kg,
                         "missed": len(missed), "milp_s": milp_s})
    for row in rows:
        perfect = next(r for r in rows if r["region"] == row["region"]
                       and r["capacity_kw"] == row["capacity_kw"] and r["method"] == "perfect")
        for kind in ("milp", "greedy"):
            kg, ref = row[f"{kind}_kg"], perfect[f"{kind}_kg"]
            row[f"{kind}_saving_pct"] = None if kg is None else 100 * (1 - kg / row["asap_kg"])
            row[f"{kind}_regret_pct"] = None if kg is None or ref is None else \
                100 * (kg - ref) / row["asap_kg"]
    return rows


def _fmt(value, spec=".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--column", choices=("lca", "direct"), default="lca",
                        help="Electricity Maps factor (lca: life cycle, like Wiesner's IPCC "
                             "factors; default)")
    parser.add_argument("--skip-coupled", action="store_true", help="experiment 1 only")
    parser.add_argument("--check-jobs", type=int, default=CHECK_JOBS,
                        help="jobs of experiment 1 re-decided by the product's greedy rule at "
                             "release, which must agree (0: no check)")
    args = parser.parse_args(argv)
    if not all((CARBON_DIR / name).is_file() for name, _ in REGIONS.values()):
        print(f"skipped: the real carbon series are not in {CARBON_DIR} (see "
              "../shared/data/README.md); nothing to measure")
        return 0
    load = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}; load "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; carbon column {args.column}")
    tick = time.perf_counter()
    rows = wiesner_table(args.column, args.check_jobs)
    print("\n1. Wiesner-style: jobs decided at release, no capacity limit; carbon saving vs "
          "running at once [%]\n")
    print("| region | signal | jobs | non-interruptible | interruptible | day-ahead nMAE | s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['region']} | {r['method']} | {r['jobs']:,} | "
              f"{_fmt(r['non_interruptible_pct'])} | {_fmt(r['interruptible_pct'])} | "
              f"{_fmt(r['nmae_pct'], '.1f')} % | {r['s']:.1f} |")
    if not args.skip_coupled:
        rows = coupled_table(args.column)
        print(f"\n2. Coupled: {COUPLED_DAYS} days from 2023-05-01, jobs of 100 kW (half "
              "interruptible) under a site cap; carbon saving vs ASAP and regret vs perfect "
              "foresight [% of ASAP's carbon]\n")
        print("| region | cap kW | signal | jobs x hours | MILP saving | MILP regret | "
              "greedy saving | greedy regret | MILP s (windows) |")
        print("|---|---:|---|---|---:|---:|---:|---:|---:|")
        for r in rows:
            greedy_note = "" if not r["missed"] else f" ({r['missed']} missed)"
            print(f"| {r['region']} | {r['capacity_kw']:,.0f} | {r['method']} | "
                  f"{r['jobs']}x{r['hours']} | "
                  f"{_fmt(r['milp_saving_pct'])} | {_fmt(r['milp_regret_pct'])} | "
                  f"{_fmt(r['greedy_saving_pct'])}{greedy_note} | "
                  f"{_fmt(r['greedy_regret_pct'])} | {r['milp_s']:.1f} ({r['windows']}) |")
    print(f"\ntotal {time.perf_counter() - tick:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

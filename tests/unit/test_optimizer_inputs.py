"""Input checks, pre-solve explanations, baselines and the independent validator (no solver)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import (
    InfeasibleError,
    Limits,
    Pods,
    ScheduleInputError,
    asap,
    greedy,
    make_instance,
    prepare_problem,
    validate,
)
from optimizer.precheck import explain_infeasible_inputs
from optimizer.schedule import to_frame

NO_LIMITS = Limits()
HOURS = pd.date_range("2025-07-01T00:00", periods=6, freq="h", tz="Asia/Shanghai")


def signals(prices=(1, 5, 1, 5, 2, 9)):
    return pd.DataFrame({"price_per_kwh": list(prices), "carbon_g_per_kwh": 0.0}, index=HOURS)


def job(job_id="a", r=0, d=6, dur=2, kw=100.0, pre=False, **extra):
    row = {"job_id": job_id, "release": HOURS[0] + pd.Timedelta(hours=r),
           "deadline": HOURS[0] + pd.Timedelta(hours=d), "duration_h": dur, "power_kw": kw,
           "preemptible": pre}
    row.update(extra)
    return row


def pods(cap, names=("p1",), cooling=None, base=None):
    frame = lambda v: pd.DataFrame(  # noqa: E731
        np.broadcast_to(np.asarray(v, float).T if np.ndim(v) == 2 else v,
                        (len(HOURS), len(names))).copy(), index=HOURS, columns=list(names))
    return Pods(capacity_kw=frame(cap), cooling_capacity_kw=None if cooling is None else
                frame(cooling), baseline_kw=None if base is None else frame(base))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deadline": "2025-07-01T03:30+08:00"}, "column 'deadline'.*not on the hour grid"),
        ({"release": "2025-07-01T01:00"}, "column 'release'.*no UTC offset"),
        ({"duration_h": 1.5}, "column 'duration_h'.*whole number"),
        ({"power_kw": -3}, "column 'power_kw'.*> 0"),
        ({"preemptible": "maybe"}, "column 'preemptible'.*true/false"),
        ({"pods": "p9"}, "column 'pods'.*unknown pod.*p9"),
        ({"deadline": "2025-07-02T00:00+08:00"}, "column 'deadline'.*after the signals end"),
        ({"max_interruptions": -1}, "column 'max_interruptions'"),
    ],
)
def test_bad_job_fields_are_named(change, message):
    row = job()
    row.update(change)
    with pytest.raises(ScheduleInputError, match=message):
        prepare_problem(pd.DataFrame([row]), signals(), pods(100.0))


def test_duplicate_job_ids_and_missing_columns():
    with pytest.raises(ScheduleInputError, match="repeats row 1"):
        prepare_problem(pd.DataFrame([job("a"), job("a")]), signals())
    with pytest.raises(ScheduleInputError, match="missing column"):
        prepare_problem(pd.DataFrame([job()]).drop(columns="power_kw"), signals())


def test_signals_must_be_tz_aware_and_hourly():
    s = signals()
    with pytest.raises(ScheduleInputError, match="tz-aware"):
        prepare_problem(pd.DataFrame([job()]), s.tz_localize(None))
    gap = s.drop(index=HOURS[2])
    with pytest.raises(ScheduleInputError, match="hourly and consecutive"):
        prepare_problem(pd.DataFrame([job(d=5)]), gap)


def test_precheck_names_short_window_and_homeless_jobs():
    p = prepare_problem(pd.DataFrame([job("short", r=0, d=2, dur=3), job("ok")]), signals())
    with pytest.raises(InfeasibleError) as info:
        explain_infeasible_inputs(p)
    assert info.value.jobs == ["short"]
    # 150 kW job on a 100 kW pod; and one whose pod is only free 1 h in its window
    p = prepare_problem(pd.DataFrame([job("big", kw=150), job("ok")]), signals(), pods(100.0))
    with pytest.raises(InfeasibleError, match="even alone") as info:
        explain_infeasible_inputs(p)
    assert info.value.jobs == ["big"]
    cooling = [[100, 0, 100, 0, 0, 0]]
    p = prepare_problem(pd.DataFrame([job("hot", dur=2)]), signals(), pods(100.0, cooling=cooling))
    with pytest.raises(InfeasibleError) as info:
        explain_infeasible_inputs(p)
    assert info.value.jobs == ["hot"] and len(info.value.hours) == 6


def test_baseline_above_capacity_is_explained_with_hours():
    p = prepare_problem(pd.DataFrame([job()]), signals(), pods(100.0, base=[[50, 120, 50, 50,
                                                                              50, 50]]))
    with pytest.raises(InfeasibleError, match="baseline") as info:
        explain_infeasible_inputs(p)
    assert info.value.hours == [HOURS[1]]


def test_asap_and_greedy_by_hand():
    # prices 1 5 1 5 2 9; two 1-h jobs of 100 kW on a 100 kW pod
    jobs = pd.DataFrame([job("a", dur=1), job("b", dur=1)])
    p = prepare_problem(jobs, signals(), pods(100.0))
    a = asap(p)
    assert sorted(a.assignment.t.tolist()) == [0, 1]
    g = greedy(p)
    assert sorted(g.assignment.t.tolist()) == [0, 2]
    assert g.metrics.cost == pytest.approx(200.0)
    assert a.metrics.cost == pytest.approx(600.0)
    for base in (a, g):
        assert validate(to_frame(p, base.assignment), jobs, pods(100.0), signals()) == []


def test_greedy_preemptible_respects_interruptions():
    jobs = pd.DataFrame([job("a", dur=2, pre=True, max_interruptions=0)])
    p = prepare_problem(jobs, signals(), None)
    g = greedy(p)
    hours = sorted(g.assignment.t.tolist())
    assert hours[1] - hours[0] == 1  # contiguous: k cheapest (0, 2) would need a resume
    assert validate(to_frame(p, g.assignment), jobs, None, signals()) == []


@pytest.fixture(scope="module")
def valid_case():
    inst = make_instance(12, 48, seed=5, n_pods=2, preemptible_share=0.5, tightness=0.2,
                         restart_overhead_h=1.0)
    limits = Limits(grid_limit_kw=1e9)
    p = prepare_problem(inst.jobs, inst.signals, inst.pods, limits)
    base = greedy(p)
    assert base.status == "feasible"
    schedule = to_frame(p, base.assignment)
    assert validate(schedule, inst.jobs, inst.pods, inst.signals, limits) == []
    return inst, schedule


def kinds(violations):
    return {v.kind for v in violations}


def test_validate_catches_each_violation(valid_case):
    inst, good = valid_case
    check = lambda s, limits=NO_LIMITS: kinds(  # noqa: E731
        validate(s, inst.jobs, inst.pods, inst.signals, limits))
    jobs = inst.jobs.set_index("job_id")
    first = good["job_id"].iloc[0]
    # work: drop an hour
    assert "work" in check(good.drop(index=good.index[0]))
    # window: move a job-hour before its release
    bad = good.copy()
    i = bad.index[0]
    bad.loc[i, "timestamp"] = jobs.loc[first, "release"] - pd.Timedelta(hours=1)
    assert "window" in check(bad) or "off_grid" in check(bad)
    # pod split and pod not allowed
    rows = good.index[good["job_id"] == first]
    bad = good.copy()
    other = next(p for p in inst.pods.names if p != good.loc[rows[0], "pod"])
    bad.loc[rows[-1], "pod"] = other
    found = check(bad)
    assert "pod_split" in found
    allowed = jobs.loc[first, "pods"].split("|")
    if other not in allowed:
        assert "pod_not_allowed" in found
    # capacity: stack many copies of a job in one hour
    bad = pd.concat([good] + [good.iloc[[0]].assign(job_id=f"x{k}") for k in range(20)])
    extra = pd.concat([inst.jobs] + [inst.jobs[inst.jobs["job_id"] == first].assign(
        job_id=f"x{k}") for k in range(20)])
    found = kinds(validate(bad, extra, inst.pods, inst.signals))
    assert "pod_capacity" in found
    # cooling: a pod whose cooling carries nothing
    no_cool = Pods(capacity_kw=inst.pods.capacity_kw, baseline_kw=inst.pods.baseline_kw,
                   cooling_capacity_kw=inst.pods.baseline_kw)
    assert "cooling_capacity" in kinds(validate(good, inst.jobs, no_cool, inst.signals))
    # grid limit
    assert "grid_limit" in check(good, Limits(grid_limit_kw=1.0))
    # power and duplicates
    bad = good.copy()
    bad.loc[bad.index[0], "power_kw"] += 1
    assert "power" in check(bad)
    assert "duplicate_hour" in check(pd.concat([good, good.iloc[[0]]]))


def test_validate_interruptions_and_contiguity():
    jobs = pd.DataFrame([job("p", dur=2, pre=True, max_interruptions=0), job("n", dur=2)])
    sched = pd.DataFrame({"job_id": ["p", "p", "n", "n"], "pod": "main",
                          "timestamp": [HOURS[0], HOURS[2], HOURS[1], HOURS[3]],
                          "power_kw": 100.0})
    assert kinds(validate(sched, jobs, None, signals())) == {"interruptions", "contiguity"}
    # restart overhead: 2 runs of a 2-h job with 1 h overhead need 3 h
    jobs = pd.DataFrame([job("p", dur=2, pre=True, restart_overhead_h=1.0)])
    sched = pd.DataFrame({"job_id": "p", "pod": "main", "timestamp": [HOURS[0], HOURS[2]],
                          "power_kw": 100.0})
    assert kinds(validate(sched, jobs, None, signals())) == {"work"}
    sched3 = pd.concat([sched, sched.iloc[[0]].assign(timestamp=HOURS[3])])
    assert validate(sched3, jobs, None, signals()) == []


def test_the_stage_names_options_accept_are_the_pipelines_stages():
    from optimizer import options, pipeline

    assert options.STAGE_NAMES == pipeline.STAGE_NAMES
    assert set(pipeline.COLD_STAGES) <= set(pipeline.STAGE_NAMES)

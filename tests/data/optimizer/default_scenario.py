"""The optimizer's input in the built-in ``default`` scenario, frozen as files.

``coolshift run default`` builds jobs, hourly signals, pods (capacity, inference
baseline, and the cooling capacity, facility factor and fixed overhead per pod-hour
from the thermal model), limits, objective and solver options, and calls
``optimizer.solve_schedule`` with them (``scenarios/schedules.py``). The files next to this
module are exactly those inputs, so the optimizer's regression test and benchmark do
not depend on the thermal model or the scenario library staying unchanged.

Regenerate (after a deliberate change upstream) with::

    .venv/bin/python tests/data/optimizer/default_scenario.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent / "default_scenario"
POD_FRAMES = ("capacity_kw", "baseline_kw", "cooling_capacity_kw", "facility_factor",
              "fixed_overhead_kw")


def load() -> dict:
    """jobs, signals, pods, limits, objective, options as ``solve_schedule`` takes them."""
    from optimizer import Limits, Objective, Pods, SolverOptions

    jobs = pd.read_csv(HERE / "jobs.csv")
    for column in ("release", "deadline"):
        jobs[column] = pd.to_datetime(jobs[column])
    jobs["max_interruptions"] = jobs["max_interruptions"].astype("Int64")
    signals = pd.read_csv(HERE / "signals.csv", index_col=0)
    signals.index = pd.to_datetime(signals.index)
    frames = {}
    for name in POD_FRAMES:
        frame = pd.read_csv(HERE / f"pods_{name}.csv", index_col=0)
        frame.index = signals.index
        frames[name] = frame
    meta = json.loads((HERE / "meta.json").read_text())
    return {
        "jobs": jobs,
        "signals": signals,
        "pods": Pods(**frames),
        "limits": Limits(**meta["limits"]),
        "objective": Objective(**meta["objective"]),
        "options": SolverOptions(**meta["options"]),
    }


def write() -> None:
    """Run the default scenario up to the scheduler call and store its inputs."""
    from dataclasses import asdict

    import scenarios.run as run
    import scenarios.schedules as schedules
    from scenarios.library import load_example

    captured: dict = {}

    class Captured(Exception):
        pass

    def capture(jobs, signals, pods, limits, objective, options, **_):
        captured.update(jobs=jobs, signals=signals, pods=pods, limits=limits,
                        objective=objective, options=options)
        raise Captured

    original, schedules.solve_schedule = schedules.solve_schedule, capture
    try:
        run.run_scenario(load_example("default"))
    except Captured:
        pass
    finally:
        schedules.solve_schedule = original
    HERE.mkdir(exist_ok=True)
    tz = captured["signals"].index.tz
    jobs = captured["jobs"].copy()
    for column in ("release", "deadline"):
        jobs[column] = pd.DatetimeIndex(jobs[column]).tz_convert(tz).map(pd.Timestamp.isoformat)
    jobs.to_csv(HERE / "jobs.csv", index=False)
    signals = captured["signals"].copy()
    signals.index = signals.index.map(pd.Timestamp.isoformat)
    signals.to_csv(HERE / "signals.csv", float_format="%.17g")
    for name in POD_FRAMES:
        frame = getattr(captured["pods"], name).copy()
        frame.index = signals.index
        frame.to_csv(HERE / f"pods_{name}.csv", float_format="%.17g")
    options = asdict(captured["options"])
    meta = {"limits": asdict(captured["limits"]), "objective": asdict(captured["objective"]),
            "options": options, "source": "coolshift run default (scenarios/run.py inputs)"}
    (HERE / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    write()

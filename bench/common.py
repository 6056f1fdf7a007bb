"""What the optimizer benchmarks share: their instances and the machine's load."""

from __future__ import annotations

import os


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (the machine is shared: times are only
    comparable at a low load)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def bench_problem(case: str, preemptible: float, seed: int):
    """A benchmark problem: "default" (the default scenario's optimizer input,
    tests/data/optimizer/default_scenario) or "JOBSxHOURS" (optimizer.make_instance with
    tightness 0.3 and a carbon price of 50 per t)."""
    from optimizer import Objective, make_instance, prepare_problem

    if case == "default":
        from tests.data.optimizer.default_scenario import load

        d = load()
        return prepare_problem(d["jobs"], d["signals"], d["pods"], d["limits"], d["objective"])
    jobs, hours = (int(x) for x in case.split("x"))
    inst = make_instance(jobs, hours, seed=seed, preemptible_share=preemptible, tightness=0.3)
    return prepare_problem(inst.jobs, inst.signals, inst.pods,
                           objective=Objective(carbon_price_per_t=50.0))

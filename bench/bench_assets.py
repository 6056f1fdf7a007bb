"""The default scenario with and without a battery and a cold tank: solve time, objective,
bound and gap (issue 15, item 8: "within 2x of the time without them, at a reported gap
<= 1 %").

    .venv/bin/python bench/bench_assets.py                  # 20 s limit (the default's)
    .venv/bin/python bench/bench_assets.py --limits 20 120

Each variant is the built-in ``default`` scenario (Shanghai, one week, 40 jobs, two-part
tariff with a demand charge) run end to end by ``scenarios.run.run_scenario`` with the
given solver time limit: "none", "battery" (2 MWh / 0.5 MW), "tank" (1.2 MWh_th / 0.3
MW_th chilled water on every pod's loop), "both". Printed per variant: the solver's status,
the solve's wall time (stages, excluding inputs, thermal and re-simulation), the objective
and bound of the optimizer's linear model, the relative gap, and the model's columns and
rows. Objectives of different variants differ by the assets' value, so compare gaps and
times, and the objective only against the same variant's bound.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import load_average  # noqa: E402

VARIANTS = {
    "none": {},
    "battery": {"storage": {"battery": {"energy_kwh": 2000, "power_kw": 500}}},
    "tank": {"storage": {"cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}}},
    "both": {"storage": {"battery": {"energy_kwh": 2000, "power_kw": 500},
                         "cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}}},
}


def measure(variant: str, limit_s: float) -> dict:
    from scenarios.library import example_data
    from scenarios.loading import scenario_from_dict
    from scenarios.run import run_scenario

    data = example_data("default")
    data.update(VARIANTS[variant])
    tick = time.perf_counter()
    result = run_scenario(scenario_from_dict(data), time_limit_s=limit_s)
    wall = time.perf_counter() - tick
    s = result.solver
    size = s.get("model_size", {})
    return {"variant": variant, "limit_s": limit_s, "status": s["status"],
            "solve_s": (s.get("build_s") or 0) + (s.get("solve_s") or 0), "wall_s": wall,
            "objective": s.get("objective"), "bound": s.get("bound"), "gap": s.get("gap"),
            "columns": size.get("variables"), "rows": size.get("rows")}


def _fmt(x, spec=",.0f"):
    return "-" if x is None else format(x, spec)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", nargs="*", type=float, default=[20.0])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args(argv)
    print(f"load average at start: {load_average()}")
    print("| limit s | assets | status | solve s | objective | bound | gap | columns | rows |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for limit in args.limits:
        for variant in args.variants:
            r = measure(variant, limit)
            gap = "-" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
            print(f"| {limit:g} | {variant} | {r['status']} | {r['solve_s']:.1f} | "
                  f"{_fmt(r['objective'])} | {_fmt(r['bound'])} | {gap} | "
                  f"{_fmt(r['columns'])} | {_fmt(r['rows'])} |", flush=True)
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

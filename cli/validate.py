"""``coolshift validate``: every check ``coolshift run`` makes before its computation,
without the computation (:func:`scenarios.run.preflight`)."""

from __future__ import annotations

import argparse
import sys

from scenarios.errors import exit_code_of


def register(sub: argparse._SubParsersAction) -> None:
    val = sub.add_parser(
        "validate",
        help="check scenario files and their data without running",
        description="Check scenarios as `coolshift run` would (files, fields, data, pods, "
        "jobs) and stop before scheduling. Exit 0 when every scenario is fine.",
    )
    val.add_argument("scenarios", nargs="+", metavar="SCENARIO|NAME")
    val.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each scenario; one line per scenario, the worst exit code."""
    from scenarios.fleet import is_fleet_arg

    worst = 0
    for arg in args.scenarios:
        try:
            (_validate_fleet if is_fleet_arg(arg) else _validate_scenario)(arg)
        except Exception as exc:
            code = exit_code_of(exc)
            if code is None or len(args.scenarios) == 1:
                raise
            print(f"coolshift: error: {exc}", file=sys.stderr)
            worst = max(worst, code)
    return worst


def _validate_scenario(arg: str) -> None:
    """Check a scenario as ``run`` would, before its schedule; print one line."""
    from scenarios.library import resolve_scenario_arg
    from scenarios.run import preflight

    scenario = resolve_scenario_arg(arg)[0]
    checked = preflight(scenario)
    frame = checked.inputs.frame
    print(
        f"ok: {scenario.name}: {len(checked.pods)} pod(s), {len(checked.prepared.jobs)} "
        f"job(s), {len(frame)} h from {frame.index[0]:%Y-%m-%d %H:%M %Z}"
    )
    for line in checked.inputs.assumptions:
        print(f"  assumption: {line}")

def _validate_fleet(arg: str) -> None:
    """Check a fleet as ``run`` would, before its schedule; print one line per site."""
    from scenarios.fleet import fleet_preflight, load_fleet_arg

    fleet, _, base_dir = load_fleet_arg(arg)
    prepared, jobs, problem, _ = fleet_preflight(fleet, base_dir)
    frame = prepared.checked[0].inputs.frame
    print(f"ok: fleet {fleet.name}: {len(fleet.sites)} site(s), {len(problem.pods)} pod(s), "
          f"{len(jobs)} job(s), {len(frame)} h from {frame.index[0]:%Y-%m-%d %H:%M %Z}")
    for site, checked in zip(fleet.sites, prepared.checked, strict=True):
        print(f"  site {site.name}: {site.scenario}, {len(checked.pods)} pod(s)")
        for line in checked.inputs.assumptions:
            print(f"    assumption: {line}")

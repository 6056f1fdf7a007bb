"""``coolshift schedule``: schedule jobs from CSV files with the optimizer.

Reads ``JOBS.csv``, ``--signals SIGNALS.csv`` and optionally ``--pods PODS.csv`` (the
readers are :mod:`optimizer.readers`); writes ``DIR/schedule.csv`` and
``DIR/summary.json`` as one folder, complete or absent (:mod:`scenarios.outputs`).
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

#: Largest money or power figure an option takes (1e12: above any real tariff or site).
MAX_OPTION_VALUE = 1e12
#: How a part month pays its demand charge: optimizer.options.BILLING, kept here too so
#: that building the CLI parser imports no optimizer (equal by test).
BILLING = ("prorated", "full_month")
#: When the horizon rolls: optimizer.options.ROLLING (equal by test).
ROLLING = ("auto", "always", "never")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="schedule deferrable jobs into cheap, low-carbon hours (MILP)",
        description="Schedule jobs with the MILP; writes DIR/schedule.csv and DIR/summary.json.",
    )
    p.add_argument("jobs", metavar="JOBS.csv", type=Path)
    p.add_argument("--signals", required=True, type=Path, metavar="SIGNALS.csv")
    p.add_argument("--pods", type=Path, metavar="PODS.csv")
    p.add_argument("--grid-limit-kw", type=float, default=None)
    p.add_argument("--carbon-price", type=float, default=0.0, help="per tonne CO2")
    p.add_argument("--demand-charge", type=float, default=0.0, help="per kW of monthly peak")
    p.add_argument("--billing", choices=BILLING, default="prorated",
                   help="a month the signals cover in part pays its demand charge x its share "
                   "of hours (prorated, default) or in full (full_month)")
    p.add_argument("--timezone", metavar="ZONE", default=None,
                   help="IANA time zone of the site (e.g. Asia/Shanghai, Europe/Berlin): "
                   "billing months are its calendar months; needed when the signals' UTC "
                   "offset changes (daylight saving). Default: the signals' own offset")
    p.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds for the whole optimisation (rolling windows share it)")
    p.add_argument("--rolling", choices=ROLLING, default="auto",
                   help="solve in rolling windows only when the whole horizon would not fit "
                   "the time or memory (auto, default), always, or never (one piece)")
    p.add_argument("--gap", type=float, default=1e-3, help="relative MIP gap")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--force", action="store_true",
                   help="replace DIR if it is a schedule folder coolshift wrote")
    p.set_defaults(func=run)


def check_options(args) -> None:
    """Every number option in its valid range, before any file is read.

    Raises
    ------
    ScheduleInputError
        Naming the option and its range.
    """
    from optimizer import ScheduleInputError

    def bad(option: str, rule: str, value) -> ScheduleInputError:
        return ScheduleInputError(f"{option} must be {rule}, got {value}")

    for name in ("carbon_price", "demand_charge"):
        value = getattr(args, name)
        if not (math.isfinite(value) and 0 <= value <= MAX_OPTION_VALUE):
            raise bad(f"--{name.replace('_', '-')}", f"a number from 0 to {MAX_OPTION_VALUE:g}", value)
    if args.grid_limit_kw is not None and not (
        math.isfinite(args.grid_limit_kw) and 0 < args.grid_limit_kw <= MAX_OPTION_VALUE
    ):
        raise bad("--grid-limit-kw", f"a number of kW above 0 and up to {MAX_OPTION_VALUE:g}",
                  args.grid_limit_kw)
    from cli.run import MAX_TIME_LIMIT_S

    if not (math.isfinite(args.time_limit) and 0 < args.time_limit <= MAX_TIME_LIMIT_S):
        raise bad("--time-limit", f"a number of seconds above 0 and at most {MAX_TIME_LIMIT_S:,.0f} "
                  "(a week)", args.time_limit)
    if not (math.isfinite(args.gap) and 0 <= args.gap < 1):
        raise bad("--gap", "a relative gap from 0 up to (not including) 1", args.gap)
    if args.timezone is not None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(args.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad("--timezone", "an IANA time zone such as Asia/Shanghai or "
                      "Europe/Berlin", repr(args.timezone)) from None


def _saving(base: dict, objective: float) -> str:
    ref = base.get("objective")
    if base.get("status") != "feasible" or not ref:
        return "n/a (baseline infeasible)"
    return f"{ref - objective:,.2f} ({(ref - objective) / ref:.2%})"


def run(args) -> int:
    from cli.run import _Spinner
    from optimizer import Limits, Objective, ScheduleInputError, SolverOptions, solve_schedule
    from optimizer.readers import read_jobs, read_pods, read_signals
    from scenarios.errors import in_jobs_file
    from scenarios.outputs import claim_output

    check_options(args)
    with claim_output(args.out, "schedule", force=args.force) as claim:
        signals = read_signals(args.signals, timezone=args.timezone)
        jobs = read_jobs(args.jobs)
        pods = read_pods(args.pods, signals.index) if args.pods else None
        options = SolverOptions(time_limit_s=args.time_limit, rel_gap=args.gap,
                                rolling=args.rolling)
        objective = Objective(
            carbon_price_per_t=args.carbon_price, demand_charge_per_kw=args.demand_charge,
            billing=args.billing,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with _Spinner("schedule") as spin:
                    result = solve_schedule(
                        jobs, signals, pods, Limits(args.grid_limit_kw), objective, options,
                        progress=spin.update,
                    )
            except ScheduleInputError as exc:  # a jobs row as the file's reader counts it
                raise in_jobs_file(exc, args.jobs) from None
        schedule = result.schedule.copy()
        schedule["timestamp"] = [ts.isoformat() for ts in schedule["timestamp"]]
        summary = result.summary()

        def fill(folder: Path) -> None:
            schedule.to_csv(folder / "schedule.csv", index=False)
            (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n",
                                                 encoding="utf-8")

        out = claim.write(fill)
    print(f"status     {result.status}  (source: {result.source})")
    print(
        f"objective  {result.objective:,.2f}   bound {summary['bound'] or float('nan'):,.2f}"
        f"   gap {result.gap:.3%}"
        + (f"   (largest window gap {summary['max_window_gap']:.3%})"
           if summary.get("max_window_gap") is not None else "")
    )
    print(f"time       build {result.build_s:.2f} s, solve {result.solve_s:.2f} s")
    # in one piece or rolled, and why (as `coolshift run` says it)
    windows = f" ({len(result.windows)} windows)" if result.windows else ""
    print(f"horizon    {result.rolling_reason}{windows}")
    print(
        f"cost       {result.cost:,.2f}   carbon {result.carbon_kg:,.1f} kg   "
        f"peak {result.peak_kw:,.1f} kW"
    )
    print(
        f"saving     vs asap {_saving(summary['asap'], result.objective)};"
        f" vs greedy {_saving(summary['greedy'], result.objective)}"
    )
    for w in caught:
        if "time limit" in str(w.message):
            print(f"note       {w.message}")
    print(f"wrote      {out / 'schedule.csv'}, {out / 'summary.json'}")
    for note in claim.notes:
        print(f"coolshift: note: {note}", file=sys.stderr)
    return 0

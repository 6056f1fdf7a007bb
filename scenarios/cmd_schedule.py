"""``coolshift schedule``: schedule jobs from CSV files with the optimizer.

Reads ``JOBS.csv``, ``--signals SIGNALS.csv`` and optionally ``--pods PODS.csv``;
writes ``DIR/schedule.csv`` and ``DIR/summary.json`` atomically (a temporary directory
next to DIR, renamed when complete).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer import (
    Limits,
    NoSolutionError,
    Objective,
    ScheduleInputError,
    SolverOptions,
    pods_from_table,
    solve_schedule,
)
from optimizer.problem import JOB_COLUMNS, JOB_OPTIONAL_COLUMNS

SIGNAL_REQUIRED = ("timestamp", "price_per_kwh", "carbon_g_per_kwh")
POD_REQUIRED = ("pod", "capacity_kw")


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
    p.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds per solve: LP, heuristics and MILP (per window when rolling)")
    p.add_argument("--gap", type=float, default=1e-3, help="relative MIP gap")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.set_defaults(func=run)


def _read_csv(
    path: Path, label: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> pd.DataFrame:
    if not path.is_file():
        raise ScheduleInputError(f"{label}: file {path} does not exist")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScheduleInputError(f"{label}: cannot read {path} as CSV ({exc})") from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        may = f", and may have {', '.join(optional)}" if optional else ""
        raise ScheduleInputError(
            f"{label}: missing column(s) {', '.join(missing)}; the file needs the columns "
            f"{', '.join(required)}{may}"
        )
    return frame.apply(lambda col: col.str.strip())


def _cell_error(label: str, i: int, column: str, what: str) -> ScheduleInputError:
    return ScheduleInputError(f"{label} row {i + 2}, column '{column}': {what}")


def _timestamp(label: str, i: int, column: str, text: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise _cell_error(label, i, column, f"{text!r} is not an ISO 8601 timestamp") from None
    if pd.isna(ts):
        raise _cell_error(label, i, column, "missing timestamp")
    if ts.tzinfo is None:
        raise _cell_error(label, i, column, f"{text!r} has no UTC offset (e.g. +08:00)")
    return ts


def _number(label: str, i: int, column: str, text: str, *, allow_empty: bool = False):
    if text == "" and allow_empty:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        raise _cell_error(label, i, column, f"{text!r} is not a number") from None
    if not np.isfinite(value):
        raise _cell_error(label, i, column, f"{text!r} is not a finite number")
    return value


def read_signals(path: Path) -> pd.DataFrame:
    label = path.name
    raw = _read_csv(path, label, SIGNAL_REQUIRED)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no rows")
    stamps = [_timestamp(label, i, "timestamp", s) for i, s in enumerate(raw["timestamp"])]
    index = pd.DatetimeIndex(pd.to_datetime([s.isoformat() for s in stamps], utc=True))
    tz = stamps[0].tzinfo
    index = index.tz_convert(tz)
    columns = {}
    for col in ("price_per_kwh", "carbon_g_per_kwh", "facility_factor", "fixed_overhead_kw"):
        if col in raw.columns:
            columns[col] = [_number(label, i, col, s) for i, s in enumerate(raw[col])]
    signals = pd.DataFrame(columns, index=index)
    step = np.diff(index.asi8)
    bad = np.flatnonzero(step != step[0]) if len(step) else []
    if len(step) and (len(bad) or index[1] - index[0] != pd.Timedelta(hours=1)):
        i = int(bad[0]) + 1 if len(bad) else 1
        raise _cell_error(label, i, "timestamp", "timestamps must be hourly and consecutive")
    return signals


def read_jobs(path: Path, label: str | None = None) -> pd.DataFrame:
    """A jobs CSV as the optimizer's jobs table; errors name ``label`` (default: the
    file's name), the row and the column."""
    label = label or path.name
    raw = _read_csv(path, label, JOB_COLUMNS, JOB_OPTIONAL_COLUMNS)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no jobs")
    rows = []
    for i, r in raw.iterrows():
        row = {
            "job_id": r["job_id"],
            "release": _timestamp(label, i, "release", r["release"]),
            "deadline": _timestamp(label, i, "deadline", r["deadline"]),
            "duration_h": _number(label, i, "duration_h", r["duration_h"]),
            "power_kw": _number(label, i, "power_kw", r["power_kw"]),
        }
        if r["job_id"] == "":
            raise _cell_error(label, i, "job_id", "empty job id")
        flag = r["preemptible"].lower()
        if flag not in ("true", "false", "1", "0", "yes", "no"):
            raise _cell_error(label, i, "preemptible", f"{r['preemptible']!r} is not true/false")
        row["preemptible"] = flag in ("true", "1", "yes")
        if "max_interruptions" in raw.columns:
            k = _number(label, i, "max_interruptions", r["max_interruptions"], allow_empty=True)
            if not np.isnan(k) and (k < 0 or k != int(k)):
                raise _cell_error(label, i, "max_interruptions", "must be a whole number >= 0")
            row["max_interruptions"] = None if np.isnan(k) else int(k)
        if "restart_overhead_h" in raw.columns:
            o = _number(label, i, "restart_overhead_h", r["restart_overhead_h"], allow_empty=True)
            row["restart_overhead_h"] = 0.0 if np.isnan(o) else o
        if "pods" in raw.columns:
            row["pods"] = r["pods"] or None
        rows.append(row)
    jobs = pd.DataFrame(rows)
    if "max_interruptions" in jobs.columns:
        jobs["max_interruptions"] = pd.array(jobs["max_interruptions"], dtype="Int64")
    return jobs


def read_pods(path: Path, hours: pd.DatetimeIndex):
    label = path.name
    raw = _read_csv(path, label, POD_REQUIRED)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no pods")
    table = {"pod": list(raw["pod"])}
    for col in ("capacity_kw", "cooling_capacity_kw", "baseline_kw"):
        if col in raw.columns:
            values = [
                _number(label, i, col, s, allow_empty=col != "capacity_kw")
                for i, s in enumerate(raw[col])
            ]
            for i, v in enumerate(values):
                if v < 0:
                    raise _cell_error(label, i, col, "must be >= 0")
            table[col] = values
    return pods_from_table(pd.DataFrame(table), hours)


def _write_atomic(out: Path, files: dict[str, str]) -> None:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _saving(base: dict, objective: float) -> str:
    ref = base.get("objective")
    if base.get("status") != "feasible" or not ref:
        return "n/a (baseline infeasible)"
    return f"{ref - objective:,.2f} ({(ref - objective) / ref:.2%})"


def run(args) -> int:
    for name in ("carbon_price", "demand_charge"):
        if getattr(args, name) < 0:
            raise ScheduleInputError(f"--{name.replace('_', '-')} must be >= 0")
    if args.out.exists() and not args.out.is_dir():
        raise ScheduleInputError(f"--out {args.out} exists and is not a directory")
    signals = read_signals(args.signals)
    jobs = read_jobs(args.jobs)
    pods = read_pods(args.pods, signals.index) if args.pods else None
    options = SolverOptions(time_limit_s=args.time_limit, rel_gap=args.gap)
    objective = Objective(
        carbon_price_per_t=args.carbon_price, demand_charge_per_kw=args.demand_charge
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = solve_schedule(
                jobs, signals, pods, Limits(args.grid_limit_kw), objective, options
            )
        except NoSolutionError as exc:
            print(f"coolshift: error: {exc}", file=sys.stderr)
            return 1
    schedule = result.schedule.copy()
    schedule["timestamp"] = [ts.isoformat() for ts in schedule["timestamp"]]
    summary = result.summary()
    _write_atomic(
        args.out,
        {
            "schedule.csv": schedule.to_csv(index=False),
            "summary.json": json.dumps(summary, indent=2) + "\n",
        },
    )
    print(f"status     {result.status}  (source: {result.source})")
    print(
        f"objective  {result.objective:,.2f}   bound {summary['bound'] or float('nan'):,.2f}"
        f"   gap {result.gap:.3%}"
        + (f"   (largest window gap {summary['max_window_gap']:.3%})"
           if summary.get("max_window_gap") is not None else "")
    )
    print(f"time       build {result.build_s:.2f} s, solve {result.solve_s:.2f} s")
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
    print(f"wrote      {args.out / 'schedule.csv'}, {args.out / 'summary.json'}")
    return 0

"""``coolshift compare``: a KPI table across finished run directories.

Fleet run directories take part with their fleet-wide KPIs (the sites' sums, moved jobs,
the network). ``--format csv`` writes every scalar KPI of every run to stdout, one row per run, with the
run's storage and on-site sizes beside them: after a sweep over asset sizes
(``coolshift sweep NAME --set storage.battery.energy_kwh=0,2000,4000 --out DIR``) it is
the cost / carbon curve, ready for a spreadsheet or pandas.
"""

from __future__ import annotations

import argparse
import csv
import sys

from cli.run import kpi_rows

#: Scenario fields of the assets' sizes put beside the KPIs in ``--format csv``
#: (dotted paths in the run's scenario.toml; empty where the run has no such asset).
SIZE_FIELDS = (
    "storage.battery.energy_kwh",
    "storage.battery.power_kw",
    "storage.cold.capacity_kwh_th",
    "storage.cold.power_kw_th",
    "onsite.pv.kwp",
    "onsite.wind.count",
)


def register(sub: argparse._SubParsersAction) -> None:
    cmp_ = sub.add_parser("compare", help="a KPI table across finished run directories")
    cmp_.add_argument("runs", nargs="+", metavar="RUN_DIR")
    cmp_.add_argument("--format", choices=("table", "csv"), default="table",
                      help="table (default) or csv: every scalar KPI and the assets' sizes, "
                           "one row per run, on stdout")
    cmp_.set_defaults(func=cmd_compare)


def _cell(value):
    """A CSV cell: empty for None; text that a spreadsheet would run as a formula (a
    scenario name starting with = + - @) is prefixed with ' (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _size(scenario, dotted: str):
    """The value at a dotted field of a scenario (None where a section is absent)."""
    node = scenario
    for part in dotted.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def csv_rows(runs: list[dict], names: list[str]) -> tuple[list[str], list[list]]:
    """Header and rows of ``--format csv``: name, the size fields, then every scalar KPI
    (in the first run's order, then any others'; empty where a run has none)."""
    keys: list[str] = []
    for run in runs:
        for key, value in run["kpis"]["kpis"].items():
            if key not in keys and (value is None or isinstance(value, bool | int | float | str)):
                keys.append(key)
    header = ["scenario", "currency", *SIZE_FIELDS, *keys]
    rows = []
    for name, run in zip(names, runs, strict=True):
        scenario = run.get("scenario")
        k = run["kpis"]["kpis"]
        rows.append([name, run["kpis"].get("currency", ""),
                     *(_size(scenario, f) for f in SIZE_FIELDS),
                     *(k.get(key) for key in keys)])
    return header, rows


def read_any(run_dir: str) -> dict:
    """A run directory or a fleet run directory (its fleet-wide KPIs; no single scenario,
    so no asset sizes)."""
    from scenarios.fleet_store import is_fleet_run, read_fleet_run
    from scenarios.store import read_run

    return read_fleet_run(run_dir) if is_fleet_run(run_dir) else read_run(run_dir)


def cmd_compare(args: argparse.Namespace) -> int:
    runs = [read_any(run_dir) for run_dir in args.runs]
    names = [run["kpis"]["scenario"] for run in runs]
    names = [name if names.count(name) == 1 else f"{name} ({run['path'].name})"
             for name, run in zip(names, runs, strict=True)]
    if args.format == "csv":
        header, rows = csv_rows(runs, names)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        return 0
    print(kpi_rows([(name, run["kpis"]["kpis"]) for name, run in zip(names, runs,
                                                                       strict=True)]))
    return 0

"""``coolshift compare``: a KPI table across finished run directories."""

from __future__ import annotations

import argparse

from cli.run import kpi_rows


def register(sub: argparse._SubParsersAction) -> None:
    cmp_ = sub.add_parser("compare", help="a KPI table across finished run directories")
    cmp_.add_argument("runs", nargs="+", metavar="RUN_DIR")
    cmp_.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from scenarios.store import read_run

    runs = [read_run(run_dir) for run_dir in args.runs]
    names = [run["kpis"]["scenario"] for run in runs]
    rows = [
        (name if names.count(name) == 1 else f"{name} ({run['path'].name})", run["kpis"]["kpis"])
        for name, run in zip(names, runs, strict=True)
    ]
    print(kpi_rows(rows))
    return 0

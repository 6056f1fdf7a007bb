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
    cmp_.add_argument("--currency", metavar="CODE",
                      help="table: show every cost in this currency (runs priced in others "
                           "are converted at --rate, else at the reference rate printed "
                           "under the table); without it, a cost column per currency")
    cmp_.add_argument("--rate", action="append", default=[], metavar="BASE:QUOTE=X",
                      help="exchange rate for --currency, 1 BASE = X QUOTE (e.g. "
                           "USD:CNY=7.1884); repeat for more currencies")
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
    print(table_text(runs, names, args.currency, args.rate))
    return 0


def parse_rate(text: str):
    """``--rate BASE:QUOTE=X`` as a :class:`scenarios.comparison.ExchangeRate`."""
    import re

    from scenarios.comparison import ExchangeRate
    from scenarios.errors import ScenarioError

    match = re.fullmatch(r"\s*([A-Za-z]{3})\s*:\s*([A-Za-z]{3})\s*=\s*(\S+)\s*", text)
    try:
        value = float(match.group(3)) if match else None
    except ValueError:
        value = None
    if value is None:
        raise ScenarioError(f"--rate {text!r}: write it as BASE:QUOTE=NUMBER, e.g. "
                            "USD:CNY=7.1884 for 1 USD = 7.1884 CNY")
    return ExchangeRate(match.group(1).upper(), match.group(2).upper(), value,
                        "given with --rate")


def table_text(runs: list[dict], names: list[str], currency: str | None = None,
               rate_texts: list[str] = ()) -> str:
    """The terminal table of ``compare`` (the KPI columns of ``coolshift run``), its costs
    by :func:`scenarios.comparison.compare_runs`: all in ``currency`` (converted at the
    given rates, else at the reference rate, each printed under the table), or a cost
    column per currency, a run's cost only in the column of its own currency."""
    import re

    from cli.run import _value, kpi_columns
    from scenarios.comparison import compare_runs, facts_from_document, reference_rate
    from scenarios.errors import ScenarioError
    from scenarios.tables import fmt, text_table

    if rate_texts and not currency:
        raise ScenarioError("--rate converts costs into --currency: give --currency too")
    rates = [parse_rate(text) for text in rate_texts]
    facts = [facts_from_document(name, run["kpis"]) for name, run in zip(names, runs,
                                                                         strict=True)]
    if currency:
        currency = currency.strip().upper()
        if not re.fullmatch("[A-Z]{3}", currency):
            raise ScenarioError(f"--currency {currency!r}: give a three-letter ISO 4217 code "
                                "such as CNY or USD")
        for code in dict.fromkeys(f.currency.upper() for f in facts):
            given = any(r.factor(code, currency) is not None for r in rates)
            reference = reference_rate(code, currency)
            if code == currency or given:
                continue
            if reference is None:
                raise ScenarioError(f"--currency {currency}: no reference rate for {code}; "
                                    f"give --rate {code}:{currency}=X (1 {code} = X "
                                    f"{currency})")
            rates.append(reference)
    comparison = compare_runs(facts, currency=currency, rates=rates, keys=("total_cost",))
    named = [(name, run["kpis"]["kpis"]) for name, run in zip(names, runs, strict=True)]
    if not comparison.rates and comparison.currency is not None:  # nothing to convert
        return f"{kpi_rows(named)}\nCosts in {comparison.currency}."
    columns, cells = [], [[] for _ in named]
    for key, header, spec in kpi_columns(named):
        if key != "total_cost":
            columns.append(header)
            for row, (_, kpis) in zip(cells, named, strict=True):
                row.append(fmt(_value(kpis, key), spec))
            continue
        for money in comparison.rows:
            columns.append(f"{header} {money.currency}")
            for row, value in zip(cells, money.values, strict=True):
                row.append(fmt(value, spec))
    table = text_table(["Scenario", *columns],
                       [[name, *row] for (name, _), row in zip(named, cells, strict=True)])
    return "\n".join([table, *comparison.notes])

"""``coolshift run``: scenarios end to end into run directories (``cli.sweep`` shares
:func:`execute`).

Everything that can be checked is checked before the computation: the scenarios, the
run options, and every output folder, which is claimed (locked) until its run is written
(:mod:`scenarios.outputs`).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import re
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from scenarios.errors import ScenarioError  # this and tables: stdlib only (cli.main)
from scenarios.tables import fmt, text_table

#: KPI columns of the terminal table: key, header, format.
KPI_COLUMNS = (
    ("pue", "PUE", ".3f"),
    ("tue", "TUE", ".3f"),
    ("wue_l_per_kwh", "WUE L/kWh", ".2f"),
    ("facility_energy_mwh", "Facility MWh", ",.1f"),
    ("carbon_location_t", "CO2 loc t", ",.1f"),
    ("carbon_market_t", "CO2 mkt t", ",.1f"),
    ("total_cost", "Cost", ",.0f"),
    ("peak_facility_kw", "Peak kW", ",.0f"),
    ("deadlines_met_share", "Deadlines", ".0%"),
    ("cost_saving_vs_asap_pct", "Save vs ASAP %", ".2f"),
    ("cost_saving_vs_greedy_pct", "Save vs greedy %", ".2f"),
    ("carbon_saving_vs_asap_pct", "CO2 save vs ASAP %", ".2f"),
)
#: With a battery, a cold tank or on-site generation, the peak column shows the peak grid
#: import (what the demand charge bills) instead of the facility's peak, so labelled.
GRID_PEAK_COLUMN = ("peak_grid_import_kw", "Peak grid import kW", ",.0f")
#: KPIs that are null unless the site has that asset (scenarios.kpis.ASSET_KPIS).
ASSET_MARKERS = ("onsite_generation_mwh", "battery_throughput_mwh", "cold_storage_shifted_mwh_th")
#: Longest --time-limit accepted [s]: a week (a longer one is a typo in the unit).
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run scenarios end to end into run directories")
    run.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO|NAME", help="TOML file or built-in name"
    )
    run_options(run)
    run.set_defaults(func=cmd_run)


def run_options(p: argparse.ArgumentParser) -> None:
    """The options of ``run`` and ``sweep``."""
    p.add_argument(
        "--out", metavar="DIR", help="run directory (one scenario) or parent folder (several)"
    )
    p.add_argument(
        "--no-optimize", action="store_true", help="skip the MILP; report the ASAP schedule"
    )
    p.add_argument("--time-limit", type=float, metavar="S", help="limit of each run's whole optimisation [s] (rolling windows share it)")
    p.add_argument("--csv", action="store_true", help="also write CSV copies of every table")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing run directory (only ever one that coolshift wrote)",
    )
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on an existing Dask cluster (one fleet: one task per site)")
    p.add_argument(
        "--workers", type=int, metavar="N",
        help="local worker processes (default: cores; one fleet: its sites, default 1)"
    )


def slug(name: str) -> str:
    """A folder name for a scenario name (sweep variants carry brackets and commas): the
    name's safe characters, and, when anything had to be dropped or cut, a short hash of
    the whole name, so two names never share a folder."""
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", name).strip("_.")
    if safe == name and len(safe) <= 120:
        return safe
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{safe[:100] or 'run'}-{digest}"


def out_dirs(names: list[str], out: str | None) -> list[Path]:
    """The run directory of each scenario: ``--out`` itself for one scenario, else one
    folder per scenario in ``--out`` (default ``runs/NAME-STAMP``)."""
    if out is not None:
        from scenarios.outputs import check_out_text

        if len(names) == 1:
            return [check_out_text(out)]  # '' or '.' is an error, not "no --out"
        if not str(out).strip() or "\x00" in str(out):
            raise ScenarioError("--out is empty; give a folder for the run directories")
        return [Path(out) / slug(n) for n in names]  # a parent folder: '.' is fine
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return [Path("runs") / f"{slug(n)}-{stamp}" for n in names]


def has_assets(kpis: dict) -> bool:
    """The run's site has a battery, a cold tank or on-site generation."""
    return any(kpis.get(key) is not None for key in ASSET_MARKERS)


def kpi_columns(named_kpis: list[tuple[str, dict]]) -> tuple[tuple[str, str, str], ...]:
    """The table's columns: with assets in any run, the peak column is the grid import's
    (a run without assets imports its facility power, so its value is the same)."""
    if not any(has_assets(k) for _, k in named_kpis):
        return KPI_COLUMNS
    return tuple(GRID_PEAK_COLUMN if c[0] == "peak_facility_kw" else c for c in KPI_COLUMNS)


def _value(kpis: dict, key: str):
    if key == "peak_grid_import_kw" and kpis.get(key) is None:  # a run from before assets
        return kpis.get("peak_facility_kw")
    return kpis.get(key)


def kpi_rows(named_kpis: list[tuple[str, dict]]) -> str:
    columns = kpi_columns(named_kpis)
    headers = ["Scenario"] + [h for _, h, _ in columns]
    body = [
        [name] + [fmt(_value(k, key), spec) for key, _, spec in columns] for name, k in named_kpis
    ]
    return text_table(headers, body)


#: Start of every plain progress line (so a log reader, or a test, tells them from the
#: one error message a failed run ends with).
PROGRESS_PREFIX = "progress: "
#: Without a terminal, a progress line repeats the same kind of stage (e.g. the next
#: rolling window) at most this often [s] (judgement: a readable log of a long run).
LOG_EVERY_S = 5.0


class _Spinner:
    """Progress on stderr for one long run: a self-updating line on a terminal, plain
    timestamped lines in pipes and logs (each new stage; rolling windows at most every
    :data:`LOG_EVERY_S`)."""

    def __init__(self, name: str):
        self.name, self.stage, self.start = name, "starting", time.perf_counter()
        self._stop = threading.Event()
        self._tty = sys.stderr.isatty()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._logged_kind, self._logged_at = "", -math.inf

    def __enter__(self):
        if self._tty:
            self._thread.start()
        return self

    def update(self, stage: str) -> None:
        self.stage = stage
        if self._tty:
            return  # the spinner shows it
        kind = re.split(r"\d", stage, maxsplit=1)[0]  # "schedule: window " for every window
        now = time.perf_counter()
        if kind != self._logged_kind or now - self._logged_at >= LOG_EVERY_S:
            self._logged_kind, self._logged_at = kind, now
            print(f"{PROGRESS_PREFIX}{self.name}: {stage} ({now - self.start:.1f} s)",
                  file=sys.stderr, flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            if self._tty:
                elapsed = time.perf_counter() - self.start
                print(f"\r{self.name}: {self.stage} ({elapsed:5.1f} s)   ", end="", file=sys.stderr)

    def __exit__(self, *exc):
        self._stop.set()
        if self._tty:
            self._thread.join()
            print("\r" + " " * 70 + "\r", end="", file=sys.stderr)


def _warn_grid_limit(where: str, run) -> None:
    """On stderr, where a run's exact re-simulation broke its grid limit (its manifest's
    notes say it too)."""
    from scenarios.outcomes import grid_limit_note

    limit = run.scenario.grid.grid_limit_kw or 0.0
    if (note := grid_limit_note(run.linearisation, limit)) is not None:
        print(f"coolshift: warning: {where}: {note}", file=sys.stderr)


@contextlib.contextmanager
def _batch_progress(total: int):
    """Progress of a batch on stderr: a bar on a terminal, a plain line per finished
    scenario in pipes and logs (the bar's carriage returns made a log unreadable).
    Yields the callback run_batch calls with each outcome."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        with tqdm(total=total, desc="scenarios", unit="run", file=sys.stderr) as bar:
            yield lambda outcome: bar.update(1)
        return
    start, count = time.perf_counter(), 0

    def done(outcome) -> None:
        nonlocal count
        count += 1
        state = "failed" if outcome.error else "done"
        print(f"{PROGRESS_PREFIX}scenarios: {count}/{total} ({outcome.name} {state}) "
              f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)

    yield done


def check_run_options(args: argparse.Namespace) -> None:
    """``--time-limit``, ``--scheduler`` and ``--workers``, before any work.

    Raises
    ------
    ScenarioError
        Naming the option and its valid range or form.
    """
    from scenarios.batch import check_scheduler_address, check_workers

    limit = args.time_limit
    if limit is not None and not (math.isfinite(limit) and 0 < limit <= MAX_TIME_LIMIT_S):
        raise ScenarioError(
            f"--time-limit must be a number of seconds above 0 and at most "
            f"{MAX_TIME_LIMIT_S:,.0f} (a week), got {limit}"
        )
    if args.scheduler is not None:
        args.scheduler = check_scheduler_address(args.scheduler)
    if args.workers is not None:
        args.workers = check_workers(args.workers)


def execute(scenarios: list, args: argparse.Namespace) -> int:
    """Run scenarios and fleets (:class:`scenarios.fleet.FleetJob`), write their run
    directories, print KPIs; the worst exit code."""
    from scenarios.batch import BatchOutcome, run_batch
    from scenarios.fleet import FleetJob, FleetResult, run_fleet, run_item
    from scenarios.fleet_store import write_fleet_run
    from scenarios.outputs import claim_output
    from scenarios.run import run_scenario
    from scenarios.store import write_run

    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError("scenarios in one command need distinct names")
    check_run_options(args)
    dirs = out_dirs(names, args.out)
    if len({d.resolve() for d in dirs}) != len(dirs):
        raise ScenarioError("two scenarios would write the same run directory; rename one")
    with contextlib.ExitStack() as claims_held:
        claims = [
            claims_held.enter_context(claim_output(d, "run", force=args.force)) for d in dirs
        ]
        for claim in claims:
            for note in claim.notes:
                print(f"coolshift: note: {note}", file=sys.stderr)
        outcomes: list[BatchOutcome]
        if len(scenarios) == 1 and (not args.scheduler or isinstance(scenarios[0], FleetJob)):
            item = scenarios[0]
            with _Spinner(names[0]) as spin:
                if isinstance(item, FleetJob):  # its sites' tasks on --workers / --scheduler
                    from scenarios.site_pool import site_pool

                    with site_pool(args.scheduler, args.workers,
                                   len(item.fleet.sites)) as (map_sites, n):
                        result = run_fleet(item.fleet, item.base_dir, not args.no_optimize,
                                           args.time_limit, progress=spin.update,
                                           map_sites=map_sites, workers=n)
                else:
                    result = run_scenario(item, not args.no_optimize, args.time_limit,
                                          progress=spin.update)
            outcomes = [BatchOutcome(names[0], result=result)]
        else:
            with _batch_progress(len(scenarios)) as done:
                outcomes = run_batch(
                    scenarios,
                    not args.no_optimize,
                    args.time_limit,
                    scheduler=args.scheduler,
                    workers=args.workers,
                    on_done=done,
                    runner=run_item,
                )
        rows, worst = [], 0
        for outcome, claim in zip(outcomes, claims, strict=True):
            if outcome.error:
                first = outcome.error if args.debug else outcome.error.split("\n")[0]
                print(f"coolshift: error: {outcome.name}: {first}", file=sys.stderr)
                worst = max(worst, outcome.exit_code)
                continue
            result = outcome.result
            if isinstance(result, FleetResult):
                path = write_fleet_run(result, claim, csv=args.csv)
                print(f"{outcome.name}: {path}  ({solver_line_of(result.solver)})")
                for site, run in result.sites.items():
                    _warn_grid_limit(f"{outcome.name}: site {site}", run)
                print_fleet(result)
                continue
            path = write_run(result, claim, csv=args.csv)
            rows.append((outcome.name, result.kpis))
            print(f"{outcome.name}: {path}  ({solver_line(result)})")
            _warn_grid_limit(outcome.name, result)
            if (line := forecast_line(result.kpis, result.inputs.currency)) is not None:
                print(f"  {line}")
            for line in result.inputs.assumptions:
                print(f"  assumption: {line}")
    if rows:
        currency = {o.result.inputs.currency for o in outcomes
                    if o.result and not isinstance(o.result, FleetResult)}
        print()
        print(kpi_rows(rows))
        print(
            f"\nCost in {', '.join(sorted(currency))}; savings are against the ASAP and greedy "
            "schedules re-simulated on the same data."
            + (" With assets, cost and carbon apply to the grid import, and the peak is the "
               "highest hourly grid import (the demand charge's)."
               if any(has_assets(k) for _, k in rows) else "")
        )
    return worst


def solver_line(result) -> str:
    """The solver's status, gap, bound and the linearisation error, in one line."""
    from scenarios.store import is_number

    solver = result.solver
    window_gap = solver.get("max_window_gap")
    return (
        solver_line_of(solver)
        + (f", largest window gap {window_gap:.2%}" if is_number(window_gap) else "")
        + f"; linearisation error {result.linearisation['relative_error']:.3%}"
        + (f"; {solver['rolling']}" if str(solver.get("rolling", "")).startswith("rolling")
           else "")
    )


def forecast_line(kpis: dict, currency: str) -> str | None:
    """A forecast run's result in one line (None with perfect foresight): the carbon
    saving planned on forecasts beside perfect foresight's, the regrets, the forecast's
    day-ahead error (definitions: scenarios.kpis.KPI_DEFINITIONS)."""
    keys = ("forecast_regret", "forecast_greedy_regret", "forecast_carbon_nmae_pct")
    if all(kpis.get(k) is None for k in keys):
        return None
    return (
        f"forecast: CO2 saving vs ASAP {fmt(kpis.get('carbon_saving_vs_asap_pct'), '.2f')} % "
        f"(perfect foresight {fmt(kpis.get('perfect_carbon_saving_vs_asap_pct'), '.2f')} %), "
        f"regret {fmt(kpis.get('forecast_regret'), ',.2f')} {currency} "
        f"({fmt(kpis.get('forecast_regret_pct'), '.2f')} %), greedy regret "
        f"{fmt(kpis.get('forecast_greedy_regret'), ',.2f')} {currency}; day-ahead carbon "
        f"error {fmt(kpis.get('forecast_carbon_nmae_pct'), '.1f')} %"
    )


#: KPI columns of a fleet's terminal table (per site and for the fleet).
FLEET_COLUMNS = (
    ("pue", "PUE", ".3f"),
    ("pue_target", "Target", ".2f"),
    ("jobs", "Jobs", ",d"),
    ("facility_energy_mwh", "Facility MWh", ",.1f"),
    ("carbon_location_t", "CO2 loc t", ",.1f"),
    ("total_cost", "Cost", ",.0f"),
    ("water_m3", "Water m3", ",.0f"),
)


def print_fleet(result) -> None:
    """A fleet's assumptions, per-site and fleet KPI table and what moved, on stdout."""
    k = result.kpis
    for line in list(result.fleet.assumptions):
        print(f"  assumption: {line}")
    rows = [[name] + [fmt(site.kpis.get(key), spec) for key, _, spec in FLEET_COLUMNS]
            for name, site in result.sites.items()]
    rows.append(["fleet"] + [fmt(k.get(key), spec) for key, _, spec in FLEET_COLUMNS])
    print()
    print(text_table(["Site"] + [h for _, h, _ in FLEET_COLUMNS], rows, left=1))
    print(
        f"\nMoved {k.get('moved_jobs')} of {k.get('jobs')} jobs away from home "
        f"({fmt(k.get('moved_energy_mwh'), ',.1f')} MWh of compute, "
        f"{fmt(k.get('moved_data_tb'), ',.1f')} TB of data, "
        f"{fmt(k.get('network_energy_mwh'), ',.2f')} MWh of network energy). "
        f"Cost in {result.currency}: saves {fmt(k.get('cost_saving_vs_asap_pct'), '.2f')} % "
        f"against everything at home (ASAP), {fmt(k.get('cost_saving_vs_greedy_pct'), '.2f')} % "
        f"against greedy at home, {fmt(k.get('cost_saving_vs_cheapest_site_pct'), '.2f')} % "
        "against greedy at the cheapest site; CO2 "
        f"{fmt(k.get('carbon_saving_vs_asap_pct'), '.2f')} % against ASAP at home.\n"
    )


def solver_line_of(solver: dict) -> str:
    """The solver's status, gap and bound in one line; a solve with no bound (e.g. a
    time limit too short for any) says its gap is unknown rather than leave it out."""
    from scenarios.store import is_number

    gap, bound = solver.get("gap"), solver.get("bound")
    if is_number(gap):
        gap_text = f", gap {gap:.2%}"
    else:
        gap_text = ", gap unknown (no bound within the time limit)" if "gap" in solver else ""
    return (f"solver: {solver.get('status')}" + gap_text
            + (f", bound {bound:,.2f}" if is_number(bound) else ""))


def resolve_run_arg(arg: str):
    """A CLI argument as what ``execute`` runs: a :class:`scenarios.fleet.FleetJob` for a
    fleet (built-in or a TOML with ``[[sites]]``), else a Scenario."""
    from scenarios.fleet import FleetJob, is_fleet_arg, load_fleet_arg
    from scenarios.library import resolve_scenario_arg

    if is_fleet_arg(arg):
        fleet, _, base_dir = load_fleet_arg(arg)
        return FleetJob(fleet, base_dir)
    return resolve_scenario_arg(arg)[0]


def cmd_run(args: argparse.Namespace) -> int:
    return execute([resolve_run_arg(a) for a in args.scenarios], args)

"""``coolshift run``, ``validate``, ``examples``, ``sweep`` and ``compare``."""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from scenarios.batch import BatchOutcome, run_batch
from scenarios.errors import ScenarioError
from scenarios.library import example_names, example_text, load_example, resolve_scenario_arg
from scenarios.loading import apply_settings, scenario_from_dict
from scenarios.schema import Scenario
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


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run scenarios end to end into run directories")
    run.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO|NAME", help="TOML file or built-in name"
    )
    _run_options(run)
    run.set_defaults(func=cmd_run)

    val = sub.add_parser("validate", help="check scenario files and their data without running")
    val.add_argument("scenarios", nargs="+", metavar="SCENARIO|NAME")
    val.set_defaults(func=cmd_validate)

    ex = sub.add_parser("examples", help="list the built-in scenarios (or print / copy one)")
    ex.add_argument("--show", metavar="NAME", help="print a built-in scenario's TOML")
    ex.add_argument("--write", metavar="DIR", help="copy every built-in scenario into DIR")
    ex.set_defaults(func=cmd_examples)

    sw = sub.add_parser("sweep", help="run the Cartesian product of --set values")
    sw.add_argument("scenario", metavar="SCENARIO|NAME")
    sw.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="e.g. pods[0].rack_kw=20,30 or grid.price.tariff=cn-beijing-two-part,cn-generic-ndrc",
    )
    _run_options(sw)
    sw.set_defaults(func=cmd_sweep)

    cmp_ = sub.add_parser("compare", help="a KPI table across finished run directories")
    cmp_.add_argument("runs", nargs="+", metavar="RUN_DIR")
    cmp_.set_defaults(func=cmd_compare)


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", metavar="DIR", help="run directory (one scenario) or parent folder (several)"
    )
    p.add_argument(
        "--no-optimize", action="store_true", help="skip the MILP; report the ASAP schedule"
    )
    p.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve [s]")
    p.add_argument("--csv", action="store_true", help="also write CSV copies of every table")
    p.add_argument("--force", action="store_true", help="replace an existing run directory")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")
    p.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: cores)"
    )


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _slug(name: str) -> str:
    """A folder name for a scenario name (sweep variants carry brackets and commas)."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", name).strip("_") or "run"


def _out_dirs(names: list[str], out: str | None) -> list[Path]:
    if out and len(names) == 1:
        return [Path(out)]
    root = Path(out) if out else Path("runs")
    stamp = _stamp()
    return [root / (f"{_slug(n)}-{stamp}" if not out else _slug(n)) for n in names]


def kpi_rows(named_kpis: list[tuple[str, dict]]) -> str:
    headers = ["Scenario"] + [h for _, h, _ in KPI_COLUMNS]
    body = [
        [name] + [fmt(k.get(key), spec) for key, _, spec in KPI_COLUMNS] for name, k in named_kpis
    ]
    return text_table(headers, body)


class _Spinner:
    """Elapsed-time progress on stderr for one long run (stages and seconds)."""

    def __init__(self, name: str):
        self.name, self.stage, self.start = name, "starting", time.perf_counter()
        self._stop = threading.Event()
        self._tty = sys.stderr.isatty()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        if self._tty:
            self._thread.start()
        return self

    def update(self, stage: str) -> None:
        self.stage = stage  # shown by the spinner on a terminal; silent in pipes and logs

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


def execute(scenarios: list[Scenario], args: argparse.Namespace) -> int:
    """Run scenarios, write their run directories, print KPIs; the worst exit code."""
    from scenarios.run import run_scenario
    from scenarios.store import write_run

    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError("scenarios in one command need distinct names")
    dirs = _out_dirs(names, args.out)
    for d in dirs:
        if d.exists() and not args.force:
            raise ScenarioError(
                f"output directory {str(d)!r} already exists; choose another --out or pass --force"
            )
    time_limit = args.time_limit
    if time_limit is not None and not time_limit > 0:
        raise ScenarioError(f"--time-limit must be a positive number of seconds, got {time_limit}")
    outcomes: list[BatchOutcome]
    if len(scenarios) == 1 and not args.scheduler:
        with _Spinner(names[0]) as spin:
            result = run_scenario(
                scenarios[0], not args.no_optimize, time_limit, progress=spin.update
            )
        outcomes = [BatchOutcome(names[0], result=result)]
    else:
        from tqdm import tqdm

        with tqdm(total=len(scenarios), desc="scenarios", unit="run", file=sys.stderr) as bar:
            outcomes = run_batch(
                scenarios,
                not args.no_optimize,
                time_limit,
                scheduler=args.scheduler,
                workers=args.workers,
                on_done=lambda o: bar.update(1),
            )
    rows, worst = [], 0
    for outcome, out_dir in zip(outcomes, dirs, strict=True):
        if outcome.error:
            first = outcome.error if args.debug else outcome.error.split("\n")[0]
            print(f"coolshift: error: {outcome.name}: {first}", file=sys.stderr)
            worst = max(worst, outcome.exit_code)
            continue
        result = outcome.result
        path = write_run(result, out_dir, csv=args.csv, force=args.force)
        rows.append((outcome.name, result.kpis))
        solver = result.solver
        gap, bound = solver.get("gap"), solver.get("bound")
        print(
            f"{outcome.name}: {path}  (solver: {solver.get('status')}"
            + (f", gap {gap:.2%}" if isinstance(gap, float) else "")
            + (f", bound {bound:,.2f}" if isinstance(bound, float) else "")
            + (
                f", largest window gap {solver['max_window_gap']:.2%}"
                if isinstance(solver.get("max_window_gap"), float)
                else ""
            )
            + f"; linearisation error {result.linearisation['relative_error']:.3%})"
        )
        for line in result.inputs.assumptions:
            print(f"  assumption: {line}")
    if rows:
        currency = {o.result.inputs.currency for o in outcomes if o.result}
        print()
        print(kpi_rows(rows))
        print(
            f"\nCost in {', '.join(sorted(currency))}; savings are against the ASAP and greedy schedules re-simulated on the same data."
        )
    if worst:
        return 1 if worst == 1 else worst
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    scenarios = [resolve_scenario_arg(a)[0] for a in args.scenarios]
    return execute(scenarios, args)


def _parse_values(text: str):
    out = []
    for raw in text.split(","):
        raw = raw.strip()
        if raw.lower() in ("true", "false"):
            out.append(raw.lower() == "true")
            continue
        for cast in (int, float):
            try:
                out.append(cast(raw))
                break
            except ValueError:
                continue
        else:
            out.append(raw)
    return out


def cmd_sweep(args: argparse.Namespace) -> int:
    base, data, base_dir = resolve_scenario_arg(args.scenario)
    axes = []
    for item in args.set:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise ScenarioError(f"--set {item!r}: use KEY=V1,V2,...")
        axes.append((key.strip(), _parse_values(values)))
    scenarios = []
    for combo in itertools.product(*(values for _, values in axes)):
        settings = dict(zip((k for k, _ in axes), combo, strict=True))
        label = ",".join(f"{k.split('.')[-1]}={v}" for k, v in settings.items())
        variant = apply_settings(data, settings, file=args.scenario)
        variant["name"] = f"{base.name}[{label}]"
        scenarios.append(
            scenario_from_dict(variant, file=f"{args.scenario} with {label}", base_dir=base_dir)
        )
    print(f"coolshift sweep: {len(scenarios)} variants of {base.name}", file=sys.stderr)
    return execute(scenarios, args)


def cmd_validate(args: argparse.Namespace) -> int:
    from scenarios.facility import facility_params, thermal_pods
    from scenarios.inputs import resolve_inputs
    from scenarios.run import load_jobs

    for arg in args.scenarios:
        scenario = resolve_scenario_arg(arg)[0]
        params = facility_params(scenario)
        pods = thermal_pods(scenario, params)
        inputs = resolve_inputs(scenario)
        jobs = load_jobs(scenario, inputs.frame.index)
        print(
            f"ok: {scenario.name}: {len(pods)} pod(s), {len(jobs)} job(s), "
            f"{len(inputs.frame)} h from {inputs.frame.index[0]:%Y-%m-%d %H:%M %Z}"
        )
        for line in inputs.assumptions:
            print(f"  assumption: {line}")
    return 0


def cmd_examples(args: argparse.Namespace) -> int:
    if args.show:
        print(example_text(args.show), end="")
        return 0
    if args.write:
        folder = Path(args.write)
        folder.mkdir(parents=True, exist_ok=True)
        for name in example_names():
            (folder / f"{name}.toml").write_text(example_text(name), encoding="utf-8")
        print(f"wrote {len(example_names())} scenarios to {folder}")
        return 0
    rows = []
    for name in example_names():
        s = load_example(name)
        pods = ", ".join(f"{p.cooling} {p.rack_kw:g} kW" for p in s.pods)
        rows.append([name, s.site.name, f"{s.horizon.hours} h", pods])
    print(text_table(["Name", "Site", "Horizon", "Halls"], rows, left=4))
    print("\nRun one with `coolshift run NAME`; print it with `coolshift examples --show NAME`.")
    return 0


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

"""Run directories: written atomically (complete or absent), read back by reports and the app.

Layout of a run directory::

    manifest.json     versions, input hashes, timings, solver status / bound / gap,
                      linearisation error, sources, notes and assumptions
    scenario.toml     the resolved scenario (absolute paths): repeat with `coolshift run`
    kpis.json         KPIs of the run's schedule, of ASAP and greedy, units, targets
    hourly.parquet    inputs, loads and every facility component per hour (site and pods)
    schedule.csv      job_id, pod, timestamp, power_kw (one row per job-hour)
    jobs.csv          the jobs as given to the scheduler
    *.csv             with --csv: CSV copies of hourly and of the baseline schedules
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from scenarios import kpis as K
from scenarios.errors import ScenarioError
from scenarios.loading import load_scenario, scenario_to_toml
from scenarios.money import tco_document
from scenarios.outputs import OutputClaim, write_output
from scenarios.run import RunResult

MANIFEST = "manifest.json"
KPIS = "kpis.json"
HOURLY = "hourly.parquet"
SCHEDULE = "schedule.csv"
SCENARIO = "scenario.toml"
JOBS = "jobs.csv"
#: Facility columns kept per pod in hourly.parquet.
POD_COLUMNS = (
    "compute_kw", "it_kw", "facility_kw", "cooling_kw", "chiller_kw", "water_l",
    "free_fraction", "inlet_c", "cooling_capacity_compute_kw",
)  # fmt: skip
PACKAGES = ("numpy", "pandas", "scipy", "pyomo", "highspy", "pvlib", "pydantic", "pyarrow")


def versions() -> dict[str, str]:
    out = {"coolshift": _version("coolshift"), "python": platform.python_version()}
    out.update({name: _version(name) for name in PACKAGES})
    return out


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(result: RunResult, scenario_text: str) -> dict[str, str]:
    """sha256 of the scenario text and of every input file the run read."""
    s = result.scenario
    hashes = {"scenario.toml": hashlib.sha256(scenario_text.encode()).hexdigest()}
    for label, path in (
        ("climate", s.site.climate),
        ("carbon", s.grid.carbon.file),
        ("carbon_free", s.grid.market.carbon_free_file),
        ("price", s.grid.price.file),
        ("jobs", s.workload.jobs),
        ("forecast", s.forecast.file),
        ("onsite_pv", s.onsite.pv.csv if s.onsite is not None and s.onsite.pv else None),
        ("onsite_wind", s.onsite.wind.csv if s.onsite is not None and s.onsite.wind else None),
        ("heat_demand", s.heat_reuse.csv),
    ):
        if path and Path(path).is_file():
            hashes[f"{label}:{Path(path).name}"] = sha256_file(path)
    return hashes


def asset_columns(flows: pd.DataFrame | None, assets) -> dict[str, pd.Series]:
    """The hourly asset columns of one schedule, each only with its asset: ``grid_kw``
    (import, with any asset), ``export_kw`` (with on-site generation), ``curtailed_kw``
    (with on-site generation or a battery: the supply the hour did not use),
    ``battery_kw`` (> 0 charging, < 0 discharging; AC side) and
    ``battery_soc_kwh`` (end of the hour), ``cold_soc_kwh_th`` (end of the hour) [kW,
    kWh, kWh_th], ``erf`` (heat delivered / facility power of the hour [-]),
    ``heat_reused_kw_th`` and ``heat_pump_kw`` (with heat reuse) [kW_th, kW]. ``pv_kw``,
    ``wind_kw`` and ``heat_demand_kw_th`` are input columns."""
    if flows is None:
        return {}
    out = {"grid_kw": flows["grid_kw"]}
    if assets.has_onsite:
        out["export_kw"] = flows["export_kw"]
    if assets.has_onsite or assets.has_battery:  # a battery's supply the exact facility
        out["curtailed_kw"] = flows["curtailed_kw"]  # did not need is curtailed too
    if assets.has_battery:
        out["battery_kw"] = flows["battery_charge_kw"] - flows["battery_discharge_kw"]
        out["battery_soc_kwh"] = flows["battery_soc_kwh"]
    if assets.has_cold:
        out["cold_soc_kwh_th"] = flows["cold_soc_kwh_th"]
    if assets.has_heat:
        out.update(erf=flows["erf"], heat_reused_kw_th=flows["heat_reused_kw_th"],
                   heat_pump_kw=flows["heat_pump_kw"])
    return out


def hourly_table(result: RunResult) -> pd.DataFrame:
    """One hourly table: inputs, site facility components, per-pod columns, the assets'
    flows (:func:`asset_columns`), baselines."""
    main = result.main
    frame = result.inputs.frame.copy()
    site = main.site
    assets = result.site_assets.assets if result.site_assets is not None else None
    for col, series in asset_columns(main.flows, assets).items():
        frame[col] = series.to_numpy()
    for col in site.columns:
        frame[f"site.{col}"] = site[col].astype(str) if col == "mode" else site[col]
    for pod, pf in main.pods.items():
        for col in POD_COLUMNS:
            frame[f"{pod}.{col}"] = pf[col]
        frame[f"{pod}.baseline_compute_kw"] = result.baseline_compute_kw[pod]
        frame[f"{pod}.job_compute_kw"] = main.job_load_kw[pod]
        frame[f"{pod}.facility_factor"] = result.coefficients["facility_factor"][pod]
    for name, outcome in result.outcomes.items():
        if outcome is main:
            continue
        frame[f"{name}.facility_kw"] = outcome.site["facility_kw"]
        frame[f"{name}.job_compute_kw"] = outcome.job_load_kw.sum(axis=1)
        for col, series in asset_columns(outcome.flows, assets).items():
            frame[f"{name}.{col}"] = series.to_numpy()
    frame.index.name = "timestamp"
    return frame


def kpis_document(result: RunResult) -> dict:
    scenario = result.scenario
    baselines = {
        name: K.clean(outcome.kpis)
        for name, outcome in result.outcomes.items()
        if outcome is not result.main
    }
    per_pod = {}
    from thermal.summary import period_summary

    for pod, frame in result.main.pods.items():
        per_pod[pod] = K.clean({k: v for k, v in period_summary(frame).items()})
    return {
        "scenario": scenario.name,
        "currency": result.inputs.currency,
        "period": {
            "start": result.inputs.frame.index[0].isoformat(),
            "end": result.inputs.frame.index[-1].isoformat(),
            "hours": len(result.inputs.frame),
            "timezone": scenario.site.timezone,
        },
        "schedule": "milp" if result.optimized else "asap",
        "kpis": result.kpis,
        "units": {k: v[0] for k, v in K.KPI_DEFINITIONS.items()},
        "baselines": baselines,
        "pods": per_pod,
        "targets": K.clean(
            K.target_check(result.kpis["pue"], scenario.targets.pue, scenario.targets.label)
        ),
        **({"costs": K.clean(tco_document(result.tco))} if result.tco is not None else {}),
    }


def manifest_document(result: RunResult, scenario_text: str) -> dict:
    return {
        "coolshift_run": 1,
        "scenario": result.scenario.name,
        "versions": versions(),
        "input_hashes": input_hashes(result, scenario_text),
        "timings_s": {k: round(v, 4) for k, v in result.timings_s.items()},
        "solver": result.solver,
        "linearisation": result.linearisation,
        "sources": result.inputs.sources,
        "weather": {
            k: v for k, v in result.inputs.weather_attrs.items() if isinstance(v, (str, int, float))
        },
        "notes": result.inputs.notes,
        "assumptions": result.inputs.assumptions,
        **({"assets": K.clean(result.site_assets.described)}
           if result.site_assets is not None else {}),
    }


def fill_run_dir(result: RunResult, folder: Path, csv: bool = False) -> None:
    """Write every file of a run directory into ``folder`` (an empty, new folder)."""
    scenario_text = scenario_to_toml(result.scenario)
    (folder / SCENARIO).write_text(scenario_text, encoding="utf-8")
    hourly = hourly_table(result)
    hourly.to_parquet(folder / HOURLY)
    result.main.schedule.to_csv(folder / SCHEDULE, index=False)
    result.jobs.to_csv(folder / JOBS, index=False)
    if csv:
        hourly.to_csv(folder / "hourly.csv")
        for name, outcome in result.outcomes.items():
            if outcome is not result.main:
                outcome.schedule.to_csv(folder / f"schedule_{name}.csv", index=False)
    _write_json(folder / KPIS, kpis_document(result))
    _write_json(folder / MANIFEST, manifest_document(result, scenario_text))


def write_run(
    result: RunResult, out_dir: str | Path | OutputClaim, csv: bool = False, force: bool = False
) -> Path:
    """Write the run directory atomically (complete or absent), never over anything but
    an earlier run directory, and that only with ``force`` (:mod:`scenarios.outputs`).

    Parameters
    ----------
    out_dir : path or OutputClaim
        The run directory, or a claim on it taken before the run (the command line does
        that, so that a bad ``--out`` fails before the computation).

    Raises
    ------
    ScenarioError
        ``out_dir`` may not be written (exists and ``force`` is False, holds other work,
        is a file, is being written by another process) or writing failed.
    """
    if isinstance(out_dir, OutputClaim):
        return out_dir.write(lambda folder: fill_run_dir(result, folder, csv))
    return write_output(out_dir, "run", lambda folder: fill_run_dir(result, folder, csv), force=force)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


#: Largest JSON document read back from a run directory [bytes]: kpis.json and
#: manifest.json of a 1,000-pod run take ~1 MB.
MAX_RUN_JSON_BYTES = 16 * 1024 * 1024
#: Largest table read back from a run directory [bytes]: a year of hours for 1,000 pods
#: (hourly.parquet) or 100,000 jobs of a day each (schedule.csv) stay well below it.
MAX_RUN_TABLE_BYTES = 1024 * 1024 * 1024
#: Columns of schedule.csv (one row per job-hour).
SCHEDULE_COLUMNS = ("job_id", "pod", "timestamp", "power_kw")
#: kpis.json ``kpis`` keys the readers index directly: must be present. The sums must be
#: numbers; the ratios may be null (no IT energy, no PUE).
KPI_SUMS = ("it_energy_mwh", "facility_energy_mwh", "water_m3", "carbon_location_t",
            "carbon_market_t", "energy_cost", "demand_cost", "total_cost")  # fmt: skip
KPI_RATIOS = ("pue", "tue", "wue_l_per_kwh")
#: kpis.json ``kpis`` keys holding text or true/false (every other key holds a number).
KPI_TEXT, KPI_BOOL = ("pue_target_label",), ("pue_target_met",)
#: kpis.json ``pods.NAME`` keys the readers index directly (number or null).
POD_KPIS = ("pue", "tue", "wue_l_per_kwh", "it_mwh", "facility_mwh")
#: Largest magnitude of a number in kpis.json: a year of a 100 GW campus costs ~1e14 in
#: any currency; the reports round with 28-digit decimals, which fail far above it.
MAX_KPI_MAGNITUDE = 1e15
#: Longest text in kpis.json [characters] (scenario names are at most 1,000) and in
#: manifest.json (sources, notes, assumptions: a PDF table cell must fit one page).
MAX_KPI_TEXT, MAX_MANIFEST_TEXT = 1_000, 5_000

#: How messages name what a value must be.
NUMBER = f"a number of magnitude up to {MAX_KPI_MAGNITUDE:g}"
NUMBER_OR_NULL = f"{NUMBER} or null"
KPI_TEXT_RULE = f"text of up to {MAX_KPI_TEXT:,} characters"
MANIFEST_TEXT_RULE = f"text of up to {MAX_MANIFEST_TEXT:,} characters"


class _Shape(ValueError):
    """A document of a run directory whose shape is not what coolshift writes."""


def corrupt_run_error(run_dir: str | Path, name: str, problem: str) -> ScenarioError:
    """The error for a damaged file ``name`` of a run directory: names both and says how
    to get a good one."""
    return ScenarioError(
        f"{str(run_dir)!r}: {name}: {problem}; the run directory is damaged or not "
        "coolshift's: re-create it with `coolshift run`"
    )


def _check_size(path: Path, name: str, limit: int) -> None:
    size = (path / name).stat().st_size
    if size > limit:
        raise corrupt_run_error(
            path, name,
            f"{size / 2**20:,.0f} MB, larger than coolshift writes ({limit // 2**20:,} MB)",
        )


def _file_bytes(path: Path, name: str, limit: int) -> bytes:
    _check_size(path, name, limit)
    try:
        return (path / name).read_bytes()
    except OSError as exc:
        raise corrupt_run_error(path, name, f"cannot be read ({exc.strerror})") from None


def _no_constant(token: str):
    raise _Shape(f"holds {token}, which coolshift never writes")


def _read_json(path: Path, name: str, allow_nan: bool) -> dict:
    """A JSON object from the run directory (NaN and Infinity refused unless allowed)."""
    content = _file_bytes(path, name, MAX_RUN_JSON_BYTES)
    options = {} if allow_nan else {"parse_constant": _no_constant}
    try:
        doc = json.loads(content.decode("utf-8"), **options)
    except UnicodeDecodeError:
        raise corrupt_run_error(path, name, "not UTF-8 text (a binary file?)") from None
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON ({exc.msg} at line {exc.lineno})"
        raise corrupt_run_error(path, name, problem) from None
    except RecursionError:
        raise corrupt_run_error(path, name, "nested too deeply to read") from None
    except _Shape as exc:
        raise corrupt_run_error(path, name, str(exc)) from None
    if not isinstance(doc, dict):
        raise corrupt_run_error(path, name, f"holds a JSON {_json_kind(doc)}, not an object")
    return doc


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "text", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def is_number(value, finite: bool = True) -> bool:
    """A JSON number (not true/false); finite and of magnitude up to
    :data:`MAX_KPI_MAGNITUDE` unless ``finite`` is False."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not finite or (math.isfinite(value) and abs(value) <= MAX_KPI_MAGNITUDE)


def _solver_figure(value) -> bool:
    """A solver figure: null, a number within bounds, or NaN / infinity (no bound or
    gap known; the reports show n/a)."""
    if value is None or is_number(value):
        return True
    return is_number(value, finite=False) and not math.isfinite(value)


def _is_text(value, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _expect(ok: bool, where: str, expected: str, value) -> None:
    if not ok:
        if isinstance(value, str) and not expected.startswith("text"):
            got = "text"
        elif isinstance(value, str):
            got = f"text of {len(value):,} characters"
        elif is_number(value, finite=False):
            got = f"{value:g}"
        else:
            got = _json_kind(value)
        raise _Shape(f"{where} must be {expected}, not {got}")


def _dict_at(doc: dict, key: str, where: str, required: bool = True) -> dict:
    if key not in doc:
        if required:
            raise _Shape(f"{where}{key} is missing")
        return {}
    _expect(isinstance(doc[key], dict), f"{where}{key}", "an object", doc[key])
    return doc[key]


def check_kpis_document(doc: dict) -> None:
    """The keys and value types of kpis.json that ``report`` and ``compare`` read.

    Raises
    ------
    ValueError
        Naming the key (e.g. ``kpis.pue must be a number or null, not text``).
    """
    _expect(_is_text(doc.get("scenario"), MAX_KPI_TEXT), "scenario", KPI_TEXT_RULE,
            doc.get("scenario"))  # fmt: skip
    _expect(_is_text(doc.get("currency", ""), 16), "currency", "text of up to 16 characters",
            doc.get("currency"))  # fmt: skip
    _expect(doc.get("schedule") in ("milp", "asap"), "schedule", "'milp' or 'asap'",
            doc.get("schedule"))  # fmt: skip
    kpis = _dict_at(doc, "kpis", "")
    for key in (*KPI_SUMS, *KPI_RATIOS):
        if key not in kpis:
            raise _Shape(f"kpis.{key} is missing")
    for key, value in kpis.items():
        where = f"kpis.{str(key)[:40]}"
        if key in KPI_SUMS:
            _expect(is_number(value), where, NUMBER, value)
        elif key in KPI_TEXT:
            _expect(value is None or _is_text(value, MAX_KPI_TEXT), where,
                    f"{KPI_TEXT_RULE} or null", value)  # fmt: skip
        elif key in KPI_BOOL:
            _expect(value is None or isinstance(value, bool), where, "true, false or null", value)
        elif key in K.KPI_DEFINITIONS:
            _expect(value is None or is_number(value), where, NUMBER_OR_NULL, value)
        else:  # a key of a later version: any plain value
            ok = value is None or isinstance(value, bool) or is_number(value)
            _expect(ok or _is_text(value, MAX_KPI_TEXT), where,
                    f"{NUMBER}, {KPI_TEXT_RULE}, true/false or null", value)  # fmt: skip
    for name, values in _dict_at(doc, "pods", "").items():
        where = f"pods.{str(name)[:40]}"
        _expect(isinstance(values, dict), where, "an object", values)
        for key in POD_KPIS:
            if key not in values:
                raise _Shape(f"{where}.{key} is missing")
        for key, value in values.items():
            _expect(value is None or is_number(value), f"{where}.{str(key)[:40]}",
                    NUMBER_OR_NULL, value)  # fmt: skip
    for name, values in _dict_at(doc, "baselines", "", required=False).items():
        where = f"baselines.{str(name)[:40]}"
        _expect(isinstance(values, dict), where, "an object", values)
        for key, value in values.items():
            ok = value is None or isinstance(value, bool) or is_number(value)
            _expect(ok, f"{where}.{str(key)[:40]}", f"{NUMBER}, true/false or null", value)
    targets = _dict_at(doc, "targets", "")
    references = targets.get("references")
    _expect(isinstance(references, list), "targets.references", "an array", references)
    for i, ref in enumerate(references):
        where = f"targets.references[{i}]"
        _expect(isinstance(ref, dict), where, "an object", ref)
        _expect(_is_text(ref.get("label"), MAX_KPI_TEXT), f"{where}.label", KPI_TEXT_RULE,
                ref.get("label"))  # fmt: skip
        _expect(is_number(ref.get("pue")), f"{where}.pue", NUMBER, ref.get("pue"))
        _expect(isinstance(ref.get("met"), bool), f"{where}.met", "true or false", ref.get("met"))
        if "target_in" in ref:
            _expect(ref["target_in"] in ("", "CN"), f"{where}.target_in",
                    '"CN" or "" (context)', ref["target_in"])  # fmt: skip


def check_manifest_document(doc: dict) -> None:
    """The keys and value types of manifest.json that the reports read (every key is
    optional; those present must have their type).

    Raises
    ------
    ValueError
        Naming the key.
    """
    solver = _dict_at(doc, "solver", "", required=False)
    if "status" in solver:
        _expect(_is_text(solver["status"], MAX_KPI_TEXT), "solver.status", KPI_TEXT_RULE,
                solver["status"])  # fmt: skip
    if "optimized" in solver:
        _expect(isinstance(solver["optimized"], bool), "solver.optimized", "true or false",
                solver["optimized"])  # fmt: skip
    for key in ("gap", "bound", "objective", "solve_s"):  # NaN or inf: shown as n/a
        if key in solver:
            value = solver[key]
            _expect(_solver_figure(value), f"solver.{key}", f"{NUMBER_OR_NULL} (or NaN)", value)
    for key in ("model_size", "validation"):
        for name, value in _dict_at(solver, key, "solver.", required=False).items():
            _expect(is_number(value, finite=False), f"solver.{key}.{str(name)[:40]}", "a number",
                    value)  # fmt: skip
    warnings = solver.get("warnings", [])
    _expect(isinstance(warnings, list) and all(_is_text(w, MAX_MANIFEST_TEXT) for w in warnings),
            "solver.warnings", f"an array of {MANIFEST_TEXT_RULE}", warnings)  # fmt: skip
    linearisation = _dict_at(doc, "linearisation", "", required=False)
    if "relative_error" in linearisation:
        value = linearisation["relative_error"]
        _expect(_solver_figure(value), "linearisation.relative_error", f"{NUMBER_OR_NULL} (or NaN)",
                value)  # fmt: skip
    # versions and hashes sit in narrow PDF columns: short text only (a sha256 is 64)
    for key, limit in (("sources", MAX_MANIFEST_TEXT), ("input_hashes", 200), ("versions", 200)):
        rule = f"text of up to {limit:,} characters"
        for name, value in _dict_at(doc, key, "", required=False).items():
            where = f"{key}.{str(name)[:40]}"
            _expect(len(str(name)) <= MAX_KPI_TEXT, f"{key} key", KPI_TEXT_RULE, str(name))
            _expect(_is_text(value, limit), where, rule, value)
    for name, value in _dict_at(doc, "timings_s", "", required=False).items():
        _expect(is_number(value, finite=False), f"timings_s.{str(name)[:40]}", "a number", value)
    for name, value in _dict_at(doc, "weather", "", required=False).items():
        ok = value is None or is_number(value, finite=False) or _is_text(value, MAX_KPI_TEXT)
        _expect(ok, f"weather.{str(name)[:40]}", f"a number or {KPI_TEXT_RULE}", value)
    for key in ("notes", "assumptions"):
        items = doc.get(key, [])
        _expect(isinstance(items, list) and all(_is_text(s, MAX_MANIFEST_TEXT) for s in items),
                key, f"an array of {MANIFEST_TEXT_RULE}", items)  # fmt: skip


def _read_hourly(path: Path) -> pd.DataFrame:
    """hourly.parquet: a table indexed by tz-aware hour starts, at least one row."""
    _check_size(path, HOURLY, MAX_RUN_TABLE_BYTES)
    try:
        frame = pd.read_parquet(path / HOURLY)
    except Exception as exc:  # pyarrow raises many kinds on a damaged file
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise corrupt_run_error(
            path, HOURLY, f"not a readable Parquet file ({type(exc).__name__}"
            f"{': ' + reason if reason else ''})",
        ) from None
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise corrupt_run_error(path, HOURLY, "has no time-zone-aware hourly time index")
    if frame.empty:
        raise corrupt_run_error(path, HOURLY, "has no hours")
    return frame


def _read_schedule(path: Path) -> pd.DataFrame:
    """schedule.csv: job_id, pod, timestamp (ISO 8601 with offset), power_kw (a number)."""
    content = _file_bytes(path, SCHEDULE, MAX_RUN_TABLE_BYTES)
    if b"\x00" in content:
        raise corrupt_run_error(path, SCHEDULE, "a binary file, not CSV text")
    try:
        text = content.decode("utf-8")
        frame = pd.read_csv(io.StringIO(text), dtype={"job_id": str, "pod": str, "timestamp": str})
    except UnicodeDecodeError:
        raise corrupt_run_error(path, SCHEDULE, "not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise corrupt_run_error(path, SCHEDULE, f"not readable as CSV ({reason})") from None
    missing = [c for c in SCHEDULE_COLUMNS if c not in frame.columns]
    if missing:
        raise corrupt_run_error(
            path, SCHEDULE,
            f"lacks column(s) {', '.join(missing)} (coolshift writes "
            f"{', '.join(SCHEDULE_COLUMNS)})",
        )
    stamps = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601", errors="coerce")
    power = pd.to_numeric(frame["power_kw"], errors="coerce")
    bad_power = ~pd.Series(power.to_numpy(dtype=float)).apply(math.isfinite)
    for column, bad in (("timestamp", stamps.isna()), ("power_kw", bad_power)):
        rows = bad.to_numpy().nonzero()[0]
        if len(rows):
            cell = str(frame[column].iloc[rows[0]])[:40]
            raise corrupt_run_error(
                path, SCHEDULE, f"row {int(rows[0]) + 2}, column {column!r}: {cell!r} is not a "
                + ("timestamp" if column == "timestamp" else "number"),
            )
    return frame


def read_run(run_dir: str | Path) -> dict:
    """A finished run directory's KPIs, manifest, hourly table, schedule and scenario,
    each checked to have the shape coolshift writes (the keys and value types the
    reports and ``compare`` read).

    Raises
    ------
    ScenarioError
        Not a complete run directory, or a file that is damaged, too large or of the
        wrong shape; the message names the directory and the file and says to re-create
        the run with ``coolshift run``.
    """
    path = Path(run_dir)
    missing = [
        name for name in (MANIFEST, KPIS, HOURLY, SCHEDULE, SCENARIO) if not (path / name).is_file()
    ]
    if missing:
        raise ScenarioError(
            f"{str(path)!r} is not a coolshift run directory (missing {', '.join(missing)})"
        )
    documents = {}
    for name, check, allow_nan in (
        (KPIS, check_kpis_document, False),
        (MANIFEST, check_manifest_document, True),  # solver figures may be NaN or inf
    ):
        doc = _read_json(path, name, allow_nan)
        try:
            check(doc)
        except _Shape as exc:
            raise corrupt_run_error(path, name, str(exc)) from None
        documents[name] = doc
    hourly = _read_hourly(path)
    schedule = _read_schedule(path)
    try:
        scenario = load_scenario(path / SCENARIO)
    except ScenarioError as exc:
        raise ScenarioError(
            f"{str(path)!r}: {exc}; the run directory is damaged or not coolshift's: "
            "re-create it with `coolshift run`"
        ) from None
    absent = [p.name for p in scenario.pods if p.name not in documents[KPIS]["pods"]]
    if absent:
        names = ", ".join(repr(n[:40]) for n in absent[:5])
        raise corrupt_run_error(path, KPIS, f"pods lacks the scenario's hall(s) {names}")
    return {
        "path": path,
        "kpis": documents[KPIS],
        "manifest": documents[MANIFEST],
        "hourly": hourly,
        "schedule": schedule,
        "scenario": scenario,
    }

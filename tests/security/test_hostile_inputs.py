"""Hostile and broken inputs end as bad input, never as a bug: exit code 2, one line
``coolshift: error: ...`` naming the file, field or row and what would be valid, no
traceback, and nothing written.

The table covers each kind of input the command line reads: scenario TOML (structure,
size, encoding, non-finite and absurd values, ``--set`` keys), the data files a scenario
names (carbon, price and carbon-free CSVs, EPW / TMY3 / TMY2 weather, jobs CSVs) and the
run directories ``coolshift report`` and ``coolshift compare`` read back. Most cases call
the CLI's ``main`` in this process (``validate`` runs the same checks as ``run``); a few
run ``coolshift run`` to show it refuses the same inputs and writes nothing, and a handful
run the installed console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from scenarios.library import example_text
from tests.integration.cli import assert_clean_failure, coolshift, error_text
from thermal.weather import PVLIB_CLIMATES, _pvlib_data_dir

pytestmark = pytest.mark.integration

BASE = example_text("default")
#: Longest message a hostile input may produce (no file content echoed at length).
MAX_MESSAGE_CHARS = 600


# --------------------------------------------------------------------------- helpers


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """``coolshift ARGS`` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_rejected(code: int, err: str, *fragments: str) -> None:
    """Bad input: exit 2 and one short line ``coolshift: error: ...`` holding every
    fragment, no traceback and no 'internal error'."""
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    from cli.run import PROGRESS_PREFIX

    lines = [line for line in err.strip().splitlines() if not line.startswith(PROGRESS_PREFIX)]
    assert len(lines) == 1, err
    assert lines[0].startswith("coolshift: error: "), err
    assert len(lines[0]) <= MAX_MESSAGE_CHARS, (len(lines[0]), lines[0][:300])
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def sub(old: str, new: str) -> Callable[[str], str]:
    """Replace ``old`` (which must be there) by ``new`` in the default scenario."""

    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return change


def add(extra: str) -> Callable[[str], str]:
    """Append TOML (a new table) to the default scenario."""
    return lambda text: f"{text}\n{extra}\n"


def whole(content: str | bytes) -> Callable[[str], str | bytes]:
    """A scenario file of exactly ``content``."""
    return lambda text: content


FLAT_PRICE = 'source = "tou"\ntariff = "cn-shanghai-two-part"'
TOU_PRICE = 'tariff = "cn-shanghai-two-part"'
FACTOR_CARBON = 'source = "factor"\nfactor = "cn-east-2023"'


def with_price(line: str) -> Callable[[str], str]:
    return sub(FLAT_PRICE, f'source = "flat"\n{line}')


def with_tou(line: str) -> Callable[[str], str]:
    return sub(TOU_PRICE, f"{TOU_PRICE}\n{line}")


def with_jobs(path: str) -> Callable[[str], str]:
    """The default scenario with a jobs CSV (TOML string text) instead of its generator."""

    def change(text: str) -> str:
        head, rest = text.split("[workload.generator]")
        return f'{head}[workload]\njobs = "{path}"\n\n[objective]{rest.split("[objective]")[1]}'

    return change


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return "a = " + open_ * depth + "1" + close * depth + "\n"


def many_pods(count: int) -> Callable[[str], str]:
    pods = "".join(
        f'\n[[pods]]\nname = "p{i}"\ncooling = "air"\nracks = 1\nrack_kw = 10\n' for i in range(count)
    )
    return add(pods)


# ------------------------------------------------------------------ scenario files

#: (id, change of the default scenario's text, fragments the message must hold)
SCENARIO_CASES = [
    # structure, size and encoding
    ("nested-arrays", whole(nested(10_000)), ("hostile.toml", "nested")),
    ("nested-inline-tables", whole(nested(10_000, "{b=", "}")), ("hostile.toml", "nested")),
    ("nested-facility-400", add("[facility]\nx = " + "{a=" * 400 + "1" + "}" * 400),
     ("hostile.toml", "nested")),
    ("nested-facility-40", add("[facility]\nx = " + "{a=" * 40 + "1" + "}" * 40),
     ("hostile.toml", "nested", "facility.x")),
    ("larger-than-1-mb", add("# " + "x" * 1_100_000), ("hostile.toml", "1 MB")),
    ("binary", whole(b"\x00\x01\x02PK\x03\x04" * 200), ("hostile.toml", "binary")),
    ("not-utf-8", lambda t: t.replace("Shanghai (", "Shanghaï (").encode("latin-1"),
     ("hostile.toml", "UTF-8")),
    ("empty", whole(""), ("hostile.toml", "empty")),
    ("comments-only", whole("# nothing here\n\n"), ("hostile.toml", "empty")),
    ("garbage-text", whole("lorem ipsum dolor\n"), ("hostile.toml", "not valid TOML", "line 1")),
    # NaN and infinity (TOML allows nan and inf floats)
    ("latitude-nan", sub("latitude = 31.4", "latitude = nan"), ("site.latitude", "finite")),
    ("longitude-inf", sub("longitude = 121.45", "longitude = -inf"), ("site.longitude", "finite")),
    ("rack-kw-inf", sub("rack_kw = 20", "rack_kw = inf"), ("pods[0].rack_kw", "finite")),
    ("liquid-fraction-nan", sub('water_class = "W40"', 'water_class = "W40"\nliquid_fraction = nan'),
     ("pods[2].liquid_fraction", "finite")),
    ("utilisation-nan", sub('water_class = "W40"', 'water_class = "W40"\ninference = {utilisation = nan}'),
     ("pods[2].inference.utilisation", "finite")),
    ("job-power-nan", sub("power_kw = [50, 250]", "power_kw = [nan, 250]"),
     ("workload.generator.power_kw[0]", "finite")),
    ("job-power-inf", sub("power_kw = [50, 250]", "power_kw = [50, inf]"),
     ("workload.generator.power_kw[1]", "finite")),
    ("restart-overhead-inf", sub("restart_overhead_h = 1.0", "restart_overhead_h = inf"),
     ("workload.generator.restart_overhead_h", "finite")),
    ("carbon-price-inf", sub("carbon_price_per_t = 60.0", "carbon_price_per_t = inf"),
     ("objective.carbon_price_per_t", "finite")),
    ("cost-weight-nan", sub("carbon_price_per_t = 60.0", "carbon_price_per_t = 60.0\ncost_weight = nan"),
     ("objective.cost_weight", "finite")),
    ("flat-price-inf", with_price("flat_per_kwh = inf"), ("grid.price.flat_per_kwh", "finite")),
    ("base-price-nan", with_tou("base_per_kwh = nan"), ("grid.price.base_per_kwh", "finite")),
    ("adder-minus-inf", with_tou("adder_per_kwh = -inf"), ("grid.price.adder_per_kwh", "finite")),
    ("demand-charge-inf", with_tou("demand_charge_per_kw_month = inf"),
     ("grid.price.demand_charge_per_kw_month", "finite")),
    ("carbon-constant-inf", sub(FACTOR_CARBON, 'source = "constant"\ng_per_kwh = inf'),
     ("grid.carbon.g_per_kwh", "finite")),
    ("residual-mix-nan", add("[grid.market]\nresidual_mix_g_per_kwh = nan"),
     ("grid.market.residual_mix_g_per_kwh", "finite")),
    ("renewable-share-inf", add("[grid.market]\nrenewable_share = inf"),
     ("grid.market.renewable_share", "finite")),
    ("grid-limit-inf", sub('currency = "CNY"', 'currency = "CNY"\ngrid_limit_kw = inf'),
     ("grid.grid_limit_kw", "finite")),
    ("time-limit-inf", add("[solver]\ntime_limit_s = inf"), ("solver.time_limit_s", "finite")),
    ("rel-gap-nan", add("[solver]\nrel_gap = nan"), ("solver.rel_gap", "finite")),
    ("pue-target-inf", sub("pue = 1.25", "pue = inf"), ("targets.pue", "finite")),
    ("heat-reuse-nan", add("[heat_reuse]\nliquid_share = nan"), ("heat_reuse.liquid_share", "finite")),
    ("facility-override-inf", add("[facility.power]\nups_no_load_frac = inf"),
     ("facility.power.ups_no_load_frac", "finite")),
    ("facility-dotted-minus-inf", add('[facility]\n"power.ups_square_frac" = -inf'),
     ("facility.power.ups_square_frac", "finite")),
    ("facility-override-nan", add("[facility.server]\nfan_share_ref = nan"),
     ("facility.server.fan_share_ref", "finite")),
    ("facility-no-chillers", add("[facility.chiller]\nunits = 0"),
     ("facility.chiller.units", "1 <= value <= 1,000")),
    ("facility-1e8-chillers", add("[facility.chiller]\nunits = 1e8"),  # looped for hours
     ("facility.chiller.units", "1 <= value <= 1,000")),
    ("facility-fan-efficiency-0", add("[facility.air]\nfan_efficiency = 0"),
     ("facility.air.fan_efficiency", "0 < value <= 1")),
    ("facility-lighting-200-percent", add("[facility.power]\nlighting_frac = 2"),
     ("facility.power.lighting_frac", "0 <= value <= 1")),
    ("facility-supply-air-1e12", add("[facility.air]\nsupply_air_c = 1e12"),
     ("facility.air.supply_air_c", "-60 <= value <= 100")),
    ("facility-optional-design-1e300", add("[facility.design]\ndry_bulb_c = 1e300"),
     ("facility.design.dry_bulb_c", "-60 <= value <= 100")),
    ("facility-optional-chw-nan", add("[facility.air]\nchw_supply_c = nan"),
     ("facility.air.chw_supply_c", "finite")),
    # absurd values: refused with the valid range
    ("racks-100-million", sub("racks = 20", "racks = 100000001"), ("pods[0].racks", "100,000")),
    ("rack-kw-1e9", sub("rack_kw = 20", "rack_kw = 1e9"), ("pods[0].rack_kw", "500")),
    ("flat-price-1e300", with_price("flat_per_kwh = 1e300"), ("grid.price.flat_per_kwh", "1,000")),
    ("flat-price-minus-5000", with_price("flat_per_kwh = -5000"), ("grid.price.flat_per_kwh", "-1,000")),
    ("demand-charge-1e9", with_tou("demand_charge_per_kw_month = 1e9"),
     ("grid.price.demand_charge_per_kw_month", "100,000")),
    ("carbon-5000-g", sub(FACTOR_CARBON, 'source = "constant"\ng_per_kwh = 5000'),
     ("grid.carbon.g_per_kwh", "2,000")),
    ("carbon-price-1e9", sub("carbon_price_per_t = 60.0", "carbon_price_per_t = 1e9"),
     ("objective.carbon_price_per_t", "100,000")),
    ("carbon-weight-1e12", sub("carbon_price_per_t = 60.0", "carbon_price_per_t = 60.0\ncarbon_weight = 1e12"),
     ("objective.carbon_weight", "1,000,000")),
    ("grid-limit-1e12", sub('currency = "CNY"', 'currency = "CNY"\ngrid_limit_kw = 1e12'),
     ("grid.grid_limit_kw", "100,000,000")),
    ("residual-mix-1e5", add("[grid.market]\nresidual_mix_g_per_kwh = 1e5"),
     ("grid.market.residual_mix_g_per_kwh", "2,000")),
    ("seed-negative", sub("seed = 7", "seed = -1"), ("workload.generator.seed", "9,223,372,036,854,775,807")),
    ("seed-2-64", sub("seed = 7", "seed = 18446744073709551616"), ("workload.generator.seed", "0")),
    ("job-count-1e6", sub("count = 40", "count = 1000000"), ("workload.generator.count", "100,000")),
    ("duration-1e6", sub("duration_h = [4, 24]", "duration_h = [4, 1000000]"),
     ("workload.generator.duration_h[1]", "8,784")),
    ("slack-1e5", sub("slack_h = [12, 72]", "slack_h = [12, 100000]"),
     ("workload.generator.slack_h[1]", "8,784")),
    ("job-power-1e12", sub("power_kw = [50, 250]", "power_kw = [50, 1e12]"),
     ("workload.generator.power_kw[1]", "100,000")),
    ("interruptions-1e11", sub("max_interruptions = 3", "max_interruptions = 99999999999"),
     ("workload.generator.max_interruptions", "1,000")),
    ("restart-overhead-1e9", sub("restart_overhead_h = 1.0", "restart_overhead_h = 1e9"),
     ("workload.generator.restart_overhead_h", "8,784")),
    ("pue-target-10", sub("pue = 1.25", "pue = 10"), ("targets.pue", "3")),
    ("start-year-9999", sub("start = 2023-07-10T00:00:00", "start = 9999-01-01T00:00:00"),
     ("horizon.start", "2200")),
    ("start-year-1000", sub("start = 2023-07-10T00:00:00", "start = 1000-01-01T00:00:00"),
     ("horizon.start", "1900")),
    ("time-limit-1e12", add("[solver]\ntime_limit_s = 1e12"), ("solver.time_limit_s", "604,800")),
    ("window-1e8", add("[solver]\nwindow_h = 100000000"), ("solver.window_h", "8,784")),
    ("step-longer-than-window", add("[solver]\nwindow_h = 24\nstep_h = 100"),
     ("solver", "step_h", "window_h")),
    ("pod-name-10k", sub('name = "air-20kW"', f'name = "{"x" * 10_000}"'), ("pods[0].name", "200")),
    # text: control characters, echoed values and keys, many problems at once
    ("nul-in-climate-path", sub('climate = "shanghai"', 'climate = "x\\u0000.epw"'),
     ("site.climate", "U+0000")),
    ("nul-in-jobs-path", with_jobs("a\\u0000.csv"), ("workload.jobs", "U+0000")),
    ("escape-in-pod-name", sub('name = "air-20kW"', 'name = "\\u001b[2J\\u001b[31mpwned"'),
     ("pods[0].name", "U+001B")),
    ("csi-in-assumption", sub("assumptions = []", 'assumptions = ["ok", "\\u009b31m"]'),
     ("assumptions", "U+009B")),
    ("factor-100k", sub('factor = "cn-east-2023"', f'factor = "{"f" * 100_000}"'),
     ("grid.carbon.factor", "100")),
    ("unknown-key-100k", sub("racks = 20\n", f"racks = 20\n{'k' * 100_000} = 1\n"),
     ("pods[0].kkkk", "unknown key")),
    ("300-bad-pods", add("".join(f'[[pods]]\nname = "p{i}"\ncooling = "spray"\nracks = 0\n' for i in range(300))),
     ("600 problems: pods[3]", "; and 595 more")),
    ("assumption-15k", sub("assumptions = []", f'assumptions = ["{"word " * 3000}"]'),
     ("assumptions[0]", "2000")),
    ("facility-text-with-escape", add('[facility.technology]\ncold_plate_water_class = "W32\\u001b"'),
     ("facility.technology.cold_plate_water_class", "printable")),
    ("1001-pods", many_pods(998), ("pods", "at most 1000")),
]


@pytest.mark.parametrize(
    ("change", "fragments"),
    [pytest.param(c, f, id=i) for i, c, f in SCENARIO_CASES],
)
def test_hostile_scenario_files_are_refused_by_validate(tmp_path, capsys, change, fragments):
    path = tmp_path / "hostile.toml"
    content = change(BASE)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert_rejected(*cli(capsys, "validate", path)[::2], *fragments)


@pytest.mark.parametrize(
    "case", ["binary", "rack-kw-inf", "facility-override-inf", "start-year-9999"]
)
def test_run_refuses_the_same_scenarios_and_writes_nothing(tmp_path, capsys, case):
    change, fragments = {i: (c, f) for i, c, f in SCENARIO_CASES}[case]
    path = tmp_path / "hostile.toml"
    content = change(BASE)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "out"
    code, _, err = cli(capsys, "run", path, "--no-optimize", "--out", out)
    assert_rejected(code, err, *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out") and "tmp" in p.name]


def test_scenario_file_is_read_and_parsed_once(tmp_path, monkeypatch):
    """resolve_scenario_arg parses the file once: the scenario and the raw data (for
    --set and sweeps) come from the same bytes, never from a second read."""
    import tomllib

    from scenarios import library

    path = tmp_path / "s.toml"
    path.write_text(BASE, encoding="utf-8")
    parsed = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parsed.append(text) or real(text))
    scenario, data, base_dir = library.resolve_scenario_arg(str(path))
    assert parsed == [BASE]
    assert scenario.name == data["name"] == "default" and base_dir == tmp_path


# --------------------------------------------------------------------- --set keys

SET_KEYS = [
    "pods[x].rack_kw", "pods[0", "pods[]", "a..b", ".a", "a.", "pods[-1].rack_kw",
    "site.name.sub", "pods[0]", "name[0].x", "horizon.hours.x", "pods[0]x.racks",
    "pods[0][1].racks", "pods[ 0 ].racks",
]


@pytest.mark.parametrize("key", SET_KEYS)
def test_malformed_set_keys_are_refused_before_any_run(tmp_path, capsys, key):
    out = tmp_path / "sweep"
    code, _, err = cli(capsys, "sweep", "default", "--set", f"{key}=5", "--no-optimize", "--out", out)
    assert_rejected(code, err, f"--set {key}", "pods[0].rack_kw", "pods.NAME.rack_kw")
    assert not out.exists()


def test_set_keys_that_name_no_pod_say_which_pods_exist(capsys, tmp_path):
    code, _, err = cli(capsys, "sweep", "default", "--set", "pods.nowhere.racks=5", "--out", tmp_path / "o")
    assert_rejected(code, err, "--set pods.nowhere.racks", "air-20kW")


@pytest.mark.parametrize(("values", "named"), [("100,100", "100"), ("1.5,2,1.5", "1.5"),
                                              ("a,b,a", "'a'")])
def test_a_sweep_value_given_twice_is_named(capsys, tmp_path, values, named):
    out = tmp_path / "o"
    code, _, err = cli(capsys, "sweep", "default", "--set", f"pods[0].racks={values}",
                       "--out", out)
    assert_rejected(code, err, f"--set pods[0].racks: the value {named} is given twice")
    assert not out.exists()


# ------------------------------------------------------------------- data files

HOURS = pd.date_range("2023-07-09", periods=240, freq="h")


def series_csv(value: str = "500", row: int | None = None, cell: str | None = None,
               stamp: str | None = None, offset: str = "") -> str:
    """An hourly CSV covering the default scenario's week; row ``row`` (as a spreadsheet
    numbers it, header = 1) gets ``cell`` as value and / or ``stamp`` as timestamp."""
    lines = ["timestamp,value"]
    for i, hour in enumerate(HOURS):
        ts, val = f"{hour:%Y-%m-%dT%H:%M:%S}{offset}", value
        if row is not None and i + 2 == row:
            ts = ts if stamp is None else stamp
            val = val if cell is None else cell
        lines.append(f"{ts},{val}")
    return "\n".join(lines) + "\n"


def sparse(size: int) -> Callable[[Path], None]:
    """Make the file ``size`` bytes long without writing them (its size is what counts)."""
    return lambda path: os.truncate(path, size)


CARBON = ("carbon", lambda f: sub(FACTOR_CARBON, f'source = "file"\nfile = "{f}"'))
PRICE = ("price", lambda f: sub(FLAT_PRICE, f'source = "file"\nfile = "{f}"\nunit = "per_kwh"'))
PRICE_MWH = ("price", lambda f: sub(FLAT_PRICE, f'source = "file"\nfile = "{f}"\nunit = "per_mwh"'))
CFE = ("cfe", lambda f: add(f'[grid.market]\ncarbon_free_file = "{f}"'))

#: (id, which file, content, fragments)
DATA_CASES = [
    ("carbon-empty", CARBON, "", ("carbon.csv", "empty")),
    ("carbon-binary", CARBON, b"\x00\x01\x02\x03" * 1000, ("carbon.csv", "binary")),
    ("carbon-nul-inside", CARBON, series_csv().encode() + b"\x00" * 10, ("carbon.csv", "binary")),
    ("carbon-header-only", CARBON, "timestamp,value\n", ("carbon.csv", "no data rows")),
    ("carbon-larger-than-64-mb", CARBON, sparse(65 * 1024 * 1024), ("carbon.csv", "64 MB")),
    ("carbon-not-a-number", CARBON, series_csv(row=40, cell="abc"),
     ("carbon.csv", "row 40", "'value'", "not a number")),
    ("carbon-long-garbage", CARBON, series_csv(row=40, cell="z" * 10_000),
     ("carbon.csv", "row 40", "not a number")),
    ("carbon-nan", CARBON, series_csv(row=41, cell="nan"), ("carbon.csv", "row 41", "finite")),
    ("carbon-inf", CARBON, series_csv(row=42, cell="inf"), ("carbon.csv", "row 42", "finite")),
    ("carbon-5000-g", CARBON, series_csv(row=43, cell="5000"), ("carbon.csv", "row 43", "2,000")),
    ("carbon-bad-timestamp", CARBON, series_csv(row=44, stamp="notatime"),
     ("carbon.csv", "row 44", "not a timestamp")),
    ("carbon-year-9999", CARBON, series_csv(row=45, stamp="9999-01-01T00:00:00"),
     ("carbon.csv", "row 45", "1900", "2200")),
    ("carbon-year-1000-with-offset", CARBON,
     series_csv(row=46, stamp="1000-01-01T00:00:00+00:00", offset="+00:00"),
     ("carbon.csv", "row 46", "1900")),
    ("carbon-blank-timestamp", CARBON, series_csv(row=47, stamp=""),
     ("carbon.csv", "row 47", "timestamp")),
    ("carbon-bad-offset", CARBON, series_csv(offset="+99:00"),
     ("carbon.csv", "timestamp")),
    ("price-inf", PRICE, series_csv("0.5", row=50, cell="inf"), ("price.csv", "row 50", "finite")),
    ("price-5000-per-kwh", PRICE, series_csv("0.5", row=51, cell="5000"),
     ("price.csv", "row 51", "1,000")),
    ("price-2e7-per-mwh", PRICE_MWH, series_csv("50", row=52, cell="2e7"),
     ("price.csv", "row 52", "1,000")),
    ("price-binary", PRICE, b"\xff\xfe\x00\x00" * 100, ("price.csv", "binary")),
    ("price-larger-than-64-mb", PRICE, sparse(100 * 1024 * 1024), ("price.csv", "64 MB")),
    ("cfe-nan", CFE, series_csv("0.5", row=60, cell="nan"), ("cfe.csv", "row 60", "finite")),
    ("cfe-150-percent", CFE, series_csv("50", row=61, cell="150"), ("cfe.csv", "row 61", "100")),
]


@pytest.mark.parametrize(
    ("which", "content", "fragments"),
    [pytest.param(w, c, f, id=i) for i, w, c, f in DATA_CASES],
)
def test_hostile_data_files_are_refused_by_validate(tmp_path, capsys, which, content, fragments):
    name, point = which
    data = tmp_path / f"{name}.csv"
    if callable(content):
        data.write_bytes(b"")
        content(data)
    else:
        data.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    scenario = tmp_path / "s.toml"
    scenario.write_text(point(data)(BASE), encoding="utf-8")
    assert_rejected(*cli(capsys, "validate", scenario)[::2], *fragments)


# ---------------------------------------------------------------- weather files


def epw_text(change: Callable[[list[str]], None] | None = None) -> str:
    """A synthetic, valid EPW year; ``change`` edits its lines (header lines 0..7)."""
    lines = [
        "LOCATION,Testville,ST,USA,TMY3,723170,36.10,-79.95,-5.0,273.0",
        "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,test", "COMMENTS 2,test",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    for ts in pd.date_range("2023-01-01", periods=8760, freq="h"):
        fields = [ts.year, ts.month, ts.day, ts.hour + 1, 60, "?9?9?9?9E0?9?9?9",
                  15.0 + (ts.hour % 5), 8.0, 60, 101000] + [0] * 25
        lines.append(",".join(str(f) for f in fields))
    if change:
        change(lines)
    return "\n".join(lines) + "\n"


def epw_cell(line: int, field: int, value: str) -> Callable[[list[str]], None]:
    def change(lines: list[str]) -> None:
        cells = lines[line].split(",")
        cells[field] = value
        lines[line] = ",".join(cells)

    return change


def tmy3_text(column: str | None = None, row: int = 0, value: str = "") -> str:
    """pvlib's Greensboro TMY3 with data row ``row`` of ``column`` replaced."""
    lines = (_pvlib_data_dir() / PVLIB_CLIMATES["greensboro"][0]).read_text().splitlines()
    if column:
        i = lines[1].split(",").index(column)
        cells = lines[2 + row].split(",")
        cells[i] = value
        lines[2 + row] = ",".join(cells)
    return "\n".join(lines) + "\n"


#: (id, file name, content, fragments)
WEATHER_CASES = [
    ("tmy3-dry-bulb-not-a-number", "wx.csv", tmy3_text("Dry-bulb (C)", 10, "abc"),
     ("wx.csv", "dry-bulb", "line 13", "not a number")),
    ("tmy3-pressure-not-a-number", "wx.csv", tmy3_text("Pressure (mbar)", 20, "x"),
     ("wx.csv", "pressure", "line 23", "not a number")),
    ("tmy3-dry-bulb-inf", "wx.csv", tmy3_text("Dry-bulb (C)", 10, "inf"), ("wx.csv", "dry_bulb_c")),
    ("tmy3-bad-date", "wx.csv", tmy3_text("Date (MM/DD/YYYY)", 10, "99/99/1988"),
     ("wx.csv", "TMY3")),
    ("tmy3-garbage-header", "wx.csv", "garbage\n" + tmy3_text().split("\n", 1)[1], ("wx.csv", "TMY3")),
    ("epw-dry-bulb-not-a-number", "wx.epw", epw_text(epw_cell(20, 6, "abc")),
     ("wx.epw", "dry-bulb", "line 21", "not a number")),
    ("epw-pressure-not-a-number", "wx.epw", epw_text(epw_cell(30, 9, "x")),
     ("wx.epw", "pressure", "line 31", "not a number")),
    ("epw-dew-point-nan", "wx.epw", epw_text(epw_cell(40, 7, "nan")), ("wx.epw", "dew_point_c")),
    ("epw-time-zone-text", "wx.epw", epw_text(epw_cell(0, 8, "abc")), ("wx.epw", "EPW")),
    ("epw-time-zone-99", "wx.epw", epw_text(epw_cell(0, 8, "99")), ("wx.epw", "time zone", "-12")),
    ("epw-time-zone-inf", "wx.epw", epw_text(epw_cell(0, 8, "inf")), ("wx.epw", "time zone")),
    ("epw-altitude-nan", "wx.epw", epw_text(epw_cell(0, 9, "nan")), ("wx.epw", "altitude")),
    ("epw-latitude-999", "wx.epw", epw_text(epw_cell(0, 6, "999")), ("wx.epw", "latitude", "90")),
    ("epw-bad-year", "wx.epw", epw_text(epw_cell(20, 0, "99999")), ("wx.epw", "EPW")),
    ("epw-short-row", "wx.epw", epw_text(lambda lines: lines.__setitem__(20, "1,2")), ("wx.epw",)),
    ("epw-empty", "wx.epw", "", ("wx.epw", "empty")),
    ("epw-binary", "wx.epw", b"\x00\x01" * 5000, ("wx.epw", "binary")),
    ("epw-larger-than-64-mb", "wx.epw", sparse(80 * 1024 * 1024), ("wx.epw", "64 MB")),
    ("tmy2-binary", "wx.tm2", b"\x00\x01" * 5000, ("wx.tm2", "binary")),
    ("tmy2-garbage", "wx.tm2", "hello\nworld\n", ("wx.tm2", "TMY2")),
    ("tmy2-empty", "wx.tm2", "", ("wx.tm2", "empty")),
]


def write_weather(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if callable(content):
        path.write_bytes(b"")
        content(path)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    scenario = tmp_path / "s.toml"
    scenario.write_text(sub('climate = "shanghai"', f'climate = "{path}"')(BASE), encoding="utf-8")
    return scenario


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [pytest.param(n, c, f, id=i) for i, n, c, f in WEATHER_CASES],
)
def test_hostile_weather_files_are_refused_by_validate(tmp_path, capsys, name, content, fragments):
    scenario = write_weather(tmp_path, name, content)
    assert_rejected(*cli(capsys, "validate", scenario)[::2], "site.climate", *fragments)


def test_a_valid_synthetic_epw_is_accepted(tmp_path, capsys):
    """The hostile EPW cases above differ from a file that works in one cell only."""
    scenario = write_weather(tmp_path, "wx.epw", epw_text())
    code, out, err = cli(capsys, "validate", scenario)
    assert code == 0, err
    assert out.startswith("ok: default")


# ---------------------------------------------------------------------- jobs CSVs

JOBS_HEADER = "job_id,release,deadline,duration_h,power_kw,preemptible"
JOB = "j1,2023-07-10T00:00+08:00,2023-07-12T00:00+08:00,4,100,true"

#: (id, jobs file content, fragments)
JOBS_CASES = [
    ("power-nan", f"{JOBS_HEADER}\n{JOB.replace(',100,', ',nan,')}\n", ("power_kw", "row 2", "finite")),
    ("duration-inf", f"{JOBS_HEADER}\n{JOB.replace(',4,', ',inf,')}\n", ("duration_h", "row 2", "finite")),
    ("power-1e300", f"{JOBS_HEADER}\n{JOB.replace(',100,', ',1e300,')}\n", ("power_kw", "100000")),
    ("release-garbage", f"{JOBS_HEADER}\n{JOB.replace('2023-07-10T00:00+08:00', 'yesterday')}\n",
     ("release", "row 2", "ISO 8601")),
    ("release-year-10000", f"{JOBS_HEADER}\n{JOB.replace('2023-07-10', '10000-07-10')}\n",
     ("release", "row 2")),
    ("deadline-year-9999", f"{JOBS_HEADER}\n{JOB.replace('2023-07-12', '9999-07-12')}\n",
     ("deadline",)),
    ("binary", b"\x00\x01" * 100, ("jobs.csv", "binary")),
    ("long-job-id", f"{JOBS_HEADER}\n{JOB.replace('j1', 'j' * 100_000)}\n", ("job_id", "row 2")),
    ("larger-than-64-mb", sparse(65 * 1024 * 1024), ("jobs", "64 MB")),
    ("10000-pods-listed", f"{JOBS_HEADER},pods\n{JOB},{'|'.join(['x'] * 10_000)}\n",
     ("pods", "row 2", "at most 1,000")),
    ("long-pod-name", f"{JOBS_HEADER},pods\n{JOB},{'p' * 5_000}\n", ("pods", "row 2", "at most 200")),
]


@pytest.mark.parametrize(
    ("content", "fragments"), [pytest.param(c, f, id=i) for i, c, f in JOBS_CASES]
)
def test_hostile_jobs_files_are_refused_by_validate(tmp_path, capsys, content, fragments):
    jobs = tmp_path / "jobs.csv"
    if callable(content):
        jobs.write_bytes(b"")
        content(jobs)
    else:
        jobs.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    scenario = tmp_path / "s.toml"
    scenario.write_text(with_jobs(str(jobs))(BASE), encoding="utf-8")
    assert_rejected(*cli(capsys, "validate", scenario)[::2], *fragments)


# ------------------------------------------------------------------ run directories


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """One real run directory (default scenario, ASAP schedule)."""
    folder = tmp_path_factory.mktemp("made") / "run"
    assert main(["run", "default", "--no-optimize", "--out", str(folder)]) == 0
    return folder


def json_edit(name: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    """Rewrite JSON file ``name`` of a run with ``change(document)`` (its return value, if
    not None, replaces the document)."""

    def edit(folder: Path) -> None:
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        new = change(doc)
        (folder / name).write_text(json.dumps(doc if new is None else new), encoding="utf-8")

    return edit


def raw(name: str, content: str | bytes | Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        data = content(path.read_bytes()) if callable(content) else content
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return edit


def parquet(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        frame = pd.read_parquet(folder / "hourly.parquet")
        change(frame).to_parquet(folder / "hourly.parquet")

    return edit


def _set(path: list, value) -> Callable[[dict], None]:
    def change(doc):
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _drop(path: list) -> Callable[[dict], None]:
    def change(doc):
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


#: (id, corruption, file named in the message)
RUN_CASES = [
    ("kpis-invalid-json", raw("kpis.json", "{"), "kpis.json"),
    ("kpis-truncated", raw("kpis.json", lambda b: b[: len(b) // 2]), "kpis.json"),
    ("kpis-empty", raw("kpis.json", b""), "kpis.json"),
    ("kpis-binary", raw("kpis.json", b"\x00\xff" * 500), "kpis.json"),
    ("kpis-a-list", raw("kpis.json", "[]"), "kpis.json"),
    ("kpis-kpis-is-5", raw("kpis.json", '{"kpis": 5}'), "kpis.json"),
    ("kpis-nested-100k", raw("kpis.json", "[" * 100_000 + "]" * 100_000), "kpis.json"),
    ("kpis-no-kpis", json_edit("kpis.json", _drop(["kpis"])), "kpis.json"),
    ("kpis-pue-text", json_edit("kpis.json", _set(["kpis", "pue"], "abc")), "kpis.json"),
    ("kpis-pue-list", json_edit("kpis.json", _set(["kpis", "pue"], [1, 2])), "kpis.json"),
    ("kpis-cost-missing", json_edit("kpis.json", _drop(["kpis", "total_cost"])), "kpis.json"),
    ("kpis-nan-token", raw("kpis.json", lambda b: b.replace(b'"pue": 1.', b'"pue": NaN, "x": 1.', 1)),
     "kpis.json"),
    ("kpis-scenario-5", json_edit("kpis.json", _set(["scenario"], 5)), "kpis.json"),
    ("kpis-pod-missing", json_edit("kpis.json", _drop(["pods", "air-20kW"])), "kpis.json"),
    ("kpis-pod-pue-text", json_edit("kpis.json", _set(["pods", "air-20kW", "pue"], "x")), "kpis.json"),
    ("kpis-references-5", json_edit("kpis.json", _set(["targets", "references"], 5)), "kpis.json"),
    ("kpis-reference-no-pue", json_edit("kpis.json", _drop(["targets", "references", 0, "pue"])),
     "kpis.json"),
    ("kpis-reference-binds-in-mars", json_edit("kpis.json", _set(["targets", "references", 0,
                                                                    "target_in"], "Mars")),
     "kpis.json"),
    ("kpis-baselines-list", json_edit("kpis.json", _set(["baselines"], [])), "kpis.json"),
    ("kpis-schedule-unknown", json_edit("kpis.json", _set(["schedule"], 7)), "kpis.json"),
    ("kpis-pue-1e308", json_edit("kpis.json", _set(["kpis", "pue"], 1e308)), "kpis.json"),
    ("kpis-label-100k", json_edit("kpis.json", _set(["kpis", "pue_target_label"], "x" * 100_000)),
     "kpis.json"),
    ("kpis-reference-label-100k",
     json_edit("kpis.json", _set(["targets", "references", 0, "label"], "x" * 100_000)), "kpis.json"),
    ("kpis-baseline-text", json_edit("kpis.json", _set(["baselines", "greedy", "pue"], "x")), "kpis.json"),
    ("manifest-invalid-json", raw("manifest.json", "{{{"), "manifest.json"),
    ("manifest-a-list", raw("manifest.json", "[1, 2]"), "manifest.json"),
    ("manifest-solver-5", json_edit("manifest.json", _set(["solver"], 5)), "manifest.json"),
    ("manifest-sources-list", json_edit("manifest.json", _set(["sources"], ["a"])), "manifest.json"),
    ("manifest-notes-text", json_edit("manifest.json", _set(["notes"], "x")), "manifest.json"),
    ("manifest-gap-text", json_edit("manifest.json", _set(["solver", "gap"], "x")), "manifest.json"),
    ("manifest-version-4k", json_edit("manifest.json", _set(["versions", "numpy"], "v" * 4000)),
     "manifest.json"),
    ("manifest-note-100k", json_edit("manifest.json", _set(["notes"], ["n" * 100_000])), "manifest.json"),
    ("manifest-nested-100k", raw("manifest.json", "{\"a\": " + "[" * 100_000 + "]" * 100_000 + "}"),
     "manifest.json"),
    ("hourly-not-parquet", raw("hourly.parquet", b"PAR1 this is not parquet"), "hourly.parquet"),
    ("hourly-truncated", raw("hourly.parquet", lambda b: b[: len(b) // 2]), "hourly.parquet"),
    ("hourly-empty-file", raw("hourly.parquet", b""), "hourly.parquet"),
    ("hourly-naive-index", parquet(lambda f: f.tz_localize(None)), "hourly.parquet"),
    ("hourly-no-rows", parquet(lambda f: f.iloc[:0]), "hourly.parquet"),
    ("hourly-integer-index", parquet(lambda f: f.reset_index(drop=True)), "hourly.parquet"),
    ("schedule-binary", raw("schedule.csv", b"\x00\x01" * 300), "schedule.csv"),
    ("schedule-bad-timestamps", raw("schedule.csv", "job_id,pod,timestamp,power_kw\na,b,notatime,1\n"),
     "schedule.csv"),
    ("schedule-no-columns", raw("schedule.csv", "x\n1\n"), "schedule.csv"),
    ("schedule-power-text", raw("schedule.csv", "job_id,pod,timestamp,power_kw\n"
                                 "a,air-20kW,2023-07-10 00:00:00+08:00,lots\n"), "schedule.csv"),
    ("scenario-garbage", raw("scenario.toml", "lorem ipsum"), "scenario.toml"),
    ("scenario-binary", raw("scenario.toml", b"\x00" * 100), "scenario.toml"),
    ("scenario-rack-kw-nan", raw("scenario.toml", lambda b: b.replace(b"rack_kw = 20", b"rack_kw = nan", 1)),
     "scenario.toml"),
]


@pytest.fixture
def corrupt_run(tmp_path, finished_run):
    def make(corruption: Callable[[Path], None]) -> Path:
        folder = tmp_path / "run"
        shutil.copytree(finished_run, folder)
        corruption(folder)
        return folder

    return make


@pytest.mark.parametrize(
    ("corruption", "file"), [pytest.param(c, f, id=i) for i, c, f in RUN_CASES]
)
def test_corrupt_run_directories_are_refused_by_compare(capsys, corrupt_run, corruption, file):
    folder = corrupt_run(corruption)
    code, out, err = cli(capsys, "compare", folder)
    assert_rejected(code, err, str(folder), file, "coolshift run")
    assert out == ""


#: Corruptions that only the report's readers meet (columns the report uses).
REPORT_ONLY_CASES = [
    ("hourly-without-site-columns", parquet(lambda f: f[["dry_bulb_c", "price_per_kwh"]]),
     ("hourly.parquet", "site.compute_kw", "and 11 more")),
    ("hourly-without-a-pod", parquet(lambda f: f.drop(columns=["air-20kW.job_compute_kw"])),
     ("hourly.parquet", "air-20kW.job_compute_kw")),
    ("hourly-facility-as-text", parquet(lambda f: f.assign(**{"site.facility_kw": "x"})),
     ("hourly.parquet", "site.facility_kw", "number")),
    ("hourly-no-price", parquet(lambda f: f.drop(columns=["price_per_kwh"])),
     ("hourly.parquet", "price_per_kwh")),
    ("hourly-facility-inf", parquet(lambda f: f.assign(**{"site.facility_kw": float("inf")})),
     ("hourly.parquet", "site.facility_kw", "finite")),
    ("hourly-price-nan", parquet(lambda f: f.assign(price_per_kwh=float("nan"))),
     ("hourly.parquet", "price_per_kwh", "finite")),
    ("hourly-job-load-1e300", parquet(lambda f: f.assign(**{"air-20kW.job_compute_kw": 1e300})),
     ("hourly.parquet", "air-20kW.job_compute_kw", "1e+12")),
    ("hourly-inlet-as-text", parquet(lambda f: f.assign(**{"air-20kW.inlet_c": "warm"})),
     ("hourly.parquet", "air-20kW.inlet_c", "numbers")),
]


@pytest.mark.parametrize(
    ("corruption", "fragments"),
    [pytest.param(c, f, id=i) for i, c, f in REPORT_ONLY_CASES]
    + [pytest.param(c, (f,), id=i) for i, c, f in RUN_CASES if i in
       ("kpis-kpis-is-5", "kpis-pod-missing", "hourly-not-parquet", "hourly-naive-index",
        "manifest-solver-5", "schedule-bad-timestamps")],
)
def test_corrupt_run_directories_are_refused_by_report_and_nothing_is_written(
    tmp_path, capsys, corrupt_run, corruption, fragments
):
    folder = corrupt_run(corruption)
    before = sorted(p.name for p in folder.iterdir())
    target = tmp_path / "report.html"
    code, _, err = cli(capsys, "report", folder, "--format", "html", "--out", target)
    assert_rejected(code, err, str(folder), "coolshift run", *fragments)
    assert not target.exists()
    assert sorted(p.name for p in folder.iterdir()) == before


def test_an_intact_run_directory_still_compares(capsys, finished_run):
    code, out, err = cli(capsys, "compare", finished_run)
    assert code == 0, err
    assert "default" in out


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(raw("schedule.csv", "job_id,pod,timestamp,power_kw\n"), id="no-jobs"),
        pytest.param(json_edit("kpis.json", _set(["kpis", "a_later_kpi"], 1.5)), id="later-kpi"),
        pytest.param(json_edit("kpis.json", _set(["kpis", "pue"], None)), id="null-pue"),
        pytest.param(raw("manifest.json", lambda b: b.replace(b'"relative_error": ', b'"relative_error": NaN, "x": ', 1)),
                     id="manifest-nan"),
        pytest.param(json_edit("manifest.json", lambda d: {}), id="manifest-empty-object"),
    ],
)
def test_what_coolshift_may_write_still_reads(capsys, corrupt_run, change):
    """The shape checks refuse damage, not runs without jobs, KPIs of a later version,
    null ratios or solver figures that are not finite."""
    from scenarios.store import read_run

    folder = corrupt_run(change)
    assert read_run(folder)["kpis"]["scenario"] == "default"
    code, _, err = cli(capsys, "compare", folder)
    assert code == 0, err


# ------------------------------------------------------ the console command itself


def test_console_nested_toml(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(nested(10_000), encoding="utf-8")
    result = coolshift("validate", str(path))
    assert_clean_failure(result, 2, "deep.toml", "nested")
    assert len(error_text(result).strip().splitlines()) == 1


def test_console_binary_scenario_writes_no_run(tmp_path):
    path = tmp_path / "blob.toml"
    path.write_bytes(os.urandom(4096) + b"\x00")
    out = tmp_path / "out"
    result = coolshift("run", str(path), "--no-optimize", "--out", str(out))
    assert_clean_failure(result, 2, "blob.toml", "binary")
    assert not out.exists()


def test_console_weather_with_text_in_a_number_column_writes_no_run(tmp_path):
    scenario = write_weather(tmp_path, "wx.csv", tmy3_text("Dry-bulb (C)", 10, "abc"))
    out = tmp_path / "out"
    result = coolshift("run", str(scenario), "--no-optimize", "--out", str(out))
    assert_clean_failure(result, 2, "wx.csv", "not a number")
    assert len(error_text(result).strip().splitlines()) == 1, result.stderr  # no pandas warnings
    assert not out.exists()


def test_console_sweep_with_a_malformed_key(tmp_path):
    out = tmp_path / "sweep"
    result = coolshift("sweep", "default", "--set", "pods[x].rack_kw=1,2", "--out", str(out))
    assert_clean_failure(result, 2, "--set pods[x].rack_kw", "pods[0].rack_kw")
    assert not out.exists()


def test_console_report_of_a_corrupt_run(tmp_path, finished_run):
    folder = tmp_path / "run"
    shutil.copytree(finished_run, folder)
    (folder / "kpis.json").write_text('{"kpis": 5}', encoding="utf-8")
    result = coolshift("report", str(folder), "--format", "html")
    assert_clean_failure(result, 2, str(folder), "kpis.json", "coolshift run")
    assert not (folder / "report.html").exists()

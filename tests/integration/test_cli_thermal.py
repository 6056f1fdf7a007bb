"""``coolshift thermal`` end to end."""

import json
from pathlib import Path

import pytest

from tests.helpers import shared_file
from tests.integration.cli import assert_clean_failure, coolshift
from thermal.facility import COOLING_TECHNOLOGIES

FIELDS = ("pue", "ppue_cooling", "tue", "wue_l_per_kwh", "it_mwh", "facility_mwh", "free_cooling_h", "peak_facility_kw", "hours_outside_air_class")


def test_table_compares_the_three_technologies():
    result = coolshift("thermal", "--climate", "greensboro", "--cooling", "air,cold_plate,immersion", "--rack-kw", "30", "--racks", "50")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Cooling"))
    for title in ("PUE", "pPUE", "TUE", "WUE", "IT MWh", "Facility MWh", "Free-cool h", "Peak kW", "ASHRAE"):
        assert title in header
    first_table = lines[lines.index(header): lines.index(header) + 5]
    rows = {line.split()[0]: line.split() for line in first_table if line.split() and line.split()[0] in ("air", "cold_plate", "immersion")}
    assert set(rows) == {"air", "cold_plate", "immersion"}
    assert float(rows["air"][1]) > float(rows["cold_plate"][1]) > float(rows["immersion"][1])


def test_json_has_one_numeric_object_per_technology():
    result = coolshift("thermal", "--climate", "urumqi", "--rack-kw", "20", "--racks", "10", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["cooling"] for r in rows] == list(COOLING_TECHNOLOGIES)
    for row in rows:
        for field in FIELDS:
            assert isinstance(row[field], (int, float)), field
        # IT MWh of 10 racks x 20 kW nameplate over 8760 h: fans removed by liquid, or
        # slightly above nameplate for air (inlet ~26 °C, 1 K over the 25 °C reference)
        assert 0.9 * 1752 <= row["it_mwh"] <= 1752 * 1.01


def test_a_weather_file_path_is_accepted():
    path = shared_file("weather", "USA_CA_San.Jose-Mineta.epw")
    result = coolshift("thermal", "--climate", str(path), "--cooling", "immersion", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["climate"].startswith("San.Jose")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--climate", "atlantis"], ["unknown climate 'atlantis'", "greensboro"]),
        (["--rack-kw", "45"], ["45 kW per rack exceeds the air cooling limit of 30 kW"]),
        (["--rack-kw", "-1"], ["--rack-kw"]),
        (["--rack-kw", "nan"], ["--rack-kw"]),
        (["--cooling", "air,fog"], ["--cooling"]),
        (["--warm-k", "40"], ["--warm-k", "-15 to 15"]),
        (["--set", "air.chw_supply_c=25"], ["chw_supply_c", "supply_air_c"]),
        (["--cooling", "two_phase_immersion", "--water-class", "W45"], ["too warm to condense"]),
        (["--set", "air.chw_suply_c=12"], ["did you mean 'chw_supply_c'"]),
        (["--climate", "/nonexistent/site.epw"], ["does not exist"]),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(args, fragments):
    assert_clean_failure(coolshift("thermal", *args), 2, *fragments)


def test_unknown_option_exits_2_without_traceback():
    result = coolshift("thermal", "--rack-watts", "3")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_warm_k_keeps_the_design_day_and_leaves_heat_unmet():
    def rows(*extra):
        result = coolshift("thermal", "--climate", "miami", "--cooling", "air", "--format", "json", *extra)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)[0]

    today, hot = rows(), rows("--warm-k", "8")
    assert hot["design_dry_bulb_c"] == today["design_dry_bulb_c"]
    assert hot["warm_k"] == 8 and today["unmet_heat_h"] == 0 < hot["unmet_heat_h"]


def test_json_gains_plant_size_and_money_per_technology():
    """Issue 17 item 7: capex, tco_per_year and the design day per technology."""
    result = coolshift("thermal", "--climate", "beijing", "--cooling", "air,immersion",
                       "--rack-kw", "20", "--racks", "10", "--currency", "CNY", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["cooling"]: r for r in json.loads(result.stdout)}
    for row in rows.values():
        for key in ("capex", "tco_per_year", "design_dry_bulb_c", "design_wet_bulb_c",
                    "design_facility_kw", "tco_per_mwh_compute", "annualised_capex",
                    "opex_per_year", "chiller_kw_th", "cdu_kw_th", "ups_kw"):
            assert isinstance(row[key], float), key
        assert row["currency"] == "CNY"
        assert row["tco_per_year"] == pytest.approx(row["annualised_capex"] + row["opex_per_year"])
        assert row["capex"] == pytest.approx(sum(row["capex_by_component"].values()))
        # full IT load on the design day draws more than the year's average hour
        assert row["design_facility_kw"] > row["facility_mwh"] * 1000 / 8760
    air, imm = rows["air"], rows["immersion"]
    assert air["npv_vs_air"] == pytest.approx(0.0, abs=1e-6)
    # immersion: less power at the design hour and a cheaper year to run
    assert imm["design_facility_kw"] < air["design_facility_kw"]
    assert imm["opex_per_year"] < air["opex_per_year"]
    assert imm["npv_vs_air"] is not None
    table = coolshift("thermal", "--climate", "beijing", "--cooling", "air,immersion",
                      "--rack-kw", "20", "--racks", "10")
    assert "Design kW" in table.stdout and "NPV vs air" in table.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--price", "-1"), "--price"),
        (("--currency", "GBP"), "exchange_rate_per_usd"),
        (("--set-cost", "discount_rate=2"), "costs.discount_rate"),
        (("--set-cost", "nonsense"), "--set-cost"),
    ],
)
def test_bad_money_options_exit_2(args, fragment):
    assert_clean_failure(coolshift("thermal", "--cooling", "air", *args), 2, fragment)


def test_size_counts_racks_within_the_grid_and_floor():
    result = coolshift("size", "--climate", "beijing", "--grid-kw", "2000", "--floor-m2", "100",
                       "--rack-kw", "20", "--cooling", "air,immersion,spray", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["cooling"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"air", "immersion", "spray"}
    for row in rows.values():
        assert row["racks"] == min(row["racks_by_grid"], row["racks_by_floor"])
        assert row["racks_by_floor"] == int(100 // row["m2_per_rack"])
        assert row["racks_by_grid"] * row["design_facility_kw_per_rack"] <= 2000 * 1.05
    # liquid racks draw less at the design hour, so more fit the same connection
    assert rows["immersion"]["racks_by_grid"] > rows["air"]["racks_by_grid"]
    assert_clean_failure(coolshift("size", "--grid-kw", "0"), 2, "--grid-kw")
    assert_clean_failure(coolshift("size", "--grid-kw", "100", "--cooling", "air", "--rack-kw", "40"),
                         2, "air limit")
    # a count no scenario could take is refused, and a bad flag is named before the weather
    assert_clean_failure(coolshift("size", "--grid-kw", "5e6", "--rack-kw", "1e-6", "--cooling",
                                   "immersion"), 2, "above the 100,000")
    assert_clean_failure(coolshift("size", "--grid-kw", "100", "--cooling", "ice",
                                   "--climate", "no/such/file.epw"), 2, "ice")


def test_a_bad_costs_table_is_refused_before_the_run(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "scenarios" / "library" / "default.toml").read_text()
    path = tmp_path / "s.toml"
    path.write_text(text + "\n[costs]\ndiscount_rat = 0.05\n", encoding="utf-8")
    assert_clean_failure(coolshift("validate", str(path)), 2, "did you mean 'discount_rate'")
    out = tmp_path / "run"
    assert_clean_failure(coolshift("run", str(path), "--out", str(out)), 2, "costs")
    assert not out.exists()

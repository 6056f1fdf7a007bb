"""scenarios.explore without the solver: climate summaries, the full-year comparison of
pods, the PUE grid, energy by component, schedule segments, variants and KPI tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios import explore
from scenarios.errors import ScenarioError
from scenarios.library import example_data
from scenarios.loading import apply_settings, scenario_from_dict
from tests.tolerances import ENERGY_BALANCE_RTOL


@pytest.fixture(scope="module")
def default():
    return scenario_from_dict(example_data("default"))


@pytest.fixture(scope="module")
def year(default):
    return explore.simulate_year(default)


def test_climate_summary_is_the_monthly_statistics_of_the_hours():
    weather = explore.load_weather("shanghai")
    monthly = explore.climate_summary(weather)
    assert list(monthly.index) == list(range(1, 13))
    july = weather[weather.index.month == 7]
    assert monthly.loc[7, "dry_bulb_mean_c"] == pytest.approx(july["dry_bulb_c"].mean())
    assert monthly.loc[7, "wet_bulb_max_c"] == pytest.approx(july["wet_bulb_c"].max())
    assert (monthly["dry_bulb_min_c"] <= monthly["dry_bulb_mean_c"]).all()
    assert (monthly["wet_bulb_mean_c"] <= monthly["dry_bulb_mean_c"]).all()  # wet <= dry
    assert monthly.loc[7, "dry_bulb_mean_c"] > monthly.loc[1, "dry_bulb_mean_c"] + 15


def test_design_conditions_are_quantiles_and_counts():
    weather = explore.load_weather("miami")
    d = explore.design_conditions(weather)
    dry = weather["dry_bulb_c"]
    assert (dry > d["dry_bulb_0p4_c"]).mean() == pytest.approx(0.004, abs=0.0015)
    assert d["hours_below_18c_dry_bulb"] == (dry < 18).sum()
    assert d["wet_bulb_0p4_c"] < d["dry_bulb_0p4_c"]


def test_load_weather_names_the_field_when_the_climate_is_unknown():
    with pytest.raises(ScenarioError, match=r"site\.climate.*unknown climate 'atlantis'"):
        explore.load_weather("atlantis")


def test_pod_problems_name_the_pod_and_the_limit():
    data = apply_settings(example_data("default"), {"pods[0].rack_kw": 45, "pods[2].rack_kw": 250})
    problems = explore.pod_problems(scenario_from_dict(data))
    assert set(problems) == {"air-20kW", "immersion-50kW"}
    assert "air cooling limit of 30 kW" in problems["air-20kW"]
    assert "immersion cooling limit of 200 kW" in problems["immersion-50kW"]


def test_simulate_year_covers_the_calendar_year_and_skips_bad_pods(default, year):
    frames, site = year
    assert len(site) == 365 * 24 and site.index[0] == pd.Timestamp("2023-01-01", tz="Asia/Shanghai")
    assert set(frames) == {p.name for p in default.pods}
    bad = scenario_from_dict(apply_settings(example_data("default"), {"pods[0].rack_kw": 45}))
    frames_bad, _ = explore.simulate_year(bad)
    assert set(frames_bad) == {"coldplate-40kW", "immersion-50kW"}
    # the other pods are simulated exactly as before
    pd.testing.assert_frame_equal(frames_bad["immersion-50kW"], frames["immersion-50kW"])


def test_simulate_year_without_any_valid_pod_says_what_to_fix():
    bad = scenario_from_dict(
        apply_settings(
            example_data("default"),
            {"pods[0].rack_kw": 45, "pods[1].rack_kw": 150, "pods[2].rack_kw": 250},
        )
    )
    with pytest.raises(ScenarioError, match=r"no pod passes the physics checks.*air-20kW"):
        explore.simulate_year(bad)


def test_inference_load_follows_the_daily_cycle(default, year):
    frames, _ = year
    compute = frames["air-20kW"]["compute_kw"]
    by_hour = compute.groupby(compute.index.hour).mean()
    assert by_hour.idxmax() == default.pods[0].inference.peak_hour  # 20:00 local
    design = frames["air-20kW"].attrs["compute_design_kw"]
    assert compute.mean() == pytest.approx(default.pods[0].inference.utilisation * design, rel=1e-6)


def test_technology_table_matches_the_hourly_frames(default, year):
    frames, _ = year
    table = explore.technology_table(default, frames)
    air = frames["air-20kW"]
    assert table.loc["air-20kW", "pue"] == pytest.approx(
        air["facility_kw"].sum() / air["it_kw"].sum()
    )
    # hybrid coolers wet only on hot afternoons; open towers evaporate all year
    assert table.loc["immersion-50kW", "wue_l_per_kwh"] < 0.5 * table.loc["air-20kW", "wue_l_per_kwh"]
    assert table.loc["air-20kW", "wue_l_per_kwh"] > 0.5
    # liquid cooling lowers PUE and TUE (server fans gone): the technologies rank
    assert table["pue"].is_monotonic_decreasing and table["tue"].is_monotonic_decreasing
    assert (table["tue"] >= table["pue"] - 1e-12).all()
    assert list(table["cooling"]) == ["air", "cold_plate", "immersion"]


def test_energy_by_component_adds_up_to_facility_energy(year):
    frames, _ = year
    energy = explore.energy_by_component(frames)
    for pod, frame in frames.items():
        total = frame["facility_kw"].sum() / 1000.0
        assert energy.loc[pod].sum() == pytest.approx(total, rel=ENERGY_BALANCE_RTOL)
    assert energy.loc["immersion-50kW", "server fans"] == 0.0  # no server fans in immersion
    assert energy.loc["air-20kW", "server fans"] > energy.loc["coldplate-40kW", "server fans"] / 2


def test_cooling_mode_hours_add_up_to_the_year(year):
    frames, _ = year
    modes = explore.cooling_mode_hours(frames)
    assert list(modes.columns) == ["free", "partial", "mechanical"]
    assert (modes.sum(axis=1) == 8760).all()
    air = frames["air-20kW"]
    # free: compressors remove at most 5 % of the pod's heat (thermal.simulate.FREE_TOLERANCE)
    assert modes.loc["air-20kW", "free"] == (air["free_fraction"] >= 0.95).sum()


def test_pue_grid_lays_hours_out_by_day_and_hour(year):
    _, site = year
    grid = explore.pue_grid(site)
    assert grid.shape == (365, 24)
    t = pd.Timestamp("2023-07-15 14:00", tz="Asia/Shanghai")
    expected = site.loc[t, "facility_kw"] / site.loc[t, "it_kw"]
    assert grid.loc[t.day_of_year, 14] == pytest.approx(expected)
    assert np.isfinite(grid.to_numpy()).all()


def test_pue_grid_across_daylight_saving_keeps_every_hour_of_day():
    hours = pd.date_range("2023-03-12", periods=48, freq="h", tz="America/New_York")
    frame = pd.DataFrame({"facility_kw": 1.3, "it_kw": 1.0}, index=hours)
    grid = explore.pue_grid(frame)
    assert list(grid.columns) == list(range(24))
    assert np.isnan(grid.loc[hours[0].day_of_year, 2])  # 02:00 does not exist that day
    assert grid.loc[hours[0].day_of_year + 1, 2] == pytest.approx(1.3)


def _schedule(rows):
    return pd.DataFrame(rows, columns=["job_id", "pod", "timestamp", "power_kw"]).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"]).dt.tz_localize("Asia/Shanghai")
    )


def test_gantt_segments_merge_consecutive_hours_of_a_job_on_a_pod():
    schedule = _schedule(
        [
            ("a", "p1", "2023-07-10 00:00", 100),
            ("a", "p1", "2023-07-10 01:00", 100),
            ("a", "p1", "2023-07-10 03:00", 50),  # interrupted: a second run
            ("b", "p2", "2023-07-10 01:00", 80),
            ("b", "p1", "2023-07-10 02:00", 80),  # moved pod
        ]
    )
    seg = explore.gantt_segments(schedule)
    assert len(seg) == 4
    a1 = seg[(seg["job_id"] == "a")].iloc[0]
    assert a1["hours"] == 2 and a1["end"] == pd.Timestamp("2023-07-10 02:00", tz="Asia/Shanghai")
    assert seg.groupby("job_id")["hours"].sum().to_dict() == {"a": 3, "b": 2}
    assert list(seg["pod"]) == sorted(seg["pod"])
    assert explore.gantt_segments(schedule.iloc[:0]).empty


def test_variants_change_only_what_they_say():
    data = example_data("default")
    air = explore.with_cooling(data, "air")
    assert {p["cooling"] for p in air["pods"]} == {"air"}
    assert all("water_class" not in p for p in air["pods"])
    assert data["pods"][1]["cooling"] == "cold_plate"  # the input is not changed
    immersion = scenario_from_dict(explore.with_cooling(data, "immersion"))
    assert immersion.pods[1].water_class == "W32"  # kept for liquid cooling
    dense = explore.with_rack_density(data, 2.0)
    for old, new in zip(data["pods"], dense["pods"], strict=True):
        assert new["rack_kw"] == 2 * old["rack_kw"]
        assert new["racks"] * new["rack_kw"] == pytest.approx(old["racks"] * old["rack_kw"])
    with pytest.raises(ScenarioError):
        explore.with_cooling(data, "oil")
    with pytest.raises(ScenarioError):
        explore.with_rack_density(data, 0)


def test_kpi_table_and_savings_table_keep_missing_values_missing():
    kpis = {
        "pue": 1.2,
        "tue": 1.3,
        "cost_saving_vs_asap": 10.0,
        "cost_saving_vs_asap_pct": 5.0,
        "carbon_saving_vs_asap_t": 0.5,
        "carbon_saving_vs_asap_pct": 1.0,
        "cost_saving_vs_greedy": None,
    }
    table = explore.kpi_table({"a": kpis, "b": {"pue": 1.1}}, keys=("pue", "tue"))
    assert list(table.columns) == ["unit", "a", "b"]
    assert table.loc["pue", "b"] == 1.1 and table.loc["tue", "b"] is None
    savings = explore.savings_table(kpis)
    assert savings.loc["ASAP", "cost_saving_pct"] == 5.0
    assert savings.loc["greedy", "cost_saving"] is None


@pytest.mark.parametrize("with_assets", [False, True])
def test_the_lever_table_adds_up_to_its_total(with_assets):
    """The app's saving by lever: with assets the jobs' levers plus the asset operation
    make the saving (the jobs' levers alone fell 9,861 short on beijing-battery)."""
    from scenarios.explore.runs import lever_table
    from scenarios.kpis import LEVERS

    parts = {"placement": -296.0, "timing": 16_479.0, "peak": 3_141.0, "other": -13_398.0}
    kpis = {f"cost_saving_vs_asap_{k}": v for k, v in parts.items()}
    kpis.update({f"carbon_saving_vs_asap_{k}_t": v / 1e3 for k, v in parts.items()
                 if k != "peak"})
    total = sum(parts.values())
    if with_assets:
        kpis.update(cost_saving_vs_asap_asset_operation=9_861.0,
                    carbon_saving_vs_asap_asset_operation_t=1.5)
        total += 9_861.0
    kpis.update(cost_saving_vs_asap=total, carbon_saving_vs_asap_t=0.0)
    table = lever_table(kpis)
    assert len(LEVERS) + with_assets + 1 == len(table)
    assert table["cost_saving"].iloc[:-1].sum() == pytest.approx(table["cost_saving"]["total"])
    assert ("asset operation" in table.index) == with_assets

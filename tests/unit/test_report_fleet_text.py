"""The fleet report's words and rules without a run: one display rule and unit per fleet
indicator, the plan's quality in a manager's words, savings and losses said plainly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reports import formatting as F
from reports.fleet_data import FleetRun, check_flows, check_kpis, status_text, unique
from reports.fleet_summary import saving_text
from scenarios.kpis import FLEET_KPI_DEFINITIONS, KPI_DEFINITIONS


def _fleet(solver: dict, schedule: str = "milp", kpis: dict | None = None) -> FleetRun:
    return FleetRun(path=Path("f"), label="f", description="", doc={
        "schedule": schedule, "currency": "CNY", "kpis": kpis or {}, "sites": {}},
        manifest={"solver": solver}, schedule=pd.DataFrame(), flows=pd.DataFrame(),
        sites={}, fleet={"solver": {"rel_gap": 0.01}})


def test_every_fleet_kpi_has_its_own_rule_label_and_unit():
    assert set(FLEET_KPI_DEFINITIONS) <= set(F.RULES)
    keys = [*KPI_DEFINITIONS, *(k for k in FLEET_KPI_DEFINITIONS if k not in KPI_DEFINITIONS)]
    labels = [F.label(k) for k in keys]
    assert len(labels) == len(set(labels))  # a label finds one row
    assert F.kpi_unit("moved_data_tb") == "TB"
    assert F.kpi_unit("network_cost", "CNY") == "CNY"
    assert F.kpi_unit("cost_saving_vs_cheapest_site_pct") == "%"
    assert F.kpi_text("moved_jobs", 56) == "56"


@pytest.mark.parametrize(
    ("solver", "schedule", "words"),
    [
        ({"status": "optimal", "gap": 0.004}, "milp", ["proven", "within 0.4 %"]),
        ({"status": "time_limit_feasible", "gap": 0.0413}, "milp",
         ["not proven best", "time limit", "within 4.1 %"]),
        ({"status": "time_limit_feasible", "gap": None}, "milp", ["not known"]),
        ({"status": "rolling_optimal", "gap": None}, "milp",
         ["window by window", "tolerance (1.0 %)"]),
        ({"optimized": False}, "asap", ["Not optimized", "home"]),
    ],
)
def test_the_plan_is_said_in_a_managers_words(solver, schedule, words):
    text = status_text(_fleet(solver, schedule))
    for word in words:
        assert word in text, (word, text)
    assert "time_limit_feasible" not in text and "optimal" not in text.replace("Not opt", "")


def test_a_loss_against_a_baseline_reads_as_more_not_as_a_negative_saving():
    fleet = _fleet({}, kpis={"cost_saving_vs_greedy": -3676.2, "cost_saving_vs_greedy_pct": -4.77,
                             "carbon_saving_vs_greedy_t": 0.23,
                             "carbon_saving_vs_greedy_pct": 0.52})
    assert saving_text(fleet, "greedy") == (
        "3,676 CNY (4.77 %) more cost; 0.23 tCO2 (0.52 %) less CO2")
    assert saving_text(fleet, "asap").startswith("n/a: ")


def test_shape_checks_name_the_first_problem():
    good = {"kpis": {k: 1.0 for k in ("pue", "it_energy_mwh", "facility_energy_mwh",
                                      "carbon_location_t", "total_cost", "water_m3")},
            "sites": {"a": {"pue": 1.1, "it_energy_mwh": 1.0, "facility_energy_mwh": 1.1}}}
    assert check_kpis(good) is None
    assert "kpis.pue" in check_kpis({**good, "kpis": {**good["kpis"], "pue": float("nan")}})
    assert "not a site name" in check_kpis({**good, "sites": {"../a": good["sites"]["a"]}})
    flows = pd.DataFrame({"home": ["a"], "site": ["a"], "jobs": [1], "compute_mwh": [2.0],
                          "data_tb": [0.0], "moved": [False]})
    assert check_flows(flows, ["a"]) is None
    assert "data_tb" in check_flows(flows.assign(data_tb=[-1.0]), ["a"])
    assert "lacks column(s) moved" in check_flows(flows.drop(columns="moved"), ["a"])


def test_assumptions_recorded_twice_are_listed_once():
    assert unique(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]

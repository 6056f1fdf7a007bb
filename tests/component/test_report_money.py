"""The report's capital cost and TCO section adds up to the run's kpis.json (issue 17)."""

import json
from pathlib import Path

import pytest

from reports import build
from reports import data as D

pytestmark = pytest.mark.component


def test_capex_table_adds_up_to_the_runs_capex(default_dir):
    run = D.load_run(default_dir)
    kpis = json.loads((Path(default_dir) / "kpis.json").read_text())
    report = build.build_report([run])
    tables = {t.key: t for t in report.tables()}
    capex = tables["capex"]
    parts = [row[1].value for row in capex.rows[:-1]]
    assert capex.rows[-1][1].value == pytest.approx(round(kpis["kpis"]["capex"]), abs=1)
    assert sum(parts) == pytest.approx(kpis["kpis"]["capex"], abs=len(parts))
    year = {row[0].value: row[1].value for row in tables["tco"].rows}
    items = [v for k, v in year.items() if k not in ("Annualised capex", "TCO per year")]
    assert sum(items) + year["Annualised capex"] == pytest.approx(year["TCO per year"],
                                                                  abs=len(items) + 1)
    money = next(s for s in report.sections if s.title == "Capital cost and TCO")
    note = money.blocks[0].text
    # the calibration source is listed, and the discount rate is not rounded
    refs = next(t for t in report.tables() if t.key == "references")
    assert "White Paper 282" in note
    assert any("White Paper 282" in row[0].text for row in refs.rows)
    rate = kpis["costs"]["discount_rate"]
    assert f"{100 * rate:g} % discount rate" in note


def test_a_run_without_costs_has_no_money_section(default_dir):
    run = D.load_run(default_dir)
    run.doc.pop("costs")
    assert all(s.title != "Capital cost and TCO" for s in build.build_report([run]).sections)

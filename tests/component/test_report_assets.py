"""Reports of a run with a battery, a cold tank and on-site PV (issue 15): the assets'
section, charts and parameters in every format, costs billed on the grid import that add
up to kpis.json, and nothing new for a run without assets."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess

import numpy as np
import openpyxl
import pytest

from reports import assets as A
from reports import build, charts, citations, energy
from reports import data as D
from reports import eed as eed_module
from reports import formatting as F
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx
from scenarios import kpis as K
from scenarios.library import example_data
from tests.component.test_report_content import _poppler, pdf_text
from tests.helpers import write_run_dir
from tests.tolerances import REPORT_SUM_RTOL

SECTION = "Site assets: storage and on-site generation"
#: Titles only a run with assets has (PDF, HTML) and its tables' XLSX sheets.
ASSET_TITLES = (SECTION, "Asset indicators by schedule", "State of charge over time",
                "Where the power comes from and where it goes",
                "Energy balance over the run by schedule",
                "Site assets: the values they were built with")  # fmt: skip
ASSET_SHEETS = ("assets", "energy_balance", "asset_parameters")
ASSETS = {
    "storage": {"battery": {"energy_kwh": 2000, "power_kw": 500, "degradation_cost_per_kwh": 0.02},
                "cold": {"capacity_kwh_th": 1200, "power_kw_th": 300}},
    "onsite": {"pv": {"kwp": 1500}, "export": True, "export_price_share": 0.5},
    # a heat network too: its revenue comes off the total cost
    "heat_reuse": {"demand": "all", "supply_c": 35.0, "price_per_kwh_th": 0.2},
}  # fmt: skip


def _run_dir(tmp_path_factory, name: str, **sections) -> str:
    """The default scenario (Shanghai two-part tariff, demand charge) for three days across
    a month's end (June 29 to July 1), six jobs, with the given sections."""
    data = example_data("default")
    data["horizon"] = {"start": "2023-06-29T00:00:00", "hours": 72}
    data["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 8])
    data.update(sections)
    return write_run_dir(tmp_path_factory, name, data)


@pytest.fixture(scope="module")
def assets_dir(tmp_path_factory):
    return _run_dir(tmp_path_factory, "assets", **ASSETS)


@pytest.fixture(scope="module")
def plain_dir(tmp_path_factory):
    return _run_dir(tmp_path_factory, "plain")


@pytest.fixture(scope="module")
def assets_run(assets_dir):
    return D.load_run(assets_dir)


@pytest.fixture(scope="module")
def assets_report(assets_run):
    return build.build_report([assets_run], eed=True)  # EED fields on request (site in China)


class _Rendered(dict):
    """Each format of one report, rendered when first asked for (the charts once)."""

    def __init__(self, report):
        super().__init__()
        self.report = report

    def __missing__(self, fmt: str) -> bytes:
        render = {"pdf": render_pdf, "html": render_html, "xlsx": render_xlsx}[fmt]
        self[fmt] = render(self.report)
        return self[fmt]


@pytest.fixture(scope="module")
def rendered(assets_report):
    return _Rendered(assets_report)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _html_section(html: str, anchor: str) -> str:
    start = re.search(rf'id="s\d+-{anchor}"', html).start()
    return html[start:html.index("</section>", start)]


def test_the_asset_section_and_its_charts_are_in_the_pdf_and_the_html(rendered, assets_run,
                                                                      tmp_path):
    text = pdf_text(rendered["pdf"], tmp_path)
    flat = _flat(text)
    for title in ASSET_TITLES:
        assert title in flat, title
    assert "Asset flows are modelled, not metered" in flat
    assert "PV output rests on a modelled irradiance, not a measured one" in flat  # synthetic
    assert "measured on the MILP's schedule: not available from this run" in flat  # not optimized
    assert "Cost saving: jobs" in flat and "Cost saving: asset operation" in flat
    # the assets' defaults and sources are said publicly, no internal file or module named
    assert not citations.INTERNAL.findall(flat), citations.INTERNAL.findall(flat)[:5]
    # each chart is an image on the page that carries its title
    path = tmp_path / "r.pdf"
    path.write_bytes(rendered["pdf"])
    pages = text.split("\f")
    for title in ("State of charge over time", "Where the power comes from and where it goes"):
        page = next(i for i, p in enumerate(pages, start=1) if title in _flat(p))
        listing = subprocess.run([_poppler("pdfimages"), "-list", "-f", str(page), "-l", str(page),
                                  str(path)], capture_output=True, text=True, check=True).stdout
        assert len(listing.splitlines()) > 2, (title, listing)  # a header of two lines, then images
    # every asset value of each schedule, with its rounding
    words = set(text.split())
    for values in (assets_run.kpis, *assets_run.doc["baselines"].values()):
        for key in A.present_keys(assets_run):
            assert F.kpi_text(key, values[key]) in words, key
    html = rendered["html"].decode("utf-8")
    section = _html_section(html, "assets")
    for title in ASSET_TITLES[1:5]:
        assert title in section, title
    assert section.count('src="data:image/png;base64,') == 2
    assert "sum over hours of grid intensity x grid import (purchased electricity)" in html


def test_the_xlsx_holds_the_asset_tables_and_the_new_hourly_columns(rendered, assets_run):
    wb = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"]))
    for name in ASSET_SHEETS:
        assert name in wb.sheetnames, name
    rows = list(wb["assets"].iter_rows(values_only=True))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    keys = A.present_keys(assets_run)
    assert {"battery_throughput_mwh", "cold_storage_shifted_mwh_th", "export_revenue"} <= set(keys)
    assert "Grid import [MWh]" in header and "Cold shifted [MWh_th]" in header
    schedules = {"ASAP (this run)": assets_run.kpis, **{
        "ASAP" if n == "asap" else n: v for n, v in assets_run.doc["baselines"].items()}}
    assert set(body) == set(schedules)
    table_keys = list(keys)
    table_keys.insert(table_keys.index("peak_grid_import_kw") + 1, "peak_facility_kw")
    for name, values in schedules.items():
        assert list(body[name][1:]) == [F.kpi_number(k, values[k]) for k in table_keys], name
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Site assets"].startswith("battery 2,000 kWh / 500 kW; chilled-water tank")
    assert "PV 1,500 kWp" in summary["Site assets"] and "modelled irradiance" in summary["Site assets"]
    headline = {r[0]: r[1] for r in wb["headline"].iter_rows(min_row=2, values_only=True)}
    assert headline["Grid import"] == F.kpi_number("grid_energy_mwh", assets_run.kpis["grid_energy_mwh"])
    assert headline["Peak grid import"] == F.kpi_number(
        "peak_grid_import_kw", assets_run.kpis["peak_grid_import_kw"])
    eed = {r[1]: r[2] for r in wb["eu_eed"].iter_rows(min_row=2, values_only=True)}
    k = assets_run.kpis
    used = 1000 * (k["onsite_generation_mwh"] - k["export_mwh"] - k["curtailed_mwh"])
    assert eed["Renewable energy from guarantees of origin / PPAs / on-site"] == round(used)
    hourly = wb["hourly"]
    head = [c.value for c in hourly[1]]
    for col in ("grid_kw [kW]", "pv_kw [kW]", "export_kw [kW]", "battery_kw [kW]",
                "battery_soc_kwh [kWh]", "cold_soc_kwh_th [kWh_th]", "greedy.grid_kw [kW]",
                "greedy.battery_soc_kwh [kWh]"):
        assert col in head, col
    i = head.index("battery_soc_kwh [kWh]")
    values = [r[i] for r in hourly.iter_rows(min_row=2, values_only=True)]
    assert values == pytest.approx(assets_run.hourly["battery_soc_kwh"].tolist(), rel=1e-12)
    params = {(r[0], r[1]): r[2:] for r in wb["asset_parameters"].iter_rows(min_row=2, values_only=True)}
    assert params[("Battery", "energy_kwh")] == (2000, "kWh", "scenario")
    assert params[("Battery", "round_trip_efficiency")] == (0.85, "-", "default")
    assert params[("Battery", "degradation_cost_per_kwh")] == (0.02, "CNY/kWh", "scenario")
    assert params[("Cold storage", "capacity_kwh_th")] == (1200, "kWh_th", "scenario")
    assert params[("On-site generation", "export_price_share")] == (0.5, "-", "scenario")
    assert params[("On-site generation", "pv_mwh")][2] == "the run"


def test_costs_by_period_bill_the_grid_import_and_add_up_to_the_kpis(assets_run, monkeypatch):
    run, k = assets_run, assets_run.kpis
    facility = D.site(run, "facility_kw")
    price = run.hourly["price_per_kwh"]
    # the case tells import from facility apart: billed on facility power, both differ
    assert not math.isclose(float((facility * price).sum()), k["energy_cost"], rel_tol=1e-3)
    rate = D.demand_charge_per_kw_month(run)
    on_facility = K.monthly_demand(facility, rate, run.tz, D.billing(run))["demand_cost"].sum()
    # (0.05 % apart since the rule charges under the month's peak: far above the 1e-9
    # the sums below are checked to)
    assert not math.isclose(on_facility, k["demand_cost"], rel_tol=1e-5)
    assert k["battery_wear_cost"] > 0 and k["export_revenue"] > 0 and k["heat_revenue"] > 0
    for min_hours, kind in ((D.MONTHLY_MIN_H, "day"), (24, "month")):
        monkeypatch.setattr(D, "MONTHLY_MIN_H", min_hours)  # a month table of 3 days
        periods = D.period_table(run)
        assert periods.index.name == kind
        for col, key in (("grid_mwh", "grid_energy_mwh"), ("facility_mwh", "facility_energy_mwh"),
                         ("energy_cost", "energy_cost"), ("carbon_location_t", "carbon_location_t"),
                         ("carbon_market_t", "carbon_market_t"), ("wear_cost", "battery_wear_cost"),
                         ("export_revenue", "export_revenue"), ("heat_revenue", "heat_revenue")):
            assert periods[col].sum() == pytest.approx(k[key], rel=REPORT_SUM_RTOL), (kind, col)
    assert list(periods.index) == ["2023-06", "2023-07"]
    assert periods["demand_cost"].sum() == pytest.approx(k["demand_cost"], rel=REPORT_SUM_RTOL)
    assert periods["total_cost"].sum() == pytest.approx(k["total_cost"], rel=REPORT_SUM_RTOL)
    cols, _rows, note = energy.period_rows(run)
    assert "Grid import [MWh]" in [c.header for c in cols]
    assert "peak grid import kW" in note and "battery's wear" in note and "heat network" in note


def test_the_energy_balance_and_the_supply_chart_close_every_hour(assets_run):
    run = assets_run
    # not optimized: the run's own columns are ASAP's, the baseline's are greedy's
    assert "asap.grid_kw" not in run.hourly
    for schedule in ("", "greedy"):
        balance = A.balance_frame(run, schedule)
        assert balance["Supply, total"] == pytest.approx(balance["Uses, total"], rel=1e-9), schedule
        assert balance["Battery discharge"] > 0 and balance["PV"] > 0
    supply, uses = charts.supply_frames(run)
    assert list(supply.columns) == ["Grid import", "PV", "Battery discharge"]
    assert list(uses.columns) == ["Battery charging", "Export", "Curtailed"]
    facility = D.site(run, "facility_kw")
    np.testing.assert_allclose(supply.sum(axis=1), facility + uses.sum(axis=1),
                               rtol=1e-9, atol=1e-9)
    figure = charts.state_of_charge(run)
    axes = [ax for ax in figure.axes if ax.get_ylabel()]
    assert [ax.get_ylabel() for ax in axes] == ["battery [kWh]", "cold tank [kWh_th]"]
    for ax, column in zip(axes, ("battery_soc_kwh", "cold_soc_kwh_th"), strict=True):
        line = next(li for li in ax.get_lines() if li.get_label() == "ASAP (this run)")
        np.testing.assert_array_equal(line.get_ydata(), run.hourly[column].to_numpy())


def test_without_assets_the_report_shows_nothing_new(plain_dir, tmp_path):
    run = D.load_run(plain_dir)
    assert not D.has_assets(run)
    report = build.build_report([run], eed=True)
    assert "assets" not in [s.anchor for s in report.sections]
    text = _flat(pdf_text(render_pdf(report), tmp_path))
    html = render_html(report).decode("utf-8")
    for title in (*ASSET_TITLES, "Asset flows are modelled, not metered",
                  "grid import (purchased electricity)"):
        assert title not in text and title not in html, title
    assert "sum over hours of grid intensity x facility energy" in text
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert not set(ASSET_SHEETS) & set(wb.sheetnames)
    assert "Grid import [MWh]" not in [c.value for c in wb["by_day"][1]]
    assert "Grid import" not in [r[0] for r in wb["headline"].iter_rows(values_only=True)]
    assert "Site assets" not in [r[0] for r in wb["summary"].iter_rows(values_only=True)]
    eed = {r[1]: r[2] for r in wb["eu_eed"].iter_rows(min_row=2, values_only=True)}
    assert eed["Renewable energy from guarantees of origin / PPAs / on-site"] == eed_module.NOT_AVAILABLE
    assert not any(str(c.value).startswith("grid_kw") for c in wb["hourly"][1])


def test_the_manifest_asset_values_are_shown_as_written_and_user_text_stays_text(assets_dir,
                                                                               tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(assets_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    formula = '=HYPERLINK("http://example.com","x")'
    manifest["assets"]["cold_storage"]["pods"] = [formula, "<script>alert(1)</script>"]
    manifest["assets"]["battery"]["note"] = "@SUM(A1)"
    manifest["assets"]["battery"]["huge"] = 10**30
    manifest["assets"]["battery"]["initial_soc"] = float("nan")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    report = build.build_report([D.load_run(copy)])
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    cells = {(r[0].value, r[1].value): r[2] for r in wb["asset_parameters"].iter_rows(min_row=2)}
    pods = cells[("Cold storage", "pods")]
    assert pods.data_type == "s" and pods.value == f"{formula}, <script>alert(1)</script>"
    assert pods.quotePrefix
    note = cells[("Battery", "note")]
    assert note.data_type == "s" and note.value == "@SUM(A1)" and note.quotePrefix
    assert cells[("Battery", "huge")].value == str(10**30)  # no number a spreadsheet holds
    assert cells[("Battery", "initial_soc")].value == F.MISSING
    assert cells[("Battery", "energy_kwh")].value == 2000  # numbers stay numbers
    html = render_html(report).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"=HYPERLINK\(&quot;http://example\.com&quot;", html)

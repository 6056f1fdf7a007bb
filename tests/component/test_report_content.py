"""Reports of real run directories: the numbers of kpis.json in every format with the same
rounding, sums that add up, self-contained HTML, PDF text and images, Chinese text."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html import escape

import openpyxl
import pytest

import reports
from reports import build, data, eed, energy, fonts, summary
from reports import document as doc
from reports import formatting as F
from reports.render_pdf import render_pdf
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import write_run
from tests.helpers import write_run_dir
from tests.tolerances import REPORT_SUM_RTOL

TARIFF_RULE = "沪发改价管〔2022〕50号"  # in the Shanghai tariff's source text


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} not found: apt-get install poppler-utils (the report tests read PDFs with it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([_poppler("pdftotext"), "-layout", str(path), "-"],
                         capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture(scope="module")
def market_dir(tmp_path_factory):
    """Urumqi, two months (monthly tables), contracted renewables, residual mix, heat reuse."""
    d = example_data("urumqi")
    d["horizon"] = {"start": "2023-05-01T00:00:00", "hours": 1464}
    d["grid"]["market"] = {"renewable_share": 0.4, "residual_mix_g_per_kwh": 700.0}
    d["heat_reuse"] = {"liquid_share": 0.5, "note": "district heating"}
    d["workload"]["generator"]["count"] = 10
    return write_run_dir(tmp_path_factory, "urumqi-market", d)


@pytest.fixture(scope="module")
def single(default_dir):
    return {fmt: reports.render_report(default_dir, fmt) for fmt in reports.FORMATS}


@pytest.fixture(scope="module")
def default_run(default_dir):
    return data.load_run(default_dir)


@pytest.fixture(scope="module")
def market_run(market_dir):
    return data.load_run(market_dir)


def _all_kpis(run: data.Run):
    """(where, key, value) of every indicator in kpis.json: the run, baselines, halls."""
    yield from (("kpis", k, v) for k, v in run.kpis.items())
    for name, values in run.doc["baselines"].items():
        yield from ((name, k, v) for k, v in values.items())
    for pod, values in run.doc["pods"].items():
        yield from ((pod, k, v) for k, v in values.items())


def test_every_kpi_of_kpis_json_is_in_the_pdf_text_with_its_rounding(single, default_run, tmp_path):
    text = pdf_text(single["pdf"], tmp_path)
    lines = text.splitlines()
    flat = re.sub(r"\s+", " ", text)
    for key, value in default_run.kpis.items():
        if value is None:  # named under its reason below the table (the row is in HTML, XLSX)
            start = flat.index(summary.missing_reason(default_run, key)[1:] + ":")
            assert F.label(key) in flat[start:].split("•")[0], key
            continue
        shown = F.kpi_text(key, value)
        if F.rule(key).kind == "text":  # wraps inside its cell: its first word on the row
            shown = shown.split()[0]
        pattern = re.compile(rf"^\s*{re.escape(F.label(key))}\s+{re.escape(shown)}(\s|$)")
        assert any(pattern.search(line) for line in lines), (key, shown)
    words = set(re.findall(r"[^\s]+", text))
    for where, key, value in _all_kpis(default_run):
        if F.rule(key).kind != "text":
            assert F.kpi_text(key, value) in words, (where, key, F.kpi_text(key, value))


def test_every_kpi_of_kpis_json_is_a_number_in_the_xlsx_with_the_same_rounding(single, default_run):
    wb = openpyxl.load_workbook(io.BytesIO(single["xlsx"]))
    ws = wb["kpis"]
    header = [c.value for c in ws[1]]
    key_col, value_col = header.index("kpis.json key"), header.index("Value")
    rows = {r[key_col]: r[value_col] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(default_run.kpis)
    for key, value in default_run.kpis.items():
        expected = F.kpi_number(key, value)
        assert rows[key] == expected, (key, rows[key], expected)
        if isinstance(expected, float):
            assert isinstance(rows[key], (int, float)) and not isinstance(rows[key], bool)
    # baselines and halls: the schedule comparison and the hall table hold the same numbers
    schedules = list(wb["schedules"].iter_rows(values_only=True))
    greedy_col = schedules[0].index("greedy")
    by_label = {r[0]: r[greedy_col] for r in schedules[1:]}
    for key, value in default_run.doc["baselines"]["greedy"].items():
        assert by_label[F.label(key)] == F.kpi_number(key, value), key
    halls = list(wb["halls"].iter_rows(values_only=True))
    for pod, values in default_run.doc["pods"].items():
        col = halls[0].index(pod)
        got = {r[0]: r[col] for r in halls[1:]}
        for key, value in values.items():
            assert got[F.label(key)] == F.kpi_number(key, value), (pod, key)


def test_xlsx_numbers_are_numeric_cells_with_units_in_the_headers(single, default_run):
    wb = openpyxl.load_workbook(io.BytesIO(single["xlsx"]))
    hourly = wb["hourly"]
    header = [c.value for c in hourly[1]]
    assert "site.facility_kw [kW]" in header and "carbon_g_per_kwh [g/kWh]" in header
    assert "price_per_kwh [CNY/kWh]" in header and "site.water_l [L]" in header
    assert hourly.max_row == default_run.hours + 1
    col = header.index("site.facility_kw [kW]")
    values = [r[col] for r in hourly.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, float) for v in values)
    assert sum(values) / 1000 == pytest.approx(default_run.kpis["facility_energy_mwh"], rel=REPORT_SUM_RTOL)
    assert "eu_eed" not in wb.sheetnames  # a site in China: no EU EED fields unless asked for
    for name in ("energy", "by_day", "halls", "targets"):
        for row in wb[name].iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):  # text only where no number is meant
                    assert not re.fullmatch(r"-?[\d,]+(\.\d+)?", cell.value), (name, cell.value)
    assert "Contents" == wb.sheetnames[0]


def test_html_is_self_contained_and_keeps_the_chinese_text(single, default_run):
    html = single["html"].decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert html.count('src="data:image/png;base64,') >= 5
    assert TARIFF_RULE in html
    for key, value in default_run.kpis.items():
        assert f">{escape(F.kpi_text(key, value))}<" in html, key


def test_pdf_renders_to_images_and_keeps_the_chinese_text(single, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(single["pdf"])
    out = subprocess.run([_poppler("pdftoppm"), "-r", "30", "-png", str(path), str(tmp_path / "p")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    pages = sorted(tmp_path.glob("p-*.png"))
    info = subprocess.run([_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True)
    assert len(pages) == int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1)) >= 8
    assert all(p.stat().st_size > 2000 for p in pages)  # not blank
    assert TARIFF_RULE in pdf_text(single["pdf"], tmp_path)


def test_without_a_cjk_font_the_pdf_keeps_the_ascii_parts_and_says_where_the_full_text_is(
    default_run, monkeypatch, tmp_path
):
    monkeypatch.setattr(fonts, "cjk_codepoints", lambda: frozenset())
    full = build.build_report([default_run])
    provenance = [s for s in full.sections if s.anchor == "provenance"]  # holds the tariff rule
    report = doc.Report(full.title, full.subtitle, provenance, versions=full.versions)
    text = pdf_text(render_pdf(report), tmp_path)
    assert TARIFF_RULE not in text and "沪" not in text
    assert f"{fonts.MISSING_GLYPHS}(2022)50{fonts.MISSING_GLYPHS}" in text
    assert "full text is in the HTML" in re.sub(r"\s+", " ", text)


def test_period_tables_add_up_to_the_run_kpis(default_run, market_run):
    assert data.period_kind(default_run) == "day" and data.period_kind(market_run) == "month"
    for run in (default_run, market_run):
        periods = data.period_table(run)
        k = run.kpis
        assert periods["hours"].sum() == run.hours
        for col, key in (("facility_mwh", "facility_energy_mwh"), ("it_mwh", "it_energy_mwh"),
                         ("carbon_location_t", "carbon_location_t"),
                         ("carbon_market_t", "carbon_market_t"), ("energy_cost", "energy_cost")):
            assert periods[col].sum() == pytest.approx(k[key], rel=REPORT_SUM_RTOL), (run.label, col)
    monthly = data.period_table(market_run)
    assert list(monthly.index) == ["2023-05", "2023-06"]
    assert monthly["demand_cost"].sum() == pytest.approx(market_run.kpis["demand_cost"], rel=REPORT_SUM_RTOL)
    assert data.period_table(default_run)["demand_cost"].isna().all()  # not split by day
    titles = [b.title for b in energy.energy_section(market_run).blocks if isinstance(b, doc.Table)]
    assert "PUE, Scope 2 carbon and cost by month" in titles


def test_component_energy_adds_up_to_the_facility_energy(default_run, market_run):
    for run in (default_run, market_run):
        energy = data.component_energy_mwh(run)
        assert energy.sum() == pytest.approx(run.kpis["facility_energy_mwh"], rel=REPORT_SUM_RTOL)
        assert energy["Compute"] + energy["Server fans"] == pytest.approx(
            run.kpis["it_energy_mwh"], rel=REPORT_SUM_RTOL)


def test_eed_fields_follow_the_scenario(default_run, market_run):
    rows = {f: (v, h) for _, f, v, _, h in eed.eed_rows(market_run)}
    k = market_run.kpis
    assert rows["Total energy consumption (E_DC)"][0].value == F.value_number(k["facility_energy_mwh"] * 1000, 0)
    assert rows["Installed IT power demand"][0].value == 1700
    reused = rows["Waste heat reused"][0].value
    assert reused == pytest.approx(k["erf"] * k["facility_energy_mwh"] * 1000, abs=0.5) and reused > 0
    assert rows["Total renewable energy consumption"][0].value == pytest.approx(
        0.4 * k["facility_energy_mwh"] * 1000, abs=0.5)
    assert rows["Potable water input"][0].text == eed.NOT_AVAILABLE
    default_rows = {f: v for _, f, v, _, _ in eed.eed_rows(default_run)}
    assert default_rows["Waste heat reused"].text == eed.NOT_AVAILABLE  # no [heat_reuse]
    assert "W32, supply <= 32 °C" in eed.set_points(default_run)


def test_several_runs_get_a_comparison_table_in_every_format(default_dir, short_market_dir, tmp_path):
    paths = reports.write_reports([default_dir, short_market_dir], "pdf,xlsx", tmp_path / "both")
    assert [p.name for p in paths] == ["report.pdf", "report.xlsx"]
    runs = data.load_runs([default_dir, short_market_dir])
    wb = openpyxl.load_workbook(paths[1])
    compare = list(wb["compare"].iter_rows(values_only=True))
    assert compare[0][2:] == tuple(r.label for r in runs)
    by_label = {r[0]: r[2:] for r in compare[1:]}
    for key in ("pue", "tue", "carbon_market_t", "total_cost"):
        assert by_label[F.label(key)] == tuple(F.kpi_number(key, r.kpis[key]) for r in runs)
    assert {"R1 hourly", "R2 hourly", "compare_halls", "definitions"} <= set(wb.sheetnames)
    assert "R1 kpis" not in wb.sheetnames  # every indicator is in the comparison, once
    assert by_label[F.label("cfe_score")] == (None, None)  # a row of the full set, both n/a
    text = pdf_text(paths[0].read_bytes(), tmp_path)
    assert "Comparison of 2 runs" in text and "Runs compared" in text
    pue_line = next(line for line in text.splitlines() if re.match(r"\s*PUE\s", line))
    assert all(F.kpi_text("pue", r.kpis["pue"]) in pue_line for r in runs)
    # Scope 2 of each run: the residual mix given vs the grid average labelled an assumption
    flat = re.sub(r"\s+", " ", text)
    assert "700 g/kWh (given in the scenario)" in flat and "cover 40.0 % of consumption" in flat
    assert "not given: the hourly grid" in flat  # the residual mix, labelled an assumption
    assert "Scope 2 emissions: urumqi" in flat and "by day (the run is shorter" in flat


def test_hourly_units_come_from_the_column_names():
    assert build.column_unit("site.it_kw", "CNY") == "kW"
    assert build.column_unit("price_per_kwh", "CNY") == "CNY/kWh"
    assert build.column_unit("carbon_g_per_kwh", "CNY") == "g/kWh"
    assert build.column_unit("air-20kW.inlet_c", "EUR") == "°C"
    assert build.column_unit("site.mode", "EUR") == ""


def test_the_first_page_says_when_the_climate_is_synthetic(single, default_run):
    from reports.summary import climate_text

    # the default scenario runs on Shanghai's synthetic year
    assert climate_text(default_run).startswith("SYNTHETIC weather")
    html = single["html"].decode("utf-8")
    summary = html[html.index('-summary">'):]  # the first section (anchor s1-summary)
    summary = summary[: summary.index("</section>")]
    assert "SYNTHETIC weather" in summary


def test_an_idle_hall_is_reported_as_carrying_no_load(tmp_path_factory):
    d = example_data("default")
    d["name"] = "idle-hall"
    d["horizon"]["hours"] = 24
    d["workload"] = {}
    d["pods"][0]["inference"] = {"utilisation": 0.0}
    run_dir = write_run_dir(tmp_path_factory, "idle-hall", d)
    run = data.load_run(run_dir)
    assert run.doc["pods"][d["pods"][0]["name"]]["pue"] is None
    html = reports.render_report(run_dir, "html").decode("utf-8")
    assert "carried no IT load" in html and "no load" in html
    for fmt in ("pdf", "xlsx"):
        assert reports.render_report(run_dir, fmt)


def test_a_run_with_no_it_load_at_all_is_refused_before_running():
    from scenarios.errors import ScenarioError
    from scenarios.loading import scenario_from_dict
    from scenarios.run import preflight

    d = example_data("default")
    d["workload"] = {}
    for pod in d["pods"]:
        pod["inference"] = {"utilisation": 0.0}
    with pytest.raises(ScenarioError, match="no IT load"):
        preflight(scenario_from_dict(d))


def test_the_users_own_words_reach_the_report_as_written(tmp_path):
    """A description naming a docs/ folder, a US factor source and a sheet file: quoted as
    written (the citation passes rewrote them), and no publication added for it."""
    d = example_data("default")
    d["horizon"]["hours"] = 24
    d["workload"]["generator"].update(count=2, slack_h=[4, 8], duration_h=[2, 4])
    words = "Planned in docs/q3 with eGRID2022 factors (physics.md)"
    d["description"] = words
    out = tmp_path / "docs" / "q3"
    write_run(run_scenario(scenario_from_dict(d), optimize=False), out)
    report = build.build_report(data.load_runs([out]))
    texts = list(reports.citations.texts(report))
    assert any(words in t for t in texts)
    assert not any("the coolshift documentation" in t for t in texts)
    refs = report.sections[-1]
    assert refs.title == "References"
    cited = [row[0].text for row in refs.blocks[0].rows]
    assert cited and not any("eGRID" in c for c in cited)  # the run cites others, not eGRID


@pytest.mark.parametrize(("name", "cites"), [
    ("greensboro", "EIA Electric Power Annual 2023"),  # only in its price note
    ("hub-chengdu", "MEE / NBS grid emission factors"),
])
def test_a_built_in_scenarios_own_notes_are_cited_and_said_publicly(tmp_path, name, cites):
    """The examples' notes are coolshift's sources, not user text: a guard that took every
    string of the scenario as the user's dropped their references and let an internal
    file name through."""
    d = example_data(name)
    d["horizon"]["hours"] = 24
    d["workload"]["generator"].update(count=2, slack_h=[4, 8], duration_h=[2, 4])
    out = tmp_path / name
    write_run(run_scenario(scenario_from_dict(d), optimize=False), out)
    report = build.build_report(data.load_runs([out]))
    texts = list(reports.citations.texts(report))
    refs = report.sections[-1]
    assert cites in [row[0].text for row in refs.blocks[0].rows]
    leaks = [t for t in texts if reports.citations.INTERNAL.search(t)]
    assert leaks == []

"""Reports an auditor and a manager can read (issue 17, item 5): the climate on the first
page, targets only where they apply, "modelled, not metered" before every regulatory table,
sources as publications, shared tables once, no near-blank pages, the plan in words.

Runs: the built-in default (Shanghai, China) and the three-day Urumqi run shared by the
report tests (tests/component/conftest.py), and one extra short run at a US site
(Greensboro, two days, six jobs, a small MILP)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape

import openpyxl
import pytest

import reports
from reports import build, citations, data, rules
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx
from scenarios.library import example_data
from tests.component.conftest import write_run_dir
from tests.component.test_report_content import _poppler

#: A page with less text than this is near-blank unless it carries a chart [characters,
#: whitespace runs counted once, footer included]. A full text page of these reports holds
#: 3,000-7,000 characters and the sparsest chart page about 1,000; 500 is under a sixth of
#: a full page: a heading and about five lines of body text, plus the page footer.
NEAR_BLANK_CHARS = 500
#: Four runs rendered as one report before shared tables were said once: 68 pages for four
#: 1-2 week runs (16-17 each). The bound below is what one more run may add to the report.
PAGES_PER_EXTRA_RUN = 8
#: Titles of the regulatory tables (PUE targets, Scope 2, EED) and of their sections.
REGULATORY = {
    "PUE target check": "PUE against targets",
    "Scope 2 emissions": "Scope 2 emissions, location-based and market-based",
    "EU Energy Efficiency Directive reporting fields": "EU data-centre reporting scheme",
}
MODELLED = "Modelled, not metered"


@pytest.fixture(scope="module")
def us_dir(tmp_path_factory):
    """Greensboro NC (US), two days, six jobs, scheduled by a small MILP."""
    d = example_data("greensboro")
    d["horizon"]["hours"] = 48
    d["workload"]["generator"].update(count=6, slack_h=[6, 24], duration_h=[2, 8])
    d["solver"] = {"time_limit_s": 5}
    return write_run_dir(tmp_path_factory, "greensboro", d, optimize=True)


@pytest.fixture(scope="module")
def us_run(us_dir):
    return data.load_run(us_dir)


@pytest.fixture(scope="module")
def us_report(us_run):
    return build.build_report([us_run])


@pytest.fixture(scope="module")
def us_pdf(us_report):
    return render_pdf(us_report)


@pytest.fixture(scope="module")
def cn_report(default_dir):
    return build.build_report(data.load_runs([default_dir]))


@pytest.fixture(scope="module")
def cn_pdf(cn_report):
    return render_pdf(cn_report)


@pytest.fixture(scope="module")
def four_dirs(default_dir, short_market_dir, us_dir, tmp_path_factory):
    """Four runs: default, a copy of it under another folder name, Urumqi, Greensboro."""
    copy = tmp_path_factory.mktemp("copy") / "default-copy"
    shutil.copytree(default_dir, copy)
    return [default_dir, str(copy), short_market_dir, us_dir]


@pytest.fixture(scope="module")
def four_report(four_dirs):
    return build.build_report(data.load_runs(four_dirs))


@pytest.fixture(scope="module")
def four_pdf(four_report):
    return render_pdf(four_report)


def _pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page (pdftotext, whitespace runs as one space)."""
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([_poppler("pdftotext"), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [re.sub(r"\s+", " ", page) for page in text.split("\f")[:-1]]


def _chart_pages(pdf: bytes, tmp_path) -> set[int]:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([_poppler("pdfimages"), "-list", str(path)], capture_output=True,
                         text=True, check=True).stdout
    return {int(line.split()[0]) for line in out.splitlines()[2:] if line.strip()}


def _html_text(report) -> str:
    html = render_html(report).decode("utf-8")
    html = re.sub(r"<img[^>]*>", " ", re.sub(r"<style>.*?</style>", " ", html, flags=re.S))
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _section_titles(report) -> list[str]:
    return [s.title for s in report.sections]


def _tables(report) -> dict[str, object]:
    return {t.key: t for t in report.tables()}


def test_a_us_site_gets_no_china_target_and_no_eed_fields_by_default(us_run, us_report):
    assert not rules.site_jurisdiction(us_run.scenario).china
    titles = _section_titles(us_report)
    assert "PUE target check" not in titles  # no target applies: no section
    assert not any("Energy Efficiency Directive" in t for t in titles)
    assert {"targets", "eu_eed"}.isdisjoint(_tables(us_report))
    text = _html_text(us_report)
    assert "China: national hub nodes" not in text and "1.25 (China" not in text
    assert "none applies: the scenario sets none, and China's targets cover sites in China" in text
    # kpis.json still lists the China references; the report applies none of them
    assert any(r["label"].startswith("China:") for r in us_run.doc["targets"]["references"])
    assert "industry average (Uptime Institute 2023-2024 surveys), 1.58 (annual; context" in text


def test_a_chinese_site_gets_the_china_targets_and_still_no_eed_fields(cn_report):
    titles = _section_titles(cn_report)
    assert "PUE target check" in titles
    assert not any("Energy Efficiency Directive" in t for t in titles)
    rows = [r[0].text for r in _tables(cn_report)["targets"].rows]
    assert "China: national hub nodes; Yangtze River Delta clusters" in rows
    assert any(r.endswith("(context, not a target)") for r in rows)  # the industry average
    text = _html_text(cn_report)
    assert "They apply here because the site is in China (time zone Asia/Shanghai)" in text


def test_the_eed_fields_appear_on_request(us_dir, us_run, tmp_path):
    report = build.build_report([us_run], eed=True)
    assert "eu_eed" in _tables(report)
    text = _html_text(report)
    assert "The fields are shown on request (the site is outside China and the EU" in text
    # the public entry points pass the request on
    html = reports.render_report(us_dir, "html", eed=True).decode("utf-8")
    assert "EU Energy Efficiency Directive reporting fields" in html
    assert "EU Energy Efficiency Directive" not in reports.render_report(us_dir, "html").decode()
    paths = reports.write_reports(us_dir, "xlsx", tmp_path / "eed", eed=True)
    assert "eu_eed" in openpyxl.load_workbook(paths[0]).sheetnames
    # and the command line asks for them with --eed
    from cli.main import main

    assert main(["report", str(us_dir), "--format", "xlsx", "--out", str(tmp_path / "cli.xlsx"),
                 "--eed"]) == 0
    assert "eu_eed" in openpyxl.load_workbook(tmp_path / "cli.xlsx").sheetnames


def test_the_first_page_states_the_climate_and_that_the_figures_are_modelled(
        us_pdf, cn_pdf, tmp_path):
    us_first = _pages(us_pdf, tmp_path)[0]
    assert "REAL typical-year weather" in us_first and "TMY3 723170" in us_first
    cn_first = _pages(cn_pdf, tmp_path)[0]
    assert "SYNTHETIC weather, not a measured year" in cn_first
    assert "monthly climate normals of Shanghai (CSWD-derived, WMO station 58362)" in cn_first
    for first in (us_first, cn_first):
        assert MODELLED in first
        assert first.index("Climate:") < first.index("At a glance")  # before any number


def test_modelled_not_metered_is_said_before_every_regulatory_table(cn_report, cn_pdf, us_run,
                                                                   tmp_path):
    with_eed = build.build_report([us_run], eed=True)
    for report, pdf in ((cn_report, cn_pdf), (with_eed, render_pdf(with_eed))):
        text = " ".join(_pages(pdf, tmp_path))
        html = _html_text(report)
        seen = 0
        for section, table in REGULATORY.items():
            for flat in (text, html):
                if table not in flat:
                    continue
                seen += 1
                # the section's own heading: its last mention before the table (the HTML
                # navigation and the PDF contents name it earlier, before page 1's note)
                end = flat.index(table)
                start = flat.rindex(section, 0, end)
                assert MODELLED in flat[start:end], (section, table)
        assert seen >= 4  # targets and Scope 2 (China), Scope 2 and EED (US), PDF and HTML


def test_no_internal_file_names_in_any_rendered_text(cn_report, cn_pdf, four_report, four_pdf,
                                                     tmp_path):
    for report, rendered in ((cn_report, cn_pdf), (four_report, four_pdf)):
        html = _html_text(report)
        pdf = " ".join(_pages(rendered, tmp_path))
        wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)), read_only=True)
        cells = " ".join(str(c) for name in wb.sheetnames if "hourly" not in name
                         and "schedule" not in name for row in wb[name].iter_rows(values_only=True)
                         for c in row if isinstance(c, str))
        for where, text in (("html", html), ("pdf", pdf), ("pdf joined", pdf.replace(" ", "")),
                            ("xlsx", cells)):
            found = citations.INTERNAL.findall(text)
            assert not found, (where, found[:5])
        # the sources are publications, listed once at the end
        assert "Publications cited in this report" in html
        assert "Lei, N. and Masanet, E. (2020). Statistical analysis for predicting" in html
        assert "沪发改价管〔2022〕50号" in html and "https://fgw.sh.gov.cn/" in html


def test_the_four_run_report_says_each_shared_table_once(four_report, four_pdf, tmp_path):
    keys = [t.key for t in four_report.tables()]
    for shared in ("physics", "versions", "definitions", "references", "compare_halls"):
        assert keys.count(shared) == 1, shared
    assert not [k for k in keys if re.fullmatch(r"R\d (kpis|physics|versions|halls)", k)]
    titles = _section_titles(four_report)
    assert titles[0] == "Comparison of 4 runs"
    assert titles[-3:] == ["Methodology", "Definitions", "References"]
    assert sum(t.startswith("Executive summary") for t in titles) == 4
    text = " ".join(_pages(four_pdf, tmp_path))
    for title in ("Physics parameters with their sources", "Software versions",
                  "Indicators: definitions and standards", "Publications cited in this report"):
        assert text.count(title) == 1, title


def test_the_four_run_pdf_is_far_shorter_than_four_reports(cn_pdf, four_pdf, tmp_path):
    pages = len(_pages(four_pdf, tmp_path))
    single = len(_pages(cn_pdf, tmp_path))  # the first of the four runs alone
    assert pages <= single + 3 * PAGES_PER_EXTRA_RUN, (pages, single)
    assert pages < 0.7 * 4 * single, (pages, single)


def test_no_page_is_near_blank_unless_it_carries_a_chart(us_pdf, cn_pdf, four_pdf, tmp_path):
    for pdf in (us_pdf, cn_pdf, four_pdf):
        charts = _chart_pages(pdf, tmp_path)
        pages = _pages(pdf, tmp_path)
        short = [(i, len(p), p[:60]) for i, p in enumerate(pages, start=1)
                 if len(p) < NEAR_BLANK_CHARS and i not in charts]
        assert not short, short


def test_the_summary_speaks_of_the_plan_in_words_and_the_methodology_in_numbers(us_run,
                                                                                 us_report):
    solver = us_run.manifest["solver"]
    assert solver["optimized"] and solver["gap"] is not None
    summary = dict((r[0].text, r[1].text) for r in _tables(us_report)["summary"].rows)
    plan = summary["Schedule"]
    assert "best possible" in plan and "%" in plan
    for word in ("status", "gap", "bound", solver["status"], "HiGHS", "MILP"):
        assert word not in plan, word
    technical = dict((r[0].text, r[1].text) for r in _tables(us_report)["solver"].rows)
    assert technical["Solver status"] == solver["status"]
    assert "relative gap" in technical["Schedule"] and "bound" in technical["Schedule"]
    assert [s.anchor for s in us_report.sections].index("provenance") > 0

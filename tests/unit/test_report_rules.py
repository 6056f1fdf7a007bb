"""Report building blocks without a run: one display rule per indicator, fonts for
Chinese text, output paths and formats, import direction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cli import report as cmd_report
from reports import eed, fonts, output
from reports import formatting as F
from reports.render_pdf import png_size
from scenarios.errors import ScenarioError
from scenarios.kpis import KPI_DEFINITIONS

REPO = Path(__file__).resolve().parents[2]


def test_every_kpi_has_its_own_rule_and_label():
    assert set(KPI_DEFINITIONS) <= set(F.RULES)
    labels = [F.label(k) for k in KPI_DEFINITIONS]
    assert len(labels) == len(set(labels))  # a label finds one row


@pytest.mark.parametrize(
    ("key", "value", "number", "text", "unit"),
    [
        ("pue", 1.2355619789959558, 1.236, "1.236", ""),
        ("pue", 1.2345, 1.235, "1.235", ""),  # half away from zero, not to even
        ("total_cost", 265180.3339922565, 265180.0, "265,180", "CNY"),
        ("peak_facility_kw", 1922.657, 1923.0, "1,923", "kW"),
        ("ref", 0.3, 30.0, "30.0", "%"),
        ("deadlines_met_share", 1.0, 100.0, "100.0", "%"),
        ("cost_saving_vs_greedy_pct", -2.354112112769447, -2.35, "-2.35", "%"),
        ("carbon_saving_vs_asap_t", -0.001, 0.0, "0.00", "tCO2"),  # no negative zero
        ("jobs", 40, 40, "40", ""),
        ("pue_target_met", True, True, "yes", ""),
        ("cfe_score", None, None, F.MISSING, "%"),
        ("erf", float("nan"), None, F.MISSING, "%"),
    ],
)
def test_kpi_number_and_text_follow_one_rule(key, value, number, text, unit):
    assert F.kpi_number(key, value) == number
    assert F.kpi_text(key, value) == text
    assert F.kpi_unit(key, "CNY") == unit


def test_text_is_the_number_written_with_the_excel_format_decimals():
    for key, rule in F.RULES.items():
        if rule.kind != "number":
            continue
        for value in (0.0, 0.12345, 1.23456789, 987654.321, -12.5):
            shown = F.kpi_number(key, value)
            decimals = len(F.excel_format(key).partition(".")[2])
            assert F.kpi_text(key, value) == f"{shown:,.{decimals}f}", key


def test_legible_keeps_ascii_and_marks_what_the_font_cannot_draw():
    ascii_only = frozenset(range(128))
    text = "Shanghai TOU, 沪发改价管〔2022〕50号 (deep valley)"
    shown = fonts.legible(text, ascii_only)
    assert shown == "Shanghai TOU, […](2022)50[…] (deep valley)".replace("[…]", fonts.MISSING_GLYPHS)
    assert fonts.has_missing_glyphs(text, ascii_only) and not fonts.has_missing_glyphs("PUE", ascii_only)
    assert fonts.pick("PUE 1.236 m³ ≤ 1.25")[0] == "dejavu"


def test_chinese_text_gets_the_cjk_font_when_it_is_installed():
    if fonts.cjk_font_path() is None:
        pytest.skip("pylopdf-fonts-zh-cn is not installed")
    assert fonts.pick("沪发改价管〔2022〕50号") == ("cjk", "沪发改价管〔2022〕50号")


def test_formats_are_checked_and_deduplicated():
    assert output.parse_formats("PDF, html,pdf") == ["pdf", "html"]
    assert cmd_report.FORMATS == output.FORMATS
    with pytest.raises(ScenarioError, match=r"unknown report format 'docx'; valid formats: pdf, html, xlsx"):
        output.parse_formats("pdf,docx")
    with pytest.raises(ScenarioError, match="at least one"):
        output.parse_formats("")


def test_output_paths(tmp_path):
    run = tmp_path / "run"
    assert output.plan_output([run], ["pdf"]) == ([run / "report.pdf"], None)
    assert output.plan_output([run], ["pdf", "xlsx"]) == (
        [run / "report.pdf", run / "report.xlsx"], None)
    files, folder = output.plan_output([run, run], ["pdf"])
    assert folder.name.startswith("report-") and files == [folder / "report.pdf"]
    assert output.plan_output([run], ["pdf"], tmp_path / "x.pdf") == ([tmp_path / "x.pdf"], None)
    assert output.plan_output([run], ["html"], tmp_path / "folder") == (
        [tmp_path / "folder" / "report.html"], tmp_path / "folder")
    with pytest.raises(ScenarioError, match=r"does not end in \.pdf"):
        output.plan_output([run], ["pdf"], tmp_path / "x.html")
    with pytest.raises(ScenarioError, match="names one file but 2 formats"):
        output.plan_output([run], ["pdf", "html"], tmp_path / "y.pdf")


def test_png_size_and_water_class():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    assert png_size(png) == (640, 480)
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + bytes(30))
    assert eed.water_class_supply_c("W32") == 32.0 and eed.water_class_supply_c(None) is None


def _imports(folder: str) -> set[str]:
    names = set()
    for path in (REPO / folder).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_imports_only_point_down():
    assert "reports" not in _imports("scenarios")
    assert "cli" not in _imports("scenarios") | _imports("reports") | _imports("ui")
    assert "ui" not in _imports("reports")

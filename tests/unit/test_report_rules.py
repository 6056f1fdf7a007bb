"""Report building blocks without a run: one display rule per indicator, fonts for
Chinese text, output paths and formats, import direction."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from cli import report as cmd_report
from reports import citations, eed, fonts, output, rules, summary
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
        ("capex_per_kw_it", 48349.2, 48349.0, "48,349", "CNY/kW"),  # money per unit, too
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


# --- which targets and schemes apply (issue 17, item 5) ---------------------------------

CHINA_REFS = [{"label": "China: national hub nodes; Yangtze River Delta clusters", "pue": 1.25,
               "met": True},
              {"label": "Industry average (Uptime Institute 2023-2024 surveys)", "pue": 1.58,
               "met": True}]


def _scenario(timezone: str, factor: str | None = None, tariff: str | None = None):
    grid = SimpleNamespace(carbon=SimpleNamespace(factor=factor),
                           price=SimpleNamespace(tariff=tariff))
    return SimpleNamespace(site=SimpleNamespace(timezone=timezone), grid=grid)


@pytest.mark.parametrize(
    ("timezone", "keys", "region", "country"),
    [
        ("Asia/Shanghai", (), "CN", "CN"),
        ("Asia/Urumqi", (), "CN", "CN"),
        ("PRC", (), "CN", "CN"),
        ("Asia/Hong_Kong", (), "", ""),  # not covered by the mainland's targets
        ("Europe/Berlin", (), "EU", "DE"),
        ("Atlantic/Canary", (), "EU", "ES"),
        ("Europe/Oslo", (), "", ""),  # EEA, not EU
        ("America/New_York", ("cn-east-2023",), "", ""),  # a placed zone decides alone
        ("UTC", ("cn-east-2023", None), "CN", "CN"),  # a placeless zone: the grid decides
        ("Etc/GMT-8", (None, "cn-beijing-two-part"), "CN", "CN"),
        ("UTC", ("us-srvc-2022",), "", ""),
    ],
)
def test_the_jurisdiction_comes_from_the_time_zone(timezone, keys, region, country):
    where = rules.jurisdiction(timezone, keys)
    assert (where.region, where.country) == (region, country)
    assert timezone in where.basis


def test_every_eu_member_state_has_a_zone_and_every_zone_exists():
    import zoneinfo

    members = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
               "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
    assert set(rules.EU_ZONES.values()) == members
    for zone in [*rules.EU_ZONES, *rules.CHINA_ZONES]:
        zoneinfo.ZoneInfo(zone)  # raises for an unknown zone
    assert not set(rules.EU_ZONES) & rules.CHINA_ZONES


def test_china_targets_only_in_china_and_the_eed_fields_in_the_eu_or_on_request():
    us, cn, de = _scenario("America/Chicago"), _scenario("Asia/Shanghai"), _scenario("Europe/Paris")
    assert rules.applicable_references(cn, CHINA_REFS) == CHINA_REFS
    assert rules.applicable_references(us, CHINA_REFS) == CHINA_REFS[1:]  # context only
    assert rules.policy_targets(us, CHINA_REFS) == [] and rules.policy_targets(de, CHINA_REFS) == []
    assert rules.policy_targets(cn, CHINA_REFS) == CHINA_REFS[:1]
    assert [rules.eed_applies(s) for s in (us, cn, de)] == [False, False, True]
    assert rules.eed_applies(us, True) and not rules.eed_applies(de, False)
    assert rules.eed_text(us).startswith("not shown") and "on request" in rules.eed_text(us)
    assert rules.eed_text(us, True).startswith("shown on request")
    assert rules.targets_text(cn).startswith("applied") and rules.targets_text(de).startswith(
        "not applied")


# --- sources as publications ---------------------------------------------------------------

def _all_source_texts() -> list[str]:
    """Every source text other packages give a report: physics parameters, grid factors,
    tariffs (as they are today, so a new internal reference fails here)."""
    from scenarios.grid_factors import GRID_FACTORS
    from scenarios.tariffs import TARIFFS
    from thermal import FacilityParams, describe

    out = [str(r["source"]) for r in describe(FacilityParams())]
    out += [f"{f.name}: {f.source}" for f in GRID_FACTORS.values()]
    for t in TARIFFS.values():
        out += [t.rule, t.source, t.price_source, t.demand_source, t.assumption, t.notes]
    return out


def test_no_internal_file_name_survives_in_any_source_text():
    texts = _all_source_texts()
    assert any(citations.INTERNAL.search(t) for t in texts)  # the sources do name files
    for text in texts:
        shown = citations.public_text(text)
        assert not citations.INTERNAL.search(shown), (text, shown)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("judgement default of physics.md (older figures: 10-15 %)",
         "judgement default (older figures: 10-15 %)"),
        ("rack share (Uptime Institute 2023 survey, physics.md)", "rack share (Uptime Institute 2023 survey)"),
        ("Lei & Masanet, Energy 208 (2020) 117556, Table A.1", "Lei & Masanet, Energy 201 (2020) 117556, Table A.1"),
        ("MEE / NBS grid emission factors (reference/kpis-policy.md)", "MEE / NBS grid emission factors"),
        ("bands: reference/china_tou_tariffs.md: bands [V1]; base [U, back-calculated]",
         "bands: the notice's bands (official wording, confirmed by an independent copy); base "
         "(unverified; back-calculated)"),
        ("year of station 54511 (thermal/data/china_climate_normals.csv) stands in",
         "year of station 54511 (CSWD monthly normals) stands in"),
        ("see https://www.nrel.gov/docs/fy08osti/43156.pdf", "see https://www.nrel.gov/docs/fy08osti/43156.pdf"),
    ],
)
def test_internal_references_are_said_as_their_publications(text, shown):
    assert citations.public_text(text) == shown


def test_the_references_list_the_publications_the_text_cites_once():
    found = citations.cited(["Lei & Masanet 2020 range", "TMY3 723170 (NREL)", "TMY3 again",
                             "沪发改价管〔2022〕50号"])
    assert [p.cited_as for p in found] == ["TMY3 (NREL)", "沪发改价管〔2022〕50号",
                                            "Lei & Masanet 2020"]
    for p in citations.PUBLICATIONS:  # author, year, title and publisher, every one
        assert p.authors and p.year and p.title and p.publisher and p.markers, p.cited_as
        assert p.reference.startswith(f"{p.authors} ({p.year}). {p.title}.")
        assert not citations.INTERNAL.search(p.reference), p.cited_as


def test_what_the_user_wrote_is_quoted_as_written_and_cites_nothing():
    from reports import document as doc

    user = "Q3 plan in docs/q3, TMY3 weather, notes in physics.md"
    report = doc.Report(title="coolshift report: docs/q3", subtitle="site", sections=[
        doc.Section("Summary", [
            doc.Paragraph(f"Scenario: {user}. Cooling tower per physics.md (EnergyPlus)."),
            doc.Table("t", "Inputs", [doc.Column("input")],
                      [[doc.text("docs/q3")], [doc.text("cap 1.25 (physics.md)")]]),
        ]),
    ])
    citations.cite_report(report, citations.user_strings(user, Path("docs/q3")))
    blocks = report.sections[0].blocks
    # the user's text as written; the source texts around it said publicly
    assert blocks[0].text == f"Scenario: {user}. Cooling tower per EnergyPlus cooling tower model."
    assert [r[0].text for r in blocks[1].rows] == ["docs/q3", "cap 1.25"]
    assert report.title == "coolshift report: docs/q3"
    # TMY3 is named only by the user: the references hold the source text's publication only
    refs = report.sections[-1].blocks[0]
    assert [r[0].text for r in refs.rows] == ["EnergyPlus"]
    # without the user's strings the same text is rewritten and cites TMY3 (the test can fail)
    again = doc.Report(title="t", subtitle="s", sections=[doc.Section("S", [doc.Paragraph(user)])])
    citations.cite_report(again)
    assert "the coolshift documentation" in again.sections[0].blocks[0].text
    assert again.sections[-1].title == "References"


def test_a_user_string_that_is_only_a_source_name_does_not_hide_the_source():
    from reports import document as doc

    report = doc.Report(title="t", subtitle="s", sections=[
        doc.Section("S", [doc.Paragraph("Weather: TMY3 725650 (NREL).")])])
    citations.cite_report(report, ["TMY3", "pvlib", ""])
    refs = report.sections[-1].blocks[0]
    assert [r[0].text for r in refs.rows] == ["TMY3 (NREL)"]


def test_user_strings_of_a_scenario_are_its_names_and_paths_not_its_sources():
    """A scenario's notes and assumptions carry the sources the report cites (the
    built-in examples' notes are coolshift's): only names, description and the paths it
    reads count as the user's."""
    from scenarios.library import example_data
    from scenarios.loading import scenario_from_dict

    data = example_data("greensboro")
    data["description"] = "my plan"
    scenario = scenario_from_dict(data)
    found = citations.user_strings(scenario, ("run-dir",), Path("a/b"))
    assert {"my plan", scenario.name, scenario.site.name, scenario.site.climate, "run-dir",
            "a/b"} <= set(found)
    assert {p.name for p in scenario.pods} <= set(found)
    note = scenario.grid.price.note
    assert "EIA Electric Power Annual 2023" in note and note not in found
    assert not any("EIA" in text for text in found)


# --- the plan in a manager's words ---------------------------------------------------------

@pytest.mark.parametrize(
    ("solver", "plan", "short"),
    [
        ({"optimized": False}, "Not optimised: every job starts as soon as it is released",
         "not optimised (ASAP)"),
        ({"optimized": True, "status": "optimal", "gap": 0.0008},
         "Best schedule found and proven: within 0.08 % of the best possible",
         "proven within 0.08 % of the best"),
        ({"optimized": True, "status": "time_limit_feasible", "gap": 0.0049473},
         "A good schedule, not proven best: the planner stopped at its time limit with a "
         "schedule proven within 0.49 % of the best possible", "proven within 0.49 % of the best"),
        ({"optimized": True, "status": "rolling_time_limit_feasible", "gap": 0.041},
         "A good schedule, not proven best: planned window by window over the period; the "
         "planner stopped at its time limit with a schedule proven within 4.1 %",
         "proven within 4.1 % of the best"),
        ({"optimized": True, "status": "optimal", "gap": 0.0}, "proven the best possible",
         "proven best"),
        ({"optimized": True, "status": "rolling_optimal", "gap": 0.031},
         "each window's plan the best for that window; the whole period is proven within "
         "3.1 %", "proven within 3.1 % of the best"),
        ({"optimized": True, "status": "no jobs", "gap": None},
         "No deferrable jobs in this scenario", "no jobs to plan"),
        ({"optimized": True, "status": "time_limit_feasible", "gap": None},
         "how far it is from the best possible is not known",
         "optimised; distance to the best not known"),
    ],
)
def test_the_plan_is_said_in_words_without_solver_terms(solver, plan, short):
    run = SimpleNamespace(manifest={"solver": solver})
    text = summary.plan_text(run)
    assert plan in text and summary.plan_short(run) == short
    for word in ("status", "gap", "bound", "HiGHS", "MILP", "feasible"):
        assert word not in text, word


def test_a_china_target_is_known_by_where_it_binds_not_by_its_wording():
    from scenarios.kpis import target_check

    refs = target_check(1.22, None, "")["references"]
    assert [r["target_in"] for r in refs] == ["CN", "CN", "CN", ""]
    assert [rules.is_china_reference(r) for r in refs] == [True, True, True, False]
    # a relabelled target still binds in China; a context line named "China: ..." does not
    assert rules.is_china_reference({"label": "中国: 枢纽节点", "pue": 1.25, "target_in": "CN"})
    assert not rules.is_china_reference({"label": "China: survey", "pue": 1.5, "target_in": ""})
    # a run directory written before the field: its label's prefix
    assert rules.is_china_reference({"label": "China: national hub nodes", "pue": 1.25})

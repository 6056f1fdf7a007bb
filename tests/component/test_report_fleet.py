"""The fleet report of a real (small) fleet run: two hubs, Shanghai and a Chengdu whose
scenario file carries hostile text, eight jobs over two days, one short HiGHS solve.

The fleet's and each site's numbers of kpis.json are found in the PDF and XLSX with the
report's own rounding rule; the first page says what the fleet is, each site's PUE
against its own target and the savings; the flows match flows.csv; hostile names are
escaped in the HTML and plain text cells in the XLSX; a damaged fleet directory is one
clear error naming the file.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import tomli_w

from reports import document as doc
from reports import formatting as F
from reports.fleet_build import build_fleet_report, build_for
from reports.fleet_data import LEVERS, load_fleet
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import formula_like, render_xlsx
from scenarios.errors import ScenarioError
from scenarios.fleet import load_fleet_arg, run_fleet
from scenarios.fleet_store import write_fleet_run
from scenarios.library import example_data
from tests.component.test_report_content import pdf_text
from tests.security.hostile import FORMULAS, MARKUP

#: Hostile text in the Chengdu site's scenario file and in the fleet file.
SITE_NAME = FORMULAS[3][:20] + " " + MARKUP[0]  # "@SUM(1+1)*cmd|' /C c <script>alert(1)</script>"
DESCRIPTION = MARKUP[1] + " hydro-rich " + MARKUP[2]
ASSUMPTION = FORMULAS[0] + " " + MARKUP[3]
FLEET_ASSUMPTION = FORMULAS[2]
FLEET_DESCRIPTION = "two hubs " + MARKUP[9]


def _hostile_chengdu(folder: Path) -> Path:
    data = example_data("hub-chengdu")
    data["site"]["name"] = SITE_NAME
    data["description"] = DESCRIPTION
    data["assumptions"] = [ASSUMPTION, *data.get("assumptions", [])]
    path = folder / "chengdu.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory) -> Path:
    """A two-site fleet run directory (48 h, 8 jobs from Shanghai, 3 s solve)."""
    folder = tmp_path_factory.mktemp("fleet")
    chengdu = _hostile_chengdu(folder)
    fleet_toml = folder / "two-hubs.toml"
    fleet_toml.write_text(tomli_w.dumps({
        "name": "two-hubs",
        "description": FLEET_DESCRIPTION,
        "sites": [{"name": "shanghai", "scenario": "hub-shanghai"},
                  {"name": "chengdu", "scenario": chengdu.name}],
        "assumptions": [FLEET_ASSUMPTION],
        "workload": {"generator": {"seed": 7, "count": 8, "duration_h": [2, 8],
                                   "power_kw": [100.0, 300.0], "slack_h": [6, 24],
                                   "homes": ["shanghai"], "data_tb": [0.5, 5.0]}},
        "horizon": {"start": "2023-07-10T00:00:00", "hours": 48},
        "solver": {"time_limit_s": 3.0},
    }), encoding="utf-8")
    fleet, _data, base = load_fleet_arg(str(fleet_toml))
    return write_fleet_run(run_fleet(fleet, base, time_limit_s=3), folder / "run")


@pytest.fixture(scope="module")
def fleet(fleet_dir):
    return load_fleet(fleet_dir)


@pytest.fixture(scope="module")
def report(fleet):
    return build_fleet_report(fleet)


@pytest.fixture(scope="module")
def pdf(report) -> bytes:
    return render_pdf(report)


@pytest.fixture(scope="module")
def text(pdf, tmp_path_factory) -> str:
    return pdf_text(pdf, tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def page(report) -> str:
    return render_html(report).decode("utf-8")


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))


def _kpis(fleet_dir: Path) -> dict:
    return json.loads((fleet_dir / "kpis.json").read_text(encoding="utf-8"))


def _flat(value: str) -> str:
    return " ".join(value.split())


def test_first_page_says_what_the_fleet_is_and_its_headline(fleet_dir, text):
    first = text.split("\f")[0]
    k = _kpis(fleet_dir)
    assert "Fleet summary: two-hubs" in first
    for name in ("shanghai", "chengdu", "hub-shanghai", "chengdu.toml"):
        assert name in first, name
    assert "SYNTHETIC" in first  # both hubs' weather is a synthetic year, said on page 1
    for key in ("pue", "facility_energy_mwh", "carbon_location_t", "total_cost", "water_m3",
                "moved_energy_mwh", "moved_data_tb"):
        assert F.kpi_text(key, k["kpis"][key]) in first, key
    for name, site in k["sites"].items():  # each site's PUE against its own target (1.25)
        row = next(line for line in first.splitlines() if line.strip().startswith(name))
        assert F.kpi_text("pue", site["pue"]) in row and "1.25" in row, row
        assert ("met" if site["pue_target_met"] else "NOT met") in row
    for name in ("asap", "greedy", "cheapest_site"):
        assert F.kpi_text(f"cost_saving_vs_{name}_pct", k["kpis"][f"cost_saving_vs_{name}_pct"]) \
            in first, name
    assert "Plan" in first and "time_limit_feasible" not in first  # manager's words on page 1
    assert "Key points" in first


def test_pdf_holds_every_fleet_and_site_value_and_the_flows(fleet_dir, text, pdf):
    k = _kpis(fleet_dir)
    for key, value in k["kpis"].items():
        assert F.kpi_text(key, value) in text, key
    for name, site in k["sites"].items():
        for key in ("pue", "tue", "it_energy_mwh", "facility_energy_mwh", "total_cost"):
            assert F.kpi_text(key, site[key]) in text, (name, key)
    flows = pd.read_csv(fleet_dir / "flows.csv")
    lines = [_flat(line) for line in text.splitlines()]
    for row in flows.itertuples(index=False):
        expected = f"{row.home} {row.site} {row.jobs} {F.value_text(row.compute_mwh, 2)} " \
                   f"{F.value_text(row.data_tb, 2)}"
        assert any(line.startswith(expected) for line in lines), expected
    assert "coolshift report " + str(fleet_dir / "sites" / "chengdu") in text  # the full one
    assert "Aslan et al. 2018" in text  # network energy per TB with its source
    assert "time_limit_feasible" in text or "optimal" in text  # technical status: methodology
    pages = int(re.search(rb"/Count (\d+)", pdf).group(1))
    assert 6 <= pages <= 14  # compact: no full single-site report per site


def test_xlsx_cells_hold_the_numbers_of_kpis_json(fleet_dir, book):
    k = _kpis(fleet_dir)
    rows = {r[5]: r[1] for r in book["kpis"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(k["kpis"])
    for key, value in k["kpis"].items():
        assert rows[key] == F.kpi_number(key, value), key
    header, *body = book["site_kpis"].iter_rows(values_only=True)
    by_label = {r[0]: r for r in body}
    for name, site in k["sites"].items():
        col = header.index(name)
        for key in ("pue", "total_cost", "water_m3", "jobs"):
            assert by_label[F.label(key)][col] == F.kpi_number(key, site[key]), (name, key)
    flows = pd.read_csv(fleet_dir / "flows.csv")
    got = list(book["flows"].iter_rows(min_row=2, values_only=True))[:-1]  # last: totals
    assert [(r[0], r[1], r[2], r[3]) for r in got] == [
        (r.home, r.site, r.jobs, F.value_number(r.compute_mwh, 2))
        for r in flows.itertuples(index=False)]
    schedule = pd.read_csv(fleet_dir / "schedule.csv")
    assert book["schedule"].max_row == len(schedule) + 1


def test_levers_add_up_to_the_saving_in_the_report(fleet, report):
    k = fleet.kpis
    parts = [k[f"cost_saving_vs_asap_{lever}"] for lever, _, _ in LEVERS]
    assert sum(parts) == pytest.approx(k["cost_saving_vs_asap"], rel=1e-6)
    table = next(t for t in report.tables() if t.key == "levers")
    assert [r[0].text for r in table.rows] == [s for _, s, _ in LEVERS] + ["Total"]
    assert table.rows[-1][2].value == F.kpi_number("cost_saving_vs_asap", k["cost_saving_vs_asap"])


def test_hostile_text_is_escaped_in_html_and_plain_text_in_xlsx(page, book, text):
    for hostile in (SITE_NAME, DESCRIPTION, ASSUMPTION, FLEET_DESCRIPTION):
        assert escape(_flat(hostile)) in _flat(page), hostile
    parser = _Tags()
    parser.feed(page)
    assert not {"script", "svg", "b", "iframe", "object"} & {tag for tag, _ in parser.tags}
    assert not [a for _, attrs in parser.tags for a in attrs if a[0].lower().startswith("on")]
    for raw in ("<script>alert", "<img src=x", '"><svg', "<b>b</b>"):
        assert raw not in page, raw
    cells = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    for hostile in (ASSUMPTION, FLEET_ASSUMPTION):
        cell = next(c for c in cells if c.value == hostile)
        assert formula_like(cell.value) and cell.quotePrefix, hostile
    assert any(SITE_NAME in c.value for c in cells)
    assert _flat(SITE_NAME) in _flat(text)  # the PDF shows it as written


class _Tags(HTMLParser):
    """The start tags of a page with their attributes, as a browser parses them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _copy(fleet_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(fleet_dir, tmp_path / "copy"))


def _damage_kpis(path: Path, change) -> None:
    data = json.loads((path / "kpis.json").read_text(encoding="utf-8"))
    change(data)
    (path / "kpis.json").write_text(json.dumps(data), encoding="utf-8")


DAMAGES = {
    "no flows.csv": (lambda p: (p / "flows.csv").unlink(), "flows.csv"),
    "flows.csv not CSV": (lambda p: (p / "flows.csv").write_bytes(b'"a,b\n\x00\x01'),
                          "flows.csv"),
    "flows name an unknown site": (
        lambda p: (p / "flows.csv").write_text(
            (p / "flows.csv").read_text().replace("chengdu", "atlantis"), encoding="utf-8"),
        "flows.csv"),
    "kpis.json not JSON": (lambda p: (p / "kpis.json").write_text("{", encoding="utf-8"),
                           "kpis.json"),
    "a KPI is text": (lambda p: _damage_kpis(p, lambda d: d["kpis"].update(pue="high")),
                      "kpis.pue"),
    "a site is not a folder name": (
        lambda p: _damage_kpis(p, lambda d: d["sites"].update({"../x": {}})), "kpis.json"),
    "a site lost its hourly data": (
        lambda p: (p / "sites" / "chengdu" / "hourly.parquet").unlink(), "hourly.parquet"),
    "no fleet.toml": (lambda p: (p / "fleet.toml").unlink(), "fleet.toml"),
    "manifest sites not an object": (
        lambda p: (p / "manifest.json").write_text(json.dumps(
            {**json.loads((p / "manifest.json").read_text()), "sites": ["x"]}), encoding="utf-8"),
        "manifest.json"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_fleet_directory_is_one_clear_error_naming_the_file(fleet_dir, tmp_path,
                                                                       damage):
    path = _copy(fleet_dir, tmp_path)
    change, named = DAMAGES[damage]
    change(path)
    with pytest.raises(ScenarioError) as err:
        build_for([path])
    assert named in str(err.value) and str(path) in str(err.value), str(err.value)


def test_a_fleet_is_reported_alone(fleet_dir):
    with pytest.raises(ScenarioError, match="fleet run: report it alone"):
        build_for([fleet_dir, fleet_dir / "sites" / "shanghai"])


def test_each_site_folder_is_a_run_with_its_own_full_report(fleet_dir):
    report = build_for([fleet_dir / "sites" / "shanghai"])
    titles = [s.title for s in report.sections]
    # a site in China: its full report checks China's targets and has no EU EED fields
    assert titles[0].startswith("Executive summary") and "PUE target check" in titles
    assert "EU Energy Efficiency Directive" not in " ".join(titles)
    assert not any(isinstance(b, doc.Table) and b.key == "flows"
                   for s in report.sections for b in s.blocks)


def test_pdf_pages_are_not_near_blank(text):
    pages = text.split("\f")[:-1]
    # every page but the last carries more than a few lines besides its footer
    for i, body in enumerate(pages[:-1], start=1):
        assert len([line for line in body.splitlines() if line.strip()]) > 5, i

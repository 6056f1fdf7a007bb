"""No text a user wrote becomes active content in a report: a run whose every user field
(scenario name and description, site, pods, assumptions, price note, target label, job
ids, file names) holds spreadsheet formulas, HTML and Markdown, reported as XLSX and HTML.

XLSX: every string is a text cell (``t="inlineStr"``, no ``<f>`` formula element in any
sheet), a formula-like one also carries Excel's quote prefix, the text reads back as
written, and numbers stay numbers. HTML: the text shows as written, escaped; the page
has no script, no event handler, no link but to its own sections and no image but the
charts' data: URIs.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import openpyxl
import pytest

from reports.build import build_report
from reports.data import load_runs
from reports.render_html import render_html
from reports.render_xlsx import formula_like, render_xlsx
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import write_run
from tests.security.hostile import FIELDS, hostile_scenario

pytestmark = pytest.mark.component

#: Fields that reach each format (the description is a paragraph: HTML and PDF only; job
#: ids are in the XLSX's schedule sheet only; the heat-reuse note is in no report).
IN_XLSX = [k for k in FIELDS if k not in ("description", "heat note")]
IN_HTML = [k for k in FIELDS if k not in ("heat note", "job 1", "job 2", "job 3")]
#: Elements the HTML renderer writes; nothing else may appear.
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3",
    "p", "nav", "a", "section", "div", "table", "caption", "thead", "tbody", "tr", "th",
    "td", "ul", "li", "figure", "img", "figcaption", "footer",
}  # fmt: skip


def _flat(text: str) -> str:
    """Text as a reader sees it once white space is folded (XML reads CR as LF)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory) -> list:
    """Two run directories of the hostile scenario (its files too have hostile names)."""
    folder = tmp_path_factory.mktemp("hostile")
    result = run_scenario(scenario_from_dict(hostile_scenario(folder)), optimize=False)
    dirs = []
    for name in ("run-a", "run-b"):
        write_run(result, folder / name)
        dirs.append(folder / name)
    return dirs


@pytest.fixture(scope="module", params=[1, 2], ids=["one run", "two runs compared"])
def report(request, hostile_runs):
    return build_report(load_runs(hostile_runs[: request.param]))


@pytest.fixture(scope="module")
def xlsx(report) -> bytes:
    return render_xlsx(report)


@pytest.fixture(scope="module")
def html_page(report) -> str:
    return render_html(report).decode("utf-8")


def _strings(book: openpyxl.Workbook) -> list:
    return [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_no_sheet_of_the_xlsx_holds_a_formula_a_link_or_an_error_value(xlsx):
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        names = z.namelist()
        sheets = [n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert len(sheets) > 10
        for name in sheets:
            root = ElementTree.fromstring(z.read(name))
            tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
            assert "f" not in tags, name  # no formula, whatever a cell's text
            assert "hyperlink" not in tags, name
            kinds = {c.get("t") for c in root.iter() if c.tag.endswith("}c")}
            assert kinds <= {None, "n", "b", "inlineStr"}, (name, kinds)  # no "e", "str"
    assert not any("externalLink" in n or "vbaProject" in n for n in names)


def test_every_user_text_is_a_text_cell_as_written_with_the_quote_prefix_if_formula_like(xlsx):
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = _strings(book)
    for cell in cells:
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate, cell.value)
        if formula_like(cell.value):
            assert cell.quotePrefix, (cell.parent.title, cell.coordinate, cell.value)
    text = _flat("\n".join(c.value for c in cells))
    for key in IN_XLSX:
        assert _flat(FIELDS[key]) in text, key  # it reached the workbook, unchanged
    whole = {c.value for c in cells}
    for key in ("pod 1", "pod 2", "pod 3", "job 1", "job 2", "job 3"):
        assert FIELDS[key] in whole, key  # a cell of its own (hall headers, schedule rows)
    assert any(FIELDS["carbon file"] in c.value and c.value.startswith("@") for c in cells)


def test_numbers_stay_numbers_next_to_hostile_text(xlsx):
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    # one run: its kpis sheet; several: every indicator in the comparison, once
    kpis = next(ws for ws in book if ws.title.endswith("kpis") or ws.title == "compare")
    numbers = [
        c
        for row in kpis.iter_rows(min_row=2)
        for c in row
        if c.data_type == "n" and isinstance(c.value, (int, float))
    ]
    assert len(numbers) > 20
    hourly = next(ws for ws in book if ws.title.endswith("hourly"))
    header = [c.value for c in next(hourly.iter_rows(max_row=1))]
    column = next(i for i, h in enumerate(header) if h.startswith(FIELDS["pod 1"] + ".it_kw"))
    values = [row[column].value for row in hourly.iter_rows(min_row=2)]
    assert len(values) == 48 and all(isinstance(v, float) for v in values)


def test_sheet_names_stay_valid(xlsx):
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    for title in book.sheetnames:
        assert 1 <= len(title) <= 31 and not re.search(r"[\[\]:*?/\\]", title), title
        assert not title.startswith("'") and not title.endswith("'"), title


class _Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_shows_every_user_text_escaped_and_runs_nothing(html_page):
    page = _Page()
    page.feed(html_page)
    page.close()
    assert {tag for tag, _ in page.tags} <= HTML_TAGS
    assert "<script" not in html_page.lower() and "<svg" not in html_page.lower()
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        if "href" in attrs:
            assert re.fullmatch(r"#[A-Za-z0-9_-]+", attrs["href"]), attrs
        if "src" in attrs:
            assert tag == "img" and attrs["src"].startswith("data:image/png;base64,"), attrs
        assert set(attrs) <= {
            "charset",
            "name",
            "content",
            "lang",
            "class",
            "id",
            "href",
            "src",
            "alt",
        }, (tag, attrs)
    assert not re.search(
        r"""(src|href)\s*=\s*["']?\s*(https?:|javascript:|//)""", html_page, re.IGNORECASE
    )
    shown = _flat("".join(page.text))
    for key in IN_HTML:
        assert _flat(FIELDS[key]) in shown, key  # shown as text, as written
    # the markup of the hostile text is in the source as entities only
    for raw in ("<script>alert", "<img src=x", '"><svg', "<b>b</b>", "<https://"):
        assert raw not in html_page, raw

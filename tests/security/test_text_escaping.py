"""The escaping functions every output goes through, on hostile text: Markdown in the app
(:func:`ui.tables.markdown_text`, the error messages of :mod:`ui.errors`), Plotly labels
(:func:`ui.charts.chart_text`) and XLSX cells and sheet names (:mod:`reports.render_xlsx`).
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from reports import document as doc
from reports.render_xlsx import formula_like, render_xlsx, sheet_name
from scenarios.errors import ScenarioError
from tests.security.hostile import FIELDS, FORMULAS, MARKUP, active_markdown
from ui.charts import chart_text
from ui.errors import error_text, input_message
from ui.tables import WORD_JOINER, markdown_table, markdown_text

pytestmark = pytest.mark.unit

HOSTILE = FORMULAS + MARKUP + list(FIELDS.values())


def _read(markdown: str) -> str:
    """The text a reader sees: escapes resolved, word joiners invisible."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_is_inert_and_reads_as_written(text):
    out = markdown_text(text)
    assert active_markdown(out) == [], out
    assert "\n" not in out
    assert _read(out) == " ".join(text.split())  # nothing lost or added for the reader
    # whatever stands before or after it, at the start of a line or inside bold
    for body in (out, f"- {out}", f"**Cannot run “{out}”.** {out}", f"| {out} | {out} |"):
        assert active_markdown(body) == [], body


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (
            "![x](https://evil.example/x.png)",
            f"\\!\\[x\\](https:{WORD_JOINER}//evil.example/x.png)",
        ),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("www.evil.example", f"www{WORD_JOINER}.evil.example"),
        ("me@evil.example", f"me{WORD_JOINER}@evil.example"),
        (
            "_em_ **b** `c` ~s~ $x$ #h |p| &amp;",
            "\\_em\\_ \\*\\*b\\*\\* \\`c\\` \\~s\\~ \\$x\\$ \\#h \\|p\\| \\&amp;",
        ),
        ("1. a list", "1\\. a list"),
        ("- a list", "\\- a list"),
        ("=== a heading line", "\\=== a heading line"),
        (":red[red] a:b", "\\:red\\[red\\] a\\:b"),
        ("see: 10:30", "see: 10:30"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_markdown_text_escapes_each_construct(text, escaped):
    assert markdown_text(text) == escaped


@pytest.mark.parametrize(
    "text",
    [
        "prices.csv (grid.price.file)",
        "USA_CA_San.Jose-Mineta.epw",
        "pod 'air-20kW'",
        "作业 2024-01.csv: missing column(s) job_id",
        "2023-07-10 00:00, 168 h",
    ],
)
def test_markdown_text_leaves_plain_names_alone(text):
    assert markdown_text(text) == text  # "(", ".", "-" and a "_" inside a word start nothing


def test_markdown_table_cells_are_inert():
    frame = pd.DataFrame(
        {FIELDS["site"]: [FIELDS["pod 1"], FIELDS["pod 2"], MARKUP[4]]},
        index=[FIELDS["name"], "halls", MARKUP[5]],
    )
    table = markdown_table(frame)
    assert active_markdown(table) == [], table
    assert len(table.splitlines()) == 2 + len(frame)


def test_error_messages_escape_every_line_and_keep_their_own_bold_lead():
    message = (
        f"scenario {FIELDS['name']!r}: 2 errors\n"
        f"  site.timezone: unknown time zone {MARKUP[4]!r}\n"
        f"  pods.0.name: {MARKUP[1]} {MARKUP[7]}\n"
        f"file {FIELDS['carbon file']} {MARKUP[5]}"
    )
    exc = ScenarioError(message)
    shown = error_text(exc, f"run “{FIELDS['name']}: all pods air”")
    assert shown.startswith("**Cannot run “")
    assert active_markdown(shown) == [], shown
    body = input_message(exc)
    assert body.count("\n\n- ") == 2  # the indented lines as list items
    shown_lines = re.split(r"  \n|\n\n- ", body)
    assert [_read(line) for line in shown_lines] == [
        " ".join(x.split()) for x in message.split("\n")
    ]
    for line in shown_lines:  # none starts a heading, quote, list or rule of its own
        assert not re.match(r"(#|>|[-+*=]|\d+[.)])", line), line


def test_an_internal_error_names_the_action_escaped_and_never_the_exception_text():
    shown = error_text(RuntimeError(MARKUP[4]), f"run “{MARKUP[5]}”")
    assert active_markdown(shown) == [], shown
    assert "evil.example/x.png" not in shown and "Internal error while trying to run" in shown


# --------------------------------------------------------------------------- Plotly


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_text_has_no_markup_plotly_would_read(text):
    out = chart_text(text)
    assert "<" not in out and ">" not in out  # no <a href>, <b>, <br> for Plotly
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_gantt_and_power_chart_carry_pod_names_and_job_ids_as_text():
    from ui import run_charts

    pods = [FIELDS["pod 1"], FIELDS["pod 3"]]
    start = pd.Timestamp("2023-07-10T00:00")
    segments = pd.DataFrame({
        "pod": pods, "job_id": [FIELDS["job 1"], FIELDS["job 3"]],
        "start": [start, start + pd.Timedelta(hours=2)],
        "end": [start + pd.Timedelta(hours=2), start + pd.Timedelta(hours=5)],
        "hours": [2, 3], "power_kw": [60.0, 80.0],
    })  # fmt: skip
    fig = run_charts.gantt(segments, pods)
    texts = [t.name for t in fig.data] + [y for t in fig.data for y in t.y]
    texts += [str(v) for t in fig.data for row in t.customdata for v in row]
    texts += [t.hovertemplate for t in fig.data]
    assert all("<a" not in t and "<script" not in t and "<img" not in t for t in texts), texts
    assert all(FIELDS["pod 1"] not in t.hovertemplate for t in fig.data)  # not a template
    assert fig.data[0].customdata[0][1] == 2 and fig.data[0].customdata[0][2] == 60.0


# --------------------------------------------------------------------------- XLSX


@pytest.mark.parametrize("text", [*FORMULAS[:-1], "-", " -1", "\n=1", "＝1+1", "@"])  # not "#N/A"
def test_formula_like_text_is_recognised(text):
    assert formula_like(text)


@pytest.mark.parametrize("text", ["", "plain", "a=1", "1-2", "(=1)", "'=1", "air-20kW"])
def test_plain_text_is_not_formula_like(text):
    assert not formula_like(text)


@pytest.mark.parametrize(
    "key",
    [
        *HOSTILE,
        "History",
        "history",
        "'quoted'",
        "a" * 30 + "'b",
        "[]:*?/\\",
        "",
        "   ",
        "tab\tand\nnewline",
        "bell\x07",
        "x" * 200,
    ],
)
def test_sheet_names_are_valid_and_unique_whatever_the_key(key):
    taken: set[str] = set()
    names = [sheet_name(key, taken) for _ in range(3)]
    for name in names:
        assert 1 <= len(name) <= 31, name
        assert not re.search(r"[\[\]:*?/\\\x00-\x1f]", name), name
        assert name[0] not in "' " and name[-1] not in "' ", name
        assert name.lower() != "history"
    assert len({n.lower() for n in names}) == 3


def test_a_report_of_control_characters_and_formulas_renders_and_reads_back():
    texts = [*FORMULAS, "bell\x07 and nul\x00", "\ufffe", *MARKUP]
    rows = [[doc.text(t), doc.num(1.5), doc.Cell(True, "yes")] for t in texts]
    table = doc.Table(
        FIELDS["name"],
        FIELDS["site"],
        [
            doc.Column(FIELDS["pod 1"]),
            doc.Column("value", "kW", numeric=True),
            doc.Column(FIELDS["pod 3"]),
        ],
        rows,
        note=FORMULAS[1],
    )
    frame = pd.DataFrame(
        {FIELDS["job 1"]: texts, "v": range(len(texts))}, index=pd.Index(texts, name=FORMULAS[2])
    )
    report = doc.Report(
        FORMULAS[0],
        FORMULAS[3],
        [doc.Section(FORMULAS[0], [table])],
        [doc.DataSheet("schedule", FORMULAS[1], frame, {"v": "kW"})],
    )
    data = render_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    strings = {c.value for c in cells if isinstance(c.value, str)}
    assert "bell\ufffd and nul\ufffd" in strings  # XML cannot hold them: replaced, no crash
    for text in FORMULAS:
        assert text.replace("\r", "\n") in strings, text
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    assert {type(c.value) for c in cells if c.data_type == "n"} <= {int, float}
    assert any(c.value is True for c in cells)

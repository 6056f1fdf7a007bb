"""No text a user wrote becomes active content in the app (Streamlit's AppTest).

A scenario whose every user field holds Markdown, HTML and links (an image that would be
fetched from an outside server, a link, a script tag) is uploaded and taken through every
page: each Markdown body the pages write (messages, captions, labels, metric values, the
run's status) must show the text and render nothing of it; each chart must carry it as
text. Error messages that quote a value or a file name as the user wrote it likewise.
"""

from __future__ import annotations

import json
import re

import pytest
import tomli_w
from streamlit.testing.v1 import AppTest

from scenarios.kpis import unplaced_note
from tests.helpers import APP_TIMEOUT_S, fresh_app
from tests.security.hostile import FIELDS, MARKUP, active_markdown, carbon_csv, hostile_scenario
from ui.compare import breakable
from ui.tables import markdown_text

pytestmark = pytest.mark.component

#: Plotly's HTML subset makes links of <a href>; these must never come from user text.
#: A weather file a scenario names but was not uploaded with it.
UNSENT = (
    "![x](javascript:alert(1)) <img src=x onerror=alert(1)> www.evil.example me@evil.example.epw"
)
_CHART_MARKUP = re.compile(r"<\s*(a|img|script|svg|iframe)\b|href\s*=|javascript:", re.I)


@pytest.fixture
def app():
    yield from fresh_app()


def _bodies(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of every Markdown the page shows: messages, captions, Markdown,
    titles, metric labels and values, expander and status labels."""
    out = []
    for kind in (
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "title",
        "header",
        "subheader",
        "toast",
    ):
        out += [(kind, e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [("metric label", m.label), ("metric", m.value), ("metric delta", m.delta or "")]
    out += [("expander", e.label) for e in at.expander]
    out += [("status", s.label) for s in at.status]
    return out


def _inert(at: AppTest) -> str:
    """Assert that nothing on the page renders user text as Markdown; all text shown."""
    assert not at.exception, [e.value for e in at.exception]
    bodies = _bodies(at)
    for where, body in bodies:
        assert active_markdown(body) == [], (where, body)
    for chart in at.get("plotly_chart"):
        strings = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        assert not _CHART_MARKUP.search(strings), _CHART_MARKUP.search(strings)
    return "\n".join(body for _, body in bodies)


def _shown(key: str) -> str:
    """A hostile field as the app writes it into Markdown."""
    return markdown_text(FIELDS[key])


def test_a_hostile_scenario_is_text_on_every_page(app):
    data = hostile_scenario()
    data["grid"]["carbon"] = {"source": "file", "file": "data/" + FIELDS["carbon file"]}
    files = [
        ("scenario.toml", tomli_w.dumps(data).encode(), "application/toml"),
        (FIELDS["carbon file"], carbon_csv().encode(), "text/csv"),
    ]
    app.file_uploader(key="up_scenario").set_value(files).run()
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["scenario_data"]["name"] == FIELDS["name"]
    text = _inert(app)
    for key in ("description", "site", "pod 1", "assumption 1", "assumption 3", "price note"):
        assert _shown(key) in text, key
    assert "evil.example/x.png" in text  # shown, as text

    app.switch_page("ui/halls.py").run()
    text = _inert(app)
    for key in ("pod 1", "pod 2", "pod 3"):
        assert _shown(key) in text, key
    app.selectbox(key="heatmap_pod").set_value(FIELDS["pod 2"]).run()
    assert f"**Hourly PUE of {_shown('pod 2')}**" in _inert(app)

    app.switch_page("ui/workload.py").run()
    app.checkbox(key="wl_optimise_1").set_value(False)
    app.button(key="run_button").click().run()
    text = _inert(app)
    assert not app.error, [e.value for e in app.error]
    assert f"{_shown('name')} · run 1" in text  # the run's status names it, as text

    app.switch_page("ui/compare.py").run()
    # "all pods air" cannot cool these racks: not chosen, the caption names the pod, as text
    assert markdown_text(f"pod {FIELDS['pod 2']!r}: ") in _inert(app)
    app.multiselect(key="compare_variants").set_value(["as edited", "all pods air"])
    app.button(key="compare_button").click().run()
    text = _inert(app)
    # the message names the scenario, as text
    action = markdown_text(f"run “{FIELDS['name']}: all pods air”")
    assert f"**Cannot {action}.**" in text
    # the comparison table's cells are Markdown too: the run's label, as text
    (table,) = app.table
    frame = table.value
    for cell in [*frame.columns, *frame.index, *frame.to_numpy().ravel()]:
        assert active_markdown(str(cell)) == [], cell
    assert list(frame.columns) == [markdown_text(breakable(f"{FIELDS['name']}: as edited"))]

    app.switch_page("ui/report.py").run()
    app.button(key="report_create").click().run()
    _inert(app)
    assert not app.error, [e.value for e in app.error]
    assert [b.proto.label for b in app.get("download_button")][:3] == [
        "Download PDF",
        "Download HTML",
        "Download Excel (XLSX)",
    ]


def _upload_error(app: AppTest, key: str, name: str, content: bytes) -> str:
    app.file_uploader(key=key).upload(name, content, "text/plain").run()
    _inert(app)
    assert app.error, f"no error for {name!r}"
    return "\n".join(e.value for e in app.error)


@pytest.mark.parametrize(
    ("name", "content", "quoted"),
    [
        (MARKUP[4] + ".toml", b"name = 'x'\n[site\n", MARKUP[4] + ".toml"),  # not TOML
        (
            MARKUP[1] + ".toml",
            tomli_w.dumps(
                {
                    **hostile_scenario(),
                    "site": {**hostile_scenario()["site"], "timezone": MARKUP[5]},
                }
            ).encode(),
            MARKUP[5],
        ),
        (
            "s.toml",
            tomli_w.dumps(
                {
                    **hostile_scenario(),
                    "site": {**hostile_scenario()["site"], "climate": "data/" + UNSENT},
                }
            ).encode(),
            UNSENT,
        ),
    ],
    ids=["file name", "field value", "file named in the scenario"],
)
def test_scenario_upload_errors_quote_the_user_s_text_as_text(app, name, content, quoted):
    text = _upload_error(app, "up_scenario", name, content)
    assert markdown_text(quoted) in text


def test_data_upload_errors_quote_file_names_and_cells_as_text(app):
    name = MARKUP[4] + " " + MARKUP[0] + ".csv"
    text = _upload_error(app, "up_price", name, b"just one line\n")
    assert markdown_text(name) in text

    app.switch_page("ui/workload.py").run()
    app.radio(key="wl_source_0").set_value("CSV file").run()
    bad = (
        "job_id,release,deadline,duration_h,power_kw,preemptible\n"
        f"{FIELDS['job 1']},2023-07-10T00:00+08:00,2023-07-11T00:00+08:00,2,60,"
        "![x](https://evil.example/y.png)\n"
    )
    text = _upload_error(app, "wl_jobs_file_0", MARKUP[5] + ".csv", bad.encode())
    assert markdown_text(MARKUP[5] + ".csv") in text and "evil.example/y.png" in text


def _unplaced_hostile_jobs(folder: str) -> None:
    """An app script: the Workload page's savings of a two-day run of jobs with hostile
    ids, whose greedy rule leaves the first job out."""
    from pathlib import Path  # the script runs alone: it imports what it uses

    from tests.helpers import run_with_a_greedy_that_misses_a_job
    from tests.security.hostile import hostile_scenario
    from ui import results

    results._savings(run_with_a_greedy_that_misses_a_job(hostile_scenario(Path(folder))))


def test_a_baseline_s_unplaced_jobs_are_named_as_text(tmp_path):
    at = AppTest.from_function(
        _unplaced_hostile_jobs, args=(str(tmp_path),), default_timeout=APP_TIMEOUT_S
    )
    at.run()
    _inert(at)
    (warning,) = [w.value for w in at.warning]
    assert warning == markdown_text(unplaced_note("greedy", [FIELDS["job 1"]]))
    assert "job(s) =job" in warning and "\\<script\\>" in warning

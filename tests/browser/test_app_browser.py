"""The app in headless Chromium: first page speed, every page, a pod edit (speed and the
density error), an optimisation run, a comparison and the downloads.

The tests share one browser page (one app session) and run in file order: the pod edit,
the run and the reports build on each other as a planner's session would. Screenshots go
to test-artifacts/browser/; speeds, with the load average they were measured under, to
test-artifacts/browser/speed.json.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
import tomllib
import zipfile
from io import BytesIO

import pytest

from tests.browser.harness import app_server, browser_context, sidebar_link
from tests.tolerances import APP_FIRST_PAGE_S, APP_POD_EDIT_S, APP_SPEED_MARGIN

#: Cold starts the first page is measured on; their median is the measure.
FIRST_PAGE_SAMPLES = 3

PAGES = {
    "Site": "Wet-bulb < 10 °C",
    "Halls and cooling": "A typical year",
    "Workload and schedule": "Run the schedule",
    "Compare": "Variants of the scenario being edited",
    "Report": "Repeat from the command line",
}
#: Text that must never reach the page.
FORBIDDEN = ("Traceback", "Internal error", "NaN", "nan %", "Exception:")
SPEEDS: dict = {}


def load_average() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def allowed_s(target_s: float) -> float:
    """The time a speed test accepts: target x margin x the CPU share other work leaves
    (1-minute load average / cores, when above 1); see tests/tolerances.py."""
    share = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    return target_s * APP_SPEED_MARGIN * share


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script has finished running."""
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'; }",
        timeout=timeout_ms,
    )


def shoot(page, artifacts, name: str) -> None:
    """A screenshot of the whole page (the main area scrolls inside the window)."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight), 900)'
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def assert_clean(page) -> None:
    text = main_text(page)
    for bad in FORBIDDEN:
        assert bad not in text, f"{bad!r} on the page"
    assert page.locator("[data-testid='stException']").count() == 0


def nav(page, title: str) -> None:
    # the sidebar's page link (a page may also link to another page in its text)
    sidebar_link(page, title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    page.get_by_text(PAGES[title]).first.wait_for()
    settle(page)


def record(name: str, seconds: float, limit: float, artifacts, **extra) -> float:
    """Note a measured speed (with the load it was measured under, and ``extra`` facts
    of the measurement); returns the bound."""
    bound = allowed_s(limit)
    SPEEDS[name] = {
        "seconds": round(seconds, 3),
        "target_s": limit,
        "asserted_below_s": round(bound, 3),
        "load_average": load_average(),
        "cores": os.cpu_count(),
        **extra,
    }
    (artifacts / "speed.json").write_text(json.dumps(SPEEDS, indent=2))
    print(
        f"{name}: {seconds:.2f} s (target {limit} s, asserted below {bound:.2f} s; "
        f"load average {load_average()})"
    )
    return bound


@pytest.fixture(scope="module")
def page(context, server):
    tab = context.new_page()
    yield tab
    tab.close()


def first_page_s(page, url: str) -> float:
    """Seconds from asking for the app to its first page being ready: the climate
    summary, its chart drawn, and the last section shown."""
    start = time.monotonic()
    page.goto(url)
    page.get_by_text("Wet-bulb < 10 °C").wait_for()  # the climate summary
    page.locator("[data-testid='stVegaLiteChart'] svg .mark-line path").first.wait_for()  # chart
    page.get_by_text("Mean carbon intensity").wait_for()  # the last section
    return time.monotonic() - start


def test_first_page_ready_within_target(page, server, artifacts, driver):
    """The median of FIRST_PAGE_SAMPLES cold starts (each a server that has just answered
    and a browser profile that has never seen the app); every sample is recorded.

    The first sample is the session's own server and browser (this is the session's first
    browser test); the others each start a new server and profile while the session's
    idle browser and server stay up, with the operating system's file cache warm as it
    is on a machine that has run ``make app`` before.

    One cold start varies with the machine: on the 2-core CI machine the same commit
    measured 2.2 s and 3.1 s in two clean runs, and the server's own start time moved
    with it (1.9-2.1 s against 2.2 s), so the median of three is the measure.
    """
    url, start_s = server
    # not a target: the server imports pandas and the scenario layer before it answers
    # (ui/server.py), which the first page would otherwise wait for
    SPEEDS["server_start"] = {"seconds": round(start_s, 3), "load_average": load_average()}
    print(f"server answered {start_s:.2f} s after launch; load average: {load_average()}")
    samples = [first_page_s(page, url)]
    settle(page)
    shoot(page, artifacts, "1-site")
    assert_clean(page)
    for k in range(2, FIRST_PAGE_SAMPLES + 1):
        with (
            browser_context(driver) as cold,
            app_server(artifacts / f"streamlit-cold-start-{k}.log") as (cold_url, _),
        ):
            samples.append(first_page_s(cold.new_page(), cold_url))
    ready = statistics.median(samples)
    bound = record(
        "first_page_ready", ready, APP_FIRST_PAGE_S, artifacts,
        statistic=f"median of {len(samples)} cold starts",
        samples_s=[round(x, 3) for x in samples],
    )
    assert ready <= bound, f"first page took {ready:.2f} s (median of {samples})"


def test_every_page_renders(page, artifacts):
    for n, title in enumerate(PAGES, start=1):
        nav(page, title)
        page.wait_for_timeout(300)
        slug = re.sub(r"\W+", "-", title.lower())
        shoot(page, artifacts, f"{n}-{slug}")
        assert_clean(page)


def test_a_bad_upload_is_a_message_on_the_page(page, artifacts):
    nav(page, "Site")
    page.get_by_text("Upload your own scenario or data").click()
    settle(page)
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
    uploader.set_input_files(
        files=[{"name": "broken.toml", "mimeType": "application/toml", "buffer": b"[site\n"}]
    )
    page.get_by_text("not valid TOML").wait_for()
    settle(page)
    shoot(page, artifacts, "6-site-bad-upload")
    assert "Cannot load the uploaded scenario" in main_text(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in main_text(page)


def _edit_first_pod_rack_kw(page, value: str) -> float:
    """Type a new kW per rack into the first pod's row; returns when Enter was pressed."""
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # first row, pod column
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # cooling, racks, kW per rack
    page.keyboard.press("Enter")  # opens the cell editor
    editor = page.locator("input.gdg-input")
    editor.wait_for()
    editor.fill(value)
    pressed = time.monotonic()
    editor.press("Enter")
    return pressed


def test_pod_edit_rerenders_the_comparison_quickly(page, artifacts):
    nav(page, "Halls and cooling")
    caption = page.get_by_text(re.compile(r"Site PUE \d\.\d{3}"))
    before = caption.inner_text()
    print(f"load average before measuring: {load_average()}")
    pressed = _edit_first_pod_rack_kw(page, "25")
    page.wait_for_function(
        "old => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(e => /Site PUE \\d\\.\\d{3}/.test(e.innerText) && !e.innerText.includes(old))",
        arg=before.split("Site PUE")[1].strip()[:5],
    )
    elapsed = time.monotonic() - pressed
    bound = record("pod_edit_rerender", elapsed, APP_POD_EDIT_S, artifacts)
    settle(page)
    assert_clean(page)
    assert elapsed <= bound, f"re-render took {elapsed:.2f} s"


def test_density_error_is_shown_next_to_the_table(page, artifacts):
    _edit_first_pod_rack_kw(page, "45")
    page.get_by_text("exceeds the air cooling limit").wait_for()
    settle(page)
    shoot(page, artifacts, "7-halls-density-error")
    text = main_text(page)
    assert "pod 'air-20kW'" in text and "A typical year" in text  # the others stay shown
    assert "Internal error" not in text
    _edit_first_pod_rack_kw(page, "20")
    page.get_by_text("Every pod is within").wait_for()
    settle(page)
    page.keyboard.press("Escape")  # the grid's selection off, the pointer out of the way
    page.mouse.click(120, 860)
    page.set_viewport_size({"width": 1440, "height": 1300})  # the README's screenshot
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "readme-halls.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def _set_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


def test_run_an_optimisation(page, artifacts):
    nav(page, "Workload and schedule")
    _set_number(page, "Horizon [h]", "48")
    _set_number(page, "Jobs", "4")
    _set_number(page, "Solver time limit [s]", "3")
    page.get_by_role("button", name="Run the schedule").click()
    page.get_by_text(re.compile(r"Done in \d")).wait_for(timeout=90_000)
    settle(page)
    page.get_by_text("Solver status").wait_for()
    page.locator(".js-plotly-plot").nth(2).wait_for()  # schedules, Gantt, power
    text = main_text(page)
    assert "Cost saving vs ASAP" in text and "Jobs by pod" in text
    assert re.search(r"Gap\s+(\d+\.\d\d%|–)", text)
    page.get_by_role("button", name="Compute the curve").click()
    # the curve's own chart and table (waiting for any table caught the spinner)
    page.locator(".st-key-pareto_chart .js-plotly-plot").wait_for(timeout=120_000)
    page.get_by_text(re.compile(r"\d+ jobs within the first \d+ h")).wait_for()
    settle(page, 120_000)
    shoot(page, artifacts, "8-workload-run")
    assert_clean(page)


def test_compare_variants(page, artifacts):
    nav(page, "Compare")
    page.get_by_role("button", name="Compare", exact=True).click()
    page.locator(".st-key-compare_table table").wait_for(timeout=60_000)
    settle(page)
    page.locator(".js-plotly-plot").first.wait_for()
    shoot(page, artifacts, "9-compare")
    assert_clean(page)


def _download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    return info.value.path().read_bytes()


def test_download_reports_and_the_scenario(page, artifacts):
    nav(page, "Report")
    toml = _download(page, "Download the scenario TOML")
    data = tomllib.loads(toml.decode())
    assert data["horizon"]["hours"] == 48 and data["pods"][0]["rack_kw"] == 20
    page.get_by_role("button", name="Create the reports").click()
    page.get_by_role("button", name="Download PDF").wait_for(timeout=120_000)
    settle(page)
    shoot(page, artifacts, "10-report")
    assert_clean(page)
    pdf = _download(page, "Download PDF")
    html = _download(page, "Download HTML")
    xlsx = _download(page, "Download Excel (XLSX)")
    assert pdf.startswith(b"%PDF")
    assert b"<html" in html[:2000].lower()
    assert zipfile.is_zipfile(BytesIO(xlsx))
    for name, content in (("report.pdf", pdf), ("report.html", html), ("report.xlsx", xlsx)):
        (artifacts / name).write_bytes(content)

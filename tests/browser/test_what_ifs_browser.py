"""What-ifs in headless Chromium (issue 17 item 3): a planner switches the climate and sets
the carbon price with the keyboard on the Site page, finds the same pods on the Halls page
with the new climate's design-day peak, and edits a pod's utilisation in the pods table
with the mouse and keyboard. Screenshots at a 1280 px wide window in
test-artifacts/browser/ (what-ifs-site-1280.png, what-ifs-halls-1280.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from scenarios import explore
from scenarios.library import example_data
from tests.browser.harness import sidebar_link
from tests.browser.test_app_browser import assert_clean, main_text, settle

pytestmark = pytest.mark.browser

#: The window the issue asks the pages to be readable in [px].
WIDTH_PX = 1280
PODS = [p["name"] for p in example_data("default")["pods"]]


def _shoot_1280(page, artifacts, name: str) -> None:
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollHeight), 900)"
    )
    page.set_viewport_size({"width": WIDTH_PX, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTH_PX, "height": 900})


#: How long a rerun's stale copy of a widget may stay on a loaded machine [ms] (the rerun
#: re-simulates the year; 5 s was seen to be too short with two test workers on 2 cores).
STALE_MS = 30_000


def _only(page, label: str):
    """The widget labelled ``label`` once the rerun's stale copy has left the page (only
    among the elements Streamlit has not marked stale: under CI load a stale copy stayed
    over 30 s and made a later expect see two)."""
    field = page.locator("[data-stale='false']").get_by_label(label, exact=True)
    expect(field).to_have_count(1, timeout=STALE_MS)
    return field


def _table_text(page, row: str) -> str:
    """The text of the table (st.dataframe) holding ``row``."""
    grid = page.locator("[data-testid='stDataFrame']").filter(has_text=row)
    expect(grid).to_have_count(1, timeout=STALE_MS)
    return grid.text_content()


def test_switch_the_site_set_a_control_and_keep_the_pods(page, artifacts):
    page.set_viewport_size({"width": WIDTH_PX, "height": 900})
    climate = page.get_by_role("combobox", name=re.compile("^Climate"))
    climate.click()
    page.keyboard.type("Miami")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_text("Climate: Miami FL (TMY2). Halls, pods, workload and assets kept.").wait_for()
    page.get_by_text("America/New_York", exact=True).wait_for()  # the site's facts
    price = _only(page, "Carbon price [CNY/t CO₂]")
    price.fill("120")
    price.press("Enter")
    settle(page)
    expect(_only(page, "Carbon price [CNY/t CO₂]")).to_have_value("120", timeout=STALE_MS)
    charts = page.locator("[data-testid='stVegaLiteChart']")  # climate, carbon, price
    expect(charts).to_have_count(3, timeout=STALE_MS)
    charts.nth(2).locator("canvas, svg").first.wait_for()
    _shoot_1280(page, artifacts, "what-ifs-site-1280")
    assert_clean(page)

    sidebar_link(page, "Halls and cooling").click()
    page.get_by_text("A typical year").first.wait_for()
    settle(page)
    design = explore.design_conditions(explore.load_weather("miami"))
    heading = (f"Design-day peak at full IT load (ASHRAE 0.4 % conditions: "
               f"{design['dry_bulb_0p4_c']:.1f} °C dry-bulb, "
               f"{design['wet_bulb_0p4_c']:.1f} °C wet-bulb)")  # fmt: skip
    page.get_by_role("heading", name=heading).wait_for()
    peak = _table_text(page, "facility power [kW]")
    assert peak.startswith("".join(PODS) + "site")  # the same pods, in order
    year_before = _table_text(page, "IT energy [MWh]")

    # the first pod's utilisation: a click on its row, four cells to the right, type (again
    # if the click landed before the grid had settled: seen once under CI load). The
    # editor must hold the utilisation's 0.3 before it is typed over: under CI load a lost
    # arrow key once opened kW/rack instead, and the typed value broke the scenario
    grid = page.locator("[data-testid='stDataFrame']").first
    for _attempt in range(4):
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # first row, pod column
        for _ in range(4):
            page.keyboard.press("ArrowRight")  # cooling, racks, kW/rack, utilisation
            page.wait_for_timeout(100)
        page.keyboard.press("Enter")
        editor = page.locator("input.gdg-input")
        try:
            editor.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            settle(page)
            continue
        if editor.input_value() != "0.3":  # not the utilisation cell: leave it as it was
            page.keyboard.press("Escape")
            settle(page)
            continue
        editor.fill("0.8")
        editor.press("Enter")
        settle(page)
        if "air-20kWair20200.8" in (grid.text_content() or ""):
            break
    # a new year is simulated (and the options re-priced): allow for a loaded machine
    expect(page.locator("[data-testid='stDataFrame']").filter(has_text="IT energy [MWh]")
           ).not_to_have_text(year_before, timeout=60_000)  # fmt: skip
    year_after = _table_text(page, "IT energy [MWh]")
    assert year_after.startswith("".join(PODS))  # still the same pods
    assert _table_text(page, "facility power [kW]") == peak  # full load either way
    # the table's accessible text: pod, cooling, racks, kW/rack, utilisation, ..., economizer
    assert "air-20kWair20200.8water_side" in grid.text_content()
    _shoot_1280(page, artifacts, "what-ifs-halls-1280")
    assert_clean(page)
    assert "Design-day peak at full IT load" in main_text(page)

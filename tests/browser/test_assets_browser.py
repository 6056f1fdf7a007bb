"""Storage and on-site power in headless Chromium: a planner sets a battery and PV with the
Workload page's controls, runs a short scenario, and finds the asset indicators and the
state-of-charge chart (screenshots in test-artifacts/browser/)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.harness import sidebar_link
from tests.browser.test_app_browser import assert_clean, main_text, settle, shoot


def _set(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


def _slide(page, label: str, steps: int) -> None:
    """Move a slider from 0 by ``steps`` steps with the keyboard, as a planner can."""
    thumb = page.get_by_role("slider", name=label)
    thumb.focus()
    thumb.press("Home")
    for _ in range(steps):
        thumb.press("ArrowRight")
    settle(page)


def test_a_battery_and_pv_set_with_the_controls_show_in_the_run(page, artifacts):
    sidebar_link(page, "Workload and schedule").click()
    page.get_by_role("heading", name="Storage and on-site power").wait_for()
    settle(page)
    for label, value in (("Horizon [h]", "24"), ("Jobs", "2"), ("Solver time limit [s]", "3")):
        _set(page, label, value)
    # sliders scaled to the default hall's 1,700 kW of IT: steps of 500 kWh, 200 kW, 500 kWp
    for label, steps in (("Battery energy [kWh]", 4), ("Battery power [kW]", 2),
                         ("PV size [kWp]", 6)):  # fmt: skip
        _slide(page, label, steps)
    thumb = page.get_by_role("slider", name="Battery energy [kWh]")
    assert thumb.get_attribute("aria-valuetext") == "2000"
    page.get_by_text(re.compile(r"PV: [\d.,]+ MWh over the 24 h horizon")).wait_for()
    shoot(page, artifacts, "11-workload-assets-controls")
    page.get_by_role("button", name="Run the schedule").click()
    page.get_by_text(re.compile(r"Done in \d")).wait_for(timeout=120_000)
    settle(page)
    soc = page.locator(".st-key-soc_chart .js-plotly-plot")
    soc.wait_for()
    titles = soc.locator(".annotation-text").all_text_contents()
    assert titles == ["Battery state of charge", "Energy price [CNY/kWh]"]  # no tank
    page.locator(".st-key-supply_chart .js-plotly-plot").wait_for()
    table = page.locator("[data-testid='stDataFrame']").filter(has_text="Peak grid import")
    expect(table).to_have_count(1)  # waits: under load the table may come after the charts
    cells = table.inner_text() or table.text_content()
    for row in ("Grid import", "On-site generation", "Battery throughput", "Export revenue"):
        assert row in cells, row
    assert "Cold storage shifted" not in cells  # no tank, no row
    assert "Storage and on-site power" in main_text(page)
    shoot(page, artifacts, "12-workload-assets-results")
    assert_clean(page)

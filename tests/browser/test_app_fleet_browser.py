"""The Fleet page in headless Chromium: a planner opens it, sees the east-west fleet's
sites, runs it with a short time limit, and finds the map (drawn, with the sites' circles
and the moved work's arcs), the per-site table against the PUE targets and the flows
(screenshots in test-artifacts/browser/13-fleet-*.png)."""

from __future__ import annotations

import io
import re

from tests.browser.harness import sidebar_link
from tests.browser.test_app_browser import assert_clean, main_text, settle, shoot

#: The map's colours (ui.fleet_map): a site's circle, the home end of an arc [r, g, b].
SITE_RGB = (76, 120, 168)
HOME_RGB = (245, 133, 24)


def _pixels_near(png: bytes, rgb: tuple[int, int, int], tolerance: int = 30) -> int:
    """How many pixels of a screenshot are within ``tolerance`` of ``rgb`` in each channel."""
    import numpy as np
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(image - np.array(rgb)).max(axis=2) <= tolerance).sum())


def _table_text(page, has_text: str) -> str:
    table = page.locator("[data-testid='stDataFrame']").filter(has_text=has_text)
    table.wait_for()
    return table.inner_text() or table.text_content()


def test_a_planner_runs_the_east_west_fleet(page, artifacts):
    sidebar_link(page, "Fleet").click()
    page.get_by_role("heading", name="Fleet", level=1).wait_for()
    page.get_by_text(re.compile(r"4 sites, 60 generated jobs")).wait_for()
    settle(page)
    sites = _table_text(page, "hub-chengdu")
    for name in ("beijing", "shanghai", "chengdu", "urumqi", "cold plate 45"):
        assert name in sites, name
    shoot(page, artifacts, "13-fleet-sites")
    assert_clean(page)

    # an uploaded fleet naming a file on the server: one message, nothing read
    page.get_by_text("Upload a fleet TOML").click()
    settle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files=[{
        "name": "mine.toml", "mimeType": "application/toml",
        "buffer": b'name = "mine"\n[[sites]]\nname = "a"\nscenario = "/etc/passwd"\n'}])
    page.get_by_text("Cannot load the uploaded fleet").wait_for()
    settle(page)
    assert "not a built-in scenario" in main_text(page)
    shoot(page, artifacts, "13-fleet-bad-upload")
    assert_clean(page)
    page.get_by_text("Built-in fleet", exact=True).first.click()
    page.get_by_text(re.compile(r"4 sites, 60 generated jobs")).wait_for()
    settle(page)

    box = page.get_by_label("Solver time limit [s]", exact=True)
    box.fill("2")
    box.press("Enter")
    settle(page)
    page.get_by_role("button", name="Run the fleet").click()
    page.get_by_text(re.compile(r"Done in \d")).wait_for(timeout=120_000)
    settle(page)

    text = main_text(page)
    for label in ("Moved jobs", "Moved compute", "Data moved",
                  "Cost saving vs ASAP at home", "Cost saving vs cheapest site"):
        assert label in text, label
    assert re.search(r"Moved jobs\s+\d+ of 60", text)

    deck = page.locator("[data-testid='stDeckGlJsonChart']")
    deck.locator("canvas").first.wait_for()
    page.wait_for_timeout(1500)  # the first frame of the WebGL canvas
    drawn = deck.screenshot()
    (artifacts / "13-fleet-map.png").write_bytes(drawn)
    assert _pixels_near(drawn, SITE_RGB) > 500, "no site circle on the map"
    assert _pixels_near(drawn, HOME_RGB) > 100, "no arc or home ring on the map"

    kpis = _table_text(page, "PUE against target")
    for name in ("beijing", "shanghai", "chengdu", "urumqi"):
        assert name in kpis, name
    assert re.search(r"(met|MISSED) \(1\.\d{3} [≤>] 1\.2", kpis)
    flows = _table_text(page, "ran at")
    assert "urumqi" in flows and "beijing" in flows
    page.locator(".st-key-fleet_levers .js-plotly-plot").wait_for()
    shoot(page, artifacts, "14-fleet-results")
    assert_clean(page)

    # the result stays when the planner looks at another page and comes back
    sidebar_link(page, "Compare").click()
    page.get_by_role("heading", name="Compare", level=1).wait_for()
    settle(page)
    sidebar_link(page, "Fleet").click()
    page.get_by_role("heading", name="Results: east-west").wait_for()
    settle(page)
    deck.locator("canvas").first.wait_for()

"""The Compare page in headless Chromium at a 1280-px-wide window: the default selection
plus three built-in scenarios (six runs, two currencies) runs, and the table fits the
page with no horizontal scrollbar (screenshot in test-artifacts/browser/)."""

from __future__ import annotations

import re

from tests.browser.harness import sidebar_link
from tests.browser.test_app_browser import assert_clean, settle

#: A laptop window (issue 17: "more than two scenarios without horizontal scrolling").
WINDOW = {"width": 1280, "height": 900}
BUILT_INS = ("greensboro", "miami", "urumqi-solar-cold")
#: Elements of the table whose content is wider than they are (a horizontal scrollbar,
#: or content cut off) and how far the page itself scrolls sideways.
OVERFLOW = """() => {
  const box = document.querySelector('.st-key-compare_table');
  const wide = [box, ...box.querySelectorAll('*')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`);
  const table = box.querySelector('table').getBoundingClientRect();
  const main = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
  return {wide, tableRight: table.right, mainRight: main.right,
          pageSideways: document.documentElement.scrollWidth - window.innerWidth};
}"""


def _screenshot(page, path) -> None:
    """The whole page at the window's width (the main area scrolls inside the window)."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight), 900)'
    )
    page.set_viewport_size({"width": WINDOW["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(WINDOW)


def test_six_runs_fit_a_1280_px_window_without_scrolling_sideways(page, artifacts):
    page.set_viewport_size(WINDOW)
    sidebar_link(page, "Compare").click()
    page.get_by_role("heading", name="Compare", level=1).wait_for()
    settle(page)
    variants = page.locator(".st-key-compare_variants")
    for chosen in ("as edited", "all pods cold plate", "all pods immersion"):  # the default
        variants.get_by_text(chosen, exact=True).wait_for()
    assert variants.get_by_text("all pods air", exact=True).count() == 0  # cannot run
    for name in BUILT_INS:
        page.locator(".st-key-compare_builtins input").click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        settle(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Compare", exact=True).click()
    table = page.locator(".st-key-compare_table table")
    table.wait_for(timeout=120_000)
    settle(page, 120_000)
    headers = table.locator("thead th").all_inner_texts()
    assert len(headers) == 1 + 3 + len(BUILT_INS), headers
    rows = table.locator("tbody tr th").all_inner_texts()
    assert "Total cost [CNY]" in rows and "Carbon, location-based [tCO2]" in rows
    assert not [r for r in rows if "[USD" in r]  # converted: one currency in the table
    page.get_by_text(re.compile(r"Money converted into CNY at 1 USD = 7\.1884 CNY \(.*2024-12-31"))\
        .wait_for()
    overflow = page.evaluate(OVERFLOW)
    assert overflow["wide"] == [], overflow
    assert overflow["tableRight"] <= overflow["mainRight"] + 1, overflow
    assert overflow["pageSideways"] <= 0, overflow
    path = artifacts / "compare-1280.png"
    _screenshot(page, path)
    assert path.stat().st_size > 10_000
    assert_clean(page)

"""Labels a planner reads whole at a 1280 px window (issue 17: screenshots looked at and
fixed): on the Site page no metric or widget label is cut off with an ellipsis (the four
climate figures were "Wet-bulb 0.4…" and "Wet-bulb < 1…" in a column of their own, the
map toggle's label ran out of its column)."""

from __future__ import annotations

from tests.browser.harness import sidebar_link
from tests.browser.test_app_browser import assert_clean, settle

WINDOW = {"width": 1280, "height": 900}
#: Labels whose text is wider than the box that shows it (cut off), with their text.
CUT = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stWidgetLabel"]')]
  .flatMap(label => [label, ...label.querySelectorAll('*')])
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
  .map(e => e.innerText.trim())
  .filter(t => t)"""


def test_site_labels_show_whole_at_1280_px(page):
    page.set_viewport_size(WINDOW)
    sidebar_link(page, "Site").click()
    page.get_by_text("Wet-bulb < 10 °C").wait_for()
    settle(page)
    page.wait_for_timeout(500)  # widths settle after the script ends
    assert page.evaluate(CUT) == []
    assert_clean(page)

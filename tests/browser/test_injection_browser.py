"""Hostile text drawn by Streamlit's own front end in Debian's Chromium: escaped through
the app's message builders it is shown as written and makes no link, image, script,
formatting or request to another server; unescaped (the control on the same page) the
same Markdown and chart do make links and an image, so the check can see them.

The page is tests/security/injection_page.py, served with ``streamlit run``.
"""

from __future__ import annotations

import pytest

from tests.browser.harness import REPO_DIR, app_server, browser_context
from tests.security.hostile import FIELDS, FORMULAS, MARKUP
from ui.tables import WORD_JOINER

# a trust check (tests/security holds the others): ``pytest -m security`` runs it too; in
# tests/browser because Playwright's sync driver is one per process (the session's)
pytestmark = pytest.mark.security

PAGE = str(REPO_DIR / "tests" / "security" / "injection_page.py")
#: What escaped text must never turn into, inside the page's main area.
ACTIVE = "a, img, script, svg a, iframe, code, em, del, h1, h2, h3, blockquote, .katex"


@pytest.fixture(scope="module")
def shown(tmp_path_factory, driver):
    """(page, outside requests) once the page is drawn (in its own browser profile)."""
    log = tmp_path_factory.mktemp("browser") / "streamlit.log"
    with app_server(log, script=PAGE) as (url, _), browser_context(driver) as ctx:
        page = ctx.new_page()
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)
        page.goto(url)
        page.get_by_text("INJECTION-PAGE-END").wait_for(timeout=60_000)
        page.locator(".st-key-escaped .js-plotly-plot .xtick").first.wait_for(timeout=30_000)
        page.locator(".st-key-raw img").first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(1000)
        yield page, outside
        page.close()


def test_escaped_text_renders_as_text_only(shown):
    page, _ = shown
    escaped = page.locator(".st-key-escaped")
    for selector in ACTIVE.split(", "):
        assert escaped.locator(selector).count() == 0, selector
    text = escaped.inner_text().replace(WORD_JOINER, "")
    flat = " ".join(text.split())
    for hostile in [*MARKUP, *FORMULAS, *FIELDS.values()]:
        assert " ".join(hostile.split()) in flat, hostile  # shown as written
    labels = escaped.locator(".js-plotly-plot svg text").all_text_contents()
    assert '<a href="https://evil.example/chart">link</a> <b>bold</b>' in labels


def test_the_unescaped_control_does_make_links_and_fetch(shown):
    page, outside = shown
    raw = page.locator(".st-key-raw")
    assert raw.locator("img").count() == 1 and raw.locator("a").count() >= 3
    assert raw.locator(".js-plotly-plot svg a").count() >= 1
    # the only request to another server is the control's image
    assert outside and all(u.startswith("https://evil.example/x.png") for u in outside), outside

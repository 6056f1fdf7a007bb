"""Browser tests: the app under `streamlit run`, driven by Debian's Chromium.

Without /usr/bin/chromium (or the playwright package) these tests skip with the reason,
unless COOLSHIFT_REQUIRE_BROWSER=1 (CI sets it), in which case they fail.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from tests.browser.harness import (
    ARTIFACTS_DIR,
    CHROMIUM,
    app_server,
    browser_context,
    playwright,
)


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser_ready():
    reason = _missing()
    if reason:
        if os.environ.get("COOLSHIFT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COOLSHIFT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def driver(browser_ready):
    """The Playwright driver every browser of the session is launched from."""
    with playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def context(driver):
    """One headless Chromium (fresh profile) for the session."""
    with browser_context(driver) as ctx:
        ctx.set_default_timeout(30_000)
        yield ctx


@pytest.fixture(scope="session")
def server(browser_ready, artifacts, context):
    """The app on a free loopback port: (url, seconds it took to answer its health check).

    Started after the browser, so the first-page measurement starts from a server that
    has just answered, as a user opening the app would meet it.
    """
    with app_server(artifacts / "streamlit.log") as started:
        yield started


@pytest.fixture(scope="module")
def page(context, server):
    """A tab of its own (a fresh app session) on the app's first page, ready; a module
    that measures the first page itself defines its own ``page``."""
    from tests.browser.test_app_browser import settle

    tab = context.new_page()
    url, _ = server
    tab.goto(url)
    tab.get_by_text("Wet-bulb < 10 °C").wait_for()
    settle(tab)
    yield tab
    tab.close()

"""Run the app with `streamlit run` on a free loopback port and drive it with Debian's
Chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_DIR / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Screen size of the screenshots (a laptop screen).
VIEWPORT = {"width": 1440, "height": 900}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout_s: float, process: subprocess.Popen | None = None) -> float:
    """Poll ``url/_stcore/health`` until it answers "ok"; returns the time it answered."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}/_stcore/health did not answer within {timeout_s} s")


@contextmanager
def app_server(log_path: Path, timeout_s: float = 60.0, script: str = "ui/server.py"):
    """``streamlit run SCRIPT`` on a free loopback port (default: the server ``make app``
    runs, which serves ``streamlit_app.py``).

    Yields
    ------
    (url, start_s)
        The app's URL and the seconds from launching the server to its health check's
        answer [s].
    """
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        launched = time.monotonic()
        process = subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            yield url, wait_healthy(url, timeout_s, process) - launched
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def playwright():
    """A Playwright driver (one per process: its sync API cannot be nested)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@contextmanager
def browser_context(pw):
    """A headless Debian Chromium with a fresh profile, as a Playwright context of the
    driver ``pw`` (see :func:`playwright`)."""
    with tempfile.TemporaryDirectory(prefix="coolshift-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=VIEWPORT,
            accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


def sidebar_link(page, title: str):
    """The sidebar's link to page ``title`` (a page may also link to another in its text)."""
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)

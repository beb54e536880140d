"""Real-browser fixtures: a Streamlit server on a free port and Debian's Chromium driven by Playwright.

The tests skip (with the reason) where no Chromium is installed; CI installs it (.ci/run).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.harness import ARTIFACTS, CHROMIUM_ARGS, AppServer, chromium_path


@pytest.fixture(scope="session")
def browser():
    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium found (apt-get install chromium; CI's .ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_server(request) -> Iterator[AppServer]:
    source = getattr(request.module, "APP_SOURCE", "karate")
    server = AppServer(source)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    yield pg
    context.close()

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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test in teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh 1600 x 1100 page; a failed test leaves its screenshot and server log in ARTIFACTS."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _keep_failure(request, pg)
    context.close()


def _keep_failure(request, pg) -> None:
    """What a failed browser test saw (screenshot) and what its app server printed (log)."""
    name = request.node.name
    try:
        pg.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
    except Exception as exc:  # noqa: BLE001 (the page may be gone; the test's own error matters)
        print(f"no screenshot of the failed page: {exc}")
    for fixture in request.fixturenames:
        server = request.getfixturevalue(fixture) if fixture.endswith("server") else None
        if isinstance(server, AppServer):
            (ARTIFACTS / f"failed-{name}.log").write_text(server.output(20_000))

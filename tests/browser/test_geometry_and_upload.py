"""3D & sphere page and uploads in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
APP_SOURCE = "fsaverage5-left"
WAIT_MS = 90_000


def test_vertex_picked_on_sphere_map_lights_up_in_3d(app_server, page):
    page.goto(f"{app_server.url}/geometry")
    page.wait_for_function(f"({CHART_COUNT})() >= 2", timeout=WAIT_MS)
    page.wait_for_function(f"({NODE_POSITION})([1, 0]) !== null", timeout=WAIT_MS)
    pos = page.evaluate(NODE_POSITION, [1, 100])
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(f"(({FOCUS_IDS})(0) || [])[0] === 100", timeout=WAIT_MS)  # the 3D view
    page.wait_for_function(f"(({FOCUS_IDS})(1) || [])[0] === 100", timeout=WAIT_MS)  # the map
    page.get_by_role("heading", name="Node 100").wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "geometry_pick.png"), full_page=True)


def upload_bad_file(page, url: str, path, content: bytes):
    """Open the app, upload ``content`` as ``path`` and press Load file; the error's alert."""
    page.goto(url)
    page.get_by_text("fsaverage5 left hemisphere").first.wait_for(timeout=WAIT_MS)
    page.get_by_role("radiogroup").get_by_text(
        "Upload", exact=True
    ).click()  # not the session uploader's button
    path.write_bytes(content)
    data_uploader = page.get_by_test_id("stFileUploader").filter(has_text="Graph, mesh, surface or panorama")
    data_uploader.locator("input[type=file]").set_input_files(str(path))  # not "Open session"
    page.get_by_role("button", name="Load file", exact=True).click()
    alert = page.get_by_role("alert").filter(has_text=path.name)
    alert.wait_for(timeout=WAIT_MS)
    return alert


def test_bad_upload_shows_one_line_and_keeps_the_surface(app_server, page, tmp_path):
    truncated_ply = b"ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\n"
    alert = upload_bad_file(page, app_server.url, tmp_path / "scan.ply", truncated_ply)
    assert "Traceback" not in page.content()
    message = alert.get_by_test_id("stMarkdownContainer").inner_text().strip()
    assert message.startswith("scan.ply") and "\n" not in message
    # the previous sample is still loaded
    assert page.get_by_text("cortex · 10,242 nodes").count() >= 1


def test_an_upload_error_shows_where_the_user_is_looking(app_server, browser, tmp_path):
    # Issue 17: a bad PNG's error appeared at y ~ 1012 in a 1000-px window, below the Load
    # button, the icosphere slider and the list of formats: it must be in view after the click.
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        alert = upload_bad_file(page, app_server.url, tmp_path / "room.png", b"\x89PNG\r\n\x1a\n truncated")
        box = alert.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1000, box
        assert "Traceback" not in page.content()
    finally:
        context.close()

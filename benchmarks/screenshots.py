"""Screenshots of the running app for the README (assets/screenshots/*.png).

Starts the app on built-in samples, clicks a node where a page has one to show the linked
selection, and saves what headless Chromium shows.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.harness import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION  # noqa: E402

OUT = REPO / "assets" / "screenshots"
WAIT_MS = 180_000

# (file name, sample, page path, chart to click or None, node to click)
SHOTS = [
    ("home.png", "les-miserables", "", None, None),
    ("explorer.png", "les-miserables", "explorer", 0, 11),
    ("explorer-sbm.png", "sbm", "explorer", 1, 320),
    ("geometry-cortex.png", "fsaverage5-left", "geometry", 1, 2000),
    ("geometry-room.png", "room", "geometry", 1, 4000),
    ("attention.png", "karate", "attention", 0, 0),
    ("explanations.png", "ba-shapes", "explanations", 0, 400),
    ("oversmoothing.png", "cora", "oversmoothing", None, None),
    ("registration.png", "karate", "registration", None, None),
    ("timeseries.png", "graph-var", "timeseries", 0, 7),
    ("skeletons.png", "skeleton-walk", "skeletons", 0, 16),
    ("panoramas.png", "room", "panoramas", 0, 1500),
    ("meshes.png", "airplane", "meshes", None, None),
]
#: Pages whose first screen needs more than the charts drawing: what to wait for or press.
CHARTS_BEFORE_SHOT = {"oversmoothing": 4, "registration": 4, "meshes": 5}


def prepare(page, path: str) -> None:
    """Bring a page without a click target to the state the README shows."""
    if path == "registration":
        page.wait_for_function(f"({CHART_COUNT})() >= 3", timeout=WAIT_MS)
        page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_function(f"({CHART_COUNT})() >= {CHARTS_BEFORE_SHOT[path]}", timeout=WAIT_MS)


def shoot(browser, name: str, source: str, path: str, chart: int | None, node: int | None) -> None:
    # Cora (the over-smoothing shot) comes from the shared reference data when it is there.
    planetoid = REPO.parent / "shared" / "data" / "planetoid"
    server = AppServer(source, env={"NODESCOPE_DATA_DIR": str(planetoid)} if planetoid.is_dir() else None)
    try:
        server.wait_healthy()
        page = browser.new_page(viewport={"width": 1500, "height": 1050})
        page.goto(f"{server.url}/{path}")
        if path in CHARTS_BEFORE_SHOT:
            prepare(page, path)
        elif chart is None:
            page.get_by_role("heading", name="Nodescope").wait_for(timeout=WAIT_MS)
        else:
            page.wait_for_function(f"({CHART_COUNT})() >= 2", timeout=WAIT_MS)
            page.wait_for_function(f"({NODE_POSITION})([{chart}, {node}]) !== null", timeout=WAIT_MS)
            pos = page.evaluate(NODE_POSITION, [chart, node])
            page.mouse.click(pos["x"], pos["y"])
            # points may overlap: whichever node the click hit, the linked views show it
            page.wait_for_function(f"(({FOCUS_IDS})(0) || [])[0] !== undefined", timeout=WAIT_MS)
            page.mouse.move(5, 5)  # no hover label in the picture
        time.sleep(3)  # let WebGL and the 3D scene finish drawing
        page.screenshot(path=str(OUT / name))
        page.close()
        print("saved", OUT / name)
    finally:
        server.stop()


def main() -> None:
    only = set(sys.argv[1:])  # file names to retake (default: all)
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        for shot in SHOTS:
            if not only or shot[0] in only:
                shoot(browser, *shot)
        browser.close()


if __name__ == "__main__":
    main()

"""The app in a real browser (Debian's Chromium): cold start, click-to-update, first render.

- cold start: from launching `streamlit run` to the Home page drawn in the browser;
- click-to-update: a click on a node of a 3,000-node graph until the detail panel, the
  embedding view and the node-link view all show that node (timed in the page, see
  :func:`click_to_update`);
- first render: opening the Explorer on 10k- and 100k-node graphs until the node-link view
  has its points (layout + transfer + WebGL draw), with an empty layout cache.

Writes benchmarks/results/app.json. Medians; one machine, one run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import summarise, write  # noqa: E402

from tests.browser.harness import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION  # noqa: E402

TIMEOUT_MS = 300_000


def random_graph_csv(folder: Path, n: int, avg_degree: int, seed: int = 0) -> Path:
    """A graph with community structure (n/100 blocks) written as an edge list."""
    rng = np.random.default_rng(seed)
    m = n * avg_degree // 2
    src = rng.integers(0, n, m)
    same = rng.random(m) < 0.8  # 80 % of edges inside a block of 100 consecutive ids
    dst = np.where(same, (src // 100) * 100 + rng.integers(0, 100, m), rng.integers(0, n, m))
    dst = np.minimum(dst, n - 1)
    path = folder / f"graph_{n}.csv"
    np.savetxt(path, np.stack([src, dst], 1), fmt="%d", delimiter=",")
    return path


def cold_start(browser, repeats: int = 3) -> dict:
    health, page_drawn, sidebar_ready = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            server = AppServer("les-miserables", env={"HOME": home})
            try:
                health.append(server.wait_healthy())
                page = browser.new_page()
                page.goto(server.url)
                page.get_by_role("heading", name="Nodescope").wait_for(timeout=TIMEOUT_MS)
                page_drawn.append(time.perf_counter() - server.started)
                page.get_by_text("Device:").wait_for(timeout=TIMEOUT_MS)  # sample loaded, sidebar drawn
                sidebar_ready.append(time.perf_counter() - server.started)
                page.close()
            finally:
                server.stop()
    return {
        "to_health_ok": summarise(health),
        "to_home_page_drawn": summarise(page_drawn),
        "to_sidebar_with_sample_ready": summarise(sidebar_ready),
    }


def open_explorer(page, url: str) -> float:
    t0 = time.perf_counter()
    page.goto(f"{url}/explorer")
    page.wait_for_function(f"({CHART_COUNT})() >= 2", timeout=TIMEOUT_MS)
    page.wait_for_function(f"({NODE_POSITION})([0, 0]) !== null", timeout=TIMEOUT_MS, polling=50)
    return time.perf_counter() - t0


#: Armed before a click: from the mousedown to the first animation frame in which both charts'
#: focus marks and the detail panel's heading show the same new node (not ``previous``), timed
#: in the page itself; the result lands in ``window.__clickToUpdate`` as {ms, focus}.
CLICK_TIMER = f"""(previous) => {{
  const focus = {FOCUS_IDS};
  window.__clickToUpdate = null;
  document.addEventListener('mousedown', () => {{
    const t0 = performance.now();
    const check = () => {{
      const a = (focus(0) || [])[0], b = (focus(1) || [])[0];
      const shown = a !== undefined && a === b && a !== previous &&
        Array.from(document.querySelectorAll('h4'), h => h.textContent.trim()).includes(`Node ${{a}}`);
      if (shown) window.__clickToUpdate = {{ms: performance.now() - t0, focus: a}};
      else if (performance.now() - t0 < 15000) requestAnimationFrame(check);
    }};
    requestAnimationFrame(check);
  }}, {{once: true, capture: true}});
}}"""


def click_to_update(browser, csv: Path, clicks: int = 12) -> dict:
    """Seconds from a click on a node to the frame showing it in both charts and the detail panel.

    Timed in the page (mousedown to that frame): Playwright's own round trips, which the
    wall-clock time from Python adds (``wall_s_incl_playwright``), are not the app's latency.
    Clicks are 0.5 s apart, so each starts with the previous rerun finished.
    """
    with tempfile.TemporaryDirectory() as home:
        server = AppServer(str(csv), env={"HOME": home})
        try:
            server.wait_healthy()
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            open_explorer(page, server.url)
            rng = np.random.default_rng(1)
            times, wall, previous, missed = [], [], None, 0
            for node in rng.choice(3000, clicks, replace=False).tolist():
                pos = page.evaluate(NODE_POSITION, [0, node])
                page.evaluate(CLICK_TIMER, previous)
                t0 = time.perf_counter()
                page.mouse.click(pos["x"], pos["y"])
                # Points overlap in a dense layout, so the click may hit a neighbour of `node`:
                # the timer waits for a new focus, whichever node it is.
                try:
                    page.wait_for_function("window.__clickToUpdate !== null", timeout=20_000, polling="raf")
                except PlaywrightTimeout:
                    missed += 1  # the click landed on the previous focus marker or on empty space
                    continue
                wall.append(time.perf_counter() - t0)
                result = page.evaluate("window.__clickToUpdate")
                times.append(result["ms"] / 1000)
                previous = result["focus"]
                time.sleep(0.5)
            page.close()
        finally:
            server.stop()
    return {
        **summarise(times),
        "wall_s_incl_playwright": summarise(wall),
        "clicks_without_a_new_focus": missed,
    }


def first_render(browser, csv: Path) -> dict:
    with tempfile.TemporaryDirectory() as home:
        server = AppServer(str(csv), env={"HOME": home})
        try:
            server.wait_healthy()
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            cold = open_explorer(page, server.url)
            warm = open_explorer(page, server.url)  # layout now cached
            page.close()
        finally:
            server.stop()
    return {"cold_layout_s": cold, "cached_layout_s": warm}


def main() -> None:
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results["cold_start"] = cold_start(browser)
        results["click_to_update_3k_nodes"] = click_to_update(browser, random_graph_csv(Path(tmp), 3000, 8))
        for n in (10_000, 100_000):
            results[f"explorer_first_render_{n // 1000}k_nodes"] = first_render(
                browser, random_graph_csv(Path(tmp), n, 10)
            )
        browser.close()
    write("app", {"what": "app timings in headless Chromium (seconds)", "results": results})


if __name__ == "__main__":
    main()

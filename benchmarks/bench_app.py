"""The app in a real browser (Debian's Chromium): start-up, cold start, click-to-update, first render.

- start to usable: from launching `nodescope app --headless` (the real command) to the
  Explorer page drawn in the browser with the loaded sample (node-link and embedding views
  with their points, the sidebar with the sample);
- cold start: from launching `streamlit run` to the Home page drawn in the browser;
- click-to-update: a click on a node of a 3,000-node graph until the detail panel, the
  embedding view and the node-link view all show that node (timed in the page, see
  :func:`click_to_update`);
- first render: opening the Explorer on 10k- and 100k-node graphs until the node-link view
  has its points (layout + transfer + WebGL draw), with an empty layout cache.

Writes benchmarks/results/app.json. Medians; one machine, one run.
``python benchmarks/bench_app.py start_to_usable`` runs only the measures named and keeps the
others' last results in app.json. ``--baseline DIR`` also times another checkout's start-up
(``PYTHONPATH=DIR``, where ``DIR/nodescope`` is the checkout) in the same run, alternating with
this one's launches, for a before/after comparison under the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import RESULTS, summarize, write
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# The browser harness is shared with tests/browser, which is not a package: import it from its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from harness import CHROMIUM_ARGS, AppServer, chromium_path, free_port  # noqa: E402
from plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION  # noqa: E402

TIMEOUT_MS = 300_000
#: The installed ``nodescope`` command beside this Python (the virtual environment's).
NODESCOPE = Path(sys.executable).with_name("nodescope")


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Poll /_stcore/health every 20 ms until it answers ok."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`nodescope app` exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError("`nodescope app` did not become healthy")


def _launched(
    path: str, browser, marks: dict[str, Callable[[object], None]], pythonpath: str | None = None
) -> dict[str, float]:
    """Launch ``nodescope app --headless``, open ``path`` once healthy, time each mark in order.

    A cold start: a fresh process and an empty home folder (no Streamlit disk cache), no
    ``NODESCOPE_*`` settings (the default sample). ``pythonpath``: the checkout to run (see
    ``--baseline``; default: the installed one). Returns seconds from the launch to the
    health check and to each mark (a function waiting on the page).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NODESCOPE_")} | {"HOME": home}
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(NODESCOPE), "app", "--headless", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(url, proc)
            times = {"health_ok": time.perf_counter() - started}
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(url + path)
            for name, wait in marks.items():
                wait(page)
                times[name] = time.perf_counter() - started
            page.close()
        finally:
            proc.send_signal(signal.SIGTERM)  # `nodescope app` passes it on to the server
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return times


def _explorer_drawn(page) -> None:
    """Both charts have their node points and the sidebar names the sample and the device."""
    for chart in (0, 1):
        page.wait_for_function(f"({NODE_POSITION})([{chart}, 0]) !== null", timeout=TIMEOUT_MS, polling=50)
    page.get_by_text("Device:").wait_for(timeout=TIMEOUT_MS)


_HOME_MARKS: dict[str, Callable[[object], None]] = {
    "home_drawn": lambda p: p.get_by_role("heading", name="Nodescope").wait_for(timeout=TIMEOUT_MS),
    "sidebar_with_sample": lambda p: p.get_by_text("Device:").wait_for(timeout=TIMEOUT_MS),
}


def _summary(explorer: list[dict[str, float]], home: list[dict[str, float]]) -> dict:
    return {
        "to_explorer_usable": summarize([r["explorer_drawn"] for r in explorer]),
        "to_health_ok": summarize([r["health_ok"] for r in explorer + home]),
        "to_home_page_drawn": summarize([r["home_drawn"] for r in home]),
        "to_home_sidebar_with_sample": summarize([r["sidebar_with_sample"] for r in home]),
    }


def start_to_usable(browser, repeats: int = 5, baseline: str | None = None) -> dict:
    """Seconds from launching ``nodescope app --headless`` to the app usable in the browser.

    Two cold starts per repeat, alternating: the browser opens ``/explorer`` as soon as the
    server's health check answers, and the clock stops when the Explorer is drawn (both charts
    with their points, the sidebar with the loaded sample and the device); or the browser opens
    the Home page and the clock stops at its heading and then at the sidebar with the sample.
    With ``baseline`` (a PYTHONPATH), each repeat also times that checkout's two starts, before
    this one's in odd repeats and after it in even ones; the medians' ratios compare them.
    The 1-minute load average before each launch is kept: the machine may be shared.
    """
    builds: dict[str, str | None] = {"this": None} | ({"baseline": baseline} if baseline else {})
    runs: dict[str, dict[str, list]] = {b: {"explorer": [], "home": []} for b in builds}
    load = []
    for i in range(repeats):
        for name in list(builds) if i % 2 == 0 else list(builds)[::-1]:
            load.append(os.getloadavg()[0])
            runs[name]["explorer"].append(
                _launched("/explorer", browser, {"explorer_drawn": _explorer_drawn}, builds[name])
            )
            load.append(os.getloadavg()[0])
            runs[name]["home"].append(_launched("/", browser, _HOME_MARKS, builds[name]))
    out = {
        "command": "nodescope app --headless (default sample); the browser opens once /_stcore/health is ok",
        **_summary(**runs["this"]),
    }
    if baseline:
        out["baseline"] = {"pythonpath": baseline, **_summary(**runs["baseline"])}
        out["ratio_to_baseline"] = {
            k: round(out[k]["median_s"] / out["baseline"][k]["median_s"], 3)
            for k in out["baseline"]
            if k != "pythonpath"
        }
    out["load_avg_1min_before_each_launch"] = [round(x, 2) for x in load]
    return out


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
        "to_health_ok": summarize(health),
        "to_home_page_drawn": summarize(page_drawn),
        "to_sidebar_with_sample_ready": summarize(sidebar_ready),
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
                # Points overlap in a dense layout, so the click may hit a neighbor of `node`:
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
        **summarize(times),
        "wall_s_incl_playwright": summarize(wall),
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


MEASURES = ("start_to_usable", "cold_start", "click_to_update", "first_render")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "measures", nargs="*", metavar="MEASURE", help=f"any of {', '.join(MEASURES)} (default: all)"
    )
    parser.add_argument("--baseline", help="PYTHONPATH of a checkout whose start-up to time alternately")
    parser.add_argument("--repeats", type=int, default=5, help="start_to_usable repeats (default 5)")
    options = parser.parse_args()
    wanted = options.measures or MEASURES
    if unknown := set(wanted) - set(MEASURES):
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    previous = RESULTS / "app.json"
    results: dict = json.loads(previous.read_text())["results"] if previous.is_file() else {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        if "start_to_usable" in wanted:
            results["start_to_usable"] = start_to_usable(browser, options.repeats, options.baseline)
        if "cold_start" in wanted:
            results["cold_start"] = cold_start(browser)
        if "click_to_update" in wanted:
            results["click_to_update_3k_nodes"] = click_to_update(
                browser, random_graph_csv(Path(tmp), 3000, 8)
            )
        if "first_render" in wanted:
            for n in (10_000, 100_000):
                results[f"explorer_first_render_{n // 1000}k_nodes"] = first_render(
                    browser, random_graph_csv(Path(tmp), n, 10)
                )
        browser.close()
    write("app", {"what": "app timings in headless Chromium (seconds)", "results": results})


if __name__ == "__main__":
    main()

"""Start the app and a headless Chromium: shared by the browser tests and benchmarks/.

Never call `playwright install`: it downloads a browser, which these machines cannot;
Debian's Chromium is launched instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from nodescope.cli.app import streamlit_command

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "browser" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("NODESCOPE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """The app's server as ``nodescope app --headless`` starts it (warm-up included), stopped on exit."""

    def __init__(self, source: str, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.started = time.perf_counter()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, NODESCOPE_SOURCE=source, PYTHONUNBUFFERED="1", **(env or {}))
        cmd = streamlit_command(self.port, headless=True)
        self._launch(cmd, env)

    def _launch(self, cmd: list[str], env: dict[str, str]) -> None:
        # A file, not a pipe: nobody reads the server's output while it runs, and a full pipe
        # (64 KB of warnings and log lines) would block the server mid-run.
        self.log = tempfile.NamedTemporaryFile(prefix="nodescope-server-", suffix=".log", delete=False)  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self, chars: int = 2000) -> str:
        """The last ``chars`` characters the server printed."""
        return Path(self.log.name).read_text(errors="replace")[-chars:]

    def wait_healthy(self, timeout: float = 90.0) -> float:
        """Seconds until /_stcore/health answers ok."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("streamlit did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def press_on_3d(page, chart: int, *, fx: float = 0.4, fy: float = 0.55) -> None:
    """Press and hold the mouse on a 3D view at ``(fx, fy)`` of its box (fractions from the top left).

    plotly reports a 3D click from its render loop, which must run while the button is down (a
    plain click is over before a software-GL frame); small moves first let the scene pick what
    lies under the pointer.
    """
    page.evaluate(
        f"document.querySelectorAll('.js-plotly-plot')[{chart}].scrollIntoView({{block: 'center'}})"
    )
    box = page.evaluate(
        f"(() => {{ const r = document.querySelectorAll('.js-plotly-plot')[{chart}]"
        ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
    )
    x, y = box[0] + fx * box[2], box[1] + fy * box[3]
    for dx in (0, 3, 6):
        page.mouse.move(x + dx, y + dx)
        page.wait_for_timeout(300)
    page.mouse.down()
    page.wait_for_timeout(500)
    page.mouse.up()

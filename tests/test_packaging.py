"""The installed wheel: one top-level name, ``nodescope``, that works without the repository.

The wheel is built from this checkout and unpacked into a temporary folder that is put first on
``PYTHONPATH``; commands then run from another folder, so neither the repository nor the editable
install can answer an import (a package found on ``sys.path`` wins over the editable finder).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        str(REPO),
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (path,) = out.glob("nodescope-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, str]:
    """An environment whose ``nodescope`` is the unpacked wheel (dependencies from this venv)."""
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site), NODESCOPE_HOME=str(site.parent / "home"))
    env["SITE"] = str(site)
    return env


def test_the_wheel_adds_one_import_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"nodescope", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert not any(
        n.startswith(("nodescope/tests/", "nodescope/benchmarks/", "nodescope/examples/")) for n in names
    )
    # Package data the app and the CLI read: shipped weights, sweeps, the registration network,
    # the page scripts and the plotly view's JavaScript.
    for needed in (
        "nodescope/assets/models/cora/gcn.safetensors",
        "nodescope/assets/models/karate/gat.json",
        "nodescope/assets/models/results.json",
        "nodescope/assets/sweeps/cora.json",
        "nodescope/assets/registration/sugar-ico4.safetensors",
        "nodescope/app/main.py",
        "nodescope/app/views/explorer.py",
        "nodescope/app/plotly_view/frontend/plotly_view.js",
        "nodescope/cli/main.py",
    ):
        assert needed in names, needed
    assert not any(n.startswith("nodescope/assets/screenshots/") for n in names)


def _run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_installed_package_works_from_anywhere(installed, tmp_path):
    proc = _run(installed, "-c", "import nodescope; print(nodescope.__file__)", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().startswith(installed["SITE"])
    proc = _run(installed, "-m", "nodescope.cli.main", "info", "karate", cwd=tmp_path)
    assert proc.returncode == 0 and "34" in proc.stdout, proc.stderr[-2000:]
    code = (
        "from nodescope.core.checkpoint import load_checkpoint, shipped_checkpoint\n"
        "path = shipped_checkpoint('karate', 'gcn')\n"
        "model, meta = load_checkpoint(path)\n"
        "print(path)\n"
    )
    proc = _run(installed, "-c", code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().startswith(installed["SITE"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nodescope_app_serves_and_stops_with_its_launcher(installed, tmp_path):
    port = _free_port()
    cmd = [sys.executable, "-m", "nodescope.cli.main", "app", "--headless", "--port", str(port)]
    launcher = subprocess.Popen(
        cmd, env=installed, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    assert resp.read() == b"ok"
                break
            except OSError:
                assert launcher.poll() is None, launcher.stdout.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the app did not answer within 90 s"
                time.sleep(0.5)
        # Stopping `nodescope app` stops the server (it used to keep serving as an orphan).
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
            except OSError:
                break
            assert time.monotonic() < deadline, "the Streamlit server outlived `nodescope app`"
            time.sleep(0.5)
    finally:
        if launcher.poll() is None:
            launcher.kill()

"""``nodescope app``: launch the browser app."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from core.errors import LoadError


def register(sub: argparse._SubParsersAction) -> None:
    app = sub.add_parser("app", help="launch the browser app")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--source", help="what to open first (default: a built-in graph)")
    app.add_argument("--data-dir", type=Path, help="Planetoid data folder")
    app.add_argument("--headless", action="store_true", help="do not open a browser window")
    app.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = importlib.util.find_spec("app.main")
    if spec is None or spec.origin is None:
        raise LoadError("The Nodescope app is not installed next to this command (app/main.py is missing).")
    env = dict(os.environ)
    if args.source:
        env["NODESCOPE_SOURCE"] = args.source
    if args.data_dir:
        env["NODESCOPE_DATA_DIR"] = str(args.data_dir)
    cmd = [sys.executable, "-m", "streamlit", "run", spec.origin, "--server.port", str(args.port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.headless", "true" if args.headless else "false"]
    return subprocess.call(cmd, env=env)

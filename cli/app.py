"""``nodescope app``: launch the browser app (Streamlit runs ``app/main.py`` in a child process)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

#: The Streamlit entry script. The CLI starts the app as a separate program and imports none of
#: its code: ``cli/`` and ``app/`` are sibling layers, side by side in the repository and the wheel.
MAIN_SCRIPT = Path(__file__).resolve().parents[1] / "app" / "main.py"
#: Streamlit's command line with the pages' heavy imports started at once (see app/serve.py).
SERVE_SCRIPT = MAIN_SCRIPT.with_name("serve.py")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``app`` subcommand and its options to ``sub``, the ``nodescope`` subparsers."""
    app = sub.add_parser("app", help="launch the browser app")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--source", help="what to open first (default: a built-in graph)")
    app.add_argument("--data-dir", type=Path, help="Planetoid data folder")
    app.add_argument("--headless", action="store_true", help="do not open a browser window")
    app.set_defaults(func=run)


def streamlit_command(port: int, headless: bool) -> list[str]:
    """The ``streamlit run`` command line for the app, with Nodescope's server settings.

    The settings are passed as flags (not read from ``.streamlit/config.toml``) so that an
    installed Nodescope behaves the same from any working folder.

    No file watcher: Streamlit's watches the file of every imported module in the package (the
    repository root is the package), hashing each after the first run (~0.5 s on the server's
    event loop, while the browser waits for plotly.js). ``streamlit run app/main.py`` keeps it
    for editing the code.
    """
    cmd = [sys.executable, str(SERVE_SCRIPT), "run", str(MAIN_SCRIPT), "--server.port", str(port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.headless", "true" if headless else "false"]
    cmd += ["--server.maxUploadSize", "200", "--client.toolbarMode", "minimal", "--theme.base", "light"]
    cmd += ["--server.fileWatcherType", "none"]
    return cmd


def run(args: argparse.Namespace) -> int:
    """Serve the app with Streamlit in a child process until it ends.

    ``--source`` and ``--data-dir`` reach the app as ``NODESCOPE_SOURCE`` and
    ``NODESCOPE_DATA_DIR``; SIGTERM and SIGHUP are forwarded to the child, and Ctrl-C sends it SIGINT.

    Args:
        args: the parsed ``nodescope app`` options.

    Returns:
        The Streamlit process's exit status.
    """
    env = dict(os.environ)
    if args.source:
        env["NODESCOPE_SOURCE"] = args.source
    if args.data_dir:
        env["NODESCOPE_DATA_DIR"] = str(args.data_dir)
    child = subprocess.Popen(streamlit_command(args.port, args.headless), env=env)

    # The server ends with this command: a SIGTERM/SIGHUP sent to `nodescope app` reaches it too
    # (SIGINT from a terminal already goes to the whole process group).
    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP is POSIX only
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        return child.wait()

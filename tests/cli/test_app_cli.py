"""``nodescope app``'s server command line (cli/app.py); the server itself: tests/browser."""

from __future__ import annotations

from nodescope.cli.app import MAIN_SCRIPT, SERVE_SCRIPT, streamlit_command


def option(cmd: list[str], name: str) -> str:
    """The value given to ``--name`` in ``cmd`` (the last, as Streamlit reads it)."""
    return cmd[len(cmd) - 1 - cmd[::-1].index(name) + 1]


def test_the_server_runs_the_entry_script_through_the_warm_up():
    cmd = streamlit_command(8600, headless=True)
    assert cmd[1:4] == [str(SERVE_SCRIPT), "run", str(MAIN_SCRIPT)]
    assert option(cmd, "--server.port") == "8600"
    assert option(cmd, "--server.headless") == "true"


def test_no_file_watcher():
    """Issue 19 (start-up): Streamlit's watcher hashed every imported module file of the package
    after the first run (~0.5 s on the server's event loop while the browser waited for plotly.js)."""
    assert option(streamlit_command(8600, headless=False), "--server.fileWatcherType") == "none"

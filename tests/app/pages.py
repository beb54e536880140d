"""Opening the app headless (Streamlit's AppTest) on a built-in sample, for the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def open_app(monkeypatch, source: str, *, timeout: float = 300) -> AppTest:
    """The app run once (Home) with ``source`` as the sidebar's sample."""
    monkeypatch.setenv("NODESCOPE_SOURCE", source)
    at = AppTest.from_file(MAIN, default_timeout=timeout)
    at.run()
    return at


def open_page(monkeypatch, source: str, script: str, *, timeout: float = 300) -> AppTest:
    """The app switched to page ``script`` (``views/<name>.py``), checked to have run cleanly."""
    at = open_app(monkeypatch, source, timeout=timeout)
    at.switch_page(script).run()
    assert not at.exception, at.exception
    return at

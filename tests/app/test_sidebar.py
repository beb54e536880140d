"""The sidebar opens on the source the app was started with (``NODESCOPE_SOURCE``), not on a default."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.pages import MAIN, open_app

TIMEOUT = 120


def start_app(monkeypatch, source: str) -> AppTest:
    at = open_app(monkeypatch, source, timeout=TIMEOUT)
    assert not at.exception, at.exception
    return at


def test_started_on_planetoid_shows_planetoid(monkeypatch, shared_data):
    monkeypatch.setenv("NODESCOPE_DATA_DIR", str(shared_data / "planetoid"))
    at = start_app(monkeypatch, "cora")
    assert at.session_state["sample"].source == "planetoid:cora"
    assert at.sidebar.radio(key="source_mode").value == "Planetoid"
    assert at.sidebar.selectbox(key="planetoid_name").value == "cora"


@pytest.mark.parametrize("source", ["les-miserables", "sbm"])
def test_started_on_a_builtin_shows_it(monkeypatch, source):
    at = start_app(monkeypatch, source)
    assert at.sidebar.radio(key="source_mode").value == "Built-in"
    assert at.sidebar.selectbox(key="builtin_key").value == source


def test_started_on_a_file_shows_upload_with_its_path(monkeypatch, tmp_path):
    path = tmp_path / "ring.csv"
    path.write_text("".join(f"{i},{(i + 1) % 6}\n" for i in range(6)))
    at = start_app(monkeypatch, str(path))
    assert at.sidebar.radio(key="source_mode").value == "Upload"
    assert any(str(path) in c.value for c in at.sidebar.caption)


def test_a_source_that_fails_falls_back_to_the_default_builtin(monkeypatch, tmp_path):
    at = start_app(monkeypatch, str(tmp_path / "missing.csv"))
    assert at.sidebar.radio(key="source_mode").value == "Built-in"
    assert at.sidebar.selectbox(key="builtin_key").value == at.session_state["sample"].source.removeprefix(
        "builtin:"
    )
    assert len(at.sidebar.error) == 1


def test_a_browser_reload_keeps_the_loaded_builtin(monkeypatch):
    # Issue 17: the sidebar forgot the data on a browser reload (a new session loaded the
    # default). The loaded built-in is named in the page address, which a reload keeps.
    at = start_app(monkeypatch, "karate")
    assert at.query_params["source"] in ("karate", ["karate"])  # AppTest may keep a list
    at.sidebar.selectbox(key="builtin_key").select("sbm").run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].source == "builtin:sbm"
    assert at.query_params["source"] in ("sbm", ["sbm"])

    reloaded = AppTest.from_file(MAIN, default_timeout=TIMEOUT)  # a new session, same address
    reloaded.query_params["source"] = "sbm"
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state["sample"].source == "builtin:sbm"
    assert reloaded.sidebar.selectbox(key="builtin_key").value == "sbm"


def test_a_time_series_source_in_the_address_loads_and_is_in_the_picker():
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params["source"] = "graph-var"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["sample"].kind == "timeseries"
    assert at.sidebar.selectbox(key="builtin_key").value == "graph-var"  # the picker offers and shows it
    assert any("20 series · 4,000 steps" in c.value for c in at.sidebar.caption)

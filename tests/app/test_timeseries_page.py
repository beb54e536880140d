"""The Time series page: shipped or trained forecasters, linked views, and the other pages on a time series."""

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from nodescope.core import checkpoint
from tests.app.pages import open_page

PAGE = "views/timeseries.py"


@pytest.fixture(autouse=True)
def no_shipped(tmp_path, monkeypatch):
    """No shipped forecaster and a private disk cache: every test starts from nothing."""
    monkeypatch.setattr(checkpoint, "SHIPPED_DIR", tmp_path / "assets")
    monkeypatch.setenv("NODESCOPE_HOME", str(tmp_path / "home"))


def _text(at: AppTest) -> str:
    return " ".join(str(c.proto.spec) for c in at.get("plotly_chart")) + " ".join(c.value for c in at.caption)


def _train_tiny(at: AppTest) -> AppTest:
    at.number_input(key="ts_window").set_value(24)
    at.number_input(key="ts_layers").set_value(1)
    at.number_input(key="ts_epochs").set_value(1)
    at.button(key="ts_train").click().run()
    assert not at.exception, at.exception
    return at


def test_without_a_forecaster_the_page_offers_training(monkeypatch):
    at = open_page(monkeypatch, "graph-var", PAGE, timeout=240)
    assert any("No forecaster for" in i.value for i in at.info)


def test_training_here_draws_every_view_and_a_pick_moves_them(monkeypatch):
    at = _train_tiny(open_page(monkeypatch, "graph-var", PAGE, timeout=240))
    text = _text(at)
    assert "MTGNN, trained here (window 24, horizon 1, 1 layers)" in text
    assert "Agreement with the known graph" in " ".join(m.label for m in at.metric)
    assert "s00: test-split forecasts" in text and "Integrated Gradients of s00" in text
    assert len(at.get("bidi_component")) == 2  # the node-link view and the adjacency heat map
    at.session_state["selection"] = Selection((5,), 5)  # what a click on series 5 in any view writes
    at.run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "s05: test-split forecasts" in text and "Integrated Gradients of s05" in text
    assert "learned edges into s05" in text


def test_a_trained_forecaster_is_cached_on_disk(monkeypatch):
    _train_tiny(open_page(monkeypatch, "graph-var", PAGE, timeout=240))
    again = open_page(monkeypatch, "graph-var", PAGE, timeout=240)  # a new session
    again.number_input(key="ts_window").set_value(24)
    again.number_input(key="ts_layers").set_value(1)
    again.number_input(key="ts_epochs").set_value(1).run()
    assert not again.exception, again.exception
    assert "MTGNN, cached" in _text(again)


def test_shipped_weights_load_at_once(monkeypatch, tmp_path):
    import torch

    from nodescope.core.forecasting import forecaster_config, save_forecaster
    from nodescope.core.models.mtgnn import MTGNN

    torch.manual_seed(0)
    model = MTGNN(forecaster_config(20, 48, 3))
    save_forecaster(model, tmp_path / "assets" / "graph-var" / "mtgnn-h1", {"horizon": 1})
    at = open_page(monkeypatch, "graph-var", PAGE, timeout=240)
    assert "MTGNN, shipped" in _text(at)


@pytest.mark.parametrize(
    "script", ["views/explorer.py", "views/attention.py", "views/explanations.py", "views/oversmoothing.py"]
)
def test_graph_pages_point_a_time_series_to_its_page(monkeypatch, script):
    at = open_page(monkeypatch, "graph-var", script, timeout=240)
    assert any("is a time series" in i.value and "Time series" in i.value for i in at.info)
    assert at.sidebar.selectbox(key="builtin_key").value == "graph-var"  # the sidebar is still drawn


def test_the_time_series_page_on_a_graph_says_so(monkeypatch):
    at = open_page(monkeypatch, "karate", PAGE, timeout=240)
    assert any("not a time series" in i.value for i in at.info)

"""The Attention page on a sample with shipped weights, and without labels."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def _attention_page(monkeypatch, source: str) -> AppTest:
    monkeypatch.setenv("NODESCOPE_SOURCE", source)
    at = AppTest.from_file(MAIN, default_timeout=180)
    at.run()
    at.switch_page("views/attention.py").run()
    assert not at.exception, at.exception
    return at


def test_shipped_gat_shows_every_view(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    captions = " ".join(c.value for c in at.caption)
    assert "weights shipped" in captions
    # node-link, head grid, large map, salience vs importance
    assert len(at.get("bidi_component")) == 4
    assert len(at.tabs) == 2  # one table pair per layer
    assert any(m.label.startswith("Specialization") for m in at.metric)


def test_choosing_a_head_changes_the_layer_options(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    assert at.selectbox(key="attn_head").options[:2] == ["mean over heads", "max over heads"]
    at.selectbox(key="attn_head").select("head 3").run()
    assert not at.exception, at.exception
    assert "head 3" in " ".join(c.value for c in at.caption)


def test_unlabelled_sample_explains_why_nothing_is_shown(monkeypatch):
    at = _attention_page(monkeypatch, "airplane")
    assert "no node labels" in at.info[0].value


def test_a_model_without_edge_attention_says_so(monkeypatch):
    at = _attention_page(monkeypatch, "karate")
    at.selectbox(key="model_choice").select("gps").run()
    assert not at.exception, at.exception
    assert any("no attention coefficients" in i.value for i in at.info) or any(
        b.label.startswith("Train") for b in at.button
    )

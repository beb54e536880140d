"""The Over-smoothing page: shipped sweep, the layer slider, a live sweep, and an unlabeled sample."""

from streamlit.testing.v1 import AppTest

from tests.app.pages import open_page


def _page(monkeypatch, source: str) -> AppTest:
    return open_page(monkeypatch, source, "views/oversmoothing.py", timeout=180)


def _chart_titles(at: AppTest) -> str:
    return " ".join(str(c.proto.spec) for c in at.get("plotly_chart"))


def test_shipped_sweep_shows_curves_and_every_view_of_one_model(monkeypatch):
    at = _page(monkeypatch, "karate")
    assert "Sweep shipped" in " ".join(c.value for c in at.caption)
    # curves, heat map and influence bars as plain charts; node-link and embedding as linked views
    assert len(at.get("plotly_chart")) == 3
    assert len(at.get("bidi_component")) == 2
    assert at.slider(key="os_layer_16").value == 16


def test_layer_slider_changes_the_layer_shown(monkeypatch):
    at = _page(monkeypatch, "karate")
    assert "Layer 16: cosine distance" in _chart_titles(at)
    at.slider(key="os_layer_16").set_value(3).run()
    assert not at.exception, at.exception
    assert "Layer 3: cosine distance" in _chart_titles(at)
    assert "layer 3 of 16" in " ".join(c.value for c in at.caption)


def test_node_link_view_can_color_by_distance_to_the_own_class_centroid(monkeypatch):
    at = _page(monkeypatch, "karate")
    at.radio(key="os_coloring").set_value("distance to own class").run()
    assert not at.exception, at.exception
    assert "collapsed onto one point" in " ".join(c.value for c in at.caption)


def test_metric_and_depth_choices_redraw_the_curves(monkeypatch):
    at = _page(monkeypatch, "karate")
    at.selectbox(key="os_metric").select("mad").run()
    at.selectbox(key="os_curve_depth_untrained").select(8).run()
    assert not at.exception, at.exception
    assert "MAD, models of depth 8" in _chart_titles(at)


def test_live_sweep_replaces_the_shipped_one(monkeypatch, tmp_path):
    monkeypatch.setenv("NODESCOPE_HOME", str(tmp_path))
    at = _page(monkeypatch, "karate")
    at.multiselect(key="os_live_models").set_value(["gcn", "dagnn"])
    at.multiselect(key="os_live_depths").set_value([2, 4])
    at.button(key="os_live_run").click().run()
    assert not at.exception, at.exception
    assert "Sweep computed here: 2 models × depths 2, 4" in " ".join(c.value for c in at.caption)


def test_unlabeled_sample_without_a_sweep_offers_a_live_one(monkeypatch):
    at = _page(monkeypatch, "airplane")
    assert any("No precomputed sweep" in i.value for i in at.info)
    assert len(at.get("bidi_component")) == 2  # the model views still work without labels


def test_the_probed_model_can_be_trained_here(monkeypatch):
    at = _page(monkeypatch, "karate")
    at.selectbox(key="os_probe_depth").select(2).run()
    at.button(key="os_train").click().run()
    assert not at.exception, at.exception
    assert "with 2 layers trained here (test accuracy" in " ".join(c.value for c in at.caption)
    assert not any(b.key == "os_train" for b in at.button)


def test_cora_ships_a_trained_sweep_with_accuracy_against_depth(monkeypatch, shared_data):
    monkeypatch.setenv("NODESCOPE_DATA_DIR", str(shared_data / "planetoid"))
    at = _page(monkeypatch, "cora")
    assert at.radio(key="os_kind").options == ["at initialization", "trained"]
    assert "Test accuracy vs depth" in _chart_titles(at)
    at.radio(key="os_kind").set_value("trained").run()
    assert not at.exception, at.exception
    assert "trained." in " ".join(c.value for c in at.caption)


def test_umap_of_a_layer_on_request(monkeypatch):
    at = _page(monkeypatch, "karate")
    at.radio(key="os_projection").set_value("UMAP").run()
    assert not at.exception, at.exception
    assert any("UMAP of layer 16 is not computed yet" in i.value for i in at.info)
    at.button(key="os_umap").click().run()
    assert not at.exception, at.exception
    assert any("UMAP keeps who is near whom" in c.value for c in at.caption)
    assert len(at.get("bidi_component")) == 2  # the node-link view and the UMAP view
    at.slider(key="os_layer_16").set_value(3).run()  # another layer: not computed yet
    assert any("UMAP of layer 3 is not computed yet" in i.value for i in at.info)

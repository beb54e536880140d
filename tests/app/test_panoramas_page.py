"""The Panoramas page: the shipped spherical U-Net on a generated room and on the loaded panorama."""

from tests.app.pages import open_page

PAGE = "views/panoramas.py"


FOCUS = '\\"name\\":\\"focus\\"'  # the marker trace, as it sits in a chart's JSON
#: A generated room's charts: the image, two clouds, 4 x (prediction, truth, error), and the
#: super-resolution section's 13 (tests/app/test_panoramas_superres.py).
ROOM_CHARTS = 15 + 13


def _figures(at) -> str:
    return " ".join(str(c.proto) for c in at.get("bidi_component"))


def test_the_page_draws_a_generated_room_with_truth_errors_and_scores(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    labels = [m.label for m in at.metric]
    assert labels == [
        "Depth AbsRel",
        "Depth δ<1.25",
        "Class mIoU",
        "Layout accuracy",
        "Normal error (median)",
    ]
    assert "vs band oracle" in at.metric[3].proto.delta
    # the image, two point clouds, and prediction / truth / error for depth, class, layout, normal
    assert len(at.get("bidi_component")) == ROOM_CHARTS
    assert "Depth error (prediction" in _figures(at)
    assert any("Click a vertex" in c.value for c in at.caption)


def test_a_pick_in_a_map_moves_the_marker_in_every_view(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    assert FOCUS not in _figures(at)
    click = {"kind": "click", "event_id": 1, "points": [{"customdata": 7}]}  # a click on vertex 7
    at.session_state["pano_depth_pred"] = {"event": click}
    at.run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("**Vertex 7**") for m in at.markdown)
    figures = [str(c.proto) for c in at.get("bidi_component")]
    assert len(figures) == ROOM_CHARTS and all(FOCUS in f for f in figures), "a view misses the marker"
    at.session_state["pano_cloud_truth"] = {
        "event": {**click, "event_id": 2, "points": [{"customdata": 100}]}
    }
    at.run()  # a pick in the 3D view moves it again
    assert any(m.value.startswith("**Vertex 100**") for m in at.markdown)
    assert all(
        '\\"text\\":[\\"100\\"]' in str(c.proto) or "focus: 100" in str(c.proto)
        for c in at.get("bidi_component")
    )


def test_another_seed_is_another_room(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    first = [m.value for m in at.metric]
    at.number_input(key="pano_seed").set_value(3).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] != first


def test_the_loaded_panorama_gets_predictions_only(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    at.radio(key="pano_source").set_value("Loaded: Indoor room").run()
    assert not at.exception, at.exception
    assert not at.metric
    assert any("predictions only" in c.value for c in at.caption)
    assert len(at.get("bidi_component")) == 6  # the image, the predicted cloud and four prediction maps


def test_a_graph_gets_one_line(monkeypatch):
    at = open_page(monkeypatch, "karate", PAGE, timeout=240)
    assert any("not a panorama" in i.value for i in at.info)
    assert not at.get("bidi_component")


def _png(width: int, height: int, seed: int = 1) -> bytes:
    import io

    import numpy as np
    from PIL import Image

    from nodescope.core.panorama.render import render_panorama
    from nodescope.core.panorama.scene import sample_scene

    if width != 2 * height:
        image = Image.new("RGB", (width, height), (90, 90, 90))
    else:
        rgb = render_panorama(sample_scene(seed, "test"), width, height).rgb
        image = Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(at, name: str, blob: bytes):
    at.file_uploader(key="pano_upload").upload(name, blob, "image/png")
    at.run()
    assert not at.exception, at.exception
    return at


def _no_truth_lines(at) -> int:
    return sum("No ground truth for an uploaded image" in c.value for c in at.caption)


def test_an_uploaded_panorama_shows_predictions_only(monkeypatch):
    at = _upload(open_page(monkeypatch, "room", PAGE, timeout=300), "my room.png", _png(256, 128))
    assert at.radio(key="pano_source").value == "Uploaded: my room.png"
    assert not at.metric and not at.error
    assert len(at.get("bidi_component")) == 6  # the image, the predicted cloud, four prediction maps
    assert _no_truth_lines(at) == 9  # the true cloud, then truth and error of the four maps
    assert any("predicted floor lies 1.5 m below the camera" in c.value for c in at.caption)


def test_refused_uploads_get_one_line_and_the_page_keeps_its_state(monkeypatch):
    from nodescope.app import sidebar

    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    before = [m.value for m in at.metric]
    assert len(before) == 5
    cases = [
        ("wide.png", _png(300, 100), "twice the height"),
        ("broken.png", b"\x89PNG\r\n\x1a\n not a real image", "not an image"),
    ]
    for name, blob, words in cases:
        _upload(at, name, blob)
        assert len(at.error) == 1 and words in at.error[0].value and name in at.error[0].value
        assert at.radio(key="pano_source").value == "Generated room"
        assert [m.value for m in at.metric] == before and len(at.get("bidi_component")) == ROOM_CHARTS
    monkeypatch.setattr(sidebar, "MAX_UPLOAD_MB", 0)
    _upload(at, "big.png", _png(256, 128))
    assert len(at.error) == 1 and "upload limit" in at.error[0].value
    assert [m.value for m in at.metric] == before


def test_a_refused_upload_keeps_the_previous_upload_on_screen(monkeypatch):
    at = _upload(open_page(monkeypatch, "room", PAGE, timeout=300), "first.png", _png(256, 128))
    _upload(at, "wide.png", _png(300, 100))
    assert len(at.error) == 1 and "twice the height" in at.error[0].value
    assert at.radio(key="pano_source").value == "Uploaded: first.png"
    assert len(at.get("bidi_component")) == 6 and _no_truth_lines(at) == 9

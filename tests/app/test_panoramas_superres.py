"""The Panoramas page's "Depth super-resolution" section (app.panorama_superres)."""

from tests.app.pages import open_page

PAGE = "views/panoramas.py"
SECTION = 13  # 5 depth maps (input, model, two baselines, truth), 3 error maps, 5 zoomed maps


def _words(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_generated_room_gets_input_outputs_baselines_truth_errors_and_a_zoom(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    assert any(h.value == "Depth super-resolution" for h in at.subheader)
    assert len(at.get("bidi_component")) == 15 + SECTION
    figures = " ".join(str(c.proto) for c in at.get("bidi_component"))
    for title in ("Input: compressed low-resolution depth", "Barycentric upsampling", "Joint bilateral upsampling",
                  "Truth", "Guided super-resolution", "error (m)", "Zoom: super-resolution"):  # fmt: skip
        assert title in figures, title
    words = _words(at)
    for m in ("Guided super-resolution", "Barycentric upsampling", "Joint bilateral upsampling"):
        assert f"**{m} (GDNet-style)**: RMSE" in words or f"**{m}**: RMSE" in words
    assert "within 2 vertices of a depth edge" in words
    assert "below barycentric upsampling" in words or "above barycentric upsampling" in words
    assert any("errs most" in c.value for c in at.caption)  # before a pick, the zoom shows the hardest spot
    x4 = words
    at.radio(key="pano_sr_scale").set_value(8).run()
    assert not at.exception, at.exception
    assert _words(at) != x4 and len(at.get("bidi_component")) == 15 + SECTION


def test_a_click_in_the_zoom_moves_the_pages_pick(monkeypatch):
    at = open_page(monkeypatch, "room", PAGE, timeout=300)
    # vertex 3000 of the output level (10,242 vertices) is not one of the network's 2,562: the
    # page's pick becomes its nearest network vertex, and every map marks that one
    at.session_state["pano_sr_zoom_model"] = {
        "event": {"kind": "click", "event_id": 1, "points": [{"customdata": 3000}]}
    }
    at.run()
    assert not at.exception, at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**Vertex "))
    picked = int(line.split()[1].rstrip("*"))
    assert 0 <= picked < 2562
    assert any("within 20° of the picked vertex" in c.value for c in at.caption)
    marked = [str(c.proto) for c in at.get("bidi_component") if '\\"name\\":\\"focus\\"' in str(c.proto)]
    assert len(marked) >= 15 + SECTION - 2  # the input's two maps mark it only when it is a coarse vertex


def test_an_uploaded_panorama_gets_one_line_instead(monkeypatch):
    from tests.app.test_panoramas_page import _png, _upload

    at = _upload(open_page(monkeypatch, "room", PAGE, timeout=300), "my room.png", _png(256, 128))
    assert len(at.get("bidi_component")) == 6
    lines = [c.value for c in at.caption if c.value.startswith("Not available for this image")]
    assert len(lines) == 1 and "no depth" in lines[0]

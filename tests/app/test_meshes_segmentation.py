"""The Meshes page's Segmentation section: parts on the built-in ant with a legend, a face's dual-graph attention."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from nodescope.core.simulation import shipped_mesh
from tests.app.pages import open_page

PAGE = "views/meshes.py"
TIMEOUT = 300


def _text(at: AppTest) -> str:
    charts = at.get("plotly_chart") + at.get("bidi_component")
    return " ".join(str(c.proto) for c in charts) + " ".join(c.value for c in at.caption)


def test_the_ant_is_segmented_and_a_face_shows_its_attention(monkeypatch):
    at = open_page(monkeypatch, "ant", PAGE, timeout=TIMEOUT)
    assert "Segmentation" in [h.value for h in at.subheader]
    text = _text(at)
    assert "Predicted parts of Ant (mesh)" in text
    assert "faces labeled by the dual-graph attention segmenter" in text
    assert "Layer 1 attention of face 0 over the" in text
    at.number_input(key="seg_face_0").set_value(12).run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "Layer 1 attention of face 12 over the 4 faces it reads" in text
    assert "Face 12 is " in text and "its 3 neighbors across its sides" in text
    at.selectbox(key="seg_layer").set_value(3).run()
    assert "Layer 3 attention of face 12" in _text(at)


def test_a_vertex_pick_picks_one_of_its_faces(monkeypatch):
    at = open_page(monkeypatch, "ant", PAGE, timeout=TIMEOUT)
    at.session_state["selection"] = Selection((7,), 7)
    at.run()
    assert not at.exception, at.exception
    faces = shipped_mesh("ant").faces
    first = int(np.flatnonzero((faces == 7).any(axis=1))[0])
    assert first != 0
    assert at.number_input(key=f"seg_face_{first}").value == first
    assert f"attention of face {first} over the" in _text(at)

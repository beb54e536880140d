"""The Meshes page: heat on the built-in ant beside both shipped models, a vertex pick moving the
vertex panel and the attention ring, and a non-mesh sample getting one line."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from nodescope.app.state import Selection
from tests.app.pages import open_page

PAGE = "views/meshes.py"
TIMEOUT = 240


def _text(at: AppTest) -> str:
    charts = at.get("plotly_chart") + at.get("bidi_component")
    return " ".join(str(c.proto) for c in charts) + " ".join(c.value for c in at.caption)


def test_heat_on_the_ant_is_drawn_beside_both_models(monkeypatch):
    at = open_page(monkeypatch, "ant", PAGE, timeout=TIMEOUT)
    assert at.title[0].value == "Meshes"
    text = _text(at)
    assert "486 vertices" in text
    for title in ("Truth (solver), step 10", "Mesh transformer, step 10", "MeshGraphNets (MPNN), step 10"):
        assert title in text
    assert "Error: Mesh transformer" in text and "Rollout error over time" in text
    assert len(at.get("bidi_component")) == 4  # truth, two models, the error: all clickable
    rmse = re.findall(
        r"\*\*([0-9.e-]+)\*\*", next(c.value for c in at.caption if "RMSE at step 50" in c.value)
    )
    assert len(rmse) == 3 and all(float(r) > 0 for r in rmse)  # transformer, MPNN, no change
    assert re.search(r"head 4 -?0\.\d\d \(best: head \d\)", text)  # ρ per head vs the cotangents
    at.slider(key="mesh_step_50").set_value(40).run()
    assert not at.exception, at.exception
    assert "Truth (solver), step 40" in _text(at)


def test_a_vertex_pick_moves_the_vertex_panel(monkeypatch):
    at = open_page(monkeypatch, "ant", PAGE, timeout=TIMEOUT)
    before = _text(at)
    assert "Vertex 7 over time" not in before
    at.session_state["selection"] = Selection((7,), 7)  # what a click on vertex 7 writes
    at.run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "Vertex 7 over time" in text
    assert "Where the transformer looks from vertex 7" in [h.value for h in at.subheader]
    assert "attention from vertex 7 over its" in text


def test_a_graph_gets_one_line(monkeypatch):
    at = open_page(monkeypatch, "karate", PAGE, timeout=TIMEOUT)
    assert len(at.info) == 1 and "not one of the meshes this page simulates on" in at.info[0].value
    assert not at.get("bidi_component")


def test_a_mesh_over_the_vertex_limit_gets_one_line(monkeypatch):
    monkeypatch.setattr("nodescope.app.mesh_data.MAX_VERTICES", 400)
    at = open_page(monkeypatch, "ant", PAGE, timeout=TIMEOUT)
    assert len(at.info) == 1 and "486 vertices, over the simulation limit of 400" in at.info[0].value
    assert not at.get("bidi_component")

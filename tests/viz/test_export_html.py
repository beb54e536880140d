"""The standalone HTML document (viz/export_html.py): offline, small, every figure kept."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.offline import get_plotlyjs
from scipy.spatial import ConvexHull

from nodescope.viz.export_html import Block, compact_figure, decimate_mesh, html_document, html_size_text


def _sphere(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    pos = np.random.default_rng(seed).normal(size=(n, 3))
    pos /= np.linalg.norm(pos, axis=1, keepdims=True)
    return pos, ConvexHull(pos).simplices


def test_the_document_inlines_plotly_and_asks_nothing_of_the_network():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="focus"))
    doc = html_document(
        "A <b>title</b>", [Block("Graph", "Some words & more.", fig), Block(text="Only text.")]
    )
    assert get_plotlyjs() in doc  # plotly.js itself, once
    assert doc.count(get_plotlyjs()[:200]) == 1
    ours = doc.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]+src=", ours) and "http" not in ours  # no CDN, no link out
    assert "A &lt;b&gt;title&lt;/b&gt;" in doc and "Some words &amp; more." in doc
    assert doc.count('class="figure"') == 1 and "Save SVG" in doc and "Save PNG" in doc


def test_a_figure_keeps_its_traces_and_floats_go_as_float32():
    x = np.linspace(0, 1, 5000)
    fig = go.Figure(
        [go.Scattergl(x=x, y=x**2, customdata=np.arange(5000), name="nodes"), go.Scatter(name="focus")]
    )
    compact = compact_figure(fig)
    assert [t["name"] for t in compact["data"]] == ["nodes", "focus"]
    assert compact["data"][0]["x"]["dtype"] == "f4"
    small, full = len(pio.to_json(compact, validate=False)), len(pio.to_json(fig))
    assert small < 0.6 * full  # measured: 0.53


def test_decimating_a_dense_mesh_bounds_its_vertices_and_keeps_ids():
    pos, faces = _sphere(60_000)
    keep, new_faces = decimate_mesh(pos, faces, 10_000)
    assert 5_000 < len(keep) <= 10_000
    assert np.all(np.diff(keep) > 0) and new_faces.max() < len(keep)
    assert len(new_faces) > 1.5 * len(keep)  # still a closed-ish surface: F ~ 2V
    tri = new_faces
    assert np.all((tri[:, 0] != tri[:, 1]) & (tri[:, 1] != tri[:, 2]) & (tri[:, 0] != tri[:, 2]))
    small_keep, small_faces = decimate_mesh(pos[:100], faces[:10], 10_000)
    assert len(small_keep) == 100 and np.array_equal(small_faces, faces[:10])  # a small mesh is untouched


def test_a_dense_mesh_figure_is_decimated_with_its_per_vertex_values():
    pos, faces = _sphere(60_000, seed=1)
    values = pos[:, 2].copy()
    fig = go.Figure(
        go.Mesh3d(
            x=pos[:, 0], y=pos[:, 1], z=pos[:, 2], i=faces[:, 0], j=faces[:, 1], k=faces[:, 2],
            intensity=values, customdata=np.arange(len(pos)),
        )
    )  # fmt: skip
    mesh = compact_figure(fig, max_mesh_vertices=20_000)["data"][0]

    def arr(v):
        return np.frombuffer(__import__("base64").b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))

    ids, z, intensity = arr(mesh["customdata"]), arr(mesh["z"]), arr(mesh["intensity"])
    assert len(ids) <= 20_000 and len(ids) == len(z) == len(intensity)
    np.testing.assert_allclose(intensity, values[ids], rtol=1e-6)  # each kept vertex keeps its value
    assert arr(mesh["i"]).max() < len(ids)


@pytest.mark.parametrize("n", [10, 2_000_000])
def test_size_text(n):
    assert html_size_text("x" * n).endswith("MB of it)")

"""Figures: every node point maps back to its node id; selection, focus and edges drawn right."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from nodescope.viz.colors import PALETTE, UNLABELED, class_colors, rgb_to_hex, value_colorscale
from nodescope.viz.embedding_view import embedding_figure, shared_half_width
from nodescope.viz.graph_view import edges_as_image, node_link_figure, undirected_edges
from nodescope.viz.layout import graph_layout
from nodescope.viz.nodes import (
    DIMMED,
    FOCUS,
    MAX_SELECTION_SHAPES,
    UIREVISION,
    node_ids_from_points,
    node_scatter_marked,
    node_scatter_traces,
)
from nodescope.viz.surface_view import mesh_figure, sphere_map_figure

NON_NODE = {"edges"}


@pytest.fixture(scope="module")
def karate() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = nx.karate_club_graph()
    ei = np.array(g.edges()).T
    ei = np.concatenate([ei, ei[::-1]], 1)  # both directions, as PyG stores undirected graphs
    y = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in g])
    y[33] = -1
    return graph_layout(ei, 34), ei, y


def by_name(fig: go.Figure) -> dict[str, go.BaseTraceType]:
    return {t.name: t for t in fig.data}


def node_traces(fig: go.Figure) -> list:
    """Traces drawing every node once (not edges, selection overlay or focus ring)."""
    return [
        t
        for t in fig.data
        if t.name not in NON_NODE and t.name != "focus" and not t.name.startswith("selected")
    ]


def assert_points_map_to_ids(trace, xy: np.ndarray) -> np.ndarray:
    """customdata holds node ids, and each point sits at its node's position."""
    ids = np.asarray(trace.customdata)
    assert np.issubdtype(ids.dtype, np.integer)
    np.testing.assert_allclose(np.asarray(trace.x), xy[ids, 0])
    np.testing.assert_allclose(np.asarray(trace.y), xy[ids, 1])
    return ids


def shapes(fig: go.Figure, name: str) -> list:
    """The layout shapes named ``name`` or "``name`` <node id>"."""
    return [s for s in fig.layout.shapes if s.name == name or s.name.removeprefix(name + " ").isdigit()]


def marked_ids(fig: go.Figure, name: str, xy: np.ndarray) -> list[int]:
    """Node ids of the shapes named "``name`` <id>", each checked to be anchored at its node."""
    ids = [int(s.name.removeprefix(name + " ")) for s in shapes(fig, name)]
    for i, s in zip(ids, shapes(fig, name), strict=True):
        assert (s.xanchor, s.yanchor) == tuple(xy[i])
    return ids


def path_segments(path: str) -> np.ndarray:
    """(k, 2, 2) segments of an "M x y L x y ..." SVG path."""
    parts = path.split()
    assert parts[::3] == ["M", "L"] * (len(parts) // 6)
    return np.array([float(v) for i, v in enumerate(parts) if i % 3]).reshape(-1, 2, 2)


def test_node_link_figure_maps_every_point_to_its_node(karate) -> None:
    xy, ei, y = karate
    fig = node_link_figure(
        xy, ei, labels=y, label_names=["Mr. Hi", "Officer"], selected=[2, 7, 7, 99], focus=5
    )
    traces = by_name(fig)
    assert {"edges", "Mr. Hi", "Officer", "unlabeled"} == set(traces)
    ids = np.concatenate([assert_points_map_to_ids(t, xy) for t in node_traces(fig)])
    assert sorted(ids.tolist()) == list(range(34))  # each node exactly once
    for t in node_traces(fig):  # one color per class
        assert t.marker.color == (UNLABELED if t.name == "unlabeled" else PALETTE[int(y[t.customdata[0]])])
    # While a selection exists, a white veil over the plot area dims the other nodes ...
    (veil,) = shapes(fig, "dim")
    assert (veil.xref, veil.yref, veil.x0, veil.y0, veil.x1, veil.y1) == ("paper", "paper", 0, 0, 1, 1)
    assert veil.fillcolor == f"rgba(255, 255, 255, {1 - DIMMED})" and veil.layer == "above"
    assert fig.layout.shapes[0].name == "dim"  # under every other mark
    # ... and each selected node gets an outlined disc in its own color on top (99 ignored).
    assert marked_ids(fig, "selected", xy) == [2, 7]
    for s, node in zip(shapes(fig, "selected"), [2, 7], strict=True):
        assert s.fillcolor == PALETTE[int(y[node])] and s.line.width > 0 and s.layer == "above"
        assert s.xsizemode == s.ysizemode == "pixel" and s.x1 - s.x0 == s.y1 - s.y0 > 0
    # The focus: a ring on node 5 labeled above, drawn after (over) the selection.
    assert marked_ids(fig, "focus", xy) == [5]
    ring, label = fig.layout.shapes[-2:]
    assert ring.name == "focus 5" and ring.line.color == FOCUS and ring.fillcolor is None
    assert label.name == "focus label" and label.label.text == "5" and label.line.width == 0
    assert (label.xanchor, label.yanchor) == (ring.xanchor, ring.yanchor) and label.label.yanchor == "bottom"
    assert label.label.padding >= (ring.x1 - ring.x0) / 2  # above the ring
    assert not fig.layout.annotations  # a new annotation would make plotly.js recalculate the traces
    assert traces["edges"].customdata is None and traces["edges"].hoverinfo == "skip"


def test_selection_changes_the_layout_not_the_traces(karate) -> None:
    """The traces stay the same whatever the selection: a chart update then only redraws shapes."""
    xy, ei, y = karate
    figs = [
        node_link_figure(xy, ei, labels=y, selected=sel, focus=focus)
        for sel, focus in [((), None), ((5,), 5), ((2, 9, 30), 9)]
    ]
    first = [t.to_plotly_json() for t in figs[0].data]
    for fig in figs[1:]:
        for a, b in zip(first, [t.to_plotly_json() for t in fig.data], strict=True):
            assert a.keys() == b.keys()
            for k in a:
                np.testing.assert_equal(a[k], b[k])
    assert [marked_ids(f, "selected", xy) for f in figs] == [[], [5], [2, 9, 30]]
    assert not figs[0].layout.shapes


def test_edges_drawn_once_and_focus_edges(karate) -> None:
    xy, ei, _ = karate
    fig = node_link_figure(xy, ei, focus=0)
    edges = by_name(fig)["edges"]
    assert len(edges.x) == 3 * 78  # karate: 78 undirected edges, each (u, v, gap)
    x = np.asarray(edges.x).reshape(-1, 3)
    assert np.isnan(x[:, 2]).all() and np.isfinite(x[:, :2]).all()
    assert not fig.layout.images  # small graphs: edges as lines
    (path,) = shapes(fig, "focus edges")
    assert path.layer == "above" and path.line.color == FOCUS
    segments = path_segments(path.path)
    neighbors = undirected_edges(ei)[:, (undirected_edges(ei) == 0).any(0)].max(0)
    assert len(segments) == len(neighbors) == 16
    np.testing.assert_allclose(segments[:, 0], np.broadcast_to(xy[0], (16, 2)))
    np.testing.assert_allclose(segments[:, 1], xy[neighbors])
    assert not shapes(node_link_figure(xy, ei), "focus edges")


def test_edges_subsampled_above_max_edges(karate) -> None:
    xy, ei, _ = karate
    fig = node_link_figure(xy, ei, max_edges=30, title="Karate", focus=33)
    assert len(by_name(fig)["edges"].x) == 3 * 30
    assert "30 of 78 edges" in fig.layout.title.text
    # the focus node's edges are all drawn, whatever the subsample
    (path,) = shapes(fig, "focus edges")
    assert len(path_segments(path.path)) == int((undirected_edges(ei) == 33).any(0).sum())
    again = node_link_figure(xy, ei, max_edges=30)
    np.testing.assert_array_equal(np.asarray(again.data[0].x), np.asarray(fig.data[0].x))  # deterministic


def test_large_graphs_draw_edges_as_one_image(karate) -> None:
    xy, ei, _ = karate
    fig = node_link_figure(xy, ei, raster_above=50, focus=0)  # 78 edges > 50: an image
    assert "edges" not in by_name(fig)
    (img,) = fig.layout.images
    assert img.name == "edges" and img.layer == "below" and (img.xref, img.yref) == ("x", "y")
    assert img.source.startswith("data:image/webp;base64,")
    assert len(path_segments(shapes(fig, "focus edges")[0].path)) == 16  # still vectors
    # a given (cached) image is used as it is
    given = {**img.to_plotly_json(), "source": "data:image/webp;base64,AAAA"}
    assert (
        node_link_figure(xy, ei, raster_above=50, edge_image=given).layout.images[0].source == given["source"]
    )
    assert (
        edges_as_image(xy, ei, raster_above=78) is None and edges_as_image(xy, ei, raster_above=None) is None
    )
    assert edges_as_image(xy, ei, raster_above=77)["name"] == "edges"


def test_marks_for_continuous_colors_and_large_selections() -> None:
    xy = np.random.default_rng(0).random((300, 2))
    values = np.linspace(0.0, 1.0, 300)
    values[5] = np.nan
    traces, marks = node_scatter_marked(xy, color=values, selected=[0, 5, 299], focus=299, focus_label="last")
    fills = {s["name"]: s["fillcolor"] for s in marks if s["name"].startswith("selected")}
    # Viridis's ends; no value: gray
    assert fills == {
        "selected 0": "rgb(68, 1, 84)",
        "selected 5": UNLABELED,
        "selected 299": "rgb(253, 231, 37)",
    }
    assert marks[-2]["name"] == "focus 299" and marks[-1]["label"]["text"] == "last"
    assert all(not t.name.startswith("selected") for t in traces)
    # Above MAX_SELECTION_SHAPES selected nodes: dimmed traces and one selection trace, no shapes.
    traces, marks = node_scatter_marked(xy, selected=range(MAX_SELECTION_SHAPES + 1))
    assert [t.name for t in traces] == ["nodes", f"selected ({MAX_SELECTION_SHAPES + 1})"]
    assert traces[0].marker.opacity == DIMMED
    assert marks == []


def test_layout_keeps_zoom_and_allows_click_selection(karate) -> None:
    xy, ei, _ = karate
    a = node_link_figure(xy, ei, selected=[1])
    b = node_link_figure(xy, ei, selected=[1, 2])
    assert a.layout.uirevision == b.layout.uirevision == UIREVISION
    assert a.layout.selectionrevision != b.layout.selectionrevision
    assert a.layout.yaxis.scaleanchor == "x"
    assert a.layout.dragmode == "pan" and a.layout.clickmode == "event+select"
    assert a.layout.xaxis.visible is False
    assert a.layout.legend.orientation == "h"


def test_continuous_color_with_colorbar_and_missing_values() -> None:
    xy = np.random.default_rng(0).random((50, 2))
    values = np.linspace(-1.0, 3.0, 50)
    values[[4, 9]] = np.nan
    traces = {
        t.name: t for t in node_scatter_traces(xy, color=values, color_title="saliency", selected=[4, 10])
    }
    nodes = traces["nodes"]
    assert nodes.marker.showscale and nodes.marker.colorbar.title.text == "saliency"
    assert nodes.marker.colorscale is not None
    assert (nodes.marker.cmin, nodes.marker.cmax) == (-3.0, 3.0)  # diverging: symmetric around 0
    assert 4 not in nodes.customdata and 9 not in nodes.customdata
    assert sorted(traces["no value"].customdata) == [4, 9]
    sel = traces["selected (2)"]
    assert list(sel.customdata) == [4, 10] and np.isfinite(sel.marker.color).all()
    assert not sel.marker.showscale


def test_uncolored_and_rgb_nodes() -> None:
    xy = np.random.default_rng(0).random((6, 2))
    (plain,) = node_scatter_traces(xy)
    assert list(plain.customdata) == list(range(6))
    rgb = np.array(
        [[255, 0, 0], [0, 255, 0], [0, 0, 255], [0, 0, 0], [255, 255, 255], [16, 32, 48]], np.uint8
    )
    (colored,) = node_scatter_traces(xy, rgb=rgb, marker_size=7)
    assert list(colored.marker.color)[:3] == ["#ff0000", "#00ff00", "#0000ff"]
    assert colored.marker.size == 7


def test_hover_text_per_node() -> None:
    xy = np.zeros((3, 2))
    traces = node_scatter_traces(xy, labels=np.array([1, 0, 1]), hover=["a", "b", "c"])
    texts = {int(i): t for tr in traces for i, t in zip(tr.customdata, tr.text, strict=True)}
    assert texts == {0: "a", 1: "b", 2: "c"}
    with pytest.raises(ValueError, match="hover"):
        node_scatter_traces(xy, hover=["a"])


def test_node_ids_from_points() -> None:
    points = [
        {"curve_number": 1, "point_index": 0, "customdata": 5},
        {"curve_number": 2, "point_index": 3, "customdata": [7]},
        {"curve_number": 2, "point_index": 4, "customdata": [8.0, "extra"]},
        {"curve_number": 0, "point_index": 9, "x": 0.1, "y": 0.2},  # an edge point: no customdata
        {"customdata": None},
        {"customdata": []},
        {"customdata": "not a node"},
        {"customdata": 2.5},
        {"customdata": 5},  # repeated
    ]
    assert node_ids_from_points(points) == [5, 7, 8]
    assert node_ids_from_points([]) == []


def test_embedding_figure_axes_and_ids() -> None:
    coords = np.random.default_rng(0).normal(size=(20, 2))
    fig = embedding_figure(coords, method="PCA", labels=np.arange(20) % 3, focus=3)
    assert fig.layout.xaxis.title.text == "PCA 1" and fig.layout.yaxis.title.text == "PCA 2"
    ids = np.concatenate([assert_points_map_to_ids(t, coords) for t in node_traces(fig)])
    assert sorted(ids.tolist()) == list(range(20))
    assert marked_ids(fig, "focus", coords) == [3] and fig.layout.shapes[-1].label.text == "3"
    assert embedding_figure(coords, method="UMAP").layout.xaxis.title.text == "UMAP 1"


def test_one_square_range_holds_every_layer() -> None:
    coords = np.array([[[0.0, -2.0], [0.5, 0.5]], [[1.0, 0.0], [0.0, 0.0]]])
    assert shared_half_width(coords) == pytest.approx(2.1)
    assert shared_half_width(np.zeros((2, 3, 2))) == 1.0 and shared_half_width(np.zeros((0, 2))) == 1.0


def sphere_mesh() -> tuple[np.ndarray, np.ndarray]:
    import pyvista as pv

    s = pv.Sphere(theta_resolution=24, phi_resolution=24)
    return np.asarray(s.points, dtype=np.float64), s.faces.reshape(-1, 4)[:, 1:]


def test_mesh_figure() -> None:
    pos, faces = sphere_mesh()
    n = len(pos)
    fig = mesh_figure(
        pos, faces, values=pos[:, 2], color_title="height", selected=[1, 2], focus=10, max_pick_points=100
    )
    traces = by_name(fig)
    mesh = traces["mesh"]
    assert isinstance(mesh, go.Mesh3d) and mesh.flatshading is False
    np.testing.assert_array_equal(mesh.i, faces[:, 0])
    np.testing.assert_allclose(mesh.intensity, pos[:, 2])
    assert mesh.colorbar.title.text == "height" and mesh.cmin == -mesh.cmax
    assert list(mesh.customdata) == list(range(n))
    pick = traces["pick"]
    assert len(pick.customdata) == 100 and len(set(pick.customdata)) == 100
    np.testing.assert_allclose(pick.x, pos[pick.customdata, 0])
    np.testing.assert_array_equal(
        pick.customdata, by_name(mesh_figure(pos, faces, max_pick_points=100))["pick"].customdata
    )
    assert list(traces["selected (2)"].customdata) == [1, 2]
    focus = traces["focus"]
    assert list(focus.customdata) == [10] and list(focus.text) == ["10"]
    np.testing.assert_allclose([focus.x[0], focus.y[0], focus.z[0]], pos[10])
    assert fig.layout.scene.aspectmode == "data" and fig.layout.scene.xaxis.visible is False
    assert fig.layout.uirevision == UIREVISION


def test_mesh_figure_vertex_colors_and_not_pickable() -> None:
    pos, faces = sphere_mesh()
    colors = np.zeros((len(pos), 3))
    colors[:, 0] = 1.0
    fig = mesh_figure(pos, faces, vertex_colors=colors, pickable=False)
    assert [t.name for t in fig.data] == ["mesh"]
    assert set(fig.data[0].vertexcolor) == {"#ff0000"}


def test_a_panorama_is_seen_from_inside() -> None:
    # Issue 17: panoramas were seen from outside the sphere; a panorama viewer looks out from
    # the center, and the inner faces must not be left dark by light from outside.
    pos, faces = sphere_mesh()
    outside = mesh_figure(pos, faces)
    inside = mesh_figure(pos, faces, inside=True)
    eye = inside.layout.scene.camera.eye
    assert np.hypot(np.hypot(eye.x, eye.y), eye.z) < 0.1  # near the center, inside the unit scene
    assert inside.layout.scene.camera.up.z == 1
    assert inside.data[0].lighting.ambient == 1.0 and inside.data[0].lighting.diffuse == 0.0
    assert "camera" not in outside.to_plotly_json()["layout"]["scene"]  # plotly's default, outside


def test_sphere_map_figure() -> None:
    rng = np.random.default_rng(0)
    sph = np.stack([rng.uniform(-90, 90, 200), rng.uniform(-180, 180, 200)], 1)
    sph[0] = [10.0, 190.0]  # longitude past 180 wraps to -170
    image = rng.integers(0, 255, (100, 2000, 3)).astype(np.uint8)
    fig = sphere_map_figure(
        sph, values=sph[:, 0], color_title="latitude", background_image=image, focus=0, selected=[5]
    )
    xy = np.stack([(sph[:, 1] + 180) % 360 - 180, sph[:, 0]], 1)
    assert xy[0, 0] == pytest.approx(-170.0)
    ids = np.concatenate([assert_points_map_to_ids(t, xy) for t in node_traces(fig)])
    assert sorted(ids.tolist()) == list(range(200))
    assert list(by_name(fig)["focus"].customdata) == [0]
    assert fig.layout.xaxis.title.text == "longitude (°)" and fig.layout.yaxis.title.text == "latitude (°)"
    assert tuple(fig.layout.xaxis.range) == (-180, 180) and tuple(fig.layout.yaxis.range) == (-90, 90)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1  # 360 x 180: 2:1
    (img,) = fig.layout.images
    assert (img.x, img.y, img.sizex, img.sizey) == (-180, 90, 360, 180)
    assert img.source.startswith("data:image/png;base64,")
    png = Image.open(io.BytesIO(base64.b64decode(img.source.split(",", 1)[1])))
    assert png.size == (1024, 51)


def test_figures_serialize(karate) -> None:
    xy, ei, y = karate
    pos, faces = sphere_mesh()
    for fig in (
        node_link_figure(xy, ei, labels=y, selected=[1], focus=2),
        embedding_figure(xy, method="UMAP", color=np.arange(34.0), focus=1),
        mesh_figure(pos, faces, values=pos[:, 0], selected=[3], focus=4),
        sphere_map_figure(np.zeros((3, 2)), vertex_colors=np.zeros((3, 3), np.uint8)),
    ):
        assert len(fig.to_json()) > 100


def test_colors() -> None:
    assert len(PALETTE) >= 20 and len(set(PALETTE)) == len(PALETTE) and UNLABELED not in PALETTE
    cols = class_colors(np.array([0, 1, -1, len(PALETTE)]))
    assert cols == [PALETTE[0], PALETTE[1], UNLABELED, PALETTE[0]]  # cycles
    assert rgb_to_hex(np.array([[1.0, 0.5, 0.0]])) == ["#ff8000"]
    assert value_colorscale(np.array([-1.0, 2.0])) != value_colorscale(np.array([0.0, 2.0]))


def test_viz_does_not_import_streamlit_or_app() -> None:
    code = (
        "import sys, viz.layout, viz.colors, viz.nodes, viz.graph_view, viz.embedding_view, viz.surface_view\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'app')]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])

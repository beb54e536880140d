"""Panorama figures: maps of per-vertex fields and the point cloud, with the picked vertex marked."""

import numpy as np

from nodescope.viz.panorama_view import normal_rgb, panorama_figures, panorama_map_figure, point_cloud_figure


def test_normal_colors_span_the_byte_range():
    rgb = normal_rgb(np.array([[1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]))
    assert rgb.dtype == np.uint8
    assert rgb.tolist() == [[255, 128, 0], [0, 255, 128]]


def test_maps_and_clouds_carry_vertex_ids_and_the_pick():
    sph = np.array([[0.0, 0.0], [10.0, 90.0], [-30.0, -120.0]])
    fig = panorama_map_figure(
        sph, labels=np.array([0, 1, 2]), label_names=["floor", "wall", "ceiling"], focus=1
    )
    assert "focus" in [t.name for t in fig.data]
    points = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, -1.5]])
    cloud = point_cloud_figure(points, np.full((3, 3), 0.5), focus=2, extent=3.0)
    assert list(cloud.data[0].customdata) == [0, 1, 2]
    focus = [t for t in cloud.data if t.name == "focus"][0]
    assert list(focus.customdata) == [2] and list(focus.z) == [-1.5]
    assert cloud.layout.scene.xaxis.range == (-3.0, 3.0)
    assert "focus" not in [t.name for t in point_cloud_figure(points, np.zeros((3, 3))).data]


def test_the_page_figures_have_truth_and_errors_only_when_known():
    from nodescope.core.models.panorama.single import PanoramaPrediction, error_maps

    rng = np.random.default_rng(0)
    v = rng.normal(size=(12, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    n = rng.normal(size=(12, 3))
    pred = {"depth": rng.uniform(1, 3, 12), "class": rng.integers(0, 9, 12), "layout": rng.integers(0, 3, 12)}
    pred["normal"] = n / np.linalg.norm(n, axis=1, keepdims=True)
    image = np.zeros((8, 16, 3), np.uint8)
    bare = PanoramaPrediction(image, v, rng.uniform(size=(12, 3)), pred)
    assert sorted(panorama_figures(bare)) == sorted(
        ["image", "cloud_pred", "depth_pred", "class_pred", "layout_pred", "normal_pred"]
    )
    truth = {k: x[::-1].copy() for k, x in pred.items()}
    full = PanoramaPrediction(image, v, bare.rgb, pred, truth, error_maps(pred, truth))
    figures = panorama_figures(full, focus=3)
    assert len(figures) == 15
    assert all("focus" in [t.name for t in f.data] for f in figures.values())
    depth_truth = figures["cloud_truth"].data[0]
    np.testing.assert_allclose(depth_truth.x, v[:, 0] * truth["depth"])
    assert figures["cloud_pred"].layout.scene.xaxis.range == figures["cloud_truth"].layout.scene.xaxis.range
    scales = [
        (figures[k].data[0].marker.cmin, figures[k].data[0].marker.cmax)
        for k in ("depth_pred", "depth_truth")
    ]
    assert scales[0] == scales[1] == (pred["depth"].min(), pred["depth"].max())  # one depth scale for both


def test_maps_draw_without_webgl():
    """A page of 13 maps must not use a WebGL context each (Chromium keeps 16; the oldest went blank)."""
    sph = np.array([[0.0, 0.0], [10.0, 90.0], [-30.0, -120.0]])
    for field in (
        {"values": np.array([1.0, 2.0, 3.0])},
        {"labels": np.array([0, 1, 1])},
        {"rgb": np.zeros((3, 3))},
    ):
        fig = panorama_map_figure(sph, focus=0, **field)
        assert {t.type for t in fig.data} == {"scatter"}

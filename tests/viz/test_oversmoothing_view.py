"""Over-smoothing figures: one curve per model, accuracy with error bars, fixed color ranges."""

import numpy as np

from nodescope.viz.oversmoothing_view import (
    CONTRAST_RANGE,
    DISTANCE_MAX,
    accuracy_depth_figure,
    centroid_graph_figure,
    distance_heatmap_figure,
    influence_figure,
    metric_curves_figure,
)


def test_metric_curves_draw_one_named_line_per_model_on_the_chosen_axis():
    curves = {"gcn": np.array([1.0, 0.1, 0.01]), "gcnii": np.array([1.0, np.nan, 0.9])}
    fig = metric_curves_figure(curves, metric_title="√E", names={"gcn": "GCN"}, log_y=True)
    assert [t.name for t in fig.data] == ["GCN", "gcnii"]
    assert list(fig.data[0].x) == [0, 1, 2]
    assert np.isnan(fig.data[1].y[1])  # undefined: a gap, not a zero
    assert fig.layout.yaxis.type == "log"
    assert metric_curves_figure(curves, metric_title="√E").layout.yaxis.type == "linear"


def test_a_model_has_the_same_color_in_every_figure():
    curves = metric_curves_figure({"gcn": np.ones(3), "dagnn": np.ones(3)}, metric_title="m")
    acc = accuracy_depth_figure({"dagnn": {2: (0.8, 0.0)}})
    assert acc.data[0].line.color == curves.data[1].line.color != curves.data[0].line.color


def test_accuracy_is_in_percent_with_std_error_bars_at_the_swept_depths():
    fig = accuracy_depth_figure({"dagnn": {2: (0.8, 0.01), 64: (0.84, 0.005)}})
    assert list(fig.data[0].x) == [2, 64]
    np.testing.assert_allclose(fig.data[0].y, [80.0, 84.0])
    np.testing.assert_allclose(fig.data[0].error_y.array, [1.0, 0.5])
    assert list(fig.layout.xaxis.tickvals) == [2, 64]


def test_heatmap_color_range_is_fixed_so_layers_compare():
    fig = distance_heatmap_figure(np.array([[0.0, 0.01], [0.01, 0.0]]), ["a", "b"], zmax=1.0)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0.0, 1.0)


def test_influence_bars_are_percent_per_hop():
    fig = influence_figure(np.array([0.5, 0.3, 0.1]))
    np.testing.assert_allclose(fig.data[0].y, [50.0, 30.0, 10.0])
    assert list(fig.data[0].x) == [0, 1, 2]


def test_centroid_view_uses_a_fixed_symmetric_color_range():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    edges = np.array([[0, 1], [1, 2]])
    fig = centroid_graph_figure(xy, edges, np.array([-0.01, 0.02, np.nan]))
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert (nodes.marker.cmin, nodes.marker.cmax) == (-CONTRAST_RANGE, CONTRAST_RANGE)
    assert list(nodes.customdata) == [0, 1]  # the NaN node is drawn apart, as "no value"


def test_centroid_distance_view_starts_at_zero():
    xy = np.array([[0.0, 0.0], [1.0, 0.0]])
    fig = centroid_graph_figure(xy, np.array([[0], [1]]), np.array([0.01, 9.0]), kind="distance")
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert (nodes.marker.cmin, nodes.marker.cmax) == (0.0, DISTANCE_MAX)
    assert nodes.marker.color[1] == DISTANCE_MAX  # clipped to the range

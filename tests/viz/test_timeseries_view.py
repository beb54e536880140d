"""Figures of the Time series page: drawn from arrays, the focus and the picks carried as data."""

import numpy as np

from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.timeseries_view import (
    adjacency_heatmap_figure,
    attribution_bars_figure,
    attribution_heatmap_figure,
    forecast_figure,
    learned_graph_figure,
)

NAMES = ["a", "b", "c"]


def test_learned_graph_is_a_node_link_view_with_the_focus_edges():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    fig = learned_graph_figure(
        xy, np.array([[0, 2], [1, 1]]), NAMES, values=np.array([0.1, 0.5, 0.9]), focus=1
    )
    shapes = {s.name for s in fig.layout.shapes}
    assert "focus edges" in shapes and "focus 1" in shapes
    nodes = [t for t in fig.data if t.customdata is not None]
    assert sorted(int(i) for t in nodes for i in np.ravel(t.customdata)) == [0, 1, 2]


def test_a_click_on_an_adjacency_cell_picks_its_row_series():
    a = np.array([[0.0, 0.7, 0.0], [0.0, 0.0, 0.0], [0.2, 0.0, 0.0]])
    fig = adjacency_heatmap_figure(a, NAMES, focus=2)
    cell = {"customdata": fig.data[0].customdata[2][0]}  # the edge a -> c, in row c
    assert node_ids_from_points([cell]) == [2]
    assert fig.layout.shapes[0].name == "focus 2" and fig.layout.shapes[0].y0 == 1.5
    np.testing.assert_array_equal(fig.data[0].z, a)


def test_forecast_figure_draws_series_forecast_and_error():
    steps = np.arange(10)
    fig = forecast_figure(
        steps,
        np.arange(10.0),
        np.array([8, 9]),
        np.array([8.5, 8.0]),
        np.array([0.5, -1.0]),
        name="a",
        test_start=8,
    )
    assert [t.name for t in fig.data] == ["a", "forecast", "error"]
    np.testing.assert_allclose(fig.data[2].y, [0.5, -1.0])


def test_attribution_heatmap_is_centered_on_zero_with_lags_to_the_latest():
    r = np.array([[0.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
    fig = attribution_heatmap_figure(r, NAMES, focus=0)
    h = fig.data[0]
    assert h.zmid == 0 and h.zmax == 2.0 and h.zmin == -2.0
    assert list(h.x) == ["-2", "-1"]


def test_attribution_bars_sit_beside_the_learned_weights():
    fig = attribution_bars_figure(np.array([1.0, 0.0, 3.0]), np.array([0.0, 0.0, 0.8]), NAMES, focus=0)
    assert list(fig.data[0].x) == ["a (focus)", "b", "c"]
    np.testing.assert_allclose(fig.data[1].y, [0.0, 0.0, 0.8])

"""Explanation figures: edges binned by relative importance, global ids on points, contributions sorted."""

import numpy as np

from nodescope.viz.explanation_view import (
    contributions_figure,
    importance_subgraph_figure,
    node_importance,
    relative,
)


def test_relative_and_node_importance():
    assert relative(np.array([-2.0, 1.0, 0.0])).tolist() == [1.0, 0.5, 0.0]
    assert relative(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    ei = np.array([[0, 1, 2], [1, 2, 0]])
    # node 1 touches edges of score 4 and 2, node 0 of 4 and 0, node 2 of 2 and 0
    assert node_importance(ei, np.array([4.0, -2.0, 0.0]), 3).tolist() == [4 / 6, 1.0, 2 / 6]


def test_subgraph_figure_bins_edges_and_carries_global_ids():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    ei = np.array([[0, 1, 0, 2], [1, 0, 2, 3]])
    fig = importance_subgraph_figure(
        xy, ei, np.array([0.05, 1.0, 0.3, 0.0]), node_ids=np.array([10, 11, 12, 13]), center=0
    )
    lines = {t.name: len(t.x) // 3 for t in fig.data if t.name.startswith("importance")}
    assert lines["importance 0.75–1.00"] == 1  # 0 ↔ 1 shows its larger direction
    assert lines["importance 0.25–0.50"] == 1 and lines["importance 0.00–0.10"] == 1
    ids = {int(i) for t in fig.data if t.customdata is not None for i in np.asarray(t.customdata).ravel()}
    assert ids == {10, 11, 12, 13}
    focus = next(t for t in fig.data if t.name == "focus")
    assert list(focus.customdata) == [10]


def test_contributions_largest_on_top_and_colored_by_sign():
    fig = contributions_figure(["a", "b", "c"], np.array([0.02, -0.05, 0.1]), shown=["1", "2", "3"])
    bar = fig.data[0]
    assert list(bar.y) == ["b = 2", "a = 1", "c = 3"]  # plotly draws the first at the bottom
    assert np.allclose(bar.x, [-5.0, 2.0, 10.0])
    assert bar.marker.color[0] != bar.marker.color[-1]


def test_tiny_contributions_are_drawn_small():
    """A fraction of a point must not fill the chart: the axis spans at least ±5 points."""
    small = contributions_figure(["a", "b"], np.array([-0.001, -0.0015]))
    assert tuple(small.layout.xaxis.range) == (-5.0, 5.0)
    large = contributions_figure(["a", "b"], np.array([0.3, -0.1]))
    assert large.layout.xaxis.range[1] >= 30.0 and large.layout.xaxis.range[0] <= -30.0


def test_contributions_labeled_in_words_with_the_number_in_the_tooltip():
    fig = contributions_figure(
        ["degree", "betweenness"], np.array([0.1, -0.02]), words=["7 neighbors", "on few shortest paths"],
        hover=["value 7", "value 2.8e-06"],
    )  # fmt: skip
    bar = fig.data[0]
    assert list(bar.y) == ["betweenness: on few shortest paths", "degree: 7 neighbors"]
    assert list(bar.customdata) == ["value 2.8e-06", "value 7"] and "%{customdata}" in bar.hovertemplate

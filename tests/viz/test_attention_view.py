"""Attention figures: edge weights binned by α, grid cells that say which head they are."""

import numpy as np

from nodescope.viz.attention_view import (
    ALPHA_BINS,
    attention_graph_figure,
    attention_matrix_figure,
    head_grid_figure,
    head_importance_figure,
    strongest_direction,
)
from nodescope.viz.global_attention_view import global_attention_figure
from nodescope.viz.nodes import node_ids_from_points

# A star into node 0 plus one edge 2 -> 1, and self-loops as GAT adds them.
EDGES = np.array([[1, 2, 3, 2, 0, 1, 2, 3], [0, 0, 0, 1, 0, 1, 2, 3]])
ALPHA = np.array([0.6, 0.3, 0.05, 0.4, 0.05, 0.6, 1.0, 1.0])


def test_strongest_direction_keeps_the_larger_coefficient_per_pair():
    edges = np.array([[0, 1, 2], [1, 0, 2]])
    pairs, weight = strongest_direction(edges, np.array([0.2, 0.7, 1.0]))
    assert pairs.tolist() == [[0], [1]] and weight.tolist() == [0.7]  # the self-loop has no line


def test_edges_land_in_the_bin_of_their_coefficient():
    xy = np.array([[0, 0], [1, 0], [0, 1], [-1, 0]], float)
    fig = attention_graph_figure(xy, EDGES, ALPHA, title="t")
    bins = [t for t in fig.data if t.name and t.name.startswith("α")]
    assert len(bins) == len(ALPHA_BINS)
    drawn = {t.name: np.count_nonzero(np.isnan(np.asarray(t.x, float))) for t in bins}
    # pairs: 3-0 (0.05), 2-0 (0.3), 2-1 (0.4), 1-0 (0.6); bins are closed on the right
    assert drawn["α 0.00–0.05"] == 1
    assert drawn["α 0.15–0.30"] == 1 and drawn["α 0.30–0.50"] == 1 and drawn["α 0.50–0.75"] == 1


def test_node_points_carry_global_ids_in_a_neighborhood():
    xy = np.array([[0, 0], [1, 0]], float)
    fig = attention_graph_figure(xy, np.array([[1], [0]]), np.array([1.0]), node_ids=np.array([40, 7]))
    nodes = next(t for t in fig.data if t.name == "nodes")
    points = [{"customdata": c} for c in nodes.customdata]
    assert sorted(node_ids_from_points(points)) == [7, 40]


def test_the_focus_of_a_neighborhood_is_labeled_with_its_global_id():
    # Found in the browser: Cora's node 1708, drawn as the 117th node of its neighborhood, was labeled "116".
    xy = np.array([[0, 0], [1, 0]], float)
    fig = attention_graph_figure(
        xy, np.array([[1], [0]]), np.array([1.0]), node_ids=np.array([40, 1708]), focus=1
    )
    assert next(t for t in fig.data if t.name == "focus").text == ("1708",)
    fig = global_attention_figure(
        xy, np.array([[1], [0]]), np.array([0.2, 0.8]), num_nodes=50, focus=1, node_ids=np.array([40, 1708])
    )
    assert next(t for t in fig.data if t.name == "focus").text == ("1708",)


def test_grid_cells_know_their_layer_and_head():
    blocks = [[np.eye(2), np.eye(2)], [np.eye(2), None]]
    fig = head_grid_figure(blocks, layer_names=["conv 1", "conv 2"], chosen=(0, 1))
    assert len(fig.data) == 3
    assert [tuple(np.asarray(t.customdata)[0, 0]) for t in fig.data] == [(0, 0), (0, 1), (1, 0)]
    assert len(fig.layout.shapes) == 1  # the chosen head's frame


def test_matrix_and_importance_figures_carry_clickable_ids():
    fig = attention_matrix_figure(np.eye(2), ["a", "b"], title="t", node_ids=[5, 9])
    assert np.asarray(fig.data[0].customdata).tolist() == [[5, 9], [5, 9]]
    fig = head_importance_figure(
        np.array([0, 1]), np.array([2, 0]), np.array([0.1, 0.9]), np.array([0.02, 0.0]), salience_name="s"
    )
    assert np.asarray(fig.data[0].customdata).tolist() == [[0, 2], [1, 0]]


def test_head_label_is_one_based_everywhere():
    from nodescope.viz.attention_view import head_label

    assert head_label(1, 0) == "L2 H1" and head_label(2) == "L3"

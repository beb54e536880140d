"""The global-attention figures: nodes colored by × uniform, the most attended kept on large graphs."""

import numpy as np
import pytest

from nodescope.viz.attention_view import head_grid_figure
from nodescope.viz.global_attention_view import MIN_SCALE_TOP, global_attention_figure
from nodescope.viz.nodes import node_ids_from_points

XY = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]], float)
EDGES = np.array([[0, 0, 1], [1, 2, 3]])
ROW = np.array([0.1, 0.5, 0.2, 0.15, 0.05])  # node 0's attention over 5 nodes


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_nodes_are_colored_and_sized_by_multiples_of_uniform():
    fig = global_attention_figure(XY, EDGES, ROW, num_nodes=5, focus=0, spokes=2, title="t")
    assert [t.name for t in fig.data] == ["graph edges", "2 most attended", "nodes", "focus"]
    nodes = _trace(fig, "nodes")
    ids = np.asarray(nodes.customdata)
    assert np.allclose(nodes.marker.color, ROW[ids] * 5)  # 0.5 of 5 nodes: 2.5 × uniform
    assert nodes.marker.cmin == 0 and nodes.marker.cmax == pytest.approx(2.5)
    size = dict(zip(ids.tolist(), np.asarray(nodes.marker.size), strict=True))
    assert size[1] > size[2] > size[4]
    spokes = np.asarray(_trace(fig, "2 most attended").x, float)
    assert np.count_nonzero(np.isnan(spokes)) == 2  # focus → 1 and focus → 2


def test_a_near_uniform_row_is_not_stretched_over_the_color_scale():
    fig = global_attention_figure(XY, EDGES, np.full(5, 0.2), num_nodes=5, focus=0)
    assert _trace(fig, "nodes").marker.cmax == MIN_SCALE_TOP


def test_a_subset_of_nodes_carries_global_ids_for_clicks():
    fig = global_attention_figure(
        XY[:2],
        np.array([[0], [1]]),
        np.array([0.001, 0.01]),
        num_nodes=1000,
        focus=1,
        node_ids=np.array([40, 7]),
    )
    points = [{"customdata": c} for t in fig.data if t.customdata is not None for c in t.customdata]
    assert set(node_ids_from_points(points)) == {7, 40}
    assert _trace(fig, "nodes").marker.cmax == pytest.approx(10.0)  # 0.01 of 1000 nodes


def test_grid_of_rows_knows_its_layer_and_head_and_node_names():
    strips = [[np.array([[1.0, 3.0, 0.5]]), np.array([[1.0, 1.0, 1.0]])], [np.array([[2.0, 0.0, 1.0]]), None]]
    fig = head_grid_figure(
        strips, layer_names=["attention 1", "attention 2"], chosen=(1, 0), zmax=3.0,
        value_name="× uniform", column_labels=["5", "12", "0"],
    )  # fmt: skip
    assert len(fig.data) == 3 and all(t.zmax == 3.0 for t in fig.data)
    assert np.asarray(fig.data[2].customdata).shape == (1, 3, 2)
    assert tuple(np.asarray(fig.data[2].customdata)[0, 0]) == (1, 0)
    assert list(fig.data[0].x) == ["5", "12", "0"] and fig.layout.xaxis.type == "category"
    assert "× uniform" in fig.data[0].hovertemplate and len(fig.layout.shapes) == 1


def test_head_deviation_map_is_centered_on_zero_and_blank_where_a_layer_has_fewer_heads():
    from nodescope.viz.global_attention_view import head_deviation_figure

    fig = head_deviation_figure(np.array([[0.02, -0.01], [0.05, np.nan]]), ["attention 1", "attention 2"])
    heat = fig.data[0]
    assert heat.zmid == 0 and heat.zmax == -heat.zmin == pytest.approx(5.0)  # points
    assert heat.text[1][1] == "" and heat.text[0][0] == "+2.0"

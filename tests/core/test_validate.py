"""Edge cleaning, feature checks and the sample constructor."""

import numpy as np
import pytest
import torch

from nodescope.core.errors import LoadError
from nodescope.core.validate import check_features, clean_edges, make_sample


def test_self_loops_and_duplicates_are_removed_with_notices():
    ei = np.array([[0, 1, 1, 2, 2], [1, 2, 2, 2, 0]])
    out, _, notices = clean_edges(ei, 3)
    assert "Removed 1 self-loop(s)." in notices
    assert "Removed 1 duplicate edge(s)." in notices
    # undirected: both directions of the three distinct edges
    assert out.shape == (2, 6)
    assert {tuple(e) for e in out.t().tolist()} == {(0, 1), (1, 0), (1, 2), (2, 1), (0, 2), (2, 0)}


def test_both_directions_of_an_undirected_edge_are_not_duplicates():
    ei = np.array([[0, 1], [1, 0]])
    out, _, notices = clean_edges(ei, 2)
    assert notices == []
    assert out.shape == (2, 2)


def test_directed_keeps_direction():
    out, _, _ = clean_edges(np.array([[0, 1], [1, 2]]), 3, directed=True)
    assert out.tolist() == [[0, 1], [1, 2]]


def test_out_of_range_and_negative_ids_are_refused():
    with pytest.raises(LoadError, match=r"outside 0\.\.2"):
        clean_edges(np.array([[0, 5], [1, 1]]), 3)
    with pytest.raises(LoadError, match="outside"):
        clean_edges(np.array([[-1], [1]]), 3)


def test_edge_values_stay_aligned_through_cleaning():
    ei = np.array([[2, 0, 1, 1], [1, 1, 0, 1]])  # (1,0) repeats (0,1) reversed; (1,1) a loop
    w = torch.tensor([[5.0], [7.0], [7.0], [9.0]])
    out, values, _ = clean_edges(ei, 3, edge_values={"w": w})
    lookup = {tuple(e): float(v) for e, v in zip(out.t().tolist(), values["w"][:, 0], strict=True)}
    assert lookup[(2, 1)] == lookup[(1, 2)] == 5.0
    assert lookup[(0, 1)] == lookup[(1, 0)] == 7.0


def test_nan_features_name_node_and_column():
    x = np.zeros((3, 2))
    x[1, 1] = np.nan
    with pytest.raises(LoadError, match="first at node 1, feature 'b'"):
        check_features(x, ["a", "b"])
    with pytest.raises(LoadError, match="NaN or infinite"):
        check_features(np.array([[np.inf]]))


@pytest.mark.parametrize(
    ("n", "edges", "message"),
    [(0, np.zeros((2, 0), int), "no nodes"), (3, np.zeros((2, 0), int), "no edges")],
)
def test_empty_graphs_are_refused(n, edges, message):
    with pytest.raises(LoadError, match=message):
        make_sample(kind="graph", name="g", source="t", num_nodes=n, edge_index=edges)


def test_make_sample_defaults_and_shape_checks():
    s = make_sample(kind="graph", name="g", source="t", num_nodes=3, edge_index=np.array([[0, 1], [1, 2]]))
    assert s.feature_names == ["one"] and s.data.x.shape == (3, 1)
    assert s.num_edges == 2 and s.data.edge_index.shape[1] == 4
    with pytest.raises(LoadError, match="Labels have 2 entries"):
        make_sample(kind="graph", name="g", source="t", num_nodes=3, edge_index=[[0], [1]], y=[0, 1])
    with pytest.raises(LoadError, match="'pos' has 2 rows"):
        make_sample(
            kind="graph",
            name="g",
            source="t",
            num_nodes=3,
            edge_index=[[0], [1]],
            extra={"pos": np.zeros((2, 3))},
        )

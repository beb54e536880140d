"""Hop distances: one direction rule (``flow``) for the single-source and the multi-source search."""

import doctest

import numpy as np
import pytest
import torch

from nodescope.core import graph
from nodescope.core.graph import FLOWS, adjacency_edges, hop_distances, multi_source_hop_distances


def test_docstring_examples_run():
    assert doctest.testmod(graph, raise_on_error=True).attempted >= 4


def test_hop_distances_ignore_direction_and_mark_unreachable_nodes():
    path = np.array([[1, 1, 3], [0, 2, 2]])  # 0 - 1 - 2 - 3 as directed edges, node 4 alone
    assert hop_distances(path, 0, 5, flow="undirected").tolist() == [0, 1, 2, 3, -1]


def test_hop_distances_follow_messages_on_a_directed_path():
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])  # 0 -> 1 -> 2 -> 3, node 4 alone
    assert hop_distances(ei, 3, 5, flow="source_to_target").tolist() == [3, 2, 1, 0, -1]
    assert hop_distances(ei, 0, 5, flow="target_to_source").tolist() == [0, 1, 2, 3, -1]
    assert hop_distances(ei, 0, 5, flow="source_to_target").tolist() == [0, -1, -1, -1, -1]
    assert hop_distances(ei, 0, 5, flow="target_to_source", max_hops=2).tolist() == [0, 1, 2, -1, -1]


@pytest.mark.parametrize("flow", FLOWS)
def test_the_multi_source_search_matches_one_search_per_source(flow):
    rng = np.random.default_rng(0)
    n = 300
    ei = rng.integers(0, n, (2, 700))  # sparse and directed: several components, long paths
    sources = np.array([0, 5, 5, 299, *rng.choice(n, 70, replace=False)])  # > 64: two bit words
    multi = multi_source_hop_distances(torch.from_numpy(ei), sources, n, flow=flow, max_hops=6)
    assert multi.shape == (len(sources), n) and multi.dtype == np.int16
    for row, s in zip(multi, sources, strict=True):
        np.testing.assert_array_equal(row, hop_distances(ei, int(s), n, flow=flow, max_hops=6))
    assert (multi.max(axis=1) == 6).any() and (multi == -1).any()


def test_the_multi_source_search_handles_no_sources_and_isolated_nodes():
    ei = np.array([[0], [1]])
    assert multi_source_hop_distances(ei, [], 4, flow="undirected", max_hops=3).shape == (0, 4)
    assert multi_source_hop_distances(ei, [3], 4, flow="undirected", max_hops=3).tolist() == [[-1, -1, -1, 0]]


def test_a_direction_must_be_named():
    with pytest.raises(ValueError, match="flow must be one of"):
        hop_distances(np.array([[0], [1]]), 0, 2, flow="both")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_hops"):
        multi_source_hop_distances(np.array([[0], [1]]), [0], 2, flow="undirected", max_hops=-1)


def test_adjacency_edges_read_rows_as_incoming_and_drop_faint_ones():
    a = np.array([[0.0, 0.5, 0.01], [0.0, 0.0, 0.0], [0.2, 0.0, 0.0]])
    edge_index, weight = adjacency_edges(a)
    assert edge_index.tolist() == [[1, 2, 0], [0, 0, 2]]  # j -> i for a[i, j]
    np.testing.assert_allclose(weight, [0.5, 0.01, 0.2])
    strong, _ = adjacency_edges(a, min_weight=0.1)
    assert strong.tolist() == [[1, 0], [0, 2]]

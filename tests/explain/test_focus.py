"""The focus node and what is drawn around it: default focus, drawable neighborhood, heat-map nodes, labels."""

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import Data
from torch_geometric.utils import k_hop_subgraph

from nodescope.core.sample import Sample
from nodescope.explain.focus import (
    default_focus,
    drawable_neighborhood,
    heatmap_nodes,
    node_titles,
    with_node_labels,
)


def _sample(edge_index: torch.Tensor, n: int, *, labels: bool = True, names: bool = False) -> Sample:
    y = torch.arange(n) % 2 if labels else None
    return Sample(
        Data(x=torch.zeros(n, 1), edge_index=edge_index, y=y), "graph", "t", "test:t", ["f"],
        ["even", "odd"] if labels else None, [f"v{i}" for i in range(n)] if names else None,
    )  # fmt: skip


def _star_and_path() -> torch.Tensor:
    """Node 0 receives from 1..5 (a star), and a path 5 → 6 → 7 → 8."""
    src = [1, 2, 3, 4, 5, 5, 6, 7]
    dst = [0, 0, 0, 0, 0, 6, 7, 8]
    return torch.tensor([src, dst])


def test_the_default_focus_is_the_most_receiving_or_the_least_confident_node():
    ei = _star_and_path()
    assert default_focus(ei, 9) == 0
    probs = torch.tensor([[0.9, 0.1]] * 9)
    probs[4] = torch.tensor([0.55, 0.45])
    assert default_focus(ei, 9, probs=probs) == 4


def test_the_neighborhood_shrinks_until_it_is_drawable():
    ei = _star_and_path()
    wide = drawable_neighborhood(ei, 8, max_hops=3, max_nodes=10)
    assert wide.hops == 3 and wide.nodes.tolist() == [5, 6, 7, 8]
    narrow = drawable_neighborhood(ei, 8, max_hops=3, max_nodes=3)
    assert narrow.hops == 2 and narrow.nodes.tolist() == [6, 7, 8] and narrow.nodes[narrow.center] == 8
    # edges in local ids, and edge_ids naming the same edges of the whole graph
    whole = ei[:, torch.from_numpy(narrow.edge_ids)].numpy()
    np.testing.assert_array_equal(narrow.nodes[narrow.edge_index], whole)
    # the 1-hop neighborhood is given whatever its size
    star = drawable_neighborhood(ei.numpy(), 0, max_hops=2, max_nodes=2, num_nodes=9)
    assert star.hops == 1 and star.nodes.size == 6


def test_the_neighborhood_is_pyg_k_hop_subgraph():
    ei = _star_and_path()
    hood = drawable_neighborhood(ei, 0, max_hops=2, max_nodes=100)
    subset, _, _, mask = k_hop_subgraph(0, 2, ei, relabel_nodes=True)
    assert hood.nodes.tolist() == subset.tolist()
    assert hood.edge_ids.tolist() == mask.nonzero().flatten().tolist()


def test_heatmap_nodes_keep_the_selection_and_sort_by_class():
    s = _sample(_star_and_path(), 9)
    assert sorted(heatmap_nodes(s, (), 20).tolist()) == list(range(9))
    nodes = heatmap_nodes(s, (3, 8), 5)
    assert nodes.size == 5 and {3, 8} <= set(nodes.tolist())
    classes = s.data.y.numpy()[nodes]
    assert (np.diff(classes) >= 0).all()
    np.testing.assert_array_equal(nodes, heatmap_nodes(s, (3, 8), 5))  # a fixed sample


def test_titles_and_tables_name_the_nodes_and_their_classes():
    s = _sample(_star_and_path(), 9, names=True)
    assert node_titles(s, [1]) == ["node 1 · v1 (odd)"]
    assert node_titles(_sample(_star_and_path(), 9, labels=False), [2]) == ["node 2"]
    table = with_node_labels(s, pd.DataFrame({"node": [0, 1], "alpha": [0.5, 0.5]}))
    assert table["name"].tolist() == ["0 · v0", "1 · v1"] and table["class"].tolist() == ["even", "odd"]

"""The labels around a node: training labels only, the model's predictions, in words."""

import numpy as np
import torch

from nodescope.core.context import graph_context
from nodescope.core.loaders import load
from nodescope.core.training import with_split
from nodescope.explain.neighborhood import neighborhood_mix

# 0 - 1 - 2 - 3, and 4 alone
EDGES = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])


def test_known_labels_are_training_labels_within_the_radius_and_never_the_node_itself():
    y = torch.tensor([0, 1, 1, 0, 1])
    train = torch.tensor([True, True, False, True, True])
    predicted = torch.tensor([0, 1, 1, 1, 0])
    mix = neighborhood_mix(EDGES, 0, 5, predicted, ["A", "B"], hops=2, y=y, train_mask=train)
    assert (mix.nodes, mix.known, mix.predicted) == (2, {"B": 1}, {"B": 2})  # 1 and 2; 2 is not training
    assert mix.lines() == [
        "Known labels within 2 hops: 1 B (1 of the 2 nodes have one).",
        "The model predicts them as 2 B.",
    ]
    alone = neighborhood_mix(EDGES, 4, 5, predicted, ["A", "B"], hops=2, y=y, train_mask=train)
    assert alone.lines() == ["No other node lies within 2 hops."]
    unlabeled = neighborhood_mix(EDGES, 3, 5, predicted, ["A", "B"], hops=1)
    assert unlabeled.lines() == [
        "The one node within 1 hop has no known label.",
        "The model predicts it as 1 B.",
    ]


def test_the_known_labels_are_the_ones_x_nodes_label_cues_count():
    sample = load("karate")
    data = with_split(sample.data, seed=0)
    context = graph_context(data, hops=2)
    names = sample.label_names
    for node in range(sample.num_nodes):
        mix = neighborhood_mix(
            data.edge_index, node, sample.num_nodes, torch.zeros(sample.num_nodes, dtype=torch.long), names,
            hops=2, y=data.y, train_mask=data.train_mask,
        )  # fmt: skip
        expected = {names[c]: int(v) for c, v in enumerate(context.label_counts[node]) if v > 0}
        assert mix.known == expected
        assert sum(mix.predicted.values()) == mix.nodes
        assert list(mix.known.values()) == sorted(mix.known.values(), reverse=True)
        assert np.all(np.array(list(mix.known.values())) > 0)

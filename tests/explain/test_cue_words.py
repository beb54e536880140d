"""Cue values in plain words, checked on a six-node graph whose cues are known by hand."""

import math

import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from nodescope.core.context import GRAPH_CUES, graph_context
from nodescope.explain.cue_words import CueFacts, cue_words, level_of, ordered, rank_words, shares

# 0 is a hub linked to 1, 2, 3, 4; 1-2 close a triangle; 5 hangs off 4.
#   degrees 4, 2, 2, 1, 2, 1; clustering of 0: 1 linked pair of 6; of 1 and 2: 1 of 1.
EDGES = [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (4, 5)]
CLASSES = ["A", "B"]


@pytest.fixture(scope="module")
def tiny():
    src, dst = zip(*EDGES, strict=True)
    edge_index = torch.tensor([src + dst, dst + src])
    y = torch.tensor([0, 0, 0, 1, 1, 1])
    train = torch.tensor([False, True, True, True, False, False])
    data = Data(edge_index=edge_index, num_nodes=6, y=y, train_mask=train)
    return graph_context(data, hops=2, betweenness_samples=256)


def _words(context, node: int, cue: str):
    k = GRAPH_CUES.index(cue)
    facts = CueFacts(
        cue, float(context.raw[node, k]), ordered(context.raw[:, k]), 6,
        label_counts=context.label_counts[node], class_names=CLASSES, hops=2,
    )  # fmt: skip
    return cue_words(facts)


def test_degree_in_neighbors_with_its_rank(tiny):
    hub = _words(tiny, 0, "degree")
    assert hub.sentence == "it has 4 neighbors (more than 83% of nodes)"  # 5 of 6 have fewer
    assert hub.short == "4 neighbors" and hub.raw == "4" and hub.level == "high"
    leaf = _words(tiny, 3, "degree")
    assert leaf.sentence == "it has 1 neighbor (fewer than 66% of nodes)"  # 4 of 6 have more, rounded down


def test_clustering_as_the_share_of_linked_neighbor_pairs(tiny):
    assert _words(tiny, 0, "clustering").says == "has 17% of the pairs of its neighbors linked to each other"
    assert _words(tiny, 1, "clustering").says == "has every pair of its neighbors linked to each other"
    assert _words(tiny, 4, "clustering").says == "has no two neighbors linked to each other"


def test_betweenness_in_words_never_as_a_number(tiny):
    hub = _words(tiny, 0, "betweenness")
    assert hub.sentence == "it lies on many shortest paths between other nodes (higher than 83% of nodes)"
    assert _words(tiny, 3, "betweenness").says == "lies on no shortest path between other nodes"
    # node 4 carries 5's paths: second of six, mid-rank 75 %, not above it: "some"
    assert _words(tiny, 4, "betweenness").says == "lies on some shortest paths between other nodes"
    assert "e-0" not in hub.sentence


def test_label_agreement_names_the_class_and_counts_training_labels_only(tiny):
    # within 2 hops of 0: the training nodes 1, 2 (A) and 3 (B); 4 and 5 are labeled B but not training
    assert _words(tiny, 0, "label agreement").says == "has 2 of its 3 labeled nodes within 2 hops in A"
    assert _words(tiny, 5, "label agreement").says == "has no labeled node within 2 hops"
    assert _words(tiny, 5, "no labeled neighbors").sentence == "it has no labeled node within 2 hops"


def test_pagerank_relative_to_the_average_node(tiny):
    hub = _words(tiny, 0, "pagerank")
    ratio = float(tiny.raw[0, GRAPH_CUES.index("pagerank")]) * 6
    assert hub.says == f"is central in the network: PageRank {ratio:.1f}× the average node's"


def test_rank_clauses_and_levels():
    values = ordered(np.array([0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan]))
    assert shares(7.0, values) == (90.0, 0.0)
    assert rank_words(7.0, values) == "higher than 90% of nodes"
    assert rank_words(0.0, values) == "lower than 70% of nodes"
    assert rank_words(0.0, values, counts=True) == "fewer than 70% of nodes"
    assert rank_words(math.nan, values) == ""
    assert rank_words(2.0, ordered(np.array([1.0, 2.0, 2.0, 2.0, 3.0]))) == "the same as 60% of nodes"
    assert rank_words(1.0, ordered(np.ones(4))) == "like every node"
    assert [level_of(v, values) for v in (0.0, 3.0, 7.0)] == ["low", "typical", "high"]


def test_a_new_cue_gets_words_without_declaring_any():
    values = ordered(np.arange(10.0))
    words = cue_words(CueFacts("curvature", 9.0, values, 10))
    assert words.sentence == "it has a high curvature (higher than 90% of nodes)"
    vote = cue_words(
        CueFacts("neighbor vote: 1", 0.62, ordered(np.linspace(0, 1, 11)), 11, class_names=CLASSES)
    )
    assert vote.says == "has neighbors whose own features give B 62% on average"

"""Context cues: training labels only, exact betweenness, label agreement by hand, caching."""

import copy

import networkx as nx
import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from nodescope.core.context import GRAPH_CUES, adjacency, betweenness, graph_context
from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build
from nodescope.core.training import seed_everything, settings_for, train, with_split


@pytest.fixture(scope="module")
def sbm():
    sample = load("sbm")
    return sample, with_split(sample.data, seed=0)


def _permute(data: Data, mask: torch.Tensor, seed: int) -> Data:
    out = copy.copy(data)
    y = data.y.clone()
    idx = mask.nonzero().flatten()
    y[idx] = y[idx[torch.randperm(idx.numel(), generator=torch.Generator().manual_seed(seed))]]
    out.y = y
    return out


def test_permuting_validation_and_test_labels_changes_no_context_and_no_prediction(sbm):
    sample, data = sbm
    config = MODELS["xnode-gcn"].config(sample.data.num_features, sample.num_classes)
    model = train(config, data, settings_for("xnode-gcn", max_epochs=30)).model
    shuffled = _permute(data, data.val_mask | data.test_mask, seed=1)
    assert not torch.equal(shuffled.y, data.y)
    a, b = graph_context(data), graph_context(shuffled)
    assert torch.equal(a.z, b.z) and np.array_equal(a.label_counts, b.label_counts)
    with torch.no_grad():
        out_a, out_b = model(model.prepare(data)), model(model.prepare(shuffled))
    assert torch.equal(out_a.context, out_b.context)
    assert torch.equal(out_a.logits, out_b.logits)
    # The control: training labels do reach the context.
    retrained = _permute(data, data.train_mask, seed=1)
    assert not torch.equal(graph_context(retrained).z, a.z)


def test_betweenness_equals_networkx_and_samples_estimate_it():
    sample = load("ba-shapes")
    a = adjacency(sample.data.edge_index, sample.num_nodes)
    exact = nx.betweenness_centrality(nx.from_scipy_sparse_array(a))
    ours = betweenness(a, np.arange(sample.num_nodes))
    assert np.allclose(ours, [exact[i] for i in range(sample.num_nodes)], atol=1e-12)
    sampled = betweenness(a, np.random.default_rng(0).choice(sample.num_nodes, 200, replace=False))
    assert np.corrcoef(sampled, ours)[0, 1] > 0.9


def test_label_agreement_by_hand():
    # Path 0 - 1 - 2 - 3 - 4; training labels: node 1 is class 0, node 3 class 1, node 4 class 1.
    edges = torch.tensor([[0, 1], [1, 2], [2, 3], [3, 4]]).t()
    data = Data(
        edge_index=torch.cat([edges, edges.flip(0)], 1),
        num_nodes=5,
        y=torch.tensor([1, 0, 0, 1, 1]),
        train_mask=torch.tensor([False, True, False, True, True]),
    )
    context = graph_context(data, hops=1)
    assert context.label_counts.tolist() == [[1, 0], [0, 0], [1, 1], [0, 1], [0, 1]]
    agreement = context.raw[:, GRAPH_CUES.index("label agreement")]
    assert np.isnan(agreement[1]) and agreement[[0, 2, 3, 4]].tolist() == [1.0, 0.5, 1.0, 1.0]
    assert context.raw[:, GRAPH_CUES.index("no labeled neighbors")].tolist() == [0, 1, 0, 0, 0]
    assert context.z[1, GRAPH_CUES.index("label agreement")] == 0  # unknown sits at the average
    assert context.raw[:, GRAPH_CUES.index("degree")].tolist() == [1, 2, 2, 2, 1]
    two = graph_context(data, hops=2)
    assert two.label_counts[0].tolist() == [1, 0] and two.label_counts[1].tolist() == [0, 1]


def test_standardized_cues_and_cache(sbm):
    _, data = sbm
    context = graph_context(data)
    z = context.z.numpy()
    varying = z.std(0) > 0
    assert np.allclose(z.mean(0)[varying], 0, atol=1e-5) and np.allclose(z.std(0)[varying], 1, atol=1e-4)
    degree = GRAPH_CUES.index("degree")
    i = int(np.argmax(context.raw[:, degree]))
    assert context.value_at("degree", float(z[i, degree])) == pytest.approx(context.raw[i, degree], rel=1e-4)
    assert graph_context(data) is context  # cached per graph


def test_xnode_refuses_data_without_a_training_mask():
    seed_everything(0)
    sample = load("karate")
    model = build(MODELS["xnode-gcn"].config(sample.data.num_features, sample.num_classes))
    unsplit = Data(x=sample.data.x, edge_index=sample.data.edge_index, y=sample.data.y)
    with pytest.raises(ValueError, match="train_mask"):
        model.prepare(unsplit)
    with pytest.raises(ValueError, match="prepare"):
        model(unsplit)


def test_per_class_cues_expand_per_class_and_keep_their_declaration():
    # Issue 17, 2.4: the vote cues are families, one readable number per class.
    from nodescope.core.context import CLASS_CUES, CUES, cue_names, cue_of, split_class_cue

    assert CLASS_CUES == ("own-feature vote", "neighbor vote")
    names = cue_names(["neighbor vote", "degree", "own-feature vote"], 3)
    assert names == (
        "degree",
        "own-feature vote: 0",
        "own-feature vote: 1",
        "own-feature vote: 2",
        "neighbor vote: 0",
        "neighbor vote: 1",
        "neighbor vote: 2",
    )
    assert split_class_cue("neighbor vote: 2") == ("neighbor vote", 2) and split_class_cue("degree") is None
    assert cue_of("neighbor vote: 2") is CUES["neighbor vote"] and cue_of("degree") is CUES["degree"]
    assert all(CUES[f].words for f in CLASS_CUES)

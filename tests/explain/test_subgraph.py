"""Computation subgraphs: the model predicts the node exactly as on the whole graph, batched or one by one."""

import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.utils import k_hop_subgraph

from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build
from nodescope.core.training import with_split
from nodescope.explain.subgraph import (
    batched_subgraphs,
    computation_subgraph,
    hops_of,
    prepare_for_explaining,
)

# Known limits, not of the subgraph but of counting a model's reach by its MessagePassing modules:
# propagation models (K steps in one operator) count 0 hops, PairNorm normalizes over every node.
NOT_LOCAL = {"appnp", "dagnn", "dgmlp", "gcn-pairnorm"}
LOCAL = [k for k in MODELS if MODELS[k].attention != "local+global"]


@pytest.fixture(scope="module")
def ba_shapes():
    sample = load("ba-shapes")
    return sample, with_split(sample.data, seed=0)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason="not local: see NOT_LOCAL"))
        if k in NOT_LOCAL
        else k
        for k in LOCAL
    ],
)
def test_the_node_s_prediction_on_its_subgraph_is_its_whole_graph_prediction(ba_shapes, key):
    sample, data = ba_shapes
    torch.manual_seed(0)
    config = MODELS[key].config(sample.data.num_features, sample.num_classes)
    model = build(
        MODELS[key].config(sample.data.num_features, sample.num_classes, layers=min(config.layers, 3))
    )
    model.eval()
    prepared = prepare_for_explaining(model, data)
    with torch.no_grad():
        whole = model(prepared).logits
    hops = hops_of(model)
    for node in (0, 40, 333, 650):  # a hub, a base node, motif nodes
        sub = computation_subgraph(model, prepared, node)
        assert int(sub.nodes[sub.center]) == node
        with torch.no_grad():
            torch.testing.assert_close(model(sub.data).logits[sub.center], whole[node], atol=1e-5, rtol=1e-5)
        # The computation edges are PyG's hard edge mask: both ends within ``hops`` hops.
        _, _, _, inner = k_hop_subgraph(node, hops, prepared.edge_index, num_nodes=sample.num_nodes)
        assert set(sub.edges[sub.computation].tolist()) == set(inner.nonzero().flatten().tolist())
        src, dst = prepared.edge_index
        assert (sub.data.edge_index[1] < sub.data.num_nodes).all()
        assert torch.equal(
            sub.nodes[sub.data.edge_index[1]], dst[sub.edges]
        )  # every edge into its own target


def test_the_ring_is_one_node_and_subgraphs_shrink(ba_shapes):
    sample, data = ba_shapes
    model = build(MODELS["gcn"].config(sample.data.num_features, sample.num_classes, layers=2)).eval()
    sub = computation_subgraph(model, data, 0)
    induced, _, _, _ = k_hop_subgraph(0, 3, data.edge_index, num_nodes=sample.num_nodes)
    within, _, _, _ = k_hop_subgraph(0, 2, data.edge_index, num_nodes=sample.num_nodes)
    assert sub.data.num_nodes == within.numel() + 1 < induced.numel()
    assert sub.nodes[:-1].tolist() == within.tolist()  # increasing original id, the ring node last


@pytest.mark.parametrize(
    ("dataset", "key"), [("karate", "xnode-gcn"), ("ba-shapes", "gin"), ("les-miserables", "gat")]
)
def test_batched_subgraphs_equal_the_node_by_node_ones(dataset, key):
    sample = load(dataset)
    data = with_split(sample.data, seed=0)
    model = build(MODELS[key].config(sample.data.num_features, sample.num_classes)).eval()
    prepared = prepare_for_explaining(model, data)
    prepared.edge_attr = torch.arange(prepared.edge_index.shape[1], dtype=torch.float)[
        :, None
    ]  # follows its edges
    nodes = [5, 0, 17, 5, 30]  # any order, repeats allowed
    subs = [computation_subgraph(model, prepared, i) for i in nodes]
    expected = Batch.from_data_list([s.data for s in subs])
    got = batched_subgraphs(model, prepared, nodes)
    assert got.data.num_nodes == expected.num_nodes
    for attr, value in got.data.items():
        if attr != "num_nodes":
            assert torch.equal(value, expected[attr]), attr
    assert set(expected.keys()) - {"batch", "ptr", "num_nodes"} <= set(got.data.keys())
    assert got.centers.tolist() == (expected.ptr[:-1] + torch.tensor([s.center for s in subs])).tolist()
    assert torch.equal(got.nodes, torch.cat([s.nodes for s in subs]))
    assert torch.equal(got.edges, torch.cat([s.edges for s in subs]))
    assert torch.equal(got.computation, torch.cat([s.computation for s in subs]))
    assert got.edge_counts.tolist() == [s.edges.numel() for s in subs]


def test_models_that_attend_to_every_node_are_not_batched():
    sample = load("karate")
    model = build(MODELS["gps"].config(sample.data.num_features, sample.num_classes))
    with pytest.raises(ValueError, match="attends to every node"):
        batched_subgraphs(model, model.prepare(sample.data), [0])

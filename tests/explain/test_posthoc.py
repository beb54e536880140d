"""Post-hoc explainers: every one runs after GNNExplainer ran (the PyG bug), subgraph runs equal whole-graph runs."""

import pytest
import torch
from torch_geometric.explain import Explainer
from torch_geometric.explain.algorithm import CaptumExplainer, GNNExplainer
from torch_geometric.nn import MessagePassing

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import settings_for, train, with_split
from nodescope.explain import posthoc, xnode
from nodescope.explain.subgraph import Logits, computation_subgraph


@pytest.fixture(scope="module")
def karate():
    sample = load("karate")
    data = with_split(sample.data, seed=0)
    models = {}
    for key in ("gat", "xnode-gat"):
        config = MODELS[key].config(sample.data.num_features, sample.num_classes)
        models[key] = train(config, data, settings_for(key, max_epochs=40)).model
    return sample, data, models


def _leftovers(model):
    return [m for m in model.modules() if isinstance(m, MessagePassing) and "_edge_mask" in m._parameters]


@pytest.mark.parametrize("key", ["gat", "xnode-gat"])
def test_every_explainer_runs_after_gnnexplainer_on_the_same_model(karate, key):
    sample, data, models = karate
    model = models[key]
    n, f, e = sample.num_nodes, sample.data.num_features, data.edge_index.shape[1]
    first = posthoc.gnnexplainer(model, data, 0, epochs=20)
    assert not _leftovers(model)  # the caller's model is untouched
    # And even a model a raw PyG GNNExplainer has left its parameter on works:
    raw = Explainer(
        model=Logits(model, model.prepare(data)),
        algorithm=GNNExplainer(epochs=5),
        explanation_type="model",
        node_mask_type="attributes",
        edge_mask_type="object",
        model_config=posthoc.MODEL_CONFIG,
    )
    raw(data.x, data.edge_index, index=0)
    assert _leftovers(model)
    results = [
        first,
        posthoc.integrated_gradients(model, data, 0, steps=10),
        posthoc.saliency(model, data, 0),
        posthoc.attention(model, data, 0),
    ]
    with torch.no_grad():
        predicted = int(model(model.prepare(data)).logits[0].argmax())
    for att in results:
        assert att.node == 0 and att.target == predicted and att.seconds > 0
        assert att.edge_mask.shape == (e,) and torch.isfinite(att.edge_mask).all()
        assert att.edge_mask.abs().sum() > 0
        if att.method != "attention":
            assert att.node_mask.shape == (n, f)
    assert results[-1].node_mask is None  # attention explains edges only


def test_subgraph_run_equals_a_whole_graph_run(karate):
    _, data, models = karate
    model = models["gat"]
    node = 5
    ours = posthoc.saliency(model, data, node)
    whole = Explainer(
        model=Logits(posthoc.private_copy(model), data),
        algorithm=CaptumExplainer("Saliency"),
        explanation_type="model",
        node_mask_type="attributes",
        edge_mask_type="object",
        model_config=posthoc.MODEL_CONFIG,
    )(data.x, data.edge_index, index=node)
    assert torch.allclose(ours.edge_mask, whole.edge_mask, atol=1e-6)
    assert torch.allclose(ours.node_mask, whole.node_mask, atol=1e-6)
    sub = computation_subgraph(model, data, node)
    outside = torch.ones(data.edge_index.shape[1], dtype=torch.bool)
    outside[sub.edges[sub.computation]] = False
    assert (ours.edge_mask[outside] == 0).all()


def test_xnode_edge_masks_for_many_nodes_equal_saliency_one_by_one(karate):
    _, data, models = karate
    model = models["xnode-gat"]
    batched = list(xnode.attributions(model, data, [0, 9, 33], chunk=2))
    assert [a.node for a in batched] == [0, 9, 33]
    for att in batched:
        single = posthoc.saliency(model, data, att.node)
        assert att.target == single.target
        assert torch.allclose(att.edge_mask, single.edge_mask, atol=1e-5)
        own = att.node_mask.abs().sum(1)
        assert own[att.node] > 0 and own.sum() == own[att.node]  # its own features only


def test_explain_nodes_streams_and_refuses_what_cannot_work(karate):
    sample, data, models = karate
    seen = []
    out = list(
        posthoc.explain_nodes(
            "saliency", models["gat"], data, [1, 2], progress=lambda d, t: seen.append((d, t))
        )
    )
    assert [a.node for a in out] == [1, 2] and seen == [(1, 2), (2, 2)]
    with pytest.raises(ValueError, match="unknown explainer"):
        next(posthoc.explain_nodes("shap", models["gat"], data, [0]))
    gcn = train(
        MODELS["gcn"].config(sample.data.num_features, sample.num_classes),
        data,
        settings_for("gcn", max_epochs=2),
    ).model
    with pytest.raises(ValueError, match="no attention"):
        posthoc.attention(gcn, data, 0)


def test_the_random_baseline_is_seeded_per_node_and_covers_the_reachable_edges(karate):
    _, data, models = karate
    model = models["gat"]
    one = posthoc.random_baseline(model, data, 5)
    both = list(posthoc.explain_nodes("random", model, data, [9, 5]))
    assert torch.equal(both[1].edge_mask, one.edge_mask)  # the same scores whatever else is explained
    assert not torch.equal(posthoc.random_baseline(model, data, 5, seed=1).edge_mask, one.edge_mask)
    sub = computation_subgraph(model, data, 5)
    reach = torch.zeros(data.edge_index.shape[1], dtype=torch.bool)
    reach[sub.edges[sub.computation]] = True
    assert (one.edge_mask[reach] > 0).all() and (one.edge_mask[~reach] == 0).all()
    with torch.no_grad():
        assert one.target == int(model(model.prepare(data)).logits[5].argmax())
    assert one.node_mask.shape == (data.num_nodes, data.num_features)
    assert "random" in posthoc.BASELINES and "random" not in posthoc.METHODS

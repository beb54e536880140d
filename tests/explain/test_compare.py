"""One node under every explainer: the methods that apply, agreement of edge sets, one fidelity row each."""

import math

import pytest
import torch

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.training import settings_for, train, with_split
from nodescope.explain.compare import agreement, compare_node, methods_for, top_edges
from nodescope.explain.posthoc import Attribution


def _att(edges, scores):
    return Attribution(
        "x",
        0,
        0,
        0.0,
        10,
        20,
        torch.tensor([0]),
        None,
        torch.tensor(edges),
        torch.tensor(scores, dtype=torch.float),
    )


def test_top_edges_rank_by_magnitude_within_the_computation_edges():
    att = _att([1, 2, 3, 4, 5], [0.1, -0.9, 0.5, 0.0, 0.7])
    assert top_edges(att, [1, 2, 3, 4], top_k=2) == {2, 3}  # 5 cannot reach the node
    assert top_edges(att, [1, 2, 3, 4, 5], top_k=10) == {1, 2, 3, 5}  # zero scores are not chosen


def test_agreement_is_the_mean_pairwise_jaccard():
    assert agreement([{1, 2}, {1, 2}]) == 1.0
    assert agreement([{1, 2}, {3, 4}]) == 0.0
    assert agreement([{1, 2}, {2, 3}, {1, 2}]) == pytest.approx((1 / 3 + 1 + 1 / 3) / 3)
    assert agreement([set(), set()]) == 1.0
    assert math.isnan(agreement([{1}]))


@pytest.fixture(scope="module")
def karate():
    sample = load("karate")
    data = with_split(sample.data, seed=0)
    models = {}
    for key in ("gcn", "xnode-gat"):
        config = MODELS[key].config(sample.data.num_features, sample.num_classes)
        models[key] = train(config, data, settings_for(key, max_epochs=30)).model
    return data, models


def test_methods_follow_the_model(karate):
    _, models = karate
    assert methods_for(models["gcn"]) == ["gnnexplainer", "ig", "saliency"]
    assert methods_for(models["xnode-gat"]) == ["xnode", "gnnexplainer", "ig", "saliency", "attention"]


def test_compare_node_scores_every_method_on_the_same_node(karate):
    data, models = karate
    cmp = compare_node(models["xnode-gat"], data, 5, epochs=10, samples=8)
    assert list(cmp.attributions) == ["xnode", "gnnexplainer", "ig", "saliency", "attention"]
    assert all(a.node == 5 for a in cmp.attributions.values())
    assert cmp.fidelity["method"].tolist() == list(cmp.attributions)
    assert cmp.fidelity[["fid_plus", "fid_minus"]].isin([0.0, 1.0]).all().all()
    assert 0.0 <= cmp.agreement <= 1.0 and not cmp.errors and cmp.agreement_note == ""
    # Every method is scored on the same explanation size: 20 % of the edges that reach node 5.
    assert cmp.fidelity["size"].max() == cmp.top_k == math.ceil(0.2 * cmp.fidelity["edges"].iloc[0])


def test_a_method_that_does_not_apply_is_reported_not_raised(karate):
    data, models = karate
    cmp = compare_node(models["gcn"], data, 0, methods=["saliency", "attention", "xnode"], samples=8)
    assert list(cmp.attributions) == ["saliency"]
    assert set(cmp.errors) == {"attention", "xnode"}
    assert math.isnan(cmp.agreement)  # one method: nothing to agree with
    assert cmp.agreement_note == "fewer than two explainers with edge scores"

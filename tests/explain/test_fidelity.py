"""Fidelity metrics: a hand-built star whose center's prediction is known in closed form, the batched
Monte Carlo against a sample-by-sample loop, what does not apply, and a random baseline on BA-Shapes."""

import math
import random

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score
from torch_geometric.data import Data
from torch_geometric.explain import Explainer
from torch_geometric.explain.metric import fidelity as pyg_fidelity
from torch_geometric.nn import MessagePassing

from nodescope.core.checkpoint import load_checkpoint, shipped_checkpoint
from nodescope.core.loaders import load
from nodescope.core.models import MODELS, ModelConfig, ModelOutput, NodeModel, build
from nodescope.core.training import with_split
from nodescope.explain import posthoc, xnode
from nodescope.explain.fidelity import (
    ALPHA1,
    ALPHA2,
    _Given,
    auroc,
    characterization,
    evaluate,
    explanation_edges,
    explanation_size,
    fidelity,
    not_applicable,
    robust_fidelities,
    robust_fidelity,
    shown,
    shown_summary,
    summarize,
)
from nodescope.explain.posthoc import MODEL_CONFIG, Attribution, private_copy
from nodescope.explain.subgraph import Logits, computation_subgraph, prepare_for_explaining


class _Sum(MessagePassing):
    def __init__(self) -> None:
        super().__init__(aggr="add")

    def forward(self, x, edge_index):
        return self.propagate(edge_index, x=x)


class SumModel(NodeModel):
    """logits_i = sum of the in-neighbors' features (2 classes), one message-passing layer."""

    def __init__(self) -> None:
        super().__init__(ModelConfig(model="test-sum", in_dim=2, out_dim=2, layers=1))
        self.conv = _Sum()

    def forward(self, data, *, attention=False):
        return ModelOutput(logits=self.conv(data.x, data.edge_index))


# Center 0 with leaves 1, 2, 3. Leaf 1 says class 1 strongly, leaves 2 and 3 say class 0 weakly:
# node 0's logits are [2, 3], class 1, and only the edge 1 -> 0 carries that decision.
EDGES = [(1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (0, 3)]


@pytest.fixture
def star():
    x = torch.tensor([[0.0, 0.0], [0.0, 3.0], [1.0, 0.0], [1.0, 0.0]])
    edge_index = torch.tensor(EDGES).t()
    gt = torch.tensor([1.0, 0, 0, 0, 0, 0])
    return SumModel().eval(), Data(x=x, edge_index=edge_index, edge_mask_gt=gt)


def _p1(logits):
    return torch.tensor(logits).softmax(0)[1].item()


def _pyg(model, sub, hard):
    explainer = Explainer(
        model=Logits(model, sub.data),
        algorithm=_Given(hard.float()),
        explanation_type="model",
        edge_mask_type="object",
        model_config=MODEL_CONFIG,
    )
    return pyg_fidelity(explainer, explainer(sub.data.x, sub.data.edge_index, index=sub.center))


def test_explanations_are_sized_to_the_neighborhood():
    assert [explanation_size(e) for e in (0, 1, 4, 5, 6, 12, 14, 100)] == [0, 1, 1, 1, 2, 3, 3, 20]
    assert explanation_size(12, top_k=12) == 12 and explanation_size(5, top_k=12) == 5
    assert explanation_size(12, fraction=0.5) == 6
    computation = torch.tensor([True] * 10 + [False] * 2)
    scores = torch.tensor([0.1, -0.9, 0.5, 0, 0, 0, 0, 0, 0, 0, 5.0, 5.0])
    hard = explanation_edges(scores, computation)  # 20 % of 10 edges; edges out of reach never count
    assert hard.nonzero().flatten().tolist() == [1, 2]
    assert explanation_edges(scores, computation, top_k=8).sum() == 3  # zero scores are never chosen


def test_pyg_and_probability_fidelity_of_the_right_and_a_wrong_edge(star):
    model, data = star
    sub = computation_subgraph(model, data, 0)
    assert sub.computation.all() and sub.center == 0
    right = explanation_edges(torch.tensor([0.9, 0.1, 0.1, 0, 0, 0]), sub.computation, top_k=1)
    wrong = explanation_edges(torch.tensor([0.1, 0.9, 0.1, 0, 0, 0]), sub.computation, top_k=1)
    assert right.tolist() == [True, False, False, False, False, False]
    base = _p1([2.0, 3.0])
    # Masking 1 -> 0 out gives [2, 0] (class flips): Fid+ = 1; keeping only it gives [0, 3]: Fid- = 0.
    got = fidelity(model, sub, right)
    assert (got["fid_plus"], got["fid_minus"]) == (1.0, 0.0) == _pyg(model, sub, right)
    assert got["prob_fid_plus"] == pytest.approx(base - _p1([2.0, 0.0]))
    assert got["prob_fid_minus"] == pytest.approx(base - _p1([0.0, 3.0]))
    # Masking 2 -> 0 gives [1, 3] (same class): Fid+ = 0; keeping only it gives [1, 0]: Fid- = 1.
    got = fidelity(model, sub, wrong)
    assert (got["fid_plus"], got["fid_minus"]) == (0.0, 1.0) == _pyg(model, sub, wrong)
    assert got["prob_fid_plus"] == pytest.approx(base - _p1([1.0, 3.0]))
    assert got["prob_fid_minus"] == pytest.approx(base - _p1([1.0, 0.0]))
    assert characterization(1.0, 0.0) == pytest.approx(1.0)
    assert characterization(0.0, 1.0) == 0.0
    assert characterization(0.5, 0.5) == pytest.approx(0.5)


def test_robust_fidelity_matches_its_closed_form(star):
    model, data = star
    sub = computation_subgraph(model, data, 0)
    right = explanation_edges(torch.tensor([0.9, 0.1, 0.1, 0, 0, 0]), sub.computation, top_k=1)
    plus, minus = robust_fidelity(model, sub, right, samples=6000, seed=1)
    base = _p1([2.0, 3.0])
    # Fid+: the explanation edge goes with probability a1, leaving [2, 0].
    expected_plus = base - ((1 - ALPHA1) * base + ALPHA1 * _p1([2.0, 0.0]))
    # Fid-: edges 2 -> 0 and 3 -> 0 each stay with probability a2 (edges out of 0 do not matter).
    kept = {k: math.comb(2, k) * ALPHA2**k * (1 - ALPHA2) ** (2 - k) for k in range(3)}
    expected_minus = base - sum(w * _p1([float(k), 3.0]) for k, w in kept.items())
    assert plus == pytest.approx(expected_plus, abs=0.006)
    assert minus == pytest.approx(expected_minus, abs=0.006)
    assert expected_plus > 0.05 and expected_minus < -0.02  # the two terms are told apart
    again = robust_fidelity(model, sub, right, samples=6000, seed=1)
    assert again == (plus, minus)  # seeded


def test_evaluate_and_ground_truth(star):
    model, data = star
    good, bad = (
        Attribution("test", 0, 1, 0.0, 4, 6, torch.arange(4), None, torch.arange(6), torch.tensor(scores))
        for scores in ([0.9, 0.2, 0.1, 0, 0, 0], [0.1, 0.9, 0.8, 0, 0, 0])
    )
    frame = evaluate(model, data, [good, bad], top_k=1, samples=200)
    assert list(frame["node"]) == [0, 0]
    assert frame[["edges", "size", "motif_edges"]].values.tolist() == [[6, 1, 1], [6, 1, 1]]
    assert frame.loc[0, ["precision", "recall", "auroc"]].tolist() == [1.0, 1.0, 1.0]
    assert frame.loc[1, ["precision", "recall"]].tolist() == [0.0, 0.0]
    assert frame.loc[1, "auroc"] == pytest.approx(0.6)  # the true edge beats 3 of the 5 others
    summary = summarize(frame)
    assert summary["nodes"] == 2 and summary["fid_plus"] == 0.5 and summary["fid_minus"] == 0.5
    assert summary["characterization"] == pytest.approx(0.5)
    assert summary["prob_fid_delta"] > 0  # the right edge's gain outweighs the wrong one's loss
    assert summary["alpha1"] == ALPHA1 and summary["alpha2"] == ALPHA2
    assert summary["not_applicable"] == {} and summary["scored_nodes"] == {}
    # By default the explanation is 20 % of the 6 edges that reach node 0: 2 edges.
    assert evaluate(model, data, [good], samples=8)["size"].tolist() == [2]


def test_auroc_is_sklearn_s_with_ties():
    gen = np.random.default_rng(0)
    for _ in range(20):
        labels = gen.random(30) < 0.3
        scores = gen.integers(0, 5, 30).astype(float)  # many ties
        assert auroc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))
    assert math.isnan(auroc(np.ones(3, bool), np.arange(3.0)))


def test_metrics_that_do_not_apply_are_nan_with_a_reason(star):
    assert not_applicable({"edges": 14, "size": 3, "motif_edges": 6}) == {}
    assert set(not_applicable({"edges": 0, "size": 0})) >= {"fid_plus", "robust_fid_minus", "auroc"}
    whole = not_applicable({"edges": 1, "size": 1})
    assert whole == dict.fromkeys(
        ("fid_minus", "prob_fid_minus", "robust_fid_minus"), "the explanation is the whole neighborhood"
    )
    assert not_applicable({"edges": 12, "size": 3, "motif_edges": 0}) == dict.fromkeys(
        ("precision", "recall", "auroc"), "no motif edge in the neighborhood"
    )
    assert not_applicable({"edges": 12, "size": 3, "motif_edges": 12}) == dict.fromkeys(
        ("precision", "auroc"), "only motif edges in the neighborhood"
    )
    model, data = star
    motif_only = Data(x=data.x, edge_index=data.edge_index, edge_mask_gt=torch.ones(6))
    scores = torch.tensor([0.9, 0.2, 0.1, 0.05, 0.04, 0.03])
    att = Attribution("test", 0, 1, 0.0, 4, 6, torch.arange(4), None, torch.arange(6), scores)
    frame = evaluate(model, motif_only, [att], top_k=6, samples=8)  # all 6 edges: the whole neighborhood
    row = frame.iloc[0]
    assert row["fid_plus"] == 1.0 and row["recall"] == 1.0
    assert row[["fid_minus", "prob_fid_minus", "robust_fid_minus", "precision", "auroc"]].isna().all()
    summary = summarize(frame)
    assert summary["not_applicable"]["auroc"] == "only motif edges in the neighborhood"
    assert summary["not_applicable"]["fid_minus"] == "the explanation is the whole neighborhood"
    assert math.isnan(summary["characterization"]) and "characterization" in summary["not_applicable"]
    assert shown_summary(summary, "auroc") == "motif AUROC n/a (only motif edges in the neighborhood)"
    assert shown_summary(summary, "fid_plus", ".2f") == "Fid+ 1.00"
    assert shown(float("nan")) == "n/a" and shown(0.5, "unused", ".1f") == "0.5"


def _one_by_one(model, sub, hard, samples, seed):
    """Robust fidelity as its definition reads: one forward pass per Monte Carlo sample."""
    gen = torch.Generator().manual_seed(seed)
    draws = torch.ones(2, samples, hard.numel())
    draws[:, :, sub.computation] = torch.rand(2, samples, int(sub.computation.sum()), generator=gen)
    plus = ~(hard & (draws[0] < ALPHA1))
    minus = hard | ~sub.computation | (draws[1] < ALPHA2)
    extras = {k: v for k, v in sub.data.items() if k not in ("x", "edge_index")}

    def prob(keep):
        graph = Data(x=sub.data.x, edge_index=sub.data.edge_index[:, keep], **extras)
        return model(graph).logits[sub.center].softmax(-1)

    with torch.no_grad():
        base = prob(torch.ones_like(hard))
        y = int(base.argmax())
        return tuple(
            float(base[y] - torch.stack([prob(k)[y] for k in keep]).mean()) for keep in (plus, minus)
        )


@pytest.fixture(scope="module")
def karate_xnode():
    sample = load("karate")
    data = with_split(sample.data, seed=0)
    torch.manual_seed(0)
    model = build(MODELS["xnode-gcn"].config(sample.data.num_features, sample.num_classes))
    return model.eval(), data


def test_batched_robust_fidelity_equals_one_forward_per_sample(karate_xnode):
    model, data = karate_xnode
    prepared = prepare_for_explaining(model, data)
    gen = torch.Generator().manual_seed(3)
    cases = []
    for node in (0, 5, 11, 33):
        sub = computation_subgraph(model, prepared, node)
        cases.append((sub, explanation_edges(torch.rand(sub.edges.numel(), generator=gen), sub.computation)))
    expected = [_one_by_one(model, sub, hard, 24, 7) for sub, hard in cases]
    for budget in (1 << 25, 4000):  # one pass for everything; many passes, nodes split across them
        got = robust_fidelities(model, cases, samples=24, seed=7, budget=budget)
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert robust_fidelity(model, *cases[1], samples=24, seed=7) == pytest.approx(expected[1], abs=1e-6)


def test_evaluate_scores_the_model_in_eval_mode(karate_xnode):
    # PyG's Explainer restores its wrapper's mode after each call: a wrapper in training mode left
    # the model with dropout on, so robust fidelity moved from run to run.
    model, data = karate_xnode
    atts = list(posthoc.explain_nodes("saliency", model, data, [0, 5]))
    first, second = (evaluate(model, data, atts, samples=16) for _ in range(2))
    pd.testing.assert_frame_equal(first, second)
    clone = private_copy(model)
    prepared = prepare_for_explaining(clone, data)
    sub = computation_subgraph(clone, prepared, 5)
    hard = explanation_edges(atts[1].edge_mask[sub.edges], sub.computation)
    expected = _one_by_one(clone, sub, hard, 16, 0)
    assert first.loc[1, ["robust_fid_plus", "robust_fid_minus"]].tolist() == pytest.approx(expected, abs=1e-6)
    assert not model.training


@pytest.fixture(scope="module")
def ba_shapes():
    sample = load("ba-shapes")
    data = with_split(sample.data, seed=0)  # the shipped weights' split
    models = {}
    for key in ("gcn", "xnode-gcn"):
        path = shipped_checkpoint("ba-shapes", key)
        if path is None:
            pytest.skip(f"no shipped {key} weights for BA-Shapes")
        models[key] = load_checkpoint(path)[0]
    motif = [i for i in range(sample.num_nodes) if int(data.y[i]) > 0]
    return data, models, sorted(random.Random(0).sample(motif, 20))


@pytest.mark.parametrize(("key", "method"), [("gcn", "gnnexplainer"), ("xnode-gcn", "xnode")])
def test_a_random_explainer_scores_clearly_worse_on_ba_shapes(ba_shapes, key, method):
    data, models, nodes = ba_shapes
    model = models[key]
    if method == "xnode":
        atts = list(xnode.attributions(model, data, nodes))
    else:
        atts = list(posthoc.explain_nodes(method, model, data, nodes))
    explained = summarize(evaluate(model, data, atts))
    baseline = summarize(evaluate(model, data, list(posthoc.explain_nodes("random", model, data, nodes))))
    # On these neighborhoods (12-1,500 edges) no metric is trivial: 20 % of the edges are chosen.
    assert explained["size"] < explained["edges"] and explained["fid_minus"] < 1
    # Probability fidelity (Fid+ - Fid-: drop without the explanation minus drop with only it).
    assert explained["prob_fid_delta"] > baseline["prob_fid_delta"] + 0.04
    assert explained["prob_fid_minus"] < baseline["prob_fid_minus"] - 0.04
    assert explained["auroc"] > baseline["auroc"] + 0.2
    assert abs(baseline["auroc"] - 0.5) < 0.1  # random scores find the motif by chance only

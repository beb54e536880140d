"""Fidelity metrics on a hand-built star whose centre's prediction is known in closed form."""

import math

import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from nodescope.core.models import ModelConfig, ModelOutput, NodeModel
from nodescope.explain.fidelity import (
    ALPHA1,
    ALPHA2,
    characterization,
    evaluate,
    explanation_edges,
    fidelity,
    robust_fidelity,
    summarise,
)
from nodescope.explain.posthoc import Attribution
from nodescope.explain.subgraph import computation_subgraph


class _Sum(MessagePassing):
    def __init__(self) -> None:
        super().__init__(aggr="add")

    def forward(self, x, edge_index):
        return self.propagate(edge_index, x=x)


class SumModel(NodeModel):
    """logits_i = sum of the in-neighbours' features (2 classes), one message-passing layer."""

    def __init__(self) -> None:
        super().__init__(ModelConfig(model="test-sum", in_dim=2, out_dim=2, layers=1))
        self.conv = _Sum()

    def forward(self, data, *, attention=False):
        return ModelOutput(logits=self.conv(data.x, data.edge_index))


# Centre 0 with leaves 1, 2, 3. Leaf 1 says class 1 strongly, leaves 2 and 3 say class 0 weakly:
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


def test_pyg_fidelity_of_the_right_and_a_wrong_edge(star):
    model, data = star
    sub = computation_subgraph(model, data, 0)
    assert sub.computation.all() and sub.center == 0
    right = explanation_edges(torch.tensor([0.9, 0.1, 0.1, 0, 0, 0]), sub.computation, top_k=1)
    wrong = explanation_edges(torch.tensor([0.1, 0.9, 0.1, 0, 0, 0]), sub.computation, top_k=1)
    assert right.tolist() == [True, False, False, False, False, False]
    # Masking 1 -> 0 out gives [2, 0] (class flips): Fid+ = 1; keeping only it gives [0, 3]: Fid- = 0.
    assert fidelity(model, sub, right) == (1.0, 0.0)
    # Masking 2 -> 0 gives [1, 3] (same class): Fid+ = 0; keeping only it gives [1, 0]: Fid- = 1.
    assert fidelity(model, sub, wrong) == (0.0, 1.0)
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
    assert frame.loc[0, ["precision", "recall", "auroc"]].tolist() == [1.0, 1.0, 1.0]
    assert frame.loc[1, ["precision", "recall"]].tolist() == [0.0, 0.0]
    assert frame.loc[1, "auroc"] == pytest.approx(0.6)  # the true edge beats 3 of the 5 others
    summary = summarise(frame)
    assert summary["nodes"] == 2 and summary["fid_plus"] == 0.5 and summary["fid_minus"] == 0.5
    assert summary["characterization"] == pytest.approx(0.5)
    assert summary["alpha1"] == ALPHA1 and summary["alpha2"] == ALPHA2

"""Two models compared: edge values aligned by (source, target), differences ranked, disagreeing nodes."""

import numpy as np
import pytest
import torch

from nodescope.explain.model_compare import edge_difference, prediction_disagreement


def test_edges_align_by_pair_not_by_column():
    a = edge_difference(np.array([[0, 1, 2], [1, 0, 2]]), np.array([0.2, 0.5, 1.0]),  # a self-loop
                        np.array([[1, 0], [0, 1]]), np.array([0.9, 0.1]))  # fmt: skip
    assert list(zip(a.src.tolist(), a.dst.tolist(), strict=True)) == [(0, 1), (1, 0), (2, 2)]
    np.testing.assert_allclose(a.difference, [-0.1, 0.4, np.nan])
    np.testing.assert_allclose(a.on(np.array([[1, 2, 3], [0, 2, 3]])), [0.4, np.nan, np.nan])
    np.testing.assert_allclose(a.on(np.array([[2, 0], [2, 1]]), "b"), [np.nan, 0.1])


def test_ranked_puts_the_largest_change_first_and_missing_pairs_last():
    d = edge_difference(np.array([[0, 1, 1, 3], [1, 0, 2, 3]]), np.array([0.5, 0.5, 0.5, 1.0]),
                        np.array([[0, 1, 1], [1, 0, 2]]), np.array([0.4, 0.9, 0.0]))  # fmt: skip
    table = d.ranked()
    assert list(zip(table["source"], table["target"], strict=True)) == [(1, 2), (1, 0), (0, 1), (3, 3)]
    np.testing.assert_allclose(table["B − A"].iloc[:3], [-0.5, 0.4, -0.1])
    assert d.ranked(2, touching=2)[["source", "target"]].values.tolist() == [[1, 2]]
    with pytest.raises(ValueError):
        edge_difference(np.zeros((2, 2)), np.zeros(3), np.zeros((2, 0)), np.zeros(0))


def test_nodes_whose_prediction_differs_sharpest_first():
    a = torch.tensor([[2.0, 0.0], [0.0, 1.0], [5.0, 0.0], [0.0, 3.0]])
    b = torch.tensor([[2.0, 0.0], [1.0, 0.0], [0.0, 5.0], [0.0, 3.0]])
    table = prediction_disagreement(a, b)
    assert table["node"].tolist() == [2, 1]
    assert table[["A", "B"]].values.tolist() == [[0, 1], [1, 0]]
    assert table["A confidence"].iloc[0] == pytest.approx(torch.tensor([5.0, 0.0]).softmax(0)[0].item())
    assert prediction_disagreement(a, a).empty

"""Agreement of a learned graph with a known one."""

import numpy as np
import pytest

from nodescope.explain.graph_agreement import graph_agreement


def test_a_perfect_ranking_scores_one_and_a_reversed_one_zero():
    known = np.zeros((3, 3))
    known[1, 0] = 1.0  # 0 -> 1
    learned = np.full((3, 3), 0.1)
    learned[1, 0] = 0.9
    assert graph_agreement(learned, known) == {"auroc": 1.0, "auroc_undirected": 1.0}
    reversed_direction = learned.T.copy()  # 1 -> 0 ranked first: right pair, wrong direction
    scores = graph_agreement(reversed_direction, known)
    assert scores["auroc"] < 0.5 and scores["auroc_undirected"] == pytest.approx(1.0)


def test_no_known_edge_gives_none():
    assert graph_agreement(np.random.default_rng(0).random((4, 4)), np.zeros((4, 4)))["auroc"] is None

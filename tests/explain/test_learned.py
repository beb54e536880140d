"""The majority-class and near-uniform-attention checks behind the Attention page's warnings."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch_geometric.data import Data

from nodescope.core.models import MODELS, build
from nodescope.explain.attention import AttentionMaps, attention_maps
from nodescope.explain.learned import (
    attention_uniformity,
    global_uniformity_warning,
    learned_check,
    learned_warnings,
    majority_rate,
)


def _maps(alpha: list[float]) -> AttentionMaps:
    """One layer, one head, node 0 attending to nodes 1 and 2 with ``alpha``."""
    edge_index = np.array([[1, 2], [0, 0]])
    return AttentionMaps(edge_index, np.array([[alpha]], dtype=np.float32), [1], ["conv 1"], 3)


def test_majority_rate_ignores_unlabeled_and_masked_out_nodes() -> None:
    y = torch.tensor([0, 0, 1, 2, -1, 1])
    assert majority_rate(y) == 2 / 5
    assert majority_rate(y, torch.tensor([True, True, True, False, True, False])) == 2 / 3
    assert math.isnan(majority_rate(torch.tensor([-1, -1])))


def test_uniformity_is_one_for_equal_coefficients_and_lower_for_a_preference() -> None:
    assert attention_uniformity(_maps([0.5, 0.5])) == 1.0
    assert attention_uniformity(_maps([0.9, 0.1])) < 0.5
    no_layers = AttentionMaps(np.zeros((2, 0), np.int64), np.zeros((0, 0, 0), np.float32), [], [], 3)
    assert math.isnan(attention_uniformity(no_layers))


def test_a_model_at_the_majority_class_with_uniform_attention_gets_both_sentences() -> None:
    y = torch.tensor([0, 0, 0, 1, 2])
    logits = torch.zeros(5, 3)
    logits[:, 0] = 1.0  # always class 0: 60 %, the majority rate
    check = learned_check(logits, y, None, _maps([0.5, 0.5]))
    assert check.accuracy == check.majority_rate == 0.6 and check.top_prediction_share == 1.0
    assert check.at_majority and check.near_uniform
    first, second = learned_warnings(check)
    assert "not learned" in first and "60.0%" in first
    assert "near uniform" in second


def test_a_model_that_learned_with_peaked_attention_gets_no_sentence() -> None:
    y = torch.tensor([0, 0, 0, 1, 2])
    logits = torch.nn.functional.one_hot(y, 3).float()
    check = learned_check(logits, y, torch.ones(5, dtype=torch.bool), _maps([0.9, 0.1]))
    assert check.accuracy == 1.0 and not check.at_majority and not check.near_uniform
    assert learned_warnings(check) == []


def test_constant_features_make_gat_attention_exactly_uniform() -> None:
    """BA-Shapes' failure in small: every node has the same features, so every score is equal."""
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3, 0, 2], [1, 0, 2, 1, 3, 2, 2, 0]])
    data = Data(x=torch.ones(4, 3), edge_index=edge_index, num_nodes=4)
    torch.manual_seed(0)
    model = build(MODELS["gat"].config(3, 2))
    assert attention_uniformity(attention_maps(model, data)) > 1 - 1e-6
    torch.manual_seed(0)
    encoded = build(
        MODELS["gat"].config(3, 2, options={"input_encoding": "degree+rwse", "input_encoding_dim": 4})
    )
    maps = attention_maps(encoded, encoded.prepare(data))
    assert attention_uniformity(maps) < 1 - 1e-3  # degrees differ, so the scores do (untrained: a little)


def test_global_warning_only_for_near_uniform_rows() -> None:
    assert global_uniformity_warning(np.array([0.999, 1.0, np.nan])) is not None
    assert global_uniformity_warning(np.array([0.5, 0.9])) is None
    assert global_uniformity_warning(np.array([np.nan])) is None

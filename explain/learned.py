"""Did the model learn anything its attention could show? Two plain checks for the Attention page.

- **Majority class**: a model whose test accuracy is no better than always answering the most
  common class (BA-Shapes' constant features without structural inputs: 44 %) has learned
  nothing to explain, whatever its attention looks like.
- **Near-uniform attention**: a head whose coefficients over each node's neighbors are all
  equal says nothing about which neighbor matters. Measured as the entropy of each node's
  incoming coefficients divided by the entropy of the uniform distribution over them
  (:func:`explain.attention.head_statistics`'s ``entropy_norm``: 1 = uniform), averaged over
  heads. Constant features give exactly 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from nodescope.explain.attention import AttentionMaps, head_statistics

#: Accuracy within this many points (fraction) of the majority-class rate counts as "at" it.
MAJORITY_MARGIN = 0.02
#: Predictions this concentrated on one class count as predicting the majority class.
ONE_CLASS_SHARE = 0.95
#: Mean entropy / uniform entropy at or above this is near uniform. (0.55, 0.45) over two
#: neighbors scores 0.993, so this flags only heads that barely prefer any neighbor; trained GATs
#: on Cora score ~0.8-0.97, constant-feature models 1.000.
NEAR_UNIFORM = 0.99


@dataclass(frozen=True)
class LearnedCheck:
    """What a model's predictions and attention say about whether it learned.

    Attributes:
        accuracy: share of the evaluated nodes predicted correctly, in [0, 1].
        majority_rate: share of the evaluated nodes in their most common class, in [0, 1].
        top_prediction_share: share of the evaluated nodes given the most predicted class.
        nodes: how many nodes were evaluated (the test mask, else every labeled node).
        uniformity: mean over heads of entropy / uniform entropy of each node's incoming
            attention (1 = uniform); NaN without edge attention.
    """

    accuracy: float
    majority_rate: float
    top_prediction_share: float
    nodes: int
    uniformity: float

    @property
    def at_majority(self) -> bool:
        """Accuracy no better than the majority class, or (almost) one class predicted for every node."""
        return (
            self.accuracy <= self.majority_rate + MAJORITY_MARGIN
            or self.top_prediction_share >= ONE_CLASS_SHARE
        )

    @property
    def near_uniform(self) -> bool:
        """Attention spread (almost) evenly over every node's neighbors."""
        return not math.isnan(self.uniformity) and self.uniformity >= NEAR_UNIFORM


def majority_rate(y: Tensor, mask: Tensor | None = None) -> float:
    """Share of the labeled nodes in ``mask`` (all when None) that belong to their most common class.

    Args:
        y: (N,) int labels; negative = unlabeled.
        mask: (N,) bool, or None.

    Returns:
        A fraction in [0, 1]; NaN when no node is labeled.
    """
    keep = y >= 0 if mask is None else mask & (y >= 0)
    labels = y[keep]
    if labels.numel() == 0:
        return math.nan
    return float(torch.bincount(labels).max()) / labels.numel()


def attention_uniformity(maps: AttentionMaps) -> float:
    """Mean over every layer and head of ``entropy_norm`` (1 = uniform over each node's neighbors).

    NaN for maps without attention layers (GraphGPS's global attention is checked per node on
    its own view) or without a node of in-degree 2 or more.
    """
    if not maps.heads:
        return math.nan
    values = head_statistics(maps)["entropy_norm"].to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else math.nan


def learned_check(
    logits: Tensor, y: Tensor, mask: Tensor | None, maps: AttentionMaps | None = None
) -> LearnedCheck:
    """Compare a model's predictions with the majority class and its attention with uniform.

    Args:
        logits: (N, C) class scores (or probabilities).
        y: (N,) int labels; negative = unlabeled.
        mask: (N,) bool nodes to evaluate (the test mask), or None for every labeled node.
        maps: the model's edge attention, or None.
    """
    keep = y >= 0 if mask is None else mask & (y >= 0)
    pred, labels = logits.argmax(-1)[keep].cpu(), y[keep].cpu()
    n = int(labels.numel())
    acc = float((pred == labels).sum()) / n if n else math.nan
    top = float(torch.bincount(pred).max()) / n if n else math.nan
    uniformity = attention_uniformity(maps) if maps is not None else math.nan
    return LearnedCheck(acc, majority_rate(labels), top, n, uniformity)


def learned_warnings(check: LearnedCheck) -> list[str]:
    """One plain sentence per problem :class:`LearnedCheck` found (empty when none)."""
    out = []
    if check.at_majority:
        out.append(
            f"This model has not learned the task: its test accuracy ({check.accuracy:.1%}) is no better "
            f"than always answering the most common class ({check.majority_rate:.1%}), so its attention "
            "shows nothing it learned."
        )
    if check.near_uniform:
        out.append(
            "Its attention is near uniform: every node spreads it almost evenly over its neighbors "
            f"(entropy {check.uniformity:.1%} of the uniform distribution's, averaged over heads), so it "
            "works much like an average over them and these maps show little preference among neighbors."
        )
    return out


def global_uniformity_warning(entropy_norm: np.ndarray) -> str | None:
    """A sentence when one node's global attention rows are near uniform over all nodes, else None.

    Args:
        entropy_norm: (K,) each head's row entropy / log N for the node
            (:func:`explain.attention.row_entropy`); NaN entries are ignored.
    """
    values = np.asarray(entropy_norm, dtype=float)
    values = values[~np.isnan(values)]
    if not values.size or values.mean() < NEAR_UNIFORM:
        return None
    return (
        "This node's global attention is near uniform: it spreads almost evenly over all nodes "
        f"(entropy {values.mean():.1%} of the uniform distribution's, averaged over heads), so no node "
        "stands out in it."
    )

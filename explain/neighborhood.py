"""The labels around a node: the known (training) labels and the model's predictions within a few hops.

What a reviewer asks first about a node's prediction is what its neighborhood looks like:
how many nearby nodes carry a known label, of which classes, and what the model predicts for
the nodes around it. Known labels are the **training labels only** (``y`` where
``train_mask``), as X-Node's label cues read them (:mod:`core.context`); the node's own label
is never counted. Hops follow edges both ways (:func:`core.graph.hop_distances`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from nodescope.core.graph import hop_distances


@dataclass(frozen=True)
class NeighborhoodMix:
    """The class mix around one node.

    Attributes:
        node: the node.
        hops: the radius.
        nodes: how many other nodes lie within ``hops`` hops.
        known: class name → training-labeled nodes of that class within ``hops`` (non-zero only,
            most first).
        predicted: class name → nodes within ``hops`` the model predicts as that class
            (non-zero only, most first).
    """

    node: int
    hops: int
    nodes: int
    known: dict[str, int]
    predicted: dict[str, int]

    def lines(self) -> list[str]:
        """Two lines in words: the known labels, then the model's predictions."""
        within = f"within {self.hops} hop{'s' if self.hops != 1 else ''}"
        if not self.nodes:
            return [f"No other node lies {within}."]
        labeled = sum(self.known.values())
        if self.nodes == 1:
            known = f"The one node {within} has no known label."
            if labeled:
                known = f"The one node {within} has a known label: {_mix(self.known)}."
            return [known, f"The model predicts it as {_mix(self.predicted)}."]
        if labeled:
            known = (
                f"Known labels {within}: {_mix(self.known)} ({labeled} of the {self.nodes} nodes have one)."
            )
        else:
            known = f"None of the {self.nodes} nodes {within} has a known label."
        return [known, f"The model predicts them as {_mix(self.predicted)}."]


def _mix(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {name}" for name, v in counts.items())


def _counted(values: np.ndarray, names: Sequence[str]) -> dict[str, int]:
    counts = np.bincount(values, minlength=len(names)) if values.size else np.zeros(len(names), np.int64)
    order = np.argsort(-counts, kind="stable")
    return {names[c]: int(counts[c]) for c in order if counts[c] > 0}


def neighborhood_mix(
    edge_index: Tensor,
    node: int,
    num_nodes: int,
    predicted: Tensor,
    class_names: Sequence[str],
    *,
    hops: int = 2,
    y: Tensor | None = None,
    train_mask: Tensor | None = None,
) -> NeighborhoodMix:
    """The known labels and predictions of the nodes within ``hops`` hops of ``node`` (itself excluded).

    Args:
        edge_index: (2, E) the graph's edges.
        node: the node.
        num_nodes: N.
        predicted: (N,) the model's predicted class per node.
        class_names: the C class names.
        hops: the radius.
        y: (N,) labels (negative: unknown); only the training ones are read.
        train_mask: (N,) bool, the training nodes.
    """
    dist = hop_distances(edge_index, node, num_nodes, flow="undirected", max_hops=hops)
    near = np.flatnonzero(dist > 0)
    pred = torch.as_tensor(predicted).cpu().numpy()[near]
    known = np.zeros(0, np.int64)
    if y is not None and train_mask is not None:
        labels = torch.as_tensor(y).cpu().numpy()[near]
        keep = torch.as_tensor(train_mask).cpu().numpy().astype(bool)[near] & (labels >= 0)
        known = labels[keep]
    return NeighborhoodMix(
        node=int(node),
        hops=int(hops),
        nodes=int(near.size),
        known=_counted(known.astype(np.int64), class_names),
        predicted=_counted(pred.astype(np.int64), class_names),
    )

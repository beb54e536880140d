"""Two models on one graph: where their edge attention or importance differs, and where they disagree.

Two models (GAT against GATv2, a model against its X-Node version, two seeds of one model) may
see different edge lists (one adds self-loops, another not), so edge values are aligned by
(source, target) pair, not by column: :func:`edge_difference` joins them and takes model B
minus model A per pair, NaN where one model has no value for it. :func:`prediction_disagreement`
lists the nodes whose predicted class differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch


@dataclass(frozen=True)
class EdgeDifference:
    """Two models' values on the union of their edges.

    Attributes:
        src: (K,) int64 source node of each pair.
        dst: (K,) int64 target node.
        a: (K,) float64 model A's value (NaN where A has no such edge).
        b: (K,) float64 model B's value (NaN where B has none).
        difference: (K,) ``b - a`` (NaN where either is missing).
    """

    src: np.ndarray
    dst: np.ndarray
    a: np.ndarray
    b: np.ndarray
    difference: np.ndarray

    def on(self, edge_index: np.ndarray, what: Literal["a", "b", "difference"] = "difference") -> np.ndarray:
        """(E,) the ``difference`` (or ``a``, ``b``) on the columns of ``edge_index`` (2, E).

        NaN for pairs not in the union.
        """
        ei = np.asarray(edge_index, dtype=np.int64)
        out = np.full(ei.shape[1], np.nan)
        if not self.src.size or not ei.size:
            return out
        width = int(max(ei.max(), self.src.max(), self.dst.max())) + 1
        keys = self.src * width + self.dst  # sorted: the pairs are in (source, target) order
        wanted = ei[0] * width + ei[1]
        pos = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        hit = keys[pos] == wanted
        out[hit] = getattr(self, what)[pos[hit]]
        return out

    def ranked(self, k: int | None = None, *, touching: int | None = None) -> pd.DataFrame:
        """The pairs by decreasing |difference| (pairs one model lacks last), as a table.

        Args:
            k: keep this many rows (all when None).
            touching: only pairs with this node as source or target.

        Returns:
            Columns ``source``, ``target``, ``A``, ``B``, ``B − A``.
        """
        keep = (
            np.ones(self.src.size, bool)
            if touching is None
            else (self.src == touching) | (self.dst == touching)
        )
        size = np.nan_to_num(np.abs(self.difference), nan=-1.0)
        order = np.argsort(-size[keep], kind="stable")
        rows = np.flatnonzero(keep)[order][:k]
        return pd.DataFrame(
            {
                "source": self.src[rows],
                "target": self.dst[rows],
                "A": self.a[rows],
                "B": self.b[rows],
                "B − A": self.difference[rows],
            }
        )


def edge_difference(
    edge_index_a: np.ndarray, values_a: np.ndarray, edge_index_b: np.ndarray, values_b: np.ndarray
) -> EdgeDifference:
    """Align two models' per-edge values by (source, target) and take B − A.

    Args:
        edge_index_a: (2, E_a) model A's edges.
        values_a: (E_a,) its value per edge (attention coefficient, importance). A pair listed
            twice keeps its last value.
        edge_index_b: (2, E_b) model B's edges.
        values_b: (E_b,) its value per edge.

    Returns:
        An :class:`EdgeDifference` over the union of the pairs, sorted by (source, target).

    Example:
        >>> d = edge_difference(np.array([[0, 1], [1, 0]]), np.array([0.2, 0.5]),
        ...                     np.array([[1, 1], [0, 1]]), np.array([0.9, 1.0]))
        >>> d.difference.round(2).tolist()
        [nan, 0.4, nan]
    """
    ea, eb = np.asarray(edge_index_a, np.int64), np.asarray(edge_index_b, np.int64)
    va, vb = np.asarray(values_a, np.float64).ravel(), np.asarray(values_b, np.float64).ravel()
    if ea.shape != (2, va.size) or eb.shape != (2, vb.size):
        raise ValueError(
            f"edge_index (2, E) and values (E,) must match: {ea.shape}/{va.shape}, {eb.shape}/{vb.shape}"
        )
    width = int(max(ea.max(initial=-1), eb.max(initial=-1))) + 1
    ka, kb = ea[0] * width + ea[1], eb[0] * width + eb[1]
    keys = np.union1d(ka, kb)
    a = np.full(keys.size, np.nan)
    b = np.full(keys.size, np.nan)
    a[np.searchsorted(keys, ka)] = va
    b[np.searchsorted(keys, kb)] = vb
    return EdgeDifference(keys // max(width, 1), keys % max(width, 1), a, b, b - a)


def prediction_disagreement(logits_a: torch.Tensor, logits_b: torch.Tensor) -> pd.DataFrame:
    """The nodes whose predicted class differs between two models, least agreeing first.

    Args:
        logits_a: (N, C) model A's logits.
        logits_b: (N, C) model B's, for the same nodes and classes.

    Returns:
        Columns ``node``, ``A`` and ``B`` (predicted class ids), ``A confidence`` and ``B confidence``
        (the predicted class's softmax probability in [0, 1]); sorted by the larger confidence,
        highest first (the sharpest disagreements on top).
    """
    if logits_a.shape != logits_b.shape:
        raise ValueError(
            f"the two models' outputs differ in shape: {tuple(logits_a.shape)} vs {tuple(logits_b.shape)}"
        )
    pa, pb = logits_a.detach().float().softmax(-1).cpu(), logits_b.detach().float().softmax(-1).cpu()
    ca, cb = pa.argmax(-1), pb.argmax(-1)
    nodes = torch.nonzero(ca != cb).flatten()
    frame = pd.DataFrame(
        {
            "node": nodes.numpy(),
            "A": ca[nodes].numpy(),
            "B": cb[nodes].numpy(),
            "A confidence": pa.max(-1).values[nodes].numpy().astype(np.float64),
            "B confidence": pb.max(-1).values[nodes].numpy().astype(np.float64),
        }
    )
    sharp = np.maximum(frame["A confidence"], frame["B confidence"])
    return frame.iloc[np.argsort(-sharp.to_numpy(), kind="stable")].reset_index(drop=True)

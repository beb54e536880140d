"""What a segmenter's attention says about one face: the faces it reads on the dual graph and their weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FaceAttention:
    """One face's attention in one layer.

    Attributes:
        face: the face (the target of the attention).
        sources: (S,) int64 the faces it reads: its dual-graph neighbors and itself, ascending.
        alpha: (S, heads) float attention weights (each column sums to 1).
    """

    face: int
    sources: np.ndarray
    alpha: np.ndarray


def face_attention(edge_index: np.ndarray, alpha: np.ndarray, face: int) -> FaceAttention:
    """The attention into ``face`` from a layer's ``(edge_index (2, E), α (E, heads))``.

    Example:
        >>> edges = np.array([[1, 2, 0, 0], [0, 0, 0, 1]])
        >>> a = face_attention(edges, np.array([[0.3], [0.5], [0.2], [1.0]]), 0)
        >>> a.sources.tolist(), a.alpha[:, 0].tolist()
        ([0, 1, 2], [0.2, 0.3, 0.5])
    """
    edge_index, alpha = np.asarray(edge_index), np.asarray(alpha)
    into = np.flatnonzero(edge_index[1] == face)
    order = np.argsort(edge_index[0, into], kind="stable")
    into = into[order]
    return FaceAttention(int(face), edge_index[0, into].astype(np.int64), alpha[into])

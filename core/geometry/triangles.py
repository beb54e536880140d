"""Edges of triangle meshes: the one place a mesh, a cortical surface or an icosphere becomes a graph."""

from __future__ import annotations

import numpy as np


def face_edges(faces: np.ndarray) -> np.ndarray:
    """(2, E) int64 unique undirected triangle sides (u < v) of (T, 3) ``faces``.

    Each side is listed once: two faces sharing a side in the same direction (an
    inconsistently oriented or non-manifold mesh) are not "duplicate edges" to report.
    """
    sides = np.sort(np.asarray(faces, dtype=np.int64)[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    n = int(sides.max()) + 1
    key = np.unique(sides[:, 0] * n + sides[:, 1])  # 1-D keys: far faster than unique(axis=0)
    return np.stack([key // n, key % n])


def edge_lengths(pos: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(E, 1) float32 Euclidean length of each edge of ``edges`` (2, E) between ``pos`` (N, 3) points."""
    return np.linalg.norm(pos[edges[0]] - pos[edges[1]], axis=1).astype(np.float32)[:, None]

"""Triangle meshes: their edges (where a mesh, a cortical surface or an icosphere becomes a graph) and orientation."""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike


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


def signed_volumes(vertices: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor) -> np.ndarray:
    """(F,) float64 triple product ``(a x b) . c`` of each triangle's corners ``a, b, c``.

    Six times the signed volume of the tetrahedron (origin, a, b, c): positive when the
    triangle is counter-clockwise seen from outside a surface around the origin (a sphere).

    Args:
        vertices: (V, 3) positions (numpy or torch, any float type; computed in float64).
        faces: (F, 3) vertex ids of each triangle.

    Example:
        >>> signed_volumes(np.eye(3), np.array([[0, 1, 2], [0, 2, 1]])).tolist()
        [1.0, -1.0]
    """
    v, f = _numpy(vertices, np.float64), _numpy(faces, np.int64)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return np.einsum("ij,ij->i", np.cross(a, b), c)


def _numpy(x: ArrayLike | torch.Tensor, dtype: type) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)

"""Guided depth super-resolution on the sphere: the compressed low-resolution input, and its scores.

The task (issue 20, after GDNet): from depth seen by a low-resolution, lossy sensor plus the
full-resolution colors, recover full-resolution depth on fsaverage icosphere ``out_level``.

- :func:`degrade`: the sensor. It samples depth at the vertices of the coarse level
  ``in_level`` (the first ``10 * 4**k + 2`` vertices of the nested fsaverage levels) and stores
  it as :data:`BITS`-bit inverse depth between :data:`NEAR_M` and :data:`FAR_M` (as compressed
  depth streams do: steps grow with the square of the depth, 3 cm at 2 m and 19 cm at 5 m).
  Scale ``x4`` is ``out_level - in_level = 2`` (the vertex spacing grows 4 times), ``x8`` is 3.
- :func:`discontinuity_mask`: vertices within ``rings`` graph rings of a depth jump (neighbors
  whose log-depths differ by more than :data:`JUMP_LOG`), where upsampling is hardest.
- :func:`superres_scores`: RMSE (metres) over all vertices and within the mask, vertices
  weighted by their cell areas.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices
from nodescope.core.panorama.metrics import vertex_weights

#: The sensor's inverse-depth code: bits, nearest and farthest depth (metres).
BITS, NEAR_M, FAR_M = 8, 0.5, 10.0
#: A jump between neighbors whose log-depths differ by more than this (about 22 %).
JUMP_LOG = 0.2
#: Rings around a jump that count as "near a discontinuity" (2 vertices: the issue's 2 px).
RINGS = 2


def quantize_depth(
    depth: np.ndarray, bits: int = BITS, near: float = NEAR_M, far: float = FAR_M
) -> np.ndarray:
    """Depth (metres, any shape) clipped to ``[near, far]`` and stored as ``bits``-bit inverse depth, decoded."""
    lo, hi = 1.0 / far, 1.0 / near
    inv = 1.0 / np.clip(np.asarray(depth, np.float64), near, far)
    steps = 2**bits - 1
    code = np.round((inv - lo) / (hi - lo) * steps)
    return (1.0 / (lo + code / steps * (hi - lo))).astype(np.float32)


def degrade(depth: np.ndarray, in_level: int) -> np.ndarray:
    """(S, V_in) float32 compressed low-resolution depth from (S, V) full-resolution depth (metres).

    The first ``V_in = 10 * 4**in_level + 2`` vertices of any finer fsaverage level are those of
    ``in_level``, so subsampling keeps them; :func:`quantize_depth` then codes them.
    """
    depth = np.asarray(depth)
    if depth.shape[-1] < num_vertices(in_level):
        raise ValueError(f"depth has {depth.shape[-1]} vertices, fewer than level {in_level}")
    return quantize_depth(depth[..., : num_vertices(in_level)])


def _adjacency(level: int) -> sp.csr_matrix:
    src, dst = icosphere_level(level).edge_index.numpy()
    n = num_vertices(level)
    return sp.csr_matrix((np.ones(len(src), np.float32), (src, dst)), shape=(n, n))


def discontinuity_mask(
    depth: np.ndarray, level: int, jump: float = JUMP_LOG, rings: int = RINGS
) -> np.ndarray:
    """(S, V) bool: vertices within ``rings`` rings of a depth discontinuity of (S, V) depth.

    A discontinuity is a mesh edge whose two vertices' log-depths differ by more than ``jump``;
    both its vertices are marked, then the mask grows ``rings`` rings along the mesh.
    """
    log = np.log(np.maximum(np.asarray(depth, np.float64), 1e-6))
    src, dst = icosphere_level(level).edge_index.numpy()
    big = np.abs(log[..., src] - log[..., dst]) > jump  # (S, E)
    mask = np.zeros(log.shape, dtype=np.float32)
    for s in range(len(log)):
        mask[s, src[big[s]]] = 1.0
    adjacency = _adjacency(level)
    for _ in range(rings):
        mask = np.minimum(mask + (adjacency @ mask.T).T, 1.0)
    return mask > 0


def weighted_rmse(pred: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Root of the weighted mean of ``(pred - target)**2`` (any equal shapes; weights broadcast)."""
    err = (np.asarray(pred, np.float64) - np.asarray(target, np.float64)) ** 2
    w = np.ones_like(err) if weights is None else np.broadcast_to(np.asarray(weights, np.float64), err.shape)
    return float(np.sqrt((w * err).sum() / w.sum()))


def superres_scores(pred: np.ndarray, depth: np.ndarray, level: int) -> dict[str, float]:
    """RMSE (metres) of (S, V) predicted depth on level ``level``: all vertices, near and away from jumps.

    Returns:
        ``rmse``, ``rmse_edges`` (within :data:`RINGS` rings of a discontinuity), ``rmse_flat``
        (the rest), ``edge_share`` (the area share of the edge band) and ``rooms``.
    """
    w = np.broadcast_to(vertex_weights(level, "fsaverage"), np.shape(depth))
    edges = discontinuity_mask(depth, level)
    return {
        "rmse": weighted_rmse(pred, depth, w),
        "rmse_edges": weighted_rmse(pred, depth, w * edges),
        "rmse_flat": weighted_rmse(pred, depth, w * ~edges),
        "edge_share": float((w * edges).sum() / w.sum()),
        "rooms": len(depth),
    }

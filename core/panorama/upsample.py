"""Depth super-resolution baselines on the nested fsaverage icosphere: barycentric and joint bilateral.

A coarse level's vertices are the first ``10 * 4**k + 2`` vertices of every finer level
(:mod:`core.geometry.fsaverage`), so a low-resolution map on level ``k`` samples the
full-resolution one at those vertices, and the image's colors there are known too.

- :func:`barycentric_upsample`: each fine vertex lies in one triangle of the coarse level
  (:func:`core.geometry.resample.locate`); its value is the barycentric mix of that triangle's
  three corners. Exact on constant fields and, within each flat coarse triangle, on affine ones.
- :func:`joint_bilateral_upsample` (Kopf et al. 2007, "Joint bilateral upsampling"): each fine
  vertex ``p`` averages the coarse values at its ``k`` nearest coarse vertices ``q``, weighted by
  ``exp(-angle(p, q)**2 / 2 sigma_s**2) * exp(-|rgb_p - rgb_q|**2 / 2 sigma_r**2)``, so depth
  does not bleed across color edges. ``sigma_s`` is in units of the coarse level's mean edge.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.spatial import cKDTree

from nodescope.core.geometry.fsaverage import icosphere_level, num_vertices
from nodescope.core.geometry.resample import locate

#: Coarse neighbors a fine vertex averages in :func:`joint_bilateral_upsample`.
BILATERAL_NEIGHBORS = 12


def _check_levels(in_level: int, out_level: int) -> None:
    if not 0 <= in_level < out_level:
        raise ValueError(f"need 0 <= in_level < out_level, got {in_level}, {out_level}")


@lru_cache(maxsize=16)
def barycentric_table(in_level: int, out_level: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each vertex of ``out_level`` falls among the triangles of ``in_level`` (cached, read-only).

    Returns:
        ``(corners, weights)``: (V_out, 3) int64 coarse vertex ids and (V_out, 3) float64
        barycentric weights (>= 0, summing to 1; a shared vertex gets weight 1 on itself).
    """
    _check_levels(in_level, out_level)
    coarse, fine = icosphere_level(in_level), icosphere_level(out_level)
    tri, weights = locate(coarse.vertices.double(), coarse.faces, fine.vertices.double())
    corners = coarse.faces.numpy()[tri.numpy()]
    w = weights.numpy()
    corners.setflags(write=False)
    w.setflags(write=False)
    return corners, w


def barycentric_upsample(coarse: np.ndarray, in_level: int, out_level: int) -> np.ndarray:
    """(..., V_out) barycentric interpolation of (..., V_in) values on level ``in_level``."""
    coarse = np.asarray(coarse)
    _check_shape(coarse, in_level)
    corners, weights = barycentric_table(in_level, out_level)
    return (coarse[..., corners] * weights).sum(-1)


def mean_edge_angle(level: int) -> float:
    """Mean angle (radians) between neighboring vertices of fsaverage icosphere ``level``."""
    ico = icosphere_level(level)
    v = ico.vertices.double().numpy()
    src, dst = ico.edge_index.numpy()
    return float(np.arccos(np.clip((v[src] * v[dst]).sum(1), -1, 1)).mean())


@lru_cache(maxsize=16)
def bilateral_table(
    in_level: int, out_level: int, k: int = BILATERAL_NEIGHBORS
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest coarse vertices of each fine vertex (cached, read-only).

    Returns:
        ``(neighbors, angles)``: (V_out, k) int64 ids on ``in_level`` (which are also their ids on
        ``out_level``) and (V_out, k) float64 angles to them in radians.
    """
    _check_levels(in_level, out_level)
    coarse = icosphere_level(in_level).vertices.double().numpy()
    fine = icosphere_level(out_level).vertices.double().numpy()
    chord, neighbors = cKDTree(coarse).query(fine, k=k)
    angles = 2 * np.arcsin(np.clip(chord / 2, 0, 1))
    neighbors = np.asarray(neighbors, dtype=np.int64)
    neighbors.setflags(write=False)
    angles.setflags(write=False)
    return neighbors, angles


def joint_bilateral_upsample(
    coarse: np.ndarray,
    rgb: np.ndarray,
    in_level: int,
    sigma_s: float = 1.0,
    sigma_r: float = 0.1,
    k: int = BILATERAL_NEIGHBORS,
) -> np.ndarray:
    """Joint bilateral upsampling of coarse values guided by the full-resolution colors.

    Args:
        coarse: (S, V_in) values on level ``in_level`` (depth in metres, say).
        rgb: (S, V_out, 3) colors in [0, 1] on the output level (its first V_in vertices are the
            coarse ones).
        in_level: the coarse level.
        sigma_s: spatial width in units of the coarse level's mean edge angle.
        sigma_r: color width (RGB distance, colors in [0, 1]).
        k: coarse neighbors per fine vertex.

    Returns:
        (S, V_out) float64 values on the output level.
    """
    coarse, rgb = np.asarray(coarse, np.float64), np.asarray(rgb, np.float64)
    _check_shape(coarse, in_level)
    out_level = _level_of(rgb.shape[-2])
    neighbors, angles = bilateral_table(in_level, out_level, k)
    spatial = -0.5 * (angles / (sigma_s * mean_edge_angle(in_level))) ** 2  # (V, k) log-weights
    out = np.empty(rgb.shape[:-1])
    for s in range(len(rgb)):  # one room at a time: (V, k, 3) color differences
        diff = rgb[s, :, None, :] - rgb[s, neighbors]
        logit = spatial - 0.5 * (diff * diff).sum(-1) / sigma_r**2
        # Normalized in the log domain: a vertex unlike all its neighbors still gets weights.
        w = np.exp(logit - logit.max(-1, keepdims=True))
        out[s] = (w * coarse[s, neighbors]).sum(-1) / w.sum(-1)
    return out


def _check_shape(coarse: np.ndarray, in_level: int) -> None:
    if coarse.shape[-1] != num_vertices(in_level):
        raise ValueError(
            f"coarse values have {coarse.shape[-1]} vertices; level {in_level} has {num_vertices(in_level)}"
        )


def _level_of(vertices: int) -> int:
    """The level with this many vertices."""
    for level in range(8):
        if num_vertices(level) == vertices:
            return level
    raise ValueError(f"{vertices} is not an icosphere's vertex count (10 * 4**k + 2)")

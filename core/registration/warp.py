"""Spherical deformations as fields of per-vertex rotations on the fsaverage icosphere.

A deformation of the unit sphere is given on the vertices ``g`` of an icosphere level by
three Euler angles per vertex (radians, about x, then y, then z): vertex ``g_i`` moves to
``R(angles_i) g_i``, renormalized to the sphere. A field on a coarse level reaches finer
ones by :func:`core.geometry.fsaverage.unpool` (smooth by construction). Any other point,
such as a native FreeSurfer vertex, is rotated by the angles interpolated (barycentric) from
the icosphere triangle holding it; :func:`unfold` relaxes the few long thin native triangles
that still flip.
"""

from __future__ import annotations

import numpy as np
import torch

from nodescope.core.geometry.fsaverage import unpool
from nodescope.core.geometry.triangles import signed_volumes


def euler_matrices(angles: torch.Tensor) -> torch.Tensor:
    """(N, 3, 3) rotations ``Rz(c) Ry(b) Rx(a)`` of (N, 3) Euler angles ``(a, b, c)`` in radians."""
    cos, sin = torch.cos(angles), torch.sin(angles)
    ca, cb, cc = cos.unbind(-1)
    sa, sb, sc = sin.unbind(-1)
    rows = [
        cc * cb,
        cc * sb * sa - sc * ca,
        cc * sb * ca + sc * sa,
        sc * cb,
        sc * sb * sa + cc * ca,
        sc * sb * ca - cc * sa,
        -sb,
        cb * sa,
        cb * ca,
    ]
    return torch.stack(rows, dim=-1).reshape(*angles.shape[:-1], 3, 3)


def rotate(points: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """(N, 3) unit vectors: each of the (N, 3) ``points`` rotated by its own (N, 3) Euler angles."""
    moved = torch.einsum("nij,nj->ni", euler_matrices(angles), points)
    return moved / moved.norm(dim=1, keepdim=True)


def upsample(angles: torch.Tensor, level: int, target: int) -> torch.Tensor:
    """An angle field of icosphere ``level`` carried up to level ``target`` by repeated unpooling."""
    for lv in range(level, target):
        angles = unpool(angles, lv)
    return angles


def unfold(
    registered: np.ndarray, native: np.ndarray, faces: np.ndarray, iterations: int = 100
) -> tuple[np.ndarray, int]:
    """Unflip the few native triangles a smooth warp still flips: relax their vertices onto their neighbors.

    Native FreeSurfer spheres have long thin triangles; any kink of an interpolated warp
    across a grid edge can turn one over. Each vertex of a flipped triangle (and of its
    1-ring) is moved to the mean of its mesh neighbors, back on the sphere, until none flips.

    Args:
        registered: (V, 3) registered positions (any radius).
        native: (V, 3) the native sphere.
        faces: (F, 3) triangles.
        iterations: at most this many relaxation sweeps.

    Returns:
        ``(positions (V, 3) at the input's radii, triangles still flipped)``.
    """
    out = np.array(registered, dtype=np.float64)
    sign = np.sign(signed_volumes(native, faces))
    flipped = np.flatnonzero(np.sign(signed_volumes(out, faces)) != sign)
    if not len(flipped):
        return out, 0
    radius = np.linalg.norm(out, axis=1, keepdims=True)
    # Triangle sides both ways: on a closed mesh every neighbor comes twice, which leaves means unchanged
    # and spares a unique() over the ~300k edges of a native sphere.
    sides = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    src, dst = np.concatenate([sides[:, 0], sides[:, 1]]), np.concatenate([sides[:, 1], sides[:, 0]])
    degree = np.bincount(dst, minlength=len(out))[:, None]
    for _ in range(iterations):
        if not len(flipped):
            break
        move = np.zeros(len(out), dtype=bool)
        move[faces[flipped].reshape(-1)] = True
        move[dst[move[src]]] = True  # and their 1-ring, so the relaxed vertices have room
        sel = move[dst]
        mean = (
            np.stack(
                [np.bincount(dst[sel], weights=out[src[sel], k], minlength=len(out)) for k in range(3)], 1
            )[move]
            / degree[move]
        )
        out[move] = mean / np.linalg.norm(mean, axis=1, keepdims=True) * radius[move]
        # Only triangles with a moved corner can have changed.
        touched = np.flatnonzero(move[faces].any(axis=1))
        flipped = touched[np.sign(signed_volumes(out, faces[touched])) != sign[touched]]
    return out, len(flipped)

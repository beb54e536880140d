"""Icospheres: subdivided icosahedra on the unit sphere, the node sets of spherical graphs.

Level ``k`` has ``10 * 4**k + 2`` vertices and ``20 * 4**k`` triangles (level 5: 10,242
vertices, about 2.2 degrees between neighbors; level 7: 163,842).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from nodescope.core.geometry.triangles import face_edges

MAX_LEVEL = 7


@lru_cache(maxsize=MAX_LEVEL + 1)
def icosphere(level: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and outward-oriented triangles of the icosphere of a subdivision level.

    Args:
        level: subdivision level 0..7 (0 is the icosahedron).

    Returns:
        ``(vertices, faces)``: (V, 3) float64 unit vectors and (T, 3) int64 vertex ids whose
        counter-clockwise order gives normals pointing away from the center. Both arrays
        are read-only because they are cached and shared.
    """
    if not 0 <= int(level) <= MAX_LEVEL or int(level) != level:
        raise ValueError(f"icosphere level must be an integer in 0..{MAX_LEVEL}, got {level!r}")
    level = int(level)
    # Imported here: pyvista (VTK) takes a moment to import and most callers never need it.
    import pyvista as pv

    mesh = pv.Icosphere(radius=1.0, nsub=level)
    vertices = np.asarray(mesh.points, dtype=np.float64)
    # VTK computes in float32; snap back onto the sphere in float64.
    vertices = vertices / np.linalg.norm(vertices, axis=1, keepdims=True)
    faces = np.asarray(mesh.regular_faces, dtype=np.int64).copy()
    expected = 10 * 4**level + 2
    if len(vertices) != expected or len(faces) != 20 * 4**level:
        raise RuntimeError(
            f"pyvista's icosphere at level {level} has {len(vertices)} vertices and {len(faces)} faces; "
            f"expected {expected} and {20 * 4**level}"
        )
    # Flip any triangle whose normal points inwards, so every face is outward (CCW seen from outside).
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    inward = np.einsum("ij,ij->i", np.cross(b - a, c - a), a + b + c) < 0
    faces[inward] = faces[inward][:, ::-1]
    vertices.setflags(write=False)
    faces.setflags(write=False)
    return vertices, faces


def icosphere_edges(faces: np.ndarray | torch.Tensor, num_nodes: int | None = None) -> np.ndarray:
    """Unique undirected edges of a triangle mesh, both directions listed.

    Args:
        faces: (T, 3) integer vertex ids.
        num_nodes: number of vertices; defaults to ``faces.max() + 1``.

    Returns:
        (2, E) int64, sorted and free of duplicates, holding ``(i, j)`` and ``(j, i)`` for
        every triangle side; E = 2 * (number of mesh edges), 6 * T / 2 on a closed mesh.
    """
    f = np.asarray(faces)
    if f.ndim != 2 or f.shape[1] != 3:
        raise ValueError(f"faces must be (T, 3), got {tuple(f.shape)}")
    n = int(f.max()) + 1 if num_nodes is None else int(num_nodes)
    half = face_edges(f)
    both = np.concatenate([half, half[::-1]], axis=1)
    # Sorted by (row, col) as PyG's to_undirected sorts, via one int64 key: ~10x faster at ico6.
    return both[:, np.argsort(both[0] * n + both[1], kind="stable")]

"""The discrete Laplace-Beltrami operator of a triangle mesh: cotangent stiffness and lumped mass.

Linear finite elements on the mesh's triangles give, for a field ``u`` with one value per
vertex, ``Δu ≈ -M⁻¹ L u`` where

- ``L`` is the **cotangent Laplacian** (the stiffness matrix), symmetric positive
  semi-definite: ``L[i, j] = -w_ij`` for each mesh edge ``(i, j)``, ``L[i, i] = Σ_j w_ij``,
  with ``w_ij = ½ (cot α_ij + cot β_ij)``, ``α_ij`` and ``β_ij`` the angles opposite the edge
  in its two triangles (one on a boundary edge; every triangle holding the edge on a
  non-manifold one). Rows sum to zero, so constants are in its null space; ``uᵀ L u`` is the
  Dirichlet energy ``∫ |∇u|²`` of the piecewise-linear ``u``. Weights of obtuse angles can be
  negative; ``L`` stays positive semi-definite (it is a sum of per-triangle PSD matrices).
- ``M`` is the **barycentric lumped mass**, diagonal: ``M[i, i]`` is a third of the area of
  the triangles around vertex ``i``, so ``Σ_i M[i, i]`` is the surface area.

Units: with positions in mesh units, ``L`` is dimensionless and ``M`` is in mesh units².
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _corners(pos: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per triangle: (T, 3) cotangent of the angle at each corner and (T,) area (float64)."""
    p = np.asarray(pos, dtype=np.float64)[np.asarray(faces, dtype=np.int64)]  # (T, 3 corners, 3)
    # Edge vectors leaving corner k towards the two other corners.
    a = p[:, [1, 2, 0]] - p
    b = p[:, [2, 0, 1]] - p
    dot = np.einsum("tkd,tkd->tk", a, b)
    twice_area = np.linalg.norm(np.cross(a[:, 0], b[:, 0]), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cot = dot / twice_area[:, None]
    return cot, 0.5 * twice_area


def cotangent_laplacian(pos: np.ndarray, faces: np.ndarray) -> sp.csr_matrix:
    """(V, V) sparse float64 cotangent Laplacian ``L`` (positive semi-definite convention).

    Args:
        pos: (V, 3) vertex positions in mesh units.
        faces: (T, 3) vertex ids of each triangle; no zero-area triangle (its cotangents are
            infinite: drop degenerate faces first, :func:`core.simulation.surface.prepare_mesh`).

    Returns:
        CSR matrix with ``L[i, j] = -½ (cot α_ij + cot β_ij)`` off the diagonal for each edge and
        ``L[i, i] = -Σ_{j≠i} L[i, j]``; symmetric, rows summing to zero.

    Example:
        >>> pos = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]])  # right angle at vertex 0
        >>> cotangent_laplacian(pos, np.array([[0, 1, 2]])).toarray().round(3).tolist()
        [[1.0, -0.5, -0.5], [-0.5, 0.5, 0.0], [-0.5, 0.0, 0.5]]
    """
    faces = np.asarray(faces, dtype=np.int64)
    n = len(pos)
    cot, _ = _corners(pos, faces)
    if not np.isfinite(cot).all():
        raise ValueError("a triangle has zero area; drop degenerate faces before building L")
    # The angle at corner k is opposite the edge between the two other corners.
    i = faces[:, [1, 2, 0]].ravel()
    j = faces[:, [2, 0, 1]].ravel()
    w = 0.5 * cot.ravel()
    off = sp.coo_matrix((np.concatenate([-w, -w]), (np.concatenate([i, j]), np.concatenate([j, i]))), (n, n))
    off = off.tocsr()  # sums the two triangles of an interior edge
    diag = -np.asarray(off.sum(axis=1)).ravel()
    return (off + sp.diags(diag)).tocsr()


def lumped_mass(pos: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V,) float64 barycentric lumped mass: a third of the area of each vertex's triangles.

    Args:
        pos: (V, 3) vertex positions in mesh units.
        faces: (T, 3) vertex ids of each triangle.

    Returns:
        (V,) areas in mesh units², summing to the surface area; 0 for a vertex in no triangle.

    Example:
        >>> pos = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]])
        >>> lumped_mass(pos, np.array([[0, 1, 2]])).round(4).tolist()
        [0.1667, 0.1667, 0.1667]
    """
    faces = np.asarray(faces, dtype=np.int64)
    _, area = _corners(pos, faces)
    return np.bincount(faces.ravel(), weights=np.repeat(area / 3.0, 3), minlength=len(pos))

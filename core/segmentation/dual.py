"""A triangle mesh's dual graph (faces as nodes, adjacent across an edge) and rotation-invariant face features.

**Dual graph** (:func:`dual_edges`): faces ``s`` and ``t`` are joined when they share a side;
both directions are listed, with the signed dihedral angle across the side (radians, positive
where the surface is convex there, negative in a crease).

**Face features** (:func:`face_features`, :data:`FEATURE_NAMES`), all unchanged by a rotation,
a translation or a uniform scaling of the mesh, since segmentation models meet other people's
meshes in any pose and units:

- ``x, y, z`` and ``nx, ny, nz``: the centroid and the unit normal in the mesh's principal
  frame: centered on the area-weighted centroid, axes the principal axes of the area-weighted
  face centroids (largest variance first), each signed so that the third moment along it is
  positive, lengths divided by the largest distance to the center (unit size);
- ``radius``: the centroid's distance to the center, in the same unit;
- ``log_area``: log of the face's area over the mean face area;
- ``dihedral_0..2``: the signed dihedral angles to its (up to three) neighbors, sorted (0 for a
  missing neighbor);
- ``hks_0..5``: the heat kernel signature (Sun et al. 2009) ``Σ_k exp(-λ_k t) φ_k(v)²`` of the
  cotangent Laplacian's :data:`EIGENPAIRS` lowest modes (generalized with the lumped mass, on the
  mesh scaled to unit area) at six log-spaced times from ``4 ln 10 / λ_max`` to ``1 / λ_1``
  (the first nonzero eigenvalue), each divided by its area-weighted mean,
  logged, averaged over the face's corners.

The frame is ill-defined where two principal variances are equal (a sphere); the features are
still invariant there in distribution, not value by value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import torch

from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass

#: Laplacian eigenpairs behind the heat kernel signature.
EIGENPAIRS = 40
#: Heat kernel signature times.
HKS_TIMES = 6
FEATURE_NAMES = (
    ("x", "y", "z", "nx", "ny", "nz", "radius", "log_area")
    + tuple(f"dihedral_{k}" for k in range(3))
    + tuple(f"hks_{k}" for k in range(HKS_TIMES))
)


@dataclass
class DualGraph:
    """A mesh as the segmentation models read it.

    Attributes:
        x: (T, F) float32 face features (:data:`FEATURE_NAMES`).
        edge_index: (2, E) int64 dual edges ``s -> t`` (both directions, no self-loop).
        edge_attr: (E, 1) float32 signed dihedral angle across the shared side, radians.
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    edge_attr: torch.Tensor

    @property
    def num_faces(self) -> int:
        """T."""
        return len(self.x)


def face_normals(pos: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3) unit normals (by the faces' orientation) and (T,) areas, float64."""
    p = np.asarray(pos, np.float64)[faces]
    cross = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    twice = np.linalg.norm(cross, axis=1)
    return cross / np.maximum(twice, 1e-300)[:, None], 0.5 * twice


def dual_edges(pos: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The dual graph's directed edges and their signed dihedral angles.

    Args:
        pos: (V, 3) vertex positions.
        faces: (T, 3) vertex ids.

    Returns:
        (2, E) int64 face pairs ``s -> t`` sharing a side (both directions; at a side of more
        than two faces, every pair), sorted by target; and (E,) float64 signed dihedral angles.

    Example:
        >>> pos = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]])
        >>> edges, angle = dual_edges(pos, np.array([[0, 1, 2], [1, 3, 2]]))
        >>> edges.tolist(), angle.round(6).tolist()
        ([[1, 0], [0, 1]], [0.0, 0.0])
    """
    faces = np.asarray(faces, np.int64)
    n = int(faces.max()) + 1
    sides = np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    key = sides[:, 0] * n + sides[:, 1]
    owner = np.repeat(np.arange(len(faces)), 3)
    order = np.argsort(key, kind="stable")
    key, owner = key[order], owner[order]
    pairs = []
    for lag in (1, 2, 3):  # a side held by up to four faces gets every pair
        same = key[lag:] == key[:-lag]
        pairs.append(np.stack([owner[:-lag][same], owner[lag:][same]]))
    both = np.concatenate(pairs, axis=1)
    both = both[:, both[0] != both[1]]
    edges = np.concatenate([both, both[::-1]], axis=1)
    edges = edges[:, np.lexsort((edges[0], edges[1]))]
    normal, _ = face_normals(pos, faces)
    centroid = np.asarray(pos, np.float64)[faces].mean(axis=1)
    s, t = edges
    cos = np.clip(np.einsum("ij,ij->i", normal[s], normal[t]), -1, 1)
    convex = np.einsum("ij,ij->i", normal[t], centroid[s] - centroid[t]) <= 0
    return edges, np.where(convex, 1.0, -1.0) * np.arccos(cos)


def principal_frame(centroids: np.ndarray, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Center (3,), axes (3, 3) as columns and unit length of a face cloud (see the module docstring)."""
    w = areas / areas.sum()
    center = w @ centroids
    rel = centroids - center
    cov = (rel * w[:, None]).T @ rel
    _, vectors = np.linalg.eigh(cov)
    axes = vectors[:, ::-1].copy()
    third = w @ (rel @ axes) ** 3
    axes *= np.where(third < 0, -1.0, 1.0)
    return center, axes, float(np.linalg.norm(rel, axis=1).max())


def heat_kernel_signature(pos: np.ndarray, faces: np.ndarray, times: int = HKS_TIMES) -> np.ndarray:
    """(V, times) float64 log heat kernel signature, normalized per time (see the module docstring)."""
    mass = lumped_mass(pos, faces)
    scale = 1 / np.sqrt(mass.sum())  # unit area
    stiffness = cotangent_laplacian(pos * scale, faces)
    mass = mass * scale**2
    k = min(EIGENPAIRS, len(pos) - 2)
    m = sp.diags(mass)
    values, vectors = spla.eigsh(stiffness, k=k, M=m, sigma=-1e-6, which="LM")
    values = np.maximum(values, 0)
    lam = values[values > 1e-8]
    t = np.geomspace(4 * np.log(10) / lam.max(), 1 / lam.min(), times)
    hks = (vectors**2) @ np.exp(-values[:, None] * t[None])  # (V, times)
    hks = hks / (mass @ hks / mass.sum())
    return np.log(np.maximum(hks, 1e-12))


def face_features(pos: np.ndarray, faces: np.ndarray) -> DualGraph:
    """The :class:`DualGraph` of a triangle mesh (features of :data:`FEATURE_NAMES`).

    Args:
        pos: (V, 3) vertex positions (any units, pose).
        faces: (T, 3) vertex ids, no degenerate face (:func:`core.simulation.prepare_mesh`).
    """
    pos, faces = np.asarray(pos, np.float64), np.asarray(faces, np.int64)
    normal, area = face_normals(pos, faces)
    centroid = pos[faces].mean(axis=1)
    center, axes, unit = principal_frame(centroid, area)
    local = (centroid - center) @ axes / unit
    edges, angle = dual_edges(pos, faces)
    target = edges[1]  # sorted: each face's incoming edges are a run
    start = np.searchsorted(target, target)
    rank = np.arange(len(target)) - start
    keep = rank < 3
    dihedral = np.zeros((len(faces), 3))
    dihedral[target[keep], rank[keep]] = angle[keep]
    dihedral.sort(axis=1)
    hks = heat_kernel_signature(pos, faces)[faces].mean(axis=1)
    x = np.column_stack(
        [local, normal @ axes, np.linalg.norm(local, axis=1), np.log(area / area.mean()), dihedral, hks]
    )
    return DualGraph(
        torch.as_tensor(x, dtype=torch.float32),
        torch.as_tensor(edges),
        torch.as_tensor(angle[:, None], dtype=torch.float32),
    )

"""Random fields on a mesh: sums of Gaussian bumps at random vertices, by geodesic or Euclidean distance.

The geodesic distance is the shortest path along mesh edges (Dijkstra on the edge lengths):
it overestimates the true surface distance by a few percent but, unlike the Euclidean one,
never lets a bump leak across a gap (from an ant's leg to its body).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from nodescope.core.geometry.triangles import face_edges


def edge_graph(pos: np.ndarray, faces: np.ndarray) -> sp.csr_matrix:
    """(V, V) sparse symmetric matrix of edge lengths between the mesh's neighbors."""
    edges = face_edges(np.asarray(faces))
    lengths = np.linalg.norm(pos[edges[0]] - pos[edges[1]], axis=1)
    n = len(pos)
    graph = sp.coo_matrix((lengths, (edges[0], edges[1])), shape=(n, n))
    return (graph + graph.T).tocsr()


def distances_from(
    pos: np.ndarray, faces: np.ndarray, centers: np.ndarray, *, geodesic: bool = True
) -> np.ndarray:
    """(K, V) distances (mesh units) from each of ``centers`` (K vertex ids) to every vertex.

    Geodesic: along edges, ``inf`` where no path exists; else straight-line.
    """
    centers = np.asarray(centers, dtype=np.int64)
    if geodesic:
        return np.atleast_2d(dijkstra(edge_graph(pos, faces), directed=False, indices=centers))
    return np.linalg.norm(pos[None, :, :] - pos[centers][:, None, :], axis=2)


def gaussian_bumps(
    pos: np.ndarray,
    faces: np.ndarray,
    rng: np.random.Generator,
    *,
    count: int,
    width: tuple[float, float] = (0.1, 0.3),
    amplitude: tuple[float, float] = (0.3, 1.0),
    geodesic: bool = True,
) -> np.ndarray:
    """(V,) ``Σ_k a_k exp(-d_k² / (2 σ_k²))`` over ``count`` bumps at random vertices.

    Args:
        pos: (V, 3) positions.
        faces: (T, 3) triangles.
        rng: the source of every random choice.
        count: number of bumps K.
        width: range of σ_k, mesh units (uniform).
        amplitude: range of |a_k| (uniform); the sign is random.
        geodesic: distances along edges (True) or straight-line.
    """
    centers = rng.choice(len(pos), size=count, replace=count > len(pos))
    sigma = rng.uniform(*width, count)
    a = rng.uniform(*amplitude, count) * rng.choice([-1.0, 1.0], count)
    d = distances_from(pos, faces, centers, geodesic=geodesic)
    return (a[:, None] * np.exp(-(d**2) / (2 * sigma[:, None] ** 2))).sum(axis=0)


def default_field(pos: np.ndarray, faces: np.ndarray, seed: int) -> np.ndarray:
    """(V,) the default initial field of a simulation: 3 geodesic bumps seeded by ``seed``.

    Their widths are 0.15..0.35 times the mesh's radius (the largest vertex distance from the
    centroid), so the field looks alike on any mesh scale.
    """
    size = float(np.linalg.norm(pos - pos.mean(axis=0), axis=1).max())
    rng = np.random.default_rng(seed)
    return gaussian_bumps(pos, faces, rng, count=3, width=(0.15 * size, 0.35 * size))


def patch(pos: np.ndarray, faces: np.ndarray, rng: np.random.Generator, radius: float) -> np.ndarray:
    """(V,) bool: the vertices within geodesic ``radius`` of a random vertex (at least that vertex)."""
    return distances_from(pos, faces, rng.integers(len(pos), size=1))[0] <= radius

"""The graph a mesh model runs on: the mesh's k-ring edges and their geometry, in mesh-size units.

Positions enter only through edges, divided by the mean edge length ``h`` of the mesh
(:func:`core.simulation.mean_edge_length`), so a model sees the same numbers on a fine and a
coarse mesh of the same shape and on any mesh scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from nodescope.core.geometry.triangles import face_edges
from nodescope.core.simulation.operators import lumped_mass
from nodescope.core.simulation.solve import mean_edge_length

#: Columns of :attr:`MeshGraph.geometry`.
GEOMETRY_COLUMNS = ("dx", "dy", "dz", "length", "hops")


def k_ring_edges(faces: np.ndarray, num_vertices: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The directed edges between vertices at most ``k`` mesh edges apart, and their ring.

    Args:
        faces: (T, 3) triangles.
        num_vertices: V.
        k: the ring (1: the mesh's edges; 2: also the neighbors' neighbors).

    Returns:
        (2, E) int64 edges ``j -> i`` (row 0 the source j, row 1 the target i, PyG's order),
        both directions of each pair, no self-loop, sorted by target; and (E,) int64 hop
        distance (1..k) of each.

    Example:
        >>> edges, hops = k_ring_edges(np.array([[0, 1, 2], [1, 2, 3]]), 4, 2)
        >>> edges.shape[1], int(hops.max())
        (12, 2)
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    pairs = face_edges(np.asarray(faces))
    ones = np.ones(pairs.shape[1])
    adjacency = sp.coo_matrix((ones, (pairs[0], pairs[1])), shape=(num_vertices, num_vertices))
    adjacency = (adjacency + adjacency.T).tocsr().astype(bool).astype(np.int64)
    hops = adjacency.copy()
    reach = adjacency.copy()
    for ring in range(2, k + 1):
        reach = ((reach @ adjacency) + reach).astype(bool).astype(np.int64)
        new = reach - reach.multiply(hops.astype(bool))
        new = (new - sp.diags(new.diagonal(), dtype=np.int64)).tocsr()
        new.eliminate_zeros()
        hops = hops + ring * new
    coo = hops.tocoo()
    order = np.lexsort((coo.row, coo.col))  # by target i (column), then source j
    return np.stack([coo.row[order], coo.col[order]]).astype(np.int64), coo.data[order].astype(np.int64)


@dataclass
class MeshGraph:
    """A mesh as a model reads it (see the module docstring).

    Attributes:
        edge_index: (2, E) int64 k-ring edges ``j -> i`` (both directions, sorted by target).
        geometry: (E, 5) float32 per edge: ``(pos_j - pos_i) / h`` (3), ``|pos_j - pos_i| / h``,
            hop distance (1..k).
        mass: (V,) float32 lumped mass over ``h²`` (the vertex's share of the area, in h² units).
        fixed: (V,) bool Dirichlet vertices (held at their value by a rollout).
        h: the mean edge length (mesh units).
        k: the ring of the edges.
    """

    edge_index: torch.Tensor
    geometry: torch.Tensor
    mass: torch.Tensor
    fixed: torch.Tensor
    h: float
    k: int

    @property
    def num_vertices(self) -> int:
        """V."""
        return len(self.mass)

    def to(self, device: torch.device | str) -> MeshGraph:
        """The same graph with its tensors on ``device``."""
        return MeshGraph(
            self.edge_index.to(device),
            self.geometry.to(device),
            self.mass.to(device),
            self.fixed.to(device),
            self.h,
            self.k,
        )


def mesh_graph(
    pos: np.ndarray, faces: np.ndarray, *, k: int = 1, fixed: np.ndarray | None = None
) -> MeshGraph:
    """The :class:`MeshGraph` of a triangle mesh.

    Args:
        pos: (V, 3) positions, mesh units.
        faces: (T, 3) triangles (checked by :func:`core.simulation.surface.prepare_mesh`).
        k: the ring of the edges (1 for message passing on mesh edges).
        fixed: (V,) bool Dirichlet vertices, or None.
    """
    pos = np.asarray(pos, np.float64)
    n = len(pos)
    h = mean_edge_length(pos, faces)
    edges, hops = k_ring_edges(faces, n, k)
    rel = (pos[edges[0]] - pos[edges[1]]) / h
    geometry = np.column_stack([rel, np.linalg.norm(rel, axis=1), hops]).astype(np.float32)
    mass = (lumped_mass(pos, faces) / h**2).astype(np.float32)
    fixed = np.zeros(n, bool) if fixed is None else np.asarray(fixed, bool)
    return MeshGraph(
        torch.from_numpy(edges),
        torch.from_numpy(geometry),
        torch.from_numpy(mass),
        torch.from_numpy(fixed.copy()),
        float(h),
        int(k),
    )

"""Triangle meshes made ready to simulate on: checked, repaired where that is safe, boundary found.

:func:`prepare_mesh` is the one gate every simulated mesh passes (built-in, procedural or a
user's file). It refuses, with one line, what no repair makes a surface (non-finite or
out-of-range input, too many vertices, too many non-manifold faces, nothing left), and
repairs with a notice what it can:

- degenerate triangles (a repeated vertex, or an area below
  :data:`core.loaders.mesh.DEGENERATE_AREA_RATIO` times the longest side squared) are dropped:
  their cotangents are infinite;
- a triangle listed twice (the same three vertices) is kept once;
- at a non-manifold edge (held by more than two triangles) the triangles after the first two
  holding it, in file order, are dropped; when that would drop more than
  :data:`MAX_NON_MANIFOLD_FRACTION` of the triangles the mesh is refused instead;
- vertices in no triangle are removed (their lumped mass would be zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.loaders.mesh import DEGENERATE_AREA_RATIO

#: The most vertices a mesh may have to be simulated (a 100-step rollout takes seconds there).
MAX_VERTICES = 200_000
#: Above this fraction of triangles on non-manifold edges, a mesh is refused, not repaired.
MAX_NON_MANIFOLD_FRACTION = 0.05


@dataclass
class SimulationMesh:
    """A triangle mesh checked by :func:`prepare_mesh`.

    Attributes:
        pos: (V, 3) float64 vertex positions in mesh units.
        faces: (T, 3) int64 vertex ids; no degenerate, duplicate or non-manifold-excess triangle.
        name: what it is (a file name, ``torus``, ``airplane``).
        notices: one line per repair made, for the user.
        vertex_ids: (V,) int64 id of each kept vertex in the mesh as given.
    """

    pos: np.ndarray
    faces: np.ndarray
    name: str
    notices: list[str] = field(default_factory=list)
    vertex_ids: np.ndarray | None = None

    @property
    def num_vertices(self) -> int:
        """V."""
        return len(self.pos)

    @property
    def boundary(self) -> np.ndarray:
        """(V,) bool: vertices on a boundary edge (an edge of one triangle); all False when closed."""
        return boundary_vertices(self.faces, len(self.pos))


def _edge_keys(faces: np.ndarray, n: int) -> np.ndarray:
    """(3T,) int64 key ``min * n + max`` of each triangle side, sides of triangle t at 3t..3t+2."""
    sides = np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    return sides[:, 0] * n + sides[:, 1]


def boundary_vertices(faces: np.ndarray, num_vertices: int) -> np.ndarray:
    """(V,) bool: the vertices on an edge that only one triangle holds.

    Args:
        faces: (T, 3) vertex ids.
        num_vertices: V.
    """
    faces = np.asarray(faces, dtype=np.int64)
    key, count = np.unique(_edge_keys(faces, num_vertices), return_counts=True)
    ends = key[count == 1]
    mask = np.zeros(num_vertices, bool)
    mask[ends // num_vertices] = True
    mask[ends % num_vertices] = True
    return mask


def non_manifold_excess(faces: np.ndarray, num_vertices: int) -> np.ndarray:
    """(T,) bool: triangles holding an edge already held by two earlier triangles (file order)."""
    faces = np.asarray(faces, dtype=np.int64)
    keys = _edge_keys(faces, num_vertices)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(keys)), 0))
    rank = np.empty(len(keys), np.int64)
    rank[order] = np.arange(len(keys)) - group_start  # 0, 1, 2 ... among the triangles of that edge
    return (rank.reshape(-1, 3) >= 2).any(axis=1)


def _degenerate(pos: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(T,) bool: a repeated vertex or an area below the ratio of the loaders' check."""
    repeated = (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 0] == faces[:, 2])
    p = pos[faces]
    sides = p[:, [1, 2, 0]] - p
    twice_area = np.linalg.norm(np.cross(sides[:, 0], sides[:, 1]), axis=1)
    return repeated | (twice_area <= 2 * DEGENERATE_AREA_RATIO * (sides**2).sum(axis=2).max(axis=1))


def prepare_mesh(
    pos: np.ndarray, faces: np.ndarray, *, name: str = "mesh", max_vertices: int = MAX_VERTICES
) -> SimulationMesh:
    """Check and repair a triangle mesh for simulation (see the module docstring).

    Args:
        pos: (V, 3) vertex positions.
        faces: (T, 3) vertex ids.
        name: how the mesh is named in messages.
        max_vertices: refuse meshes with more vertices than this.

    Returns:
        The repaired mesh, with a notice per repair.

    Raises:
        LoadError: one line, when the input is not a triangle mesh or cannot be repaired.
    """
    pos = np.asarray(pos, dtype=np.float64)
    faces = np.asarray(faces)
    if pos.ndim != 2 or pos.shape[1] != 3 or faces.ndim != 2 or faces.shape[1] != 3 or not len(faces):
        raise LoadError(f"{name} is not a triangle mesh (need (V, 3) positions and (T, 3) triangles).")
    if len(pos) > max_vertices:
        raise LoadError(
            f"{name} has {len(pos):,} vertices, over the simulation limit of {max_vertices:,}; "
            "decimate it (e.g. pyvista decimate()) and try again."
        )
    if not np.isfinite(pos).all():
        raise LoadError(f"{name} has vertices with NaN or infinite coordinates.")
    if faces.dtype.kind not in "iu" or faces.min() < 0 or faces.max() >= len(pos):
        raise LoadError(f"{name} has triangles whose vertex ids are not in 0..{len(pos) - 1}.")
    faces = faces.astype(np.int64)
    notices: list[str] = []
    degenerate = _degenerate(pos, faces)
    if degenerate.any():
        notices.append(
            f"Dropped {int(degenerate.sum())} degenerate triangle(s) (zero area or a repeated vertex)."
        )
        faces = faces[~degenerate]
    _, first = np.unique(np.sort(faces, axis=1), axis=0, return_index=True)
    if len(first) < len(faces):
        notices.append(f"Dropped {len(faces) - len(first)} duplicate triangle(s).")
        faces = faces[np.sort(first)]
    excess = non_manifold_excess(faces, len(pos)) if len(faces) else np.zeros(0, bool)
    if excess.sum() > MAX_NON_MANIFOLD_FRACTION * max(len(faces), 1):
        raise LoadError(
            f"{name} has {int(excess.sum())} triangles on non-manifold edges (edges of three or more "
            "triangles), too many to repair; fix the mesh (e.g. MeshLab 'Repair non Manifold Edges')."
        )
    if excess.any():
        notices.append(
            f"Dropped {int(excess.sum())} triangle(s) on non-manifold edges (keeping the first two per edge)."
        )
        faces = faces[~excess]
    if not len(faces):
        raise LoadError(f"{name} has no usable triangle left after dropping degenerate ones.")
    used = np.unique(faces)
    if len(used) < len(pos):
        notices.append(f"Removed {len(pos) - len(used)} vertex(es) in no triangle.")
    remap = np.full(len(pos), -1, np.int64)
    remap[used] = np.arange(len(used))
    return SimulationMesh(pos[used], remap[faces], name, notices, vertex_ids=used)

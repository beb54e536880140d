"""The icosphere hierarchy in FreeSurfer's fsaverage vertex order, with pooling and unpooling.

FreeSurfer's fsaverage spheres are nested icospheres: level ``k`` (``fsaverage{k}``) has
``10 * 4**k + 2`` vertices (ico3/4/5/6 = 642 / 2,562 / 10,242 / 40,962) and its first
``10 * 4**(k-1) + 2`` vertices are level ``k - 1``. nilearn ships fsaverage5 in its wheel,
so every level here is built from that one file:

- Coarser levels: fsaverage's face list starts with the corner triangles of its parent
  level, one per parent face in the parent's order: parent face ``(a, b, c)`` gives child
  face ``(a, m(a, b), m(c, a))``, where ``m(u, v)`` is the new vertex on side ``(u, v)``. A
  new vertex's two parents are its only neighbors from the coarser level, so the parent
  faces are read back, in FreeSurfer's order and orientation, from those corner triangles.
- Finer levels (:func:`subdivide`): FreeSurfer appends one new vertex per parent side, in
  the order the sides are first met when walking the parent faces in order and each face's
  sides as ``(c, a), (b, c), (a, b)``; the new vertex is the normalized midpoint. The new
  faces are the corner faces ``(a, ab, ca)`` of every parent face first, then per parent
  face ``(ca, bc, c), (ab, bc, ca), (ab, b, bc)``. This reproduces ``fsaverage6.sphere`` (from
  the SUGAR atlas) face for face and vertex for vertex, up to the files' coordinates being
  rounded to 0.01 mm on their radius-100 spheres (at most 0.013 mm, 0.0072 degrees; both
  files are exact recursive midpoint icospheres rounded so).

Vertices are unit vectors; triangles are counter-clockwise seen from outside (outward
normals), as FreeSurfer writes them.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nibabel as nib
import numpy as np
import torch
from torch_geometric.utils import scatter

from nodescope.core.geometry.icosphere import icosphere_edges

#: The level nilearn ships (fsaverage5); coarser levels are derived from it, finer ones subdivided.
SHIPPED_LEVEL = 5
MAX_LEVEL = 6


def num_vertices(level: int) -> int:
    """Number of vertices of icosphere level ``level``: ``10 * 4**level + 2``."""
    return 10 * 4**level + 2


@dataclass(frozen=True)
class IcoLevel:
    """One level of the fsaverage icosphere hierarchy (tensors on the CPU, shared: do not modify).

    Attributes:
        level: subdivision level (5 is fsaverage5).
        vertices: (V, 3) float32 unit vectors, V = ``10 * 4**level + 2``, in fsaverage order.
        faces: (F, 3) int64 outward (counter-clockwise) triangles, F = ``20 * 4**level``.
        edge_index: (2, E) int64 mesh edges in both directions, sorted (PyG convention).
        parents: (V - V_coarse, 2) int64: for each vertex new at this level (ids
            ``V_coarse..V-1``), the two vertices of the coarser level whose side it halves;
            (0, 2) at level 0.
    """

    level: int
    vertices: torch.Tensor
    faces: torch.Tensor
    edge_index: torch.Tensor
    parents: torch.Tensor


def _fsaverage5_path(name: str) -> Path:
    """A file of nilearn's shipped fsaverage5 (``sphere_left``, ``sulc_left``, ...).

    Found beside nilearn's package without importing ``nilearn.datasets`` (a 3 s import);
    ``fetch_surf_fsaverage`` is asked when a nilearn release moves the files.
    """
    spec = importlib.util.find_spec("nilearn")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "datasets" / "data" / "fsaverage5" / f"{name}.gii.gz"
        if path.is_file():
            return path
    from nilearn.datasets import fetch_surf_fsaverage

    return Path(fetch_surf_fsaverage("fsaverage5")[name])


def fsaverage5_map(name: str = "sulc", hemi: str = "left") -> np.ndarray:
    """A per-vertex map of nilearn's fsaverage5 (10,242 values, float64).

    Args:
        name: ``"sulc"``, ``"curv"``, ``"thick"`` or ``"area"``.
        hemi: ``"left"`` or ``"right"``.
    """
    if hemi not in ("left", "right"):
        raise ValueError(f"hemi must be 'left' or 'right', not {hemi!r}")
    img = nib.load(_fsaverage5_path(f"{name}_{hemi}"))
    return np.asarray(img.darrays[0].data, dtype=np.float64).reshape(-1)


def subdivide(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split every triangle in four the way FreeSurfer orders fsaverage (see the module docstring).

    Args:
        vertices: (V, 3) float64 unit vectors.
        faces: (F, 3) int64 outward triangles.

    Returns:
        ``(vertices, faces, parents)``: (V + E, 3) unit vectors (the old ones first, then one
        normalized midpoint per side), (4F, 3) outward triangles and (E, 2) parent ids of the
        new vertices.
    """
    n = len(vertices)
    sides = faces[:, [2, 0, 1, 2, 0, 1]].reshape(-1, 2)  # per face (c, a), (b, c), (a, b)
    keys = sides.min(axis=1) * n + sides.max(axis=1)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    # New vertices in the order their side is first met, not in key order.
    rank = np.empty(len(unique), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(unique))
    mid = (n + rank[inverse]).reshape(-1, 3)  # per face: ids of the midpoints of (c,a), (b,c), (a,b)
    ca, bc, ab = mid[:, 0], mid[:, 1], mid[:, 2]
    a, b, c = faces[:, 0], faces[:, 1], faces[:, 2]
    corners = np.stack([a, ab, ca], axis=1)
    inner = np.stack([ca, bc, c, ab, bc, ca, ab, b, bc], axis=1).reshape(-1, 3)
    parent_keys = unique[np.argsort(rank)]
    parents = np.stack([parent_keys // n, parent_keys % n], axis=1)
    new = vertices[parents[:, 0]] + vertices[parents[:, 1]]
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    return np.concatenate([vertices, new]), np.concatenate([corners, inner]), parents


def _coarsen(faces: np.ndarray, n_coarse: int) -> np.ndarray:
    """(F/4, 3) parent faces of fsaverage-ordered ``faces`` whose first ``n_coarse`` vertices are the parent level."""
    sides = faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    # On a closed oriented mesh each side appears once per direction; a new vertex's neighbors
    # from the parent level are its two parents.
    link = sides[(sides[:, 0] >= n_coarse) & (sides[:, 1] < n_coarse)]
    parent_sum = np.bincount(link[:, 0], weights=link[:, 1], minlength=int(faces.max()) + 1).astype(np.int64)
    a, ab, ca = faces[: len(faces) // 4].T  # the corner faces (a, m(a, b), m(c, a))
    return np.stack([a, parent_sum[ab] - a, parent_sum[ca] - a], axis=1)


@lru_cache(maxsize=1)
def _fsaverage5_sphere() -> tuple[np.ndarray, np.ndarray]:
    """Nilearn's fsaverage5 sphere: (10242, 3) float64 unit vectors and (20480, 3) int64 faces."""
    img = nib.load(_fsaverage5_path("sphere_left"))  # the right sphere holds the same icosphere
    vertices = np.asarray(img.darrays[0].data, dtype=np.float64)
    faces = np.asarray(img.darrays[1].data, dtype=np.int64)
    return vertices / np.linalg.norm(vertices, axis=1, keepdims=True), faces


@lru_cache(maxsize=1)
def _shipped_levels() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(vertices, faces, parents) of levels 0..5, all read back from fsaverage5."""
    vertices5, faces5 = _fsaverage5_sphere()
    faces = [faces5]
    for level in range(SHIPPED_LEVEL, 0, -1):
        faces.insert(0, _coarsen(faces[0], num_vertices(level - 1)))
    levels = [(vertices5[: num_vertices(0)], faces[0], np.zeros((0, 2), np.int64))]
    for level in range(1, SHIPPED_LEVEL + 1):
        vertices, fine_faces, parents = subdivide(*levels[-1][:2])
        # Guard the assumptions about the file's order: subdividing must give it back. The file's
        # coordinates are rounded (0.01 mm on radius 100), so positions agree to ~1e-4 only.
        shipped = vertices5[: len(vertices)]
        if not np.array_equal(fine_faces, faces[level]) or np.abs(vertices - shipped).max() > 1e-3:
            raise RuntimeError(
                f"nilearn's fsaverage5 is not in FreeSurfer's nested icosphere order (level {level})"
            )
        levels.append((shipped, fine_faces, parents))
    return levels


@lru_cache(maxsize=MAX_LEVEL + 1)
def _mesh(level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vertices, faces, parents) of a level as numpy arrays."""
    if level <= SHIPPED_LEVEL:
        return _shipped_levels()[level]
    return subdivide(*_mesh(level - 1)[:2])


@lru_cache(maxsize=MAX_LEVEL + 1)
def icosphere_level(level: int) -> IcoLevel:
    """The fsaverage icosphere of a level, built once and cached.

    Args:
        level: 0..6 (3, 4, 5, 6 are fsaverage3..6 with 642 / 2,562 / 10,242 / 40,962 vertices).

    Returns:
        The :class:`IcoLevel`; level 5 has exactly nilearn's fsaverage5 faces and its vertices
        normalized to unit length.
    """
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"icosphere level must be an integer in 0..{MAX_LEVEL}, got {level!r}")
    vertices, faces, parents = _mesh(int(level))
    return IcoLevel(
        level=int(level),
        vertices=torch.from_numpy(vertices).float(),
        faces=torch.from_numpy(np.ascontiguousarray(faces)),
        edge_index=torch.from_numpy(icosphere_edges(faces, len(vertices))),
        parents=torch.from_numpy(parents),
    )


@lru_cache(maxsize=4 * MAX_LEVEL)
def _pool_index(fine_level: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """(fine ids, coarse ids) pairing each coarse vertex with itself and the new vertices around it."""
    fine = icosphere_level(fine_level)
    n_coarse = num_vertices(fine_level - 1)
    new = torch.arange(n_coarse, len(fine.vertices))
    src = torch.cat([torch.arange(n_coarse), new, new])
    dst = torch.cat([torch.arange(n_coarse), fine.parents[:, 0], fine.parents[:, 1]])
    return src.to(device), dst.to(device)


def pool(x: torch.Tensor, fine_level: int) -> torch.Tensor:
    """Mean of each coarse vertex's fine 1-ring, itself included (6 or 7 values; 5 + 1 at the 12 poles).

    Args:
        x: (V_fine, *) values on level ``fine_level``.
        fine_level: 1..6.

    Returns:
        (V_coarse, *) values on level ``fine_level - 1``; differentiable in ``x``.
    """
    if not 1 <= fine_level <= MAX_LEVEL or len(x) != num_vertices(fine_level):
        raise ValueError(
            f"pool: x has {len(x)} rows; level {fine_level} (1..{MAX_LEVEL}) has {num_vertices(fine_level)}"
        )
    src, dst = _pool_index(fine_level, x.device)
    return scatter(x[src], dst, dim=0, dim_size=num_vertices(fine_level - 1), reduce="mean")


@lru_cache(maxsize=4 * MAX_LEVEL)
def _parents(fine_level: int, device: torch.device) -> torch.Tensor:
    return icosphere_level(fine_level).parents.to(device)


def unpool(x: torch.Tensor, coarse_level: int) -> torch.Tensor:
    """Values on the next finer level: coarse vertices keep theirs, new ones get their two parents' mean.

    Args:
        x: (V_coarse, *) values on level ``coarse_level``.
        coarse_level: 0..5.

    Returns:
        (V_fine, *) values on level ``coarse_level + 1``; differentiable in ``x``.
    """
    if not 0 <= coarse_level < MAX_LEVEL or len(x) != num_vertices(coarse_level):
        raise ValueError(
            f"unpool: x has {len(x)} rows; level {coarse_level} (0..{MAX_LEVEL - 1}) has {num_vertices(coarse_level)}"
        )
    parents = _parents(coarse_level + 1, x.device)
    return torch.cat([x, 0.5 * (x[parents[:, 0]] + x[parents[:, 1]])])

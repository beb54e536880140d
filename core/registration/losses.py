"""Losses of a spherical registration: sulcal similarity, folds, areal/edge distortion, smoothness.

All act on a deformed icosphere: ``moved`` (V, 3) unit vectors, the level's vertices after
the deformation, and its faces. The fixed map is read at the moved points through exact,
differentiable barycentric weights (:class:`FixedMap`), so the similarity's gradient moves
the points along the fixed sulc's slope.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import cKDTree

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.resample import TriangleLocator, barycentric_weights

#: Sulc maps are z-scored and soft-clipped to this many standard deviations (tanh).
CLIP = 3.0


def normalize(values: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(V,) float32 z-scored values, soft-clipped to +-:data:`CLIP` so deep outliers do not dominate."""
    x = torch.as_tensor(
        np.asarray(values, dtype=np.float32) if not isinstance(values, torch.Tensor) else values
    )
    x = (x - x.mean()) / x.std().clamp(min=1e-8)
    return CLIP * torch.tanh(x / CLIP)


class _SerialTree:
    """A k-d tree whose queries run on the calling thread.

    Starting worker threads costs more than the query itself for the ~10k points of one fitting
    step, and the fit makes hundreds.
    """

    def __init__(self, tree: cKDTree) -> None:
        self.tree = tree

    def query(self, x: np.ndarray, k: int = 1, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
        del workers
        return self.tree.query(x, k=k, workers=1)


class FixedMap:
    """A per-vertex map on an icosphere level, readable at any points on the sphere.

    Args:
        values: (V, C) or (V,) values on the level's vertices.
        level: the icosphere level (5 for fsaverage5).
    """

    def __init__(self, values: torch.Tensor, level: int) -> None:
        ico = icosphere_level(level)
        self.level, self.values = level, values
        self.vertices, self.faces = ico.vertices.to(values.device), ico.faces.to(values.device)
        self.locator = TriangleLocator(ico.vertices, ico.faces)
        self.locator.tree = _SerialTree(self.locator.tree)

    def __call__(self, points: torch.Tensor) -> torch.Tensor:
        """(Q, C) or (Q,) values at (Q, 3) points (unit), differentiable in ``points``."""
        tri = torch.from_numpy(self.locator(points)).to(points.device)
        w = barycentric_weights(self.vertices.to(points.dtype), self.faces, tri, points)
        corners = self.values[self.faces[tri]]  # (Q, 3, ...)
        return (w.reshape(*w.shape, *([1] * (corners.dim() - 2))) * corners).sum(dim=1)


def pearson_loss(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``1 - r`` of two (V,) maps (0 when they agree up to a positive affine change)."""
    a, b = a - a.mean(), b - b.mean()
    return 1 - (a * b).sum() / (a.norm() * b.norm()).clamp(min=1e-8)


def similarity(
    moving: torch.Tensor, fixed_at_moved: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """``1 - Pearson`` plus the (weighted) mean squared difference of two normalized (V,) maps."""
    sq = (moving - fixed_at_moved) ** 2
    mse = sq.mean() if weights is None else (weights * sq).sum() / weights.sum()
    return pearson_loss(moving, fixed_at_moved) + 0.1 * mse


def _area_vectors(points: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    a, b, c = points[faces].unbind(dim=1)
    return torch.cross(b - a, c - a, dim=1)


def fold_loss(moved: torch.Tensor, rest: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    """Mean of the flipped part of each triangle's signed area, relative to its area at rest (0: no fold)."""
    area = (_area_vectors(moved, faces) * moved[faces].mean(dim=1)).sum(dim=1)
    rest_area = _area_vectors(rest, faces).norm(dim=1)
    return torch.relu(-area / rest_area).mean()


def areal_loss(moved: torch.Tensor, rest: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    """Mean squared ``log`` ratio of triangle areas, moved vs rest."""
    ratio = _area_vectors(moved, faces).norm(dim=1) / _area_vectors(rest, faces).norm(dim=1)
    return torch.log(ratio.clamp(min=1e-6)).pow(2).mean()


def edge_loss(moved: torch.Tensor, rest: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """Mean squared ``log`` ratio of edge lengths, moved vs rest."""
    src, dst = edge_index
    ratio = (moved[src] - moved[dst]).norm(dim=1) / (rest[src] - rest[dst]).norm(dim=1)
    return torch.log(ratio.clamp(min=1e-6)).pow(2).mean()


def smoothness_loss(angles: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of the (V, 3) angle field across edges (radians^2)."""
    return (angles[edge_index[0]] - angles[edge_index[1]]).pow(2).sum(dim=1).mean()


def regularizers(
    moved: torch.Tensor, level: int, angles: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """Fold, areal, edge (and smoothness when ``angles`` is given) losses of a moved icosphere level.

    ``moved`` is compared with the level's own vertices (the mesh at rest), so a rigid rotation costs nothing.
    """
    ico = icosphere_level(level)
    rest = ico.vertices.to(moved.device, moved.dtype)
    faces, edges = ico.faces.to(moved.device), ico.edge_index.to(moved.device)
    out = {
        "fold": fold_loss(moved, rest, faces),
        "areal": areal_loss(moved, rest, faces),
        "edge": edge_loss(moved, rest, edges),
    }
    if angles is not None:
        out["smooth"] = smoothness_loss(angles, edges)
    return out

"""Barycentric resampling between spherical meshes: which triangle holds each point, with what weights.

A point ``p`` on the sphere lies in triangle ``(a, b, c)`` when the ray from the center through
``p`` crosses the flat triangle, and its barycentric weights are those of that crossing
point. They are proportional to the signed volumes ``p . (b x c)``, ``p . (c x a)``,
``p . (a x b)``, which share one sign exactly when ``p`` is inside (the search's test).
Neither the mesh's radius nor the points' lengths matter, so a radius-100 FreeSurfer sphere
and unit query points mix freely.

The search (which triangle) runs in numpy/scipy and is not differentiable; the weights are
a torch function of the mesh vertices and the points, so gradients reach both (a
registration model moves one or the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

#: Normalized weights down to this much below zero still count as inside (points on a side).
INSIDE_TOLERANCE = 1e-9


def _numpy(x: ArrayLike | torch.Tensor, dtype: type) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class TriangleLocator:
    """Finds the triangle of a spherical mesh that holds each of many points.

    Built once per mesh (a k-d tree of its vertex directions and each vertex's triangles);
    a query tries the triangles around each point's nearest vertex, then around its next
    nearest ones (see :meth:`__call__`). A point that none of them holds (a folded mesh, a
    degenerate triangle) gets the candidate it is least outside of, so every point gets a
    triangle.

    Args:
        vertices: (V, 3) vertex positions on a sphere about the origin (any radius).
        faces: (F, 3) integer triangles; their orientation does not matter.
    """

    def __init__(self, vertices: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor) -> None:
        self.vertices = _numpy(vertices, np.float64)
        self.faces = _numpy(faces, np.int64)
        if (
            self.vertices.ndim != 2
            or self.vertices.shape[1] != 3
            or self.faces.ndim != 2
            or self.faces.shape[1] != 3
        ):
            raise ValueError(
                f"vertices must be (V, 3) and faces (F, 3); got {self.vertices.shape}, {self.faces.shape}"
            )
        self.tree = cKDTree(_unit(self.vertices))
        # Per face the three cross products whose dot with p gives its unnormalized weights.
        a, b, c = (self.vertices[self.faces[:, i]] for i in range(3))
        self.crosses = np.stack([np.cross(b, c), np.cross(c, a), np.cross(a, b)], axis=1)  # (F, 3, 3)
        self.incident = self._incident_faces()

    def _incident_faces(self) -> np.ndarray:
        """(V, D) ids of each vertex's triangles, padded with -1 to the largest degree D."""
        owner = self.faces.reshape(-1)
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=len(self.vertices))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(owner)) - np.repeat(starts, counts)
        table = np.full((len(self.vertices), int(counts.max())), -1, dtype=np.int64)
        table[owner[order], slot] = order // 3
        return table

    def _weights(self, tri: np.ndarray, points: np.ndarray) -> np.ndarray:
        """(..., 3) normalized weights of points (..., 3) in triangles (...); NaN for degenerate ones."""
        w = np.einsum("...k,...jk->...j", points, self.crosses[tri])
        with np.errstate(invalid="ignore", divide="ignore"):
            return w / (w[..., 0] + w[..., 1] + w[..., 2])[..., None]  # faster than sum over a short axis

    def __call__(self, points: ArrayLike | torch.Tensor, k: int = 8) -> np.ndarray:
        """(Q,) int64 id of the triangle holding each of the (Q, 3) points (any length, not zero).

        The nearest vertex's triangles are tried first, then the ``k`` nearest vertices' for the
        points they miss, then the ``8 k`` nearest for the few left (long thin triangles of
        native FreeSurfer spheres).
        """
        p = _numpy(points, np.float64).reshape(-1, 3)
        tri = np.full(len(p), -1, dtype=np.int64)
        best = np.full(len(p), -np.inf)  # the least-outside candidate so far: its smallest weight
        todo, tried = np.arange(len(p)), 0
        for reach in (1, k, 8 * k):
            reach = min(reach, len(self.vertices))
            if not len(todo):
                break
            if reach <= tried:
                continue
            nearest = self.tree.query(_unit(p[todo]), k=reach, workers=-1)[1].reshape(len(todo), reach)
            for j in range(tried, reach):
                self._try(p, tri, best, todo, nearest[:, j])
                keep = best[todo] < -INSIDE_TOLERANCE
                todo, nearest = todo[keep], nearest[keep]
                if not len(todo):
                    break
            tried = reach
        return tri

    def _try(
        self, p: np.ndarray, tri: np.ndarray, best: np.ndarray, todo: np.ndarray, vertex: np.ndarray
    ) -> None:
        """Give points ``todo`` the triangle around ``vertex`` (one per point) they are least outside, if better."""
        cand = self.incident[vertex]  # (U, D)
        w = self._weights(np.maximum(cand, 0), p[todo, None, :])
        smallest = np.minimum(np.minimum(w[..., 0], w[..., 1]), w[..., 2])  # NaN for degenerate triangles
        score = np.where(cand >= 0, np.nan_to_num(smallest, nan=-np.inf), -np.inf)
        pick = score.argmax(axis=1)
        top = score[np.arange(len(todo)), pick]
        better = top > best[todo]
        tri[todo[better]] = cand[better, pick[better]]
        best[todo[better]] = top[better]


def barycentric_weights(
    vertices: torch.Tensor, faces: torch.Tensor, tri: torch.Tensor, points: torch.Tensor
) -> torch.Tensor:
    """Barycentric weights of points in given triangles, differentiable in ``vertices`` and ``points``.

    The weights are the signed volumes ``p . (b x c)``, ... written as
    ``((b - p) x (c - p)) . p`` (equal in exact arithmetic) so that a point that is a mesh
    vertex gets exactly one weight 1 and two weights 0: resampling at shared vertices is exact.

    Args:
        vertices: (V, 3) mesh vertices on a sphere about the origin (any radius).
        faces: (F, 3) int64 triangles.
        tri: (Q,) int64 triangle of each point (from :class:`TriangleLocator`).
        points: (Q, 3) query points (any non-zero length).

    Returns:
        (Q, 3) weights of the triangle's three vertices, >= 0 and summing to 1: exact for a
        point inside; a point outside its triangle (the locator's fallback) is clamped onto it.
    """
    a, b, c = (corner - points for corner in vertices[faces[tri]].unbind(dim=1))
    w = torch.stack([_triple(b, c, points), _triple(c, a, points), _triple(a, b, points)], dim=-1)
    # Dividing by the sum makes the weights positive for either triangle orientation.
    w = (w / _sum3(w)).clamp(min=0)
    return w / _sum3(w)


def _triple(u: torch.Tensor, v: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """(...,) ``(u x v) . p`` of (..., 3) vectors, written out: torch reduces a length-3 axis slowly."""
    u0, u1, u2 = u.unbind(-1)
    v0, v1, v2 = v.unbind(-1)
    p0, p1, p2 = p.unbind(-1)
    return p0 * (u1 * v2 - u2 * v1) + p1 * (u2 * v0 - u0 * v2) + p2 * (u0 * v1 - u1 * v0)


def _sum3(w: torch.Tensor) -> torch.Tensor:
    """(..., 1) sum of a (..., 3) tensor's last axis (as :func:`_triple`, faster than ``sum(-1)``)."""
    return (w[..., 0] + w[..., 1] + w[..., 2]).unsqueeze(-1)


def locate(
    vertices: ArrayLike | torch.Tensor,
    faces: ArrayLike | torch.Tensor,
    points: ArrayLike | torch.Tensor,
    k: int = 8,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Where each point falls in a spherical mesh: ``(tri_index (Q,) int64, weights (Q, 3))``.

    Reuse the pair for every map to carry over (:func:`resample`). Tensors given as
    ``vertices`` / ``points`` keep their autograd graph through the weights; arrays become
    float64 tensors.

    Args:
        vertices: (V, 3) mesh vertices on a sphere about the origin (any radius).
        faces: (F, 3) integer triangles.
        points: (Q, 3) query points on the sphere (any radius).
        k: points not in their nearest vertex's triangles try the ``k`` nearest vertices',
            then the ``8 k`` nearest, before the least-outside fallback.
    """
    tri = torch.from_numpy(TriangleLocator(vertices, faces)(points, k=k))
    v, p = (
        x if isinstance(x, torch.Tensor) else torch.from_numpy(_numpy(x, np.float64))
        for x in (vertices, points)
    )
    f = torch.as_tensor(_numpy(faces, np.int64), device=v.device)
    return tri.to(v.device), barycentric_weights(v, f, tri.to(v.device), p.to(v.device, v.dtype))


def resample(
    data: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor, tri: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Per-vertex data of a mesh interpolated at located points.

    Args:
        data: (V, *) values on the mesh's vertices.
        faces: (F, 3) the mesh's triangles.
        tri: (Q,) the triangle of each point, from :func:`locate`.
        weights: (Q, 3) the points' barycentric weights in those triangles, from :func:`locate`.

    Returns:
        (Q, *) ``sum_i weights[:, i] * data[faces[tri, i]]``, in the wider of the two dtypes.
    """
    values = (data if isinstance(data, torch.Tensor) else torch.from_numpy(_numpy(data, np.float64))).to(
        weights.device
    )
    corners = torch.as_tensor(_numpy(faces, np.int64), device=weights.device)[tri]  # (Q, 3)
    dtype = torch.promote_types(values.dtype, weights.dtype)
    gathered = values[corners].to(dtype)  # (Q, 3, *)
    w = weights.to(dtype).reshape(*weights.shape, *([1] * (gathered.dim() - 2)))
    return w[:, 0] * gathered[:, 0] + w[:, 1] * gathered[:, 1] + w[:, 2] * gathered[:, 2]


def carry_labels(
    labels: ArrayLike | torch.Tensor,
    faces: ArrayLike | torch.Tensor,
    tri: torch.Tensor,
    weights: torch.Tensor,
) -> np.ndarray:
    """(Q,) int64 label of each located point: that of the vertex of its triangle with the largest weight.

    The categorical counterpart of :func:`resample` (labels are not averaged).

    Args:
        labels: (V,) integer labels on the mesh's vertices.
        faces: (F, 3) the mesh's triangles.
        tri: (Q,) the triangle of each point, from :func:`locate`.
        weights: (Q, 3) the points' barycentric weights in those triangles, from the same call.
    """
    corners = _numpy(faces, np.int64)[tri.cpu().numpy()]
    heaviest = weights.detach().argmax(dim=1).cpu().numpy()
    return _numpy(labels, np.int64)[corners[np.arange(len(corners)), heaviest]]


@dataclass(frozen=True)
class Landing:
    """Where one point of the sphere falls on a spherical mesh (:func:`landing`).

    Attributes:
        tri: the triangle holding it.
        weights: (3,) its barycentric weights in that triangle.
        nearest: the triangle's vertex with the largest weight.
    """

    tri: int
    weights: np.ndarray
    nearest: int

    def on(self, surface: np.ndarray, faces: np.ndarray) -> np.ndarray:
        """(3,) the same barycentric point on another surface of the mesh (inflated, pial, ...).

        Args:
            surface: (V, 3) vertex positions sharing the mesh's triangles.
            faces: (F, 3) the mesh's triangles.
        """
        return self.weights @ surface[faces[self.tri]]


def landing(vertices: np.ndarray, faces: np.ndarray, point: ArrayLike) -> Landing:
    """Where a point of the sphere (a moving vertex's registered position) falls on a spherical mesh.

    Args:
        vertices: (V, 3) the mesh on a sphere about the origin (any radius).
        faces: (F, 3) its triangles.
        point: (3,) the point (any radius).
    """
    tri, weights = locate(vertices, faces, np.asarray(point, dtype=np.float64).reshape(1, 3))
    t, w = int(tri[0]), weights[0].numpy()
    return Landing(t, w, int(faces[t][int(np.argmax(w))]))

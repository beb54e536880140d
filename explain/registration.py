"""How good is a cortical surface registration: sulcal agreement, folds, distortion, agreement with another.

A registration is given as the moving subject's *registered sphere*: (V, 3) positions of its
native sphere's vertices after the warp, with the native triangles. Everything is measured
against the fixed surface (fsaverage5 unless told otherwise) and the native sphere:

- sulc correlation: each fixed vertex is located in the registered sphere's triangles and
  the subject's sulc interpolated there (barycentric); Pearson's r with the fixed sulc.
- flipped triangles: orientation (sign of ``(a x b) . c``) differs from the native sphere's.
- areal / edge distortion: mean ``|log2(registered / native)|`` of triangle areas and edge
  lengths, both spheres scaled to unit radius first (a uniform scale is no distortion).
- geodesic distance to another registration of the same subject (FreeSurfer's
  ``lh.sphere.reg``): the mean angle between each vertex's two positions, in degrees and in
  mm on a radius-100 sphere (FreeSurfer's).
- Dice of the subject's parcellation carried to the fixed vertices through two
  registrations (each fixed vertex takes the label of the heaviest vertex of its triangle).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike

from nodescope.core.geometry.resample import carry_labels, locate, resample
from nodescope.core.geometry.triangles import face_edges, signed_volumes
from nodescope.core.registration.atlas import fixed_sulc as atlas_map

#: FreeSurfer's spheres have radius 100 mm; geodesic distances in mm are on that sphere.
FREESURFER_RADIUS_MM = 100.0


def _array(x: ArrayLike | torch.Tensor, dtype: type = np.float64) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)


def _unit(x: ArrayLike | torch.Tensor) -> np.ndarray:
    v = _array(x)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def flipped_triangles(
    registered: ArrayLike | torch.Tensor, native: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor
) -> np.ndarray:
    """(F,) bool: triangles whose orientation on the registered sphere differs from the native one."""
    return np.sign(signed_volumes(registered, faces)) != np.sign(signed_volumes(native, faces))


def _areas(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


def log2_area_ratio(
    registered: ArrayLike | torch.Tensor, native: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor
) -> np.ndarray:
    """(F,) ``log2(area registered / area native)`` of each flat triangle, both spheres at unit radius."""
    f = _array(faces, np.int64)
    return np.log2(_areas(_unit(registered), f) / _areas(_unit(native), f))


def log2_edge_ratio(
    registered: ArrayLike | torch.Tensor, native: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor
) -> np.ndarray:
    """(E,) ``log2(length registered / length native)`` of each undirected mesh edge, both at unit radius.

    Edges are ordered as :func:`core.geometry.triangles.face_edges` lists them.
    """
    e = face_edges(_array(faces, np.int64))
    reg, nat = _unit(registered), _unit(native)
    return np.log2(
        np.linalg.norm(reg[e[0]] - reg[e[1]], axis=1) / np.linalg.norm(nat[e[0]] - nat[e[1]], axis=1)
    )


def per_vertex_mean(per_face: ArrayLike, faces: ArrayLike | torch.Tensor, n_vertices: int) -> np.ndarray:
    """(V,) float64 mean of a per-triangle value over each vertex's incident triangles (0 for none).

    Args:
        per_face: (F,) one value per triangle.
        faces: (F, 3) the triangles.
        n_vertices: V.
    """
    f = _array(faces, np.int64).ravel()
    total = np.bincount(f, weights=np.repeat(_array(per_face), 3), minlength=n_vertices)
    count = np.bincount(f, minlength=n_vertices)
    return np.divide(total, count, out=np.zeros(n_vertices), where=count > 0)


def vertex_areal_distortion(
    registered: ArrayLike | torch.Tensor, native: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor
) -> np.ndarray:
    """(V,) local areal distortion: mean ``|log2(area registered / area native)|`` of the incident triangles.

    Args:
        registered: (V, 3) registered sphere (any radius).
        native: (V, 3) native sphere.
        faces: (F, 3) the native triangles.

    Returns:
        (V,) float64, 0 where the registration keeps every triangle's area (unit radius both).
    """
    per_face = np.abs(log2_area_ratio(registered, native, faces))
    return per_vertex_mean(per_face, faces, len(registered))


def vertex_folds(
    registered: ArrayLike | torch.Tensor, native: ArrayLike | torch.Tensor, faces: ArrayLike | torch.Tensor
) -> np.ndarray:
    """(V,) float64 number of each vertex's incident triangles that the registration flipped.

    Args:
        registered: (V, 3) registered sphere (any radius).
        native: (V, 3) native sphere.
        faces: (F, 3) the native triangles.
    """
    flipped = flipped_triangles(registered, native, faces).astype(np.float64)
    f = _array(faces, np.int64).ravel()
    return np.bincount(f, weights=np.repeat(flipped, 3), minlength=len(registered))


def angular_distance_deg(a: ArrayLike | torch.Tensor, b: ArrayLike | torch.Tensor) -> np.ndarray:
    """(V,) great-circle angle in degrees between matching rows of two (V, 3) point sets (any radii)."""
    u, v = _unit(a), _unit(b)
    # atan2 of |u x v| and u . v stays accurate for tiny and near-antipodal angles, unlike arccos.
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(u, v), axis=1), np.einsum("ij,ij->i", u, v)))


def dice_scores(a: ArrayLike, b: ArrayLike, ignore: int = -1) -> dict[int, float]:
    """Dice ``2 |A n B| / (|A| + |B|)`` of each label found in either of two (N,) label maps.

    Args:
        a: (N,) integer labels of N points.
        b: (N,) integer labels of the same points, from elsewhere.
        ignore: the "no label" value, left out.

    Returns:
        ``{label: dice}`` in label order.
    """
    a, b = _array(a, np.int64), _array(b, np.int64)
    n = int(max(a.max(), b.max())) + 1
    both = np.bincount(a[(a == b) & (a != ignore)], minlength=n)
    size = np.bincount(a[a != ignore], minlength=n) + np.bincount(b[b != ignore], minlength=n)
    return {int(k): float(2 * both[k] / size[k]) for k in np.flatnonzero(size)}


@dataclass(frozen=True)
class RegistrationMetrics:
    """Summary of one registration (see the module docstring); None where its input was not given."""

    correlation: float
    flipped: int
    areal_distortion: float
    edge_distortion: float
    geodesic_mm: float | None = None
    geodesic_deg: float | None = None
    dice: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        """The metrics by field name (None where not computed)."""
        return asdict(self)


def registration_metrics(
    registered: ArrayLike | torch.Tensor,
    native: ArrayLike | torch.Tensor,
    faces: ArrayLike | torch.Tensor,
    sulc: ArrayLike | torch.Tensor,
    *,
    reference: ArrayLike | torch.Tensor | None = None,
    labels: ArrayLike | torch.Tensor | None = None,
    fixed_vertices: ArrayLike | torch.Tensor | None = None,
    fixed_sulc: ArrayLike | torch.Tensor | None = None,
    hemi: str = "left",
    fixed: str = "fsaverage5",
) -> RegistrationMetrics:
    """Every measure of a registration of a native sphere onto a fixed sphere.

    Args:
        registered: (V, 3) the moving subject's registered sphere (any radius).
        native: (V, 3) its native sphere.
        faces: (F, 3) the native triangles.
        sulc: (V,) the subject's sulcal depth.
        reference: (V, 3) another registration of the subject (FreeSurfer's ``lh.sphere.reg``)
            for the geodesic distance and, with ``labels``, the Dice.
        labels: (V,) the subject's parcellation (-1: none) for the Dice against ``reference``.
        fixed_vertices: (Q, 3) the fixed sphere's vertices; by default ``fixed``'s.
        fixed_sulc: (Q,) the fixed sulc; by default ``fixed``'s of ``hemi``.
        hemi: ``"left"``/``"lh"`` or ``"right"``/``"rh"``, for the default fixed sulc.
        fixed: the default fixed surface (:mod:`core.registration.atlas`): ``"fsaverage5"``, or
            ``"fsaverage6"`` (SUGAR's 904-subject mean sulc, lh only).

    Returns:
        The :class:`RegistrationMetrics`: ``dice`` is the mean over labels.
    """
    if fixed_vertices is None or fixed_sulc is None:
        atlas_vertices, atlas_sulc = atlas_map(fixed, {"left": "lh", "right": "rh"}.get(hemi, hemi))
        fixed_vertices = atlas_vertices if fixed_vertices is None else fixed_vertices
        fixed_sulc = atlas_sulc if fixed_sulc is None else fixed_sulc
    tri, weights = locate(registered, faces, fixed_vertices)
    warped_sulc = resample(_array(sulc), faces, tri, weights).numpy()
    distortion = {
        "correlation": float(np.corrcoef(warped_sulc, _array(fixed_sulc))[0, 1]),
        "flipped": int(flipped_triangles(registered, native, faces).sum()),
        "areal_distortion": float(np.abs(log2_area_ratio(registered, native, faces)).mean()),
        "edge_distortion": float(np.abs(log2_edge_ratio(registered, native, faces)).mean()),
    }
    if reference is None:
        return RegistrationMetrics(**distortion)
    angle = angular_distance_deg(registered, reference)
    dice = None
    if labels is not None:
        ours = carry_labels(labels, faces, tri, weights)
        theirs = carry_labels(labels, faces, *locate(reference, faces, fixed_vertices))
        dice = float(np.mean(list(dice_scores(ours, theirs).values())))
    return RegistrationMetrics(
        **distortion,
        geodesic_mm=float(np.radians(angle).mean() * FREESURFER_RADIUS_MM),
        geodesic_deg=float(angle.mean()),
        dice=dice,
    )

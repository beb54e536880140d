"""Synthetic subjects with a known registration: fsaverage5 warped by a smooth fold-free deformation.

The moving subject is fsaverage5 itself (same triangles, same sulc up to amplitude and noise)
with every vertex moved by a random smooth deformation and a random rotation, so moving
vertex ``i`` belongs at fsaverage5 vertex ``i``: the true registered sphere is fsaverage5's.
Used to train the SUGAR model, to test the pipeline, and as the app's default moving subject.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from nodescope.core.geometry.fsaverage import fsaverage5_map, icosphere_level
from nodescope.core.geometry.triangles import signed_volumes
from nodescope.core.registration.io import NILEARN_HEMI
from nodescope.core.registration.warp import rotate, upsample

#: FreeSurfer's spheres have radius 100 mm.
RADIUS_MM = 100.0
#: Levels of the random angle fields summed into a deformation, with their relative weights.
FIELD_LEVELS = ((0, 1.0), (1, 0.5), (2, 0.25))


def random_warp(
    rng: np.random.Generator, magnitude_deg: float, level: int = 5, tries: int = 50
) -> tuple[torch.Tensor, torch.Tensor]:
    """A random smooth deformation of icosphere ``level`` with mean displacement ``magnitude_deg``.

    Fields of Euler angles drawn on coarse levels (:data:`FIELD_LEVELS`) are unpooled to
    ``level`` and scaled to the wanted mean geodesic displacement; draws that fold a
    triangle are rejected, and after ``tries`` the last draw is shrunk until none folds.

    Returns:
        ``(angles (V, 3) float64 radians, moved (V, 3) float64 unit vectors)``.
    """
    ico = icosphere_level(level)
    rest = ico.vertices.double()
    for _ in range(tries):
        field = sum(
            w
            * upsample(
                torch.from_numpy(rng.standard_normal((len(icosphere_level(lv).vertices), 3))), lv, level
            )
            for lv, w in FIELD_LEVELS
        )
        for _ in range(3):  # the displacement is nearly linear in the field at these angles
            moved = rotate(rest, field)
            mean = torch.rad2deg(torch.arccos((moved * rest).sum(1).clamp(-1, 1))).mean()
            field = field * (magnitude_deg / float(mean.clamp(min=1e-9)))
        moved = rotate(rest, field)
        if (signed_volumes(moved, ico.faces) > 0).all():
            return field, moved
    while not (signed_volumes(moved, ico.faces) > 0).all():
        field = 0.8 * field
        moved = rotate(rest, field)
    return field, moved


def random_rotation(rng: np.random.Generator, angle_deg: float) -> np.ndarray:
    """(3, 3) rotation by ``angle_deg`` about a uniformly random axis."""
    axis = rng.standard_normal(3)
    return Rotation.from_rotvec(np.radians(angle_deg) * axis / np.linalg.norm(axis)).as_matrix()


def synthetic_subject(
    seed: int, magnitude_deg: float = 10.0, rotation_deg: float = 20.0, *, level: int = 5, hemi: str = "lh"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A synthetic moving subject with its true registration.

    fsaverage5's sulc of ``hemi`` (a coarser level's first vertices below 5) gets a random amplitude
    (x0.8-1.2), a smooth offset and vertex noise; the sphere is warped by :func:`random_warp`
    and rotated by ``rotation_deg`` about a random axis.

    Args:
        seed: random seed (the same seed gives the same subject).
        magnitude_deg: mean geodesic displacement of the non-rigid part, degrees.
        rotation_deg: angle of the rigid part, degrees.
        level: icosphere level of the mesh (5: fsaverage5, 10,242 vertices).
        hemi: ``"lh"`` or ``"rh"``: whose atlas sulc the subject has.

    Returns:
        ``(vertices (V, 3) mm on a radius-100 sphere, faces (F, 3), sulc (V,), true registered
        positions (V, 3) mm)``, all numpy (float64 / int64).
    """
    rng = np.random.default_rng(seed)
    ico = icosphere_level(level)
    _, moved = random_warp(rng, magnitude_deg, level)
    vertices = RADIUS_MM * moved.numpy() @ random_rotation(rng, rotation_deg).T
    sulc = fsaverage5_map("sulc", NILEARN_HEMI[hemi])[: len(ico.vertices)]
    offset = upsample(torch.from_numpy(rng.standard_normal((12, 1))), 0, level)[:, 0].numpy()
    sulc = sulc * rng.uniform(0.8, 1.2) + 0.1 * sulc.std() * (offset + rng.standard_normal(len(sulc)))
    truth = RADIUS_MM * ico.vertices.double().numpy()
    return vertices, ico.faces.numpy().copy(), sulc, truth

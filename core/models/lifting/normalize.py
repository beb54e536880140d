"""What every lifting model does to its input and output: a perspective-correct, size-free frame.

Input: 2D keypoints in pixels with the camera's focal length ``f`` and image size; the principal
point is the image centre ``(cx, cy)`` (as everywhere in :mod:`core.skeleton.camera`). The
steps, all differentiable torch operations:

1. **Rays.** Each keypoint becomes its viewing ray ``r = ((u - cx) / f, (v - cy) / f, 1)`` in the
   camera frame (OpenCV axes). This removes the intrinsics: the same 3D pose seen through any
   focal length and image size gives the same rays.
2. **Canonical rotation** :math:`C`, a virtual camera turned to look straight at the pelvis
   (a "perspective crop"): its z axis is the pelvis' ray, its x axis is perpendicular to the
   camera's y axis (so "down" stays down), ``y = z × x``. The rays are turned by ``C`` and
   projected again, ``p = (c_x / c_z, c_y / c_z)``; the pelvis lands at ``(0, 0)``. A person seen
   at the edge of the image is then seen as if in its centre, with the obliquity removed rather
   than averaged over.
3. **Scale.** ``p`` is divided by its root-mean-square distance to the pelvis, so the input says
   nothing about how far or how large the person is (neither is knowable from one view).

The model predicts root-relative 3D joints in metres in the canonical frame (pelvis at the
origin); :func:`to_camera` turns them back with ``C^T``. The size it predicts is the size of
the people it was trained on.

Exact consequences (tested in ``tests/core/test_lifting_models.py``): the prediction does not
depend on the focal length or image size for the same rays; and turning the camera about its own
y axis by ``P`` (a pan: the person moves horizontally across the image) turns the prediction by
exactly ``P``, because ``C(P r) = C(r) P^T``. Tilting the camera is only approximately
equivariant (the canonical x axis is tied to the camera's y axis).
"""

from __future__ import annotations

import torch
from torch import Tensor

from nodescope.core.skeleton.joints import ROOT

#: Smallest canonical depth of a ray (a keypoint 90° or more from the pelvis' ray is clamped).
_MIN_DEPTH = 1e-3


def rays(keypoints: Tensor, focal: Tensor, image_size: Tensor) -> Tensor:
    """(B, J, 3) viewing rays ``((u - cx) / f, (v - cy) / f, 1)`` of pixel keypoints.

    Args:
        keypoints: (B, J, 2) pixels.
        focal: (B,) focal lengths, pixels.
        image_size: (B, 2) (width, height), pixels; the principal point is its centre.
    """
    xy = (keypoints - image_size[:, None, :].to(keypoints) / 2) / focal[:, None, None].to(keypoints)
    return torch.cat([xy, torch.ones_like(xy[..., :1])], dim=-1)


def canonical_rotation(ray: Tensor) -> Tensor:
    """(B, 3, 3) rotation ``C`` (rows x, y, z) of a virtual camera looking along ``ray`` (B, 3).

    ``z = ray / |ray|``, ``x = normalize(e_y × z)`` with ``e_y = (0, 1, 0)`` the camera's y axis,
    ``y = z × x``; a ray on the optical axis gives the identity.
    """
    z = ray / ray.norm(dim=-1, keepdim=True)
    e_y = torch.zeros_like(z)
    e_y[:, 1] = 1.0
    x = torch.linalg.cross(e_y, z, dim=-1)
    x = x / x.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    y = torch.linalg.cross(z, x, dim=-1)
    return torch.stack([x, y, z], dim=1)


def normalize_keypoints(keypoints: Tensor, focal: Tensor, image_size: Tensor) -> tuple[Tensor, Tensor]:
    """The models' input: canonical, pelvis-centred, unit-RMS 2D keypoints, and the rotation ``C``.

    Args:
        keypoints: (B, 17, 2) pixels.
        focal: (B,) pixels.
        image_size: (B, 2) (width, height), pixels.

    Returns:
        ``x`` (B, 17, 2) dimensionless (pelvis at 0, root-mean-square distance to it 1) and
        ``C`` (B, 3, 3), for :func:`to_camera`.
    """
    r = rays(keypoints, focal, image_size)
    rotation = canonical_rotation(r[:, ROOT])
    c = r @ rotation.transpose(1, 2)  # row-vector form of C r
    p = c[..., :2] / c[..., 2:].clamp_min(_MIN_DEPTH)
    p = p - p[:, ROOT : ROOT + 1]
    scale = p.pow(2).sum(-1).mean(-1).sqrt().clamp_min(1e-6)
    return p / scale[:, None, None], rotation


def to_camera(joints: Tensor, rotation: Tensor) -> Tensor:
    """(B, 17, 3) canonical-frame joints turned back into the camera frame (``C^T`` applied)."""
    return joints @ rotation

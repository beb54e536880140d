"""A panorama's predictions at its own resolution: metric scale from the camera height, vertices back to pixels.

The network predicts on its V icosphere vertices (:func:`~core.models.panorama.single.predict_image`).
:func:`panorama_maps` is the whole path an image takes (``nodescope panorama`` and the
Panoramas page): resample the image onto the sphere, run every head, fix the metric scale,
then carry each field back to the image grid.

**Metric scale.** A single image does not fix the scale of a room (a doll's house looks the
same), so depths are scaled to an assumed camera height: the predicted floor (amodal layout
``floor``, vertices below the horizon) lies at a height ``h_i = layout_depth_i * -z_i`` below
the camera per vertex; the median of these is the network's own camera height, and every
depth is multiplied by ``camera_height / median`` so that the floor lies ``camera_height``
metres below the camera. Without a predicted floor the network's own metres are kept.

**Back to pixels.** Fields are interpolated barycentrically in the icosphere's triangles onto
an equirectangular grid of :func:`grid_height` rows (about three samples per triangle side),
then bilinearly (wrapping in longitude) onto the image's pixel centers. Depths and normals are
interpolated as values (normals renormalized), classes as probabilities, then the argmax.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.resample import locate
from nodescope.core.geometry.sphere import latlon_to_pixel, latlon_to_xyz, pixel_to_latlon
from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M, PanoramaPrediction, predict_image
from nodescope.core.models.panorama.unet import SphericalUNet


@dataclass(frozen=True)
class PanoramaMaps:
    """Predictions of one panorama on its own H x W pixel grid (directions as :mod:`core.geometry.sphere`).

    Attributes:
        depth: (H, W) float32 Euclidean depth in metres along each pixel's ray.
        layout_depth: (H, W) float32 metres to the room's surfaces with the furniture removed.
        classes: (H, W) uint8 visible class ids (:data:`core.panorama.classes.CLASS_NAMES`).
        layout: (H, W) uint8 amodal layout ids: 0 floor, 1 wall, 2 ceiling.
        normal: (H, W, 3) float32 unit surface normals in the camera frame (z up, +X the image center).
        vertices: the prediction on the network's vertices it came from (depths scaled alike;
            its ``scale`` and ``camera_height_m`` say how).
    """

    depth: np.ndarray
    layout_depth: np.ndarray
    classes: np.ndarray
    layout: np.ndarray
    normal: np.ndarray
    vertices: PanoramaPrediction

    def points(self) -> np.ndarray:
        """(H, W, 3) float32 camera-frame positions (metres) of every pixel's surface point."""
        h, w = self.depth.shape
        lat, lon = pixel_to_latlon(np.arange(w)[None, :], np.arange(h)[:, None], w, h)
        return (latlon_to_xyz(lat, lon).reshape(h, w, 3) * self.depth[..., None]).astype(np.float32)


def grid_height(level: int, height: int) -> int:
    """Rows of the intermediate grid for icosphere ``level``: ``8 * 2**level`` (about three per triangle side), at most ``height``."""
    return min(int(height), 8 * 2**level)


@lru_cache(maxsize=8)
def _grid_weights(level: int, rows: int, cols: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Triangle corners (Q, 3) and barycentric weights (Q, 3) of a rows x cols equirectangular grid's pixel centers."""
    ico = icosphere_level(level)
    lat, lon = pixel_to_latlon(np.arange(cols)[None, :], np.arange(rows)[:, None], cols, rows)
    tri, weights = locate(ico.vertices.double(), ico.faces, latlon_to_xyz(lat, lon))
    return ico.faces[tri], weights.float()


def vertices_to_grid(values: torch.Tensor, level: int, height: int, width: int) -> torch.Tensor:
    """Per-vertex values on an ``height`` x ``width`` equirectangular grid (see the module docstring).

    Args:
        values: (V, C) float values at the vertices of fsaverage icosphere ``level``.
        level: the icosphere level (V = ``10 * 4**level + 2``).
        height: rows H of the output.
        width: columns W of the output (normally 2 H).

    Returns:
        (C, H, W) float32 values at the pixel centers.
    """
    rows = grid_height(level, height)
    cols = 2 * rows
    corners, weights = _grid_weights(level, rows, cols)
    v = values.float()
    low = (weights[..., None] * v[corners]).sum(1)  # (rows * cols, C)
    low = low.T.reshape(1, -1, rows, cols)
    if (rows, cols) == (height, width):
        return low[0]
    low = torch.cat([low[..., -1:], low, low[..., :1]], dim=-1)  # wrap one column each side
    _, lon = pixel_to_latlon(np.arange(width), 0, width, height)
    lat, _ = pixel_to_latlon(0, np.arange(height), width, height)
    u, _ = latlon_to_pixel(0.0, lon, cols, rows)  # (W,) columns of the grid, pixel-center units
    _, r = latlon_to_pixel(lat, 0.0, cols, rows)  # (H,) rows
    # align_corners=True: -1 and 1 are the centers of the first and last (padded) columns/rows.
    gx = torch.from_numpy((u + 1.0) / (cols + 1) * 2 - 1).float()
    gy = torch.from_numpy(np.clip(r, 0, rows - 1) / max(rows - 1, 1) * 2 - 1).float()
    grid = torch.stack(torch.broadcast_tensors(gx[None, :], gy[:, None]), dim=-1)[None]  # (1, H, W, 2)
    return F.grid_sample(low, grid, mode="bilinear", padding_mode="border", align_corners=True)[0]


def panorama_maps(
    model: SphericalUNet, image: np.ndarray, camera_height: float | None = DEFAULT_CAMERA_HEIGHT_M
) -> PanoramaMaps:
    """Every prediction of the network for one image, at the image's resolution and metric scale.

    Args:
        model: the spherical U-Net.
        image: (H, W, 3) uint8 equirectangular image (W = 2 H, +-1).
        camera_height: metres from the camera down to the floor, which fixes the scale; None
            keeps the network's own metres.

    Returns:
        The :class:`PanoramaMaps` (H x W, the image's own size).
    """
    vertex = predict_image(model, image, camera_height)
    h, w = np.shape(image)[:2]
    p = vertex.pred
    columns = [
        torch.as_tensor(np.asarray(p["depth"]))[:, None],
        torch.as_tensor(np.asarray(p["layout_depth"]))[:, None],
        torch.as_tensor(np.asarray(p["normal"])),
        torch.as_tensor(np.asarray(p["class_prob"])),
        torch.as_tensor(np.asarray(p["layout_prob"])),
    ]
    grid = vertices_to_grid(torch.cat([c.float() for c in columns], dim=1), model.config.level, h, w)
    nc = np.shape(p["class_prob"])[1]
    nx, ny, nz = grid[2], grid[3], grid[4]
    length = (nx * nx + ny * ny + nz * nz).sqrt_().clamp_min_(1e-8)
    return PanoramaMaps(
        depth=grid[0].numpy(),
        layout_depth=grid[1].numpy(),
        classes=_argmax(grid[5 : 5 + nc]),
        layout=_argmax(grid[5 + nc :]),
        normal=(grid[2:5] / length).permute(1, 2, 0).contiguous().numpy(),
        vertices=vertex,
    )


def _argmax(scores: torch.Tensor) -> np.ndarray:
    """(H, W) uint8 index of the largest of (C, H, W) scores (first on ties): C passes, faster than ``argmax(0)``."""
    best, index = scores[0].clone(), torch.zeros(scores.shape[1:], dtype=torch.uint8)
    for c in range(1, len(scores)):
        better = scores[c] > best
        index[better] = c
        torch.maximum(best, scores[c], out=best)
    return index.numpy()

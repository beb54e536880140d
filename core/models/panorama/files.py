"""The files ``nodescope panorama`` writes for one image: its maps as NPY/PNG, class names, a point cloud.

Per image, at the image's resolution H x W (directions as :mod:`core.geometry.sphere`):

=====================  =========================================================================
``depth.npy``          (H, W) float32 Euclidean depth in metres along each pixel's ray
``depth.png``          the same as 16-bit millimetres (0..65535, so up to 65.5 m)
``class.png``          (H, W) 8-bit visible class ids, named in ``classes.json``
``classes.json``       ``{"class": {"0": "floor", ...}, "layout": {"0": "floor", ...}}`` and the scale
``layout.png``         (H, W) 8-bit amodal layout ids: 0 floor, 1 wall, 2 ceiling
``layout_depth.npy``   (H, W) float32 metres to the room's surfaces with the furniture removed
``normals.npy``        (H, W, 3) float32 unit normals in the camera frame (z up, +X the image center)
``points.ply``         binary little-endian PLY: one vertex per pixel, float x y z (metres) and
                       uchar red green blue (the image's color)
=====================  =========================================================================
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from nodescope.core.models.panorama.image_maps import PanoramaMaps
from nodescope.core.panorama.classes import CLASS_NAMES, LAYOUT_NAMES

#: The files :func:`write_maps` writes, in order.
FILE_NAMES = (
    "depth.npy",
    "depth.png",
    "class.png",
    "classes.json",
    "layout.png",
    "layout_depth.npy",
    "normals.npy",
    "points.ply",
)


def ply_bytes(points: np.ndarray, colors: np.ndarray) -> bytes:
    """A binary little-endian PLY point cloud.

    Args:
        points: (N, 3) positions (written as float32).
        colors: (N, 3) uint8 RGB.

    Returns:
        The file's bytes: a header naming ``x y z`` (float) and ``red green blue`` (uchar), then N records.
    """
    n = len(points)
    record = np.dtype(
        [("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("red", "u1"), ("green", "u1"), ("blue", "u1")]
    )
    body = np.empty(n, dtype=record)
    for i, axis in enumerate("xyz"):
        body[axis] = points[:, i]
    for i, channel in enumerate(("red", "green", "blue")):
        body[channel] = colors[:, i]
    header = (
        "ply\nformat binary_little_endian 1.0\ncomment nodescope panorama: camera at the origin, z up, metres\n"
        f"element vertex {n}\nproperty float x\nproperty float y\nproperty float z\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    )
    return header.encode("ascii") + body.tobytes()


def depth_png_mm(depth: np.ndarray) -> np.ndarray:
    """(H, W) uint16 millimetres from (H, W) metres, rounded and clipped to 0..65535."""
    return np.clip(np.rint(np.asarray(depth, np.float64) * 1000.0), 0, 65535).astype(np.uint16)


def write_maps(folder: Path, maps: PanoramaMaps, image: np.ndarray) -> list[Path]:
    """Write :data:`FILE_NAMES` for one image's :class:`PanoramaMaps` into ``folder`` (created).

    Args:
        folder: where the files go.
        maps: the predictions at the image's resolution.
        image: (H, W, 3) uint8, the image they came from (the point cloud's colors).

    Returns:
        The paths written, in :data:`FILE_NAMES` order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in FILE_NAMES]
    out = dict(zip(FILE_NAMES, paths, strict=True))
    np.save(out["depth.npy"], maps.depth.astype(np.float32))
    Image.fromarray(depth_png_mm(maps.depth)).save(out["depth.png"])
    Image.fromarray(maps.classes.astype(np.uint8)).save(out["class.png"])
    v = maps.vertices
    names = {
        "class": {str(i): name for i, name in enumerate(CLASS_NAMES)},
        "layout": {str(i): name for i, name in enumerate(LAYOUT_NAMES)},
        "camera_height_m": v.camera_height_m,
        "scale": v.scale,
    }
    out["classes.json"].write_text(json.dumps(names, indent=2) + "\n")
    Image.fromarray(maps.layout.astype(np.uint8)).save(out["layout.png"])
    np.save(out["layout_depth.npy"], maps.layout_depth.astype(np.float32))
    np.save(out["normals.npy"], maps.normal.astype(np.float32))
    points = maps.points().reshape(-1, 3)
    out["points.ply"].write_bytes(ply_bytes(points, np.asarray(image, np.uint8).reshape(-1, 3)))
    return paths

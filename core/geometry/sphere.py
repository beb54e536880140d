"""The one spherical convention used everywhere in Nodescope.

Directions and angles
---------------------
A direction on the unit sphere is written ``(x, y, z)`` and its spherical coordinates are
``(lat, lon)`` in DEGREES (``data.sph`` holds them as an (N, 2) float32 array)::

    x = cos(lat) cos(lon)      lat in [-90, 90],  +90 is the north pole (+Z)
    y = cos(lat) sin(lon)      lon in (-180, 180], 0 is +X, +90 is +Y
    z = sin(lat)

Equirectangular images
----------------------
An equirectangular panorama of ``W x H`` pixels (W = 2 H) covers the whole sphere. Pixel
``(u, v)`` (column, row, both 0-based) is a square whose center sits at ``(u + 0.5, v + 0.5)``
in image units, so::

    lon = ((u + 0.5) / W - 0.5) * 360      the image center looks along +X; lon grows to the right
    lat = (0.5 - (v + 0.5) / H) * 180      the top row is near +Z, the bottom row near -Z

The left and right image borders are both lon = +-180 (the -X direction), so sampling must
wrap around horizontally; rows do not wrap (the poles are single points).

Relation to py360convert
------------------------
py360convert (and the calibration image ``demo_equirec.png`` it ships, whose cube faces
are painted and labeled in its frame) uses x right, y up, z forward with the image center
on its +Z axis and its +X axis at lon = +90. The same pixel-center rule holds there, so
the two frames differ only by a relabeling of axes, ``ours = (z_py, x_py, y_py)``:

=====================  ==================  ===================
py360convert label     image position      our direction
=====================  ==================  ===================
+Z (front)             center, lon 0       +X
+X (right)             lon +90             +Y
-X (left)              lon -90             -Y
-Z (back)              left/right borders  -X
top (+Y)               top row             +Z
bottom (-Y)            bottom row          -Z
=====================  ==================  ===================

The relabeling is a cyclic permutation (determinant +1): no mirror is involved, so
triangles keep their orientation when moved between the frames.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def latlon_to_xyz(lat_deg: ArrayLike, lon_deg: ArrayLike) -> np.ndarray:
    """Unit direction vectors for latitudes and longitudes.

    Args:
        lat_deg: latitudes in degrees, any shape broadcastable with ``lon_deg``.
        lon_deg: longitudes in degrees.

    Returns:
        (N, 3) float64 unit vectors, N = the number of broadcast elements (flattened).
    """
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    lat, lon = np.broadcast_arrays(lat, lon)
    c = np.cos(lat)
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1).reshape(-1, 3)


def xyz_to_latlon(xyz: ArrayLike) -> np.ndarray:
    """Latitude and longitude of direction vectors.

    Args:
        xyz: (N, 3) or (3,) vectors of any non-zero length; they are normalized first.

    Returns:
        (N, 2) float64 ``(lat, lon)`` in degrees, lat in [-90, 90], lon in (-180, 180]
        (the poles get lon = 0).
    """
    v = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("xyz_to_latlon: zero-length vector has no direction")
    v = v / norm
    # arcsin is ill-conditioned near the poles; arctan2 of the two components is not.
    lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    return np.stack([lat, lon], axis=1)


def pixel_to_latlon(u: ArrayLike, v: ArrayLike, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (degrees) of pixel ``(u, v)`` of an equirectangular image.

    Args:
        u: column index (0..W-1); integer indices give pixel centers, fractions are allowed.
        v: row index (0..H-1).
        width: image width W in pixels.
        height: image height H in pixels.

    Returns:
        ``(lat, lon)`` float64 arrays with the broadcast shape of ``u`` and ``v``.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    lon = ((u + 0.5) / width - 0.5) * 360.0
    lat = (0.5 - (v + 0.5) / height) * 180.0
    return np.broadcast_arrays(lat, lon)


def latlon_to_pixel(lat: ArrayLike, lon: ArrayLike, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Continuous pixel coordinates ``(u, v)`` of a direction; the inverse of :func:`pixel_to_latlon`.

    Integer results are pixel centers (the coordinate convention of
    ``scipy.ndimage.map_coordinates``), so ``round(u), round(v)`` is the nearest pixel.
    Longitudes are wrapped into [-180, 180) first, giving u in [-0.5, W - 0.5); v lies in
    [-0.5, H - 0.5] for lat in [-90, 90].

    Args:
        lat: latitude in degrees, an array broadcastable with ``lon``.
        lon: longitude in degrees.
        width: image width W in pixels.
        height: image height H in pixels.

    Returns:
        ``(u, v)`` float64 arrays with the broadcast shape of ``lat`` and ``lon``.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.mod(np.asarray(lon, dtype=np.float64) + 180.0, 360.0) - 180.0
    u = (lon / 360.0 + 0.5) * width - 0.5
    v = (0.5 - lat / 180.0) * height - 0.5
    return np.broadcast_arrays(u, v)

"""Real spherical harmonics: a smooth, low-rank basis of functions on the sphere.

Degree ``l`` has ``2 l + 1`` functions, so degrees ``0..L`` give ``(L + 1)**2`` of them
(:func:`num_harmonics`). They are orthonormal over the unit sphere (area element
``cos(lat) dlat dlon``) and, in the :mod:`core.geometry.sphere` convention, functions of the
latitude and longitude of a direction: for ``m > 0`` ``sqrt(2) (-1)^m Re Y_l^m``, for ``m < 0``
``sqrt(2) (-1)^m Im Y_l^|m|``, for ``m = 0`` ``Y_l^0`` (scipy's complex ``sph_harm_y``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import sph_harm_y


def num_harmonics(degree: int) -> int:
    """Number of real harmonics of degrees ``0..degree``: ``(degree + 1)**2``."""
    return (int(degree) + 1) ** 2


def real_harmonics(directions: ArrayLike, degree: int) -> np.ndarray:
    """(N, (degree + 1)**2) float64 real spherical harmonics at (N, 3) directions (any length > 0).

    Columns run degree by degree, ``m = -l .. l`` within a degree (column ``l**2 + l + m``).

    Example:
        >>> real_harmonics(np.eye(3), 1).shape
        (3, 4)
    """
    if degree < 0:
        raise ValueError(f"degree must be >= 0, got {degree}")
    v = np.asarray(directions, dtype=np.float64).reshape(-1, 3)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    polar = np.arccos(np.clip(v[:, 2], -1.0, 1.0))
    azimuth = np.arctan2(v[:, 1], v[:, 0])
    out = np.empty((len(v), num_harmonics(degree)))
    for ell in range(degree + 1):
        for m in range(-ell, ell + 1):
            y = sph_harm_y(ell, abs(m), polar, azimuth)
            if m > 0:
                col = np.sqrt(2) * (-1) ** m * y.real
            elif m < 0:
                col = np.sqrt(2) * (-1) ** m * y.imag
            else:
                col = y.real
            out[:, ell * ell + ell + m] = col
    return out

"""Virtual pinhole cameras: place one at random around a person, project, back-project, add noise.

Camera frame: OpenCV axes, x right, y down, z forward (depth), metres. A world point ``X``
is ``R @ (X - center)`` in the camera frame, and a camera point ``(x, y, z)`` lands on the
pixel ``(u, v) = (f x / z + cx, f y / z + cy)`` with the principal point ``(cx, cy)`` at the
image centre ``(width / 2, height / 2)`` and square pixels of focal length ``f``.

World frame: that of the BVH files (Y up, metres, the floor near y = 0).

:func:`random_camera` draws what issue 15 asks for: a horizontal distance of 3-6 m from the
person's pelvis, a height of 0.5-2 m above the floor, any azimuth, a focal length of
800-1500 px, and an aim off the person so that the pelvis lands anywhere in the central 80 %
of the image (limbs then fall partly outside at short distances and long focal lengths). The
aim is the look-at rotation (level, no roll) turned by the smallest rotation that carries the
optical axis onto the pelvis' chosen ray, so the horizon tilts by a few degrees at most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Image sizes (width, height) in pixels that :func:`random_camera` draws from.
IMAGE_SIZES: tuple[tuple[int, int], ...] = (
    (1000, 1000),
    (1280, 720),
    (1920, 1080),
    (1080, 1920),
    (1024, 768),
)
#: Ranges :func:`random_camera` draws from (issue 15): metres, metres, pixels.
DISTANCE_M = (3.0, 6.0)
HEIGHT_M = (0.5, 2.0)
FOCAL_PX = (800.0, 1500.0)
#: The pelvis lands in this central share of the image (each axis).
AIM_SPAN = 0.8
_UP = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class Camera:
    """A pinhole camera (see the module docstring for the axes).

    Attributes:
        rotation: (3, 3) world-to-camera rotation ``R``.
        center: (3,) camera centre in world coordinates, metres.
        focal: focal length in pixels.
        width: image width in pixels.
        height: image height in pixels.
    """

    rotation: np.ndarray
    center: np.ndarray
    focal: float
    width: int
    height: int

    @property
    def principal_point(self) -> np.ndarray:
        """(2,) ``(cx, cy)``, the image centre in pixels."""
        return np.array([self.width / 2.0, self.height / 2.0])

    def to_camera(self, world: np.ndarray) -> np.ndarray:
        """(..., 3) world points (metres) in the camera frame (metres, OpenCV axes)."""
        return (np.asarray(world) - self.center) @ self.rotation.T

    def project(self, world: np.ndarray) -> np.ndarray:
        """(..., 2) pixels of (..., 3) world points (metres); see :func:`project`."""
        return project(self.to_camera(world), self.focal, self.principal_point)


def project(points: np.ndarray, focal: float | np.ndarray, principal: np.ndarray) -> np.ndarray:
    """(..., 2) pixels ``(f x / z + cx, f y / z + cy)`` of (..., 3) camera-frame points.

    Args:
        points: (..., 3) metres in the camera frame; z > 0 in front of the camera.
        focal: focal length in pixels (a scalar, or broadcastable to ``points[..., 0]``).
        principal: (..., 2) principal point ``(cx, cy)`` in pixels.
    """
    points = np.asarray(points, dtype=np.float64)
    f = np.asarray(focal, dtype=np.float64)[..., None]
    return f * points[..., :2] / points[..., 2:3] + np.asarray(principal, dtype=np.float64)


def back_project(
    pixels: np.ndarray, depth: np.ndarray, focal: float | np.ndarray, principal: np.ndarray
) -> np.ndarray:
    """(..., 3) camera-frame points at ``depth`` (metres, along z) seen at ``pixels`` (..., 2).

    The inverse of :func:`project` for a known depth: ``x = (u - cx) z / f``, ``y = (v - cy) z / f``.
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    z = np.asarray(depth, dtype=np.float64)[..., None]
    f = np.asarray(focal, dtype=np.float64)[..., None]
    xy = (pixels - np.asarray(principal, dtype=np.float64)) * z / f
    return np.concatenate([xy, z], axis=-1)


def look_at(center: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(3, 3) world-to-camera rotation of a level camera at ``center`` looking at ``target``.

    The camera's z axis points at the target, its x axis is horizontal (world Y is up) and its y
    axis points down, as OpenCV's.
    """
    z = np.asarray(target, dtype=np.float64) - center
    z = z / np.linalg.norm(z)
    x = np.cross(-_UP, z)
    if np.linalg.norm(x) < 1e-9:  # looking straight up or down: any horizontal x
        x = np.array([1.0, 0.0, 0.0])
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z])


def _turn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(3, 3) the smallest rotation taking unit vector ``a`` onto unit vector ``b`` (Rodrigues)."""
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    k = np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])
    return np.eye(3) + k + k @ k / (1.0 + c)


def random_camera(rng: np.random.Generator, pelvis: np.ndarray, *, extra_distance: float = 0.0) -> Camera:
    """A camera drawn as issue 15 asks (see the module docstring) around a person.

    Args:
        rng: the random generator (the caller's seed makes the camera reproducible).
        pelvis: (3,) the person's pelvis in world coordinates (metres, Y up).
        extra_distance: metres added to the drawn distance (a clip whose pelvis wanders this
            far from ``pelvis`` stays at least 3 m from the camera).

    Returns:
        The camera; the pelvis projects inside the central :data:`AIM_SPAN` of the image.
    """
    pelvis = np.asarray(pelvis, dtype=np.float64)
    distance = rng.uniform(*DISTANCE_M) + extra_distance
    height = rng.uniform(*HEIGHT_M)
    azimuth = rng.uniform(0.0, 2.0 * np.pi)
    focal = rng.uniform(*FOCAL_PX)
    width, height_px = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
    aim = rng.uniform(-AIM_SPAN / 2, AIM_SPAN / 2, size=2) * (width, height_px)
    center = pelvis + distance * np.array([np.sin(azimuth), 0.0, np.cos(azimuth)])
    center[1] = height
    level = look_at(center, pelvis)
    ray = np.array([aim[0] / focal, aim[1] / focal, 1.0])
    ray /= np.linalg.norm(ray)
    # The pelvis is on the level camera's axis (R (p - c) ∥ e_z); with R' = Q R and Q e_z = ray,
    # R' (p - c) ∥ ray: the pelvis lands on the chosen pixel.
    rotation = _turn(np.array([0.0, 0.0, 1.0]), ray) @ level
    return Camera(
        rotation=rotation, center=center, focal=float(focal), width=int(width), height=int(height_px)
    )


def add_noise(pixels: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Keypoints plus isotropic Gaussian noise of ``sigma`` pixels per axis (a detector's error).

    Args:
        pixels: (..., 2) keypoints in pixels.
        sigma: standard deviation in pixels (0 returns a copy).
        rng: the random generator.
    """
    pixels = np.array(pixels, dtype=np.float64)
    return pixels + rng.normal(0.0, sigma, pixels.shape) if sigma > 0 else pixels

"""Panorama rooms on the icosphere: the datasets the spherical networks train and test on.

:func:`sphere_dataset` casts one ray straight at each icosphere vertex direction (in the
camera's frame) instead of rendering a 1024x512 image and resampling it onto the sphere:
exact per-node targets, and about 13 times fewer rays at level 6 than a 1024x512 image.
With ``antialias > 1`` each node's color is the mean of that many rays jittered within its
cell (the other fields stay those of the central ray), closer to what resampling a
rendered image gives.

Datasets are cached on disk, keyed by a hash of their configuration and
:data:`GENERATOR_VERSION`: ``user_dir()/cache/panorama/<hash>.npz``, stored in compact types
(colors and normals float16, classes uint8; about 0.9 MB a room at level 6).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.icosphere import icosphere
from nodescope.core.panorama.classes import CLASS_NAMES, LAYOUT_NAMES
from nodescope.core.panorama.render import cast
from nodescope.core.panorama.scene import SPLITS, sample_scene
from nodescope.core.paths import user_dir

__all__ = [
    "CLASS_NAMES",
    "GENERATOR_VERSION",
    "LAYOUT_NAMES",
    "SPHERES",
    "sphere_dataset",
    "sphere_mesh",
    "sphere_sample",
]

#: Bump when the generator's output changes, so old caches are not reused.
GENERATOR_VERSION = 3
#: Stored dtype of each field in the cache; :func:`sphere_dataset` returns float32 / int64.
_STORED = {
    "rgb": np.float16,
    "depth": np.float32,
    "normal": np.float16,
    "label": np.uint8,
    "layout": np.uint8,
    "layout_depth": np.float32,
    "camera_height": np.float32,
    "seed": np.int64,
}


#: Icosphere families a dataset can be cast on: pyvista's (:func:`core.geometry.icosphere.icosphere`,
#: what panorama samples use) and the nested fsaverage one (:func:`core.geometry.fsaverage.icosphere_level`,
#: whose pooling hierarchy the spherical U-Net runs on; its first vertex is the north pole).
SPHERES = ("icosphere", "fsaverage")


def sphere_mesh(level: int, sphere: str = "icosphere") -> tuple[np.ndarray, np.ndarray]:
    """(V, 3) float64 unit vertices and (T, 3) int64 outward faces of an icosphere family's level."""
    if sphere == "fsaverage":
        ico = icosphere_level(level)
        return ico.vertices.double().numpy(), ico.faces.numpy()
    if sphere != "icosphere":
        raise ValueError(f"sphere must be one of {SPHERES}, got {sphere!r}")
    return icosphere(level)


def jittered_directions(level: int, rays: int, sphere: str = "icosphere") -> np.ndarray:
    """(rays, N, 3) unit directions: each vertex's own first, then ``rays - 1`` jittered in its cell.

    The jitter is uniform in a disc of half the mean edge length around the vertex (seeded by
    the level, so every room uses the same rays). ``sphere`` is one of :data:`SPHERES`.
    """
    vertices = np.asarray(sphere_mesh(level, sphere)[0], np.float64)
    out = [vertices]
    if rays > 1:
        rng = np.random.default_rng([level, rays])
        helper = np.where(np.abs(vertices[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
        e1 = np.cross(vertices, helper)
        e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
        e2 = np.cross(vertices, e1)
        radius = 0.5 * 1.1071 / 2**level  # half the mean edge (1.1071 rad at level 0)
        for _ in range(rays - 1):
            r = radius * np.sqrt(rng.uniform(size=(len(vertices), 1)))
            a = rng.uniform(0, 2 * np.pi, size=(len(vertices), 1))
            v = vertices + r * (np.cos(a) * e1 + np.sin(a) * e2)
            out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return np.stack(out).astype(np.float32)


def sphere_sample(seed: int, split: str, directions: np.ndarray) -> dict[str, np.ndarray]:
    """One room cast at (rays, N, 3) directions (:func:`jittered_directions`).

    Returns:
        ``rgb`` (N, 3) (mean over the rays), ``depth``, ``normal`` (N, 3), ``label``,
        ``layout``, ``layout_depth`` (N,) of the central rays, and ``camera_height`` (a 0-d array).
    """
    scene = sample_scene(seed, split)
    rays, n, _ = directions.shape
    hits = cast(scene, directions.reshape(-1, 3))
    center = slice(0, n)
    return {
        "rgb": hits.rgb.reshape(rays, n, 3).mean(0),
        "depth": hits.depth[center],
        "normal": hits.normal[center],
        "label": hits.label[center],
        "layout": hits.layout[center],
        "layout_depth": hits.layout_depth[center],
        "camera_height": np.asarray(scene.camera_height, np.float32),
    }


def cache_file(config: dict[str, object], cache_dir: Path | None = None) -> Path:
    """Where a dataset of this configuration is cached: ``<cache_dir>/<sha256 of the config>.npz``."""
    folder = Path(cache_dir) if cache_dir is not None else user_dir() / "cache" / "panorama"
    key = json.dumps({**config, "version": GENERATOR_VERSION}, sort_keys=True)
    return folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"


def sphere_dataset(
    split: str,
    count: int,
    level: int,
    *,
    cache_dir: Path | None = None,
    antialias: int = 1,
    start: int = 0,
    progress: Callable[[int, int], None] | None = None,
    sphere: str = "icosphere",
) -> dict[str, np.ndarray]:
    """Rooms ``start .. start + count - 1`` of a split, cast at the icosphere's vertices.

    Rays go straight at the vertex directions of ``icosphere(level)`` in the camera's frame
    (z up, the panorama's center along +X), which is cheaper than rendering 1024x512 images
    and resampling them, and gives exact targets per node.

    Args:
        split: ``train``, ``val``, ``test`` or ``ood`` (:data:`core.panorama.scene.SPLITS`).
        count: number of rooms S.
        level: icosphere level; N = ``10 * 4**level + 2`` nodes.
        cache_dir: folder of the ``.npz`` cache (default ``user_dir()/cache/panorama``).
        antialias: rays averaged per node for the color (1: the vertex ray only).
        start: the first room's seed.
        progress: called with ``(done, count)`` after each room that was cast.
        sphere: the icosphere family (:data:`SPHERES`; ``fsaverage`` for the spherical U-Net).

    Returns:
        ``rgb`` (S, N, 3) float32 sRGB in [0, 1]; ``depth`` (S, N) float32 Euclidean metres;
        ``normal`` (S, N, 3) float32 unit, camera frame; ``label`` (S, N) int64 visible class
        (:data:`CLASS_NAMES`); ``layout`` (S, N) int64 amodal layout (:data:`LAYOUT_NAMES`);
        ``layout_depth`` (S, N) float32 metres; ``camera_height`` (S,) float32 metres;
        ``seed`` (S,) int64.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    if count < 1 or antialias < 1 or start < 0:
        raise ValueError("count and antialias must be at least 1, start at least 0")
    config = {
        "split": split,
        "count": int(count),
        "level": int(level),
        "antialias": int(antialias),
        "start": int(start),
    }
    if sphere != "icosphere":  # keep the keys (and caches) of icosphere datasets unchanged
        config["sphere"] = sphere
    path = cache_file(config, cache_dir)
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            stored = {k: z[k] for k in _STORED}
    else:
        directions = jittered_directions(level, antialias, sphere)
        rows = []
        for i in range(count):
            rows.append(sphere_sample(start + i, split, directions))
            if progress is not None:
                progress(i + 1, count)
        stored = {k: np.stack([r[k] for r in rows]).astype(_STORED[k]) for k in _STORED if k != "seed"}
        stored["seed"] = np.arange(start, start + count, dtype=np.int64)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **stored)
        tmp.replace(path)
    out = {
        k: v.astype(np.int64 if k in ("label", "layout", "seed") else np.float32) for k, v in stored.items()
    }
    norm = np.linalg.norm(out["normal"], axis=-1, keepdims=True)
    out["normal"] /= np.maximum(norm, 1e-6)  # renormalize after float16 storage
    return out

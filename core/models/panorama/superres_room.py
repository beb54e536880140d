"""One generated room through guided depth super-resolution and its two baselines: what the Panoramas page shows.

The room is cast at the fsaverage vertices of the network's output level, colors antialiased
as in training (:func:`core.panorama.dataset.sphere_sample`); the sensor
(:func:`core.panorama.superres.degrade`) keeps the coarse level's vertices, which are the
first ``V_in`` vertices of the output level, so every map shares the vertex ids 0..V-1 (the
input's are 0..V_in-1) and, the levels being nested, a vertex of the spherical U-Net's
(coarser) level has the same id here.

Methods: the shipped :class:`~core.models.panorama.superres.DepthSuperRes` (``model``),
barycentric upsampling (``barycentric``) and joint bilateral upsampling (``bilateral``) with
the widths :data:`BILATERAL_SIGMAS` that ``benchmarks/bench_panorama_superres.py`` picked on
validation rooms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nodescope.core.models.panorama.superres import DepthSuperRes, predict_depth
from nodescope.core.panorama.dataset import jittered_directions, sphere_sample
from nodescope.core.panorama.metrics import vertex_weights
from nodescope.core.panorama.superres import degrade, discontinuity_mask, superres_scores, weighted_rmse
from nodescope.core.panorama.upsample import (
    barycentric_upsample,
    bilateral_table,
    joint_bilateral_upsample,
)

#: The upsampled maps, in the order the page shows them.
METHODS = ("model", "barycentric", "bilateral")
#: Joint bilateral widths per scale (spatial in coarse mean edges, color as RGB distance): the
#: validation choice of benchmarks/results/panorama_superres.json (grid search, 20 val rooms).
BILATERAL_SIGMAS = {4: (0.35, 0.2), 8: (0.35, 0.4)}
#: Rays averaged per vertex color when the room's colors are cast (the shipped recipe's).
ANTIALIAS = 4
#: Angular radius (degrees) of the zoomed region around a vertex.
ZOOM_RADIUS_DEG = 20.0


@dataclass(frozen=True)
class SuperResRoom:
    """One room's depth super-resolution on the output level's V vertices.

    Attributes:
        scale: 4 or 8 (``2**(level - in_level)``).
        level: fsaverage level of the output (V vertices); ``in_level`` that of the input (V_in).
        in_level: see ``level``.
        directions: (V, 3) float64 unit vertex directions (camera frame, z up).
        truth: (V,) float32 true depth, metres.
        coarse: (V_in,) float32 compressed low-resolution depth, metres, at vertices 0..V_in-1.
        maps: per :data:`METHODS` name, (V,) float32 upsampled depth, metres.
        scores: per method, :func:`~core.panorama.superres.superres_scores` on this room
            (``rmse``, ``rmse_edges``, ``rmse_flat`` in metres, ``edge_share``).
        input_rmse: RMSE (metres) of the compressed input against the truth at its own vertices
            (the sensor's quantization alone), vertices weighted by their cells.
        edges: (V,) bool, vertices within 2 rings of a depth discontinuity.
    """

    scale: int
    level: int
    in_level: int
    directions: np.ndarray
    truth: np.ndarray
    coarse: np.ndarray
    maps: dict[str, np.ndarray]
    scores: dict[str, dict[str, float]]
    input_rmse: float
    edges: np.ndarray

    def errors(self) -> dict[str, np.ndarray]:
        """Per method, (V,) float32 signed error (upsampled - truth), metres."""
        return {k: (v - self.truth).astype(np.float32) for k, v in self.maps.items()}

    def hardest_vertex(self) -> int:
        """The vertex where barycentric upsampling errs most: the default center of the zoom."""
        return int(np.argmax(np.abs(self.maps["barycentric"] - self.truth)))


def superres_room(model: DepthSuperRes, seed: int, split: str = "test") -> SuperResRoom:
    """Cast room ``seed`` of ``split``, degrade its depth as the sensor does, and upsample it three ways.

    Args:
        model: the shipped network of one scale (its config fixes the levels).
        seed: the room's seed within ``split``.
        split: ``train``, ``val``, ``test`` or ``ood`` (:data:`core.panorama.scene.SPLITS`).
    """
    cfg = model.config
    directions = jittered_directions(cfg.level, ANTIALIAS, "fsaverage")
    cast = sphere_sample(seed, split, directions)
    truth, rgb = cast["depth"].astype(np.float32)[None], cast["rgb"].astype(np.float32)[None]
    coarse = degrade(truth, cfg.in_level)
    sigma_s, sigma_r = BILATERAL_SIGMAS.get(cfg.scale, (0.5, 0.1))
    maps = {
        "model": predict_depth(model, coarse, rgb)[0],
        "barycentric": barycentric_upsample(coarse, cfg.in_level, cfg.level)[0].astype(np.float32),
        "bilateral": joint_bilateral_upsample(coarse, rgb, cfg.in_level, sigma_s, sigma_r)[0].astype(
            np.float32
        ),
    }
    w_in = vertex_weights(cfg.in_level, "fsaverage")
    return SuperResRoom(
        scale=cfg.scale,
        level=cfg.level,
        in_level=cfg.in_level,
        directions=directions[0].astype(np.float64),
        truth=truth[0],
        coarse=coarse[0],
        maps=maps,
        scores={k: superres_scores(v[None], truth, cfg.level) for k, v in maps.items()},
        input_rmse=weighted_rmse(coarse[0], truth[0, : len(coarse[0])], w_in),
        edges=discontinuity_mask(truth, cfg.level)[0],
    )


def zoom_vertices(directions: np.ndarray, center: int, radius_deg: float = ZOOM_RADIUS_DEG) -> np.ndarray:
    """(K,) int64 ids of the vertices within ``radius_deg`` degrees of vertex ``center`` (itself included).

    Args:
        directions: (V, 3) unit vertex directions.
        center: a vertex id in 0..V-1.
        radius_deg: the region's angular radius, degrees.
    """
    d = np.asarray(directions, np.float64)
    return np.flatnonzero(d @ d[center] >= np.cos(np.radians(radius_deg)))


def vertex_on_level(ids: np.ndarray, from_level: int, to_level: int) -> np.ndarray:
    """(N,) int64: each vertex of fsaverage ``from_level`` as a vertex of ``to_level`` (itself or its nearest).

    The levels are nested, so a coarser level's vertex keeps its id on a finer level; a finer
    level's vertex maps to the nearest vertex of the coarser one.
    """
    ids = np.asarray(ids, np.int64)
    if from_level <= to_level:
        return ids
    nearest = bilateral_table(to_level, from_level, 1)[0]  # (V,) for k = 1
    return nearest.reshape(len(nearest), -1)[ids, 0]

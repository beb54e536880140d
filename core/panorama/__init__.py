"""The panorama room dataset: seeded rooms, an analytic ray caster, sphere datasets and metrics.

- :mod:`~core.panorama.scene`: :func:`sample_scene` draws a room (plan, ceiling, furniture,
  openings, materials, lights, camera) from ``(split, seed)``;
- :mod:`~core.panorama.render`: :func:`cast` rays and :func:`render_panorama` images with
  color, depth, normals, visible class and the amodal layout;
- :mod:`~core.panorama.dataset`: :func:`sphere_dataset`, rooms cast at icosphere vertices,
  cached on disk;
- :mod:`~core.panorama.metrics`: depth, class, layout and normal scores, and the layout
  latitude-band oracle;
- :mod:`~core.panorama.superres` and :mod:`~core.panorama.upsample`: the compressed
  low-resolution depth of the super-resolution task, its scores, and its two baselines
  (barycentric and joint bilateral upsampling).
"""

from nodescope.core.panorama.classes import CLASS_NAMES, LAYOUT_NAMES
from nodescope.core.panorama.dataset import sphere_dataset, sphere_sample
from nodescope.core.panorama.metrics import (
    band_oracle,
    band_oracle_accuracy,
    depth_abs_rel,
    depth_delta,
    equirect_weights,
    mean_iou,
    median_normal_angle,
    vertex_latitudes,
    vertex_weights,
    weighted_accuracy,
)
from nodescope.core.panorama.render import PanoramaRender, RayHits, cast, render_panorama
from nodescope.core.panorama.scene import SPLITS, Scene, sample_scene
from nodescope.core.panorama.superres import degrade, discontinuity_mask, superres_scores
from nodescope.core.panorama.upsample import barycentric_upsample, joint_bilateral_upsample

__all__ = [
    "CLASS_NAMES",
    "LAYOUT_NAMES",
    "SPLITS",
    "PanoramaRender",
    "RayHits",
    "Scene",
    "band_oracle",
    "band_oracle_accuracy",
    "barycentric_upsample",
    "cast",
    "degrade",
    "depth_abs_rel",
    "depth_delta",
    "discontinuity_mask",
    "equirect_weights",
    "joint_bilateral_upsample",
    "mean_iou",
    "median_normal_angle",
    "render_panorama",
    "sample_scene",
    "sphere_dataset",
    "sphere_sample",
    "superres_scores",
    "vertex_latitudes",
    "vertex_weights",
    "weighted_accuracy",
]

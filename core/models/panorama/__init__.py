"""Spherical multi-task networks for panoramas: depth, visible class, amodal layout, layout depth, normals.

:class:`SphericalUNet` (after SUGAR and MTPano, :mod:`~core.models.panorama.unet`) runs on the
nested fsaverage icosphere: (B, V, 3) vertex colors in, per task (B, V, C) raw outputs out,
which :func:`decode` makes depth in metres, class ids and unit normals. :class:`DepthSuperRes`
(after GDNet, :mod:`~core.models.panorama.superres`) upsamples compressed low-resolution depth
guided by the full-resolution colors. These are not node classifiers, so they are not in
:data:`core.models.MODELS`.
"""

from nodescope.core.models.panorama.checkpoint import (
    load_panorama,
    load_superres,
    save_panorama,
    save_superres,
    shipped_panorama,
)
from nodescope.core.models.panorama.evaluate import check, predict, score
from nodescope.core.models.panorama.files import write_maps
from nodescope.core.models.panorama.heads import TASK_NAMES, decode, task_channels
from nodescope.core.models.panorama.image_maps import PanoramaMaps, panorama_maps
from nodescope.core.models.panorama.layers import CrossTaskAttention, GraphBlock, TableGATv2
from nodescope.core.models.panorama.loss import panorama_loss
from nodescope.core.models.panorama.single import PanoramaPrediction, predict_image, predict_room
from nodescope.core.models.panorama.superres import DepthSuperRes, SuperResConfig, predict_depth
from nodescope.core.models.panorama.unet import SphericalUNet, SphericalUNetConfig

__all__ = [
    "TASK_NAMES",
    "CrossTaskAttention",
    "DepthSuperRes",
    "GraphBlock",
    "PanoramaMaps",
    "PanoramaPrediction",
    "SphericalUNet",
    "SphericalUNetConfig",
    "SuperResConfig",
    "TableGATv2",
    "check",
    "decode",
    "load_panorama",
    "load_superres",
    "panorama_loss",
    "panorama_maps",
    "predict",
    "predict_depth",
    "predict_image",
    "predict_room",
    "save_panorama",
    "save_superres",
    "score",
    "shipped_panorama",
    "task_channels",
    "write_maps",
]

"""Score a spherical U-Net on a room dataset split, beside the layout latitude-band oracle.

Figures (:mod:`core.panorama.metrics`, vertices weighted by their cell areas, which on the
sphere is what weighting image pixels by the cosine of latitude does): depth AbsRel and
δ<1.25, visible-class mIoU, amodal layout accuracy, layout-depth AbsRel, the median normal
angle in degrees, and the band oracle's layout accuracy (floor below, ceiling above, both
thresholds picked per room on its own ground truth).
"""

from __future__ import annotations

import numpy as np
import torch

from nodescope.core.models.panorama.heads import decode
from nodescope.core.models.panorama.unet import SphericalUNet
from nodescope.core.panorama.classes import CLASS_NAMES
from nodescope.core.panorama.dataset import sphere_dataset
from nodescope.core.panorama.metrics import (
    band_oracle_accuracy,
    depth_abs_rel,
    depth_delta,
    mean_iou,
    median_normal_angle,
    vertex_latitudes,
    vertex_weights,
    weighted_accuracy,
)

#: The icosphere family the U-Net runs on (:data:`core.panorama.dataset.SPHERES`).
SPHERE = "fsaverage"
#: Test rooms of the check a shipped network records and a test reproduces.
CHECK_ROOMS = 8


@torch.no_grad()
def predict(model: SphericalUNet, rgb: np.ndarray, batch: int = 4) -> dict[str, np.ndarray]:
    """Decoded predictions for (S, V, 3) colors in [0, 1]: :func:`~core.models.panorama.heads.decode`'s fields as numpy."""
    model.eval()
    dev = next(model.parameters()).device
    parts: list[dict[str, torch.Tensor]] = []
    for i in range(0, len(rgb), batch):
        x = torch.as_tensor(rgb[i : i + batch], dtype=torch.float32, device=dev)
        parts.append(decode(model(x), model.directions().to(dev)))
    return {k: torch.cat([p[k] for p in parts]).cpu().numpy() for k in parts[0]}


def score(pred: dict[str, np.ndarray], data: dict[str, np.ndarray], level: int) -> dict[str, float]:
    """The split's figures (see the module docstring) from :func:`predict` and its dataset.

    Args:
        pred: :func:`predict` output for the split's S rooms.
        data: the split from :func:`core.panorama.dataset.sphere_dataset` (``sphere="fsaverage"``).
        level: the icosphere level of both.
    """
    w = vertex_weights(level, SPHERE)
    ww = np.broadcast_to(w, data["depth"].shape)
    oracle = band_oracle_accuracy(data["layout"], vertex_latitudes(level, SPHERE), w)
    return {
        "depth_abs_rel": depth_abs_rel(pred["depth"], data["depth"], ww),
        "depth_delta1": depth_delta(pred["depth"], data["depth"], weights=ww),
        "class_miou": mean_iou(pred["class"], data["label"], len(CLASS_NAMES), ww),
        "layout_accuracy": weighted_accuracy(pred["layout"], data["layout"], ww),
        "layout_depth_abs_rel": depth_abs_rel(pred["layout_depth"], data["layout_depth"], ww),
        "normal_median_deg": median_normal_angle(pred["normal"], data["normal"], ww),
        "oracle_layout_accuracy": float(oracle.mean()),
        "rooms": len(data["depth"]),
    }


def check(model: SphericalUNet, antialias: int) -> dict[str, float]:
    """:func:`score` on the first :data:`CHECK_ROOMS` test rooms (what shipped weights record)."""
    level = model.config.level
    data = sphere_dataset("test", CHECK_ROOMS, level, antialias=antialias, sphere=SPHERE)
    return score(predict(model, data["rgb"]), data, level)

"""The multi-task loss of the spherical U-Net: depth, class, layout, layout depth, normals.

- log-depth and log layout depth: berHu (reverse Huber, Laina et al. 2016): L1 below ``c``,
  ``(d² + c²) / 2c`` above, ``c`` a fifth of the batch's largest absolute error;
- visible class and amodal layout: cross-entropy;
- normals: ``1 - cos`` of the angle between prediction and target.

Every term is a mean over the vertices (fsaverage vertices sample the sphere almost evenly),
and the total is their weighted sum (:data:`DEFAULT_WEIGHTS`).
"""

from __future__ import annotations

import torch
from torch import nn

from nodescope.core.models.panorama.heads import TASK_NAMES, decode_normal

#: Weight of each task's term in the total.
DEFAULT_WEIGHTS = {"depth": 1.0, "class": 1.0, "layout": 1.0, "layout_depth": 1.0, "normal": 1.0}


def berhu(error: torch.Tensor) -> torch.Tensor:
    """Mean berHu of ``error`` (any shape); the threshold is 0.2 of the largest ``|error|`` (detached)."""
    a = error.abs()
    c = (0.2 * a.max()).detach().clamp_min(1e-6)
    return torch.where(a <= c, a, (a * a + c * c) / (2 * c)).mean()


def panorama_loss(
    raw: dict[str, torch.Tensor],
    target: dict[str, torch.Tensor],
    directions: torch.Tensor,
    weights: dict[str, float] | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted multi-task loss of raw head outputs against a batch of targets.

    Args:
        raw: per task (B, V, C) raw outputs of :class:`~core.models.panorama.unet.SphericalUNet`.
        target: ``depth`` and ``layout_depth`` (B, V) metres (> 0), ``label`` and ``layout``
            (B, V) int64, ``normal`` (B, V, 3) unit vectors in the camera frame.
        directions: (V, 3) unit vertex directions.
        weights: per task weight (default :data:`DEFAULT_WEIGHTS`).

    Returns:
        ``(total, parts)``: the scalar loss and each task's unweighted term as a float.
    """
    w = DEFAULT_WEIGHTS if weights is None else weights
    normal = decode_normal(raw["normal"], directions)
    parts = {
        "depth": berhu(raw["depth"][..., 0] - target["depth"].clamp_min(1e-3).log()),
        "class": nn.functional.cross_entropy(raw["class"].flatten(0, 1), target["label"].flatten()),
        "layout": nn.functional.cross_entropy(raw["layout"].flatten(0, 1), target["layout"].flatten()),
        "layout_depth": berhu(raw["layout_depth"][..., 0] - target["layout_depth"].clamp_min(1e-3).log()),
        "normal": (1 - (normal * target["normal"]).sum(-1)).mean(),
    }
    total = sum(w[t] * parts[t] for t in TASK_NAMES)
    return total, {t: float(v.detach()) for t, v in parts.items()}

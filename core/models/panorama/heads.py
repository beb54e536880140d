"""The five panorama tasks: what each head outputs, and how raw outputs become physical maps.

Heads output quantities that do not change when the panorama is yawed: log-depth, class and
layout logits, log layout depth, and the normal's components in each vertex's
``(radial, east, north)`` frame (:mod:`core.geometry.tangent`). :func:`decode` turns them into
depth in metres and unit normals in the camera frame, which rotate with the panorama.
"""

from __future__ import annotations

import torch

from nodescope.core.geometry.tangent import from_local

#: Layout classes (amodal: the room without its furniture): 0 floor, 1 wall, 2 ceiling.
NUM_LAYOUT = 3
#: Task names, in the order the decoders and the cross-task attention see them.
TASK_NAMES = ("depth", "class", "layout", "layout_depth", "normal")
#: Depth a fresh head predicts (metres): the log-depth heads' bias starts at its log.
DEPTH_PRIOR_M = 2.5


def task_channels(num_classes: int) -> dict[str, int]:
    """Output channels per task: log-depth 1, class logits, layout logits 3, log layout depth 1, normal 3."""
    return {"depth": 1, "class": num_classes, "layout": NUM_LAYOUT, "layout_depth": 1, "normal": 3}


def decode(raw: dict[str, torch.Tensor], directions: torch.Tensor) -> dict[str, torch.Tensor]:
    """Physical predictions from raw head outputs.

    Args:
        raw: per task (B, V, C) raw outputs (``task_channels``).
        directions: (V, 3) unit vertex directions (camera frame, z up).

    Returns:
        ``depth`` and ``layout_depth`` (B, V) metres, ``class`` (B, V) and ``layout`` (B, V)
        int64 argmax ids, ``class_prob`` (B, V, C) and ``layout_prob`` (B, V, 3) softmax
        probabilities, ``normal`` (B, V, 3) unit vectors in the camera frame.
    """
    return {
        "depth": raw["depth"][..., 0].exp(),
        "layout_depth": raw["layout_depth"][..., 0].exp(),
        "class": raw["class"].argmax(-1),
        "class_prob": raw["class"].softmax(-1),
        "layout": raw["layout"].argmax(-1),
        "layout_prob": raw["layout"].softmax(-1),
        "normal": decode_normal(raw["normal"], directions),
    }


def decode_normal(raw: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """(B, V, 3) unit normals in the camera frame from (B, V, 3) ``(radial, east, north)`` outputs at (V, 3) directions."""
    normal = from_local(raw, directions.to(raw))
    return normal / normal.norm(dim=-1, keepdim=True).clamp_min(1e-8)

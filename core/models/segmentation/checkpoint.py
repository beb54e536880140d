"""Segmenter checkpoints: weights (the input normalizer included) in safetensors, config and scores in JSON.

A segmenter checkpoint ``NAME`` is ``NAME.safetensors`` + ``NAME.json`` written by
:func:`core.checkpoint.save_module` (never a pickle); the JSON record is
``{"format": "nodescope-segmenter", "config": SegmenterConfig, ...}`` plus what the recipe
adds (seed, epochs, seconds, parameter count, machine, scores, and ``check``: accuracy and mIoU
on the first :data:`~core.models.segmentation.recipe.CHECK_SAMPLES` test shapes, which a test
reproduces). Shipped segmenters live in ``assets/models/mesh/segment-<model>.{safetensors,json}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodescope.core.checkpoint import load_module, save_module, shipped_checkpoint
from nodescope.core.models.segmentation.networks import Segmenter, SegmenterConfig

FORMAT = "nodescope-segmenter"
#: The folder of assets/models holding the shipped segmenters (beside the mesh simulators).
SHIPPED_FOLDER = "mesh"
#: The segmenters by key, and their display names.
SEGMENTERS = {"dual-gat": "Dual-graph attention (GATv2)", "dual-gcn": "Dual-graph GCN"}


def save_segmenter(model: Segmenter, path: Path, record: dict[str, Any]) -> None:
    """Write ``model`` to ``path.safetensors`` and ``record`` (``format``, ``config`` set here) to ``path.json``."""
    save_module(model, path, FORMAT, record)


def load_segmenter(path: Path) -> tuple[Segmenter, dict[str, Any]]:
    """Rebuild a segmenter written by :func:`save_segmenter` (eval mode, on the device).

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    return load_module(path, FORMAT, "segmenter", lambda c: Segmenter(SegmenterConfig.from_dict(c)))


def shipped_segmenter(model: str = "dual-gat") -> Path | None:
    """The shipped weights (``.safetensors`` path) of segmenter ``model``, or None."""
    if model not in SEGMENTERS:
        return None
    return shipped_checkpoint(SHIPPED_FOLDER, f"segment-{model}")

"""Spherical U-Net checkpoints: weights in safetensors, config and scores in JSON (never a pickle).

A checkpoint ``NAME`` is ``NAME.safetensors`` + ``NAME.json`` written by
:func:`core.checkpoint.write_weights`; the JSON record is
``{"format": "nodescope-panorama", "config": SphericalUNetConfig, ...}`` plus what the trainer
adds (seeds, recipe, scores per split, the layout band oracle's scores).

Shipped networks live in ``assets/models/panorama/<name>.{safetensors,json}``
(:func:`shipped_panorama`), written by ``examples/train_panorama.py --ship``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodescope.core.checkpoint import load_module, save_module, shipped_checkpoint
from nodescope.core.models.panorama.superres import DepthSuperRes, SuperResConfig
from nodescope.core.models.panorama.unet import SphericalUNet, SphericalUNetConfig

FORMAT = "nodescope-panorama"
#: Format of the depth super-resolution networks' records.
SUPERRES_FORMAT = "nodescope-panorama-superres"
#: The folder of assets/models holding the shipped panorama networks.
SHIPPED_DATASET = "panorama"


def save_panorama(model: SphericalUNet, path: Path, record: dict[str, Any]) -> None:
    """Write ``model`` to ``path.safetensors`` and ``record`` (``format``, ``config`` set here) to ``path.json``."""
    save_module(model, path, FORMAT, record)


def load_panorama(path: Path) -> tuple[SphericalUNet, dict[str, Any]]:
    """Rebuild a spherical U-Net written by :func:`save_panorama`.

    Returns:
        The model in eval mode on :func:`core.device.device`, and the JSON record.

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    return load_module(path, FORMAT, "panorama network", lambda c: SphericalUNet(SphericalUNetConfig(**c)))


def shipped_panorama(name: str = "spherical-unet") -> Path | None:
    """The shipped weights (``.safetensors`` path) called ``name``, or None if there are none."""
    return shipped_checkpoint(SHIPPED_DATASET, name)


def save_superres(model: DepthSuperRes, path: Path, record: dict[str, Any]) -> None:
    """Write a depth super-resolution network as :func:`save_panorama` does (format :data:`SUPERRES_FORMAT`)."""
    save_module(model, path, SUPERRES_FORMAT, record)


def load_superres(path: Path) -> tuple[DepthSuperRes, dict[str, Any]]:
    """Rebuild a network written by :func:`save_superres` (eval mode, on :func:`core.device.device`).

    Raises:
        LoadError: one line, as :func:`load_panorama`.
    """
    return load_module(
        path, SUPERRES_FORMAT, "depth super-resolution network", lambda c: DepthSuperRes(SuperResConfig(**c))
    )

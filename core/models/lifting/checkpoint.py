"""Lifting checkpoints: weights in safetensors, config and scores in JSON (never a pickle).

A lifter checkpoint ``NAME`` is ``NAME.safetensors`` + ``NAME.json`` written by
:func:`core.checkpoint.write_weights`; the JSON record is
``{"format": "nodescope-lifter", "config": LifterConfig, ...}`` plus what the trainer adds
(seed, epochs, MPJPE figures, the built-in evaluation's figure).

Shipped lifters live in ``assets/models/skeleton/<model>.{safetensors,json}``
(:func:`shipped_lifter`), written by ``examples/train_lifting.py --ship``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodescope.core.checkpoint import load_module, read_record, save_module, shipped_checkpoint
from nodescope.core.errors import LoadError
from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.models.lifting.registry import LIFTERS, build_lifter

FORMAT = "nodescope-lifter"
#: The folder of assets/models holding the shipped lifters.
SHIPPED_DATASET = "skeleton"


def save_lifter(model: Lifter, path: Path, record: dict[str, Any]) -> None:
    """Write ``model`` to ``path.safetensors`` and ``record`` (``format``, ``config`` set here) to ``path.json``."""
    save_module(model, path, FORMAT, record)


def read_lifter_info(path: Path) -> dict[str, Any]:
    """The JSON half of a lifter checkpoint, checked for its format and model (no weights read).

    Raises:
        LoadError: one line, for a missing or unreadable file, or one that is not a lifter.
    """
    record = read_record(Path(path), FORMAT, "lifting model")
    model = (record.get("config") or {}).get("model")
    if model not in LIFTERS:
        raise LoadError(f"{Path(path).with_suffix('.json').name} holds an unknown lifting model {model!r}.")
    return record


def load_lifter(path: Path) -> tuple[Lifter, dict[str, Any]]:
    """Rebuild a lifter written by :func:`save_lifter`.

    Returns:
        The model in eval mode on :func:`core.device.device`, and the JSON record.

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    read_lifter_info(path)  # an unknown model gets its own line before the config is built
    return load_module(
        path, FORMAT, "lifting model", lambda config: build_lifter(LifterConfig.from_dict(config))
    )


def shipped_lifter(model: str) -> Path | None:
    """The shipped weights (``.safetensors`` path) of lifting ``model``, or None if there are none."""
    if model not in LIFTERS:
        return None
    return shipped_checkpoint(SHIPPED_DATASET, model)

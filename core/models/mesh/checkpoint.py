"""Mesh-model checkpoints: weights (normalizers included) in safetensors, config and scores in JSON.

A mesh-model checkpoint ``NAME`` is ``NAME.safetensors`` + ``NAME.json`` written by
:func:`core.checkpoint.write_weights` (never a pickle); the JSON record is
``{"format": "nodescope-mesh-model", "config": MeshModelConfig, ...}`` plus what the trainer
adds (seed, steps, seconds, parameter count, machine, ``check``: the one-step RMSE on the first
:data:`~core.models.mesh.recipe.CHECK_SAMPLES` test samples, which a test reproduces).

Shipped models live in ``assets/models/mesh/<model>-<equation>.{safetensors,json}``
(:func:`shipped_mesh_model`), written by ``examples/train_mesh.py --ship``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nodescope.core.checkpoint import SHIPPED_DIR, load_module, save_module, shipped_checkpoint
from nodescope.core.device import machine
from nodescope.core.models.mesh.base import MeshModel, MeshModelConfig
from nodescope.core.models.mesh.data import example, load_split
from nodescope.core.models.mesh.recipe import CHECK_SAMPLES, DATA_CONFIG, SETTINGS
from nodescope.core.models.mesh.registry import MESH_MODELS, build_mesh_model
from nodescope.core.models.mesh.training import one_step_rmse

FORMAT = "nodescope-mesh-model"
#: The folder of assets/models holding the shipped mesh models.
SHIPPED_FOLDER = "mesh"


def save_mesh_model(model: MeshModel, path: Path, record: dict[str, Any]) -> None:
    """Write ``model`` to ``path.safetensors`` and ``record`` (``format``, ``config`` set here) to ``path.json``."""
    save_module(model, path, FORMAT, record)


def load_mesh_model(path: Path) -> tuple[MeshModel, dict[str, Any]]:
    """Rebuild a model written by :func:`save_mesh_model`.

    Returns:
        The model in eval mode on :func:`core.device.device`, and the JSON record.

    Raises:
        LoadError: one line, for a missing, foreign or corrupt file, a bad config, or weights
            that do not fit it.
    """
    return load_module(
        path, FORMAT, "mesh model", lambda config: build_mesh_model(MeshModelConfig.from_dict(config))
    )


def shipped_mesh_model(model: str, equation: str) -> Path | None:
    """The shipped weights (``.safetensors`` path) of ``model`` for ``equation``, or None."""
    if model not in MESH_MODELS or equation not in ("heat", "wave"):
        return None
    return shipped_checkpoint(SHIPPED_FOLDER, f"{model}-{equation}")


def check_rmse(model: MeshModel, *, cache_dir: Path | None = None) -> list[float]:
    """One-step RMSE on each of the first :data:`CHECK_SAMPLES` test samples of the recipe."""
    config = model.config
    samples = load_split(
        "test", CHECK_SAMPLES, equation=config.equation, config=DATA_CONFIG, cache_dir=cache_dir
    )
    return [one_step_rmse(model, example(s, config.k)) for s in samples]


def ship_run(
    model: MeshModel,
    info: dict[str, Any],
    *,
    folder: Path | None = None,
    name: str | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write a finished run to ``folder`` (default the shipped folder) as ``name`` (``<model>-<equation>``)."""
    model = model.cpu().eval()
    record = {
        "model": info["model"],
        "equation": model.config.equation,
        "seed": info["seed"],
        "steps": info["step"],
        "train_seconds": round(info["seconds"], 1),
        "params": model.num_parameters(),
        "settings": info["settings"],
        "data": {
            "vertices": list(DATA_CONFIG.vertices),
            "steps": DATA_CONFIG.steps,
            "recipe_steps": SETTINGS.steps,
        },
        "final_loss": info["history"][-1][1] if info["history"] else None,
        "check": {"samples": CHECK_SAMPLES, "one_step_rmse": check_rmse(model, cache_dir=cache_dir)},
        "machine": machine(),
    }
    path = (folder or SHIPPED_DIR / SHIPPED_FOLDER) / (name or f"{info['model']}-{model.config.equation}")
    save_mesh_model(model, path, record)
    assert np.isfinite(record["check"]["one_step_rmse"]).all()
    return path.with_suffix(".safetensors")

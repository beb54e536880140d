"""The shipped mesh models' recipe: which data, which settings, one run per (model, equation, seed).

Data: :func:`core.simulation.generate` with :data:`DATA_CONFIG` (small procedural meshes of
400-1,500 vertices, 60 steps, the generator's other defaults), :data:`COUNTS` samples per split,
dataset seed 0. Training: :class:`~core.models.mesh.training.MeshTrainSettings` of
:data:`SETTINGS` with the run's seed; architectures: :data:`core.models.mesh.DEFAULT_CONFIGS`.
``examples/train_mesh.py`` and ``nodescope train mesh`` both train through :func:`train_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from nodescope.core.models.mesh.base import MeshModel
from nodescope.core.models.mesh.data import Example, example, load_split
from nodescope.core.models.mesh.registry import DEFAULT_CONFIGS, build_mesh_model
from nodescope.core.models.mesh.training import MeshTrainSettings, load_state, train
from nodescope.core.simulation.dataset import DatasetConfig

#: The simulations the shipped models train and are scored on.
DATA_CONFIG = DatasetConfig(vertices=(400, 1500))
#: Samples per split.
COUNTS = {"train": 48, "val": 8, "test": 12, "unseen": 12}
#: The optimization settings (the seed is the run's).
SETTINGS = MeshTrainSettings(steps=400, batch=4, lr=2e-3)
#: The test samples whose one-step RMSE a shipped checkpoint records (quick to reproduce).
CHECK_SAMPLES = 3


def split_examples(split: str, equation: str, k: int, cache_dir: Path | None) -> list[Example]:
    """The recipe's ``split`` as model examples on the k-ring graph."""
    samples = load_split(split, COUNTS[split], equation=equation, config=DATA_CONFIG, cache_dir=cache_dir)
    return [example(s, k) for s in samples]


def train_run(
    key: str,
    equation: str,
    seed: int,
    *,
    state_dir: Path,
    cache_dir: Path | None = None,
    steps: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[MeshModel, dict[str, Any]]:
    """Train (or resume, or read back) model ``key`` on ``equation`` with ``seed``.

    Returns:
        The trained model (eval mode, CPU) and the run's record (step, seconds, loss history,
        settings, parameter count, config).
    """
    config = replace(DEFAULT_CONFIGS[key], equation=equation)
    settings = replace(SETTINGS, seed=seed, steps=steps or SETTINGS.steps)
    torch.manual_seed(seed)
    model = build_mesh_model(config)
    examples = split_examples("train", equation, config.k, cache_dir)
    info = train(
        model, examples, settings, state_path=run_path(state_dir, key, equation, seed), progress=progress
    )
    info |= {"params": model.num_parameters(), "config": config.to_dict(), "model": key, "seed": seed}
    return model, info


def run_path(state_dir: Path, key: str, equation: str, seed: int) -> Path:
    """Where the state of run (``key``, ``equation``, ``seed``) is kept (no suffix)."""
    return Path(state_dir) / f"{key}-{equation}-seed{seed}"


def load_run(
    key: str, equation: str, seed: int, *, state_dir: Path
) -> tuple[MeshModel, dict[str, Any]] | None:
    """The model and record of a run's state in ``state_dir`` (finished or not), or None if there is none."""
    path = run_path(state_dir, key, equation, seed)
    if not path.with_suffix(".json").is_file():
        return None
    model = build_mesh_model(replace(DEFAULT_CONFIGS[key], equation=equation))
    info = load_state(path, model)
    info |= {"params": model.num_parameters(), "config": model.config.to_dict(), "model": key, "seed": seed}
    return model.eval(), info

"""The shipped segmenters' recipe: the dataset's splits, the architectures, one run per (model, seed).

Data: :func:`core.segmentation.dataset.load_split` (its :data:`~core.segmentation.dataset.COUNTS`);
training: :class:`~core.models.segmentation.training.SegmentTrainSettings` of :data:`SETTINGS`
with the run's seed; architectures: :data:`DEFAULT_CONFIGS` (the GCN is wider so that both have
about the same parameter count). ``examples/train_mesh_segmentation.py`` trains through
:func:`train_run` and writes weights through :func:`ship_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from nodescope.core.checkpoint import SHIPPED_DIR
from nodescope.core.device import machine
from nodescope.core.models.segmentation.checkpoint import SHIPPED_FOLDER, save_segmenter
from nodescope.core.models.segmentation.networks import Segmenter, SegmenterConfig
from nodescope.core.models.segmentation.training import SegmentTrainSettings, scores, train
from nodescope.core.segmentation.dataset import load_split

#: The shipped architectures (about 36k parameters each).
DEFAULT_CONFIGS = {
    "dual-gat": SegmenterConfig("dual-gat", hidden=64, layers=4, heads=4),
    "dual-gcn": SegmenterConfig("dual-gcn", hidden=90, layers=4),
}
#: The optimization settings (the seed is the run's).
SETTINGS = SegmentTrainSettings()
#: The test shapes whose scores a shipped checkpoint records (quick to reproduce).
CHECK_SAMPLES = 4


def train_run(
    key: str,
    seed: int,
    *,
    state_dir: Path,
    cache_dir: Path | None = None,
    epochs: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[Segmenter, dict[str, Any]]:
    """Train (or resume, or read back) segmenter ``key`` with ``seed``; the best-validation weights.

    Returns:
        The model (eval mode, CPU) and the run's record (epochs, seconds, history, settings,
        parameter count, config, key, seed).
    """
    config = DEFAULT_CONFIGS[key]
    settings = replace(SETTINGS, seed=seed, epochs=epochs or SETTINGS.epochs)
    torch.manual_seed(seed)
    model = Segmenter(config)
    train_set = load_split("train", cache_dir=cache_dir)
    val_set = load_split("val", cache_dir=cache_dir)
    state = Path(state_dir) / f"segment-{key}-seed{seed}"
    info = train(model, train_set, val_set, settings, state_path=state, progress=progress)
    info |= {"params": model.num_parameters(), "config": config.to_dict(), "model": key, "seed": seed}
    return model.eval(), info


def check_scores(model: Segmenter, *, cache_dir: Path | None = None) -> dict[str, float]:
    """Accuracy and mIoU on the first :data:`CHECK_SAMPLES` test shapes."""
    return scores(model, load_split("test", CHECK_SAMPLES, cache_dir=cache_dir))


def ship_run(
    model: Segmenter,
    info: dict[str, Any],
    results: dict[str, dict[str, float]],
    *,
    folder: Path | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write a finished run to ``folder`` (default the shipped folder) as ``segment-<model>``.

    Args:
        model: the trained segmenter.
        info: :func:`train_run`'s record.
        results: its scores per split (``test``, ``unseen``), written into the record.
        folder: where to write.
        cache_dir: the dataset cache.
    """
    model = model.cpu().eval()
    record = {
        "model": info["model"],
        "seed": info["seed"],
        "epochs": info["epoch"],
        "best_epoch": info.get("best_epoch"),
        "train_seconds": round(info["seconds"], 1),
        "train_cpu_seconds": info.get("cpu_seconds"),
        "params": model.num_parameters(),
        "settings": info["settings"],
        "scores": results,
        "check": {"samples": CHECK_SAMPLES, **check_scores(model, cache_dir=cache_dir)},
        "machine": machine(),
    }
    path = (folder or SHIPPED_DIR / SHIPPED_FOLDER) / f"segment-{info['model']}"
    save_segmenter(model, path, record)
    return path.with_suffix(".safetensors")

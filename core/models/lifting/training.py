"""Training the lifting models on real motion capture: the recipe behind the shipped weights.

Each model trains on the CMU clips of the training subjects (split by subject:
:func:`core.models.lifting.evaluate.mocap_clips`), seen through **fresh random cameras every
epoch** (:func:`epoch_set`: every kept frame once with exact 2D and once with 2D noise of 5 px),
keeps the epoch with the lowest validation MPJPE, and is scored on the held-out subjects with
exact and noisy 2D and on the procedural built-in. Loss: MPJPE in metres; Adam, batch 256,
cosine learning-rate decay (:data:`RECIPE`).

A run (model × seed) is resumable: :func:`train_run` writes its state (weights, best weights,
optimizer, history) after every epoch to ``state_dir/<model>-seed<k>.{safetensors,json}``; a
finished run is read back, not trained again. :func:`save_trained` writes a finished run's best
weights as a lifter checkpoint (what ``assets/models/skeleton`` ships). Used by
``examples/train_lifting.py`` and ``nodescope train skeleton``; with one torch thread, seed 0
and the default recipe they reproduce the shipped weights.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.models.lifting.checkpoint import save_lifter
from nodescope.core.models.lifting.evaluate import builtin_set, evaluate
from nodescope.core.models.lifting.registry import DEFAULT_CONFIGS, build_lifter
from nodescope.core.run_state import cosine_lr, load_run_state, save_run_state
from nodescope.core.skeleton.dataset import Clip, LiftingSet, build_lifting_set

#: Training recipe (the same for every model).
RECIPE: dict[str, Any] = {
    "epochs": 30,
    "batch": 256,
    "lr": 1e-3,
    "final_lr_fraction": 0.05,
    "train_stride": 2,
    "train_noise_px": 5.0,
    "cameras_per_epoch": "1 exact + 1 noisy per kept frame, fresh each epoch",
}
#: ``progress(epoch, epochs, row)`` after each epoch; ``row``: ``train_mpjpe``, ``val_mpjpe`` (mm), ``seconds``.
Progress = Callable[[int, int, dict[str, float]], None]


def epoch_set(
    clips: list[Clip], seed: int, epoch: int, noise_px: float = RECIPE["train_noise_px"]
) -> LiftingSet:
    """The epoch's training poses: every frame of ``clips`` through one fresh clean and one fresh noisy camera."""
    base = 1_000_003 * (seed + 1) + 2 * epoch
    sets = [
        build_lifting_set(clips, cameras=1, noise_px=noise, seed=base + k)
        for k, noise in enumerate((0.0, noise_px))
    ]
    fields = ("keypoints_2d", "focal", "image_size", "joints_3d")
    merged = {f: np.concatenate([getattr(s, f) for s in sets]) for f in fields}
    return LiftingSet(
        **merged,
        root_depth=np.concatenate([s.root_depth for s in sets]),
        subject=np.concatenate([s.subject for s in sets]),
        clip=np.concatenate([s.clip for s in sets]),
        frame=np.concatenate([s.frame for s in sets]),
        clip_names=sets[0].clip_names,
        actions=sets[0].actions,
    )


def learning_rate(epoch: int, epochs: int, recipe: Mapping[str, Any] = RECIPE) -> float:
    """The cosine schedule from ``lr`` at epoch 0 to ``lr * final_lr_fraction`` at the last epoch."""
    return cosine_lr(epoch, epochs, recipe["lr"], recipe["final_lr_fraction"])


def _tensors(data: LiftingSet) -> tuple[torch.Tensor, ...]:
    return (
        torch.as_tensor(data.keypoints_2d),
        torch.as_tensor(data.focal),
        torch.as_tensor(data.image_size, dtype=torch.float32),
        torch.as_tensor(data.joints_3d),
    )


def state_path(state_dir: Path, key: str, seed: int) -> Path:
    """Where run ``key`` × ``seed`` keeps its state (no suffix: ``.safetensors`` + ``.json``)."""
    return Path(state_dir) / f"{key}-seed{seed}"


def best_model(state_dir: Path, key: str, seed: int, config: LifterConfig | None = None) -> Lifter:
    """The best-validation weights of a run's state file, in a fresh model (eval mode, CPU)."""
    model = build_lifter(config or DEFAULT_CONFIGS[key])
    tensors = load_file(str(state_path(state_dir, key, seed).with_suffix(".safetensors")))
    model.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("best.")})
    return model.eval()


def train_run(
    key: str,
    seed: int,
    clips: list[Clip],
    sets: Mapping[str, LiftingSet],
    state_dir: Path,
    epochs: int,
    *,
    config: LifterConfig | None = None,
    recipe: Mapping[str, Any] = RECIPE,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train (or resume, or read back) one model × seed.

    Args:
        key: the model (``mlp``, ``gcn``, ``hopfir``).
        seed: initialization, training cameras and dropout.
        clips: the training clips (every ``recipe["train_stride"]``-th frame).
        sets: ``val``, ``test`` and ``test_noisy`` lifting sets
            (:func:`core.models.lifting.evaluate.mocap_sets`).
        state_dir: where the run's state is kept.
        epochs: epochs to train.
        config: the architecture (default :data:`DEFAULT_CONFIGS` ``[key]``).
        recipe: batch, learning rate, noise (default :data:`RECIPE`).
        progress: called after each epoch.

    Returns:
        The finished run's record: ``history`` per epoch, ``params``, ``config``, ``best_epoch``,
        ``val_mpjpe``, and :func:`~core.models.lifting.evaluate.evaluate` on ``test``,
        ``test_noisy`` and the built-in (``builtin``), ``seconds`` of training.
    """
    path = state_path(state_dir, key, seed)
    info: dict[str, Any] = {"model": key, "seed": seed, "epoch": 0, "history": [], "seconds": 0.0}
    torch.manual_seed(seed)
    model = build_lifter(config or DEFAULT_CONFIGS[key])
    opt = torch.optim.Adam(model.parameters(), lr=recipe["lr"])
    best = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if path.with_suffix(".json").is_file():
        info = json.loads(path.with_suffix(".json").read_text())
        if info.get("done"):
            return info
        best = load_run_state(path, model, opt)
    batch = recipe["batch"]
    for epoch in range(info["epoch"], epochs):
        start = time.perf_counter()
        torch.manual_seed(1_000 * seed + epoch)
        kp, focal, size, target = _tensors(epoch_set(clips, seed, epoch, recipe["train_noise_px"]))
        order = torch.randperm(len(kp))
        for group in opt.param_groups:
            group["lr"] = learning_rate(epoch, epochs, recipe)
        model.train()
        losses = []
        for i in range(0, len(kp), batch):
            idx = order[i : i + batch]
            if len(idx) < 2:  # batch norm needs two poses
                continue
            loss = (model(kp[idx], focal[idx], size[idx]) - target[idx]).norm(dim=-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        val_mpjpe = evaluate(model, sets["val"])["mpjpe"]
        seconds = time.perf_counter() - start
        if val_mpjpe < min([h["val_mpjpe"] for h in info["history"]], default=math.inf):
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        row = {
            "epoch": epoch,
            "train_mpjpe": 1000 * float(np.mean(losses)),
            "val_mpjpe": val_mpjpe,
            "seconds": seconds,
        }
        info["history"].append(row)
        info["epoch"], info["seconds"] = epoch + 1, info["seconds"] + seconds
        save_run_state(path, model, opt, info, best)
        if progress is not None:
            progress(epoch + 1, epochs, row)
    model.load_state_dict(best)
    model.eval()
    best_epoch = int(np.argmin([h["val_mpjpe"] for h in info["history"]]))
    info |= {
        "done": True,
        "params": model.num_parameters(),
        "config": model.config.to_dict(),
        "best_epoch": best_epoch,
        "val_mpjpe": info["history"][best_epoch]["val_mpjpe"],
        "test": evaluate(model, sets["test"]),
        "test_noisy": evaluate(model, sets["test_noisy"]),
        "builtin": evaluate(model, builtin_set()),
    }
    save_run_state(path, model, opt, info, best)
    return info


def save_trained(
    run: Mapping[str, Any], state_dir: Path, path: Path, recipe: Mapping[str, Any] = RECIPE, data: str = ""
) -> Lifter:
    """Write a finished run's best weights as a lifter checkpoint ``path.{safetensors,json}``.

    The record holds the seed, epochs, recipe and the run's scores (what the shipped JSONs hold).

    Returns:
        The model written (eval mode).

    Raises:
        ValueError: the state file's weights do not give the run's recorded built-in MPJPE.
    """
    model = best_model(state_dir, run["model"], run["seed"], LifterConfig.from_dict(run["config"]))
    builtin = evaluate(model, builtin_set())
    if abs(builtin["mpjpe"] - run["builtin"]["mpjpe"]) >= 1e-3:
        raise ValueError(f"the state file of {run['model']} seed {run['seed']} does not match its run")
    record = {
        "seed": run["seed"],
        "params": run["params"],
        "best_epoch": run["best_epoch"],
        "epochs": run["epoch"],
        "train_seconds": run["seconds"],
        "recipe": dict(recipe),
        "val_mpjpe": run["val_mpjpe"],
        "test": {k: run["test"][k] for k in ("mpjpe", "p_mpjpe", "poses")},
        "test_noisy": {k: run["test_noisy"][k] for k in ("mpjpe", "p_mpjpe", "poses")},
        "builtin": {k: builtin[k] for k in ("mpjpe", "p_mpjpe", "poses")},
        "data": data,
    }
    save_lifter(model, path, record)
    return model

"""A resumable training run's state on disk, and the cosine learning-rate schedule such runs use.

A run's state is ``PATH.safetensors`` (the model's weights under ``model.``, the best weights so
far under ``best.``, the optimizer's per-parameter tensors under ``opt.<index>.<name>``) and
``PATH.json`` (the run's record: epoch, history, seconds...). :func:`save_run_state` writes both
after every epoch (the weights through a temporary file, so an interrupted write leaves the last
state whole); :func:`load_run_state` puts them back. Never a pickle.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file


def save_run_state(
    path: Path,
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    info: dict[str, Any],
    best: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write the run's weights, optimizer state and best weights (if any) and its record ``info``."""
    path = Path(path)
    tensors = {f"model.{k}": v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    tensors |= {f"best.{k}": v.clone().contiguous() for k, v in (best or {}).items()}
    for idx, state in opt.state_dict()["state"].items():
        for name, value in state.items():
            tensors[f"opt.{idx}.{name}"] = torch.as_tensor(value).clone().contiguous()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp))
    tmp.replace(path.with_suffix(".safetensors"))
    path.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")


def load_run_state(
    path: Path, model: torch.nn.Module, opt: torch.optim.Optimizer | None = None
) -> dict[str, torch.Tensor]:
    """Put a state written by :func:`save_run_state` back into ``model`` (and ``opt``).

    Returns:
        The best weights so far (empty if the state has none).
    """
    tensors = load_file(str(Path(path).with_suffix(".safetensors")))
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    if opt is not None:
        opt_state = opt.state_dict()
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, idx, name = key.split(".", 2)
                opt_state["state"].setdefault(int(idx), {})[name] = value
        opt.load_state_dict(opt_state)
    return {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}


def cosine_lr(step: int, steps: int, lr: float, final_fraction: float) -> float:
    """Cosine decay from ``lr`` at step 0 to ``lr * final_fraction`` at step ``steps - 1``.

    Example:
        >>> cosine_lr(0, 30, 1e-3, 0.05), round(cosine_lr(29, 30, 1e-3, 0.05), 8)
        (0.001, 5e-05)
    """
    low = lr * final_fraction
    return low + (lr - low) * 0.5 * (1 + math.cos(math.pi * step / max(steps - 1, 1)))

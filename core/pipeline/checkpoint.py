"""Per-epoch checkpoints of a pipeline run, written stage by stage; safetensors and JSON, no pickle.

A checkpoint folder holds, for epoch e:

- ``e<e>-stage<s>.safetensors``: stage s's parameters (``model.<name>``, GCNII names), its
  best-validation parameters (``best.<name>``), Adam's state (``opt.<name>.<field>``) and its
  historical-embedding cache (``cache.*``);
- ``e<e>-stage<s>.json``: the stage's loop state (epoch, best epoch, early-stopping state,
  history);
- ``latest.json``: written by rank 0 (atomically) once every stage has written epoch e:
  the epoch, the stage bounds and the run's configs. A run that dies mid-epoch leaves the
  previous ``latest.json`` and its files intact, so :func:`load_pipeline_model` always reads a
  complete epoch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from nodescope.core.errors import LoadError
from nodescope.core.models import ModelConfig, NodeModel, build

LATEST = "latest.json"


def stage_path(folder: Path, epoch: int, stage: int) -> Path:
    """``folder/e<epoch>-stage<stage>`` (add ``.safetensors`` / ``.json``)."""
    return folder / f"e{epoch}-stage{stage}"


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_stage(folder: Path, epoch: int, stage: int, tensors: dict[str, torch.Tensor], meta: dict) -> None:
    """Write one stage's tensors and loop state for ``epoch`` (each file replaced atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = stage_path(folder, epoch, stage)
    tmp = base.with_name(base.name + ".tmp.safetensors")
    save_file({k: v.detach().cpu().contiguous().clone() for k, v in tensors.items()}, str(tmp))
    os.replace(tmp, base.with_suffix(".safetensors"))
    _atomic_text(base.with_suffix(".json"), json.dumps(meta) + "\n")


def read_stage(folder: Path, epoch: int, stage: int) -> tuple[dict[str, torch.Tensor], dict]:
    """The tensors and loop state :func:`write_stage` wrote."""
    base = stage_path(folder, epoch, stage)
    return load_file(str(base.with_suffix(".safetensors"))), json.loads(base.with_suffix(".json").read_text())


def write_latest(folder: Path, epoch: int, record: dict[str, Any], *, keep: int = 2) -> None:
    """Point ``latest.json`` at ``epoch`` and delete the stage files of older epochs but ``keep`` - 1."""
    _atomic_text(folder / LATEST, json.dumps({**record, "epoch": epoch}, indent=2) + "\n")
    kept = sorted({int(p.name[1:].split("-")[0]) for p in folder.glob("e*-stage*.json")})
    for old in kept[: max(0, len(kept) - keep)]:
        for p in folder.glob(f"e{old}-stage*"):
            p.unlink(missing_ok=True)


def read_latest(folder: Path) -> dict[str, Any] | None:
    """``latest.json`` of ``folder``, or None when no epoch was completed."""
    path = folder / LATEST
    return json.loads(path.read_text()) if path.exists() else None


def load_pipeline_model(folder: Path, *, best: bool = True) -> tuple[NodeModel, dict[str, Any]]:
    """The GCNII of the last complete epoch in ``folder``, its stages' parameters put together.

    Args:
        folder: a pipeline checkpoint folder.
        best: the best-validation parameters so far (else the current ones).

    Returns:
        The model (eval mode, CPU) and ``latest.json``.

    Raises:
        LoadError: one line when the folder holds no complete epoch or its files do not fit.
    """
    latest = read_latest(folder)
    if latest is None:
        raise LoadError(f"No complete pipeline checkpoint in {folder}.")
    model = build(ModelConfig(**latest["model_config"]))
    prefix = "best." if best else "model."
    state: dict[str, torch.Tensor] = {}
    try:
        for s in range(len(latest["bounds"])):
            tensors, _ = read_stage(folder, latest["epoch"], s)
            state |= {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        model.load_state_dict(state, strict=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise LoadError(
            f"The pipeline checkpoint in {folder} is incomplete ({str(exc).splitlines()[0]})."
        ) from exc
    return model.eval(), latest

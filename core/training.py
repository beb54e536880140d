"""Node-classification training: fixed seeds, early stopping on validation, progress callbacks.

The same loop serves the CLI (``nodescope train``), the app (a progress bar) and the
scripts in ``examples/`` that train the shipped weights; :func:`core.recipes.fit` runs it with a
model's recipe for a sample.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data

from nodescope.core.device import device
from nodescope.core.models import MODELS, ModelConfig, NodeModel, build

#: ``progress(epoch, max_epochs, metrics)``; return ``False`` to stop early (a Cancel button).
Progress = Callable[[int, int, dict[str, float]], bool | None]
#: Which validation numbers pick the kept weights and drive early stopping (see :class:`TrainConfig`).
Criterion = Literal["val_loss", "val_acc"]


@dataclass(frozen=True)
class TrainConfig:
    """Optimization settings (defaults: the GCN/GAT papers' Cora settings).

    Attributes:
        lr: Adam learning rate.
        weight_decay: L2 penalty (Adam's ``weight_decay``).
        max_epochs: upper bound on full-batch epochs.
        patience: stop after this many epochs without improvement (see ``criterion``).
        seed: seeds Python, NumPy and torch (initialization and dropout).
        criterion: ``val_loss`` keeps the weights of the lowest validation loss and stops
            ``patience`` epochs after it; ``val_acc`` keeps the highest validation accuracy
            (lower validation loss breaks ties) and stops after ``patience`` epochs in which
            neither the validation accuracy nor the validation loss beat its best so far
            (the GAT paper's rule).
    """

    lr: float = 0.01
    weight_decay: float = 5e-4
    max_epochs: int = 500
    patience: int = 100
    seed: int = 0
    criterion: Criterion = "val_loss"


@dataclass
class TrainResult:
    """What training produced, and the settings it ran with. Accuracies are fractions in [0, 1]."""

    model: NodeModel
    settings: TrainConfig
    train_acc: float
    val_acc: float
    test_acc: float
    best_epoch: int
    epochs: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)
    cancelled: bool = False


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's global and torch's random number generators with ``seed``."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  libraries that draw from the legacy global RNG
    torch.manual_seed(seed)


def random_split(
    y: Tensor, *, train_per_class: int = 20, val_fraction: float = 0.2, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor]:
    """Planetoid-style split for graphs that ship none.

    ``train_per_class`` nodes per class (at most half of a class), ``val_fraction`` of the rest
    for validation, the remainder for test.

    Returns boolean (N,) masks (train, val, test).
    """
    gen = torch.Generator().manual_seed(seed)
    n = y.numel()
    train = torch.zeros(n, dtype=torch.bool)
    for c in torch.unique(y[y >= 0]):
        members = (y == c).nonzero().flatten()
        members = members[torch.randperm(members.numel(), generator=gen)]
        train[members[: max(1, min(train_per_class, members.numel() // 2))]] = True
    rest = (~train & (y >= 0)).nonzero().flatten()
    rest = rest[torch.randperm(rest.numel(), generator=gen)]
    n_val = int(round(val_fraction * rest.numel()))
    val = torch.zeros(n, dtype=torch.bool)
    test = torch.zeros(n, dtype=torch.bool)
    val[rest[:n_val]] = True
    test[rest[n_val:]] = True
    return train, val, test


def with_split(data: Data, *, seed: int = 0) -> Data:
    """``data`` with train/val/test masks: its own when it has all three, else :func:`random_split`."""
    if all(getattr(data, m, None) is not None for m in ("train_mask", "val_mask", "test_mask")):
        return data
    if data.y is None:
        raise ValueError("this graph has no node labels to train on")
    out = copy.copy(data)
    out.train_mask, out.val_mask, out.test_mask = random_split(data.y, seed=seed)
    return out


def accuracy(logits: Tensor, y: Tensor, mask: Tensor) -> float:
    """Share of the nodes in ``mask`` whose argmax of (N, C) ``logits`` is ``y``; NaN for an empty mask."""
    if int(mask.sum()) == 0:
        return float("nan")
    return float((logits[mask].argmax(-1) == y[mask]).float().mean())


class _EarlyStopping:
    """Tracks the best validation epoch for a :data:`Criterion` and counts epochs without progress."""

    def __init__(self, criterion: Criterion, patience: int) -> None:
        if criterion not in ("val_loss", "val_acc"):
            raise ValueError(f"unknown early-stopping criterion {criterion!r}")
        self.criterion, self.patience = criterion, patience
        self.best_loss, self.best_acc = float("inf"), -1.0  # best of each seen so far
        self.kept = (-1.0, float("inf"))  # (val acc, val loss) of the kept weights
        self.stale = 0

    def update(self, val_acc: float, val_loss: float) -> bool:
        """Record one epoch; True when its weights should replace the kept ones."""
        if self.criterion == "val_loss":
            better = val_loss < self.best_loss
            progressed = better
        else:
            better = (val_acc, -val_loss) > (self.kept[0], -self.kept[1])
            progressed = val_acc > self.best_acc or val_loss < self.best_loss
        self.best_loss, self.best_acc = min(self.best_loss, val_loss), max(self.best_acc, val_acc)
        if better:
            self.kept = (val_acc, val_loss)
        self.stale = 0 if progressed else self.stale + 1
        return better

    def should_stop(self) -> bool:
        return self.stale >= self.patience


def train(
    config: ModelConfig,
    data: Data,
    settings: TrainConfig = TrainConfig(),
    *,
    progress: Progress | None = None,
) -> TrainResult:
    """Train a fresh model for ``config`` on ``data`` (full batch) and keep the best-validation weights.

    ``data`` needs ``y`` and masks (see :func:`with_split`). The returned model is in eval
    mode on :func:`core.device.device`.
    """
    seed_everything(settings.seed)
    dev = device()
    model = build(config).to(dev)
    data = model.prepare(data).to(dev)
    model.before_training(data)  # a model's own first step (X-Node: mute its vote cues)
    opt = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    stopper = _EarlyStopping(settings.criterion, settings.patience)
    best_state, best_epoch = copy.deepcopy(model.state_dict()), 0
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    cancelled = False
    epoch = 0
    for epoch in range(1, settings.max_epochs + 1):
        model.train()
        opt.zero_grad()
        out = model(data)
        loss = F.cross_entropy(out.logits[data.train_mask], data.y[data.train_mask])
        if out.aux_loss is not None:  # e.g. X-Node's reconstruction loss, over all nodes (no labels)
            loss = loss + out.aux_loss
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            logits = model(data).logits
            val_loss = float(F.cross_entropy(logits[data.val_mask], data.y[data.val_mask]))
        row = {
            "epoch": epoch,
            "loss": float(loss.detach()),
            "val_loss": val_loss,
            "train_acc": accuracy(logits, data.y, data.train_mask),
            "val_acc": accuracy(logits, data.y, data.val_mask),
        }
        if out.aux_loss is not None:
            row["aux_loss"] = float(out.aux_loss.detach())
        history.append(row)
        if stopper.update(row["val_acc"], val_loss):
            best_state, best_epoch = copy.deepcopy(model.state_dict()), epoch
        if progress is not None and progress(epoch, settings.max_epochs, row) is False:
            cancelled = True
            break
        if stopper.should_stop():
            break
    model.load_state_dict(best_state)
    model.eval()
    model.after_training(data)  # a model's own last step (X-Node: fit its explanation)
    with torch.no_grad():
        logits = model(data).logits
    return TrainResult(
        model=model,
        settings=settings,
        train_acc=accuracy(logits, data.y, data.train_mask),
        val_acc=accuracy(logits, data.y, data.val_mask),
        test_acc=accuracy(logits, data.y, data.test_mask),
        best_epoch=best_epoch,
        epochs=epoch,
        seconds=time.perf_counter() - start,
        history=history,
        cancelled=cancelled,
    )


def settings_for(model: str, **overrides: object) -> TrainConfig:
    """The training settings a registered model's paper used (``ModelSpec.training``), then ``overrides``."""
    return TrainConfig(**{**MODELS[model].training, **overrides})

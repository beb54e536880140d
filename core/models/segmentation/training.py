"""Training and scoring the mesh segmenters: whole meshes per batch, class-weighted cross-entropy, resumable.

**Recipe** (:class:`SegmentTrainSettings`). The input normalizer is fitted once on every
training face. Each epoch visits the training shapes in an order drawn from (seed, epoch),
``batch`` shapes at a time as one disjoint graph, and minimizes the cross-entropy of the face
labels with class weights ``(frequency)^-½`` (normalized to mean 1 over the classes present), so
that small parts (necks, tails, handles) count. AdamW, cosine decay from ``lr`` to
``lr·final_lr_fraction``. The weights with the best validation mIoU are kept.

No rotation augmentation: every input feature is invariant to rotation
(:mod:`core.segmentation.dual`), so a rotated copy would be the same example.

**Resuming.** The run's state (weights, optimizer, best weights, epoch, history) is written
after every epoch (:mod:`core.run_state`); each epoch's order and dropout come from generators
seeded by (seed, epoch), so a resumed run continues from the next epoch with the draws of an
uninterrupted one, and a finished run is read back, not trained again.

**Scores** (:func:`scores`): face accuracy (the fraction of faces labeled right, over all faces
of all shapes) and mIoU: per shape, the mean over the parts in its truth or its prediction of
``|pred ∩ truth| / |pred ∪ truth|`` (faces), averaged over shapes (the usual per-shape part mIoU).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nodescope.core.models.segmentation.networks import Segmenter
from nodescope.core.run_state import cosine_lr, load_run_state, save_run_state
from nodescope.core.segmentation.dataset import SegmentationSample


@dataclass(frozen=True)
class SegmentTrainSettings:
    """The optimization recipe (see the module docstring)."""

    epochs: int = 20
    batch: int = 6
    lr: float = 3e-3
    weight_decay: float = 1e-4
    final_lr_fraction: float = 0.05
    seed: int = 0


def collate(
    samples: Sequence[SegmentationSample],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``samples`` as one disjoint graph: x (T, F), edge_index (2, E), edge_attr (E, 1), y (T,)."""
    offsets = np.cumsum([0] + [s.graph.num_faces for s in samples[:-1]])
    x = torch.cat([s.graph.x for s in samples])
    edges = torch.cat([s.graph.edge_index + int(o) for s, o in zip(samples, offsets, strict=True)], dim=1)
    attr = torch.cat([s.graph.edge_attr for s in samples])
    return x, edges, attr, torch.cat([s.y for s in samples])


def class_weights(samples: Sequence[SegmentationSample], classes: int) -> torch.Tensor:
    """(C,) ``frequency^-½`` per class, mean 1 over the classes present, 0 for absent ones."""
    counts = np.bincount(np.concatenate([s.mesh.part for s in samples]), minlength=classes).astype(float)
    w = np.where(counts > 0, 1 / np.sqrt(np.maximum(counts, 1)), 0.0)
    return torch.as_tensor(w / w[counts > 0].mean(), dtype=torch.float32)


def shape_iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean IoU over the parts in ``truth`` or ``pred`` ((T,) labels of one shape).

    Example:
        >>> shape_iou(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1]))
        0.5833333333333333
    """
    ious = []
    for part in np.union1d(pred, truth):
        p, t = pred == part, truth == part
        ious.append((p & t).sum() / (p | t).sum())
    return float(np.mean(ious))


def predictions(model: Segmenter, samples: Sequence[SegmentationSample]) -> list[np.ndarray]:
    """(T,) predicted labels per sample (eval mode, on the model's device)."""
    dev = next(model.parameters()).device
    out = []
    for s in samples:
        g = s.graph
        out.append(model.predict(g.x.to(dev), g.edge_index.to(dev), g.edge_attr.to(dev)).cpu().numpy())
    return out


def scores(model: Segmenter, samples: Sequence[SegmentationSample]) -> dict[str, float]:
    """``accuracy`` (over faces) and ``miou`` (mean per-shape mIoU) of ``model`` on ``samples``."""
    preds = predictions(model, samples)
    truth = [s.mesh.part for s in samples]
    correct = sum(int((p == t).sum()) for p, t in zip(preds, truth, strict=True))
    return {
        "accuracy": correct / sum(len(t) for t in truth),
        "miou": float(np.mean([shape_iou(p, t) for p, t in zip(preds, truth, strict=True)])),
    }


def train(
    model: Segmenter,
    train_set: Sequence[SegmentationSample],
    val_set: Sequence[SegmentationSample],
    settings: SegmentTrainSettings,
    *,
    state_path: Path | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Train ``model`` in place (resuming from ``state_path`` if a state is there); best weights at the end.

    Returns:
        The run's record: ``epoch``, ``seconds`` (wall) and ``cpu_seconds`` (this process's CPU
        time), ``history`` (epoch, loss, val mIoU),
        ``best_epoch``, ``best_val_miou``, ``settings``.
    """
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    info: dict[str, Any] = {"epoch": 0, "seconds": 0.0, "history": [], "settings": asdict(settings)}
    best: dict[str, torch.Tensor] = {}
    if state_path is not None and Path(state_path).with_suffix(".json").is_file():
        info = json.loads(Path(state_path).with_suffix(".json").read_text())
        best = load_run_state(state_path, model, opt)
    else:
        model.norm_in.fit(torch.cat([s.graph.x for s in train_set]))
    weights = class_weights(train_set, model.config.classes)
    start = time.perf_counter() - info["seconds"]
    cpu_start = time.process_time() - info.get("cpu_seconds", 0.0)
    for epoch in range(info["epoch"], settings.epochs):
        model.train()
        rng = np.random.default_rng([settings.seed, epoch])
        order = rng.permutation(len(train_set))
        torch.manual_seed(int(rng.integers(2**31)))  # dropout's draws: a resumed epoch draws the same
        lr = cosine_lr(epoch, settings.epochs, settings.lr, settings.final_lr_fraction)
        for group in opt.param_groups:
            group["lr"] = lr
        losses = []
        for i in range(0, len(order), settings.batch):
            x, edges, attr, y = collate([train_set[j] for j in order[i : i + settings.batch]])
            logits = model(x, edges, attr).logits
            loss = torch.nn.functional.cross_entropy(logits, y, weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        val = scores(model, val_set)["miou"]
        info["history"].append([epoch + 1, float(np.mean(losses)), val])
        if not best or val > info.get("best_val_miou", -1.0):
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
            info |= {"best_epoch": epoch + 1, "best_val_miou": val}
        info |= {
            "epoch": epoch + 1,
            "seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - cpu_start,
        }
        if state_path is not None:
            save_run_state(state_path, model, opt, info, best)
        if progress is not None:
            progress(epoch + 1, settings.epochs, float(np.mean(losses)))
    if best:
        model.load_state_dict(best)
    return info

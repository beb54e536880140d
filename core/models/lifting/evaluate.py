"""Scoring a lifting model on a lifting set, and the fixed evaluation sets the README reports.

- :func:`mocap_sets`: the CMU clips of ``../shared/data/mocap`` split by subject with
  :func:`core.skeleton.dataset.split_subjects` (seed :data:`SPLIT_SEED`: train 02, 07, 13, 60;
  validation 08; test 09, 12), the validation and test poses seen by fixed random cameras;
- :func:`builtin_set`: the procedural walk and jump (:mod:`core.skeleton.synthetic`) through
  fixed cameras, so shipped weights can be checked without ``../shared``. Its skeleton has
  other bone lengths than the CMU clips' (one retargeted figure), so its errors are larger.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from nodescope.core.models.lifting.base import Lifter
from nodescope.core.skeleton.dataset import (
    Clip,
    LiftingSet,
    build_lifting_set,
    list_clips,
    load_clip,
    read_actions,
    split_subjects,
    subject_of,
)
from nodescope.core.skeleton.metrics import joint_errors, per_group, per_joint, procrustes_align
from nodescope.core.skeleton.synthetic import jump, walk

#: Seed of the subject split.
SPLIT_SEED = 0
#: (stride, cameras per frame, camera seed) of the validation and test sets.
VAL_VIEW = (4, 4, 7)
TEST_VIEW = (2, 4, 11)
#: 2D noise of the noisy test set, pixels per axis.
TEST_NOISE_PX = 5.0
#: Cameras per frame and their seed for :func:`builtin_set`.
BUILTIN_VIEW = (4, 0)


def predict(model: Lifter, data: LiftingSet, batch: int = 4096) -> np.ndarray:
    """(M, 17, 3) float64 predicted root-relative camera-frame joints, metres, for ``data``."""
    device = next(model.parameters()).device
    out = model.predict(
        torch.as_tensor(data.keypoints_2d, device=device),
        torch.as_tensor(data.focal, device=device),
        torch.as_tensor(data.image_size, dtype=torch.float32, device=device),
        batch=batch,
    )
    return out.cpu().numpy().astype(np.float64)


def score(pred: np.ndarray, data: LiftingSet) -> dict[str, Any]:
    """MPJPE and P-MPJPE (mm) of ``pred`` against ``data``, overall, per joint and per action.

    Returns:
        ``mpjpe``, ``p_mpjpe`` (floats), ``per_joint`` and ``per_joint_p`` (17 floats, Human3.6M
        order), ``per_action`` and ``per_action_p`` (action -> float), ``poses``.
    """
    errors = joint_errors(pred, data.joints_3d)
    aligned = joint_errors(procrustes_align(pred, data.joints_3d), data.joints_3d)
    labels = (
        np.array([data.actions[c] or data.clip_names[c] for c in data.clip]) if len(data) else np.array([])
    )
    return {
        "mpjpe": float(errors.mean()),
        "p_mpjpe": float(aligned.mean()),
        "per_joint": per_joint(errors).tolist(),
        "per_joint_p": per_joint(aligned).tolist(),
        "per_action": per_group(errors, labels),
        "per_action_p": per_group(aligned, labels),
        "poses": len(data),
    }


def evaluate(model: Lifter, data: LiftingSet) -> dict[str, Any]:
    """:func:`score` of ``model``'s predictions on ``data``."""
    return score(predict(model, data), data)


def builtin_set() -> LiftingSet:
    """The procedural walk and jump (30 fps) through :data:`BUILTIN_VIEW` random cameras per frame."""
    clips = [
        Clip("walk", "procedural", walk(), 30.0, "walk"),
        Clip("jump", "procedural", jump(), 30.0, "jump"),
    ]
    cameras, seed = BUILTIN_VIEW
    return build_lifting_set(clips, cameras=cameras, seed=seed)


def mocap_clips(folder: Path | str, stride: int = 1) -> dict[str, list[Clip]]:
    """The clips of ``folder`` per split (``train``, ``val``, ``test``), every ``stride``-th frame."""
    paths = list_clips(folder)
    splits = split_subjects([subject_of(p) for p in paths], seed=SPLIT_SEED)
    actions = read_actions(folder)
    clips = {p.stem: load_clip(p, stride=stride, action=actions.get(p.stem, "")) for p in paths}
    return {
        name: [clips[p.stem] for p in paths if subject_of(p) in subjects] for name, subjects in splits.items()
    }


def mocap_sets(folder: Path | str) -> dict[str, LiftingSet]:
    """The fixed evaluation sets: ``val``, ``test`` (exact 2D) and ``test_noisy`` (σ = 5 px, same cameras)."""
    clips = mocap_clips(folder)
    out = {}
    for name, (stride, cameras, seed), noise in (
        ("val", VAL_VIEW, 0.0),
        ("test", TEST_VIEW, 0.0),
        ("test_noisy", TEST_VIEW, TEST_NOISE_PX),
    ):
        split = clips[name.removesuffix("_noisy")]
        strided = [
            Clip(c.name, c.subject, c.joints[::stride], c.frame_rate / stride, c.action) for c in split
        ]
        out[name] = build_lifting_set(strided, cameras=cameras, noise_px=noise, seed=seed)
    return out

"""Pose errors: MPJPE and Procrustes-aligned P-MPJPE, per joint and per group (action, clip).

Both take predicted and true joints in metres, (N, 17, 3) (any joint count works), and report
millimetres:

- **MPJPE**: the mean Euclidean distance between predicted and true joints, over joints and poses
  (both root-relative here, so the pelvis error is 0 and is counted, as Human3.6M's protocol 1).
- **P-MPJPE**: the same after aligning each predicted pose to its truth by the similarity
  transform (rotation, uniform scale, translation) that minimizes the squared error (Procrustes,
  by SVD, reflections excluded), as Human3.6M's protocol 2. It removes the global orientation and
  size errors and keeps the errors of the pose itself.
"""

from __future__ import annotations

import numpy as np

#: Metres to millimetres.
MM = 1000.0


def joint_errors(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(N, J) Euclidean distance of each joint, millimetres, from (N, J, 3) metres."""
    pred, truth = np.asarray(pred, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if pred.shape != truth.shape:
        raise ValueError(f"predicted joints {pred.shape} and true joints {truth.shape} differ in shape")
    return MM * np.linalg.norm(pred - truth, axis=-1)


def procrustes_align(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """(N, J, 3) each predicted pose moved by the best similarity transform onto its truth.

    Finds per pose ``s, R, t`` minimizing ``sum_j |s R p_j + t - g_j|^2`` with ``R`` a proper
    rotation (Umeyama 1991), and returns ``s R p_j + t``.
    """
    pred, truth = np.asarray(pred, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    mu_p, mu_g = pred.mean(1, keepdims=True), truth.mean(1, keepdims=True)
    p, g = pred - mu_p, truth - mu_g
    u, sigma, vt = np.linalg.svd(np.swapaxes(p, 1, 2) @ g)  # (N, 3, 3): p^T g = U S V^T
    sign = np.sign(np.linalg.det(u @ vt))  # -1: flip the weakest axis to avoid a reflection
    d = np.ones_like(sigma)
    d[:, -1] = sign
    rotation = (u * d[:, None, :]) @ vt  # maps p (row vectors) onto g: p @ rotation
    var_p = (p**2).sum((1, 2))
    scale = (sigma * d).sum(1) / np.where(var_p > 0, var_p, 1.0)
    return scale[:, None, None] * (p @ rotation) + mu_g


def mpjpe(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean per-joint position error, millimetres, of (N, J, 3) metres."""
    return float(joint_errors(pred, truth).mean())


def p_mpjpe(pred: np.ndarray, truth: np.ndarray) -> float:
    """MPJPE after :func:`procrustes_align`, millimetres."""
    return float(joint_errors(procrustes_align(pred, truth), truth).mean())


def per_joint(errors: np.ndarray) -> np.ndarray:
    """(J,) mean error of each joint over poses, from (N, J) :func:`joint_errors`."""
    return np.asarray(errors).mean(0)


def per_group(errors: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Mean error (millimetres) per label (an action, a clip), from (N, J) errors and (N,) labels.

    Returns:
        Label -> mean over its poses and joints, labels sorted.
    """
    errors, labels = np.asarray(errors), np.asarray(labels)
    return {str(label): float(errors[labels == label].mean()) for label in sorted(set(labels.tolist()))}

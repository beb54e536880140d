"""What a lifting model does with a clip, and where its joints look: errors, hop-wise attention.

- :func:`lift_clip`: lift a clip's 2D (with optional 2D noise, as a keypoint detector's) and
  score it per joint and per frame against the truth;
- :func:`hop_attention`: HopFIR's attention from one joint to the joints at hop 1, 2, 3, ...,
  per head, and its fusion weights across hops
  (:meth:`core.models.lifting.hopfir.HopFIRLifter.attention`);
- :func:`gcn_weights`: what a SemGCN convolution takes from a joint's bone neighbors: the plain
  GCN's uniform mean, then each convolution's learned weights
  (:meth:`core.models.lifting.semgcn.SemGCNLifter.adjacency_weights`), for contrast: they
  never reach past hop 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from nodescope.core.models.lifting import HopFIRLifter, Lifter, SemGCNLifter
from nodescope.core.skeleton.camera import add_noise
from nodescope.core.skeleton.joints import hop_matrix
from nodescope.core.skeleton.metrics import joint_errors, p_mpjpe
from nodescope.core.skeleton.scene import LiftingView


@dataclass(frozen=True)
class LiftedClip:
    """A model's 3D for a clip and its errors.

    Attributes:
        keypoints_2d: (F, 17, 2) the pixels the model saw (with the noise).
        pred_3d: (F, 17, 3) metres, camera frame, pelvis at the origin.
        truth_3d: (F, 17, 3) the same for the truth, or None.
        errors: (F, 17) millimetres per joint and frame, or None.
        per_frame: (F,) MPJPE per frame, millimetres, or None.
        mpjpe: over the clip, millimetres, or None.
        p_mpjpe: Procrustes-aligned, millimetres, or None.
    """

    keypoints_2d: np.ndarray
    pred_3d: np.ndarray
    truth_3d: np.ndarray | None
    errors: np.ndarray | None
    per_frame: np.ndarray | None
    mpjpe: float | None
    p_mpjpe: float | None


def noisy_keypoints(view: LiftingView, noise_px: float, seed: int = 0) -> np.ndarray:
    """(F, 17, 2) the view's keypoints plus Gaussian noise of ``noise_px`` pixels per axis (seeded)."""
    return add_noise(view.keypoints_2d, float(noise_px), np.random.default_rng(seed))


def _inputs(model: Lifter, keypoints: np.ndarray, view: LiftingView) -> tuple[torch.Tensor, ...]:
    device = next(model.parameters()).device
    frames = keypoints.shape[0]
    return (
        torch.as_tensor(keypoints, dtype=torch.float32, device=device),
        torch.full((frames,), float(view.focal), device=device),
        torch.tensor([view.image_size], dtype=torch.float32, device=device).expand(frames, 2),
    )


def lift_clip(model: Lifter, view: LiftingView, noise_px: float = 0.0, seed: int = 0) -> LiftedClip:
    """Lift every frame of ``view`` with 2D noise of ``noise_px`` pixels and score it.

    Args:
        model: a lifter.
        view: the clip (:func:`core.skeleton.scene.lifting_view`).
        noise_px: standard deviation of the 2D noise, pixels per axis (0: exact 2D).
        seed: the noise's seed.
    """
    keypoints = noisy_keypoints(view, noise_px, seed)
    pred = model.predict(*_inputs(model, keypoints, view)).cpu().numpy().astype(np.float64)
    if view.truth_3d is None:
        return LiftedClip(keypoints, pred, None, None, None, None, None)
    errors = joint_errors(pred, view.truth_3d)
    return LiftedClip(
        keypoints_2d=keypoints,
        pred_3d=pred,
        truth_3d=view.truth_3d,
        errors=errors,
        per_frame=errors.mean(1),
        mpjpe=float(errors.mean()),
        p_mpjpe=p_mpjpe(pred, view.truth_3d),
    )


@dataclass(frozen=True)
class HopWeights:
    """Where one joint looks in one HopFIR layer, hop by hop.

    Attributes:
        joint: the joint (Human3.6M index).
        layer: the layer, 0-based.
        hops: (K,) the hop distances 1..K at which the joint has joints.
        attention: (H, K, 17) ``[h, k - 1, j]``: head ``h``'s attention from ``joint`` to ``j``
            within the hop-``k`` group (sums to 1 over the group; 0 outside it).
        fusion: (H, K) each head's weight of each hop group (sums to 1 over the hops).
        effective: (H, 17) the attention after fusion, ``sum_k fusion[h, k] attention[h, k]``.
    """

    joint: int
    layer: int
    hops: np.ndarray
    attention: np.ndarray
    fusion: np.ndarray
    effective: np.ndarray


def hop_attention(
    model: HopFIRLifter, keypoints: np.ndarray, view: LiftingView, joint: int, layer: int
) -> HopWeights:
    """HopFIR's attention from ``joint`` in ``layer`` for one pose.

    Args:
        model: a HopFIR lifter.
        keypoints: (17, 2) one pose's pixels (taken by ``view``'s camera).
        view: gives the camera (focal length, image size).
        joint: the joint that looks.
        layer: 0-based layer; negative counts from the last.
    """
    maps = model.attention(*_inputs(model, np.asarray(keypoints)[None], view))
    m = maps[layer]
    k = int(hop_matrix()[joint].max())
    attention = m.hop[0, :, :k, joint, :]  # (H, K, 17)
    fusion = m.fusion[:, joint, :k]  # (H, K)
    return HopWeights(
        joint=joint,
        layer=layer % len(maps),
        hops=np.arange(1, k + 1),
        attention=attention,
        fusion=fusion,
        effective=np.einsum("hkj,hk->hj", attention, fusion),
    )


def gcn_weights(model: SemGCNLifter, joint: int) -> tuple[np.ndarray, list[str]]:
    """What each SemGCN convolution takes from each joint for ``joint``'s new feature.

    Returns:
        (L + 1, 17) rows: the plain GCN's uniform mean over the joint and its bone neighbors,
        then each of the L convolutions' learned weights, input to output (each row sums to 1,
        zero past hop 1); and the rows' titles.
    """
    weights = model.adjacency_weights()
    rows = np.concatenate([weights["fixed"][None, joint], weights["learned"][:, joint]])
    titles = ["plain GCN (uniform)"] + [f"conv {i + 1}" for i in range(len(weights["learned"]))]
    return rows, titles

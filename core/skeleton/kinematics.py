"""Forward kinematics in numpy, vectorized over frames: joint rotations and offsets to positions.

Conventions (those of BVH): column vectors; a joint's local rotation is the product of its
per-axis rotations in channel order (channels ``Zrotation Xrotation Yrotation`` give
``R_local = Rz @ Rx @ Ry``); a joint's global rotation is ``R = R_parent @ R_local``; its
position is ``p = p_parent + R_parent @ (offset + t)`` where ``t`` holds its position channels
(zero when it has none). The root's position is its offset plus its position channels.
Angles are degrees; positions keep the units of the offsets.
"""

from __future__ import annotations

import numpy as np

from nodescope.core.skeleton.bvh import BvhMotion

_AXES = {"X": 0, "Y": 1, "Z": 2}


def axis_rotation(axis: str, degrees: np.ndarray) -> np.ndarray:
    """(..., 3, 3) right-handed rotations by ``degrees`` (...) about ``axis`` (``"X"``, ``"Y"``, ``"Z"``).

    Example:
        >>> axis_rotation("Z", np.array(90.0)).round(6) @ np.array([1.0, 0.0, 0.0])
        array([0., 1., 0.])
    """
    a = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    i = _AXES[axis]
    j, k = (i + 1) % 3, (i + 2) % 3
    out[..., i, i] = 1.0
    out[..., j, j] = c
    out[..., k, k] = c
    out[..., j, k] = -s
    out[..., k, j] = s
    return out


def euler_rotation(angles: np.ndarray, order: str) -> np.ndarray:
    """(..., 3, 3) the product of per-axis rotations in ``order`` (``"ZXY"``: ``Rz @ Rx @ Ry``).

    Args:
        angles: (..., len(order)) degrees, one column per letter of ``order``.
        order: axis letters, each at most once (any subset of XYZ, in any order).
    """
    angles = np.asarray(angles, dtype=np.float64)
    out = np.broadcast_to(np.eye(3), angles.shape[:-1] + (3, 3)).copy()
    for col, axis in enumerate(order):
        out = out @ axis_rotation(axis, angles[..., col])
    return out


def forward_kinematics(
    parents: np.ndarray,
    offsets: np.ndarray,
    rotations: np.ndarray,
    translations: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Global positions and rotations of every joint in every frame.

    Args:
        parents: (J,) parent index of each joint, -1 for roots; a parent comes before its child.
        offsets: (J, 3) each joint's offset from its parent (roots: from the origin).
        rotations: (F, J, 3, 3) local rotations.
        translations: (F, J, 3) position channels added to the offsets, or None.

    Returns:
        (F, J, 3) positions in the offsets' units and (F, J, 3, 3) global rotations.
    """
    frames, joints = rotations.shape[:2]
    local = np.broadcast_to(offsets, (frames, joints, 3)).astype(np.float64)
    if translations is not None:
        local = local + translations
    pos = np.empty((frames, joints, 3))
    rot = np.empty((frames, joints, 3, 3))
    for j, p in enumerate(np.asarray(parents)):
        if p < 0:
            pos[:, j] = local[:, j]
            rot[:, j] = rotations[:, j]
        else:
            if p >= j:
                raise ValueError(f"joint {j}'s parent {p} must come before it")
            pos[:, j] = pos[:, p] + np.einsum("fab,fb->fa", rot[:, p], local[:, j])
            rot[:, j] = rot[:, p] @ rotations[:, j]
    return pos, rot


def bvh_positions(clip: BvhMotion) -> np.ndarray:
    """(F, J, 3) global positions of every joint of a BVH clip, in file units.

    Each joint's rotation channels, in file order, make its local rotation; its position
    channels move it from its offset (see the module docstring).
    """
    frames, joints = clip.num_frames, len(clip.names)
    rotations = np.broadcast_to(np.eye(3), (frames, joints, 3, 3)).copy()
    translations = np.zeros((frames, joints, 3))
    for j, (chans, where) in enumerate(zip(clip.channels, clip.channel_slices(), strict=True)):
        values = clip.motion[:, where]
        rot_cols = [k for k, c in enumerate(chans) if c.endswith("rotation")]
        if rot_cols:
            order = "".join(chans[k][0] for k in rot_cols)
            rotations[:, j] = euler_rotation(values[:, rot_cols], order)
        for k, c in enumerate(chans):
            if c.endswith("position"):
                translations[:, j, _AXES[c[0]]] = values[:, k]
    positions, _ = forward_kinematics(clip.parents, clip.offsets, rotations, translations)
    return positions

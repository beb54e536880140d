"""The 17-joint human skeleton in Human3.6M order: joint names, bones, the bone graph, hops.

Joint ``i`` is ``JOINT_NAMES[i]``; the bones join each joint to its parent (``PARENTS``, -1 for
the pelvis, the root). Every skeleton array in Nodescope is ordered this way: (frames, 17, 3)
3D positions, (frames, 17, 2) 2D keypoints.

Hop distances come from :func:`core.graph.multi_source_hop_distances` on the bone graph; for
example the left wrist is 6 hops from the right wrist (wrist, elbow, shoulder, thorax,
shoulder, elbow, wrist) and 5 from the pelvis (wrist, elbow, shoulder, thorax, spine, pelvis).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from nodescope.core.graph import multi_source_hop_distances

#: The 17 joints, in Human3.6M order.
JOINT_NAMES: tuple[str, ...] = (
    "pelvis",
    "right hip",
    "right knee",
    "right ankle",
    "left hip",
    "left knee",
    "left ankle",
    "spine",
    "thorax",
    "neck",
    "head",
    "left shoulder",
    "left elbow",
    "left wrist",
    "right shoulder",
    "right elbow",
    "right wrist",
)
NUM_JOINTS = len(JOINT_NAMES)
#: Parent of each joint (-1: the pelvis is the root).
PARENTS: tuple[int, ...] = (-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15)
#: The 16 bones as (parent, child) pairs, in child order.
BONES: tuple[tuple[int, int], ...] = tuple((p, c) for c, p in enumerate(PARENTS) if p >= 0)
#: The pelvis: root-relative positions subtract it.
ROOT = 0


def edge_index() -> np.ndarray:
    """(2, 32) int64 bone graph, both directions of every bone (as the other undirected kinds)."""
    parent, child = np.array(BONES, dtype=np.int64).T
    return np.stack([np.r_[parent, child], np.r_[child, parent]])


@cache
def _hop_matrix() -> np.ndarray:
    hops = multi_source_hop_distances(
        edge_index(), np.arange(NUM_JOINTS), NUM_JOINTS, flow="undirected", max_hops=NUM_JOINTS
    )
    hops = hops.astype(np.int64)
    hops.setflags(write=False)
    return hops


def hop_matrix() -> np.ndarray:
    """(17, 17) int64 hops between every two joints along the bones (0 on the diagonal).

    Example:
        >>> hop_matrix()[JOINT_NAMES.index("left wrist"), JOINT_NAMES.index("right wrist")]
        np.int64(6)
    """
    return _hop_matrix().copy()


def hop_groups(joint: int) -> list[np.ndarray]:
    """The other joints grouped by hop distance from ``joint``: ``groups[k - 1]`` is hop ``k``.

    Args:
        joint: index in :data:`JOINT_NAMES`.

    Returns:
        One sorted int64 array per hop 1, 2, ..., up to the farthest joint.

    Example:
        >>> [g.tolist() for g in hop_groups(JOINT_NAMES.index("thorax"))][:2]
        [[7, 9, 11, 14], [0, 10, 12, 15]]
    """
    row = _hop_matrix()[joint]
    return [np.flatnonzero(row == k) for k in range(1, int(row.max()) + 1)]


def root_relative(joints: np.ndarray) -> np.ndarray:
    """(..., 17, D) positions minus the pelvis' (the pelvis at the origin)."""
    return joints - joints[..., ROOT : ROOT + 1, :]


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """(..., 16) length of each bone of :data:`BONES`, in the units of ``joints`` (..., 17, D)."""
    parent, child = np.array(BONES).T
    return np.linalg.norm(joints[..., child, :] - joints[..., parent, :], axis=-1)

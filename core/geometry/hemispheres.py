"""Two cortical hemispheres in one scene: side by side along x, with one vertex numbering.

The left hemisphere (``lh``) is drawn on the left (x < 0), the right one (``rh``) on the right,
with a gap between them; only x moves, so each hemisphere keeps its own y and z (its front and
top stay where they were). Vertex ids of the pair run ``lh`` first: ``lh`` vertex ``i`` is id
``i``, ``rh`` vertex ``j`` is id ``n_lh + j`` (:func:`pair_ids`, :func:`split_id`).
"""

from __future__ import annotations

import numpy as np

#: The hemispheres, in drawing order (left to right).
HEMIS = ("lh", "rh")
#: The gap between the two hemispheres, as a fraction of the wider one's x extent.
GAP_FRACTION = 0.15


def side_by_side(
    left: np.ndarray, right: np.ndarray, gap_fraction: float = GAP_FRACTION
) -> tuple[np.ndarray, np.ndarray]:
    """Shift two surfaces along x so that ``left`` ends at ``-gap/2`` and ``right`` starts at ``+gap/2``.

    Works for any pair of surfaces of the two hemispheres: spheres (both centered on the origin,
    so they would overlap), inflated surfaces (each in its own frame), pial or white (already
    apart in scanner space; the gap is then made the same).

    Args:
        left: (N, 3) the left hemisphere's vertex positions (mm).
        right: (M, 3) the right hemisphere's vertex positions (mm).
        gap_fraction: the gap, as a fraction of the wider hemisphere's x extent.

    Returns:
        The two (N, 3) and (M, 3) float64 arrays, moved along x only.

    Example:
        >>> a = np.array([[-1.0, 0, 0], [1.0, 0, 0]])
        >>> l, r = side_by_side(a, a, gap_fraction=0.5)
        >>> l[:, 0].tolist(), r[:, 0].tolist()
        ([-2.5, -0.5], [0.5, 2.5])
    """
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    for name, a in (("left", left), ("right", right)):
        if a.ndim != 2 or a.shape[1] != 3 or not len(a):
            raise ValueError(f"{name} must have shape (N, 3) with N > 0, not {a.shape}")
    width = max(np.ptp(left[:, 0]), np.ptp(right[:, 0]))
    half_gap = 0.5 * gap_fraction * width
    shift = np.zeros(3)
    shift[0] = -half_gap - left[:, 0].max()
    left = left + shift
    shift[0] = half_gap - right[:, 0].min()
    return left, right + shift


def pair_faces(left_faces: np.ndarray, right_faces: np.ndarray, n_left: int) -> np.ndarray:
    """(T_l + T_r, 3) the two hemispheres' triangles in the pair's numbering (``rh`` ids + ``n_left``)."""
    return np.concatenate(
        [np.asarray(left_faces, dtype=np.int64), np.asarray(right_faces, dtype=np.int64) + int(n_left)]
    )


def join(
    left: np.ndarray,
    left_faces: np.ndarray,
    right: np.ndarray,
    right_faces: np.ndarray,
    gap_fraction: float = GAP_FRACTION,
) -> tuple[np.ndarray, np.ndarray]:
    """One mesh of both hemispheres, side by side (:func:`side_by_side`), in the pair's numbering.

    Args:
        left: (N, 3) the lh surface (mm).
        left_faces: (T, 3) its triangles.
        right: (M, 3) the same surface of the rh (mm).
        right_faces: (S, 3) its triangles.
        gap_fraction: see :func:`side_by_side`.

    Returns:
        (N + M, 3) float64 positions and (T + S, 3) int64 triangles.
    """
    moved_left, moved_right = side_by_side(left, right, gap_fraction)
    return np.concatenate([moved_left, moved_right]), pair_faces(left_faces, right_faces, len(moved_left))


def pair_ids(hemi: str, ids: np.ndarray | list[int], n_left: int) -> np.ndarray:
    """Vertex ids of hemisphere ``hemi`` in the pair's numbering (``rh`` ids shifted by ``n_left``)."""
    if hemi not in HEMIS:
        raise ValueError(f"hemi must be 'lh' or 'rh', not {hemi!r}")
    a = np.asarray(ids, dtype=np.int64)
    return a if hemi == "lh" else a + int(n_left)


def split_id(i: int, n_left: int) -> tuple[str, int]:
    """The hemisphere and its own vertex id of pair vertex ``i``.

    Example:
        >>> split_id(3, 10), split_id(12, 10)
        (('lh', 3), ('rh', 2))
    """
    return ("lh", int(i)) if int(i) < n_left else ("rh", int(i) - int(n_left))


def pair_names(n_left: int, n_right: int) -> list[str]:
    """``["lh 0", ..., "lh N-1", "rh 0", ...]``: each pair vertex named by its hemisphere and own id."""
    return [f"lh {i}" for i in range(n_left)] + [f"rh {j}" for j in range(n_right)]


__all__ = [
    "GAP_FRACTION",
    "HEMIS",
    "join",
    "pair_faces",
    "pair_ids",
    "pair_names",
    "side_by_side",
    "split_id",
]

"""Vectorized ray-primitive intersections for the panorama renderer (numpy, float32).

Rays are given as an origin ``o`` of shape (3, 1) (one camera) or (3, N) and unit directions
``d`` of shape (3, N). Each function returns the distance ``t`` (N,) to the first hit along
the ray, ``inf`` where there is none (hits closer than :data:`EPS` are ignored, so a ray that
starts on a surface does not hit it again).
"""

from __future__ import annotations

import numpy as np

EPS = 1e-4
INF = np.float32(np.inf)


def plane_exit(o: np.ndarray, d: np.ndarray, h0: float, gx: float, gy: float) -> np.ndarray:
    """Where rays from below cross the plane ``z = h0 + gx x + gy y`` upwards."""
    denom = d[2] - gx * d[0] - gy * d[1]
    num = h0 + gx * o[0] + gy * o[1] - o[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = num / denom
    return np.where((denom > 1e-7) & (t > EPS), t, INF).astype(np.float32)


def floor_hit(o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Where rays from above reach the floor ``z = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = -o[2] / d[2]
    return np.where((d[2] < -1e-7) & (t > EPS), t, INF).astype(np.float32)


def segment_exit(o: np.ndarray, d: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Where rays leave through a vertical wall from ``a`` to ``b`` (the room on its left)."""
    ex, ey = b[0] - a[0], b[1] - a[1]
    nx, ny = -ey, ex  # inward (left) normal, not normalized
    denom = d[0] * nx + d[1] * ny
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((a[0] - o[0]) * nx + (a[1] - o[1]) * ny) / denom
        u = ((o[0] + t * d[0] - a[0]) * ex + (o[1] + t * d[1] - a[1]) * ey) / (ex * ex + ey * ey)
    return np.where((denom < -1e-9) & (t > EPS) & (u >= 0) & (u <= 1), t, INF).astype(np.float32)


def arc_geometry(
    a: tuple[float, float], b: tuple[float, float], bulge: float
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Circle center (2,), radius, chord midpoint (2,) and outward unit normal (2,) of an arc wall."""
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    chord = b_ - a_
    c = float(np.linalg.norm(chord))
    out = np.array([chord[1], -chord[0]]) / c
    radius = (c * c / 4 + bulge * bulge) / (2 * bulge)
    mid = (a_ + b_) / 2
    return mid + (bulge - radius) * out, radius, mid, out


def circle_roots(
    fx: np.ndarray, fy: np.ndarray, dx: np.ndarray, dy: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both crossings of 2D rays with a circle centered at the origin.

    Args:
        fx: ray origins' first coordinate relative to the circle's center.
        fy: their second coordinate.
        dx: the rays' direction components in that plane (need not be unit).
        dy: the second direction component.
        radius: the circle's radius.

    Returns:
        ``(near, far, ok)``: the ray parameters of the two crossings (near <= far) and where
        they exist (``ok`` false where the ray misses or has no component in the plane).
    """
    qa = dx * dx + dy * dy
    qb = 2 * (fx * dx + fy * dy)
    qc = fx * fx + fy * fy - radius * radius
    disc = qb * qb - 4 * qa * qc
    ok = (disc >= 0) & (qa > 1e-9)
    root = np.sqrt(np.where(ok, disc, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (-qb - root) / (2 * qa), (-qb + root) / (2 * qa), ok


def arc_exit(
    o: np.ndarray, d: np.ndarray, a: tuple[float, float], b: tuple[float, float], bulge: float
) -> np.ndarray:
    """Where rays cross a vertical circular-arc wall through ``a`` and ``b`` bulging outwards by ``bulge``."""
    center, radius, mid, out = arc_geometry(a, b, bulge)
    near, far, ok = circle_roots(o[0] - center[0], o[1] - center[1], d[0], d[1], radius)
    best = np.full(d.shape[1], INF, np.float32)
    with np.errstate(invalid="ignore"):
        for t in (near, far):
            on_arc = ((o[0] + t * d[0] - mid[0]) * out[0] + (o[1] + t * d[1] - mid[1]) * out[1]) >= 0
            best = np.where(ok & on_arc & (t > EPS) & (t < best), t, best)
    return best.astype(np.float32)


def vault_exit(o: np.ndarray, d: np.ndarray, axis: int, qc: float, zc: float, radius: float) -> np.ndarray:
    """Where rays leave upwards through a barrel vault (the upper half of a horizontal cylinder)."""
    _, t, ok = circle_roots(o[axis] - qc, o[2] - zc, d[axis], d[2], radius)
    with np.errstate(invalid="ignore"):
        return np.where(ok & (t > EPS) & (o[2] + t * d[2] >= zc), t, INF).astype(np.float32)


def box_entry(
    o: np.ndarray,
    d: np.ndarray,
    center: tuple[float, float, float],
    half: tuple[float, float, float],
    yaw: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Entry distance into a box turned by ``yaw`` about z (slab method), and the entered face.

    Returns:
        ``(t, face)``: (N,) distances and (3, N) float32 outward unit normals of the entered
        face in room coordinates (meaningful where ``t`` is finite).
    """
    c, s = np.float32(np.cos(yaw)), np.float32(np.sin(yaw))
    px, py, pz = o[0] - center[0], o[1] - center[1], o[2] - center[2]
    lo_ = (c * px + s * py, -s * px + c * py, pz)
    ld = (c * d[0] + s * d[1], -s * d[0] + c * d[1], d[2])
    near = np.full(d.shape[1], -np.inf, np.float32)
    far = np.full(d.shape[1], np.inf, np.float32)
    axis = np.zeros(d.shape[1], np.int8)
    for k in range(3):
        dk = np.where(np.abs(ld[k]) < 1e-9, 1e-9, ld[k])
        inv = 1.0 / dk
        t1, t2 = (-half[k] - lo_[k]) * inv, (half[k] - lo_[k]) * inv
        tmin = np.minimum(t1, t2)
        axis = np.where(tmin > near, k, axis).astype(np.int8)
        near = np.maximum(near, tmin)
        far = np.minimum(far, np.maximum(t1, t2))
    t = np.where((near <= far) & (near > EPS), near, INF).astype(np.float32)
    sign = -np.sign(np.choose(axis, ld)).astype(np.float32)
    local_n = np.zeros((3, d.shape[1]), np.float32)
    local_n[axis, np.arange(d.shape[1])] = sign
    face = np.stack([c * local_n[0] - s * local_n[1], s * local_n[0] + c * local_n[1], local_n[2]])
    return t, face


def cylinder_entry(
    o: np.ndarray, d: np.ndarray, center: tuple[float, float], radius: float, z0: float, z1: float
) -> tuple[np.ndarray, np.ndarray]:
    """Entry distance into a vertical solid cylinder, and the entered surface's outward normal (3, N)."""
    fx, fy = o[0] - center[0], o[1] - center[1]
    side, _, ok = circle_roots(fx, fy, d[0], d[1], radius)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = o[2] + side * d[2]
        side = np.where(ok & (side > EPS) & (z >= z0) & (z <= z1), side, INF)
        top = (z1 - o[2]) / d[2]
        bottom = (z0 - o[2]) / d[2]
    t = side
    cap_n = np.zeros(d.shape[1], np.float32)
    for tc, valid, nz in ((top, d[2] < -1e-9, 1.0), (bottom, d[2] > 1e-9, -1.0)):
        hx, hy = fx + tc * d[0], fy + tc * d[1]
        hit = valid & (tc > EPS) & (hx * hx + hy * hy <= radius * radius) & (tc < t)
        t = np.where(hit, tc, t)
        cap_n = np.where(hit, nz, cap_n)
    t = t.astype(np.float32)
    finite = np.isfinite(t)
    tt = np.where(finite, t, 0)
    nx = np.where(cap_n == 0, (fx + tt * d[0]) / radius, 0)
    ny = np.where(cap_n == 0, (fy + tt * d[1]) / radius, 0)
    return t, np.stack([nx, ny, cap_n]).astype(np.float32)


def aabb_crossed(
    o: np.ndarray, d: np.ndarray, lo: tuple[float, ...], hi: tuple[float, ...], t_max: np.ndarray
) -> np.ndarray:
    """Indices of the rays that pass through an axis-aligned box before ``t_max`` (starting inside counts).

    A bounding-sphere test (a few operations a ray) picks the candidates, the slab test
    checks them.
    """
    center = (np.asarray(lo, np.float32) + np.asarray(hi, np.float32)) / 2
    r2 = np.float32(((np.asarray(hi, np.float32) - center) ** 2).sum())
    f = (center[:, None] - o).astype(np.float32)
    along = f[0] * d[0] + f[1] * d[1] + f[2] * d[2]
    ff = f[0] * f[0] + f[1] * f[1] + f[2] * f[2]
    idx = np.flatnonzero((ff - along * along < r2) & ((along > 0) | (ff < r2)))
    if not idx.size:
        return idx
    o_sub = o if o.shape[1] == 1 else o[:, idx]
    d_sub = d[:, idx]
    near = np.full(idx.size, -np.inf, np.float32)
    far = np.asarray(t_max, np.float32)[idx]
    for k in range(3):
        dk = np.where(np.abs(d_sub[k]) < 1e-9, 1e-9, d_sub[k])
        inv = 1.0 / dk
        t1, t2 = (lo[k] - o_sub[k]) * inv, (hi[k] - o_sub[k]) * inv
        near = np.maximum(near, np.minimum(t1, t2))
        far = np.minimum(far, np.maximum(t1, t2))
    return idx[(near <= far) & (far > EPS)]

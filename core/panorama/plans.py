"""Floor plans and ceilings of the panorama rooms, drawn from a seeded generator.

A plan is a counter-clockwise polygon whose edges are walls, each straight or a circular arc
bulging outwards; the ceiling is a height function over the plan (the lowest of some planes,
or a barrel vault) with optional lowered soffits (a stepped ceiling).

In-distribution plans: ``box``, ``L``, ``cut`` (a corner cut by a slanted wall),
``trapezoid`` (one slanted end wall) and ``curved`` (one wall a shallow arc). Out of
distribution: ``T``, ``hexagon`` and ``stadium`` (both end walls semicircles).
In-distribution ceilings: ``flat``, ``sloped`` (shed), ``gable``, ``stepped`` and ``vault``
(barrel); out of distribution: ``pyramid`` (hip roof, four planes).
"""

from __future__ import annotations

import numpy as np

from nodescope.core.panorama.parts import CeilingPlane, Vault

PLANS = ("box", "L", "cut", "trapezoid", "curved")
OOD_PLANS = ("T", "hexagon", "stadium")
CEILINGS = ("flat", "sloped", "gable", "stepped", "vault")
OOD_CEILINGS = ("pyramid", "flat", "gable")
#: Highest ceiling point, metres.
MAX_CEILING = 4.5

Edge = tuple[tuple[float, float], tuple[float, float], float]


def _polygon(points: list[tuple[float, float]], bulges: dict[int, float] | None = None) -> list[Edge]:
    bulges = bulges or {}
    n = len(points)
    return [(points[i], points[(i + 1) % n], bulges.get(i, 0.0)) for i in range(n)]


def sample_plan(rng: np.random.Generator, kind: str) -> list[Edge]:
    """The walls of a plan of one kind, as ``(a, b, bulge)`` with the room on the left of a -> b.

    Args:
        rng: the scene's generator.
        kind: one of :data:`PLANS` or :data:`OOD_PLANS`.

    Returns:
        Edges in counter-clockwise order; the plan's bounding box starts near (0, 0).
    """
    length = float(rng.uniform(3.2, 8.0))
    width = float(np.clip(length * rng.uniform(0.45, 1.0), 2.6, None))
    if kind == "box":
        return _polygon([(0, 0), (length, 0), (length, width), (0, width)])
    if kind == "L":
        cx, cy = length * rng.uniform(0.3, 0.55), width * rng.uniform(0.3, 0.55)
        pts = [
            (0, 0),
            (length, 0),
            (length, width - cy),
            (length - cx, width - cy),
            (length - cx, width),
            (0, width),
        ]
        return _polygon(pts)
    if kind == "cut":
        c1 = float(rng.uniform(0.8, min(2.2, 0.45 * length)))
        c2 = float(rng.uniform(0.8, min(2.2, 0.45 * width)))
        return _polygon([(0, 0), (length, 0), (length, width - c2), (length - c1, width), (0, width)])
    if kind == "trapezoid":
        shift = float(rng.uniform(0.5, min(1.8, 0.35 * length)))
        return _polygon([(0, 0), (length, 0), (length - shift, width), (0, width)])
    if kind == "curved":
        side = int(rng.integers(4))
        chord = length if side % 2 == 0 else width
        sag = float(rng.uniform(0.3, min(1.6, 0.45 * chord)))
        return _polygon([(0, 0), (length, 0), (length, width), (0, width)], {side: sag})
    if kind == "T":
        stem = float(rng.uniform(0.35, 0.6)) * length
        x0 = float(rng.uniform(0.0, length - stem))
        w1, w2 = width * rng.uniform(0.5, 0.9), width * rng.uniform(0.45, 0.7)
        pts = [
            (x0, 0),
            (x0 + stem, 0),
            (x0 + stem, w1),
            (length, w1),
            (length, w1 + w2),
            (0, w1 + w2),
            (0, w1),
            (x0, w1),
        ]
        return _polygon(pts)
    if kind == "hexagon":
        r = float(rng.uniform(2.2, 4.0))
        ang = float(rng.uniform(0, np.pi / 3)) + np.arange(6) * np.pi / 3
        pts = [(r + r * float(np.cos(a)), r + r * float(np.sin(a))) for a in ang]
        return _polygon(pts)
    if kind == "stadium":
        return _polygon([(0, 0), (length, 0), (length, width), (0, width)], {1: width / 2, 3: width / 2})
    raise ValueError(f"unknown plan kind {kind!r}")


def plan_outline(edges: list[Edge], samples: int = 16) -> np.ndarray:
    """(M, 2) points around the plan: the corners, and points along each arc."""
    out = []
    for a, b, bulge in edges:
        a_, b_ = np.asarray(a, float), np.asarray(b, float)
        if bulge == 0:
            out.append(a_[None])
            continue
        t = np.linspace(0, 1, samples, endpoint=False)
        chord = b_ - a_
        out_n = np.array([chord[1], -chord[0]]) / np.linalg.norm(chord)
        # A parabola through a, b and the apex is close enough for extents and placement.
        out.append(a_ + t[:, None] * chord + (4 * bulge * t * (1 - t))[:, None] * out_n)
    return np.concatenate(out)


def inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Whether each of (M, 2) ``points`` lies inside the (K, 2) ``polygon`` (even-odd rule)."""
    p = np.asarray(points, float).reshape(-1, 2)
    a = np.asarray(polygon, float)
    b = np.roll(a, -1, axis=0)
    x, y = p[:, :1], p[:, 1:]
    crosses = (a[None, :, 1] > y) != (b[None, :, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = a[None, :, 0] + (y - a[None, :, 1]) * (b[None, :, 0] - a[None, :, 0]) / (
            b[None, :, 1] - a[None, :, 1]
        )
    return ((crosses & (x < xi)).sum(1) % 2) == 1


def distance_to_outline(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance (m) from each of (M, 2) ``points`` to the nearest edge of a closed (K, 2) polygon."""
    p = np.asarray(points, float).reshape(-1, 1, 2)
    a = np.asarray(polygon, float)[None]
    ab = np.roll(a, -1, axis=1) - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab**2).sum(-1), 1e-12), 0, 1)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1).min(1)


def sample_ceiling(
    rng: np.random.Generator, kind: str, outline: np.ndarray
) -> tuple[
    list[CeilingPlane], Vault | None, list[tuple[tuple[float, float, float], tuple[float, float, float]]]
]:
    """A ceiling over a plan.

    Args:
        rng: the scene's generator.
        kind: one of :data:`CEILINGS` or :data:`OOD_CEILINGS`.
        outline: (M, 2) points around the plan (:func:`plan_outline`).

    Returns:
        ``(planes, vault, soffits)``: the ceiling is the lowest of ``planes`` and the vault
        (when not None); ``soffits`` are (lo, hi) axis-aligned boxes hanging from it.
    """
    lo, hi = outline.min(0), outline.max(0)
    center = (lo + hi) / 2
    axis = int(rng.integers(2))  # the direction the slope, ridge or vault runs across
    q = outline[:, axis]
    qc = float(center[axis])
    half = float(np.abs(q - qc).max()) + 1e-3
    if kind == "flat":
        return [CeilingPlane(float(rng.uniform(2.4, 3.3)))], None, []
    if kind == "sloped":
        low = float(rng.uniform(2.2, 2.8))
        high = float(min(MAX_CEILING, low + rng.uniform(0.6, 2.0)))
        g = (high - low) / (2 * half) * (1 if rng.random() < 0.5 else -1)
        h0 = (low + high) / 2 - g * qc
        return [CeilingPlane(h0, g if axis == 0 else 0.0, g if axis == 1 else 0.0)], None, []
    if kind in ("gable", "pyramid"):
        eave = float(rng.uniform(2.3, 2.8))
        ridge = float(min(MAX_CEILING, eave + rng.uniform(0.6, 1.8)))
        planes = []
        axes = (axis,) if kind == "gable" else (0, 1)
        for ax in axes:
            c = float(center[ax])
            h = float(np.abs(outline[:, ax] - c).max()) + 1e-3
            s = (ridge - eave) / h
            for sign in (1.0, -1.0):  # z = ridge - s * |x_ax - c|, as the lower of two planes
                g = -sign * s
                planes.append(CeilingPlane(ridge - g * c, g if ax == 0 else 0.0, g if ax == 1 else 0.0))
        return planes, None, []
    if kind == "vault":
        spring = float(rng.uniform(2.3, 2.9))
        rise = float(min(MAX_CEILING - spring, rng.uniform(0.4, 1.4)))
        radius = (half**2 + rise**2) / (2 * rise)
        return [CeilingPlane(spring + rise + 1.0)], Vault(axis, qc, spring + rise - radius, radius), []
    if kind == "stepped":
        top = float(rng.uniform(2.6, 3.4))
        drop = float(rng.uniform(0.25, 0.6))
        soffits = []
        for side in rng.permutation(4)[: int(rng.integers(1, 3))]:
            ax, at_max = int(side) // 2, int(side) % 2 == 1
            depth = float(rng.uniform(0.5, 1.4))
            box_lo = [lo[0] - 1.0, lo[1] - 1.0, top - drop]
            box_hi = [hi[0] + 1.0, hi[1] + 1.0, top + 1.0]
            if at_max:
                box_lo[ax] = float(hi[ax]) - depth
            else:
                box_hi[ax] = float(lo[ax]) + depth
            soffits.append((tuple(map(float, box_lo)), tuple(map(float, box_hi))))
        return [CeilingPlane(top)], None, soffits
    raise ValueError(f"unknown ceiling kind {kind!r}")


def ceiling_height(planes: list[CeilingPlane], vault: Vault | None, xy: np.ndarray) -> np.ndarray:
    """Ceiling height (m) above each of (M, 2) points, soffits not counted."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    h = np.min([p.h0 + p.gx * xy[:, 0] + p.gy * xy[:, 1] for p in planes], axis=0)
    if vault is not None:
        q = xy[:, vault.axis]
        h = np.minimum(h, vault.zc + np.sqrt(np.maximum(vault.radius**2 - (q - vault.qc) ** 2, 0)))
    return h

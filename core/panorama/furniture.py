"""Furniture of the panorama rooms: builders of each kind, and placement in a plan.

In-distribution kinds (class): ``bed`` (bed), ``table`` (table), ``cabinet`` (cabinet),
``sofa`` (sofa), ``chair`` (chair). Out of distribution, kinds of the same classes but
shapes never seen in training: ``round_table`` (table, cylinders), ``bookshelf`` (cabinet,
open shelves), ``stool`` (chair, cylinders) and ``pouf`` (sofa, one cylinder).

Each builder returns its parts in a local frame: x along the item's width, y along its depth
with y = -depth/2 its back (the wall side), z up from the floor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nodescope.core.panorama.classes import BED, CABINET, CHAIR, SOFA, TABLE
from nodescope.core.panorama.parts import Box, Cylinder, Item

KINDS = ("bed", "table", "cabinet", "sofa", "chair")
OOD_KINDS = ("round_table", "bookshelf", "stool", "pouf")
LABELS = {
    "bed": BED,
    "table": TABLE,
    "cabinet": CABINET,
    "sofa": SOFA,
    "chair": CHAIR,
    "round_table": TABLE,
    "bookshelf": CABINET,
    "stool": CHAIR,
    "pouf": SOFA,
}
#: Kinds whose back stands against a wall.
AGAINST_WALL = {"bed", "cabinet", "sofa", "bookshelf"}

Material = Callable[[str], int]  # role -> index of a new material in the scene
Parts = list[Box | Cylinder]


def _box(x0: float, y0: float, z0: float, x1: float, y1: float, z1: float, m: int) -> Box:
    return Box(
        ((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2), ((x1 - x0) / 2, (y1 - y0) / 2, (z1 - z0) / 2), 0.0, m
    )


def _legs(w: float, d: float, h: float, t: float, m: int) -> Parts:
    return [
        _box(
            sx * (w / 2 - t) - t / 2,
            sy * (d / 2 - t) - t / 2,
            0,
            sx * (w / 2 - t) + t / 2,
            sy * (d / 2 - t) + t / 2,
            h,
            m,
        )
        for sx in (-1, 1)
        for sy in (-1, 1)
    ]


def _bed(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w, d = float(rng.uniform(0.9, 1.9)), float(rng.uniform(1.9, 2.2))
    frame, sheet = mat("wood"), mat("fabric")
    fh, mh = float(rng.uniform(0.2, 0.4)), float(rng.uniform(0.15, 0.25))
    parts = [
        _box(-w / 2, -d / 2 + 0.08, 0, w / 2, d / 2, fh, frame),
        _box(-w / 2 + 0.03, -d / 2 + 0.1, fh, w / 2 - 0.03, d / 2 - 0.03, fh + mh, sheet),
        _box(-w / 2, -d / 2, 0, w / 2, -d / 2 + 0.08, fh + mh + float(rng.uniform(0.3, 0.7)), frame),
    ]
    pillow = mat("fabric")
    n = 1 if w < 1.3 else 2
    for i in range(n):
        x0 = -w / 2 + 0.1 + i * (w - 0.2) / n
        parts.append(
            _box(
                x0 + 0.03,
                -d / 2 + 0.15,
                fh + mh,
                x0 + (w - 0.2) / n - 0.03,
                -d / 2 + 0.55,
                fh + mh + 0.12,
                pillow,
            )
        )
    return parts, w, d


def _table(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w, d, h = float(rng.uniform(0.9, 1.8)), float(rng.uniform(0.6, 1.0)), float(rng.uniform(0.7, 0.78))
    top, leg = mat("wood"), mat(str(rng.choice(["wood", "metal"])))
    t = float(rng.uniform(0.03, 0.06))
    return (
        [
            _box(-w / 2, -d / 2, h - t, w / 2, d / 2, h, top),
            *_legs(w, d, h - t, float(rng.uniform(0.04, 0.08)), leg),
        ],
        w,
        d,
    )


def _cabinet(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w, d, h = float(rng.uniform(0.6, 2.0)), float(rng.uniform(0.35, 0.6)), float(rng.uniform(0.8, 2.2))
    body, handle = mat(str(rng.choice(["wood", "paint"]))), mat("metal")
    parts = [
        _box(-w / 2, -d / 2, 0.06, w / 2, d / 2, h, body),
        _box(-w / 2 + 0.03, -d / 2, 0, w / 2 - 0.03, d / 2 - 0.04, 0.06, handle),
    ]
    doors = max(1, int(round(w / 0.5)))
    for i in range(doors):
        x = -w / 2 + (i + 0.5) * w / doors + (0.08 if i % 2 == 0 else -0.08) * (doors > 1)
        parts.append(_box(x - 0.01, d / 2, h * 0.45, x + 0.01, d / 2 + 0.025, h * 0.45 + 0.15, handle))
    return parts, w, d


def _sofa(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w, d = float(rng.uniform(1.5, 2.6)), float(rng.uniform(0.8, 1.0))
    cover = mat("fabric")
    seat, back, arm = (
        float(rng.uniform(0.38, 0.46)),
        float(rng.uniform(0.75, 0.95)),
        float(rng.uniform(0.55, 0.7)),
    )
    aw, bt = float(rng.uniform(0.12, 0.25)), float(rng.uniform(0.15, 0.25))
    return (
        [
            _box(-w / 2 + aw, -d / 2 + bt, 0.08, w / 2 - aw, d / 2, seat, cover),
            _box(-w / 2, -d / 2, 0.08, w / 2, -d / 2 + bt, back, cover),
            _box(-w / 2, -d / 2, 0.08, -w / 2 + aw, d / 2, arm, cover),
            _box(w / 2 - aw, -d / 2, 0.08, w / 2, d / 2, arm, cover),
            *_legs(w, d, 0.08, 0.05, mat("wood")),
        ],
        w,
        d,
    )


def _chair(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w = float(rng.uniform(0.4, 0.5))
    seat, wood = float(rng.uniform(0.43, 0.48)), mat(str(rng.choice(["wood", "metal", "paint"])))
    return (
        [
            _box(-w / 2, -w / 2, seat - 0.04, w / 2, w / 2, seat, wood),
            _box(-w / 2, -w / 2, seat, w / 2, -w / 2 + 0.04, seat + float(rng.uniform(0.35, 0.5)), wood),
            *_legs(w, w, seat - 0.04, 0.035, wood),
        ],
        w,
        w,
    )


def _round_table(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    r, h = float(rng.uniform(0.4, 0.7)), float(rng.uniform(0.72, 0.76))
    top, foot = mat("wood"), mat("metal")
    return (
        [
            Cylinder((0.0, 0.0), r, h - 0.04, h, top),
            Cylinder((0.0, 0.0), float(rng.uniform(0.04, 0.08)), 0.03, h - 0.04, foot),
            Cylinder((0.0, 0.0), r * 0.45, 0.0, 0.03, foot),
        ],
        2 * r,
        2 * r,
    )


def _bookshelf(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    w, d, h = float(rng.uniform(0.6, 1.6)), float(rng.uniform(0.28, 0.4)), float(rng.uniform(1.2, 2.2))
    wood, t = mat("wood"), 0.025
    parts = [
        _box(-w / 2, -d / 2, 0, -w / 2 + t, d / 2, h, wood),
        _box(w / 2 - t, -d / 2, 0, w / 2, d / 2, h, wood),
        _box(-w / 2, -d / 2, 0, w / 2, -d / 2 + 0.01, h, wood),
    ]
    shelves = int(h / rng.uniform(0.3, 0.42))
    for i in range(shelves + 1):
        z = min(i * h / shelves, h - t)
        parts.append(_box(-w / 2 + t, -d / 2, z, w / 2 - t, d / 2, z + t, wood))
    return parts, w, d


def _stool(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    r, h = float(rng.uniform(0.16, 0.21)), float(rng.uniform(0.45, 0.78))
    seat, metal = mat(str(rng.choice(["wood", "fabric"]))), mat("metal")
    return (
        [
            Cylinder((0.0, 0.0), r, h - 0.05, h, seat),
            Cylinder((0.0, 0.0), 0.03, 0.02, h - 0.05, metal),
            Cylinder((0.0, 0.0), r * 1.05, 0.0, 0.02, metal),
        ],
        2 * r,
        2 * r,
    )


def _pouf(rng: np.random.Generator, mat: Material) -> tuple[Parts, float, float]:
    r = float(rng.uniform(0.25, 0.42))
    return [Cylinder((0.0, 0.0), r, 0.0, float(rng.uniform(0.33, 0.45)), mat("fabric"))], 2 * r, 2 * r


BUILDERS: dict[str, Callable[[np.random.Generator, Material], tuple[Parts, float, float]]] = {
    "bed": _bed,
    "table": _table,
    "cabinet": _cabinet,
    "sofa": _sofa,
    "chair": _chair,
    "round_table": _round_table,
    "bookshelf": _bookshelf,
    "stool": _stool,
    "pouf": _pouf,
}


def place(kind: str, parts: Parts, center: tuple[float, float], yaw: float) -> Item:
    """Move an item's local parts to ``center`` (x, y) turned by ``yaw`` radians."""
    c, s = float(np.cos(yaw)), float(np.sin(yaw))
    out: Parts = []
    corners = []
    top = 0.0
    for p in parts:
        if isinstance(p, Box):
            x, y, z = p.center
            wx, wy = center[0] + c * x - s * y, center[1] + s * x + c * y
            out.append(Box((wx, wy, z), p.half, yaw + p.yaw, p.material))
            hx, hy, hz = p.half
            cc, ss = np.cos(yaw + p.yaw), np.sin(yaw + p.yaw)
            for sx in (-1, 1):
                for sy in (-1, 1):
                    corners.append((wx + cc * sx * hx - ss * sy * hy, wy + ss * sx * hx + cc * sy * hy))
            top = max(top, z + hz)
        else:
            x, y = p.center
            wx, wy = center[0] + c * x - s * y, center[1] + s * x + c * y
            out.append(Cylinder((wx, wy), p.radius, p.z0, p.z1, p.material))
            corners += [(wx - p.radius, wy - p.radius), (wx + p.radius, wy + p.radius)]
            top = max(top, p.z1)
    xy = np.array(corners)
    lo, hi = xy.min(0), xy.max(0)
    return Item(
        kind, LABELS[kind], tuple(out), (float(lo[0]), float(lo[1]), 0.0), (float(hi[0]), float(hi[1]), top)
    )


def footprint(center: tuple[float, float], yaw: float, w: float, d: float, margin: float = 0.0) -> np.ndarray:
    """(4, 2) corners of a ``w`` x ``d`` rectangle turned by ``yaw``, grown by ``margin`` on each side."""
    c, s = np.cos(yaw), np.sin(yaw)
    local = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [w / 2 + margin, d / 2 + margin]
    return np.asarray(center) + local @ np.array([[c, s], [-s, c]])


def rectangles_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two convex quadrilaterals ((4, 2) corners each) overlap (separating axis test)."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        for nx, ny in np.stack([-edges[:, 1], edges[:, 0]], 1):
            pa, pb = a @ (nx, ny), b @ (nx, ny)
            if pa.max() < pb.min() or pb.max() < pa.min():
                return False
    return True

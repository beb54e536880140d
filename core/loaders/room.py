"""A procedurally rendered indoor room: an equirectangular panorama with exact depth and labels.

Nodescope generates this scene itself (no download, no shipped image): a camera stands
inside an axis-aligned box room with a bed, a table and a cabinet, and every pixel's ray
is cast with vectorized numpy (the slab method for boxes). Because the geometry is known,
each pixel gets an exact depth and class, so spherical GNNs can be trained and explained
against ground truth.

Coordinates follow :mod:`core.geometry.sphere`: metres, z up, the image center looks along
+X. The room spans ``[0, 6] x [0, 4.5] x [0, 2.8]``; the camera is at 1.5 m height near the
middle, shifted by the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodescope.core.geometry.sphere import pixel_to_latlon

LABEL_NAMES = ["floor", "wall", "ceiling", "object"]
FLOOR, WALL, CEILING, OBJECT = range(4)

ROOM = np.array([6.0, 4.5, 2.8], np.float32)  # x (length), y (width), z (height) in metres
CAMERA_HEIGHT = 1.5
_EPS = 1e-6


@dataclass
class RoomRender:
    """One rendered view of the room.

    Attributes:
        image: (H, W, 3) uint8 sRGB color.
        depth: (H, W) float32 distance in metres from the camera to the surface along each
            pixel's ray (Euclidean, not z-depth).
        label: (H, W) uint8 class per pixel, see ``label_names``.
        label_names: class names, index = class id (floor, wall, ceiling, object).
        camera: (3,) camera position in room coordinates, metres.
        room_size: (3,) room extent along x, y, z, metres.
    """

    image: np.ndarray
    depth: np.ndarray
    label: np.ndarray
    label_names: list[str] = field(default_factory=lambda: list(LABEL_NAMES))
    camera: np.ndarray = field(default_factory=lambda: np.zeros(3, np.float32))
    room_size: np.ndarray = field(default_factory=lambda: ROOM.copy())


@dataclass(frozen=True)
class _Box:
    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    rgb: tuple[float, float, float]


def _furniture(rng: np.random.Generator) -> list[list[_Box]]:
    """Boxes grouped by object; each group is culled by its bounding box first."""
    lx, ly, _ = (float(v) for v in ROOM)
    bx = float(rng.uniform(0.2, 0.9))  # bed along the +Y wall
    tx, ty = float(rng.uniform(3.4, 3.9)), float(rng.uniform(0.5, 0.9))  # table near the -Y wall
    cy = float(rng.uniform(2.2, 3.0))  # cabinet along the +X wall
    duvet = tuple(float(c) for c in np.clip(np.array([0.25, 0.4, 0.65]) + rng.uniform(-0.08, 0.08, 3), 0, 1))
    wood = (0.45, 0.3, 0.18)
    bed = [
        _Box((bx, ly - 1.65, 0.0), (bx + 2.0, ly - 0.05, 0.45), wood),
        _Box((bx + 0.05, ly - 1.6, 0.45), (bx + 1.95, ly - 0.1, 0.62), duvet),
        _Box((bx - 0.08, ly - 1.65, 0.0), (bx, ly - 0.05, 1.05), (0.38, 0.25, 0.15)),
        _Box((bx + 0.1, ly - 1.45, 0.62), (bx + 0.55, ly - 0.25, 0.74), (0.92, 0.92, 0.88)),
    ]
    top = (tx, ty, 0.72)
    table = [_Box(top, (tx + 1.3, ty + 0.8, 0.77), (0.6, 0.42, 0.25))]
    for dx in (0.04, 1.2):
        for dy in (0.04, 0.7):
            table.append(
                _Box((tx + dx, ty + dy, 0.0), (tx + dx + 0.06, ty + dy + 0.06, 0.72), (0.3, 0.2, 0.12))
            )
    cabinet = [
        _Box((lx - 0.5, cy, 0.0), (lx - 0.02, cy + 1.0, 1.9), (0.72, 0.78, 0.7)),
        _Box((lx - 0.52, cy + 0.49, 0.1), (lx - 0.5, cy + 0.51, 1.8), (0.35, 0.38, 0.35)),
    ]
    return [bed, table, cabinet]


def _slab(o: np.ndarray, inv: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ray-box entry distance by the slab method.

    Args:
        o: (3, 1) or (3, N) ray origins.
        inv: (3, N) reciprocal ray directions.
        lo: (3, 1) the box's lower corner.
        hi: (3, 1) the box's upper corner.

    Returns:
        ``(t, axis)``: (N,) entry distance (inf where the ray misses or starts inside) and
        (N,) the axis of the entered face.
    """
    t1 = (lo - o) * inv
    t2 = (hi - o) * inv
    tmin = np.minimum(t1, t2)
    near = tmin.max(0)
    far = np.maximum(t1, t2).min(0)
    t = np.where((near <= far) & (near > _EPS), near, np.inf)
    return t, tmin.argmax(0)


def _cast_objects(
    o: np.ndarray, inv: np.ndarray, groups: list[list[_Box]], t_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest object hit closer than ``t_max``: returns (t, box id or -1, face axis), each (N,)."""
    n = inv.shape[1]
    t_best = t_max.copy()
    box_id = np.full(n, -1, np.int64)
    axis = np.zeros(n, np.int64)
    k = 0
    for boxes in groups:
        lo = np.min([b.lo for b in boxes], 0).astype(np.float32)[:, None]
        hi = np.max([b.hi for b in boxes], 0).astype(np.float32)[:, None]
        # Cull with the group's bounding box so the parts are tested on few rays only.
        tb, _ = _slab(o, inv, lo, hi)
        idx = np.flatnonzero(tb < t_best)
        o_idx = o if o.shape[1] == 1 else o[:, idx]
        for b in boxes:
            t, ax = _slab(
                o_idx, inv[:, idx], np.array(b.lo, np.float32)[:, None], np.array(b.hi, np.float32)[:, None]
            )
            closer = t < t_best[idx]
            sel = idx[closer]
            t_best[sel], box_id[sel], axis[sel] = t[closer], k, ax[closer]
            k += 1
    return t_best, box_id, axis


def render_room(width: int = 1024, height: int = 512, seed: int = 0) -> RoomRender:
    """Render the room as an equirectangular panorama with depth and labels.

    Args:
        width: image width in pixels (2 * ``height`` for a full panorama).
        height: image height in pixels.
        seed: chooses the camera offset, furniture positions and color jitter; the same
            seed always gives the same images.

    Returns:
        A :class:`RoomRender` with ``image`` (H, W, 3) uint8, ``depth`` (H, W) float32
        metres and ``label`` (H, W) uint8 (0 floor, 1 wall, 2 ceiling, 3 object).
    """
    rng = np.random.default_rng(seed)
    room = ROOM
    cam = np.array(
        [room[0] / 2 + rng.uniform(-0.7, 0.7), room[1] / 2 + rng.uniform(-0.5, 0.5), CAMERA_HEIGHT],
        np.float32,
    )
    groups = _furniture(rng)
    boxes = [b for g in groups for b in g]
    wall_rgb = np.clip(
        np.array([[0.78, 0.74, 0.66], [0.62, 0.7, 0.74], [0.8, 0.68, 0.6], [0.7, 0.76, 0.62]])
        + rng.uniform(-0.05, 0.05, (4, 3)),
        0,
        1,
    ).astype(np.float32)
    plank_shade = rng.uniform(0.8, 1.1, (64, 64)).astype(np.float32)

    # Ray directions: latlon_to_xyz factorised over rows and columns (one cos/sin per row/column).
    lat, _ = pixel_to_latlon(0, np.arange(height), width, height)
    _, lon = pixel_to_latlon(np.arange(width), 0, width, height)
    la, lo_ = np.radians(lat).astype(np.float32), np.radians(lon).astype(np.float32)
    d = np.stack(
        [
            np.outer(np.cos(la), np.cos(lo_)),
            np.outer(np.cos(la), np.sin(lo_)),
            np.broadcast_to(np.sin(la)[:, None], (height, width)),
        ]
    ).reshape(3, -1)
    # Keep axis-parallel components away from zero so 1/d stays finite.
    d = np.where(np.abs(d) < _EPS, _EPS, d).astype(np.float32)
    inv = 1.0 / d
    o = cam[:, None]

    # The room: the ray leaves the box through the nearest of the three facing planes.
    t_axes = (np.where(d > 0, room[:, None], 0.0) - o) * inv
    room_axis = t_axes.argmin(0)
    t_room = t_axes.min(0)
    t, box_id, obj_axis = _cast_objects(o, inv, groups, t_room)
    is_obj = box_id >= 0
    axis = np.where(is_obj, obj_axis, room_axis)
    p = o + d * t  # (3, N) hit points

    # Normals face the camera: minus the ray direction's sign along the hit axis.
    n = np.zeros_like(d)
    rows = np.arange(d.shape[1])
    n[axis, rows] = -np.sign(d[axis, rows])
    label = np.where(is_obj, OBJECT, np.where(axis == 2, np.where(d[2] < 0, FLOOR, CEILING), WALL))

    albedo = np.empty_like(d)
    box_rgb = np.array([b.rgb for b in boxes], np.float32)
    albedo[:, is_obj] = box_rgb[box_id[is_obj]].T
    # Walls: one color per wall (x=0, x=L, y=0, y=W), a pale skirting board at the bottom.
    wall = label == WALL
    wall_idx = 2 * (axis == 1) + (d[axis, rows] > 0)
    albedo[:, wall] = wall_rgb[wall_idx[wall]].T
    skirting = wall & (p[2] < 0.1)
    albedo[:, skirting] = np.array([[0.9], [0.88], [0.84]], np.float32)
    albedo[:, label == CEILING] = np.array([[0.93], [0.93], [0.9]], np.float32)
    # Floor: staggered planks 0.2 m wide and 1.2 m long, each with its own shade, dark seams.
    floor = label == FLOOR
    fx, fy = p[0, floor], p[1, floor]
    row = np.floor(fy / 0.2).astype(np.int64)
    s = fx + (row * 0.37 % 1.0) * 1.2
    col = np.floor(s / 1.2).astype(np.int64)
    shade = plank_shade[row % 64, col % 64] * (1 + 0.04 * np.sin(fx * 23.0 + row * 1.7))
    seam = ((fy / 0.2) % 1.0 < 0.04) | ((s / 1.2) % 1.0 < 0.006)
    shade = np.where(seam, 0.55, shade)
    albedo[:, floor] = np.array([[0.62], [0.45], [0.28]], np.float32) * shade

    # Lambert shading from a pendant lamp, with inverse-square-like falloff, plus ambient.
    lamp = np.array([room[0] / 2, room[1] / 2, room[2] - 0.35], np.float32)[:, None]
    to_lamp = lamp - p
    dist = np.linalg.norm(to_lamp, axis=0)
    lambert = np.clip((n * to_lamp).sum(0) / dist, 0, 1)
    # Shadows: a hit point is dark when an object lies between it and the lamp.
    lit = np.ones_like(dist)
    facing = np.flatnonzero(lambert > 0)
    if facing.size:
        sd = to_lamp[:, facing] / dist[facing]
        sd = np.where(np.abs(sd) < _EPS, _EPS, sd)
        _, blocker, _ = _cast_objects(p[:, facing] + n[:, facing] * 1e-3, 1.0 / sd, groups, dist[facing])
        lit[facing[blocker >= 0]] = 0.0
    light = 0.28 + 1.6 * lambert * lit / (1.0 + 0.25 * dist**2)
    color = albedo * light

    # Emitters (unlit): the lamp's disc on the ceiling, a window on the -Y wall, and a door (lit) on +X.
    lamp_disc = (label == CEILING) & ((p[0] - lamp[0]) ** 2 + (p[1] - lamp[1]) ** 2 < 0.2**2)
    color[:, lamp_disc] = 3.0
    win_x0 = float(rng.uniform(1.2, 2.0))
    on_win = wall & (axis == 1) & (d[1] < 0)
    wx, wz = p[0] - win_x0, p[2] - 0.9
    window = on_win & (wx > 0) & (wx < 1.6) & (wz > 0) & (wz < 1.3)
    frame = window & (
        (np.abs(wx - 0.8) < 0.03)
        | (np.abs(wz - 0.85) < 0.03)
        | (wx < 0.05)
        | (wx > 1.55)
        | (wz < 0.05)
        | (wz > 1.25)
    )
    sky = np.stack([0.55 + 0.25 * wz / 1.3, 0.75 + 0.15 * wz / 1.3, np.full_like(wz, 0.98)])
    color[:, window] = 1.6 * sky[:, window]
    color[:, frame] = 2.0
    door = wall & (axis == 0) & (d[0] > 0) & (p[1] > 0.3) & (p[1] < 1.2) & (p[2] < 2.05)
    door_rgb = np.where((p[1] - 0.3 < 0.06) | (1.2 - p[1] < 0.06) | (2.05 - p[2] < 0.06), 0.6, 1.0)
    color[:, door] = (np.array([[0.55], [0.38], [0.22]], np.float32) * door_rgb * light)[:, door]

    # Soft exposure curve (no clipped highlights near the lamp), then gamma-encode for display.
    color = 1.0 - np.exp(-1.8 * color)
    image = (np.clip(color, 0, 1) ** (1 / 2.2) * 255 + 0.5).astype(np.uint8)
    return RoomRender(
        image=np.ascontiguousarray(image.reshape(3, height, width).transpose(1, 2, 0)),
        depth=t.reshape(height, width).astype(np.float32),
        label=label.reshape(height, width).astype(np.uint8),
        camera=cam,
        room_size=room.copy(),
    )

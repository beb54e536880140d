"""Ray casting the panorama rooms: per ray color, depth, normal, visible class and amodal layout.

The room is cast analytically with vectorized numpy: the floor plane, the ceiling planes and
barrel vault, straight and arc walls (vertical planes and cylinders clipped to their extent),
soffit boxes, then the furniture (oriented boxes and vertical cylinders, culled per item by
its bounding box) closer than the room. The room alone is the **amodal layout** (floor / wall
/ ceiling and its depth with the furniture removed), so the layout needs no second cast.

Directions follow :mod:`core.geometry.sphere` in the camera's frame (z up, the panorama's
center along +X); the camera's yaw turns them into the room. Returned normals are in the
camera's frame too, pointing towards the camera's side of the surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nodescope.core.geometry.sphere import pixel_to_latlon
from nodescope.core.panorama.classes import CEILING, FLOOR, OPENING, WALL
from nodescope.core.panorama.intersect import (
    INF,
    aabb_crossed,
    arc_exit,
    arc_geometry,
    box_entry,
    cylinder_entry,
    floor_hit,
    plane_exit,
    segment_exit,
    vault_exit,
)
from nodescope.core.panorama.parts import Box, Item, Vault, Wall
from nodescope.core.panorama.scene import Scene
from nodescope.core.panorama.shading import shade


@dataclass
class RayHits:
    """What each ray sees (N rays).

    Attributes:
        rgb: (N, 3) float32 sRGB-encoded color in [0, 1].
        depth: (N,) float32 Euclidean distance to the visible surface, metres.
        normal: (N, 3) float32 unit normal of the visible surface in the camera's frame,
            facing the camera.
        label: (N,) uint8 visible class (:data:`core.panorama.classes.CLASS_NAMES`).
        layout: (N,) uint8 amodal layout class: 0 floor, 1 wall, 2 ceiling.
        layout_depth: (N,) float32 distance to the room's surface with the furniture removed,
            metres (>= ``depth``, equal where no furniture is seen).
    """

    rgb: np.ndarray
    depth: np.ndarray
    normal: np.ndarray
    label: np.ndarray
    layout: np.ndarray
    layout_depth: np.ndarray


@dataclass
class PanoramaRender(RayHits):
    """An equirectangular render: the fields of :class:`RayHits` as (H, W) or (H, W, 3) images."""


def camera_to_room(scene: Scene, directions: np.ndarray) -> np.ndarray:
    """(N, 3) unit directions in the camera's frame -> (3, N) float32 in room coordinates."""
    v = np.asarray(directions, np.float32).reshape(-1, 3)
    v = v / np.sqrt(np.einsum("ij,ij->i", v, v))[:, None]
    c, s = np.float32(np.cos(scene.yaw)), np.float32(np.sin(scene.yaw))
    return np.stack([c * v[:, 0] - s * v[:, 1], s * v[:, 0] + c * v[:, 1], v[:, 2]])


def _structure(
    scene: Scene, o: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cast the empty room: (t, layout, normal (3, N), material, wall index or -1)."""
    # Each surface: (layout class, material, wall index, constant normal or None, what the
    # normal comes from otherwise: an arc Wall, the Vault, or a soffit's entered faces (3, N)).
    table: list[
        tuple[int, int, int, tuple[float, float, float] | None, Wall | Vault | np.ndarray | None]
    ] = []
    t = np.full(d.shape[1], INF, np.float32)
    sid = np.zeros(d.shape[1], np.int16)

    def take(
        tn: np.ndarray,
        layout: int,
        material: int,
        wall: int,
        normal: tuple[float, float, float] | None,
        how: Wall | Vault | np.ndarray | None = None,
    ) -> None:
        nonlocal t, sid
        closer = tn < t
        t = np.where(closer, tn, t)
        sid = np.where(closer, np.int16(len(table)), sid)
        table.append((layout, material, wall, normal, how))

    take(floor_hit(o, d), FLOOR, scene.floor_material, -1, (0.0, 0.0, 1.0))
    for p in scene.ceilings:
        norm = float(np.sqrt(p.gx**2 + p.gy**2 + 1))
        take(
            plane_exit(o, d, p.h0, p.gx, p.gy),
            CEILING,
            scene.ceiling_material,
            -1,
            (p.gx / norm, p.gy / norm, -1 / norm),
        )
    if scene.vault is not None:
        v = scene.vault
        take(vault_exit(o, d, v.axis, v.qc, v.zc, v.radius), CEILING, scene.ceiling_material, -1, None, v)
    for i, w in enumerate(scene.walls):
        if w.bulge == 0:
            ex, ey = w.b[0] - w.a[0], w.b[1] - w.a[1]
            ln = float(np.hypot(ex, ey))
            take(segment_exit(o, d, w.a, w.b), WALL, w.material, i, (-ey / ln, ex / ln, 0.0))
        else:
            take(arc_exit(o, d, w.a, w.b, w.bulge), WALL, w.material, i, None, w)
    for box in scene.soffits:
        # A soffit's underside is ceiling and its sides are wall: decided below by the entered face.
        tb, face = box_entry(o, d, box.center, box.half, box.yaw)
        take(tb, WALL, box.material, -1, None, face)

    layout_t = np.array([row[0] for row in table], np.uint8)
    mat_t = np.array([row[1] for row in table], np.int16)
    wall_t = np.array([row[2] for row in table], np.int16)
    normal_t = np.array([row[3] if row[3] is not None else (0.0, 0.0, 0.0) for row in table], np.float32)
    layout, mat, wall = layout_t[sid], mat_t[sid], wall_t[sid]
    normal = normal_t[sid].T.copy()
    for k, row in enumerate(table):
        how = row[4]
        if how is None:
            continue
        idx = np.flatnonzero(sid == k)
        if not idx.size:
            continue
        p = o + d[:, idx] * t[idx] if o.shape[1] == 1 else o[:, idx] + d[:, idx] * t[idx]
        if isinstance(how, np.ndarray):  # a soffit: the entered face's outward normal faces the camera
            face = how[:, idx]
            normal[:, idx] = face
            layout[idx[face[2] < -0.5]] = CEILING
        elif isinstance(how, Wall):  # an arc wall: towards the circle's center
            center, radius, _, _ = arc_geometry(how.a, how.b, how.bulge)
            normal[0, idx] = (center[0] - p[0]) / radius
            normal[1, idx] = (center[1] - p[1]) / radius
        else:  # the vault: towards its axis
            q = np.zeros((3, idx.size), np.float32)
            q[how.axis] = how.qc - p[how.axis]
            q[2] = how.zc - p[2]
            normal[:, idx] = q / how.radius
    return t, layout, normal, mat, wall


def cast_items(
    items: tuple[Item, ...], o: np.ndarray, d: np.ndarray, t_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nearest furniture hit closer than ``t_max``.

    Args:
        items: the furniture.
        o: (3, 1) or (3, N) ray origins.
        d: (3, N) unit directions.
        t_max: (N,) distances beyond which hits do not count.

    Returns:
        ``(t, item, normal, material)``: (N,) distance (``t_max`` where nothing is hit),
        (N,) int16 item index or -1, (3, N) outward normal, (N,) int16 material.
    """
    n = d.shape[1]
    t = np.asarray(t_max, np.float32).copy()
    item_id = np.full(n, -1, np.int16)
    normal = np.zeros((3, n), np.float32)
    mat = np.full(n, -1, np.int16)
    for k, item in enumerate(items):
        idx = aabb_crossed(o, d, item.lo, item.hi, t)
        if not idx.size:
            continue
        o_sub = o if o.shape[1] == 1 else o[:, idx]
        d_sub = d[:, idx]
        for part in item.parts:
            if isinstance(part, Box):
                tp, face = box_entry(o_sub, d_sub, part.center, part.half, part.yaw)
            else:
                tp, face = cylinder_entry(o_sub, d_sub, part.center, part.radius, part.z0, part.z1)
            closer = tp < t[idx]
            sel = idx[closer]
            t[sel], item_id[sel], mat[sel] = tp[closer], k, part.material
            normal[:, sel] = face[:, closer]
    return t, item_id, normal, mat


def cast(scene: Scene, directions: np.ndarray) -> RayHits:
    """Cast rays from the scene's camera.

    Args:
        scene: the room (:func:`core.panorama.scene.sample_scene`).
        directions: (N, 3) unit directions in the camera's frame (the convention of
            :mod:`core.geometry.sphere`: z up, the panorama's center along +X).

    Returns:
        :class:`RayHits` for the N rays.
    """
    d = camera_to_room(scene, directions)
    o = np.asarray(scene.camera, np.float32)[:, None]
    room_t, layout, normal, mat, wall = _structure(scene, o, d)
    t, item, item_n, item_mat = cast_items(scene.items, o, d, room_t)
    seen = item >= 0
    label = layout.copy()
    label[seen] = np.array([it.label for it in scene.items], np.uint8)[item[seen]]
    normal[:, seen] = item_n[:, seen]
    mat = np.where(seen, item_mat, mat)
    wall = np.where(seen, -1, wall)
    normal /= np.linalg.norm(normal, axis=0)  # curved surfaces' normals come from float32 hits
    normal[:, (normal * d).sum(0) > 0] *= -1  # every normal faces the camera
    rgb, opening = shade(scene, d, o + d * t, normal, mat, wall, label)
    label[opening] = OPENING
    c, s = np.float32(np.cos(scene.yaw)), np.float32(np.sin(scene.yaw))
    normal_cam = np.stack([c * normal[0] + s * normal[1], -s * normal[0] + c * normal[1], normal[2]], 1)
    return RayHits(
        rgb=rgb,
        depth=t.astype(np.float32),
        normal=normal_cam.astype(np.float32),
        label=label.astype(np.uint8),
        layout=layout.astype(np.uint8),
        layout_depth=room_t.astype(np.float32),
    )


def equirect_directions(width: int, height: int) -> np.ndarray:
    """(H * W, 3) float32 unit directions of an equirectangular image's pixel centers, row-major."""
    lat, _ = pixel_to_latlon(0, np.arange(height), width, height)
    _, lon = pixel_to_latlon(np.arange(width), 0, width, height)
    la, lo = np.radians(lat).astype(np.float32), np.radians(lon).astype(np.float32)
    cl = np.cos(la)[:, None]
    out = np.empty((height, width, 3), np.float32)
    out[..., 0] = cl * np.cos(lo)[None]
    out[..., 1] = cl * np.sin(lo)[None]
    out[..., 2] = np.sin(la)[:, None]
    return out.reshape(-1, 3)


def render_panorama(scene: Scene, width: int = 1024, height: int = 512) -> PanoramaRender:
    """Render the scene as an equirectangular panorama (one ray per pixel center).

    Args:
        scene: the room.
        width: image width W in pixels (2 * ``height`` for the whole sphere).
        height: image height H.

    Returns:
        :class:`PanoramaRender`: ``rgb`` (H, W, 3), ``depth`` (H, W), ``normal`` (H, W, 3),
        ``label`` and ``layout`` (H, W) uint8, ``layout_depth`` (H, W).
    """
    hits = cast(scene, equirect_directions(width, height))
    return PanoramaRender(
        rgb=hits.rgb.reshape(height, width, 3),
        depth=hits.depth.reshape(height, width),
        normal=hits.normal.reshape(height, width, 3),
        label=hits.label.reshape(height, width),
        layout=hits.layout.reshape(height, width),
        layout_depth=hits.layout_depth.reshape(height, width),
    )

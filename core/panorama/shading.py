"""Colors of the panorama rooms: procedural textures, point lights with shadows, camera response.

Shading is Lambert plus a Blinn-Phong highlight from each point light (with a soft
inverse-square falloff), hard shadows cast by the furniture for the first light, an ambient
term, emissive windows and ceiling fixtures, then exposure, a filmic-like tone curve, white
balance, gamma encoding and optional pixel noise, all set per scene (:mod:`core.panorama.looks`).
"""

from __future__ import annotations

import numpy as np

from nodescope.core.panorama.classes import FLOOR, WALL
from nodescope.core.panorama.parts import PATTERNS, Wall
from nodescope.core.panorama.scene import SPLITS, Scene

_NOISE_SIZE = 64


def _value_noise(table: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear value noise from a periodic (64, 64) table at continuous cell coordinates."""
    iu, iv = np.floor(u), np.floor(v)
    fu, fv = u - iu, v - iv
    i0, j0 = iu.astype(np.int64) % _NOISE_SIZE, iv.astype(np.int64) % _NOISE_SIZE
    i1, j1 = (i0 + 1) % _NOISE_SIZE, (j0 + 1) % _NOISE_SIZE
    top = table[i0, j0] * (1 - fu) + table[i1, j0] * fu
    bottom = table[i0, j1] * (1 - fu) + table[i1, j1] * fu
    return top * (1 - fv) + bottom * fv


def _pattern(kind: str, table: np.ndarray, s: np.ndarray, v: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """A pattern's value (about -1.5 to 1) at surface coordinates ``s``, ``v`` (metres)."""
    if kind == "noise":
        return _value_noise(table, s / scale, v / scale) + 0.5 * _value_noise(
            table, 2.7 * s / scale, 2.7 * v / scale
        )
    if kind == "stripes":
        return np.where(np.sin(2 * np.pi * s / scale) > 0, 0.6, -0.6)
    if kind == "tiles":
        fs, fv = s / scale, v / scale
        cell = table[np.floor(fs).astype(np.int64) % _NOISE_SIZE, np.floor(fv).astype(np.int64) % _NOISE_SIZE]
        grout = ((fs % 1.0) < 0.04) | ((fv % 1.0) < 0.04)
        return np.where(grout, -1.5, 0.5 * cell)
    if kind == "planks":
        width, length = 0.35 * scale, 3.0 * scale
        row = np.floor(v / width).astype(np.int64)
        along = s + (row * 0.37 % 1.0) * length
        col = np.floor(along / length).astype(np.int64)
        grain = table[row % _NOISE_SIZE, col % _NOISE_SIZE] + 0.25 * np.sin(s * 23.0 + row * 1.7)
        seam = ((v / width) % 1.0 < 0.05) | ((along / length) % 1.0 < 0.01)
        return np.where(seam, -1.5, grain)
    return np.zeros_like(s)


def _albedo(scene: Scene, p: np.ndarray, n: np.ndarray, mat: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(3, N) linear albedo: each material's color times its pattern at the hit point."""
    rgb = np.array([m.rgb for m in scene.materials], np.float32)
    pattern = np.array([m.pattern for m in scene.materials], np.int8)
    scale = np.array([m.scale for m in scene.materials], np.float32)
    contrast = np.array([m.contrast for m in scene.materials], np.float32)
    albedo = rgb[mat].T.copy()
    kinds = pattern[mat]
    for k, name in enumerate(PATTERNS):
        if name == "plain":
            continue
        idx = np.flatnonzero(kinds == k)
        if not idx.size:
            continue
        pi, ni, mi = p[:, idx], n[:, idx], mat[idx]
        flat = np.abs(ni[2]) > 0.7
        # Texture coordinates: (x, y) on floors and tops, (along the surface, z) on walls and sides.
        hn = np.maximum(np.hypot(ni[0], ni[1]), 1e-6)
        s = np.where(flat, pi[0], (-ni[1] * pi[0] + ni[0] * pi[1]) / hn)
        v = np.where(flat, pi[1], pi[2])
        value = _pattern(name, table, s, v, scale[mi])
        albedo[:, idx] *= np.clip(1 + contrast[mi] * value, 0.05, None)
    return albedo


def _on_wall(wall: Wall, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of (3, M) points on a straight wall: metres along it from ``wall.a``, and height."""
    ex, ey = wall.b[0] - wall.a[0], wall.b[1] - wall.a[1]
    return ((p[0] - wall.a[0]) * ex + (p[1] - wall.a[1]) * ey) / float(np.hypot(ex, ey)), p[2]


def _paint_decals(
    scene: Scene, p: np.ndarray, wall: np.ndarray, label: np.ndarray, mat: np.ndarray
) -> np.ndarray:
    """(N,) materials with the rugs and pictures painted over the visible floor and walls."""
    if not scene.decals:
        return mat
    mat = mat.copy()
    floor = np.flatnonzero(label == FLOOR)
    for decal in scene.decals:
        if decal.wall < 0:
            idx = floor
            u, v = p[0, idx], p[1, idx]
        else:
            idx = np.flatnonzero((wall == decal.wall) & (label == WALL))
            u, v = _on_wall(scene.walls[decal.wall], p[:, idx])
        mat[idx[(u >= decal.u0) & (u <= decal.u1) & (v >= decal.v0) & (v <= decal.v1)]] = decal.material
    return mat


def _openings(
    scene: Scene, p: np.ndarray, wall: np.ndarray, label: np.ndarray, albedo: np.ndarray, emit: np.ndarray
) -> np.ndarray:
    """Paint doors and windows on visible walls; returns the (N,) mask of door/window rays."""
    opening = np.zeros(p.shape[1], bool)
    for o in scene.openings:
        idx = np.flatnonzero((wall == o.wall) & (label == WALL))
        if not idx.size:
            continue
        s, z = _on_wall(scene.walls[o.wall], p[:, idx])
        inside = (s >= o.s0) & (s <= o.s1) & (z >= o.z0) & (z <= o.z1)
        idx, s, z = idx[inside], s[inside], z[inside]
        opening[idx] = True
        edge = np.minimum(np.minimum(s - o.s0, o.s1 - s), o.z1 - z)
        color = np.array(scene.materials[o.material].rgb, np.float32)[:, None]
        if o.kind == "door":
            albedo[:, idx] = color * np.where(edge < 0.06, 0.55, 1.0)
            continue
        edge = np.minimum(edge, z - o.z0)
        mullion = np.abs(s - (o.s0 + o.s1) / 2) < 0.025
        frame = (edge < 0.05) | mullion
        height = (z - o.z0) / max(o.z1 - o.z0, 1e-3)
        sky = color * (0.8 + 0.5 * height) * 2.5
        albedo[:, idx] = np.where(frame, 0.8, 0.0)
        emit[:, idx] = np.where(frame, 0.0, sky)
    return opening


def _shadowed(scene: Scene, light: tuple[float, float, float], p: np.ndarray) -> np.ndarray:
    """(M,) whether furniture blocks the way from the light to each of (3, M) points.

    The rays go from the light (one origin, so the cheap culling of primary rays applies)
    and count hits a little before each point, so a point does not shadow itself.
    """
    from nodescope.core.panorama.render import cast_items  # here: render imports this module

    origin = np.asarray(light, np.float32)[:, None]
    to = p - origin
    dist = np.sqrt((to * to).sum(0))
    _, item, _, _ = cast_items(scene.items, origin, to / dist, dist - 2e-3)
    return item >= 0


def shade(
    scene: Scene,
    d: np.ndarray,
    p: np.ndarray,
    n: np.ndarray,
    mat: np.ndarray,
    wall: np.ndarray,
    label: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Colors of the visible surfaces.

    Args:
        scene: the room.
        d: (3, N) unit ray directions in room coordinates.
        p: (3, N) hit points.
        n: (3, N) unit normals facing the camera.
        mat: (N,) material index of each hit.
        wall: (N,) wall index of each hit on a wall (-1 elsewhere).
        label: (N,) visible class so far.

    Returns:
        ``(rgb, opening)``: (N, 3) float32 sRGB-encoded colors in [0, 1] and an (N,) mask
        of the rays that see a door or a window.
    """
    rng = np.random.default_rng([SPLITS[scene.split], scene.seed, 1])
    table = rng.uniform(-1, 1, (_NOISE_SIZE, _NOISE_SIZE)).astype(np.float32)
    mat = _paint_decals(scene, p, wall, label, mat)
    albedo = _albedo(scene, p, n, mat, table)
    emit = np.zeros_like(albedo)
    opening = _openings(scene, p, wall, label, albedo, emit)
    shine = np.array([m.shine for m in scene.materials], np.float32)[mat]
    glossy = np.flatnonzero(shine > 0)
    up = np.flatnonzero(n[2] < -0.5)  # ceiling-like surfaces, where fixtures glow
    light = np.empty_like(albedo)
    light[:] = np.array(scene.ambient, np.float32)[:, None]
    for i, lamp in enumerate(scene.lights):
        lx, ly, lz = lamp.position
        tx, ty, tz = lx - p[0], ly - p[1], lz - p[2]
        dist2 = np.maximum(tx * tx + ty * ty + tz * tz, 1e-6)
        inv = 1.0 / np.sqrt(dist2)
        lambert = np.maximum((n[0] * tx + n[1] * ty + n[2] * tz) * inv, 0)
        if i == 0 and scene.items:
            lit = np.flatnonzero(lambert > 0)
            if lit.size:
                lambert[lit[_shadowed(scene, lamp.position, p[:, lit])]] = 0
        weight = lambert * (lamp.power / (1.0 + 0.15 * dist2))
        color = np.array(lamp.rgb, np.float32)[:, None]
        light += color * weight
        if glossy.size:  # Blinn-Phong highlight on the shiny surfaces
            g = glossy
            hx, hy, hz = tx[g] * inv[g] - d[0, g], ty[g] * inv[g] - d[1, g], tz[g] * inv[g] - d[2, g]
            cos_h = (n[0, g] * hx + n[1, g] * hy + n[2, g] * hz) / np.sqrt(
                np.maximum(hx * hx + hy * hy + hz * hz, 1e-12)
            )
            emit[:, g] += color * (shine[g] * weight[g] * np.clip(cos_h, 0, 1) ** 32 * (lambert[g] > 0))
        # The fixture: a glowing disc on the ceiling right above a ceiling light.
        if lamp.fixture > 0 and up.size:
            r2 = (p[0, up] - lx) ** 2 + (p[1, up] - ly) ** 2
            disc = up[(r2 < lamp.fixture**2) & (p[2, up] >= lz)]
            emit[:, disc] = color * 4.0
    linear = (albedo * light + emit) * scene.exposure
    tone = (1.0 - np.exp(-1.6 * linear)) * np.array(scene.white_balance, np.float32)[:, None]
    rgb = np.clip(tone, 0, 1) ** (1.0 / scene.gamma)
    if scene.noise > 0:  # sensor noise: a tile of normal draws of prime length, repeated (cheap)
        tile = rng.standard_normal(65521, dtype=np.float32) * np.float32(scene.noise)
        rgb = rgb + np.resize(tile, rgb.shape)
    return np.clip(rgb, 0, 1).T.astype(np.float32), opening

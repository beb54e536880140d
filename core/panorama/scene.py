"""A seeded room scene for the panorama dataset: plan, ceiling, furniture, openings, looks, camera.

``sample_scene(seed, split)`` draws everything from one generator seeded by the pair
``(split key, seed)``, so a seed always gives the same room and the splits never share a
stream of random numbers (:data:`SPLITS`). The ``ood`` split draws its plans, ceilings and
furniture from kinds never used by the other splits (see :mod:`core.panorama.plans` and
:mod:`core.panorama.furniture`): plans ``T``, ``hexagon`` and ``stadium``; a ``pyramid``
ceiling beside flat and gable ones; ``round_table``, ``bookshelf``, ``stool`` and ``pouf``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nodescope.core.panorama.furniture import (
    AGAINST_WALL,
    BUILDERS,
    KINDS,
    OOD_KINDS,
    footprint,
    place,
    rectangles_overlap,
)
from nodescope.core.panorama.looks import sample_light_color, sample_material
from nodescope.core.panorama.parts import (
    Box,
    CeilingPlane,
    Decal,
    Item,
    Light,
    Material,
    Opening,
    Vault,
    Wall,
)
from nodescope.core.panorama.plans import (
    CEILINGS,
    OOD_CEILINGS,
    OOD_PLANS,
    PLANS,
    ceiling_height,
    distance_to_outline,
    inside,
    plan_outline,
    sample_ceiling,
    sample_plan,
)

#: Split name -> the first word of its generator's seed; distinct words give disjoint streams.
SPLITS: dict[str, int] = {"train": 0x5EED0, "val": 0x5EED1, "test": 0x5EED2, "ood": 0x5EED3}
#: Camera height limits, metres (most cameras stand near 1.4 m).
CAMERA_HEIGHTS = (0.5, 2.2)


@dataclass(frozen=True)
class Scene:
    """One room and one camera in it (metres, z up, floor at z = 0).

    Attributes:
        seed: the seed it was drawn from.
        split: ``train``, ``val``, ``test`` or ``ood``.
        plan: the floor plan's kind (``box``, ``L`` ...; :mod:`core.panorama.plans`).
        ceiling_kind: ``flat``, ``sloped``, ``gable``, ``stepped``, ``vault`` or ``pyramid``.
        walls: the plan's walls, counter-clockwise.
        ceilings: the ceiling is the lowest of these planes (and of ``vault``).
        vault: a barrel vault, or None.
        soffits: lowered ceiling boxes (a stepped ceiling); their bottoms are ceiling, their
            sides wall.
        items: the furniture.
        openings: doors and windows on straight walls.
        materials: every surface's look; the others refer to it by index.
        floor_material: index of the floor's material.
        ceiling_material: index of the ceiling's (and soffits') material.
        lights: point lights.
        ambient: (3,) linear ambient light.
        camera: (3,) camera position.
        yaw: the camera's heading in radians: the panorama's center looks along
            ``(cos yaw, sin yaw, 0)`` in room coordinates.
        exposure: scale on linear light before tone mapping.
        gamma: display gamma of the encoding.
        white_balance: (3,) per-channel gains after tone mapping.
        noise: standard deviation of additive pixel noise (0 for none).
        decals: rugs and pictures, painted in this order over the floor and walls.
    """

    seed: int
    split: str
    plan: str
    ceiling_kind: str
    walls: tuple[Wall, ...]
    ceilings: tuple[CeilingPlane, ...]
    vault: Vault | None
    soffits: tuple[Box, ...]
    items: tuple[Item, ...]
    openings: tuple[Opening, ...]
    materials: tuple[Material, ...]
    floor_material: int
    ceiling_material: int
    lights: tuple[Light, ...]
    ambient: tuple[float, float, float]
    camera: tuple[float, float, float]
    yaw: float
    exposure: float = 1.0
    gamma: float = 2.2
    white_balance: tuple[float, float, float] = (1.0, 1.0, 1.0)
    noise: float = 0.0
    decals: tuple[Decal, ...] = ()

    @property
    def camera_height(self) -> float:
        """The camera's height above the floor, metres."""
        return float(self.camera[2])


def scene_rng(seed: int, split: str) -> np.random.Generator:
    """The generator of scene ``seed`` of ``split``: seeded by ``(split key, seed)``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng([SPLITS[split], int(seed)])


def sample_scene(seed: int, split: str = "train") -> Scene:
    """Draw room ``seed`` of a split (deterministic; the splits' rooms are disjoint).

    Args:
        seed: a non-negative integer.
        split: ``train``, ``val``, ``test`` or ``ood`` (unseen plans, ceilings and furniture).

    Returns:
        The :class:`Scene`.
    """
    rng = scene_rng(seed, split)
    ood = split == "ood"
    plan = str(rng.choice(OOD_PLANS if ood else PLANS))
    ceiling_kind = str(rng.choice(OOD_CEILINGS if ood else CEILINGS))
    wild = bool(rng.random() < 0.2)
    materials: list[Material] = []

    def mat(role: str) -> int:
        materials.append(sample_material(rng, role, wild))
        return len(materials) - 1

    edges = sample_plan(rng, plan)
    wall_mat = mat("wall")
    accent = int(rng.integers(len(edges))) if rng.random() < 0.3 else -1
    walls = tuple(
        Wall(a, b, bulge, mat("wall") if i == accent else wall_mat) for i, (a, b, bulge) in enumerate(edges)
    )
    floor_mat, ceil_mat = mat("floor"), mat("ceiling")
    outline = plan_outline(edges)
    corners = np.array([a for a, _, _ in edges], float)
    planes, vault, soffit_boxes = sample_ceiling(rng, ceiling_kind, outline)
    soffits = tuple(
        Box(tuple((np.add(lo, hi) / 2).tolist()), tuple((np.subtract(hi, lo) / 2).tolist()), 0.0, ceil_mat)  # type: ignore[arg-type]
        for lo, hi in soffit_boxes
    )
    low_ceiling = min((lo[2] for lo, _ in soffit_boxes), default=np.inf)

    # The camera: inside the plan, clear of the walls, below the ceiling.
    lo, hi = corners.min(0), corners.max(0)
    best, clearance = (lo + hi) / 2, -1.0
    for _ in range(200):
        xy = rng.uniform(lo, hi)
        room = distance_to_outline(xy, corners)[0] if inside(xy, corners)[0] else -1.0
        if room > clearance:
            best, clearance = xy, room
        if room > 0.6:
            break
    xy = best  # the first spot 0.6 m clear of the walls, or else the clearest one tried
    top = float(min(ceiling_height(planes, vault, xy)[0], low_ceiling)) - 0.3
    height = rng.normal(1.4, 0.22) if rng.random() < 0.85 else rng.uniform(*CAMERA_HEIGHTS)
    camera = (float(xy[0]), float(xy[1]), float(np.clip(min(height, top), *CAMERA_HEIGHTS)))

    def ceiling_at(xy: np.ndarray) -> np.ndarray:
        """(M,) lowest ceiling height (m) above (M, 2) points, soffits counted."""
        return np.minimum(ceiling_height(planes, vault, xy), low_ceiling)

    items, blocked = _furnish(rng, OOD_KINDS if ood else KINDS, walls, corners, camera, mat, ceiling_at)
    openings = _openings(rng, walls, blocked, mat, ceiling_at)
    lights = _lights(rng, corners, ceiling_at, items)
    amb = float(rng.uniform(0.08, 0.4))
    ambient = tuple(amb * c for c in sample_light_color(rng))
    yaw = float(rng.uniform(-np.pi, np.pi))
    exposure = float(np.exp(rng.uniform(np.log(0.6), np.log(1.8))))
    gamma = float(rng.uniform(1.8, 2.6))
    white_balance = tuple(float(v) for v in rng.uniform(0.88, 1.12, 3))
    noise = float(rng.uniform(0, 0.02)) if rng.random() < 0.5 else 0.0
    # Drawn last, so that adding them changed nothing else of a seed's room.
    decals = _decals(rng, walls, corners, openings, mat, ceiling_at)
    return Scene(
        seed=int(seed),
        split=split,
        plan=plan,
        ceiling_kind=ceiling_kind,
        walls=walls,
        ceilings=tuple(planes),
        vault=vault,
        soffits=soffits,
        items=tuple(items),
        openings=tuple(openings),
        materials=tuple(materials),
        floor_material=floor_mat,
        ceiling_material=ceil_mat,
        lights=tuple(lights),
        ambient=ambient,  # type: ignore[arg-type]
        camera=camera,
        yaw=yaw,
        exposure=exposure,
        gamma=gamma,
        white_balance=white_balance,  # type: ignore[arg-type]
        noise=noise,
        decals=tuple(decals),
    )


def _furnish(
    rng: np.random.Generator,
    kinds: tuple[str, ...],
    walls: tuple[Wall, ...],
    corners: np.ndarray,
    camera: tuple[float, float, float],
    mat: Callable[[str], int],
    ceiling_at: Callable[[np.ndarray], np.ndarray],
) -> tuple[list[Item], list[tuple[int, float, float]]]:
    """Place 2-7 items clear of each other, the walls and the camera.

    Returns:
        The items and, per wall-backed item, ``(wall index, s0, s1)``: the stretch of wall it covers.
    """
    items: list[Item] = []
    rects: list[np.ndarray] = []
    blocked: list[tuple[int, float, float]] = []
    straight = [i for i, w in enumerate(walls) if w.bulge == 0]
    cam = np.array(camera[:2])
    for _ in range(int(rng.integers(2, 8))):
        kind = str(rng.choice(kinds))
        parts, w, d = BUILDERS[kind](rng, mat)
        for _attempt in range(25):
            wall = -1
            if kind in AGAINST_WALL and straight:
                wall = int(rng.choice(straight))
                a, b = np.array(walls[wall].a), np.array(walls[wall].b)
                length = float(np.linalg.norm(b - a))
                if length < w + 0.2:
                    continue
                u = (b - a) / length
                s = float(rng.uniform(w / 2 + 0.05, length - w / 2 - 0.05))
                inward = np.array([-u[1], u[0]])
                center = a + u * s + inward * (d / 2 + 0.03)
                yaw = float(np.arctan2(u[1], u[0]))
            else:
                center = rng.uniform(corners.min(0), corners.max(0))
                yaw = float(rng.integers(4) * np.pi / 2 + (rng.normal(0, 0.3) if rng.random() < 0.3 else 0.0))
            rect = footprint(tuple(center), yaw, w, d)
            grown = footprint(tuple(center), yaw, w, d, 0.02)
            if not inside(grown, corners).all() or inside(corners, rect).any():
                continue
            if inside(cam, footprint(tuple(center), yaw, w, d, 0.35))[0]:
                continue
            if any(rectangles_overlap(footprint(tuple(center), yaw, w, d, 0.04), r) for r in rects):
                continue
            top = max(p.center[2] + p.half[2] if isinstance(p, Box) else p.z1 for p in parts)
            if top > ceiling_at(rect).min() - 0.1:  # it would pierce a low or sloping ceiling
                continue
            items.append(place(kind, parts, (float(center[0]), float(center[1])), yaw))
            rects.append(rect)
            if wall >= 0:
                blocked.append((wall, s - w / 2, s + w / 2))
            break
    return items, blocked


def _openings(
    rng: np.random.Generator,
    walls: tuple[Wall, ...],
    blocked: list[tuple[int, float, float]],
    mat: Callable[[str], int],
    ceiling_at: Callable[[np.ndarray], np.ndarray],
) -> list[Opening]:
    """1-2 doors (on wall stretches no furniture covers) and 0-3 windows."""
    out: list[Opening] = []
    taken: list[tuple[int, float, float]] = list(blocked)
    straight = [i for i, w in enumerate(walls) if w.bulge == 0]
    wants = ["door"] * int(rng.integers(1, 3)) + ["window"] * int(rng.integers(0, 4))
    for kind in wants:
        for _attempt in range(20):
            wall = int(rng.choice(straight))
            length = float(np.hypot(*np.subtract(walls[wall].b, walls[wall].a)))
            width = float(rng.uniform(0.8, 1.0)) if kind == "door" else float(rng.uniform(0.6, 2.0))
            if length < width + 0.3:
                continue
            s0 = float(rng.uniform(0.15, length - width - 0.15))
            if any(k == wall and s0 < b + 0.1 and s0 + width > a - 0.1 for k, a, b in taken):
                continue
            a, b = np.array(walls[wall].a), np.array(walls[wall].b)
            ends = a + np.outer([s0, s0 + width], (b - a) / length)
            room = float(ceiling_at(ends).min()) - 0.12  # stay under the ceiling at the wall
            if kind == "door":
                z0, z1 = 0.0, min(float(rng.uniform(1.95, 2.15)), room)
            else:
                z0 = float(rng.uniform(0.6, 1.1))
                z1 = min(z0 + float(rng.uniform(0.8, 1.3)), room)
            if z1 - z0 < 0.5:
                continue
            m = mat("door" if kind == "door" else "sky")
            out.append(Opening(wall, s0, s0 + width, z0, z1, kind, m))
            taken.append((wall, s0, s0 + width))
            break
    return out


def _lights(
    rng: np.random.Generator,
    corners: np.ndarray,
    ceiling_at: Callable[[np.ndarray], np.ndarray],
    items: list[Item],
) -> list[Light]:
    """A ceiling light inside the plan and up to two more lamps anywhere in the room, outside the furniture."""
    lights = []
    lo, hi = corners.min(0), corners.max(0)
    for i in range(int(rng.integers(1, 4))):
        on_ceiling = i == 0 or rng.random() < 0.3
        for _ in range(50):
            xy = rng.uniform(lo, hi)
            ceiling = float(ceiling_at(xy)[0])
            z = ceiling - 0.02 if on_ceiling else float(rng.uniform(0.4, ceiling - 0.3))
            clear = not any(
                all(it.lo[k] - 0.1 < c < it.hi[k] + 0.1 for k, c in enumerate((xy[0], xy[1], z)))
                for it in items
            )
            if clear and inside(xy, corners)[0] and distance_to_outline(xy, corners)[0] > 0.4:
                break
        power = float(rng.uniform(0.6, 2.5))
        lights.append(
            Light(
                (float(xy[0]), float(xy[1]), z),
                sample_light_color(rng),
                power,
                float(rng.uniform(0.1, 0.3)) if on_ceiling else 0.0,
            )
        )
    return lights


def _decals(
    rng: np.random.Generator,
    walls: tuple[Wall, ...],
    corners: np.ndarray,
    openings: list[Opening],
    mat: Callable[[str], int],
    ceiling_at: Callable[[np.ndarray], np.ndarray],
) -> list[Decal]:
    """0-2 rugs inside the plan and 0-3 framed pictures on straight walls, clear of the openings."""
    out: list[Decal] = []
    lo, hi = corners.min(0), corners.max(0)
    for _ in range(int(rng.integers(0, 3))):
        size = rng.uniform([1.0, 0.8], [3.0, 2.0])
        x0, y0 = rng.uniform(lo, np.maximum(hi - size, lo + 1e-3))
        box = np.array([[x0, y0], [x0 + size[0], y0], [x0 + size[0], y0 + size[1]], [x0, y0 + size[1]]])
        if inside(box, corners).all():
            out.append(
                Decal(-1, float(x0), float(x0 + size[0]), float(y0), float(y0 + size[1]), mat("fabric"))
            )
    straight = [i for i, w in enumerate(walls) if w.bulge == 0]
    taken = [(o.wall, o.s0, o.s1) for o in openings]
    for _ in range(int(rng.integers(0, 4))):
        wall = int(rng.choice(straight))
        a, b = np.array(walls[wall].a), np.array(walls[wall].b)
        length = float(np.linalg.norm(b - a))
        width, height = float(rng.uniform(0.3, 1.2)), float(rng.uniform(0.3, 0.9))
        if length < width + 0.4:
            continue
        s0 = float(rng.uniform(0.2, length - width - 0.2))
        z0 = float(rng.uniform(1.2, 1.8)) - height / 2
        top = float(ceiling_at(a + np.outer([s0, s0 + width], (b - a) / length)).min())
        if z0 + height > top - 0.15 or any(
            k == wall and s0 < e + 0.1 and s0 + width > s - 0.1 for k, s, e in taken
        ):
            continue
        frame = float(rng.uniform(0.015, 0.05))
        out.append(Decal(wall, s0 - frame, s0 + width + frame, z0 - frame, z0 + height + frame, mat("wood")))
        out.append(
            Decal(wall, s0, s0 + width, z0, z0 + height, mat(str(rng.choice(["paint", "fabric", "wall"]))))
        )
        taken.append((wall, s0, s0 + width))
    return out

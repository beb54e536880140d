"""The building blocks of a panorama room scene: walls, ceilings, furniture parts, openings, looks.

All lengths are metres in room coordinates (z up, the floor at z = 0). A room's floor plan is
a counter-clockwise polygon of :class:`Wall` segments (a straight wall, or a circular arc when
``bulge`` is non-zero); its ceiling is the lowest of a few :class:`CeilingPlane` s (flat,
shed, gable, pyramid), optionally a barrel :class:`Vault`, with lowered :class:`Box` soffits
for stepped ceilings. Furniture is a list of :class:`Item` s, each a union of oriented boxes
and vertical cylinders. Every surface refers to a :class:`Material` by its index in
``Scene.materials``.
"""

from __future__ import annotations

from dataclasses import dataclass

Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]

#: Procedural texture patterns of :class:`Material` (index = ``Material.pattern``).
PATTERNS: tuple[str, ...] = ("plain", "noise", "stripes", "tiles", "planks")


@dataclass(frozen=True)
class Material:
    """A surface's look.

    Attributes:
        rgb: linear albedo in [0, 1].
        pattern: index into :data:`PATTERNS`.
        scale: the pattern's period in metres (tile or plank size, stripe spacing).
        contrast: how strongly the pattern modulates the albedo, 0 (none) to 1.
        shine: weight of a Blinn-Phong highlight, 0 (matte) to about 0.5.
    """

    rgb: Vec3
    pattern: int = 0
    scale: float = 0.5
    contrast: float = 0.0
    shine: float = 0.0


@dataclass(frozen=True)
class Wall:
    """One wall of the floor plan, from ``a`` to ``b`` with the room on its left (CCW plan).

    Attributes:
        a: start point (x, y).
        b: end point (x, y).
        bulge: 0 for a straight wall; else the sagitta (m) of a circular arc through ``a`` and
            ``b`` bulging outwards (at most half the chord: a semicircle).
        material: index into ``Scene.materials``.
    """

    a: Vec2
    b: Vec2
    bulge: float = 0.0
    material: int = 0


@dataclass(frozen=True)
class CeilingPlane:
    """A ceiling plane ``z = h0 + gx * x + gy * y``; the ceiling is the lowest of its planes."""

    h0: float
    gx: float = 0.0
    gy: float = 0.0


@dataclass(frozen=True)
class Vault:
    """A barrel vault: the ceiling ``z = zc + sqrt(radius**2 - (q - qc)**2)``.

    Attributes:
        axis: which coordinate ``q`` is (0: x, 1: y); the vault runs along the other one.
        qc: the vault's axis position across it, metres.
        zc: height of the circle's center, metres (below the springing line).
        radius: circle radius, metres; larger than the plan's half-width so it covers the room.
    """

    axis: int
    qc: float
    zc: float
    radius: float


@dataclass(frozen=True)
class Box:
    """A box turned by ``yaw`` (radians) about the vertical through its center."""

    center: Vec3
    half: Vec3
    yaw: float = 0.0
    material: int = 0


@dataclass(frozen=True)
class Cylinder:
    """A vertical solid cylinder from ``z0`` to ``z1``."""

    center: Vec2
    radius: float
    z0: float
    z1: float
    material: int = 0


@dataclass(frozen=True)
class Item:
    """One piece of furniture.

    Attributes:
        kind: what it is (``bed``, ``round_table`` ...; see :mod:`core.panorama.furniture`).
        label: its visible class id (:data:`core.panorama.classes.CLASS_NAMES`).
        parts: the boxes and cylinders it is made of.
        lo: (x, y, z) lower corner of its axis-aligned bounding box.
        hi: (x, y, z) upper corner.
    """

    kind: str
    label: int
    parts: tuple[Box | Cylinder, ...]
    lo: Vec3
    hi: Vec3


@dataclass(frozen=True)
class Opening:
    """A door or a window painted on a straight wall (flush: it changes no depth).

    Attributes:
        wall: index of the wall in ``Scene.walls``.
        s0: start along the wall from its point ``a``, metres.
        s1: end along the wall, metres.
        z0: bottom height, metres.
        z1: top height, metres.
        kind: ``door`` (lit like a surface, with a frame) or ``window`` (shows a bright sky).
        material: the door leaf's material, or the sky color's material for a window.
    """

    wall: int
    s0: float
    s1: float
    z0: float
    z1: float
    kind: str
    material: int


@dataclass(frozen=True)
class Decal:
    """A rug on the floor or a framed picture on a straight wall: only a change of material.

    Decals change no depth and no class (a rug is floor, a picture is wall); they add the
    clutter real rooms have, so that a model cannot take any change of color for an edge.

    Attributes:
        wall: index of the wall in ``Scene.walls``, or -1 for the floor.
        u0: start: x on the floor, or metres along the wall from its point ``a``.
        u1: end, the same way.
        v0: start: y on the floor, or the height on the wall.
        v1: end, the same way.
        material: index into ``Scene.materials``.
    """

    wall: int
    u0: float
    u1: float
    v0: float
    v1: float
    material: int


@dataclass(frozen=True)
class Light:
    """A point light.

    Attributes:
        position: (x, y, z) metres.
        rgb: color, linear, about unit brightness.
        power: intensity scale (about 0.5 to 3).
        fixture: radius (m) of a glowing disc drawn on the ceiling above it, 0 for none.
    """

    position: Vec3
    rgb: Vec3
    power: float
    fixture: float = 0.0

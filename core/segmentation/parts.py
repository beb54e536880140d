"""A seeded family of procedural shapes with known parts: animals, people and mugs, one welded mesh each.

Every shape is a set of named parts, each a union of primitives given by signed distances
(negative inside): tapered capsules (limbs, necks, tails, handles), ellipsoids (bodies, heads)
and rounded cylinders (a mug's body and base). The parts are blended by a smooth minimum
(blending radius :data:`BLEND`), a little low-frequency noise is added to the distance, and the
zero level set is extracted by flying edges on a grid whose spacing is tuned to the target
number of faces (two passes), then Taubin-smoothed: one closed, welded triangle mesh, checked by
:func:`core.simulation.surface.prepare_mesh`.

**Labels by construction.** Face ``t`` belongs to the part whose own distance is smallest at
the face's centroid (before the mesh is moved, scaled and rotated): the part the surface there
came from. Near a blend both parts are close, so the boundary between two labels runs along
the crease where they meet.

**Families** (:data:`FAMILIES`), with random proportions, poses, counts and noise per seed:

- ``quadruped``: a horizontal body, neck, head, four or six legs, a tail;
- ``humanoid``: an upright body, neck, head, two arms, two legs;
- ``mug``: a cylindrical body on a wider base, a handle (an arc of capsules);
- ``dinosaur`` (held out of training, :data:`UNSEEN_FAMILIES`): a tilted body on two legs, a long
  neck and tail, two short arms: parts seen elsewhere, arranged as in no training shape.

Meshes come out centered on their bounding box, with bounding radius 1 and a uniformly random
rotation (so nothing can rely on an upright pose).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nodescope.core.simulation.shapes import normalized
from nodescope.core.simulation.surface import prepare_mesh

#: The part names; a face's label is an index into this tuple.
PART_NAMES = ("body", "head", "neck", "leg", "arm", "tail", "handle", "base")
#: Blending radius of the smooth union between parts (in the shapes' units, body length ~2).
BLEND = 0.06
#: The families seen in training and the one held out.
TRAIN_FAMILIES = ("quadruped", "humanoid", "mug")
UNSEEN_FAMILIES = ("dinosaur",)

Primitive = Callable[[np.ndarray], np.ndarray]


@dataclass
class PartMesh:
    """A procedural shape with its part labels.

    Attributes:
        pos: (V, 3) float64 vertex positions (bounding radius 1, randomly rotated).
        faces: (T, 3) int64 triangles (closed, welded, checked).
        part: (T,) int64 part of each face, an index into :data:`PART_NAMES`.
        family: the family it was drawn from.
        seed: its seed.
    """

    pos: np.ndarray
    faces: np.ndarray
    part: np.ndarray
    family: str
    seed: int


def capsule(a: np.ndarray, b: np.ndarray, ra: float, rb: float | None = None) -> Primitive:
    """Signed distance (approximate where tapered) of a capsule from ``a`` (radius ``ra``) to ``b`` (``rb``)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    rb = ra if rb is None else rb
    ab = b - a

    def sdf(p: np.ndarray) -> np.ndarray:
        t = np.clip((p - a) @ ab / (ab @ ab), 0, 1)
        return np.linalg.norm(p - (a + t[:, None] * ab), axis=1) - (ra + t * (rb - ra))

    return sdf


def ellipsoid(center: np.ndarray, radii: np.ndarray, rotation: np.ndarray | None = None) -> Primitive:
    """Approximate signed distance of an ellipsoid (``rotation``: its axes as columns)."""
    center, radii = np.asarray(center, float), np.asarray(radii, float)
    rotation = np.eye(3) if rotation is None else rotation

    def sdf(p: np.ndarray) -> np.ndarray:
        local = (p - center) @ rotation / radii
        return (np.linalg.norm(local, axis=1) - 1) * radii.min()

    return sdf


def cylinder(center: np.ndarray, radius: float, half_height: float, rounding: float) -> Primitive:
    """Signed distance of an upright (z) cylinder with rounded rims."""
    center = np.asarray(center, float)

    def sdf(p: np.ndarray) -> np.ndarray:
        q = p - center
        d = np.column_stack(
            [np.linalg.norm(q[:, :2], axis=1) - radius + rounding, np.abs(q[:, 2]) - half_height + rounding]
        )
        return np.minimum(d.max(axis=1), 0) + np.linalg.norm(np.maximum(d, 0), axis=1) - rounding

    return sdf


def _tilt(angle: float) -> np.ndarray:
    """(3, 3) rotation by ``angle`` about y."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _limb(
    rng: np.random.Generator, start: np.ndarray, direction: np.ndarray, length: float, r: float
) -> Primitive:
    """A two-segment limb (upper and lower, bent at a random knee) from ``start``."""
    direction = direction / np.linalg.norm(direction)
    bend = rng.normal(scale=0.25, size=3)
    knee = start + 0.5 * length * direction
    lower = direction + bend
    end = knee + 0.5 * length * lower / np.linalg.norm(lower)
    upper, lower_part = capsule(start, knee, r, 0.85 * r), capsule(knee, end, 0.85 * r, 0.7 * r)
    return lambda p: np.minimum(upper(p), lower_part(p))


def quadruped(rng: np.random.Generator) -> dict[str, list[Primitive]]:
    """A horizontal body (along x), neck and head in front, 4 or 6 legs below, a tail behind."""
    length, radius = rng.uniform(0.7, 1.0), rng.uniform(0.22, 0.32)
    body = [ellipsoid([0, 0, 0], [length, radius * rng.uniform(0.9, 1.2), radius])]
    neck_base = np.array([0.8 * length, 0, 0.3 * radius])
    neck_dir = np.array([rng.uniform(0.3, 0.8), 0, 1.0])
    neck_end = neck_base + rng.uniform(0.35, 0.55) * neck_dir / np.linalg.norm(neck_dir)
    neck = [capsule(neck_base, neck_end, 0.45 * radius, 0.35 * radius)]
    head_r = rng.uniform(0.14, 0.2)
    head = [ellipsoid(neck_end + [0.6 * head_r, 0, 0.3 * head_r], [1.5 * head_r, head_r, head_r])]
    pairs = int(rng.choice([2, 2, 3]))
    legs = []
    for x in np.linspace(-0.7 * length, 0.7 * length, pairs):
        for side in (-1, 1):
            start = np.array([x, side * 0.6 * radius, -0.5 * radius])
            direction = np.array([rng.normal(scale=0.25), side * rng.uniform(0.0, 0.4), -1.0])
            legs.append(_limb(rng, start, direction, rng.uniform(0.6, 0.9), rng.uniform(0.07, 0.1)))
    tail_dir = np.array([-1.0, rng.normal(scale=0.3), rng.uniform(-0.3, 0.8)])
    tail_start = np.array([-0.9 * length, 0, 0.2 * radius])
    tail = [
        capsule(
            tail_start, tail_start + rng.uniform(0.35, 0.7) * tail_dir / np.linalg.norm(tail_dir), 0.07, 0.03
        )
    ]
    return {"body": body, "neck": neck, "head": head, "leg": legs, "tail": tail}


def humanoid(rng: np.random.Generator) -> dict[str, list[Primitive]]:
    """An upright body, neck and head on top, two arms from the shoulders, two legs below."""
    height, width = rng.uniform(0.5, 0.7), rng.uniform(0.22, 0.3)
    body = [ellipsoid([0, 0, 0], [width, 0.6 * width, height])]
    neck_end = np.array([0, 0, height + rng.uniform(0.12, 0.2)])
    neck = [capsule([0, 0, 0.85 * height], neck_end, 0.08, 0.07)]
    head_r = rng.uniform(0.15, 0.2)
    head = [ellipsoid(neck_end + [0, 0, 0.8 * head_r], [head_r, 0.9 * head_r, 1.15 * head_r])]
    arms, legs = [], []
    for side in (-1, 1):
        shoulder = np.array([side * 0.85 * width, 0, 0.7 * height])
        direction = np.array([side * rng.uniform(0.2, 1.0), rng.normal(scale=0.4), rng.uniform(-1.0, 0.6)])
        arms.append(_limb(rng, shoulder, direction, rng.uniform(0.7, 0.95), rng.uniform(0.06, 0.08)))
        hip = np.array([side * 0.5 * width, 0, -0.8 * height])
        direction = np.array([side * rng.uniform(0.0, 0.4), rng.normal(scale=0.3), -1.0])
        legs.append(_limb(rng, hip, direction, rng.uniform(0.8, 1.1), rng.uniform(0.08, 0.11)))
    return {"body": body, "neck": neck, "head": head, "arm": arms, "leg": legs}


def mug(rng: np.random.Generator) -> dict[str, list[Primitive]]:
    """A cylindrical body on a wider, flat base, with a handle: an arc of capsules on one side."""
    radius, half = rng.uniform(0.35, 0.55), rng.uniform(0.4, 0.7)
    body = [cylinder([0, 0, 0], radius, half, 0.08)]
    base_h = rng.uniform(0.05, 0.09)
    base = [cylinder([0, 0, -half - base_h * 0.8], radius * rng.uniform(1.1, 1.3), base_h, 0.03)]
    reach, span = rng.uniform(0.25, 0.4), rng.uniform(0.5, 0.85) * half
    angles = np.linspace(-np.pi / 2, np.pi / 2, 7)
    arc = np.column_stack(
        [
            radius - 0.04 + reach * np.cos(angles),
            np.zeros(7),
            rng.uniform(-0.15, 0.15) * half + span * np.sin(angles),
        ]
    )
    thickness = rng.uniform(0.045, 0.07)
    handle = [capsule(a, b, thickness) for a, b in zip(arc[:-1], arc[1:], strict=True)]
    return {"body": body, "base": base, "handle": handle}


def dinosaur(rng: np.random.Generator) -> dict[str, list[Primitive]]:
    """A body tilted up at the front on two legs, a long neck and head, two short arms, a long tail."""
    length, radius = rng.uniform(0.55, 0.75), rng.uniform(0.22, 0.3)
    tilt = _tilt(-rng.uniform(0.1, 0.5))
    body = [ellipsoid([0, 0, 0], [length, 0.9 * radius, radius], tilt)]
    front = tilt @ np.array([0.85 * length, 0, 0.2 * radius])
    neck_dir = np.array([rng.uniform(0.2, 0.6), 0, 1.0])
    neck_end = front + rng.uniform(0.45, 0.65) * neck_dir / np.linalg.norm(neck_dir)
    neck = [capsule(front, neck_end, 0.4 * radius, 0.3 * radius)]
    head_r = rng.uniform(0.13, 0.18)
    head = [ellipsoid(neck_end + [0.7 * head_r, 0, 0.2 * head_r], [1.6 * head_r, 0.9 * head_r, head_r])]
    back = tilt @ np.array([-0.9 * length, 0, 0])
    tail_dir = np.array([-1.0, rng.normal(scale=0.3), rng.uniform(-0.5, 0.1)])
    tail = [capsule(back, back + rng.uniform(0.7, 1.0) * tail_dir / np.linalg.norm(tail_dir), 0.12, 0.03)]
    legs, arms = [], []
    for side in (-1, 1):
        hip = tilt @ np.array([-0.3 * length, side * 0.6 * radius, -0.5 * radius])
        legs.append(
            _limb(rng, hip, np.array([rng.normal(scale=0.2), side * 0.2, -1.0]), rng.uniform(0.8, 1.0), 0.1)
        )
        shoulder = tilt @ np.array([0.6 * length, side * 0.7 * radius, -0.3 * radius])
        direction = np.array([1.0, side * rng.uniform(0.1, 0.5), -rng.uniform(0.2, 1.0)])
        arms.append(_limb(rng, shoulder, direction, rng.uniform(0.3, 0.45), 0.065))
    return {"body": body, "neck": neck, "head": head, "tail": tail, "leg": legs, "arm": arms}


#: Family name -> builder of its named parts.
FAMILIES: dict[str, Callable[[np.random.Generator], dict[str, list[Primitive]]]] = {
    "quadruped": quadruped,
    "humanoid": humanoid,
    "mug": mug,
    "dinosaur": dinosaur,
}


def _part_distances(parts: dict[str, list[Primitive]], points: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(P, K) distance of each point to each of the K parts (hard union of its primitives)."""
    names = list(parts)
    d = np.column_stack([np.min([f(points) for f in parts[n]], axis=0) for n in names])
    return d, names


def label_faces(parts: dict[str, list[Primitive]], centroids: np.ndarray) -> np.ndarray:
    """(T,) int64 label of each face: the :data:`PART_NAMES` index of the part nearest its centroid.

    Args:
        parts: part name -> its primitives (signed distances).
        centroids: (T, 3) face centroids, in the parts' frame.
    """
    d, names = _part_distances(parts, centroids)
    return np.array([PART_NAMES.index(n) for n in names], np.int64)[d.argmin(axis=1)]


def _smooth_union(d: np.ndarray) -> np.ndarray:
    """(P,) polynomial smooth minimum of the columns of ``d`` (blending radius :data:`BLEND`)."""
    out = d[:, 0]
    for k in range(1, d.shape[1]):
        h = np.clip(0.5 + 0.5 * (d[:, k] - out) / BLEND, 0, 1)
        out = d[:, k] * (1 - h) + out * h - BLEND * h * (1 - h)
    return out


def _rotation(rng: np.random.Generator) -> np.ndarray:
    """A uniformly random (3, 3) rotation."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def part_mesh(family: str, seed: int, faces: int = 2500) -> PartMesh:
    """A labeled shape of ``family`` drawn with ``seed``, with about ``faces`` triangles (±35 %).

    Args:
        family: a key of :data:`FAMILIES`.
        seed: fixes every random choice (proportions, pose, leg count, noise, rotation).
        faces: the target number of triangles (1,000-4,000 is the family's range).

    Raises:
        ValueError: an unknown family.
    """
    import pyvista as pv

    if family not in FAMILIES:
        raise ValueError(f"unknown shape family {family!r}; choose one of {', '.join(FAMILIES)}")
    rng = np.random.default_rng([seed, list(FAMILIES).index(family)])
    parts = FAMILIES[family](rng)
    waves = rng.normal(size=(4, 3)) * 2.5
    phases, amplitude = rng.uniform(0, 2 * np.pi, 4), rng.uniform(0.0, 0.015)

    def field(p: np.ndarray) -> np.ndarray:
        noise = amplitude * np.sin(p @ waves.T + phases).sum(axis=1)
        return _smooth_union(_part_distances(parts, p)[0]) + noise

    probe = rng.uniform(-1.6, 1.6, size=(20000, 3))
    inside = probe[field(probe) < 0.02]
    low, high = inside.min(axis=0) - 0.12, inside.max(axis=0) + 0.12
    spacing, mesh = 0.05, None
    for _ in range(2):  # a first guess, then one correction of the spacing
        dims = np.ceil((high - low) / spacing).astype(int) + 1
        grid = pv.ImageData(dimensions=dims, spacing=(spacing,) * 3, origin=low)
        grid.point_data["sdf"] = field(np.asarray(grid.points))
        surface = grid.contour([0.0], scalars="sdf", method="flying_edges").triangulate().clean()
        surface = surface.smooth_taubin(n_iter=20, pass_band=0.1)
        mesh = prepare_mesh(np.asarray(surface.points), np.asarray(surface.regular_faces), name=family)
        if abs(len(mesh.faces) / faces - 1) < 0.25:
            break
        spacing *= np.sqrt(len(mesh.faces) / faces)
    part = label_faces(parts, mesh.pos[mesh.faces].mean(axis=1))
    mesh = normalized(mesh)
    return PartMesh(mesh.pos @ _rotation(rng).T, mesh.faces, part, family, int(seed))

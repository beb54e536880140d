"""Procedural triangle meshes for simulation: deformed spheres, tori, plates and branching bodies.

Every builder takes a numpy ``Generator`` (all randomness comes from it, so a seed fixes the
shape) and a target vertex count, and returns a :class:`~core.simulation.surface.SimulationMesh`
centered on the origin with bounding radius 1 (the farthest vertex at distance 1):

- ``sphere``: a Fibonacci lattice on the sphere triangulated by its convex hull (exactly the
  target count, near-uniform triangles), pushed in and out by random Gaussian bumps and scaled
  along the axes; closed, genus 0.
- ``torus``: a ``nu × nv`` parametric grid with a tube radius varying around the ring and a
  wavy ring; closed, genus 1.
- ``plate``: a rectangle's jittered grid bent by bumps; open, so it has a boundary (where the
  dataset puts Dirichlet conditions).
- ``branch``: a trunk with two to four limbs (some forked), the zero level set of a smooth
  union of capsules, extracted by flying edges on a grid whose spacing hits the target count
  (within about 30 %), then Taubin-smoothed (triangle quality; no shrinkage); closed.

The families are whole shape classes: the dataset (:mod:`core.simulation.dataset`) holds some
out of training entirely.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nodescope.core.simulation.surface import SimulationMesh, prepare_mesh

Builder = Callable[[np.random.Generator, int], SimulationMesh]


def normalized(mesh: SimulationMesh) -> SimulationMesh:
    """The mesh moved to its bounding box's center and scaled to bounding radius 1."""
    pos = mesh.pos - (mesh.pos.min(axis=0) + mesh.pos.max(axis=0)) / 2
    pos = pos / np.linalg.norm(pos, axis=1).max()
    return SimulationMesh(pos, mesh.faces, mesh.name, list(mesh.notices), mesh.vertex_ids)


def _finish(pos: np.ndarray, faces: np.ndarray, name: str) -> SimulationMesh:
    return normalized(prepare_mesh(pos, faces, name=name))


def _bumps(points: np.ndarray, rng: np.random.Generator, count: int, amplitude: float) -> np.ndarray:
    """(P,) sum of ``count`` Gaussian bumps at random points of the unit sphere (a smooth deformation)."""
    centers = rng.normal(size=(count, 3))
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    heights = rng.uniform(-amplitude, amplitude, count)
    widths = rng.uniform(0.3, 0.7, count)
    d2 = ((points[:, None, :] - centers[None]) ** 2).sum(axis=2)
    return (heights * np.exp(-d2 / (2 * widths**2))).sum(axis=1)


def sphere(rng: np.random.Generator, vertices: int) -> SimulationMesh:
    """A bumpy ellipsoid-like closed surface of exactly ``vertices`` vertices."""
    from scipy.spatial import ConvexHull

    k = np.arange(vertices) + 0.5
    z = 1 - 2 * k / vertices
    phi = np.pi * (1 + 5**0.5) * k
    unit = np.column_stack([np.sqrt(1 - z * z) * np.cos(phi), np.sqrt(1 - z * z) * np.sin(phi), z])
    faces = ConvexHull(unit).simplices.astype(np.int64)
    a, b, c = unit[faces[:, 0]], unit[faces[:, 1]], unit[faces[:, 2]]
    inward = np.einsum("ij,ij->i", np.cross(b - a, c - a), a + b + c) < 0
    faces[inward] = faces[inward][:, ::-1]
    radius = 1 + _bumps(unit, rng, int(rng.integers(2, 6)), 0.3)
    pos = unit * radius[:, None] * rng.uniform(0.7, 1.3, 3)
    return _finish(pos, faces, "sphere")


def _grid_faces(nu: int, nv: int, *, wrap_u: bool, wrap_v: bool) -> np.ndarray:
    """(T, 3) triangles of an ``nu × nv`` vertex grid (vertex ``i * nv + j``), optionally periodic."""
    iu = np.arange(nu if wrap_u else nu - 1)
    jv = np.arange(nv if wrap_v else nv - 1)
    i, j = (g.ravel() for g in np.meshgrid(iu, jv, indexing="ij"))
    a = i * nv + j
    b = ((i + 1) % nu) * nv + j
    c = ((i + 1) % nu) * nv + (j + 1) % nv
    d = i * nv + (j + 1) % nv
    flip = (i + j) % 2 == 1  # alternate the diagonal: no preferred direction
    first = np.where(flip[:, None], np.column_stack([a, b, d]), np.column_stack([a, b, c]))
    second = np.where(flip[:, None], np.column_stack([b, c, d]), np.column_stack([a, c, d]))
    return np.concatenate([first, second]).astype(np.int64)


def torus(rng: np.random.Generator, vertices: int) -> SimulationMesh:
    """A torus with a varying tube radius and a wavy ring, about ``vertices`` vertices."""
    tube = rng.uniform(0.25, 0.45)
    nv = max(8, round(np.sqrt(vertices * tube)))  # nu / nv ≈ ring / tube circumference
    nu = max(12, vertices // nv)
    theta, phi = np.meshgrid(2 * np.pi * np.arange(nu) / nu, 2 * np.pi * np.arange(nv) / nv, indexing="ij")
    lobes, shift = int(rng.integers(1, 4)), rng.uniform(0, 2 * np.pi, 2)
    r = tube * (1 + rng.uniform(0, 0.35) * np.sin(lobes * theta + shift[0]))
    ring = 1 + r * np.cos(phi)
    z = r * np.sin(phi) + rng.uniform(0, 0.25) * np.sin(int(rng.integers(1, 4)) * theta + shift[1])
    pos = np.column_stack([(ring * np.cos(theta)).ravel(), (ring * np.sin(theta)).ravel(), z.ravel()])
    return _finish(pos, _grid_faces(nu, nv, wrap_u=True, wrap_v=True), "torus")


def plate(rng: np.random.Generator, vertices: int) -> SimulationMesh:
    """A bent, jittered rectangular plate (open: it has a boundary), about ``vertices`` vertices."""
    aspect = rng.uniform(0.5, 1.0)
    ny = max(4, round(np.sqrt(vertices * aspect)))
    nx = max(4, vertices // ny)
    x, y = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-aspect, aspect, ny), indexing="ij")
    jitter = (
        rng.uniform(-0.25, 0.25, (2, nx, ny)) * np.array([2 / (nx - 1), 2 * aspect / (ny - 1)])[:, None, None]
    )
    jitter[:, [0, -1], :] = 0
    jitter[:, :, [0, -1]] = 0
    x, y = x + jitter[0], y + jitter[1]
    flat = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)])
    z = _bumps(flat, rng, int(rng.integers(1, 4)), 0.35)
    pos = np.column_stack([flat[:, :2], z])
    return _finish(pos, _grid_faces(nx, ny, wrap_u=False, wrap_v=False), "plate")


def _capsules(points: np.ndarray, segments: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """(P,) smooth-union signed distance of capsules ``(a, b, radius)`` (negative inside)."""
    dist = None
    for a, b, radius in segments:
        ab = b - a
        t = np.clip((points - a) @ ab / (ab @ ab), 0, 1)
        d = np.linalg.norm(points - (a + t[:, None] * ab), axis=1) - radius
        if dist is None:
            dist = d
        else:  # polynomial smooth minimum, blending radius 0.1
            h = np.clip(0.5 + 0.5 * (d - dist) / 0.1, 0, 1)
            dist = d * (1 - h) + dist * h - 0.1 * h * (1 - h)
    return dist


def _skeleton(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """A trunk along z with 2-4 limbs (each forking with probability 1/2): (a, b, radius) capsules."""
    trunk = rng.uniform(0.2, 0.3)
    segments = [(np.array([0.0, 0, -0.6]), np.array([0.0, 0, 0.6]), trunk)]
    for _ in range(int(rng.integers(2, 5))):
        start = np.array([0.0, 0, rng.uniform(-0.5, 0.5)])
        direction = rng.normal(size=3) * [1, 1, 0.5]
        direction /= np.linalg.norm(direction)
        end = start + rng.uniform(0.6, 0.9) * direction
        radius = rng.uniform(0.09, 0.15)
        segments.append((start, end, radius))
        if rng.random() < 0.5:
            fork = direction + rng.normal(scale=0.8, size=3)
            segments.append((end, end + rng.uniform(0.3, 0.5) * fork / np.linalg.norm(fork), 0.8 * radius))
    return segments


def branch(rng: np.random.Generator, vertices: int) -> SimulationMesh:
    """A branching body (trunk and limbs) of about ``vertices`` vertices (see the module docstring)."""
    import pyvista as pv

    segments = _skeleton(rng)
    ends = np.array([p for a, b, _ in segments for p in (a, b)])
    radius = max(r for *_, r in segments)
    low, high = ends.min(axis=0) - radius - 0.15, ends.max(axis=0) + radius + 0.15
    spacing = 0.06
    mesh = None
    for _ in range(2):  # a first guess, then one correction of the spacing
        dims = np.ceil((high - low) / spacing).astype(int) + 1
        grid = pv.ImageData(dimensions=dims, spacing=(spacing,) * 3, origin=low)
        grid.point_data["sdf"] = _capsules(np.asarray(grid.points), segments)
        surface = grid.contour([0.0], scalars="sdf", method="flying_edges").triangulate().clean()
        surface = surface.smooth_taubin(n_iter=30, pass_band=0.1)
        mesh = prepare_mesh(np.asarray(surface.points), np.asarray(surface.regular_faces), name="branch")
        if abs(mesh.num_vertices / vertices - 1) < 0.3:
            break
        spacing *= np.sqrt(mesh.num_vertices / vertices)
    return normalized(mesh)


#: The procedural families and their builders.
BUILDERS: dict[str, Builder] = {"sphere": sphere, "torus": torus, "plate": plate, "branch": branch}

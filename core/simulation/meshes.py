"""Meshes to simulate on, by name or file: procedural shapes, pyvista's shipped meshes, a user's file.

- Procedural (:mod:`core.simulation.shapes`, seeded, about :data:`DEFAULT_VERTICES` vertices,
  bounding radius 1): ``bumpy-sphere``, ``torus``, ``plate``, ``branch``.
- Shipped with pyvista (no download; :mod:`core.loaders.mesh`'s built-ins, in their own units):
  ``airplane`` (1,335 vertices, open, one non-manifold edge repaired), ``ant`` (486), ``nut``
  (523), ``sphere-mesh`` (422), ``globe-mesh``.
- A mesh file (.ply/.obj/.stl/.vtk/.vtp/.off, degenerate faces dropped with a notice) or any
  other file Nodescope loads with triangles (a GIfTI or FreeSurfer cortical surface).

Every mesh then passes :func:`core.simulation.surface.prepare_mesh` (repairs with notices, the
vertex limit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.simulation.shapes import BUILDERS, normalized
from nodescope.core.simulation.surface import MAX_VERTICES, SimulationMesh, prepare_mesh

#: Vertices of a procedural mesh asked for by name.
DEFAULT_VERTICES = 2000
#: Names of the procedural meshes and their family in :data:`core.simulation.shapes.BUILDERS`.
PROCEDURAL = {"bumpy-sphere": "sphere", "torus": "torus", "plate": "plate", "branch": "branch"}
#: pyvista's shipped meshes (built-ins of :mod:`core.loaders.mesh`).
SHIPPED = ("airplane", "ant", "nut", "sphere-mesh", "globe-mesh")
#: Every name :func:`load_simulation_mesh` takes besides a file.
MESH_NAMES = (*PROCEDURAL, *SHIPPED)


def procedural_mesh(
    family: str, seed: int | np.random.Generator, vertices: int = DEFAULT_VERTICES
) -> SimulationMesh:
    """A mesh of a procedural ``family`` (``sphere``, ``torus``, ``plate``, ``branch``), seeded."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return BUILDERS[family](rng, vertices)


def shipped_mesh(key: str, *, normalize: bool = False) -> SimulationMesh:
    """One of pyvista's shipped meshes (:data:`SHIPPED`), checked; scaled to bounding radius 1 if asked."""
    from nodescope.core.loaders import load

    sample = load(key)
    mesh = prepare_mesh(sample.data.pos.numpy(), sample.faces, name=key)
    mesh.notices[:0] = sample.notices
    return normalized(mesh) if normalize else mesh


def load_simulation_mesh(
    source: str | Path, *, seed: int = 0, max_vertices: int = MAX_VERTICES
) -> SimulationMesh:
    """A mesh to simulate on: a name of :data:`MESH_NAMES` or a file (see the module docstring).

    Args:
        source: the name or the path.
        seed: the shape of a procedural mesh.
        max_vertices: refuse meshes with more vertices.

    Raises:
        LoadError: one line, for an unknown name, an unreadable file, a file without triangles,
            a mesh over the vertex limit or one that cannot be repaired.
    """
    text = str(source).strip()
    key = text.removeprefix("builtin:").lower()
    if key in PROCEDURAL or key in SHIPPED:
        mesh = procedural_mesh(PROCEDURAL[key], seed) if key in PROCEDURAL else shipped_mesh(key)
        if mesh.num_vertices > max_vertices:
            raise LoadError(f"{key} has {mesh.num_vertices:,} vertices, over the limit of {max_vertices:,}.")
        return mesh
    from nodescope.core.loaders import load
    from nodescope.core.loaders.mesh import READERS, read_mesh

    path = Path(text).expanduser()
    if not path.is_file():
        raise LoadError(f"'{text}' is neither a mesh file nor a built-in mesh ({', '.join(MESH_NAMES)}).")
    is_mesh_file = any(path.name.lower().endswith(e) for r in READERS for e in r.extensions)
    if is_mesh_file:
        try:
            sample = read_mesh(path, [], repair=True)
        except LoadError:
            raise
        except Exception as exc:  # the loaders' one-line guard, as load() applies it
            raise LoadError(f"{path.name} could not be read as a mesh ({type(exc).__name__}).") from exc
    else:
        sample = load(path)
    if sample.faces is None or sample.data.get("pos") is None:
        raise LoadError(
            f"{path.name} holds a {sample.kind} without triangles; simulations need a triangle mesh."
        )
    mesh = prepare_mesh(sample.data.pos.numpy(), sample.faces, name=path.name, max_vertices=max_vertices)
    mesh.notices[:0] = sample.notices
    return mesh

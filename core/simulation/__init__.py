"""Physical simulations on triangle meshes: operators, implicit solvers, meshes and a seeded dataset.

``Δ ≈ -M⁻¹ L`` with the cotangent Laplacian ``L`` and the lumped mass ``M``
(:mod:`~core.simulation.operators`); heat by backward Euler (:mod:`~core.simulation.heat`),
waves by Newmark's average acceleration (:mod:`~core.simulation.wave`); one entry point,
:func:`simulate`.
"""

from nodescope.core.simulation.dataset import (
    DEFAULT_COUNTS,
    SPLITS,
    TRAIN_FAMILIES,
    UNSEEN_FAMILIES,
    DatasetConfig,
    SimulationSample,
    generate,
    make_sample,
)
from nodescope.core.simulation.fields import default_field, gaussian_bumps
from nodescope.core.simulation.heat import HeatSolver
from nodescope.core.simulation.meshes import MESH_NAMES, load_simulation_mesh, procedural_mesh, shipped_mesh
from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass
from nodescope.core.simulation.solve import EQUATIONS, default_dt, mean_edge_length, simulate
from nodescope.core.simulation.surface import MAX_VERTICES, SimulationMesh, boundary_vertices, prepare_mesh
from nodescope.core.simulation.wave import WaveSolver, wave_energy

__all__ = [
    "DEFAULT_COUNTS",
    "EQUATIONS",
    "MAX_VERTICES",
    "MESH_NAMES",
    "SPLITS",
    "TRAIN_FAMILIES",
    "UNSEEN_FAMILIES",
    "DatasetConfig",
    "HeatSolver",
    "SimulationMesh",
    "SimulationSample",
    "WaveSolver",
    "boundary_vertices",
    "cotangent_laplacian",
    "default_dt",
    "default_field",
    "gaussian_bumps",
    "generate",
    "load_simulation_mesh",
    "lumped_mass",
    "make_sample",
    "mean_edge_length",
    "prepare_mesh",
    "procedural_mesh",
    "shipped_mesh",
    "simulate",
    "wave_energy",
]

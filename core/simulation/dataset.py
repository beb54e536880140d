"""A seeded dataset of heat or wave simulations on triangle meshes, with a split of unseen shapes.

Each sample draws, from its own seed: a mesh, a coefficient, an initial field, boundary
conditions and (heat only) a source, then solves :data:`DatasetConfig.steps` steps with
:func:`core.simulation.solve.simulate` (the schemes of :mod:`core.simulation.heat` and
:mod:`core.simulation.wave`; wave samples start at rest).

- **Meshes.** Scaled to bounding radius 1 (mesh units). ``train``, ``val`` and ``test`` cycle
  through :data:`TRAIN_FAMILIES` (procedural ``sphere``, ``plate``, ``branch`` of
  :mod:`core.simulation.shapes`, each sample a new random shape of
  :data:`DatasetConfig.vertices` vertices, log-uniform); ``unseen`` cycles through
  :data:`UNSEEN_FAMILIES` (procedural ``torus``, genus 1, and pyvista's shipped ``airplane``,
  ``ant``, ``nut`` and ``sphere-mesh``): whole shape families that no training, validation or
  test sample has.
- **Coefficient.** Log-uniform in :data:`DatasetConfig.diffusivity` (heat) or
  :data:`DatasetConfig.speed` (wave); fixed ``dt`` per equation.
- **Initial field.** A sum of 1-4 Gaussian bumps by geodesic distance
  (:func:`core.simulation.fields.gaussian_bumps`), amplitudes 0.3-1 with random signs.
- **Boundary conditions.** Open meshes (plates, the airplane): Dirichlet on the boundary
  vertices, held at a random constant (heat, U(-0.5, 0.5)) or 0 (wave: a clamped membrane).
  Closed meshes: with probability :data:`DatasetConfig.patch_probability` a fixed patch
  (geodesic radius 0.1 around a random vertex) held at U(-1, 1) (heat) or 0 (wave);
  elsewhere none (natural, zero-flux). The fixed values are written into the initial field.
- **Source.** Heat only, with probability :data:`DatasetConfig.source_probability`: 1-2
  Gaussian bumps, amplitudes 0.5-2 per time unit.

**Seeds.** Sample ``i`` of split ``s`` gets the integer seed drawn from
``SeedSequence(seed, spawn_key=(split id, equation id, i))``: independent streams, so the
splits' seeds are disjoint (and checked) and a sample is the same whatever the split's size.
With the defaults (:data:`DEFAULT_COUNTS`, 60 steps, 0.5k-3k vertices) the four splits hold
about 160 samples and generate in well under a minute on a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nodescope.core.simulation.fields import gaussian_bumps, patch
from nodescope.core.simulation.meshes import procedural_mesh, shipped_mesh
from nodescope.core.simulation.solve import EQUATIONS, Equation, simulate
from nodescope.core.simulation.surface import SimulationMesh

SPLITS = ("train", "val", "test", "unseen")
#: Families of the train, validation and test splits.
TRAIN_FAMILIES = ("sphere", "plate", "branch")
#: Families of the unseen-shape split only (``shipped``: pyvista's meshes of :data:`SHIPPED_KEYS`).
UNSEEN_FAMILIES = ("torus", "shipped")
SHIPPED_KEYS = ("airplane", "ant", "nut", "sphere-mesh")
DEFAULT_COUNTS = {"train": 96, "val": 16, "test": 24, "unseen": 24}


@dataclass(frozen=True)
class DatasetConfig:
    """What a simulation sample may be (see the module docstring).

    Attributes:
        steps: N steps per sample (N + 1 states).
        vertices: (low, high) vertex counts of procedural meshes, log-uniform.
        heat_dt, wave_dt: the time step of each equation.
        diffusivity: (low, high) heat ``c``, mesh units² per time unit, log-uniform.
        speed: (low, high) wave ``c``, mesh units per time unit, log-uniform.
        patch_probability: chance of a fixed patch on a closed mesh.
        source_probability: chance of a heat source.
    """

    steps: int = 60
    vertices: tuple[int, int] = (500, 3000)
    heat_dt: float = 0.01
    wave_dt: float = 0.01
    diffusivity: tuple[float, float] = (0.02, 0.2)
    speed: tuple[float, float] = (0.5, 2.0)
    patch_probability: float = 0.3
    source_probability: float = 0.5


@dataclass
class SimulationSample:
    """One simulation: a mesh, its conditions and the solver's states.

    Attributes:
        split, family, shape: where it belongs (``shape`` names the mesh: ``branch``, ``ant``).
        seed: the sample's integer seed (everything below follows from it and the config).
        equation: ``heat`` or ``wave``.
        coefficient: diffusivity or wave speed (mesh units).
        dt: the time step.
        pos: (V, 3) float64 positions (bounding radius 1); faces: (T, 3) int64.
        fixed: (V,) bool Dirichlet vertices (their values are those of ``states[0]``).
        source: (V,) float64 constant source (zeros when none).
        states: (N+1, V) float32 solver states, row 0 the initial field.
    """

    split: str
    family: str
    shape: str
    seed: int
    equation: str
    coefficient: float
    dt: float
    pos: np.ndarray
    faces: np.ndarray
    fixed: np.ndarray
    source: np.ndarray
    states: np.ndarray = field(repr=False)


def sample_seed(seed: int, split: str, equation: Equation, index: int) -> int:
    """The integer seed of sample ``index`` of ``split`` (see the module docstring)."""
    sequence = np.random.SeedSequence(seed, spawn_key=(SPLITS.index(split), EQUATIONS.index(equation), index))
    return int(sequence.generate_state(1, np.uint64)[0])


def families(split: str) -> tuple[str, ...]:
    """The mesh families of ``split``: :data:`UNSEEN_FAMILIES` for ``unseen``, else :data:`TRAIN_FAMILIES`."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return UNSEEN_FAMILIES if split == "unseen" else TRAIN_FAMILIES


def _mesh(family: str, index: int, rng: np.random.Generator, config: DatasetConfig) -> SimulationMesh:
    if family == "shipped":
        return shipped_mesh(SHIPPED_KEYS[(index // len(UNSEEN_FAMILIES)) % len(SHIPPED_KEYS)], normalize=True)
    low, high = config.vertices
    vertices = int(round(np.exp(rng.uniform(np.log(low), np.log(high)))))
    return procedural_mesh(family, rng, vertices)


def make_sample(
    split: str, index: int, *, equation: Equation, seed: int = 0, config: DatasetConfig = DatasetConfig()
) -> SimulationSample:
    """Sample ``index`` of ``split`` (deterministic in its arguments)."""
    family_list = families(split)
    family = family_list[index % len(family_list)]
    own_seed = sample_seed(seed, split, equation, index)
    rng = np.random.default_rng(own_seed)
    mesh = _mesh(family, index, rng, config)
    pos, faces = mesh.pos, mesh.faces
    heat = equation == "heat"
    low, high = config.diffusivity if heat else config.speed
    coefficient = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    initial = gaussian_bumps(pos, faces, rng, count=int(rng.integers(1, 5)), width=(0.15, 0.35))
    fixed = mesh.boundary
    if fixed.any():
        initial[fixed] = rng.uniform(-0.5, 0.5) if heat else 0.0
    elif rng.random() < config.patch_probability:
        fixed = patch(pos, faces, rng, 0.1)
        initial[fixed] = rng.uniform(-1, 1) if heat else 0.0
    source = np.zeros(len(pos))
    if heat and rng.random() < config.source_probability:
        source = gaussian_bumps(
            pos, faces, rng, count=int(rng.integers(1, 3)), width=(0.15, 0.35), amplitude=(0.5, 2.0)
        )
        source[fixed] = 0.0
    dt = config.heat_dt if heat else config.wave_dt
    states = simulate(
        pos,
        faces,
        equation=equation,
        initial=initial,
        steps=config.steps,
        dt=dt,
        coefficient=coefficient,
        fixed=fixed,
        source=source if source.any() else None,
    )
    return SimulationSample(
        split,
        family,
        mesh.name,
        own_seed,
        equation,
        coefficient,
        dt,
        pos,
        faces,
        fixed,
        source,
        states.astype(np.float32),
    )


def generate(
    split: str,
    count: int | None = None,
    *,
    equation: Equation,
    seed: int = 0,
    config: DatasetConfig = DatasetConfig(),
) -> list[SimulationSample]:
    """The first ``count`` samples of ``split`` (default :data:`DEFAULT_COUNTS`), see the module docstring."""
    families(split)
    n = DEFAULT_COUNTS[split] if count is None else int(count)
    return [make_sample(split, i, equation=equation, seed=seed, config=config) for i in range(n)]

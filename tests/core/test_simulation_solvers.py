"""core.simulation heat and wave solvers: analytic cases on a sphere, the schemes' exact equations, energy."""

import numpy as np
import pytest
import pyvista as pv
import scipy.linalg

from nodescope.core.errors import LoadError
from nodescope.core.geometry.icosphere import icosphere
from nodescope.core.simulation.heat import HeatSolver
from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass
from nodescope.core.simulation.shapes import branch, plate
from nodescope.core.simulation.solve import simulate
from nodescope.core.simulation.surface import boundary_vertices
from nodescope.core.simulation.wave import WaveSolver, wave_energy

RADIUS = 2.0


@pytest.fixture(scope="module")
def sphere():
    """Icosphere level 3 (642 vertices) of radius 2, its operators and the generalized eigenpairs."""
    vertices, faces = icosphere(3)
    pos = RADIUS * vertices
    lap, mass = cotangent_laplacian(pos, faces), lumped_mass(pos, faces)
    eigenvalues, vectors = scipy.linalg.eigh(lap.toarray(), np.diag(mass))
    return pos, faces, lap, mass, eigenvalues, vectors


def test_spectrum_is_the_spherical_harmonics(sphere):
    *_, eigenvalues, _ = sphere
    # Degree l has 2l + 1 modes of eigenvalue l (l + 1) / R².
    start = 0
    for degree in range(4):
        block = eigenvalues[start : start + 2 * degree + 1]
        np.testing.assert_allclose(block, degree * (degree + 1) / RADIUS**2, rtol=0.02, atol=1e-9)
        start += 2 * degree + 1


def test_heat_step_multiplies_a_mode_by_the_backward_euler_factor(sphere):
    pos, faces, lap, mass, eigenvalues, vectors = sphere
    dt, c = 0.05, 0.7
    solver = HeatSolver(lap, mass, dt=dt, coefficient=c)
    for k in (1, 5, 12):  # degree 1, 2, 3 modes
        mode = vectors[:, k]
        np.testing.assert_allclose(solver.step(mode), mode / (1 + dt * c * eigenvalues[k]), atol=1e-10)


def test_heat_converges_to_exponential_decay_as_dt_shrinks(sphere):
    pos, faces, lap, mass, _, _ = sphere
    c, t_end = 0.5, 1.0
    u0 = pos[:, 0] * pos[:, 1]  # a degree-2 harmonic: decays as exp(-6 c t / R²)
    discrete = (u0 @ (lap @ u0)) / (u0 @ (mass * u0))  # its Rayleigh quotient on this mesh
    time_errors, total_errors = [], []
    for steps in (10, 20, 40, 80):
        states = simulate(
            pos, faces, equation="heat", initial=u0, steps=steps, dt=t_end / steps, coefficient=c
        )
        ratio = (states[-1] @ (mass * u0)) / (u0 @ (mass * u0))
        time_errors.append(abs(ratio / np.exp(-c * discrete * t_end) - 1))
        total_errors.append(abs(ratio / np.exp(-6 * c * t_end / RADIUS**2) - 1))
    # Backward Euler is first order: halving dt halves the error against exp(-c λ_h t).
    np.testing.assert_allclose(np.array(time_errors[:-1]) / time_errors[1:], 2.0, rtol=0.05)
    assert time_errors[-1] < 4e-3
    # Against the analytic decay the mesh's own error (λ_h vs 6/R², about 0.6 % here) remains.
    assert (np.diff(total_errors) < 0).all() and total_errors[-1] < 0.01


def test_heat_with_dirichlet_vertices_solves_the_stated_equation():
    mesh = plate(np.random.default_rng(1), 400)
    lap, mass = cotangent_laplacian(mesh.pos, mesh.faces), lumped_mass(mesh.pos, mesh.faces)
    fixed = mesh.boundary
    rng = np.random.default_rng(0)
    u0, source = rng.normal(size=mesh.num_vertices), rng.normal(size=mesh.num_vertices)
    dt, c = 0.01, 0.3
    u1 = HeatSolver(lap, mass, dt=dt, coefficient=c, fixed=fixed, source=source).step(u0)
    residual = mass * u1 + dt * c * (lap @ u1) - mass * u0 - dt * mass * source
    np.testing.assert_allclose(residual[~fixed], 0, atol=1e-12)
    np.testing.assert_array_equal(u1[fixed], u0[fixed])


def test_heat_steady_state_reproduces_a_linear_boundary_field_on_a_flat_plate():
    grid = pv.Plane(i_size=2, j_size=1, i_resolution=20, j_resolution=10).triangulate()
    pos, faces = np.asarray(grid.points, float), np.asarray(grid.regular_faces)
    fixed = boundary_vertices(faces, len(pos))
    u0 = np.where(fixed, 2 * pos[:, 0] + pos[:, 1], 0.0)
    states = simulate(
        pos, faces, equation="heat", initial=u0, steps=30, dt=10.0, coefficient=1.0, fixed=fixed
    )
    np.testing.assert_allclose(states[-1], 2 * pos[:, 0] + pos[:, 1], atol=1e-8)


def test_heat_conserves_total_heat_plus_source_on_a_closed_mesh():
    mesh = branch(np.random.default_rng(2), 500)
    mass = lumped_mass(mesh.pos, mesh.faces)
    rng = np.random.default_rng(1)
    u0, source = rng.normal(size=mesh.num_vertices), rng.normal(size=mesh.num_vertices)
    states = simulate(
        mesh.pos, mesh.faces, equation="heat", initial=u0, steps=10, dt=0.02, coefficient=0.2, source=source
    )
    totals = states @ mass
    np.testing.assert_allclose(np.diff(totals), 0.02 * (mass @ source), rtol=1e-9)


def test_wave_conserves_energy_exactly_at_a_large_step(sphere):
    pos, faces, lap, mass, _, _ = sphere
    c = 1.5
    u = np.exp(-4 * ((pos - [0, 0, RADIUS]) ** 2).sum(axis=1))
    v = np.zeros_like(u)
    solver = WaveSolver(lap, mass, dt=0.2, coefficient=c)  # far past an explicit scheme's limit
    e0 = wave_energy(u, v, lap, mass, c)
    energies = []
    for _ in range(300):
        u, v = solver.step(u, v)
        energies.append(wave_energy(u, v, lap, mass, c))
    np.testing.assert_allclose(energies, e0, rtol=1e-10)


def test_wave_mode_rotates_by_the_trapezoidal_phase(sphere):
    pos, faces, lap, mass, eigenvalues, vectors = sphere
    dt, c, k = 0.1, 1.2, 6  # a degree-2 mode
    omega = c * np.sqrt(eigenvalues[k])
    theta = 2 * np.arctan(omega * dt / 2)  # per-step phase of Newmark average acceleration
    states = simulate(pos, faces, equation="wave", initial=vectors[:, k], steps=40, dt=dt, coefficient=c)
    amplitude = states @ (mass * vectors[:, k])
    np.testing.assert_allclose(amplitude, np.cos(theta * np.arange(41)), atol=1e-9)


def test_wave_with_dirichlet_vertices_solves_the_stated_equations():
    mesh = plate(np.random.default_rng(4), 400)
    lap, mass = cotangent_laplacian(mesh.pos, mesh.faces), lumped_mass(mesh.pos, mesh.faces)
    fixed = mesh.boundary
    rng = np.random.default_rng(0)
    u0, v0 = rng.normal(size=mesh.num_vertices), rng.normal(size=mesh.num_vertices)
    v0[fixed] = 0
    dt, c = 0.05, 0.8
    u1, v1 = WaveSolver(lap, mass, dt=dt, coefficient=c, fixed=fixed).step(u0, v0)
    k = c**2 * lap
    free = ~fixed
    np.testing.assert_allclose((u1 - u0 - dt / 2 * (v0 + v1))[free], 0, atol=1e-12)
    np.testing.assert_allclose((mass * (v1 - v0) + dt / 2 * (k @ (u0 + u1)))[free], 0, atol=1e-12)
    np.testing.assert_array_equal(u1[fixed], u0[fixed])
    np.testing.assert_array_equal(v1[fixed], 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"initial": np.zeros(5)}, "one value per vertex"),
        ({"initial": np.full(642, np.nan)}, "NaN"),
        ({"steps": 0}, "at least 1"),
        ({"dt": 0.0}, "positive"),
        ({"coefficient": -1.0}, ">= 0"),
        ({"equation": "poisson"}, "Unknown equation"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(sphere, change, message):
    pos, faces, *_ = sphere
    kw = {
        "equation": "heat",
        "initial": np.zeros(len(pos)),
        "steps": 2,
        "dt": 0.1,
        "coefficient": 1.0,
    } | change
    with pytest.raises(LoadError, match=message):
        simulate(pos, faces, **kw)

"""core.simulation.operators: the cotangent Laplacian and the lumped mass."""

import numpy as np
import pytest
import pyvista as pv

from nodescope.core.geometry.icosphere import icosphere
from nodescope.core.simulation.operators import cotangent_laplacian, lumped_mass
from nodescope.core.simulation.shapes import branch, plate

SQUARE = np.array([[0.0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])
SQUARE_FACES = np.array([[0, 1, 2], [0, 2, 3]])


def test_matches_a_hand_computed_square():
    # Both triangles are right-angled at 1 and 3 (cot 90° = 0: the diagonal 0-2 has weight 0)
    # and 45° elsewhere (cot 45° = 1: each side gets ½).
    expected = [[1, -0.5, 0, -0.5], [-0.5, 1, -0.5, 0], [0, -0.5, 1, -0.5], [-0.5, 0, -0.5, 1]]
    np.testing.assert_allclose(cotangent_laplacian(SQUARE, SQUARE_FACES).toarray(), expected, atol=1e-12)
    np.testing.assert_allclose(lumped_mass(SQUARE, SQUARE_FACES), [1 / 3, 1 / 6, 1 / 3, 1 / 6])


def test_equilateral_triangle_weights_are_half_cot_60():
    pos = np.array([[0.0, 0, 0], [1, 0, 0], [0.5, np.sqrt(3) / 2, 0]])
    lap = cotangent_laplacian(pos, np.array([[0, 1, 2]])).toarray()
    w = 0.5 / np.sqrt(3)
    np.testing.assert_allclose(lap, [[2 * w, -w, -w], [-w, 2 * w, -w], [-w, -w, 2 * w]], atol=1e-12)


@pytest.mark.parametrize("builder", [branch, plate])
def test_symmetric_rows_sum_to_zero_and_positive_semidefinite(builder):
    mesh = builder(np.random.default_rng(3), 600)
    lap = cotangent_laplacian(mesh.pos, mesh.faces)
    dense = lap.toarray()
    np.testing.assert_allclose(dense, dense.T, atol=1e-12)
    np.testing.assert_allclose(dense.sum(axis=1), 0, atol=1e-10)
    eigenvalues = np.linalg.eigvalsh(dense)
    assert eigenvalues.min() > -1e-9 * eigenvalues.max()
    # A connected mesh: exactly one zero eigenvalue (the constants).
    assert (eigenvalues < 1e-9 * eigenvalues.max()).sum() == 1


def test_dirichlet_energy_of_a_linear_field_is_exact_on_a_flat_mesh():
    grid = pv.Plane(i_size=2, j_size=1, i_resolution=13, j_resolution=7).triangulate()
    pos, faces = np.asarray(grid.points, float), np.asarray(grid.regular_faces)
    u = 3 * pos[:, 0] - pos[:, 1]  # |∇u|² = 10 over an area of 2
    assert u @ (cotangent_laplacian(pos, faces) @ u) == pytest.approx(20.0, rel=1e-10)


def test_lumped_mass_sums_to_the_surface_area():
    mesh = branch(np.random.default_rng(0), 800)
    poly = pv.PolyData.from_regular_faces(mesh.pos, mesh.faces)
    assert lumped_mass(mesh.pos, mesh.faces).sum() == pytest.approx(poly.area, rel=1e-9)
    vertices, faces = icosphere(4)
    assert lumped_mass(3 * vertices, faces).sum() == pytest.approx(4 * np.pi * 9, rel=2e-3)


def test_zero_area_triangle_is_refused():
    pos = np.array([[0.0, 0, 0], [1, 0, 0], [2, 0, 0]])
    with pytest.raises(ValueError, match="zero area"):
        cotangent_laplacian(pos, np.array([[0, 1, 2]]))

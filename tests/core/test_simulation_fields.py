"""core/simulation/fields.default_field: the seeded initial field the CLI and the Meshes page share."""

import numpy as np

from nodescope.core.simulation import default_field, gaussian_bumps, procedural_mesh


def test_default_field_is_three_bumps_sized_to_the_mesh_and_seeded():
    mesh = procedural_mesh("sphere", 0, 200)
    field = default_field(mesh.pos, mesh.faces, 4)
    size = float(np.linalg.norm(mesh.pos - mesh.pos.mean(axis=0), axis=1).max())
    expected = gaussian_bumps(
        mesh.pos, mesh.faces, np.random.default_rng(4), count=3, width=(0.15 * size, 0.35 * size)
    )
    np.testing.assert_array_equal(field, expected)
    assert not np.array_equal(field, default_field(mesh.pos, mesh.faces, 5))
    np.testing.assert_allclose(default_field(2 * mesh.pos, mesh.faces, 4), field)  # scale-free

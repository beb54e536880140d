"""core.simulation surface checks and repairs, procedural shapes, named meshes."""

import numpy as np
import pytest

from nodescope.core.errors import LoadError
from nodescope.core.simulation.meshes import load_simulation_mesh, shipped_mesh
from nodescope.core.simulation.shapes import BUILDERS
from nodescope.core.simulation.surface import boundary_vertices, prepare_mesh

SQUARE = np.array([[0.0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]])


def test_prepare_mesh_repairs_with_a_notice_per_repair():
    base = BUILDERS["plate"](np.random.default_rng(0), 400)
    n, (a, b, _) = base.num_vertices, base.faces[100]
    pos = np.vstack([base.pos, [[0.0, 0.0, 2.0], [5.0, 5, 5]]])  # vertex n + 1: in no triangle
    extra = np.array(
        [
            base.faces[7][[1, 2, 0]],  # a triangle again, rotated
            [a, b, n],  # a third triangle on an interior edge: non-manifold
            [a, a, b],  # degenerate
        ]
    )
    mesh = prepare_mesh(pos, np.vstack([base.faces, extra]), name="toy", max_vertices=1000)
    text = " ".join(mesh.notices)
    for word in ("1 degenerate", "1 duplicate", "1 triangle(s) on non-manifold", "2 vertex(es) in no"):
        assert word in text
    np.testing.assert_array_equal(mesh.faces, base.faces)
    np.testing.assert_array_equal(mesh.pos, base.pos)
    np.testing.assert_array_equal(mesh.vertex_ids, np.arange(n))


@pytest.mark.parametrize(
    ("pos", "faces", "message"),
    [
        (SQUARE, np.array([[0, 1, 2]]), "over the simulation limit"),
        (np.where(SQUARE == 1, np.nan, SQUARE), np.array([[0, 1, 2]]), "NaN"),
        (SQUARE[:, :2], np.array([[0, 1, 2]]), "not a triangle mesh"),
        (SQUARE, np.array([[0, 1, 7]]), "vertex ids"),
        (
            np.vstack([SQUARE[:2], np.random.default_rng(0).normal(size=(6, 3))]),
            np.array([[0, 1, k] for k in range(2, 8)]),  # six triangles on one edge
            "non-manifold",
        ),
    ],
)
def test_prepare_mesh_refuses_what_it_cannot_repair(pos, faces, message):
    with pytest.raises(LoadError, match=message):
        prepare_mesh(pos, faces, name="toy", max_vertices=3 if "limit" in message else 100)


def test_boundary_vertices_of_a_closed_and_an_open_surface():
    tetra = np.array([[0, 1, 2], [0, 3, 1], [1, 3, 2], [0, 2, 3]])
    assert not boundary_vertices(tetra, 4).any()
    assert boundary_vertices(tetra[:3], 4).tolist() == [True, False, True, True]  # the hole 0-2-3


@pytest.mark.parametrize(
    ("family", "euler", "open_surface"),
    [("sphere", 2, False), ("torus", 0, False), ("plate", 1, True), ("branch", 2, False)],
)
def test_procedural_families(family, euler, open_surface):
    mesh = BUILDERS[family](np.random.default_rng(5), 1500)
    again = BUILDERS[family](np.random.default_rng(5), 1500)
    np.testing.assert_array_equal(mesh.pos, again.pos)  # deterministic by seed
    assert 1000 <= mesh.num_vertices <= 2000
    edges = np.unique(np.sort(mesh.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1), axis=0)
    assert mesh.num_vertices - len(edges) + len(mesh.faces) == euler
    assert mesh.boundary.any() == open_surface
    assert np.linalg.norm(mesh.pos, axis=1).max() == pytest.approx(1.0)
    assert not mesh.notices
    other = BUILDERS[family](np.random.default_rng(6), 1500)
    assert other.pos.shape != mesh.pos.shape or not np.allclose(other.pos, mesh.pos)


def test_shipped_meshes_load_without_network():
    sizes = {key: shipped_mesh(key).num_vertices for key in ("airplane", "ant", "nut", "sphere-mesh")}
    assert sizes == {"airplane": 1335, "ant": 486, "nut": 523, "sphere-mesh": 422}
    airplane = shipped_mesh("airplane", normalize=True)
    assert airplane.boundary.any() and any("non-manifold" in n for n in airplane.notices)
    assert np.linalg.norm(airplane.pos, axis=1).max() == pytest.approx(1.0)


def test_load_simulation_mesh_names_and_refusals(tmp_path):
    assert load_simulation_mesh("torus", seed=1).num_vertices > 1000
    with pytest.raises(LoadError, match="over the limit"):
        load_simulation_mesh("ant", max_vertices=100)
    with pytest.raises(LoadError, match="neither a mesh file nor a built-in"):
        load_simulation_mesh("no-such-mesh")
    edges = tmp_path / "g.csv"
    edges.write_text("source,target\n0,1\n1,2\n")
    with pytest.raises(LoadError, match="without triangles"):
        load_simulation_mesh(edges)

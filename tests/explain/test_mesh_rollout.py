"""explain/mesh_rollout: heat beside the models' rollouts on one mesh, and one vertex's attention ring."""

import numpy as np
import pytest
import torch

from nodescope.core.models.mesh import MeshModelConfig, build_mesh_model
from nodescope.core.simulation import procedural_mesh, simulate
from nodescope.explain.mesh_rollout import NO_CHANGE, heat_attention, ring_attention, roll_out_heat


@pytest.fixture(scope="module")
def plate_run():
    torch.manual_seed(0)
    models = {
        "mesh-transformer": build_mesh_model(
            MeshModelConfig("mesh-transformer", hidden=16, layers=2, heads=4)
        ),
        "mpnn": build_mesh_model(MeshModelConfig("mpnn", hidden=8, layers=1)),
    }
    mesh = procedural_mesh("plate", 0, 200)  # open: its boundary is held
    return mesh, models, roll_out_heat(mesh, models, steps=6, seed=3)


def test_truth_is_the_solver_and_every_rollout_starts_from_it(plate_run):
    mesh, _, run = plate_run
    assert run.steps == 6 and run.fixed.any() and run.fixed.sum() == mesh.boundary.sum()
    again = simulate(run.pos, run.faces, equation="heat", initial=run.truth[0], steps=6, dt=run.dt,
                     coefficient=1.0, fixed=run.fixed)  # fmt: skip
    np.testing.assert_allclose(run.truth, again)
    assert set(run.predictions) == {"mesh-transformer", "mpnn", NO_CHANGE}
    for pred in run.predictions.values():
        assert pred.shape == run.truth.shape
        np.testing.assert_allclose(pred[0], run.truth[0], atol=1e-6)
        np.testing.assert_allclose(pred[:, run.fixed], run.truth[:, run.fixed], atol=1e-6)  # held


def test_errors_are_the_rmse_over_vertices_per_step(plate_run):
    _, _, run = plate_run
    errors = run.errors()
    change = run.truth - run.truth[0]
    np.testing.assert_allclose(
        errors[NO_CHANGE], np.sqrt((change**2).mean(axis=1)), atol=1e-6
    )  # float32 states
    assert all(e.shape == (7,) and e[0] < 1e-6 for e in errors.values())
    assert errors[NO_CHANGE][-1] > 0  # heat moves the field


def test_a_vertex_ring_is_its_mesh_neighbors_with_each_heads_weights(plate_run):
    mesh, models, run = plate_run
    physics = heat_attention(models["mesh-transformer"], run, 3)
    vertex = int(np.flatnonzero(~run.fixed)[0])
    ring = ring_attention(physics, run.pos, vertex)
    neighbors = set(mesh.faces[(mesh.faces == vertex).any(axis=1)].ravel()) - {vertex}
    assert set(ring.neighbors.tolist()) == neighbors
    assert ring.attention.shape == (len(neighbors), 4) and ring.xy.shape == (len(neighbors), 2)
    np.testing.assert_allclose(ring.attention.sum(axis=0), 1.0, atol=1e-5)  # k = 1: the whole softmax
    np.testing.assert_allclose(ring.cotangent.sum(), 1.0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(ring.xy, axis=1).mean(), 1.0, rtol=0.2)  # flat, unit scale

"""explain/mesh_attention: normalized cotangent weights and per-head ρ of first-layer attention."""

import numpy as np
import pytest
import torch

from nodescope.core.models.mesh import MeshModelConfig, build_mesh_model, mesh_graph
from nodescope.core.simulation import procedural_mesh
from nodescope.explain.mesh_attention import attention_vs_cotangent, normalized_cotangent_weights


@pytest.fixture(scope="module")
def sphere():
    mesh = procedural_mesh("sphere", 0, 200)
    return mesh.pos, mesh.faces


def test_normalized_cotangent_weights_sum_to_one_into_each_vertex(sphere):
    pos, faces = sphere
    graph = mesh_graph(pos, faces, k=2)
    w = normalized_cotangent_weights(pos, faces, graph.edge_index.numpy())
    sums = np.bincount(graph.edge_index[1].numpy(), weights=w, minlength=len(pos))
    np.testing.assert_allclose(sums, 1.0, atol=1e-9)
    assert (w[graph.geometry[:, 4].numpy() == 2] == 0).all()  # no cotangent weight off the 1-ring


def test_rho_per_head_on_the_one_ring(sphere):
    pos, faces = sphere
    torch.manual_seed(0)
    model = build_mesh_model(MeshModelConfig("mesh-transformer", hidden=16, layers=2, heads=4, k=2))
    graph = mesh_graph(pos, faces, k=2)
    result = attention_vs_cotangent(model, graph, pos, faces, number=0.1, u=np.zeros(len(pos)))
    one_ring = int((graph.geometry[:, 4] == 1).sum())
    assert result.attention.shape == (one_ring, 4) and result.cotangent.shape == (one_ring,)
    assert result.rho.shape == (4,) and np.all(np.abs(result.rho) <= 1) and 0 <= result.best_head < 4


def test_the_mpnn_has_no_attention_to_compare(sphere):
    pos, faces = sphere
    model = build_mesh_model(MeshModelConfig("mpnn", hidden=8, layers=1))
    with pytest.raises(ValueError, match="no attention"):
        attention_vs_cotangent(model, mesh_graph(pos, faces), pos, faces, number=0.1, u=np.zeros(len(pos)))

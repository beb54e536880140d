"""The mesh models' fused-kernel path (core/models/mesh/kernels.py): the same function as the plain forward."""

import numpy as np
import pytest
import torch

from nodescope.core.models.mesh import (
    build_mesh_model,
    inputs,
    load_mesh_model,
    mesh_graph,
    rollout,
    shipped_mesh_model,
    step_number,
)
from nodescope.core.models.mesh.base import MeshModelConfig
from nodescope.core.models.mesh.kernels import edge_csr
from nodescope.core.simulation import gaussian_bumps, procedural_mesh

MODELS = ("mesh-transformer", "mpnn")


@pytest.fixture(scope="module")
def torus():
    mesh = procedural_mesh("torus", 0, 1500)
    u = gaussian_bumps(mesh.pos, mesh.faces, np.random.default_rng(0), count=3, width=(0.15, 0.35))
    fixed = np.zeros(len(mesh.pos), bool)
    fixed[:20] = True
    return mesh, u.astype(np.float32), fixed


def shipped(key: str):
    path = shipped_mesh_model(key, "heat")
    if path is None:
        pytest.skip(f"no shipped {key} weights")
    return load_mesh_model(path)[0]


def _both(model, graph, u, source_dt=None, u_prev=None):
    x = inputs(
        graph,
        model.config.equation,
        step_number(model.config.equation, 0.1, 0.25 * graph.h**2 / 0.1, graph.h),
        torch.as_tensor(u),
        None if u_prev is None else torch.as_tensor(u_prev),
        source_dt,
    )
    csr = edge_csr(graph.edge_index, graph.num_vertices)
    assert csr is not None
    with torch.inference_mode():
        static = model.static(graph.geometry)
        plain = model(x, static=static)
        fast = model(x, static=static, csr=csr)
    return plain, fast


def assert_close(fast: torch.Tensor, plain: torch.Tensor) -> None:
    scale = float(plain.abs().max())
    assert float((fast - plain).abs().max()) <= 1e-5 * scale, float((fast - plain).abs().max()) / scale


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("key", MODELS)
def test_fast_forward_equals_plain_forward_on_shipped_weights(torus, key, threads):
    mesh, u, fixed = torus
    model = shipped(key)
    graph = mesh_graph(mesh.pos, mesh.faces, k=model.config.k, fixed=fixed)
    source = torch.as_tensor(np.random.default_rng(1).normal(0, 0.01, len(u)), dtype=torch.float32)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)  # 2: the kernels split the vertices between two threads
    try:
        plain, fast = _both(model, graph, u, source_dt=source)
    finally:
        torch.set_num_threads(before)
    assert plain.hidden and not fast.hidden  # the fast path ran (it keeps no hidden states)
    assert_close(fast.y, plain.y)
    assert_close(fast.y_normalized, plain.y_normalized)


@pytest.mark.parametrize("key", MODELS)
def test_fast_forward_equals_plain_forward_wave_and_two_rings(torus, key):
    mesh, u, _ = torus
    torch.manual_seed(0)
    model = build_mesh_model(MeshModelConfig(key, equation="wave", hidden=24, layers=2, heads=3, k=2)).eval()
    graph = mesh_graph(mesh.pos, mesh.faces, k=2)
    plain, fast = _both(model, graph, u, u_prev=0.9 * u)
    assert_close(fast.y, plain.y)


@pytest.mark.parametrize("key", MODELS)
def test_fast_rollout_equals_plain_rollout(torus, key):
    mesh, u, fixed = torus
    model = shipped(key)
    graph = mesh_graph(mesh.pos, mesh.faces, k=model.config.k, fixed=fixed)
    number = step_number("heat", 0.1, 0.25 * graph.h**2 / 0.1, graph.h)
    plain = rollout(model, graph, number=number, initial=u, steps=10, fast=False)
    fast = rollout(model, graph, number=number, initial=u, steps=10)
    np.testing.assert_allclose(fast, plain, rtol=0, atol=1e-5 * np.abs(plain).max())
    np.testing.assert_array_equal(fast[:, fixed], np.tile(u[fixed], (11, 1)))


def test_edge_csr_groups_edges_by_target_and_refuses_unsorted_ones(torus):
    mesh, _, _ = torus
    graph = mesh_graph(mesh.pos, mesh.faces, k=1)
    csr = edge_csr(graph.edge_index, graph.num_vertices)
    dst = graph.edge_index[1]
    for i in (0, 7, graph.num_vertices - 1):
        np.testing.assert_array_equal(dst[csr.indptr[i] : csr.indptr[i + 1]], i)
    assert int(csr.indptr[-1]) == dst.numel()
    assert csr.max_degree == int(torch.bincount(dst).max())
    assert edge_csr(graph.edge_index.flip(1), graph.num_vertices) is None


def test_gradients_and_attention_take_the_plain_path(torus):
    mesh, u, _ = torus
    model = build_mesh_model(MeshModelConfig("mesh-transformer", hidden=16, layers=2, heads=2))
    graph = mesh_graph(mesh.pos, mesh.faces, k=1)
    csr = edge_csr(graph.edge_index, graph.num_vertices)
    x = inputs(graph, "heat", 0.2, torch.as_tensor(u))
    out = model(x, csr=csr)  # gradients on: the plain path (kernels have no backward)
    assert out.hidden and out.y.requires_grad
    with torch.no_grad():
        assert model(x, csr=csr, attention=True).attention

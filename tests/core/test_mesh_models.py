"""Mesh models (core/models/mesh): the k-ring mask, shapes, the increment round trip, a tiny overfit."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from nodescope.core.geometry.triangles import face_edges
from nodescope.core.graph import hop_distances
from nodescope.core.models.mesh import (
    DEFAULT_CONFIGS,
    MeshModelConfig,
    advance,
    build_mesh_model,
    inputs,
    k_ring_edges,
    load_mesh_model,
    mesh_graph,
    no_change,
    rollout,
    save_mesh_model,
    step_number,
    target,
    uniform_laplacian_rollout,
)
from nodescope.core.models.mesh.data import example
from nodescope.core.models.mesh.normalize import Normalizer
from nodescope.core.models.mesh.training import MeshTrainSettings, train
from nodescope.core.simulation import DatasetConfig, make_sample, procedural_mesh


@pytest.fixture(scope="module")
def plate():
    mesh = procedural_mesh("plate", 0, 150)
    return mesh.pos, mesh.faces


def small(model: str, **kw) -> MeshModelConfig:
    return MeshModelConfig(model, hidden=16, layers=2, heads=2, **kw)


def test_k_ring_edges_are_exactly_the_pairs_within_k_hops(plate):
    pos, faces = plate
    n = len(pos)
    one, hops1 = k_ring_edges(faces, n, 1)
    undirected = face_edges(faces)
    assert one.shape[1] == 2 * undirected.shape[1] and (hops1 == 1).all()
    edges, hops = k_ring_edges(faces, n, 2)
    assert (edges[0] != edges[1]).all()
    for vertex in (0, n // 2, n - 1):
        d = hop_distances(one, vertex, n, flow="undirected")
        into = edges[1] == vertex
        expected = set(np.flatnonzero((d >= 1) & (d <= 2)).tolist())
        assert set(edges[0, into].tolist()) == expected
        np.testing.assert_array_equal(hops[into], d[edges[0, into]])


@pytest.mark.parametrize("k", [1, 2])
def test_attention_lives_on_the_k_ring_and_sums_to_one(plate, k):
    pos, faces = plate
    torch.manual_seed(0)
    model = build_mesh_model(small("mesh-transformer", k=k)).eval()
    graph = mesh_graph(pos, faces, k=k)
    u = torch.randn(len(pos))
    out = model(inputs(graph, "heat", 0.1, u), attention=True)
    assert out.y.shape == (len(pos),) and len(out.hidden) == 3 and out.hidden[-1].shape == (len(pos), 16)
    assert len(out.attention) == 2 and out.attention[0].shape == (graph.edge_index.shape[1], 2)
    sums = torch.zeros(len(pos), 2).index_add_(0, graph.edge_index[1], out.attention[0])
    torch.testing.assert_close(sums, torch.ones_like(sums))
    # Every attended pair is within k hops (the mask is the k-ring's edge list, nothing else).
    one, _ = k_ring_edges(faces, len(pos), 1)
    d = hop_distances(one, 7, len(pos), flow="undirected")
    assert d[graph.edge_index[0, graph.edge_index[1] == 7].numpy()].max() <= k


@pytest.mark.parametrize("key", ["mesh-transformer", "mpnn"])
def test_a_vertex_outside_the_receptive_field_changes_nothing(plate, key):
    pos, faces = plate
    k = 2 if key == "mesh-transformer" else 1
    torch.manual_seed(0)
    model = build_mesh_model(small(key, k=k)).eval()
    graph = mesh_graph(pos, faces, k=k)
    one, _ = k_ring_edges(faces, len(pos), 1)
    center = int(np.argmin(np.linalg.norm(pos - pos.mean(0), axis=1)))
    d = hop_distances(one, center, len(pos), flow="undirected")
    reach = model.config.layers * k  # each block sees k rings
    u = torch.randn(len(pos))
    base = model(inputs(graph, "heat", 0.1, u)).y[center]
    outside, edge = np.flatnonzero(d > reach), np.flatnonzero(d == reach)
    assert len(outside) and len(edge)
    far = u.clone()
    far[torch.as_tensor(outside)] += 5.0
    assert model(inputs(graph, "heat", 0.1, far)).y[center] == base
    near = u.clone()
    near[int(edge[0])] += 5.0
    assert model(inputs(graph, "heat", 0.1, near)).y[center] != base


def test_mpnn_has_no_attention_and_both_defaults_have_comparable_size():
    sizes = {key: build_mesh_model(cfg).num_parameters() for key, cfg in DEFAULT_CONFIGS.items()}
    assert abs(sizes["mpnn"] - sizes["mesh-transformer"]) < 0.05 * sizes["mesh-transformer"]


@pytest.mark.parametrize("equation", ["heat", "wave"])
def test_increment_and_normalization_round_trip(equation):
    g = torch.Generator().manual_seed(0)
    u, u_prev, u_next = (torch.randn(20, generator=g, dtype=torch.float64) for _ in range(3))
    y = target(equation, 0.3, u_next, u, u_prev)
    torch.testing.assert_close(advance(equation, 0.3, y, u, u_prev), u_next)
    norm = Normalizer(3)
    x = torch.randn(50, 3, generator=g) * 4 + 2
    norm.fit(x)
    torch.testing.assert_close(norm.inverse(norm(x)), x)
    assert norm(x).std(0).sub(1).abs().max() < 0.05
    scale = Normalizer(1, center=False)
    scale.fit(x[:, :1])
    assert scale(torch.zeros(1, 1)).item() == 0.0


def test_step_number_is_dimensionless():
    assert step_number("heat", 2.0, 0.01, 0.1) == pytest.approx(2.0)
    assert step_number("wave", 1.0, 0.05, 0.1) == pytest.approx(0.25)
    # Scaling the mesh by a and the coefficient by a² (heat) changes nothing the model reads.
    assert step_number("heat", 8.0, 0.01, 0.2) == pytest.approx(step_number("heat", 2.0, 0.01, 0.1))


def test_inputs_ignore_a_constant_added_to_the_field(plate):
    pos, faces = plate
    graph = mesh_graph(pos, faces)
    u = torch.randn(len(pos))
    a, b = inputs(graph, "wave", 0.2, u, u * 0.5), inputs(graph, "wave", 0.2, u + 3.0, u * 0.5 + 3.0)
    torch.testing.assert_close(a.node, b.node)
    torch.testing.assert_close(a.dynamic, b.dynamic)


def test_rollout_holds_fixed_vertices_and_has_n_plus_one_states(plate):
    pos, faces = plate
    fixed = np.zeros(len(pos), bool)
    fixed[:5] = True
    graph = mesh_graph(pos, faces, fixed=fixed)
    model = build_mesh_model(small("mpnn"))
    initial = np.random.default_rng(0).normal(size=len(pos))
    states = rollout(model, graph, number=0.1, initial=initial, steps=4)
    assert states.shape == (5, len(pos)) and states.dtype == np.float32
    np.testing.assert_allclose(states[:, :5], np.tile(initial[:5], (5, 1)), rtol=1e-6)
    with pytest.raises(ValueError, match="k = 1"):
        rollout(build_mesh_model(small("mesh-transformer", k=2)), graph, number=0.1, initial=initial, steps=1)


def test_baselines(plate):
    pos, faces = plate
    assert no_change(np.ones(len(pos)), 3).shape == (4, len(pos))
    kw = {"equation": "heat", "h": 0.1, "coefficient": 1.0, "dt": 1e-4, "steps": 3}
    flat = uniform_laplacian_rollout(faces, initial=np.full(len(pos), 2.0), **kw)
    np.testing.assert_allclose(flat, 2.0)  # a constant is the Laplacian's null space
    bump = np.zeros(len(pos))
    bump[40] = 1.0
    smoothed = uniform_laplacian_rollout(faces, initial=bump, **kw)
    assert (
        smoothed[-1, 40] < 1.0 and smoothed.min() >= 0.0 and smoothed[-1].max() <= 1.0
    )  # a maximum principle


def test_checkpoint_round_trip(tmp_path, plate):
    pos, faces = plate
    torch.manual_seed(1)
    model = build_mesh_model(small("mesh-transformer"))
    model.target_norm.std.fill_(3.0)
    save_mesh_model(model, tmp_path / "m", {"seed": 1})
    again, record = load_mesh_model(tmp_path / "m.json")
    graph = mesh_graph(pos, faces)
    x = inputs(graph, "heat", 0.1, torch.randn(len(pos)))
    torch.testing.assert_close(again.cpu()(x).y, model.eval()(x).y)
    assert record["seed"] == 1 and record["format"] == "nodescope-mesh-model"


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny graphs: threads only add overhead (10x on a busy machine)
    yield
    torch.set_num_threads(threads)


def test_a_tiny_model_overfits_one_simulation(one_thread):
    sample = make_sample("train", 1, equation="heat", config=DatasetConfig(steps=6, vertices=(120, 120)))
    ex = example(sample, 1)
    torch.manual_seed(0)
    model = build_mesh_model(replace(small("mesh-transformer"), noise=0.0))
    info = train(model, [ex], MeshTrainSettings(steps=100, batch=2, lr=3e-3))
    first, last = info["history"][0][1], info["history"][-1][1]
    assert last < 0.2 * first, (first, last)  # measured: 0.59 -> 0.08 after 60 steps


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_rollout_on_cuda_matches_cpu(plate):
    pos, faces = plate
    torch.manual_seed(0)
    model = build_mesh_model(small("mesh-transformer")).eval()
    graph = mesh_graph(pos, faces)
    initial = np.random.default_rng(0).normal(size=len(pos))
    cpu = rollout(model, graph, number=0.1, initial=initial, steps=5)
    gpu = rollout(model.cuda(), graph, number=0.1, initial=initial, steps=5)
    np.testing.assert_allclose(gpu, cpu, atol=1e-4)

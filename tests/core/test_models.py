"""Every registered model builds and runs; the transformer models' encodings and limits behave."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch import nn
from torch_geometric.data import Data
from torch_geometric.transforms import AddRandomWalkPE
from torch_geometric.utils import from_networkx

from nodescope.core.loaders import load
from nodescope.core.models import MODELS, build, encodings
from nodescope.core.models import gps as gps_module
from nodescope.core.models import transformer as transformer_module
from nodescope.core.models.encodings import laplacian_pe, random_sign_flip, random_walk_se
from nodescope.core.models.gps import GlobalAttention
from nodescope.core.training import with_split


@pytest.fixture(scope="module")
def karate() -> Data:
    return with_split(load("karate").data, seed=0)


def _sums_per_target(edge_index: torch.Tensor, alpha: torch.Tensor, n: int) -> torch.Tensor:
    return torch.zeros(n, alpha.shape[1]).index_add_(0, edge_index[1], alpha)


@pytest.mark.parametrize("key", sorted(MODELS))
def test_every_model_builds_and_runs_from_its_defaults(key: str, karate: Data) -> None:
    torch.manual_seed(0)
    spec = MODELS[key]
    n, c = karate.num_nodes, int(karate.y.max()) + 1
    model = build(spec.config(karate.num_features, c)).eval()
    data = model.prepare(karate)
    with torch.no_grad():
        out = model(data, attention=True)
        plain = model(data)
    assert out.logits.shape == (n, c)
    assert torch.isfinite(out.logits).all()
    assert len(out.hidden) >= 2 and all(h.shape[0] == n for h in out.hidden)
    assert plain.attention == []  # attention is collected only on request
    if spec.attention == "none":
        assert out.attention == [] and out.global_inputs == []
    if spec.attention == "local":
        assert out.attention
        for layer in out.attention:
            sums = _sums_per_target(layer.edge_index, layer.alpha, n)
            assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)
    if spec.attention == "local+global":
        assert out.global_inputs and all(x.shape[0] == n for x in out.global_inputs)


def test_laplacian_pe_solves_the_eigenproblem_per_component() -> None:
    # A 6-cycle, a triangle, an isolated node: 10 nodes, three components.
    g = nx.disjoint_union_all([nx.cycle_graph(6), nx.complete_graph(3), nx.empty_graph(1)])
    edge_index = from_networkx(g).edge_index
    pe = laplacian_pe(edge_index, 10, k=4).numpy()
    assert pe.shape == (10, 4)
    # The triangle has 2 non-trivial eigenvectors: columns 2 and 3 are zero there; the isolated node is zero.
    assert np.all(pe[6:9, 2:] == 0) and np.all(pe[9] == 0)
    for nodes, m in ((np.arange(6), 4), (np.arange(6, 9), 2)):
        adj = nx.to_numpy_array(g.subgraph(nodes.tolist()), nodelist=nodes.tolist())
        d = adj.sum(1)
        lap = np.eye(len(nodes)) - adj / np.sqrt(np.outer(d, d))
        vecs = pe[nodes, :m].astype(np.float64)
        assert np.allclose(np.linalg.norm(vecs, axis=0), 1, atol=1e-5)
        assert np.allclose(vecs.T @ np.sqrt(d), 0, atol=1e-5)  # orthogonal to the trivial eigenvector
        rayleigh = np.diag(vecs.T @ lap @ vecs)
        assert np.allclose(lap @ vecs, vecs * rayleigh, atol=1e-5)
        assert np.all(rayleigh > 1e-6)  # non-trivial


@pytest.mark.parametrize("band_budget", [encodings.SHIFT_INVERT_MAX_BAND, 0])  # shift-invert, plain Lanczos
def test_laplacian_pe_large_component_uses_arpack_and_is_repeatable(
    band_budget: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encodings, "SHIFT_INVERT_MAX_BAND", band_budget)
    g = nx.grid_2d_graph(40, 40)  # 1,600 nodes: above the dense limit
    edge_index = from_networkx(nx.convert_node_labels_to_integers(g)).edge_index
    a = laplacian_pe(edge_index, 1600, k=3)
    b = laplacian_pe(edge_index, 1600, k=3)
    assert torch.equal(a, b)
    adj = sp.csr_matrix(nx.to_scipy_sparse_array(nx.convert_node_labels_to_integers(g)))
    d = np.asarray(adj.sum(1)).ravel()
    lap = sp.identity(1600) - sp.diags(d**-0.5) @ adj @ sp.diags(d**-0.5)
    v = a.numpy().astype(np.float64)
    residual = lap @ v - v * np.diag(v.T @ (lap @ v))
    assert np.abs(residual).max() < 1e-3


def test_random_walk_se_matches_pyg_and_a_cycle() -> None:
    karate = load("karate").data
    ours = random_walk_se(karate.edge_index, karate.num_nodes, 8)
    ref = AddRandomWalkPE(8, attr_name="rw")(
        Data(edge_index=karate.edge_index, num_nodes=karate.num_nodes)
    ).rw
    assert torch.allclose(ours, ref, atol=1e-5)
    cycle = from_networkx(nx.cycle_graph(8)).edge_index
    se = random_walk_se(cycle, 8, 4, block=3)  # blocks that do not divide N
    assert torch.allclose(se[:, 0], torch.zeros(8)) and torch.allclose(se[:, 1], torch.full((8,), 0.5))


def test_random_sign_flip_flips_whole_columns() -> None:
    pe = torch.randn(20, 16)
    flipped = random_sign_flip(pe, torch.Generator().manual_seed(0))
    ratio = flipped / pe
    assert torch.allclose(ratio.abs(), torch.ones_like(ratio))
    assert torch.all(ratio == ratio[0])  # one sign per column
    assert (ratio[0] < 0).any() and (ratio[0] > 0).any()


@pytest.mark.parametrize(("key", "module"), [("graph-transformer", transformer_module), ("gps", gps_module)])
def test_eigenvector_signs_flip_only_in_training(
    key: str, module: object, karate: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    original = module.random_sign_flip

    def spy(pe: torch.Tensor, *args: object) -> torch.Tensor:
        calls.append(pe.shape)
        return original(pe, *args)

    monkeypatch.setattr(module, "random_sign_flip", spy)
    options = {"encoding": "lap"} if key == "gps" else {}
    model = build(MODELS[key].config(karate.num_features, 4, dropout=0.0, options=options))
    data = model.prepare(karate)
    model.eval()
    with torch.no_grad():
        first, second = model(data).logits, model(data).logits
    assert calls == [] and torch.equal(first, second)
    model.train()
    model(data)
    assert calls == [(karate.num_nodes, MODELS[key].options["pe_dim"])]


def test_graph_transformer_uses_edge_features_when_configured(karate: Data) -> None:
    data = karate.clone()
    data.edge_attr = torch.rand(data.num_edges, 3)
    model = build(MODELS["graph-transformer"].config(data.num_features, 4, options={"edge_dim": 3})).eval()
    data = model.prepare(data)
    with torch.no_grad():
        before = model(data).logits
        data.edge_attr = torch.rand(data.num_edges, 3)
        after = model(data).logits
    assert not torch.allclose(before, after)
    del data.edge_attr
    with pytest.raises(ValueError, match="no edge_attr"):
        model(data)


def test_prepare_keeps_an_existing_encoding(karate: Data) -> None:
    model = build(MODELS["graph-transformer"].config(karate.num_features, 4))
    once = model.prepare(karate)
    assert model.prepare(once) is once
    assert karate.get("lap_pe") is None  # the caller's data is not modified


def test_gps_refuses_graphs_above_its_node_limit() -> None:
    spec = MODELS["gps"]
    model = build(spec.config(8, 3, options={"max_nodes": 50})).eval()
    small = Data(x=torch.randn(50, 8), edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=50)
    model(model.prepare(small))
    big = Data(x=torch.randn(51, 8), edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=51)
    with pytest.raises(ValueError, match="limit of 50"):
        model.prepare(big)
    big.lap_pe = torch.zeros(51, spec.options["pe_dim"])
    with pytest.raises(ValueError, match="O\\(N²\\)"):
        model(big)
    default = build(spec.config(8, 3))
    with pytest.raises(ValueError, match="20,000"):
        default.prepare(Data(x=torch.zeros(20_001, 8), edge_index=torch.zeros(2, 0, dtype=torch.long)))


def test_global_attention_matches_torch_multihead_attention() -> None:
    torch.manual_seed(0)
    ours = GlobalAttention(16, 4, dropout=0.0).eval()
    ref = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(1, 30, 16)
    kpm = torch.zeros(1, 30, dtype=torch.bool)
    with torch.no_grad():
        got, _ = ours(x, x, x, key_padding_mask=kpm, need_weights=False)
        want, _ = ref(x, x, x, key_padding_mask=kpm, need_weights=False)
        assert torch.allclose(got, want, atol=1e-5)
        kpm[0, 25:] = True  # padded keys (batched graphs) are masked out too
        got, _ = ours(x, x, x, key_padding_mask=kpm)
        want, _ = ref(x, x, x, key_padding_mask=kpm, need_weights=False)
        assert torch.allclose(got, want, atol=1e-5)


def test_gps_random_walk_encoding_and_edge_features(karate: Data) -> None:
    data = karate.clone()
    data.edge_attr = torch.rand(data.num_edges, 2)
    options = {"encoding": "rwse", "pe_dim": 4, "edge_dim": 2}
    model = build(MODELS["gps"].config(data.num_features, 4, options=options)).eval()
    data = model.prepare(data)
    assert data.rwse.shape == (karate.num_nodes, 4) and data.get("lap_pe") is None
    with torch.no_grad():
        before = model(data).logits
        data.edge_attr = torch.rand(data.num_edges, 2)
        assert not torch.allclose(before, model(data).logits)


@pytest.mark.parametrize("key", ["gcn", "gat", "gatv2", "graph-transformer", "gps"])
def test_input_encoding_widens_the_first_layer_and_is_computed_once(key: str, karate: Data) -> None:
    options = {"input_encoding": "degree+rwse", "input_encoding_dim": 6}
    config = MODELS[key].config(karate.num_features, 4, options=options)
    model = build(config).eval()
    assert model.in_width == karate.num_features + 7
    data = model.prepare(karate)
    assert data.input_encoding.shape == (karate.num_nodes, 7) and karate.get("input_encoding") is None
    assert model.prepare(data) is data  # once per graph
    with torch.no_grad():
        out = model(data)
    if key in ("gcn", "gat", "gatv2"):  # hidden[0] is their input; the transformers' is an embedding
        assert out.hidden[0].shape == (karate.num_nodes, karate.num_features + 7)
    else:
        assert model.embed.in_features == karate.num_features + 7
    assert torch.isfinite(out.logits).all()
    # the config carries the option, so a checkpoint rebuilds the same widths
    again = build(type(config).from_dict(json.loads(config.to_json())))
    assert again.in_width == model.in_width
    with pytest.raises(ValueError, match="prepare"):
        model(karate)


def test_input_encoding_is_standardized_and_refused_by_models_without_it(karate: Data) -> None:
    enc = encodings.structural_encoding("degree+rwse", karate.edge_index, karate.num_nodes, 4)
    assert enc.shape == (karate.num_nodes, 5)
    assert torch.allclose(enc[:, 0].mean(), torch.tensor(0.0), atol=1e-5)
    assert torch.allclose(enc[:, 0].std(), torch.tensor(1.0), atol=1e-4)
    assert torch.all(enc[:, 1] == 0)  # one step never returns home without self-loops: constant -> 0
    with pytest.raises(ValueError, match="unknown input encoding"):
        encodings.structural_encoding("lap", karate.edge_index, karate.num_nodes, 4)
    with pytest.raises(ValueError, match="input_encoding"):
        build(MODELS["gin"].config(karate.num_features, 4, options={"input_encoding": "degree"}))


@pytest.mark.parametrize(
    ("key", "options"),
    [
        ("graph-transformer", {"norm": "layer"}),
        ("graph-transformer", {"norm": "none"}),
        ("gps", {"local": "gcn"}),
    ],
)
def test_transformer_norm_and_local_convolution_options(key: str, options: dict, karate: Data) -> None:
    model = build(MODELS[key].config(karate.num_features, 4, options=options)).eval()
    with torch.no_grad():
        assert torch.isfinite(model(model.prepare(karate)).logits).all()
    kinds = {type(m).__name__ for m in model.modules()}
    assert "BatchNorm1d" not in kinds if key == "graph-transformer" else "GCNConv" in kinds


def test_graph_transformer_without_its_feed_forward_block(karate: Data) -> None:
    """``ffn`` False: no feed-forward weights, an ELU between attention layers (GAT's), still trainable."""
    config = MODELS["graph-transformer"].config(
        karate.num_features, 4, options={"ffn": False, "norm": "none"}
    )
    model = build(config)
    assert len(model.ffn) == 0 and len(model.norm_ffn) == 0
    published = build(MODELS["graph-transformer"].config(karate.num_features, 4, options={"norm": "none"}))
    assert len(published.ffn) == config.layers  # the default keeps the published block
    data = model.prepare(karate)
    model.train()
    model(data).logits.sum().backward()
    assert all(conv.lin_query.weight.grad is not None for conv in model.convs)
    model.eval()
    with torch.no_grad():
        out = model(data)
    assert torch.isfinite(out.logits).all() and (out.hidden[1] >= -1).all()  # ELU's floor

"""Attention maps, aggregates, rollout, head statistics, ranked tables and global attention rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch_geometric.data import Data

from nodescope.core.graph import hop_distances
from nodescope.core.loaders import load
from nodescope.core.models import MODELS, LayerAttention, ModelConfig, ModelOutput, NodeModel, build
from nodescope.core.training import with_split
from nodescope.explain.attention import (
    AttentionMaps,
    aggregate_heads,
    attention_maps,
    attention_rollout,
    global_attention_focus,
    global_attention_row,
    global_attention_rows,
    global_ranked,
    global_row_statistics,
    head_statistics,
    incoming,
    outgoing,
    row_entropy,
)


@pytest.fixture(scope="module")
def karate() -> Data:
    return with_split(load("karate").data, seed=0)


def _model(key: str, data: Data, **overrides: object) -> tuple[NodeModel, Data]:
    torch.manual_seed(0)
    model = build(MODELS[key].config(data.num_features, 4, **overrides)).eval()
    return model, model.prepare(data)


def _incoming_sums(maps: AttentionMaps, layer: int, head: int) -> np.ndarray:
    return np.bincount(maps.edge_index[1], weights=maps.alpha[layer, head], minlength=maps.num_nodes)


@pytest.mark.parametrize("key", ["gat", "gatv2", "graph-transformer"])
def test_coefficients_into_each_node_sum_to_one_per_head(key: str, karate: Data) -> None:
    model, data = _model(key, karate)
    maps = attention_maps(model, data)
    layers, h_max, e = maps.alpha.shape
    assert maps.edge_index.shape == (2, e) and maps.edge_index.dtype == np.int64
    assert maps.alpha.dtype == np.float32 and layers == len(maps.heads) == len(maps.layer_names)
    assert (maps.edge_index[0] == maps.edge_index[1]).sum() == karate.num_nodes  # one self-loop per node
    for layer, heads in enumerate(maps.heads):
        for h in range(heads):
            assert np.allclose(_incoming_sums(maps, layer, h), 1.0, atol=1e-5)
    assert not model.training


def test_gat_output_layer_has_nan_for_missing_heads(karate: Data) -> None:
    model, data = _model("gat", karate)
    maps = attention_maps(model, data)
    assert maps.heads == [8, 1] and maps.layer_names == ["conv 1", "conv 2"]
    assert np.isnan(maps.alpha[1, 1:]).all() and np.isfinite(maps.alpha[1, 0]).all()
    assert np.isfinite(maps.alpha[0]).all()


class _ShuffledEdges(NodeModel):
    """Two fake attention layers that list the same edges (plus one extra) in different orders."""

    def __init__(self, layers: list[LayerAttention]) -> None:
        super().__init__(ModelConfig(model="gat", in_dim=1, out_dim=2))
        self.layers = layers

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        return ModelOutput(logits=torch.zeros(data.num_nodes, 2), attention=self.layers if attention else [])


def test_layers_that_order_edges_differently_are_aligned() -> None:
    ei = torch.tensor([[0, 1, 2, 1, 0], [1, 0, 1, 2, 0]])
    a0 = torch.tensor([[0.6, 0.1], [1.0, 1.0], [0.3, 0.5], [1.0, 1.0], [0.4, 0.9]])
    perm = torch.tensor([4, 2, 0, 3, 1])
    ei1 = torch.cat([ei[:, perm], torch.tensor([[2], [2]])], dim=1)  # layer 2 also has the loop 2 → 2
    a1 = torch.cat([a0[perm, :1] * 0 + torch.arange(5.0)[:, None] / 10, torch.ones(1, 1)])
    model = _ShuffledEdges([LayerAttention(ei, a0), LayerAttention(ei1, a1)])
    maps = attention_maps(model, Data(edge_index=ei, num_nodes=3))
    assert maps.heads == [2, 1]
    keys = maps.edge_index[0] * 3 + maps.edge_index[1]
    assert len(set(keys)) == maps.edge_index.shape[1] == 6
    for layer, (e, a) in enumerate([(ei, a0), (ei1, a1)]):
        for col in range(e.shape[1]):
            pos = int(np.flatnonzero(keys == int(e[0, col] * 3 + e[1, col]))[0])
            assert np.allclose(maps.alpha[layer, : a.shape[1], pos], a[col].numpy())
    extra = int(np.flatnonzero(keys == 2 * 3 + 2)[0])
    assert np.allclose(maps.alpha[0, :, extra], 0.0)  # layer 1 did not see 2 → 2


def _hand_made() -> AttentionMaps:
    """Node 0 receives from 1..4 and itself; nodes 1..4 only from themselves.

    Layer 0: head 0 uniform over node 0's five edges, head 1 all on 1 → 0. Layer 1: one head, all on 0 → 0.
    """
    src = np.array([0, 1, 2, 3, 4, 1, 2, 3, 4])
    dst = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4])
    alpha = np.full((2, 2, 9), np.nan, dtype=np.float32)
    alpha[0, 0] = [0.2] * 5 + [1.0] * 4
    alpha[0, 1] = [0.0, 1.0, 0.0, 0.0, 0.0] + [1.0] * 4
    alpha[1, 0] = [1.0, 0.0, 0.0, 0.0, 0.0] + [1.0] * 4
    return AttentionMaps(np.stack([src, dst]), alpha, [2, 1], ["conv 1", "conv 2"], 5)


def test_aggregate_heads_mean_and_max() -> None:
    maps = _hand_made()
    assert np.allclose(aggregate_heads(maps, 0, "mean")[:5], [0.1, 0.6, 0.1, 0.1, 0.1])
    assert np.allclose(aggregate_heads(maps, 0, "max")[:5], [0.2, 1.0, 0.2, 0.2, 0.2])
    assert np.allclose(aggregate_heads(maps, 1, "mean"), maps.alpha[1, 0])  # NaN head ignored
    with pytest.raises(ValueError):
        aggregate_heads(maps, 0, "median")  # type: ignore[arg-type]


def test_head_statistics_on_a_hand_made_case() -> None:
    stats = head_statistics(_hand_made())
    assert list(stats[["layer", "head"]].itertuples(index=False, name=None)) == [(0, 0), (0, 1), (1, 0)]
    uniform, peaked, self_only = (stats.iloc[i] for i in range(3))
    # Only node 0 has in-degree >= 2; the others contribute entropy 0 to the plain mean.
    assert uniform.entropy == pytest.approx(math.log(5) / 5)
    assert uniform.entropy_norm == pytest.approx(1.0)
    assert uniform.sparsity == pytest.approx(0.0, abs=1e-6)
    assert uniform.salience == pytest.approx(0.2)
    for peaked_head in (peaked, self_only):
        assert peaked_head.entropy == pytest.approx(0.0, abs=1e-6)
        assert peaked_head.entropy_norm == pytest.approx(0.0, abs=1e-6)
        assert peaked_head.sparsity == pytest.approx(1.0)
        assert peaked_head.salience == pytest.approx(1.0)


def test_head_statistics_sparsity_between_the_extremes() -> None:
    maps = _hand_made()
    maps.alpha[0, 0, :5] = [0.4, 0.3, 0.2, 0.1, 0.0]
    row = head_statistics(maps).iloc[0]
    # Gini of (0, .1, .2, .3, .4) is 0.4; scaled by d / (d - 1) = 5 / 4.
    assert row.sparsity == pytest.approx(0.5)
    assert row.salience == pytest.approx(0.4)
    assert 0 < row.entropy_norm < 1


def test_incoming_and_outgoing_rank_by_coefficient() -> None:
    maps = _hand_made()
    into = incoming(maps, 0, 0, 1)
    assert into["node"].tolist()[0] == 1 and into["alpha"].tolist()[0] == pytest.approx(1.0)
    assert sorted(into["node"]) == [0, 1, 2, 3, 4]
    assert list(into["alpha"]) == sorted(into["alpha"], reverse=True)
    mean = incoming(maps, 0, 0, "mean")
    assert mean["alpha"].iloc[0] == pytest.approx(0.6) and mean["alpha"].sum() == pytest.approx(1.0)
    out = outgoing(maps, 1, 0, "max")
    assert out["node"].tolist() == [0, 1] and out["alpha"].tolist() == pytest.approx([1.0, 1.0])
    assert (maps.edge_index[:, out["edge"]] == [[1, 1], [0, 1]]).all()
    with pytest.raises(ValueError, match="no head 1"):
        incoming(maps, 0, 1, 1)


def _dense_rollout(maps: AttentionMaps) -> np.ndarray:
    n = maps.num_nodes
    rolled = np.eye(n)
    for layer in range(len(maps.heads)):
        a = np.zeros((n, n))
        np.add.at(a, (maps.edge_index[1], maps.edge_index[0]), aggregate_heads(maps, layer, "mean"))
        rolled = (0.5 * a + 0.5 * np.eye(n)) @ rolled
    return rolled


def test_rollout_matches_the_dense_product(karate: Data) -> None:
    model, data = _model("gat", karate)
    maps = attention_maps(model, data)
    dense = _dense_rollout(maps)
    assert np.allclose(dense.sum(1), 1.0)
    for node in (0, 33, 16):
        row = attention_rollout(maps, node)
        assert row.shape == (karate.num_nodes,) and row.sum() == pytest.approx(1.0)
        assert np.allclose(row, dense[node], atol=1e-6)
    edges = attention_rollout(maps)
    assert edges.shape == (maps.edge_index.shape[1],)
    assert np.allclose(edges, dense[maps.edge_index[1], maps.edge_index[0]], atol=1e-6)


def test_rollout_of_one_layer_is_half_attention_half_identity() -> None:
    maps = _hand_made()
    one = AttentionMaps(maps.edge_index, maps.alpha[:1], [2], ["conv 1"], 5)
    row = attention_rollout(one, 0)
    assert np.allclose(row, [0.55, 0.3, 0.05, 0.05, 0.05])
    assert row[0] > 0.5  # the residual keeps the node's own share
    with pytest.raises(ValueError):
        attention_rollout(AttentionMaps(maps.edge_index, maps.alpha[:0], [], [], 5))


def test_gps_global_rows_match_torch_attention_weights(karate: Data) -> None:
    model, data = _model("gps", karate)
    maps = attention_maps(model, data)
    assert maps.heads == [] and maps.alpha.shape == (0, 0, karate.num_edges)
    with torch.no_grad():
        out = model(data)
        mha = model.attention_modules()[1]
        x = out.global_inputs[1][None]
        _, weights = nn.MultiheadAttention.forward(
            mha, x, x, x, need_weights=True, average_attn_weights=False
        )
    row = global_attention_row(model, out, 1, 5)
    assert row.shape == (MODELS["gps"].defaults["heads"], karate.num_nodes)
    assert np.allclose(row.sum(1), 1.0, atol=1e-5)
    assert np.allclose(row, weights[0, :, 5].numpy(), atol=1e-5)
    rows = global_attention_rows(model, out, 1, torch.tensor([5, 7]))
    assert torch.allclose(rows[:, 0], torch.from_numpy(row)) and torch.allclose(
        rows[:, 1], weights[0, :, 7], atol=1e-5
    )


def test_global_attention_row_refuses_models_without_it(karate: Data) -> None:
    model, data = _model("gat", karate)
    with torch.no_grad():
        out = model(data)
    with pytest.raises(ValueError, match="no global attention"):
        global_attention_row(model, out, 0, 0)


def test_focus_rows_of_every_global_layer_sum_to_one_per_head(karate: Data) -> None:
    model, data = _model("gps", karate)
    with torch.no_grad():
        out = model(data)
    rows = global_attention_focus(model, out, 5)
    layers, heads = len(model.attention_modules()), MODELS["gps"].defaults["heads"]
    assert rows.shape == (layers, heads, karate.num_nodes) and rows.dtype == np.float32
    assert np.allclose(rows.sum(-1), 1.0, atol=1e-5)
    assert np.allclose(rows[1], global_attention_row(model, out, 1, 5))
    stats = global_row_statistics(
        rows, hop_distances(data.edge_index, 5, karate.num_nodes, flow="undirected"), ["a", "b"]
    )
    assert len(stats) == layers * heads
    assert np.allclose(stats[["self", "neighbors", "beyond"]].sum(axis=1), 1.0, atol=1e-5)


def test_row_entropy_is_one_for_a_uniform_row_and_zero_for_one_node() -> None:
    rows = np.array([[0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    assert np.allclose(row_entropy(rows), [1.0, 0.0, 0.5])
    assert row_entropy(np.ones((2, 3, 1))).shape == (2, 3)
    assert np.isnan(row_entropy(np.full((1, 4), np.nan))).all()


def test_global_row_statistics_split_mass_by_hops_against_the_uniform_baseline() -> None:
    hops = np.array([0, 1, 1, 2, -1])
    rows = np.full((1, 3, 5), np.nan, np.float32)
    rows[0, 0] = 0.2  # uniform
    rows[0, 1] = [0.1, 0.6, 0.2, 0.1, 0.0]  # mostly local
    stats = global_row_statistics(rows, hops, ["global 1"])
    assert len(stats) == 2  # the missing head is skipped
    uniform, local = stats.iloc[0], stats.iloc[1]
    assert uniform.entropy_norm == pytest.approx(1.0) and uniform.effective_nodes == pytest.approx(5.0)
    assert uniform.neighbors == pytest.approx(uniform.neighbors_uniform) == pytest.approx(0.4)
    assert (local.self, local.neighbors, local.beyond) == pytest.approx((0.1, 0.8, 0.1))
    assert local.top == pytest.approx(0.6) and local.entropy_norm < 1.0


def test_global_ranked_lists_the_strongest_nodes_with_their_hops() -> None:
    table = global_ranked(np.array([0.1, 0.6, 0.2, 0.1]), np.array([0, 1, 2, 1]), k=2)
    assert table["node"].tolist() == [1, 2] and table["hops"].tolist() == [1, 2]
    assert table["x_uniform"].tolist() == pytest.approx([2.4, 0.8])

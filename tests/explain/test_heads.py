"""Head ablation hooks and causal head importance."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch_geometric.data import Data

from nodescope.core.loaders import load
from nodescope.core.models import MODELS, NodeModel, build
from nodescope.core.training import with_split
from nodescope.explain.attention import attention_maps, head_statistics
from nodescope.explain.heads import HeadImportance, ablated_heads, head_counts, head_importance, head_table


@pytest.fixture(scope="module")
def karate() -> Data:
    return with_split(load("karate").data, seed=0)


def _model(key: str, data: Data) -> tuple[NodeModel, Data]:
    torch.manual_seed(0)
    model = build(MODELS[key].config(data.num_features, 4)).eval()
    return model, model.prepare(data)


def _logits(model: NodeModel, data: Data) -> torch.Tensor:
    with torch.no_grad():
        return model(data).logits


def _silence_head(model: NodeModel, key: str, head: int) -> None:
    """Zero the weights that carry ``head`` of the first attention layer onward."""
    with torch.no_grad():
        if key == "gat":  # the second layer's input columns that read this head's 8 channels
            model.convs[1].lin.weight[:, head * 8 : (head + 1) * 8] = 0
        elif key == "graph-transformer":  # the output projection's columns for this head
            d = model.config.hidden // model.config.heads
            model.out_proj[0].weight[:, head * d : (head + 1) * d] = 0
        else:  # gps: the global attention's output projection
            mha = model.attention_modules()[0]
            mha.out_proj.weight[:, head * mha.head_dim : (head + 1) * mha.head_dim] = 0


@pytest.mark.parametrize("key", ["gat", "graph-transformer", "gps"])
def test_a_head_whose_output_weights_are_zero_has_zero_deviation(key: str, karate: Data) -> None:
    model, data = _model(key, karate)
    _silence_head(model, key, 2)
    for metric in ("error", "loss"):
        imp = head_importance(model, data, metric=metric)
        assert imp.deviation[0, 2] == 0.0
        assert imp.metric == metric
    assert np.nanmax(np.abs(imp.deviation)) > 0  # the other heads do matter


@pytest.mark.parametrize("key", ["gat", "gatv2", "graph-transformer", "gps"])
def test_ablating_every_head_changes_predictions_and_hooks_go_away(key: str, karate: Data) -> None:
    model, data = _model(key, karate)
    before = _logits(model, data)
    counts = head_counts(model)
    with ablated_heads(model, {layer: list(range(c)) for layer, c in enumerate(counts)}) as same:
        assert same is model
        ablated = _logits(model, data)
    assert not torch.allclose(before, ablated, atol=1e-4)
    with ablated_heads(model, {0: [0]}):  # one head also changes the logits: the hook is on the path
        assert not torch.allclose(before, _logits(model, data), atol=1e-6)
    assert torch.equal(before, _logits(model, data))
    for module in model.attention_modules():
        assert not getattr(module, "_message_forward_hooks", {}) and not module._forward_hooks


def test_hooks_are_removed_after_an_exception(karate: Data) -> None:
    model, data = _model("gat", karate)
    before = _logits(model, data)
    with pytest.raises(RuntimeError, match="boom"), ablated_heads(model, {0: [1, 3]}):
        raise RuntimeError("boom")
    assert all(not m._message_forward_hooks for m in model.attention_modules())
    assert torch.equal(before, _logits(model, data))


def test_bad_layers_and_heads_are_refused_without_leaving_hooks(karate: Data) -> None:
    model, _ = _model("gat", karate)
    with pytest.raises(ValueError, match="no head 1"), ablated_heads(model, {0: [0], 1: [1]}):
        pass
    with pytest.raises(ValueError, match="no layer 5"), ablated_heads(model, {5: [0]}):
        pass
    assert all(not m._message_forward_hooks for m in model.attention_modules())


def test_global_head_ablation_equals_zeroing_its_output_projection(karate: Data) -> None:
    model, data = _model("gps", karate)
    with ablated_heads(model, {1: [0, 3]}):
        hooked = _logits(model, data)
    mha = model.attention_modules()[1]
    hd = mha.head_dim
    with torch.no_grad():
        for h in (0, 3):
            mha.out_proj.weight[:, h * hd : (h + 1) * hd] = 0
    assert torch.allclose(hooked, _logits(model, data), atol=1e-5)


def test_head_importance_shapes_and_summaries(karate: Data) -> None:
    model, data = _model("gat", karate)
    model.train()
    seen = []
    imp = head_importance(
        model, data, data.test_mask, top_k=3, metric="loss", progress=lambda d, t: seen.append((d, t))
    )
    assert model.training  # mode restored
    assert imp.deviation.shape == (2, 8)
    assert np.isfinite(imp.deviation[0]).all() and np.isfinite(imp.deviation[1, 0])
    assert np.isnan(imp.deviation[1, 1:]).all()
    assert seen[-1] == (9, 9) and len(seen) == 9
    assert len(imp.top_heads) == 3
    top = [imp.deviation[lh] for lh in imp.top_heads]
    assert top == sorted(top, reverse=True) and top[0] == np.nanmax(imp.deviation)
    assert imp.specialization == pytest.approx(np.nanstd(imp.deviation))
    assert 0.0 <= imp.focus <= 1.0
    baseline = torch.nn.functional.cross_entropy(
        _logits(model.eval(), data)[data.test_mask], data.y[data.test_mask]
    )
    assert imp.baseline == pytest.approx(float(baseline), rel=1e-5)


def test_focus_is_the_mean_jaccard_of_the_top_heads_most_attended_nodes(karate: Data) -> None:
    model, data = _model("gat", karate)
    imp = head_importance(model, data, top_k=3)
    maps = attention_maps(model, data)
    n_top = math.ceil(0.1 * karate.num_nodes)
    tops = []
    for layer, h in imp.top_heads:
        received = np.bincount(maps.edge_index[0], weights=maps.alpha[layer, h], minlength=karate.num_nodes)
        tops.append(set(np.argsort(-received, kind="stable")[:n_top].tolist()))
    pairs = [(0, 1), (0, 2), (1, 2)]
    expected = np.mean([len(tops[a] & tops[b]) / len(tops[a] | tops[b]) for a, b in pairs])
    assert imp.focus == pytest.approx(expected)
    assert math.isnan(head_importance(model, data, top_k=1).focus)  # no pair to compare


def test_models_without_heads_are_refused(karate: Data) -> None:
    model, data = _model("gcn", karate)
    with pytest.raises(ValueError, match="no attention heads"):
        head_importance(model, data)
    unlabeled = data.clone()
    del unlabeled.y
    with pytest.raises(ValueError, match="labels"):
        head_importance(model, unlabeled)


def test_head_counts_reads_each_kind_of_module(karate: Data) -> None:
    assert head_counts(_model("gat", karate)[0]) == [8, 1]
    assert head_counts(_model("graph-transformer", karate)[0]) == [8, 8]
    gps = _model("gps", karate)[0]
    assert head_counts(gps) == [4, 4] and all(
        isinstance(m, nn.MultiheadAttention) for m in gps.attention_modules()
    )


def test_the_head_table_adds_importance_and_counts_from_one(karate: Data) -> None:
    model, data = _model("gat", karate)
    maps = attention_maps(model, data)
    deviation = np.arange(float(len(maps.heads) * max(maps.heads))).reshape(len(maps.heads), -1)
    table = head_table(head_statistics(maps), HeadImportance(deviation, 0.0, math.nan, [], 0.0, "error"))
    assert table[["layer", "head"]].min().tolist() == [1, 1]
    assert [deviation[r.layer - 1, r.head - 1] for r in table.itertuples()] == table["importance"].tolist()

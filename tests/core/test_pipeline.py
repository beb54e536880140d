"""The pipeline's pieces in one process: stages, chunks, historical embeddings, numerics, resume."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from nodescope.core.loaders import load
from nodescope.core.models import MODELS
from nodescope.core.pipeline import (
    HistoricalCache,
    PipelineConfig,
    Stage,
    Worker,
    balance,
    load_pipeline_model,
    metis_available,
    partition,
    split_graph,
    train_single,
    unit_costs,
)
from nodescope.core.training import with_split


@pytest.fixture(scope="module")
def sbm():
    sample = load("sbm")
    return with_split(sample.data), sample.num_classes


def _config(data, classes, **changes):
    return MODELS["gcnii"].config(data.num_features, classes, **{"layers": 6, "hidden": 16, **changes})


def test_balance_minimizes_the_largest_stage():
    assert balance([1.0, 1.0, 1.0, 3.0], 2) == [(0, 3), (3, 4)]
    assert balance([5.0, 1, 1, 1, 1, 1, 1], 2) == [(0, 1), (1, 7)]
    assert balance([1.0] * 6, 3) == [(0, 2), (2, 4), (4, 6)]
    with pytest.raises(ValueError):
        balance([1.0], 2)


def test_unit_costs_one_per_unit(sbm):
    data, classes = sbm
    config = _config(data, classes)
    model = MODELS["gcnii"].cls(config)
    costs = unit_costs(model, model.prepare(data), repeats=1)
    assert len(costs) == config.layers + 2 and all(c > 0 for c in costs)


def test_stages_share_the_models_parameters(sbm):
    data, classes = sbm
    model = MODELS["gcnii"].cls(_config(data, classes))
    a, b = Stage(model, 0, 3), Stage(model, 3, 8)
    assert list(a.layers) == [1, 2] and list(b.layers) == [3, 4, 5, 6]
    assert a.head is None and b.encoder is None and b.head is model.head
    assert b.conv(3) is model.convs[2]
    ids = {id(p) for p in a.parameters()} | {id(p) for p in b.parameters()}
    assert ids == {id(p) for p in model.parameters()}


@pytest.mark.parametrize("method", ["rcm", "auto"])
def test_chunks_cover_the_graph_and_their_rows_of_the_operator(sbm, method):
    data, _ = sbm
    n = data.num_nodes
    part = partition(data.edge_index, n, 4, method=method)
    if method == "rcm":
        assert part.bincount().tolist() == [n // 4 + (i < n % 4) for i in range(4)]
    else:  # METIS balances to within 3 %
        assert part.bincount(minlength=4).max() <= 1.03 * n / 4 + 1
    chunks = split_graph(data.edge_index, n, part)
    assert torch.equal(torch.sort(torch.cat([c.nodes for c in chunks])).values, torch.arange(n))
    from nodescope.core.models.adjacency import gcn_adjacency

    dense = gcn_adjacency(data.edge_index, n).to_dense()
    for c in chunks:
        assert not set(c.halo.tolist()) & set(c.nodes.tolist())
        cols = torch.cat([c.nodes, c.halo])
        torch.testing.assert_close(c.adjacency.to_dense(), dense[c.nodes][:, cols])
        outside = torch.ones(n, dtype=torch.bool)
        outside[cols] = False
        assert dense[c.nodes][:, outside].abs().sum() == 0  # the halo holds every neighbor


def _crossing(edge_index, part):
    return float((part[edge_index[0]] != part[edge_index[1]]).float().mean())


@pytest.mark.skipif(not metis_available(), reason="METIS not installed (pip install pymetis)")
@pytest.mark.parametrize("chunks", [2, 4, 8])
def test_metis_chunks_stay_balanced_and_cut_fewer_edges_than_the_fallback(sbm, chunks):
    data, _ = sbm
    n, edges = data.num_nodes, data.edge_index
    metis = partition(edges, n, chunks, method="metis")
    sizes = metis.bincount(minlength=chunks)
    assert sizes.min() > 0 and sizes.max() <= 1.03 * n / chunks + 1
    assert torch.equal(
        metis, partition(edges, n, chunks, method="metis")
    )  # deterministic: every worker agrees
    rcm = partition(edges, n, chunks, method="rcm")
    assert _crossing(edges, metis) < 0.7 * _crossing(edges, rcm)
    halo = {
        m: sum(c.halo.numel() for c in split_graph(edges, n, p)) for m, p in (("metis", metis), ("rcm", rcm))
    }
    assert halo["metis"] < halo["rcm"]


def test_historical_cache_records_writes_and_refreshes():
    cache = HistoricalCache(range(3, 5), 5, 2, refresh_every=2)
    assert cache.due(0) and not cache.due(1) and cache.due(2)
    cache.refresh(3, torch.ones(5, 2), 0)
    cache.refresh(4, torch.ones(5, 2), 0)
    cache.write(3, torch.tensor([1, 2]), torch.full((2, 2), 7.0), 1)
    assert torch.equal(cache.read(3, torch.tensor([0, 2]))[:, 0], torch.tensor([1.0, 7.0]))
    assert cache.staleness(3).tolist() == [3] * 5
    cache.refresh(3, torch.zeros(5, 2), 2)
    assert cache.staleness(3).tolist() == [3] * 5  # layer 4 is still from epoch 0
    with pytest.raises(ValueError):
        HistoricalCache(range(1, 2), 3, 2, refresh_every=0)


def _grads_against_gcnii(data, classes, chunks):
    """(loss diff, logits diff, largest gradient diff) of one pipeline epoch against GCNII's."""
    config = _config(data, classes, dropout=0.0)
    worker = Worker(0, 1, config, data, PipelineConfig(stages=1, chunks=chunks), [(0, 8)], None, None)
    reference = copy.deepcopy(worker.model)
    worker.opt = torch.optim.SGD(worker.stage.parameters(), lr=0.0)  # keep the weights
    worker.eval_pass(0, refresh=True)
    loss = worker.train_pass(1)
    grads = {k: v.grad for k, v in worker.model.named_parameters()}
    prepared = reference.prepare(data)
    reference.train()
    logits = reference(prepared).logits
    ref_loss = F.cross_entropy(logits[prepared.train_mask], prepared.y[prepared.train_mask])
    ref_loss.backward()
    grad_diff = max(float((grads[k] - v.grad).abs().max()) for k, v in reference.named_parameters())
    reference.eval()
    with torch.no_grad():
        eval_diff = float((worker.eval_pass(1, refresh=False) - reference(prepared).logits).abs().max())
    return abs(loss - float(ref_loss)), eval_diff, grad_diff


def test_one_chunk_equals_gcnii_forward_and_gradients(sbm):
    loss, logits, grads = _grads_against_gcnii(*sbm, chunks=1)
    assert loss < 1e-5 and logits < 1e-5 and grads < 1e-5


def test_fresh_halos_give_gcniis_forward(sbm):
    """With the caches refreshed (staleness bound 1) and no dropout, chunks change no output.

    The gradients do differ: no gradient flows through the historical embeddings (GNNPipe's cut).
    """
    loss, logits, grads = _grads_against_gcnii(*sbm, chunks=4)
    assert loss < 1e-5 and logits < 1e-5
    assert grads > 1e-5


def test_resume_equals_an_uninterrupted_run(sbm, tmp_path):
    data, classes = sbm
    config = _config(data, classes)
    settings = PipelineConfig(stages=1, chunks=3, refresh_every=2, max_epochs=6, patience=100)
    _, whole = train_single(config, data, settings)
    part = PipelineConfig(**{**settings.__dict__, "max_epochs": 3})
    train_single(config, data, part, folder=tmp_path)
    worker, resumed = train_single(config, data, settings, folder=tmp_path, resume=True)
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in whole.history]
    assert [r["val_loss"] for r in resumed.history] == [r["val_loss"] for r in whole.history]
    model, latest = load_pipeline_model(tmp_path)
    assert latest["epoch"] == 6
    for k, v in model.named_parameters():
        torch.testing.assert_close(v, dict(worker.model.named_parameters())[k], rtol=0, atol=0)

"""One node's global attention (GraphGPS): its rows, one head or an aggregate, locality, strips, ranking."""

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.utils import erdos_renyi_graph, to_undirected

from nodescope.core.graph import hop_distances
from nodescope.core.models import MODELS, build
from nodescope.core.training import with_split
from nodescope.explain.global_focus import (
    global_focus,
    global_locality,
    global_ranked_table,
    global_row,
    global_strips,
)

N, FOCUS = 120, 7


@pytest.fixture(scope="module")
def focus():
    torch.manual_seed(0)
    edges = to_undirected(erdos_renyi_graph(N, 4 / N))
    data = Data(x=torch.randn(N, 8), edge_index=edges, y=torch.randint(0, 3, (N,)))
    model = build(MODELS["gps"].config(8, 3)).eval()
    prepared = model.prepare(with_split(data, seed=0))
    with torch.no_grad():
        out = model(prepared)
    return global_focus(model, out, prepared.edge_index, FOCUS), edges


def test_rows_sum_to_one_and_hops_are_undirected(focus):
    g, edges = focus
    assert g.rows.shape == (len(g.heads), max(g.heads), N) and np.allclose(g.rows.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(g.hops, hop_distances(edges, FOCUS, N, flow="undirected"))
    assert g.layer_names == [f"attention {i + 1}" for i in range(len(g.heads))]
    assert g.stats[["layer", "head"]].min().tolist() == [1, 1]  # 1-based


def test_a_head_or_an_aggregate_of_the_heads(focus):
    g, _ = focus
    layer = len(g.heads) - 1
    heads = g.rows[layer, : g.heads[layer]]
    np.testing.assert_allclose(global_row(g, layer, "mean"), heads.mean(0))
    np.testing.assert_allclose(global_row(g, layer, "max"), heads.max(0))
    np.testing.assert_array_equal(global_row(g, layer, 0), heads[0])


def test_locality_compares_the_neighbors_share_with_uniform(focus):
    g, _ = focus
    near, uniform, spread = global_locality(g, np.full(N, 1.0 / N))
    assert near == pytest.approx(uniform) and uniform == pytest.approx((g.hops == 1).mean())
    assert spread == pytest.approx(1.0)


def test_strips_start_with_the_focus_and_share_one_scale(focus):
    g, _ = focus
    blocks, cols, top = global_strips(g, 5)
    assert cols[0] == FOCUS and len(set(cols.tolist())) == 5
    assert len(blocks) == len(g.heads) and blocks[0][0].shape == (1, 5) and top >= 2.0


def test_the_ranked_table_falls_back_to_the_mean_for_a_missing_head(focus):
    g, _ = focus
    table = global_ranked_table(g, 0, 0, k=5)
    assert list(table.columns[:4]) == ["node", "alpha", "x_uniform", "hops"] and len(table) == 5
    missing = global_ranked_table(g, 0, max(g.heads) + 3, k=5)
    np.testing.assert_allclose(missing["alpha"], global_ranked_table(g, 0, "mean", k=5)["alpha"])

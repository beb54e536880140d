"""Cached GCN operator and products (core/models/adjacency.py) and the CPU dropout (core/models/dropout.py)."""

import pytest
import torch
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import to_dense_adj

from nodescope.core.models.adjacency import gcn_adjacency, gcn_edges, propagate
from nodescope.core.models.dropout import dropout

# A directed graph (Â is not symmetric), so a backward through Â instead of Âᵀ would show.
EDGES = torch.tensor([[0, 0, 1, 2, 3], [1, 2, 2, 3, 0]])


def dense_a_hat(edge_index: torch.Tensor, n: int) -> torch.Tensor:
    ei, w = gcn_norm(edge_index, None, n)
    return to_dense_adj(ei.flip(0), edge_attr=w, max_num_nodes=n)[0]  # row = target


def test_adjacency_is_pygs_normalized_operator_and_is_cached_until_the_edges_change():
    edges = EDGES.clone()
    adj = gcn_adjacency(edges, 4)
    torch.testing.assert_close(adj.to_dense(), dense_a_hat(edges, 4))
    assert gcn_adjacency(edges, 4) is adj
    assert gcn_edges(edges, 4) is gcn_edges(edges, 4)
    edges[1, 0] = 3  # edited in place: the cached operator must not be reused
    torch.testing.assert_close(gcn_adjacency(edges, 4).to_dense(), dense_a_hat(edges, 4))
    assert gcn_adjacency(edges.clone(), 4) is not gcn_adjacency(edges, 4)


def test_propagate_gradient_goes_through_the_transpose():
    torch.manual_seed(0)
    adj, dense = gcn_adjacency(EDGES, 4), dense_a_hat(EDGES, 4)
    x = torch.randn(4, 3, requires_grad=True)
    weight = torch.randn(4, 3)
    (propagate(adj, x) * weight).sum().backward()
    expected = torch.autograd.grad(((dense @ x) * weight).sum(), x)[0]
    torch.testing.assert_close(x.grad, expected)
    with torch.no_grad():
        torch.testing.assert_close(propagate(adj, x), dense @ x)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_each_entry_with_probability_1_minus_p_and_rescales(p):
    torch.manual_seed(0)
    out = dropout(torch.ones(400, 500), p, True)
    kept = out != 0
    assert float(kept.float().mean()) == pytest.approx(1 - p, abs=0.005)
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / (1 - p)))


def test_dropout_is_seeded_by_torch_differentiable_and_off_in_eval():
    x = torch.randn(50, 20, requires_grad=True)
    torch.manual_seed(3)
    a = dropout(x, 0.5, True)
    torch.manual_seed(3)
    b = dropout(x, 0.5, True)
    assert torch.equal(a, b)
    assert not torch.equal(a, dropout(x, 0.5, True))  # the generator moved on
    a.sum().backward()
    torch.testing.assert_close(x.grad, (a != 0).float() * 2.0)
    assert dropout(x, 0.5, False) is x

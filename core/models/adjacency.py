"""The GCN propagation operator, built once per graph and multiplied without re-transposing.

Full-batch training runs every layer of every epoch on the same ``edge_index``; building
the normalized operator per layer (``GCNConv``'s default) or per forward pass costs more
than the products themselves on graphs like Cora, and autograd's backward of a sparse
product converts Â's transpose to CSR again at every layer. Here both are computed once:

- :func:`gcn_adjacency` (sparse CSR Â) and :func:`gcn_edges` (edge list with Â's
  weights) are cached per ``edge_index`` tensor: keyed by the tensor object itself
  (weakly, so the entry dies with it) and its in-place version counter, so a graph edited
  in place, a new graph or DropEdge's fresh edge sample each get their own.
- :func:`propagate` is ``adj @ x`` whose backward multiplies by a cached transpose.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor
from torch.utils.weak import WeakTensorKeyDictionary
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import to_torch_csr_tensor

_CSR: WeakTensorKeyDictionary = WeakTensorKeyDictionary()  # edge_index -> (version, N, Â)
_EDGES: WeakTensorKeyDictionary = WeakTensorKeyDictionary()  # edge_index -> (version, N, (edges, weights))
_TRANSPOSED: WeakTensorKeyDictionary = WeakTensorKeyDictionary()  # Â -> Âᵀ


def _cached(cache: WeakTensorKeyDictionary, edge_index: Tensor, num_nodes: int, build):
    hit = cache.get(edge_index)
    if hit is not None and hit[0] == edge_index._version and hit[1] == num_nodes:
        return hit[2]
    value = build()
    cache[edge_index] = (edge_index._version, num_nodes, value)
    return value


def gcn_edges(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
    """((2, E') edges with self-loops, (E',) weights of Â = D̃^{-1/2}(A + I)D̃^{-1/2}): PyG's ``gcn_norm``, cached.

    What ``GCNConv(normalize=False)`` takes to compute exactly what ``GCNConv()`` computes on ``edge_index``.
    """
    return _cached(_EDGES, edge_index, num_nodes, lambda: gcn_norm(edge_index, None, num_nodes))


def gcn_adjacency(edge_index: Tensor, num_nodes: int) -> Tensor:
    """(N, N) sparse CSR Â = D̃^{-1/2}(A + I)D̃^{-1/2}, row = target (PyG's ``adj_t``): ``Â @ x`` is one GCN step.

    Indices are int32 (what the CPU sparse kernels use; int64 ones are converted at every
    product) unless the graph is too large for them. Cached per ``edge_index`` (see module).
    """

    def build() -> Tensor:
        edges, weight = gcn_edges(edge_index, num_nodes)
        return _csr(edges[1], edges[0], weight, num_nodes)

    return _cached(_CSR, edge_index, num_nodes, build)


def _csr(row: Tensor, col: Tensor, value: Tensor | None, n: int) -> Tensor:
    """(n, n) CSR matrix with entries ``value`` (default 1) at (``row``, ``col``), int32 indices where they fit."""
    # torch warns once per process that CSR support is "beta"; the products used here are stable.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Sparse CSR tensor support is in beta", UserWarning)
        csr = to_torch_csr_tensor(torch.stack([row, col]), value, size=(n, n))
        if csr.values().numel() >= 2**31 - 1:
            return csr
        return torch.sparse_csr_tensor(
            csr.crow_indices().int(), csr.col_indices().int(), csr.values(), csr.shape
        )


def incoming_adjacency(edge_index: Tensor, num_nodes: int) -> Tensor:
    """(N, N) CSR with a 1 at (i, j) for every edge j → i: ``adj @ x`` sums each node's in-neighbors."""
    return _csr(edge_index[1], edge_index[0], None, num_nodes)


def _transposed(adj: Tensor) -> Tensor:
    """Âᵀ as CSR, computed once per ``adj`` (the CSC arrays of ``adj`` are the CSR arrays of its transpose)."""
    hit = _TRANSPOSED.get(adj)
    if hit is None:
        csc = adj.to_sparse_csc()
        hit = torch.sparse_csr_tensor(
            csc.ccol_indices(), csc.row_indices(), csc.values(), (adj.shape[1], adj.shape[0])
        )
        _TRANSPOSED[adj] = hit
    return hit


class _Propagate(torch.autograd.Function):
    """``adj @ x`` with the gradient ``adjᵀ @ grad`` through the cached transpose (no gradient for ``adj``)."""

    @staticmethod
    def forward(ctx, adj: Tensor, x: Tensor) -> Tensor:
        ctx.adj = adj
        return adj @ x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, Tensor]:
        return None, _transposed(ctx.adj) @ grad


def propagate(adj: Tensor, x: Tensor) -> Tensor:
    """(N, D) ``adj @ x`` for a sparse (N, M) ``adj`` without gradient and dense (M, D) ``x``."""
    if adj.requires_grad:
        raise ValueError("propagate() does not differentiate through the sparse matrix")
    if torch.is_grad_enabled() and x.requires_grad:
        return _Propagate.apply(adj, x)
    return adj @ x

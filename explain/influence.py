"""Jacobian influence per hop: how much of a node's output comes from nodes k hops away.

For a node v and every node u, the influence of u on v is the L1 norm of the Jacobian
d logits_v / d x_u, summed over output and input channels (Xu et al. 2018; the
per-hop aggregation of Topping / Bamberger et al. 2025 that PyG's
``torch_geometric.utils.total_influence`` implements). Summing it over the nodes at
each hop distance gives the influence-per-hop profile; the influence-weighted mean hop
is the receptive-field breadth R.

The Jacobian here is taken on the full graph, with one backward pass per output
channel. PyG's ``jacobian_l1`` instead differentiates on the induced k-hop subgraph and
calls the model as ``model(x, edge_index)``; on the subgraph, boundary nodes lose
neighbors, which changes degree-normalized messages (GCN), so it is only exact for
models whose messages do not depend on the receiving node's degree beyond its k-hop ball.
PyG's own aggregation functions turn the per-node profiles into the averaged profile and R.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils.influence import avg_total_influence, influence_weighted_receptive_field

from nodescope.core.graph import hop_distances
from nodescope.core.models import NodeModel


def jacobian_influence(model: NodeModel, data: Data, node: int) -> np.ndarray:
    """(N,) float64 L1 norm of d logits[node] / d x[u] for every node u, in eval mode on the full graph."""
    was_training = model.training
    model.eval()
    try:
        x = data.x.detach().clone().requires_grad_(True)
        graph = copy.copy(data)
        graph.x = x
        out = model(graph).logits[node]
        total = torch.zeros(x.shape[0], dtype=torch.float64, device=x.device)
        for c in range(out.shape[0]):
            (grad,) = torch.autograd.grad(out[c], x, retain_graph=c < out.shape[0] - 1, allow_unused=True)
            if grad is not None:
                total += grad.abs().sum(1, dtype=torch.float64)
        return total.cpu().numpy()
    finally:
        model.train(was_training)


def influence_per_hop(model: NodeModel, data: Data, node: int, max_hops: int) -> np.ndarray:
    """Share of ``node``'s Jacobian L1 mass coming from nodes at each hop distance.

    Args:
        model: a registered model (``data`` already passed through ``model.prepare``, on
            the model's device).
        data: the graph with ``x`` and ``edge_index``.
        node: the focus node.
        max_hops: largest hop distance reported.

    Returns:
        (max_hops + 1,) float64 shares of the total influence over the whole graph; they
        sum to less than 1 when nodes farther than ``max_hops`` (or unreachable ones,
        through a global layer) also influence the node. All zeros when the output does
        not depend on the input.
    """
    influence = jacobian_influence(model, data, node)
    per_hop = _per_hop(influence, _hops_to(data, node), max_hops)
    total = influence.sum()
    return per_hop / total if total > 0 else per_hop


def _hops_to(data: Data, node: int) -> np.ndarray:
    """(N,) hops from each node to ``node`` along the edges, the way messages flow (-1: none)."""
    return hop_distances(data.edge_index, node, data.num_nodes, flow="source_to_target")


def _per_hop(influence: np.ndarray, hops: np.ndarray, max_hops: int) -> np.ndarray:
    near = (hops >= 0) & (hops <= max_hops)
    return np.bincount(hops[near], weights=influence[near], minlength=max_hops + 1)


def total_influence(
    model: NodeModel, data: Data, max_hops: int, *, num_samples: int = 64, seed: int = 0
) -> tuple[np.ndarray, float]:
    """Influence per hop averaged over sampled nodes, normalized by hop 0, and the breadth R.

    Returns:
        ``(avg, R)``: avg is (max_hops + 1,) float64 with avg[0] == 1 (PyG's
        ``avg_total_influence``); R is the influence-weighted mean hop distance averaged over
        the sampled nodes (PyG's ``influence_weighted_receptive_field``), in hops.
    """
    gen = torch.Generator().manual_seed(seed)
    nodes = torch.randperm(data.num_nodes, generator=gen)[:num_samples].tolist()
    rows = [_per_hop(jacobian_influence(model, data, v), _hops_to(data, v), max_hops) for v in nodes]
    table = torch.from_numpy(np.stack(rows)).float()  # PyG's helpers work in float32
    table = table[table.sum(1) > 0]  # nodes whose output ignores the input carry no profile
    return avg_total_influence(table).numpy(), influence_weighted_receptive_field(table)

"""The nodes a view looks at.

The default focus, its widest drawable neighborhood, a node sample for a heat map, and node
tables and labels named after the sample.

Every page that shows one node (Attention, Explanations, Over-smoothing) picks its focus and
draws its neighborhood with these, so the rules are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor
from torch_geometric.utils import k_hop_subgraph

from nodescope.core.sample import Sample


def default_focus(edge_index: Tensor, num_nodes: int, probs: Tensor | None = None) -> int:
    """The node a view shows before one is selected.

    Args:
        edge_index: (2, E) edges j → i (row 1 the target).
        num_nodes: N.
        probs: (N, C) class probabilities of a model, or None.

    Returns:
        The least confident node (lowest top probability) when ``probs`` is given: the first
        worth a second look; else the node with the most incoming edges (lowest id on ties).

    Example:
        >>> default_focus(torch.tensor([[0, 1, 2], [1, 2, 1]]), 3)
        1
        >>> default_focus(torch.tensor([[0], [1]]), 2, probs=torch.tensor([[0.9, 0.1], [0.6, 0.4]]))
        1
    """
    if probs is not None:
        return int(probs.max(1).values.argmin())
    return int(np.bincount(edge_index[1].cpu().numpy(), minlength=num_nodes).argmax())


@dataclass(frozen=True)
class Neighborhood:
    """A node's k-hop neighborhood as a subgraph (:func:`drawable_neighborhood`).

    Attributes:
        nodes: (n,) global ids of its nodes, ascending.
        edge_index: (2, e) its edges in local ids 0..n-1.
        edge_ids: (e,) their columns in the whole graph's ``edge_index``.
        center: the focus node's local id.
        hops: k.
    """

    nodes: np.ndarray
    edge_index: np.ndarray
    edge_ids: np.ndarray
    center: int
    hops: int


def drawable_neighborhood(
    edge_index: Tensor | np.ndarray, node: int, max_hops: int, max_nodes: int, num_nodes: int | None = None
) -> Neighborhood:
    """The widest k-hop neighborhood of ``node`` (k <= ``max_hops``) that stays drawable.

    Uses PyG's :func:`~torch_geometric.utils.k_hop_subgraph` with its default flow
    (``source_to_target``: the nodes whose messages reach ``node`` in k layers, and the edges
    among them). k counts down from ``max_hops`` until the neighborhood has at most
    ``max_nodes`` nodes; the 1-hop neighborhood is returned whatever its size.

    Args:
        edge_index: (2, E) edges j → i, torch or numpy.
        node: the focus node.
        max_hops: the widest k tried (a model's depth); at least 1 is used.
        max_nodes: the most nodes a drawing holds.
        num_nodes: N (default: inferred from ``edge_index``).

    Example:
        >>> path = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])  # 0 → 1 → 2 → 3 → 4
        >>> hood = drawable_neighborhood(path, 4, max_hops=3, max_nodes=3)
        >>> hood.hops, hood.nodes.tolist(), hood.center
        (2, [2, 3, 4], 2)
    """
    ei = torch.as_tensor(edge_index).cpu()
    for k in range(max(max_hops, 1), 0, -1):
        subset, local, mapping, mask = k_hop_subgraph(node, k, ei, relabel_nodes=True, num_nodes=num_nodes)
        if subset.numel() <= max_nodes or k == 1:
            break
    return Neighborhood(subset.numpy(), local.numpy(), mask.nonzero().flatten().numpy(), int(mapping[0]), k)


def heatmap_nodes(sample: Sample, selected: Sequence[int], max_nodes: int) -> np.ndarray:
    """Node ids for a node-by-node heat map: the selection, then a fixed random sample; sorted by class.

    All nodes when the graph has at most ``max_nodes``. Sorting by class (stable) makes classes
    blocks along the diagonal while they stay apart.

    Args:
        sample: the graph.
        selected: selected node ids, kept first (up to ``max_nodes``).
        max_nodes: the most nodes shown.

    Returns:
        (n,) int64 node ids, n = min(N, ``max_nodes``).
    """
    n = sample.num_nodes
    if n <= max_nodes:
        nodes = np.arange(n)
    else:
        first = np.array(selected[:max_nodes], dtype=np.int64)
        rest = np.random.default_rng(0).permutation(n)
        rest = rest[~np.isin(rest, first)][: max_nodes - len(first)]
        nodes = np.concatenate([first, rest])
    y = sample.data.get("y")
    if y is not None:
        nodes = nodes[np.argsort(y.numpy()[nodes], kind="stable")]
    return nodes


def node_titles(sample: Sample, nodes: Sequence[int] | np.ndarray) -> list[str]:
    """``node 3 · Valjean (class)`` per node: its display name and, with labels, its class."""
    y = sample.data.get("y")
    if y is None:
        return [f"node {sample.node_label(int(v))}" for v in nodes]
    return [f"node {sample.node_label(int(v))} ({sample.class_name(int(y[int(v)]))})" for v in nodes]


def with_node_labels(sample: Sample, table: pd.DataFrame) -> pd.DataFrame:
    """A table with a ``node`` column, plus the node's ``name`` and true ``class`` when known.

    ``name`` is appended when the sample names nodes, ``class`` when it has labels.
    """
    if sample.node_names is not None and "node" in table:
        table = table.assign(name=[sample.node_label(int(v)) for v in table["node"]])
    if sample.data.get("y") is not None and "node" in table:
        y = sample.data.y
        table = table.assign(**{"class": [sample.class_name(int(y[int(v)])) for v in table["node"]]})
    return table

"""Hop distances on a graph given as ``edge_index``, with the direction of a hop explicit.

``edge_index`` is (2, E) with row 0 the source j and row 1 the target i of each edge j → i,
as in PyG. ``flow`` says which way a hop goes, as in PyG's ``k_hop_subgraph``:

- ``"source_to_target"``: messages flow j → i, so the distance of node u is the number of
  edges on the shortest directed path from u *to* the start node (u's message reaches the
  start node after that many layers: the start node's receptive field).
- ``"target_to_source"``: the shortest directed path *from* the start node to u.
- ``"undirected"``: every edge is followed both ways.

:func:`hop_distances` searches from one node (scipy's compiled search). For many start nodes
at once to a bounded depth, :func:`multi_source_hop_distances` runs one breadth-first search
for all of them together, which costs one pass over the edges per level whatever their number.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import scipy.sparse as sp
import torch
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import dijkstra

Flow = Literal["source_to_target", "target_to_source", "undirected"]
#: The values ``flow`` takes.
FLOWS: tuple[str, ...] = get_args(Flow)
#: Deepest search :func:`multi_source_hop_distances` reports (its distances are int16).
MAX_MULTI_SOURCE_HOPS = int(np.iinfo(np.int16).max)


def hop_distances(
    edge_index: ArrayLike | torch.Tensor,
    node: int,
    num_nodes: int,
    *,
    flow: Flow,
    max_hops: int | None = None,
) -> np.ndarray:
    """(N,) int64 hops between ``node`` and every node, in the direction ``flow`` says; -1 if none.

    Args:
        edge_index: (2, E) edges j → i (row 0 source, row 1 target), numpy or torch.
        node: the start node.
        num_nodes: N.
        flow: ``"source_to_target"`` (hops from each node *to* ``node`` along the edges: the
            nodes whose messages reach it), ``"target_to_source"`` (hops from ``node`` to each
            node) or ``"undirected"``; see the module docstring.
        max_hops: nodes farther than this get -1 too (None: no limit).

    Returns:
        (N,) int64: 0 at ``node``, -1 where no path (within ``max_hops``) exists.

    Example:
        >>> edge_index = np.array([[0, 1, 2], [1, 2, 3]])  # a path 0 → 1 → 2 → 3; node 4 alone
        >>> hop_distances(edge_index, 3, 5, flow="source_to_target").tolist()  # who reaches 3
        [3, 2, 1, 0, -1]
        >>> hop_distances(edge_index, 1, 5, flow="target_to_source").tolist()  # whom 1 reaches
        [-1, 0, 1, 2, -1]
        >>> hop_distances(edge_index, 1, 5, flow="undirected", max_hops=1).tolist()
        [1, 0, 1, -1, -1]
    """
    # Undirected: scipy follows the stored edges both ways, cheaper than storing both directions.
    frm, to = _hops(edge_index, "target_to_source" if flow == "undirected" else flow)
    graph = sp.csr_matrix((np.ones(len(frm), dtype=np.float64), (frm, to)), shape=(num_nodes, num_nodes))
    limit = np.inf if max_hops is None else float(max_hops)
    directed = flow != "undirected"
    dist = dijkstra(graph, directed=directed, indices=int(node), unweighted=True, limit=limit)
    return np.where(np.isfinite(dist), dist, -1).astype(np.int64)


def multi_source_hop_distances(
    edge_index: ArrayLike | torch.Tensor,
    sources: ArrayLike,
    num_nodes: int,
    *,
    flow: Flow,
    max_hops: int,
) -> np.ndarray:
    """(S, N) int16 hops between each of ``sources`` and every node, up to ``max_hops``; -1 beyond.

    One breadth-first search for all sources together: each node holds one bit per source
    (packed in uint64 words), and a level ORs the frontier bits of the nodes one hop back, so a
    level costs one pass over the edges whatever the number of sources. Row s equals
    ``hop_distances(edge_index, sources[s], num_nodes, flow=flow, max_hops=max_hops)``.

    Args:
        edge_index: (2, E) edges j → i (row 0 source, row 1 target), numpy or torch.
        sources: (S,) start nodes.
        num_nodes: N.
        flow: as in :func:`hop_distances`.
        max_hops: depth of the search, at most :data:`MAX_MULTI_SOURCE_HOPS`.

    Returns:
        (S, N) int16: 0 at each source, -1 beyond ``max_hops`` or unreachable.

    Example:
        >>> edge_index = np.array([[0, 1, 2], [1, 2, 3]])  # a path 0 → 1 → 2 → 3
        >>> multi_source_hop_distances(edge_index, [0, 3], 4, flow="undirected", max_hops=2).tolist()
        [[0, 1, 2, -1], [-1, 2, 1, 0]]
    """
    if not 0 <= max_hops <= MAX_MULTI_SOURCE_HOPS:
        raise ValueError(f"max_hops must be in [0, {MAX_MULTI_SOURCE_HOPS}], not {max_hops}")
    sources = np.asarray(sources, dtype=np.int64).reshape(-1)
    frm, to = _hops(edge_index, flow)
    # Row i lists the nodes one hop back from i: a level reaches i from any of them.
    back = sp.csr_matrix((np.ones(len(frm), dtype=np.int8), (to, frm)), shape=(num_nodes, num_nodes))
    n, k = num_nodes, len(sources)
    hops = np.full((n, k), -1, dtype=np.int16)  # node-major while filling, like the bit rows
    if k == 0:
        return hops.T.copy()
    which = np.arange(k)
    frontier = np.zeros((n, (k + 63) // 64), dtype=np.uint64)
    np.bitwise_or.at(
        frontier, (sources, which // 64), np.left_shift(np.uint64(1), (which % 64).astype(np.uint64))
    )
    seen = frontier.copy()
    hops[sources, which] = 0
    rows = np.flatnonzero(np.diff(back.indptr))  # nodes with a hop in (reduceat needs non-empty segments)
    for hop in range(1, max_hops + 1):
        reached = np.zeros_like(frontier)
        if len(rows):
            reached[rows] = np.bitwise_or.reduceat(frontier[back.indices], back.indptr[rows], axis=0)
        reached &= ~seen
        if not reached.any():
            break
        seen |= reached
        bits = np.unpackbits(reached.astype("<u8", copy=False).view(np.uint8), axis=1, bitorder="little")
        np.putmask(hops, bits[:, :k].astype(bool), hop)
        frontier = reached
    return np.ascontiguousarray(hops.T)


def _hops(edge_index: ArrayLike | torch.Tensor, flow: Flow) -> tuple[np.ndarray, np.ndarray]:
    """(from, to) int64 node ids of every hop a search may take along ``flow``."""
    if flow not in FLOWS:
        raise ValueError(f"flow must be one of {', '.join(FLOWS)}, not {flow!r}")
    if isinstance(edge_index, torch.Tensor):
        edge_index = edge_index.detach().cpu().numpy()
    ei = np.asarray(edge_index, dtype=np.int64).reshape(2, -1)
    if flow == "source_to_target":  # search against the edges: from a target to its sources
        return ei[1], ei[0]
    if flow == "target_to_source":
        return ei[0], ei[1]
    return np.concatenate([ei[0], ei[1]]), np.concatenate([ei[1], ei[0]])


def adjacency_edges(adjacency: ArrayLike, min_weight: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The edges of a dense adjacency whose row ``i`` holds node ``i``'s incoming weights.

    Args:
        adjacency: (N, N); ``adjacency[i, j] != 0`` is an edge j → i of that weight (the layout of
            :meth:`core.models.mtgnn.MTGNN.adjacency` and of a time series' known graph).
        min_weight: keep only edges whose weight is at least this (0: every non-zero entry).

    Returns:
        ``edge_index`` (2, E) int64 (row 0 the source j, row 1 the target i, sorted by target) and
        ``weight`` (E,) float32.

    Example:
        >>> adjacency_edges(np.array([[0.0, 0.5], [0.0, 0.0]]))[0].tolist()
        [[1], [0]]
    """
    a = np.asarray(adjacency)
    dst, src = np.nonzero((a != 0) & (a >= min_weight))
    return np.stack([src, dst]).astype(np.int64), a[dst, src].astype(np.float32)

"""The nodes an attention map around one focus node shows, and their attention as a dense block.

Conventions as in :mod:`explain.attention`: ``edge_index`` row 0 is the source j and row 1 the
target i, and ``alpha[e]`` of edge e = (j → i) is the share of i's update that comes from j.
"""

from __future__ import annotations

import numpy as np

from nodescope.explain.attention import AttentionMaps


def focus_nodes(edge_index: np.ndarray, weights: np.ndarray, node: int, *, max_nodes: int = 12) -> np.ndarray:
    """The node and its strongest in-neighbors: the rows and columns of a focus attention map.

    Args:
        edge_index: (2, E) directed edges (source j, target i).
        weights: (E,) a coefficient per edge used for ranking (NaN counts as 0).
        node: the focus node; always first.
        max_nodes: at most this many nodes.

    Returns:
        (n,) global node ids, the focus first, then in-neighbors by falling weight.
    """
    ei = np.asarray(edge_index, dtype=np.int64)
    into = ei[1] == node
    src, w = ei[0][into], np.nan_to_num(np.asarray(weights, dtype=np.float64)[into])
    ranked = src[np.argsort(-w, kind="stable")]
    others = [v for v in dict.fromkeys(ranked.tolist()) if v != node][: max_nodes - 1]
    return np.array([node, *others], dtype=np.int64)


def block_matrix(edge_index: np.ndarray, alpha: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Dense attention among ``nodes``: ``matrix[r, c]`` = α of edge ``nodes[c] → nodes[r]``.

    Args:
        edge_index: (2, E) directed edges (source j, target i).
        alpha: (E,) coefficients of one layer and head (or an aggregate); NaN is read as 0.
        nodes: (n,) global ids of the rows/columns.

    Returns:
        (n, n) float array; 0 where there is no edge.
    """
    ei = np.asarray(edge_index, dtype=np.int64)
    nodes = np.asarray(nodes, dtype=np.int64)
    position = np.full(int(max(ei.max(initial=-1), nodes.max(initial=-1))) + 1, -1)
    position[nodes] = np.arange(nodes.size)
    rows, cols = position[ei[1]], position[ei[0]]
    inside = (rows >= 0) & (cols >= 0)
    matrix = np.zeros((nodes.size, nodes.size))
    matrix[rows[inside], cols[inside]] = np.nan_to_num(np.asarray(alpha, dtype=np.float64)[inside])
    return matrix


def top_attended(row: np.ndarray, focus: int, k: int) -> np.ndarray:
    """(m,) the focus node then the ``k`` nodes ``row`` weighs most (focus not counted), sorted ids.

    Args:
        row: (N,) the focus node's attention over every node (global attention, one head or
            an aggregate; NaN counts as 0).
        focus: its id.
        k: how many others to keep.
    """
    order = np.argsort(-np.nan_to_num(np.asarray(row, dtype=np.float64)), kind="stable")
    others = order[order != focus][:k]
    return np.sort(np.concatenate([[focus], others])).astype(np.int64)


def head_blocks(maps: AttentionMaps, focus: int) -> list[list[np.ndarray | None]]:
    """Per layer and head, the attention among the focus node and its strongest sources.

    One node set for every cell (:func:`focus_nodes` ranked by the mean over all heads and
    layers), so cells compare.

    Returns:
        blocks[layer][head]: (n, n) :func:`block_matrix`, None for a head the layer does not have.
    """
    mean_all = np.nanmean(maps.alpha.reshape(-1, maps.alpha.shape[-1]), axis=0)
    nodes = focus_nodes(maps.edge_index, mean_all, focus)
    return [
        [block_matrix(maps.edge_index, maps.alpha[layer, h], nodes) if h < maps.heads[layer] else None for h in range(maps.alpha.shape[1])]
        for layer in range(len(maps.layer_names))
    ]  # fmt: skip


def focus_block(
    maps: AttentionMaps, weights: np.ndarray, focus: int, max_nodes: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """The focus node's strongest sources under ``weights`` (E,) and the dense map among them.

    Returns:
        ``(nodes (n,), matrix (n, n))``: :func:`focus_nodes` and :func:`block_matrix`.
    """
    nodes = focus_nodes(maps.edge_index, weights, focus, max_nodes=max_nodes)
    return nodes, block_matrix(maps.edge_index, weights, nodes)

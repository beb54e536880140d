"""One node's global attention (GraphGPS) in every layer and head, and where its weight goes.

Builds on :mod:`explain.attention`'s global-attention rows: :func:`global_focus` gathers a
node's rows with its hop distances and per-head statistics once; the other functions read
one head (or the mean / max over heads) from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from torch import Tensor

from nodescope.core.graph import hop_distances
from nodescope.core.models import ModelOutput, NodeModel
from nodescope.explain.attention import (
    HeadOrHow,
    global_attention_focus,
    global_attention_modules,
    global_ranked,
    global_row_statistics,
    row_entropy,
)


@dataclass(frozen=True)
class GlobalFocus:
    """The focus node's global attention in every layer and head.

    Attributes:
        focus: the attending node.
        rows: (L, Hmax, N) float32, each existing row sums to 1 (NaN for missing heads).
        layer_names: "attention 1", ... (len L).
        heads: heads per layer (len L).
        hops: (N,) undirected hops from the focus (-1: unreachable).
        stats: :func:`explain.attention.global_row_statistics`, layer and head 1-based.
    """

    focus: int
    rows: np.ndarray
    layer_names: list[str]
    heads: list[int]
    hops: np.ndarray
    stats: pd.DataFrame


def global_focus(model: NodeModel, output: ModelOutput, edge_index: Tensor, focus: int) -> GlobalFocus:
    """The focus node's rows of every global attention layer and head.

    Args:
        model: a model with global attention (:func:`explain.attention.global_attention_modules`).
        output: its output on the graph (eval mode).
        edge_index: (2, E) the graph's edges (for hop distances, taken undirected).
        focus: the attending node.
    """
    rows = global_attention_focus(model, output, focus)
    heads = [m.num_heads for m in global_attention_modules(model)]
    names = [f"attention {i + 1}" for i in range(len(heads))]
    hops = hop_distances(edge_index, focus, rows.shape[-1], flow="undirected")
    stats = global_row_statistics(rows, hops, names)
    stats[["layer", "head"]] += 1
    return GlobalFocus(focus, rows, names, heads, hops, stats)


def global_row(g: GlobalFocus, layer: int, how: HeadOrHow) -> np.ndarray:
    """(N,) the focus node's attention in ``layer``: one head, or the ``"mean"`` / ``"max"`` over heads.

    The mean still sums to 1; the max does not.
    """
    rows = g.rows[layer, : g.heads[layer]]
    if isinstance(how, int):
        return rows[how]
    return rows.max(axis=0) if how == "max" else rows.mean(axis=0)


def global_locality(g: GlobalFocus, row: np.ndarray) -> tuple[float, float, float]:
    """Is one row local? Its share on the neighbors, that share if uniform, and its entropy.

    The row is rescaled to sum to 1 (a max over heads does not). Returns its share on the focus
    node's 1-hop neighbors, that share under uniform attention (degree / N), and its
    entropy / log N.
    """
    near, p = g.hops == 1, row / row.sum()
    return float(p[near].sum()), float(near.mean()), float(row_entropy(p))


def global_strips(g: GlobalFocus, columns: int) -> tuple[list[list[np.ndarray | None]], np.ndarray, float]:
    """Per layer and head, the focus row over the same few nodes as (1, k) blocks in × uniform.

    The nodes: the focus, then those most attended on average over all layers and heads.

    Args:
        g: the focus node's global attention.
        columns: k, the number of nodes (the focus included).

    Returns:
        ``(blocks, nodes, top)``: blocks[layer][head] (None for a missing head), the (k,) node
        ids of the columns, and the color scale's top (at least 2, shared by every cell).
    """
    n = g.rows.shape[-1]
    mean_all = np.nanmean(g.rows.reshape(-1, n), axis=0)
    order = np.argsort(-mean_all, kind="stable")
    cols = np.array([g.focus, *order[order != g.focus][: columns - 1]])
    ratio = g.rows[:, :, cols] * n
    blocks = [
        [ratio[layer, h][None, :] if h < g.heads[layer] else None for h in range(g.rows.shape[1])]
        for layer in range(len(g.heads))
    ]
    return blocks, cols, max(2.0, float(np.nanmax(ratio)))


def global_ranked_table(g: GlobalFocus, layer: int, how: HeadOrHow, k: int = 20) -> pd.DataFrame:
    """The ``k`` nodes the focus attends to most in ``layer`` (:func:`explain.attention.global_ranked`).

    A head the layer does not have falls back to the mean over its heads.
    """
    if isinstance(how, int) and how >= g.heads[layer]:
        how = "mean"
    return global_ranked(global_row(g, layer, how), g.hops, k)

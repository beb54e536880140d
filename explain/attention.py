"""Attention coefficients of every layer and head, their aggregates, per-head statistics and ranked tables.

Conventions: ``edge_index`` row 0 is the source j and row 1 the target i; the coefficient
``alpha[l, h, e]`` of edge e = (j → i) is the share of node i's update in layer l, head h that
comes from j, so each target's incoming coefficients sum to 1 per head. Models whose attention
spans all node pairs (GraphGPS) have no per-edge maps; :func:`global_attention_rows` recomputes
the rows of their (H, N, N) attention for chosen nodes from ``ModelOutput.global_inputs``;
:func:`global_row_statistics` and :func:`global_ranked` describe one node's rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from scipy.stats import entropy
from torch import Tensor, nn
from torch_geometric.data import Data

from nodescope.core.models import LayerAttention, ModelOutput, NodeModel

HeadOrHow = int | Literal["mean", "max"]


@dataclass
class AttentionMaps:
    """Every edge's coefficient in every attention layer and head.

    Attributes:
        edge_index: (2, E) int64, the edges the attention layers saw (self-loops included).
        alpha: (L, Hmax, E) float32; layer l, head h, edge e. NaN for heads a layer does not
            have (GAT's one-head output layer); 0 for an edge a layer did not see.
        heads: heads per attention layer (len L).
        layer_names: "conv 1", "conv 2", ... (len L).
        num_nodes: N.

    A model without attention over edges (GraphGPS: its local convolution has none) has L = 0
    and ``edge_index`` is the graph's.
    """

    edge_index: np.ndarray
    alpha: np.ndarray
    heads: list[int]
    layer_names: list[str]
    num_nodes: int


def _aligned(layers: list[LayerAttention], num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """One (2, E) edge_index for all layers and their (L, Hmax, E) coefficients on it.

    Layers that saw the same edges in the same order (the usual case) are stacked as they are.
    Otherwise the edges are the union in first-seen order, matched by key ``j * N + i`` with a
    sorted search; coefficients of repeated edges add up, so targets still sum to 1.
    """
    eis = [la.edge_index.detach().cpu() for la in layers]
    alphas = [la.alpha.detach().cpu().float().numpy() for la in layers]
    h_max = max(a.shape[1] for a in alphas)
    if all(torch.equal(eis[0], e) for e in eis[1:]):
        edge_index = eis[0].numpy().astype(np.int64)
        out = np.empty((len(layers), h_max, edge_index.shape[1]), dtype=np.float32)
        for layer, a in enumerate(alphas):
            out[layer, : a.shape[1]] = a.T
            out[layer, a.shape[1] :] = np.nan
        return edge_index, out
    keys = [e[0].numpy().astype(np.int64) * num_nodes + e[1].numpy() for e in eis]
    every = np.concatenate(keys)
    _, first = np.unique(every, return_index=True)
    ref = every[np.sort(first)]
    sorter = np.argsort(ref)
    edge_index = np.stack([ref // num_nodes, ref % num_nodes])
    out = np.full((len(layers), h_max, ref.size), np.nan, dtype=np.float32)
    for layer, (k, a) in enumerate(zip(keys, alphas, strict=True)):
        pos = sorter[np.searchsorted(ref, k, sorter=sorter)]
        for h in range(a.shape[1]):
            out[layer, h] = np.bincount(pos, weights=a[:, h], minlength=ref.size)
    return edge_index, out


@torch.no_grad()
def attention_maps(model: NodeModel, data: Data) -> AttentionMaps:
    """Run ``model`` once (eval mode, no gradients) and collect every layer's edge attention.

    Args:
        model: a registered model; ``data`` must already be ``model.prepare``-d.
        data: the graph, on the model's device.

    Returns:
        :class:`AttentionMaps` on the CPU (L = 0 for models without edge attention). The graph's
        edges come grouped by target node, whatever their order in ``data`` (then the
        self-loops the layers add).
    """
    targets = data.edge_index[1]
    if targets.numel() > 1 and bool((targets[1:] < targets[:-1]).any()):
        # Edges grouped by target make the layers' scatters cache-friendly (a third less CPU on a
        # 1M-edge random graph); no coefficient depends on the order.
        data = data.edge_subgraph(torch.argsort(targets))
    was_training = model.training
    model.eval()
    try:
        out = model(data, attention=True)
    finally:
        model.train(was_training)
    n = int(data.num_nodes)
    if not out.attention:
        ei = data.edge_index.cpu().numpy().astype(np.int64)
        return AttentionMaps(ei, np.zeros((0, 0, ei.shape[1]), np.float32), [], [], n)
    edge_index, alpha = _aligned(out.attention, n)
    heads = [int(la.alpha.shape[1]) for la in out.attention]
    names = [f"conv {i + 1}" for i in range(len(heads))]
    return AttentionMaps(edge_index, alpha, heads, names, n)


def aggregate_heads(maps: AttentionMaps, layer: int, how: Literal["mean", "max"]) -> np.ndarray:
    """(E,) float32: the mean or max over ``layer``'s heads of each edge's coefficient.

    The mean keeps each target's coefficients summing to 1; the max does not.
    """
    a = maps.alpha[layer, : maps.heads[layer]]
    if how == "mean":
        return a.mean(axis=0)
    if how == "max":
        return a.max(axis=0)
    raise ValueError(f"how must be 'mean' or 'max', not {how!r}")


def _weights(maps: AttentionMaps, layer: int, head_or_how: HeadOrHow, edges: np.ndarray) -> np.ndarray:
    """Coefficients of ``edges`` (edge ids) in one head, or aggregated over the layer's heads."""
    if isinstance(head_or_how, str):
        a = maps.alpha[layer, : maps.heads[layer]][:, edges]
        return a.mean(axis=0) if head_or_how == "mean" else a.max(axis=0)
    if not 0 <= head_or_how < maps.heads[layer]:
        raise ValueError(f"{maps.layer_names[layer]} has {maps.heads[layer]} heads; no head {head_or_how}")
    return maps.alpha[layer, head_or_how, edges]


def _values_at(matrix: sp.spmatrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows[k], cols[k]]`` for every k (0 where absent), by a sorted search over its entries."""
    coo = matrix.tocsr()
    coo.sum_duplicates()  # also sorts the column indices within each row
    coo = coo.tocoo()
    n = matrix.shape[1]
    keys = coo.row.astype(np.int64) * n + coo.col  # row-major: already sorted
    want = rows.astype(np.int64) * n + cols
    pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
    return np.where(keys[pos] == want, coo.data[pos], 0.0)


def attention_rollout(maps: AttentionMaps, node: int | None = None) -> np.ndarray:
    """Attention rollout across layers (Abnar & Zuidema 2020).

    Each layer's attention is averaged over heads into an (N, N) row-stochastic matrix
    ``A_l[i, j]`` (target i, source j), mixed with the residual as ``0.5 A_l + 0.5 I``, and the
    layers are multiplied: ``R = Ã_L ··· Ã_1``, so ``R[i, j]`` is how much node i's output draws
    on node j's input. Rows of R sum to 1.

    Args:
        maps: from :func:`attention_maps` (at least one layer).
        node: a node id, or None for every edge.

    Returns:
        ``node`` given: (N,) float64, ``R[node]``, computed with L sparse vector products.
        ``node`` None: (E,) float64, ``R[i, j]`` for each edge j → i of ``maps.edge_index``
        (the full sparse product: its size grows with the L-hop neighborhoods).
    """
    if not maps.heads:
        raise ValueError("these maps have no attention layers to roll out")
    n = maps.num_nodes
    src, dst = maps.edge_index
    eye = sp.identity(n, format="csr")
    mixed = [
        0.5 * sp.csr_matrix((aggregate_heads(maps, layer, "mean"), (dst, src)), shape=(n, n)) + 0.5 * eye
        for layer in range(len(maps.heads))
    ]
    if node is not None:
        row = np.zeros(n)
        row[node] = 1.0
        for m in reversed(mixed):
            row = m.T @ row
        return row
    rolled = mixed[-1]
    for m in reversed(mixed[:-1]):
        rolled = rolled @ m
    return _values_at(rolled, dst, src)


def head_statistics(maps: AttentionMaps) -> pd.DataFrame:
    """One row per (layer, head) describing how each head spreads its attention.

    Over target nodes i with in-degree d_i (self-loop included):

    - ``entropy``: mean over targets with d_i ≥ 1 of ``-Σ_j α_ij log α_ij`` (nats).
    - ``entropy_norm``: mean over targets with d_i ≥ 2 of that entropy / log d_i
      (1 = uniform over the neighbors, 0 = everything on one edge).
    - ``sparsity``: mean over targets with d_i ≥ 2 of the Gini coefficient of their incoming
      coefficients scaled by d_i / (d_i - 1) (0 = uniform, 1 = everything on one edge).
    - ``salience``: mean over targets with d_i ≥ 2 of the largest incoming coefficient
      ``max_j α_ij``: how strong the strongest edge looks in an attention view. In [1/d_i, 1].

    Returns:
        DataFrame with columns layer, head (0-based), layer_name, entropy, entropy_norm,
        sparsity, salience.
    """
    n = maps.num_nodes
    dst = maps.edge_index[1]
    deg = np.bincount(dst, minlength=n)
    one, two = deg >= 1, deg >= 2
    log_deg = np.log(np.maximum(deg, 2))
    by_target = np.argsort(dst, kind="stable")
    group_end = np.cumsum(deg) - 1  # position of each target's last edge in target-sorted order
    rank_base = group_end - deg + 1
    rows = []
    for layer, n_heads in enumerate(maps.heads):
        for h in range(n_heads):
            a = maps.alpha[layer, h].astype(np.float64)
            ent = np.bincount(dst, weights=-a * np.log(np.where(a > 0, a, 1.0)), minlength=n)
            # Sort within each target by alpha: alpha in [0, 1] never crosses to the next target id.
            order = by_target[np.argsort(dst[by_target] + 0.5 * a[by_target], kind="stable")]
            sorted_a = a[order]
            rank = np.arange(order.size) - rank_base[dst[order]] + 1
            weighted = np.bincount(dst[order], weights=rank * sorted_a, minlength=n)
            total = np.bincount(dst, weights=a, minlength=n)
            gini = (2 * weighted / np.where(total > 0, total, 1) - deg - 1) / np.maximum(deg - 1, 1)
            top = sorted_a[group_end[two]]
            rows.append(
                {
                    "layer": layer,
                    "head": h,
                    "layer_name": maps.layer_names[layer],
                    "entropy": float(ent[one].mean()) if one.any() else math.nan,
                    "entropy_norm": float((ent[two] / log_deg[two]).mean()) if two.any() else math.nan,
                    "sparsity": float(gini[two].mean()) if two.any() else math.nan,
                    "salience": float(top.mean()) if two.any() else math.nan,
                }
            )
    columns = ["layer", "head", "layer_name", "entropy", "entropy_norm", "sparsity", "salience"]
    return pd.DataFrame(rows, columns=columns)


def incoming(maps: AttentionMaps, node: int, layer: int, head_or_how: HeadOrHow) -> pd.DataFrame:
    """Whom ``node`` attends to in ``layer``: its incoming edges j → node, strongest first.

    Args:
        maps: every layer's coefficients (:func:`attention_maps`).
        node: the attending node (the edges' target).
        layer: the attention layer index (0-based).
        head_or_how: a head index, or "mean" / "max" over the layer's heads.

    Returns:
        DataFrame with columns node (the source j; ``node`` itself for its self-loop), alpha
        (its share of ``node``'s update), edge (column in ``maps.edge_index``).
    """
    edges = np.flatnonzero(maps.edge_index[1] == node)
    return _ranked(maps.edge_index[0], edges, _weights(maps, layer, head_or_how, edges))


def outgoing(maps: AttentionMaps, node: int, layer: int, head_or_how: HeadOrHow) -> pd.DataFrame:
    """Who attends to ``node`` in ``layer``: its outgoing edges node → i, by i's coefficient on it.

    Returns:
        DataFrame with columns node (the target i), alpha (the share of i's update that comes
        from ``node``), edge (column in ``maps.edge_index``).
    """
    edges = np.flatnonzero(maps.edge_index[0] == node)
    return _ranked(maps.edge_index[1], edges, _weights(maps, layer, head_or_how, edges))


def _ranked(other_end: np.ndarray, edges: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    order = np.argsort(-weights, kind="stable")
    return pd.DataFrame({"node": other_end[edges[order]], "alpha": weights[order], "edge": edges[order]})


def global_attention_modules(model: NodeModel) -> list[nn.MultiheadAttention]:
    """The model's global (all-pairs) attention modules, in layer order."""
    return [m for m in model.modules() if isinstance(m, nn.MultiheadAttention)]


@torch.no_grad()
def global_attention_rows(model: NodeModel, output: ModelOutput, layer: int, nodes: Tensor) -> Tensor:
    """Rows of global attention layer ``layer`` for ``nodes``, from the input that layer saw.

    Recomputes ``softmax(q_i · K^T / sqrt(d))`` per head from ``output.global_inputs[layer]``
    and the layer's projection weights, so no (H, N, N) matrix is ever formed.

    Args:
        model: a model with global attention (``nn.MultiheadAttention`` layers, e.g. GraphGPS).
        output: a forward pass of ``model`` (eval mode) on the graph.
        layer: index among the global attention layers.
        nodes: (K,) int64 node ids (queries).

    Returns:
        (H, K, N) float32 tensor on the model's device; each row sums to 1.

    Raises:
        ValueError: when the model has no global attention.
    """
    modules = global_attention_modules(model)
    if not output.global_inputs or len(modules) != len(output.global_inputs):
        raise ValueError(
            f"{type(model).__name__} has no global attention (no global_inputs in its output); "
            "use attention_maps for attention over edges"
        )
    mha = modules[layer]
    if not mha._qkv_same_embed_dim or mha.bias_k is not None or mha.add_zero_attn:
        raise ValueError("only self-attention without extra key/value biases is supported")
    x = output.global_inputs[layer]
    d, h, hd = mha.embed_dim, mha.num_heads, mha.head_dim
    w, b = mha.in_proj_weight, mha.in_proj_bias
    b_q = None if b is None else b[:d]
    b_k = None if b is None else b[d : 2 * d]
    q = torch.nn.functional.linear(x[nodes], w[:d], b_q).view(-1, h, hd)  # (K, H, hd)
    k = torch.nn.functional.linear(x, w[d : 2 * d], b_k).view(-1, h, hd)  # (N, H, hd)
    scores = torch.einsum("khd,nhd->hkn", q, k) / math.sqrt(hd)
    return scores.softmax(dim=-1)


def global_attention_row(model: NodeModel, output: ModelOutput, layer: int, node: int) -> np.ndarray:
    """(H, N) float32: how much ``node`` attends to every node in global attention layer ``layer``.

    See :func:`global_attention_rows`; raises ValueError for models without global attention.
    """
    nodes = torch.tensor([node], device=output.global_inputs[0].device if output.global_inputs else None)
    return global_attention_rows(model, output, layer, nodes)[:, 0].cpu().numpy()


def global_attention_focus(model: NodeModel, output: ModelOutput, node: int) -> np.ndarray:
    """(L, Hmax, N) float32: ``node``'s row in every global attention layer and head.

    NaN for heads a layer does not have; every existing (layer, head) row sums to 1.
    Costs L projections of the (N, D) inputs, never an (N, N) matrix.
    """
    rows = [global_attention_row(model, output, layer, node) for layer in range(len(output.global_inputs))]
    if not rows:
        raise ValueError(f"{type(model).__name__} has no global attention")
    out = np.full((len(rows), max(r.shape[0] for r in rows), rows[0].shape[1]), np.nan, np.float32)
    for layer, r in enumerate(rows):
        out[layer, : r.shape[0]] = r
    return out


def row_entropy(rows: np.ndarray) -> np.ndarray:
    """Entropy of each row (last axis, N entries) divided by log N: 1 = uniform, 0 = one node.

    Args:
        rows: (..., N) non-negative weights, each row summing to 1 (NaN rows give NaN).

    Returns:
        (...,) float64 in [0, 1] (0 when N = 1).
    """
    rows = np.asarray(rows, dtype=np.float64)
    n = rows.shape[-1]
    return entropy(rows, axis=-1) / math.log(n) if n > 1 else np.zeros(rows.shape[:-1])


def global_row_statistics(rows: np.ndarray, hops: np.ndarray, layer_names: list[str]) -> pd.DataFrame:
    """How one node spreads its global attention, per layer and head: is global attention local?

    Args:
        rows: (L, Hmax, N) from :func:`global_attention_focus` (NaN for missing heads).
        hops: (N,) undirected hop distances from the node (:func:`core.graph.hop_distances` with
            ``flow="undirected"``: 0 = the node itself, 1 = its neighbors).
        layer_names: one name per layer.

    Returns:
        DataFrame, one row per existing (layer, head), with columns layer, head (0-based),
        layer_name, ``entropy_norm`` (:func:`row_entropy`), ``effective_nodes`` (exp of the
        entropy: how many nodes a uniform row with that entropy would cover), ``top`` (largest
        weight), ``self``, ``neighbors``, ``beyond`` (attention mass on the node, on its 1-hop
        neighbors and on every other node; they sum to 1) and ``neighbors_uniform`` (the
        neighbors' share under uniform attention, degree / N: the baseline ``neighbors``
        should be read against).
    """
    n = rows.shape[-1]
    where = [hops == 0, hops == 1, (hops != 0) & (hops != 1)]
    ent = row_entropy(rows)
    records = []
    for layer in range(rows.shape[0]):
        for h in range(rows.shape[1]):
            r = rows[layer, h].astype(np.float64)
            if np.isnan(r).all():
                continue
            mass = [float(r[w].sum()) for w in where]
            records.append(
                {
                    "layer": layer,
                    "head": h,
                    "layer_name": layer_names[layer],
                    "entropy_norm": float(ent[layer, h]),
                    "effective_nodes": float(np.exp(entropy(r))),
                    "top": float(r.max()),
                    "self": mass[0],
                    "neighbors": mass[1],
                    "beyond": mass[2],
                    "neighbors_uniform": float(where[1].sum()) / n,
                }
            )
    columns = ["layer", "head", "layer_name", "entropy_norm", "effective_nodes", "top", "self", "neighbors",
               "beyond", "neighbors_uniform"]  # fmt: skip
    return pd.DataFrame(records, columns=columns)


def global_ranked(row: np.ndarray, hops: np.ndarray, k: int = 20) -> pd.DataFrame:
    """The ``k`` nodes one row of global attention weighs most, strongest first.

    Args:
        row: (N,) one node's attention over every node (one head or an aggregate).
        hops: (N,) hop distance of each node from the attending node (-1: unreachable).
        k: how many nodes to keep.

    Returns:
        DataFrame with columns node, alpha, ``x_uniform`` (alpha * N: 1 means no more than a
        uniform row would give) and hops.
    """
    row = np.nan_to_num(np.asarray(row, dtype=np.float64))
    top = np.argsort(-row, kind="stable")[:k]
    return pd.DataFrame({"node": top, "alpha": row[top], "x_uniform": row[top] * row.size, "hops": hops[top]})

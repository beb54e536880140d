"""Causal head importance after DARTS-GT.

Chakraborty & Minary 2025, "DARTS-GT: Differentiable architecture search for graph transformers
with quantifiable instance-specific interpretability".

A head is switched off (its output zeroed) and the change in the model's error is its
deviation; Specialization is the spread of deviations over heads and Focus how much the most
important heads agree on which nodes they attend to. Attention weights show where a head looks;
deviation shows whether the prediction needs it, and the two often disagree.

Heads are switched off with hooks, never by copying or editing layers:

- PyG attention layers (GATConv, GATv2Conv, TransformerConv) get a message forward hook that
  multiplies their (E, H, C) messages by a 0/1 head mask: the head aggregates nothing.
- ``nn.MultiheadAttention`` (global attention) gets a forward hook that recomputes the switched
  off heads and subtracts their share of the output projection (assumes eval mode: no
  attention dropout to reproduce).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn.conv import MessagePassing

from nodescope.core.models import ModelOutput, NodeModel
from nodescope.explain.attention import global_attention_rows

Metric = Literal["error", "loss"]
#: Share of nodes that count as a head's "attended" set for Focus.
FOCUS_SHARE = 0.1


@dataclass
class HeadImportance:
    """Causal importance of every attention head.

    Attributes:
        deviation: (L, Hmax) change in the metric on the ``mask`` nodes when that one head is
            switched off (ablated minus intact; > 0: the head helps). With metric "error" the
            change in error rate (fraction of nodes, in [-1, 1]); with "loss" in mean
            cross-entropy (nats). NaN where the layer has no such head. Rows follow
            ``model.attention_modules()``.
        specialization: standard deviation of the deviations over all heads (same unit).
        focus: mean pairwise Jaccard overlap of the top-10 % attended nodes of the ``top_k``
            most important heads (NaN with fewer than two heads). A node's attention received
            in a head is the sum of the coefficients on its outgoing edges (global attention:
            its column sum).
        top_heads: the ``top_k`` (layer, head) pairs with the largest deviation, largest first.
        baseline: the metric with every head on.
        metric: "error" or "loss".
    """

    deviation: np.ndarray
    specialization: float
    focus: float
    top_heads: list[tuple[int, int]]
    baseline: float
    metric: Metric


def head_counts(model: NodeModel) -> list[int]:
    """Heads of each module in ``model.attention_modules()``."""
    counts = []
    for module in model.attention_modules():
        if isinstance(module, nn.MultiheadAttention):
            counts.append(module.num_heads)
        elif isinstance(module, MessagePassing) and hasattr(module, "heads"):
            counts.append(int(module.heads))
        else:
            raise TypeError(f"cannot ablate heads of {type(module).__name__}")
    return counts


def _message_hook(mask: Tensor) -> Callable[[MessagePassing, Any, Tensor], Tensor]:
    def hook(module: MessagePassing, inputs: Any, out: Tensor) -> Tensor:
        if out.dim() != 3 or out.shape[1] != mask.numel():
            raise RuntimeError(f"{type(module).__name__} messages are {tuple(out.shape)}, not (E, heads, C)")
        return out * mask.to(out.device, out.dtype).view(1, -1, 1)

    return hook


def _attention_hook(heads: list[int]) -> Callable[..., tuple[Tensor, Any]]:
    """Forward hook on nn.MultiheadAttention (self-attention, batch_first) removing ``heads``' output."""

    def hook(module: nn.MultiheadAttention, args: tuple, kwargs: dict, output: tuple) -> tuple[Tensor, Any]:
        x = args[0] if args else kwargs["query"]
        if not module.batch_first:
            raise RuntimeError("head ablation needs batch_first=True attention")
        b, n, d = x.shape
        hd = module.head_dim
        kpm = kwargs.get("key_padding_mask", args[3] if len(args) > 3 else None)
        mask = None if kpm is None or not bool(kpm.any()) else ~kpm[:, None, None, :]
        w, bias = module.in_proj_weight, module.in_proj_bias
        removed = torch.zeros_like(output[0])
        for h in heads:
            parts = []
            for block in range(3):  # query, key, value rows of the packed projection
                rows = slice(block * d + h * hd, block * d + (h + 1) * hd)
                parts.append(F.linear(x, w[rows], None if bias is None else bias[rows]).unsqueeze(1))
            head_out = F.scaled_dot_product_attention(*parts, attn_mask=mask)[:, 0]  # (B, N, hd)
            removed = removed + head_out @ module.out_proj.weight[:, h * hd : (h + 1) * hd].T
        return output[0] - removed, output[1]

    return hook


@contextmanager
def ablated_heads(model: NodeModel, heads: dict[int, list[int]]) -> Iterator[NodeModel]:
    """Switch off ``heads[layer]`` of each listed layer of ``model.attention_modules()``; restore after.

    Args:
        model: the model (global attention ablation assumes eval mode).
        heads: layer index → head indices to zero.

    Yields:
        ``model`` itself; every hook is removed on exit, also after an exception.
    """
    modules = model.attention_modules()
    counts = head_counts(model)
    handles = []
    try:
        for layer, hs in heads.items():
            if not 0 <= layer < len(modules):
                raise ValueError(f"model has {len(modules)} attention layers; no layer {layer}")
            bad = [h for h in hs if not 0 <= h < counts[layer]]
            if bad:
                raise ValueError(f"attention layer {layer} has {counts[layer]} heads; no head {bad[0]}")
            module = modules[layer]
            if isinstance(module, nn.MultiheadAttention):
                handles.append(module.register_forward_hook(_attention_hook(list(hs)), with_kwargs=True))
            else:
                mask = torch.ones(counts[layer])
                mask[list(hs)] = 0.0
                handles.append(module.register_message_forward_hook(_message_hook(mask)))
        yield model
    finally:
        for handle in handles:
            handle.remove()


def _metric(logits: Tensor, y: Tensor, mask: Tensor, metric: Metric) -> float:
    if metric == "error":
        return float((logits[mask].argmax(-1) != y[mask]).float().mean())
    return float(F.cross_entropy(logits[mask], y[mask]))


@torch.no_grad()
def _attention_received(model: NodeModel, out: ModelOutput, num_nodes: int, chunk: int = 256) -> list[Tensor]:
    """Per attention module, (H, N): the total coefficient each node receives over all targets."""
    received, local, glob = [], 0, 0
    for module in model.attention_modules():
        if isinstance(module, nn.MultiheadAttention):
            total = 0
            for start in range(0, num_nodes, chunk):
                nodes = torch.arange(start, min(start + chunk, num_nodes), device=out.logits.device)
                total = total + global_attention_rows(model, out, glob, nodes).sum(dim=1)
            received.append(total)
            glob += 1
        else:
            layer = out.attention[local]
            src, alpha = layer.edge_index[0], layer.alpha  # (E,), (E, H)
            sums = torch.zeros(num_nodes, alpha.shape[1], device=alpha.device).index_add_(0, src, alpha)
            received.append(sums.T)
            local += 1
    return received


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return len(np.intersect1d(a, b)) / len(np.union1d(a, b))


@torch.no_grad()
def head_importance(
    model: NodeModel,
    data: Data,
    mask: Tensor | None = None,
    *,
    top_k: int = 3,
    metric: Metric = "error",
    progress: Callable[[int, int], None] | None = None,
) -> HeadImportance:
    """Ablate each attention head alone and measure the change in error (or loss) on ``mask``.

    Args:
        model: a registered model with attention; run in eval mode (restored after).
        data: the ``model.prepare``-d graph with labels ``y``, on the model's device.
        mask: (N,) bool nodes to score (the page uses the test mask); default every labeled
            node (``y >= 0``).
        top_k: heads whose attended nodes Focus compares.
        metric: "error" (1 - accuracy) or "loss" (cross-entropy).
        progress: called as ``progress(done, total)`` after each ablation.

    Returns:
        :class:`HeadImportance`.
    """
    if data.get("y") is None:
        raise ValueError("head importance needs node labels (data.y)")
    counts = head_counts(model)
    if not counts:
        raise ValueError(f"{type(model).__name__} has no attention heads to ablate")
    mask = (data.y >= 0) if mask is None else mask.to(data.y.device).bool()
    if not bool(mask.any()):
        raise ValueError("the node mask is empty")
    was_training = model.training
    model.eval()
    try:
        out = model(data, attention=True)
        baseline = _metric(out.logits, data.y, mask, metric)
        deviation = np.full((len(counts), max(counts)), np.nan)
        total = sum(counts)
        for done, (layer, h) in enumerate(((lay, h) for lay, c in enumerate(counts) for h in range(c)), 1):
            with ablated_heads(model, {layer: [h]}):
                deviation[layer, h] = _metric(model(data).logits, data.y, mask, metric) - baseline
            if progress is not None:
                progress(done, total)
        received = _attention_received(model, out, int(data.num_nodes))
    finally:
        model.train(was_training)
    heads = [(layer, h) for layer, c in enumerate(counts) for h in range(c)]
    ranked = sorted(heads, key=lambda lh: -deviation[lh])[:top_k]
    n_top = max(1, math.ceil(FOCUS_SHARE * int(data.num_nodes)))
    tops = [np.argsort(-received[layer][h].cpu().numpy(), kind="stable")[:n_top] for layer, h in ranked]
    pairs = [_jaccard(a, b) for a, b in itertools.combinations(tops, 2)]
    return HeadImportance(
        deviation=deviation,
        specialization=float(np.nanstd(deviation)),
        focus=float(np.mean(pairs)) if pairs else math.nan,
        top_heads=ranked,
        baseline=baseline,
        metric=metric,
    )


def head_table(stats: pd.DataFrame, importance: HeadImportance) -> pd.DataFrame:
    """One row per head: :func:`explain.attention.head_statistics` with its causal ``importance``.

    ``importance`` is the deviation of :func:`head_importance`; layer and head are 1-based.

    Args:
        stats: :func:`explain.attention.head_statistics` of the model's attention maps.
        importance: :func:`head_importance` of the same model.
    """
    table = stats.copy()
    table["importance"] = [float(importance.deviation[int(r.layer), int(r.head)]) for r in table.itertuples()]
    table["layer"] += 1
    table["head"] += 1
    return table

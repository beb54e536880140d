"""What an X-Node model says about every node, read from one forward pass.

:func:`analyse` runs the model once and then asks its last layer what-if questions for all
nodes at once:

- **contribution** of a cue to a node's prediction, one sign convention everywhere (this
  array, the chart of :mod:`viz.explanation_view` and the words of :mod:`explain.text`)::

      contribution[i, k] = p(pred_i | node i's actual cues) - p(pred_i | cue k of node i at its reference)

  where ``pred_i`` is the class predicted with the actual cues, the reference is the graph
  average (standardized value 0) and everything else is unchanged. Probability units (a
  fraction in [-1, 1]); the chart and the text show it times 100, in percentage points.
  Positive: the cue's actual value supports the prediction (at the average the predicted
  class would be less likely); negative: it points the other way. With injection off the
  cues do not enter the prediction and every contribution is 0.
- **counterfactual**: the smallest change of a single cue (to one of a few standardized
  values, :data:`GRID`, within the range the graph's nodes span) that changes the predicted
  class, if any.

Changing node i's cues changes only what is injected into node i before the last layer, so
only node i's last-layer input changes. Both questions are answered exactly by one pass of the
last layer over a graph holding, next to the real nodes, one copy of every node per what-if,
each copy receiving the same incoming edges as the node it copies.

:func:`attributions` gives X-Node's explanation in the common :class:`~explain.posthoc.Attribution`
form for fidelity metrics and the CLI. X-Node explains with node cues, not edges; as its edge
mask we use the model's own |gradient| of the node's predicted-class score with respect to a
weight on every edge's messages (in every layer, so also the messages carrying the injected
explanations), computed for many nodes in one backward pass over their batched computation
subgraphs. This is the same quantity :func:`explain.posthoc.saliency` computes for one node
at a time; the feature mask is the node's own-feature saliency (gradient × input), the cue
the model itself reads.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

from nodescope.core.context import (
    GRAPH_CUES,
    MODEL_CUES,
    GraphContext,
    cue_of,
    graph_context,
    inverse_transform,
)
from nodescope.core.models.xnode import FLAT_EMBEDDINGS, XNode, XNodeOutput
from nodescope.explain.posthoc import Attribution, private_copy
from nodescope.explain.subgraph import batched_subgraphs, prepare_with_saliency

#: Standardized values each cue is tried at for counterfactuals (0, the graph average, also
#: gives the contributions). The "no labeled neighbors" cue is tried at its two values instead.
GRID: tuple[float, ...] = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
_INDICATOR = "no labeled neighbors"


@dataclass
class XNodeResult:
    """X-Node's self-explanation of every node of a graph (N nodes, K cues, C classes).

    Attributes:
        cue_names: the K cues the model reads, in column order.
        class_names: the C class names (``"0"``, ``"1"``, ... when none were given).
        probs: (N, C) predicted class probabilities.
        predicted: (N,) predicted class.
        z: (N, K) standardized cue values (0 = graph average, 1 = one standard deviation above).
        raw: (N, K) cue values in their own units (see :data:`core.context.CUES`; label
            agreement NaN when unknown; feature saliency is the L1 norm of gradient × input).
        percentile: (N, K) share of nodes (in %) with a strictly lower raw value.
        mean: (K,) and std: (K,) the transformed value that z = 0 and z = 1 stand for.
        contributions: (N, K) p(predicted class) minus p(predicted class) with the cue alone
            set to the graph average (probability units; positive supports the prediction; see
            the module docstring).
        flip_cue: (N,) index into ``cue_names`` of the cheapest single-cue change that changes
            the prediction, -1 when no change in :data:`GRID` does.
        flip_z: (N,) the standardized value it changes to (NaN when none).
        flip_class: (N,) the class predicted after that change (-1 when none).
        label_counts: (N, C) training-labeled nodes of each class within ``hops`` hops.
        hops: radius of the label cues.
        recon_error: (N,) the Decoder's relative reconstruction error of the node's embedding;
            NaN when the embeddings do not vary over nodes (the ratio is undefined).
        feature_saliency: (N, F) gradient × input of the node's own features, or None.
        injects: whether the explanation enters the prediction.
        seconds: wall time of :func:`analyse`.
    """

    cue_names: tuple[str, ...]
    class_names: list[str]
    probs: Tensor
    predicted: Tensor
    z: Tensor
    raw: np.ndarray
    percentile: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    contributions: Tensor
    flip_cue: Tensor
    flip_z: Tensor
    flip_class: Tensor
    label_counts: np.ndarray
    hops: int
    recon_error: Tensor
    feature_saliency: Tensor | None
    injects: bool
    seconds: float

    @property
    def num_nodes(self) -> int:
        """Number of nodes N."""
        return int(self.probs.shape[0])

    def value_at(self, cue: int, z: float) -> float:
        """The raw value of cue ``cue`` (column index) that standardizes to ``z``."""
        name = self.cue_names[cue]
        return inverse_transform(cue_of(name).transform, self.mean[cue] + z * self.std[cue], self.num_nodes)


def _check(model: object) -> XNode:
    if not isinstance(model, XNode):
        raise ValueError(
            f"{getattr(getattr(model, 'config', None), 'model', model)!r} is not an X-Node model"
        )
    return model


def _cue_columns(
    model: XNode, context: GraphContext, saliency: Tensor | None, frozen: Tensor | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw values, means and stds (transformed space) of the model's cues, in its column order.

    ``frozen`` is the (N, 2 + 2C) raw model cues of :meth:`XNode.freeze_saliency` (the vote
    cues are read from it), None when the model reads none.
    """
    raws, means, stds = [], [], []
    norm = model.saliency_norm
    votes = iter(range(len(model.vote_columns)))
    if (
        saliency is not None
    ):  # the model cues before their transform: L1 norm and top share of gradient × input
        l1 = saliency.abs().sum(1)
        own = {
            "feature saliency": l1,
            "top-feature share": saliency.abs().max(1).values / l1.clamp_min(1e-12),
        }
    for name in model.cue_names:
        if name in GRAPH_CUES:
            j = GRAPH_CUES.index(name)
            raws.append(context.raw[:, j])
            means.append(context.mean[j])
            stds.append(context.std[j])
        elif name in MODEL_CUES:
            j = MODEL_CUES.index(name)
            raws.append(own[name].cpu().numpy().astype(np.float64))
            means.append(float(norm.running_mean[j]))
            stds.append(float((norm.running_var[j] + norm.eps).sqrt()))
        else:  # a per-class vote cue, in the order of model.vote_columns
            j = next(votes)
            raws.append(frozen[:, model.vote_columns[j]].cpu().numpy().astype(np.float64))
            means.append(float(model.vote_norm.running_mean[j]))
            stds.append(float((model.vote_norm.running_var[j] + model.vote_norm.eps).sqrt()))
    return np.stack(raws, 1), np.array(means), np.array(stds)


def _percentiles(raw: np.ndarray) -> np.ndarray:
    """Per column, the share (%) of nodes with a strictly lower value (NaN stays NaN)."""
    out = np.full(raw.shape, np.nan)
    for j in range(raw.shape[1]):
        col = raw[:, j]
        known = ~np.isnan(col)
        ordered = np.sort(col[known])
        out[known, j] = 100.0 * np.searchsorted(ordered, col[known], side="left") / max(len(ordered), 1)
    return out


def _variants(model: XNode, z: Tensor, std: np.ndarray, mean: np.ndarray) -> list[tuple[int, float]]:
    """(cue column, standardized value) pairs to try.

    :data:`GRID` (the indicator: its two values) within the range some node of the graph has, so
    no what-if asks for an impossible value (a negative clustering coefficient); 0, the average,
    always (it gives the contributions).
    """
    low, high = z.min(0).values.tolist(), z.max(0).values.tolist()
    pairs = []
    for k, name in enumerate(model.cue_names):
        if name == _INDICATOR:
            values = {float((0.0 - mean[k]) / std[k]), float((1.0 - mean[k]) / std[k])}
        else:
            values = set(GRID)
        values = {v for v in values if low[k] - 1e-6 <= v <= high[k] + 1e-6} | {0.0}
        pairs += [(k, v) for v in sorted(values)]
    return pairs


@torch.no_grad()
def _what_if(
    model: XNode,
    base_input: Tensor,
    added: Tensor,
    context: Tensor,
    edge_index: Tensor,
    pairs: list[tuple[int, float]],
    chunk_rows: int = 2_000_000,
) -> Tensor:
    """(V, N, C) logits with cue ``k`` of each node alone set to ``v``, for every (k, v) in ``pairs``.

    ``base_input`` is the last layer's real input (injection included); each what-if copy of
    node i gets ``base_input[i] - added[i] + injection(changed context of i)`` and node i's
    incoming edges from the real nodes.
    """
    n = base_input.shape[0]
    per_chunk = max(1, chunk_rows // max(n, 1) - 1)
    out = []
    for start in range(0, len(pairs), per_chunk):
        part = pairs[start : start + per_chunk]
        inputs = [base_input]
        for k, v in part:
            changed = context.clone()
            changed[:, k] = v
            inputs.append(base_input - added + model.injection(changed)[1])
        src, dst = edge_index
        copies = torch.arange(1, len(part) + 1, device=src.device).repeat_interleave(src.numel())
        edges = torch.cat(
            [edge_index, torch.stack([src.repeat(len(part)), dst.repeat(len(part)) + copies * n])], 1
        )
        logits = model.last_layer(torch.cat(inputs), edges)
        out.append(logits[n:].view(len(part), n, -1))
    return torch.cat(out)


def analyse(model: XNode, data: Data, *, class_names: list[str] | None = None) -> XNodeResult:
    """Explain every node of ``data`` with X-Node model ``model`` (see the module docstring).

    Args:
        model: a trained ``xnode-*`` model (left untouched: a private copy runs in eval mode).
        data: the graph with ``train_mask`` (the split the model was trained with).
        class_names: one name per class, for :mod:`explain.text` (default the class ids).

    Returns:
        An :class:`XNodeResult`; :mod:`explain.text` turns it into words.
    """
    start = time.perf_counter()
    model = private_copy(_check(model))
    prepared, saliency = prepare_with_saliency(model, data)
    with torch.no_grad():
        out = model(prepared)
    probs = out.logits.softmax(-1)
    predicted = probs.argmax(-1)
    context = graph_context(
        prepared,
        hops=int(model.config.option("hops")),
        betweenness_samples=int(model.config.option("betweenness_samples")),
    )
    raw, mean, std = _cue_columns(model, context, saliency, prepared.get("xnode_saliency"))
    n, k = out.context.shape
    contributions = torch.zeros(n, k)
    flip_cue = torch.full((n,), -1, dtype=torch.long)
    flip_z = torch.full((n,), float("nan"))
    flip_class = torch.full((n,), -1, dtype=torch.long)
    if model.injects:
        pairs = _variants(model, out.context, std, mean)
        _, added = model.injection(out.context)
        logits = _what_if(model, out.last_input, added, out.context, prepared.edge_index, pairs)
        rows = torch.arange(n, device=logits.device)
        p_pred = probs[rows, predicted]
        best_cost = torch.full((n,), float("inf"), device=logits.device)
        for (col, value), variant in zip(pairs, logits, strict=True):
            vp = variant.softmax(-1)
            if value == 0.0:
                contributions[:, col] = (p_pred - vp[rows, predicted]).cpu()
            new_class = vp.argmax(-1)
            cost = (out.context[:, col] - value).abs()
            better = (new_class != predicted) & (cost < best_cost)
            best_cost = torch.where(better, cost, best_cost)
            flip_cue[better.cpu()] = col
            flip_z[better.cpu()] = value
            flip_class[better.cpu()] = new_class[better].cpu()
    return XNodeResult(
        cue_names=model.cue_names,
        class_names=list(class_names) if class_names else [str(c) for c in range(probs.shape[1])],
        probs=probs.cpu(),
        predicted=predicted.cpu(),
        z=out.context.cpu(),
        raw=raw,
        percentile=_percentiles(raw),
        mean=mean,
        std=std,
        contributions=contributions,
        flip_cue=flip_cue,
        flip_z=flip_z,
        flip_class=flip_class,
        label_counts=context.label_counts,
        hops=context.hops,
        recon_error=_defined_recon_error(out),
        feature_saliency=None if saliency is None else saliency.cpu(),
        injects=model.injects,
        seconds=time.perf_counter() - start,
    )


def _defined_recon_error(out: XNodeOutput) -> Tensor:
    """(N,) the Decoder's relative error, NaN where it is undefined.

    The error is measured against the embeddings' spread over nodes; where every node has (almost)
    the same embedding (BA-Shapes' X-Node GAT: spread 1e-13 for norms ~4.6) that ratio is noise
    blown up to ~1e12, not a measure, and the text says why it gives none.
    """
    target = out.hidden[-2].detach()
    spread = (target - target.mean(0)).pow(2).sum(1).mean()
    scale = target.pow(2).sum(1).mean()
    if float(spread) <= FLAT_EMBEDDINGS * float(scale):
        return torch.full_like(out.recon_error, float("nan")).cpu()
    return out.recon_error.cpu()


def attributions(model: XNode, data: Data, nodes: Iterable[int], *, chunk: int = 64) -> Iterator[Attribution]:
    """X-Node's explanation of each of ``nodes`` as an :class:`~explain.posthoc.Attribution`.

    The node scores are the node's own-feature saliency (gradient × input; its own row only,
    None when the model reads no saliency cue). The edge scores are the |gradient| of the
    predicted-class logit with respect to a weight on each edge's messages in every layer (see
    the module docstring), over its computation subgraph, for ``chunk`` nodes per backward
    pass; ``seconds`` is the chunk's time shared equally.
    """
    model = private_copy(_check(model))
    prepared, saliency = prepare_with_saliency(model, data)
    n, e = int(prepared.num_nodes), int(prepared.edge_index.shape[1])
    todo = [int(i) for i in nodes]
    for begin in range(0, len(todo), chunk):
        start = time.perf_counter()
        subs = batched_subgraphs(model, prepared, todo[begin : begin + chunk])
        batch = subs.data
        weight = torch.ones(batch.edge_index.shape[1], device=batch.edge_index.device, requires_grad=True)
        set_masks(model, weight, batch.edge_index, apply_sigmoid=False)
        try:
            logits = model(batch).logits[subs.centers]
            targets = logits.argmax(-1).detach()
            (grad,) = torch.autograd.grad(logits.gather(1, targets[:, None]).sum(), weight)
        finally:
            clear_masks(model)
        scores = (grad.abs().detach() * subs.computation).cpu().split(subs.edge_counts.tolist())
        edges = subs.edges.cpu().split(subs.edge_counts.tolist())
        share = (time.perf_counter() - start) / len(edges)
        for j in range(len(edges)):
            node = todo[begin + j]
            yield Attribution(
                method="xnode",
                node=node,
                target=int(targets[j]),
                seconds=share,
                num_nodes=n,
                num_edges=e,
                nodes=torch.tensor([node]),
                node_scores=None if saliency is None else saliency[node : node + 1].cpu(),
                edges=edges[j],
                edge_scores=scores[j],
            )

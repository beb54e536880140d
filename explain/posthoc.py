"""Post-hoc explainers from PyG's ``torch_geometric.explain``, one function per method, one result type.

- :func:`gnnexplainer`: GNNExplainer (Ying et al., NeurIPS 2019), learned soft masks.
- :func:`integrated_gradients`: Captum Integrated Gradients (Sundararajan et al., 2017).
- :func:`saliency`: Captum Saliency, absolute gradients (Simonyan et al., 2014).
- :func:`attention`: the model's own attention coefficients as edge importance.
- :func:`random_baseline`: a baseline, seeded uniform random scores on the edges that reach the node
  (and on its subgraph's features); an explainer worth the name scores clearly better.

All explain the model's predicted class (PyG ``explanation_type="model"``) with feature masks
per node and feature (``node_mask_type="attributes"``) and one mask entry per edge
(``edge_mask_type="object"``). Each runs on the node's computation subgraph
(:mod:`explain.subgraph`), on which the model's prediction for the node is exactly its
whole-graph prediction, so the masks equal a whole-graph run's and cost a fraction of it;
the masks are mapped back to whole-graph indices, zero outside the subgraph.

PyG bug (see ../shared/docs/environment.md): after GNNExplainer ran on a model, Captum with
edge masks fails on it, because GNNExplainer leaves an ``_edge_mask`` parameter on every
message-passing layer, which ``deepcopy`` copies. So every function here works on its own
:func:`private_copy` of the model: a deep copy taken before the explainer runs, with any
leftover masks removed; the caller's model is never touched.

``attention`` reads ``ModelOutput.attention`` (what the model returns with ``attention=True``)
and reduces it the way PyG's ``AttentionExplainer`` does (maximum over heads, then over
layers). It does not use ``AttentionExplainer`` itself, whose message hooks would also catch
the extra backbone pass X-Node makes for its saliency cues.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.explain import Explainer
from torch_geometric.explain.algorithm import CaptumExplainer, ExplainerAlgorithm, GNNExplainer
from torch_geometric.explain.algorithm.utils import clear_masks
from torch_geometric.nn import MessagePassing

from nodescope.core.models import NodeModel
from nodescope.explain.subgraph import (
    Logits,
    Subgraph,
    computation_subgraph,
    prepare_for_explaining,
    scatter_to_full,
)

#: PyG's model configuration for every explainer here: node classification on raw logits.
MODEL_CONFIG = {"mode": "multiclass_classification", "task_level": "node", "return_type": "raw"}


@dataclass
class Attribution:
    """One node's explanation by one method, stored over the part of the graph it covers.

    Scores live on the node's computation subgraph (a few dozen nodes); :attr:`node_mask` and
    :attr:`edge_mask` give them as whole-graph tensors, zero elsewhere.

    Attributes:
        method: ``xnode``, ``gnnexplainer``, ``ig``, ``saliency`` or ``attention``.
        node: the explained node.
        target: the class explained (the model's prediction for the node).
        seconds: wall time of this node's explanation.
        num_nodes: N, and ``num_edges``: E, of the whole graph.
        nodes: (n,) int64 ids of the nodes ``node_scores`` covers.
        node_scores: (n, F) importance of each of those nodes' features for the prediction
            (signed for IG, non-negative otherwise), or None when the method has no feature
            attribution (attention).
        edges: (e,) int64 ids (columns of ``edge_index``) of the edges ``edge_scores`` covers.
        edge_scores: (e,) importance of those edges (signed for IG), or None.
    """

    method: str
    node: int
    target: int
    seconds: float
    num_nodes: int
    num_edges: int
    nodes: Tensor
    node_scores: Tensor | None
    edges: Tensor
    edge_scores: Tensor | None

    @property
    def node_mask(self) -> Tensor | None:
        """(N, F) feature importance of every node (zero outside :attr:`nodes`), or None."""
        if self.node_scores is None:
            return None
        return scatter_to_full(self.node_scores, self.nodes, self.num_nodes)

    @property
    def edge_mask(self) -> Tensor | None:
        """(E,) importance of every edge (zero outside :attr:`edges`), or None."""
        if self.edge_scores is None:
            return None
        return scatter_to_full(self.edge_scores, self.edges, self.num_edges)

    def top_features(self, k: int = 5) -> list[tuple[int, float]]:
        """The ``k`` features with the largest total |importance| over the nodes, as (feature, score)."""
        if self.node_scores is None:
            return []
        scores = self.node_scores.abs().sum(0)
        top = scores.topk(min(k, scores.numel()))
        return [(int(i), float(v)) for i, v in zip(top.indices, top.values, strict=True) if v > 0]

    def top_edges(self, k: int = 5) -> list[tuple[int, float]]:
        """The ``k`` edges (columns of ``edge_index``) with the largest |importance|, as (edge, score)."""
        if self.edge_scores is None:
            return []
        scores = self.edge_scores.abs()
        top = scores.topk(min(k, scores.numel()))
        return [(int(self.edges[i]), float(v)) for i, v in zip(top.indices, top.values, strict=True) if v > 0]


def private_copy(model: NodeModel) -> NodeModel:
    """A deep copy in eval mode with no explainer masks left on it (see the module docstring)."""
    clone = copy.deepcopy(model).eval()
    scrub(clone)
    return clone


def scrub(model: torch.nn.Module) -> None:
    """Remove what PyG explainers leave on message-passing layers (masks and GNNExplainer's parameter)."""
    clear_masks(model)
    for module in model.modules():
        if isinstance(module, MessagePassing):
            module._parameters.pop("_edge_mask", None)


def _pyg(method: str, algorithm: ExplainerAlgorithm, model: NodeModel, data: Data, node: int) -> Attribution:
    """Run a PyG explainer on ``node``'s computation subgraph; ``model`` is a private copy."""
    start = time.perf_counter()
    sub = computation_subgraph(model, data, node)
    explainer = Explainer(
        model=Logits(model, sub.data),
        algorithm=algorithm,
        explanation_type="model",
        node_mask_type="attributes",
        edge_mask_type="object",
        model_config=MODEL_CONFIG,
    )
    explanation = explainer(sub.data.x, sub.data.edge_index, index=sub.center)
    scrub(model)
    return _attribution(method, sub, data, explanation.target[sub.center], explanation, start)


def _attribution(
    method: str, sub: Subgraph, data: Data, target: Tensor, explanation: Any, start: float
) -> Attribution:
    node_mask = explanation.get("node_mask")
    edge_mask = explanation.get("edge_mask")
    return Attribution(
        method=method,
        node=int(sub.nodes[sub.center]),
        target=int(target),
        seconds=time.perf_counter() - start,
        num_nodes=int(data.num_nodes),
        num_edges=int(data.edge_index.shape[1]),
        nodes=sub.nodes.cpu(),
        node_scores=None if node_mask is None else node_mask.detach().cpu(),
        edges=sub.edges.cpu(),
        edge_scores=None if edge_mask is None else edge_mask.detach().cpu(),
    )


def _gnnexplainer(
    model: NodeModel, data: Data, node: int, *, epochs: int = 100, lr: float = 0.01, seed: int = 0
) -> Attribution:
    torch.manual_seed(seed)  # GNNExplainer starts from random masks
    return _pyg("gnnexplainer", GNNExplainer(epochs=epochs, lr=lr), model, data, node)


def _integrated_gradients(model: NodeModel, data: Data, node: int, *, steps: int = 50) -> Attribution:
    return _pyg("ig", CaptumExplainer("IntegratedGradients", n_steps=steps), model, data, node)


def _saliency(model: NodeModel, data: Data, node: int) -> Attribution:
    return _pyg("saliency", CaptumExplainer("Saliency"), model, data, node)


def _random(model: NodeModel, data: Data, node: int, *, seed: int = 0) -> Attribution:
    start = time.perf_counter()
    sub = computation_subgraph(model, data, node)
    gen = torch.Generator().manual_seed(seed * 1_000_003 + int(node))  # per node: independent of order
    edges = torch.rand(sub.edges.numel(), generator=gen) * sub.computation.cpu()
    features = torch.rand(tuple(sub.data.x.shape), generator=gen)
    with torch.no_grad():
        target = model(sub.data).logits[sub.center].argmax()
    return _attribution("random", sub, data, target, {"edge_mask": edges, "node_mask": features}, start)


def _attention(model: NodeModel, data: Data, node: int) -> Attribution:
    start = time.perf_counter()
    sub = computation_subgraph(model, data, node)
    with torch.no_grad():
        out = model(sub.data, attention=True)
    if not out.attention:
        raise ValueError(f"{model.config.model} has no attention to explain with; use a GAT-based model")
    n_sub = int(sub.data.num_nodes)
    src, dst = sub.data.edge_index
    keys = src * n_sub + dst
    order = keys.argsort()
    mask = torch.zeros(keys.numel(), device=keys.device)
    for layer in out.attention:
        lsrc, ldst = layer.edge_index
        lkeys = lsrc * n_sub + ldst
        pos = torch.searchsorted(keys[order], lkeys).clamp_max(keys.numel() - 1)
        found = keys[order][pos] == lkeys  # self-loops the layer added are not graph edges
        per_edge = torch.zeros_like(mask)
        per_edge[order[pos[found]]] = layer.alpha[found].max(-1).values
        mask = torch.maximum(mask, per_edge)
    mask = mask * sub.computation  # PyG's hard mask: only edges that reach the node
    target = out.logits[sub.center].argmax()
    return _attribution("attention", sub, data, target, {"edge_mask": mask}, start)


#: Method name → ``fn(model, data, node, **options) -> Attribution`` on a private copy of a prepared model.
_RUNNERS: dict[str, Callable[..., Attribution]] = {
    "gnnexplainer": _gnnexplainer,
    "ig": _integrated_gradients,
    "saliency": _saliency,
    "attention": _attention,
    "random": _random,
}
#: Baselines to score explainers against (not explainers: the app does not offer them).
BASELINES: tuple[str, ...] = ("random",)
#: The explainers.
METHODS: tuple[str, ...] = tuple(m for m in _RUNNERS if m not in BASELINES)


def explain_nodes(
    method: str,
    model: NodeModel,
    data: Data,
    nodes: Iterable[int],
    *,
    progress: Callable[[int, int], Any] | None = None,
    **options: Any,
) -> Iterator[Attribution]:
    """Explain each of ``nodes`` with ``method``, one :class:`Attribution` at a time.

    Args:
        method: one of :data:`METHODS` or :data:`BASELINES`.
        model: a trained model (left untouched: the explainers run on a private copy).
        data: the graph as loaded (with masks); it is passed through ``model.prepare`` once.
        nodes: node ids.
        progress: called as ``progress(done, total)`` after each node.
        options: passed to the method (``epochs``, ``lr``, ``seed`` for GNNExplainer;
            ``steps`` for IG; ``seed`` for random).

    Yields:
        One attribution per node, in order.
    """
    if method not in _RUNNERS:
        raise ValueError(f"unknown explainer {method!r}; choose one of {', '.join(METHODS + BASELINES)}")
    clone = private_copy(model)
    prepared = prepare_for_explaining(clone, data)
    todo = [int(i) for i in nodes]
    for done, node in enumerate(todo, 1):
        yield _RUNNERS[method](clone, prepared, node, **options)
        if progress is not None:
            progress(done, len(todo))


def gnnexplainer(
    model: NodeModel, data: Data, node: int, *, epochs: int = 100, lr: float = 0.01, seed: int = 0
) -> Attribution:
    """GNNExplainer's feature and edge masks (sigmoid, in [0, 1]) for ``node``'s prediction."""
    return next(explain_nodes("gnnexplainer", model, data, [node], epochs=epochs, lr=lr, seed=seed))


def integrated_gradients(model: NodeModel, data: Data, node: int, *, steps: int = 50) -> Attribution:
    """Integrated Gradients from an all-zero baseline (features and edge weights), ``steps`` steps; signed."""
    return next(explain_nodes("ig", model, data, [node], steps=steps))


def saliency(model: NodeModel, data: Data, node: int) -> Attribution:
    """|gradient| of the predicted-class logit w.r.t. every feature and every edge weight."""
    return next(explain_nodes("saliency", model, data, [node]))


def attention(model: NodeModel, data: Data, node: int) -> Attribution:
    """Attention coefficients (max over heads and layers) on the edges reaching ``node``; edge mask only."""
    return next(explain_nodes("attention", model, data, [node]))


def random_baseline(model: NodeModel, data: Data, node: int, *, seed: int = 0) -> Attribution:
    """A baseline: uniform random scores in [0, 1) on the edges that reach ``node`` and its subgraph's features.

    The generator is seeded by ``seed`` and the node, so a node's scores do not depend on
    which other nodes are explained, or in which order.
    """
    return next(explain_nodes("random", model, data, [node], seed=seed))

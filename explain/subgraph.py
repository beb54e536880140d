"""The part of a graph a node's prediction can see, cut out so that explainers run on it alone.

A model with L message-passing layers predicts a node from its L-hop neighborhood: the
features of the nodes within L hops, and the degrees of those nodes, which GCN's normalization
reads (so their edges from one hop further out count too). The computation subgraph keeps
exactly that: the nodes within L hops, one node standing for all the nodes one hop further out
(the "ring"), and every edge into a node within L hops (an edge from the ring now leaves the
ring node, so every degree is kept). Run on it, the model gives the node exactly its
whole-graph prediction (tested for every registered model whose reach its message-passing
layers bound: not APPNP, DAGNN or DGMLP, which count 0 here, nor PairNorm's global
normalization, whose subgraph predictions are approximate), so explainers, fidelity and
X-Node's edge gradients run on a few dozen nodes instead of the whole graph; merging the ring
makes Cora's subgraphs about three times smaller than the induced (L + 1)-hop ones. Models that
also attend to every node (``attention == "local+global"``) see the whole graph, which is then
used as is.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from nodescope.core.device import device
from nodescope.core.models import MODELS, NodeModel
from nodescope.core.models.xnode import XNode


@dataclass
class Subgraph:
    """A node's computation subgraph.

    Attributes:
        data: the subgraph (see the module docstring): the nodes within ``hops`` hops
            relabeled 0.. in increasing original id, then the ring node when there is a ring;
            every node- and edge-level attribute sliced (so ``xnode_context`` and positional
            encodings follow; the ring node carries its first member's).
        nodes: (n,) int64 original ids of its nodes (for the ring node, its first member).
        edges: (e,) int64 original ids (columns of the full ``edge_index``) of its edges.
        center: the explained node's id inside ``data``.
        computation: (e,) bool, the edges within ``hops`` hops of the node (the ones that can
            reach its prediction; PyG's hard edge mask).
    """

    data: Data
    nodes: Tensor
    edges: Tensor
    center: int
    computation: Tensor


def device_of(model: nn.Module) -> torch.device:
    """Where ``model``'s weights are (the project's device for a model without any)."""
    first = next(model.parameters(), None)
    return first.device if first is not None else device()


def prepare_for_explaining(model: NodeModel, data: Data) -> Data:
    """``data`` as ``model`` reads it when explained.

    ``prepare``-d (a copy), on the model's device, and for X-Node with its saliency cues frozen
    (fixed inputs, see :meth:`XNode.freeze_saliency`).
    """
    return prepare_with_saliency(model, data)[0]


def prepare_with_saliency(model: NodeModel, data: Data) -> tuple[Data, Tensor | None]:
    """:func:`prepare_for_explaining` and the (N, F) gradient × input of its saliency pass.

    The gradient × input is for an X-Node model that reads saliency cues (None otherwise): one
    pass instead of two.
    """
    out = model.prepare(copy.copy(data)).to(device_of(model))
    if not isinstance(model, XNode) or not model.reads_alone:
        return out, None
    return model.freeze_saliency(out)


def hops_of(model: NodeModel) -> int | None:
    """The message-passing depth (MessagePassing modules, as PyG counts them).

    None for models that also attend globally and so see the whole graph.
    """
    spec = MODELS.get(model.config.model)
    if spec is not None and spec.attention == "local+global":
        return None
    return sum(isinstance(m, MessagePassing) for m in model.modules())


def computation_subgraph(model: NodeModel, data: Data, node: int) -> Subgraph:
    """``node``'s computation subgraph in ``data`` (already :meth:`~core.models.NodeModel.prepare`-d)."""
    n, e = int(data.num_nodes), int(data.edge_index.shape[1])
    if hops_of(model) is None:
        every = torch.ones(e, dtype=torch.bool, device=data.edge_index.device)
        return Subgraph(data, torch.arange(n), torch.arange(e), int(node), every)
    one = batched_subgraphs(model, data, [int(node)])
    return Subgraph(one.data, one.nodes, one.edges, int(one.centers[0]), one.computation)


@dataclass
class SubgraphBatch:
    """Several nodes' computation subgraphs as one disjoint graph (what :func:`batched_subgraphs` returns).

    Block i is ``computation_subgraph(model, data, nodes[i])``. Each center's prediction
    depends on its own block only, so one backward pass of the sum of the centers' scores
    gives every center its own exact gradients.

    Attributes:
        data: the blocks, one after another; every node- and edge-level attribute sliced.
        centers: (k,) the ids of the explained nodes in ``data``.
        nodes: (n_b,) original ids of ``data``'s nodes (a ring node: its first member).
        edges: (E_b,) original ids of ``data``'s edges.
        computation: (E_b,) bool, the edges within ``hops`` hops of their block's node.
        edge_counts: (k,) edges per block (``edges.split(edge_counts.tolist())`` gives each node's).
    """

    data: Data
    centers: Tensor
    nodes: Tensor
    edges: Tensor
    computation: Tensor
    edge_counts: Tensor


def batched_subgraphs(model: NodeModel, data: Data, nodes: Sequence[int]) -> SubgraphBatch:
    """The computation subgraphs of ``nodes`` in ``data`` (``prepare``-d), extracted together.

    One breadth-first search over a (k, N) reach matrix finds every node's L-hop and
    (L + 1)-hop sets at once (following edges into the node, as PyG's ``k_hop_subgraph``
    does), and one gather per attribute builds the disjoint graph.
    """
    hops = hops_of(model)
    if hops is None:
        raise ValueError(f"{model.config.model} attends to every node: its subgraphs cannot be batched")
    src, dst = data.edge_index
    dev = src.device
    center = torch.as_tensor(list(nodes), dtype=torch.long, device=dev)
    k, rows = center.numel(), torch.arange(center.numel(), device=dev)
    reach = torch.zeros(k, int(data.num_nodes), dtype=torch.bool, device=dev)
    reach[rows, center] = True
    inner = reach
    for hop in range(hops + 1):
        if hop == hops:
            inner = reach  # within ``hops`` hops; one more step reaches the ring
        block, edge = reach[:, dst].nonzero(as_tuple=True)  # edges into the reached nodes
        reach = reach.clone()
        reach[block, src[edge]] = True
    ring = reach & ~inner
    has_ring = ring.any(1)
    size = inner.sum(1)
    start = (size + has_ring).cumsum(0) - (size + has_ring)
    local = torch.where(ring, (start + size)[:, None], inner.cumsum(1) - 1 + start[:, None])  # (k, N)
    block, edge = (inner[:, dst] & reach[:, src]).nonzero(as_tuple=True)  # block-major, original order
    ids = torch.empty(int((size + has_ring).sum()), dtype=torch.long, device=dev)
    at, member = inner.nonzero(as_tuple=True)
    ids[local[at, member]] = member
    ids[(start + size)[has_ring]] = ring[has_ring].float().argmax(1)  # a ring's first member
    attrs = {}
    for key, value in data.items():
        if key in ("edge_index", "num_nodes"):
            continue
        if data.is_node_attr(key):
            attrs[key] = value[ids]
        elif data.is_edge_attr(key):
            attrs[key] = value[edge]
        else:
            attrs[key] = value
    batch = Data(
        edge_index=torch.stack([local[block, src[edge]], local[block, dst[edge]]]),
        num_nodes=int(ids.numel()),
        **attrs,
    )
    return SubgraphBatch(
        data=batch,
        centers=local[rows, center],
        nodes=ids,
        edges=edge,
        computation=inner[block, src[edge]],
        edge_counts=torch.bincount(block, minlength=k),
    )


def scatter_to_full(values: Tensor, index: Tensor, size: int) -> Tensor:
    """A (size, ...) zero tensor with ``values`` put at rows ``index`` (subgraph → whole-graph masks)."""
    out = values.new_zeros((size, *values.shape[1:]))
    out[index.to(values.device)] = values
    return out


class Logits(nn.Module):
    """A :class:`~core.models.NodeModel` called the way PyG's explainers call models.

    ``forward(x, edge_index)`` rebuilds the graph with every other attribute of ``template``
    (``xnode_context``, positional encodings, ...) and returns the (N, C) logits.

    Args:
        model: the model to call; the wrapper takes its training mode.
        template: the prepared graph whose attributes other than ``x`` and ``edge_index`` are reused.
    """

    def __init__(self, model: NodeModel, template: Data) -> None:
        super().__init__()
        self.model = model
        self.extras = {k: v for k, v in template.items() if k not in ("x", "edge_index")}
        # A new module is in training mode, and PyG's Explainer restores the wrapper's mode
        # (so the model's) after every call: mirror the model's, or an eval model leaves in
        # training mode (dropout on, X-Node's saliency cues recomputed).
        self.train(model.training)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """(N, C) logits of the model on (N, F) ``x`` and (2, E) ``edge_index``."""
        return self.model(Data(x=x, edge_index=edge_index, **self.extras)).logits

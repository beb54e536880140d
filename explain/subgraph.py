"""The part of a graph a node's prediction can see, cut out so that explainers run on it alone.

A model with L message-passing layers predicts a node from its L-hop neighbourhood. Run on
the induced (L + 1)-hop subgraph, it gives that node exactly the prediction it gives on the
whole graph (the extra hop keeps the degrees that GCN's normalisation reads), so explainers,
fidelity and X-Node's edge gradients run on a few dozen nodes instead of the whole graph.
Models that also attend to every node (``attention == "local+global"``) see the whole graph,
which is then used as is.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.data import Batch, Data
from torch_geometric.nn import MessagePassing
from torch_geometric.utils import k_hop_subgraph

from nodescope.core.device import device
from nodescope.core.models import MODELS, NodeModel
from nodescope.core.models.xnode import XNode


@dataclass
class Subgraph:
    """A node's computation subgraph.

    Attributes:
        data: the induced subgraph; nodes relabelled 0..n-1 in increasing original id, every
            node- and edge-level attribute sliced (so ``xnode_context`` and positional
            encodings follow).
        nodes: (n,) int64 original ids of its nodes.
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
    """``data`` as ``model`` reads it when explained: ``prepare``-d (a copy), on the model's device,
    and for X-Node with its saliency cues frozen (fixed inputs, see :meth:`XNode.freeze_saliency`)."""
    return prepare_with_saliency(model, data)[0]


def prepare_with_saliency(model: NodeModel, data: Data) -> tuple[Data, Tensor | None]:
    """:func:`prepare_for_explaining` and, for an X-Node model that reads saliency cues, the (N, F)
    gradient × input of the same saliency pass (None otherwise): one pass instead of two."""
    out = model.prepare(copy.copy(data)).to(device_of(model))
    if not isinstance(model, XNode) or model.saliency_norm is None:
        return out, None
    return model.freeze_saliency(out)


def hops_of(model: NodeModel) -> int | None:
    """The message-passing depth (MessagePassing modules, as PyG counts them), or None for models
    that also attend globally and so see the whole graph."""
    spec = MODELS.get(model.config.model)
    if spec is not None and spec.attention == "local+global":
        return None
    return sum(isinstance(m, MessagePassing) for m in model.modules())


def computation_subgraph(model: NodeModel, data: Data, node: int) -> Subgraph:
    """``node``'s computation subgraph in ``data`` (already :meth:`~core.models.NodeModel.prepare`-d)."""
    n, e = int(data.num_nodes), int(data.edge_index.shape[1])
    hops = hops_of(model)
    if hops is None:
        every = torch.ones(e, dtype=torch.bool, device=data.edge_index.device)
        return Subgraph(data, torch.arange(n), torch.arange(e), int(node), every)
    subset, _, _, outer = k_hop_subgraph(int(node), hops + 1, data.edge_index, num_nodes=n)
    _, _, _, inner = k_hop_subgraph(int(node), hops, data.edge_index, num_nodes=n)
    edges = outer.nonzero().flatten()
    center = int((subset == int(node)).nonzero())
    return Subgraph(data.subgraph(subset), subset, edges, center, inner[edges])


def batch_of(subgraphs: list[Subgraph]) -> tuple[Batch, Tensor]:
    """Subgraphs as one disjoint graph, and (len,) the ids of their centres in it.

    Each centre's prediction depends on its own block only, so one backward pass of the sum
    of the centres' scores gives every centre its own exact gradients.
    """
    batch = Batch.from_data_list([s.data for s in subgraphs])
    centres = batch.ptr[:-1] + torch.tensor([s.center for s in subgraphs], device=batch.ptr.device)
    return batch, centres


def scatter_to_full(values: Tensor, index: Tensor, size: int) -> Tensor:
    """A (size, ...) zero tensor with ``values`` put at rows ``index`` (subgraph → whole-graph masks)."""
    out = values.new_zeros((size, *values.shape[1:]))
    out[index.to(values.device)] = values
    return out


class Logits(nn.Module):
    """A :class:`~core.models.NodeModel` called the way PyG's explainers call models.

    ``forward(x, edge_index)`` rebuilds the graph with every other attribute of ``template``
    (``xnode_context``, positional encodings, ...) and returns the (N, C) logits.
    """

    def __init__(self, model: NodeModel, template: Data) -> None:
        super().__init__()
        self.model = model
        self.extras = {k: v for k, v in template.items() if k not in ("x", "edge_index")}

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.model(Data(x=x, edge_index=edge_index, **self.extras)).logits

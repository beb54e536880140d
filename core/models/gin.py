"""Graph isomorphism network (GIN-0): sum aggregation followed by a two-layer MLP per layer."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data
from torch_geometric.nn import GINConv

from nodescope.core.models.base import ModelOutput, NodeModel
from nodescope.core.models.registry import ModelConfig, register


def _mlp(a: int, hidden: int, b: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(a, hidden), nn.ReLU(), nn.Linear(hidden, b))


@register(
    "gin",
    title="GIN",
    attention="none",
    reference="Xu, Hu, Leskovec & Jegelka, ICLR 2019",
    defaults={"hidden": 64, "layers": 2, "heads": 1, "dropout": 0.5},
    # Sum aggregation makes GIN over-confident fast: on Planetoid its validation loss bottoms
    # out within ~10 epochs while its validation accuracy can still improve later. Keep the
    # best validation accuracy (GAT's rule); X-Node's GIN inherits it.
    training={"criterion": "val_acc"},
)
class GIN(NodeModel):
    """GIN-0: ``layers`` GINConv layers (ε = 0), each ``MLP(Linear, ReLU, Linear)``.

    ReLU and dropout between layers. The last layer's MLP outputs the class scores.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        h = config.hidden
        dims = [config.in_dim] + [h] * (config.layers - 1) + [config.out_dim]
        self.convs = nn.ModuleList(GINConv(_mlp(a, h, b)) for a, b in zip(dims[:-1], dims[1:], strict=True))

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); no attention, so ``attention`` is ignored."""
        x, hidden = data.x, [data.x]
        for i, conv in enumerate(self.convs):
            x = F.dropout(x, self.config.dropout, self.training)
            x = conv(x, data.edge_index)
            if i < len(self.convs) - 1:
                x = F.relu(x)
            hidden.append(x)
        return ModelOutput(logits=x, hidden=hidden)

"""Message-passing baselines: GCN (no attention), GAT and GATv2 (attention over neighbors).

Layer widths follow the published Cora settings: GCN 16 hidden units; GAT/GATv2
``heads`` × ``hidden`` concatenated in hidden layers and ``out_heads`` averaged at the output.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import GATConv, GATv2Conv, GCNConv

from nodescope.core.models.adjacency import gcn_edges
from nodescope.core.models.base import LayerAttention, ModelOutput, NodeModel
from nodescope.core.models.dropout import dropout
from nodescope.core.models.registry import ModelConfig, register


@register(
    "gcn",
    title="GCN",
    attention="none",
    reference="Kipf & Welling, ICLR 2017",
    defaults={"hidden": 16, "layers": 2, "heads": 1, "dropout": 0.5},
)
class GCN(NodeModel):
    """Graph convolutional network: ``layers`` GCNConv layers with ReLU and dropout between."""

    takes_input_encoding = True

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        dims = [self.in_width] + [config.hidden] * (config.layers - 1) + [config.out_dim]
        # Â's weights come normalized from gcn_edges (once per graph, not per layer and pass).
        self.convs = nn.ModuleList(
            GCNConv(a, b, normalize=False) for a, b in zip(dims[:-1], dims[1:], strict=True)
        )

    def apply_conv(self, index: int, x: Tensor, edge_index: Tensor) -> Tensor:
        """GCNConv ``self.convs[index]`` alone on (N, D) inputs, with the normalized Â of ``edge_index``."""
        return self.convs[index](x, *gcn_edges(edge_index, x.shape[0]))

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`); no attention, so ``attention`` is ignored."""
        x, hidden = data.x, [data.x]
        edge_index, weight = gcn_edges(data.edge_index, x.shape[0])
        for i, conv in enumerate(self.convs):
            x = dropout(x, self.config.dropout, self.training)
            x = conv(x, edge_index, weight)
            if i < len(self.convs) - 1:
                x = F.relu(x)
            hidden.append(x)
        return ModelOutput(logits=x, hidden=hidden)


class _AttentionGNN(NodeModel):
    """GAT-style stack: hidden layers concatenate ``heads`` heads, the output layer averages ``out_heads``."""

    conv_cls: type[nn.Module]
    takes_input_encoding = True

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        h, heads = config.hidden, config.heads
        attn_dropout = float(config.option("attn_dropout"))
        convs = []
        in_dim = self.in_width
        for _ in range(config.layers - 1):
            convs.append(self.conv_cls(in_dim, h, heads=heads, dropout=attn_dropout))
            in_dim = h * heads
        out_heads = int(config.option("out_heads"))
        convs.append(
            self.conv_cls(in_dim, config.out_dim, heads=out_heads, concat=False, dropout=attn_dropout)
        )
        self.convs = nn.ModuleList(convs)

    def attention_modules(self) -> list[nn.Module]:
        return list(self.convs)

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        x, hidden, maps = data.x, [data.x], []
        for i, conv in enumerate(self.convs):
            x = F.dropout(x, self.config.dropout, self.training)
            if attention:
                x, (edge_index, alpha) = conv(x, data.edge_index, return_attention_weights=True)
                maps.append(LayerAttention(edge_index, alpha))
            else:
                x = conv(x, data.edge_index)
            if i < len(self.convs) - 1:
                x = F.elu(x)
            hidden.append(x)
        return ModelOutput(logits=x, hidden=hidden, attention=maps)


_GAT_DEFAULTS = {"hidden": 8, "layers": 2, "heads": 8, "dropout": 0.6}
_GAT_OPTIONS = {"attn_dropout": 0.6, "out_heads": 1}
_GAT_TRAINING = {"lr": 0.005, "weight_decay": 5e-4}


@register(
    "gat",
    title="GAT",
    attention="local",
    reference="Veličković et al., ICLR 2018",
    defaults=_GAT_DEFAULTS,
    options=_GAT_OPTIONS,
    training=_GAT_TRAINING,
)
class GAT(_AttentionGNN):
    """Graph attention network (static attention: one ranking of neighbors for every query)."""

    conv_cls = GATConv


@register(
    "gatv2",
    title="GATv2",
    attention="local",
    reference="Brody, Alon & Yahav, ICLR 2022",
    defaults=_GAT_DEFAULTS,
    options=_GAT_OPTIONS,
    training=_GAT_TRAINING,
)
class GATv2(_AttentionGNN):
    """GATv2 (dynamic attention: the nonlinearity comes before the attention vector)."""

    conv_cls = GATv2Conv

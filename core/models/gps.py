"""GraphGPS after Rampášek et al., "Recipe for a General, Powerful, Scalable Graph Transformer" (2022).

Each layer is PyG's :class:`~torch_geometric.nn.GPSConv`: a local message-passing step (GIN,
or GINE when edge features are used; neither has attention coefficients) and a global
multi-head attention over every pair of nodes, summed, then a feed-forward block. A
positional/structural encoding (random-walk return probabilities, or Laplacian eigenvectors
with random sign flips in training) is embedded and concatenated to the node embedding.

Global attention is O(N²) in time: a 20,000-node graph takes seconds per layer on a CPU (memory
stays O(N) through PyTorch's fused attention kernel), so larger graphs are refused with a
ValueError (option ``max_nodes``).
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import GCNConv, GINConv, GINEConv, GPSConv

from nodescope.core.models.base import ModelOutput, NodeModel
from nodescope.core.models.encodings import laplacian_pe, random_sign_flip, random_walk_se
from nodescope.core.models.registry import ModelConfig, register

ENCODINGS = ("rwse", "lap")
LOCAL_CONVS = ("gin", "gcn")


class GlobalAttention(nn.MultiheadAttention):
    """``nn.MultiheadAttention`` (same parameters) computed with ``scaled_dot_product_attention``.

    PyTorch's fused kernel then keeps memory O(N) instead of materialising the (H, N, N) weights.

    GPSConv passes an all-False ``key_padding_mask`` for a single graph; it is dropped then, since
    a mask forces the O(N²)-memory path. Attention dropout also forces it during training.

    Args:
        channels: the model width D (a multiple of ``heads``).
        heads: attention heads H.
        dropout: dropout on the attention weights, in training only.
    """

    def __init__(self, channels: int, heads: int, dropout: float) -> None:
        super().__init__(channels, heads, dropout=dropout, batch_first=True)

    def forward(  # type: ignore[override]
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = False,
        **_: object,
    ) -> tuple[Tensor, None]:
        """Self-attention of ``query`` (B, N, D) (GPSConv passes the same tensor three times)."""
        b, n, d = query.shape
        q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.view(b, n, self.num_heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        mask = None
        if key_padding_mask is not None and bool(key_padding_mask.any()):
            mask = ~key_padding_mask[:, None, None, :]  # True = may attend (batched graphs of unequal size)
        p = self.dropout if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        return self.out_proj(out.transpose(1, 2).reshape(b, n, d)), None


@register(
    "gps",
    title="GraphGPS",
    attention="local+global",
    reference="Rampášek et al., NeurIPS 2022",
    # Published (GraphGPS node tasks): GatedGCN/GINE + Transformer, 4-16 layers, 4-8 heads,
    # 64-96 wide, LapPE 8-10 or RWSE 16-20. Cora-size on a CPU: 2 layers, LapPE 8 (cheaper than
    # RWSE on large graphs), more dropout and weight decay for 140 labels (Cora: 66-67 % test;
    # the citation graphs' recipe in core/recipes.py uses GCN locally, no norm, GAT's weight decay).
    defaults={"hidden": 64, "layers": 2, "heads": 4, "dropout": 0.6},
    options={
        "encoding": "lap",
        "pe_dim": 8,
        "pe_hidden": 16,
        "attn_dropout": 0.0,
        "edge_dim": None,
        "max_nodes": 20_000,
        "norm": "batch_norm",
        "local": "gin",
    },
    training={"lr": 0.005, "weight_decay": 5e-3},
)
class GPS(NodeModel):
    """GraphGPS with GIN/GINE local message passing and global multi-head attention.

    Config: ``hidden`` model width D (a multiple of ``heads``); options ``encoding`` ("rwse":
    random-walk return probabilities, "lap": Laplacian eigenvectors), ``pe_dim`` (walk steps or
    eigenvectors), ``pe_hidden`` (width of the encoding's share of D), ``attn_dropout`` (on the
    global attention; > 0 costs O(N²) memory in training), ``edge_dim`` (use ``data.edge_attr``
    of this width through GINE; None: GIN without edge features), ``max_nodes`` (larger graphs
    are refused), ``norm`` (GPSConv's normalization: "batch_norm" as published, "layer_norm", or
    None), ``local`` (the local message passing: "gin" as published, or "gcn": GCN's normalized
    mean over neighbors, the better local model on homophilous citation graphs; no edge features).
    """

    takes_input_encoding = True

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        d, heads = config.hidden, config.heads
        self.encoding = str(config.option("encoding"))
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}; known: {', '.join(ENCODINGS)}")
        self.pe_dim = int(config.option("pe_dim"))
        pe_hidden = int(config.option("pe_hidden"))
        if not 0 < pe_hidden < d:
            raise ValueError(f"pe_hidden {pe_hidden} must lie between 0 and hidden {d}")
        self.max_nodes = int(config.option("max_nodes"))
        self.edge_dim = config.option("edge_dim")
        self.embed = nn.Linear(self.in_width, d - pe_hidden)
        # GraphGPS normalizes raw RWSE (return probabilities shrink with degree) before embedding.
        self.pe_norm = nn.BatchNorm1d(self.pe_dim) if self.encoding == "rwse" else nn.Identity()
        self.pe_embed = nn.Linear(self.pe_dim, pe_hidden)
        self.layers = nn.ModuleList()
        self.local = str(config.option("local"))
        if self.local not in LOCAL_CONVS:
            raise ValueError(f"unknown local convolution {self.local!r}; known: {', '.join(LOCAL_CONVS)}")
        if self.local == "gcn" and self.edge_dim:
            raise ValueError(
                "the gcn local convolution takes no edge features: use local 'gin' with edge_dim"
            )
        norm = config.option("norm")
        for _ in range(config.layers):
            layer = GPSConv(d, self._local_conv(d), heads=heads, dropout=config.dropout, norm=norm)
            layer.attn = GlobalAttention(d, heads, float(config.option("attn_dropout")))
            self.layers.append(layer)
        self.head = nn.Linear(d, config.out_dim)

    def _local_conv(self, d: int) -> nn.Module:
        if self.local == "gcn":
            return GCNConv(d, d)
        mlp = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d))
        return GINEConv(mlp, edge_dim=self.edge_dim) if self.edge_dim else GINConv(mlp)

    @property
    def pe_attr(self) -> str:
        """The ``data`` attribute holding the encoding: ``rwse`` or ``lap_pe``."""
        return "rwse" if self.encoding == "rwse" else "lap_pe"

    def check_size(self, num_nodes: int) -> None:
        """Raise ValueError for graphs whose N x N global attention is too costly."""
        if num_nodes > self.max_nodes:
            raise ValueError(
                f"GraphGPS attends over all node pairs (O(N²)); {num_nodes:,} nodes is above its "
                f"limit of {self.max_nodes:,}. Use the Graph Transformer (neighbor attention) instead."
            )

    def prepare(self, data: Data) -> Data:
        """``data`` with the encoding (N, pe_dim) under :attr:`pe_attr`, kept when already there."""
        self.check_size(data.num_nodes)
        data = super().prepare(data)
        pe = data.get(self.pe_attr)
        if pe is not None and tuple(pe.shape) == (data.num_nodes, self.pe_dim):
            return data
        make = random_walk_se if self.encoding == "rwse" else laplacian_pe
        out = copy.copy(data)
        out[self.pe_attr] = make(data.edge_index, data.num_nodes, self.pe_dim).to(data.edge_index.device)
        return out

    def attention_modules(self) -> list[nn.Module]:
        """The global attention of each layer (the local GIN has no heads)."""
        return [layer.attn for layer in self.layers]

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """Logits, per-layer states and, per layer, the (N, D) input its global attention saw.

        ``attention`` changes nothing: the local convolution has no coefficients, and the
        global ones are recomputed per node from ``global_inputs`` (see explain.attention).
        """
        self.check_size(data.num_nodes)
        pe = data.get(self.pe_attr)
        if pe is None:
            raise ValueError(f"data has no {self.pe_attr}: call model.prepare(data) first")
        if self.encoding == "lap" and self.training:
            pe = random_sign_flip(pe)
        p = self.config.dropout
        x = F.dropout(data.x, p, self.training)
        h = torch.cat([self.embed(x), self.pe_embed(self.pe_norm(pe))], dim=-1)
        if self.edge_dim and data.get("edge_attr") is None:
            raise ValueError("the model was configured with edge_dim, but data has no edge_attr")
        kwargs = {"edge_attr": data.edge_attr} if self.edge_dim else {}
        hidden, global_inputs = [h], []
        for layer in self.layers:
            global_inputs.append(h)
            h = layer(h, data.edge_index, **kwargs)
            hidden.append(h)
        logits = self.head(F.dropout(h, p, self.training))
        return ModelOutput(logits=logits, hidden=hidden, global_inputs=global_inputs)

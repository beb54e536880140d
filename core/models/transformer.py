"""Graph Transformer after Dwivedi & Bresson, "A Generalization of Transformer Networks to Graphs" (2021).

Each layer: multi-head scaled dot-product attention over the graph's neighbors (and the node
itself, so every node has something to attend to), an output projection, a residual and batch
norm, then a two-layer feed-forward network with its own residual and batch norm. Laplacian
eigenvectors (``data.lap_pe``, added by :meth:`GraphTransformer.prepare`) are embedded and added
to the input embedding; their signs are flipped at random in every training step, since an
eigenvector's sign is arbitrary. Cost is linear in the number of edges: it runs on 100k-node
graphs on a CPU (the encodings take the longest, once per graph).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import TransformerConv
from torch_geometric.utils import add_self_loops, remove_self_loops

from nodescope.core.models.base import LayerAttention, ModelOutput, NodeModel
from nodescope.core.models.encodings import laplacian_pe, random_sign_flip
from nodescope.core.models.registry import ModelConfig, register

#: The Graph Transformer's ``norm`` option: a width -> the normalization after each residual.
NORMS: dict[str, Callable[[int], nn.Module]] = {
    "batch": nn.BatchNorm1d,
    "layer": nn.LayerNorm,
    "none": lambda _: nn.Identity(),
}


def with_self_loops(data: Data, *, edge_features: bool) -> tuple[Tensor, Tensor | None]:
    """``data.edge_index`` with exactly one self-loop per node, and the matching edge features.

    The edge features are ``data.edge_attr`` with a row per self-loop (the mean feature of the
    node's incoming edges) when ``edge_features``, else None.
    """
    edge_attr = data.get("edge_attr") if edge_features else None
    if edge_features and edge_attr is None:
        raise ValueError("the model was configured with edge_dim, but data has no edge_attr")
    edge_index, edge_attr = remove_self_loops(data.edge_index, edge_attr)
    return add_self_loops(edge_index, edge_attr, fill_value="mean", num_nodes=data.num_nodes)


@register(
    "graph-transformer",
    title="Graph Transformer",
    attention="local",
    reference="Dwivedi & Bresson, AAAI DLG workshop 2021",
    # Published: 10 layers, 64-80 wide, 8 heads, no dropout (ZINC/SBM). Cora-size node
    # classification on a CPU: 2 layers, and GAT-like dropout and more weight decay against
    # overfitting 140 labels (Cora public split, 3 seeds: 67-70 % test accuracy; the citation
    # graphs' recipe in core/recipes.py turns batch norm off and takes GAT's weight decay).
    defaults={"hidden": 64, "layers": 2, "heads": 8, "dropout": 0.6},
    options={
        "pe_dim": 8,
        "attn_dropout": 0.6,
        "edge_dim": None,
        "norm": "batch",
        "residual": True,
        "ffn": True,
    },
    training={"lr": 0.005, "weight_decay": 5e-3},
)
class GraphTransformer(NodeModel):
    """Graph Transformer (sparse attention over neighbors) with Laplacian positional encodings.

    Config: ``hidden`` is the model width D (split over ``heads``, so it must divide by it);
    options ``pe_dim`` (Laplacian eigenvectors k), ``attn_dropout`` (dropout on attention
    coefficients), ``edge_dim`` (width of ``data.edge_attr`` to use in attention; None: ignore
    edge features), ``norm`` (after each residual: "batch" as published, "layer", or "none"),
    ``residual`` (add the attention's output to the node's state, as published; False: the
    state is replaced by the attention over the neighbors and the node itself, as in GAT),
    ``ffn`` (the feed-forward block after each attention, as published; False: an ELU instead,
    as in GAT).
    """

    takes_input_encoding = True

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        d, heads = config.hidden, config.heads
        if d % heads:
            raise ValueError(f"hidden width {d} must be a multiple of heads {heads}")
        self.pe_dim = int(config.option("pe_dim"))
        self.residual = bool(config.option("residual"))
        edge_dim = config.option("edge_dim")
        self.embed = nn.Linear(self.in_width, d)
        self.pe_embed = nn.Linear(self.pe_dim, d)
        self.convs = nn.ModuleList(
            TransformerConv(
                d,
                d // heads,
                heads=heads,
                dropout=float(config.option("attn_dropout")),
                edge_dim=edge_dim,
                root_weight=False,  # the node's own state enters through its self-loop and the residual
            )
            for _ in range(config.layers)
        )
        self.out_proj = nn.ModuleList(nn.Linear(d, d) for _ in range(config.layers))
        norm = str(config.option("norm"))
        if norm not in NORMS:
            raise ValueError(f"unknown norm {norm!r}; known: {', '.join(NORMS)}")
        self.norm_attn = nn.ModuleList(NORMS[norm](d) for _ in range(config.layers))
        n_ffn = config.layers if config.option("ffn") else 0
        self.ffn = nn.ModuleList(
            nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d)) for _ in range(n_ffn)
        )
        self.norm_ffn = nn.ModuleList(NORMS[norm](d) for _ in range(n_ffn))
        self.head = nn.Linear(d, config.out_dim)

    def prepare(self, data: Data) -> Data:
        """``data`` with ``lap_pe`` (N, pe_dim); kept when it is already there with that shape."""
        data = super().prepare(data)
        lap_pe = data.get("lap_pe")
        if lap_pe is not None and tuple(lap_pe.shape) == (data.num_nodes, self.pe_dim):
            return data
        out = copy.copy(data)
        out.lap_pe = laplacian_pe(data.edge_index, data.num_nodes, self.pe_dim).to(data.edge_index.device)
        return out

    def attention_modules(self) -> list[nn.Module]:
        """The ``TransformerConv`` layers, in order."""
        return list(self.convs)

    def forward(self, data: Data, *, attention: bool = False) -> ModelOutput:
        """One forward pass (see :meth:`NodeModel.forward`).

        Raises:
            ValueError: ``data`` has no ``lap_pe`` (call :meth:`prepare` first).
        """
        if data.get("lap_pe") is None:
            raise ValueError("data has no lap_pe: call model.prepare(data) first")
        p = self.config.dropout
        pe = random_sign_flip(data.lap_pe) if self.training else data.lap_pe
        h = self.embed(F.dropout(data.x, p, self.training)) + self.pe_embed(pe)
        edge_index, edge_attr = with_self_loops(data, edge_features=bool(self.config.option("edge_dim")))
        hidden, maps = [h], []
        for i, (conv, proj, norm_attn) in enumerate(
            zip(self.convs, self.out_proj, self.norm_attn, strict=True)
        ):
            if attention:
                a, (ei, alpha) = conv(h, edge_index, edge_attr, return_attention_weights=True)
                maps.append(LayerAttention(ei, alpha))
            else:
                a = conv(h, edge_index, edge_attr)
            a = F.dropout(proj(a), p, self.training)
            h = norm_attn(h + a if self.residual else a)
            # The feed-forward block, or without it GAT's nonlinearity between attention layers.
            h = self.norm_ffn[i](h + F.dropout(self.ffn[i](h), p, self.training)) if self.ffn else F.elu(h)
            hidden.append(h)
        logits = self.head(F.dropout(h, p, self.training))
        return ModelOutput(logits=logits, hidden=hidden, attention=maps)

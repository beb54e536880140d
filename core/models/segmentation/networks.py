"""Mesh segmenters on the dual graph of faces: a GATv2 attention network (PD-MeshNet-style) and a plain GCN.

After Milano et al., "Primal-Dual Mesh Convolutional Neural Networks" (NeurIPS 2020): the
faces of a mesh are the nodes of its dual graph, joined across shared sides, and a face's new
state is an attention-weighted mix of its neighbors'. Here the primal half (edge pooling) is
left out: both networks are

    ``h⁰ = W_in·norm(x)``,  ``hˡ⁺¹ = LN(hˡ + dropout(GELU(conv(hˡ))))``,  ``logits = W_out·h^L``

on the :class:`~core.segmentation.dual.DualGraph`, with ``conv``:

- ``dual-gat``: PyG's ``GATv2Conv`` (Brody et al. 2022), ``heads`` heads concatenated, the
  signed dihedral angle across the shared side as its edge feature; self-loops added (a face
  attends to itself and to the faces across its sides, nothing else). Its attention is
  returned per layer.
- ``dual-gcn``: PyG's ``GCNConv`` (symmetric normalization, self-loops), no edge features;
  wider (:data:`~core.models.segmentation.DEFAULT_CONFIGS`) for about the same parameter count.

Shapes:
    forward: x (T, F) face features, edge_index (2, E), edge_attr (E, 1) ->
    :class:`SegmenterOutput` with logits (T, C).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch_geometric.nn import GATv2Conv, GCNConv

from nodescope.core.models.mesh.normalize import Normalizer
from nodescope.core.segmentation.dual import FEATURE_NAMES
from nodescope.core.segmentation.parts import PART_NAMES


@dataclass(frozen=True)
class SegmenterConfig:
    """What rebuilds a segmenter's architecture.

    Attributes:
        model: ``dual-gat`` or ``dual-gcn``.
        hidden: width of the face embeddings.
        layers: graph convolutions.
        heads: attention heads (``dual-gat``; ``hidden`` is split between them).
        dropout: dropout after each convolution, in training.
        features: input features per face (:data:`~core.segmentation.dual.FEATURE_NAMES`).
        classes: part labels (:data:`~core.segmentation.parts.PART_NAMES`).
    """

    model: str
    hidden: int = 64
    layers: int = 4
    heads: int = 4
    dropout: float = 0.1
    features: int = len(FEATURE_NAMES)
    classes: int = len(PART_NAMES)

    def to_dict(self) -> dict[str, Any]:
        """The config as a JSON-serializable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SegmenterConfig:
        """Rebuild from :meth:`to_dict`'s output; unknown keys are a ``ValueError``."""
        extra = set(raw) - set(cls.__dataclass_fields__)
        if extra:
            raise ValueError(f"unknown segmenter config keys: {', '.join(sorted(extra))}")
        return cls(**raw)


@dataclass
class SegmenterOutput:
    """What a segmenter returns.

    Attributes:
        logits: (T, C) part scores per face.
        hidden: per layer, (T, hidden) face embeddings; entry 0 is the input projection.
        attention: per layer, ``(edge_index (2, E'), α (E', heads))`` with ``E'`` the dual edges
            plus one self-loop per face; α sums to 1 over the edges into each face, per head.
            Empty for the GCN and unless asked for.
    """

    logits: Tensor
    hidden: list[Tensor] = field(default_factory=list)
    attention: list[tuple[Tensor, Tensor]] = field(default_factory=list)


class Segmenter(nn.Module):
    """Input normalization and projection, residual convolution blocks, a linear classifier."""

    def __init__(self, config: SegmenterConfig) -> None:
        super().__init__()
        if config.model not in ("dual-gat", "dual-gcn"):
            raise ValueError(f"unknown segmenter {config.model!r}; choose dual-gat or dual-gcn")
        if config.model == "dual-gat" and config.hidden % config.heads:
            raise ValueError(f"hidden ({config.hidden}) must be a multiple of heads ({config.heads})")
        self.config = config
        hidden = config.hidden
        self.norm_in = Normalizer(config.features)
        self.encoder = nn.Linear(config.features, hidden)
        if config.model == "dual-gat":
            convs = [
                GATv2Conv(hidden, hidden // config.heads, heads=config.heads, edge_dim=1)
                for _ in range(config.layers)
            ]
        else:
            convs = [GCNConv(hidden, hidden) for _ in range(config.layers)]
        self.convs = nn.ModuleList(convs)
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(config.layers))
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(hidden, config.classes)

    def forward(
        self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, *, attention: bool = False
    ) -> SegmenterOutput:
        """Part logits of every face (see the module docstring for shapes)."""
        h = self.encoder(self.norm_in(x))
        hidden, weights = [h], []
        for conv, norm in zip(self.convs, self.norms, strict=True):
            if self.config.model == "dual-gat":
                update, (edges, alpha) = conv(h, edge_index, edge_attr, return_attention_weights=True)
                if attention:
                    weights.append((edges, alpha.detach()))
            else:
                update = conv(h, edge_index)
            h = norm(h + self.dropout(nn.functional.gelu(update)))
            hidden.append(h)
        return SegmenterOutput(self.classifier(h), hidden, weights)

    def num_parameters(self) -> int:
        """Trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    @torch.no_grad()
    def predict(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor) -> Tensor:
        """(T,) int64 most likely part of each face (eval mode)."""
        return self.eval()(x, edge_index, edge_attr).logits.argmax(dim=1)

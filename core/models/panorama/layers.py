"""Layers of the spherical U-Net: GATv2 over icosphere neighbor tables, blocks, cross-task attention.

:class:`TableGATv2` is PyG's ``GATv2Conv`` (Brody et al. 2022, "How attentive are graph
attention networks?") with edge features, computed on a dense (V, 7) neighbor table
(:mod:`core.models.panorama.graph`)::

    e_ij = a . LeakyReLU(W_l x_j + W_r x_i + W_e f_ij)      alpha_ij = softmax_j(e_ij)
    x_i' = sum_j alpha_ij W_l x_j + b

over the vertex itself and its mesh neighbors ``j``, per head. Its parameters have
``GATv2Conv``'s names and shapes (``lin_l``, ``lin_r``, ``lin_edge``, ``att``, ``bias``), and a
test checks that both give the same output with the same weights.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nodescope.core.models.panorama.graph import EDGE_DIM, neighbor_table


class TableGATv2(nn.Module):
    """GATv2 on an icosphere level's neighbor table (see the module docstring).

    Args:
        in_dim: input channels.
        out_dim: channels per head.
        heads: attention heads; the output has ``heads * out_dim`` channels (concatenated).
        negative_slope: slope of the LeakyReLU inside the attention.
    """

    def __init__(self, in_dim: int, out_dim: int, heads: int, negative_slope: float = 0.2) -> None:
        super().__init__()
        self.heads, self.out_dim, self.negative_slope = heads, out_dim, negative_slope
        self.lin_l = nn.Linear(in_dim, heads * out_dim)
        self.lin_r = nn.Linear(in_dim, heads * out_dim)
        self.lin_edge = nn.Linear(EDGE_DIM, heads * out_dim, bias=False)
        self.att = nn.Parameter(torch.empty(1, heads, out_dim))
        self.bias = nn.Parameter(torch.zeros(heads * out_dim))
        nn.init.xavier_uniform_(self.lin_l.weight)
        nn.init.xavier_uniform_(self.lin_r.weight)
        nn.init.xavier_uniform_(self.lin_edge.weight)
        nn.init.zeros_(self.lin_l.bias)
        nn.init.zeros_(self.lin_r.bias)
        nn.init.xavier_uniform_(self.att)

    def forward(self, x: torch.Tensor, level: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend over each vertex's neighbors.

        Args:
            x: (V, B, in_dim) features of ``B`` panoramas on icosphere ``level``.
            level: the fsaverage level (V = ``10 * 4**level + 2``).

        Returns:
            ``(out, alpha)``: (V, B, heads * out_dim) and (V, 7, B, heads) attention weights
            over the neighbor table's slots (0 on padded slots; each vertex's weights sum to 1).
        """
        v, b, _ = x.shape
        h, c = self.heads, self.out_dim
        table = neighbor_table(level, x.device)
        xl = self.lin_l(x).view(v, b, h, c)
        xr = self.lin_r(x).view(v, 1, b, h, c)
        neighbors = xl[table.index]  # (V, 7, B, H, C)
        edge = self.lin_edge(table.attr).view(v, -1, 1, h, c)
        e = nn.functional.leaky_relu(neighbors + xr + edge, self.negative_slope)
        score = (e * self.att.view(1, 1, 1, h, c)).sum(-1)  # (V, 7, B, H)
        score = score.masked_fill(~table.mask[:, :, None, None], float("-inf"))
        alpha = score.softmax(dim=1)
        out = (alpha[..., None] * neighbors).sum(dim=1).reshape(v, b, h * c) + self.bias
        return out, alpha


class GraphBlock(nn.Module):
    """:class:`TableGATv2` + residual + layer norm + ELU at one icosphere level.

    Args:
        in_dim: input channels.
        out_dim: output channels (split between ``heads``).
        heads: attention heads.
    """

    def __init__(self, in_dim: int, out_dim: int, heads: int) -> None:
        super().__init__()
        self.conv = TableGATv2(in_dim, out_dim // heads, heads)
        self.skip = nn.Linear(in_dim, out_dim) if in_dim != out_dim else nn.Identity()
        self.norm = nn.LayerNorm(out_dim)

    def forward(
        self, x: torch.Tensor, level: int, attention: list[dict[str, Any]] | None = None, name: str = ""
    ) -> torch.Tensor:
        """(V, B, out_dim) features from (V, B, in_dim) on icosphere ``level``.

        When ``attention`` is a list, ``{"name", "level", "alpha"}`` is appended, ``alpha`` the
        (V, 7, B, heads) weights over the level's neighbor table (detached).
        """
        out, alpha = self.conv(x, level)
        if attention is not None:
            attention.append({"name": name, "level": level, "alpha": alpha.detach()})
        return nn.functional.elu(self.norm(out + self.skip(x)))


class CrossTaskAttention(nn.Module):
    """Per vertex, the task features attend to each other (tokens = tasks), residual + layer norm.

    Args:
        width: channels of every task's features.
        heads: attention heads (``width`` is split between them).
    """

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        """Task features, each (V, B, width), in and out (same order)."""
        tokens = torch.stack(feats, dim=2)  # (V, B, T, C)
        v, b, t, c = tokens.shape
        q, k, val = self.qkv(tokens).view(v, b, t, 3, self.heads, c // self.heads).unbind(dim=3)
        weights = (torch.einsum("vbthd,vbshd->vbhts", q, k) * (c // self.heads) ** -0.5).softmax(dim=-1)
        mixed = torch.einsum("vbhts,vbshd->vbthd", weights, val).reshape(v, b, t, c)
        out = self.norm(tokens + self.out(mixed))
        return list(out.unbind(dim=2))

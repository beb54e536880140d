"""A SemGCN-style lifting network: semantic graph convolutions on the bone graph, plus non-local.

After Zhao et al., "Semantic Graph Convolutional Networks for 3D Human Pose Regression"
(CVPR 2019) and its reference code (``garyzhao/SemGCN``, ``SemGraphConv``, ``SemGCN``):

- **semantic graph convolution** (:class:`SemGraphConv`):
  ``h'_i = softmax_j(e_ij) W0 h_i [j = i] + sum_{j != i} softmax_j(e_ij) W1 h_j + b`` where the
  softmax runs over ``i``'s neighbors on the bone graph with self-loops (``A + I``) and the
  logits ``e`` are learned, one per edge, initialized to 1 (so training starts from the uniform
  mean over the neighbors, a plain GCN's weights);
- an input convolution (2 -> ``hidden``), ``layers`` residual blocks of two convolutions (each
  with batch norm and ReLU), a **non-local** block (embedded Gaussian over all joints, its output
  batch norm initialized to zero) after every block, and an output convolution (``hidden`` -> 3).

Departs from the paper: the canonical, scale-free input of :mod:`~core.models.lifting.normalize`;
the non-local block attends over the joints in their own order (the reference code regroups them
first, which changes nothing for a full attention); widths sized for a CPU.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.skeleton.joints import NUM_JOINTS, edge_index


def bone_adjacency() -> Tensor:
    """(17, 17) float 0/1 bone graph with self-loops, ``A + I``."""
    adj = torch.eye(NUM_JOINTS)
    src, dst = torch.as_tensor(edge_index())
    adj[src, dst] = 1.0
    return adj


class SemGraphConv(nn.Module):
    """Semantic graph convolution (see the module docstring).

    Shapes:
        forward: (B, 17, in_dim) -> (B, 17, out_dim).
    """

    def __init__(self, in_dim: int, out_dim: int) -> None:
        """Weights ``W0`` (self) and ``W1`` (neighbors), a bias, and one logit per edge of ``A + I``."""
        super().__init__()
        self.weight = nn.Parameter(torch.empty(2, in_dim, out_dim))
        nn.init.xavier_uniform_(self.weight, gain=1.414)
        self.bias = nn.Parameter(
            torch.empty(out_dim).uniform_(-1 / math.sqrt(out_dim), 1 / math.sqrt(out_dim))
        )
        self.register_buffer("mask", bone_adjacency() > 0, persistent=False)
        self.logits = nn.Parameter(torch.ones(int(self.mask.sum())))

    def adjacency(self) -> Tensor:
        """(17, 17) learned weights: row ``i`` is a softmax over ``i``'s neighbors and itself."""
        scores = torch.full((NUM_JOINTS, NUM_JOINTS), -torch.inf, device=self.logits.device)
        scores = scores.masked_scatter(self.mask, self.logits)
        return torch.softmax(scores, dim=1)

    def forward(self, h: Tensor) -> Tensor:
        """(B, 17, out_dim) from (B, 17, in_dim)."""
        adj = self.adjacency()
        eye = torch.eye(NUM_JOINTS, device=h.device)
        self_part = torch.diagonal(adj)[:, None] * (h @ self.weight[0])
        return self_part + torch.einsum("ij,bjd->bid", adj * (1 - eye), h @ self.weight[1]) + self.bias


def _joint_norm(norm: nn.BatchNorm1d, h: Tensor) -> Tensor:
    """Batch norm of (B, 17, D) per channel over poses and joints (as over (B, D, 17), without copies)."""
    return norm(h.reshape(-1, h.shape[-1])).view_as(h)


class _ConvBN(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, dropout: float) -> None:
        super().__init__()
        self.conv = SemGraphConv(in_dim, out_dim)
        self.norm = nn.BatchNorm1d(out_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: Tensor) -> Tensor:
        return self.dropout(F.relu(_joint_norm(self.norm, self.conv(h))))


class NonLocal(nn.Module):
    """Embedded-Gaussian non-local block over the joints, residual, zero-initialized output.

    Shapes:
        forward: (B, 17, D) -> (B, 17, D).
    """

    def __init__(self, dim: int) -> None:
        """Projections to ``dim // 2`` and back, with a batch norm whose scale starts at 0."""
        super().__init__()
        inner = max(dim // 2, 1)
        self.theta, self.phi, self.g = (nn.Linear(dim, inner) for _ in range(3))
        self.out = nn.Linear(inner, dim)
        self.norm = nn.BatchNorm1d(dim)
        nn.init.zeros_(self.norm.weight)

    def forward(self, h: Tensor) -> Tensor:
        """(B, 17, D) ``h`` plus the attended message."""
        attn = torch.softmax(self.theta(h) @ self.phi(h).transpose(1, 2), dim=-1)
        y = self.out(attn @ self.g(h))
        return h + _joint_norm(self.norm, y)


class SemGCNLifter(Lifter):
    """SemGCN on the 17-joint bone graph (see the module docstring).

    Shapes:
        lift: (B, 17, 2) normalized keypoints -> (B, 17, 3) metres.
    """

    key = "gcn"

    def __init__(self, config: LifterConfig) -> None:
        """Input convolution, ``config.layers`` residual blocks with non-local blocks, output convolution."""
        super().__init__(config)
        w, p = config.hidden, config.dropout
        self.inp = _ConvBN(2, w, p)
        self.blocks = nn.ModuleList(
            nn.Sequential(_ConvBN(w, w, p), _ConvBN(w, w, p)) for _ in range(config.layers)
        )
        self.non_local = nn.ModuleList(NonLocal(w) for _ in range(config.layers))
        self.out = SemGraphConv(w, 3)

    def lift(self, x: Tensor) -> Tensor:
        """(B, 17, 3) canonical joints, metres, from (B, 17, 2) normalized keypoints."""
        h = self.inp(x)
        for block, non_local in zip(self.blocks, self.non_local, strict=True):
            h = non_local(h + block(h))
        return self.out(h)

    def convolutions(self) -> list[SemGraphConv]:
        """Every semantic graph convolution, input to output."""
        return [m for m in self.modules() if isinstance(m, SemGraphConv)]

    @torch.no_grad()
    def adjacency_weights(self) -> dict[str, np.ndarray]:
        """The graph weights the GCN uses, for display beside HopFIR's attention.

        Returns:
            float32 arrays: ``fixed`` (17, 17), the un-learned starting point, a uniform mean over each joint's
            neighbors and itself (row-normalized ``A + I``; what a plain GCN averages with);
            ``learned`` (L, 17, 17): each convolution's learned softmax weights, input to
            output; row ``i`` holds what joint ``i`` takes from each joint (sums to 1).
        """
        adj = bone_adjacency()
        return {
            "fixed": (adj / adj.sum(1, keepdim=True)).numpy(),
            "learned": torch.stack([c.adjacency().cpu() for c in self.convolutions()]).numpy(),
        }

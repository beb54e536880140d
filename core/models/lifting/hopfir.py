"""HopFIR-style lifting: hop-wise grouped attention, fusion across hops, limb-aware attention.

After Zhai et al., "HopFIR: Hop-wise GraphFormer with Intragroup Joint Refinement for 3D Human
Pose Estimation" (ICCV 2023), as issue 15 summarizes it. Each joint is a token
(its normalized 2D keypoint, linearly embedded, plus a learned joint embedding). Every layer:

1. **Hop-wise grouping and intra-group attention** (:class:`HopAttention`): for joint ``i`` the
   other joints are grouped by their hop distance on the bone graph
   (:func:`core.skeleton.joints.hop_matrix`, hops 1..8 on the 17 joints); multi-head dot-product
   attention runs *within each group*: ``a^k_ij = softmax_{j: hop(i, j) = k}(q_i . k_j / sqrt(d))``,
   giving one message per hop ``m^k_i = sum_j a^k_ij v_j``.
2. **Fusion across hops**: ``m_i = sum_k w_ik m^k_i`` with learned weights per head and joint,
   ``w_i = softmax_k(logit_ik)`` over the hops at which joint ``i`` has joints (zero-initialized
   logits: every hop starts equal; a hop group's weight is what the whole group gets, unlike a
   single attention over all joints, where 1-hop neighbors would compete with the many far ones).
3. **Limb-aware attention** (:class:`LimbAttention`): attention restricted to joints that move
   together: the joints of the same limb (torso, each leg, each arm) and of the opposite limb of
   the other girdle (left arm with right leg, right arm with left leg: they swing together in gait),
   the paper's prior of limb groups for refining the peripheral joints.
4. A feed-forward layer; pre-layer-norm residuals around 1, 3 and 4 (2 is part of 1).

A linear head gives each joint's 3D position.

Departs from the paper: the paper's hop-wise GraphFormer first aggregates each hop group into a
group token with a GCN and attends between joints and group tokens, and its Intragroup Joint
Refinement is a separate stage after the graph network; here grouping, attention, fusion and
refinement are one transformer layer repeated, which keeps every weight displayable (the
attention per hop group and the fusion weights per joint, :meth:`HopFIRLifter.attention`). The
limb pairing across girdles is our choice. Dense torch attention over 17 tokens (no sparse
PyG message passing: every joint is some hop from every other). Input is the canonical,
scale-free 2D of :mod:`~core.models.lifting.normalize`; widths sized for a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from nodescope.core.models.lifting.base import Lifter, LifterConfig
from nodescope.core.models.lifting.normalize import normalize_keypoints
from nodescope.core.skeleton.joints import NUM_JOINTS, hop_matrix

#: The five limbs, as joint indices (Human3.6M order).
LIMBS: dict[str, tuple[int, ...]] = {
    "torso": (0, 7, 8, 9, 10),
    "right leg": (1, 2, 3),
    "left leg": (4, 5, 6),
    "left arm": (11, 12, 13),
    "right arm": (14, 15, 16),
}
#: Limbs that move together besides a limb itself (contralateral arm and leg in gait).
MOVES_WITH: dict[str, str] = {
    "right leg": "left arm",
    "left arm": "right leg",
    "left leg": "right arm",
    "right arm": "left leg",
}


def hop_masks() -> Tensor:
    """(K, 17, 17) bool: ``[k - 1, i, j]`` is True where joint ``j`` is ``k`` hops from ``i`` (K = 8)."""
    hops = torch.as_tensor(hop_matrix())
    return torch.stack([hops == k for k in range(1, int(hops.max()) + 1)])


def limb_mask() -> Tensor:
    """(17, 17) bool: ``[i, j]`` True where ``j`` is in ``i``'s limb or the limb moving with it."""
    limb_of = {j: name for name, joints in LIMBS.items() for j in joints}
    mask = torch.zeros(NUM_JOINTS, NUM_JOINTS, dtype=torch.bool)
    for i in range(NUM_JOINTS):
        mine = limb_of[i]
        for name in (mine, MOVES_WITH.get(mine)):
            if name is not None:
                mask[i, list(LIMBS[name])] = True
    return mask


def _masked_softmax(scores: Tensor, mask: Tensor) -> Tensor:
    """Softmax over the last axis restricted to ``mask``; rows with nothing allowed are 0."""
    scores = scores.masked_fill(~mask, -torch.inf)
    out = torch.softmax(scores, dim=-1)
    return torch.nan_to_num(out, nan=0.0)


class _Heads(nn.Module):
    """Query, key, value and output projections of multi-head attention."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"width {dim} is not divisible by {heads} heads")
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def split(self, h: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        b, n, _ = h.shape
        q, k, v = self.qkv(h).view(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        return q, k, v  # (B, H, 17, dh) each

    def merge(self, m: Tensor) -> Tensor:
        b, _, n, _ = m.shape
        return self.out(m.transpose(1, 2).reshape(b, n, -1))


class HopAttention(_Heads):
    """Attention within each hop group, fused across hops with learned weights.

    The hop groups partition the other joints, so the fused attention is one (17, 17) matrix per
    head, ``E_ij = w_{i, hop(i, j)} a^{hop(i, j)}_ij``; it is computed so, without a tensor per hop.

    Shapes:
        forward: (B, 17, D) -> (B, 17, D), the within-group attention (B, H, 17, 17) (each hop
        group of a row sums to 1; split it by :func:`hop_masks`) and the fusion weights (H, 17, K).
    """

    def __init__(self, dim: int, heads: int) -> None:
        """Projections, the hop groups and zero fusion logits (every hop equal at the start)."""
        super().__init__(dim, heads)
        masks = hop_masks()
        hops = masks.shape[0]
        group = torch.full((NUM_JOINTS, NUM_JOINTS), hops, dtype=torch.long)  # the diagonal: no group
        for k in range(hops):
            group[masks[k]] = k
        self.register_buffer("group", group, persistent=False)
        self.register_buffer("has_hop", masks.any(-1).T, persistent=False)  # (17, K)
        self.fusion_logits = nn.Parameter(torch.zeros(heads, NUM_JOINTS, hops))

    def fusion(self) -> Tensor:
        """(H, 17, K) weights of each hop per head and joint; 0 where the joint has no joint at that hop."""
        return _masked_softmax(self.fusion_logits, self.has_hop.expand_as(self.fusion_logits))

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The fused message, the within-group attention and the fusion weights."""
        q, k, v = self.split(h)
        scores = (q @ k.transpose(-1, -2)) / self.head_dim**0.5  # (B, H, 17, 17)
        off_diagonal = self.group < self.has_hop.shape[1]
        exps = torch.exp(scores - scores.amax(-1, keepdim=True)) * off_diagonal
        index = self.group.expand_as(exps)
        sums = exps.new_zeros(*exps.shape[:-1], self.has_hop.shape[1] + 1).scatter_add_(-1, index, exps)
        within = exps / sums.gather(-1, index).clamp_min(1e-30)  # softmax within each hop group
        fusion = self.fusion()
        weights = torch.cat([fusion, fusion.new_zeros(*fusion.shape[:-1], 1)], -1)  # (H, 17, K + 1)
        mixed = within * weights.gather(-1, self.group.expand(fusion.shape[0], -1, -1))
        return self.merge(mixed @ v), within, fusion


class LimbAttention(_Heads):
    """Attention over the joints that move together (:func:`limb_mask`).

    Shapes:
        forward: (B, 17, D) -> (B, 17, D) and the attention (B, H, 17, 17).
    """

    def __init__(self, dim: int, heads: int) -> None:
        """Projections and the limb mask."""
        super().__init__(dim, heads)
        self.register_buffer("mask", limb_mask(), persistent=False)

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        """The message and the attention."""
        q, k, v = self.split(h)
        attn = _masked_softmax((q @ k.transpose(-1, -2)) / self.head_dim**0.5, self.mask)
        return self.merge(attn @ v), attn


class HopFIRLayer(nn.Module):
    """Hop-wise attention and fusion, limb-aware attention, feed-forward (pre-norm residuals)."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        """Sub-layers of width ``dim`` with ``heads`` heads; feed-forward width ``2 dim``."""
        super().__init__()
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(3))
        self.hop = HopAttention(dim, heads)
        self.limb = LimbAttention(dim, heads)
        self.ffn = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """(B, 17, D) and the layer's attention (``hop`` within groups, ``fusion``, ``limb``)."""
        m, hop, fusion = self.hop(self.norms[0](h))
        h = h + self.dropout(m)
        m, limb = self.limb(self.norms[1](h))
        h = h + self.dropout(m)
        h = h + self.dropout(self.ffn(self.norms[2](h)))
        return h, {"hop": hop, "fusion": fusion, "limb": limb}


@dataclass(frozen=True)
class HopFIRAttention:
    """One HopFIR layer's attention for a batch of poses (numpy, for display).

    Attributes:
        hop: (B, H, K, 17, 17) ``hop[b, h, k - 1, i, j]``: how much joint ``i`` attends to ``j``
            within its hop-``k`` group (each non-empty group's row sums to 1; 0 outside it).
        fusion: (H, 17, K) the weight of each hop group per head and joint (sums to 1 over
            the hops where the joint has joints; 0 elsewhere).
        limb: (B, H, 17, 17) limb-aware attention (rows sum to 1 over :func:`limb_mask`).
    """

    hop: np.ndarray
    fusion: np.ndarray
    limb: np.ndarray

    def effective(self) -> np.ndarray:
        """(B, H, 17, 17) the hop-wise attention after fusion: ``sum_k fusion[h, i, k] hop[b, h, k, i, j]``."""
        return np.einsum("bhkij,hik->bhij", self.hop, self.fusion)


class HopFIRLifter(Lifter):
    """HopFIR-style lifting network (see the module docstring).

    Shapes:
        lift: (B, 17, 2) normalized keypoints -> (B, 17, 3) metres.
    """

    key = "hopfir"

    def __init__(self, config: LifterConfig) -> None:
        """Embedding, ``config.layers`` HopFIR layers of width ``config.hidden``, the head."""
        super().__init__(config)
        d = config.hidden
        self.embed = nn.Linear(2, d)
        self.joint_embedding = nn.Parameter(torch.randn(NUM_JOINTS, d) * 0.02)
        self.layers = nn.ModuleList(
            HopFIRLayer(d, config.heads, config.dropout) for _ in range(config.layers)
        )
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 3)

    def _run(self, x: Tensor) -> tuple[Tensor, list[dict[str, Tensor]]]:
        h = self.embed(x) + self.joint_embedding
        maps = []
        for layer in self.layers:
            h, attn = layer(h)
            maps.append(attn)
        return self.head(self.norm(h)), maps

    def lift(self, x: Tensor) -> Tensor:
        """(B, 17, 3) canonical joints, metres, from (B, 17, 2) normalized keypoints."""
        return self._run(x)[0]

    @torch.no_grad()
    def attention(self, keypoints: Tensor, focal: Tensor, image_size: Tensor) -> list[HopFIRAttention]:
        """Each layer's attention per hop group, fusion weights and limb attention (eval mode).

        Args:
            keypoints: (B, 17, 2) pixels.
            focal: (B,) pixels.
            image_size: (B, 2) (width, height), pixels.

        Returns:
            One :class:`HopFIRAttention` per layer, input to output.
        """
        was = self.training
        self.eval()
        x, _ = normalize_keypoints(keypoints, focal, image_size)
        _, maps = self._run(x)
        self.train(was)
        masks = hop_masks().to(x.device)
        return [
            HopFIRAttention(
                hop=(m["hop"][:, :, None] * masks).cpu().numpy(),
                fusion=m["fusion"].cpu().numpy(),
                limb=m["limb"].cpu().numpy(),
            )
            for m in maps
        ]

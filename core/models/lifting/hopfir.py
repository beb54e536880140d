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
import torch.nn.functional as F
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
#: Largest |attention score| for which the inference path exponentiates scores without
#: subtracting each row's maximum (exp(60) is far from float32's overflow at exp(88)).
SAFE_SCORE = 60.0
#: Poses per chunk on the inference path with one torch thread (its (chunk, H, 17, 17) tensors stay
#: in the CPU's cache); with more threads, :data:`INFER_CHUNK_THREADED` (small chunks cost each
#: op's threads a synchronization: 2 threads on a loaded 2-core machine took twice as long).
INFER_CHUNK = 256
INFER_CHUNK_THREADED = 4096

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
        scale = torch.ones(3 * dim)
        scale[:dim] = self.head_dim**-0.5  # folds 1 / sqrt(d) into the queries (inference path)
        self.register_buffer("qkv_scale", scale, persistent=False)

    def split(self, h: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        b, n, _ = h.shape
        q, k, v = self.qkv(h).view(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        return q, k, v  # (B, H, 17, dh) each

    def merge(self, m: Tensor) -> Tensor:
        b, _, n, _ = m.shape
        return self.out(m.transpose(1, 2).reshape(b, n, -1))

    def scaled_scores(self, h: Tensor) -> tuple[Tensor, Tensor]:
        """(B, H, 17, 17) scores ``q . k / sqrt(d)`` and the values (B H, 17, dh); inference path.

        The projection's rows are reordered head-major, so one transposing copy lays out
        ``(B H, 3, 17, dh)`` and each of q, k, v is a strided batch the matrix products read in place.
        """
        b, n, _ = h.shape
        scale = self.qkv_scale
        weight = (
            (self.qkv.weight * scale[:, None])
            .view(3, self.heads, -1)
            .transpose(0, 1)
            .reshape(scale.shape[0], -1)
        )
        bias = (self.qkv.bias * scale).view(3, self.heads, -1).transpose(0, 1).reshape(-1)
        qkv = F.linear(h, weight, bias).view(b, n, 3 * self.heads, self.head_dim).transpose(1, 2).contiguous()
        q, k, v = qkv.view(b * self.heads, 3, n, self.head_dim).unbind(1)
        return torch.bmm(q, k.transpose(1, 2)).view(b, self.heads, n, n), v


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
        # Inference path: -inf on the diagonal, and (17 * 17, 17 * K) 0/1 summing each row's hop groups.
        self.register_buffer(
            "diagonal_bias", torch.zeros(NUM_JOINTS, NUM_JOINTS).fill_diagonal_(-torch.inf), persistent=False
        )
        self.register_buffer("group_sum", torch.block_diag(*masks.permute(1, 2, 0).float()), persistent=False)
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

    def infer(self, h: Tensor) -> Tensor:
        """The fused message of :meth:`forward` alone, faster (eval; equal to float rounding).

        ``E_ij = w_{i,g} exp(s_ij) / Z_{i,g}`` with ``g = hop(i, j)`` and ``Z_{i,g}`` the sum of
        ``exp(s_ij)`` over the group, the group sums taken by one matrix product, without the
        within-group attention as a tensor. Scores beyond :data:`SAFE_SCORE` take :meth:`forward`.
        """
        scores, v = self.scaled_scores(h)
        if scores.abs().amax() > SAFE_SCORE:
            return self(h)[0]
        b, heads, n, _ = scores.shape
        exps = torch.exp(scores + self.diagonal_bias)
        sums = (exps.view(b, heads, n * n) @ self.group_sum).view(b, heads, n, -1)  # (B, H, 17, K)
        factor = self.fusion() / sums.clamp_min(1e-30)
        index = self.group.clamp_max(factor.shape[-1] - 1).expand_as(exps)  # the diagonal's exps are 0
        mixed = (exps * factor.gather(-1, index)).view(b * heads, n, n)
        return self.merge(torch.bmm(mixed, v).view(b, heads, n, -1))


class LimbAttention(_Heads):
    """Attention over the joints that move together (:func:`limb_mask`).

    Shapes:
        forward: (B, 17, D) -> (B, 17, D) and the attention (B, H, 17, 17).
    """

    def __init__(self, dim: int, heads: int) -> None:
        """Projections and the limb mask."""
        super().__init__(dim, heads)
        self.register_buffer("mask", limb_mask(), persistent=False)
        self.register_buffer(
            "bias", torch.zeros(self.mask.shape).masked_fill(~self.mask, -torch.inf), persistent=False
        )

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        """The message and the attention."""
        q, k, v = self.split(h)
        attn = _masked_softmax((q @ k.transpose(-1, -2)) / self.head_dim**0.5, self.mask)
        return self.merge(attn @ v), attn

    def infer(self, h: Tensor) -> Tensor:
        """The message of :meth:`forward` alone, faster (eval; equal to float rounding).

        PyTorch's fused attention with the limb mask as an additive ``-inf`` bias (every joint has
        joints to attend to, so no row is empty), on strided views of the projection (no copies).
        """
        b, n, _ = h.shape
        q, k, v = self.qkv(h).view(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        return self.merge(F.scaled_dot_product_attention(q, k, v, attn_mask=self.bias))


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

    def infer(self, h: Tensor) -> Tensor:
        """:meth:`forward`'s output in eval mode, by the sub-layers' inference paths."""
        h = h + self.hop.infer(self.norms[0](h))
        h = h + self.limb.infer(self.norms[1](h))
        return h + self.ffn(self.norms[2](h))


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
    #: Eval mode lifts by the layers' ``infer`` paths; False runs their ``forward`` (the reference).
    fast_inference: bool = True

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
        """(B, 17, 3) canonical joints, metres, from (B, 17, 2) normalized keypoints.

        Training runs the layers' ``forward``; eval mode their faster ``infer`` (same function,
        equal to float rounding; issue 15's speed target), :data:`INFER_CHUNK` poses at a time,
        unless :attr:`fast_inference` is False.
        """
        if self.training or not self.fast_inference:
            return self._run(x)[0]
        if not len(x):
            return x.new_zeros((0, NUM_JOINTS, 3))
        chunk = INFER_CHUNK if torch.get_num_threads() == 1 else INFER_CHUNK_THREADED
        return torch.cat([self._infer(part) for part in x.split(chunk)])

    def _infer(self, x: Tensor) -> Tensor:
        h = self.embed(x) + self.joint_embedding
        for layer in self.layers:
            h = layer.infer(h)
        return self.head(self.norm(h))

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

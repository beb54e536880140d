"""A multi-task spherical U-Net on the icosphere: depth, class, layout, layout depth and normals.

After SUGAR's spherical graph-attention U-Net and MTPano's multi-task design (shared encoder,
one decoder per task, cross-task interaction):

- **Input**, per vertex of fsaverage icosphere ``level`` (:func:`core.geometry.fsaverage.icosphere_level`):
  the color (r, g, b in [0, 1], mapped to [-1, 1]) and the vertex direction's z (sine of the
  latitude), never its x or y, so the network does not know longitude.
- **Encoder**: per level from ``level`` down to ``min_level`` a GATv2 block (residual, layer
  norm, ELU; :mod:`core.models.panorama.layers`, on the icosphere's neighbor tables); between levels :func:`~core.geometry.fsaverage.pool` (each coarse vertex keeps the
  mean of its fine 1-ring). Attention sees each edge's bearing in the receiver's east/north
  frame (:mod:`core.models.panorama.graph`), so it can tell directions apart and stays
  yaw-equivariant.
- **Task decoders** (one per task of :data:`~core.models.panorama.heads.TASK_NAMES`): from the
  bottleneck up, :func:`~core.geometry.fsaverage.unpool` (a new vertex is the mean of its two
  parents), concatenation with the encoder's features at that level (skip connection), a GATv2
  block of ``task_width`` channels.
- **Cross-task attention** after every decoder level: at each vertex the five task features
  attend to each other (one multi-head attention over five tokens, residual, layer norm), a
  light version of MTPano's cross-task interaction.
- **Heads**: one linear map per task (:mod:`core.models.panorama.heads`).

Because the graph, the pooling and the inputs are the same under any rotation about z that
maps the icosphere to itself (multiples of 72 degrees for fsaverage, whose first vertex is the
north pole), the outputs are exactly equivariant to those yaws; other yaws change them only
through the resampling of the image onto the vertices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from nodescope.core.geometry.fsaverage import MAX_LEVEL, icosphere_level, pool, unpool
from nodescope.core.models.panorama.heads import DEPTH_PRIOR_M, TASK_NAMES, task_channels
from nodescope.core.models.panorama.layers import CrossTaskAttention, GraphBlock

#: Per-vertex input channels: r, g, b, z.
IN_DIM = 4


@dataclass(frozen=True)
class SphericalUNetConfig:
    """Architecture of a :class:`SphericalUNet`.

    Attributes:
        level: icosphere level of the input and the outputs (5: 10,242 vertices).
        min_level: coarsest level of the U-Net (its bottleneck).
        width: encoder channels at ``level``; doubled per level down, at most ``max_width``.
        max_width: cap on the encoder's channels.
        task_width: channels of each task decoder.
        heads: GATv2 heads per block (channels are split between them).
        cross_heads: heads of the cross-task attention.
        num_classes: visible classes of the class head.
    """

    level: int = 6
    min_level: int = 3
    width: int = 16
    max_width: int = 64
    task_width: int = 16
    heads: int = 2
    cross_heads: int = 2
    num_classes: int = 9

    def __post_init__(self) -> None:
        if not 0 <= self.min_level < self.level <= MAX_LEVEL:
            raise ValueError(
                f"need 0 <= min_level < level <= {MAX_LEVEL}, got {self.min_level}, {self.level}"
            )
        for name in ("width", "max_width", "task_width"):
            if getattr(self, name) % self.heads:
                raise ValueError(f"{name}={getattr(self, name)} is not divisible by heads={self.heads}")
        if self.task_width % self.cross_heads:
            raise ValueError(
                f"task_width={self.task_width} is not divisible by cross_heads={self.cross_heads}"
            )

    @property
    def levels(self) -> list[int]:
        """Levels from fine to coarse: ``[level, level - 1, ..., min_level]``."""
        return list(range(self.level, self.min_level - 1, -1))

    def widths(self) -> list[int]:
        """Encoder channels per level, fine to coarse."""
        return [min(self.width * 2**i, self.max_width) for i in range(len(self.levels))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return asdict(self)


class SphericalUNet(nn.Module):
    """The multi-task spherical U-Net (see the module docstring).

    Args:
        config: the architecture.
    """

    def __init__(self, config: SphericalUNetConfig = SphericalUNetConfig()) -> None:
        super().__init__()
        self.config = config
        widths = config.widths()
        tw = config.task_width
        self.encoder = nn.ModuleList(
            [GraphBlock(IN_DIM if i == 0 else widths[i - 1], w, config.heads) for i, w in enumerate(widths)]
        )
        self.task_in = nn.ModuleDict({t: nn.Linear(widths[-1], tw) for t in TASK_NAMES})
        # decoders[t][j]: the block at level levels[-2 - j] (coarse to fine).
        self.decoders = nn.ModuleDict(
            {
                t: nn.ModuleList([GraphBlock(tw + w, tw, config.heads) for w in reversed(widths[:-1])])
                for t in TASK_NAMES
            }
        )
        self.cross = nn.ModuleList([CrossTaskAttention(tw, config.cross_heads) for _ in widths[:-1]])
        channels = task_channels(config.num_classes)
        self.heads = nn.ModuleDict({t: nn.Linear(tw, channels[t]) for t in TASK_NAMES})
        for t in ("depth", "layout_depth"):
            nn.init.constant_(self.heads[t].bias, float(torch.tensor(DEPTH_PRIOR_M).log()))

    def num_parameters(self) -> int:
        """Trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def directions(self) -> torch.Tensor:
        """(V, 3) float32 unit directions of the input/output vertices (CPU)."""
        return icosphere_level(self.config.level).vertices

    def inputs(self, rgb: torch.Tensor) -> torch.Tensor:
        """(V, B, 4) network input from (B, V, 3) colors in [0, 1]: ``2 rgb - 1`` and the vertex z."""
        z = self.directions()[:, 2].to(rgb)
        x = torch.cat([2 * rgb - 1, z.expand(rgb.shape[0], -1)[..., None]], dim=-1)
        return x.transpose(0, 1)

    def forward(
        self, rgb: torch.Tensor, attention: list[dict[str, Any]] | None = None
    ) -> dict[str, torch.Tensor]:
        """Raw task outputs for a batch of panoramas sampled at the vertices.

        Args:
            rgb: (B, V, 3) colors in [0, 1] at the vertices of icosphere ``config.level``
                (V = ``10 * 4**level + 2``).
            attention: if a list, every GATv2 block appends its attention for panorama 0
                (see :meth:`~core.models.panorama.layers.GraphBlock.forward`; names ``enc<level>`` and ``<task><level>``).

        Returns:
            Per task of :data:`TASK_NAMES`, (B, V, C) raw outputs (``task_channels``);
            :func:`~core.models.panorama.heads.decode` makes them depth, classes and normals.
        """
        levels = self.config.levels
        if rgb.ndim != 3 or rgb.shape[1] != len(self.directions()) or rgb.shape[2] != 3:
            raise ValueError(
                f"rgb must be (B, {len(self.directions())}, 3) for level {self.config.level}, got {tuple(rgb.shape)}"
            )
        x = self.inputs(rgb)
        skips = []
        for i, (level, block) in enumerate(zip(levels, self.encoder, strict=True)):
            if i > 0:
                x = pool(x, level + 1)
            x = block(x, level, attention, f"enc{level}")
            skips.append(x)
        feats = [self.task_in[t](x) for t in TASK_NAMES]
        for j, level in enumerate(levels[-2::-1]):
            feats = [
                self.decoders[t][j](
                    torch.cat([unpool(f, level - 1), skips[-2 - j]], dim=-1), level, attention, f"{t}{level}"
                )
                for t, f in zip(TASK_NAMES, feats, strict=True)
            ]
            feats = self.cross[j](feats)
        return {t: self.heads[t](f).transpose(0, 1) for t, f in zip(TASK_NAMES, feats, strict=True)}

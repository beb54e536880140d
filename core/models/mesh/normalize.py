"""Fixed normalizers for mesh-model inputs and targets: statistics fitted once on training data, saved as buffers."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class Normalizer(nn.Module):
    """``(x - mean) / std`` per column, or ``x / std`` with ``center=False``.

    ``center=False`` keeps zero at zero and the sign: for differences of the field and for the
    scaled increment, which are linear in ``u``.

    Args:
        width: the number of columns.
        center: subtract the mean (else scale only).
    """

    def __init__(self, width: int, *, center: bool = True) -> None:
        super().__init__()
        self.center = center
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("std", torch.ones(width))

    @torch.no_grad()
    def fit(self, x: Tensor, *, eps: float = 1e-8) -> None:
        """Set the statistics from (rows, width) samples ``x`` (a constant column gets std 1)."""
        x = x.reshape(-1, self.mean.numel()).double()
        mean = x.mean(dim=0) if self.center else torch.zeros_like(x[0])
        std = ((x - mean) ** 2).mean(dim=0).sqrt()
        self.mean.copy_(mean.float())
        self.std.copy_(torch.where(std > eps, std, torch.ones_like(std)).float())

    def forward(self, x: Tensor) -> Tensor:
        """(rows, width) normalized ``x``."""
        return (x - self.mean) / self.std

    def inverse(self, x: Tensor) -> Tensor:
        """(rows, width) ``x`` back in raw units."""
        return x * self.std + self.mean

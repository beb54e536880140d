"""GNNPipe's historical embeddings: per layer, every node's last computed input to that layer.

When a stage computes layer k for one chunk it needs layer k's input x_{k-1} on the chunk's
own nodes (fresh: it just computed or received them) and on its halo, the neighbors in
other chunks. The halo rows come from this cache: the value written when that node's chunk
last passed layer k (earlier in this epoch for chunks ahead in the order, the previous
epoch for the others), or by the last exact refresh. GNNPipe (Chen et al., "Scaling Deep
GNN Training with Pipelined Model Parallelism", 2023) uses such historical embeddings so that
no chunk waits for another; no gradient flows through them.

**Staleness bound.** Every ``refresh_every`` epochs an exact pass over the whole graph
(no dropout, current weights; the evaluation pass) overwrites every entry, so no cached
embedding descends from a refresh more than ``refresh_every`` epochs old. With
``refresh_every=1`` and no dropout, every halo row a chunk reads is the exact full-graph value
and the pipeline's forward equals the single-process GCNII's.

**Staleness record.** For every layer and node the cache keeps the epoch of the last write
and of the last exact refresh; :meth:`HistoricalCache.staleness` gives each node's epochs since
its embeddings were refreshed (the largest over this cache's layers).
"""

from __future__ import annotations

import torch
from torch import Tensor


class HistoricalCache:
    """Cached inputs x_{k-1} of the layers k in ``layers``, each (N, ``width``).

    Args:
        layers: the GCNII layers (1..L) whose inputs are cached (one stage's layers).
        num_nodes: N.
        width: hidden width h.
        refresh_every: the staleness bound S (epochs between exact refreshes, at least 1).
        device: where the cache lives.
    """

    def __init__(
        self,
        layers: range,
        num_nodes: int,
        width: int,
        *,
        refresh_every: int = 1,
        device: torch.device | str = "cpu",
    ) -> None:
        if refresh_every < 1:
            raise ValueError(f"refresh_every must be at least 1, not {refresh_every}")
        self.layers, self.refresh_every = layers, refresh_every
        self.values = {k: torch.zeros(num_nodes, width, device=device) for k in layers}
        #: (len(layers), N) epoch of the last write / of the last exact refresh of each entry (-1: never).
        self.written = torch.full((len(layers), num_nodes), -1, dtype=torch.long)
        self.refreshed = torch.full((len(layers), num_nodes), -1, dtype=torch.long)

    def due(self, epoch: int) -> bool:
        """True when the evaluation pass after ``epoch`` (0: before training) must refresh the cache."""
        return epoch % self.refresh_every == 0

    def read(self, layer: int, nodes: Tensor) -> Tensor:
        """(len(nodes), h) cached inputs of ``layer`` for ``nodes`` (detached)."""
        return self.values[layer][nodes]

    def write(self, layer: int, nodes: Tensor, x: Tensor, epoch: int) -> None:
        """Store (len(nodes), h) fresh inputs ``x`` of ``layer`` for ``nodes``, computed in ``epoch``."""
        self.values[layer][nodes] = x.detach()
        self.written[layer - self.layers.start, nodes.cpu()] = epoch

    def refresh(self, layer: int, x: Tensor, epoch: int) -> None:
        """Overwrite every node's input of ``layer`` with the exact (N, h) ``x`` of the pass after ``epoch``."""
        self.values[layer].copy_(x.detach())
        self.written[layer - self.layers.start] = epoch
        self.refreshed[layer - self.layers.start] = epoch

    def staleness(self, epoch: int) -> Tensor:
        """(N,) epochs since each node's cached embeddings were last refreshed exactly (largest over layers)."""
        if not len(self.layers):
            return torch.zeros(self.written.shape[1], dtype=torch.long)
        return epoch - self.refreshed.min(0).values

    def state(self) -> dict[str, Tensor]:
        """The cache as named tensors (for a checkpoint)."""
        out = {f"cache.{k}": v for k, v in self.values.items()}
        return out | {"cache.written": self.written, "cache.refreshed": self.refreshed}

    def load(self, tensors: dict[str, Tensor]) -> None:
        """Restore what :meth:`state` returned."""
        for k, v in self.values.items():
            v.copy_(tensors[f"cache.{k}"])
        self.written.copy_(tensors["cache.written"])
        self.refreshed.copy_(tensors["cache.refreshed"])

"""What a pipeline run means for one node: its chunk, and who reads its historical embedding when.

In the GPipe schedule of :mod:`core.pipeline.engine` every stage runs the chunks' forwards in
order 0..C-1, and a chunk reads its halo (neighbors in other chunks) from the
:class:`~core.pipeline.historical.HistoricalCache`. A node v of chunk c is read as halo by
every chunk k that has it in its halo:

- k > c runs after c in the epoch: it reads the value c wrote *this* epoch (current weights);
- k < c runs before c: it reads the value written in the *previous* epoch (one Adam step
  old), or the exact value of the last refresh when one was due after that epoch.

So, within one staleness bound, a node's embedding is stale exactly for the chunks that read it
before its own chunk runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nodescope.core.pipeline.chunks import Chunk


def chunk_of(chunks: Sequence[Chunk], num_nodes: int) -> np.ndarray:
    """(N,) int64 chunk id of every node (-1 for a node in no chunk)."""
    part = np.full(num_nodes, -1, dtype=np.int64)
    for c, chunk in enumerate(chunks):
        part[chunk.nodes.cpu().numpy()] = c
    return part


def halo_reads(chunks: Sequence[Chunk], num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per node, how many chunks read its cached embedding before and after its own chunk runs.

    Args:
        chunks: the run's chunks (:func:`core.pipeline.chunks.split_graph`), in schedule order.
        num_nodes: N.

    Returns:
        ``(before, after)``, each (N,) int64: the number of chunks k with the node in their halo
        and k < its chunk (they read last epoch's value: stale) or k > its chunk (this epoch's).

    Example:
        >>> import torch
        >>> from nodescope.core.pipeline.chunks import split_graph
        >>> edges = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        >>> before, after = halo_reads(split_graph(edges, 3, torch.tensor([0, 1, 2])), 3)
        >>> before.tolist(), after.tolist()
        ([0, 1, 1], [1, 1, 0])
    """
    part = chunk_of(chunks, num_nodes)
    before = np.zeros(num_nodes, dtype=np.int64)
    after = np.zeros(num_nodes, dtype=np.int64)
    for k, chunk in enumerate(chunks):
        halo = chunk.halo.cpu().numpy()
        own = part[halo]
        np.add.at(before, halo[k < own], 1)
        np.add.at(after, halo[k > own], 1)
    return before, after

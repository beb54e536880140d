"""The icosphere graphs a spherical U-Net runs on, as fixed neighbor tables with yaw-invariant bearings.

Every vertex of a fsaverage icosphere level (:func:`core.geometry.fsaverage.icosphere_level`)
has 6 mesh neighbors (5 at the 12 icosahedron corners). A level's graph is stored densely as
a (V, 7) table: the vertex itself first, then its neighbors, the corners' last slot padded
with the vertex itself and masked out. Dense tables let attention gather neighbors in one
indexing step instead of PyG's scatter-based softmax (several times faster on the CPU).

Each slot carries three numbers: the ``(cos, sin)`` bearing of the neighbor in the vertex's
east/north frame (:func:`core.geometry.tangent.edge_headings`) and a self flag (the self slot
has bearing ``(0, 0)``). Bearings let attention tell neighbors apart by direction without
knowing longitude, so a network over them stays yaw-equivariant.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.tangent import edge_headings

#: Width of a slot's attributes: bearing cos, bearing sin, self flag.
EDGE_DIM = 3
#: Slots per vertex: itself and up to 6 neighbors.
SLOTS = 7


@dataclass(frozen=True)
class NeighborTable:
    """One icosphere level as a dense neighbor table (shared: do not modify).

    Attributes:
        index: (V, 7) int64 vertex ids, slot 0 the vertex itself.
        mask: (V, 7) bool, False for the padded slot of the 12 five-neighbor vertices.
        attr: (V, 7, 3) float32 per-slot bearing cos, bearing sin, self flag.
    """

    index: torch.Tensor
    mask: torch.Tensor
    attr: torch.Tensor

    def edge_index(self) -> torch.Tensor:
        """(2, E) int64 ``(neighbor, vertex)`` pairs of the valid slots, row-major (vertex by vertex)."""
        v = torch.arange(len(self.index))[:, None].expand_as(self.index)
        return torch.stack([self.index[self.mask], v[self.mask]])


@lru_cache(maxsize=32)
def _table(level: int) -> NeighborTable:
    ico = icosphere_level(level)
    n = len(ico.vertices)
    src, dst = ico.edge_index  # sorted by (row, col): group by row, the graph is symmetric
    heading = edge_headings(ico.vertices.double(), torch.stack([dst, src])).float()
    counts = torch.bincount(src, minlength=n)
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(src)) - starts[src] + 1
    index = torch.arange(n)[:, None].repeat(1, SLOTS)
    mask = torch.zeros(n, SLOTS, dtype=torch.bool)
    attr = torch.zeros(n, SLOTS, EDGE_DIM)
    index[src, slot] = dst
    mask[src, slot] = True
    mask[:, 0] = True
    attr[src, slot, :2] = heading
    attr[:, 0, 2] = 1.0
    return NeighborTable(index=index, mask=mask, attr=attr)


@lru_cache(maxsize=64)
def neighbor_table(level: int, device: torch.device) -> NeighborTable:
    """The :class:`NeighborTable` of fsaverage icosphere ``level`` (0..6) on ``device``, cached."""
    table = _table(level)
    return NeighborTable(index=table.index.to(device), mask=table.mask.to(device), attr=table.attr.to(device))

"""A MeshGraphNets-style baseline: encode, process by residual edge and vertex MLP updates, decode.

After Pfaff et al., "Learning Mesh-Based Simulation with Graph Networks" (ICLR 2021): vertex
and edge inputs are encoded by MLPs, then each of ``layers`` blocks updates every edge
``j -> i`` and then every vertex,

    ``e_ij ← e_ij + MLP_e([e_ij, h_j, h_i])``,  ``h_i ← h_i + MLP_v([h_i, Σ_j e_ij])``,

(MLPs of two layers with a LayerNorm, as the paper), and an MLP decodes the increment. It
runs on the mesh's edges (1-ring). Inputs and targets are those of
:mod:`core.models.mesh.features`, the same as the mesh transformer's; the edge encoder is the
same too (:class:`~core.models.mesh.base.EdgeEncoder`). The first layer of ``MLP_e`` is applied
as three maps (``W_e e + (W_s h)_j + (W_t h)_i``) so no (E, 3H) concatenation is built.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

from nodescope.core.models.mesh.base import EdgeEncoder, MeshModel, MeshModelConfig, mlp
from nodescope.core.models.mesh.features import DYNAMIC_FEATURES, NODE_FEATURES
from nodescope.core.models.mesh.kernels import EdgeCSR, gather_add_, norm_add_pool_


class ProcessorBlock(nn.Module):
    """One residual edge update then vertex update (see the module docstring).

    Shapes:
        forward: h (V, H), e (E, H), edge_index (2, E) -> (V, H), (E, H).
    """

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.edge_self = nn.Linear(hidden, hidden)
        self.edge_source = nn.Linear(hidden, hidden, bias=False)
        self.edge_target = nn.Linear(hidden, hidden, bias=False)
        self.edge_rest = nn.Sequential(nn.GELU(), nn.Linear(hidden, hidden), nn.LayerNorm(hidden))
        self.vertex = mlp(2 * hidden, hidden, hidden, norm=True)

    def forward(self, h: Tensor, e: Tensor, edge_index: Tensor) -> tuple[Tensor, Tensor]:
        """Updated vertex and edge embeddings."""
        src, dst = edge_index
        e = e + self.edge_rest(self.edge_self(e) + self.edge_source(h)[src] + self.edge_target(h)[dst])
        pooled = scatter(e, dst, dim=0, dim_size=h.shape[0], reduce="sum")
        return h + self.vertex(torch.cat([h, pooled], dim=1)), e

    def forward_fast(self, h: Tensor, e: Tensor, csr: EdgeCSR) -> Tensor:
        """:meth:`forward` with the edge work fused (inference, CPU): updates ``e`` in place, returns h.

        The two (E, H)·(H, H) products and the GELU stay torch ops; the gathers of the vertex
        terms, and the LayerNorm, the residual and the sum over the edges into each vertex, are
        two passes over the edges (:mod:`core.models.mesh.kernels`) with no (E, H) temporaries.
        ``e`` must be a contiguous float32 tensor of its own.
        """
        z = gather_add_(csr, self.edge_self(e), self.edge_source(h), self.edge_target(h))
        pooled = norm_add_pool_(csr, e, self.edge_rest[1](self.edge_rest[0](z)), self.edge_rest[2])
        return h + self.vertex(torch.cat([h, pooled], dim=1))


class MeshGraphNet(MeshModel):
    """Encode-process-decode message passing (see the module docstring)."""

    key = "mpnn"

    def __init__(self, config: MeshModelConfig) -> None:
        super().__init__(config)
        hidden = config.hidden
        self.encoder = mlp(NODE_FEATURES, hidden, hidden, norm=True)
        self.edges = EdgeEncoder(DYNAMIC_FEATURES[config.equation], hidden)
        self.blocks = nn.ModuleList(ProcessorBlock(hidden) for _ in range(config.layers))
        self.decoder = mlp(hidden, hidden, 1)

    def static(self, geometry: Tensor) -> Tensor:
        """(E, H) geometric edge embedding, fixed over a rollout."""
        return self.edges.static(self.geometry_norm(geometry))

    def process(
        self, node: Tensor, static: Tensor, dynamic: Tensor, edge_index: Tensor, attention: bool
    ) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        """(V,) normalized increment and (V, H) per layer; no attention."""
        h = self.encoder(node)
        e = static + self.edges.dynamic(dynamic)
        hidden = [h]
        for block in self.blocks:
            h, e = block(h, e, edge_index)
            hidden.append(h)
        return self.decoder(h)[:, 0], hidden, []

    def process_fast(self, node: Tensor, static: Tensor, dynamic: Tensor, csr: EdgeCSR) -> Tensor:
        """(V,) normalized increment as :meth:`process`, the blocks' edge work fused."""
        h = self.encoder(node)
        e = torch.addmm(static, dynamic, self.edges.dynamic.weight.T)
        for block in self.blocks:
            h = block.forward_fast(h, e, csr)
        return self.decoder(h)[:, 0]

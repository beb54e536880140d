"""A mesh transformer: multi-head attention masked to the mesh's k-ring, with edge features.

After Garnier et al., "Training Transformers for Mesh-Based Simulations" (2025): a graph
transformer whose attention mask is the mesh adjacency (here its k-ring: vertex ``i`` attends
only to the vertices at most ``k`` edges away), predicting the next state's increment. The
mask is never a dense V×V matrix: attention is computed on the k-ring's edge list (sparse),
with a softmax over the edges into each vertex (``torch_geometric.utils.softmax``).

Each block, on vertex embeddings ``h`` and edge embeddings ``e_ij`` (of ``j -> i``), as PyG's
``TransformerConv`` with ``edge_dim``, per head:

    ``α_ij = softmax_j( q_iᵀ (k_j + g_ij) / √d )``,  ``m_i = Σ_j α_ij (v_j + g_ij)``

with ``q = W_q LN(h)``, ``k = W_k LN(h)``, ``v = W_v LN(h)``, ``g = W_e e`` (per block), then
``h ← h + W_o m`` and ``h ← h + MLP(LN(h))``. The edge embedding is ``MLP(geometry) + W·Δu``
(:class:`~core.models.mesh.base.EdgeEncoder`), so ``g`` splits into a geometric part cached
for a whole rollout and a cheap rank-d field part. Departures from the paper: no global
nodes, no dilated masks (one k-ring per model), vertex inputs and targets of
:mod:`core.models.mesh.features`.

The first block's ``α`` (per head, per edge) is what :mod:`explain.mesh_attention` compares
with the cotangent weights.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter, softmax

from nodescope.core.models.mesh.base import EdgeEncoder, MeshModel, MeshModelConfig, mlp
from nodescope.core.models.mesh.features import DYNAMIC_FEATURES, NODE_FEATURES
from nodescope.core.models.mesh.kernels import EdgeCSR, masked_attention


class MaskedAttention(nn.Module):
    """Multi-head attention over the edges ``j -> i`` of a graph (the mask), with edge terms.

    Shapes:
        forward: h (V, H), edge_index (2, E), g (E, H) -> (V, H) and α (E, heads).
    """

    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden ({hidden}) must be a multiple of heads ({heads})")
        self.heads, self.dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.edge = nn.Linear(hidden, hidden, bias=False)
        self.out = nn.Linear(hidden, hidden)

    def forward(self, h: Tensor, edge_index: Tensor, g: Tensor) -> tuple[Tensor, Tensor]:
        """The attended (V, H) update and (E, heads) attention weights."""
        src, dst = edge_index
        n, shape = h.shape[0], (-1, self.heads, self.dim)
        q, k, v = self.query(h).view(shape), self.key(h).view(shape), self.value(h).view(shape)
        g = g.view(shape)
        logits = (q[dst] * (k[src] + g)).sum(-1) / math.sqrt(self.dim)  # (E, heads)
        alpha = softmax(logits, dst, num_nodes=n)
        message = alpha[..., None] * (v[src] + g)
        out = scatter(message, dst, dim=0, dim_size=n, reduce="sum").reshape(n, -1)
        return self.out(out), alpha


class MeshTransformer(MeshModel):
    """Encoder, ``layers`` masked-attention blocks, decoder (see the module docstring)."""

    key = "mesh-transformer"

    def __init__(self, config: MeshModelConfig) -> None:
        super().__init__(config)
        hidden = config.hidden
        self.encoder = mlp(NODE_FEATURES, hidden, hidden)
        self.edges = EdgeEncoder(DYNAMIC_FEATURES[config.equation], hidden)
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(2 * config.layers))
        self.attention = nn.ModuleList(MaskedAttention(hidden, config.heads) for _ in range(config.layers))
        self.mlps = nn.ModuleList(mlp(hidden, 2 * hidden, hidden) for _ in range(config.layers))
        self.decoder = nn.Sequential(nn.LayerNorm(hidden), mlp(hidden, hidden, 1))

    def static(self, geometry: Tensor) -> list[Tensor]:
        """Per block, (E, H) ``W_e·MLP(geometry)``: the geometric edge term, fixed over a rollout."""
        embedded = self.edges.static(self.geometry_norm(geometry))
        return [layer.edge(embedded) for layer in self.attention]

    def process(
        self, node: Tensor, static: list[Tensor], dynamic: Tensor, edge_index: Tensor, attention: bool
    ) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        """(V,) normalized increment, (V, H) per layer and (E, heads) α per block if asked."""
        h = self.encoder(node)
        hidden, weights = [h], []
        for b, layer in enumerate(self.attention):
            # W_e (W_dyn Δu) as one (H, d) map: the field's edge term without an E×H×H product.
            g = static[b] + dynamic @ (layer.edge.weight @ self.edges.dynamic.weight).T
            update, alpha = layer(self.norms[2 * b](h), edge_index, g)
            h = h + update
            h = h + self.mlps[b](self.norms[2 * b + 1](h))
            hidden.append(h)
            if attention:
                weights.append(alpha)
        return self.decoder(h)[:, 0], hidden, weights

    def process_fast(self, node: Tensor, static: list[Tensor], dynamic: Tensor, csr: EdgeCSR) -> Tensor:
        """(V,) normalized increment as :meth:`process`, the edge work in fused kernels (inference, CPU).

        ``q``, ``k``, ``v`` are computed per vertex by one (H, 3H) map and read per edge by the
        kernel (:func:`core.models.mesh.kernels.masked_attention`), which forms the edge term
        ``g`` from the cached geometric part and the field's rank-D part on the fly.
        """
        h = self.encoder(node)
        for b, layer in enumerate(self.attention):
            qkv = self._qkv(layer)
            q, k, v = torch.nn.functional.linear(self.norms[2 * b](h), *qkv).split(self.config.hidden, dim=1)
            w_dyn = (layer.edge.weight @ self.edges.dynamic.weight).T
            out = masked_attention(csr, q, k, v, static[b], dynamic, w_dyn, self.config.heads)
            h = h + layer.out(out)
            h = h + self.mlps[b](self.norms[2 * b + 1](h))
        return self.decoder(h)[:, 0]

    @staticmethod
    def _qkv(layer: MaskedAttention) -> tuple[Tensor, Tensor]:
        """(3H, H) weight and (3H,) bias of the block's query, key and value maps stacked."""
        weight = torch.cat([layer.query.weight, layer.key.weight, layer.value.weight])
        return weight, torch.cat([layer.query.bias, layer.key.bias, layer.value.bias])

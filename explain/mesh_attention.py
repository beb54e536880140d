"""Attention against the physics: a mesh transformer's first-layer attention beside the cotangent weights.

For the heat equation the exact operator is known: one step mixes each vertex with its mesh
neighbors by the cotangent weights ``w_ij = ½(cot α_ij + cot β_ij)``
(:func:`core.simulation.cotangent_laplacian`, ``L[i, j] = -w_ij``). Attention into vertex ``i``
sums to 1 over its edges, so the comparable quantity is the **normalized cotangent weight**
``w_ij / Σ_k w_ik`` (``= -L[i, j] / L[i, i]``) of the same edge ``j -> i``. The score of each
head is Spearman's rank correlation between the two over all 1-ring edges (edges further out
in a k-ring mask have no cotangent weight and are left out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr

from nodescope.core.models.mesh.base import MeshModel
from nodescope.core.models.mesh.features import inputs
from nodescope.core.models.mesh.graph import MeshGraph
from nodescope.core.simulation.operators import cotangent_laplacian


@dataclass
class AttentionPhysics:
    """First-layer attention and normalized cotangent weights on the same edges.

    Attributes:
        edge_index: (2, E1) the 1-ring edges ``j -> i`` compared.
        attention: (E1, heads) first-layer attention of each head on them.
        cotangent: (E1,) normalized cotangent weight ``w_ij / Σ_k w_ik``.
        rho: (heads,) Spearman ρ of each head.
    """

    edge_index: np.ndarray
    attention: np.ndarray
    cotangent: np.ndarray
    rho: np.ndarray

    @property
    def best_head(self) -> int:
        """The head (0-based) with the highest ρ."""
        return int(np.nanargmax(self.rho))


def normalized_cotangent_weights(pos: np.ndarray, faces: np.ndarray, edge_index: np.ndarray) -> np.ndarray:
    """(E,) ``-L[i, j] / L[i, i]`` for each edge ``j -> i`` of ``edge_index`` (2, E); 0 off the 1-ring."""
    laplacian = cotangent_laplacian(pos, faces)
    src, dst = np.asarray(edge_index)
    diagonal = laplacian.diagonal()
    return -np.asarray(laplacian[dst, src]).ravel() / diagonal[dst]


@torch.no_grad()
def attention_vs_cotangent(
    model: MeshModel,
    graph: MeshGraph,
    pos: np.ndarray,
    faces: np.ndarray,
    *,
    number: float,
    u: np.ndarray,
    source_dt: np.ndarray | None = None,
) -> AttentionPhysics:
    """Per-head Spearman ρ between first-layer attention at state ``u`` and the cotangent weights.

    Args:
        model: a mesh transformer for the heat equation.
        graph: the mesh's graph (the model's k).
        pos: (V, 3) positions (for the cotangent weights).
        faces: (T, 3) triangles.
        number: the step number ``s``.
        u: (V,) the state the attention is read at.
        source_dt: (V,) ``dt·f`` or None.

    Raises:
        ValueError: the model returns no attention (the MPNN).
    """
    device = next(model.parameters()).device
    g = graph.to(device)
    u_t = torch.as_tensor(np.asarray(u), dtype=torch.float32, device=device)
    src = None if source_dt is None else torch.as_tensor(source_dt, dtype=torch.float32, device=device)
    out = model.eval()(inputs(g, model.config.equation, number, u_t, u_t, src), attention=True)
    if not out.attention:
        raise ValueError(f"{model.config.model} has no attention to compare")
    one_ring = (graph.geometry[:, 4] == 1).numpy()
    edges = graph.edge_index.numpy()[:, one_ring]
    alpha = out.attention[0].cpu().numpy()[one_ring]
    weights = normalized_cotangent_weights(pos, faces, edges)
    rho = np.array([spearmanr(alpha[:, h], weights).statistic for h in range(alpha.shape[1])])
    return AttentionPhysics(edges, alpha, weights, rho)

"""Positional and structural node encodings for graph transformers, computed once per graph.

- :func:`laplacian_pe`: Laplacian eigenvectors (Dwivedi & Bresson 2021). Each connected
  component gets the ``k`` eigenvectors of its own symmetric normalized Laplacian
  ``I - D^-1/2 A D^-1/2`` with the smallest non-zero eigenvalues, so a disconnected graph
  (Cora has 78 components) gets geometry inside every component instead of ``k`` copies
  of component indicators. Columns a component cannot fill (fewer than ``k + 1`` nodes)
  are zero. Eigenvectors have an arbitrary sign: models flip signs at random in training
  (:func:`random_sign_flip`) so that they do not learn one.
- :func:`random_walk_se`: the probability of returning to the start after 1..``k`` random
  walk steps (Dwivedi et al. 2022, "RWSE"); sign-free.
- :func:`structural_encoding`: degree and/or RWSE, standardized, for models that take them
  beside their features (the base option ``input_encoding``, see :class:`core.models.NodeModel`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import torch
from scipy.sparse.csgraph import connected_components, reverse_cuthill_mckee
from scipy.sparse.linalg import eigsh
from torch import Tensor

#: Components up to this size use a dense eigendecomposition (exact, and fast at this size).
DENSE_MAX_NODES = 1000
#: ARPACK relative tolerance (residual norm <= tol * eigenvalue): encodings need a few digits, and 1e-4
#: takes 4x longer on a 100k-node random graph (a minute instead of 15 s).
EIGSH_TOL = 1e-2
#: Shift-invert (one sparse LU, then a few iterations) when the reverse Cuthill-McKee band holds at
#: most this many entries, which bounds the LU's fill: meshes and lattices (a 110k-vertex cortical
#: mesh: 1e8, 15 s instead of 10 min). Random-like graphs have a band of ~N and would fill the LU,
#: but their small eigenvalues separate well enough for plain Lanczos.
SHIFT_INVERT_MAX_BAND = 2e8
#: The shift: just below the spectrum of the Laplacian (which starts at 0), so L - sigma I is definite.
SHIFT = -1e-3


def _symmetric_adjacency(edge_index: Tensor, num_nodes: int) -> sp.csr_matrix:
    """(N, N) 0/1 adjacency of the undirected graph underlying ``edge_index``, without self-loops."""
    src, dst = edge_index.cpu().numpy()
    keep = src != dst
    rows, cols = np.r_[src[keep], dst[keep]], np.r_[dst[keep], src[keep]]
    adj = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(num_nodes, num_nodes))
    adj.data[:] = 1.0  # duplicates summed above: back to 0/1
    return adj


def _component_eigenvectors(adj: sp.csr_matrix, k: int, seed: int) -> np.ndarray:
    """(n, min(k, n - 1)) eigenvectors of a connected graph's normalized Laplacian after the trivial one."""
    n = adj.shape[0]
    deg = np.asarray(adj.sum(1)).ravel()
    d_inv_sqrt = sp.diags(1.0 / np.sqrt(deg))
    lap = sp.identity(n) - d_inv_sqrt @ adj @ d_inv_sqrt
    m = min(k, n - 1)
    if n <= DENSE_MAX_NODES or m + 1 >= n - 1:
        _, vecs = scipy.linalg.eigh(lap.toarray(), subset_by_index=(0, m))
        return vecs[:, 1 : m + 1]
    v0 = np.random.default_rng(seed).random(n)  # fixed start vector: the same encoding every call
    if n * _rcm_bandwidth(adj) <= SHIFT_INVERT_MAX_BAND:
        vals, vecs = eigsh(lap.tocsc(), k=m + 1, sigma=SHIFT, which="LM", tol=EIGSH_TOL, v0=v0)
    else:
        vals, vecs = eigsh(lap, k=m + 1, which="SA", tol=EIGSH_TOL, v0=v0)
    return vecs[:, np.argsort(vals)][:, 1 : m + 1]


def _rcm_bandwidth(adj: sp.csr_matrix) -> int:
    """Bandwidth of ``adj`` after reverse Cuthill-McKee reordering (O(E))."""
    perm = reverse_cuthill_mckee(adj, symmetric_mode=True)
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size)
    coo = adj.tocoo()
    return int(np.abs(inverse[coo.row] - inverse[coo.col]).max())


def laplacian_pe(edge_index: Tensor, num_nodes: int, k: int, *, seed: int = 0) -> Tensor:
    """Laplacian-eigenvector positional encoding, per connected component.

    Args:
        edge_index: (2, E) edges; direction is ignored (the graph is symmetrised).
        num_nodes: N.
        k: encoding width (eigenvectors per node).
        seed: ARPACK start vector for large components, so repeated calls agree.

    Returns:
        (N, k) float32; unit-norm eigenvectors within each component, zero columns where a
        component has fewer than ``k + 1`` nodes, all zeros for isolated nodes. Large graphs
        cost seconds to a minute (ARPACK on the largest component).
    """
    pe = np.zeros((num_nodes, k), dtype=np.float32)
    adj = _symmetric_adjacency(edge_index, num_nodes)
    _, labels = connected_components(adj, directed=False)
    order = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    for nodes in np.split(order, starts[1:]):
        if nodes.size < 2:
            continue
        vecs = _component_eigenvectors(adj[nodes][:, nodes], k, seed)
        pe[nodes, : vecs.shape[1]] = vecs
    return torch.from_numpy(pe)


def random_walk_se(edge_index: Tensor, num_nodes: int, k: int, *, block: int = 512) -> Tensor:
    """Random-walk structural encoding: the probability that a walk is back at its start.

    The walk steps along ``edge_index`` (source to target) to a uniformly chosen out-neighbor,
    as PyG's ``AddRandomWalkPE``, which gives the same numbers but forms the powers of the
    transition matrix ``P``; those fill in (10 s on Cora). Here ``P^t`` is applied to ``block``
    columns of the identity at a time: O(k · E · N) work, O(N · block) memory.

    Args:
        edge_index: (2, E) directed edges (undirected graphs hold both directions).
        num_nodes: N.
        k: walk lengths 1..k.
        block: identity columns per sparse-dense product.

    Returns:
        (N, k) float32; column t is ``(P^(t+1))_ii``.
    """
    src, dst = edge_index.cpu().numpy()
    out_deg = np.maximum(np.bincount(src, minlength=num_nodes), 1)
    trans = sp.csr_matrix((1.0 / out_deg[src], (src, dst)), shape=(num_nodes, num_nodes))
    se = np.zeros((num_nodes, k), dtype=np.float32)
    for start in range(0, num_nodes, block):
        cols = np.arange(start, min(start + block, num_nodes))
        walk = np.zeros((num_nodes, cols.size))
        walk[cols, np.arange(cols.size)] = 1.0
        for t in range(k):
            walk = trans @ walk
            se[cols, t] = walk[cols, np.arange(cols.size)]
    return torch.from_numpy(se)


def random_sign_flip(pe: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """``pe`` (N, k) with each column multiplied by an independent random ±1 (one draw per column)."""
    signs = torch.randint(0, 2, (pe.shape[1],), generator=generator) * 2 - 1
    return pe * signs.to(pe.device, pe.dtype)


#: Kinds of :func:`structural_encoding` (the models' option ``input_encoding``).
STRUCTURAL_ENCODINGS = ("degree", "rwse", "degree+rwse")


def structural_encoding_width(kind: str, k: int) -> int:
    """Columns of :func:`structural_encoding` for ``kind`` with ``k`` walk steps."""
    if kind not in STRUCTURAL_ENCODINGS:
        raise ValueError(f"unknown input encoding {kind!r}; known: {', '.join(STRUCTURAL_ENCODINGS)}")
    return {"degree": 1, "rwse": k, "degree+rwse": 1 + k}[kind]


def structural_encoding(kind: str, edge_index: Tensor, num_nodes: int, k: int) -> Tensor:
    """Structural node inputs for graphs whose features say little (BA-Shapes' constant features).

    ``degree``: log(1 + in-degree); ``rwse``: :func:`random_walk_se` over 1..``k`` steps;
    ``degree+rwse``: both. Every column is standardized over the nodes (mean 0, standard
    deviation 1; a constant column becomes 0), so the encoding sits on the scale of
    initialized weights whatever the graph's size and degrees. Sign-free: no random flips needed.

    Args:
        kind: one of :data:`STRUCTURAL_ENCODINGS`.
        edge_index: (2, E) edges (source row 0, target row 1).
        num_nodes: N.
        k: walk steps for ``rwse``.

    Returns:
        (N, :func:`structural_encoding_width`) float32.
    """
    structural_encoding_width(kind, k)  # checks the kind
    parts = []
    if kind in ("degree", "degree+rwse"):
        deg = np.bincount(edge_index[1].cpu().numpy(), minlength=num_nodes)
        parts.append(torch.from_numpy(np.log1p(deg).astype(np.float32))[:, None])
    if kind in ("rwse", "degree+rwse"):
        parts.append(random_walk_se(edge_index, num_nodes, k))
    enc = torch.cat(parts, dim=1)
    std = enc.std(0, keepdim=True) if num_nodes > 1 else torch.zeros(1, enc.shape[1])
    return torch.where(std > 1e-6, (enc - enc.mean(0, keepdim=True)) / std.clamp_min(1e-6), 0.0)

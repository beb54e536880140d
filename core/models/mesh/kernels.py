"""Fused CPU kernels (numba) for the mesh models' per-edge work at inference: the rollout's fast path.

A 20k-vertex mesh has about 120k directed edges; with plain tensor ops every per-edge step
(gather ``k[src]``, add the edge term, multiply by ``q[dst]``, softmax, weight ``v[src]``,
scatter) writes an (E, H) array, and those passes, not the arithmetic, are the cost of a
rollout. The kernels here walk the edges by target vertex (the graph's edges are sorted by
target, :func:`core.models.mesh.graph.k_ring_edges`) and do each block's edge work in one or
two passes without (E, H) temporaries, computing the same function as the plain forward (to
float32 rounding: sums are taken in another order).

numba is imported (and the kernels compiled, cached on disk) on first use only.
"""

from __future__ import annotations

import functools
import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor


@dataclass(frozen=True)
class EdgeCSR:
    """The edges ``j -> i`` grouped by target: what the kernels walk.

    Attributes:
        indptr: (V+1,) int64; the edges into ``i`` are ``indptr[i]:indptr[i+1]``.
        src: (E,) int64 source ``j`` of each edge (edge order unchanged).
        dst: (E,) int64 target ``i`` of each edge.
        max_degree: the most edges into one vertex.
    """

    indptr: Tensor
    src: Tensor
    dst: Tensor
    max_degree: int


def edge_csr(edge_index: Tensor, num_vertices: int) -> EdgeCSR | None:
    """The :class:`EdgeCSR` of (2, E) ``edge_index``, or None where the kernels cannot run.

    None: not on the CPU, or the edges are not sorted by target (row 1).
    """
    if edge_index.device.type != "cpu":
        return None
    src, dst = (row.contiguous() for row in edge_index.to(torch.int64))
    if dst.numel() > 1 and bool((dst[1:] < dst[:-1]).any()):
        return None
    counts = torch.bincount(dst, minlength=num_vertices)
    indptr = torch.zeros(num_vertices + 1, dtype=torch.int64)
    torch.cumsum(counts, 0, out=indptr[1:])
    return EdgeCSR(indptr, src, dst, int(counts.max()) if num_vertices else 0)


@functools.cache
def _compiled() -> Any:
    """The numba kernels' module (imports numba and compiles them, or loads them from the disk cache)."""
    from nodescope.core.models.mesh import numba_kernels

    return numba_kernels


def _over_vertices(kernel: Any, num_vertices: int, *args: Any) -> None:
    """Run ``kernel(*args, lo, hi)`` over the targets ``0:num_vertices``, split among torch's threads.

    The kernels release the GIL, so Python threads run them in parallel.
    """
    threads = max(1, min(torch.get_num_threads(), num_vertices // 512))
    if threads == 1:
        kernel(*args, 0, num_vertices)
        return
    bounds = [num_vertices * t // threads for t in range(threads + 1)]
    with ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(kernel, *args, lo, hi) for lo, hi in itertools.pairwise(bounds)]:
            done.result()


def masked_attention(
    csr: EdgeCSR, q: Tensor, k: Tensor, v: Tensor, static: Tensor, dynamic: Tensor, w_dyn: Tensor, heads: int
) -> Tensor:
    """Per head ``Σ_j softmax_j(q_i·(k_j + g_ij)/√d) (v_j + g_ij)`` with ``g = static + dynamic·w_dyn``.

    The softmax is PyG's (``torch_geometric.utils.softmax``: shifted by the maximum, 1e-16
    added to the sum).

    Args:
        csr: the edges by target.
        q: (V, H) queries (``heads`` blocks of ``d = H/heads`` columns).
        k: (V, H) keys.
        v: (V, H) values.
        static: (E, H) the edge term's fixed part.
        dynamic: (E, D) the edge inputs of the field (normalized).
        w_dyn: (D, H) their map into the edge term.
        heads: the number of heads.

    Returns:
        (V, H) float32 attended values (before the output map).
    """
    n, hidden = q.shape
    out = torch.empty((n, hidden), dtype=torch.float32)
    _over_vertices(
        _compiled().attention,
        n,
        csr.indptr.numpy(),
        csr.src.numpy(),
        q.contiguous().numpy(),
        k.contiguous().numpy(),
        v.contiguous().numpy(),
        static.contiguous().numpy(),
        dynamic.contiguous().numpy(),
        w_dyn.contiguous().numpy(),
        int(heads),
        float(1.0 / math.sqrt(hidden // heads)),
        csr.max_degree,
        out.numpy(),
    )
    return out


def gather_add_(csr: EdgeCSR, z: Tensor, source: Tensor, target: Tensor) -> Tensor:
    """In place ``z_e ← z_e + source[src_e] + target[dst_e]``; returns ``z``.

    Args:
        csr: the edges by target.
        z: (E, H) contiguous float32, per edge.
        source: (V, H) per-vertex term gathered at each edge's source.
        target: (V, H) per-vertex term gathered at each edge's target.
    """
    _over_vertices(
        _compiled().gather_add,
        len(csr.indptr) - 1,
        csr.indptr.numpy(),
        csr.src.numpy(),
        z.numpy(),
        source.contiguous().numpy(),
        target.contiguous().numpy(),
    )
    return z


def norm_add_pool_(csr: EdgeCSR, e: Tensor, y: Tensor, norm: torch.nn.LayerNorm) -> Tensor:
    """In place ``e ← e + LayerNorm(y)``; returns (V, H) ``Σ_{j -> i} e_ij`` (the new ``e``).

    Args:
        csr: the edges by target.
        e: (E, H) contiguous float32 edge state, updated.
        y: (E, H) the edge MLP's output before its LayerNorm.
        norm: that LayerNorm.
    """
    pooled = torch.empty((len(csr.indptr) - 1, e.shape[1]), dtype=torch.float32)
    _over_vertices(
        _compiled().norm_add_pool,
        len(pooled),
        csr.indptr.numpy(),
        e.numpy(),
        y.contiguous().numpy(),
        norm.weight.detach().contiguous().numpy(),
        norm.bias.detach().contiguous().numpy(),
        float(norm.eps),
        pooled.numpy(),
    )
    return pooled

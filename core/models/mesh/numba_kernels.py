"""The numba kernels behind :mod:`core.models.mesh.kernels` (imported, and compiled, on first use).

Each walks the edges ``j -> i`` by target ``i`` (``indptr``: CSR offsets, edges sorted by
target), so the per-target sums need no atomics; each handles the targets ``lo:hi`` and
releases the GIL, so that threads can share the vertices (no numba threading layer: its
OpenMP one fights torch's for the cores). See the wrappers in
:mod:`core.models.mesh.kernels` for shapes.
"""

import math

import numba
import numpy as np


@numba.njit(nogil=True, cache=True)
def attention(indptr, src, q, k, v, static, dynamic, w_dyn, heads, scale, max_degree, out, lo, hi):
    """Masked multi-head attention with edge terms; q, k, v, out (V, H); static (E, H); w_dyn (D, H)."""
    hidden = q.shape[1]
    dim = hidden // heads
    width = dynamic.shape[1]
    g = np.empty((max_degree, hidden), np.float32)
    weight = np.empty((max_degree, heads), np.float32)
    tmp = np.empty(hidden, np.float32)
    top = np.empty(heads, np.float32)
    total = np.empty(heads, np.float32)
    for i in range(lo, hi):
        start, stop = indptr[i], indptr[i + 1]
        top[:] = -np.inf
        for e in range(start, stop):
            row, j = e - start, src[e]
            for c in range(hidden):
                g[row, c] = static[e, c]
            for d in range(width):
                x = dynamic[e, d]
                for c in range(hidden):
                    g[row, c] += w_dyn[d, c] * x
            for c in range(hidden):
                tmp[c] = q[i, c] * (k[j, c] + g[row, c])
            for h in range(heads):
                acc = np.float32(0.0)
                for c in range(h * dim, (h + 1) * dim):
                    acc += tmp[c]
                acc *= scale
                weight[row, h] = acc
                top[h] = max(top[h], acc)
        total[:] = 0.0
        for row in range(stop - start):
            for h in range(heads):
                x = np.float32(math.exp(weight[row, h] - top[h]))
                weight[row, h] = x
                total[h] += x
        for h in range(heads):
            total[h] += np.float32(1e-16)
        for c in range(hidden):
            out[i, c] = 0.0
        for e in range(start, stop):
            row, j = e - start, src[e]
            for h in range(heads):
                alpha = weight[row, h] / total[h]
                for c in range(h * dim, (h + 1) * dim):
                    out[i, c] += alpha * (v[j, c] + g[row, c])


@numba.njit(nogil=True, cache=True)
def gather_add(indptr, src, z, a, b, lo, hi):
    """In place ``z[e] += a[src[e]] + b[i]`` for the edges ``e`` into each ``i``; z (E, H), a, b (V, H)."""
    hidden = b.shape[1]
    for i in range(lo, hi):
        for e in range(indptr[i], indptr[i + 1]):
            j = src[e]
            for c in range(hidden):
                z[e, c] += a[j, c] + b[i, c]


@numba.njit(nogil=True, cache=True)
def norm_add_pool(indptr, e_state, y, weight, bias, eps, pooled, lo, hi):
    """In place ``e_state += LayerNorm(y)`` (per edge row), and ``pooled[i]`` the sum of the new rows into ``i``."""
    hidden = pooled.shape[1]
    for i in range(lo, hi):
        for c in range(hidden):
            pooled[i, c] = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            mean = np.float32(0.0)
            for c in range(hidden):
                mean += y[e, c]
            mean /= hidden
            var = np.float32(0.0)
            for c in range(hidden):
                dev = y[e, c] - mean
                var += dev * dev
            var /= hidden
            inv = np.float32(1.0) / np.float32(math.sqrt(var + eps))
            for c in range(hidden):
                x = e_state[e, c] + (y[e, c] - mean) * inv * weight[c] + bias[c]
                e_state[e, c] = x
                pooled[i, c] += x

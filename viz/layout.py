"""2D node positions for graphs without geometry, fast enough for 100k nodes / 1M edges.

Pipeline of :func:`graph_layout`:

1. symmetrise the edges (direction, self-loops and duplicates ignored) and find the
   connected components;
2. small graphs (< 500 non-isolated nodes): networkx's Fruchterman-Reingold per component;
3. larger graphs: each big component gets a start and a refinement suited to its shape -

   - small-world components (diameter about log n: citation, social, random graphs):
     spectral start (eigenvectors of the normalized adjacency, i.e. of the normalized
     Laplacian) refined by a vectorized force model - UMAP-like attraction along edges,
     repulsion from a few randomly sampled nodes of the same component (negative
     sampling, as in LargeVis/UMAP) - with a cooling step size. When ARPACK is slow or
     the eigenvectors localise on a few nodes (dangling chains), pivot MDS starts instead;
   - long components (grids, meshes, trees, chains): pivot MDS start refined by sparse
     stress majorisation against the same pivots, which keeps their shape undistorted
     where the force model folds or clumps them;

   components too small for either (or beyond the largest few) start at random and
   share the force refinement;
4. components are packed by size in rows, each with an area proportional to its node
   count, so small components never land on big ones; isolated nodes go on a ring;
5. everything is scaled uniformly (aspect kept) into [-1, 1].

All randomness comes from ``seed``: the same graph and seed give the same positions.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh
from threadpoolctl import threadpool_limits

#: Below this many non-isolated nodes networkx's spring layout is fast and looks better.
SMALL_GRAPH = 500
#: Components at least this large get a spectral / pivot-MDS start; smaller ones start at random.
STRUCTURED_MIN = 64
#: At most this many (the largest) components get a structured start, bounding the time.
STRUCTURED_MAX_COMPONENTS = 16
#: Negative samples per node per iteration of the force model.
NEGATIVE_SAMPLES = 5
#: ARPACK restarts allowed before the spectral start gives up (bounds its time).
EIGSH_MAXITER = 30
#: Eigenvectors whose participation ratio (fraction of nodes effectively carrying them)
#: is below this are localised: the spectral start would squash most nodes into a point.
LOCALISED = 0.2
#: BFS pivots for pivot MDS and sparse stress (each costs one BFS over the component).
PIVOTS = 24


def graph_layout(
    edge_index: np.ndarray, num_nodes: int, *, seed: int = 0, iterations: int = 50
) -> np.ndarray:
    """Positions for drawing a graph as a node-link diagram.

    Args:
        edge_index: (2, E) integer node ids in ``[0, num_nodes)``; direction, self-loops
            and duplicate edges are ignored.
        num_nodes: number of nodes N (nodes without edges are placed on a ring).
        seed: random seed; equal inputs and seed give equal positions.
        iterations: refinement iterations (more: slower, smoother).

    Returns:
        (N, 2) float32 positions, centered and uniformly scaled so that the largest absolute
        coordinate is 1 (aspect ratio kept).
    """
    n = int(num_nodes)
    ei = np.asarray(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"edge_index must have shape (2, E), not {ei.shape}")
    if n < 0:
        raise ValueError(f"num_nodes must be >= 0, not {n}")
    ei = ei.astype(np.int64, copy=False)
    if ei.size and (ei.min() < 0 or ei.max() >= n):
        raise ValueError(f"edge_index refers to nodes outside 0..{n - 1}")
    if n == 0:
        return np.zeros((0, 2), np.float32)
    # One BLAS thread: the matrices are thin, and a busy core (Streamlit, a second job)
    # makes multi-threaded OpenBLAS spin for seconds on them.
    with threadpool_limits(limits=1, user_api="blas"):
        return _layout(ei, n, seed, iterations)


def _layout(ei: np.ndarray, n: int, seed: int, iterations: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    adj = _undirected_adjacency(ei, n)
    connected = np.diff(adj.indptr) > 0
    pos = np.zeros((n, 2))

    nodes = np.flatnonzero(connected)
    if nodes.size:
        sub = adj[nodes][:, nodes].tocsr()
        n_comp, comp = csgraph.connected_components(sub, directed=False)
        # Renumber components by size, largest first (ties by first node: deterministic).
        sizes = np.bincount(comp, minlength=n_comp)
        rank = np.empty(n_comp, np.int64)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(n_comp)
        comp = rank[comp]
        if nodes.size < SMALL_GRAPH:
            local = _small_layout(sub, comp, n_comp, seed, max(iterations, 50))
        else:
            local = _large_layout(sub, comp, n_comp, rng, iterations)
        pos[nodes] = _pack_components(local, comp, n_comp)

    isolated = np.flatnonzero(~connected)
    if isolated.size:
        pos[isolated] = _ring(isolated.size, pos[nodes] if nodes.size else None)
    return _normalize(pos)


def _undirected_adjacency(ei: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric 0/1 float32 CSR adjacency without self-loops (canonical: sorted, no duplicates)."""
    keep = ei[0] != ei[1]
    u, v = ei[0, keep], ei[1, keep]
    a = sp.csr_matrix(
        (np.ones(2 * u.size, np.float32), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    )
    a.sum_duplicates()
    a.data[:] = 1.0
    return a


def _groups(comp: np.ndarray, n_comp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes grouped by component: (order, start, size) with component c at order[start[c]:start[c]+size[c]]."""
    sizes = np.bincount(comp, minlength=n_comp)
    order = np.argsort(comp, kind="stable")
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return order, start, sizes


def _small_layout(
    adj: sp.csr_matrix, comp: np.ndarray, n_comp: int, seed: int, iterations: int
) -> np.ndarray:
    """Networkx spring layout of each component (every component has >= 2 nodes)."""
    import networkx as nx

    pos = np.zeros((adj.shape[0], 2))
    order, start, sizes = _groups(comp, n_comp)
    for c in range(n_comp):
        idx = order[start[c] : start[c] + sizes[c]]
        if idx.size == 2:
            pos[idx] = [[-1.0, 0.0], [1.0, 0.0]]
            continue
        p = nx.spring_layout(nx.from_scipy_sparse_array(adj[idx][:, idx]), seed=seed, iterations=iterations)
        pos[idx] = np.array([p[i] for i in range(idx.size)])
    return pos


def _large_layout(
    adj: sp.csr_matrix, comp: np.ndarray, n_comp: int, rng: np.random.Generator, iterations: int
) -> np.ndarray:
    """Start and refine every component; returns (N, 2) positions, each component in its own frame."""
    n = adj.shape[0]
    order, start, sizes = _groups(comp, n_comp)
    y = rng.standard_normal((n, 2)) * np.sqrt(sizes[comp] / 8)[:, None]  # RMS radius sqrt(size)/2
    by_force = np.ones(n, bool)
    for c in range(min(n_comp, STRUCTURED_MAX_COMPONENTS)):
        if sizes[c] < STRUCTURED_MIN:
            break
        idx = order[start[c] : start[c] + sizes[c]]
        a = adj[idx][:, idx].tocsr()
        # Double sweep: the eccentricity of a far node is a good lower bound of the diameter.
        far = int(np.argmax(csgraph.dijkstra(a, indices=int(rng.integers(idx.size)), unweighted=True)))
        d_far = csgraph.dijkstra(a, indices=far, unweighted=True)
        long = d_far.max() > 3 * np.log2(idx.size)
        v = None if long else _spectral(a, rng)
        if v is not None:
            y[idx] = _rms_scaled(v, idx.size)
            continue
        # Stress needs more landmarks than a start that the force model refines.
        pivots, dist = _pivot_distances(a, far, d_far, PIVOTS if long else PIVOTS // 2)
        start_pos = _pivot_mds(dist)
        if long:
            y[idx] = _sparse_stress(a, pivots, dist, start_pos, iterations)
            by_force[idx] = False
        else:
            y[idx] = _rms_scaled(start_pos, idx.size)
    f = np.flatnonzero(by_force)
    if f.size:
        y[f] = _force_refine(adj[f][:, f].tocsr(), comp[f], y[f], rng, iterations)
    return y


def _rms_scaled(y: np.ndarray, size: int) -> np.ndarray:
    """Center and scale so the RMS radius is sqrt(size)/2 (neighbors about a unit apart in 2D)."""
    y = y - y.mean(0)
    rms = np.sqrt((y**2).sum(1).mean())
    return y / rms * np.sqrt(size) / 2 if rms > 0 else y


def _spectral(adj: sp.csr_matrix, rng: np.random.Generator) -> np.ndarray | None:
    """The 2nd and 3rd eigenvectors (n, 2) of D^-1/2 A D^-1/2 of one connected component.

    Returns None when ARPACK does not converge within a small budget of restarts, or when
    an eigenvector localises (participation ratio below ``LOCALISED``).
    """
    n = adj.shape[0]
    dinv = 1.0 / np.sqrt(np.asarray(adj.sum(1)).ravel())
    m = sp.diags(dinv) @ adj @ sp.diags(dinv)
    try:
        # Largest eigenvalues of the normalized adjacency = smallest of the normalized
        # Laplacian; 'LA' converges far faster than 'SM' and a loose tol suffices for a start.
        w, v = eigsh(
            m, k=3, which="LA", tol=1e-3, ncv=min(n - 1, 20), maxiter=EIGSH_MAXITER, v0=rng.random(n) + 0.5
        )
    except (ArpackNoConvergence, ArpackError):
        return None
    v = v[:, np.argsort(-w)[1:3]].astype(np.float64)
    if not np.isfinite(v).all():
        return None
    participation = (v**2).sum(0) ** 2 / np.maximum((v**4).sum(0), 1e-300) / n
    return None if participation.min() < LOCALISED else v


def _pivot_distances(
    adj: sp.csr_matrix, first: int, d_first: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pivot ids (k,) and BFS distances (n, k) from k far-apart pivots chosen max-min, from ``first``."""
    n = adj.shape[0]
    k = min(k, n)
    pivots = np.empty(k, np.int64)
    dist = np.empty((n, k))
    pivots[0], dist[:, 0] = first, d_first
    nearest = d_first.copy()
    for i in range(1, k):
        pivots[i] = int(np.argmax(nearest))
        dist[:, i] = csgraph.dijkstra(adj, indices=int(pivots[i]), unweighted=True)
        np.minimum(nearest, dist[:, i], out=nearest)
    return pivots, dist


def _pivot_mds(dist: np.ndarray) -> np.ndarray:
    """Pivot MDS (Brandes & Pich 2006): (n, 2) from pivot distances (n, k), arbitrary scale.

    Double-centers the squared distances and projects onto their top two principal
    directions; the callers rescale.
    """
    d2 = dist**2
    c = -0.5 * (d2 - d2.mean(0) - d2.mean(1, keepdims=True) + d2.mean())
    _, vecs = np.linalg.eigh(c.T @ c)
    return c @ vecs[:, [-1, -2]]


def _sparse_stress(
    adj: sp.csr_matrix, pivots: np.ndarray, dist: np.ndarray, y: np.ndarray, iterations: int
) -> np.ndarray:
    """Sparse stress majorisation (Ortmann, Klimenta & Brandes 2016), Jacobi-style.

    Stress terms: every edge (target length 1, weight 1) and every node-pivot pair
    (target = BFS distance d, weight = the number of node pairs it stands for / d^2).
    Each iteration moves every node to the weighted mean of the positions its terms ask
    for. Returns (n, 2) in hop units.
    """
    n, k = dist.shape
    upper = sp.triu(adj, k=1, format="coo")
    u, v = upper.row.astype(np.int64), upper.col.astype(np.int64)
    edge = np.linalg.norm(y[u] - y[v], axis=1).mean()
    y = y / edge if edge > 0 else y  # start in hop units
    # float32 (n, k) work arrays: the loop is memory bound.
    # Weight of pair (i, p): the nodes of p's region (nodes nearest to p) within d_ip / 2 of
    # p, i.e. how many node pairs the term stands for, over d^2 as in full stress. A flat n/k
    # would pin the nodes next to a pivot onto circles and tear holes around it.
    region = np.argmin(dist, 1)
    count = np.empty((n, k))
    for j in range(k):
        count[:, j] = np.searchsorted(np.sort(dist[region == j, j]), dist[:, j] / 2, side="right")
    w = np.where(dist > 0, count / np.maximum(dist, 1.0) ** 2, 0.0).astype(np.float32)
    wd = (w * dist).astype(np.float32)
    wsum = np.diff(adj.indptr) + w.sum(1)
    x0, x1 = y[:, 0].astype(np.float32), y[:, 1].astype(np.float32)
    for _ in range(iterations):
        # Edge terms: u wants to sit at v + unit(u - v), and v at u - unit(u - v).
        dx, dy = x0[u] - x0[v], x1[u] - x1[v]
        d = np.sqrt(dx * dx + dy * dy) + np.float32(1e-9)
        dx, dy = dx / d, dy / d
        sx = np.bincount(u, x0[v] + dx, n) + np.bincount(v, x0[u] - dx, n)
        sy = np.bincount(u, x1[v] + dy, n) + np.bincount(v, x1[u] - dy, n)
        # Node-pivot terms (one-sided: a pivot is a landmark, not pulled by the n/k nodes
        # it stands for): i wants to sit at p + d_ip * unit(i - p). With r = w d / |i - p|
        # the sums reduce to matrix-vector products.
        px, py = x0[pivots], x1[pivots]
        ddx, ddy = x0[:, None] - px, x1[:, None] - py
        r = wd / (np.sqrt(ddx * ddx + ddy * ddy) + np.float32(1e-9))
        r_node = r.sum(1)
        sx += w @ px + x0 * r_node - r @ px
        sy += w @ py + x1 * r_node - r @ py
        x0, x1 = (sx / wsum).astype(np.float32), (sy / wsum).astype(np.float32)
    return np.stack([x0, x1], 1).astype(np.float64)


def _force_refine(
    adj: sp.csr_matrix, comp: np.ndarray, y: np.ndarray, rng: np.random.Generator, iterations: int
) -> np.ndarray:
    """Vectorized attraction / negative-sampling refinement of all given components at once.

    Each component keeps its own frame: negative samples are drawn inside the node's
    component, so components never push each other (they are packed afterwards).
    ``comp`` may have gaps in its ids. Returns (n, 2).
    """
    n = adj.shape[0]
    ids, comp = np.unique(comp, return_inverse=True)
    order, start, sizes = _groups(comp, ids.size)
    node_start, node_size = start[comp], sizes[comp]
    # Float32 coordinate vectors and each undirected edge once: the loop is memory bound.
    px = y[:, 0].astype(np.float32)
    py = y[:, 1].astype(np.float32)
    px += rng.standard_normal(n).astype(np.float32) * 1e-3  # break exact ties
    py += rng.standard_normal(n).astype(np.float32) * 1e-3
    upper = sp.triu(adj, k=1, format="coo")
    u, v = upper.row.astype(np.int64), upper.col.astype(np.int64)
    deg = np.diff(adj.indptr).astype(np.float32)
    one, eps = np.float32(1.0), np.float32(0.01)
    for it in range(iterations):
        alpha = np.float32(1.0 - it / iterations)  # cooling
        # Attraction along edges with UMAP's a=b=1 kernel: strong between near
        # neighbors, fading on the few long edges between communities.
        dx, dy = px[v] - px[u], py[v] - py[u]
        w = np.float32(2.0) / (one + dx * dx + dy * dy)
        gx = (np.bincount(u, w * dx, n) - np.bincount(v, w * dx, n)).astype(np.float32)
        gy = (np.bincount(u, w * dy, n) - np.bincount(v, w * dy, n)).astype(np.float32)
        # Repulsion from random nodes of the same component, NEGATIVE_SAMPLES per edge
        # end as in UMAP's SGD (sampled once per node, weighted by its degree).
        if ids.size == 1:
            neg = rng.integers(0, n, (n, NEGATIVE_SAMPLES))
        else:
            neg = order[node_start[:, None] + rng.integers(0, node_size[:, None], (n, NEGATIVE_SAMPLES))]
        dx, dy = px[:, None] - px[neg], py[:, None] - py[neg]
        d2 = dx * dx + dy * dy
        c = np.float32(2.0) / ((eps + d2) * (one + d2))
        gx += np.clip(c * dx, -4.0, 4.0).sum(1) * deg
        gy += np.clip(c * dy, -4.0, 4.0).sum(1) * deg
        px += alpha * np.clip(gx, -4.0, 4.0)
        py += alpha * np.clip(gy, -4.0, 4.0)
    return np.stack([px, py], 1).astype(np.float64)


def _pack_components(pos: np.ndarray, comp: np.ndarray, n_comp: int) -> np.ndarray:
    """Place components (ids sorted by size, largest first) side by side in rows.

    Each component is centered and scaled to an RMS radius of sqrt(size)/2 (area grows with
    node count), then dropped into shelves by bounding box: no overlap by construction.
    """
    sizes = np.bincount(comp, minlength=n_comp)
    # Vectorized per-component centering and scaling (there may be thousands of components).
    center = np.stack([np.bincount(comp, pos[:, i], n_comp) for i in range(2)], 1) / sizes[:, None]
    out = pos - center[comp]
    rms = np.sqrt(np.bincount(comp, (out**2).sum(1), n_comp) / sizes)
    scale = np.where(rms > 0, np.sqrt(sizes) / 2 / np.where(rms > 0, rms, 1.0), 1.0)
    out *= scale[comp, None]
    if n_comp == 1:
        return out
    order = np.argsort(comp, kind="stable")
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    lo = np.minimum.reduceat(out[order], start, axis=0)
    wh = np.maximum.reduceat(out[order], start, axis=0) - lo
    gap = 1.0 + 0.02 * np.sqrt(sizes[0])
    row_width = max(wh[0, 0], 1.2 * np.sqrt(((wh + gap).prod(1)).sum()))
    offset = np.empty((n_comp, 2))
    x = y = row_h = 0.0
    for c in range(n_comp):  # shelf packing: cheap scalar work per component
        if x > 0 and x + wh[c, 0] > row_width:
            x, y, row_h = 0.0, y - row_h - gap, 0.0
        offset[c] = (x, y - wh[c, 1])
        x += wh[c, 0] + gap
        row_h = max(row_h, wh[c, 1])
    out += (offset - lo)[comp]
    return out


def _ring(k: int, around: np.ndarray | None) -> np.ndarray:
    """K points evenly spaced on a circle enclosing ``around`` (or on the unit circle)."""
    if around is None:
        if k == 1:
            return np.zeros((1, 2))
        center, radius = np.zeros(2), 1.0
    else:
        center = (around.min(0) + around.max(0)) / 2
        radius = np.linalg.norm(around - center, axis=1).max() * 1.1 + 1.0
    t = 2 * np.pi * np.arange(k) / k
    return center + radius * np.stack([np.cos(t), np.sin(t)], 1)


def _normalize(pos: np.ndarray) -> np.ndarray:
    """Center the bounding box and scale uniformly so that max |coordinate| is 1."""
    pos = pos - (pos.min(0) + pos.max(0)) / 2
    scale = np.abs(pos).max()
    return (pos / scale if scale > 0 else pos).astype(np.float32)

"""Over-smoothing metrics of node representations, per layer of any model.

Every metric takes an (N, D) representation ``x``; the graph-aware ones also take the
graph. :func:`layer_metrics` computes all of them for every entry of a model's
``ModelOutput.hidden`` and shares the per-graph work (edge list, degrees, sampled node
pairs and their hop distances) across layers through a :class:`MetricContext`;
:func:`measure_for` binds that to one graph for many models (``core.sweeps.run_sweep``'s
``measure``). For one layer, :func:`distance_matrix` (heat map), :func:`centroid_distances`,
:func:`own_centroid_distance` and :func:`centroid_contrast` (color by distance to class centroids); for all layers at once,
:func:`layer_pca` (an embedding view that shows the collapse); Jacobian influence per hop is in
:mod:`explain.influence`.

Metrics (keys of :data:`METRICS`), with the papers they follow:

- ``dirichlet``: sqrt(E) with E(X) = (1/|V|) sum_i sum_{j in N(i)} ||x_i - x_j||^2
  (Rusch, Bronstein & Mishra 2023), in the units of ``x``.
- ``dirichlet_normalized``: tr(X^T Δ̃ X), Δ̃ = I - D̃^{-1/2} Ã D̃^{-1/2} with self-loops added
  (Ã = A + I, D̃ its degrees): the energy a GCN layer shrinks. Computed as
  1/2 sum over directed edges of ||x_i / sqrt(d̃_i) - x_j / sqrt(d̃_j)||^2, which equals the
  trace for undirected graphs (both directions stored, as PyG does).
- ``mad``, ``mad_neighbor``, ``mad_remote``, ``madgap``: mean average cosine distance
  (Chen et al., AAAI 2020) over all pairs, over pairs within 3 hops, over pairs 8 or more
  hops apart (or disconnected); MADGap = MAD_remote - MAD_neighbor. Each anchor node's
  distances are averaged over its masked pairs, then over anchors (the paper's
  "non-zero entries" rule is how it reads its masks; here the masks are explicit, so
  pairs at distance exactly 0 still count). NaN where a mask is empty (a graph whose
  diameter is below 8 has no remote pairs).
- ``smv``: DAGNN's smoothness metric value (Liu, Gao & Ji, KDD 2020): mean over nodes of
  the mean over the other nodes of D(x_i, x_j) = 1/2 ||x_i/||x_i|| - x_j/||x_j|| ||, in [0, 1].
- ``group_distance_ratio``: PyG ``DiffGroupNorm.group_distance_ratio`` (Zhou et al. 2020),
  mean inter-class over mean intra-class Euclidean distance; needs labels (NaN without).
- ``numerical_rank``: ||X||_F^2 / ||X||_2^2 (between 1 and rank X).
- ``effective_rank``: exp of the Shannon entropy of the normalized singular values
  (Roy & Vetterli 2007).
- ``cosine``: mean cosine similarity over all ordered pairs of distinct nodes (exact, O(N D)).

Rows of zeros (dead ReLUs) count as unit-distance from everything in the cosine-based
metrics (their normalized vector is 0).

Sampling (documented in :func:`metric_context`): the pairwise metrics (MAD family, SMV)
use up to ``max_anchors`` anchor nodes against up to ``max_targets`` target nodes, exact
when the graph has at most that many nodes; the energies use every edge up to
``max_edges`` undirected edges and a uniform edge sample beyond (an unbiased estimate);
the group distance ratio uses up to 1024 labeled nodes (its ``max_nodes``); the ranks
use the rows of up to ``max_rows`` nodes (a uniform sample: the sampled Gram matrix
estimates the full one up to the factor N / S, which neither rank depends on). The mean
cosine similarity is exact.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.nn import DiffGroupNorm
from torch_geometric.utils import coalesce, is_undirected, remove_self_loops

from nodescope.core.graph import multi_source_hop_distances

#: Pairs within this many hops count as neighbors for MADGap (Chen et al. 2020).
NEIGHBOR_HOPS = 3
#: Pairs at least this many hops apart (or disconnected) count as remote.
REMOTE_HOPS = 8
#: Edges handled per chunk in the energies (keeps the temporary (chunk, D) arrays in cache).
_EDGE_CHUNK = 1 << 13


@dataclass(frozen=True)
class MetricInfo:
    """How to show a metric.

    Attributes:
        title: axis label.
        description: one sentence for a tooltip.
        smoothing: ``"down"`` when over-smoothing drives it down, ``"up"`` when up.
        log_scale: whether a log axis suits it (positive and spanning decades).
    """

    title: str
    description: str
    smoothing: str
    log_scale: bool


METRICS: dict[str, MetricInfo] = {
    "dirichlet": MetricInfo(
        "Dirichlet energy √E",
        "Root of the mean over nodes of the summed squared distances to neighbors (Rusch et al. 2023).",
        "down",
        True,
    ),
    "dirichlet_normalized": MetricInfo(
        "Normalized Dirichlet energy tr(XᵀΔ̃X)",
        "Energy under the self-looped normalized Laplacian that GCN layers contract.",
        "down",
        True,
    ),
    "mad": MetricInfo("MAD", "Mean cosine distance between node pairs (Chen et al. 2020).", "down", True),
    "mad_neighbor": MetricInfo(
        "MAD, neighbors (≤3 hops)", "Mean cosine distance between nodes within 3 hops.", "down", True
    ),
    "mad_remote": MetricInfo(
        "MAD, remote (≥8 hops)", "Mean cosine distance between nodes 8 or more hops apart.", "down", True
    ),
    "madgap": MetricInfo(
        "MADGap", "Remote minus neighbor MAD: how much more distant far nodes stay.", "down", False
    ),
    "smv": MetricInfo(
        "SMV", "Mean normalized Euclidean distance between nodes (DAGNN, Liu et al. 2020).", "down", True
    ),
    "group_distance_ratio": MetricInfo(
        "Group distance ratio",
        "Mean inter-class over mean intra-class distance (PyG DiffGroupNorm).",
        "down",
        False,
    ),
    "numerical_rank": MetricInfo(
        "Numerical rank", "‖X‖²_F / ‖X‖²₂: how many directions carry the energy.", "down", True
    ),
    "effective_rank": MetricInfo(
        "Effective rank", "exp(entropy of normalized singular values) (Roy & Vetterli 2007).", "down", True
    ),
    "cosine": MetricInfo("Mean cosine similarity", "Mean cosine similarity of all node pairs.", "up", False),
}


@dataclass(frozen=True)
class MetricContext:
    """Per-graph data shared by every layer's metrics (build with :func:`metric_context`).

    Attributes:
        num_nodes: N.
        src, dst: (M,) int64 edges the energies sum over (one direction of each pair when
            the graph is undirected; self-loops and duplicates removed; a uniform sample
            when the graph has more than ``max_edges`` of them).
        edge_scale: how many directed edges each listed edge stands for (2 for an
            undirected pair, times the sampling factor).
        inv_sqrt_deg: (N,) float32 1/sqrt(d̃), d̃ = in-degree + 1 (the self-loop), as PyG's gcn_norm.
        anchors: (S,) int64 nodes whose pairs the MAD family and SMV average over.
        targets: (T,) int64 nodes they are paired with.
        hops: (S, T) int16 undirected hop distance from each anchor to each target, -1 for
            ``REMOTE_HOPS`` or more (or disconnected).
        rows: (R,) int64 sorted nodes whose rows the ranks use, or None for all rows.
    """

    num_nodes: int
    src: Tensor
    dst: Tensor
    edge_scale: float
    inv_sqrt_deg: Tensor
    anchors: Tensor
    targets: Tensor
    hops: Tensor
    rows: Tensor | None = None

    @functools.cached_property
    def pair_weights(self) -> Tensor:
        """(3, S, T) :func:`_pair_weights` of the anchors and targets (computed once, used at every layer)."""
        return _pair_weights(self.anchors, self.targets, self.hops)


def metric_context(
    edge_index: Tensor,
    num_nodes: int,
    *,
    max_anchors: int = 128,
    max_targets: int = 4096,
    max_edges: int = 65_536,
    max_rows: int = 8192,
    seed: int = 0,
) -> MetricContext:
    """Precompute what :func:`layer_metrics` needs from the graph alone.

    Anchors are all nodes when N <= ``max_anchors``, else a uniform sample. Targets are
    all nodes when N <= ``max_targets``; otherwise a uniform sample of ``max_targets``
    nodes plus, per anchor, up to 8 sampled nodes within 3 hops and 8 at 8+ hops, so the
    neighbor and remote masks are not empty by chance on large graphs. Hop distances come
    from a breadth-first search to depth 7 from all anchors at once on the undirected graph
    (:func:`core.graph.multi_source_hop_distances`).
    The sampled edges are listed in (source, target) order, so that the energies read the
    representations nearly in memory order.

    Args:
        edge_index: (2, E) int64, source row 0, target row 1.
        num_nodes: N.
        max_anchors: most anchor nodes of the pairwise metrics (sampled above it).
        max_targets: most uniformly sampled target nodes of the pairwise metrics.
        max_edges: undirected edges (directed ones for a directed graph) the energies use exactly.
        max_rows: nodes whose rows the ranks use exactly.
        seed: seeds every sample.
    """
    gen = torch.Generator().manual_seed(seed)
    ei = coalesce(remove_self_loops(edge_index.detach().cpu().long())[0], num_nodes=num_nodes)
    deg = torch.bincount(ei[1], minlength=num_nodes).float() + 1.0
    undirected = is_undirected(ei, num_nodes=num_nodes)
    pairs = ei[:, ei[0] < ei[1]] if undirected else ei
    scale = 2.0 if undirected else 1.0
    if pairs.shape[1] > max_edges:
        keep = torch.randperm(pairs.shape[1], generator=gen)[:max_edges].sort().values
        scale *= pairs.shape[1] / max_edges
        pairs = pairs[:, keep]

    if num_nodes <= max_anchors:
        anchors = torch.arange(num_nodes)
    else:
        anchors = torch.randperm(num_nodes, generator=gen)[:max_anchors].sort().values
    full_hops = multi_source_hop_distances(
        ei, anchors.numpy(), num_nodes, flow="undirected", max_hops=REMOTE_HOPS - 1
    )
    if num_nodes <= max_targets:
        targets = np.arange(num_nodes)
    else:
        rng = np.random.default_rng(seed)
        picks = [rng.choice(num_nodes, max_targets, replace=False)]
        for row in full_hops:
            for near in (np.flatnonzero((row >= 1) & (row <= NEIGHBOR_HOPS)), np.flatnonzero(row < 0)):
                if len(near):
                    picks.append(rng.choice(near, min(8, len(near)), replace=False))
        targets = np.unique(np.concatenate(picks))
    rows = None
    if num_nodes > max_rows:
        rows = torch.randperm(num_nodes, generator=gen)[:max_rows].sort().values
    return MetricContext(
        num_nodes=num_nodes,
        src=pairs[0].contiguous(),
        dst=pairs[1].contiguous(),
        edge_scale=scale,
        inv_sqrt_deg=deg.rsqrt(),
        anchors=anchors,
        targets=torch.from_numpy(targets).long(),
        hops=torch.from_numpy(full_hops[:, targets]),
        rows=rows,
    )


def _as_float(x: Tensor) -> Tensor:
    return x.detach().to("cpu", torch.float32)


# --- energies ---------------------------------------------------------------------------


def _scaled(x: Tensor) -> tuple[Tensor, float]:
    """(x / peak, peak) with peak = max |x|, or (x, 0.0) for an all-zero ``x``.

    Every metric works on the scaled copy (all are scale-free, or scale back exactly): squares of
    the tiny differences of a smoothed layer would otherwise underflow float32, and F.normalize's
    eps would swamp tiny rows.
    """
    if not x.numel():
        return x, 0.0
    low, high = torch.aminmax(x)  # no |x| temporary
    peak = max(-float(low), float(high))
    return (x / peak, peak) if peak > 0.0 else (x, 0.0)


def _energy_sums(scaled: Tensor, peak: float, ctx: MetricContext) -> tuple[float, float]:
    """(sum over directed edges of ||x_i - x_j||^2, same for x / sqrt(d̃)) from ``scaled`` = x / peak.

    Exact differences in float32 accumulated in float64, so tiny energies of smoothed layers stay
    accurate.
    """
    plain = normalized = 0.0
    w = ctx.inv_sqrt_deg
    for start in range(0, len(ctx.src), _EDGE_CHUNK):
        s, t = ctx.src[start : start + _EDGE_CHUNK], ctx.dst[start : start + _EDGE_CHUNK]
        xs, xt = scaled.index_select(0, s), scaled.index_select(0, t)
        plain += _sum_of_squares(xs - xt)
        xs.mul_(w[s, None])
        xt.mul_(w[t, None])
        normalized += _sum_of_squares(xs.sub_(xt))
    factor = ctx.edge_scale * peak * peak
    return plain * factor, normalized * factor


def _sum_of_squares(d: Tensor) -> float:
    """Sum of squared entries: float32 within a row, float64 across rows (fast, and accurate to ~1e-9)."""
    return float(torch.einsum("ij,ij->i", d, d).sum(dtype=torch.float64))


def dirichlet_energy(x: Tensor, edge_index: Tensor, *, context: MetricContext | None = None) -> float:
    """sqrt(E(X)), E = (1/N) sum_i sum_{j in N(i)} ||x_i - x_j||^2 (Rusch et al. 2023), in units of ``x``.

    Args:
        x: (N, D) node representations.
        edge_index: (2, E) edges; an undirected graph lists both directions.
        context: a prebuilt :func:`metric_context` of the same graph (skips rebuilding it).
    """
    x = _as_float(x)
    ctx = context or metric_context(edge_index, x.shape[0])
    return math.sqrt(_energy_sums(*_scaled(x), ctx)[0] / x.shape[0])


def normalized_dirichlet_energy(
    x: Tensor, edge_index: Tensor, *, context: MetricContext | None = None
) -> float:
    """tr(X^T Δ̃ X) with Δ̃ = I - D̃^{-1/2}(A + I)D̃^{-1/2}, in squared units of ``x`` (see module docstring)."""
    x = _as_float(x)
    ctx = context or metric_context(edge_index, x.shape[0])
    return 0.5 * _energy_sums(*_scaled(x), ctx)[1]


# --- pairwise distances -----------------------------------------------------------------


def _unit_rows(x: Tensor) -> Tensor:
    """Rows scaled to unit norm; zero rows stay 0 (they then count as unit-distance from everything)."""
    return torch.nn.functional.normalize(_scaled(x)[0], dim=1, eps=1e-30)


def _masked_mean_per_anchor(values: Tensor, mask: Tensor) -> float:
    """Mean over anchors (rows with at least one masked entry) of each row's masked mean; NaN if none."""
    counts = mask.sum(1)
    rows = counts > 0
    if not bool(rows.any()):
        return math.nan
    sums = (values * mask).sum(1)  # float32 is ample for T terms in [0, 2]
    return float((sums[rows].double() / counts[rows]).mean())


def _pairwise(u: Tensor, anchors: Tensor, targets: Tensor, hops: Tensor) -> dict[str, float]:
    """MAD family and SMV over anchor x target pairs of unit rows ``u`` (:func:`_unit_rows`).

    ``hops`` (S, T) as in :class:`MetricContext`.
    """
    return _pairwise_unit(u[anchors], u[targets], _pair_weights(anchors, targets, hops))


def _pair_weights(anchors: Tensor, targets: Tensor, hops: Tensor) -> Tensor:
    """(3, S, T) float32 weights turning a sum over pairs into a mean over anchors of their means.

    A sum over anchor x target pairs becomes the mean over anchors of each anchor's mean over its
    pairs (:func:`_masked_mean_per_anchor`), for the masks "other node", "within NEIGHBOR_HOPS"
    and "remote"; a mask without pairs gets NaN weights.
    """
    masks = torch.stack(
        [anchors[:, None] != targets[None, :], (hops >= 1) & (hops <= NEIGHBOR_HOPS), hops < 0]
    ).float()
    counts = masks.sum(2, keepdim=True)  # (3, S, 1) pairs per anchor
    anchors_with_pairs = (counts > 0).sum(1, keepdim=True)  # (3, 1, 1)
    return masks / (counts.clamp_min(1.0) * anchors_with_pairs)  # 0 / 0 = NaN for an empty mask


def _pairwise_unit(ua: Tensor, ut: Tensor, weights: Tensor) -> dict[str, float]:
    """:func:`_pairwise` from the unit rows of the (S,) anchors and (T,) targets and their :func:`_pair_weights`."""
    sim = ua @ ut.T
    cos_dist = (1.0 - sim).clamp_min(0.0)
    # ||u_i - u_j||^2 = |u_i|^2 + |u_j|^2 - 2 u_i.u_j (|u| is 1, or 0 for a zero row).
    half_dist = (
        (ua.pow(2).sum(1, keepdim=True) + ut.pow(2).sum(1) - 2.0 * sim).clamp_min(0.0).sqrt_().mul_(0.5)
    )
    mad_all, mad_nb, mad_rm = torch.einsum("st,mst->m", cos_dist, weights).tolist()
    return {
        "mad": mad_all,
        "mad_neighbor": mad_nb,
        "mad_remote": mad_rm,
        "madgap": mad_rm - mad_nb,
        "smv": float(torch.einsum("st,st->", half_dist, weights[0])),
    }


def mad(x: Tensor, mask: Tensor | None = None) -> float:
    """Mean average cosine distance (Chen et al. 2020) over all node pairs, or those in ``mask``.

    Args:
        x: (N, D) node representations.
        mask: optional (N, N) bool, the pairs to average over (default: all pairs i != j).

    Returns:
        In [0, 2]: per node the mean cosine distance to its masked partners, averaged over
        nodes with at least one partner; NaN when no pair is masked.
    """
    u = _unit_rows(_as_float(x))
    dist = (1.0 - u @ u.T).clamp_min(0.0)
    if mask is None:
        mask = ~torch.eye(len(u), dtype=torch.bool)
    return _masked_mean_per_anchor(dist, mask)


def mad_gap(x: Tensor, edge_index: Tensor, *, context: MetricContext | None = None) -> float:
    """MAD over pairs >= 8 hops apart minus MAD over pairs within 3 hops (Chen et al. 2020); NaN without remote pairs."""
    x = _as_float(x)
    ctx = context or metric_context(edge_index, x.shape[0])
    return _pairwise(_unit_rows(x), ctx.anchors, ctx.targets, ctx.hops)["madgap"]


def smv(x: Tensor) -> float:
    """DAGNN's smoothness metric value: mean_i mean_{j != i} 1/2 ||x_i/||x_i|| - x_j/||x_j|| ||, in [0, 1]."""
    x = _as_float(x)
    nodes = torch.arange(x.shape[0])
    return _pairwise(_unit_rows(x), nodes, nodes, torch.zeros(len(nodes), len(nodes), dtype=torch.int16))[
        "smv"
    ]


def mean_cosine_similarity(x: Tensor) -> float:
    """Mean cosine similarity over all ordered pairs of distinct nodes, exactly in O(N D)."""
    return _mean_cosine(_unit_rows(_as_float(x)))


def _mean_cosine(u: Tensor) -> float:
    n = u.shape[0]
    if n < 2:
        return math.nan
    total = u.sum(0).double()
    return float((total @ total - _sum_of_squares(u)) / (n * (n - 1)))


def group_distance_ratio(x: Tensor, y: Tensor, *, max_nodes: int = 1024, seed: int = 0) -> float:
    """Mean inter-class over mean intra-class distance (PyG ``DiffGroupNorm.group_distance_ratio``).

    Nodes with ``y < 0`` are ignored; above ``max_nodes`` labeled nodes a uniform sample is
    used. ``x`` is first scaled to unit root-mean-square norm: the ratio does not depend on
    scale, but PyG's ``eps`` (1e-5) in the denominator would otherwise dominate vanishing
    representations. NaN with fewer than two classes.
    """
    x, y = _as_float(x), y.detach().cpu().long()
    nodes = (y >= 0).nonzero().flatten()
    if len(nodes) > max_nodes:
        gen = torch.Generator().manual_seed(seed)
        nodes = nodes[torch.randperm(len(nodes), generator=gen)[:max_nodes]]
    x, y = x[nodes], y[nodes]
    classes, y = torch.unique(y, return_inverse=True)
    rms = x.pow(2).sum(1).mean().sqrt()
    if len(classes) < 2 or float(rms) == 0.0:
        return math.nan
    return float(DiffGroupNorm.group_distance_ratio(x / rms, y))


# --- spectrum ---------------------------------------------------------------------------


def _singular_values(x: Tensor) -> Tensor:
    """Singular values of (N, D) ``x``, largest first, from the R factor of its QR decomposition.

    Accurate to ~1e-7 of the largest in float32 (a float32 Gram matrix would give only ~1e-4), and
    as fast as a float64 Gram matrix for tall, thin ``x``.
    """
    if x.shape[1] > x.shape[0]:
        x = x.T
    return torch.linalg.svdvals(torch.linalg.qr(x, mode="r").R)


def _ranks(x: Tensor) -> tuple[float, float]:
    """(numerical rank, effective rank) of ``x``; both are scale-free."""
    sv = _singular_values(x)
    if float(sv[0]) == 0.0:
        return math.nan, math.nan
    numerical = float(sv.pow(2).sum() / sv[0].pow(2))
    p = sv / sv.sum()
    p = p[p > 0]
    return numerical, float(torch.exp(-(p * p.log()).sum()))


def numerical_rank(x: Tensor) -> float:
    """||X||_F^2 / ||X||_2^2: in [1, rank X]; NaN for a zero matrix."""
    return _ranks(_as_float(x))[0]


def effective_rank(x: Tensor) -> float:
    """Roy & Vetterli's effective rank: exp(-sum p_k log p_k), p = singular values / their sum; NaN for 0."""
    return _ranks(_as_float(x))[1]


# --- views of one layer ----------------------------------------------------------------


def distance_matrix(x: Tensor, nodes: Tensor | None = None, *, kind: str = "cosine") -> np.ndarray:
    """(n, n) float32 pairwise distances between ``nodes`` (default all) for a heat map.

    Args:
        x: (N, D) node representations.
        nodes: (n,) node ids, in the order of the rows and columns (sort them by class to see blocks).
        kind: ``cosine`` (1 - cosine similarity, in [0, 2], MAD's distance) or ``euclidean``
            (in units of ``x``).
    """
    x = _as_float(x)
    if nodes is not None:
        x = x[nodes]
    if kind == "cosine":
        u = _unit_rows(x)
        return (1.0 - u @ u.T).clamp_min(0.0).numpy()
    if kind == "euclidean":
        scaled, peak = _scaled(x)
        return (torch.cdist(scaled, scaled) * peak).numpy()
    raise ValueError(f"kind must be cosine or euclidean, not {kind!r}")


def centroid_distances(x: Tensor, y: Tensor) -> np.ndarray:
    """(N, C) float32 Euclidean distance of every node to every class centroid, in units of ``x``.

    Centroids average the nodes with that label (``y < 0``: unlabeled, in no centroid); a
    class without nodes gets a NaN column. Column ``y[i]`` of row i is how far node i sits
    from its own class; over-smoothing pulls all columns together.
    """
    scaled, peak = _scaled(_as_float(x))
    y = y.detach().cpu().long()
    classes = int(y.max()) + 1 if len(y) else 0
    known = y >= 0
    sums = torch.zeros(classes, scaled.shape[1]).index_add_(0, y[known], scaled[known])
    counts = torch.bincount(y[known], minlength=classes).float()
    centroids = sums / counts[:, None]  # NaN rows for empty classes
    return (torch.cdist(scaled, centroids) * peak).numpy()


def centroid_contrast(x: Tensor, y: Tensor) -> np.ndarray:
    """(N,) float32 log2 of each node's distance to its own class centroid over that to the nearest other.

    Both distances are those of :func:`centroid_distances`.

    Negative: closer to its own class; 0: no closer to its own class than to another (what
    over-smoothing drives every node to); positive: closer to another class. NaN for
    unlabeled nodes (``y < 0``), with fewer than two classes, and where both distances are 0.
    """
    dist = centroid_distances(x, y).astype(np.float64)
    y = y.detach().cpu().long().numpy()
    out = np.full(len(y), np.nan, dtype=np.float32)
    if dist.shape[1] < 2:
        return out
    rows = np.flatnonzero(y >= 0)
    own = dist[rows, y[rows]]
    others = dist[rows].copy()
    others[np.arange(len(rows)), y[rows]] = np.inf
    nearest = np.nanmin(others, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[rows] = np.log2(own / nearest)
    out[~np.isfinite(out)] = np.nan
    return out


def own_centroid_distance(x: Tensor, y: Tensor) -> np.ndarray:
    """(N,) float32 distance of each node to its own class centroid, in RMS node norms of the layer.

    Scale-free: in units of the layer's root-mean-square node norm; 0 when the class has collapsed
    onto one vector, which over-smoothing drives every node to. NaN for unlabeled nodes and for
    an all-zero ``x``.
    """
    scaled = _scaled(_as_float(x))[0]  # the ratio is scale-free: work where float32 cannot underflow
    y = y.detach().cpu().long()
    out = np.full(len(y), np.nan, dtype=np.float32)
    rms = float(scaled.pow(2).sum(1).mean().sqrt())
    rows = (y >= 0).nonzero().flatten().numpy()
    if rms == 0.0 or not len(rows):
        return out
    out[rows] = centroid_distances(scaled, y)[rows, y.numpy()[rows]] / rms
    return out


def layer_pca(hidden: list[Tensor]) -> np.ndarray:
    """(L + 1, N, 2) float32: every layer's representations on its first two principal axes.

    Unlike :func:`explain.embedding.pca_2d`, columns are centered but not standardized, and each
    layer is divided by its root-mean-square node norm (of the uncentered rows): a layer whose
    nodes collapse onto one vector (over-smoothing) collapses onto the origin instead of having its
    tiny differences blown up. Signs follow the previous layer (each axis is flipped when that
    makes it correlate positively with the same axis one layer down), so a layer slider does not
    jump between mirror images. An all-zero layer maps to the origin.

    Args:
        hidden: ``ModelOutput.hidden``, each (N, D_k), any device.
    """
    out = np.zeros((len(hidden), hidden[0].shape[0], 2), np.float32)
    for k, h in enumerate(hidden):
        x = _scaled(_as_float(h))[0].double()  # scale-free, and no float32 underflow when smoothed
        rms = x.pow(2).sum(1).mean().sqrt()
        if float(rms) == 0.0 or x.shape[0] < 2:
            continue
        centered = (x - x.mean(0)) / rms
        u, s, _ = torch.linalg.svd(centered, full_matrices=False)
        coords = (u[:, :2] * s[:2]).numpy()
        if k > 0:
            flip = np.sign((coords * out[k - 1, :, : coords.shape[1]]).sum(0))
            coords = coords * np.where(flip == 0, 1.0, flip)
        out[k, :, : coords.shape[1]] = coords
    return out


# --- all of them, per layer -------------------------------------------------------------


def representation_metrics(x: Tensor, context: MetricContext, y: Tensor | None = None) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one (N, D) representation of the graph in ``context``."""
    x = _as_float(x)
    if x.shape[0] != context.num_nodes:
        raise ValueError(f"representation has {x.shape[0]} rows but the graph has {context.num_nodes} nodes")
    scaled, peak = _scaled(x)
    plain, normalized = _energy_sums(scaled, peak, context)
    out = {"dirichlet": math.sqrt(plain / context.num_nodes), "dirichlet_normalized": 0.5 * normalized}
    # Unit rows only where the pairwise metrics need them; the mean cosine needs only their sum.
    norms = torch.linalg.vector_norm(scaled, dim=1)
    inv_norms = torch.where(norms > 0, 1.0 / norms, 0.0)
    pairs = torch.cat([context.anchors, context.targets])
    u = scaled[pairs] * inv_norms[pairs, None]
    s = len(context.anchors)
    out.update(_pairwise_unit(u[:s], u[s:], context.pair_weights))
    out["group_distance_ratio"] = math.nan if y is None else group_distance_ratio(scaled, y)
    out["numerical_rank"], out["effective_rank"] = _ranks(
        scaled if context.rows is None else scaled[context.rows]
    )
    total = (inv_norms @ scaled).double()
    n, nonzero = scaled.shape[0], float((norms > 0).sum())
    out["cosine"] = math.nan if n < 2 else float((total @ total - nonzero) / (n * (n - 1)))
    return {name: out[name] for name in METRICS}


def layer_metrics(
    hidden: list[Tensor],
    edge_index: Tensor,
    y: Tensor | None = None,
    *,
    context: MetricContext | None = None,
) -> dict[str, np.ndarray]:
    """All metrics at every layer: ``{name: (L + 1,) float64 array}``, entry k for ``hidden[k]``.

    Args:
        hidden: a model's ``ModelOutput.hidden`` (``hidden[0]`` its input), each (N, D_k);
            tensors may be on any device.
        edge_index: (2, E) the graph the model ran on.
        y: (N,) class per node (-1 for unlabeled) for the group distance ratio, or None.
        context: a :func:`metric_context` of this graph to reuse across models (built if None).
    """
    if not hidden:
        raise ValueError("no representations given")
    ctx = context or metric_context(edge_index, hidden[0].shape[0])
    rows = [representation_metrics(h, ctx, y) for h in hidden]
    return {name: np.array([r[name] for r in rows], dtype=np.float64) for name in METRICS}


def measure_for(
    data: Data, *, context: MetricContext | None = None
) -> Callable[[list[Tensor]], dict[str, np.ndarray]]:
    """:func:`layer_metrics` bound to one graph, for measuring many models on it (``core.sweeps``'s ``measure``).

    The :class:`MetricContext` is built once, and so are the metrics of ``data.x``: a model whose
    ``hidden[0]`` equals the node features (every model that does not encode first) reuses them.

    Args:
        data: the graph (``x``, ``edge_index``, optional ``y``).
        context: a prebuilt context of this graph.
    """
    ctx = context or metric_context(data.edge_index, data.num_nodes)
    x = _as_float(data.x)
    y = getattr(data, "y", None)
    inputs = representation_metrics(x, ctx, y)

    def measure(hidden: list[Tensor]) -> dict[str, np.ndarray]:
        first = hidden[0].detach().to("cpu", torch.float32)
        rows = [
            inputs
            if first.shape == x.shape and torch.equal(first, x)
            else representation_metrics(first, ctx, y)
        ]
        rows += [representation_metrics(h, ctx, y) for h in hidden[1:]]
        return {name: np.array([r[name] for r in rows], dtype=np.float64) for name in METRICS}

    return measure

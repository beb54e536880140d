"""Per-node context vectors after X-Node (Sengupta & Rekik, "X-Node: Self-Explanation is All We Need", 2025).

A node's context is a short vector of cues a person can read: how connected and central it
is, how clustered its neighborhood is, how unanimous the known labels around it are, and
(computed by the model, see :mod:`core.models.xnode`) how strongly its own features drive
its prediction and which class its own features, and its neighbors' features, point to.
:func:`graph_context` computes the graph cues once per graph (cached in memory); the model
adds the saliency cues and the per-class vote cues on every forward pass.

**Per-class cues** (:data:`CLASS_CUES`) are families with one number per class: the cue
``"neighbor vote: 3"`` is the mean probability of class 3 that the model gives each neighbor
seen alone (from its own features, without edges). :func:`cue_names` expands the families for
a class count and :func:`cue_of` finds the declaration of any cue name, expanded or not.

Label cues use **training labels only** (``data.y`` where ``data.train_mask``): validation
and test labels never reach the context, and a node's own label is never part of its own
context (it would leak a training node's label into its input and is unknown at test time).

Cues are standardized over the graph's nodes (after the transform named in :data:`CUES`),
so 0 means "average for this graph" and 1 means one standard deviation above it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch_geometric.data import Data

Transform = Literal["none", "log1p", "log_ratio", "log1p_ratio"]


@dataclass(frozen=True)
class Cue:
    """One context cue.

    Attributes:
        name: short name used in tables, charts and explanation text.
        words: what it measures, in plain words (completes "... because of ...").
        transform: applied to the raw value before standardizing, to tame heavy tails:
            ``log1p`` for counts, ``log_ratio`` (log of N × value: relative to the uniform
            share 1/N) for PageRank, ``log1p_ratio`` (log(1 + N × value)) for betweenness,
            ``none`` otherwise.
    """

    name: str
    words: str
    transform: Transform = "none"


#: Every cue, in the order of the context vector: graph cues first, then the model's cues,
#: then the per-class families (each expanded to one cue per class, see :func:`cue_names`).
CUES: dict[str, Cue] = {
    c.name: c
    for c in (
        Cue("degree", "how many direct neighbors it has", "log1p"),
        Cue("clustering", "how much its neighbors are linked to each other"),
        Cue("pagerank", "how central it is in the whole network (PageRank)", "log_ratio"),
        Cue("betweenness", "how often it lies on shortest paths between other nodes", "log1p_ratio"),
        Cue("label agreement", "how unanimous the known labels of nearby nodes are"),
        Cue("no labeled neighbors", "that no node near it has a known label"),
        Cue("feature saliency", "how strongly its own features push the prediction", "log1p"),
        Cue("top-feature share", "how much one single feature dominates that push"),
        Cue(
            "own-feature vote",
            "how strongly its own features alone point to the class (the model's probability "
            "for it with the node seen alone, without edges; 0-1)",
        ),
        Cue(
            "neighbor vote",
            "how strongly its neighbors' own features point to the class (the mean of the "
            "probabilities the model gives each direct neighbor seen alone; 0-1, 0 without neighbors)",
        ),
    )
}
#: Cues computed from the graph and the training labels by :func:`graph_context`.
GRAPH_CUES: tuple[str, ...] = tuple(CUES)[:6]
#: Cues the model computes from its own gradients on every forward pass.
MODEL_CUES: tuple[str, ...] = tuple(CUES)[6:8]
#: Per-class cue families the model computes on every forward pass (one cue per class).
CLASS_CUES: tuple[str, ...] = tuple(CUES)[8:]


def class_cue(family: str, c: int) -> str:
    """The name of class ``c``'s cue of a per-class family: ``"neighbor vote: 3"``."""
    return f"{family}: {c}"


def cue_names(chosen: list[str] | tuple[str, ...], num_classes: int) -> tuple[str, ...]:
    """The chosen cues in :data:`CUES` order, each per-class family expanded to ``num_classes`` cues."""
    names: list[str] = []
    for name in CUES:
        if name in chosen:
            names += [class_cue(name, c) for c in range(num_classes)] if name in CLASS_CUES else [name]
    return tuple(names)


def split_class_cue(name: str) -> tuple[str, int] | None:
    """``(family, class id)`` of a per-class cue name (``"neighbor vote: 3"``), None for other cues."""
    family, sep, c = name.rpartition(": ")
    return (family, int(c)) if sep and family in CLASS_CUES and c.isdigit() else None


def cue_of(name: str) -> Cue:
    """The declaration of any cue name, a per-class one (``"neighbor vote: 3"``) included."""
    split = split_class_cue(name)
    return CUES[split[0] if split else name]


@dataclass(frozen=True)
class GraphContext:
    """The graph cues of every node of one graph.

    Attributes:
        names: the cue names, :data:`GRAPH_CUES`, in column order.
        raw: (N, S) float64 values before transform: degree (count), clustering coefficient
            in [0, 1], PageRank (sums to 1), betweenness (normalized, in [0, 1]), label
            agreement in [0, 1] (NaN when no labeled node is within ``hops``), no labeled
            neighbors (0 or 1).
        z: (N, S) float32, transformed then standardized over the nodes; an unknown label
            agreement is 0 (the average), flagged by the ``no labeled neighbors`` cue.
        mean: (S,) mean of the transformed values (what z = 0 stands for).
        std: (S,) standard deviation of the transformed values (1 where constant).
        label_counts: (N, C) int64, per node the number of training-labeled nodes of each
            class within ``hops`` hops, the node itself excluded.
        hops: the radius of the label cues.
        betweenness_samples: source nodes sampled for betweenness, None when exact.
    """

    names: tuple[str, ...]
    raw: np.ndarray
    z: Tensor
    mean: np.ndarray
    std: np.ndarray
    label_counts: np.ndarray
    hops: int
    betweenness_samples: int | None

    def value_at(self, cue: str, z: float) -> float:
        """The raw value of ``cue`` that standardizes to ``z`` (to say "if its degree were 12")."""
        i = self.names.index(cue)
        return inverse_transform(CUES[cue].transform, self.mean[i] + z * self.std[i], len(self.raw))


_CACHE: OrderedDict[str, GraphContext] = OrderedDict()
_CACHE_SIZE = 8


def transform(kind: Transform, raw: np.ndarray, n: int) -> np.ndarray:
    """Apply a :data:`Cue` transform to raw values of a graph with ``n`` nodes."""
    if kind == "log1p":
        return np.log1p(raw)
    if kind == "log_ratio":
        return np.log(np.maximum(raw * n, 1e-12))
    if kind == "log1p_ratio":
        return np.log1p(raw * n)
    return raw


def inverse_transform(kind: Transform, value: float, n: int) -> float:
    """Undo :func:`transform` for one value."""
    if kind == "log1p":
        return float(np.expm1(value))
    if kind == "log_ratio":
        return float(np.exp(value) / n)
    if kind == "log1p_ratio":
        return float(np.expm1(value) / n)
    return float(value)


def standardize(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """z-scores of ``values`` ignoring NaNs (NaN → 0), with the mean and std used (std 1 if constant)."""
    known = values[~np.isnan(values)]
    mean = float(known.mean()) if known.size else 0.0
    std = float(known.std()) if known.size else 0.0
    std = std if std > 1e-12 else 1.0
    return np.nan_to_num((values - mean) / std, nan=0.0), mean, std


def adjacency(edge_index: Tensor, n: int) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency without self-loops (structural cues treat every graph as undirected)."""
    src, dst = edge_index.cpu().numpy()
    keep = src != dst
    a = sp.coo_matrix((np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(n, n)).tocsr()
    a = ((a + a.T) > 0).astype(np.float64)
    return a.tocsr()


def betweenness(a: sp.csr_matrix, sources: np.ndarray, *, chunk: int = 128) -> np.ndarray:
    """Brandes betweenness of every node from the given source nodes, normalized as networkx does.

    Vectorized over sources: breadth-first levels and the dependency accumulation are sparse
    matrix products with an (N, sources) block, so 256 sources on Cora take a fraction of a
    second (networkx's loop takes seconds). With every node as a source the result equals
    ``networkx.betweenness_centrality(g)``; with k sampled sources it is the same unbiased
    estimate networkx computes for ``k`` (sum × N / k), normalized by (N - 1)(N - 2).

    Args:
        a: symmetric 0/1 adjacency without self-loops, (N, N).
        sources: source node ids.
        chunk: sources per block (memory is N × chunk floats).

    Returns:
        (N,) float64 betweenness in [0, 1].
    """
    n = a.shape[0]
    total = np.zeros(n)
    for start in range(0, len(sources), chunk):
        src = sources[start : start + chunk]
        cols = np.arange(len(src))
        sigma = np.zeros((n, len(src)))  # shortest-path counts from each source
        sigma[src, cols] = 1.0
        dist = np.full((n, len(src)), -1, np.int64)
        dist[src, cols] = 0
        frontier, depth = sigma.copy(), 0
        while frontier.any():
            reached = a @ frontier
            new = (dist < 0) & (reached > 0)
            depth += 1
            dist[new] = depth
            frontier = np.where(new, reached, 0.0)
            sigma += frontier
        delta = np.zeros_like(sigma)  # dependency of each source on each node
        safe = np.where(sigma > 0, sigma, 1.0)
        for level in range(depth - 1, 0, -1):
            coef = np.where(dist == level + 1, (1.0 + delta) / safe, 0.0)
            delta += np.where(dist == level, sigma * (a @ coef), 0.0)
        total += delta.sum(1)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return total * scale * n / max(len(sources), 1)


def label_counts(a: sp.csr_matrix, y: Tensor | None, train_mask: Tensor | None, hops: int) -> np.ndarray:
    """(N, C) counts of training labels per class among the nodes within ``hops`` hops (self excluded)."""
    n = a.shape[0]
    if y is None or train_mask is None or not bool(train_mask.any()):
        return np.zeros((n, 1), np.int64)
    y_np = y.cpu().numpy()
    known = train_mask.cpu().numpy().astype(bool) & (y_np >= 0)
    classes = int(y_np.max()) + 1  # the class count only; no node's label but the training ones is read
    onehot = sp.csr_matrix(
        (np.ones(int(known.sum())), (np.flatnonzero(known), y_np[known])), shape=(n, classes)
    )
    reach, power = a.copy(), a.copy()
    for _ in range(hops - 1):
        power = power @ a
        reach = reach + power
    reach = (reach > 0).astype(np.float64).tolil()
    reach.setdiag(0)
    return np.asarray((reach.tocsr() @ onehot).todense()).round().astype(np.int64)


def _key(data: Data, hops: int, betweenness_samples: int, seed: int) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{int(data.num_nodes)}|{hops}|{betweenness_samples}|{seed}".encode())
    h.update(data.edge_index.cpu().numpy().tobytes())
    train = data.get("train_mask")
    y = data.get("y")
    if train is not None and y is not None:
        h.update(train.cpu().numpy().tobytes())
        h.update(y[train].cpu().numpy().tobytes())  # training labels only: others may change freely
    return h.hexdigest()


def graph_context(
    data: Data, *, hops: int = 2, betweenness_samples: int = 256, seed: int = 0
) -> GraphContext:
    """The graph cues of every node (see :class:`GraphContext`), cached per graph and settings.

    Args:
        data: a graph with ``edge_index``; label cues need ``y`` and ``train_mask`` (without
            them every node has "no labeled neighbors").
        hops: radius of the label-agreement cue.
        betweenness_samples: betweenness is estimated from this many sampled source nodes
            (seeded; see :func:`betweenness`) when the graph has more nodes, exact otherwise.
            Cost grows with samples × edges × diameter.
        seed: seed of the betweenness sample.

    The cache key covers the edges, the training mask and the training labels, so permuting
    validation or test labels returns the same context.
    """
    if hops < 1:
        raise ValueError("hops must be at least 1")
    key = _key(data, hops, betweenness_samples, seed)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    n = int(data.num_nodes)
    a = adjacency(data.edge_index, n)
    g = nx.from_scipy_sparse_array(a)
    degree = np.asarray(a.sum(1)).ravel()
    clustering = nx.clustering(g)
    pagerank = nx.pagerank(g) if a.nnz else {i: 1.0 / n for i in range(n)}
    sampled = betweenness_samples if n > betweenness_samples else None
    sources = np.random.default_rng(seed).choice(n, sampled, replace=False) if sampled else np.arange(n)
    counts = label_counts(a, data.get("y"), data.get("train_mask"), hops)
    labeled = counts.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(labeled > 0, counts.max(1) / np.maximum(labeled, 1), np.nan)
    raw = np.stack(
        [
            degree,
            np.array([clustering[i] for i in range(n)]),
            np.array([pagerank[i] for i in range(n)]),
            betweenness(a, sources),
            agreement,
            (labeled == 0).astype(np.float64),
        ],
        1,
    )
    z, means, stds = np.zeros_like(raw), np.zeros(raw.shape[1]), np.ones(raw.shape[1])
    for j, name in enumerate(GRAPH_CUES):
        z[:, j], means[j], stds[j] = standardize(transform(CUES[name].transform, raw[:, j], n))
    context = GraphContext(
        names=GRAPH_CUES,
        raw=raw,
        z=torch.from_numpy(z).float(),
        mean=means,
        std=stds,
        label_counts=counts,
        hops=hops,
        betweenness_samples=sampled,
    )
    _CACHE[key] = context
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return context

"""Large planted-partition graphs for measuring the pipeline at scale (200k nodes, 2M edges).

networkx's ``stochastic_block_model`` (the ``sbm`` built-in) visits every pair of blocks and
takes minutes at this size; :func:`block_model` draws the edges directly: each of ``edges / 2``
undirected edges picks a uniform source node, then a target in the source's block with
probability ``p_in`` and anywhere otherwise (self-loops and duplicates dropped, so a few fewer
edges than asked). Features are community means plus Gaussian noise, as the ``sbm`` built-in's.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data


def block_model(
    nodes: int = 200_000,
    edges: int = 2_000_000,
    *,
    blocks: int = 16,
    p_in: float = 0.8,
    features: int = 32,
    noise: float = 2.0,
    seed: int = 0,
) -> Data:
    """A planted-partition graph: ``blocks`` equal communities, the class of a node is its block.

    Args:
        nodes: N.
        edges: directed edges wanted in ``edge_index`` (both directions of ``edges / 2`` pairs).
        blocks: communities (and classes).
        p_in: share of edges drawn inside the source's community.
        features: F, the feature width.
        noise: standard deviation of the features around their community's mean (the means are
            standard normal).
        seed: the generator's seed.

    Returns:
        ``Data`` with ``x`` (N, F) float32, ``y`` (N,) int64, ``edge_index`` (2, E) int64
        (symmetric, no self-loops, no duplicates; E ≤ ``edges``).
    """
    rng = np.random.default_rng(seed)
    size = -(-nodes // blocks)
    y = np.arange(nodes) // size
    pairs = edges // 2
    src = rng.integers(0, nodes, pairs)
    inside = rng.random(pairs) < p_in
    start = y[src] * size
    width = np.minimum(start + size, nodes) - start
    dst = np.where(
        inside, start + (rng.random(pairs) * width).astype(np.int64), rng.integers(0, nodes, pairs)
    )
    keep = src != dst
    a, b = np.minimum(src, dst)[keep], np.maximum(src, dst)[keep]
    key = np.unique(a * nodes + b)
    a, b = key // nodes, key % nodes
    edge_index = torch.from_numpy(np.stack([np.concatenate([a, b]), np.concatenate([b, a])]))
    centers = rng.normal(0.0, 1.0, (blocks, features))
    x = (centers[y] + rng.normal(0.0, noise, (nodes, features))).astype(np.float32)
    return Data(x=torch.from_numpy(x), y=torch.from_numpy(y), edge_index=edge_index, num_nodes=nodes)

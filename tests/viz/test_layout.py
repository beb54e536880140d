"""graph_layout: valid, deterministic, neighbors near, components apart, fast paths covered."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from nodescope.viz.layout import graph_layout


def edges_of(g: nx.Graph) -> tuple[np.ndarray, int]:
    g = nx.convert_node_labels_to_integers(g)
    return np.array(g.edges(), dtype=np.int64).reshape(-1, 2).T, g.number_of_nodes()


def sbm(n: int, blocks: int, m: int, p_in: float = 0.9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stochastic block model: m random edges, a fraction p_in of them inside a block."""
    rng = np.random.default_rng(seed)
    block = np.arange(n) % blocks
    src = rng.integers(0, n, m)
    same = (rng.integers(0, n // blocks, m) * blocks + block[src]) % n
    dst = np.where(rng.random(m) < p_in, same, rng.integers(0, n, m))
    return np.stack([src, dst]), block


def edge_to_random_ratio(pos: np.ndarray, ei: np.ndarray, seed: int = 1) -> float:
    """Mean edge length over mean distance of random node pairs (small = neighbors near)."""
    rng = np.random.default_rng(seed)
    n = len(pos)
    a, b = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)
    edge = np.linalg.norm(pos[ei[0]] - pos[ei[1]], axis=1).mean()
    return float(edge / np.linalg.norm(pos[a] - pos[b], axis=1).mean())


def check_valid(pos: np.ndarray, n: int) -> None:
    assert pos.shape == (n, 2)
    assert pos.dtype == np.float32
    assert np.isfinite(pos).all()
    assert np.abs(pos).max() == pytest.approx(1.0, abs=1e-6)  # normalized into [-1, 1], touching it


# networkx path (< 500 nodes) and the fast path; a perfect grid drawing scores 1 / (0.52 side)
@pytest.mark.parametrize(("side", "bound"), [(15, 0.3), (40, 0.1)])
def test_grid_is_valid_and_neighbors_are_near(side: int, bound: float) -> None:
    ei, n = edges_of(nx.grid_2d_graph(side, side))
    pos = graph_layout(ei, n, seed=0)
    check_valid(pos, n)
    assert edge_to_random_ratio(pos, ei) < bound


def test_sbm_neighbors_and_blocks_are_near() -> None:
    ei, block = sbm(3000, 4, 12_000)
    pos = graph_layout(ei, 3000, seed=0)
    check_valid(pos, 3000)
    assert edge_to_random_ratio(pos, ei) < 0.5
    # nodes of the same block sit closer together than nodes of different blocks
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3000, (2, 20_000))
    d = np.linalg.norm(pos[a] - pos[b], axis=1)
    same = block[a] == block[b]
    assert d[same].mean() < 0.7 * d[~same].mean()


def test_long_graph_keeps_its_shape() -> None:
    # a 600-node path: pivot MDS + stress should stretch it, not fold it into a ball
    ei, n = edges_of(nx.path_graph(600))
    pos = graph_layout(ei, n, seed=0)
    check_valid(pos, n)
    assert np.linalg.norm(pos[0] - pos[-1]) > 1.0
    assert edge_to_random_ratio(pos, ei) < 0.05


def test_deterministic_for_a_seed() -> None:
    ei, _ = sbm(2000, 4, 8000)
    a = graph_layout(ei, 2000, seed=3)
    b = graph_layout(ei, 2000, seed=3)
    c = graph_layout(ei, 2000, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_direction_duplicates_and_self_loops_are_ignored() -> None:
    ei, n = edges_of(nx.grid_2d_graph(25, 25))
    noisy = np.concatenate([ei, ei[::-1], ei[:, :50], np.stack([np.arange(20), np.arange(20)])], 1)
    np.testing.assert_array_equal(graph_layout(ei, n), graph_layout(noisy, n))


def bbox(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return p.min(0), p.max(0)


def overlap_area(a: np.ndarray, b: np.ndarray) -> float:
    (alo, ahi), (blo, bhi) = bbox(a), bbox(b)
    wh = np.clip(np.minimum(ahi, bhi) - np.maximum(alo, blo), 0, None)
    return float(wh.prod())


@pytest.mark.parametrize("side", [12, 30])
def test_components_do_not_overlap(side: int) -> None:
    g1, n1 = edges_of(nx.grid_2d_graph(side, side))
    g2, n2 = edges_of(nx.cycle_graph(40))
    ei = np.concatenate([g1, g2 + n1], 1)
    pos = graph_layout(ei, n1 + n2, seed=0)
    check_valid(pos, n1 + n2)
    big, small = pos[:n1], pos[n1:]
    assert overlap_area(big, small) == 0.0
    # the small component is not collapsed to a point
    assert np.ptp(small, axis=0).min() > 0.02


def test_many_small_components_and_isolated_nodes() -> None:
    rng = np.random.default_rng(0)
    pairs = np.arange(0, 400).reshape(2, -1)  # 200 two-node components: (i, i + 200)
    er = rng.integers(0, 1000, (2, 5000)) + 400  # one random component of ~1000 nodes
    n = 400 + 1000 + 50  # and 50 isolated nodes
    pos = graph_layout(np.concatenate([pairs, er], 1), n, seed=0)
    check_valid(pos, n)
    # isolated nodes lie on a ring around everything else
    connected = np.zeros(n, bool)
    connected[np.unique(np.concatenate([pairs.ravel(), er.ravel()]))] = True
    center = (pos[connected].min(0) + pos[connected].max(0)) / 2
    r_iso = np.linalg.norm(pos[~connected] - center, axis=1)
    assert r_iso.min() > np.linalg.norm(pos[connected] - center, axis=1).max()
    assert np.ptp(r_iso) < 1e-3
    # two-node components: both ends distinct
    assert (np.linalg.norm(pos[:200] - pos[200:400], axis=1) > 1e-4).all()


def test_degenerate_graphs() -> None:
    assert graph_layout(np.zeros((2, 0), np.int64), 0).shape == (0, 2)
    np.testing.assert_array_equal(graph_layout(np.zeros((2, 0), np.int64), 1), [[0.0, 0.0]])
    ring = graph_layout(np.zeros((2, 0), np.int64), 6)
    check_valid(ring, 6)
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 1.0, atol=1e-6)
    check_valid(graph_layout(np.array([[0], [1]]), 2), 2)


def test_bad_edges_raise() -> None:
    with pytest.raises(ValueError, match="outside"):
        graph_layout(np.array([[0], [5]]), 3)
    with pytest.raises(ValueError, match="shape"):
        graph_layout(np.zeros((3, 4), np.int64), 10)

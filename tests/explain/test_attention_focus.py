"""The nodes of a focus attention map and their dense block; the most attended nodes of a global row."""

import numpy as np
import pytest

from nodescope.explain.attention import AttentionMaps
from nodescope.explain.attention_focus import (
    block_matrix,
    focus_block,
    focus_nodes,
    head_blocks,
    top_attended,
)

# A star into node 0 plus one edge 2 -> 1, and self-loops as GAT adds them.
EDGES = np.array([[1, 2, 3, 2, 0, 1, 2, 3], [0, 0, 0, 1, 0, 1, 2, 3]])
ALPHA = np.array([0.6, 0.3, 0.05, 0.4, 0.05, 0.6, 1.0, 1.0])
ROW = np.array([0.1, 0.5, 0.2, 0.15, 0.05])  # node 0's global attention over 5 nodes


def test_focus_nodes_rank_in_neighbors_by_weight():
    assert focus_nodes(EDGES, ALPHA, 0).tolist() == [0, 1, 2, 3]
    assert focus_nodes(EDGES, ALPHA, 0, max_nodes=2).tolist() == [0, 1]


def test_block_matrix_rows_attend_to_columns():
    m = block_matrix(EDGES, ALPHA, np.array([0, 2, 1]))
    assert m[0, 1] == pytest.approx(0.3)  # 2 -> 0
    assert m[2, 1] == pytest.approx(0.4)  # 2 -> 1
    assert m[0, 0] == pytest.approx(0.05) and m[1, 0] == 0.0  # no edge 0 -> 2
    assert np.allclose(m.sum(1)[:1], 0.05 + 0.6 + 0.3)  # row 0 misses node 3 (not in the block)


def test_top_attended_keeps_the_focus_and_the_k_strongest_others():
    assert top_attended(ROW, 0, 2).tolist() == [0, 1, 2]
    assert top_attended(ROW, 1, 2).tolist() == [1, 2, 3]  # the focus is not one of the k


def test_head_blocks_share_one_node_set_and_skip_missing_heads():
    alpha = np.stack([np.stack([ALPHA, ALPHA[::-1]]), np.stack([ALPHA, np.full_like(ALPHA, np.nan)])])
    maps = AttentionMaps(EDGES, alpha.astype(np.float32), [2, 1], ["conv 1", "conv 2"], 4)
    blocks = head_blocks(maps, 0)
    assert blocks[1][1] is None and all(b.shape == (4, 4) for b in (blocks[0][0], blocks[0][1], blocks[1][0]))
    nodes = focus_nodes(EDGES, np.nanmean(alpha.reshape(-1, 8), 0), 0)
    np.testing.assert_allclose(blocks[0][0], block_matrix(EDGES, ALPHA, nodes))
    nodes, block = focus_block(maps, ALPHA, 0, max_nodes=2)
    assert nodes.tolist() == [0, 1] and block[0, 1] == pytest.approx(0.6)
